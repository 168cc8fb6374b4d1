//! The `csmarket` command end to end: outputs, manifests, determinism of files, help,
//! and clear errors with exit code 2 for bad input.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_csmarket"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("run csmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts a clean failure: the code, no panic, and a message mentioning every `needle`.
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "panic: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr should mention {n:?}: {err}");
    }
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

/// Every file listed in a manifest exists with its size and checksum; returns name -> sha.
fn verify(dir: &Path) -> Vec<(String, String)> {
    let m = manifest(dir);
    let mut out = Vec::new();
    for f in m["files"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(name)).unwrap();
        assert_eq!(bytes.len() as u64, f["bytes"].as_u64().unwrap(), "{name} size");
        assert_eq!(csmarket::io::output::sha256_hex(&bytes), f["sha256"].as_str().unwrap(), "{name} checksum");
        out.push((name.to_string(), f["sha256"].as_str().unwrap().to_string()));
    }
    assert!(!dir.join("_INCOMPLETE").exists());
    out
}

#[test]
fn default_run_twice_makes_two_complete_folders() {
    let tmp = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = run_in(tmp.path(), &["run", "--quiet"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("quality_mean"), "summary printed");
    }
    let dirs: Vec<PathBuf> = std::fs::read_dir(tmp.path().join("outputs")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(dirs.len(), 2);
    for d in &dirs {
        let files = verify(d);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for want in ["series.csv", "series_by_line.csv", "events.csv", "ccgs.csv", "suppliers.csv", "summary.csv"] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        let m = manifest(d);
        for key in ["tool", "version", "git_commit", "command", "created", "master_seed", "replications", "shard", "threads", "scenarios", "files", "charts"] {
            assert!(m.get(key).is_some(), "manifest lacks {key}");
        }
        assert_eq!(m["master_seed"], 20130401);
        assert!(m["scenarios"][0]["config"]["ccgs"]["count"].is_number(), "resolved configuration in the manifest");
    }
    // same seed, same bytes
    assert_eq!(verify(&dirs[0]), verify(&dirs[1]));
}

#[test]
fn output_folder_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("r");
    let o = out_dir.to_str().unwrap();
    let args = ["run", "--quiet", "--out", o, "--seed", "5"];
    assert!(run_in(tmp.path(), &args).status.success());
    let before = verify(&out_dir);
    let again = run_in(tmp.path(), &args);
    assert_fails(&again, 2, &["already exists", "--force"]);
    assert_eq!(verify(&out_dir), before, "untouched");
    let forced = run_in(tmp.path(), &["run", "--quiet", "--out", o, "--seed", "6", "--force"]);
    assert!(forced.status.success());
    assert_ne!(verify(&out_dir), before, "another seed, other numbers");
}

#[test]
fn force_never_deletes_a_folder_csmarket_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("thesis");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("chapter1.txt"), "years of work").unwrap();
    let o = run_in(tmp.path(), &["run", "--quiet", "--no-plots", "--out", "thesis", "--force"]);
    assert_fails(&o, 2, &["thesis", "not a csmarket output folder"]);
    assert_eq!(std::fs::read_to_string(mine.join("chapter1.txt")).unwrap(), "years of work");
    // an empty folder is fine to fill
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    assert!(run_in(tmp.path(), &["run", "--quiet", "--no-plots", "--out", "empty", "--force"]).status.success());
    assert!(tmp.path().join("empty/manifest.json").is_file());
}

#[test]
fn csv_files_load_as_tidy_tables() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("r");
    assert!(run_in(tmp.path(), &["run", "--quiet", "--out", d.to_str().unwrap()]).status.success());
    let series = std::fs::read_to_string(d.join("series.csv")).unwrap();
    let mut lines = series.lines();
    assert_eq!(lines.next().unwrap(), "scenario,replication,seed,step,year,metric,value");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 7));
    assert!(!series.contains("NaN") && !series.contains("inf"));
    let names: std::collections::HashSet<&str> = rows.iter().map(|r| r[5]).collect();
    for want in [
        "ccgs_active", "suppliers_active_csu", "suppliers_active_other", "hhi", "share_in_house", "share_shared", "share_csu", "share_other",
        "switching_rate", "insourcing_rate", "quality_mean", "quality_sd", "share_dissatisfied", "price_per_head_mean", "markup_mean", "spend_total",
        "savings_vs_start", "capability_mean", "capability_sd", "exits", "mergers", "buyer_power_mean", "supplier_power_mean",
        "quadrant_buyer_dominance", "quadrant_interdependence", "quadrant_independence", "quadrant_supplier_dominance",
    ] {
        assert!(names.contains(want), "metric {want} missing");
    }
    // year is the calendar time at the end of the step
    assert!(rows.iter().any(|r| r[3] == "1" && r[4] == "2013.25"));
    let summary = std::fs::read_to_string(d.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().next().unwrap(), "scenario,step,year,metric,n,mean,sd,p05,p50,p95,ci_low,ci_high");
    let events = std::fs::read_to_string(d.join("events.csv")).unwrap();
    assert_eq!(events.lines().next().unwrap(), "scenario,replication,step,year,kind,ccg,supplier,service_line,detail");
}

