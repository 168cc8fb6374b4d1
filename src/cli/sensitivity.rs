//! `csmarket sensitivity`: Morris elementary-effects screening of a scenario's
//! parameters. The design's points run as a sweep (same execution path, files and
//! manifest as `csmarket sweep`, common random numbers across points); the effects are
//! then computed from the horizon means and written beside the sweep's files, which
//! are added to the manifest.

use super::job::{execute, CommonArgs};
use super::{note, say, Failure, Outcome};
use crate::experiment::design::{self, RangeSpec};
use crate::experiment::sensitivity::{self as morris, MetricScreening, Report, Selection};
use crate::experiment::stats::Summary;
use crate::experiment::{Plan, ScenarioSummary};
use crate::io::output::{hash_file, FileEntry, MANIFEST};
use crate::io::scenario::{self, Scenario};
use crate::model::metrics::{METRICS, N_METRICS};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use std::time::Instant;

/// Files this command adds to a sweep folder.
pub const FILES: [&str; 4] = ["sensitivity.csv", "sensitivity.md", "sensitivity_design.csv", "sensitivity_ranges.csv"];

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Method {
    /// Morris (1991) elementary effects on random one-at-a-time trajectories
    Morris,
}

#[derive(Args, Debug)]
#[command(mut_arg("replications", |a| a.default_value("2")))]
pub struct SensitivityArgs {
    /// The scenario whose parameters are screened (built-in name or file)
    #[arg(default_value = "baseline")]
    pub scenario: String,
    /// Screening method
    #[arg(long, value_enum, default_value_t = Method::Morris)]
    pub method: Method,
    /// Parameters to screen, comma separated (default: every numeric model coefficient in effect in the scenario); list items by index, e.g. providers[0].cost_factor
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub params: Vec<String>,
    /// Parameters not to screen, comma separated: paths, or groups as prefix.* (e.g. power.*)
    #[arg(long, value_delimiter = ',', value_name = "PATHS")]
    pub exclude: Vec<String>,
    /// Number of Morris trajectories (each is one point more than the number of parameters)
    #[arg(long, default_value_t = morris::DEFAULT_TRAJECTORIES as u64, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub trajectories: u64,
    /// Grid levels per parameter (even; the step is levels/(2(levels-1)) of the range)
    #[arg(long, default_value_t = morris::DEFAULT_LEVELS as u64)]
    pub levels: u64,
    /// Screening range: the scenario's value -/+ this fraction, clipped to the allowed range (a value of 0: 0 to spread x max)
    #[arg(long, default_value_t = morris::DEFAULT_SPREAD)]
    pub spread: f64,
    /// Screening range of one parameter instead of the spread: path=lo..hi (repeatable)
    #[arg(long = "range", value_name = "PATH=LO..HI")]
    pub ranges: Vec<String>,
    /// Metrics to rank parameters by, comma separated (default: the headline metrics)
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub metrics: Vec<String>,
    /// Parameters per metric in sensitivity.md
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub top: u64,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// The screening settings, recorded in the manifest so that `replay` recomputes the
/// sensitivity files from the re-run sweep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Spec {
    pub scenario: String,
    pub params: Vec<String>,
    pub exclude: Vec<String>,
    pub ranges: Vec<String>,
    pub metrics: Vec<String>,
    pub trajectories: u64,
    pub levels: u64,
    pub spread: f64,
    pub top: u64,
}

impl Spec {
    fn of(a: &SensitivityArgs) -> Spec {
        Spec {
            scenario: a.scenario.clone(),
            params: a.params.clone(),
            exclude: a.exclude.clone(),
            ranges: a.ranges.clone(),
            metrics: a.metrics.clone(),
            trajectories: a.trajectories,
            levels: a.levels,
            spread: a.spread,
            top: a.top,
        }
    }
}

