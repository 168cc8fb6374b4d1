//! Charts drawn from a written output folder. Only the files are read, so a finished
//! folder can be redrawn, restyled or resized without re-running the simulation.
//!
//! Every chart is written to `DIR/charts/` as PNG and SVG (real text), beside the CSV of
//! exactly the numbers it draws, and listed with a caption in `charts/index.md`. The
//! manifest's `charts` array is updated when the folder has a manifest. Charts are drawn
//! in memory and written under a temporary name then renamed, so a failure never leaves
//! a half-written file.
//!
//! The chart set (each drawn only when its input files are there):
//! - [`series`]: headline metrics over time, one line and 95% band per scenario;
//! - [`stacked`]: provision mix and Cox power regimes over time, one panel per scenario,
//!   and the provision mix per service line;
//! - [`forest`]: paired differences from the first scenario at the horizon (compare);
//! - [`sweep`]: a headline metric against the swept parameter, or a heat map over two
//!   (parameters held at one value are stated in the subtitle, not drawn as axes);
//! - [`landscape`]: suppliers' capability and market share at the horizon (replication 0).
//! - [`sensitivity`]: Morris screening, the most influential parameters per metric
//!   (from `sensitivity.csv`; replaces the per-parameter sweep charts there).

mod canvas;
mod data;
mod font;
mod forest;
mod landscape;
mod sensitivity;
mod series;
mod stacked;
mod style;
mod sweep;
mod text;

use crate::io::output::{sha256_hex, ChartEntry, MANIFEST};
use anyhow::{anyhow, Context, Result};
use canvas::{Area, DResult, Figure, Frame};
use data::Outputs;
use plotters::prelude::DrawingBackend;
use rayon::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use style::Theme;

/// The folder charts are written to, inside an output folder.
pub const CHARTS_DIR: &str = "charts";
/// The list of charts with captions.
pub const INDEX: &str = "index.md";

/// How charts are drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    /// Width in pixels before scaling (PNG width, SVG viewport width).
    pub width: u32,
    /// Height in pixels before scaling.
    pub height: u32,
    /// Multiplies width, height, font sizes and line widths (2 for print).
    pub scale: f64,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions { width: 1600, height: 1000, scale: 1.0 }
    }
}

impl PlotOptions {
    /// The drawn size in pixels.
    pub fn pixels(&self) -> (u32, u32) {
        ((self.width as f64 * self.scale).round() as u32, (self.height as f64 * self.scale).round() as u32)
    }

    /// Check the options: a figure between 200x150 and 16384x16384 pixels.
    pub fn check(&self) -> Result<(), InputError> {
        if !(self.scale.is_finite() && self.scale > 0.0 && self.scale <= 16.0) {
            return Err(InputError::Options(format!("--scale {} is not between 0 and 16", self.scale)));
        }
        let (w, h) = self.pixels();
        if !(200..=16384).contains(&w) || !(150..=16384).contains(&h) {
            return Err(InputError::Options(format!(
                "a chart of {w}x{h} pixels (--width {} --height {} --scale {}) is outside 200x150 to 16384x16384",
                self.width, self.height, self.scale
            )));
        }
        Ok(())
    }
}

/// Problems with the folder or the options (the user's input), as opposed to failures
/// while drawing or writing.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{}: no such folder", .0.display())]
    NoFolder(PathBuf),
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("{}: nothing to plot: looked for {looked_for} (written by `csmarket run`, `compare` or `sweep`)", dir.display())]
    NoOutputs { dir: PathBuf, looked_for: String },
    #[error("{}: {message}", path.display())]
    BadFile { path: PathBuf, message: String },
    #[error("{0}")]
    Options(String),
}

/// What a call to [`render`] did.
#[derive(Debug, Clone, Default)]
pub struct Plotted {
    /// Files written, relative to the folder (`charts/quality_mean.png`, ...), sorted.
    pub files: Vec<String>,
    /// Charts not drawn (or drawn in part) and why.
    pub notes: Vec<String>,
}

/// Draw every chart that fits the outputs in `dir` into `dir/charts/`; returns the files
/// written (PNG, SVG, CSV companions and `index.md`), relative to `dir`, sorted.
pub fn plot_dir(dir: &Path, opts: &PlotOptions) -> Result<Vec<String>> {
    render(dir, opts).map(|p| p.files)
}

