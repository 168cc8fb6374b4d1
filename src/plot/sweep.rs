//! Sweep charts from sweep.csv (headline metrics at the horizon): against one swept
//! parameter, the mean with its 95% band; over a grid of two parameters, a heat map;
//! for other designs (samples, three or more parameters), one panel per parameter with
//! each point's mean and interval.

use super::canvas::{self, Area, AxisSpec, DResult, LegendItem, PanelSpec, Shape, Swatch};
use super::data::{Outputs, SweepRow};
use super::style::{self, scenario_colour, Theme, BAND_ALPHA};
use super::{metric_title, num, sentence, subtitle, Chart, Table};
use crate::model::metrics::METRICS;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A parameter's values along an axis: numbers, or categories in order.
#[derive(Debug, Clone)]
pub struct Scale {
    pub title: String,
    /// Category labels when the values are not all numbers.
    pub labels: Option<Vec<String>>,
}

impl Scale {
    fn position(&self, value: &str) -> f64 {
        match &self.labels {
            Some(l) => l.iter().position(|x| x == value).map(|k| k as f64).unwrap_or(f64::NAN),
            None => value.trim().parse::<f64>().unwrap_or(f64::NAN),
        }
    }
}

fn scale_for(path: &str, values: &[&str]) -> Scale {
    let unit = crate::config::registry::lookup(path).map(|p| p.unit).filter(|u| !u.is_empty() && *u != "-").unwrap_or("");
    let title = metric_title(path, unit);
    if values.iter().all(|v| v.trim().parse::<f64>().is_ok_and(|x| x.is_finite())) {
        Scale { title, labels: None }
    } else {
        let mut labels: Vec<String> = Vec::new();
        for v in values {
            if !labels.iter().any(|l| l == v) {
                labels.push(v.to_string());
            }
        }
        Scale { title, labels: Some(labels) }
    }
}

/// One point of a panel: (position, mean, ci_low, ci_high).
type Pt = (f64, f64, f64, f64);

pub struct LinePanel {
    pub scale: Scale,
    pub pts: Vec<Pt>,
    /// Join the points with a line and a band (one parameter swept on a grid).
    pub joined: bool,
}

pub enum Body {
    Lines { y_title: String, colour: RGBColor, panels: Vec<LinePanel> },
    Heatmap { x: Scale, y: Scale, bar_title: [String; 2], cells: Vec<(usize, usize, f64)>, nx: usize, ny: usize, lo: f64, hi: f64 },
}

fn horizon_year(out: &Outputs) -> Option<f64> {
    let s = out.summary.as_ref()?;
    s.series.values().flat_map(|v| v.iter().map(|x| x.year)).filter(|y| y.is_finite()).reduce(f64::max)
}

