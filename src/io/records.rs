//! What a replication leaves behind for the output files: metric series, events with
//! names resolved, and agent snapshots at step 0 and at the end.

use crate::engine::{MetricSeries, Observer};
use crate::model::power::Quadrant;
use crate::model::{Arrangement, Event, Market, Party};

/// One row of `ccgs.csv`: a CCG's state for one service line.
#[derive(Debug, Clone)]
pub struct CcgRow {
    pub step: u32,
    pub ccg: String,
    pub region: u32,
    pub population: f64,
    pub active: bool,
    pub merged_into: String,
    pub home_csu: String,
    pub orientation: f64,
    pub risk_aversion: f64,
    pub switching_competence: f64,
    pub clinical_sessions: f64,
    pub collaboration: f64,
    pub multisource: bool,
    pub outcome_payment: bool,
    pub budget: f64,
    pub spend: f64,
    pub service_line: String,
    pub arrangement: &'static str,
    pub provider: String,
    pub price_per_head: f64,
    pub quality: f64,
    pub satisfaction: f64,
    pub aspiration: f64,
    pub inhouse_capability: f64,
    pub relationship: f64,
    pub buyer_power: f64,
    pub supplier_power: f64,
    pub quadrant: &'static str,
}

/// One row of `suppliers.csv`: a provider's state for one service line.
#[derive(Debug, Clone)]
pub struct SupplierRow {
    pub step: u32,
    pub supplier: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub merged_into: String,
    pub region: String,
    pub externalised: bool,
    pub private_partner: bool,
    pub wind_down: bool,
    pub leadership: f64,
    pub morale: f64,
    pub customer_focus: f64,
    pub practice_sharing: f64,
    pub capacity: f64,
    pub reserves: f64,
    pub capability_mean: f64,
    pub revenue_total: f64,
    pub market_share_total: f64,
    pub service_line: String,
    pub offers: bool,
    pub framework_slot: bool,
    pub capability: f64,
    pub customers: u32,
    pub population_served: f64,
    pub revenue: f64,
    pub market_share: f64,
    pub unit_cost: f64,
}

/// One row of `events.csv`, names resolved.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub step: u32,
    pub kind: &'static str,
    pub ccg: String,
    pub supplier: String,
    pub service_line: String,
    pub detail: String,
}

pub fn ccg_name(i: usize) -> String {
    format!("CCG{:03}", i + 1)
}

fn arrangement_label(m: &Market, a: Arrangement) -> (&'static str, String) {
    match a {
        Arrangement::InHouse => ("in_house", String::new()),
        Arrangement::Shared(j) => ("shared", ccg_name(j.ix())),
        Arrangement::External(p) => (if m.sup[p.ix()].is_csu() { "csu" } else { "other" }, m.sup[p.ix()].name.clone()),
    }
}

/// The CCG rows of the current state.
pub fn ccg_rows(m: &Market) -> Vec<CcgRow> {
    let nl = m.n_lines();
    let thr = m.cfg.power.threshold;
    let mut rows = Vec::with_capacity(m.ccgs.len() * nl);
    for (i, c) in m.ccgs.iter().enumerate() {
        if !c.active {
            continue;
        }
        for l in 0..nl {
            let ct = &m.con[i * nl + l];
            let (arrangement, provider) = arrangement_label(m, ct.arr);
            let external = matches!(ct.arr, Arrangement::External(_));
            rows.push(CcgRow {
                step: m.step,
                ccg: ccg_name(i),
                region: c.region,
                population: c.population,
                active: c.active,
                merged_into: c.merged_into.map(|j| ccg_name(j.ix())).unwrap_or_default(),
                home_csu: m.sup[c.home_csu.ix()].name.clone(),
                orientation: c.orientation,
                risk_aversion: c.risk_aversion,
                switching_competence: c.competence,
                clinical_sessions: c.sessions,
                collaboration: c.collaboration,
                multisource: c.multisource,
                outcome_payment: c.outcome_payment,
                budget: m.budget(i),
                spend: c.spend,
                service_line: m.lines[l].name.clone(),
                arrangement,
                provider,
                price_per_head: ct.price,
                quality: ct.q,
                satisfaction: ct.satisfaction,
                aspiration: ct.aspiration,
                inhouse_capability: ct.h,
                relationship: if external { ct.relationship } else { f64::NAN },
                buyer_power: if external { ct.bp } else { f64::NAN },
                supplier_power: if external { ct.sp } else { f64::NAN },
                quadrant: if external { Quadrant::of(ct.bp, ct.sp, thr).as_str() } else { "" },
            });
        }
    }
    rows
}

