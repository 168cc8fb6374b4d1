//! Charts: every chart type drawn from small synthetic output folders (written by the
//! helpers below, in the documented formats, so these tests do not depend on the
//! simulation), checked as decoded PNG, parsed SVG and CSV companions; the manifest's
//! `charts` array; the CLI's errors; and the font setup (no system font libraries).

use csmarket::io::output::sha256_hex;
use csmarket::plot::{plot_dir, PlotOptions};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const HEADLINE: [&str; 10] = [
    "quality_mean",
    "price_per_head_mean",
    "markup_mean",
    "spend_total",
    "suppliers_active_csu",
    "hhi",
    "share_in_house",
    "share_dissatisfied",
    "buyer_power_mean",
    "supplier_power_mean",
];
const SERIES: [&str; 8] =
    ["quality_mean", "price_per_head_mean", "markup_mean", "suppliers_active_csu", "hhi", "share_dissatisfied", "buyer_power_mean", "supplier_power_mean"];
const OKABE_ITO: [[u8; 3]; 8] =
    [[0xE6, 0x9F, 0x00], [0x56, 0xB4, 0xE9], [0x00, 0x9E, 0x73], [0xF0, 0xE4, 0x42], [0x00, 0x72, 0xB2], [0xD5, 0x5E, 0x00], [0xCC, 0x79, 0xA7], [0, 0, 0]];
const STEPS: u32 = 9;

fn small() -> PlotOptions {
    PlotOptions { width: 800, height: 500, scale: 1.0 }
}

// ---------------------------------------------------------------- fixtures

fn year(step: u32) -> String {
    format!("{}", 2013.0 + step as f64 * 0.25)
}

/// A synthetic metric value: scenario k, sweep point p, step t.
fn value(metric: &str, k: usize, p: usize, t: u32) -> Option<f64> {
    let t = t as f64;
    let d = k as f64 * 0.02 + p as f64 * 0.01;
    Some(match metric {
        "quality_mean" => 0.4 + 0.02 * t + d,
        // undefined at step 2 (no external contracts): a gap, never a zero
        "price_per_head_mean" if t == 2.0 => return None,
        "price_per_head_mean" => 2.0 - 0.05 * t - d,
        "markup_mean" => 0.08 + 0.005 * t + d,
        "spend_total" => 8.9e8 - 1e7 * t - 1e8 * d,
        "suppliers_active_csu" => 23.0 - t - 10.0 * d,
        "hhi" => 0.05 + 0.01 * t + d,
        "share_dissatisfied" => 0.7 - 0.05 * t + d,
        "buyer_power_mean" => 0.36 - 0.003 * t + d,
        "supplier_power_mean" => 0.63 - 0.002 * t - d,
        "share_csu" => 0.7 - 0.02 * t,
        "share_other" => 0.01 * t + d,
        "share_shared" => 0.01 * t,
        "share_in_house" => 0.3 - d,
        "quadrant_buyer_dominance" => 10.0 + t,
        "quadrant_interdependence" => 20.0 + 2.0 * t,
        "quadrant_independence" => 100.0 + 10.0 * t * (1.0 + d),
        "quadrant_supplier_dominance" => 1000.0 - 20.0 * t,
        _ => 0.5,
    })
}

fn metrics() -> Vec<&'static str> {
    let mut m: Vec<&str> = HEADLINE.to_vec();
    m.extend(["share_csu", "share_other", "share_shared", "quadrant_buyer_dominance", "quadrant_interdependence", "quadrant_independence", "quadrant_supplier_dominance"]);
    m
}

