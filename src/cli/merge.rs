//! `csmarket merge` (shard parts into one result, byte for byte as one run) and
//! `csmarket replay` (re-run a manifest and check the files are the same).

use super::job::{assemble, execute, manifest_head, CommonArgs};
use super::{say, Failure, Outcome};
use crate::experiment::{Plan, Shard};
use crate::io::output::{hash_file, refusal, FileEntry, OutputDir, MANIFEST};
use crate::io::units::{self, STORE_DIR};
use clap::Args;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Part folders written with --shard (all parts of one job)
    #[arg(required = true, num_args = 1..)]
    pub parts: Vec<PathBuf>,
    /// Output folder for the merged result
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the output folder if it exists (only an empty folder or earlier csmarket output)
    #[arg(long)]
    pub force: bool,
    /// Do not draw charts at the end
    #[arg(long)]
    pub no_plots: bool,
    /// No notes about charts that could not be drawn
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct ReplayArgs {
    /// A manifest.json of a finished run, comparison, sweep or part
    pub manifest: PathBuf,
    /// Folder for the re-run (it must not exist unless --force)
    #[arg(long, required_unless_present = "resume", conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue an interrupted replay in DIR: finished units are checked and kept
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Replace the output folder if it exists (only an empty folder or earlier csmarket output)
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
    /// Do not draw charts at the end
    #[arg(long)]
    pub no_plots: bool,
    /// Testing aid: stop as if interrupted after K units have been checkpointed
    #[arg(long, hide = true, value_name = "K")]
    pub crash_after: Option<u64>,
}

/// Read a folder's manifest.
pub fn read_manifest(path: &Path) -> Result<Value, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Failure::integrity(format!("{}: no such manifest (a folder without manifest.json is incomplete)", path.display()))
        } else {
            Failure::runtime(format!("{}: cannot read: {e}", path.display()))
        }
    })?;
    serde_json::from_str(&text).map_err(|e| Failure::integrity(format!("{}: not a valid manifest: {e}", path.display())))
}

/// Check every listed file against its size and checksum; returns the mismatches.
pub fn check_files(dir: &Path, manifest: &Value) -> Result<Vec<String>, Failure> {
    let files: Vec<FileEntry> =
        serde_json::from_value(manifest.get("files").cloned().unwrap_or(Value::Null)).map_err(|e| Failure::integrity(format!("{}: bad file list: {e}", dir.display())))?;
    let mut bad = Vec::new();
    for f in files {
        let p = dir.join(&f.name);
        match hash_file(&p) {
            Ok((sha, bytes)) if sha == f.sha256 && bytes == f.bytes => {}
            Ok(_) => bad.push(format!("{} differs from its checksum", p.display())),
            Err(_) => bad.push(format!("{} is missing or unreadable", p.display())),
        }
    }
    Ok(bad)
}

