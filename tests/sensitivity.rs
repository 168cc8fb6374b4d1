//! `csmarket sensitivity`: Morris screening end to end on a small design.

use csmarket::io::output::hash_file;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const PARAMS: &str = "choice.temperature,csus.capacity_headroom,sharing.max_guests,learning.supplier_rate";

fn csm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csmarket")).current_dir(dir).args(args).output().expect("run csmarket")
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = csm(dir, args);
    assert!(o.status.success(), "csmarket {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    o
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let head = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect();
    (head, rows)
}

fn col(head: &[String], name: &str) -> usize {
    head.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {head:?}"))
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_small_screening_writes_ranked_tables_listed_in_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let o = ok(tmp.path(), &["sensitivity", "baseline", "--params", PARAMS, "--trajectories", "3", "--replications", "1", "--quiet", "--out", out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Screened 4 parameters with 3 Morris trajectories (15 points x 1 replication(s))"), "{stdout}");
    for f in ["sensitivity.csv", "sensitivity.md", "sensitivity_design.csv", "sensitivity_ranges.csv", "sweep.csv", "points.csv"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // the manifest lists every data file, ours included, with the right size and checksum
    let m = manifest(&out);
    let files = m["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "file list sorted by name");
    for f in ["sensitivity.csv", "sensitivity.md", "sensitivity_design.csv", "sensitivity_ranges.csv"] {
        assert!(names.contains(&f), "{f} not in the manifest: {names:?}");
    }
    for f in files {
        let (sha, bytes) = hash_file(&out.join(f["name"].as_str().unwrap())).unwrap();
        assert_eq!(sha, f["sha256"].as_str().unwrap(), "{}", f["name"]);
        assert_eq!(bytes, f["bytes"].as_u64().unwrap(), "{}", f["name"]);
    }
    assert_eq!(m["kind"], "sweep");
    assert_eq!(m["sweep"]["params"].as_array().unwrap().len(), 4);
    // every headline metric ranks the 4 parameters 1..4
    let (head, rows) = read_csv(&out.join("sensitivity.csv"));
    for c in ["metric", "parameter", "rank", "mu_star", "mu", "sigma", "n_effects", "range_low", "range_high", "default"] {
        col(&head, c);
    }
    let (cm, cp, cr, cs, cn) = (col(&head, "metric"), col(&head, "parameter"), col(&head, "rank"), col(&head, "mu_star"), col(&head, "n_effects"));
    let mut by_metric: BTreeMap<String, Vec<(usize, f64, String)>> = BTreeMap::new();
    for r in &rows {
        let mu_star = if r[cs].is_empty() { f64::NAN } else { r[cs].parse().unwrap() };
        by_metric.entry(r[cm].clone()).or_default().push((r[cr].parse().unwrap(), mu_star, r[cp].clone()));
        assert!(r[cn].parse::<usize>().unwrap() <= 3);
    }
    let headline: Vec<&str> = csmarket::model::metrics::METRICS.iter().filter(|m| m.headline).map(|m| m.name).collect();
    assert_eq!(by_metric.len(), headline.len());
    for (metric, v) in &by_metric {
        let ranks: Vec<usize> = v.iter().map(|x| x.0).collect();
        assert_eq!(ranks, vec![1, 2, 3, 4], "{metric}: rows in rank order, ranks 1..k");
        let mut params: Vec<&str> = v.iter().map(|x| x.2.as_str()).collect();
        params.sort();
        assert_eq!(params, vec!["choice.temperature", "csus.capacity_headroom", "learning.supplier_rate", "sharing.max_guests"]);
        for w in v.windows(2) {
            assert!(w[1].1.is_nan() || w[1].1 <= w[0].1, "{metric}: ranked by mu_star, largest first");
        }
    }
    // the design: 3 trajectories of 5 points; consecutive points differ in exactly the
    // parameter sensitivity_design.csv names
    let (ph, points) = read_csv(&out.join("points.csv"));
    assert_eq!(points.len(), 15);
    let (dh, design) = read_csv(&out.join("sensitivity_design.csv"));
    assert_eq!(design.len(), 15);
    let (dp, ds) = (col(&dh, "parameter"), col(&dh, "step"));
    for i in 0..15 {
        if design[i][ds] == "0" {
            assert_eq!(design[i][dp], "");
            continue;
        }
        let changed: Vec<&str> = (1..ph.len()).filter(|&c| points[i][c] != points[i - 1][c]).map(|c| ph[c].as_str()).collect();
        assert_eq!(changed, vec![design[i][dp].as_str()], "point {i}");
    }
    // values stay in the screening ranges; whole numbers stay whole
    let (rh, ranges) = read_csv(&out.join("sensitivity_ranges.csv"));
    for r in &ranges {
        let c = col(&ph, &r[col(&rh, "parameter")]);
        let (lo, hi): (f64, f64) = (r[col(&rh, "range_low")].parse().unwrap(), r[col(&rh, "range_high")].parse().unwrap());
        for p in &points {
            let v: f64 = p[c].parse().unwrap();
            assert!(v >= lo && v <= hi, "{} = {v} outside {lo}..{hi}", ph[c]);
            if r[col(&rh, "kind")] == "int" {
                assert!(!p[c].contains('.'), "{} = {} is not whole", ph[c], p[c]);
            }
        }
    }
    let md = std::fs::read_to_string(out.join("sensitivity.md")).unwrap();
    assert!(md.contains("## quality_mean") && md.contains("mu*"), "{md}");
    assert!(
        md.contains(&format!("`csmarket sensitivity baseline --method morris --params {PARAMS} --trajectories 3 --levels 4 --spread 0.5 --replications 1 --seed 20130401`")),
        "the reproducing command, without --out or --threads: {md}"
    );
    // the chart per headline metric, listed in the index and the manifest; no per-parameter sweep charts
    assert!(out.join("charts/sensitivity_quality_mean.png").is_file() && out.join("charts/sensitivity_quality_mean.svg").is_file() && out.join("charts/sensitivity_quality_mean.csv").is_file());
    let index = std::fs::read_to_string(out.join("charts/index.md")).unwrap();
    assert!(index.contains("sensitivity_supplier_power_mean.png"));
    assert!(!out.join("charts/sweep_quality_mean.png").exists());
    let charts: Vec<String> = manifest(&out)["charts"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    assert!(charts.contains(&"charts/sensitivity_price_per_head_mean.png".to_string()));
    let (chead, crows) = read_csv(&out.join("charts/sensitivity_quality_mean.csv"));
    assert_eq!(crows.len(), 4);
    assert_eq!(crows[0][col(&chead, "rank")], "1");
    // `csmarket plot` redraws them
    std::fs::remove_dir_all(out.join("charts")).unwrap();
    ok(tmp.path(), &["plot", out.to_str().unwrap(), "--quiet"]);
    assert!(out.join("charts/sensitivity_hhi.png").is_file());
}

#[test]
fn the_same_command_gives_the_same_bytes_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |name: &str, threads: &str| {
        let out = tmp.path().join(name);
        ok(
            tmp.path(),
            &["sensitivity", "--params", "choice.temperature,choice.stay_bias,ccgs.network_degree", "--trajectories", "2", "--replications", "2", "--threads", threads, "--no-plots", "--quiet", "--out", out.to_str().unwrap()],
        );
        let m = manifest(&out);
        m["files"].as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap().to_string(), f["sha256"].as_str().unwrap().to_string())).collect::<BTreeMap<_, _>>()
    };
    let a = run("a", "1");
    let b = run("b", "2");
    assert_eq!(a, b);
    assert!(a.contains_key("sensitivity.csv"));
    // with two replications the noise level is defined
    let (head, rows) = read_csv(&tmp.path().join("a/sensitivity.csv"));
    let c = col(&head, "noise_mu_star");
    assert!(rows.iter().any(|r| !r[c].is_empty()));
}

#[test]
fn dry_run_sizes_the_design_without_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(tmp.path(), &["sensitivity", "baseline", "--params", PARAMS, "--trajectories", "5", "--dry-run"]);
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("4 parameters, 5 trajectories x 5 points = 25 points x 2 replication(s) = 50 runs"), "{s}");
    assert!(s.contains("work units: 50") && s.contains("estimated total"), "{s}");
    assert!(s.contains("csus.capacity_headroom, 0.55, 1.65, 1.1"), "{s}");
    assert!(!tmp.path().join("outputs").exists(), "a dry run writes nothing");
    // the default selection screens many parameters and says how many
    let o = ok(tmp.path(), &["sensitivity", "--dry-run"]);
    let s = String::from_utf8_lossy(&o.stdout);
    let k: usize = s.split("baseline: ").nth(1).and_then(|x| x.split(' ').next()).and_then(|x| x.parse().ok()).unwrap_or(0);
    assert!(k > 50, "{s}");
    assert!(!s.contains("policy.framework.slots_per_line,"), "switched off in the baseline");
}

