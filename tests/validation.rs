//! A reduced `csmarket validate`: every expectation the model reproduces is supported
//! statistically (the 95% CI of the effect excludes zero in the expected direction), and
//! the reproduction commands it prints give the same numbers.

use std::path::Path;
use std::process::Command;

fn csm(dir: &Path, args: &[&str]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_csmarket")).current_dir(dir).args(args).output().expect("run");
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

fn rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records().map(|rec| head.iter().cloned().zip(rec.unwrap().iter().map(String::from)).collect()).collect()
}

#[test]
fn every_expectation_is_supported_with_a_confidence_interval() {
    let t = tempfile::tempdir().unwrap();
    csm(t.path(), &["validate", "--replications", "16", "--out", "v", "--quiet"]);
    let v = rows(&t.path().join("v/validation.csv"));
    let ids: std::collections::BTreeSet<&str> = v.iter().map(|r| r["id"].as_str()).collect();
    for id in ["E1", "E2", "E3", "E3b", "E4", "E5", "E5b", "E6", "E6b"] {
        assert!(ids.contains(id), "{id} missing");
    }
    for r in &v {
        let (lo, hi): (f64, f64) = (r["ci_low"].parse().unwrap(), r["ci_high"].parse().unwrap());
        let ok = match r["expected"].as_str() {
            "increase" => lo > 0.0,
            "decrease" => hi < 0.0,
            other => panic!("direction {other}"),
        };
        assert!(ok && r["verdict"] == "supported", "{} {}: [{lo}, {hi}] {}", r["id"], r["measure"], r["verdict"]);
    }
    assert!(std::fs::read_to_string(t.path().join("v/VALIDATION.md")).unwrap().contains("| E1 |"));
}

#[test]
fn the_printed_compare_command_reproduces_the_effect() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    csm(p, &["validate", "--replications", "6", "--only", "E5", "--out", "v", "--quiet"]);
    let v = rows(&p.join("v/validation.csv"));
    let effect = v.iter().find(|r| r["measure"].starts_with("price_per_head_mean")).unwrap()["effect"].clone();
    csm(&p.join("v"), &["compare", "validation/e5_a.json", "validation/e5_b.json", "--replications", "6", "--out", "../c", "--quiet", "--no-plots"]);
    let d = rows(&p.join("c/differences.csv"));
    let last = d.iter().filter(|r| r["metric"] == "price_per_head_mean").max_by_key(|r| r["step"].parse::<u32>().unwrap()).unwrap();
    assert_eq!(last["mean_diff"], effect);
}

#[test]
fn validate_rejects_unknown_expectations_and_bad_vary() {
    let t = tempfile::tempdir().unwrap();
    for args in [&["validate", "--only", "E99"][..], &["validate", "--vary", "contracts.notice_mnths=6"][..], &["validate", "--vary", "nothing"][..]] {
        let o = Command::new(env!("CARGO_BIN_EXE_csmarket")).current_dir(t.path()).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    }
}
