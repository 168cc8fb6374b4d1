//! Helpers shared by the integration tests.
#![allow(dead_code)]

use csmarket::config::{merge, registry, validate, Config};
use csmarket::model::{rng, Arrangement, Market, Metric};
use serde_json::Value;
use std::sync::Arc;

/// The baseline with overrides merged in (objects key by key, arrays replaced).
pub fn config(overrides: Value) -> Arc<Config> {
    let mut v = registry::defaults();
    merge(&mut v, &overrides);
    Arc::new(validate(&v, "test").unwrap_or_else(|e| panic!("invalid test config: {e}")))
}

pub fn market(cfg: &Arc<Config>, master: u64, rep: u64) -> Market {
    Market::new(cfg.clone(), rng::replication_seed(master, rep))
}

pub fn metric(m: &Market, k: Metric) -> f64 {
    m.metrics.get(k)
}

/// Every invariant the model promises, checked on the current state.
pub fn check_invariants(m: &Market) {
    let nl = m.n_lines();
    let step = m.step;
    // every active CCG has exactly one valid provider per line
    for (i, c) in m.ccgs.iter().enumerate() {
        if !c.active {
            continue;
        }
        assert!(m.sup[c.home_csu.ix()].active(), "step {step}: CCG {i}'s home CSU is not active");
        for l in 0..nl {
            let ct = &m.con[i * nl + l];
            match ct.arr {
                Arrangement::External(p) => assert!(m.sup[p.ix()].active(), "step {step}: CCG {i} line {l} with inactive provider {}", m.sup[p.ix()].name),
                Arrangement::Shared(j) => {
                    assert_ne!(j.ix(), i, "step {step}: CCG {i} shares with itself");
                    assert!(m.ccgs[j.ix()].active, "step {step}: CCG {i} line {l} shares with inactive CCG {}", j.ix());
                    assert_eq!(m.con[j.ix() * nl + l].arr, Arrangement::InHouse, "step {step}: host {} of CCG {i} line {l} has no team", j.ix());
                }
                Arrangement::InHouse => {}
            }
            for x in [ct.price, ct.q, ct.h, ct.relationship, ct.satisfaction, ct.aspiration] {
                assert!(x.is_finite(), "step {step}: non-finite contract state at CCG {i} line {l}");
            }
            assert!((0.0..=1.0).contains(&ct.q), "step {step}: quality out of range");
        }
    }
    // hosts' guest counts and populations add up
    for j in 0..m.ccgs.len() {
        if !m.ccgs[j].active {
            continue;
        }
        for l in 0..nl {
            let host = &m.con[j * nl + l];
            let (mut n, mut pop, mut reserved) = (0u32, 0.0, 0u32);
            for (g, c) in m.ccgs.iter().enumerate() {
                if !c.active {
                    continue;
                }
                let ct = &m.con[g * nl + l];
                if ct.arr == Arrangement::Shared(csmarket::model::CcgId(j as u32)) {
                    n += 1;
                    pop += c.population;
                }
                if ct.pending.is_some_and(|p| p.to == Arrangement::Shared(csmarket::model::CcgId(j as u32))) {
                    reserved += 1;
                }
            }
            assert_eq!(host.guests, n + reserved, "step {step}: host {j} line {l} guest count");
            assert!((host.guest_pop - pop).abs() <= 1e-6 * pop.max(1.0), "step {step}: host {j} line {l} guest population {} vs {pop}", host.guest_pop);
        }
    }
    // every line an active provider offers (an absorber takes on the absorbed CSU's lines)
    // has a belief slot, so the CCGs' choices and power can read their beliefs about it
    for (p, s) in m.sup.iter().enumerate() {
        for l in (0..nl).filter(|&l| s.active() && s.offers(l)) {
            assert_ne!(m.belief_pos[p * nl + l], u32::MAX, "step {step}: no belief slot for {} on line {l}", s.name);
        }
    }
    // the eligibility lists (rebuilt only when what they depend on changes) are those the
    // providers' present status, lines, slots and reach give
    for r in 0..m.cfg.geography.regions as usize {
        for l in 0..nl {
            let now: Vec<u16> = (0..m.sup.len()).filter(|&p| m.may_contract(p, l) && m.reaches_region(p, r as u32)).map(|p| p as u16).collect();
            assert_eq!(m.elig[r * nl + l], now, "step {step}: eligible providers of region {r} line {l}");
        }
    }
    // money: what CCGs paid providers is what providers received
    if step > 0 {
        let paid: f64 = m.ccgs.iter().map(|c| c.paid_external).sum();
        let received: f64 = m.sup.iter().map(|s| s.revenue).sum();
        assert!((paid - received).abs() <= 1e-9 * paid.max(1.0), "step {step}: paid {paid} received {received}");
    }
    // metrics: shares add up, quadrants add up to relationships, everything finite or allowed undefined
    let v = &m.metrics;
    let shares = v.get(Metric::ShareInHouse) + v.get(Metric::ShareShared) + v.get(Metric::ShareCsu) + v.get(Metric::ShareOther);
    assert!((shares - 1.0).abs() < 1e-9, "step {step}: provision shares sum to {shares}");
    let quads = v.get(Metric::QuadrantBuyerDominance) + v.get(Metric::QuadrantInterdependence) + v.get(Metric::QuadrantIndependence) + v.get(Metric::QuadrantSupplierDominance);
    assert_eq!(quads, v.get(Metric::Relationships), "step {step}: quadrants");
    let ext = m.ccgs.iter().enumerate().filter(|(_, c)| c.active).map(|(i, _)| (0..nl).filter(|&l| matches!(m.con[i * nl + l].arr, Arrangement::External(_))).count()).sum::<usize>();
    assert_eq!(v.get(Metric::Relationships) as usize, ext, "step {step}: relationships");
    assert_eq!(v.get(Metric::CcgsActive) as usize, m.active_ccgs());
    for (k, def) in csmarket::model::metrics::METRICS.iter().enumerate() {
        let x = v.national[k];
        if def.undefined_when.is_none() {
            assert!(x.is_finite(), "step {step}: metric {} is {x}", def.name);
        } else {
            assert!(!x.is_infinite(), "step {step}: metric {} is infinite", def.name);
        }
    }
    for name in [Metric::QualityMean, Metric::ShareDissatisfied, Metric::BuyerPowerMean, Metric::SupplierPowerMean, Metric::CapabilityMean, Metric::Hhi] {
        let x = v.get(name);
        assert!(x.is_nan() || (0.0..=1.0).contains(&x), "step {step}: {name:?} = {x}");
    }
}

/// Run to the horizon checking invariants after every step.
pub fn run_checked(m: &mut Market) {
    check_invariants(m);
    while m.step < m.cfg.steps() {
        m.step();
        check_invariants(m);
    }
}
