//! CSV tables of OUTPUTS.md that hold one block of rows per replication: series,
//! series by line, events and agent snapshots. Each block is rendered by the worker
//! that ran the replication; a file is its header followed by the blocks in canonical
//! order (scenario as given, then replication), so the bytes do not depend on which
//! thread or machine rendered a block.

use super::output::num;
use super::records::{CcgRow, EventRow, SupplierRow};
use crate::config::Config;
use crate::engine::MetricSeries;
use crate::model::metrics::{LINE_METRICS, METRICS, N_LINE_METRICS, N_METRICS};

/// The identity of one replication in the tables.
#[derive(Clone, Copy)]
pub struct RepId<'a> {
    pub scenario: &'a str,
    pub replication: u64,
    pub seed: u64,
    pub config: &'a Config,
}

/// The per-replication tables, in the order they are listed here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Series,
    SeriesByLine,
    Events,
    Ccgs,
    Suppliers,
}

impl Table {
    pub const ALL: [Table; 5] = [Table::Series, Table::SeriesByLine, Table::Events, Table::Ccgs, Table::Suppliers];

    pub fn file(self) -> &'static str {
        match self {
            Table::Series => "series.csv",
            Table::SeriesByLine => "series_by_line.csv",
            Table::Events => "events.csv",
            Table::Ccgs => "ccgs.csv",
            Table::Suppliers => "suppliers.csv",
        }
    }

    pub fn header(self) -> &'static [&'static str] {
        match self {
            Table::Series => &["scenario", "replication", "seed", "step", "year", "metric", "value"],
            Table::SeriesByLine => &["scenario", "replication", "seed", "step", "year", "service_line", "metric", "value"],
            Table::Events => &["scenario", "replication", "step", "year", "kind", "ccg", "supplier", "service_line", "detail"],
            Table::Ccgs => &[
                "scenario", "replication", "step", "year", "ccg", "region", "population", "active", "merged_into", "home_csu", "orientation",
                "risk_aversion", "switching_competence", "clinical_sessions", "collaboration", "multisource", "outcome_payment", "budget", "spend",
                "service_line", "arrangement", "provider", "price_per_head", "quality", "satisfaction", "aspiration", "inhouse_capability", "relationship",
                "buyer_power", "supplier_power", "quadrant",
            ],
            Table::Suppliers => &[
                "scenario", "replication", "step", "year", "supplier", "kind", "status", "merged_into", "region", "externalised", "private_partner",
                "wind_down", "leadership", "morale", "customer_focus", "practice_sharing", "capacity", "reserves", "capability_mean", "revenue_total",
                "market_share_total", "service_line", "offers", "framework_slot", "capability", "customers", "population_served", "revenue",
                "market_share", "unit_cost",
            ],
        }
    }
}

/// A CSV writer into memory with the project's conventions (comma, `\n`).
pub fn mem_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::with_capacity(1 << 14))
}

/// The bytes of a CSV header line.
pub fn header_bytes(cols: &[&str]) -> Vec<u8> {
    let mut w = mem_writer();
    w.write_record(cols).expect("writing to memory");
    w.into_inner().expect("writing to memory")
}

fn done(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory")
}

/// Rows of `series.csv` for one replication.
pub fn series_block(id: &RepId, s: &MetricSeries) -> Vec<u8> {
    let mut w = mem_writer();
    let (rep, seed) = (id.replication.to_string(), id.seed.to_string());
    for step in 0..s.steps {
        let (st, year) = (step.to_string(), num(id.config.year_at(step as u32)));
        for (m, def) in METRICS.iter().enumerate() {
            w.write_record([id.scenario, &rep, &seed, &st, &year, def.name, &num(s.national[step * N_METRICS + m])]).expect("writing to memory");
        }
    }
    done(w)
}

/// Rows of `series_by_line.csv` for one replication.
pub fn series_by_line_block(id: &RepId, s: &MetricSeries) -> Vec<u8> {
    let mut w = mem_writer();
    let (rep, seed) = (id.replication.to_string(), id.seed.to_string());
    for step in 0..s.steps {
        let (st, year) = (step.to_string(), num(id.config.year_at(step as u32)));
        for (l, line) in id.config.service_lines.iter().enumerate() {
            for (m, def) in LINE_METRICS.iter().enumerate() {
                let v = s.by_line[(step * s.n_lines + l) * N_LINE_METRICS + m];
                w.write_record([id.scenario, &rep, &seed, &st, &year, &line.name, def.name, &num(v)]).expect("writing to memory");
            }
        }
    }
    done(w)
}

/// Rows of `events.csv` for one replication.
pub fn events_block(id: &RepId, events: &[EventRow]) -> Vec<u8> {
    let mut w = mem_writer();
    let rep = id.replication.to_string();
    for e in events {
        w.write_record([id.scenario, &rep, &e.step.to_string(), &num(id.config.year_at(e.step)), e.kind, &e.ccg, &e.supplier, &e.service_line, &e.detail])
            .expect("writing to memory");
    }
    done(w)
}

fn b(x: bool) -> &'static str {
    if x {
        "true"
    } else {
        "false"
    }
}

/// Rows of `ccgs.csv` for one replication.
pub fn ccgs_block(id: &RepId, rows: &[CcgRow]) -> Vec<u8> {
    let mut w = mem_writer();
    let rep = id.replication.to_string();
    for r in rows {
        w.write_record([
            id.scenario, &rep, &r.step.to_string(), &num(id.config.year_at(r.step)), &r.ccg, &r.region.to_string(), &num(r.population), b(r.active),
            &r.merged_into, &r.home_csu, &num(r.orientation), &num(r.risk_aversion), &num(r.switching_competence), &num(r.clinical_sessions),
            &num(r.collaboration), b(r.multisource), b(r.outcome_payment), &num(r.budget), &num(r.spend), &r.service_line, r.arrangement, &r.provider,
            &num(r.price_per_head), &num(r.quality), &num(r.satisfaction), &num(r.aspiration), &num(r.inhouse_capability), &num(r.relationship),
            &num(r.buyer_power), &num(r.supplier_power), r.quadrant,
        ])
        .expect("writing to memory");
    }
    done(w)
}

/// Rows of `suppliers.csv` for one replication.
pub fn suppliers_block(id: &RepId, rows: &[SupplierRow]) -> Vec<u8> {
    let mut w = mem_writer();
    let rep = id.replication.to_string();
    for r in rows {
        w.write_record([
            id.scenario, &rep, &r.step.to_string(), &num(id.config.year_at(r.step)), &r.supplier, r.kind, r.status, &r.merged_into, &r.region,
            b(r.externalised), b(r.private_partner), b(r.wind_down), &num(r.leadership), &num(r.morale), &num(r.customer_focus), &num(r.practice_sharing),
            &num(r.capacity), &num(r.reserves), &num(r.capability_mean), &num(r.revenue_total), &num(r.market_share_total), &r.service_line, b(r.offers),
            b(r.framework_slot), &num(r.capability), &r.customers.to_string(), &num(r.population_served), &num(r.revenue), &num(r.market_share),
            &num(r.unit_cost),
        ])
        .expect("writing to memory");
    }
    done(w)
}
