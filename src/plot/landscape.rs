//! The supplier landscape at the horizon, from one replication's agent table
//! (suppliers.csv): each supplier's mean capability against its market share, sized by
//! revenue, coloured by kind, shaped by status (active filled, merged hollow, exited
//! crossed).

use super::canvas::{self, Area, AxisSpec, DResult, LegendItem, PanelSpec, Shape, Swatch};
use super::data::{Outputs, SupplierRow};
use super::style::{self, Theme};
use super::{metric_title, num, unit_of, Chart, Table};
use plotters::prelude::*;

/// Kinds of supplier and their colours (legend order).
const KINDS: [(&str, &str, RGBColor); 5] = [
    ("csu", "CSU", style::BLUE),
    ("private", "private", style::VERMILLION),
    ("charity", "charity", style::GREEN),
    ("local_authority", "local authority", style::PURPLE),
    ("trust", "NHS trust", style::ORANGE),
];

/// Statuses drawn and their markers; suppliers that never entered are left out.
const STATUSES: [(&str, Shape); 4] = [("active", Shape::Filled), ("merged", Shape::Hollow), ("exited", Shape::Cross), ("failed_checkpoint", Shape::Cross)];

/// Marker radii in pixels at scale 1: smallest and largest revenue.
const R_MIN: f64 = 4.0;
const R_MAX: f64 = 24.0;

/// Panels beyond this (scenarios compared) would be too small to read.
const MAX_PANELS: usize = 9;

pub struct Dot {
    pub x: f64,
    pub y: f64,
    /// Radius as a fraction of the largest (square root of revenue share).
    pub size: f64,
    pub colour: RGBColor,
    pub shape: Shape,
}

pub struct Panel {
    pub title: String,
    pub dots: Vec<Dot>,
}

pub struct Body {
    pub panels: Vec<Panel>,
    pub x_title: String,
    pub y_title: String,
    pub x: (f64, f64),
    pub y: (f64, f64),
}

fn kind_colour(kind: &str) -> RGBColor {
    KINDS.iter().find(|k| k.0 == kind).map(|k| k.2).unwrap_or(style::BLACK)
}

fn radius(size: f64) -> f64 {
    R_MIN + (R_MAX - R_MIN) * size.clamp(0.0, 1.0)
}

/// A round revenue for the size legend, at most `x`.
fn round_down(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let mag = 10f64.powf(x.log10().floor());
    [5.0, 2.0, 1.0].iter().map(|m| m * mag).find(|v| *v <= x).unwrap_or(mag)
}

