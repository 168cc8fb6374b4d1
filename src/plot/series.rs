//! Headline metrics over time: one chart per metric, every scenario overlaid, the mean
//! as a line and the 95% confidence interval of the mean as a band.

use super::canvas::{self, Area, AxisSpec, DResult, LegendItem, PanelSpec, Swatch};
use super::data::{Outputs, Stat};
use super::style::{self, scenario_colour, Theme, BAND_ALPHA};
use super::{metric_title, num, sentence, subtitle, Chart, Table};
use crate::model::metrics::METRICS;
use plotters::prelude::*;

/// The metrics drawn as time series, in index order.
pub const SERIES: [&str; 8] = [
    "quality_mean",
    "price_per_head_mean",
    "markup_mean",
    "suppliers_active_csu",
    "hhi",
    "share_dissatisfied",
    "buyer_power_mean",
    "supplier_power_mean",
];

/// More lines than this in one chart would repeat colours: a sweep with more points is
/// drawn by the sweep charts instead.
pub const MAX_LINES: usize = 8;

pub struct Line {
    pub colour: RGBColor,
    pub stats: Vec<Stat>,
}

pub struct Body {
    pub y_title: String,
    pub lines: Vec<Line>,
    pub first_year: f64,
    pub last_year: f64,
    pub lo: f64,
    pub hi: f64,
}

/// Said under a chart whose intervals were cut at zero.
pub(crate) const CUT_NOTE: &str = "Intervals reaching below zero (few replications) are cut at the axis; the chart's CSV has them whole.";