pub fn charts(out: &Outputs, skipped: &mut Vec<String>) -> Vec<Chart> {
    // not a sweep: nothing to say (the charts never apply)
    let Some(sw) = &out.sweep else {
        return Vec::new();
    };
    let np = sw.params.len();
    if np == 0 || sw.points.is_empty() {
        skipped.push("no sweep charts: sweep.csv has no parameter columns or no points".into());
        return Vec::new();
    }
    let scales: Vec<Scale> = (0..np).map(|k| scale_for(&sw.params[k], &sw.points.iter().map(|(_, v)| v[k].as_str()).collect::<Vec<_>>())).collect();
    let values = |point: &str| sw.points.iter().find(|(p, _)| p == point).map(|(_, v)| v.clone()).unwrap_or_default();
    // A full grid over two parameters: every pair of values exactly once.
    let grid = np == 2 && {
        let nx = distinct(sw.points.iter().map(|(_, v)| v[0].as_str()));
        let ny = distinct(sw.points.iter().map(|(_, v)| v[1].as_str()));
        let pairs = distinct(sw.points.iter().map(|(_, v)| format!("{}\u{0}{}", v[0], v[1])));
        nx * ny == sw.points.len() && pairs == sw.points.len() && nx > 1 && ny > 1
    };
    let groups: Vec<usize> = (0..out.groups.len()).collect();
    let year_in = horizon_year(out).map(|y| format!(" in {}", style::tick_text(y, 1.0))).unwrap_or_default();
    let year = horizon_year(out).map(|y| format!(" ({})", style::tick_text(y, 1.0))).unwrap_or_default();
    let all_points: Vec<&str> = sw.points.iter().map(|(p, _)| p.as_str()).collect();
    let mut charts = Vec::new();
    for def in METRICS.iter().filter(|m| m.headline) {
        let rows: Vec<&SweepRow> = sw.rows.iter().filter(|r| r.metric == def.name && r.mean.is_finite()).collect();
        if rows.is_empty() {
            continue;
        }
        let y_title = metric_title(def.name, def.unit);
        let mut head = vec!["point"];
        head.extend(sw.params.iter().map(|s| s.as_str()));
        head.extend(["metric", "n", "mean"]);
        if grid {
            let (x, y) = (sorted_scale(&scales[0], sw.points.iter().map(|(_, v)| v[0].as_str())), sorted_scale(&scales[1], sw.points.iter().map(|(_, v)| v[1].as_str())));
            let mut table = Table::new(&head);
            let mut cells = Vec::new();
            for r in &rows {
                let v = values(&r.point);
                let (i, j) = (x.position(&v[0]), y.position(&v[1]));
                cells.push((i as usize, j as usize, r.mean));
                let mut row = vec![r.point.clone()];
                row.extend(v.iter().cloned());
                row.extend([r.metric.clone(), r.n.to_string(), num(r.mean)]);
                table.push(row);
            }
            let lo = rows.iter().map(|r| r.mean).fold(f64::INFINITY, f64::min);
            let hi = rows.iter().map(|r| r.mean).fold(f64::NEG_INFINITY, f64::max);
            let (nx, ny) = (x.labels.as_ref().map_or(0, |l| l.len()), y.labels.as_ref().map_or(0, |l| l.len()));
            charts.push(Chart {
                scenario: None,
                stem: format!("sweep_heatmap_{}", def.name),
                caption: format!(
                    "{} ({}) at the horizon{year_in} over the grid of {} and {}: mean over replications in each cell (heat map, viridis scale).",
                    sentence(def.description),
                    def.unit,
                    sw.params[0],
                    sw.params[1]
                ),
                frame: canvas::Frame {
                    title: format!("{}{year}", sentence(def.description)),
                    subtitle: subtitle(out, &groups, &["mean over replications at the horizon"]),
                    legend: Vec::new(),
                    footer: vec![format!("Cell: mean of {} over replications at the last step, for each pair of {} and {}. Grey cells: undefined.", def.name, sw.params[0], sw.params[1])],
                },
                table,
                body: super::Body::Sweep(Body::Heatmap { x, y, bar_title: [def.name.to_string(), format!("({})", def.unit)], cells, nx, ny, lo, hi }),
            });
            continue;
        }
        head.extend(["ci_low", "ci_high"]);
        let mut table = Table::new(&head);
        for r in &rows {
            let mut row = vec![r.point.clone()];
            row.extend(values(&r.point));
            let (lo, hi) = ci(r);
            row.extend([r.metric.clone(), r.n.to_string(), num(r.mean), num(lo), num(hi)]);
            table.push(row);
        }
        let joined = np == 1;
        let panels: Vec<LinePanel> = (0..np)
            .map(|k| {
                let mut pts: Vec<Pt> = rows
                    .iter()
                    .map(|r| {
                        let (lo, hi) = ci(r);
                        (scales[k].position(&values(&r.point)[k]), r.mean, lo, hi)
                    })
                    .filter(|p| p.0.is_finite())
                    .collect();
                pts.sort_by(|a, b| a.0.total_cmp(&b.0));
                LinePanel { scale: scales[k].clone(), pts, joined }
            })
            .collect();
        let banded = rows.iter().any(|r| ci(r).0.is_finite());
        let cut = rows.iter().all(|r| r.mean >= 0.0) && rows.iter().any(|r| ci(r).0 < 0.0);
        let what = if joined { format!("against {}", sw.params[0]) } else { format!("against each of {}", sw.params.join(", ")) };
        let mut legend = vec![LegendItem::new(
            if banded { "mean over replications with 95% CI" } else { "mean (one replication)" },
            if joined { Swatch::Line { colour: scenario_colour(0), band: banded } } else { Swatch::Point { colour: scenario_colour(0), shape: Shape::Filled, radius: 6.0 } },
        )];
        if !joined {
            legend[0].label = format!("{} (whisker: 95% CI)", legend[0].label.replace(" with 95% CI", ""));
        }
        charts.push(Chart {
            scenario: None,
            stem: format!("sweep_{}", def.name),
            caption: format!(
                "{} ({}) at the horizon{year_in} {what}: mean over replications at each sweep point{}.",
                sentence(def.description),
                def.unit,
                if banded { " with its 95% confidence interval" } else { "" }
            ),
            frame: canvas::Frame {
                title: format!("{}{year}", sentence(def.description)),
                subtitle: subtitle(out, &groups, &["mean over replications at the horizon"]),
                legend,
                footer: std::iter::once(if joined {
                    format!("{} sweep points ({}); values at the last step. Band: 95% confidence interval of the mean.", all_points.len(), sw.params[0])
                } else {
                    format!("{} sweep points; values at the last step. Each panel shows the same points against one swept parameter.", all_points.len())
                })
                .chain(cut.then(|| super::series::CUT_NOTE.to_string()))
                .collect(),
            },
            table,
            body: super::Body::Sweep(Body::Lines { y_title, colour: scenario_colour(0), panels }),
        });
    }
    if charts.is_empty() {
        skipped.push("no sweep charts: sweep.csv has no headline metric".into());
    }
    charts
}

