//! The market model: state and rules, no I/O. `Market::new` builds the initial state
//! (section 5 of docs/ODD.md) and `Market::step` runs one step's processes in the
//! documented order (section 3). Each process lives in its own file, named after what
//! happens in the market.

// Agents, contracts and beliefs live in parallel arrays indexed by CCG, line and
// provider; index loops over them read more plainly than zipped iterators.
#![allow(clippy::needless_range_loop)]

pub mod agents;
pub mod beliefs;
pub mod centre;
pub mod contracting;
pub mod delivery;
pub mod events;
pub mod finance;
pub mod init;
pub mod learning;
pub mod metrics;
pub mod power;
pub mod rng;

pub use agents::*;
pub use events::{Event, EventKind, Party, PolicyKind};
pub use metrics::{LineMetric, Metric};

use crate::config::{Config, Reach};
use std::sync::Arc;

/// Commissioning support budget (GBP/year) of CCG `c` at running-cost allowance
/// `allowance` per head.
#[inline]
pub fn budget_of(cfg: &crate::config::CcgCfg, allowance: f64, c: &Ccg) -> f64 {
    allowance * cfg.support_budget_share * c.population
}

/// Price sensitivity `lambda_i` of CCG `c` from its spend and budget (ODD 6.3).
#[inline]
pub fn lambda_of(cfg: &crate::config::CcgCfg, allowance: f64, c: &Ccg) -> f64 {
    let budget = budget_of(cfg, allowance, c);
    let over = if budget > 0.0 { (c.spend / budget - 1.0).max(0.0) } else { 0.0 };
    cfg.price_sensitivity * (1.0 + cfg.budget_pressure * over)
}

/// `x^e` for `x >= 0`, computed as `exp(e ln x)` with the `libm` crate: about half the
/// cost of `libm::pow`, which dominated the scale-economy refreshes (ODD 6.9). At
/// `x = 0` it is `libm::pow`'s value (0 for `e > 0`, 1 for `e = 0`).
#[inline]
pub fn pow_exp_ln(x: f64, e: f64) -> f64 {
    if x > 0.0 {
        libm::exp(e * libm::log(x))
    } else {
        libm::pow(x, e)
    }
}

/// The centre's policy state.
#[derive(Debug, Clone)]
pub struct Centre {
    /// Authorisation has ended: CCGs may leave CSUs.
    pub free_to_leave: bool,
    pub framework: bool,
    pub guidance: bool,
    pub efficiency: bool,
    pub platform: bool,
    /// Price transparency `tau` (0 opaque).
    pub transparency: f64,
    pub csu_reach: Reach,
    pub csu_info_sharing: f64,
    /// Year the ACS shift starts, if it has.
    pub acs_from: Option<f64>,
    /// Demand factor per line.
    pub demand: Vec<f64>,
    /// Scheduled events: (year, what, fired).
    pub schedule: Vec<(f64, Scheduled, bool)>,
}

/// A scheduled policy event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scheduled {
    Policy(PolicyKind),
    /// Merger wave by index in `policy.ccg_mergers`.
    MergerWave(usize),
}

/// Counts of flow events per step, kept for a trailing year.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    pub switches: u32,
    pub insources: u32,
    pub exits: u32,
    pub mergers: u32,
    pub line_switches: Vec<u32>,
    pub line_insources: Vec<u32>,
}

impl Flows {
    fn new(n_lines: usize) -> Self {
        Flows { line_switches: vec![0; n_lines], line_insources: vec![0; n_lines], ..Default::default() }
    }
    fn clear(&mut self) {
        self.switches = 0;
        self.insources = 0;
        self.exits = 0;
        self.mergers = 0;
        self.line_switches.iter_mut().for_each(|x| *x = 0);
        self.line_insources.iter_mut().for_each(|x| *x = 0);
    }
}

/// A credible option considered in a choice (scratch space, reused).
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    pub arr: Arrangement,
    pub utility: f64,
    pub price: PerHead,
}

