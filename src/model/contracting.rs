//! Contracting (ODD 6.5): changes taking effect, renewals, and the yearly round in
//! which providers set prices, aspirations adapt and each CCG decides, line by line, to
//! stay, switch, make, share or buy from another provider.

use super::agents::*;
use super::events::{EventKind, Party};
use super::rng::uniform;
use super::{Market, Opt};

/// Uncertainty a CCG attaches to its own or a neighbour's team (it knows them well).
const TEAM_SD: f64 = 0.05;

impl Market {
    /// Mark-up provider `p` asks of CCG `i` given the relationship's power gap (SP - BP).
    #[inline]
    pub fn markup(&self, p: usize, i: usize, gap: f64) -> f64 {
        let s = &self.sup[p];
        let tau = self.centre.transparency;
        let w = self.cfg.csus.markup_power_weight;
        let disp = self.price_disp[i * self.sup.len() + p];
        (s.markup0 + w * ((1.0 - tau) * gap + tau * s.gap_mean) + (1.0 - tau) * disp).clamp(self.cfg.csus.markup_min, self.cfg.csus.markup_max)
    }

    /// Price provider `p` quotes CCG `i` for line `l` as a new customer.
    #[inline]
    pub fn quote(&self, p: usize, i: usize, l: usize) -> PerHead {
        self.quote_cost(p, l) * (1.0 + self.markup(p, i, self.sup[p].gap_mean)) * self.outcome_premium(p, self.ccgs[i].outcome_payment)
    }

    /// A supplier prices the fee reductions it expects on an outcome-based contract
    /// into the price: it divides by the share of the full fee it has been keeping.
    #[inline]
    pub fn outcome_premium(&self, p: usize, outcome: bool) -> f64 {
        if outcome {
            1.0 / self.sup[p].outcome_fee.max(0.5)
        } else {
            1.0
        }
    }

    /// Per round: each provider's quoting unit cost per line and the part of its mark-up
    /// common to all new customers, so that a quote in `choose` is
    /// `qc * (1 + clamp(base + (1 - tau) * disp)) * premium`, the same arithmetic as `quote`.
    fn refresh_quote_terms(&mut self) {
        let nl = self.n_lines();
        let tau = self.centre.transparency;
        let w = self.cfg.csus.markup_power_weight;
        let mut qt = std::mem::take(&mut self.scratch_quote);
        qt.clear();
        for p in 0..self.sup.len() {
            let s = &self.sup[p];
            let base = s.markup0 + w * ((1.0 - tau) * s.gap_mean + tau * s.gap_mean);
            for l in 0..nl {
                qt.push((self.quote_cost(p, l), base));
            }
        }
        self.scratch_quote = qt;
    }

    /// May CCG `i` stay with its current arrangement on line `l`?
    fn may_stay(&self, i: usize, l: usize) -> bool {
        match self.con[self.ci(i, l)].arr {
            Arrangement::InHouse => true,
            Arrangement::Shared(j) => self.ccgs[j.ix()].active && self.con[self.ci(j.ix(), l)].arr == Arrangement::InHouse,
            Arrangement::External(p) => self.may_contract(p.ix(), l),
        }
    }

    /// The end of contract `k`'s current term: terms renew automatically, so a term end
    /// in the past rolls forward by whole renewal terms.
    pub fn term_end_now(&self, k: usize) -> u32 {
        let te = self.con[k].term_end;
        if te > self.step {
            return te;
        }
        let r = self.cfg.months_to_steps(self.cfg.contracts.renewal_term_months).max(1);
        te + ((self.step - te) / r + 1) * r
    }

