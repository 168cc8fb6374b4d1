//! Morris screening charts from `sensitivity.csv` (written by `csmarket sensitivity`):
//! one chart per metric, the most influential parameters as horizontal bars of `mu*`
//! (coloured by the direction of the mean effect `mu`) with `sigma` as a dot and the
//! replication-noise level as a dashed line. In a screening folder these replace the
//! per-parameter sweep charts, which are unreadable with dozens of parameters.

use super::canvas::{self, Area, AxisSpec, DResult, LegendItem, PanelSpec, Shape, Swatch};
use super::data::Outputs;
use super::style::{self, Theme, BLUE, INK, MUTED, VERMILLION};
use super::{num, reps_text, seed_text, sentence, Chart, InputError, Table};
use crate::model::metrics::METRICS;
use anyhow::Result;
use plotters::prelude::*;
use std::path::Path;

/// The file the charts are drawn from.
pub const INPUT: &str = "sensitivity.csv";
/// Parameters drawn per chart.
pub const TOP: usize = 12;

/// Grey for effects whose direction depends on the other parameters.
const MIXED: RGBColor = RGBColor(0x99, 0x99, 0x99);

pub struct Bar {
    pub rank: usize,
    pub parameter: String,
    pub mu_star: f64,
    pub mu: f64,
    pub sigma: f64,
}

pub struct Body {
    pub bars: Vec<Bar>,
    pub x_title: String,
    pub noise: f64,
}

/// The direction of a parameter's effect: up, down, or mixed (|mu| < mu* / 2).
fn colour(b: &Bar) -> RGBColor {
    if !b.mu.is_finite() || b.mu.abs() < 0.5 * b.mu_star {
        MIXED
    } else if b.mu > 0.0 {
        BLUE
    } else {
        VERMILLION
    }
}

struct Row {
    metric: String,
    unit: String,
    bar: Bar,
    n: u64,
    noise: f64,
}

fn read(dir: &Path) -> Result<Option<Vec<Row>>> {
    let path = dir.join(INPUT);
    if !path.is_file() {
        return Ok(None);
    }
    let bad = |m: String| InputError::BadFile { path: path.clone(), message: m };
    let mut r = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let head: Vec<String> = r.headers().map_err(|e| bad(e.to_string()))?.iter().map(String::from).collect();
    let col = |name: &str| head.iter().position(|h| h == name).ok_or_else(|| bad(format!("no `{name}` column (columns: {})", head.join(", "))));
    let (metric, param, rank, mu_star, mu, sigma, n) = (col("metric")?, col("parameter")?, col("rank")?, col("mu_star")?, col("mu")?, col("sigma")?, col("n_effects")?);
    let (unit, noise) = (head.iter().position(|h| h == "unit"), head.iter().position(|h| h == "noise_mu_star"));
    let mut rows = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let cell = |c: usize| rec.get(c).unwrap_or("").trim().to_string();
        let number = |c: usize| -> Result<f64> {
            let s = cell(c);
            if s.is_empty() {
                return Ok(f64::NAN);
            }
            s.parse::<f64>().map_err(|_| bad(format!("line {}: `{s}` is not a number in column `{}`", i + 2, head[c])).into())
        };
        let whole = |c: usize| -> Result<u64> { cell(c).parse::<u64>().map_err(|_| bad(format!("line {}: `{}` is not a whole number in column `{}`", i + 2, cell(c), head[c])).into()) };
        let m = cell(metric);
        let unit = unit.map(cell).filter(|u| !u.is_empty()).unwrap_or_else(|| super::unit_of(&m).to_string());
        rows.push(Row {
            metric: m,
            unit,
            bar: Bar { rank: whole(rank)? as usize, parameter: cell(param), mu_star: number(mu_star)?, mu: number(mu)?, sigma: number(sigma)? },
            n: whole(n)?,
            noise: match noise {
                Some(c) => number(c)?,
                None => f64::NAN,
            },
        });
    }
    Ok(Some(rows))
}

