//! `csmarket sweep`: one scenario over a grid or a sample of parameter values.

use super::job::{execute, CommonArgs};
use super::{say, Failure, Outcome};
use crate::experiment::design::{self, RangeSpec, SetSpec};
use crate::experiment::Plan;
use crate::io::scenario;
use clap::{Args, ValueEnum};

/// Most points a sweep may have: every point holds its own resolved configuration
/// (tens of kilobytes) while the sweep runs. Larger studies split into several sweeps.
pub const MAX_POINTS: u64 = 20_000;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Design {
    /// Full factorial over every --set
    Grid,
    /// Latin hypercube of --samples points over every --range
    Lhs,
    /// Independent uniform samples over every --range
    Random,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The scenario to vary (built-in name or file)
    #[arg(default_value = "baseline")]
    pub scenario: String,
    /// A parameter and its values: path=v1,v2,... or path=lo..hi:step (grid design; repeatable)
    #[arg(long = "set", value_name = "PATH=VALUES")]
    pub sets: Vec<String>,
    /// Sweep design
    #[arg(long, value_enum, default_value_t = Design::Grid)]
    pub design: Design,
    /// Number of points (lhs and random designs)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub samples: Option<u64>,
    /// A parameter and its range: path=lo..hi (lhs and random designs; repeatable)
    #[arg(long = "range", value_name = "PATH=LO..HI")]
    pub ranges: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

pub fn sweep(a: SweepArgs) -> Outcome {
    let base = scenario::load(&a.scenario)?;
    let (params, points) = match a.design {
        Design::Grid => {
            if a.sets.is_empty() || !a.ranges.is_empty() || a.samples.is_some() {
                return Err(Failure::usage("a grid sweep needs one or more --set path=values (and no --range or --samples)"));
            }
            let sets: Vec<SetSpec> = a.sets.iter().map(|s| design::parse_set(s)).collect::<Result<_, _>>().map_err(Failure::usage)?;
            // size the grid before building it
            let n = sets.iter().try_fold(1u64, |acc, s| acc.checked_mul(s.values.len() as u64)).unwrap_or(u64::MAX);
            if n > MAX_POINTS {
                return Err(Failure::usage(format!("the --set values make {n} grid points; allowed: at most {MAX_POINTS} (split the sweep into several)")));
            }
            (sets.iter().map(|s| s.path.clone()).collect::<Vec<_>>(), design::grid(&sets))
        }
        Design::Lhs | Design::Random => {
            let Some(samples) = a.samples else {
                return Err(Failure::usage("--design lhs and --design random need --samples M"));
            };
            if samples > MAX_POINTS {
                return Err(Failure::usage(format!("--samples {samples}: allowed: at most {MAX_POINTS} points (split the sweep into several)")));
            }
            if a.ranges.is_empty() || !a.sets.is_empty() {
                return Err(Failure::usage("--design lhs and --design random need one or more --range path=lo..hi (and no --set)"));
            }
            let ranges: Vec<RangeSpec> = a.ranges.iter().map(|s| design::parse_range(s)).collect::<Result<_, _>>().map_err(Failure::usage)?;
            let pts = if a.design == Design::Lhs { design::lhs(&ranges, samples as usize, a.common.seed) } else { design::random(&ranges, samples as usize, a.common.seed) };
            (ranges.iter().map(|r| r.path.clone()).collect(), pts)
        }
    };
    for (k, p) in params.iter().enumerate() {
        if params[..k].contains(p) {
            return Err(Failure::usage(format!("{p} is swept twice")));
        }
    }
    let label = format!("{}_sweep", base.name);
    let plan = Plan::sweep(base, params, points, a.common.seed, a.common.replications, a.common.keep_replications).map_err(Failure::usage)?;
    let Some(done) = execute(&plan, &a.common, &label)? else { return Ok(()) };
    if done.summaries.is_some() {
        if !a.common.no_plots {
            super::draw_charts(&done.path, a.common.quiet);
        }
        say(&format!("Swept {} point(s) x {} replication(s). Wrote {} (points.csv, sweep.csv, summary.csv).", plan.points.len(), plan.replications, done.path.display()));
    } else {
        say(&format!("Wrote part {} (merge the parts with `csmarket merge`).", done.path.display()));
    }
    Ok(())
}