    /// Changes decided earlier take effect when due.
    pub fn apply_due_changes(&mut self) {
        if self.step < self.next_due {
            return;
        }
        let nl = self.n_lines();
        // the earliest of the changes left pending, found on the way (a change scheduled
        // meanwhile lowers `next_due` itself); a change counted here and cancelled later
        // in the pass leaves `next_due` early, which costs one idle pass, never a change
        self.next_due = u32::MAX;
        let mut left = u32::MAX;
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active {
                continue;
            }
            for l in 0..nl {
                if let Some(pd) = self.con[i * nl + l].pending {
                    if pd.at <= self.step {
                        self.execute_change(i, l, pd);
                    } else {
                        left = left.min(pd.at);
                    }
                }
            }
        }
        self.next_due = self.next_due.min(left);
    }

    /// The earliest step at which a pending change of an active CCG falls due (a test
    /// checks that `next_due` is never later).
    #[cfg(test)]
    pub(crate) fn earliest_due(&self) -> u32 {
        let nl = self.n_lines();
        self.ccgs
            .iter()
            .zip(self.con.chunks_exact(nl))
            .filter(|(c, _)| c.active)
            .flat_map(|(_, cons)| cons.iter().filter_map(|ct| ct.pending.map(|pd| pd.at)))
            .min()
            .unwrap_or(u32::MAX)
    }

    /// Carry out a decided change for CCG `i`, line `l`.
    fn execute_change(&mut self, i: usize, l: usize, pd: Pending) {
        let k = self.ci(i, l);
        self.con[k].pending = None;
        // the target may have gone, or lost the right to new contracts, since the decision
        let valid = match pd.to {
            Arrangement::External(p) => self.may_contract(p.ix(), l),
            Arrangement::Shared(j) => self.ccgs[j.ix()].active && self.con[self.ci(j.ix(), l)].arr == Arrangement::InHouse,
            Arrangement::InHouse => true,
        };
        if !valid {
            if let Arrangement::Shared(j) = pd.to {
                let kj = self.ci(j.ix(), l);
                self.con[kj].guests = self.con[kj].guests.saturating_sub(1);
            }
            self.con[k].forced = true;
            return;
        }
        let old = self.con[k].arr;
        let pop = self.ccgs[i].population;
        match old {
            Arrangement::InHouse => {
                if self.con[k].guests > 0 {
                    self.close_team(i, l);
                }
            }
            Arrangement::Shared(j) => {
                let kj = self.ci(j.ix(), l);
                self.con[kj].guests = self.con[kj].guests.saturating_sub(1);
                self.con[kj].guest_pop = (self.con[kj].guest_pop - pop).max(0.0);
                self.refresh_team(j.ix(), l);
            }
            Arrangement::External(_) => {}
        }
        let returning = self.con[k].ever_insourced && matches!(old, Arrangement::InHouse | Arrangement::Shared(_)) && matches!(pd.to, Arrangement::External(_));
        let kind = match (old, pd.to) {
            (_, Arrangement::InHouse) => EventKind::Insource,
            (_, Arrangement::Shared(_)) => EventKind::Share,
            (Arrangement::External(_), Arrangement::External(_)) => EventKind::Switch,
            _ if returning => EventKind::Return,
            _ => EventKind::Outsource,
        };
        match pd.to {
            Arrangement::Shared(j) => {
                let kj = self.ci(j.ix(), l);
                self.con[kj].guest_pop += pop;
                self.refresh_team(j.ix(), l);
            }
            Arrangement::InHouse => {
                self.con[k].ever_insourced = true;
                self.refresh_team(i, l);
            }
            Arrangement::External(_) => {}
        }
        let c = &self.cfg.contracts;
        let mut money = c.switching_cost_money * pop * if returning { c.return_multiplier } else { 1.0 };
        if pd.to == Arrangement::InHouse && self.centre.guidance {
            money += self.cfg.policy.insourcing_guidance.cost_per_head * pop;
        }
        let term = self.step + self.cfg.months_to_steps(c.renewal_term_months).max(1);
        let notice = self.cfg.months_to_steps(c.notice_months);
        let gain = self.cfg.ccgs.switching_competence_gain;
        let outcome = self.ccgs[i].outcome_payment;
        {
            let ct = &mut self.con[k];
            ct.arr = pd.to;
            ct.price = pd.price;
            ct.term_end = term;
            ct.notice = notice;
            ct.outcome = outcome && matches!(pd.to, Arrangement::External(_));
            ct.relationship = 0.0;
            ct.forced = false;
            ct.fee = 1.0;
        }
        let cg = &mut self.ccgs[i];
        cg.transition += money;
        cg.competence += gain * (1.0 - cg.competence);
        if matches!(kind, EventKind::Insource | EventKind::Share) {
            self.flows.insources += 1;
            self.flows.line_insources[l] += 1;
        } else {
            self.flows.switches += 1;
            self.flows.line_switches[l] += 1;
        }
        let from = match old {
            Arrangement::InHouse => Party::InHouse,
            Arrangement::Shared(j) => Party::Ccg(j),
            Arrangement::External(p) => Party::Supplier(p),
        };
        let (sup, value) = match pd.to {
            Arrangement::External(p) => (Some(p), pd.price),
            Arrangement::Shared(j) => (None, j.0 as f64),
            Arrangement::InHouse => (None, pd.price),
        };
        self.emit(kind, Some(CcgId(i as u32)), sup, Some(l), from, value);
    }

    /// CCG `j` closes its team on line `l`: its guests fall back to their home CSU.
    pub fn close_team(&mut self, j: usize, l: usize) {
        let jid = CcgId(j as u32);
        for g in 0..self.ccgs.len() {
            if !self.ccgs[g].active || g == j {
                continue;
            }
            let k = self.ci(g, l);
            if self.con[k].pending.map(|pd| pd.to) == Some(Arrangement::Shared(jid)) {
                self.con[k].pending = None;
                self.con[k].forced = true;
            }
            if self.con[k].arr == Arrangement::Shared(jid) {
                self.fallback(g, l);
            }
        }
        let kj = self.ci(j, l);
        self.con[kj].guests = 0;
        self.con[kj].guest_pop = 0.0;
        self.refresh_team(j, l);
    }

    /// The yearly round: prices, information, aspirations, decisions.
    pub fn contracting_round(&mut self) {
        self.tally_volumes();
        // practice sharing drifts between rounds: refresh the learning scale
        for p in 0..self.sup.len() {
            if self.sup[p].active() {
                self.refresh_learn_scale(p);
            }
        }
        self.refresh_eligibility();
        self.refresh_hosts();
        self.set_prices();
        self.assess_information();
        self.update_aspirations();
        self.refresh_quote_terms();
        self.decide();
    }

    /// Rank each region's in-house teams per line, best first (candidate hosts).
    fn refresh_hosts(&mut self) {
        let nl = self.n_lines();
        let regions = self.region_members.len();
        let mut hosts = std::mem::take(&mut self.hosts);
        hosts.resize(regions * nl, Vec::new());
        for (r, members) in self.region_members.iter().enumerate() {
            for l in 0..nl {
                let list = &mut hosts[r * nl + l];
                list.clear();
                list.extend(members.iter().copied().filter(|&j| self.ccgs[j.ix()].active && self.con[j.ix() * nl + l].arr == Arrangement::InHouse));
                list.sort_by(|a, b| self.con[b.ix() * nl + l].h.total_cmp(&self.con[a.ix() * nl + l].h).then(a.cmp(b)));
            }
        }
        self.hosts = hosts;
    }

    /// Providers set list prices and reprice their existing contracts (ODD 6.5, prices).
    fn set_prices(&mut self) {
        let nl = self.n_lines();
        let n_ccg = self.ccgs.len();
        for p in 0..self.sup.len() {
            if !self.sup[p].active() {
                continue;
            }
            for l in 0..nl {
                if self.sup[p].offers(l) {
                    let s = &self.sup[p];
                    let mu = (s.markup0 + self.cfg.csus.markup_power_weight * s.gap_mean).clamp(self.cfg.csus.markup_min, self.cfg.csus.markup_max);
                    let list = self.quote_cost(p, l) * (1.0 + mu);
                    self.sup[p].list[l] = list;
                }
            }
        }
        let eff = if self.centre.efficiency { Some(self.cfg.policy.efficiency_requirement.rate) } else { None };
        for i in 0..n_ccg {
            if !self.ccgs[i].active {
                continue;
            }
            for l in 0..nl {
                let k = i * nl + l;
                if let Arrangement::External(p) = self.con[k].arr {
                    let p = p.ix();
                    let gap = self.con[k].sp - self.con[k].bp;
                    let mut price = self.unit_cost(p, l) * (1.0 + self.markup(p, i, gap)) * self.outcome_premium(p, self.con[k].outcome);
                    if let (Some(rate), true) = (eff, self.sup[p].is_csu()) {
                        price = price.min(self.con[k].price * (1.0 - rate));
                    }
                    self.con[k].price = price;
                }
            }
        }
        if let Some(rate) = eff {
            let full = self.cfg.policy.efficiency_requirement.leadership_for_full;
            for s in self.sup[..self.n_csu].iter_mut() {
                if s.active() {
                    s.efficiency *= 1.0 - rate * (s.leadership / full).min(1.0);
                }
            }
        }
    }

    /// Aspirations move toward own and peers' satisfaction.
    fn update_aspirations(&mut self) {
        let nl = self.n_lines();
        let s = &self.cfg.satisfaction;
        let (alpha, w) = (s.aspiration_adaptation, s.social_weight);
        // CCGs compare themselves with the best-served CCG they know
        let mut best = [f64::NEG_INFINITY; 32];
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active {
                continue;
            }
            best[..nl].fill(f64::NEG_INFINITY);
            for nb in &self.ccgs[i].neighbours {
                if self.ccgs[nb.ix()].active {
                    let theirs = &self.con[nb.ix() * nl..(nb.ix() + 1) * nl];
                    for (b, ct) in best[..nl].iter_mut().zip(theirs) {
                        *b = b.max(ct.satisfaction);
                    }
                }
            }
            for (ct, &peers) in self.con[i * nl..(i + 1) * nl].iter_mut().zip(&best[..nl]) {
                let own = ct.satisfaction;
                let peers = if peers == f64::NEG_INFINITY { own } else { peers };
                ct.aspiration += alpha * ((1.0 - w) * own + w * peers - ct.aspiration);
            }
        }
    }

    /// Every CCG decides which lines to search and, for those, what to choose.
    fn decide(&mut self) {
        let nl = self.n_lines();
        let free = self.centre.free_to_leave;
        let review = self.cfg.choice.review_probability;
        let max_changes = self.cfg.choice.changes_per_round as usize;
        let mut u = std::mem::take(&mut self.scratch_u);
        let mut cand = std::mem::take(&mut self.scratch_lines);
        for i in 0..self.ccgs.len() {
            // two draws per slot and line, used or not (common random numbers)
            for x in u.iter_mut() {
                *x = uniform(&mut self.rng.choice);
            }
            if !self.ccgs[i].active {
                continue;
            }
            cand.clear();
            for l in 0..nl {
                let ct = &self.con[i * nl + l];
                if ct.pending.is_some() {
                    continue;
                }
                let relet = matches!(ct.arr, Arrangement::External(p) if !self.may_contract(p.ix(), l));
                if ct.forced || relet {
                    cand.push((l, f64::NEG_INFINITY, true));
                } else if free && (ct.satisfaction < ct.aspiration || u[2 * l] < review) {
                    cand.push((l, ct.satisfaction - ct.aspiration, false));
                }
            }
            let mut exclude_line: Option<(usize, SupplierId)> = None;
            if free {
                // budget pressure: the line dearest relative to its base cost
                if self.ccgs[i].spend > self.budget(i) {
                    let worst = (0..nl)
                        .filter(|&l| self.con[i * nl + l].pending.is_none())
                        .max_by(|&a, &b| {
                            let ra = self.con[i * nl + a].price / self.lines[a].cost;
                            let rb = self.con[i * nl + b].price / self.lines[b].cost;
                            ra.total_cmp(&rb)
                        });
                    if let Some(l) = worst {
                        if !cand.iter().any(|c| c.0 == l) {
                            cand.push((l, -1.0, false));
                        }
                    }
                }
                if self.ccgs[i].multisource {
                    exclude_line = self.multisource_target(i);
                    if let Some((l, _)) = exclude_line {
                        if !cand.iter().any(|c| c.0 == l) {
                            cand.push((l, -1.0, false));
                        }
                    }
                }
            }
            cand.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.total_cmp(&b.1)).then(a.0.cmp(&b.0)));
            let mut voluntary = 0;
            for c in 0..cand.len() {
                let (l, _, forced) = cand[c];
                if !forced {
                    if voluntary >= max_changes {
                        continue;
                    }
                    voluntary += 1;
                }
                let exclude = exclude_line.filter(|(el, _)| *el == l).map(|(_, p)| p);
                let opt = self.choose(i, l, exclude, u[2 * l + 1]);
                self.schedule_change(i, l, opt, forced);
            }
        }
        self.scratch_u = u;
        self.scratch_lines = cand;
    }

    /// A multi-sourcing CCG with all its external lines at one provider picks the worst
    /// such line to move elsewhere.
    fn multisource_target(&self, i: usize) -> Option<(usize, SupplierId)> {
        let nl = self.n_lines();
        let mut main: Option<SupplierId> = None;
        let mut n_ext = 0;
        for l in 0..nl {
            if let Arrangement::External(p) = self.con[i * nl + l].arr {
                n_ext += 1;
                match main {
                    None => main = Some(p),
                    Some(m) if m != p => return None,
                    _ => {}
                }
            }
        }
        let main = main?;
        if n_ext < 2 {
            return None;
        }
        (0..nl)
            .filter(|&l| self.con[i * nl + l].arr == Arrangement::External(main) && self.con[i * nl + l].pending.is_none())
            .min_by(|&a, &b| {
                let ga = self.con[i * nl + a].satisfaction - self.con[i * nl + a].aspiration;
                let gb = self.con[i * nl + b].satisfaction - self.con[i * nl + b].aspiration;
                ga.total_cmp(&gb)
            })
            .map(|l| (l, main))
    }

    /// Logit choice among credible options for CCG `i`, line `l` (ODD 6.5).
    fn choose(&mut self, i: usize, l: usize, exclude: Option<SupplierId>, u: f64) -> Opt {
        let k = self.ci(i, l);
        let cfg = &self.cfg;
        let ch = &cfg.choice;
        let lambda = self.price_sensitivity(i);
        let risk = ch.risk_weight * self.ccgs[i].risk_aversion;
        let cost_l = self.lines[l].cost;
        let cur = self.con[k].arr;
        let stay_ok = self.may_stay(i, l) && exclude.is_none_or(|p| cur != Arrangement::External(p));
        let stay_bonus = ch.stay_bias + ch.partnership_weight * self.ccgs[i].orientation * self.con[k].relationship;
        let sc = self.switching_cost(i);
        let sc_ext = sc * if self.con[k].ever_insourced && !matches!(cur, Arrangement::External(_)) { cfg.contracts.return_multiplier } else { 1.0 };
        let dpen = cfg.delivery.distance_penalty * self.lines[l].local;
        let mut opts = std::mem::take(&mut self.opts);
        opts.clear();
        // external providers: the current one, the region's eligible list, the home CSU
        let r = self.ccgs[i].region as usize;
        let list = &self.elig[r * self.n_lines() + l];
        let cur_p = cur.supplier().map(|p| p.ix());
        let extra = self.home_extra(i, l);
        let n_list = list.len();
        // per-CCG terms of `belief_for_choice`, `distance` and `quote` (from the per-round terms)
        let nl = self.n_lines();
        let np = self.sup.len();
        let bpc = self.beliefs_per_ccg;
        let own = &self.beliefs[i * bpc..(i + 1) * bpc];
        let disp_row = &self.price_disp[i * np..(i + 1) * np];
        let on_platform = self.centre.platform && self.ccgs[i].on_platform;
        let drift = cfg.beliefs.drift_sd * cfg.beliefs.drift_sd;
        let step = self.step;
        let (home, region) = (self.ccgs[i].home_csu.ix(), self.ccgs[i].region);
        let tau = self.centre.transparency;
        let (mmin, mmax) = (cfg.csus.markup_min, cfg.csus.markup_max);
        let outcome_pay = self.ccgs[i].outcome_payment;
        for idx in 0..n_list + 2 {
            let p = if idx < n_list {
                list[idx] as usize
            } else if idx == n_list {
                match extra {
                    Some(h) => h,
                    None => continue,
                }
            } else {
                match cur_p {
                    Some(c) => c,
                    None => continue,
                }
            };
            let is_cur = cur_p == Some(p);
            // the current provider is considered once, last
            if is_cur && idx != n_list + 1 {
                continue;
            }
            if exclude == Some(SupplierId(p as u16)) || (is_cur && !stay_ok) {
                continue;
            }
            let pl = p * nl + l;
            let b = &own[self.belief_pos[pl] as usize];
            let v = b.var_at(step, drift);
            let (mean, var) = if on_platform { self.with_platform(b.mean as f64, v, pl) } else { (b.mean as f64, v) };
            let s = &self.sup[p];
            let dist = distance_class(home, region, p, s.region);
            let bhat = mean - dpen * dist;
            let price = if is_cur {
                self.con[k].price
            } else {
                let (qc, base) = self.scratch_quote[pl];
                qc * (1.0 + (base + (1.0 - tau) * disp_row[p]).clamp(mmin, mmax)) * self.outcome_premium(p, outcome_pay)
            };
            let mut util = bhat - lambda * (price / cost_l - 1.0) - risk * var.sqrt();
            util += if is_cur { stay_bonus } else { -sc_ext };
            opts.push(Opt { arr: Arrangement::External(SupplierId(p as u16)), utility: util, price });
        }
        // make
        let ct = &self.con[k];
        if cur == Arrangement::InHouse {
            if stay_ok {
                opts.push(Opt { arr: cur, utility: ct.h - lambda * (ct.team_cost / cost_l - 1.0) - risk * TEAM_SD + stay_bonus, price: ct.team_cost });
            }
        } else {
            let own_cost = ct.solo_cost;
            let expect = ct.h + cfg.inhouse.optimism * (ct.cap - ct.h).max(0.0);
            let hurdle = if self.centre.guidance { cfg.policy.insourcing_guidance.hurdle } else { 0.0 };
            let util = expect - lambda * (own_cost / cost_l - 1.0) - risk * TEAM_SD - sc - cfg.inhouse.setup_cost - hurdle;
            opts.push(Opt { arr: Arrangement::InHouse, utility: util, price: own_cost });
        }
        // share: the current host, or the best larger team in the region with room
        let small = if self.ccgs[i].population < cfg.sharing.small_ccg_population { cfg.sharing.small_ccg_bonus } else { 0.0 };
        let fee_markup = cfg.sharing.fee_markup;
        if let Arrangement::Shared(j) = cur {
            if stay_ok {
                let kj = self.ci(j.ix(), l);
                let fee = self.con[kj].team_cost * (1.0 + fee_markup);
                let util = self.con[kj].h - cfg.sharing.coordination_penalty + small - lambda * (fee / cost_l - 1.0) - risk * TEAM_SD + stay_bonus;
                opts.push(Opt { arr: cur, utility: util, price: fee });
            }
        } else if cfg.sharing.max_guests > 0 {
            let region = self.ccgs[i].region as usize;
            let pop_i = self.ccgs[i].population;
            let mut best: Option<(usize, f64)> = None;
            // best team first; teams may have closed since the list was made
            for &j in &self.hosts[region * self.n_lines() + l] {
                let j = j.ix();
                if j == i || !self.ccgs[j].active || self.ccgs[j].population < pop_i {
                    continue;
                }
                let cj = &self.con[self.ci(j, l)];
                if cj.arr == Arrangement::InHouse && cj.guests < cfg.sharing.max_guests {
                    best = Some((j, cj.h));
                    break;
                }
            }
            if let Some((j, h)) = best {
                let kj = self.ci(j, l);
                // the host's unit cost once this CCG joins
                let team = self.ccgs[j].population + self.con[kj].guest_pop + pop_i;
                let fee = self.lines[l].cost * cfg.inhouse.cost_factor * self.scale_cost(l, team) * (1.0 + fee_markup);
                let util = h - cfg.sharing.coordination_penalty + small - lambda * (fee / cost_l - 1.0) - risk * TEAM_SD - sc;
                opts.push(Opt { arr: Arrangement::Shared(CcgId(j as u32)), utility: util, price: fee });
            }
        }
        // logit
        let t = ch.temperature;
        let top = opts.iter().map(|o| o.utility).fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for o in opts.iter_mut() {
            o.utility = libm::exp((o.utility - top) / t);
            total += o.utility;
        }
        let target = u * total;
        let mut acc = 0.0;
        let mut pick = opts[opts.len() - 1];
        for o in opts.iter() {
            acc += o.utility;
            if target < acc {
                pick = *o;
                break;
            }
        }
        self.opts = opts;
        pick
    }

    /// Schedule the chosen arrangement (if it is a change) with the notice period.
    fn schedule_change(&mut self, i: usize, l: usize, opt: Opt, forced: bool) {
        let k = self.ci(i, l);
        self.con[k].forced = false;
        if opt.arr == self.con[k].arr {
            return;
        }
        let now = self.step;
        let at = match self.con[k].arr {
            // a provider that can no longer contract serves out the current term
            Arrangement::External(p) if forced && self.sup[p.ix()].active() => self.term_end_now(k).max(now + 1),
            _ if forced => now + 1,
            Arrangement::External(_) => (now + self.con[k].notice).max(self.term_end_now(k)).max(now + 1),
            _ => now + 1,
        };
        if let Arrangement::Shared(j) = opt.arr {
            let kj = self.ci(j.ix(), l);
            self.con[kj].guests += 1;
        }
        self.con[k].pending = Some(Pending { to: opt.arr, at, price: opt.price, forced });
        self.next_due = self.next_due.min(at);
    }
}
