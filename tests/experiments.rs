//! Experiments end to end: identical bytes for any thread count, shard split, replay and
//! single replication; paired comparisons; sweeps; merge refusing bad parts.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn csm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csmarket")).current_dir(dir).args(args).output().expect("run csmarket")
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = csm(dir, args);
    assert!(o.status.success(), "csmarket {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// name -> sha256 of the data files listed in a folder's manifest.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let m: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m["files"].as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap().to_string(), f["sha256"].as_str().unwrap().to_string())).collect()
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let head = lines.next().unwrap().split(',').map(String::from).collect();
    (head, lines.map(|l| l.split(',').map(String::from).collect()).collect())
}

fn col(head: &[String], name: &str) -> usize {
    head.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"))
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let t = tempfile::tempdir().unwrap();
    let mut sets = Vec::new();
    for threads in ["1", "2", "4"] {
        let out = format!("t{threads}");
        ok(t.path(), &["run", "--quiet", "--no-plots", "--replications", "12", "--threads", threads, "--out", &out, "--keep-replications"]);
        sets.push(files(&t.path().join(&out)));
    }
    assert!(sets[0].contains_key("series.csv") && sets[0].contains_key("summary.csv"));
    assert_eq!(sets[0], sets[1]);
    assert_eq!(sets[0], sets[2]);
}

#[test]
fn three_shards_merge_into_the_bytes_of_one_run() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    std::fs::write(p.join("fw.json"), r#"{"name": "fw", "policy": {"framework": {"year": 2015, "slots_per_line": 8}}}"#).unwrap();
    let jobs: [&[&str]; 3] = [
        &["run", "--replications", "10"],
        &["compare", "baseline", "fw.json", "--replications", "7"],
        &["sweep", "--set", "contracts.notice_months=6,12", "--set", "choice.temperature=0.02,0.06", "--replications", "3"],
    ];
    for (k, job) in jobs.iter().enumerate() {
        let whole = format!("whole{k}");
        let mut args: Vec<&str> = job.to_vec();
        args.extend(["--quiet", "--no-plots", "--out", &whole]);
        ok(p, &args);
        let mut parts = Vec::new();
        for s in ["1/3", "2/3", "3/3"] {
            let out = format!("part{k}_{}", &s[..1]);
            let mut a: Vec<&str> = job.to_vec();
            a.extend(["--quiet", "--shard", s, "--out", &out]);
            ok(p, &a);
            parts.push(out);
        }
        let merged = format!("merged{k}");
        let mut m = vec!["merge", "--quiet", "--no-plots", "--out", &merged];
        // parts in any order
        m.extend([parts[2].as_str(), parts[0].as_str(), parts[1].as_str()]);
        let o = ok(p, &m);
        assert!(o.stderr.is_empty(), "merge --quiet says nothing on stderr: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(files(&p.join(&whole)), files(&p.join(&merged)), "job {job:?}");
    }
    assert!(files(&p.join("merged1")).contains_key("differences.csv"));
    assert!(files(&p.join("merged2")).contains_key("sweep.csv"));
}

#[test]
fn merge_refuses_missing_duplicated_and_mismatched_parts() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    for s in ["1/3", "2/3", "3/3"] {
        ok(p, &["run", "--quiet", "--replications", "6", "--shard", s, "--out", &format!("p{}", &s[..1])]);
    }
    ok(p, &["run", "--quiet", "--replications", "6", "--seed", "99", "--shard", "3/3", "--out", "other"]);
    let check = |args: &[&str], needles: &[&str]| {
        let o = csm(p, args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert_eq!(o.status.code(), Some(3), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err} should mention {n}");
        }
        assert!(!err.contains("panicked"));
    };
    check(&["merge", "p1", "p2", "--out", "m1"], &["missing", "shard(s) 3"]);
    check(&["merge", "p1", "p2", "p2", "p3", "--out", "m2"], &["both", "p2"]);
    check(&["merge", "p1", "p2", "other", "--out", "m3"], &["different job"]);
    // a part whose data changed is refused
    let batch = std::fs::read_dir(p.join("p3/units")).unwrap().next().unwrap().unwrap().path();
    let mut bytes = std::fs::read(&batch).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&batch, bytes).unwrap();
    check(&["merge", "p1", "p2", "p3", "--out", "m4"], &["differs from its checksum"]);
    for m in ["m1", "m2", "m3", "m4"] {
        assert!(!p.join(m).join("manifest.json").exists());
    }
}

