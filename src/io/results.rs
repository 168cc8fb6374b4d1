//! Assembling an experiment's files from its unit records, fed in unit order: the
//! per-replication tables (blocks appended as they come), then the summaries, the table
//! of runs, and for comparisons and sweeps their tables. The same assembler serves a
//! direct run, a resumed run and a merge of shard parts, so all give the same bytes.

use super::output::{num, OutFile, OutputDir};
use super::tables::{header_bytes, Table};
use crate::config;
use crate::engine::MetricSeries;
use crate::experiment::compare::{holm, paired_at};
use crate::experiment::stats::Summary;
use crate::experiment::{summarise_scenario, JobKind, Plan, ScenarioSummary, UnitResult};
use crate::model::metrics::{LINE_METRICS, METRICS, N_LINE_METRICS, N_METRICS};
use anyhow::{bail, Context, Result};
use std::io::Write;

/// Builds the output files of a plan from its unit records.
pub struct Assembler<'a> {
    plan: &'a Plan,
    dir: &'a mut OutputDir,
    tables: Vec<(Table, OutFile)>,
    /// Kept metric values per scenario, in replication order, with (replication, seed).
    kept: Vec<Vec<(u64, u64, MetricSeries)>>,
    next: usize,
    expected: Vec<u64>,
}

impl<'a> Assembler<'a> {
    /// Open the tables this plan writes. `expected` lists the unit ids that will come, in order.
    pub fn new(dir: &'a mut OutputDir, plan: &'a Plan, expected: Vec<u64>) -> Result<Self> {
        let mut tables = Vec::new();
        for t in plan.tables() {
            let mut f = dir.file(t.file())?;
            let path = dir.path.join(t.file());
            f.writer().write_all(&header_bytes(t.header())).with_context(|| format!("writing {}", path.display()))?;
            tables.push((t, f));
        }
        Ok(Assembler { plan, dir, tables, kept: vec![Vec::new(); plan.scenarios.len()], next: 0, expected })
    }

    /// Add the next unit (units must come in the expected order).
    pub fn add(&mut self, r: UnitResult) -> Result<()> {
        match self.expected.get(self.next) {
            Some(&id) if id == r.unit.id => {}
            Some(&id) => bail!("unit {} arrived where unit {id} was expected", r.unit.id),
            None => bail!("unit {} is beyond the plan", r.unit.id),
        }
        self.next += 1;
        for (t, f) in self.tables.iter_mut() {
            let k = Table::ALL.iter().position(|x| x == t).expect("known table");
            if !r.blocks[k].is_empty() {
                let path = self.dir.path.join(t.file());
                f.writer().write_all(&r.blocks[k]).with_context(|| format!("writing {}", path.display()))?;
            }
        }
        self.kept[r.unit.scenario].push((r.unit.replication, r.seed, r.series));
        Ok(())
    }

    /// Finish the tables and write the summaries and the derived tables.
    pub fn finish(self) -> Result<Vec<ScenarioSummary>> {
        let Assembler { plan, dir, tables, kept, next, expected } = self;
        if next != expected.len() {
            bail!("only {next} of {} units were assembled", expected.len());
        }
        for (_, f) in tables {
            dir.finish(f)?;
        }
        let by_lines = plan.kind != JobKind::Sweep;
        let sums: Vec<ScenarioSummary> = kept.iter().map(|reps| summarise_scenario(&reps.iter().map(|(_, _, s)| s).collect::<Vec<_>>(), by_lines)).collect();
        write_summaries(dir, plan, &sums)?;
        write_runs(dir, plan, &kept)?;
        match plan.kind {
            JobKind::Compare => write_comparison(dir, plan, &kept, &sums)?,
            JobKind::Sweep => write_sweep(dir, plan, &sums)?,
            JobKind::Run => {}
        }
        Ok(sums)
    }
}

fn summary_cells(s: &Summary) -> [String; 8] {
    [s.n.to_string(), num(s.mean), num(s.sd), num(s.p05), num(s.p50), num(s.p95), num(s.ci_low), num(s.ci_high)]
}

