//! `csmarket run`: one scenario, one or many replications.

use super::job::{execute, CommonArgs};
use super::{note, say, Failure, Outcome};
use crate::experiment::{JobKind, Plan, ScenarioSummary};
use crate::io::scenario;
use crate::model::metrics::{METRICS, N_METRICS};
use clap::Args;

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

pub fn run(a: RunArgs) -> Outcome {
    let sc = scenario::load(&a.scenario)?;
    if let Some(k) = a.replication {
        if a.common.replications > 1 && k >= a.common.replications {
            return Err(Failure::usage(format!("--replication {k} is not below --replications {}", a.common.replications)));
        }
    }
    let plan = Plan {
        kind: JobKind::Run,
        scenarios: vec![sc], base: None,
        params: Vec::new(),
        points: Vec::new(),
        master_seed: a.common.seed,
        replications: a.common.replications,
        only_replication: a.replication,
        keep_replications: a.common.keep_replications,
        independent: false,
    };
    let label = plan.scenarios[0].name.clone();
    let Some(done) = execute(&plan, &a.common, &label)? else { return Ok(()) };
    match &done.summaries {
        Some(sums) => {
            print_summary(&plan, &sums[0]);
            if !a.common.no_plots {
                super::draw_charts(&done.path, a.common.quiet);
            }
            say(&format!("Wrote {} (manifest.json lists every file with its checksum).", done.path.display()));
        }
        None => say(&format!("Wrote part {} (merge the parts with `csmarket merge`).", done.path.display())),
    }
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

/// A number for the terminal: 3 decimals, or whole for large values.
pub fn fmt(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x.abs() >= 1000.0 {
        format!("{:.0}", x)
    } else {
        format!("{:.3}", x)
    }
}
