//! Reading a finished (or partial) output folder: only the written files, so charts can
//! be redrawn without re-running anything. Empty cells are undefined values (NaN here)
//! and are never drawn.

use super::InputError;
use crate::io::output::MANIFEST;
use anyhow::Result;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The files charts are drawn from; a folder with none of them has nothing to plot.
pub const INPUTS: [&str; 5] = ["summary.csv", "summary_by_line.csv", "differences.csv", "sweep.csv", "suppliers.csv"];

/// One scenario of a run or comparison, or one point of a sweep: a line colour in
/// every chart (the k-th group gets palette colour k).
#[derive(Debug, Clone)]
pub struct Group {
    pub scenario: String,
    pub point: Option<String>,
    /// Legend text.
    pub label: String,
    pub index: usize,
}

/// One step of a summary row.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub step: u32,
    pub year: f64,
    pub n: u64,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// `summary.csv`: each group's metrics over time.
#[derive(Debug, Default)]
pub struct Summary {
    pub series: HashMap<(usize, String), Vec<Stat>>,
}

impl Summary {
    pub fn get(&self, group: usize, metric: &str) -> Option<&[Stat]> {
        self.series.get(&(group, metric.to_string())).map(|v| v.as_slice())
    }
}

/// `summary_by_line.csv`: the same per service line.
#[derive(Debug, Default)]
pub struct ByLine {
    pub lines: Vec<String>,
    pub series: HashMap<(usize, String, String), Vec<Stat>>,
}

impl ByLine {
    pub fn get(&self, group: usize, line: &str, metric: &str) -> Option<&[Stat]> {
        self.series.get(&(group, line.to_string(), metric.to_string())).map(|v| v.as_slice())
    }
}

/// A row of `differences.csv`.
#[derive(Debug, Clone)]
pub struct Difference {
    pub scenario: String,
    pub baseline: String,
    pub step: u32,
    pub year: f64,
    pub metric: String,
    pub n: u64,
    pub mean_diff: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// `sweep.csv` (with `points.csv` when present).
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    /// Swept parameter paths, in column order.
    pub params: Vec<String>,
    /// Point ids in file order, with their parameter values as written.
    pub points: Vec<(String, Vec<String>)>,
    pub rows: Vec<SweepRow>,
    /// Parameters set to one value at every point (a constant `--set`, such as the
    /// framework year when sweeping its slots): not drawn as axes, but stated.
    pub fixed: Vec<(String, String)>,
}

impl Sweep {
    /// Move parameters with one value across several points from `params` to `fixed`.
    fn split_fixed(&mut self) {
        if self.points.len() < 2 {
            return;
        }
        let constant: Vec<bool> = (0..self.params.len()).map(|k| self.points.iter().all(|(_, v)| v.get(k) == self.points[0].1.get(k))).collect();
        if constant.iter().all(|c| *c) {
            return; // nothing varies (points differ only by id): keep every column
        }
        let first = self.points[0].1.clone();
        self.fixed = (0..self.params.len()).filter(|&k| constant[k]).map(|k| (self.params[k].clone(), first[k].clone())).collect();
        let keep = |v: &Vec<String>| v.iter().enumerate().filter(|(k, _)| !constant[*k]).map(|(_, x)| x.clone()).collect::<Vec<_>>();
        self.params = keep(&self.params);
        for (_, v) in &mut self.points {
            *v = keep(v);
        }
    }
}

/// A parameter value for a label: numbers with more than four significant digits (Latin
/// hypercube samples such as 0.23456789012345678) rounded to four.
pub fn short_value(v: &str) -> String {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x != 0.0 && v.trim().trim_start_matches('-').chars().filter(|c| c.is_ascii_digit()).count() > 4 => {
            let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
            let t = format!("{x:.digits$}");
            if t.contains('.') {
                t.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                t
            }
        }
        _ => v.to_string(),
    }
}