/// A table streamed to its file row by row; a write error names the file.
fn write_csv(dir: &mut OutputDir, name: &str, header: &[String], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let mut f = dir.file(name)?;
    let path = dir.path.join(name);
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(f.writer());
        w.write_record(header).with_context(|| format!("writing {}", path.display()))?;
        for r in rows {
            w.write_record(&r).with_context(|| format!("writing {}", path.display()))?;
        }
        w.flush().with_context(|| format!("writing {}", path.display()))?;
    }
    dir.finish(f)
}

fn s(x: &str) -> String {
    x.to_string()
}

fn lead(plan: &Plan, scenario: usize) -> Vec<String> {
    let mut v = vec![plan.scenarios[scenario].name.clone()];
    if plan.kind == JobKind::Sweep {
        v.push(scenario.to_string());
    }
    v
}

fn lead_header(plan: &Plan) -> Vec<String> {
    let mut v = vec![s("scenario")];
    if plan.kind == JobKind::Sweep {
        v.push(s("point"));
    }
    v
}

const STATS: [&str; 8] = ["n", "mean", "sd", "p05", "p50", "p95", "ci_low", "ci_high"];

/// `summary.csv`, `summary_by_line.csv` and `summary_wide.csv`.
pub fn write_summaries(dir: &mut OutputDir, plan: &Plan, sums: &[ScenarioSummary]) -> Result<()> {
    let mut head = lead_header(plan);
    head.extend([s("step"), s("year"), s("metric")]);
    head.extend(STATS.map(s));
    let rows = sums.iter().enumerate().flat_map(|(k, sum)| {
        let cfg = &plan.scenarios[k].config;
        (0..sum.steps).flat_map(move |step| {
            METRICS.iter().enumerate().map(move |(m, def)| {
                let mut r = lead(plan, k);
                r.extend([step.to_string(), num(cfg.year_at(step as u32)), s(def.name)]);
                r.extend(summary_cells(&sum.national[step * N_METRICS + m]));
                r
            })
        })
    });
    write_csv(dir, "summary.csv", &head, rows)?;

    if plan.kind != JobKind::Sweep {
        write_summary_by_line(dir, plan, sums)?;
    }
    write_summary_wide(dir, plan, sums)
}

/// `summary_by_line.csv` (not for sweeps: per point it would dwarf everything else).
fn write_summary_by_line(dir: &mut OutputDir, plan: &Plan, sums: &[ScenarioSummary]) -> Result<()> {
    let mut head = lead_header(plan);
    head.extend([s("step"), s("year"), s("service_line"), s("metric")]);
    head.extend(STATS.map(s));
    let rows = sums.iter().enumerate().flat_map(|(k, sum)| {
        let cfg = &plan.scenarios[k].config;
        (0..sum.steps).flat_map(move |step| {
            cfg.service_lines.iter().enumerate().flat_map(move |(l, line)| {
                LINE_METRICS.iter().enumerate().map(move |(m, def)| {
                    let mut r = lead(plan, k);
                    r.extend([step.to_string(), num(cfg.year_at(step as u32)), line.name.clone(), s(def.name)]);
                    r.extend(summary_cells(&sum.by_line[(step * sum.n_lines + l) * N_LINE_METRICS + m]));
                    r
                })
            })
        })
    });
    write_csv(dir, "summary_by_line.csv", &head, rows)
}

/// `summary_wide.csv`: the means, one column per metric.
fn write_summary_wide(dir: &mut OutputDir, plan: &Plan, sums: &[ScenarioSummary]) -> Result<()> {
    let mut head = lead_header(plan);
    head.extend([s("step"), s("year")]);
    head.extend(METRICS.iter().map(|m| s(m.name)));
    let rows = sums.iter().enumerate().flat_map(|(k, sum)| {
        let cfg = &plan.scenarios[k].config;
        (0..sum.steps).map(move |step| {
            let mut r = lead(plan, k);
            r.extend([step.to_string(), num(cfg.year_at(step as u32))]);
            r.extend((0..N_METRICS).map(|m| num(sum.national[step * N_METRICS + m].mean)));
            r
        })
    });
    write_csv(dir, "summary_wide.csv", &head, rows)
}

