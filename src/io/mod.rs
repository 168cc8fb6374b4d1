//! Input and output: scenario files, the records a replication leaves, CSV tables,
//! output folders with checksums and manifests.

pub mod output;
pub mod results;
pub mod records;
pub mod scenario;
pub mod tables;
pub mod units;