/// The whole market of one replication.
#[derive(Clone)]
pub struct Market {
    pub cfg: Arc<Config>,
    pub lines: Vec<Line>,
    pub ccgs: Vec<Ccg>,
    /// Contracts, `ccg * n_lines + line`.
    pub con: Vec<Contract>,
    pub sup: Vec<Supplier>,
    pub n_csu: usize,
    /// Beliefs of each CCG about each provider offering each line (offers are fixed for
    /// a run), indexed by `bi`.
    pub beliefs: Vec<Belief>,
    /// Position of the belief about provider `p` on line `l` within a CCG's block
    /// (`p * n_lines + l`): the line's start in the block plus the provider's rank among
    /// those offering the line (`u32::MAX` if it does not offer it).
    pub belief_pos: Vec<u32>,
    /// Length of a CCG's block of beliefs.
    pub beliefs_per_ccg: usize,
    /// Active CCGs by region.
    pub region_members: Vec<Vec<CcgId>>,
    pub centre: Centre,
    /// Providers that may take new contracts for a line and reach every CCG of a
    /// region, `region * n_lines + line` (home CSUs are added per CCG).
    pub elig: Vec<Vec<u16>>,
    /// CCGs running a team on a line, by region, best team first, `region * n_lines +
    /// line` (rebuilt each round: the candidates to host a shared service).
    pub hosts: Vec<Vec<CcgId>>,
    /// Steps completed (0 = initial state).
    pub step: u32,
    pub rng: rng::Streams,
    /// Events of the current step (cleared each step).
    pub events: Vec<Event>,
    pub record_events: bool,
    /// Flow counts of the current step and the trailing window.
    pub flows: Flows,
    pub flow_ring: Vec<Flows>,
    pub cumulative: Flows,
    /// Platform pool per (supplier, line): weighted sum of reports and weight.
    pub plat_sum: Vec<f64>,
    pub plat_n: Vec<f64>,
    /// Metric values of the current step.
    pub metrics: metrics::MetricValues,
    /// Persistent CCG-provider price factors, `ccg * n_suppliers + supplier`.
    pub price_disp: Vec<f64>,
    /// Spend in the initial state (GBP/year), for savings.
    pub spend_start: f64,
    /// Scratch space for choices.
    pub opts: Vec<Opt>,
    pub(crate) scratch_lines: Vec<(usize, f64, bool)>,
    pub(crate) scratch_spend: Vec<f64>,
    pub(crate) scratch_power: Vec<[f64; 5]>,
    pub(crate) scratch_reach: Vec<bool>,
    /// Per (provider, line): volume, customers, partnership sum (tally).
    pub(crate) scratch_tally: Vec<(f64, u32, f64)>,
    pub(crate) scratch_rate: Vec<f64>,
    /// Per provider: is it a CSU (metrics).
    pub(crate) scratch_csu: Vec<bool>,
    pub(crate) scratch_may: Vec<bool>,
    /// Per (provider, line) at a round: quoting unit cost and common mark-up.
    pub(crate) scratch_quote: Vec<(f64, f64)>,
    /// Per (provider, line): capability times capacity factor, customer focus, the
    /// customer-focus term, region (delivery).
    pub(crate) scratch_pf: Vec<(f64, f64, f64, Option<u32>)>,
    /// A step no later than the earliest at which a pending change falls due
    /// (`apply_due_changes` does nothing before it).
    pub(crate) next_due: u32,
    pub(crate) scratch_host: Vec<f64>,
    pub(crate) scratch_u: Vec<f64>,
    /// Per (supplier, line): revenue rate, customers, price sum, price sum of squares.
    pub(crate) scratch_pl: Vec<[f64; 4]>,
    /// What the eligibility lists were last built from (`refresh_eligibility`).
    pub(crate) elig_key: Vec<u64>,
}

impl Market {
    #[inline]
    pub fn n_lines(&self) -> usize {
        self.lines.len()
    }
    #[inline]
    pub fn ci(&self, i: usize, l: usize) -> usize {
        i * self.lines.len() + l
    }
    #[inline]
    pub fn bi(&self, i: usize, l: usize, p: usize) -> usize {
        let r = self.belief_pos[p * self.lines.len() + l];
        debug_assert!(r != u32::MAX, "no belief about a provider that does not offer the line");
        i * self.beliefs_per_ccg + r as usize
    }
    pub fn dt(&self) -> f64 {
        self.cfg.dt()
    }
    /// Calendar year at the end of the current step.
    pub fn year(&self) -> f64 {
        self.cfg.year_at(self.step)
    }
    pub fn is_round(&self) -> bool {
        let every = self.cfg.time.steps_per_year / self.cfg.time.rounds_per_year;
        self.step > 0 && self.step % every == 0
    }