/// Trajectories of the design (from `sensitivity_design.csv`), if written.
fn trajectories(dir: &Path) -> Option<usize> {
    let mut r = csv::Reader::from_path(dir.join("sensitivity_design.csv")).ok()?;
    let c = r.headers().ok()?.iter().position(|h| h == "trajectory")?;
    r.records().filter_map(|x| x.ok()?.get(c)?.parse::<usize>().ok()).max().map(|t| t + 1)
}

/// Add the screening charts of `dir` (if it has `sensitivity.csv`) in front of the
/// others, and drop the per-parameter sweep charts they replace.
pub fn add(dir: &Path, out: &Outputs, charts: &mut Vec<Chart>, skipped: &mut Vec<String>) -> Result<()> {
    let Some(rows) = read(dir)? else { return Ok(()) };
    let mut metrics: Vec<String> = Vec::new();
    for r in &rows {
        if !metrics.contains(&r.metric) {
            metrics.push(r.metric.clone());
        }
    }
    let k = rows.iter().filter(|r| r.metric == metrics.first().cloned().unwrap_or_default()).count();
    let scenario = out.groups.first().map(|g| g.scenario.clone()).unwrap_or_else(|| "the scenario".into());
    let design = match trajectories(dir) {
        Some(t) => format!("{k} parameters, {t} trajectories"),
        None => format!("{k} parameters"),
    };
    let year = out
        .summary
        .as_ref()
        .and_then(|s| s.series.values().flat_map(|v| v.iter().map(|x| x.year)).filter(|y| y.is_finite()).reduce(f64::max))
        .map(|y| format!(" ({})", style::tick_text(y, 1.0)))
        .unwrap_or_default();
    let mut mine = Vec::new();
    for m in &metrics {
        let mut rs: Vec<&Row> = rows.iter().filter(|r| &r.metric == m && r.bar.mu_star.is_finite()).collect();
        if rs.is_empty() {
            skipped.push(format!("no sensitivity chart for {m}: undefined at every point"));
            continue;
        }
        rs.sort_by_key(|r| r.bar.rank);
        rs.truncate(TOP);
        let unit = rs[0].unit.clone();
        let noise = rs[0].noise;
        let n_max = rs.iter().map(|r| r.n).max().unwrap_or(0);
        let mut table = Table::new(&["metric", "unit", "rank", "parameter", "mu_star", "mu", "sigma", "n_effects", "noise_mu_star"]);
        for r in &rs {
            table.push(vec![m.clone(), unit.clone(), r.bar.rank.to_string(), r.bar.parameter.clone(), num(r.bar.mu_star), num(r.bar.mu), num(r.bar.sigma), r.n.to_string(), num(r.noise)]);
        }
        let what = METRICS.iter().find(|d| d.name == m).map(|d| sentence(d.description)).unwrap_or_else(|| m.clone());
        let mut legend = vec![
            LegendItem::new("\u{3bc}* raises the metric (\u{3bc} > 0)", Swatch::Fill(BLUE)),
            LegendItem::new("\u{3bc}* lowers it (\u{3bc} < 0)", Swatch::Fill(VERMILLION)),
            LegendItem::new("\u{3bc}* mixed direction", Swatch::Fill(MIXED)),
            LegendItem::new("\u{3c3} (interactions, nonlinearity)", Swatch::Point { colour: INK, shape: Shape::Filled, radius: 6.0 }),
        ];
        if noise.is_finite() {
            legend.push(LegendItem::new("replication-noise level of \u{3bc}*", Swatch::Line { colour: MUTED, band: false }));
        }
        let shown = rs.len();
        let bars: Vec<Bar> = rs.into_iter().map(|r| Bar { rank: r.bar.rank, parameter: r.bar.parameter.clone(), mu_star: r.bar.mu_star, mu: r.bar.mu, sigma: r.bar.sigma }).collect();
        let noise_note = if noise.is_finite() { " Dashed line: the \u{3bc}* replication noise alone would give (independent-noise estimate)." } else { "" };
        mine.push(Chart {
            scenario: None,
            stem: format!("sensitivity_{}", super::slug(m)),
            caption: format!(
                "Morris screening of {scenario}: the {shown} parameters of {k} with the largest mean absolute elementary effect \u{3bc}* on {m} ({unit}) at the horizon, with \u{3c3}, the spread of the effects; bar colour: direction of the mean effect \u{3bc}."
            ),
            frame: canvas::Frame {
                title: format!("{what}{year}: which parameters move it"),
                subtitle: [format!("Morris screening of {scenario}: {design}"), reps_text(out), seed_text(out), format!("top {shown} of {k} by \u{3bc}*")].join(" \u{b7} "),
                legend,
                footer: vec![format!(
                    "Elementary effect: the change in {m} at the horizon when one parameter alone moves by a step of its screening range (sensitivity_ranges.csv), per whole range. \
                     Bar: \u{3bc}*, the mean absolute effect over up to {n_max} trajectories; grey when |\u{3bc}| < \u{3bc}*/2 (the direction depends on the other parameters). \
                     Dot: \u{3c3}, their standard deviation.{noise_note}"
                )],
            },
            table,
            body: super::Body::Sensitivity(Body { bars, x_title: format!("\u{3bc}* and \u{3c3} ({unit} over the screening range)"), noise }),
        });
    }
    if !mine.is_empty() {
        let before = charts.len();
        charts.retain(|c| !c.stem.starts_with("sweep_"));
        if charts.len() < before {
            skipped.push("no per-parameter sweep charts in a sensitivity folder: the sensitivity charts summarise the design (sweep.csv has every point)".into());
        }
        charts.splice(0..0, mine);
    }
    Ok(())
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, b: &Body) -> DResult<DB> {
    let m = b.bars.len();
    let (w, _) = area.dim_in_pixel();
    let mut hi = 0.0f64;
    for v in b.bars.iter().flat_map(|x| [x.mu_star, x.sigma]).chain([b.noise]) {
        if v.is_finite() {
            hi = hi.max(v);
        }
    }
    if hi <= 0.0 {
        hi = 1.0;
    }
    let n_ticks = canvas::fit_ticks(area, th, "0.000", w as i32 - th.px(400.0), 2.2).min(10);
    let x = style::axis(0.0, hi * 1.04, n_ticks, true);
    let y = style::Axis { lo: -0.6, hi: m as f64 - 0.4, ticks: (0..m).map(|k| k as f64).collect(), step: 1.0 };
    let labels: Vec<String> = b.bars.iter().rev().map(|x| format!("{}. {}", x.rank, x.parameter)).collect();
    let xs = x.step;
    let xt = move |v: f64| style::tick_text(v, xs);
    let yt = move |v: f64| labels.get(v.round() as usize).cloned().unwrap_or_default();
    let spec = PanelSpec { title: None, x: AxisSpec { axis: x, title: b.x_title.clone(), text: &xt }, y: AxisSpec { axis: y, title: String::new(), text: &yt }, x_grid: true };
    let mut chart = canvas::panel(area, th, &spec)?;
    let half = 0.34;
    for (i, bar) in b.bars.iter().enumerate() {
        let yv = (m - 1 - i) as f64;
        if bar.mu_star.is_finite() {
            let c = colour(bar);
            chart.draw_series(std::iter::once(Rectangle::new([(0.0, yv - half), (bar.mu_star, yv + half)], c.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new([(0.0, yv - half), (bar.mu_star, yv + half)], style::darker(c, 0.75).stroke_width(th.pxu(1.0)))))?;
        }
        if bar.sigma.is_finite() {
            canvas::marker(chart.plotting_area(), (bar.sigma, yv), th.px(6.0), INK, Shape::Filled, th)?;
        }
    }
    if b.noise.is_finite() {
        let dash = (m as f64 + 0.2) / 40.0;
        let mut y0 = -0.6;
        while y0 < m as f64 - 0.4 {
            let y1 = (y0 + dash).min(m as f64 - 0.4);
            chart.draw_series(std::iter::once(PathElement::new(vec![(b.noise, y0), (b.noise, y1)], MUTED.stroke_width(th.pxu(2.0)))))?;
            y0 += 2.0 * dash;
        }
    }
    Ok(())
}