/// The supplier rows of the current state (every provider, whatever its status).
pub fn supplier_rows(m: &Market) -> Vec<SupplierRow> {
    let nl = m.n_lines();
    let total: f64 = m.sup.iter().filter(|s| s.active()).map(|s| s.rate).sum();
    let mut line_total = vec![0.0; nl];
    let mut rate_pl = vec![0.0; m.sup.len() * nl];
    for (i, c) in m.ccgs.iter().enumerate() {
        if !c.active {
            continue;
        }
        for l in 0..nl {
            let ct = &m.con[i * nl + l];
            if let Arrangement::External(p) = ct.arr {
                let r = ct.price * c.population * m.centre.demand[l];
                rate_pl[p.ix() * nl + l] += r;
                line_total[l] += r;
            }
        }
    }
    let mut rows = Vec::with_capacity(m.sup.len() * nl);
    for (p, s) in m.sup.iter().enumerate() {
        let merged_into = match s.status {
            crate::model::Status::Merged(a) => m.sup[a.ix()].name.clone(),
            _ => String::new(),
        };
        let active = s.active();
        for l in 0..nl {
            let r = rate_pl[p * nl + l];
            rows.push(SupplierRow {
                step: m.step,
                supplier: s.name.clone(),
                kind: s.kind.as_str(),
                status: s.status.as_str(),
                merged_into: merged_into.clone(),
                region: s.region.map(|r| r.to_string()).unwrap_or_else(|| "national".into()),
                externalised: s.externalised,
                private_partner: s.private_partner,
                wind_down: s.wind_down,
                leadership: s.leadership,
                morale: s.morale,
                customer_focus: s.focus,
                practice_sharing: s.sharing,
                capacity: s.capacity,
                reserves: s.reserves,
                capability_mean: s.mean_capability(),
                revenue_total: if active { s.rate } else { 0.0 },
                market_share_total: if active && total > 0.0 { s.rate / total } else { 0.0 },
                service_line: m.lines[l].name.clone(),
                offers: s.offers(l),
                framework_slot: m.centre.framework && s.slots >> l & 1 == 1,
                capability: if s.offers(l) { s.cap[l] } else { f64::NAN },
                customers: s.customers[l],
                population_served: s.vol[l],
                revenue: r,
                market_share: if line_total[l] > 0.0 { r / line_total[l] } else { 0.0 },
                unit_cost: if s.offers(l) && active { m.unit_cost(p, l) } else { f64::NAN },
            });
        }
    }
    rows
}

/// Render an event with the names of the market it happened in.
pub fn event_row(m: &Market, e: &Event) -> EventRow {
    let from = match e.from {
        Party::None => String::new(),
        Party::InHouse => "in_house".into(),
        Party::Ccg(j) => ccg_name(j.ix()),
        Party::Supplier(p) => m.sup[p.ix()].name.clone(),
        Party::Policy(k) => k.as_str().into(),
    };
    use crate::model::EventKind as K;
    let detail = match e.kind {
        K::CheckpointFail => format!("score={}", e.value),
        K::Reassign => format!("from={from} lines={}", e.value),
        K::Switch | K::Outsource | K::Return | K::Insource => format!("from={from} price_per_head={}", e.value),
        K::Share => format!("from={from} host={}", ccg_name(e.value as usize)),
        K::Fallback => format!("from={from} price_per_head={}", e.value),
        K::Entry => format!("capability={}", e.value),
        K::Exit => format!("reserves={}", e.value),
        K::Merger => format!("into={from} capability={}", e.value),
        K::FrameworkExcluded => format!("capability={}", e.value),
        K::CcgMerger => format!("into={from} population={}", e.value),
        K::Policy => format!("{from} value={}", e.value),
    };
    EventRow {
        step: e.step,
        kind: e.kind.as_str(),
        ccg: e.ccg.map(|c| ccg_name(c.ix())).unwrap_or_default(),
        supplier: e.supplier.map(|p| m.sup[p.ix()].name.clone()).unwrap_or_default(),
        service_line: e.line.map(|l| m.lines[l.ix()].name.clone()).unwrap_or_default(),
        detail,
    }
}

/// Everything a single replication writes: series, events and agent snapshots.
#[derive(Debug, Clone)]
pub struct Recorder {
    pub series: MetricSeries,
    pub details: bool,
    pub events: Vec<EventRow>,
    pub ccgs: Vec<CcgRow>,
    pub suppliers: Vec<SupplierRow>,
}

impl Recorder {
    pub fn new(cfg: &crate::config::Config, details: bool) -> Self {
        Recorder { series: MetricSeries::new(cfg), details, events: Vec::new(), ccgs: Vec::new(), suppliers: Vec::new() }
    }
}

impl Observer for Recorder {
    fn wants_events(&self) -> bool {
        self.details
    }
    fn on_step(&mut self, m: &Market) {
        self.series.on_step(m);
        if self.details {
            self.events.extend(m.events.iter().map(|e| event_row(m, e)));
            if m.step == 0 {
                self.ccgs.extend(ccg_rows(m));
                self.suppliers.extend(supplier_rows(m));
            }
        }
    }
    fn on_end(&mut self, m: &Market) {
        if self.details && m.step > 0 {
            self.ccgs.extend(ccg_rows(m));
            self.suppliers.extend(supplier_rows(m));
        }
    }
}
