//! The brief's qualitative expectations as experiments. Each is tested either by a
//! paired comparison under common random numbers whose two arms differ in one parameter
//! (the lever in question), or by a pattern measured within runs. Each result is an
//! effect with a 95% confidence interval over replications and a verdict: supported (the
//! interval excludes zero in the expected direction), contradicted (it excludes zero the
//! other way) or not shown.

use super::compare::{paired, Paired};
use crate::config::{merge, registry, validate, Config};
use crate::engine::{run_replication, MetricSeries, Observer};
use crate::model::metrics::{metric_index, N_METRICS};
use crate::model::{Arrangement, EventKind, Market};
use rayon::prelude::*;
use serde_json::{json, Value};
use std::sync::Arc;

/// Which way an effect is expected to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "increase",
            Direction::Down => "decrease",
        }
    }
}

/// The outcome of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Contradicted,
    NotShown,
}

impl Verdict {
    pub fn of(p: &Paired, d: Direction) -> Verdict {
        if !(p.ci_low.is_finite() && p.ci_high.is_finite()) {
            return Verdict::NotShown;
        }
        let (up, down) = (p.ci_low > 0.0, p.ci_high < 0.0);
        match (d, up, down) {
            (Direction::Up, true, _) | (Direction::Down, _, true) => Verdict::Supported,
            (Direction::Up, _, true) | (Direction::Down, true, _) => Verdict::Contradicted,
            _ => Verdict::NotShown,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::NotShown => "not shown",
        }
    }
}

/// How an expectation is tested.
#[derive(Debug, Clone)]
pub enum Test {
    /// Arms A and B (overrides of the baseline) differ in one parameter; each check is a
    /// metric at a year (None: the horizon) expected to move from A to B. With `growth`,
    /// the check is on how much the difference grows from `growth` to the horizon.
    Paired { a: Value, b: Value, lever: &'static str, checks: Vec<(&'static str, Option<f64>, Direction)>, growth: Option<f64> },
    /// Lines CCGs take in house (alone or shared) after authorisation ends, in arm `b`.
    InsourcingPattern { b: Value },
    /// Buyer power against the CCG's size, across CCGs within each run.
    SizePower,
}

/// One qualitative expectation of the brief.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub id: &'static str,
    pub claim: &'static str,
    pub test: Test,
}