    /// Distance class between CCG `i` and provider `p`: 0 home CSU, 1 same region, 2 otherwise.
    #[inline]
    pub fn distance(&self, i: usize, p: usize) -> f64 {
        let c = &self.ccgs[i];
        distance_class(c.home_csu.ix(), c.region, p, self.sup[p].region)
    }

    /// Rebuild the eligible-provider lists (after any change of status, slots or reach).
    /// The lists depend only on what `elig_key` records, so they are rebuilt only when
    /// that has changed since the last call.
    pub fn refresh_eligibility(&mut self) {
        let nl = self.lines.len();
        let regions = self.cfg.geography.regions as usize;
        // (the first call finds an empty key, so it always builds)
        if !self.refresh_elig_key() {
            return;
        }
        let mut elig = std::mem::take(&mut self.elig);
        elig.resize(regions * nl, Vec::new());
        for v in elig.iter_mut() {
            v.clear();
        }
        for p in 0..self.sup.len() {
            for l in 0..nl {
                if !self.may_contract(p, l) {
                    continue;
                }
                for (r, list) in elig.chunks_mut(nl).enumerate() {
                    let reach = self.reaches_region(p, r as u32);
                    if reach {
                        list[l].push(p as u16);
                    }
                }
            }
        }
        self.elig = elig;
    }

    /// Update `elig_key` to what the eligibility lists depend on now (the centre's
    /// framework and CSU reach; each provider's status, lines, framework slots, wind-down,
    /// kind and region) and say whether it changed.
    fn refresh_elig_key(&mut self) -> bool {
        let reach = match self.centre.csu_reach {
            Reach::Patch => 0,
            Reach::Region => 1,
            Reach::National => 2,
        };
        let mut key = std::mem::take(&mut self.elig_key);
        let old_len = key.len();
        key.push(self.centre.framework as u64 | reach << 1);
        for s in &self.sup {
            let slots = if self.centre.framework { s.slots } else { 0 };
            let flags = s.active() as u64 | (s.wind_down as u64) << 1 | (s.is_csu() as u64) << 2;
            key.push(flags | (s.region.unwrap_or(u32::MAX) as u64) << 32);
            key.push(s.offers as u64 | (slots as u64) << 32);
        }
        let changed = key[..old_len] != key[old_len..];
        key.drain(..old_len);
        self.elig_key = key;
        changed
    }

    /// Does provider `p` reach every CCG of region `r` (reach rules, ignoring framework
    /// and status; a CSU also reaches its own patch, wherever that is)?
    #[inline]
    pub fn reaches_region(&self, p: usize, r: u32) -> bool {
        let s = &self.sup[p];
        if s.is_csu() {
            match self.centre.csu_reach {
                Reach::Patch => false,
                Reach::Region => s.region == Some(r),
                Reach::National => true,
            }
        } else {
            s.region.is_none_or(|h| h == r)
        }
    }

    /// Is CCG `i`'s home CSU an extra candidate for line `l` beyond the region's list?
    #[inline]
    pub fn home_extra(&self, i: usize, l: usize) -> Option<usize> {
        let home = self.ccgs[i].home_csu.ix();
        let listed = self.reaches_region(home, self.ccgs[i].region);
        (!listed && self.may_contract(home, l)).then_some(home)
    }

    /// May provider `p` take a new contract for line `l` (status, offer, framework slot)?
    #[inline]
    pub fn may_contract(&self, p: usize, l: usize) -> bool {
        let s = &self.sup[p];
        s.active() && s.offers(l) && !s.wind_down && (!self.centre.framework || s.slots >> l & 1 == 1)
    }

    /// Unit cost of provider `p` on line `l` at its current volume (cached scale factor).
    #[inline]
    pub fn unit_cost(&self, p: usize, l: usize) -> PerHead {
        let s = &self.sup[p];
        self.lines[l].cost * s.cost_factor * s.efficiency * s.scale_f[l]
    }

    /// Unit cost provider `p` quotes a new customer on line `l`: at its current volume
    /// plus an average CCG's population.
    #[inline]
    pub fn quote_cost(&self, p: usize, l: usize) -> PerHead {
        let s = &self.sup[p];
        self.lines[l].cost * s.cost_factor * s.efficiency * s.quote_f[l]
    }