/// A round amount of money: £500k, £2m, £1.5bn.
fn money(x: f64) -> String {
    let (v, suffix) = if x >= 1e9 {
        (x / 1e9, "bn")
    } else if x >= 1e6 {
        (x / 1e6, "m")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    format!("\u{a3}{}{suffix}", (v * 1000.0).round() / 1000.0)
}

pub fn charts(out: &Outputs, skipped: &mut Vec<String>) -> Option<Chart> {
    let Some(rows) = &out.suppliers else {
        if !out.is_sweep() {
            // a sweep never writes agent tables: nothing to report
            skipped.push("no supplier landscape: no suppliers.csv".into());
        }
        return None;
    };
    // Per scenario (or point): the first replication present and its final step.
    let mut keys: Vec<(String, Option<String>)> = Vec::new();
    for r in rows {
        let k = (r.scenario.clone(), r.point.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if keys.len() > MAX_PANELS {
        skipped.push(format!("supplier landscape drawn for the first {MAX_PANELS} of {} scenarios or points only", keys.len()));
        keys.truncate(MAX_PANELS);
    }
    let mut chosen: Vec<(usize, Vec<&SupplierRow>)> = Vec::new();
    let mut reps = Vec::new();
    let mut omitted = 0usize;
    let mut year = f64::NAN;
    for (sc, pt) in &keys {
        let mine: Vec<&SupplierRow> = rows.iter().filter(|r| &r.scenario == sc && &r.point == pt).collect();
        let Some(rep) = mine.iter().map(|r| r.replication).min() else { continue };
        let Some(step) = mine.iter().filter(|r| r.replication == rep).map(|r| r.step).max() else { continue };
        let at: Vec<&SupplierRow> = mine.into_iter().filter(|r| r.replication == rep && r.step == step).collect();
        let drawn: Vec<&SupplierRow> = at
            .iter()
            .copied()
            .filter(|r| STATUSES.iter().any(|s| s.0 == r.status) && r.capability_mean.is_finite() && r.market_share_total.is_finite())
            .collect();
        omitted += at.len() - drawn.len();
        if let Some(r) = at.first() {
            year = r.year;
        }
        let g = out.group_of(sc, pt.as_deref()).unwrap_or(chosen.len());
        reps.push((sc.clone(), pt.clone(), rep));
        chosen.push((g, drawn));
    }
    if chosen.iter().all(|(_, d)| d.is_empty()) {
        skipped.push("no supplier landscape: no supplier with a defined capability and market share at the final step".into());
        return None;
    }
    let rev_max = chosen.iter().flat_map(|(_, d)| d.iter().map(|r| r.revenue_total)).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let point_col = out.is_sweep();
    let mut head = vec!["scenario"];
    if point_col {
        head.push("point");
    }
    head.extend(["replication", "step", "year", "supplier", "kind", "status", "capability_mean", "market_share_total", "revenue_total"]);
    let mut table = Table::new(&head);
    let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    let mut panels = Vec::new();
    for (g, drawn) in &chosen {
        let mut dots = Vec::new();
        for r in drawn {
            let rev = if r.revenue_total.is_finite() { r.revenue_total.max(0.0) } else { 0.0 };
            let size = if rev_max > 0.0 { (rev / rev_max).sqrt() } else { 0.0 };
            let shape = STATUSES.iter().find(|s| s.0 == r.status).map(|s| s.1).unwrap_or(Shape::Filled);
            dots.push(Dot { x: r.capability_mean, y: r.market_share_total, size, colour: kind_colour(&r.kind), shape });
            x0 = x0.min(r.capability_mean);
            x1 = x1.max(r.capability_mean);
            y1 = y1.max(r.market_share_total);
            let mut row = vec![r.scenario.clone()];
            if point_col {
                row.push(r.point.clone().unwrap_or_default());
            }
            row.extend([r.replication.to_string(), r.step.to_string(), num(r.year), r.supplier.clone(), r.kind.clone(), r.status.clone(), num(r.capability_mean), num(r.market_share_total), num(r.revenue_total)]);
            table.push(row);
        }
        // Big markers first, so that small ones stay visible on top; hollow and crossed last.
        dots.sort_by(|a, b| (a.shape != Shape::Filled).cmp(&(b.shape != Shape::Filled)).then(b.size.total_cmp(&a.size)));
        let grp = out.groups.get(*g);
        let title = grp.map(|x| x.label.clone()).unwrap_or_default();
        panels.push(Panel { title, dots });
    }
    let mut legend = vec![LegendItem::new("Kind", Swatch::Heading)];
    let kinds_present: Vec<&str> = chosen.iter().flat_map(|(_, d)| d.iter().map(|r| r.kind.as_str())).collect();
    for (k, label, c) in KINDS {
        if kinds_present.contains(&k) {
            legend.push(LegendItem::new(label, Swatch::Point { colour: c, shape: Shape::Filled, radius: 7.0 }));
        }
    }
    legend.push(LegendItem::new("Status", Swatch::Heading));
    let statuses_present: Vec<&str> = chosen.iter().flat_map(|(_, d)| d.iter().map(|r| r.status.as_str())).collect();
    let exited = statuses_present.contains(&"exited");
    let failed = statuses_present.contains(&"failed_checkpoint");
    legend.push(LegendItem::new("active", Swatch::Point { colour: style::MUTED, shape: Shape::Filled, radius: 7.0 }));
    if statuses_present.contains(&"merged") {
        legend.push(LegendItem::new("merged", Swatch::Point { colour: style::MUTED, shape: Shape::Hollow, radius: 7.0 }));
    }
    let gone = match (exited, failed) {
        (true, true) => Some("exited or failed checkpoint"),
        (true, false) => Some("exited"),
        (false, true) => Some("failed checkpoint"),
        _ => None,
    };
    if let Some(label) = gone {
        legend.push(LegendItem::new(label, Swatch::Point { colour: style::MUTED, shape: Shape::Cross, radius: 7.0 }));
    }
    legend.push(LegendItem::new("Revenue a year", Swatch::Heading));
    let mut refs = vec![round_down(rev_max)];
    for f in [0.25, 0.04] {
        let v = round_down(rev_max * f);
        if v > 0.0 && !refs.contains(&v) {
            refs.push(v);
        }
    }
    for v in refs.iter().rev() {
        if *v > 0.0 {
            legend.push(LegendItem::new(money(*v), Swatch::Point { colour: style::MUTED, shape: Shape::Hollow, radius: radius((v / rev_max).sqrt()) }));
        }
    }
    let rep_text = match reps.iter().map(|r| r.2).max() {
        Some(k) if reps.iter().all(|r| r.2 == k) => format!("replication {k}"),
        _ => "the first replication of each scenario".into(),
    };
    let seed = reps.first().and_then(|(s, p, k)| out.seeds.get(&(s.clone(), p.clone(), *k))).map(|s| format!(", seed {s}")).unwrap_or_default();
    let yr = if year.is_finite() { format!(" in {}", style::tick_text(year, 1.0)) } else { String::new() };
    let groups: Vec<usize> = chosen.iter().map(|(g, _)| *g).collect();
    let total = out.meta.replications.filter(|n| *n > 1).map(|n| format!(" of {n}")).unwrap_or_default();
    let master = out.meta.master_seed.map(|s| format!(" (master seed {s})")).unwrap_or_default();
    let sub = [super::scenarios_text(out, &groups), format!("single replication: {rep_text}{total} only{seed}{master}"), "one marker per supplier at the final step".into()].join(" \u{b7} ");
    let mut footer = vec![format!(
        "One marker per supplier at the final step of {rep_text} (not an average over replications). Marker area is proportional to revenue_total; market_share_total is the share of all external revenue."
    )];
    let at_zero: Vec<String> = chosen
        .iter()
        .filter_map(|(g, d)| {
            let n = d.iter().filter(|r| r.market_share_total <= 0.0).count();
            let name = out.groups.get(*g).map(|x| x.label.as_str()).unwrap_or("");
            (n > 1).then(|| if chosen.len() > 1 { format!("{n} in {name}") } else { n.to_string() })
        })
        .collect();
    if !at_zero.is_empty() {
        footer.push(format!(
            "Suppliers with no market share at the final step (merged, exited or without customers) overlap on the zero line: {}; supplier_landscape.csv lists each.",
            at_zero.join(", ")
        ));
    }
    if omitted > 0 {
        footer.push(format!("{omitted} suppliers that never entered the market (or have no defined capability) are not shown."));
    }
    Some(Chart {
        scenario: None,
        stem: "supplier_landscape".into(),
        caption: format!(
            "Supplier landscape{yr} (single replication: {rep_text}): each supplier's mean capability against its market share, marker area by revenue, colour by kind, filled if active, hollow if merged, crossed if exited."
        ),
        frame: canvas::Frame { title: format!("Supplier landscape{yr}"), subtitle: sub, legend, footer },
        table,
        body: super::Body::Landscape(Body {
            panels,
            x_title: metric_title("capability_mean", unit_of("capability_mean")),
            y_title: metric_title("market_share_total", "fraction of external revenue"),
            x: (x0, x1),
            y: (0.0, y1),
        }),
    })
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, b: &Body) -> DResult<DB> {
    let areas = canvas::grid(area, th, b.panels.len(), None);
    for (p, a) in b.panels.iter().zip(&areas) {
        let (w, h) = a.dim_in_pixel();
        let x = style::axis(b.x.0, b.x.1, canvas::fit_ticks(a, th, "0.00", w as i32, 2.6).min(10), false);
        let mut y = style::axis(b.y.0, b.y.1 * 1.04, canvas::y_tick_count(th, h), true);
        // Room below zero for the markers of suppliers with no share (ticks stay >= 0).
        y.lo = -(y.hi - y.lo) * 0.04;
        let (xs, ys) = (x.step, y.step);
        let xt = move |v: f64| style::tick_text(v, xs);
        let yt = move |v: f64| style::tick_text(v, ys);
        let title = if b.panels.len() > 1 { Some((p.title.clone(), None)) } else { None };
        let spec = PanelSpec { title, x: AxisSpec { axis: x, title: b.x_title.clone(), text: &xt }, y: AxisSpec { axis: y, title: b.y_title.clone(), text: &yt }, x_grid: true };
        let chart = canvas::panel(a, th, &spec)?;
        for d in &p.dots {
            let r = th.px(radius(d.size));
            let r = if d.shape == Shape::Cross { r.max(th.px(6.0)) } else { r };
            canvas::marker(chart.plotting_area(), (d.x, d.y), r, d.colour, d.shape, th)?;
        }
        if p.dots.is_empty() {
            canvas::empty_note(a, th, "no supplier to show")?;
        }
    }
    Ok(())
}
