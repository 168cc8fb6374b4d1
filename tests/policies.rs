//! Each policy event of the centre changes what it should.

mod common;
use common::*;
use csmarket::model::{Arrangement, Market, Metric, Status};
use serde_json::{json, Value};

fn run_to(m: &mut Market, year: f64) {
    while m.step < m.cfg.steps() && m.year() < year - 1e-9 {
        m.step();
    }
}

fn final_market(over: Value, master: u64, rep: u64) -> Market {
    let cfg = config(over);
    let mut m = market(&cfg, master, rep);
    m.run();
    m
}

#[test]
fn checkpoints_fail_weak_csus_and_reassign_their_ccgs() {
    let cfg = config(json!({"policy": {"checkpoints": {"year": 2013.0, "threshold": 0.5}}}));
    let m = market(&cfg, 5, 0);
    let failed: Vec<usize> = (0..m.n_csu).filter(|&p| m.sup[p].status == Status::FailedCheckpoint).collect();
    assert!(failed.len() >= 3, "a high threshold fails several CSUs ({})", failed.len());
    for (i, c) in m.ccgs.iter().enumerate() {
        assert!(!failed.contains(&c.home_csu.ix()), "CCG {i} still in a failed CSU's patch");
        for l in 0..m.n_lines() {
            if let Arrangement::External(p) = m.con[i * m.n_lines() + l].arr {
                assert!(!failed.contains(&p.ix()));
            }
        }
    }
    let none = market(&config(json!({"policy": {"checkpoints": {"year": null}}})), 5, 0);
    assert_eq!(none.metrics.get(Metric::SuppliersActiveCsu), 25.0);
    assert_eq!(m.metrics.get(Metric::SuppliersActiveCsu), 25.0 - failed.len() as f64);
}

#[test]
fn no_voluntary_change_before_authorisation_ends() {
    let cfg = config(json!({"policy": {"authorisation_end": {"year": 2017.0}}}));
    let mut m = market(&cfg, 9, 0);
    run_to(&mut m, 2017.0 - 0.25);
    assert_eq!(metric(&m, Metric::SwitchingCumulative) + metric(&m, Metric::InsourcingCumulative), 0.0);
    m.run();
    assert!(metric(&m, Metric::SwitchingCumulative) + metric(&m, Metric::InsourcingCumulative) > 0.0);
}

#[test]
fn other_providers_enter_only_once_the_market_opens() {
    let cfg = config(json!({"policy": {"market_opening": {"year": 2016.0, "entry_spread_years": 1.0}}}));
    let mut m = market(&cfg, 2, 0);
    run_to(&mut m, 2016.0 - 0.25);
    assert_eq!(metric(&m, Metric::SuppliersActiveOther), 0.0);
    run_to(&mut m, 2017.25);
    assert!(metric(&m, Metric::SuppliersActiveOther) > 0.0);
}

#[test]
fn framework_removes_off_framework_csus_from_new_contracts() {
    let over = json!({"policy": {"framework": {"year": 2015.0, "slots_per_line": 4, "off_framework": "wind_down"}}});
    let cfg = config(over);
    let mut m = market(&cfg, 4, 0);
    m.record_events = true;
    let mut new_contracts: Vec<(usize, usize)> = Vec::new();
    while m.step < m.cfg.steps() {
        m.step();
        if m.year() > 2015.0 {
            for e in &m.events {
                use csmarket::model::EventKind as K;
                if matches!(e.kind, K::Switch | K::Outsource | K::Return) {
                    new_contracts.push((e.supplier.unwrap().ix(), e.line.unwrap().ix()));
                }
            }
        }
    }
    assert!(!new_contracts.is_empty());
    for (p, l) in new_contracts {
        assert!(m.sup[p].slots >> l & 1 == 1, "new contract with {} on line {l} without a slot", m.sup[p].name);
    }
    // few slots, fewer CSUs than without a framework (same seeds, a few replications)
    let mut with = 0.0;
    let mut without = 0.0;
    for rep in 0..4 {
        with += final_market(json!({"policy": {"framework": {"year": 2015.0, "slots_per_line": 4, "off_framework": "merge"}}}), 4, rep).metrics.get(Metric::SuppliersActiveCsu);
        without += final_market(json!({}), 4, rep).metrics.get(Metric::SuppliersActiveCsu);
    }
    assert!(with < without, "CSUs with a 4-slot framework {with} vs none {without}");
}