fn ci(r: &SweepRow) -> (f64, f64) {
    if r.ci_low.is_finite() && r.ci_high.is_finite() {
        (r.ci_low, r.ci_high)
    } else {
        (f64::NAN, f64::NAN)
    }
}

fn distinct<T: PartialEq>(it: impl Iterator<Item = T>) -> usize {
    let mut seen: Vec<T> = Vec::new();
    for x in it {
        if !seen.contains(&x) {
            seen.push(x);
        }
    }
    seen.len()
}

/// A heat-map axis: the distinct values as categories, numerically sorted when numeric.
fn sorted_scale<'a>(s: &Scale, values: impl Iterator<Item = &'a str>) -> Scale {
    let mut labels: Vec<String> = Vec::new();
    for v in values {
        if !labels.iter().any(|l| l == v) {
            labels.push(v.to_string());
        }
    }
    if s.labels.is_none() {
        labels.sort_by(|a, b| a.trim().parse::<f64>().unwrap_or(0.0).total_cmp(&b.trim().parse::<f64>().unwrap_or(0.0)));
    }
    Scale { title: s.title.clone(), labels: Some(labels) }
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, b: &Body) -> DResult<DB> {
    match b {
        Body::Lines { y_title, colour, panels } => lines(area, th, y_title, *colour, panels),
        Body::Heatmap { x, y, bar_title, cells, nx, ny, lo, hi } => heatmap(area, th, x, y, bar_title, cells, (*nx, *ny), (*lo, *hi)),
    }
}

fn x_axis_of(scale: &Scale, pts: &[Pt], n: usize) -> style::Axis {
    match &scale.labels {
        Some(l) => style::Axis { lo: -0.5, hi: l.len() as f64 - 0.5, ticks: (0..l.len()).map(|k| k as f64).collect(), step: 1.0 },
        None => {
            let lo = pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
            let hi = pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
            style::axis(lo, hi, n, false)
        }
    }
}

