//! Property tests (proptest): random valid configurations within the registry's documented
//! ranges never panic and keep the model's invariants at every step; random invalid JSON,
//! random JSON values and random byte strings given as configuration give an error, never
//! a panic. Case counts are kept small so the suite stays fast on two cores.

mod common;

use csmarket::config::registry::{self, Kind, REGISTRY};
use csmarket::config::validate;
use csmarket::model::rng;
use csmarket::model::Market;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{json, Value};
use std::sync::Arc;

/// Cases per property: the given default, or PROPTEST_CASES for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Set a dotted path in a JSON tree (creating objects on the way).
fn set(root: &mut Value, path: &str, v: Value) {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        node = node.as_object_mut().expect("object").entry(p.to_string()).or_insert_with(|| json!({}));
    }
    node.as_object_mut().expect("object").insert(parts[parts.len() - 1].to_string(), v);
}

fn get(root: &Value, path: &str) -> Value {
    path.split('.').fold(root, |n, p| &n[p]).clone()
}

/// Settings given explicitly below (size, time, coupled values), not drawn generically.
const EXPLICIT: &[&str] = &[
    "time.start_year",
    "time.years",
    "time.steps_per_year",
    "time.rounds_per_year",
    "ccgs.count",
    "ccgs.population_total",
    "ccgs.population_min",
    "ccgs.population_max",
    "ccgs.network_degree",
    "csus.count",
    "policy.framework.slots_per_line",
];

/// What proptest draws: the explicit structure, then one (override?, u) pair per
/// registry entry for everything else (u in [0, 1) maps onto the parameter's range;
/// shrinking goes toward "keep the default" and toward the bottom of each range).
#[derive(Debug, Clone)]
struct Draw {
    ccgs: u32,
    csus: u32,
    years: u32,
    steps_rounds: (u32, u32),
    start: f64,
    pop: (f64, f64, f64),
    lines_kept: Vec<bool>,
    provider_counts: Vec<u32>,
    mergers: Vec<(f64, f64, u32, f64)>,
    generic: Vec<(bool, f64)>,
    seed: u64,
}

fn draw() -> impl Strategy<Value = Draw> {
    let n = REGISTRY.len();
    let steps_rounds = prop_oneof![Just((4u32, 1u32)), Just((4, 2)), Just((4, 4)), Just((1, 1)), Just((2, 1)), Just((12, 3)), Just((12, 12))];
    (
        (20u32..=60, 3u32..=8, 2u32..=4, steps_rounds, 1990.0f64..2090.0),
        (1000.0f64..200_000.0, 0.0f64..1.0, 0.01f64..0.99),
        proptest::collection::vec(any::<bool>(), registry::DEFAULT_LINES.len()),
        proptest::collection::vec(0u32..=6, 4),
        proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0, 2u32..=6, 0.0f64..1.0), 0..=2),
        proptest::collection::vec((proptest::bool::weighted(0.4), 0.0f64..1.0), n),
        any::<u64>(),
    )
        .prop_map(|((ccgs, csus, years, steps_rounds, start), (pmin, pspan, pu), lines_kept, provider_counts, mergers, generic, seed)| Draw {
            ccgs,
            csus,
            years,
            steps_rounds,
            start: start.round(),
            pop: (pmin, pspan, pu),
            lines_kept,
            provider_counts,
            mergers,
            generic,
            seed,
        })
}

