//! The `csmarket` command line: parse and check every flag into a plan first, then do
//! the work. Errors are typed here and turned into messages and exit codes:
//! 0 success, 1 runtime failure, 2 usage or input error, 3 integrity failure,
//! 130 interrupted.

mod compare;
mod info;
mod job;
mod merge;
mod plot;
mod progress;
mod run;
mod sensitivity;
mod sweep;
mod verify;
mod validate;

use clap::{Parser, Subcommand};
use std::fmt;
use std::io::Write;
use std::path::PathBuf;

/// The default master seed: 1 April 2013, when CCGs and CSUs went live.
pub const DEFAULT_SEED: u64 = 20130401;

#[derive(Parser, Debug)]
#[command(
    name = "csmarket",
    version,
    about = "Agent-based simulation of buyer and supplier power in the English NHS commissioning support market",
    long_about = "Agent-based simulation of buyer and supplier power in the English NHS commissioning support market: \
                  clinical commissioning groups (CCGs) buying commissioning support from CSUs, other providers, \
                  their own teams and each other, under the centre's policies.\n\n\
                  Start with `csmarket run` (the built-in baseline scenario), then `csmarket show baseline`, \
                  `csmarket params` and `csmarket metrics` to see what can be changed and what is measured.",
    after_help = "Exit codes: 0 success, 1 runtime failure, 2 usage or input error, 3 integrity failure, 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario: one replication, or many in parallel with --replications
    Run(run::RunArgs),
    /// Compare scenarios on common random numbers: paired differences with confidence intervals
    Compare(compare::CompareArgs),
    /// Run a scenario over a grid, Latin hypercube or random sample of parameter values
    Sweep(sweep::SweepArgs),
    /// Rank parameters by their influence on the headline metrics (Morris elementary effects)
    Sensitivity(sensitivity::SensitivityArgs),
    /// Merge the parts written by --shard runs into one result, byte for byte as one run
    Merge(merge::MergeArgs),
    /// Re-run the job recorded in a manifest.json and check the data files are identical
    Replay(merge::ReplayArgs),
    /// Draw (or redraw) the charts of an output folder from its CSV files into DIR/charts/
    Plot(plot::PlotArgs),
    /// Recheck every file of an output folder against its manifest's checksums
    Verify(verify::VerifyArgs),
    /// Test the brief's qualitative expectations, each with the experiment that isolates it
    Validate(validate::ValidateArgs),
    /// Print the parameter registry: every parameter's path, default, range, unit and description
    Params(info::ParamsArgs),
    /// Print the metrics recorded every step, with units and when they can be undefined
    Metrics(info::MetricsArgs),
    /// Print a scenario's fully resolved configuration, or what differs from the baseline
    Show(info::ShowArgs),
}

/// A failure with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn usage(msg: impl Into<String>) -> Self {
        Failure { code: 2, message: msg.into() }
    }
    pub fn runtime(msg: impl Into<String>) -> Self {
        Failure { code: 1, message: msg.into() }
    }
    pub fn integrity(msg: impl Into<String>) -> Self {
        Failure { code: 3, message: msg.into() }
    }
    pub fn interrupted(msg: impl Into<String>) -> Self {
        Failure { code: 130, message: msg.into() }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        Failure::usage(e.to_string())
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        // "writing X: No space left on device (os error 28)"
        Failure::runtime(format!("{e:#}"))
    }
}

pub type Outcome = Result<(), Failure>;

/// Print a line on stdout; a closed pipe (e.g. `| head`) ends the program quietly.
pub fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// `n` and a noun, singular or plural: `1 data file`, `3 charts`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// A line on stderr (progress and notes), never failing.
pub fn note(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// Draw the charts of a finished folder. Charts are derived files: a failure is
/// reported (and `csmarket plot DIR` can retry) but does not undo the data files.
pub fn draw_charts(dir: &std::path::Path, quiet: bool) {
    match crate::plot::render(dir, &crate::plot::PlotOptions::default()) {
        Ok(done) => {
            if !quiet {
                for s in &done.notes {
                    note(&format!("note: {s}"));
                }
            }
        }
        Err(e) => note(&format!("warning: charts were not drawn ({e:#}); the data files are complete; retry with `csmarket plot {}`", dir.display())),
    }
}

/// The folder outputs go under by default.
pub fn outputs_base() -> PathBuf {
    PathBuf::from("outputs")
}

/// Entry point of the binary: parse, run, report; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 2,
            };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Run(a) => run::run(a),
        Command::Compare(a) => compare::compare(a),
        Command::Sweep(a) => sweep::sweep(a),
        Command::Sensitivity(a) => sensitivity::sensitivity(a),
        Command::Merge(a) => merge::merge(a),
        Command::Replay(a) => merge::replay(a),
        Command::Plot(a) => plot::plot(a),
        Command::Verify(a) => verify::verify(a),
        Command::Validate(a) => validate::validate(a),
        Command::Params(a) => info::params(a),
        Command::Metrics(a) => info::metrics(a),
        Command::Show(a) => info::show(a),
    };
    match result {
        Ok(()) => 0,
        Err(f) => {
            note(&format!("error: {}", f.message));
            f.code
        }
    }
}
