//! Experiments: a plan (scenarios or sweep points, replications, a master seed) is a
//! list of work units with stable ids, one scenario and one replication each. Units run
//! in parallel; replication `k` of every scenario uses the same seed (common random
//! numbers) unless the plan asks for independent seeds. Only each unit's metric values
//! are kept (plus the details of the replications whose events and agents are written).

pub mod stats;

use crate::engine::{run_replication, MetricSeries};
use crate::io::records::{CcgRow, EventRow, Recorder, SupplierRow};
use crate::io::scenario::Scenario;
use crate::model::rng::{replication_seed, splitmix64};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// What kind of job a plan is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    Run,
    Compare,
    Sweep,
}

/// A job: everything needed to reproduce it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub kind: JobKind,
    /// Scenarios (for a sweep, one per point).
    pub scenarios: Vec<Scenario>,
    /// For a sweep: each point's parameter values (path, value), in the order of `params`.
    pub params: Vec<String>,
    pub points: Vec<Vec<serde_json::Value>>,
    pub master_seed: u64,
    pub replications: u64,
    /// Run this one replication only (`--replication k`).
    pub only_replication: Option<u64>,
    pub keep_replications: bool,
    /// Draw separate seeds per scenario instead of common random numbers.
    pub independent: bool,
}

/// One work unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Stable id: `scenario * replications + replication`.
    pub id: u64,
    pub scenario: usize,
    pub replication: u64,
}

/// What a unit leaves: its metric values and, for some, the details.
#[derive(Debug, Clone)]
pub struct UnitResult {
    pub unit: Unit,
    /// The replication's own seed (the `seed` column).
    pub seed: u64,
    pub series: MetricSeries,
    pub details: Option<Details>,
}

/// Events and agent snapshots of one replication.
#[derive(Debug, Clone, Default)]
pub struct Details {
    pub events: Vec<EventRow>,
    pub ccgs: Vec<CcgRow>,
    pub suppliers: Vec<SupplierRow>,
}

/// The run was interrupted before every unit finished.
#[derive(Debug, Clone, Copy)]
pub struct Interrupted {
    pub done: usize,
}

impl Plan {
    /// The replications this plan runs, in order.
    pub fn replication_range(&self) -> Vec<u64> {
        match self.only_replication {
            Some(k) => vec![k],
            None => (0..self.replications).collect(),
        }
    }

    /// Every unit of the plan in canonical order (scenario-major).
    pub fn units(&self) -> Vec<Unit> {
        let reps = self.replication_range();
        let per = self.replications.max(self.only_replication.map(|k| k + 1).unwrap_or(0));
        let mut v = Vec::with_capacity(self.scenarios.len() * reps.len());
        for s in 0..self.scenarios.len() {
            for &r in &reps {
                v.push(Unit { id: s as u64 * per + r, scenario: s, replication: r });
            }
        }
        v
    }

    /// Master seed used for scenario `s`: the plan's (common random numbers), or a
    /// scenario-specific one with `independent`.
    pub fn scenario_master(&self, s: usize) -> u64 {
        if self.independent {
            splitmix64(self.master_seed ^ splitmix64(0x696E_6465_7000 + s as u64))
        } else {
            self.master_seed
        }
    }

    /// Does this unit's replication get events and agent tables?
    pub fn wants_details(&self, u: &Unit) -> bool {
        self.keep_replications || u.replication == self.replication_range()[0]
    }

    /// Run one unit.
    pub fn run_unit(&self, u: Unit) -> UnitResult {
        let sc = &self.scenarios[u.scenario];
        let master = self.scenario_master(u.scenario);
        let details = self.wants_details(&u);
        let mut rec = Recorder::new(&sc.config, details);
        run_replication(&sc.config, master, u.replication, &mut rec);
        let Recorder { series, events, ccgs, suppliers, .. } = rec;
        UnitResult { unit: u, seed: replication_seed(master, u.replication), series, details: details.then_some(Details { events, ccgs, suppliers }) }
    }

    /// Run units in parallel on `threads` threads (0: all cores), calling `tick` as each
    /// finishes. Stops starting units once `stop` is set. Results come back in the
    /// order of `units`, whatever order they finish in.
    pub fn run_units(&self, units: &[Unit], threads: usize, stop: &AtomicBool, tick: &(dyn Fn() + Sync)) -> Result<Vec<UnitResult>, Interrupted> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        let results: Vec<Option<UnitResult>> = pool.install(|| {
            units
                .par_iter()
                .map(|&u| {
                    if stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    let r = self.run_unit(u);
                    tick();
                    Some(r)
                })
                .collect()
        });
        let done = results.iter().filter(|r| r.is_some()).count();
        if done < units.len() {
            return Err(Interrupted { done });
        }
        Ok(results.into_iter().map(|r| r.expect("all done")).collect())
    }
}

/// Summaries of one scenario (or sweep point) over its replications.
#[derive(Debug, Clone)]
pub struct ScenarioSummary {
    pub steps: usize,
    pub n_lines: usize,
    /// `step * N_METRICS + metric`.
    pub national: Vec<stats::Summary>,
    /// `(step * n_lines + line) * N_LINE_METRICS + metric`.
    pub by_line: Vec<stats::Summary>,
}

/// Summarise each scenario's results (taken in canonical replication order).
pub fn summaries(plan: &Plan, results: &[UnitResult]) -> Vec<ScenarioSummary> {
    use crate::model::metrics::{N_LINE_METRICS, N_METRICS};
    let mut out = Vec::with_capacity(plan.scenarios.len());
    let mut scratch = Vec::new();
    for s in 0..plan.scenarios.len() {
        let mut reps: Vec<&UnitResult> = results.iter().filter(|r| r.unit.scenario == s).collect();
        reps.sort_by_key(|r| r.unit.replication);
        let cfg = &plan.scenarios[s].config;
        let steps = cfg.steps() as usize + 1;
        let nl = cfg.service_lines.len();
        let mut national = Vec::with_capacity(steps * N_METRICS);
        for i in 0..steps * N_METRICS {
            national.push(stats::summarise(reps.iter().map(|r| r.series.national[i]), &mut scratch));
        }
        let mut by_line = Vec::with_capacity(steps * nl * N_LINE_METRICS);
        for i in 0..steps * nl * N_LINE_METRICS {
            by_line.push(stats::summarise(reps.iter().map(|r| r.series.by_line[i]), &mut scratch));
        }
        out.push(ScenarioSummary { steps, n_lines: nl, national, by_line });
    }
    out
}