/// Build a configuration that should be valid from a draw.
fn build(d: &Draw) -> Value {
    let mut v = registry::defaults();
    let (y0, years) = (d.start, d.years as f64);
    let year_in = |u: f64| y0 + (u * years * 4.0).floor() / 4.0;
    // generic parameters: anything with a numeric, boolean or choice value
    for (p, &(on, u)) in REGISTRY.iter().zip(&d.generic) {
        if !on || p.path.contains("[]") || EXPLICIT.contains(&p.path) || p.default.is_none() {
            continue;
        }
        let (lo, hi) = (p.min.unwrap_or(0.0), p.max.unwrap_or(1.0));
        let x = match &p.kind {
            Kind::Float => json!(lo + u * (hi - lo)),
            Kind::Int => json!((lo + (u * (hi - lo + 1.0)).floor()).min(hi) as i64),
            Kind::Bool => json!(u < 0.5),
            Kind::Choice(opts) => json!(opts[((u * opts.len() as f64) as usize).min(opts.len() - 1)]),
            Kind::OptionalYear => {
                if u < 0.3 {
                    Value::Null
                } else {
                    json!(year_in((u - 0.3) / 0.7))
                }
            }
            Kind::FloatList { min_len, max_len } => {
                let len = (*min_len + (u * 4.0) as usize).min(*max_len);
                json!((0..len).map(|k| lo + ((u * 7.0 + k as f64 * 0.37) % 1.0) * (hi - lo).min(100.0)).collect::<Vec<f64>>())
            }
            _ => continue,
        };
        set(&mut v, p.path, x);
    }
    // policy years left at their defaults must fall inside the simulated period
    for p in REGISTRY.iter().filter(|p| p.kind == Kind::OptionalYear) {
        if let Some(y) = get(&v, p.path).as_f64() {
            if y < y0 || y > y0 + years {
                set(&mut v, p.path, json!(year_in(0.25)));
            }
        }
    }
    // ordered pairs: X_min <= X_max
    for p in REGISTRY.iter().filter(|p| p.path.ends_with("_min") && !p.path.contains("[]")) {
        let max_path = format!("{}_max", p.path.trim_end_matches("_min"));
        if registry::lookup(&max_path).is_some() {
            let (a, b) = (get(&v, p.path).as_f64().unwrap_or(0.0), get(&v, &max_path).as_f64().unwrap_or(0.0));
            if a > b {
                set(&mut v, &max_path, json!(a));
            }
        }
    }
    // size and time
    set(&mut v, "time.start_year", json!(y0));
    set(&mut v, "time.years", json!(d.years));
    set(&mut v, "time.steps_per_year", json!(d.steps_rounds.0));
    set(&mut v, "time.rounds_per_year", json!(d.steps_rounds.1));
    let n = d.ccgs as f64;
    let (pmin, pmax) = (d.pop.0, d.pop.0 + d.pop.1 * 2.0e6);
    set(&mut v, "ccgs.count", json!(d.ccgs));
    set(&mut v, "ccgs.population_min", json!(pmin));
    set(&mut v, "ccgs.population_max", json!(pmax.max(pmin)));
    set(&mut v, "ccgs.population_total", json!(n * (pmin + d.pop.2 * (pmax - pmin))));
    set(&mut v, "ccgs.network_degree", json!(d.seed % 10));
    set(&mut v, "csus.count", json!(d.csus));
    // service lines: a non-empty subset of the defaults; providers offer only kept lines
    let all = v["service_lines"].as_array().expect("lines").clone();
    let mut kept: Vec<Value> = all.iter().zip(&d.lines_kept).filter(|(_, k)| **k).map(|(l, _)| l.clone()).collect();
    if kept.is_empty() {
        kept.push(all[(d.seed % all.len() as u64) as usize].clone());
    }
    let names: Vec<String> = kept.iter().map(|l| l["name"].as_str().expect("name").to_string()).collect();
    set(&mut v, "service_lines", Value::Array(kept));
    let mut n_other = 0u64;
    let providers: Vec<Value> = v["providers"]
        .as_array()
        .expect("providers")
        .iter()
        .zip(&d.provider_counts)
        .map(|(p, &count)| {
            let mut p = p.clone();
            let lines: Vec<Value> = p["lines"].as_array().expect("lines").iter().filter(|l| names.iter().any(|n| l.as_str() == Some(n))).cloned().collect();
            let avail = if lines.is_empty() { names.len() } else { lines.len() } as u64;
            let lmin = p["lines_min"].as_u64().expect("lines_min").min(avail);
            p["lines"] = Value::Array(lines);
            p["lines_min"] = json!(lmin);
            p["lines_max"] = json!(p["lines_max"].as_u64().expect("lines_max").max(lmin));
            p["count"] = json!(count);
            n_other += count as u64;
            p
        })
        .collect();
    set(&mut v, "providers", Value::Array(providers));
    // any number of slots, down to one a line (which other providers may take entirely)
    let suppliers = d.csus as u64 + n_other;
    set(&mut v, "policy.framework.slots_per_line", json!(1 + d.seed % suppliers));
    let waves: Vec<Value> = d
        .mergers
        .iter()
        .map(|&(yu, share, group, collab)| json!({"year": year_in(yu), "share": share, "group_size": group.min(d.ccgs), "collaboration": collab}))
        .collect();
    set(&mut v, "policy.ccg_mergers", Value::Array(waves));
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(24), failure_persistence: None, ..ProptestConfig::default() })]

    /// Random valid small markets: no panic, every invariant at every step.
    #[test]
    fn random_valid_configurations_keep_the_invariants(d in draw()) {
        let v = build(&d);
        let cfg = validate(&v, "generated").map_err(|e| TestCaseError::fail(format!("the generator made an invalid configuration: {e}")))?;
        let seed = rng::replication_seed(d.seed, 0);
        let run = std::panic::catch_unwind(|| {
            let mut m = Market::new(Arc::new(cfg), seed);
            common::run_checked(&mut m);
            m.step == m.cfg.steps()
        });
        if !matches!(run, Ok(true)) {
            // name the settings that differ from the baseline, so the case can be rerun
            let diff: serde_json::Map<String, Value> = csmarket::config::diff(&registry::defaults(), &v).into_iter().collect();
            let why = match run {
                Err(p) => p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default(),
                Ok(_) => "the run stopped before the horizon".into(),
            };
            return Err(TestCaseError::fail(format!("{why}\nreplication seed {seed}, overrides of the baseline:\n{}", serde_json::to_string_pretty(&diff).expect("json"))));
        }
    }
}

