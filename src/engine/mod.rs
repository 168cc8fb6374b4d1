//! The engine: one replication, step by step. The engine knows the model and an
//! `Observer` through which metrics, events and agent snapshots leave the model; it
//! knows nothing of files.

use crate::config::Config;
use crate::model::{rng, Market};
use std::sync::Arc;

/// Receives what happens in a replication. Every method has a default that ignores it.
pub trait Observer {
    /// Whether the model should record events at all (they cost a little).
    fn wants_events(&self) -> bool {
        false
    }
    /// After initialisation (step 0) and after every step; `m.events` holds the
    /// events of that step and `m.metrics` its metric values.
    fn on_step(&mut self, _m: &Market) {}
    /// After the last step.
    fn on_end(&mut self, _m: &Market) {}
}

/// An observer that ignores everything.
pub struct Ignore;
impl Observer for Ignore {}

/// Run replication `replication` of a configuration under master seed `master_seed`.
/// Returns the final state.
pub fn run_replication(cfg: &Arc<Config>, master_seed: u64, replication: u64, obs: &mut impl Observer) -> Market {
    let seed = rng::replication_seed(master_seed, replication);
    let mut m = Market::new(cfg.clone(), seed);
    m.record_events = obs.wants_events();
    obs.on_step(&m);
    while m.step < cfg.steps() {
        m.step();
        obs.on_step(&m);
    }
    obs.on_end(&m);
    m
}

/// Collects the metric values of every step (national and by line): what an
/// experiment keeps of a replication.
#[derive(Debug, Clone, Default)]
pub struct MetricSeries {
    pub steps: usize,
    pub n_lines: usize,
    /// `step * N_METRICS + metric`.
    pub national: Vec<f64>,
    /// `(step * n_lines + line) * N_LINE_METRICS + metric`.
    pub by_line: Vec<f64>,
}

impl MetricSeries {
    pub fn new(cfg: &Config) -> Self {
        let steps = cfg.steps() as usize + 1;
        let n_lines = cfg.service_lines.len();
        MetricSeries {
            steps,
            n_lines,
            national: Vec::with_capacity(steps * crate::model::metrics::N_METRICS),
            by_line: Vec::with_capacity(steps * n_lines * crate::model::metrics::N_LINE_METRICS),
        }
    }
    pub fn get(&self, step: usize, metric: usize) -> f64 {
        self.national[step * crate::model::metrics::N_METRICS + metric]
    }
}

impl Observer for MetricSeries {
    fn on_step(&mut self, m: &Market) {
        self.national.extend_from_slice(&m.metrics.national);
        self.by_line.extend_from_slice(&m.metrics.by_line);
    }
}
