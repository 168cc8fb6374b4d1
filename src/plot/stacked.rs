//! Compositions over time as stacked areas: the provision mix (CSU, other provider,
//! shared, in house) and the Cox power regimes (the four quadrant counts), one panel per
//! scenario; and the provision mix per service line, one panel per line.

use super::canvas::{self, Area, AxisSpec, DResult, LegendItem, PanelSpec, Swatch};
use super::data::{Outputs, Stat};
use super::style::{self, Theme};
use super::{metric_title, num, slug, subtitle, unit_of, Chart, Table};
use crate::model::metrics::LINE_METRICS;
use plotters::prelude::*;
use std::collections::BTreeMap;

/// A layer of a stack: its metric, legend text and colour (bottom layer first).
struct Layer {
    metric: &'static str,
    label: &'static str,
    colour: RGBColor,
}

const MIX: [Layer; 4] = [
    Layer { metric: "share_csu", label: "CSU", colour: style::BLUE },
    Layer { metric: "share_other", label: "other provider", colour: style::PURPLE },
    Layer { metric: "share_shared", label: "shared (another CCG's team)", colour: style::GREEN },
    Layer { metric: "share_in_house", label: "in house", colour: style::ORANGE },
];

const QUADRANTS: [Layer; 4] = [
    Layer { metric: "quadrant_buyer_dominance", label: "buyer dominance", colour: style::SKY },
    Layer { metric: "quadrant_interdependence", label: "interdependence", colour: style::GREEN },
    Layer { metric: "quadrant_independence", label: "independence", colour: style::YELLOW },
    Layer { metric: "quadrant_supplier_dominance", label: "supplier dominance", colour: style::VERMILLION },
];

/// Panels of stacked areas beyond this are too small to read.
pub const MAX_PANELS: usize = 12;

pub struct Panel {
    pub title: String,
    /// (year, layer values) for every step where all layers are defined; `None` marks a gap.
    pub points: Vec<Option<(f64, Vec<f64>)>>,
}

pub struct Body {
    pub layers: Vec<RGBColor>,
    pub panels: Vec<Panel>,
    pub y_title: String,
    pub y_max: f64,
    pub first_year: f64,
    pub last_year: f64,
}

/// Join the layers' series step by step; steps where a layer is undefined become gaps.
fn stack(series: &[Option<&[Stat]>]) -> Vec<Option<(u32, f64, Vec<f64>)>> {
    let mut steps: BTreeMap<u32, (f64, Vec<f64>)> = BTreeMap::new();
    for (k, s) in series.iter().enumerate() {
        for st in s.unwrap_or(&[]) {
            let e = steps.entry(st.step).or_insert_with(|| (st.year, vec![f64::NAN; series.len()]));
            e.1[k] = st.mean;
        }
    }
    steps
        .into_iter()
        .map(|(step, (year, v))| if year.is_finite() && v.iter().all(|x| x.is_finite()) { Some((step, year, v)) } else { None })
        .collect()
}

struct Built {
    panels: Vec<Panel>,
    y_max: f64,
    years: (f64, f64),
}

/// A panel before layout: its title, the key cells of its CSV rows, and the joined steps.
type PanelRows = (String, Vec<String>, Vec<Option<(u32, f64, Vec<f64>)>>);

fn build(rows: Vec<PanelRows>, table: &mut Table) -> Built {
    let mut panels = Vec::new();
    let mut y_max: f64 = 0.0;
    let (mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY);
    for (title, keys, pts) in rows {
        for (step, year, v) in pts.iter().flatten() {
            y_max = y_max.max(v.iter().sum());
            y0 = y0.min(*year);
            y1 = y1.max(*year);
            let mut row = keys.clone();
            row.extend([step.to_string(), num(*year)]);
            row.extend(v.iter().map(|x| num(*x)));
            table.push(row);
        }
        panels.push(Panel { title, points: pts.into_iter().map(|p| p.map(|(_, y, v)| (y, v))).collect() });
    }
    Built { panels, y_max, years: (y0, y1) }
}

fn key_cols(out: &Outputs) -> Vec<&'static str> {
    if out.is_sweep() {
        vec!["scenario", "point"]
    } else {
        vec!["scenario"]
    }
}

fn keys(out: &Outputs, g: usize) -> Vec<String> {
    let grp = &out.groups[g];
    let mut k = vec![grp.scenario.clone()];
    if out.is_sweep() {
        k.push(grp.point.clone().unwrap_or_default());
    }
    k
}

