//! Writing an experiment's results: per-replication tables (when kept), summaries,
//! the wide summary for spreadsheets and the final-step table of runs.

use super::output::{num, OutputDir};
use super::tables::{self, RepId};
use crate::experiment::{stats::Summary, summaries, Plan, ScenarioSummary, UnitResult};
use crate::model::metrics::{LINE_METRICS, METRICS, N_LINE_METRICS, N_METRICS};
use anyhow::{Context, Result};
use std::io::Write;

fn ids<'a>(plan: &'a Plan, results: &'a [UnitResult]) -> impl Iterator<Item = (RepId<'a>, &'a UnitResult)> {
    results.iter().map(move |r| {
        let sc = &plan.scenarios[r.unit.scenario];
        (RepId { scenario: &sc.name, replication: r.unit.replication, seed: r.seed, config: &sc.config }, r)
    })
}

fn summary_cells(s: &Summary) -> [String; 8] {
    [s.n.to_string(), num(s.mean), num(s.sd), num(s.p05), num(s.p50), num(s.p95), num(s.ci_low), num(s.ci_high)]
}

/// Write every results file of a plan into `dir`.
pub fn write_results(dir: &mut OutputDir, plan: &Plan, results: &[UnitResult]) -> Result<Vec<ScenarioSummary>> {
    let single = plan.replication_range().len() == 1;
    if single || plan.keep_replications {
        let reps: Vec<_> = ids(plan, results).map(|(id, r)| (id, &r.series)).collect();
        tables::write_series(dir, &reps)?;
        tables::write_series_by_line(dir, &reps)?;
    }
    let detailed: Vec<_> = ids(plan, results).filter_map(|(id, r)| r.details.as_ref().map(|d| (id, d))).collect();
    if !detailed.is_empty() {
        let ev: Vec<_> = detailed.iter().map(|(id, d)| (clone_id(id), d.events.as_slice())).collect();
        tables::write_events(dir, &ev)?;
        let cc: Vec<_> = detailed.iter().map(|(id, d)| (clone_id(id), d.ccgs.as_slice())).collect();
        tables::write_ccgs(dir, &cc)?;
        let su: Vec<_> = detailed.iter().map(|(id, d)| (clone_id(id), d.suppliers.as_slice())).collect();
        tables::write_suppliers(dir, &su)?;
    }
    let sums = summaries(plan, results);
    write_summaries(dir, plan, &sums)?;
    write_runs(dir, plan, results)?;
    Ok(sums)
}

fn clone_id<'a>(id: &RepId<'a>) -> RepId<'a> {
    RepId { scenario: id.scenario, replication: id.replication, seed: id.seed, config: id.config }
}

fn point_label(plan: &Plan, s: usize) -> Option<String> {
    (!plan.points.is_empty()).then(|| s.to_string())
}

/// `summary.csv`, `summary_by_line.csv` and `summary_wide.csv`.
pub fn write_summaries(dir: &mut OutputDir, plan: &Plan, sums: &[ScenarioSummary]) -> Result<()> {
    let sweep = !plan.points.is_empty();
    let stat_cols = ["n", "mean", "sd", "p05", "p50", "p95", "ci_low", "ci_high"];
    let mut head: Vec<&str> = vec!["scenario"];
    if sweep {
        head.push("point");
    }
    head.extend(["step", "year", "metric"]);
    head.extend(stat_cols);
    let mut w = csv_file(dir, "summary.csv")?;
    w.1.write_record(&head)?;
    for (s, sum) in sums.iter().enumerate() {
        let sc = &plan.scenarios[s];
        for step in 0..sum.steps {
            let year = num(sc.config.year_at(step as u32));
            for (m, def) in METRICS.iter().enumerate() {
                let mut row: Vec<String> = vec![sc.name.clone()];
                row.extend(point_label(plan, s));
                row.extend([step.to_string(), year.clone(), def.name.to_string()]);
                row.extend(summary_cells(&sum.national[step * N_METRICS + m]));
                w.1.write_record(&row)?;
            }
        }
    }
    finish_csv(dir, w)?;

    let mut head: Vec<&str> = vec!["scenario"];
    if sweep {
        head.push("point");
    }
    head.extend(["step", "year", "service_line", "metric"]);
    head.extend(stat_cols);
    let mut w = csv_file(dir, "summary_by_line.csv")?;
    w.1.write_record(&head)?;
    for (s, sum) in sums.iter().enumerate() {
        let sc = &plan.scenarios[s];
        for step in 0..sum.steps {
            let year = num(sc.config.year_at(step as u32));
            for (l, line) in sc.config.service_lines.iter().enumerate() {
                for (m, def) in LINE_METRICS.iter().enumerate() {
                    let mut row: Vec<String> = vec![sc.name.clone()];
                    row.extend(point_label(plan, s));
                    row.extend([step.to_string(), year.clone(), line.name.clone(), def.name.to_string()]);
                    row.extend(summary_cells(&sum.by_line[(step * sum.n_lines + l) * N_LINE_METRICS + m]));
                    w.1.write_record(&row)?;
                }
            }
        }
    }
    finish_csv(dir, w)?;

    let mut head: Vec<String> = vec!["scenario".into()];
    if sweep {
        head.push("point".into());
    }
    head.extend(["step".into(), "year".into()]);
    head.extend(METRICS.iter().map(|m| m.name.to_string()));
    let mut w = csv_file(dir, "summary_wide.csv")?;
    w.1.write_record(&head)?;
    for (s, sum) in sums.iter().enumerate() {
        let sc = &plan.scenarios[s];
        for step in 0..sum.steps {
            let mut row: Vec<String> = vec![sc.name.clone()];
            row.extend(point_label(plan, s));
            row.extend([step.to_string(), num(sc.config.year_at(step as u32))]);
            row.extend((0..N_METRICS).map(|m| num(sum.national[step * N_METRICS + m].mean)));
            w.1.write_record(&row)?;
        }
    }
    finish_csv(dir, w)
}

/// `runs.csv`: scenario, replication, seed, then each metric at the final step.
pub fn write_runs(dir: &mut OutputDir, plan: &Plan, results: &[UnitResult]) -> Result<()> {
    let mut head: Vec<String> = vec!["scenario".into()];
    if !plan.points.is_empty() {
        head.push("point".into());
    }
    head.extend(["replication".into(), "seed".into()]);
    head.extend(METRICS.iter().map(|m| m.name.to_string()));
    let mut w = csv_file(dir, "runs.csv")?;
    w.1.write_record(&head)?;
    for r in results {
        let sc = &plan.scenarios[r.unit.scenario];
        let last = r.series.steps - 1;
        let mut row: Vec<String> = vec![sc.name.clone()];
        row.extend(point_label(plan, r.unit.scenario));
        row.extend([r.unit.replication.to_string(), r.seed.to_string()]);
        row.extend((0..N_METRICS).map(|m| num(r.series.get(last, m))));
        w.1.write_record(&row)?;
    }
    finish_csv(dir, w)
}

type Csv = (super::output::OutFile, csv::Writer<Vec<u8>>);

fn csv_file(dir: &OutputDir, name: &str) -> Result<Csv> {
    let f = dir.file(name)?;
    let w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::with_capacity(1 << 16));
    Ok((f, w))
}

/// Buffered tables are written through in one go (they are small), so a write error
/// names the file.
fn finish_csv(dir: &mut OutputDir, (mut f, w): Csv) -> Result<()> {
    let path = dir.path.join(&f.name);
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    f.writer().write_all(&bytes).with_context(|| format!("writing {}", path.display()))?;
    dir.finish(f)
}