#[test]
fn bad_input_exits_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["--params", "choice.temprature"], "choice.temprature"),
        (&["--params", "market.csu_reach"], "market.csu_reach"),
        (&["--params", "policy.framework.year"], "policy.framework.year"),
        (&["--params", PARAMS, "--levels", "1"], "--levels"),
        (&["--params", PARAMS, "--levels", "3"], "--levels"),
        (&["--exclude", "nothing.here"], "nothing.here"),
        (&["--params", PARAMS, "--shard", "1/2"], "shard"),
    ];
    for (args, named) in cases {
        let mut all = vec!["sensitivity", "baseline", "--trajectories", "2", "--replications", "1", "--quiet", "--no-plots"];
        all.extend_from_slice(args);
        let o = csm(tmp.path(), &all);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: the error should name {named}: {err}");
    }
    assert!(!tmp.path().join("outputs").exists(), "nothing written on bad input");
}

#[test]
fn an_interrupted_screening_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["sensitivity", "--params", "choice.temperature,choice.stay_bias", "--trajectories", "3", "--replications", "2", "--no-plots", "--quiet"];
    let whole = tmp.path().join("whole");
    let mut a = args.to_vec();
    a.extend(["--out", whole.to_str().unwrap()]);
    ok(tmp.path(), &a);
    let part = tmp.path().join("part");
    let mut a = args.to_vec();
    a.extend(["--out", part.to_str().unwrap(), "--crash-after", "4"]);
    let o = csm(tmp.path(), &a);
    assert_eq!(o.status.code(), Some(130), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!part.join("manifest.json").exists() && !part.join("sensitivity.csv").exists());
    let mut a = args.to_vec();
    a.extend(["--resume", part.to_str().unwrap()]);
    ok(tmp.path(), &a);
    let files = |d: &Path| -> BTreeMap<String, String> {
        manifest(d)["files"].as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap().to_string(), f["sha256"].as_str().unwrap().to_string())).collect()
    };
    assert_eq!(files(&whole), files(&part));
}