/// One panel per scenario of a composition from summary.csv.
fn per_scenario(out: &Outputs, skipped: &mut Vec<String>, layers: &[Layer; 4], stem: &str, what: &str) -> Option<Chart> {
    let summary = out.summary.as_ref()?;
    let groups: Vec<usize> = (0..out.groups.len()).filter(|g| layers.iter().all(|l| summary.get(*g, l.metric).is_some())).collect();
    if groups.is_empty() {
        skipped.push(format!("no {stem} chart: summary.csv lacks {}", layers.iter().map(|l| l.metric).collect::<Vec<_>>().join(", ")));
        return None;
    }
    if groups.len() > MAX_PANELS {
        skipped.push(format!("no {stem} chart: {} scenarios or sweep points would be more than {MAX_PANELS} panels", groups.len()));
        return None;
    }
    let mut head = key_cols(out);
    head.extend(["step", "year"]);
    head.extend(layers.iter().map(|l| l.metric));
    let mut table = Table::new(&head);
    let rows = groups
        .iter()
        .map(|&g| {
            let series: Vec<Option<&[Stat]>> = layers.iter().map(|l| summary.get(g, l.metric)).collect();
            (out.groups[g].label.clone(), keys(out, g), stack(&series))
        })
        .collect();
    let b = build(rows, &mut table);
    if !b.y_max.is_finite() || b.panels.iter().all(|p| p.points.iter().all(|x| x.is_none())) {
        skipped.push(format!("no {stem} chart: undefined throughout"));
        return None;
    }
    let unit = unit_of(layers[0].metric);
    let legend = layers.iter().rev().map(|l| LegendItem::new(l.label, Swatch::Fill(l.colour))).collect();
    let (title, y_title, caption, note) = if stem == "provision_mix" {
        (
            "How CCG service lines are provided".to_string(),
            metric_title("share of CCG service lines", unit),
            format!("Provision mix over time: mean shares of CCG service lines bought from a CSU or another provider, shared or run in house, stacked; one panel per {what}."),
            "Stacked means over replications of share_csu, share_other, share_shared and share_in_house (they add up to 1).",
        )
    } else {
        (
            "Cox power regimes of CCG-provider relationships".to_string(),
            metric_title("external contracts", unit),
            format!("Cox power regimes over time: mean number of external contracts in each quadrant (buyer dominance, interdependence, independence, supplier dominance), stacked; one panel per {what}."),
            "Stacked means over replications of the quadrant_* counts; their total is the number of external contracts (relationships).",
        )
    };
    Some(Chart {
        scenario: None,
        stem: stem.to_string(),
        caption,
        frame: canvas::Frame { title, subtitle: subtitle(out, &groups, &["means over replications"]), legend, footer: vec![note.to_string()] },
        table,
        body: super::Body::Stacked(Body {
            layers: layers.iter().map(|l| l.colour).collect(),
            panels: b.panels,
            y_title,
            y_max: b.y_max,
            first_year: b.years.0,
            last_year: b.years.1,
        }),
    })
}

fn what(out: &Outputs) -> &'static str {
    if out.is_sweep() {
        "sweep point"
    } else {
        "scenario"
    }
}

pub fn provision_mix(out: &Outputs, skipped: &mut Vec<String>) -> Option<Chart> {
    per_scenario(out, skipped, &MIX, "provision_mix", what(out))
}

pub fn power_regimes(out: &Outputs, skipped: &mut Vec<String>) -> Option<Chart> {
    per_scenario(out, skipped, &QUADRANTS, "power_regimes", what(out))
}

/// A service line's id as a panel title: words apart, the first capitalised, and
/// words of one or two letters (abbreviations: `it`, `hr_od`) in capitals.
fn line_title(id: &str) -> String {
    let words: Vec<String> = id
        .split('_')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(k, w)| {
            if w.chars().count() <= 2 {
                w.to_uppercase()
            } else if k == 0 {
                super::sentence(w)
            } else {
                w.to_string()
            }
        })
        .collect();
    if words.is_empty() {
        id.to_string()
    } else {
        words.join(" ")
    }
}