#[derive(Debug, Clone)]
pub struct SweepRow {
    pub point: String,
    pub metric: String,
    pub n: u64,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// One supplier at one step of one replication (supplier-level columns only).
#[derive(Debug, Clone)]
pub struct SupplierRow {
    pub scenario: String,
    pub point: Option<String>,
    pub replication: u64,
    pub step: u32,
    pub year: f64,
    pub supplier: String,
    pub kind: String,
    pub status: String,
    pub capability_mean: f64,
    pub revenue_total: f64,
    pub market_share_total: f64,
}

/// What the manifest says about the job, when there is one.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub has_manifest: bool,
    pub kind: Option<String>,
    pub master_seed: Option<u64>,
    pub replications: Option<u64>,
    pub only_replication: Option<u64>,
    pub independent: bool,
    /// Each scenario's name and description, in manifest order (from `scenarios`).
    pub scenarios: Vec<(String, String)>,
}

/// Everything in a folder that charts can use.
#[derive(Debug, Default)]
pub struct Outputs {
    pub meta: Meta,
    pub groups: Vec<Group>,
    pub summary: Option<Summary>,
    pub by_line: Option<ByLine>,
    pub differences: Option<Vec<Difference>>,
    pub sweep: Option<Sweep>,
    /// A sweep's points from `points.csv` when `sweep.csv` is absent (a partial folder).
    pub sweep_points: Option<Sweep>,
    pub suppliers: Option<Vec<SupplierRow>>,
    /// Replication seeds from `runs.csv`: (scenario, point, replication) -> seed.
    pub seeds: HashMap<(String, Option<String>, u64), String>,
    /// The largest `n` in summary.csv (replications, when there is no manifest).
    pub max_n: u64,
}

impl Outputs {
    pub fn is_sweep(&self) -> bool {
        self.sweep.is_some() || self.groups.iter().any(|g| g.point.is_some()) || self.meta.kind.as_deref() == Some("sweep")
    }

    /// Sweep parameters held at one value, as `name=value` (stated in subtitles).
    pub fn fixed_text(&self) -> Option<String> {
        let s = self.sweep.as_ref().or(self.sweep_points.as_ref())?;
        if s.fixed.is_empty() {
            return None;
        }
        Some(format!("fixed: {}", s.fixed.iter().map(|(k, v)| format!("{k}={}", short_value(v))).collect::<Vec<_>>().join(", ")))
    }

    pub fn group_of(&self, scenario: &str, point: Option<&str>) -> Option<usize> {
        self.groups.iter().position(|g| g.scenario == scenario && g.point.as_deref() == point)
    }

    /// The colour index of a scenario named in differences.csv.
    pub fn scenario_index(&self, scenario: &str) -> Option<usize> {
        self.groups.iter().position(|g| g.scenario == scenario)
    }
}

/// A CSV file read with its header, cells looked up by column name.
struct Csv {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Csv {
    fn read(dir: &Path, name: &str) -> Result<Option<Csv>> {
        let path = dir.join(name);
        if !path.is_file() {
            return Ok(None);
        }
        let bad = |msg: String| InputError::BadFile { path: path.clone(), message: msg };
        let mut r = csv::ReaderBuilder::new().has_headers(true).from_path(&path).map_err(|e| bad(e.to_string()))?;
        let header: Vec<String> = r.headers().map_err(|e| bad(e.to_string()))?.iter().map(|s| s.to_string()).collect();
        let mut rows = Vec::new();
        for rec in r.records() {
            rows.push(rec.map_err(|e| bad(e.to_string()))?);
        }
        Ok(Some(Csv { path, header, rows }))
    }

