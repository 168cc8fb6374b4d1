//! Finance (ODD 6.4): payments, costs, surplus, reserves and investment; failure,
//! absorption by a stronger CSU and exit, with contracts passed on.

use super::agents::*;
use super::events::{EventKind, Party};
use super::Market;

impl Market {
    /// Recompute a team's cap and unit cost after its population or guests change.
    pub fn refresh_team(&mut self, i: usize, l: usize) {
        let k = self.ci(i, l);
        let team = self.ccgs[i].population + self.con[k].guest_pop;
        let cap = self.inhouse_cap(l, team);
        let base = self.lines[l].cost * self.cfg.inhouse.cost_factor;
        let cost = base * self.scale_cost(l, team);
        let solo = if self.con[k].guest_pop > 0.0 { base * self.scale_cost(l, self.ccgs[i].population) } else { cost };
        self.con[k].cap = cap;
        self.con[k].team_cost = cost;
        self.con[k].solo_cost = solo;
    }

    /// Prices of in-house and shared arrangements follow the teams' unit costs.
    pub fn refresh_team_prices(&mut self) {
        let nl = self.n_lines();
        let markup = self.cfg.sharing.fee_markup;
        for k in 0..self.con.len() {
            match self.con[k].arr {
                Arrangement::InHouse => self.con[k].price = self.con[k].team_cost,
                Arrangement::Shared(j) => self.con[k].price = self.con[j.ix() * nl + k % nl].team_cost * (1.0 + markup),
                Arrangement::External(_) => {}
            }
        }
    }

    /// Per-supplier volumes, customer counts and partnership sums from current contracts.
    /// (Summed in flat per-(provider, line) tables, in CCG order, then copied out.)
    pub fn tally_volumes(&mut self) {
        let nl = self.n_lines();
        let np = self.sup.len();
        let mut t = std::mem::take(&mut self.scratch_tally);
        t.clear();
        t.resize(np * nl, (0.0, 0, 0.0));
        let mut rate = std::mem::take(&mut self.scratch_rate);
        rate.clear();
        rate.resize(np, 0.0);
        let demand = &self.centre.demand[..nl];
        for (c, cons) in self.ccgs.iter().zip(self.con.chunks_exact(nl)) {
            if !c.active {
                continue;
            }
            for (l, (ct, d)) in cons.iter().zip(demand).enumerate() {
                if let Arrangement::External(p) = ct.arr {
                    let p = p.ix();
                    let x = &mut t[p * nl + l];
                    x.0 += c.population * d;
                    rate[p] += ct.price * c.population * d;
                    x.1 += 1;
                    x.2 += c.orientation * ct.relationship;
                }
            }
        }
        for (p, (s, r)) in self.sup.iter_mut().zip(&rate).enumerate() {
            let tp = &t[p * nl..(p + 1) * nl];
            for (l, x) in tp.iter().enumerate() {
                s.vol[l] = x.0;
                s.customers[l] = x.1;
                s.partnership[l] = x.2;
            }
            s.rate = *r;
            let load = s.vol.iter().sum::<f64>() / 1.0e6;
            s.stretch = if s.capacity > 0.0 { (load / s.capacity - 1.0).max(0.0) } else { 0.0 };
        }
        self.scratch_tally = t;
        self.scratch_rate = rate;
        for p in 0..np {
            self.refresh_scale(p);
        }
    }

