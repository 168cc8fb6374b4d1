//! The centre (ODD 6.7): the policy schedule. Each event fires in the first step whose
//! end reaches its year (at initialisation when it is the start year).

use super::agents::*;
use super::events::{EventKind, Party, PolicyKind};
use super::rng::{normal, uniform, Purpose};
use super::{Market, Scheduled};
use crate::config::{MergerWaveCfg, OffFramework};

impl Market {
    /// Fire due policy events, admit due entrants, update demand.
    pub fn run_centre(&mut self) {
        let now = self.year() + 1e-9;
        for idx in 0..self.centre.schedule.len() {
            let (year, what, fired) = self.centre.schedule[idx];
            if !fired && year <= now {
                self.centre.schedule[idx].2 = true;
                match what {
                    Scheduled::Policy(k) => self.fire(k, year),
                    Scheduled::MergerWave(w) => {
                        let wave = self.cfg.policy.ccg_mergers[w].clone();
                        self.merger_wave(&wave);
                    }
                }
            }
        }
        for p in 0..self.sup.len() {
            if self.sup[p].status == Status::NotEntered && self.sup[p].entry_step.is_some_and(|e| e <= self.step) {
                self.sup[p].status = Status::Active;
                self.sup[p].idle_steps = 0;
                self.emit(EventKind::Entry, None, Some(SupplierId(p as u16)), None, Party::None, self.sup[p].mean_capability());
            }
        }
        if let Some(y0) = self.centre.acs_from {
            let a = &self.cfg.policy.acs_shift;
            let ramp = if a.ramp_years > 0.0 { ((self.year() - y0) / a.ramp_years).clamp(0.0, 1.0) } else { 1.0 };
            for l in 0..self.lines.len() {
                if self.lines[l].transactional {
                    self.centre.demand[l] = 1.0 - a.demand_reduction * ramp;
                }
            }
        }
    }

    fn policy_event(&mut self, k: PolicyKind, value: f64) {
        self.emit(EventKind::Policy, None, None, None, Party::Policy(k), value);
    }

    fn fire(&mut self, k: PolicyKind, year: f64) {
        let cfg = self.cfg.clone();
        let pol = &cfg.policy;
        match k {
            PolicyKind::Checkpoints => self.checkpoints(),
            PolicyKind::AuthorisationEnd => {
                self.centre.free_to_leave = true;
                self.policy_event(k, 1.0);
            }
            PolicyKind::MarketOpening => {
                let mut r = self.rng.make(Purpose::Entry);
                let spread = pol.market_opening.entry_spread_years * cfg.time.steps_per_year as f64;
                for p in self.n_csu..self.sup.len() {
                    let u = uniform(&mut r);
                    if self.sup[p].status == Status::NotEntered {
                        self.sup[p].entry_step = Some(self.step + (u * spread).round() as u32);
                    }
                }
                self.policy_event(k, (self.sup.len() - self.n_csu) as f64);
            }
            PolicyKind::Framework => self.framework(),
            PolicyKind::Externalisation => self.externalise(),
            PolicyKind::InsourcingGuidance => {
                self.centre.guidance = true;
                self.policy_event(k, pol.insourcing_guidance.hurdle);
            }
            PolicyKind::EfficiencyRequirement => {
                self.centre.efficiency = true;
                self.policy_event(k, pol.efficiency_requirement.rate);
            }
            PolicyKind::Platform => {
                self.centre.platform = true;
                self.centre.transparency = self.centre.transparency.max(pol.platform.transparency);
                let mut r = self.rng.make(Purpose::Platform);
                for c in self.ccgs.iter_mut() {
                    let u = uniform(&mut r);
                    c.on_platform = u < pol.platform.participation;
                    if c.on_platform {
                        c.collaboration = c.collaboration.max(pol.platform.participation);
                    }
                }
                self.policy_event(k, pol.platform.participation);
            }
            PolicyKind::AcsShift => {
                self.centre.acs_from = Some(year);
                self.policy_event(k, pol.acs_shift.demand_reduction);
            }
            PolicyKind::CcgMergers => {}
        }
    }

