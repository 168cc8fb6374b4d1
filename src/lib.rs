//! csmarket: an agent-based simulation of buyer and supplier power in the English NHS
//! commissioning support market (CCGs buying from CSUs and other providers, 2013 onwards).
//!
//! Layers, each knowing only the ones below it:
//! - [`config`]: the parameter registry and the typed configuration;
//! - [`model`]: the market's state and the rules that move it (no I/O);
//! - [`engine`]: one replication, step by step, with an observer for metrics and events;
//! - [`experiment`]: replications, comparisons, sweeps, shards and their statistics;
//! - [`io`]: scenario files, CSV/JSON writers, output folders and manifests;
//! - [`plot`]: charts drawn from written outputs;
//! - [`cli`]: the `csmarket` command line.

pub mod cli;
pub mod config;
pub mod engine;
pub mod experiment;
pub mod io;
pub mod model;
pub mod plot;