#[test]
fn replay_reproduces_and_single_replication_matches_the_larger_run() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["run", "--quiet", "--no-plots", "--replications", "5", "--keep-replications", "--out", "big"]);
    let o = ok(p, &["replay", "big/manifest.json", "--out", "again", "--quiet", "--no-plots"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("identical"));
    assert_eq!(files(&p.join("big")), files(&p.join("again")));
    // replication 3 alone gives the rows of replication 3
    ok(p, &["run", "--quiet", "--no-plots", "--replication", "3", "--out", "one"]);
    for table in ["series.csv", "series_by_line.csv", "events.csv"] {
        let (h1, big) = read_csv(&p.join("big").join(table));
        let (_, one) = read_csv(&p.join("one").join(table));
        let r = col(&h1, "replication");
        let rows3: Vec<&Vec<String>> = big.iter().filter(|row| row[r] == "3").collect();
        assert_eq!(rows3.len(), one.len(), "{table}");
        assert!(rows3.iter().zip(&one).all(|(a, b)| *a == b), "{table}");
    }
}

#[test]
fn summary_statistics_match_a_direct_computation() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["run", "--quiet", "--no-plots", "--replications", "9", "--keep-replications", "--out", "r"]);
    let (hs, series) = read_csv(&p.join("r/series.csv"));
    let (hm, summary) = read_csv(&p.join("r/summary.csv"));
    for (metric, step) in [("quality_mean", "40"), ("supplier_power_mean", "20"), ("suppliers_active_csu", "40")] {
        let mut v: Vec<f64> = series.iter().filter(|r| r[col(&hs, "metric")] == metric && r[col(&hs, "step")] == step).map(|r| r[col(&hs, "value")].parse().unwrap()).collect();
        assert_eq!(v.len(), 9);
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        v.sort_by(|a, b| a.total_cmp(b));
        // numpy.percentile(v, 95) with linear interpolation: h = 8 * 0.95 = 7.6
        let p95 = v[7] + 0.6 * (v[8] - v[7]);
        let half = 2.306004135204166 * sd / n.sqrt(); // qt(0.975, 8)
        let row = summary.iter().find(|r| r[col(&hm, "metric")] == metric && r[col(&hm, "step")] == step).unwrap();
        let g = |c: &str| row[col(&hm, c)].parse::<f64>().unwrap();
        assert!((g("mean") - mean).abs() <= 1e-12 * mean.abs().max(1.0), "{metric} mean");
        assert!((g("sd") - sd).abs() <= 1e-9 * sd.max(1.0), "{metric} sd");
        assert!((g("p95") - p95).abs() <= 1e-12 * p95.abs().max(1.0), "{metric} p95");
        assert!((g("p50") - v[4]).abs() <= 1e-15, "{metric} median");
        assert!((g("ci_high") - (mean + half)).abs() <= 1e-9 * mean.abs().max(1.0), "{metric} ci");
    }
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["compare", "baseline", "baseline", "--replications", "5", "--quiet", "--no-plots", "--out", "c"]);
    let (h, rows) = read_csv(&p.join("c/differences.csv"));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[col(&h, "scenario")] == "baseline_2"));
    for c in ["mean_diff", "sd_diff", "ci_low", "ci_high"] {
        assert!(rows.iter().all(|r| r[col(&h, c)].is_empty() || r[col(&h, c)] == "0"), "{c}");
    }
    let (hc, comp) = read_csv(&p.join("c/comparison.csv"));
    assert!(comp.iter().filter(|r| r[0] == "baseline_2").all(|r| r[col(&hc, "significant_holm")] != "true"));
}