    fn col(&self, name: &str) -> Result<usize> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            InputError::BadFile { path: self.path.clone(), message: format!("no `{name}` column (columns: {})", self.header.join(", ")) }.into()
        })
    }

    fn opt_col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn bad(&self, row: usize, msg: String) -> anyhow::Error {
        InputError::BadFile { path: self.path.clone(), message: format!("line {}: {msg}", row + 2) }.into()
    }

    /// A number cell; empty means undefined (NaN).
    fn num(&self, row: usize, col: usize) -> Result<f64> {
        let cell = self.rows[row].get(col).unwrap_or("").trim();
        if cell.is_empty() {
            return Ok(f64::NAN);
        }
        cell.parse::<f64>().map_err(|_| self.bad(row, format!("`{}` is not a number in column `{}`", cell, self.header[col])))
    }

    fn int(&self, row: usize, col: usize) -> Result<u64> {
        let cell = self.rows[row].get(col).unwrap_or("").trim();
        if cell.is_empty() {
            return Ok(0);
        }
        cell.parse::<u64>().map_err(|_| self.bad(row, format!("`{}` is not a whole number in column `{}`", cell, self.header[col])))
    }

    fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).unwrap_or("")
    }
}

/// Read every file charts can use. A file that is present but unreadable is an input
/// error naming it.
pub fn load(dir: &Path) -> Result<Outputs> {
    let mut out = Outputs { meta: read_meta(dir)?, ..Default::default() };
    let points_csv = Csv::read(dir, "points.csv")?;
    let point_values = points_csv.as_ref().map(read_points).transpose()?;

    if let Some(c) = Csv::read(dir, "summary.csv")? {
        out.summary = Some(read_summary(&c, &mut out.groups, &mut out.max_n)?);
    }
    if let Some(c) = Csv::read(dir, "summary_by_line.csv")? {
        out.by_line = Some(read_by_line(&c, &mut out.groups)?);
    }
    if let Some(c) = Csv::read(dir, "differences.csv")? {
        let d = read_differences(&c)?;
        for r in &d {
            for name in [&r.baseline, &r.scenario] {
                if !out.groups.iter().any(|g| &g.scenario == name) {
                    let index = out.groups.len();
                    out.groups.push(Group { scenario: name.clone(), point: None, label: name.clone(), index });
                }
            }
        }
        out.differences = Some(d);
    }
    if let Some(c) = Csv::read(dir, "sweep.csv")? {
        out.sweep = Some(read_sweep(&c, point_values.as_ref())?);
    }
    if let Some(c) = Csv::read(dir, "suppliers.csv")? {
        out.suppliers = Some(read_suppliers(&c)?);
    }
    if let Some(c) = Csv::read(dir, "runs.csv")? {
        if let (Ok(s), Ok(r), Ok(seed)) = (c.col("scenario"), c.col("replication"), c.col("seed")) {
            let p = c.opt_col("point");
            for i in 0..c.rows.len() {
                let rep = c.int(i, r)?;
                let point = p.map(|p| c.text(i, p).to_string());
                out.seeds.insert((c.text(i, s).to_string(), point, rep), c.text(i, seed).to_string());
            }
        }
    }
    // Sweep points: label groups with their parameter values.
    if out.sweep.is_none() {
        if let (Some(c), Some(v)) = (&points_csv, point_values) {
            let mut s = Sweep { params: c.header.iter().skip(1).cloned().collect(), points: v, ..Default::default() };
            s.split_fixed();
            out.sweep_points = Some(s);
        }
    }
    let (params, values): (Vec<String>, HashMap<String, Vec<String>>) = match out.sweep.as_ref().or(out.sweep_points.as_ref()) {
        Some(s) => (s.params.clone(), s.points.iter().cloned().collect()),
        None => (Vec::new(), HashMap::new()),
    };
    for g in &mut out.groups {
        if let Some(p) = &g.point {
            g.label = match values.get(p) {
                Some(v) if !params.is_empty() => {
                    let kv: Vec<String> = params.iter().zip(v).map(|(k, v)| format!("{}={}", short_param(k), short_value(v))).collect();
                    format!("point {p}: {}", kv.join(", "))
                }
                _ => format!("point {p}"),
            };
        }
    }
    Ok(out)
}