pub fn merge(a: MergeArgs) -> Outcome {
    let mut plan: Option<(Plan, Value)> = None;
    let mut count: Option<u64> = None;
    let mut owner: BTreeMap<u64, PathBuf> = BTreeMap::new();
    let mut stores = Vec::new();
    for part in &a.parts {
        if !part.is_dir() {
            return Err(Failure::usage(format!("{}: no such part folder", part.display())));
        }
        let m = read_manifest(&part.join(MANIFEST))?;
        if m.get("part").is_none() {
            return Err(Failure::integrity(format!("{} is not a shard's part (it was not written with --shard)", part.display())));
        }
        let version = m["version"].as_str().unwrap_or("");
        if version != env!("CARGO_PKG_VERSION") {
            return Err(Failure::integrity(format!("{} was written by csmarket {version}, this is {}; merge with the version that wrote the parts", part.display(), env!("CARGO_PKG_VERSION"))));
        }
        let bad = check_files(part, &m)?;
        if !bad.is_empty() {
            return Err(Failure::integrity(format!("{}: {}", part.display(), bad.join("; "))));
        }
        let p = Plan::from_json(&m).map_err(|e| Failure::integrity(format!("{}: {e:#}", part.display())))?;
        let shard = m["shard"].as_str().and_then(|s| Shard::parse(s).ok()).ok_or_else(|| Failure::integrity(format!("{}: no shard in the manifest", part.display())))?;
        match &plan {
            None => plan = Some((p.clone(), p.to_json())),
            Some((_, first)) if *first != p.to_json() => {
                return Err(Failure::integrity(format!(
                    "{} belongs to a different job (its configuration, seed, replications or design differ from {})",
                    part.display(),
                    a.parts[0].display()
                )))
            }
            _ => {}
        }
        match count {
            None => count = Some(shard.count),
            Some(n) if n != shard.count => {
                return Err(Failure::integrity(format!("{} is shard {shard}, but {} was split into {n} shards", part.display(), a.parts[0].display())))
            }
            _ => {}
        }
        for id in m["part"]["unit_ids"].as_array().into_iter().flatten().filter_map(Value::as_u64) {
            if let Some(prev) = owner.insert(id, part.clone()) {
                return Err(Failure::integrity(format!("unit {id} is in both {} and {} (the same shard given twice?)", prev.display(), part.display())));
            }
        }
        stores.push(units::batch_files(&part.join(STORE_DIR))?);
    }
    let (plan, _) = plan.expect("at least one part");
    let missing: Vec<u64> = plan.units().iter().map(|u| u.id).filter(|id| !owner.contains_key(id)).collect();
    if !missing.is_empty() {
        let n = count.unwrap_or(1);
        let all = plan.units();
        let mut shards: Vec<u64> = all.iter().enumerate().filter(|(_, u)| missing.contains(&u.id)).map(|(pos, _)| pos as u64 % n + 1).collect();
        shards.dedup();
        shards.sort_unstable();
        shards.dedup();
        return Err(Failure::integrity(format!(
            "{} of {} units are missing: shard(s) {} of {n} not given",
            missing.len(),
            all.len(),
            shards.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
        )));
    }
    if let Some(why) = refusal(&a.out, a.force) {
        return Err(Failure::usage(why));
    }
    let mut dir = OutputDir::create(&a.out, a.force)?;
    let fp = plan.fingerprint();
    assemble(&mut dir, &plan, stores, fp)?;
    let mut head = manifest_head(&plan, 1, None, plan.units().len());
    head["merged_from"] = json!(a.parts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>());
    dir.seal(head)?;
    if !a.no_plots {
        super::draw_charts(&dir.path, a.quiet);
    }
    say(&format!("Merged {} part(s), {} units, into {}.", a.parts.len(), plan.units().len(), dir.path.display()));
    Ok(())
}

pub fn replay(a: ReplayArgs) -> Outcome {
    if !a.manifest.is_file() {
        return Err(Failure::usage(format!("{}: no such manifest file", a.manifest.display())));
    }
    let m = read_manifest(&a.manifest)?;
    let plan = Plan::from_json(&m).map_err(|e| Failure::usage(format!("{}: cannot rebuild the job: {e:#}", a.manifest.display())))?;
    let shard = m["shard"].as_str().and_then(|s| Shard::parse(s).ok());
    let common = CommonArgs {
        seed: plan.master_seed,
        replications: plan.replications,
        threads: a.threads,
        out: a.out.clone(),
        force: a.force,
        keep_replications: plan.keep_replications,
        shard,
        shard_from_env: None,
        dry_run: false,
        resume: a.resume.clone(),
        no_plots: true,
        quiet: a.quiet,
        crash_after: a.crash_after,
    };
    let done = execute(&plan, &common, "replay")?.expect("not a dry run");
    // a sensitivity screening: recompute its files from the re-run sweep
    if let (Some(spec), Some(base), Some(sums)) = (m.get("sensitivity"), &plan.base, &done.summaries) {
        let spec: super::sensitivity::Spec = serde_json::from_value(spec.clone()).map_err(|e| Failure::integrity(format!("{}: bad sensitivity settings: {e}", a.manifest.display())))?;
        super::sensitivity::finish(&spec, base, &plan, &done.path, sums)?;
    }
    let new = read_manifest(&done.path.join(MANIFEST))?;
    let listed = |v: &Value| -> BTreeMap<String, String> {
        v["files"].as_array().into_iter().flatten().filter_map(|f| Some((f["name"].as_str()?.to_string(), f["sha256"].as_str()?.to_string()))).collect()
    };
    let (old, now) = (listed(&m), listed(&new));
    let mut diffs = Vec::new();
    for (name, sha) in &old {
        match now.get(name) {
            Some(s) if s == sha => {}
            Some(_) => diffs.push(format!("{name} differs")),
            None => diffs.push(format!("{name} was not reproduced")),
        }
    }
    for name in now.keys().filter(|n| !old.contains_key(*n)) {
        diffs.push(format!("{name} is new"));
    }
    if !a.no_plots && done.summaries.is_some() {
        super::draw_charts(&done.path, a.quiet);
    }
    if diffs.is_empty() {
        say(&format!("Replayed {} into {}: {} identical (same SHA-256).", a.manifest.display(), done.path.display(), if old.len() == 1 { "the 1 data file is".to_string() } else { format!("all {} data files are", old.len()) }));
        Ok(())
    } else {
        Err(Failure::integrity(format!("replay of {} differs: {}", a.manifest.display(), diffs.join("; "))))
    }
}