fn cell(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

/// summary.csv (and summary_by_line.csv) for the given groups (scenario, sweep point).
fn write_summaries(dir: &Path, groups: &[(usize, &str, Option<usize>)]) {
    let sweep = groups.iter().any(|g| g.2.is_some());
    let mut s = String::from(if sweep { "scenario,point," } else { "scenario," });
    s.push_str("step,year,metric,n,mean,sd,p05,p50,p95,ci_low,ci_high\n");
    let mut b = String::from(if sweep { "scenario,point," } else { "scenario," });
    b.push_str("step,year,service_line,metric,n,mean,sd,p05,p50,p95,ci_low,ci_high\n");
    for &(k, name, p) in groups {
        let pc = p.map(|p| format!("{p},")).unwrap_or_default();
        for t in 0..STEPS {
            for m in metrics() {
                let v = value(m, k, p.unwrap_or(0), t);
                let h = v.map(|v| v.abs() * 0.02 + 0.001);
                writeln!(s, "{name},{pc}{t},{},{m},3,{},{},{},{},{},{},{}", year(t), cell(v), cell(h), cell(v), cell(v), cell(v), cell(v.zip(h).map(|(v, h)| v - h)), cell(v.zip(h).map(|(v, h)| v + h))).unwrap();
            }
            for (l, line) in ["finance", "it", "medicines_management"].iter().enumerate() {
                for m in ["share_csu", "share_other", "share_shared", "share_in_house"] {
                    let v = value(m, k, p.unwrap_or(0), t).map(|v| if m == "share_csu" { v - 0.05 * l as f64 } else if m == "share_in_house" { v + 0.05 * l as f64 } else { v });
                    writeln!(b, "{name},{pc}{t},{},{line},{m},3,{},0,{},{},{},{},{}", year(t), cell(v), cell(v), cell(v), cell(v), cell(v), cell(v)).unwrap();
                }
            }
        }
    }
    fs::write(dir.join("summary.csv"), s).unwrap();
    fs::write(dir.join("summary_by_line.csv"), b).unwrap();
}

fn write_suppliers(dir: &Path, scenarios: &[&str]) {
    let mut s = String::from("scenario,replication,step,year,supplier,kind,status,merged_into,region,capability_mean,revenue_total,market_share_total,service_line,capability,market_share\n");
    let sups = [
        ("CSU01", "csu", "active", 0.7, 9.0e7, 0.3),
        ("CSU02", "csu", "active", 0.6, 5.0e7, 0.2),
        ("CSU03", "csu", "merged", 0.45, 0.0, 0.0),
        ("CSU04", "csu", "failed_checkpoint", 0.3, 0.0, 0.0),
        ("P01", "private", "active", 0.55, 3.0e7, 0.15),
        ("P02", "private", "exited", 0.35, 0.0, 0.0),
        ("C01", "charity", "active", 0.5, 5.0e6, 0.05),
        ("L01", "local_authority", "not_entered", 0.3, 0.0, 0.0),
        ("T01", "trust", "active", 0.52, 1.0e7, 0.08),
    ];
    for (k, sc) in scenarios.iter().enumerate() {
        for step in [0, STEPS - 1] {
            for (sup, kind, status, cap, rev, share) in sups {
                let status = if step == 0 { "active" } else { status };
                for line in ["finance", "it"] {
                    writeln!(s, "{sc},0,{step},{},{sup},{kind},{status},,0,{},{},{},{line},0.5,0.1", year(step), cap + 0.01 * k as f64, rev, share).unwrap();
                }
            }
        }
    }
    fs::write(dir.join("suppliers.csv"), s).unwrap();
}

fn write_runs(dir: &Path, scenarios: &[&str]) {
    let mut s = String::from("scenario,replication,seed,quality_mean\n");
    for sc in scenarios {
        for r in 0..3 {
            writeln!(s, "{sc},{r},{},0.5", 1000 + r).unwrap();
        }
    }
    fs::write(dir.join("runs.csv"), s).unwrap();
}

fn write_differences(dir: &Path, scenarios: &[&str]) {
    let mut s = String::from("scenario,baseline,step,year,metric,n,mean_diff,sd_diff,ci_low,ci_high\n");
    for (k, sc) in scenarios.iter().enumerate().skip(1) {
        for t in 0..STEPS {
            for m in metrics() {
                let d = value(m, k, 0, t).zip(value(m, 0, 0, t)).map(|(a, b)| a - b);
                let h = d.map(|d| d.abs() * 0.5 + 0.001);
                writeln!(s, "{sc},{},{t},{},{m},3,{},{},{},{}", scenarios[0], year(t), cell(d), cell(h), cell(d.zip(h).map(|(d, h)| d - h)), cell(d.zip(h).map(|(d, h)| d + h))).unwrap();
            }
        }
    }
    fs::write(dir.join("differences.csv"), s).unwrap();
}

/// A manifest listing the data files with their checksums, as `seal` writes it.
fn write_manifest(dir: &Path, kind: &str, scenarios: &[&str]) {
    let mut files: Vec<Value> = Vec::new();
    let mut names: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".csv")).collect();
    names.sort();
    for n in names {
        let bytes = fs::read(dir.join(&n)).unwrap();
        files.push(json!({"name": n, "bytes": bytes.len(), "sha256": sha256_hex(&bytes)}));
    }
    let m = json!({
        "tool": "csmarket", "version": "0.1.0", "git_commit": "test", "command": "csmarket test",
        "created": "2026-01-01T00:00:00Z", "kind": kind, "master_seed": 20130401, "replications": 3,
        "replication": null, "keep_replications": false, "independent": false, "shard": null, "threads": 2,
        "scenarios": scenarios.iter().map(|s| json!({"name": s, "source": "test", "description": format!("what {s} encodes"), "config": {"x": 1.5}})).collect::<Vec<_>>(),
        "files": files, "charts": [],
    });
    fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&m).unwrap() + "\n").unwrap();
}

