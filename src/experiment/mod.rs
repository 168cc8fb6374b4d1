//! Experiments: a plan (scenarios or sweep points, replications, a master seed) is a
//! list of work units with stable ids, one scenario (or point) and one replication each.
//! Units run in parallel; replication `k` of every scenario uses the same seed (common
//! random numbers) unless the plan asks for independent seeds. A unit leaves its metric
//! values and, when its rows are written, the CSV blocks it rendered; nothing else of a
//! replication outlives it.

pub mod compare;
pub mod design;
pub mod sensitivity;
pub mod stats;
pub mod validation;

use crate::engine::{run_replication, MetricSeries};
use crate::io::records::Recorder;
use crate::io::scenario::{self, Scenario};
use crate::io::tables::{self, RepId, Table};
use crate::model::rng::{replication_seed, splitmix64};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
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
    /// For a sweep: the scenario the points vary (its configuration is recorded once).
    pub base: Option<Scenario>,
    /// For a sweep: the swept parameter paths and each point's values.
    pub params: Vec<String>,
    pub points: Vec<Vec<Value>>,
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

/// What a unit leaves: its metric values and the row blocks it rendered (empty when its
/// rows are not written), in the order of `Table::ALL`.
#[derive(Debug, Clone)]
pub struct UnitResult {
    pub unit: Unit,
    /// The replication's own seed (the `seed` column).
    pub seed: u64,
    pub series: MetricSeries,
    pub blocks: [Vec<u8>; 5],
}

/// A shard `i` of `n` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Parse `i/n` with 1 <= i <= n.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (a, b) = s.split_once('/').ok_or_else(|| format!("--shard {s:?}: expected i/n, e.g. 2/10"))?;
        let index: u64 = a.trim().parse().map_err(|_| format!("--shard {s:?}: {a:?} is not a whole number"))?;
        let count: u64 = b.trim().parse().map_err(|_| format!("--shard {s:?}: {b:?} is not a whole number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("--shard {s:?}: need 1 <= i <= n (shards are numbered from 1, as in cargo-nextest)"));
        }
        Ok(Shard { index, count })
    }

    /// Does this shard run the unit at position `pos` of the plan's unit list?
    /// Units are dealt round-robin so that costly points spread over shards.
    pub fn owns(&self, pos: usize) -> bool {
        pos as u64 % self.count == self.index - 1
    }
}

/// The run was interrupted before every unit finished.
#[derive(Debug)]
pub enum RunError {
    Interrupted { done: usize },
    Failed(anyhow::Error),
}

impl Plan {
    /// The replications this plan runs, in order.
    pub fn replication_range(&self) -> Vec<u64> {
        match self.only_replication {
            Some(k) => vec![k],
            None => (0..self.replications).collect(),
        }
    }

    fn per_scenario(&self) -> u64 {
        self.replications.max(self.only_replication.map(|k| k + 1).unwrap_or(0))
    }

    /// Every unit of the plan in canonical order (scenario-major).
    pub fn units(&self) -> Vec<Unit> {
        let reps = self.replication_range();
        let per = self.per_scenario();
        let mut v = Vec::with_capacity(self.scenarios.len() * reps.len());
        for s in 0..self.scenarios.len() {
            for &r in &reps {
                v.push(Unit { id: s as u64 * per + r, scenario: s, replication: r });
            }
        }
        v
    }

