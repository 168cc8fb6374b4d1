//! The unit store: finished work units kept on disk in batch files, so that a run can
//! be resumed, a shard's part can be merged, and final tables can be assembled by
//! streaming. A batch file is self-validating: a magic number, the plan's fingerprint,
//! the records, and a SHA-256 of all of it at the end. It is written under a temporary
//! name and renamed when complete, so it is either whole or absent.
//!
//! Record layout (little-endian): id, scenario, replication, seed, steps, lines (u64
//! each); the national metric values (u64 count, then f64s); the per-line values
//! (likewise); five row blocks (u64 length, then bytes) for series, series by line,
//! events, CCGs and suppliers.

use crate::engine::MetricSeries;
use crate::experiment::{Unit, UnitResult};
use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"CSMU0001";
/// Folder of batch files inside an output folder.
pub const STORE_DIR: &str = "units";

fn put(buf: &mut Vec<u8>, x: u64) {
    buf.extend_from_slice(&x.to_le_bytes());
}

fn encode(r: &UnitResult, buf: &mut Vec<u8>) {
    put(buf, r.unit.id);
    put(buf, r.unit.scenario as u64);
    put(buf, r.unit.replication);
    put(buf, r.seed);
    put(buf, r.series.steps as u64);
    put(buf, r.series.n_lines as u64);
    for v in [&r.series.national, &r.series.by_line] {
        put(buf, v.len() as u64);
        for x in v.iter() {
            buf.extend_from_slice(&x.to_bits().to_le_bytes());
        }
    }
    for b in &r.blocks {
        put(buf, b.len() as u64);
        buf.extend_from_slice(b);
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn u64(&mut self) -> Result<u64> {
        let s = self.b.get(self.at..self.at + 8).context("truncated record")?;
        self.at += 8;
        Ok(u64::from_le_bytes(s.try_into().expect("8 bytes")))
    }
    fn bytes(&mut self, n: usize) -> Result<&[u8]> {
        let s = self.b.get(self.at..self.at + n).context("truncated record")?;
        self.at += n;
        Ok(s)
    }
    fn floats(&mut self) -> Result<Vec<f64>> {
        let n = self.u64()? as usize;
        let raw = self.bytes(n.checked_mul(8).context("bad length")?)?;
        Ok(raw.chunks_exact(8).map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().expect("8 bytes")))).collect())
    }
}

fn decode(c: &mut Cursor) -> Result<UnitResult> {
    let id = c.u64()?;
    let scenario = c.u64()? as usize;
    let replication = c.u64()?;
    let seed = c.u64()?;
    let steps = c.u64()? as usize;
    let n_lines = c.u64()? as usize;
    let national = c.floats()?;
    let by_line = c.floats()?;
    let mut blocks: [Vec<u8>; 5] = Default::default();
    for b in blocks.iter_mut() {
        let n = c.u64()? as usize;
        *b = c.bytes(n)?.to_vec();
    }
    Ok(UnitResult { unit: Unit { id, scenario, replication }, seed, series: MetricSeries { steps, n_lines, national, by_line }, blocks })
}

/// Write a batch of results (ids ascending) as one batch file in `store`; returns its path.
pub fn write_batch(store: &Path, fingerprint: &[u8; 32], batch: &[UnitResult]) -> Result<PathBuf> {
    fs::create_dir_all(store).with_context(|| format!("creating {}", store.display()))?;
    let first = batch.first().map(|r| r.unit.id).unwrap_or(0);
    let name = store.join(format!("batch-{first:012}.bin"));
    let mut buf = Vec::with_capacity(batch.len() * 64 * 1024);
    buf.extend_from_slice(MAGIC);
    buf.extend_from_slice(fingerprint);
    put(&mut buf, batch.len() as u64);
    for r in batch {
        encode(r, &mut buf);
    }
    let sum = Sha256::digest(&buf);
    buf.extend_from_slice(&sum);
    let tmp = name.with_extension("bin.tmp");
    let mut f = fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    f.write_all(&buf).and_then(|_| f.sync_all()).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, &name).with_context(|| format!("writing {}", name.display()))?;
    Ok(name)
}

/// Read and check a batch file: magic, checksum, and (if given) the plan fingerprint.
pub fn read_batch(path: &Path, fingerprint: Option<&[u8; 32]>) -> Result<Vec<UnitResult>> {
    let mut raw = Vec::new();
    fs::File::open(path).and_then(|mut f| f.read_to_end(&mut raw)).with_context(|| format!("reading {}", path.display()))?;
    if raw.len() < 8 + 32 + 8 + 32 || &raw[..8] != MAGIC {
        bail!("{} is not a csmarket unit batch", path.display());
    }
    let (body, sum) = raw.split_at(raw.len() - 32);
    if Sha256::digest(body).as_slice() != sum {
        bail!("{} is damaged (checksum mismatch)", path.display());
    }
    if let Some(fp) = fingerprint {
        if &body[8..40] != fp {
            bail!("{} belongs to a different plan (configuration, seed or replications differ)", path.display());
        }
    }
    let mut c = Cursor { b: body, at: 40 };
    let n = c.u64()? as usize;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(decode(&mut c).with_context(|| format!("reading {}", path.display()))?);
    }
    Ok(out)
}

/// The plan fingerprint stored in a batch file.
pub fn batch_fingerprint(path: &Path) -> Result<[u8; 32]> {
    let mut head = [0u8; 40];
    fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).with_context(|| format!("reading {}", path.display()))?;
    if &head[..8] != MAGIC {
        bail!("{} is not a csmarket unit batch", path.display());
    }
    Ok(head[8..40].try_into().expect("32 bytes"))
}

/// The batch files of a store, in order of their first unit id.
pub fn batch_files(store: &Path) -> Result<Vec<PathBuf>> {
    if !store.is_dir() {
        return Ok(Vec::new());
    }
    let mut v: Vec<PathBuf> = fs::read_dir(store)
        .with_context(|| format!("reading {}", store.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "bin") && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("batch-")))
        .collect();
    v.sort();
    Ok(v)
}

/// Streams the records of several stores in ascending unit id (a k-way merge over
/// stores, each read one batch file at a time).
pub struct Merged {
    sources: Vec<Source>,
    fingerprint: [u8; 32],
}

struct Source {
    files: std::vec::IntoIter<PathBuf>,
    current: std::collections::VecDeque<UnitResult>,
}

impl Source {
    fn peek_id(&mut self, fp: &[u8; 32]) -> Result<Option<u64>> {
        while self.current.is_empty() {
            match self.files.next() {
                Some(f) => self.current = read_batch(&f, Some(fp))?.into(),
                None => return Ok(None),
            }
        }
        Ok(self.current.front().map(|r| r.unit.id))
    }
}

impl Merged {
    /// Each entry of `stores` is a list of batch files in ascending id order.
    pub fn new(stores: Vec<Vec<PathBuf>>, fingerprint: [u8; 32]) -> Self {
        Merged { sources: stores.into_iter().map(|f| Source { files: f.into_iter(), current: Default::default() }).collect(), fingerprint }
    }

    /// The next record in id order, or None at the end.
    pub fn next_record(&mut self) -> Result<Option<UnitResult>> {
        let mut best: Option<(usize, u64)> = None;
        for (k, s) in self.sources.iter_mut().enumerate() {
            if let Some(id) = s.peek_id(&self.fingerprint)? {
                if best.is_none_or(|(_, b)| id < b) {
                    best = Some((k, id));
                }
            }
        }
        Ok(best.map(|(k, _)| self.sources[k].current.pop_front().expect("peeked")))
    }
}