/// The expectations of MODEL_BRIEF.md ("Qualitative expectations").
pub fn expectations() -> Vec<Expectation> {
    vec![
        Expectation {
            id: "E1",
            claim: "A framework with few slots reduces the number of CSUs over time.",
            test: Test::Paired {
                a: json!({"policy": {"framework": {"year": 2015.0, "slots_per_line": 12}}}),
                b: json!({"policy": {"framework": {"year": 2015.0, "slots_per_line": 5}}}),
                lever: "policy.framework.slots_per_line: 12 -> 5 (framework let in 2015 in both arms)",
                checks: vec![("suppliers_active_csu", None, Direction::Down), ("suppliers_active_csu", Some(2017.0), Direction::Down)],
                growth: None,
            },
        },
        Expectation {
            id: "E2",
            claim: "Sharing supplier experience among CCGs raises buyer power and lowers mark-ups.",
            test: Test::Paired {
                a: json!({}),
                b: json!({"policy": {"platform": {"year": 2014.0}}}),
                lever: "policy.platform.year: null -> 2014",
                checks: vec![("buyer_power_mean", None, Direction::Up), ("markup_mean", None, Direction::Down)],
                growth: None,
            },
        },
        Expectation {
            id: "E3",
            claim: "Widespread in-sourcing lowers CSU scale and capability.",
            test: Test::Paired {
                a: json!({}),
                b: json!({"inhouse": {"cost_factor": 0.7}}),
                lever: "inhouse.cost_factor: 1.0 -> 0.7 (cheaper in-house teams make in-sourcing widespread)",
                checks: vec![("share_csu", Some(2018.0), Direction::Down), ("capability_mean_csu", None, Direction::Down)],
                growth: None,
            },
        },
        Expectation {
            id: "E3b",
            claim: "Quality for in-sourcing CCGs rises at first and then plateaus below what a well-developed supplier gives.",
            test: Test::InsourcingPattern { b: json!({"inhouse": {"cost_factor": 0.7}}) },
        },
        Expectation {
            id: "E4",
            claim: "Partnership relationships improve quality over time more than transactional ones.",
            test: Test::Paired {
                a: json!({"ccgs": {"orientation_mean": 0.2}}),
                b: json!({"ccgs": {"orientation_mean": 0.8}}),
                lever: "ccgs.orientation_mean: 0.2 -> 0.8 (transactional to partnership)",
                checks: vec![("quality_mean_csu", None, Direction::Up), ("quality_mean_csu", None, Direction::Up)],
                growth: Some(2015.0),
            },
        },
        Expectation {
            id: "E5",
            claim: "Local monopolies produce supplier dominance and higher prices.",
            test: Test::Paired {
                a: json!({}),
                b: json!({"market": {"csu_reach": "patch"}}),
                lever: "market.csu_reach: region -> patch (each CCG can use only its own CSU)",
                checks: vec![("supplier_power_mean", None, Direction::Up), ("price_per_head_mean", None, Direction::Up)],
                growth: None,
            },
        },
        Expectation {
            id: "E5b",
            claim: "Opaque prices produce supplier dominance and higher prices (here: transparency removes them).",
            test: Test::Paired {
                a: json!({}),
                b: json!({"market": {"price_transparency": 0.9}}),
                lever: "market.price_transparency: 0 -> 0.9",
                checks: vec![("supplier_power_mean", None, Direction::Down), ("markup_mean", None, Direction::Down), ("price_dispersion", None, Direction::Down)],
                growth: None,
            },
        },
        Expectation {
            id: "E6",
            claim: "Larger (merged) CCGs hold more buyer power.",
            test: Test::Paired {
                a: json!({}),
                b: json!({"policy": {"ccg_mergers": [{"year": 2016.0, "share": 0.5, "group_size": 2, "collaboration": 0.0}]}}),
                lever: "policy.ccg_mergers: none -> half the CCGs merge in pairs in 2016 (no added collaboration)",
                checks: vec![("buyer_power_mean", None, Direction::Up)],
                growth: None,
            },
        },
        Expectation { id: "E6b", claim: "Larger CCGs hold more buyer power (within a market, across CCGs).", test: Test::SizePower },
    ]
}

/// One row of the validation table.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub claim: String,
    pub test: String,
    pub measure: String,
    pub expected: Direction,
    pub result: Paired,
    pub verdict: Verdict,
}

/// Settings shared by all experiments of a validation.
#[derive(Debug, Clone)]
pub struct Settings {
    pub master_seed: u64,
    pub replications: u64,
    pub threads: usize,
    /// Extra overrides applied to both arms (robustness checks).
    pub context: Value,
}

/// The baseline with overrides (and the context) merged in.
pub fn arm(over: &Value, context: &Value) -> Result<Arc<Config>, String> {
    let mut v = registry::defaults();
    merge(&mut v, context);
    merge(&mut v, over);
    validate(&v, "validation").map(Arc::new).map_err(|e| e.to_string())
}

fn series_of(cfg: &Arc<Config>, s: &Settings, pool: &rayon::ThreadPool) -> Vec<MetricSeries> {
    pool.install(|| {
        (0..s.replications)
            .into_par_iter()
            .map(|r| {
                let mut m = MetricSeries::new(cfg);
                run_replication(cfg, s.master_seed, r, &mut m);
                m
            })
            .collect()
    })
}

fn step_at(cfg: &Config, year: Option<f64>) -> usize {
    match year {
        None => cfg.steps() as usize,
        Some(y) => (((y - cfg.time.start_year) * cfg.time.steps_per_year as f64).round().max(0.0) as usize).min(cfg.steps() as usize),
    }
}