/// Arbitrary JSON values, nested a few levels, with the keys the registry uses (so that
/// the validator gets past the top level often) and a few others.
fn json_value() -> impl Strategy<Value = Value> {
    let keys: Vec<String> = registry::children("").into_iter().chain(["count".into(), "year".into(), "name".into(), "extends".into(), "x".into()]).collect();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(Value::from),
        prop_oneof![Just(0.0), Just(-1.0), Just(1.0), Just(0.5), Just(2013.0), Just(1e308), Just(-1e308), Just(5e-324)].prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        let keys = keys.clone();
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((proptest::sample::select(keys), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Every registered path of the defaults (dotted, list entries as `list[k]`).
fn leaf_paths(v: &Value, prefix: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaf_paths(c, &p, out);
            }
        }
        _ => out.push(prefix.to_string()),
    }
}

fn write_and_load(bytes: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("junk.json");
    std::fs::write(&p, bytes).expect("write");
    csmarket::io::scenario::load(p.to_str().expect("utf-8 path")).map(|_| ()).map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(200), failure_persistence: None, ..ProptestConfig::default() })]

    /// Random bytes as a scenario file: an error naming the file, never a panic.
    #[test]
    fn random_bytes_as_a_scenario_file_give_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        match write_and_load(&bytes) {
            Err(e) => prop_assert!(e.contains("junk.json"), "the message names the file: {}", e),
            Ok(()) => prop_assert!(std::str::from_utf8(&bytes).is_ok_and(|t| t.trim_start().starts_with('{')), "accepted junk {:?}", bytes),
        }
    }

    /// A valid scenario text cut short, or with one byte replaced: an error (or, rarely,
    /// still a valid scenario), never a panic.
    #[test]
    fn damaged_scenario_text_gives_an_error(cut in 0usize..2000, at in 0usize..2000, byte in any::<u8>()) {
        let text = serde_json::to_string_pretty(&json!({"name": "x", "ccgs": {"count": 40, "population_total": 8.0e6},
            "policy": {"framework": {"year": 2015, "slots_per_line": 5}, "ccg_mergers": [{"year": 2016, "share": 0.5, "group_size": 2, "collaboration": 0.1}]}})).expect("json");
        let b = text.as_bytes();
        let mut short = b[..cut.min(b.len())].to_vec();
        if cut < b.len() {
            let r = write_and_load(&short);
            prop_assert!(r.is_err(), "a truncated file ({} of {} bytes) was accepted", cut, b.len());
        }
        short = b.to_vec();
        short[at % b.len()] = byte;
        let _ = write_and_load(&short);
    }

    /// Arbitrary JSON as a whole scenario: Ok or a message, never a panic.
    #[test]
    fn random_json_values_are_validated_without_panic(v in json_value()) {
        if let Err(e) = validate(&v, "random.json") {
            prop_assert!(e.to_string().starts_with("random.json"), "{}", e);
        }
        let text = serde_json::to_string(&v).expect("json");
        let _ = write_and_load(text.as_bytes());
    }

    /// The defaults with one parameter replaced by an arbitrary JSON value: Ok when the
    /// value is allowed, else a message naming that parameter, never a panic.
    #[test]
    fn one_bad_value_is_named_in_the_message(k in any::<proptest::sample::Index>(), v in json_value()) {
        let base = registry::defaults();
        let mut paths = Vec::new();
        leaf_paths(&base, "", &mut paths);
        let path = &paths[k.index(paths.len())];
        let mut cfg = base.clone();
        set(&mut cfg, path, v.clone());
        if let Err(e) = validate(&cfg, "one.json") {
            let msg = e.to_string();
            // the path itself, or (for a value that breaks a consistency rule) the rule's field
            let top = path.split('.').next().unwrap_or("");
            prop_assert!(msg.contains(top), "setting {} to {} gave {:?}", path, v, msg);
        }
    }
}