/// [`plot_dir`], also reporting the charts that were skipped and why.
pub fn render(dir: &Path, opts: &PlotOptions) -> Result<Plotted> {
    opts.check()?;
    if !dir.exists() {
        return Err(InputError::NoFolder(dir.to_path_buf()).into());
    }
    if !dir.is_dir() {
        return Err(InputError::NotAFolder(dir.to_path_buf()).into());
    }
    if !data::INPUTS.iter().any(|f| dir.join(f).is_file()) {
        return Err(InputError::NoOutputs { dir: dir.to_path_buf(), looked_for: data::INPUTS.join(", ") }.into());
    }
    font::ensure()?;
    let out = data::load(dir)?;
    let mut skipped = Vec::new();
    let mut charts = charts(&out, &mut skipped);
    sensitivity::add(dir, &out, &mut charts, &mut skipped)?;
    for c in &mut charts {
        let described = descriptions_footer(&out, c.scenario.as_deref());
        c.frame.footer.extend(described);
    }
    if charts.is_empty() {
        return Err(InputError::NoOutputs {
            dir: dir.to_path_buf(),
            looked_for: format!("{} with the metrics the charts draw ({})", data::INPUTS.join(", "), skipped.join("; ")),
        }
        .into());
    }
    let th = Theme::new(opts.width, opts.height, opts.scale);
    debug_assert_eq!((th.width, th.height), opts.pixels());
    let drawn: Vec<Result<Drawn>> = charts.par_iter().map(|c| draw(c, &th).with_context(|| format!("drawing chart {}", c.stem))).collect();
    let drawn: Vec<Drawn> = drawn.into_iter().collect::<Result<_>>()?;
    let files = write(dir, &charts, drawn, &out.meta.scenarios)?;
    Ok(Plotted { files, notes: skipped })
}

/// The charts that fit the outputs, in index order.
fn charts(out: &Outputs, skipped: &mut Vec<String>) -> Vec<Chart> {
    let mut v = Vec::new();
    v.extend(series::charts(out, skipped));
    v.extend(stacked::provision_mix(out, skipped));
    v.extend(stacked::power_regimes(out, skipped));
    v.extend(forest::charts(out, skipped));
    v.extend(sweep::charts(out, skipped));
    v.extend(landscape::charts(out, skipped));
    v.extend(stacked::by_line(out, skipped));
    v
}

/// One chart: where it goes, what it says, the numbers it draws and how.
pub(crate) struct Chart {
    /// The one scenario drawn, when the chart shows only one of the folder's scenarios.
    pub scenario: Option<String>,
    /// File stem in `charts/`.
    pub stem: String,
    /// One line for `index.md`.
    pub caption: String,
    pub frame: Frame,
    pub table: Table,
    pub body: Body,
}

pub(crate) enum Body {
    Series(series::Body),
    Stacked(stacked::Body),
    Forest(forest::Body),
    Sweep(sweep::Body),
    Landscape(landscape::Body),
    Sensitivity(sensitivity::Body),
}

impl Figure for Chart {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, th: &Theme) -> DResult<DB> {
        let body = canvas::frame(root, th, &self.frame)?;
        match &self.body {
            Body::Series(b) => series::draw(&body, th, b),
            Body::Stacked(b) => stacked::draw(&body, th, b),
            Body::Forest(b) => forest::draw(&body, th, b),
            Body::Sweep(b) => sweep::draw(&body, th, b),
            Body::Landscape(b) => landscape::draw(&body, th, b),
            Body::Sensitivity(b) => sensitivity::draw(&body, th, b),
        }
    }
}

/// The CSV beside a chart: exactly the numbers it draws.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Table {
        Table { header: header.iter().map(|s| s.to_string()).collect(), rows: Vec::new() }
    }
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }
    fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&self.header)?;
        for r in &self.rows {
            w.write_record(r)?;
        }
        w.into_inner().map_err(|e| anyhow!("{e}"))
    }
}

/// A number as CSV text (shortest round-trip form, undefined as an empty cell).
pub(crate) fn num(x: f64) -> String {
    crate::io::output::num(x)
}