fn run_folder(root: &Path) -> PathBuf {
    let dir = root.join("run");
    fs::create_dir_all(&dir).unwrap();
    write_summaries(&dir, &[(0, "baseline", None)]);
    write_suppliers(&dir, &["baseline"]);
    write_runs(&dir, &["baseline"]);
    write_manifest(&dir, "run", &["baseline"]);
    dir
}

const COMPARED: [&str; 4] = ["baseline", "framework", "platform", "externalised"];

fn compare_folder(root: &Path) -> PathBuf {
    let dir = root.join("compare");
    fs::create_dir_all(&dir).unwrap();
    let groups: Vec<(usize, &str, Option<usize>)> = COMPARED.iter().enumerate().map(|(k, s)| (k, *s, None)).collect();
    write_summaries(&dir, &groups);
    write_differences(&dir, &COMPARED);
    write_suppliers(&dir, &COMPARED);
    write_runs(&dir, &COMPARED);
    write_manifest(&dir, "compare", &COMPARED);
    dir
}

/// A sweep over one parameter (`values`) or a grid over two.
fn sweep_folder(root: &Path, name: &str, params: &[(&str, &[&str])]) -> PathBuf {
    let dir = root.join(name);
    fs::create_dir_all(&dir).unwrap();
    let mut points: Vec<Vec<&str>> = vec![vec![]];
    for (_, vals) in params {
        points = points.iter().flat_map(|p| vals.iter().map(move |v| [p.clone(), vec![*v]].concat())).collect();
    }
    let head: Vec<&str> = params.iter().map(|p| p.0).collect();
    let mut pts = format!("point,{}\n", head.join(","));
    let mut sw = format!("point,{},metric,n,mean,ci_low,ci_high\n", head.join(","));
    for (i, p) in points.iter().enumerate() {
        writeln!(pts, "{i},{}", p.join(",")).unwrap();
        for m in metrics() {
            let v = value(m, 0, i, STEPS - 1).map(|v| v + 0.003 * i as f64);
            writeln!(sw, "{i},{},{m},3,{},{},{}", p.join(","), cell(v), cell(v.map(|v| v - 0.01)), cell(v.map(|v| v + 0.01))).unwrap();
        }
    }
    fs::write(dir.join("points.csv"), pts).unwrap();
    fs::write(dir.join("sweep.csv"), sw).unwrap();
    let groups: Vec<(usize, &str, Option<usize>)> = (0..points.len()).map(|i| (0, "baseline", Some(i))).collect();
    write_summaries(&dir, &groups);
    write_manifest(&dir, "sweep", &vec!["baseline"; points.len()]);
    dir
}

