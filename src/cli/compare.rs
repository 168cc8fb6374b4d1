//! `csmarket compare`: several scenarios on the same replication seeds.

use super::job::{execute, CommonArgs};
use super::{say, Failure, Outcome};
use crate::experiment::{JobKind, Plan};
use crate::io::scenario;
use clap::Args;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Scenarios to compare (built-in names or files); the first is the reference for differences
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Separate seeds per scenario instead of common random numbers (to see what CRN buys)
    #[arg(long)]
    pub independent: bool,
}

/// Give repeated names a suffix `_2`, `_3`, ... in order.
pub fn unique_names(names: &mut [String]) {
    let originals = names.to_vec();
    for k in 0..names.len() {
        let count = originals[..k].iter().filter(|n| **n == originals[k]).count();
        if count > 0 {
            names[k] = format!("{}_{}", originals[k], count + 1);
        }
    }
}

pub fn compare(a: CompareArgs) -> Outcome {
    let mut scenarios = Vec::new();
    for s in &a.scenarios {
        scenarios.push(scenario::load(s)?);
    }
    let mut names: Vec<String> = scenarios.iter().map(|s| s.name.clone()).collect();
    unique_names(&mut names);
    for (s, n) in scenarios.iter_mut().zip(names) {
        s.name = n;
    }
    let t0 = &scenarios[0].config.time;
    for s in &scenarios[1..] {
        let t = &s.config.time;
        if t.start_year != t0.start_year || t.years != t0.years || t.steps_per_year != t0.steps_per_year {
            return Err(Failure::usage(format!(
                "{} ({}): its time settings differ from {}'s; compared scenarios must share time.start_year, time.years and time.steps_per_year",
                s.name, s.source, scenarios[0].name
            )));
        }
    }
    let plan = Plan {
        kind: JobKind::Compare,
        scenarios, base: None,
        params: Vec::new(),
        points: Vec::new(),
        master_seed: a.common.seed,
        replications: a.common.replications,
        only_replication: None,
        keep_replications: a.common.keep_replications,
        independent: a.independent,
    };
    let Some(done) = execute(&plan, &a.common, "compare")? else { return Ok(()) };
    if done.summaries.is_some() {
        if !a.common.no_plots {
            super::draw_charts(&done.path, a.common.quiet);
        }
        if let Ok(md) = std::fs::read_to_string(done.path.join("comparison.md")) {
            // the table part of the report
            for line in md.lines().skip(2).take_while(|l| !l.starts_with("## ")) {
                say(line);
            }
        }
        say(&format!("Wrote {} (comparison.md, comparison.csv, differences.csv; manifest.json lists every file).", done.path.display()));
    } else {
        say(&format!("Wrote part {} (merge the parts with `csmarket merge`).", done.path.display()));
    }
    Ok(())
}
