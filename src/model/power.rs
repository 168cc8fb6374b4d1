//! Power (ODD 6.6): for each relationship (a CCG's contract for a line with an external
//! provider) a buyer-power and a supplier-power score from Cox's attributes, and the
//! Cox quadrant it falls in.

use super::agents::Arrangement;
use super::Market;

/// Cox's four power regimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quadrant {
    BuyerDominance,
    Interdependence,
    Independence,
    SupplierDominance,
}

impl Quadrant {
    pub fn of(bp: f64, sp: f64, threshold: f64) -> Quadrant {
        match (bp >= threshold, sp >= threshold) {
            (true, false) => Quadrant::BuyerDominance,
            (true, true) => Quadrant::Interdependence,
            (false, false) => Quadrant::Independence,
            (false, true) => Quadrant::SupplierDominance,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::BuyerDominance => "buyer_dominance",
            Quadrant::Interdependence => "interdependence",
            Quadrant::Independence => "independence",
            Quadrant::SupplierDominance => "supplier_dominance",
        }
    }
}

/// The six attributes of one relationship, each in [0, 1], from the buyer's side.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attributes {
    /// Alternatives in reach, saturating.
    pub alternatives: f64,
    /// Switching cost index (high favours the supplier).
    pub switching: f64,
    /// Buyer's importance to the supplier (share of its revenue, saturating).
    pub buyer_share: f64,
    /// Supplier's share of the buyer's support spend.
    pub supplier_share: f64,
    /// Buyer's information quality.
    pub information: f64,
    /// Buyer's collective action.
    pub collective: f64,
    /// Supplier's information sharing with its peers.
    pub supplier_sharing: f64,
    /// Credibility of the buyer's in-house option.
    pub inhouse: f64,
}

/// Per-step constants of the power assessment: normalised weights, a lookup table of
/// the alternatives attribute, reciprocals.
struct PowerCtx {
    alt: Vec<f64>,
    /// Weights divided by their sum: alternatives, switching, share, information,
    /// collective, in-house.
    w: [f64; 6],
    degenerate: bool,
    inv_base_sc: f64,
    notice_years: f64,
    share_half: f64,
    hurdle: f64,
    optimism: f64,
}

/// Buyer and supplier power as weighted means of the attributes.
#[inline]
fn scores(c: &PowerCtx, a: &Attributes) -> (f64, f64) {
    if c.degenerate {
        return (0.5, 0.5);
    }
    let w = &c.w;
    let bp = w[0] * a.alternatives + w[1] * (1.0 - a.switching) + w[2] * a.buyer_share + w[3] * a.information + w[4] * a.collective + w[5] * a.inhouse;
    let sp = w[0] * (1.0 - a.alternatives) + w[1] * a.switching + w[2] * a.supplier_share + w[3] * (1.0 - a.information) + w[4] * a.supplier_sharing + w[5] * (1.0 - a.inhouse);
    (bp, sp)
}

impl Market {
    /// Number of providers that may take a new contract for line `l` and reach CCG `i`
    /// (uses the eligibility lists; call `refresh_eligibility` after changes).
    pub fn alternatives(&self, i: usize, l: usize) -> usize {
        let r = self.ccgs[i].region as usize;
        self.elig[r * self.n_lines() + l].len() + self.home_extra(i, l).is_some() as usize
    }