/// The last part of a parameter path, for legends (`policy.framework.slots_per_line` ->
/// `slots_per_line`).
pub fn short_param(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn read_meta(dir: &Path) -> Result<Meta> {
    let path = dir.join(MANIFEST);
    if !path.is_file() {
        return Ok(Meta::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| InputError::BadFile { path: path.clone(), message: e.to_string() })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| InputError::BadFile { path: path.clone(), message: e.to_string() })?;
    Ok(Meta {
        has_manifest: true,
        kind: v["kind"].as_str().map(String::from),
        master_seed: v["master_seed"].as_u64(),
        replications: v["replications"].as_u64(),
        only_replication: v["replication"].as_u64(),
        independent: v["independent"].as_bool().unwrap_or(false),
        scenarios: v["scenarios"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| Some((s["name"].as_str()?.to_string(), s["description"].as_str().unwrap_or("").trim().to_string()))).collect())
            .unwrap_or_default(),
    })
}

fn group_index(groups: &mut Vec<Group>, scenario: &str, point: Option<&str>) -> usize {
    if let Some(k) = groups.iter().position(|g| g.scenario == scenario && g.point.as_deref() == point) {
        return k;
    }
    let index = groups.len();
    groups.push(Group { scenario: scenario.to_string(), point: point.map(String::from), label: scenario.to_string(), index });
    index
}

struct StatCols {
    step: usize,
    year: usize,
    n: usize,
    mean: usize,
    ci_low: usize,
    ci_high: usize,
}

impl StatCols {
    fn new(c: &Csv) -> Result<StatCols> {
        Ok(StatCols { step: c.col("step")?, year: c.col("year")?, n: c.col("n")?, mean: c.col("mean")?, ci_low: c.col("ci_low")?, ci_high: c.col("ci_high")? })
    }
    fn stat(&self, c: &Csv, i: usize) -> Result<Stat> {
        Ok(Stat {
            step: c.int(i, self.step)? as u32,
            year: c.num(i, self.year)?,
            n: c.int(i, self.n)?,
            mean: c.num(i, self.mean)?,
            ci_low: c.num(i, self.ci_low)?,
            ci_high: c.num(i, self.ci_high)?,
        })
    }
}

fn read_summary(c: &Csv, groups: &mut Vec<Group>, max_n: &mut u64) -> Result<Summary> {
    let (sc, pt, metric) = (c.col("scenario")?, c.opt_col("point"), c.col("metric")?);
    let cols = StatCols::new(c)?;
    let mut s = Summary::default();
    for i in 0..c.rows.len() {
        let g = group_index(groups, c.text(i, sc), pt.map(|p| c.text(i, p)));
        let st = cols.stat(c, i)?;
        *max_n = (*max_n).max(st.n);
        s.series.entry((g, c.text(i, metric).to_string())).or_default().push(st);
    }
    for v in s.series.values_mut() {
        v.sort_by_key(|x| x.step);
    }
    Ok(s)
}

fn read_by_line(c: &Csv, groups: &mut Vec<Group>) -> Result<ByLine> {
    let (sc, pt, line, metric) = (c.col("scenario")?, c.opt_col("point"), c.col("service_line")?, c.col("metric")?);
    let cols = StatCols::new(c)?;
    let mut b = ByLine::default();
    for i in 0..c.rows.len() {
        let m = c.text(i, metric);
        // Only the provision shares are drawn by line.
        if !m.starts_with("share_") {
            continue;
        }
        let g = group_index(groups, c.text(i, sc), pt.map(|p| c.text(i, p)));
        let l = c.text(i, line).to_string();
        if !b.lines.contains(&l) {
            b.lines.push(l.clone());
        }
        b.series.entry((g, l, m.to_string())).or_default().push(cols.stat(c, i)?);
    }
    for v in b.series.values_mut() {
        v.sort_by_key(|x| x.step);
    }
    Ok(b)
}