#[test]
fn common_random_numbers_narrow_the_confidence_interval() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    std::fs::write(p.join("tight.json"), r#"{"name": "short_notice", "contracts": {"notice_months": 6}}"#).unwrap();
    let width = |dir: &str| -> f64 {
        let (h, rows) = read_csv(&p.join(dir).join("differences.csv"));
        let row = rows.iter().find(|r| r[col(&h, "metric")] == "quality_mean" && r[col(&h, "step")] == "40").unwrap();
        row[col(&h, "ci_high")].parse::<f64>().unwrap() - row[col(&h, "ci_low")].parse::<f64>().unwrap()
    };
    ok(p, &["compare", "baseline", "tight.json", "--replications", "30", "--quiet", "--no-plots", "--out", "crn"]);
    ok(p, &["compare", "baseline", "tight.json", "--replications", "30", "--quiet", "--no-plots", "--out", "ind", "--independent"]);
    let (crn, ind) = (width("crn"), width("ind"));
    assert!(crn < 0.8 * ind, "CRN CI width {crn} vs independent {ind}");
}

#[test]
fn shard_from_env_reads_slurm_and_kubernetes_indices() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["run", "--quiet", "--replications", "6", "--shard", "2/3", "--out", "direct"]);
    let env_run = |var: &str, val: &str, out: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_csmarket"))
            .current_dir(p)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(var, val)
            .args(["run", "--quiet", "--replications", "6", "--shard-from-env", "3", "--out", out])
            .output()
            .unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stderr).to_string())
    };
    assert_eq!(env_run("SLURM_ARRAY_TASK_ID", "2", "slurm").0, Some(0));
    assert_eq!(env_run("JOB_COMPLETION_INDEX", "1", "k8s").0, Some(0));
    let units = |d: &str| files(&p.join(d)).into_iter().filter(|(n, _)| n.starts_with("units/")).collect::<Vec<_>>();
    assert_eq!(units("direct"), units("slurm"));
    assert_eq!(units("direct"), units("k8s"));
    let (code, err) = env_run("SLURM_ARRAY_TASK_ID", "4", "bad");
    assert_eq!(code, Some(2));
    assert!(err.contains("outside 1..3"), "{err}");
}

#[test]
fn dry_run_sizes_a_job_array() {
    let t = tempfile::tempdir().unwrap();
    let o = ok(t.path(), &["sweep", "--set", "contracts.notice_months=3,6,12", "--replications", "100", "--shard", "2/4", "--dry-run"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("work units: 300"), "{text}");
    assert!(text.contains("shard 2/4: 75 units"), "{text}");
    assert!(text.contains("estimated time per unit"), "{text}");
    assert!(!t.path().join("outputs").exists(), "a dry run writes nothing");
}

#[test]
fn sweeps_write_points_and_horizon_tables() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["sweep", "--set", "policy.efficiency_requirement.rate=0..0.08:0.04", "--replications", "4", "--quiet", "--no-plots", "--out", "g"]);
    let (h, pts) = read_csv(&p.join("g/points.csv"));
    assert_eq!(h, vec!["point", "policy.efficiency_requirement.rate"]);
    assert_eq!(pts.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(), vec!["0", "0.04", "0.08"]);
    let (hs, sw) = read_csv(&p.join("g/sweep.csv"));
    assert_eq!(hs, vec!["point", "policy.efficiency_requirement.rate", "metric", "n", "mean", "ci_low", "ci_high"]);
    let price = |pt: &str| -> f64 { sw.iter().find(|r| r[0] == pt && r[2] == "price_per_head_mean").unwrap()[4].parse().unwrap() };
    assert!(price("2") < price("0"), "a stiffer efficiency requirement lowers prices");
    let (hsum, _) = read_csv(&p.join("g/summary.csv"));
    assert_eq!(&hsum[..3], &["scenario", "point", "step"]);
    // Latin hypercube: seeded, so the same points again
    let lhs = |out: &str| {
        ok(p, &["sweep", "--design", "lhs", "--samples", "4", "--range", "choice.temperature=0.02..0.1", "--range", "ccgs.network_degree=2..10", "--replications", "2", "--quiet", "--no-plots", "--out", out]);
        std::fs::read_to_string(p.join(out).join("points.csv")).unwrap()
    };
    assert_eq!(lhs("l1"), lhs("l2"));
    let bad = csm(p, &["sweep", "--set", "policy.framework.slots_per_line=0,5", "--quiet"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("policy.framework.slots_per_line"));
    let bad = csm(p, &["sweep", "--set", "contracts.notise_months=6"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("notise_months"));
}