struct Drawn {
    png: Vec<u8>,
    svg: String,
    csv: Vec<u8>,
}

fn draw(c: &Chart, th: &Theme) -> Result<Drawn> {
    let png = canvas::png(th, c)?;
    let svg = canvas::svg(th, c)?;
    let csv = c.table.to_bytes()?;
    Ok(Drawn { png, svg, csv })
}

/// Write a file under a temporary name in the same folder, then rename it; the
/// temporary file is removed if anything fails.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("chart");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    let result = (|| -> Result<()> {
        use std::io::Write;
        let mut f = fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes).and_then(|_| f.sync_all()).with_context(|| format!("writing {}", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Write the charts, their CSVs and the index; update the manifest when there is one.
fn write(dir: &Path, charts: &[Chart], drawn: Vec<Drawn>, scenarios: &[(String, String)]) -> Result<Vec<String>> {
    let cdir = dir.join(CHARTS_DIR);
    fs::create_dir_all(&cdir).with_context(|| format!("creating {}", cdir.display()))?;
    let mut entries: Vec<ChartEntry> = Vec::new();
    let mut put = |name: String, bytes: &[u8]| -> Result<()> {
        write_atomic(&cdir.join(&name), bytes)?;
        entries.push(ChartEntry { name: format!("{CHARTS_DIR}/{name}"), sha256: sha256_hex(bytes) });
        Ok(())
    };
    for (c, d) in charts.iter().zip(drawn) {
        let named = |r: Result<()>| r.with_context(|| format!("writing chart {}", c.stem));
        named(put(format!("{}.png", c.stem), &d.png))?;
        named(put(format!("{}.svg", c.stem), d.svg.as_bytes()))?;
        named(put(format!("{}.csv", c.stem), &d.csv))?;
    }
    put(INDEX.to_string(), index(charts, scenarios).as_bytes())?;
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    update_manifest(dir, &entries)?;
    Ok(entries.into_iter().map(|e| e.name).collect())
}

/// At most this many scenario descriptions are written under each chart; more would
/// crowd the plot, and `index.md` lists them all.
const DESCRIBED_MAX: usize = 4;

/// Footer lines that say what each scenario drawn encodes (its `description`): `only`
/// one, or all in the folder.
fn descriptions_footer(out: &Outputs, only: Option<&str>) -> Vec<String> {
    let described: Vec<&(String, String)> = out.meta.scenarios.iter().filter(|(n, d)| !d.is_empty() && only.is_none_or(|o| o == n)).collect();
    match described.len() {
        0 => Vec::new(),
        n if n <= DESCRIBED_MAX => described.iter().map(|(name, d)| format!("{name}: {d}")).collect(),
        n => vec![format!("What each of the {n} scenarios encodes is listed in index.md beside this chart.")],
    }
}

/// `charts/index.md`: the scenarios with their descriptions, then each chart with its caption.
fn index(charts: &[Chart], scenarios: &[(String, String)]) -> String {
    let mut s = String::from("# Charts\n\n");
    s.push_str("Drawn by `csmarket plot` from the CSV files in this folder (run it again to redraw, restyle or resize them). ");
    s.push_str("Each chart is here as PNG and SVG, with the CSV of exactly the numbers it draws.\n\n");
    if !scenarios.is_empty() {
        s.push_str("| scenario | description |\n| --- | --- |\n");
        for (name, d) in scenarios {
            s.push_str(&format!("| {} | {} |\n", name.replace('|', "\\|"), d.replace('|', "\\|").replace('\n', " ")));
        }
        s.push('\n');
    }
    s.push_str("| file | caption |\n| --- | --- |\n");
    for c in charts {
        let cap = c.caption.replace('|', "\\|");
        s.push_str(&format!("| [{0}.png]({0}.png) ([svg]({0}.svg), [csv]({0}.csv)) | {cap} |\n", c.stem));
    }
    s
}

/// Replace the manifest's `charts` array (every other field kept as it was) and remove
/// charts it listed that were not drawn this time. No manifest: nothing to do.
fn update_manifest(dir: &Path, entries: &[ChartEntry]) -> Result<()> {
    let path = dir.join(MANIFEST);
    if !path.is_file() {
        return Ok(());
    }
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut m: Value = serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    let obj = m.as_object_mut().ok_or_else(|| anyhow!("{} is not a JSON object", path.display()))?;
    if let Some(old) = obj.get("charts").and_then(|v| v.as_array()) {
        for e in old {
            let Some(name) = e["name"].as_str() else { continue };
            let stale = name.starts_with(&format!("{CHARTS_DIR}/")) && !name.contains("..") && !name[CHARTS_DIR.len() + 1..].contains('/');
            if stale && !entries.iter().any(|n| n.name == name) {
                let _ = fs::remove_file(dir.join(name));
            }
        }
    }
    obj.insert("charts".into(), serde_json::to_value(entries)?);
    let text = serde_json::to_string_pretty(&m)? + "\n";
    write_atomic(&path, text.as_bytes())
}

/// "50 replications", "replication 3 only", "1 replication".
pub(crate) fn reps_text(out: &Outputs) -> String {
    let m = &out.meta;
    if let Some(k) = m.only_replication {
        return format!("replication {k} only");
    }
    let n = m.replications.unwrap_or(out.max_n);
    match n {
        0 => "replications not recorded".into(),
        1 => "1 replication".into(),
        n => format!("{n} replications"),
    }
}

/// "master seed 20130401" (manifest), else the replication seed from runs.csv.
pub(crate) fn seed_text(out: &Outputs) -> String {
    if let Some(s) = out.meta.master_seed {
        return format!("master seed {s}");
    }
    let mut seeds: Vec<&String> = out.seeds.values().collect();
    seeds.sort();
    seeds.dedup();
    match seeds.as_slice() {
        [one] => format!("seed {one}"),
        [] => "seed not recorded (no manifest.json)".into(),
        _ => "replication seeds in runs.csv".into(),
    }
}

/// Who is shown: "scenario baseline", "scenarios a, b and c", "sweep of 5 points of baseline".
pub(crate) fn scenarios_text(out: &Outputs, groups: &[usize]) -> String {
    let gs: Vec<&data::Group> = groups.iter().filter_map(|k| out.groups.get(*k)).collect();
    if out.is_sweep() {
        let mut names: Vec<&str> = gs.iter().map(|g| g.scenario.as_str()).collect();
        names.dedup();
        let base = if names.len() == 1 { format!(" of {}", names[0]) } else { String::new() };
        return match gs.len() {
            1 => format!("sweep {}{base}", gs[0].label),
            n => format!("sweep of {n} points{base}"),
        };
    }
    let names: Vec<&str> = gs.iter().map(|g| g.scenario.as_str()).collect();
    match names.as_slice() {
        [] => "no scenario".into(),
        [one] => format!("scenario {one}"),
        [init @ .., last] => format!("scenarios {} and {last}", init.join(", ")),
    }
}

/// The standard subtitle: who, how many replications, which seed, plus chart notes.
pub(crate) fn subtitle(out: &Outputs, groups: &[usize], extra: &[&str]) -> String {
    let mut parts = vec![scenarios_text(out, groups), reps_text(out)];
    if groups.len() > 1 && !out.meta.independent && out.meta.has_manifest {
        parts[1].push_str(" (common random numbers)");
    }
    parts.push(seed_text(out));
    parts.extend(out.fixed_text());
    parts.extend(extra.iter().map(|s| s.to_string()));
    parts.join(" \u{b7} ")
}

/// The unit of a national metric (from the metric table).
pub(crate) fn unit_of(metric: &str) -> &'static str {
    crate::model::metrics::METRICS.iter().find(|m| m.name == metric).map(|m| m.unit).unwrap_or("")
}

/// A metric and its unit as an axis title: `quality_mean (quality 0-1)`.
pub(crate) fn metric_title(metric: &str, unit: &str) -> String {
    if unit.is_empty() {
        metric.to_string()
    } else {
        format!("{metric} ({unit})")
    }
}

/// A file-name-safe form of a label.
pub(crate) fn slug(s: &str) -> String {
    let t: String = s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '_' }).collect();
    let t = t.trim_matches('_').to_string();
    if t.is_empty() {
        "x".into()
    } else {
        t
    }
}

/// Upper-case the first letter (metric descriptions as titles).
pub(crate) fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