fn read_differences(c: &Csv) -> Result<Vec<Difference>> {
    let (sc, base, step, year, metric, n) = (c.col("scenario")?, c.col("baseline")?, c.col("step")?, c.col("year")?, c.col("metric")?, c.col("n")?);
    let (mean, lo, hi) = (c.col("mean_diff")?, c.col("ci_low")?, c.col("ci_high")?);
    (0..c.rows.len())
        .map(|i| {
            Ok(Difference {
                scenario: c.text(i, sc).to_string(),
                baseline: c.text(i, base).to_string(),
                step: c.int(i, step)? as u32,
                year: c.num(i, year)?,
                metric: c.text(i, metric).to_string(),
                n: c.int(i, n)?,
                mean_diff: c.num(i, mean)?,
                ci_low: c.num(i, lo)?,
                ci_high: c.num(i, hi)?,
            })
        })
        .collect()
}

fn read_points(c: &Csv) -> Result<Vec<(String, Vec<String>)>> {
    let p = c.col("point")?;
    Ok((0..c.rows.len())
        .map(|i| {
            let vals = (0..c.header.len()).filter(|k| *k != p).map(|k| c.text(i, k).to_string()).collect();
            (c.text(i, p).to_string(), vals)
        })
        .collect())
}

fn read_sweep(c: &Csv, points: Option<&Vec<(String, Vec<String>)>>) -> Result<Sweep> {
    let (p, metric) = (c.col("point")?, c.col("metric")?);
    let (n, mean, lo, hi) = (c.col("n")?, c.col("mean")?, c.col("ci_low")?, c.col("ci_high")?);
    if metric <= p {
        return Err(c.bad(0, "expected the parameter columns between `point` and `metric`".into()));
    }
    let params: Vec<String> = c.header[p + 1..metric].to_vec();
    let mut s = Sweep { params, ..Default::default() };
    for i in 0..c.rows.len() {
        let id = c.text(i, p).to_string();
        if !s.points.iter().any(|(q, _)| *q == id) {
            let vals = (p + 1..metric).map(|k| c.text(i, k).to_string()).collect();
            s.points.push((id.clone(), vals));
        }
        s.rows.push(SweepRow { point: id, metric: c.text(i, metric).to_string(), n: c.int(i, n)?, mean: c.num(i, mean)?, ci_low: c.num(i, lo)?, ci_high: c.num(i, hi)? });
    }
    // points.csv may list points the sweep table lacks (none drawn for them) and is
    // the better source of their values when both are present.
    if let Some(pts) = points {
        for (id, vals) in pts {
            if let Some(e) = s.points.iter_mut().find(|(q, _)| q == id) {
                if vals.len() == e.1.len() {
                    e.1 = vals.clone();
                }
            }
        }
    }
    s.split_fixed();
    Ok(s)
}

fn read_suppliers(c: &Csv) -> Result<Vec<SupplierRow>> {
    let (sc, pt, rep, step, year) = (c.col("scenario")?, c.opt_col("point"), c.col("replication")?, c.col("step")?, c.col("year")?);
    let (sup, kind, status) = (c.col("supplier")?, c.col("kind")?, c.col("status")?);
    let (cap, rev, share) = (c.col("capability_mean")?, c.col("revenue_total")?, c.col("market_share_total")?);
    let mut out: Vec<SupplierRow> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for i in 0..c.rows.len() {
        // One row per supplier and service line: keep the first of each supplier.
        let key = (c.text(i, sc), pt.map(|p| c.text(i, p)), c.text(i, rep), c.text(i, step), c.text(i, sup));
        if !seen.insert(key) {
            continue;
        }
        out.push(SupplierRow {
            scenario: c.text(i, sc).to_string(),
            point: pt.map(|p| c.text(i, p).to_string()),
            replication: c.int(i, rep)?,
            step: c.int(i, step)? as u32,
            year: c.num(i, year)?,
            supplier: c.text(i, sup).to_string(),
            kind: c.text(i, kind).to_string(),
            status: c.text(i, status).to_string(),
            capability_mean: c.num(i, cap)?,
            revenue_total: c.num(i, rev)?,
            market_share_total: c.num(i, share)?,
        });
    }
    Ok(out)
}
