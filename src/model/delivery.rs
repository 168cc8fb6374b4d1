//! Delivery (ODD 6.1): the quality each arrangement realises this step, and the fee
//! multiplier of outcome-based contracts.

use super::agents::{distance_class, Arrangement};
use super::rng::noise;
use super::Market;

impl Market {
    /// Expected quality `Q_il` of CCG `i`'s current arrangement on line `l`.
    #[inline]
    pub fn expected_quality(&self, i: usize, l: usize) -> f64 {
        let k = self.ci(i, l);
        let ct = &self.con[k];
        let d = &self.cfg.delivery;
        match ct.arr {
            Arrangement::InHouse => ct.h,
            Arrangement::Shared(j) => self.con[self.ci(j.ix(), l)].h - self.cfg.sharing.coordination_penalty,
            Arrangement::External(p) => {
                let s = &self.sup[p.ix()];
                s.cap[l] * (1.0 - d.stretch_penalty * s.stretch).max(0.0) - d.distance_penalty * self.lines[l].local * self.distance(i, p.ix())
                    + d.relationship_weight * ct.relationship * s.focus
                    + d.customer_focus_weight * (s.focus - 0.5)
            }
        }
    }

    /// Fee multiplier for realised quality `q` on an outcome-based contract.
    #[inline]
    pub fn outcome_fee(&self, q: f64) -> f64 {
        let c = &self.cfg.contracts;
        1.0 - (c.outcome_slope * (c.outcome_target - q).max(0.0)).min(c.outcome_max_reduction)
    }

    /// Realised quality of every arrangement. One noise draw per CCG slot and line,
    /// used or not, so the stream stays aligned across scenarios. (The arithmetic is
    /// that of `expected_quality`, in one pass with per-provider terms in a table.)
    pub fn deliver(&mut self) {
        let nl = self.n_lines();
        let d = &self.cfg.delivery;
        let (sd, stretch_pen, dpen, rw, cfw) = (d.noise_sd, d.stretch_penalty, d.distance_penalty, d.relationship_weight, d.customer_focus_weight);
        let coord = self.cfg.sharing.coordination_penalty;
        let c = &self.cfg.contracts;
        let (target, slope, max_red) = (c.outcome_target, c.outcome_slope, c.outcome_max_reduction);
        // per provider and line: capability times the capacity factor; per provider: the
        // customer-focus terms and region
        let mut pf = std::mem::take(&mut self.scratch_pf);
        pf.clear();
        for s in &self.sup {
            let cap_f = (1.0 - stretch_pen * s.stretch).max(0.0);
            for l in 0..nl {
                pf.push((s.cap[l] * cap_f, s.focus, cfw * (s.focus - 0.5), s.region));
            }
        }
        let mut local = [0.0f64; 32];
        for (x, line) in local.iter_mut().zip(&self.lines) {
            *x = dpen * line.local;
        }
        let rng = &mut self.rng.delivery;
        for i in 0..self.ccgs.len() {
            let cg = &self.ccgs[i];
            if !cg.active {
                for _ in 0..nl {
                    noise(rng);
                }
                continue;
            }
            let (home, region) = (cg.home_csu.ix(), cg.region);
            for l in 0..nl {
                let e = noise(rng);
                let ct = &self.con[i * nl + l];
                // the distance penalty, which an observer adds back (`update_beliefs`)
                let mut penalty = 0.0;
                let expected = match ct.arr {
                    Arrangement::InHouse => ct.h,
                    Arrangement::Shared(j) => self.con[j.ix() * nl + l].h - coord,
                    Arrangement::External(p) => {
                        let p = p.ix();
                        let (capf, focus, cfo, sreg) = pf[p * nl + l];
                        penalty = local[l] * distance_class(home, region, p, sreg);
                        capf - penalty + rw * ct.relationship * focus + cfo
                    }
                };
                let q = (expected + sd * e).clamp(0.0, 1.0);
                let fee = if ct.outcome && matches!(ct.arr, Arrangement::External(_)) { 1.0 - (slope * (target - q).max(0.0)).min(max_red) } else { 1.0 };
                let ct = &mut self.con[i * nl + l];
                ct.q = q;
                ct.fee = fee;
                ct.observed = q + penalty;
            }
        }
        self.scratch_pf = pf;
    }

    /// Expected quality in place of realised quality (the initial state).
    pub fn deliver_expected(&mut self) {
        let nl = self.n_lines();
        for k in 0..self.con.len() {
            let i = k / nl;
            if self.ccgs[i].active {
                let q = self.expected_quality(i, k % nl).clamp(0.0, 1.0);
                self.set_quality(k, q);
            }
        }
    }

    #[inline]
    fn set_quality(&mut self, k: usize, q: f64) {
        let fee = if self.con[k].outcome && matches!(self.con[k].arr, Arrangement::External(_)) { self.outcome_fee(q) } else { 1.0 };
        let ct = &mut self.con[k];
        ct.q = q;
        ct.fee = fee;
    }
}