// ---------------------------------------------------------------- checks

struct Png {
    w: u32,
    h: u32,
    rgb: Vec<u8>,
}

fn decode(path: &Path) -> Png {
    let dec = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let mut r = dec.read_info().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb, "{}", path.display());
    buf.truncate(info.buffer_size());
    Png { w: info.width, h: info.height, rgb: buf }
}

impl Png {
    fn px(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.w + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
    /// Distinct colours and saturated (non-grey) pixels below the header.
    fn body_stats(&self) -> (usize, usize) {
        let mut colours = HashSet::new();
        let mut saturated = 0;
        for y in self.h / 5..self.h * 19 / 20 {
            for x in self.w / 20..self.w * 19 / 20 {
                let p = self.px(x, y);
                colours.insert(p);
                let (mx, mn) = (*p.iter().max().unwrap(), *p.iter().min().unwrap());
                if mx - mn > 40 {
                    saturated += 1;
                }
            }
        }
        (colours.len(), saturated)
    }
    fn has_colour(&self, c: [u8; 3]) -> bool {
        self.rgb.chunks_exact(3).any(|p| p == c)
    }
}

/// All text in an SVG's <text> elements.
fn svg_texts(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Check one chart's three files; returns its PNG.
fn check_chart(dir: &Path, stem: &str, size: (u32, u32), texts: &[&str]) -> Png {
    let c = dir.join("charts");
    let png = decode(&c.join(format!("{stem}.png")));
    assert_eq!((png.w, png.h), size, "{stem}.png size");
    let (colours, saturated) = png.body_stats();
    assert!(colours > 8, "{stem}.png looks blank: {colours} colours");
    assert!(saturated > 500, "{stem}.png draws almost no data: {saturated} coloured pixels");
    let raw = fs::read_to_string(c.join(format!("{stem}.svg"))).unwrap();
    assert!(raw.contains("font-family=\"DejaVu Sans, sans-serif\"") && !raw.contains("font-family=\"sans-serif\""), "{stem}.svg names the font its layout was measured with");
    let svg = svg_texts(&c.join(format!("{stem}.svg")));
    assert!(svg.len() > 5, "{stem}.svg has too little text");
    // long lines are wrapped into several <text> elements
    let all = svg.join(" ");
    for t in texts {
        assert!(all.contains(t), "{stem}.svg lacks the text {t:?}; it has {svg:?}");
    }
    let csv = fs::read_to_string(c.join(format!("{stem}.csv"))).unwrap();
    assert!(csv.lines().count() > 1, "{stem}.csv is empty");
    assert!(!csv.contains("NaN") && !csv.contains("inf"), "{stem}.csv writes undefined values as text");
    png
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn stems(files: &[String]) -> Vec<String> {
    files.iter().filter_map(|f| f.strip_prefix("charts/")?.strip_suffix(".png").map(String::from)).collect()
}

// ---------------------------------------------------------------- tests

#[test]
fn a_run_folder_gets_every_run_chart_at_the_default_size() {
    let t = tmp();
    let dir = run_folder(t.path());
    let files = plot_dir(&dir, &PlotOptions::default()).unwrap();
    let mut want: Vec<String> = SERIES.iter().map(|s| s.to_string()).collect();
    want.extend(["provision_mix", "power_regimes", "supplier_landscape", "provision_mix_by_line"].map(String::from));
    let mut got = stems(&files);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    for f in &files {
        assert!(dir.join(f).is_file(), "{f} listed but missing");
    }
    assert!(files.contains(&"charts/index.md".to_string()));
    for s in SERIES {
        let unit = csmarket::model::metrics::METRICS.iter().find(|m| m.name == s).unwrap().unit;
        check_chart(&dir, s, (1600, 1000), &[&format!("{s} ({unit})"), "Year", "scenario baseline", "3 replications", "master seed 20130401"]);
    }
    check_chart(&dir, "provision_mix", (1600, 1000), &["How CCG service lines are provided", "share of CCG service lines (fraction)", "in house", "CSU"]);
    check_chart(&dir, "power_regimes", (1600, 1000), &["Cox power regimes", "external contracts (relationships)", "supplier dominance"]);
    check_chart(&dir, "provision_mix_by_line", (1600, 1000), &["How each service line is provided", "Medicines management", "IT", "share of CCGs (fraction)"]);
    let land = check_chart(&dir, "supplier_landscape", (1600, 1000), &["Supplier landscape", "capability_mean (quality 0-1)", "market_share_total", "single replication", "merged", "exited or failed checkpoint"]);
    assert!(land.has_colour(OKABE_ITO[4]), "CSUs are drawn in blue");
    // the landscape's CSV: one row per supplier drawn (never-entered ones left out)
    let csv = fs::read_to_string(dir.join("charts/supplier_landscape.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 8);
    assert!(!csv.contains("L01"));
    // index lists every chart with a caption
    let index = fs::read_to_string(dir.join("charts/index.md")).unwrap();
    for s in stems(&files) {
        assert!(index.contains(&format!("[{s}.png]({s}.png)")), "index.md lacks {s}");
    }
}

#[test]
fn undefined_values_are_gaps_not_zeros() {
    let t = tmp();
    let dir = run_folder(t.path());
    plot_dir(&dir, &small()).unwrap();
    let csv = fs::read_to_string(dir.join("charts/price_per_head_mean.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let steps: Vec<String> = rows.records().map(|r| r.unwrap()[1].to_string()).collect();
    assert_eq!(steps.len(), STEPS as usize - 1, "the undefined step is not drawn");
    assert!(!steps.contains(&"2".to_string()));
    // a hand-written folder: one replication (no CI), no manifest
    let hand = t.path().join("hand");
    fs::create_dir_all(&hand).unwrap();
    for f in ["summary.csv", "runs.csv"] {
        fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plot/no_manifest").join(f), hand.join(f)).unwrap();
    }
    let files = plot_dir(&hand, &small()).unwrap();
    assert!(!hand.join("manifest.json").exists(), "no manifest is created");
    assert!(files.contains(&"charts/price_per_head_mean.png".to_string()));
    let csv = fs::read_to_string(hand.join("charts/price_per_head_mean.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 4, "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.ends_with(",,")), "one replication: no interval drawn\n{csv}");
    let svg = svg_texts(&hand.join("charts/quality_mean.svg")).join(" ");
    assert!(svg.contains("1 replication"), "{svg}");
    assert!(svg.contains("seed 12345"), "seed from runs.csv without a manifest: {svg}");
}

#[test]
fn a_comparison_overlays_scenarios_in_fixed_colours_and_draws_the_forest_plot() {
    let t = tmp();
    let dir = compare_folder(t.path());
    let files = plot_dir(&dir, &small()).unwrap();
    let got = stems(&files);
    assert!(got.contains(&"forest".to_string()));
    for s in COMPARED {
        assert!(got.contains(&format!("provision_mix_by_line_{s}")), "one by-line figure per scenario: {got:?}");
    }
    let q = check_chart(&dir, "quality_mean", (800, 500), &["scenarios baseline, framework, platform and externalised", "common random numbers"]);
    for (k, _) in COMPARED.iter().enumerate() {
        assert!(q.has_colour(OKABE_ITO[k]), "scenario {k} is drawn in palette colour {k}");
    }
    let f = check_chart(&dir, "forest", (800, 500), &["Difference from baseline", "quality_mean (quality 0-1)", "spend_total (GBP/year)", "framework \u{2212} baseline", "no standardisation"]);
    for (k, _) in COMPARED.iter().enumerate().skip(1) {
        assert!(f.has_colour(OKABE_ITO[k]), "forest: scenario {k} keeps palette colour {k}");
    }
    // the forest CSV: each headline metric and compared scenario at the last step
    let csv = fs::read_to_string(dir.join("charts/forest.csv")).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), HEADLINE.len() * (COMPARED.len() - 1));
    assert!(rows.iter().all(|x| &x[4] == (STEPS - 1).to_string().as_str()));
    let panels = check_chart(&dir, "provision_mix", (800, 500), &["framework", "externalised"]);
    assert!(panels.w == 800);
    let index = fs::read_to_string(dir.join("charts/index.md")).unwrap();
    assert!(index.contains("own units"), "the forest caption says how units are handled");
    // each scenario's description is under every chart that draws it, and in the index
    for s in COMPARED {
        let line = format!("{s}: what {s} encodes");
        check_chart(&dir, "quality_mean", (800, 500), &[&line]);
        check_chart(&dir, "supplier_landscape", (800, 500), &[&line]);
        assert!(index.contains(&format!("| {s} | what {s} encodes |")), "index.md describes {s}");
        let own = svg_texts(&dir.join(format!("charts/provision_mix_by_line_{s}.svg"))).join(" ");
        assert!(own.contains(&line), "the by-line chart of {s} describes it");
        for other in COMPARED.iter().filter(|o| **o != s) {
            assert!(!own.contains(&format!("what {other} encodes")), "the by-line chart of {s} describes only {s}");
        }
    }
    // with more scenarios than fit under a chart, the chart points to the index
    let mut m: Value = serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let extra = json!({"name": "fifth", "source": "test", "description": "what fifth encodes", "config": {}});
    m["scenarios"].as_array_mut().unwrap().push(extra);
    fs::write(dir.join("manifest.json"), serde_json::to_string_pretty(&m).unwrap()).unwrap();
    plot_dir(&dir, &small()).unwrap();
    let q = svg_texts(&dir.join("charts/quality_mean.svg")).join(" ");
    assert!(q.contains("5 scenarios encodes is listed in index.md") && !q.contains("what baseline encodes"), "{q}");
    assert!(fs::read_to_string(dir.join("charts/index.md")).unwrap().contains("| fifth | what fifth encodes |"));
}

#[test]
fn sweeps_draw_a_band_over_one_parameter_and_a_heat_map_over_two() {
    let t = tmp();
    let one = sweep_folder(t.path(), "sweep1", &[("policy.framework.slots_per_line", &["4", "8", "12", "16"])]);
    let files = plot_dir(&one, &small()).unwrap();
    let got = stems(&files);
    for m in HEADLINE {
        assert!(got.contains(&format!("sweep_{m}")), "{m}: {got:?}");
    }
    check_chart(&one, "sweep_quality_mean", (800, 500), &["policy.framework.slots_per_line (providers)", "quality_mean (quality 0-1)", "sweep of 4 points"]);
    check_chart(&one, "quality_mean", (800, 500), &["point 3: slots_per_line=16"]);
    // a sweep never writes agent tables or by-line summaries: no note says they are missing
    let notes = csmarket::plot::render(&one, &small()).unwrap().notes;
    assert!(notes.iter().all(|n| !n.contains("suppliers.csv") && !n.contains("summary_by_line.csv")), "{notes:?}");
    let two = sweep_folder(t.path(), "sweep2", &[("policy.framework.slots_per_line", &["4", "8", "12"]), ("policy.platform.participation", &["0.2", "0.8"])]);
    let files = plot_dir(&two, &small()).unwrap();
    let got = stems(&files);
    assert!(got.contains(&"sweep_heatmap_hhi".to_string()), "{got:?}");
    assert!(!got.iter().any(|s| s.starts_with("sweep_hhi")), "a grid gets heat maps");
    check_chart(&two, "sweep_heatmap_hhi", (800, 500), &["policy.framework.slots_per_line (providers)", "policy.platform.participation (fraction)", "hhi"]);
    let csv = fs::read_to_string(two.join("charts/sweep_heatmap_hhi.csv")).unwrap();
    assert_eq!(csv.lines().next().unwrap(), "point,policy.framework.slots_per_line,policy.platform.participation,metric,n,mean");
    assert_eq!(csv.lines().count(), 1 + 6);
    // not a two-way grid (three parameters, or a sample): one panel per parameter
    let three = sweep_folder(
        t.path(),
        "sweep3",
        &[("policy.platform.participation", &["0.2", "0.8"]), ("policy.efficiency_requirement.rate", &["0", "0.04"]), ("policy.framework.slots_per_line", &["12", "16"])],
    );
    let got = stems(&plot_dir(&three, &small()).unwrap());
    assert!(got.contains(&"sweep_markup_mean".to_string()) && !got.iter().any(|s| s.starts_with("sweep_heatmap")), "{got:?}");
    check_chart(&three, "sweep_markup_mean", (800, 500), &["policy.platform.participation (fraction)", "policy.efficiency_requirement.rate (per year)", "whisker: 95% CI"]);
}

#[test]
fn a_parameter_held_fixed_is_stated_not_drawn_as_an_axis() {
    // `--set policy.framework.year=2015 --set policy.framework.slots_per_line=3,6,12`:
    // one parameter varies, so a joined line with a band, and the fixed year is stated
    let t = tmp();
    let dir = sweep_folder(t.path(), "fixed", &[("policy.framework.year", &["2015"]), ("policy.framework.slots_per_line", &["3", "6", "12"])]);
    let got = stems(&plot_dir(&dir, &small()).unwrap());
    assert!(got.contains(&"sweep_hhi".to_string()) && !got.iter().any(|s| s.starts_with("sweep_heatmap")), "{got:?}");
    check_chart(&dir, "sweep_hhi", (800, 500), &["policy.framework.slots_per_line (providers)", "fixed: policy.framework.year=2015", "with 95% CI"]);
    let svg = svg_texts(&dir.join("charts/sweep_hhi.svg")).join(" ");
    assert!(!svg.contains("policy.framework.year ("), "no axis for the fixed year: {svg}");
    check_chart(&dir, "quality_mean", (800, 500), &["point 2: slots_per_line=12", "fixed: policy.framework.year=2015"]);
    // a Latin hypercube's long values are rounded in legends and panel titles
    let lhs = sweep_folder(t.path(), "lhs", &[("policy.platform.participation", &["0.23456789012345678", "0.7123456789"])]);
    plot_dir(&lhs, &small()).unwrap();
    let svg = svg_texts(&lhs.join("charts/quality_mean.svg")).join(" ");
    assert!(svg.contains("participation=0.2346") && !svg.contains("0.23456789"), "{svg}");
}

#[test]
fn drawing_twice_gives_identical_files_and_scale_resizes() {
    let t = tmp();
    let dir = compare_folder(t.path());
    let first = plot_dir(&dir, &small()).unwrap();
    let read = |names: &[String]| names.iter().map(|n| (n.clone(), fs::read(dir.join(n)).unwrap())).collect::<Vec<_>>();
    let a = read(&first);
    let second = plot_dir(&dir, &small()).unwrap();
    assert_eq!(first, second);
    let b = read(&second);
    for ((n, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{n} differs between two drawings");
    }
    let half = PlotOptions { width: 1000, height: 600, scale: 0.8 };
    plot_dir(&dir, &half).unwrap();
    let p = decode(&dir.join("charts/forest.png"));
    assert_eq!((p.w, p.h), (800, 480));
    // the CSV companions do not depend on the size
    for (n, x) in a.iter().filter(|(n, _)| n.ends_with(".csv")) {
        assert!(&fs::read(dir.join(n)).unwrap() == x, "{n} depends on the size");
    }
}

#[test]
fn the_manifest_lists_the_charts_with_checksums_and_nothing_else_changes() {
    let t = tmp();
    let dir = run_folder(t.path());
    let before: Value = serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let files = plot_dir(&dir, &small()).unwrap();
    let after: Value = serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let charts = after["charts"].as_array().unwrap();
    assert_eq!(charts.len(), files.len());
    for (c, f) in charts.iter().zip(&files) {
        assert_eq!(c["name"].as_str().unwrap(), f);
        let bytes = fs::read(dir.join(f)).unwrap();
        assert_eq!(c["sha256"].as_str().unwrap(), sha256_hex(&bytes), "{f}");
    }
    let (mut b, mut a) = (before.clone(), after.clone());
    b.as_object_mut().unwrap().remove("charts");
    a.as_object_mut().unwrap().remove("charts");
    assert_eq!(a, b, "only `charts` changes");
    assert_eq!(after["files"], before["files"]);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&after), keys(&before), "field order kept");
    // charts the manifest listed that are no longer drawn are removed
    fs::remove_file(dir.join("suppliers.csv")).unwrap();
    let files2 = plot_dir(&dir, &small()).unwrap();
    assert!(!files2.iter().any(|f| f.contains("supplier_landscape")));
    assert!(!dir.join("charts/supplier_landscape.png").exists());
    let after2: Value = serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(after2["charts"].as_array().unwrap().len(), files2.len());
}

#[test]
fn a_failed_write_names_the_chart_and_leaves_no_temporary_file() {
    let t = tmp();
    let dir = run_folder(t.path());
    // a folder where a chart file should go: renaming onto it fails
    fs::create_dir_all(dir.join("charts/hhi.png/blocked")).unwrap();
    let err = plot_dir(&dir, &small()).unwrap_err();
    assert!(format!("{err:#}").contains("hhi.png"), "{err:#}");
    let leftovers: Vec<String> = fs::read_dir(dir.join("charts")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).filter(|n| n.ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

fn csmarket(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_csmarket")).args(args).output().unwrap()
}

#[test]
fn the_plot_command_draws_and_reports_bad_input_with_exit_2() {
    let t = tmp();
    let missing = t.path().join("nonexistent");
    let out = csmarket(&["plot", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(missing.to_str().unwrap()) && err.contains("no such folder"), "{err}");

    let empty = t.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    fs::write(empty.join("notes.txt"), "nothing here").unwrap();
    let out = csmarket(&["plot", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("looked for") && err.contains("summary.csv") && err.contains("sweep.csv"), "{err}");

    let out = csmarket(&["plot", empty.to_str().unwrap(), "--scale", "0"]);
    assert_eq!(out.status.code(), Some(2));

    let broken = t.path().join("broken");
    fs::create_dir_all(&broken).unwrap();
    fs::write(broken.join("summary.csv"), "scenario,step\nbaseline,0\n").unwrap();
    let out = csmarket(&["plot", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("summary.csv"));

    let dir = run_folder(t.path());
    let out = csmarket(&["plot", dir.to_str().unwrap(), "--width", "900", "--height", "600", "--quiet"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "--quiet prints nothing");
    let p = decode(&dir.join("charts/hhi.png"));
    assert_eq!((p.w, p.h), (900, 600));
    let out = csmarket(&["plot", dir.to_str().unwrap(), "--width", "800", "--height", "500"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("index.md"));
}

#[test]
fn no_system_font_library_is_in_the_dependency_tree() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let tree = |args: &[&str]| {
        let out = Command::new(env!("CARGO")).arg("tree").args(args).arg("--manifest-path").arg(&manifest).output().unwrap();
        assert!(out.status.success(), "cargo tree: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let all = tree(&["-e", "normal,build,dev", "--prefix", "none"]);
    assert!(all.contains("plotters v0.3"), "plotters is a dependency");
    for bad in ["font-kit", "fontconfig", "freetype", "servo-fontconfig", "yeslogic-fontconfig-sys"] {
        assert!(!all.contains(bad), "{bad} is in the dependency tree");
    }
    let features = tree(&["-e", "features", "-i", "plotters"]);
    assert!(features.contains("plotters feature \"ab_glyph\""), "{features}");
    assert!(!features.contains("plotters feature \"ttf\""), "plotters' ttf feature is on:\n{features}");
}
