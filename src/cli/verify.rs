//! `csmarket verify DIR`: recheck every file an output folder's manifest lists (data
//! files with their size and SHA-256, charts with their SHA-256) and report each one
//! that is missing or changed. Exit 0 when all match; 3 when any differs or the folder
//! has no manifest (it is incomplete); 2 when DIR is not a folder.

use super::{note, say, Failure, Outcome};
use crate::io::output::{ChartEntry, FileEntry, INCOMPLETE, MANIFEST};
use clap::Args;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// An output folder (of run, compare, sweep, merge, replay or a --shard part)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Print only problems (nothing when every file matches)
    #[arg(long, short)]
    pub quiet: bool,
}

/// SHA-256 (hex) and size of a file, read in pieces (output files can be large).
fn hash_stream(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((h.finalize().iter().map(|b| format!("{b:02x}")).collect(), n))
}

/// A listed name must be a relative path inside the folder.
fn inside(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// What is wrong with one listed file, if anything.
fn check(dir: &Path, name: &str, sha256: &str, bytes: Option<u64>) -> Option<String> {
    if !inside(name) {
        return Some(format!("{name}: listed with a path outside the folder"));
    }
    let p = dir.join(name);
    if !p.is_file() {
        return Some(format!("{name}: missing"));
    }
    match hash_stream(&p) {
        Err(e) => Some(format!("{name}: unreadable ({e})")),
        Ok((_, n)) if bytes.is_some_and(|b| b != n) => Some(format!("{name}: changed ({n} bytes, the manifest says {})", bytes.unwrap_or(0))),
        Ok((sha, _)) if sha != sha256 => Some(format!("{name}: changed (SHA-256 {sha}, the manifest says {sha256})")),
        Ok(_) => None,
    }
}

/// Files under `dir` (relative names), skipping nothing; for the note on unlisted files.
fn all_files(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        match e.file_type() {
            Ok(t) if t.is_dir() => all_files(&e.path(), &format!("{name}/"), out),
            Ok(_) => {
                out.insert(name);
            }
            Err(_) => {}
        }
    }
}

pub fn verify(a: VerifyArgs) -> Outcome {
    let dir = &a.dir;
    if !dir.exists() {
        return Err(Failure::usage(format!("{}: no such folder", dir.display())));
    }
    if !dir.is_dir() {
        return Err(Failure::usage(format!("{}: not a folder (give the output folder, not a file in it)", dir.display())));
    }
    let mpath = dir.join(MANIFEST);
    if !mpath.is_file() {
        let why = if dir.join(INCOMPLETE).exists() { format!("it holds {INCOMPLETE}: the run writing it did not finish") } else { "it is not a finished csmarket output folder".to_string() };
        return Err(Failure::integrity(format!("{}: incomplete: no {MANIFEST} ({why}); resume it with --resume or run again", dir.display())));
    }
    let text = std::fs::read_to_string(&mpath).map_err(|e| Failure::integrity(format!("{}: cannot read: {e}", mpath.display())))?;
    let m: Value = serde_json::from_str(&text).map_err(|e| Failure::integrity(format!("{}: not a valid manifest: {e}", mpath.display())))?;
    let list = |key: &str| m.get(key).cloned().unwrap_or(Value::Array(Vec::new()));
    let files: Vec<FileEntry> = serde_json::from_value(list("files")).map_err(|e| Failure::integrity(format!("{}: bad \"files\" list: {e}", mpath.display())))?;
    let charts: Vec<ChartEntry> = serde_json::from_value(list("charts")).map_err(|e| Failure::integrity(format!("{}: bad \"charts\" list: {e}", mpath.display())))?;
    if m.get("files").is_none() {
        return Err(Failure::integrity(format!("{}: not a csmarket manifest (no \"files\" list)", mpath.display())));
    }
    let mut problems = Vec::new();
    for f in &files {
        problems.extend(check(dir, &f.name, &f.sha256, Some(f.bytes)));
    }
    for c in &charts {
        problems.extend(check(dir, &c.name, &c.sha256, None));
    }
    let total = files.len() + charts.len();
    if !problems.is_empty() {
        for p in &problems {
            note(&format!("  {p}"));
        }
        return Err(Failure::integrity(format!(
            "{}: {} of {total} files listed in {MANIFEST} are missing or changed (listed above)",
            dir.display(),
            problems.len()
        )));
    }
    if !a.quiet {
        let mut present = BTreeSet::new();
        all_files(dir, "", &mut present);
        let listed: BTreeSet<&str> = files.iter().map(|f| f.name.as_str()).chain(charts.iter().map(|c| c.name.as_str())).chain([MANIFEST]).collect();
        let extra: Vec<&String> = present.iter().filter(|n| !listed.contains(n.as_str())).collect();
        if !extra.is_empty() {
            note(&format!(
                "note: {} file(s) not listed in the manifest (not checked): {}",
                extra.len(),
                extra.iter().take(10).map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ));
        }
        say(&format!(
            "{}: {} ({}, {})",
            dir.display(),
            if total == 1 { "the 1 file matches".to_string() } else { format!("all {total} files match") },
            super::count(files.len(), "data file", "data files"),
            super::count(charts.len(), "chart", "charts")
        ));
    }
    Ok(())
}
