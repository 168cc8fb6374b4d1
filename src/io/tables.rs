//! CSV tables of OUTPUTS.md: per-replication series, events and agent snapshots.
//! Rows come in canonical order (scenario as given, replication, step, metric in
//! table order), never in order of completion.

use super::output::{num, OutputDir};
use super::records::{CcgRow, EventRow, SupplierRow};
use crate::config::Config;
use crate::engine::MetricSeries;
use crate::model::metrics::{LINE_METRICS, METRICS, N_LINE_METRICS, N_METRICS};
use anyhow::{Context, Result};

/// The identity of one replication in the tables.
pub struct RepId<'a> {
    pub scenario: &'a str,
    pub replication: u64,
    pub seed: u64,
    pub config: &'a Config,
}

fn csv_writer<W: std::io::Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::Any(b'\n')).from_writer(w)
}

macro_rules! write_table {
    ($dir:expr, $name:expr, $header:expr, |$w:ident| $body:block) => {{
        let mut f = $dir.file($name)?;
        let path = $dir.path.join($name);
        {
            let mut $w = csv_writer(f.writer());
            $w.write_record($header).with_context(|| format!("writing {}", path.display()))?;
            let r: Result<()> = (|| $body)();
            r.with_context(|| format!("writing {}", path.display()))?;
            $w.flush().with_context(|| format!("writing {}", path.display()))?;
        }
        $dir.finish(f)
    }};
}

/// `series.csv`: scenario, replication, seed, step, year, metric, value.
pub fn write_series(dir: &mut OutputDir, reps: &[(RepId, &MetricSeries)]) -> Result<()> {
    write_table!(dir, "series.csv", ["scenario", "replication", "seed", "step", "year", "metric", "value"], |w| {
        for (id, s) in reps {
            let (rep, seed) = (id.replication.to_string(), id.seed.to_string());
            for step in 0..s.steps {
                let (st, year) = (step.to_string(), num(id.config.year_at(step as u32)));
                for (m, def) in METRICS.iter().enumerate() {
                    w.write_record([id.scenario, &rep, &seed, &st, &year, def.name, &num(s.national[step * N_METRICS + m])])?;
                }
            }
        }
        Ok(())
    })
}

/// `series_by_line.csv`: as `series.csv` with a `service_line` column.
pub fn write_series_by_line(dir: &mut OutputDir, reps: &[(RepId, &MetricSeries)]) -> Result<()> {
    write_table!(dir, "series_by_line.csv", ["scenario", "replication", "seed", "step", "year", "service_line", "metric", "value"], |w| {
        for (id, s) in reps {
            let (rep, seed) = (id.replication.to_string(), id.seed.to_string());
            for step in 0..s.steps {
                let (st, year) = (step.to_string(), num(id.config.year_at(step as u32)));
                for (l, line) in id.config.service_lines.iter().enumerate() {
                    for (m, def) in LINE_METRICS.iter().enumerate() {
                        let v = s.by_line[(step * s.n_lines + l) * N_LINE_METRICS + m];
                        w.write_record([id.scenario, &rep, &seed, &st, &year, &line.name, def.name, &num(v)])?;
                    }
                }
            }
        }
        Ok(())
    })
}

/// `events.csv`: scenario, replication, step, year, kind, ccg, supplier, service_line, detail.
pub fn write_events(dir: &mut OutputDir, reps: &[(RepId, &[EventRow])]) -> Result<()> {
    write_table!(dir, "events.csv", ["scenario", "replication", "step", "year", "kind", "ccg", "supplier", "service_line", "detail"], |w| {
        for (id, events) in reps {
            let rep = id.replication.to_string();
            for e in events.iter() {
                w.write_record([id.scenario, &rep, &e.step.to_string(), &num(id.config.year_at(e.step)), e.kind, &e.ccg, &e.supplier, &e.service_line, &e.detail])?;
            }
        }
        Ok(())
    })
}

fn b(x: bool) -> &'static str {
    if x {
        "true"
    } else {
        "false"
    }
}

/// `ccgs.csv`: one row per CCG and service line, at step 0 and at the end.
pub fn write_ccgs(dir: &mut OutputDir, reps: &[(RepId, &[CcgRow])]) -> Result<()> {
    let header = [
        "scenario", "replication", "step", "year", "ccg", "region", "population", "active", "merged_into", "home_csu", "orientation", "risk_aversion",
        "switching_competence", "clinical_sessions", "collaboration", "multisource", "outcome_payment", "budget", "spend", "service_line", "arrangement",
        "provider", "price_per_head", "quality", "satisfaction", "aspiration", "inhouse_capability", "relationship", "buyer_power", "supplier_power", "quadrant",
    ];
    write_table!(dir, "ccgs.csv", header, |w| {
        for (id, rows) in reps {
            let rep = id.replication.to_string();
            for r in rows.iter() {
                w.write_record([
                    id.scenario, &rep, &r.step.to_string(), &num(id.config.year_at(r.step)), &r.ccg, &r.region.to_string(), &num(r.population), b(r.active),
                    &r.merged_into, &r.home_csu, &num(r.orientation), &num(r.risk_aversion), &num(r.switching_competence), &num(r.clinical_sessions),
                    &num(r.collaboration), b(r.multisource), b(r.outcome_payment), &num(r.budget), &num(r.spend), &r.service_line, r.arrangement, &r.provider,
                    &num(r.price_per_head), &num(r.quality), &num(r.satisfaction), &num(r.aspiration), &num(r.inhouse_capability), &num(r.relationship),
                    &num(r.buyer_power), &num(r.supplier_power), r.quadrant,
                ])?;
            }
        }
        Ok(())
    })
}

/// `suppliers.csv`: one row per provider and service line, at step 0 and at the end.
pub fn write_suppliers(dir: &mut OutputDir, reps: &[(RepId, &[SupplierRow])]) -> Result<()> {
    let header = [
        "scenario", "replication", "step", "year", "supplier", "kind", "status", "merged_into", "region", "externalised", "private_partner", "wind_down",
        "leadership", "morale", "customer_focus", "practice_sharing", "capacity", "reserves", "capability_mean", "revenue_total", "market_share_total",
        "service_line", "offers", "framework_slot", "capability", "customers", "population_served", "revenue", "market_share", "unit_cost",
    ];
    write_table!(dir, "suppliers.csv", header, |w| {
        for (id, rows) in reps {
            let rep = id.replication.to_string();
            for r in rows.iter() {
                w.write_record([
                    id.scenario, &rep, &r.step.to_string(), &num(id.config.year_at(r.step)), &r.supplier, r.kind, r.status, &r.merged_into, &r.region,
                    b(r.externalised), b(r.private_partner), b(r.wind_down), &num(r.leadership), &num(r.morale), &num(r.customer_focus), &num(r.practice_sharing),
                    &num(r.capacity), &num(r.reserves), &num(r.capability_mean), &num(r.revenue_total), &num(r.market_share_total), &r.service_line,
                    b(r.offers), b(r.framework_slot), &num(r.capability), &r.customers.to_string(), &num(r.population_served), &num(r.revenue),
                    &num(r.market_share), &num(r.unit_cost),
                ])?;
            }
        }
        Ok(())
    })
}

/// Metric names in table order (national), for headers of wide tables.
pub fn metric_names() -> Vec<&'static str> {
    METRICS.iter().map(|m| m.name).collect()
}