pub fn charts(out: &Outputs, skipped: &mut Vec<String>) -> Vec<Chart> {
    let Some(summary) = &out.summary else {
        skipped.push("no time series: no summary.csv".into());
        return Vec::new();
    };
    let groups: Vec<usize> = (0..out.groups.len()).filter(|g| SERIES.iter().any(|m| summary.get(*g, m).is_some())).collect();
    if groups.len() > MAX_LINES {
        skipped.push(format!("no time series: {} scenarios or sweep points would be more than {MAX_LINES} lines per chart", groups.len()));
        return Vec::new();
    }
    let mut charts = Vec::new();
    for metric in SERIES {
        let Some(def) = METRICS.iter().find(|m| m.name == metric) else { continue };
        let mut lines = Vec::new();
        let mut shown = Vec::new();
        let point_col = out.is_sweep();
        let mut head = vec!["scenario"];
        if point_col {
            head.push("point");
        }
        head.extend(["step", "year", "n", "mean", "ci_low", "ci_high"]);
        let mut table = Table::new(&head);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut banded = false;
        let mut mean_lo = f64::INFINITY;
        for &g in &groups {
            let Some(stats) = summary.get(g, metric) else { continue };
            let drawn: Vec<Stat> = stats.iter().copied().filter(|s| s.mean.is_finite() && s.year.is_finite()).collect();
            if drawn.is_empty() {
                continue;
            }
            let grp = &out.groups[g];
            for s in &drawn {
                let (cl, ch) = if s.ci_low.is_finite() && s.ci_high.is_finite() { (s.ci_low, s.ci_high) } else { (f64::NAN, f64::NAN) };
                banded |= cl.is_finite();
                for v in [s.mean, cl, ch] {
                    if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
                mean_lo = mean_lo.min(s.mean);
                y0 = y0.min(s.year);
                y1 = y1.max(s.year);
                let mut row = vec![grp.scenario.clone()];
                if point_col {
                    row.push(grp.point.clone().unwrap_or_default());
                }
                row.extend([s.step.to_string(), num(s.year), s.n.to_string(), num(s.mean), num(cl), num(ch)]);
                table.push(row);
            }
            let stats = drawn.iter().map(|s| if s.ci_low.is_finite() && s.ci_high.is_finite() { *s } else { Stat { ci_low: f64::NAN, ci_high: f64::NAN, ..*s } }).collect();
            lines.push(Line { colour: scenario_colour(grp.index), stats });
            shown.push(g);
        }
        // A non-negative quantity keeps a non-negative axis: with few replications a
        // t interval can reach below zero, and is cut at the axis (the CSV has it whole).
        let cut = mean_lo >= 0.0 && lo < 0.0;
        if mean_lo >= 0.0 {
            lo = lo.max(0.0);
        }
        if lines.is_empty() {
            skipped.push(format!("no {metric} chart: undefined throughout"));
            continue;
        }
        let legend = shown.iter().map(|g| LegendItem::new(out.groups[*g].label.clone(), Swatch::Line { colour: scenario_colour(out.groups[*g].index), band: banded })).collect();
        let band_note = if banded { "mean with 95% confidence band" } else { "no confidence band (one replication)" };
        let footer = vec![format!(
            "Line: mean of {metric} over replications at each step; {}.{}",
            if banded { "shaded band: 95% confidence interval of the mean (Student's t)" } else { "one replication, so no interval" },
            def.undefined_when.map(|w| format!(" Gaps mark undefined values ({w}).")).unwrap_or_default()
        )];
        let mut footer = footer;
        if cut {
            footer.push(CUT_NOTE.into());
        }
        let caption = format!(
            "{} ({}) over time, {}: {}.",
            sentence(def.description),
            def.unit,
            if shown.len() > 1 { "scenarios overlaid" } else { "one scenario" },
            band_note
        );
        charts.push(Chart {
            scenario: None,
            stem: metric.to_string(),
            caption,
            frame: canvas::Frame {
                title: sentence(def.description),
                subtitle: subtitle(out, &shown, &[band_note]),
                legend,
                footer,
            },
            table,
            body: super::Body::Series(Body { y_title: metric_title(metric, def.unit), lines, first_year: y0, last_year: y1, lo, hi }),
        });
    }
    charts
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, b: &Body) -> DResult<DB> {
    let (_, h) = area.dim_in_pixel();
    let x = canvas::years(area, th, b.first_year, b.last_year);
    // data reaching zero (often a band cut there): the axis starts at zero, unpadded
    let y = style::axis(b.lo, b.hi, canvas::y_tick_count(th, h), b.lo == 0.0);
    let (xs, ys) = (x.step, y.step);
    let xt = move |v: f64| style::tick_text(v, xs);
    let yt = move |v: f64| style::tick_text(v, ys);
    let spec = PanelSpec {
        title: None,
        x: AxisSpec { axis: x, title: "Year".into(), text: &xt },
        y: AxisSpec { axis: y, title: b.y_title.clone(), text: &yt },
        x_grid: true,
    };
    let mut chart = canvas::panel(area, th, &spec)?;
    // Bands first, so that every line is drawn over every band.
    for l in &b.lines {
        for run in canvas::runs(&l.stats, |s| s.ci_low.is_finite() && s.ci_high.is_finite()) {
            if run.len() == 1 {
                let s = run[0];
                chart.draw_series(std::iter::once(PathElement::new(vec![(s.year, s.ci_low), (s.year, s.ci_high)], l.colour.mix(0.5).stroke_width(th.pxu(6.0)))))?;
                continue;
            }
            let mut pts: Vec<(f64, f64)> = run.iter().map(|s| (s.year, s.ci_high)).collect();
            pts.extend(run.iter().rev().map(|s| (s.year, s.ci_low)));
            canvas::polygon(&mut chart, pts, l.colour.mix(BAND_ALPHA).filled())?;
        }
    }
    for l in &b.lines {
        for run in canvas::runs(&l.stats, |s| s.mean.is_finite()) {
            if run.len() == 1 {
                let s = run[0];
                chart.draw_series(std::iter::once(Circle::new((s.year, s.mean), th.px(4.0), l.colour.filled())))?;
            } else {
                canvas::line(&mut chart, run.iter().map(|s| (s.year, s.mean)).collect(), l.colour, th.line_width(), th)?;
            }
        }
    }
    Ok(())
}
