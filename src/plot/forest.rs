//! The comparison forest plot: for each headline metric, each scenario's paired
//! difference from the first scenario at the horizon with its 95% interval. Metrics have
//! different units, so each gets its own panel and axis (small multiples, no
//! standardisation).

use super::canvas::{self, Area, AxisSpec, DResult, LegendItem, PanelSpec, Shape, Swatch};
use super::data::{Difference, Outputs};
use super::style::{self, scenario_colour, Theme, INK};
use super::{num, subtitle, Chart, Table};
use crate::model::metrics::METRICS;
use plotters::prelude::*;

pub struct Row {
    pub colour: RGBColor,
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

pub struct Panel {
    pub title: String,
    /// One slot per compared scenario, top to bottom; `None` when undefined.
    pub rows: Vec<Option<Row>>,
}

pub struct Body {
    pub panels: Vec<Panel>,
}

pub fn charts(out: &Outputs, skipped: &mut Vec<String>) -> Option<Chart> {
    // not a comparison: nothing to say (the chart never applies)
    let diffs = out.differences.as_ref()?;
    // Scenarios in colour order, without the baseline.
    let baseline = diffs.first().map(|d| d.baseline.clone()).unwrap_or_default();
    let mut scen: Vec<(usize, String)> = Vec::new();
    for d in diffs {
        if d.scenario != d.baseline && !scen.iter().any(|(_, s)| *s == d.scenario) {
            scen.push((out.scenario_index(&d.scenario).unwrap_or(0), d.scenario.clone()));
        }
    }
    scen.sort();
    let horizon = |s: &str| diffs.iter().filter(|d| d.scenario == s).map(|d| d.step).max();
    let at_horizon: Vec<&Difference> = diffs.iter().filter(|d| Some(d.step) == horizon(&d.scenario)).collect();
    let mut table = Table::new(&["metric", "unit", "scenario", "baseline", "step", "year", "n", "mean_diff", "ci_low", "ci_high"]);
    let mut panels = Vec::new();
    let mut year = f64::NAN;
    let mut n_max = 0;
    for def in METRICS.iter().filter(|m| m.headline) {
        let mut rows = Vec::new();
        for (k, s) in &scen {
            let d = at_horizon.iter().find(|d| d.metric == def.name && d.scenario == *s && d.mean_diff.is_finite());
            rows.push(d.map(|d| {
                let (lo, hi) = if d.ci_low.is_finite() && d.ci_high.is_finite() { (d.ci_low, d.ci_high) } else { (f64::NAN, f64::NAN) };
                table.push(vec![def.name.into(), def.unit.into(), d.scenario.clone(), d.baseline.clone(), d.step.to_string(), num(d.year), d.n.to_string(), num(d.mean_diff), num(lo), num(hi)]);
                year = d.year;
                n_max = n_max.max(d.n);
                Row { colour: scenario_colour(*k), mean: d.mean_diff, lo, hi }
            }));
        }
        if rows.iter().any(|r| r.is_some()) {
            panels.push(Panel { title: format!("{} ({})", def.name, def.unit), rows });
        }
    }
    if panels.is_empty() {
        skipped.push("no forest plot: differences.csv has no headline metric at the horizon".into());
        return None;
    }
    let mut legend: Vec<LegendItem> = scen
        .iter()
        .map(|(k, s)| LegendItem::new(format!("{s} \u{2212} {baseline}"), Swatch::Point { colour: scenario_colour(*k), shape: Shape::Filled, radius: 7.0 }))
        .collect();
    legend.push(LegendItem::new("95% CI of the paired difference", Swatch::Line { colour: style::MUTED, band: false }));
    let groups: Vec<usize> = (0..out.groups.len()).filter(|g| out.groups[*g].scenario == baseline || scen.iter().any(|(_, s)| *s == out.groups[*g].scenario)).collect();
    let yr = if year.is_finite() { format!(" in {}", style::tick_text(year, 1.0)) } else { String::new() };
    Some(Chart {
        scenario: None,
        stem: "forest".into(),
        caption: format!(
            "Paired differences from {baseline}{yr} (scenario minus {baseline}, replication by replication): mean and 95% CI for each headline metric; one panel per metric in its own units (not standardised); the vertical line marks zero."
        ),
        frame: canvas::Frame {
            title: format!("Difference from {baseline} at the horizon{yr}"),
            subtitle: subtitle(out, &groups, &["paired differences, mean and 95% CI"]),
            legend,
            footer: vec![format!(
                "Each panel is one headline metric on its own scale and units (no standardisation). Dot: mean of the paired difference over {n_max} replications; whisker: 95% confidence interval; vertical line: no difference."
            )],
        },
        table,
        body: super::Body::Forest(Body { panels }),
    })
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, b: &Body) -> DResult<DB> {
    let cols = if b.panels.len() > 3 { 2 } else { 1 };
    let areas = canvas::grid(area, th, b.panels.len(), Some(cols));
    for (p, a) in b.panels.iter().zip(&areas) {
        let (w, _) = a.dim_in_pixel();
        let (mut lo, mut hi) = (0.0f64, 0.0f64);
        for r in p.rows.iter().flatten() {
            for v in [r.mean, r.lo, r.hi] {
                if v.is_finite() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
        let n_ticks = canvas::fit_ticks(a, th, "\u{2212}0.000", w as i32, 1.8).min(8);
        // Zero always inside, never on the frame.
        let pad = (hi - lo).max(1e-12) * 0.06;
        let x = style::axis(lo - pad, hi + pad, n_ticks, false);
        let m = p.rows.len();
        let y = style::Axis { lo: -0.6, hi: m as f64 - 0.4, ticks: Vec::new(), step: 1.0 };
        let xs = x.step;
        let xt = move |v: f64| style::tick_text(v, xs);
        let yt = |_: f64| String::new();
        let spec = PanelSpec { title: Some((p.title.clone(), None)), x: AxisSpec { axis: x, title: String::new(), text: &xt }, y: AxisSpec { axis: y, title: String::new(), text: &yt }, x_grid: true };
        let mut chart = canvas::panel(a, th, &spec)?;
        chart.draw_series(std::iter::once(PathElement::new(vec![(0.0, -0.6), (0.0, m as f64 - 0.4)], INK.stroke_width(th.pxu(2.0)))))?;
        for (i, r) in p.rows.iter().enumerate() {
            let Some(r) = r else { continue };
            let yv = (m - 1 - i) as f64;
            if r.lo.is_finite() {
                let cap = 0.18;
                let w = th.pxu(3.0);
                canvas::line(&mut chart, vec![(r.lo, yv), (r.hi, yv)], r.colour, w, th)?;
                canvas::line(&mut chart, vec![(r.lo, yv - cap), (r.lo, yv + cap)], r.colour, w, th)?;
                canvas::line(&mut chart, vec![(r.hi, yv - cap), (r.hi, yv + cap)], r.colour, w, th)?;
            }
            canvas::marker(chart.plotting_area(), (r.mean, yv), th.px(7.0), r.colour, Shape::Filled, th)?;
        }
    }
    Ok(())
}