    /// The 2012 checkpoints: weak business plans fail; their CCGs are reassigned.
    fn checkpoints(&mut self) {
        let cp = self.cfg.policy.checkpoints.clone();
        let mut r = self.rng.make(Purpose::Checkpoints);
        let scores: Vec<f64> = (0..self.n_csu)
            .map(|p| {
                let z = normal(&mut r);
                let s = &self.sup[p];
                0.5 * s.mean_capability() + 0.5 * s.leadership_potential + cp.noise_sd * z
            })
            .collect();
        let best = (0..self.n_csu).filter(|&p| self.sup[p].active()).max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)));
        let mut failed = Vec::new();
        for p in 0..self.n_csu {
            if self.sup[p].active() && Some(p) != best && scores[p] < cp.threshold {
                self.sup[p].status = Status::FailedCheckpoint;
                failed.push(p);
                self.emit(EventKind::CheckpointFail, None, Some(SupplierId(p as u16)), None, Party::Policy(PolicyKind::Checkpoints), scores[p]);
            }
        }
        self.policy_event(PolicyKind::Checkpoints, failed.len() as f64);
        let nl = self.n_lines();
        for &p in &failed {
            let Some(a) = self.strongest_csu(p, true) else { continue };
            let (pid, aid) = (SupplierId(p as u16), SupplierId(a as u16));
            for i in 0..self.ccgs.len() {
                let mut moved = 0;
                if self.ccgs[i].home_csu == pid {
                    self.ccgs[i].home_csu = aid;
                }
                for l in 0..nl {
                    let k = i * nl + l;
                    if self.con[k].arr == Arrangement::External(pid) {
                        self.con[k].arr = Arrangement::External(aid);
                        moved += 1;
                        // the new CSU knows as little of the CCG as the CCG of it
                        let b = self.bi(i, l, a);
                        self.beliefs[b].var = self.beliefs[b].var.max((self.cfg.beliefs.initial_own_sd * self.cfg.beliefs.initial_own_sd) as f32);
                    }
                }
                if moved > 0 {
                    self.emit(EventKind::Reassign, Some(CcgId(i as u32)), Some(aid), None, Party::Supplier(pid), moved as f64);
                }
            }
        }
        self.tally_volumes();
    }

    /// The procurement framework: slots per line to the best providers; CSUs left off
    /// merge, exit or wind down.
    fn framework(&mut self) {
        let fw = self.cfg.policy.framework.clone();
        let nl = self.n_lines();
        let mut r = self.rng.make(Purpose::Framework);
        self.centre.framework = true;
        let np = self.sup.len();
        for s in self.sup.iter_mut() {
            s.slots = 0;
        }
        let mut ranked: Vec<(f64, usize)> = Vec::with_capacity(np);
        for l in 0..nl {
            ranked.clear();
            for p in 0..np {
                let z = normal(&mut r);
                let s = &self.sup[p];
                if matches!(s.status, Status::Active | Status::NotEntered) && s.offers(l) {
                    ranked.push((s.cap[l] + fw.score_noise_sd * z, p));
                }
            }
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, p) in ranked.iter().take(fw.slots_per_line as usize) {
                self.sup[p].slots |= 1 << l;
            }
        }
        for p in 0..self.n_csu {
            if self.sup[p].active() {
                self.sup[p].distraction = (self.sup[p].distraction + fw.distraction).min(1.0);
            }
        }
        self.policy_event(PolicyKind::Framework, fw.slots_per_line as f64);
        for p in 0..np {
            let s = &self.sup[p];
            if s.slots != 0 || !matches!(s.status, Status::Active | Status::NotEntered) {
                continue;
            }
            self.emit(EventKind::FrameworkExcluded, None, Some(SupplierId(p as u16)), None, Party::Policy(PolicyKind::Framework), s.mean_capability());
            if !self.sup[p].is_csu() {
                if self.sup[p].status == Status::NotEntered {
                    self.sup[p].status = Status::Exited;
                    self.sup[p].entry_step = None;
                } else {
                    self.sup[p].wind_down = true;
                }
                continue;
            }
            let target = self.framework_csu(p);
            match (fw.off_framework, target) {
                (OffFramework::Merge, Some(a)) => self.absorb(p, a),
                (OffFramework::Exit, Some(a)) => {
                    // the patch goes to a framework CSU before contracts fall back to it
                    let (pid, aid) = (SupplierId(p as u16), SupplierId(a as u16));
                    for c in self.ccgs.iter_mut() {
                        if c.home_csu == pid {
                            c.home_csu = aid;
                        }
                    }
                    self.exit_supplier(p);
                }
                _ => self.sup[p].wind_down = true,
            }
        }
        self.tally_volumes();
    }

    /// The best active CSU holding framework slots, preferring `p`'s region.
    fn framework_csu(&self, p: usize) -> Option<usize> {
        let region = self.sup[p].region;
        (0..self.n_csu)
            .filter(|&a| a != p && self.sup[a].active() && self.sup[a].slots != 0 && !self.sup[a].wind_down)
            .max_by(|&a, &b| {
                let ka = (self.sup[a].region == region, self.sup[a].mean_capability());
                let kb = (self.sup[b].region == region, self.sup[b].mean_capability());
                ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1)).then(b.cmp(&a))
            })
    }

    /// Externalisation: staff loss, new leadership, private partnerships, national reach.
    fn externalise(&mut self) {
        let ex = self.cfg.policy.externalisation.clone();
        let effect = self.cfg.learning.staff_loss_effect;
        let mut r = self.rng.make(Purpose::Externalisation);
        for p in 0..self.n_csu {
            let u = uniform(&mut r);
            let s = &mut self.sup[p];
            if !s.active() {
                continue;
            }
            s.externalised = true;
            s.capacity *= 1.0 - ex.staff_loss;
            for c in s.cap.iter_mut() {
                *c *= 1.0 - ex.staff_loss * effect;
            }
            s.morale *= 1.0 - ex.staff_loss;
            s.distraction = (s.distraction + ex.staff_loss).min(1.0);
            s.leadership_potential = s.leadership_potential.max(ex.new_leadership);
            s.private_partner = u < ex.private_partnership_share;
        }
        let nl = self.n_lines();
        for k in 0..self.con.len() {
            if let Arrangement::External(p) = self.con[k].arr {
                if p.ix() < self.n_csu && self.ccgs[k / nl].active {
                    self.con[k].relationship *= 1.0 - ex.staff_loss;
                }
            }
        }
        self.centre.csu_info_sharing = ex.info_sharing_after;
        self.centre.csu_reach = ex.reach;
        self.policy_event(PolicyKind::Externalisation, ex.staff_loss);
        self.tally_volumes();
    }

    /// A CCG merger wave: within each region the smallest CCGs merge in groups.
    fn merger_wave(&mut self, w: &MergerWaveCfg) {
        let g = w.group_size.max(2) as usize;
        let mut merged = 0usize;
        for r in 0..self.region_members.len() {
            let mut members: Vec<CcgId> = self.region_members[r].iter().copied().filter(|c| self.ccgs[c.ix()].active).collect();
            members.sort_by(|a, b| self.ccgs[a.ix()].population.total_cmp(&self.ccgs[b.ix()].population).then(a.cmp(b)));
            let m = ((w.share * members.len() as f64).round() as usize / g) * g;
            if m == 0 {
                continue;
            }
            for chunk in members[..m].chunks(g) {
                self.merge_ccgs(chunk);
                merged += chunk.len();
            }
            for &c in &self.region_members[r].clone() {
                let cg = &mut self.ccgs[c.ix()];
                if cg.active {
                    cg.collaboration = cg.collaboration.max(w.collaboration);
                }
            }
        }
        self.emit(EventKind::Policy, None, None, None, Party::Policy(PolicyKind::CcgMergers), merged as f64);
        self.tally_volumes();
    }

    /// Merge a group of CCGs into its largest member.
    fn merge_ccgs(&mut self, group: &[CcgId]) {
        let nl = self.n_lines();
        let s = *group
            .iter()
            .max_by(|a, b| self.ccgs[a.ix()].population.total_cmp(&self.ccgs[b.ix()].population).then(b.cmp(a)))
            .expect("non-empty group");
        let others: Vec<CcgId> = group.iter().copied().filter(|&c| c != s).collect();
        let in_group = |c: CcgId| group.contains(&c);
        let total: f64 = group.iter().map(|c| self.ccgs[c.ix()].population).sum();
        let max_guests = self.cfg.sharing.max_guests;
        for l in 0..nl {
            let ks = self.ci(s.ix(), l);
            let h_best = group.iter().map(|c| self.con[self.ci(c.ix(), l)].h).fold(0.0, f64::max);
            // members release places they hold or reserved with hosts
            for &o in group {
                let ko = self.ci(o.ix(), l);
                let release = |m: &mut Market, j: CcgId, pop: f64, joined: bool| {
                    let kj = m.ci(j.ix(), l);
                    m.con[kj].guests = m.con[kj].guests.saturating_sub(1);
                    if joined {
                        m.con[kj].guest_pop = (m.con[kj].guest_pop - pop).max(0.0);
                    }
                };
                let pop_o = self.ccgs[o.ix()].population;
                if let Arrangement::Shared(j) = self.con[ko].arr {
                    if o != s || in_group(j) {
                        release(self, j, pop_o, true);
                        if o == s {
                            self.con[ks].arr = Arrangement::InHouse;
                        }
                    }
                }
                if let Some(pd) = self.con[ko].pending {
                    if let Arrangement::Shared(j) = pd.to {
                        if o != s || in_group(j) {
                            release(self, j, pop_o, false);
                            self.con[ko].pending = None;
                        }
                    } else if o != s {
                        self.con[ko].pending = None;
                    }
                }
            }
            let survivor_makes = self.con[ks].arr == Arrangement::InHouse;
            self.con[ks].h = h_best;
            // guests of members from outside the group move to the survivor's team or fall back
            for &o in &others {
                let ko = self.ci(o.ix(), l);
                if self.con[ko].arr != Arrangement::InHouse || self.con[ko].guests == 0 {
                    continue;
                }
                for gst in 0..self.ccgs.len() {
                    let gid = CcgId(gst as u32);
                    if !self.ccgs[gst].active || in_group(gid) {
                        continue;
                    }
                    let kg = self.ci(gst, l);
                    let joined = self.con[kg].arr == Arrangement::Shared(o);
                    let reserved = self.con[kg].pending.map(|pd| pd.to) == Some(Arrangement::Shared(o));
                    if !joined && !reserved {
                        continue;
                    }
                    if survivor_makes && self.con[ks].guests < max_guests {
                        self.con[ks].guests += 1;
                        if joined {
                            self.con[kg].arr = Arrangement::Shared(s);
                            self.con[ks].guest_pop += self.ccgs[gst].population;
                        } else if let Some(pd) = self.con[kg].pending.as_mut() {
                            pd.to = Arrangement::Shared(s);
                        }
                    } else if joined {
                        self.fallback(gst, l);
                    } else {
                        self.con[kg].pending = None;
                        self.con[kg].forced = true;
                    }
                }
                self.con[ko].guests = 0;
                self.con[ko].guest_pop = 0.0;
            }
        }
        // the survivor takes the group's population, ties and traits
        let deg_cap = 2 * self.cfg.ccgs.network_degree as usize;
        let mut ties: Vec<CcgId> = Vec::new();
        for &c in group {
            for &nb in &self.ccgs[c.ix()].neighbours {
                if !in_group(nb) && !ties.contains(&nb) {
                    ties.push(nb);
                }
            }
        }
        ties.truncate(deg_cap.max(1));
        let wsum = |f: &dyn Fn(&Ccg) -> f64| group.iter().map(|c| f(&self.ccgs[c.ix()]) * self.ccgs[c.ix()].population).sum::<f64>() / total;
        let orientation = wsum(&|c| c.orientation);
        let competence = group.iter().map(|c| self.ccgs[c.ix()].competence).fold(0.0, f64::max);
        let sessions = group.iter().map(|c| self.ccgs[c.ix()].sessions).fold(0.0, f64::max);
        let on_platform = group.iter().any(|c| self.ccgs[c.ix()].on_platform);
        // a survivor that is a guest elsewhere brings its new population to its host
        let added = total - self.ccgs[s.ix()].population;
        for l in 0..nl {
            if let Arrangement::Shared(j) = self.con[self.ci(s.ix(), l)].arr {
                let kj = self.ci(j.ix(), l);
                self.con[kj].guest_pop += added;
                self.refresh_team(j.ix(), l);
            }
        }
        {
            let sc = &mut self.ccgs[s.ix()];
            sc.population = total;
            sc.neighbours = ties;
            sc.orientation = orientation;
            sc.competence = competence;
            sc.sessions = sessions;
            sc.on_platform = on_platform;
        }
        for &o in &others {
            let oc = &mut self.ccgs[o.ix()];
            oc.active = false;
            oc.merged_into = Some(s);
            oc.neighbours.clear();
            let r = oc.region as usize;
            self.region_members[r].retain(|&c| c != o);
        }
        // redirect everyone's ties to merged members onto the survivor
        for i in 0..self.ccgs.len() {
            if !self.ccgs[i].active || i == s.ix() {
                continue;
            }
            let nbs = &mut self.ccgs[i].neighbours;
            let mut changed = false;
            for nb in nbs.iter_mut() {
                if others.contains(nb) {
                    *nb = s;
                    changed = true;
                }
            }
            if changed {
                let mut seen: Vec<CcgId> = Vec::with_capacity(nbs.len());
                nbs.retain(|c| {
                    if seen.contains(c) {
                        false
                    } else {
                        seen.push(*c);
                        true
                    }
                });
            }
        }
        for l in 0..nl {
            let lf = (1.0 - self.lines[l].difficulty) * super::pow_exp_ln(sessions / 3.0, self.lines[l].local);
            let ks = self.ci(s.ix(), l);
            self.con[ks].learn_factor = lf;
            self.refresh_team(s.ix(), l);
        }
        for &o in &others {
            self.emit(EventKind::CcgMerger, Some(o), None, None, Party::Ccg(s), total);
        }
    }
}