/// The provision mix per service line from summary_by_line.csv: one figure per scenario
/// (only the first when there are more than eight, as in a large sweep).
pub fn by_line(out: &Outputs, skipped: &mut Vec<String>) -> Vec<Chart> {
    let Some(bl) = &out.by_line else {
        if !out.is_sweep() {
            // a sweep never writes summary_by_line.csv: nothing to report
            skipped.push("no provision_mix_by_line chart: no summary_by_line.csv".into());
        }
        return Vec::new();
    };
    let mut groups: Vec<usize> = (0..out.groups.len()).filter(|g| bl.lines.iter().any(|l| bl.get(*g, l, MIX[0].metric).is_some())).collect();
    if out.is_sweep() && groups.len() > 1 {
        skipped.push(format!("provision_mix_by_line drawn for the first of {} sweep points only", groups.len()));
        groups.truncate(1);
    }
    let unit = LINE_METRICS.iter().find(|m| m.name == MIX[0].metric).map(|m| m.unit).unwrap_or("");
    let mut used_stems: Vec<String> = Vec::new();
    let mut charts = Vec::new();
    for &g in &groups {
        let grp = &out.groups[g];
        let mut head = key_cols(out);
        head.extend(["service_line", "step", "year"]);
        head.extend(MIX.iter().map(|l| l.metric));
        let mut table = Table::new(&head);
        let rows = bl
            .lines
            .iter()
            .filter(|line| MIX.iter().all(|l| bl.get(g, line, l.metric).is_some()))
            .map(|line| {
                let series: Vec<Option<&[Stat]>> = MIX.iter().map(|l| bl.get(g, line, l.metric)).collect();
                let mut k = keys(out, g);
                k.push(line.to_string());
                (line_title(line), k, stack(&series))
            })
            .collect::<Vec<_>>();
        if rows.is_empty() {
            continue;
        }
        let b = build(rows, &mut table);
        if b.panels.len() > 16 {
            skipped.push(format!("no provision_mix_by_line chart: {} service lines would be more than 16 panels", b.panels.len()));
            continue;
        }
        let mut stem = if groups.len() == 1 { "provision_mix_by_line".to_string() } else { format!("provision_mix_by_line_{}", slug(&grp.label)) };
        if used_stems.contains(&stem) {
            stem = format!("{stem}_{}", g + 1);
        }
        used_stems.push(stem.clone());
        let legend = MIX.iter().rev().map(|l| LegendItem::new(l.label, Swatch::Fill(l.colour))).collect();
        charts.push(Chart {
            scenario: Some(grp.scenario.clone()),
            stem,
            caption: format!(
                "Provision mix by service line over time ({}): mean shares of CCGs buying each line from a CSU or another provider, sharing it or running it in house, stacked; one panel per line.",
                grp.label
            ),
            frame: canvas::Frame {
                title: format!("How each service line is provided: {}", grp.label),
                subtitle: subtitle(out, &[g], &["means over replications"]),
                legend,
                footer: vec!["Stacked means over replications of the by-line share_csu, share_other, share_shared and share_in_house (summary_by_line.csv); they add up to 1.".into()],
            },
            table,
            body: super::Body::Stacked(Body {
                layers: MIX.iter().map(|l| l.colour).collect(),
                panels: b.panels,
                y_title: metric_title("share of CCGs", unit),
                y_max: b.y_max,
                first_year: b.years.0,
                last_year: b.years.1,
            }),
        });
    }
    charts
}

pub fn draw<DB: DrawingBackend>(area: &Area<DB>, th: &Theme, b: &Body) -> DResult<DB> {
    let areas = canvas::grid(area, th, b.panels.len(), None);
    for (p, a) in b.panels.iter().zip(&areas) {
        let (_, h) = a.dim_in_pixel();
        let x = canvas::years(a, th, b.first_year, b.last_year);
        let y = style::axis(0.0, b.y_max, canvas::y_tick_count(th, h), true);
        let (xs, ys) = (x.step, y.step);
        let xt = move |v: f64| style::tick_text(v, xs);
        let yt = move |v: f64| style::tick_text(v, ys);
        let spec = PanelSpec {
            title: if b.panels.len() > 1 { Some((p.title.clone(), None)) } else { None },
            x: AxisSpec { axis: x, title: "Year".into(), text: &xt },
            y: AxisSpec { axis: y, title: b.y_title.clone(), text: &yt },
            x_grid: false,
        };
        let mut chart = canvas::panel(a, th, &spec)?;
        let runs = canvas::runs(&p.points, |x| x.is_some());
        for run in runs {
            let run: Vec<&(f64, Vec<f64>)> = run.iter().map(|x| x.as_ref().expect("defined")).collect();
            let mut lower: Vec<(f64, f64)> = run.iter().map(|(yr, _)| (*yr, 0.0)).collect();
            for (k, colour) in b.layers.iter().enumerate() {
                let upper: Vec<(f64, f64)> = run.iter().zip(&lower).map(|((yr, v), (_, lo))| (*yr, lo + v[k])).collect();
                let mut pts = upper.clone();
                pts.extend(lower.iter().rev().copied());
                if run.len() >= 2 {
                    canvas::polygon(&mut chart, pts, colour.filled())?;
                } else {
                    chart.draw_series(std::iter::once(PathElement::new(vec![(run[0].0, lower[0].1), (run[0].0, upper[0].1)], colour.stroke_width(th.pxu(6.0)))))?;
                }
                lower = upper;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_ids_become_readable_titles() {
        assert_eq!(super::line_title("it"), "IT");
        assert_eq!(super::line_title("hr_od"), "HR OD");
        assert_eq!(super::line_title("business_intelligence"), "Business intelligence");
        assert_eq!(super::line_title("medicines_management"), "Medicines management");
        assert_eq!(super::line_title("_"), "_");
    }
}