/// `runs.csv`: scenario, replication, seed, then each metric at the final step.
fn write_runs(dir: &mut OutputDir, plan: &Plan, kept: &[Vec<(u64, u64, MetricSeries)>]) -> Result<()> {
    let mut head = lead_header(plan);
    head.extend([s("replication"), s("seed")]);
    head.extend(METRICS.iter().map(|m| s(m.name)));
    let rows = kept.iter().enumerate().flat_map(|(k, reps)| {
        reps.iter().map(move |(rep, seed, series)| {
            let last = series.steps - 1;
            let mut r = lead(plan, k);
            r.extend([rep.to_string(), seed.to_string()]);
            r.extend((0..N_METRICS).map(|m| num(series.get(last, m))));
            r
        })
    });
    write_csv(dir, "runs.csv", &head, rows)
}

/// `differences.csv`, `comparison.csv` and `comparison.md`.
fn write_comparison(dir: &mut OutputDir, plan: &Plan, kept: &[Vec<(u64, u64, MetricSeries)>], sums: &[ScenarioSummary]) -> Result<()> {
    let series: Vec<Vec<&MetricSeries>> = kept.iter().map(|reps| reps.iter().map(|(_, _, s)| s).collect()).collect();
    let base = &plan.scenarios[0];
    let steps = sums[0].steps;
    let head: Vec<String> = ["scenario", "baseline", "step", "year", "metric", "n", "mean_diff", "sd_diff", "ci_low", "ci_high"].map(s).to_vec();
    let rows = (1..plan.scenarios.len()).flat_map(|k| {
        let series = &series;
        (0..steps).flat_map(move |step| {
            METRICS.iter().enumerate().map(move |(m, def)| {
                let d = paired_at(&series[0], &series[k], step * N_METRICS + m);
                vec![plan.scenarios[k].name.clone(), base.name.clone(), step.to_string(), num(base.config.year_at(step as u32)), s(def.name), d.n.to_string(), num(d.mean), num(d.sd), num(d.ci_low), num(d.ci_high)]
            })
        })
    });
    write_csv(dir, "differences.csv", &head, rows)?;

    // headline metrics at the horizon, with Holm's adjustment across the table's tests
    let last = steps - 1;
    let headline: Vec<usize> = METRICS.iter().enumerate().filter(|(_, m)| m.headline).map(|(k, _)| k).collect();
    let mut entries = Vec::new();
    for k in 0..plan.scenarios.len() {
        for &m in &headline {
            let sm = sums[k].national[last * N_METRICS + m];
            let d = (k > 0).then(|| paired_at(&series[0], &series[k], last * N_METRICS + m));
            entries.push((k, m, sm, d));
        }
    }
    let pvals: Vec<f64> = entries.iter().map(|e| e.3.map(|d| d.p).unwrap_or(f64::NAN)).collect();
    let adj = holm(&pvals, 0.05);
    let flag = |d: Option<crate::experiment::compare::Paired>, sig: bool| match d {
        Some(d) if d.p.is_finite() => s(if sig { "true" } else { "false" }),
        _ => String::new(),
    };
    let head: Vec<String> = ["scenario", "metric", "mean", "ci_low", "ci_high", "mean_diff", "diff_ci_low", "diff_ci_high", "significant", "significant_holm"].map(s).to_vec();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .zip(&adj)
        .map(|(&(k, m, sm, d), &h)| {
            let dd = |f: fn(&crate::experiment::compare::Paired) -> f64| d.map(|x| num(f(&x))).unwrap_or_default();
            vec![
                plan.scenarios[k].name.clone(),
                s(METRICS[m].name),
                num(sm.mean),
                num(sm.ci_low),
                num(sm.ci_high),
                dd(|x| x.mean),
                dd(|x| x.ci_low),
                dd(|x| x.ci_high),
                flag(d, d.is_some_and(|x| x.p < 0.05)),
                flag(d, h),
            ]
        })
        .collect();
    write_csv(dir, "comparison.csv", &head, rows.clone().into_iter())?;

    // the same as a report-ready Markdown table, with each scenario's settings
    let cfg = &base.config;
    let mut md = format!(
        "# Policy comparison\n\nHeadline metrics at the horizon ({}), over {} replications per scenario with common random numbers{}. \
         Differences are paired (scenario minus **{}**, replication by replication) with 95% confidence intervals; \
         significance is at 5%, and with Holm's adjustment across the {} tests of this table.\n\n",
        cfg.year_at(cfg.steps()),
        plan.replication_range().len(),
        if plan.independent { " switched off (`--independent`: separate seeds per scenario)" } else { "" },
        base.name,
        pvals.iter().filter(|p| p.is_finite()).count()
    );
    md.push_str("| scenario | metric | unit | mean [95% CI] | difference [95% CI] | significant | significant (Holm) |\n|---|---|---|---|---|---|---|\n");
    for (row, &(k, m, _, _)) in rows.iter().zip(&entries) {
        let ci = |a: &str, b: &str, c: &str| if a.is_empty() { String::new() } else if b.is_empty() { fmt_md(a) } else { format!("{} [{}, {}]", fmt_md(a), fmt_md(b), fmt_md(c)) };
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            if m == headline[0] { plan.scenarios[k].name.clone() } else { String::new() },
            METRICS[m].name,
            METRICS[m].unit,
            ci(&row[2], &row[3], &row[4]),
            ci(&row[5], &row[6], &row[7]),
            yes(&row[8]),
            yes(&row[9])
        ));
    }
    md.push_str("\n## Scenarios\n\n");
    for (k, sc) in plan.scenarios.iter().enumerate() {
        md.push_str(&format!("### {}\n\n", sc.name));
        if !sc.description.is_empty() {
            md.push_str(&format!("{}\n\n", sc.description));
        }
        md.push_str(&format!("Source: `{}`.\n\n", sc.source));
        if k > 0 {
            let diff = config::diff(&base.resolved, &sc.resolved);
            if diff.is_empty() {
                md.push_str(&format!("Same settings as {}.\n\n", base.name));
            } else {
                md.push_str(&format!("Settings that differ from {}:\n\n", base.name));
                for (path, v) in diff {
                    md.push_str(&format!("- `{path}` = `{v}`\n"));
                }
                md.push('\n');
            }
        }
    }
    dir.write_bytes("comparison.md", md.as_bytes())
}