    /// Information quality of CCG `i` about line `l`'s market, assessed at each round:
    /// price transparency plus how well it knows the providers it could use.
    pub fn assess_information(&mut self) {
        let nl = self.n_lines();
        let prior = self.cfg.beliefs.prior_sd * self.cfg.beliefs.prior_sd;
        let drift = self.cfg.beliefs.drift_sd * self.cfg.beliefs.drift_sd;
        let tau = self.centre.transparency;
        let (step, bpc) = (self.step, self.beliefs_per_ccg);
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active {
                continue;
            }
            let r = self.ccgs[i].region as usize;
            let platform = self.centre.platform && self.ccgs[i].on_platform;
            let own = &self.beliefs[i * bpc..(i + 1) * bpc];
            for l in 0..nl {
                let k = i * nl + l;
                if !matches!(self.con[k].arr, Arrangement::External(_)) {
                    continue;
                }
                // how well it knows provider `p`, from the variance of `belief_for_choice`
                let known_of = |p: usize| {
                    let pl = p * nl + l;
                    let b = &own[self.belief_pos[pl] as usize];
                    let mut v = b.var_at(step, drift);
                    if platform {
                        v = self.with_platform(b.mean as f64, v, pl).1;
                    }
                    (1.0 - v / prior).clamp(0.0, 1.0)
                };
                // the region's eligible providers, then the home CSU if it is an extra one
                // (a loop per part: chaining the two cost more than the sums)
                let list = &self.elig[r * nl + l];
                let mut sum = 0.0;
                for &p in list {
                    sum += known_of(p as usize);
                }
                let extra = self.home_extra(i, l);
                if let Some(h) = extra {
                    sum += known_of(h);
                }
                let n = (list.len() + extra.is_some() as usize) as f64;
                let known = if n > 0.0 { sum / n } else { 0.0 };
                self.con[k].info = tau + (1.0 - tau) * known;
            }
        }
    }

    /// Per-step constants of the power assessment.
    fn power_ctx(&self) -> PowerCtx {
        let cfg = &self.cfg;
        let w = &cfg.power;
        let total = w.weight_alternatives + w.weight_switching + w.weight_share + w.weight_information + w.weight_collective + w.weight_inhouse;
        let inv = if total > 0.0 { 1.0 / total } else { 0.0 };
        let alt = (0..=self.sup.len()).map(|n| n as f64 / (n as f64 + w.alternatives_half)).collect();
        PowerCtx {
            alt,
            w: [w.weight_alternatives * inv, w.weight_switching * inv, w.weight_share * inv, w.weight_information * inv, w.weight_collective * inv, w.weight_inhouse * inv],
            degenerate: total <= 0.0,
            inv_base_sc: if cfg.contracts.switching_cost > 0.0 { 1.0 / cfg.contracts.switching_cost } else { 0.0 },
            notice_years: 1.0 / cfg.time.steps_per_year as f64,
            share_half: w.share_half,
            hurdle: if self.centre.guidance { cfg.policy.insourcing_guidance.hurdle } else { 0.0 },
            optimism: cfg.inhouse.optimism,
        }
    }

    /// The attributes of the relationship of CCG `i` with provider `p` on line `l`.
    /// `spend_ip` and `spend_i` are annual rates (GBP/year).
    pub fn attributes(&self, i: usize, l: usize, p: usize, n_alt: usize, spend_ip: f64, spend_i: f64) -> Attributes {
        self.attributes_with(&self.power_ctx(), i, l, p, n_alt, spend_ip, spend_i)
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn attributes_with(&self, c: &PowerCtx, i: usize, l: usize, p: usize, n_alt: usize, spend_ip: f64, spend_i: f64) -> Attributes {
        let ct = &self.con[self.ci(i, l)];
        let s = &self.sup[p];
        let alternatives = c.alt[n_alt.min(c.alt.len() - 1)];
        let sc_rel = self.switching_cost(i) * c.inv_base_sc;
        let switching = (0.5 * sc_rel + 0.5 * ct.notice as f64 * c.notice_years).clamp(0.0, 1.0);
        let x = if s.rate > 0.0 { spend_ip / s.rate } else { 0.0 };
        let buyer_share = x / (x + c.share_half);
        let supplier_share = if spend_i > 0.0 { (spend_ip / spend_i).clamp(0.0, 1.0) } else { 0.0 };
        let make = ct.h + c.optimism * (ct.cap - ct.h).max(0.0) - c.hurdle;
        let b = if ct.belief_of == p as u16 { ct.belief } else { self.beliefs[self.bi(i, l, p)].mean as f64 }.max(0.05);
        let inhouse = (make / b).clamp(0.0, 1.0);
        Attributes {
            alternatives,
            switching,
            buyer_share,
            supplier_share,
            information: ct.info,
            collective: self.ccgs[i].collaboration,
            supplier_sharing: if s.is_csu() { self.centre.csu_info_sharing } else { s.info_sharing },
            inhouse,
        }
    }

    /// Buyer and supplier power from attributes (weighted means).
    pub fn power_scores(&self, a: &Attributes) -> (f64, f64) {
        scores(&self.power_ctx(), a)
    }

    /// Assess the power of every relationship and each provider's mean buyer power and
    /// power gap (which feed customer focus and prices). The arithmetic is that of
    /// `attributes` and `power_scores`, written as one pass over the contracts with the
    /// per-provider and per-region terms looked up in tables built once per step.
    pub fn assess_power(&mut self) {
        self.tally_volumes();
        self.refresh_eligibility();
        let nl = self.n_lines();
        let np = self.sup.len();
        let regions = self.cfg.geography.regions as usize;
        let c = self.power_ctx();
        let w = c.w;
        // per provider and line: may it take new contracts
        let mut may = std::mem::take(&mut self.scratch_may);
        may.clear();
        may.extend((0..np * nl).map(|k| self.may_contract(k / nl, k % nl)));
        // per region and provider: does it reach the region's CCGs (home CSUs aside)
        let mut reach = std::mem::take(&mut self.scratch_reach);
        reach.clear();
        for r in 0..regions {
            reach.extend((0..np).map(|p| self.reaches_region(p, r as u32)));
        }
        // per provider: sums of buyer power, of the power gap, relationships; revenue
        // rate and information sharing
        let mut acc = std::mem::take(&mut self.scratch_power);
        acc.clear();
        acc.extend(self.sup.iter().map(|s| [0.0, 0.0, 0.0, s.rate, if s.is_csu() { self.centre.csu_info_sharing } else { s.info_sharing }]));
        let mut spend_p = std::mem::take(&mut self.scratch_spend);
        spend_p.resize(np, 0.0);
        let demand = &self.centre.demand[..nl];
        let elig = &self.elig;
        let beliefs = &self.beliefs;
        let belief_pos = &self.belief_pos;
        let bpc = self.beliefs_per_ccg;
        let alt_last = c.alt.len() - 1;
        let (base_sc, comp_eff) = (self.cfg.contracts.switching_cost, self.cfg.contracts.competence_effect);
        let mut money = [0.0f64; 32];
        for (i, (cg, cons)) in self.ccgs.iter().zip(self.con.chunks_exact_mut(nl)).enumerate() {
            if !cg.active {
                continue;
            }
            let pop = cg.population;
            // annual spend by line, by provider and in all
            let mut spend_i = 0.0;
            for ((m, ct), d) in money[..nl].iter_mut().zip(cons.iter()).zip(demand) {
                *m = ct.price * pop * d;
                spend_i += *m;
                if let Arrangement::External(p) = ct.arr {
                    spend_p[p.ix()] = 0.0;
                }
            }
            for (ct, m) in cons.iter().zip(&money[..nl]) {
                if let Arrangement::External(p) = ct.arr {
                    spend_p[p.ix()] += m;
                }
            }
            let sc_rel = base_sc * (1.0 - comp_eff * cg.competence) * c.inv_base_sc;
            let region = cg.region as usize;
            let home = cg.home_csu.ix();
            let reach_r = &reach[region * np..(region + 1) * np];
            let home_listed = reach_r[home];
            let may_home = &may[home * nl..(home + 1) * nl];
            let elig_r = &elig[region * nl..(region + 1) * nl];
            for (l, ct) in cons.iter_mut().enumerate() {
                let Arrangement::External(p) = ct.arr else { continue };
                let p = p.ix();
                let mut n = elig_r[l].len() + (!home_listed && may_home[l]) as usize;
                if may[p * nl + l] && (reach_r[p] || p == home) {
                    n = n.saturating_sub(1);
                }
                let alternatives = c.alt[n.min(alt_last)];
                let switching = (0.5 * sc_rel + 0.5 * ct.notice as f64 * c.notice_years).clamp(0.0, 1.0);
                let spend_ip = spend_p[p];
                let a = &mut acc[p];
                let rate = a[3];
                let x = if rate > 0.0 { spend_ip / rate } else { 0.0 };
                let buyer_share = x / (x + c.share_half);
                let supplier_share = if spend_i > 0.0 { (spend_ip / spend_i).clamp(0.0, 1.0) } else { 0.0 };
                let make = ct.h + c.optimism * (ct.cap - ct.h).max(0.0) - c.hurdle;
                let b = if ct.belief_of == p as u16 { ct.belief } else { beliefs[i * bpc + belief_pos[p * nl + l] as usize].mean as f64 }.max(0.05);
                let inhouse = (make / b).clamp(0.0, 1.0);
                let (bp, sp) = if c.degenerate {
                    (0.5, 0.5)
                } else {
                    (
                        w[0] * alternatives + w[1] * (1.0 - switching) + w[2] * buyer_share + w[3] * ct.info + w[4] * cg.collaboration + w[5] * inhouse,
                        w[0] * (1.0 - alternatives) + w[1] * switching + w[2] * supplier_share + w[3] * (1.0 - ct.info) + w[4] * a[4] + w[5] * (1.0 - inhouse),
                    )
                };
                a[0] += bp;
                a[1] += sp - bp;
                a[2] += 1.0;
                ct.bp = bp;
                ct.sp = sp;
            }
        }
        for (s, a) in self.sup.iter_mut().zip(&acc) {
            if a[2] > 0.0 {
                s.bp_mean = a[0] / a[2];
                s.gap_mean = a[1] / a[2];
            } else {
                s.bp_mean = 0.5;
                s.gap_mean = 0.0;
            }
        }
        self.scratch_spend = spend_p;
        self.scratch_may = may;
        self.scratch_reach = reach;
        self.scratch_power = acc;
    }
}