    /// Refresh the cached scale factors of provider `p` where its volume changed.
    pub fn refresh_scale(&mut self, p: usize) {
        let mean_pop = self.cfg.ccgs.population_total / self.cfg.ccgs.count as f64;
        let mut changed = false;
        for l in 0..self.lines.len() {
            let v = self.sup[p].vol[l];
            if self.sup[p].scale_v[l] != v {
                changed = true;
                let base = self.sup[p].base_volume;
                let f = self.scale_cost(l, v + base);
                let q = self.scale_cost(l, v + base + mean_pop);
                let s = &mut self.sup[p];
                s.scale_f[l] = f;
                s.quote_f[l] = q;
                s.scale_v[l] = v;
            }
        }
        if changed {
            self.refresh_learn_scale(p);
        }
    }

    /// Learning scale factor `z = min(2, (V~/V_ref)^e_l)` with effective volume
    /// `V~ = sigma V + (1 - sigma) V / n` (ODD 6.2).
    pub fn refresh_learn_scale(&mut self, p: usize) {
        let vref = self.cfg.scale.reference_population;
        for l in 0..self.lines.len() {
            let s = &self.sup[p];
            let v = s.vol[l];
            let z = if v > 0.0 {
                let n = s.customers[l].max(1) as f64;
                let veff = s.sharing * v + (1.0 - s.sharing) * v / n;
                pow_exp_ln(veff / vref, self.lines[l].scale).min(2.0)
            } else {
                0.0
            };
            self.sup[p].learn_z[l] = z;
        }
    }

    /// The scale factor on unit cost at volume `v`.
    #[inline]
    pub fn scale_cost(&self, l: usize, v: f64) -> f64 {
        let sc = &self.cfg.scale;
        let x = (v.max(1.0) / sc.reference_population).max(1e-12);
        pow_exp_ln(x, -self.lines[l].scale).clamp(sc.cost_factor_min, sc.cost_factor_max)
    }

    /// In-house cap for a team serving `team_pop` persons on line `l`.
    #[inline]
    pub fn inhouse_cap(&self, l: usize, team_pop: f64) -> f64 {
        let ih = &self.cfg.inhouse;
        let x = (team_pop / ih.cap_reference_population).clamp(1e-12, 1.0);
        ih.cap_max * pow_exp_ln(x, self.lines[l].scale)
    }

    /// Price sensitivity of CCG `i` this step.
    #[inline]
    pub fn price_sensitivity(&self, i: usize) -> f64 {
        self.ccgs[i].lambda
    }

    /// Price sensitivity of CCG `i` from its spend and budget: `lambda_i` (ODD 6.3).
    pub fn compute_lambda(&self, i: usize) -> f64 {
        lambda_of(&self.cfg.ccgs, self.allowance(), &self.ccgs[i])
    }

    /// Running-cost allowance per head in the year containing the end of the current step.
    pub fn allowance(&self) -> f64 {
        let a = &self.cfg.ccgs.allowance_per_head;
        let k = ((self.year() - self.cfg.time.start_year).floor().max(0.0)) as usize;
        a[k.min(a.len() - 1)]
    }

    /// Commissioning support budget of CCG `i` (GBP/year).
    pub fn budget(&self, i: usize) -> f64 {
        budget_of(&self.cfg.ccgs, self.allowance(), &self.ccgs[i])
    }

    /// Switching cost (utility units) for CCG `i`.
    #[inline]
    pub fn switching_cost(&self, i: usize) -> f64 {
        let c = &self.cfg.contracts;
        c.switching_cost * (1.0 - c.competence_effect * self.ccgs[i].competence)
    }

    /// Belief variance now (drift since the last news).
    #[inline]
    pub fn belief_var(&self, b: &Belief) -> f64 {
        let d = self.cfg.beliefs.drift_sd;
        b.var_at(self.step, d * d)
    }

    pub fn active_ccgs(&self) -> usize {
        self.ccgs.iter().filter(|c| c.active).count()
    }

    pub(crate) fn emit(&mut self, kind: EventKind, ccg: Option<CcgId>, supplier: Option<SupplierId>, line: Option<usize>, from: Party, value: f64) {
        if self.record_events {
            self.events.push(Event { step: self.step, kind, ccg, supplier, line: line.map(|l| LineId(l as u8)), from, value });
        }
    }

    /// Start a step: advance the clock and clear the step's events and flow counts.
    /// (`step` calls it; it is public so that a benchmark can run the processes one by
    /// one, see `PROCESSES`.)
    pub fn begin_step(&mut self) {
        self.step += 1;
        self.events.clear();
        self.flows.clear();
    }

