//! Speed benchmarks (criterion): one replication of the baseline on one thread, the
//! scaling of a replication in CCGs and steps, an ensemble of 1,000 replications on
//! one and two threads (work units run through the same batched pipeline as
//! `csmarket run`, without disk output), and each process of one step on its own.
//! Run with `cargo bench --bench model` (or a group: `cargo bench --bench model -- process`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use csmarket::config::{merge, registry, validate, Config};
use csmarket::engine::{run_replication, MetricSeries};
use csmarket::experiment::{JobKind, Plan};
use csmarket::io::scenario;
use csmarket::model::{rng, Market, PROCESSES};
use criterion::BatchSize;
use serde_json::{json, Value};
use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

fn config(over: Value) -> Arc<Config> {
    let mut v = registry::defaults();
    merge(&mut v, &over);
    Arc::new(validate(&v, "bench").expect("valid"))
}

fn one(cfg: &Arc<Config>, rep: u64) -> MetricSeries {
    let mut s = MetricSeries::new(cfg);
    run_replication(cfg, 20130401, rep, &mut s);
    s
}

fn replication(c: &mut Criterion) {
    let cfg = config(json!({}));
    let mut rep = 0;
    c.bench_function("replication/baseline_230ccgs_40steps", |b| {
        b.iter(|| {
            rep += 1;
            black_box(one(&cfg, rep))
        })
    });
}

fn scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("scaling");
    g.sample_size(30);
    for k in [1u64, 2, 4] {
        let n = 230 * k;
        // more CCGs of the same sizes (so the total population grows with them), same CSUs
        let cfg = config(json!({"ccgs": {"count": n, "population_total": 54.0e6 * k as f64}}));
        let mut rep = 0;
        g.bench_with_input(BenchmarkId::new("ccgs", n), &cfg, |b, cfg| {
            b.iter(|| {
                rep += 1;
                black_box(one(cfg, rep))
            })
        });
    }
    let cfg = config(json!({"time": {"years": 20}}));
    let mut rep = 0;
    g.bench_function("steps/80", |b| {
        b.iter(|| {
            rep += 1;
            black_box(one(&cfg, rep))
        })
    });
    g.finish();
}

fn ensemble(c: &mut Criterion) {
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10).measurement_time(Duration::from_secs(60)).warm_up_time(Duration::from_secs(3));
    let sc = scenario::load("baseline").expect("baseline");
    let plan = Plan {
        kind: JobKind::Run,
        scenarios: vec![sc], base: None,
        params: vec![],
        points: vec![],
        master_seed: 20130401,
        replications: 1000,
        only_replication: None,
        keep_replications: false,
        independent: false,
    };
    let units = plan.units();
    for threads in [1usize, 2] {
        g.bench_with_input(BenchmarkId::new("1000_replications_threads", threads), &threads, |b, &t| {
            b.iter(|| {
                let stop = AtomicBool::new(false);
                let mut kept = 0usize;
                plan.run_batches(&units, t, 64, &stop, &|| {}, &mut |batch| {
                    kept += batch.len();
                    Ok(())
                })
                .expect("runs");
                black_box(kept)
            })
        });
    }
    g.finish();
}

/// Each process of one step of the baseline, timed alone on the state it meets in a real
/// run: the market is run to the end of step 19 (the end of 2017, when external, in-house
/// and shared arrangements are mixed), then, untimed, a copy is made, step 20 (a round)
/// begins and the processes before the one measured run. Where one replication's time
/// goes, process by process (a replication has 40 steps, 10 of them rounds).
fn processes(c: &mut Criterion) {
    let cfg = config(json!({}));
    let mut base = Market::new(cfg.clone(), rng::replication_seed(20130401, 1));
    while base.step < 19 {
        base.step();
    }
    let mut next = base.clone();
    next.begin_step();
    assert!(next.is_round(), "step 20 is a round");
    let mut g = c.benchmark_group("process");
    g.sample_size(50);
    for k in 0..PROCESSES.len() {
        let (name, run) = PROCESSES[k];
        g.bench_function(format!("{}_{name}", k + 1), |b| {
            b.iter_batched(
                || {
                    let mut m = base.clone();
                    m.begin_step();
                    for (_, before) in &PROCESSES[..k] {
                        before(&mut m);
                    }
                    m
                },
                |mut m| {
                    run(&mut m);
                    m
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, replication, scaling, ensemble, processes);
criterion_main!(benches);