/// The metrics to report, by index into METRICS.
fn metric_indices(names: &[String]) -> Result<Vec<usize>, Failure> {
    if names.is_empty() {
        return Ok(METRICS.iter().enumerate().filter(|(_, m)| m.headline).map(|(i, _)| i).collect());
    }
    let mut out = Vec::new();
    for n in names {
        let n = n.trim();
        let i = METRICS.iter().position(|m| m.name == n).ok_or_else(|| Failure::usage(format!("--metrics: no metric {n:?}; `csmarket metrics` lists them")))?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

pub fn sensitivity(a: SensitivityArgs) -> Outcome {
    let Method::Morris = a.method;
    if a.common.shard.is_some() || a.common.shard_from_env.is_some() {
        return Err(Failure::usage(
            "sensitivity does not run in shards (the effects need every point); run it whole, or run the design as a sweep with `csmarket sweep` and shards",
        ));
    }
    let levels = usize::try_from(a.levels).unwrap_or(usize::MAX);
    morris::check_levels(levels).map_err(Failure::usage)?;
    // check the metric names before running anything
    metric_indices(&a.metrics)?;
    let ranges: Vec<RangeSpec> = a.ranges.iter().map(|s| design::parse_range(s)).collect::<Result<_, _>>().map_err(Failure::usage)?;
    let base = scenario::load(&a.scenario)?;
    let sel = morris::select_factors(&base.resolved, &a.params, &a.exclude, &ranges, a.spread).map_err(Failure::usage)?;
    let k = sel.factors.len();
    let r = a.trajectories as usize;
    let design = morris::morris_design(k, r, levels, a.common.seed).map_err(Failure::usage)?;
    if design.n_points() > 1_000_000 {
        return Err(Failure::usage(format!("{} points; at most 1000000", design.n_points())));
    }
    // the design's points as values at the factors' paths (each point validated)
    let points: Vec<Vec<Value>> = design.points().map(|u| sel.factors.iter().zip(u).map(|(f, &x)| f.json_at(x)).collect()).collect();
    let params = sel.factors.iter().map(|f| f.path.clone()).collect();
    let plan = Plan::sweep(base.clone(), params, points, a.common.seed, a.common.replications, a.common.keep_replications)
        .map_err(|e| Failure::usage(format!("a sensitivity point is not a valid configuration: {e}")))?;
    let headline = format!(
        "Morris screening of {}: {k} parameters, {r} trajectories x {} points = {} points x {} replication(s) = {} runs",
        base.name,
        k + 1,
        design.n_points(),
        plan.replications,
        design.n_points() as u64 * plan.replications
    );
    if a.common.dry_run {
        dry_run(&plan, &sel, &headline, a.common.threads());
        return Ok(());
    }
    if !a.common.quiet {
        note(&headline);
        for n in &sel.notes {
            note(&format!("note: {n}"));
        }
    }
    let Some(done) = execute(&plan, &a.common, &format!("{}_sensitivity", base.name))? else { return Ok(()) };
    let Some(sums) = &done.summaries else {
        return Err(Failure::runtime("the sweep left no summaries (a part?)"));
    };
    let spec = Spec::of(&a);
    let screenings = finish(&spec, &base, &plan, &done.path, sums)?;
    if !a.common.no_plots {
        super::draw_charts(&done.path, a.common.quiet);
    }
    for s in screenings.iter().filter(|s| ["quality_mean", "supplier_power_mean", "price_per_head_mean"].contains(&s.metric.as_str())) {
        let top: Vec<String> = s.order().into_iter().take(3).map(|i| format!("{} ({})", sel.factors[i].path, morris::sig3(s.effects[i].mu_star))).collect();
        say(&format!("{}: {}", s.metric, top.join(", ")));
    }
    say(&format!(
        "Screened {k} parameters with {r} Morris trajectories ({} points x {} replication(s)). Wrote {} (sensitivity.csv, sensitivity.md, sweep.csv).",
        design.n_points(),
        plan.replications,
        done.path.display()
    ));
    Ok(())
}

/// Compute the effects from a finished sweep and add the sensitivity files (and the
/// settings) to its folder. Used by `sensitivity` and by `replay`.
pub fn finish(spec: &Spec, base: &Scenario, plan: &Plan, path: &Path, sums: &[ScenarioSummary]) -> Result<Vec<MetricScreening>, Failure> {
    let levels = usize::try_from(spec.levels).unwrap_or(usize::MAX);
    let metrics = metric_indices(&spec.metrics)?;
    let ranges: Vec<RangeSpec> = spec.ranges.iter().map(|s| design::parse_range(s)).collect::<Result<_, _>>().map_err(Failure::usage)?;
    let sel = morris::select_factors(&base.resolved, &spec.params, &spec.exclude, &ranges, spec.spread).map_err(Failure::usage)?;
    let k = sel.factors.len();
    let r = spec.trajectories as usize;
    let design = morris::morris_design(k, r, levels, plan.master_seed).map_err(Failure::usage)?;
    let realised = design.map(|i, u| sel.factors[i].realised(u));
    let screenings: Vec<MetricScreening> = metrics
        .iter()
        .map(|&m| {
            let y: Vec<f64> = horizon(sums, m).map(|x| x.mean).collect();
            let sds: Vec<f64> = horizon(sums, m).map(|x| x.sd).collect();
            let mut s = MetricScreening::new(METRICS[m].name, METRICS[m].unit, &realised, k, &y);
            s.noise = morris::noise_mu_star(&sds, plan.replications, design.delta);
            s
        })
        .collect();
    let command = canonical_command(spec, plan);
    let rep = Report {
        command: &command,
        scenario: &base.name,
        trajectories: r,
        levels,
        delta: design.delta,
        points: design.n_points(),
        replications: plan.replications,
        seed: plan.master_seed,
        spread: spec.spread,
        top: spec.top as usize,
    };
    let files: [(&str, Vec<u8>); 4] = [
        (FILES[0], morris::sensitivity_csv(&sel.factors, &screenings)),
        (FILES[1], morris::markdown(&rep, &sel, &screenings).into_bytes()),
        (FILES[2], morris::design_csv(&realised, &sel.factors)),
        (FILES[3], morris::ranges_csv(&sel.factors)),
    ];
    add_files(path, &files, Some(("sensitivity", serde_json::to_value(spec).map_err(|e| Failure::runtime(e.to_string()))?)))?;
    Ok(screenings)
}

/// The command that reproduces the data files (without the options that do not
/// change them: threads, output folder, progress, charts), for sensitivity.md, which
/// must not differ between thread counts or folders.
fn canonical_command(a: &Spec, plan: &Plan) -> String {
    let q = |s: &str| if s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/,=:[]*".contains(c)) && !s.is_empty() { s.to_string() } else { format!("'{}'", s.replace('\'', "'\\''")) };
    let mut c = format!("csmarket sensitivity {} --method morris", q(&a.scenario));
    if !a.params.is_empty() {
        c.push_str(&format!(" --params {}", q(&a.params.join(","))));
    }
    if !a.exclude.is_empty() {
        c.push_str(&format!(" --exclude {}", q(&a.exclude.join(","))));
    }
    for r in &a.ranges {
        c.push_str(&format!(" --range {}", q(r)));
    }
    if !a.metrics.is_empty() {
        c.push_str(&format!(" --metrics {}", q(&a.metrics.join(","))));
    }
    c.push_str(&format!(" --trajectories {} --levels {} --spread {} --replications {} --seed {}", a.trajectories, a.levels, a.spread, plan.replications, plan.master_seed));
    if a.top != 10 {
        c.push_str(&format!(" --top {}", a.top));
    }
    if plan.keep_replications {
        c.push_str(" --keep-replications");
    }
    c
}

/// Each point's summary over replications of metric `m` at the horizon (the mean is
/// sweep.csv's `mean`).
fn horizon(sums: &[ScenarioSummary], m: usize) -> impl Iterator<Item = &Summary> {
    sums.iter().map(move |s| &s.national[(s.steps - 1) * N_METRICS + m])
}

/// What would run, and an estimate of the time it takes.
fn dry_run(plan: &Plan, sel: &Selection, headline: &str, threads: usize) {
    say(headline);
    say("parameter, range_low, range_high, default, unit, rule");
    for f in &sel.factors {
        say(&format!("  {}, {}, {}, {}, {}, {}", f.path, crate::io::output::num(f.low), crate::io::output::num(f.high), crate::io::output::num(f.value), f.unit, f.rule));
    }
    for n in &sel.notes {
        say(&format!("note: {n}"));
    }
    say(&format!("not screened: {} parameter(s) (listed in sensitivity.md)", sel.excluded.len()));
    let units = plan.units();
    let t = Instant::now();
    let _ = plan.run_unit(units[0]);
    let secs = t.elapsed().as_secs_f64();
    say(&format!("work units: {} ({} point(s) x {} replication(s))", units.len(), plan.scenarios.len(), plan.replication_range().len()));
    say(&format!("estimated time per unit: {:.1} ms on one thread (measured on this machine with unit {})", secs * 1e3, units[0].id));
    say(&format!(
        "estimated total: {:.1} core-seconds for {} units, about {:.0} s on {threads} thread(s) plus writing the outputs",
        secs * units.len() as f64,
        units.len(),
        secs * units.len() as f64 / threads as f64
    ));
}

/// Write files into a sealed folder and add them to its manifest's file list (name,
/// bytes, SHA-256), keeping everything else in the manifest as it was. Each file and
/// then the manifest are written under a temporary name and renamed.
pub fn add_files(dir: &Path, files: &[(&str, Vec<u8>)], extra: Option<(&str, Value)>) -> Result<(), Failure> {
    let io = |what: &Path, e: std::io::Error| Failure::runtime(format!("writing {}: {e}", what.display()));
    let mpath = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&mpath).map_err(|e| Failure::runtime(format!("reading {}: {e}", mpath.display())))?;
    let mut m: Value = serde_json::from_str(&text).map_err(|e| Failure::integrity(format!("{}: not a valid manifest: {e}", mpath.display())))?;
    let mut entries: Vec<FileEntry> = serde_json::from_value(m.get("files").cloned().unwrap_or(Value::Array(Vec::new())))
        .map_err(|e| Failure::integrity(format!("{}: bad file list: {e}", mpath.display())))?;
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, bytes).map_err(|e| io(&path, e))?;
        let (sha256, n) = hash_file(&path)?;
        entries.retain(|e| e.name != *name);
        entries.push(FileEntry { name: name.to_string(), bytes: n, sha256 });
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    m["files"] = serde_json::to_value(&entries).map_err(|e| Failure::runtime(e.to_string()))?;
    if let Some((key, value)) = extra {
        m[key] = value;
    }
    let text = serde_json::to_string_pretty(&m).map_err(|e| Failure::runtime(e.to_string()))? + "\n";
    write_atomic(&mpath, text.as_bytes()).map_err(|e| io(&mpath, e))
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!("{name}.tmp"));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