    /// Run one step: the processes of section 3 in order (those of `PROCESSES`, called
    /// directly).
    pub fn step(&mut self) {
        self.begin_step();
        self.deliver();
        self.learn();
        self.update_beliefs();
        self.settle_finances();
        self.run_centre();
        self.apply_due_changes();
        if self.is_round() {
            self.contracting_round();
        }
        self.assess_power();
        self.record_metrics();
    }

    /// Run to the horizon.
    pub fn run(&mut self) {
        while self.step < self.cfg.steps() {
            self.step();
        }
    }
}

/// A process of a step: its name and what it runs.
pub type Process = (&'static str, fn(&mut Market));

/// The processes of a step in the order `Market::step` runs them after `begin_step`
/// (ODD section 3), for a benchmark that times them one by one (`benches/model.rs`). A
/// test checks that running them in turn makes the same step.
pub const PROCESSES: [Process; 9] = [
    ("deliver", Market::deliver),
    ("learn", Market::learn),
    ("update_beliefs", Market::update_beliefs),
    ("settle_finances", Market::settle_finances),
    ("run_centre", Market::run_centre),
    ("apply_due_changes", Market::apply_due_changes),
    ("contracting_round", |m| {
        if m.is_round() {
            m.contracting_round()
        }
    }),
    ("assess_power", Market::assess_power),
    ("record_metrics", Market::record_metrics),
];

#[cfg(test)]
mod tests {
    use super::{pow_exp_ln, Market, PROCESSES};
    use crate::config::{registry, validate};
    use std::sync::Arc;

    #[test]
    fn processes_run_in_turn_make_the_same_steps() {
        let cfg = Arc::new(validate(&registry::defaults(), "defaults").expect("valid"));
        let mut a = Market::new(cfg, 11);
        let mut b = a.clone();
        // eight steps: two of them rounds
        for _ in 0..8 {
            a.step();
            b.begin_step();
            for (_, run) in PROCESSES {
                run(&mut b);
            }
            let bits = |m: &Market| m.metrics.national.iter().chain(&m.metrics.by_line).map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b), "step {}", a.step);
        }
    }

    #[test]
    fn no_pending_change_falls_due_before_next_due() {
        // `apply_due_changes` skips steps before `next_due`: a change due earlier would be
        // applied late. Policies on, so that exits, absorptions, mergers and closed teams
        // cancel and redirect pending changes.
        let mut v = registry::defaults();
        crate::config::merge(&mut v, &serde_json::json!({"policy": {"market_opening": {"year": 2014.0}, "framework": {"year": 2015.0, "slots_per_line": 6, "off_framework": "merge"}, "ccg_mergers": [{"year": 2016.0, "share": 0.3, "group_size": 2, "collaboration": 0.5}], "insourcing_guidance": {"year": 2015.0}}}));
        let cfg = Arc::new(validate(&v, "test").expect("valid"));
        for seed in [3, 4] {
            let mut m = Market::new(cfg.clone(), seed);
            let mut changes = 0;
            while m.step < m.cfg.steps() {
                m.step();
                changes += m.flows.switches + m.flows.insources;
                assert!(m.next_due <= m.earliest_due(), "step {}: next_due {} after the earliest pending change {}", m.step, m.next_due, m.earliest_due());
            }
            assert!(changes > 100, "seed {seed}: only {changes} changes");
        }
    }

    #[test]
    fn pow_exp_ln_agrees_with_libm_pow() {
        // the ranges the model uses: volume and population ratios, exponents of scale
        // economies (negative for cost), learning factors
        for &x in &[1e-12, 1e-6, 0.003, 0.2, 0.5, 1.0, 1.7, 3.0, 42.0, 1e4, 1e7] {
            for &e in &[-0.6, -0.25, -0.1, 0.0, 0.1, 0.35, 0.8, 1.0, 2.0] {
                let (a, b) = (pow_exp_ln(x, e), libm::pow(x, e));
                assert!(((a - b) / b).abs() < 1e-13, "x={x} e={e}: {a} vs {b}");
            }
        }
        assert_eq!(pow_exp_ln(0.0, 0.5), 0.0);
        assert_eq!(pow_exp_ln(0.0, 0.0), 1.0);
    }
}