fn lines<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, y_title: &str, colour: RGBColor, panels: &[LinePanel]) -> DResult<DB> {
    let areas = canvas::grid(area, th, panels.len(), None);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut mean_lo = f64::INFINITY;
    for p in panels {
        for &(_, m, l, h) in &p.pts {
            mean_lo = mean_lo.min(m);
            for v in [m, l, h] {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    // as in time series: intervals of a non-negative quantity are cut at zero
    if mean_lo >= 0.0 {
        lo = lo.max(0.0);
    }
    for (p, a) in panels.iter().zip(&areas) {
        let (w, h) = a.dim_in_pixel();
        let x = x_axis_of(&p.scale, &p.pts, canvas::fit_ticks(a, th, "0000.0", w as i32, 2.0).min(10));
        let y = style::axis(lo, hi, canvas::y_tick_count(th, h), lo == 0.0);
        let (xs, ys) = (x.step, y.step);
        let labels = p.scale.labels.clone();
        let xt = move |v: f64| match &labels {
            Some(l) => l.get(v.round() as usize).cloned().unwrap_or_default(),
            None => style::tick_text(v, xs),
        };
        let yt = move |v: f64| style::tick_text(v, ys);
        let spec = PanelSpec {
            title: None,
            x: AxisSpec { axis: x, title: p.scale.title.clone(), text: &xt },
            y: AxisSpec { axis: y, title: y_title.to_string(), text: &yt },
            x_grid: true,
        };
        let mut chart = canvas::panel(a, th, &spec)?;
        if p.joined {
            for run in canvas::runs(&p.pts, |q| q.2.is_finite()) {
                let mut pts: Vec<(f64, f64)> = run.iter().map(|q| (q.0, q.3)).collect();
                pts.extend(run.iter().rev().map(|q| (q.0, q.2)));
                canvas::polygon(&mut chart, pts, colour.mix(BAND_ALPHA).filled())?;
            }
            canvas::line(&mut chart, p.pts.iter().map(|q| (q.0, q.1)).collect(), colour, th.line_width(), th)?;
        } else {
            for q in &p.pts {
                if q.2.is_finite() {
                    chart.draw_series(std::iter::once(PathElement::new(vec![(q.0, q.2), (q.0, q.3)], colour.mix(0.6).stroke_width(th.pxu(2.0)))))?;
                }
            }
        }
        for q in &p.pts {
            canvas::marker(chart.plotting_area(), (q.0, q.1), th.px(if p.joined { 5.0 } else { 6.0 }), colour, Shape::Filled, th)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn heatmap<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, x: &Scale, y: &Scale, bar_title: &[String; 2], cells: &[(usize, usize, f64)], (nx, ny): (usize, usize), (lo, hi): (f64, f64)) -> DResult<DB> {
    let (w, h) = area.dim_in_pixel();
    let title_st = th.axis_title();
    let title_w = bar_title.iter().map(|t| area.estimate_text_size(t, &title_st).map(|s| s.0 as i32)).collect::<Result<Vec<_>, _>>()?.into_iter().max().unwrap_or(0);
    let bar_w = (title_w + th.px(40.0)).max(th.px(150.0)).min(w as i32 / 3);
    let main = area.clone().shrink((0, 0), ((w as i32 - bar_w).max(10) as u32, h));
    let bar = area.clone().shrink(((w as i32 - bar_w).max(0), 0), (bar_w as u32, h));
    let xl = x.labels.clone().unwrap_or_default();
    let yl = y.labels.clone().unwrap_or_default();
    let xt = move |v: f64| xl.get(v.round() as usize).cloned().unwrap_or_default();
    let yt = move |v: f64| yl.get(v.round() as usize).cloned().unwrap_or_default();
    let spec = PanelSpec {
        title: None,
        x: AxisSpec { axis: style::Axis { lo: -0.5, hi: nx as f64 - 0.5, ticks: (0..nx).map(|k| k as f64).collect(), step: 1.0 }, title: x.title.clone(), text: &xt },
        y: AxisSpec { axis: style::Axis { lo: -0.5, hi: ny as f64 - 0.5, ticks: (0..ny).map(|k| k as f64).collect(), step: 1.0 }, title: y.title.clone(), text: &yt },
        x_grid: false,
    };
    let mut chart = canvas::panel(&main, th, &spec)?;
    let span = if hi > lo { hi - lo } else { 1.0 };
    let t = |v: f64| (v - lo) / span;
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let (cw, chh) = (pw as f64 / nx.max(1) as f64, ph as f64 / ny.max(1) as f64);
    let label_cells = cw >= 60.0 * th.s && chh >= 28.0 * th.s;
    for i in 0..nx {
        for j in 0..ny {
            let (i0, j0) = (i as f64 - 0.5, j as f64 - 0.5);
            let cell = cells.iter().find(|c| c.0 == i && c.1 == j);
            let colour = match cell {
                Some(c) if c.2.is_finite() => style::viridis(t(c.2)),
                _ => RGBColor(0xCC, 0xCC, 0xCC),
            };
            chart.draw_series(std::iter::once(Rectangle::new([(i0, j0), (i0 + 1.0, j0 + 1.0)], colour.filled())))?;
            chart.draw_series(std::iter::once(Rectangle::new([(i0, j0), (i0 + 1.0, j0 + 1.0)], style::WHITE.stroke_width(th.pxu(1.0)))))?;
            if let (true, Some(c)) = (label_cells, cell) {
                let st = th.cell(style::text_on(colour)).pos(Pos::new(HPos::Center, VPos::Center));
                chart.draw_series(std::iter::once(Text::new(style::value_text(c.2), (i as f64, j as f64), st)))?;
            }
        }
    }
    // Colour bar: the scale from low (bottom) to high (top), with ticks.
    let top = th.line_height(&th.axis_title()) * 2 + th.px(10.0);
    let bottom = h as i32 - th.px(80.0);
    let x0 = th.px(32.0);
    let bw = th.px(26.0);
    let title = th.axis_title().pos(Pos::new(HPos::Left, VPos::Top));
    for (k, line) in bar_title.iter().enumerate() {
        bar.draw_text(line, &title, (x0 - th.px(4.0), th.line_height(&th.axis_title()) * k as i32))?;
    }
    let steps = 64;
    let hgt = (bottom - top).max(10);
    for k in 0..steps {
        let ya = bottom - hgt * k / steps;
        let yb = bottom - hgt * (k + 1) / steps;
        bar.draw(&Rectangle::new([(x0, yb), (x0 + bw, ya)], style::viridis((k as f64 + 0.5) / steps as f64).filled()))?;
    }
    bar.draw(&Rectangle::new([(x0, top), (x0 + bw, bottom)], style::AXIS.stroke_width(th.pxu(1.0))))?;
    let (ticks, step) = style::nice_ticks(lo, if hi > lo { hi } else { lo + 1.0 }, 6);
    let ts = th.tick().pos(Pos::new(HPos::Left, VPos::Center));
    for v in ticks {
        let yv = bottom - ((v - lo) / span * hgt as f64).round() as i32;
        if yv < top - 1 || yv > bottom + 1 {
            continue;
        }
        bar.draw(&PathElement::new(vec![(x0 + bw, yv), (x0 + bw + th.px(5.0), yv)], style::AXIS.stroke_width(th.pxu(1.0))))?;
        bar.draw_text(&style::tick_text(v, step), &ts, (x0 + bw + th.px(8.0), yv))?;
    }
    Ok(())
}