fn yes(x: &str) -> &'static str {
    match x {
        "true" => "yes",
        "false" => "no",
        _ => "",
    }
}

/// Four significant figures for the Markdown report (the CSV keeps full precision).
fn fmt_md(x: &str) -> String {
    match x.parse::<f64>() {
        Ok(v) if v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-3) => format!("{v:.3e}"),
        Ok(v) => {
            let d = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
            format!("{v:.d$}")
        }
        Err(_) => x.to_string(),
    }
}

/// `points.csv` and `sweep.csv`.
fn write_sweep(dir: &mut OutputDir, plan: &Plan, sums: &[ScenarioSummary]) -> Result<()> {
    let mut head = vec![s("point")];
    head.extend(plan.params.iter().cloned());
    let cell = |v: &serde_json::Value| match v {
        serde_json::Value::String(t) => t.clone(),
        serde_json::Value::Number(n) => n.as_f64().map(num).unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    };
    let rows = plan.points.iter().enumerate().map(|(k, p)| {
        let mut r = vec![k.to_string()];
        r.extend(p.iter().map(cell));
        r
    });
    write_csv(dir, "points.csv", &head, rows)?;
    let mut head2 = head.clone();
    head2.extend(["metric", "n", "mean", "ci_low", "ci_high"].map(s));
    let rows = plan.points.iter().enumerate().flat_map(|(k, p)| {
        let last = sums[k].steps - 1;
        let sum = &sums[k];
        METRICS.iter().enumerate().map(move |(m, def)| {
            let x = sum.national[last * N_METRICS + m];
            let mut r = vec![k.to_string()];
            r.extend(p.iter().map(cell));
            r.extend([s(def.name), x.n.to_string(), num(x.mean), num(x.ci_low), num(x.ci_high)]);
            r
        })
    });
    write_csv(dir, "sweep.csv", &head2, rows)
}