/// Follows the quality of lines taken in house after authorisation ends, and of lines
/// served by well-developed CSUs at the horizon.
struct InsourcingWatch {
    /// Per CCG-line: step it was taken in house (if it stayed in house or shared since).
    since: Vec<Option<u32>>,
    /// Per CCG-line: realised quality at every step.
    q: Vec<Vec<f64>>,
    stats: Option<(f64, f64, f64)>,
}

impl Observer for InsourcingWatch {
    fn wants_events(&self) -> bool {
        true
    }
    fn on_step(&mut self, m: &Market) {
        let nl = m.n_lines();
        if self.since.is_empty() {
            self.since = vec![None; m.con.len()];
            self.q = vec![Vec::with_capacity(m.cfg.steps() as usize + 1); m.con.len()];
        }
        for e in &m.events {
            if matches!(e.kind, EventKind::Insource | EventKind::Share) {
                if let (Some(c), Some(l)) = (e.ccg, e.line) {
                    self.since[c.ix() * nl + l.ix()] = Some(m.step);
                }
            }
        }
        for (k, ct) in m.con.iter().enumerate() {
            if matches!(ct.arr, Arrangement::External(_)) || !m.ccgs[k / nl].active {
                self.since[k] = None;
            }
            self.q[k].push(ct.q);
        }
    }
    fn on_end(&mut self, m: &Market) {
        let spy = m.cfg.time.steps_per_year as usize;
        let t_end = m.step as usize;
        let two = 2 * spy;
        // early gain: first two years after in-sourcing; late gain: the last two years
        // of lines in house for at least four
        let (mut early, mut ne, mut late, mut nlate, mut qin, mut nin) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for (k, s) in self.since.iter().enumerate() {
            let Some(s0) = *s else { continue };
            let s0 = s0 as usize;
            let q = &self.q[k];
            if s0 + two <= t_end {
                early += q[s0 + two] - q[s0];
                ne += 1.0;
            }
            if s0 + 2 * two <= t_end {
                late += q[t_end] - q[t_end - two];
                nlate += 1.0;
                qin += q[t_end];
                nin += 1.0;
            }
        }
        // lines served at the horizon by the best-developed CSUs (top quarter by capability)
        let mut caps: Vec<f64> = (0..m.n_csu).filter(|&p| m.sup[p].active()).map(|p| m.sup[p].mean_capability()).collect();
        caps.sort_by(|a, b| b.total_cmp(a));
        let cut = caps.get(caps.len() / 4).copied().unwrap_or(f64::INFINITY);
        let (mut qd, mut nd) = (0.0, 0.0);
        for (k, ct) in m.con.iter().enumerate() {
            if let Arrangement::External(p) = ct.arr {
                if m.ccgs[k / m.n_lines()].active && m.sup[p.ix()].is_csu() && m.sup[p.ix()].mean_capability() >= cut {
                    qd += ct.q;
                    nd += 1.0;
                }
            }
        }
        let r = |a: f64, n: f64| if n > 0.0 { a / n } else { f64::NAN };
        self.stats = Some((r(early, ne) - r(late, nlate), r(early, ne), r(qin, nin) - r(qd, nd)));
    }
}

/// At the horizon: OLS slope of a CCG's mean buyer power on the log of its population.
struct SizeWatch {
    slope: f64,
}

impl Observer for SizeWatch {
    fn on_end(&mut self, m: &Market) {
        let nl = m.n_lines();
        let mut pts = Vec::new();
        for (i, c) in m.ccgs.iter().enumerate() {
            if !c.active {
                continue;
            }
            let bp: Vec<f64> = (0..nl).filter(|&l| matches!(m.con[i * nl + l].arr, Arrangement::External(_))).map(|l| m.con[i * nl + l].bp).collect();
            if !bp.is_empty() {
                pts.push((libm::log(c.population), bp.iter().sum::<f64>() / bp.len() as f64));
            }
        }
        let n = pts.len() as f64;
        let (mx, my) = (pts.iter().map(|p| p.0).sum::<f64>() / n, pts.iter().map(|p| p.1).sum::<f64>() / n);
        let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
        self.slope = if sxx > 0.0 { sxy / sxx } else { f64::NAN };
    }
}