/// A framework whose slots all go to other providers (one slot per line, six charities
/// that out-score every CSU) leaves every CSU winding down; a winding-down CSU still takes
/// over the patch of one that exits, so every CCG keeps an active home CSU (this was a bug).
#[test]
fn framework_that_admits_no_csu_keeps_the_invariants() {
    let mut v = registry::defaults();
    let line = v["service_lines"][0].clone();
    let name = line["name"].clone();
    set(&mut v, "service_lines", json!([line]));
    set(&mut v, "time.years", json!(3));
    set(&mut v, "ccgs.count", json!(20));
    set(&mut v, "ccgs.population_total", json!(4.0e6));
    set(&mut v, "csus.count", json!(8));
    let mut charity = v["providers"][1].clone();
    charity["count"] = json!(6);
    charity["lines"] = json!([name]);
    set(&mut v, "providers", json!([charity]));
    set(&mut v, "policy.framework.year", json!(2014.0));
    set(&mut v, "policy.framework.slots_per_line", json!(1));
    let cfg = Arc::new(validate(&v, "repro").expect("valid"));
    for master in 0..8 {
        let mut m = Market::new(cfg.clone(), rng::replication_seed(master, 0));
        common::run_checked(&mut m);
    }
}

/// With yearly steps and fast rates (leadership arrival up to 10 a year), leadership,
/// practice sharing and capability stay in [0, 1]: each update is capped at a full step
/// (uncapped, leadership overshot and capability went negative; this was a bug).
#[test]
fn fast_leadership_arrival_keeps_capability_in_range() {
    let mut v = registry::defaults();
    set(&mut v, "time.years", json!(4));
    set(&mut v, "time.steps_per_year", json!(1));
    set(&mut v, "ccgs.count", json!(40));
    set(&mut v, "ccgs.population_total", json!(9.0e6));
    set(&mut v, "csus.count", json!(5));
    set(&mut v, "csus.leadership_arrival", json!(9.5));
    set(&mut v, "csus.leadership_potential", json!(0.0));
    set(&mut v, "learning.supplier_rate", json!(9.0));
    let cfg = Arc::new(validate(&v, "repro").expect("valid"));
    for master in 0..4 {
        let mut m = Market::new(cfg.clone(), rng::replication_seed(master, 0));
        while m.step < m.cfg.steps() {
            m.step();
            for s in m.sup.iter().filter(|s| s.active()) {
                assert!((0.0..=1.0).contains(&s.leadership), "step {}: {} has leadership {}", m.step, s.name, s.leadership);
                assert!(s.cap.iter().all(|c| (0.0..=1.0).contains(c)), "step {}: {} has capability {:?}", m.step, s.name, s.cap);
            }
            common::check_invariants(&m);
        }
    }
}