    /// Annual spend rate of every CCG at current prices (used before any payment is made:
    /// the initial state).
    pub fn refresh_spend(&mut self) {
        let nl = self.n_lines();
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active {
                continue;
            }
            let pop = self.ccgs[i].population;
            let mut s = 0.0;
            for l in 0..nl {
                let ct = &self.con[i * nl + l];
                let d = self.centre.demand[l];
                // what the arrangement pays a year (outcome-based fees after their reduction)
                s += match ct.arr {
                    Arrangement::External(_) => ct.price * pop * d * ct.fee,
                    Arrangement::InHouse | Arrangement::Shared(_) => ct.price * pop * d,
                };
            }
            self.ccgs[i].spend = s;
        }
    }

    pub fn settle_finances(&mut self) {
        let nl = self.n_lines();
        let dt = self.dt();
        // volumes are current: the last change of contracts was followed by a tally
        self.refresh_team_prices();
        for s in self.sup.iter_mut() {
            s.revenue = 0.0;
            s.cost = 0.0;
            s.outcome_revenue = 0.0;
            s.outcome_full = 0.0;
            s.dev_funds = 0.0;
        }
        let dev = self.cfg.ccgs.development_investment;
        // guests' fees received by hosts this step
        let mut host_income = std::mem::take(&mut self.scratch_host);
        host_income.clear();
        host_income.resize(self.ccgs.len(), 0.0);
        let demand = &self.centre.demand[..nl];
        let sup = &mut self.sup;
        for (c, cons) in self.ccgs.iter_mut().zip(self.con.chunks_exact_mut(nl)) {
            if !c.active {
                // merged away: pays nothing any more
                c.paid_external = 0.0;
                c.spend = 0.0;
                c.transition = 0.0;
                continue;
            }
            let (pop, orientation) = (c.population, c.orientation);
            let mut spend = 0.0;
            let mut external = 0.0;
            // the CCG's development payment, shared over the lines it buys from CSUs
            let csu_lines = if dev > 0.0 { cons.iter().filter(|ct| matches!(ct.arr, Arrangement::External(p) if sup[p.ix()].is_csu())).count() } else { 0 };
            for (ct, d) in cons.iter_mut().zip(demand) {
                let paid = match ct.arr {
                    Arrangement::External(p) => {
                        let pay = ct.price * pop * d * ct.fee * dt;
                        let s = &mut sup[p.ix()];
                        s.revenue += pay;
                        if ct.outcome {
                            s.outcome_revenue += pay;
                            s.outcome_full += ct.price * pop * d * dt;
                        }
                        let mut total = pay;
                        if dev > 0.0 && s.is_csu() {
                            let inv = dev * orientation * pop * dt / csu_lines as f64;
                            s.revenue += inv;
                            s.dev_funds += inv;
                            total += inv;
                        }
                        external += total;
                        total
                    }
                    // the host pays its whole team; guests' fees come back to it below
                    Arrangement::InHouse => ct.team_cost * (pop + ct.guest_pop) * d * dt,
                    Arrangement::Shared(j) => {
                        let fee = ct.price * pop * d * dt;
                        host_income[j.ix()] += fee;
                        fee
                    }
                };
                ct.paid = paid;
                spend += paid;
            }
            c.paid_external = external;
            c.spend = spend + c.transition;
            c.transition = 0.0;
        }
        let allowance = self.allowance();
        for (cg, income) in self.ccgs.iter_mut().zip(&host_income) {
            if cg.active {
                cg.spend = (cg.spend - income) / dt;
                cg.lambda = super::lambda_of(&self.cfg.ccgs, allowance, cg);
            }
        }
        self.scratch_host = host_income;

        // provider costs, surplus, reserves, investment
        let cc = &self.cfg.csus;
        let (idle_cost, inv_share) = (cc.idle_capacity_cost, cc.investment_share);
        let spy = self.cfg.time.steps_per_year as usize;
        let slot = self.step as usize % spy;
        for p in 0..self.sup.len() {
            if !self.sup[p].active() {
                continue;
            }
            let mut cost = 0.0;
            let mut ubar = 0.0;
            for l in 0..nl {
                let v = self.sup[p].vol[l];
                let u = self.unit_cost(p, l);
                ubar += u / nl as f64;
                cost += u * v * dt;
            }
            let s = &mut self.sup[p];
            if s.is_csu() {
                let load = s.vol.iter().sum::<f64>() / 1.0e6;
                cost += idle_cost * ubar * (s.capacity - load).max(0.0) * 1.0e6 * dt;
            }
            // CCGs' development payments are spent on development in full
            let surplus = s.revenue - s.dev_funds - cost;
            let invest = inv_share * surplus.max(0.0);
            s.cost = cost + invest + s.dev_funds;
            s.reserves += surplus - invest;
            let ratio = if s.revenue > 0.0 { (invest + s.dev_funds) / s.revenue } else { 0.0 };
            if s.outcome_full > 0.0 {
                // the fee share it kept on outcome-based contracts, smoothed over about a year
                s.outcome_fee += dt.min(1.0) * (s.outcome_revenue / s.outcome_full - s.outcome_fee);
            }
            s.investment_intensity += dt.min(1.0) * (ratio - s.investment_intensity);
            s.revenue_year += s.revenue - s.revenue_ring[slot];
            s.revenue_ring[slot] = s.revenue;
            if s.total_customers() == 0 {
                s.idle_steps += 1;
            } else {
                s.idle_steps = 0;
            }
        }
        self.check_failures();
    }

    /// Failures: reserves below the threshold, or no customers for the idle period.
    fn check_failures(&mut self) {
        let idle_limit = (self.cfg.market_idle_exit_steps()).max(1);
        let threshold = self.cfg.csus.failure_reserves;
        let mut changed = false;
        for p in 0..self.sup.len() {
            let s = &self.sup[p];
            if !s.active() {
                continue;
            }
            let broke = s.reserves < threshold * s.revenue_year.max(0.0) && s.reserves < 0.0;
            let idle = (s.wind_down && s.idle_steps > 0) || s.idle_steps >= idle_limit;
            if s.is_csu() {
                if idle {
                    if self.active_csus() > 1 {
                        self.exit_supplier(p);
                        changed = true;
                    }
                } else if broke {
                    if let Some(a) = self.strongest_csu(p, true) {
                        self.absorb(p, a);
                        changed = true;
                    }
                }
            } else if idle || broke {
                self.exit_supplier(p);
                changed = true;
            }
        }
        if changed {
            self.tally_volumes();
        }
    }

    pub fn active_csus(&self) -> usize {
        self.sup[..self.n_csu].iter().filter(|s| s.active()).count()
    }

    /// The strongest active CSU other than `p` (highest mean capability), preferring
    /// one that may take new contracts, then `p`'s region, then (under a framework) one
    /// holding slots. A CSU winding down is chosen only when no other is left: the
    /// centre keeps some CSU as the provider of last resort.
    pub fn strongest_csu(&self, p: usize, same_region_first: bool) -> Option<usize> {
        let region = self.sup[p].region;
        let mut best: Option<(usize, (bool, bool, bool, f64))> = None;
        for a in 0..self.n_csu {
            let s = &self.sup[a];
            if a == p || !s.active() {
                continue;
            }
            let key = (!s.wind_down, same_region_first && s.region == region, !self.centre.framework || s.slots != 0, s.mean_capability());
            let better = match &best {
                None => true,
                Some((_, b)) => (key.0, key.1, key.2) > (b.0, b.1, b.2) || ((key.0, key.1, key.2) == (b.0, b.1, b.2) && key.3 > b.3),
            };
            if better {
                best = Some((a, key));
            }
        }
        best.map(|(a, _)| a)
    }

    /// CSU `p` is absorbed by CSU `a`: contracts, patches, capacity and reserves pass on.
    pub fn absorb(&mut self, p: usize, a: usize) {
        let cc = self.cfg.csus.clone();
        let nl = self.n_lines();
        for l in 0..nl {
            let (vp, va) = (self.sup[p].vol[l], self.sup[a].vol[l]);
            let cp = self.sup[p].cap[l] * (1.0 - cc.merger_capability_loss);
            let ca = self.sup[a].cap[l];
            if vp + va > 0.0 {
                self.sup[a].cap[l] = (va * ca + vp * cp) / (va + vp);
            }
        }
        // the centre, as host, writes off a failed CSU's deficit: only a surplus passes on
        let (cap_p, res_p, offers_p) = (self.sup[p].capacity, self.sup[p].reserves.max(0.0), self.sup[p].offers);
        let ring_p = self.sup[p].revenue_ring.clone();
        {
            let s = &mut self.sup[a];
            s.capacity += cap_p;
            s.reserves += res_p;
            s.offers |= offers_p;
            s.distraction = (s.distraction + cc.merger_distraction).min(1.0);
            s.sharing = (s.sharing - cc.merger_sharing_loss).max(0.0);
            for (x, y) in s.revenue_ring.iter_mut().zip(ring_p) {
                *x += y;
            }
            s.revenue_year = s.revenue_ring.iter().sum();
        }
        self.sup[p].status = Status::Merged(SupplierId(a as u16));
        let (pid, aid) = (SupplierId(p as u16), SupplierId(a as u16));
        for i in 0..self.ccgs.len() {
            if self.ccgs[i].home_csu == pid {
                self.ccgs[i].home_csu = aid;
            }
            for l in 0..nl {
                let ct = &mut self.con[i * nl + l];
                if ct.arr == Arrangement::External(pid) {
                    ct.arr = Arrangement::External(aid);
                }
                if let Some(pd) = ct.pending.as_mut() {
                    if pd.to == Arrangement::External(pid) {
                        pd.to = Arrangement::External(aid);
                    }
                }
            }
        }
        self.flows.mergers += 1;
        self.emit(EventKind::Merger, None, Some(pid), None, Party::Supplier(aid), self.sup[a].mean_capability());
    }

    /// Provider `p` leaves the market: its CCGs fall back to their home CSU and search.
    pub fn exit_supplier(&mut self, p: usize) {
        let pid = SupplierId(p as u16);
        self.sup[p].status = Status::Exited;
        self.flows.exits += 1;
        self.emit(EventKind::Exit, None, Some(pid), None, Party::None, self.sup[p].reserves);
        if self.sup[p].is_csu() {
            if let Some(a) = self.strongest_csu(p, true) {
                let aid = SupplierId(a as u16);
                for c in self.ccgs.iter_mut() {
                    if c.home_csu == pid {
                        c.home_csu = aid;
                    }
                }
            }
        }
        let nl = self.n_lines();
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active {
                continue;
            }
            for l in 0..nl {
                let k = i * nl + l;
                if self.con[k].pending.map(|pd| pd.to) == Some(Arrangement::External(pid)) {
                    self.con[k].pending = None;
                    self.con[k].forced = true;
                }
                if self.con[k].arr == Arrangement::External(pid) {
                    self.fallback(i, l);
                }
            }
        }
    }

    /// CCG `i`'s line `l` falls back to its home CSU (provider gone or shared team closed)
    /// and is flagged to search at the next round.
    pub fn fallback(&mut self, i: usize, l: usize) {
        let home = self.ccgs[i].home_csu;
        let k = self.ci(i, l);
        let from = match self.con[k].arr {
            Arrangement::External(p) => Party::Supplier(p),
            Arrangement::Shared(j) => Party::Ccg(j),
            Arrangement::InHouse => Party::InHouse,
        };
        self.refresh_scale(home.ix());
        let price = self.quote(home.ix(), i, l);
        let term = self.step + self.cfg.months_to_steps(self.cfg.contracts.renewal_term_months);
        let notice = self.cfg.months_to_steps(self.cfg.contracts.notice_months);
        let outcome = self.ccgs[i].outcome_payment;
        let ct = &mut self.con[k];
        ct.arr = Arrangement::External(home);
        ct.price = price;
        ct.term_end = term;
        ct.notice = notice;
        ct.outcome = outcome;
        ct.relationship = 0.0;
        ct.forced = true;
        ct.fee = 1.0;
        self.emit(EventKind::Fallback, Some(CcgId(i as u32)), Some(home), Some(l), from, price);
    }
}
