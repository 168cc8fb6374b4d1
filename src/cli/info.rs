//! `params`, `metrics` and `show`: what can be set, what is measured, what a scenario is.

use super::{say, Failure, Outcome};
use crate::config::registry::{self, default_text, range_text, REGISTRY};
use crate::io::scenario;
use crate::model::metrics::{MetricDef, LINE_METRICS, METRICS};
use clap::{Args, ValueEnum};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Aligned text for the terminal
    Table,
    /// JSON for scripts
    Json,
    /// A Markdown table for documents
    Markdown,
}

#[derive(Args, Debug)]
pub struct ParamsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct MetricsArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A built-in scenario name (see `configs/`) or a path to a scenario file
    #[arg(default_value = "baseline")]
    pub scenario: String,
    /// Print only the settings that differ from the baseline, as dotted paths
    #[arg(long)]
    pub diff: bool,
}

pub fn params(a: ParamsArgs) -> Outcome {
    match a.format {
        Format::Json => {
            let list: Vec<Value> = REGISTRY
                .iter()
                .map(|p| {
                    json!({"path": p.path, "default": p.default, "min": p.min, "max": p.max, "unit": p.unit,
                           "description": p.description, "source": p.source, "allowed": p.allowed()})
                })
                .collect();
            say(&serde_json::to_string_pretty(&list).map_err(|e| Failure::runtime(e.to_string()))?);
        }
        Format::Markdown => say(registry::markdown_table().trim_end()),
        Format::Table => {
            let rows: Vec<[String; 6]> = REGISTRY
                .iter()
                .map(|p| {
                    let (lo, hi) = range_text(p);
                    [p.path.to_string(), default_text(p), lo, hi, p.unit.to_string(), p.description.to_string()]
                })
                .collect();
            table(&["path", "default", "min", "max", "unit", "description"], &rows);
        }
    }
    Ok(())
}

fn metric_rows(defs: &[MetricDef]) -> Vec<[String; 4]> {
    defs.iter().map(|m| [m.name.to_string(), m.unit.to_string(), m.undefined_when.map(|u| format!("when {u}")).unwrap_or_else(|| "never".into()), m.description.to_string()]).collect()
}

pub fn metrics(a: MetricsArgs) -> Outcome {
    match a.format {
        Format::Json => {
            let conv = |defs: &[MetricDef], scope: &str| -> Vec<Value> {
                defs.iter()
                    .map(|m| json!({"name": m.name, "scope": scope, "unit": m.unit, "description": m.description,
                                    "can_be_undefined": m.undefined_when.is_some(), "undefined_when": m.undefined_when, "headline": m.headline}))
                    .collect()
            };
            let mut all = conv(METRICS, "national");
            all.extend(conv(LINE_METRICS, "service_line"));
            say(&serde_json::to_string_pretty(&all).map_err(|e| Failure::runtime(e.to_string()))?);
        }
        Format::Markdown => say(crate::model::metrics::markdown_table().trim_end()),
        Format::Table => {
            say("National metrics (series.csv, summary.csv):");
            table(&["metric", "unit", "undefined", "description"], &metric_rows(METRICS));
            say("");
            say("Per service line (series_by_line.csv, summary_by_line.csv):");
            table(&["metric", "unit", "undefined", "description"], &metric_rows(LINE_METRICS));
        }
    }
    Ok(())
}

pub fn show(a: ShowArgs) -> Outcome {
    let sc = scenario::load(&a.scenario)?;
    if a.diff {
        let mut obj = serde_json::Map::new();
        for (path, v) in sc.diff_from_baseline() {
            obj.insert(path, v);
        }
        say(&serde_json::to_string_pretty(&Value::Object(obj)).map_err(|e| Failure::runtime(e.to_string()))?);
    } else {
        let mut out = serde_json::Map::new();
        out.insert("name".into(), json!(sc.name));
        out.insert("description".into(), json!(sc.description));
        if !sc.notes.is_empty() {
            out.insert("notes".into(), json!(sc.notes));
        }
        if let Value::Object(m) = &sc.resolved {
            for (k, v) in m {
                out.insert(k.clone(), crate::config::tidy(v));
            }
        }
        say(&serde_json::to_string_pretty(&Value::Object(out)).map_err(|e| Failure::runtime(e.to_string()))?);
    }
    Ok(())
}

/// Print rows as an aligned table (the last column is not padded).
pub fn table<const N: usize>(head: &[&str; N], rows: &[[String; N]]) {
    let mut w = [0usize; N];
    for (k, h) in head.iter().enumerate() {
        w[k] = h.len();
    }
    for r in rows {
        for k in 0..N - 1 {
            w[k] = w[k].max(r[k].chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (k, c) in cells.iter().enumerate() {
            if k + 1 < N {
                s.push_str(&format!("{c:<width$}  ", width = w[k]));
            } else {
                s.push_str(c);
            }
        }
        say(s.trim_end());
    };
    line(head.to_vec());
    for r in rows {
        line(r.iter().map(|s| s.as_str()).collect());
    }
}