#[test]
fn externalisation_externalises_csus_and_widens_reach() {
    let cfg = config(json!({"policy": {"externalisation": {"year": 2016.0, "staff_loss": 0.3}}}));
    let mut m = market(&cfg, 8, 0);
    run_to(&mut m, 2016.0 - 0.25);
    let cap_before: f64 = (0..m.n_csu).filter(|&p| m.sup[p].active()).map(|p| m.sup[p].mean_capability()).sum();
    let alt_before = m.alternatives(0, 0);
    m.step();
    let active: Vec<usize> = (0..m.n_csu).filter(|&p| m.sup[p].active()).collect();
    assert!(active.iter().all(|&p| m.sup[p].externalised));
    let cap_after: f64 = active.iter().map(|&p| m.sup[p].mean_capability()).sum();
    assert!(cap_after < cap_before, "staff loss lowers capability");
    assert!(m.alternatives(0, 0) > alt_before, "national reach widens the alternatives");
    assert_eq!(m.centre.csu_info_sharing, 0.3);
}

#[test]
fn platform_makes_prices_converge_and_raises_buyer_power() {
    let on = final_market(json!({"policy": {"platform": {"year": 2014.0}}}), 6, 0);
    let off = final_market(json!({}), 6, 0);
    assert!(on.metrics.get(Metric::PriceDispersion) < off.metrics.get(Metric::PriceDispersion));
    assert!(on.metrics.get(Metric::BuyerPowerMean) > off.metrics.get(Metric::BuyerPowerMean));
}

#[test]
fn efficiency_requirement_lowers_csu_prices() {
    let on = final_market(json!({}), 3, 0);
    let off = final_market(json!({"policy": {"efficiency_requirement": {"year": null}}}), 3, 0);
    assert!(on.metrics.get(Metric::PricePerHeadMean) < off.metrics.get(Metric::PricePerHeadMean));
}

#[test]
fn insourcing_guidance_lowers_insourcing() {
    let (mut with, mut without) = (0.0, 0.0);
    for rep in 0..6 {
        let over = json!({"inhouse": {"optimism": 0.9, "setup_cost": 0.0}, "policy": {"insourcing_guidance": {"year": 2014.0, "hurdle": 0.3}}});
        with += final_market(over, 12, rep).metrics.get(Metric::InsourcingCumulative);
        without += final_market(json!({"inhouse": {"optimism": 0.9, "setup_cost": 0.0}}), 12, rep).metrics.get(Metric::InsourcingCumulative);
    }
    assert!(with < without, "in-sourcing with guidance {with} vs without {without}");
}

#[test]
fn ccg_merger_waves_reduce_ccgs_and_keep_population() {
    let cfg = config(json!({"policy": {"ccg_mergers": [{"year": 2016.0, "share": 0.4, "group_size": 2, "collaboration": 0.6}]}}));
    let mut m = market(&cfg, 1, 0);
    let pop0: f64 = m.ccgs.iter().filter(|c| c.active).map(|c| c.population).sum();
    run_to(&mut m, 2016.0);
    let n = metric(&m, Metric::CcgsActive);
    // 40% of each region's ~57 CCGs, in pairs
    assert!((180.0..=190.0).contains(&n), "CCGs after the wave: {n}");
    let pop1: f64 = m.ccgs.iter().filter(|c| c.active).map(|c| c.population).sum();
    assert!((pop0 - pop1).abs() < 1.0);
    assert!(m.ccgs.iter().filter(|c| c.active).all(|c| c.collaboration >= 0.6));
}

#[test]
fn acs_shift_cuts_spend_on_transactional_lines() {
    let on = final_market(json!({"policy": {"acs_shift": {"year": 2017.0, "demand_reduction": 0.5, "ramp_years": 2.0}}}), 2, 0);
    let off = final_market(json!({}), 2, 0);
    for (l, line) in on.lines.iter().enumerate() {
        let a = on.metrics.line(l, csmarket::model::LineMetric::LSpendTotal);
        let b = off.metrics.line(l, csmarket::model::LineMetric::LSpendTotal);
        if line.transactional {
            assert!(a < 0.7 * b, "{}: {a} vs {b}", line.name);
        }
    }
    assert!(on.centre.demand.iter().zip(&on.lines).all(|(d, l)| if l.transactional { (*d - 0.5).abs() < 1e-12 } else { *d == 1.0 }));
}