    /// The units of one shard (or all).
    pub fn shard_units(&self, shard: Option<Shard>) -> Vec<Unit> {
        self.units().into_iter().enumerate().filter(|(pos, _)| shard.is_none_or(|s| s.owns(*pos))).map(|(_, u)| u).collect()
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

    /// Are per-replication series written (a single replication, or all kept)?
    pub fn writes_series(&self) -> bool {
        self.replication_range().len() == 1 || self.keep_replications
    }

    /// Does this unit's replication get events and agent tables? Replication 0 (or the
    /// one replication run) of each scenario, or all with `keep_replications`; sweeps
    /// only when kept.
    pub fn wants_details(&self, u: &Unit) -> bool {
        self.keep_replications || (self.kind != JobKind::Sweep && u.replication == self.replication_range()[0])
    }

    /// Which tables this plan writes at all.
    pub fn tables(&self) -> Vec<Table> {
        let mut t = Vec::new();
        if self.writes_series() {
            t.extend([Table::Series, Table::SeriesByLine]);
        }
        if self.keep_replications || self.kind != JobKind::Sweep {
            t.extend([Table::Events, Table::Ccgs, Table::Suppliers]);
        }
        t
    }

    /// Run one unit and render its rows.
    pub fn run_unit(&self, u: Unit) -> UnitResult {
        let sc = &self.scenarios[u.scenario];
        let master = self.scenario_master(u.scenario);
        let details = self.wants_details(&u);
        let mut rec = Recorder::new(&sc.config, details);
        run_replication(&sc.config, master, u.replication, &mut rec);
        let seed = replication_seed(master, u.replication);
        let id = RepId { scenario: &sc.name, replication: u.replication, seed, config: &sc.config };
        let mut blocks: [Vec<u8>; 5] = Default::default();
        if self.writes_series() {
            blocks[0] = tables::series_block(&id, &rec.series);
            blocks[1] = tables::series_by_line_block(&id, &rec.series);
        }
        if details {
            blocks[2] = tables::events_block(&id, &rec.events);
            blocks[3] = tables::ccgs_block(&id, &rec.ccgs);
            blocks[4] = tables::suppliers_block(&id, &rec.suppliers);
        }
        UnitResult { unit: u, seed, series: rec.series, blocks }
    }

    /// Run units in batches of parallel work on `threads` threads; each finished batch
    /// (in unit order) goes to `sink` before the next starts. `tick` is called as each
    /// unit finishes. Stops starting units once `stop` is set, and then hands the units
    /// of the current batch that did finish to `sink` before returning.
    pub fn run_batches(
        &self,
        units: &[Unit],
        threads: usize,
        batch: usize,
        stop: &AtomicBool,
        tick: &(dyn Fn() + Sync),
        sink: &mut dyn FnMut(Vec<UnitResult>) -> Result<()>,
    ) -> Result<(), RunError> {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| RunError::Failed(e.into()))?;
        let mut done = 0;
        for chunk in units.chunks(batch.max(1)) {
            if stop.load(Ordering::SeqCst) {
                return Err(RunError::Interrupted { done });
            }
            let results: Vec<Option<UnitResult>> = pool.install(|| {
                chunk
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
            if results.iter().any(|r| r.is_none()) {
                // Stopped part-way through the batch: keep what finished, as runs of
                // consecutive units (a sink batch never spans a unit that did not run,
                // so a resumed store still reads in id order).
                let mut run: Vec<UnitResult> = Vec::new();
                for r in results.into_iter().chain(std::iter::once(None)) {
                    match r {
                        Some(r) => run.push(r),
                        None if !run.is_empty() => {
                            done += run.len();
                            sink(std::mem::take(&mut run)).map_err(RunError::Failed)?;
                        }
                        None => {}
                    }
                }
                return Err(RunError::Interrupted { done });
            }
            let results: Vec<UnitResult> = results.into_iter().map(|r| r.expect("checked")).collect();
            done += results.len();
            sink(results).map_err(RunError::Failed)?;
        }
        Ok(())
    }

    /// The plan as JSON (for manifests, replay and merge checks). A sweep records its
    /// base scenario once, with the points.
    pub fn to_json(&self) -> Value {
        let listed: Vec<&Scenario> = match (&self.base, self.kind) {
            (Some(b), JobKind::Sweep) => vec![b],
            _ => self.scenarios.iter().collect(),
        };
        let scenarios: Vec<Value> = listed.iter().map(|s| json!({"name": s.name, "source": s.source, "description": s.description, "config": s.resolved})).collect();
        let mut v = json!({
            "kind": self.kind,
            "master_seed": self.master_seed,
            "replications": self.replications,
            "replication": self.only_replication,
            "keep_replications": self.keep_replications,
            "independent": self.independent,
            "scenarios": scenarios,
        });
        if self.kind == JobKind::Sweep {
            v["sweep"] = json!({"params": self.params, "points": self.points});
        }
        v
    }

    /// Rebuild a plan from its JSON (as found in a manifest).
    pub fn from_json(v: &Value) -> Result<Plan> {
        let kind: JobKind = serde_json::from_value(v.get("kind").cloned().context("no kind")?).context("kind")?;
        let u = |k: &str| v.get(k).and_then(Value::as_u64).with_context(|| format!("no {k}"));
        let mut scenarios = Vec::new();
        for s in v.get("scenarios").and_then(Value::as_array).context("no scenarios")? {
            let name = s.get("name").and_then(Value::as_str).context("scenario without name")?;
            let desc = s.get("description").and_then(Value::as_str).unwrap_or("");
            let source = s.get("source").and_then(Value::as_str).unwrap_or("manifest");
            let config = s.get("config").cloned().context("scenario without config")?;
            scenarios.push(scenario::from_resolved(name, desc, source, config).map_err(|e| anyhow::anyhow!("{e}"))?);
        }
        let (params, points): (Vec<String>, Vec<Vec<Value>>) = match v.get("sweep") {
            Some(sw) => (serde_json::from_value(sw["params"].clone()).context("sweep params")?, serde_json::from_value(sw["points"].clone()).context("sweep points")?),
            None => (Vec::new(), Vec::new()),
        };
        if scenarios.is_empty() {
            bail!("the plan has no scenarios");
        }
        let mut base = None;
        if kind == JobKind::Sweep {
            let b = scenarios.remove(0);
            scenarios = point_scenarios(&b, &params, &points).map_err(|e| anyhow::anyhow!(e))?;
            base = Some(b);
        }
        Ok(Plan {
            kind,
            scenarios,
            base,
            params,
            points,
            master_seed: u("master_seed")?,
            replications: u("replications")?,
            only_replication: v.get("replication").and_then(Value::as_u64),
            keep_replications: v.get("keep_replications").and_then(Value::as_bool).unwrap_or(false),
            independent: v.get("independent").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// SHA-256 of the plan's canonical JSON (and the tool version): parts of one plan
    /// share it, parts of different plans never do.
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let text = serde_json::to_string(&json!({"plan": self.to_json(), "version": env!("CARGO_PKG_VERSION")})).expect("json");
        Sha256::digest(text.as_bytes()).into()
    }
}

impl Plan {
    /// A sweep of `base` over `points` (values of `params`), on common random numbers.
    pub fn sweep(base: Scenario, params: Vec<String>, points: Vec<Vec<Value>>, master_seed: u64, replications: u64, keep_replications: bool) -> Result<Plan, String> {
        let scenarios = point_scenarios(&base, &params, &points)?;
        Ok(Plan { kind: JobKind::Sweep, scenarios, base: Some(base), params, points, master_seed, replications, only_replication: None, keep_replications, independent: false })
    }
}

/// The scenarios of a sweep's points: the base with each point's values set at the
/// parameter paths, validated.
pub fn point_scenarios(base: &Scenario, params: &[String], points: &[Vec<Value>]) -> Result<Vec<Scenario>, String> {
    let mut out = Vec::with_capacity(points.len());
    for (k, point) in points.iter().enumerate() {
        let mut v = base.resolved.clone();
        for (path, value) in params.iter().zip(point) {
            design::set_path(&mut v, path, value.clone()).map_err(|e| format!("sweep parameter {e}"))?;
        }
        let label = format!("{} with sweep point {k} ({})", base.source, params.iter().zip(point).map(|(p, v)| format!("{p}={v}")).collect::<Vec<_>>().join(", "));
        out.push(scenario::from_resolved(&base.name, &base.description, &label, v).map_err(|e| e.to_string())?);
    }
    Ok(out)
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

/// Summarise one scenario's replications (given in canonical replication order);
/// per-line summaries only when asked (sweeps, with many points, skip them).
pub fn summarise_scenario(reps: &[&MetricSeries], by_lines: bool) -> ScenarioSummary {
    let first = reps.first().expect("at least one replication");
    let mut scratch = Vec::new();
    let national = (0..first.national.len()).map(|i| stats::summarise(reps.iter().map(|r| r.national[i]), &mut scratch)).collect();
    let by_line = if by_lines { (0..first.by_line.len()).map(|i| stats::summarise(reps.iter().map(|r| r.by_line[i]), &mut scratch)).collect() } else { Vec::new() };
    ScenarioSummary { steps: first.steps, n_lines: first.n_lines, national, by_line }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn small_plan(replications: u64) -> Plan {
        let base = scenario::load("baseline").expect("baseline");
        let mut v = base.resolved.clone();
        design::set_path(&mut v, "time.years", json!(2)).unwrap();
        let sc = scenario::from_resolved("small", "", "test", v).unwrap();
        Plan { kind: JobKind::Run, scenarios: vec![sc], base: None, params: vec![], points: vec![], master_seed: 7, replications, only_replication: None, keep_replications: false, independent: false }
    }

    #[test]
    fn an_interrupt_keeps_the_finished_units_of_the_current_batch_in_runs() {
        let plan = small_plan(12);
        let units = plan.units();
        let stop = AtomicBool::new(false);
        let finished = AtomicUsize::new(0);
        // one thread, one batch of 12: stop after the fifth unit finishes
        let tick = || {
            if finished.fetch_add(1, Ordering::SeqCst) + 1 == 5 {
                stop.store(true, Ordering::SeqCst);
            }
        };
        let mut got: Vec<Vec<u64>> = Vec::new();
        let r = plan.run_batches(&units, 1, 12, &stop, &tick, &mut |b| {
            got.push(b.iter().map(|u| u.unit.id).collect());
            Ok(())
        });
        assert!(matches!(r, Err(RunError::Interrupted { done: 5 })), "{r:?}");
        assert_eq!(got, vec![vec![0, 1, 2, 3, 4]], "the five finished units are kept, in order");
    }
}
