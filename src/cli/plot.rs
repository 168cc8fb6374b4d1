//! `csmarket plot DIR`: (re)draw the charts of an output folder from its CSV files.

use super::{note, say, Failure, Outcome};
use crate::plot::{self as charts, InputError, PlotOptions};
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// An output folder written by `csmarket run`, `compare` or `sweep`
    pub dir: PathBuf,
    /// Chart width in pixels (before --scale)
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Chart height in pixels (before --scale)
    #[arg(long, default_value_t = 1000)]
    pub height: u32,
    /// Multiply width, height, font sizes and line widths (e.g. 2 for print)
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn plot(a: PlotArgs) -> Outcome {
    let opts = PlotOptions { width: a.width, height: a.height, scale: a.scale };
    opts.check().map_err(|e| Failure::usage(e.to_string()))?;
    let done = charts::render(&a.dir, &opts).map_err(|e| match e.downcast_ref::<InputError>() {
        Some(i) => Failure::usage(i.to_string()),
        None => Failure::from(e),
    })?;
    if !a.quiet {
        for s in &done.notes {
            note(&format!("note: {s}"));
        }
        let n = done.files.iter().filter(|f| f.ends_with(".png")).count();
        let (w, h) = opts.pixels();
        say(&format!(
            "Drew {n} charts ({w}x{h} PNG and SVG, each with the CSV of its numbers) in {}; {} lists them.",
            a.dir.join(charts::CHARTS_DIR).display(),
            a.dir.join(charts::CHARTS_DIR).join(charts::INDEX).display()
        ));
    }
    Ok(())
}
