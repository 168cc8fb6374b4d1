//! Memory harness: peak resident memory of `csmarket run`'s pipeline (run, checkpoint,
//! assemble, write) at 100 and at 10,000 replications of the baseline, each measured in
//! a fresh child process from its own /proc/self/status (VmHWM). The excess of the large
//! run over the small one must not exceed the metric values kept for the statistics
//! (8 bytes x metrics x steps x replications) by more than 10%.
//! Run with `cargo bench --bench memory` (Linux; takes a few minutes).

use csmarket::experiment::{JobKind, Plan};
use csmarket::io::output::OutputDir;
use csmarket::io::results::Assembler;
use csmarket::io::{scenario, units};
use csmarket::model::metrics::{N_LINE_METRICS, N_METRICS};
use std::process::Command;
use std::sync::atomic::AtomicBool;

fn peak_rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|x| x.parse().ok())
        .expect("VmHWM")
}

fn child(n: u64) {
    let sc = scenario::load("baseline").expect("baseline");
    let plan = Plan { kind: JobKind::Run, scenarios: vec![sc], base: None, params: vec![], points: vec![], master_seed: 20130401, replications: n, only_replication: None, keep_replications: false, independent: false };
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("out");
    let mut dir = OutputDir::create(&path, false).expect("folder");
    let store = path.join(units::STORE_DIR);
    let fp = plan.fingerprint();
    let all = plan.units();
    let stop = AtomicBool::new(false);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    plan.run_batches(&all, threads, 64, &stop, &|| {}, &mut |batch| units::write_batch(&store, &fp, &batch).map(|_| ())).expect("runs");
    let mut merged = units::Merged::new(vec![units::batch_files(&store).expect("store")], fp);
    let mut asm = Assembler::new(&mut dir, &plan, all.iter().map(|u| u.id).collect()).expect("assembler");
    while let Some(r) = merged.next_record().expect("record") {
        asm.add(r).expect("add");
    }
    asm.finish().expect("finish");
    println!("{}", peak_rss_kib());
}

fn measure(n: u64) -> u64 {
    let out = Command::new(std::env::current_exe().expect("exe")).args(["--child", &n.to_string()]).output().expect("child");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().parse().expect("kib")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--child") {
        child(args[k + 1].parse().expect("n"));
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return; // cargo bench --list
    }
    let sc = scenario::load("baseline").expect("baseline");
    let steps = sc.config.steps() as u64 + 1;
    let per_rep = 8 * steps * (N_METRICS as u64 + sc.config.service_lines.len() as u64 * N_LINE_METRICS as u64);
    let (small, large) = (100u64, 10_000u64);
    let a = measure(small);
    let b = measure(large);
    let kept = per_rep * (large - small) / 1024;
    let excess = b.saturating_sub(a);
    println!("peak RSS: {small} replications {a} KiB, {large} replications {b} KiB");
    println!("excess {excess} KiB; kept metric values for the extra replications {kept} KiB ({} bytes per replication); limit {} KiB", per_rep, kept * 11 / 10);
    println!("{}", if excess <= kept * 11 / 10 { "PASS: memory grows only by the kept metric values" } else { "FAIL: memory grows by more than the kept metric values plus 10%" });
}
