//! Beliefs and satisfaction (ODD 6.3): Kalman updates from own observation, one
//! network contact per step in rotation, and the platform's pooled reviews.

use super::agents::Arrangement;
use super::Market;

impl Market {
    /// Value of CCG `i`'s current arrangement on line `l`: quality net of relative price.
    #[inline]
    pub fn value_with(&self, i: usize, l: usize, lambda: f64) -> f64 {
        let ct = &self.con[self.ci(i, l)];
        ct.q - lambda * (ct.price / self.lines[l].cost - 1.0)
    }

    pub fn value(&self, i: usize, l: usize) -> f64 {
        self.value_with(i, l, self.price_sensitivity(i))
    }

    /// Own observation, network contact and platform reports (ODD 6.3): a Kalman update
    /// of the belief with the distance-free quality observed (`Contract::observed`, which
    /// `deliver` records), and satisfaction moving
    /// toward `value_with`, with the per-CCG and per-line terms looked up once.
    pub fn update_beliefs(&mut self) {
        let nl = self.n_lines();
        let b = &self.cfg.beliefs;
        let (obs, wom) = (b.observation_sd * b.observation_sd, b.word_of_mouth_sd * b.word_of_mouth_sd);
        let drift = b.drift_sd * b.drift_sd;
        let memory = self.cfg.satisfaction.memory;
        let platform = self.centre.platform;
        if platform {
            // the pool remembers about half a quarter back
            self.plat_sum.iter_mut().for_each(|x| *x *= 0.5);
            self.plat_n.iter_mut().for_each(|x| *x *= 0.5);
        }
        let step = self.step;
        let bpc = self.beliefs_per_ccg;
        let Market { ccgs, con, beliefs, belief_pos, lines, plat_sum, plat_n, .. } = self;
        let lines = &lines[..nl];
        // the Kalman update of `learn_belief`
        let learn = |bel: &mut super::agents::Belief, y: f64, w: f64| {
            let v = bel.var_at(step, drift);
            let k = v / (v + w);
            let mean = bel.mean as f64;
            bel.mean = (mean + k * (y - mean)) as f32;
            bel.var = ((1.0 - k) * v) as f32;
            bel.t = step;
        };
        for i in 0..ccgs.len() {
            let c = &ccgs[i];
            if !c.active {
                continue;
            }
            let lambda = c.lambda;
            let on_platform = platform && c.on_platform;
            let own = &mut beliefs[i * bpc..(i + 1) * bpc];
            for (l, (ct, line)) in con[i * nl..(i + 1) * nl].iter_mut().zip(lines).enumerate() {
                if let Arrangement::External(p) = ct.arr {
                    let p = p.ix();
                    let y = ct.observed;
                    let bel = &mut own[belief_pos[p * nl + l] as usize];
                    learn(bel, y, obs);
                    ct.belief = bel.mean as f64;
                    ct.belief_of = p as u16;
                    if on_platform {
                        let pl = p * nl + l;
                        plat_sum[pl] += y;
                        plat_n[pl] += 1.0;
                    }
                }
                let v = ct.q - lambda * (ct.price / line.cost - 1.0);
                ct.satisfaction += memory * (v - ct.satisfaction);
            }
            let deg = c.neighbours.len();
            if deg > 0 {
                let j = c.neighbours[step as usize % deg].ix();
                let cj = &ccgs[j];
                if cj.active {
                    for (l, ct) in con[j * nl..(j + 1) * nl].iter().enumerate() {
                        if let Arrangement::External(p) = ct.arr {
                            learn(&mut own[belief_pos[p.ix() * nl + l] as usize], ct.observed, wom);
                        }
                    }
                }
            }
        }
    }

    /// Belief about provider `p` on line `l` as CCG `i` uses it in a choice: its own,
    /// combined with the platform's pooled review when it takes part. (mean, variance)
    #[inline]
    pub fn belief_for_choice(&self, i: usize, l: usize, p: usize) -> (f64, f64) {
        let b = &self.beliefs[self.bi(i, l, p)];
        let v = self.belief_var(b);
        if self.centre.platform && self.ccgs[i].on_platform {
            return self.with_platform(b.mean as f64, v, p * self.n_lines() + l);
        }
        (b.mean as f64, v)
    }

    /// Own belief (mean, variance) combined with the platform's pooled review of
    /// provider-line `pl`, if it has any.
    #[inline]
    pub(crate) fn with_platform(&self, mean: f64, v: f64, pl: usize) -> (f64, f64) {
        let n = self.plat_n[pl];
        if n > 1e-9 {
            let ps = self.cfg.beliefs.platform_sd;
            let pv = ps * ps / n;
            let pm = self.plat_sum[pl] / n;
            let prec = 1.0 / v + 1.0 / pv;
            return ((mean / v + pm / pv) / prec, 1.0 / prec);
        }
        (mean, v)
    }
}
