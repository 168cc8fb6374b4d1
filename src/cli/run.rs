//! `csmarket run`: one scenario, one or many replications.

use super::progress::{stop_flag, Progress};
use super::{note, outputs_base, say, Failure, Outcome, DEFAULT_SEED};
use crate::experiment::{JobKind, Plan, ScenarioSummary, UnitResult};
use crate::io::output::{default_path, OutputDir};
use crate::io::{results, scenario};
use crate::model::metrics::{METRICS, N_METRICS};
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Options shared by every command that runs replications.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Master seed; replication k of every scenario uses the seed derived from (seed, k)
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Number of replications (run in parallel)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: u64,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Output folder (default: a new folder under outputs/)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it already exists
    #[arg(long)]
    pub force: bool,
    /// Also write every replication's series, events and agent tables (not just replication 0's)
    #[arg(long)]
    pub keep_replications: bool,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// A built-in scenario name (every file in configs/, e.g. baseline) or a path to a scenario file
    #[arg(default_value = "baseline")]
    pub scenario: String,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Run only replication K (0-based); gives the same rows as replication K of a larger run
    #[arg(long, value_name = "K")]
    pub replication: Option<u64>,
}

/// The manifest's description of a job (everything but the files).
pub fn manifest_head(plan: &Plan, threads: usize) -> Value {
    let scenarios: Vec<Value> = plan
        .scenarios
        .iter()
        .map(|s| json!({"name": s.name, "source": s.source, "description": s.description, "config": s.resolved}))
        .collect();
    let mut m = json!({
        "tool": "csmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": env!("CSMARKET_GIT_COMMIT"),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "created": humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        "kind": plan.kind,
        "master_seed": plan.master_seed,
        "replications": plan.replications,
        "replication": plan.only_replication,
        "keep_replications": plan.keep_replications,
        "independent": plan.independent,
        "shard": Value::Null,
        "threads": threads,
        "units": plan.units().len(),
        "scenarios": scenarios,
    });
    if plan.kind == JobKind::Sweep {
        m["sweep"] = json!({"params": plan.params, "points": plan.points});
    }
    m
}

/// Run a plan into a folder: create it, run the units, write the results and seal it.
pub fn execute(plan: &Plan, common: &CommonArgs, label: &str) -> Result<(PathBuf, Vec<ScenarioSummary>, Vec<UnitResult>), Failure> {
    let path = common.out.clone().unwrap_or_else(|| default_path(&outputs_base(), label));
    let mut dir = OutputDir::create(&path, common.force).map_err(|e| {
        if path.exists() && !common.force {
            Failure::usage(format!("{e:#}"))
        } else {
            Failure::from(e)
        }
    })?;
    let units = plan.units();
    let threads = common.threads.map(|t| t as usize).unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let progress = Progress::new(units.len() as u64, label, common.quiet);
    let stop = stop_flag();
    let results = plan.run_units(&units, threads, stop, &|| progress.tick());
    progress.finish();
    let results = results.map_err(|i| {
        Failure::interrupted(format!("interrupted after {} of {} replications; {} is incomplete (it has no manifest.json)", i.done, units.len(), path.display()))
    })?;
    let sums = results::write_results(&mut dir, plan, &results)?;
    dir.seal(manifest_head(plan, threads))?;
    Ok((path, sums, results))
}

pub fn run(a: RunArgs) -> Outcome {
    let sc = scenario::load(&a.scenario)?;
    if let Some(k) = a.replication {
        if a.common.replications > 1 && k >= a.common.replications {
            return Err(Failure::usage(format!("--replication {k} is not below --replications {}", a.common.replications)));
        }
    }
    let plan = Plan {
        kind: JobKind::Run,
        scenarios: vec![sc],
        params: Vec::new(),
        points: Vec::new(),
        master_seed: a.common.seed,
        replications: a.common.replications,
        only_replication: a.replication,
        keep_replications: a.common.keep_replications,
        independent: false,
    };
    let label = plan.scenarios[0].name.clone();
    let (path, sums, _) = execute(&plan, &a.common, &label)?;
    print_summary(&plan, &sums[0]);
    say(&format!("Wrote {} (manifest.json lists every file with its checksum).", path.display()));
    Ok(())
}

/// Headline metrics at the start and at the horizon.
fn print_summary(plan: &Plan, s: &ScenarioSummary) {
    let sc = &plan.scenarios[0];
    let cfg = &sc.config;
    let n = plan.replication_range().len();
    let reps = match plan.only_replication {
        Some(k) => format!("replication {k}"),
        None if n == 1 => "1 replication".into(),
        None => format!("{n} replications (mean, 95% CI)"),
    };
    say(&format!(
        "csmarket {}: scenario {}, seed {}, {reps}, {} steps of {} per year, {} to {}",
        env!("CARGO_PKG_VERSION"),
        sc.name,
        plan.master_seed,
        cfg.steps(),
        cfg.time.steps_per_year,
        cfg.year_at(0),
        cfg.year_at(cfg.steps())
    ));
    let last = s.steps - 1;
    let cell = |x: &crate::experiment::stats::Summary| -> String {
        if x.n == 0 {
            "-".into()
        } else if n > 1 && x.n > 1 {
            format!("{} [{}, {}]", fmt(x.mean), fmt(x.ci_low), fmt(x.ci_high))
        } else {
            fmt(x.mean)
        }
    };
    let rows: Vec<[String; 4]> = METRICS
        .iter()
        .enumerate()
        .filter(|(_, m)| m.headline)
        .map(|(k, m)| [m.name.to_string(), cell(&s.national[k]), cell(&s.national[last * N_METRICS + k]), m.unit.to_string()])
        .collect();
    let y0 = format!("{}", cfg.year_at(0));
    let y1 = format!("{}", cfg.year_at(cfg.steps()));
    super::info::table(&["metric", &y0, &y1, "unit"], &rows);
    if n == 1 {
        note("(one replication: run with --replications 100 for means and confidence intervals)");
    }
}

/// A number for the terminal: 3 significant decimals, or whole for large values.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 1000.0 {
        format!("{:.0}", x)
    } else {
        format!("{:.3}", x)
    }
}