/// A statistic over replications as a `Paired` (mean and CI against zero).
fn over_reps(v: impl Iterator<Item = f64>) -> Paired {
    paired(v.map(|x| (0.0, x)))
}

/// Run one expectation's test.
pub fn run(e: &Expectation, s: &Settings, pool: &rayon::ThreadPool) -> Result<Vec<Row>, String> {
    let row = |test: String, measure: String, expected: Direction, result: Paired| Row {
        id: e.id.to_string(),
        claim: e.claim.to_string(),
        test,
        measure,
        expected,
        verdict: Verdict::of(&result, expected),
        result,
    };
    match &e.test {
        Test::Paired { a, b, lever, checks, growth } => {
            let (ca, cb) = (arm(a, &s.context)?, arm(b, &s.context)?);
            let (sa, sb) = (series_of(&ca, s, pool), series_of(&cb, s, pool));
            let mut rows = Vec::new();
            for (k, &(metric, year, dir)) in checks.iter().enumerate() {
                let m = metric_index(metric).ok_or_else(|| format!("unknown metric {metric}"))?;
                let t = step_at(&ca, year);
                let when = year.map(|y| y.to_string()).unwrap_or_else(|| format!("horizon ({})", ca.year_at(ca.steps())));
                if let (Some(g), 1) = (growth, k) {
                    let t0 = step_at(&ca, Some(*g));
                    let d = paired(sa.iter().zip(&sb).map(|(x, y)| (0.0, (y.national[t * N_METRICS + m] - x.national[t * N_METRICS + m]) - (y.national[t0 * N_METRICS + m] - x.national[t0 * N_METRICS + m]))));
                    rows.push(row(format!("paired, CRN: {lever}"), format!("growth of the difference in {metric} from {g} to the {when}"), dir, d));
                } else {
                    let d = paired(sa.iter().zip(&sb).map(|(x, y)| (x.national[t * N_METRICS + m], y.national[t * N_METRICS + m])));
                    rows.push(row(format!("paired, CRN: {lever}"), format!("{metric} at {when}, B minus A"), dir, d));
                }
            }
            Ok(rows)
        }
        Test::InsourcingPattern { b } => {
            let cb = arm(b, &s.context)?;
            let stats: Vec<(f64, f64, f64)> = pool.install(|| {
                (0..s.replications)
                    .into_par_iter()
                    .map(|r| {
                        let mut w = InsourcingWatch { since: Vec::new(), q: Vec::new(), stats: None };
                        run_replication(&cb, s.master_seed, r, &mut w);
                        w.stats.expect("computed at the end")
                    })
                    .collect()
            });
            let test = "within runs of the in-sourcing arm of E3: lines taken in house or shared after authorisation ends".to_string();
            Ok(vec![
                row(test.clone(), "quality gain over the first two years after in-sourcing".into(), Direction::Up, over_reps(stats.iter().map(|x| x.1))),
                row(test.clone(), "first two years' gain minus the last two years' gain (lines in house four years or more): a plateau".into(), Direction::Up, over_reps(stats.iter().map(|x| x.0))),
                row(test, "quality of those lines at the horizon minus that of lines served by the top quarter of CSUs".into(), Direction::Down, over_reps(stats.iter().map(|x| x.2))),
            ])
        }
        Test::SizePower => {
            let ca = arm(&json!({}), &s.context)?;
            let slopes: Vec<f64> = pool.install(|| {
                (0..s.replications)
                    .into_par_iter()
                    .map(|r| {
                        let mut w = SizeWatch { slope: f64::NAN };
                        run_replication(&ca, s.master_seed, r, &mut w);
                        w.slope
                    })
                    .collect()
            });
            Ok(vec![row(
                "within runs of the baseline: CCGs' mean buyer power regressed on log population at the horizon".into(),
                "slope (buyer power per unit of log population)".into(),
                Direction::Up,
                over_reps(slopes.into_iter()),
            )])
        }
    }
}