#[test]
fn help_explains_every_subcommand() {
    for sub in ["run", "params", "metrics", "show"] {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success());
        let t = text(&out.stdout);
        assert!(t.contains("Usage:"), "{sub}");
    }
    let t = text(&bin().args(["run", "--help"]).output().unwrap().stdout);
    for flag in ["--seed", "--out", "--force", "--replications", "--threads", "--replication", "--keep-replications", "--quiet"] {
        assert!(t.contains(flag), "run --help lacks {flag}");
    }
    assert_fails(&bin().args(["run", "--bogus"]).output().unwrap(), 2, &["--bogus"]);
}

#[test]
fn params_and_metrics_print_their_tables() {
    let out = bin().args(["params", "--format", "json"]).output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), csmarket::config::registry::REGISTRY.len());
    for e in list {
        for k in ["path", "default", "min", "max", "unit", "description"] {
            assert!(e.get(k).is_some(), "{k} missing in {e}");
        }
    }
    assert!(text(&bin().args(["params"]).output().unwrap().stdout).contains("policy.framework.slots_per_line"));
    assert!(text(&bin().args(["params", "--format", "markdown"]).output().unwrap().stdout).starts_with("| path |"));
    let m: Value = serde_json::from_slice(&bin().args(["metrics", "--format", "json"]).output().unwrap().stdout).unwrap();
    assert!(m.as_array().unwrap().iter().any(|x| x["name"] == "hhi" && x["can_be_undefined"] == true));
}

#[test]
fn show_resolves_extends_and_diffs_against_the_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("parent.json"), r#"{"name": "parent", "contracts": {"notice_months": 6}}"#).unwrap();
    std::fs::write(tmp.path().join("child.json"), r#"{"extends": "parent.json", "policy": {"framework": {"year": 2015, "slots_per_line": 5}}}"#).unwrap();
    let out = run_in(tmp.path(), &["show", "child.json", "--diff"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["contracts.notice_months"], 6);
    assert_eq!(d["policy.framework.slots_per_line"], 5);
    assert_eq!(d.as_object().unwrap().len(), 3, "{d}");
    let full: Value = serde_json::from_slice(&run_in(tmp.path(), &["show", "child.json"]).stdout).unwrap();
    assert_eq!(full["name"], "child");
    assert_eq!(full["ccgs"]["count"], 230);
}

#[test]
fn bad_scenarios_get_clear_errors_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let case = |name: &str, body: &str, needles: &[&str]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, body).unwrap();
        let out = run_in(tmp.path(), &["run", "--quiet", p.to_str().unwrap(), "--out", tmp.path().join("never").to_str().unwrap()]);
        assert_fails(&out, 2, &[&[name][..], needles].concat());
        assert!(!tmp.path().join("never").exists(), "no output folder for bad input");
    };
    case("typo.json", r#"{"contracts": {"notice_month": 6}}"#, &["contracts.notice_month", "unknown key", "notice_months"]);
    case("range.json", r#"{"contracts": {"notice_months": 99}}"#, &["contracts.notice_months", "out of range", "0 to 36"]);
    case("type.json", r#"{"ccgs": {"count": "many"}}"#, &["ccgs.count", "expected a number"]);
    case("int.json", r#"{"ccgs": {"count": 230.5}}"#, &["ccgs.count", "whole number"]);
    case("malformed.json", "{\n  \"ccgs\": {\"count\": 10,}\n}", &["line 2", "column"]);
    case("empty_lines.json", r#"{"service_lines": []}"#, &["service_lines", "1 to 20"]);
    case("zero.json", r#"{"ccgs": {"count": 0}}"#, &["ccgs.count", "1 to 20000"]);
    case("slots.json", r#"{"policy": {"framework": {"year": 2015, "slots_per_line": 500}}}"#, &["policy.framework.slots_per_line", "number of suppliers"]);
    case("late.json", r#"{"policy": {"platform": {"year": 2040}}}"#, &["policy.platform.year", "outside the simulated period"]);
    case("merge.json", r#"{"policy": {"ccg_mergers": [{"year": 2016, "share": 0.5, "group_size": 40, "collaboration": 0}]}, "ccgs": {"count": 30, "population_total": 6000000}}"#, &["group_size", "ccgs.count"]);
    case("huge.json", r#"{"ccgs": {"count": 20000, "population_total": 5e9}}"#, &["ccgs.population_total"]);
    case("choice.json", r#"{"market": {"csu_reach": "regional"}}"#, &["market.csu_reach", "\"region\""]);
    case("line_name.json", r#"{"providers": [{"kind": "private", "count": 1, "lines": ["bi"], "lines_min": 1, "lines_max": 1, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": false}]}"#, &["providers[0].lines[0]", "not a service line"]);
    case("cycle.json", r#"{"extends": "cycle.json"}"#, &["circular extends"]);
    case("array.json", "[1, 2]", &["must be a JSON object"]);
    let out = run_in(tmp.path(), &["run", "--quiet", "missing.json"]);
    assert_fails(&out, 2, &["missing.json", "no such file", "baseline"]);
}
