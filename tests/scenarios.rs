//! Every built-in scenario runs and differs from the baseline, in the expected
//! direction, in the metrics its argument is about (paired, common random numbers: the
//! 95% CI of the difference excludes zero).

use std::collections::HashMap;
use std::process::Command;

#[test]
fn each_scenario_moves_the_metrics_its_argument_is_about() {
    let t = tempfile::tempdir().unwrap();
    let scenarios = ["centre_competition", "ccg_partnership", "buyer_collective", "insourcing_wave", "service_line_market", "skin_in_the_game", "ccg_mergers"];
    let mut args = vec!["compare", "baseline"];
    args.extend(scenarios);
    args.extend(["--replications", "10", "--out", "c", "--quiet", "--no-plots"]);
    let o = Command::new(env!("CARGO_BIN_EXE_csmarket")).current_dir(t.path()).args(&args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(t.path().join("c/differences.csv")).unwrap();
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<HashMap<String, String>> = r.records().map(|x| head.iter().cloned().zip(x.unwrap().iter().map(String::from)).collect()).collect();
    // (scenario, metric, step, +1 expected up / -1 down): the step is the horizon (40, 2023)
    // unless the argument is about an earlier moment (the 2016 wave: step 12)
    let checks: [(&str, &str, &str, f64); 14] = [
        ("centre_competition", "suppliers_active_csu", "40", -1.0),
        ("centre_competition", "share_other", "40", 1.0),
        ("ccg_partnership", "quality_mean_csu", "40", 1.0),
        ("ccg_partnership", "relationship_mean", "40", 1.0),
        ("buyer_collective", "buyer_power_mean", "40", 1.0),
        ("buyer_collective", "markup_mean", "40", -1.0),
        ("insourcing_wave", "share_shared", "12", 1.0),
        ("insourcing_wave", "share_in_house", "12", 1.0),
        ("service_line_market", "suppliers_active_other", "40", 1.0),
        ("service_line_market", "supplier_power_mean", "40", -1.0),
        ("skin_in_the_game", "quality_mean", "40", 1.0),
        ("skin_in_the_game", "customer_focus_mean", "40", 1.0),
        ("ccg_mergers", "ccgs_active", "40", -1.0),
        ("ccg_mergers", "buyer_power_mean", "40", 1.0),
    ];
    for (sc, metric, step, sign) in checks {
        let row = rows.iter().find(|x| x["scenario"] == sc && x["metric"] == metric && x["step"] == step).unwrap_or_else(|| panic!("no row {sc} {metric}"));
        let (lo, hi): (f64, f64) = (row["ci_low"].parse().unwrap(), row["ci_high"].parse().unwrap());
        let ok = if sign > 0.0 { lo > 0.0 } else { hi < 0.0 };
        assert!(ok, "{sc}: {metric} at step {step} should move {}: CI [{lo}, {hi}]", if sign > 0.0 { "up" } else { "down" });
    }
}
