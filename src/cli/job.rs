//! Running a plan into an output folder: whole, as one shard, or resumed; checkpointing
//! finished units; assembling the final files; sealing the folder with its manifest.

use super::progress::{stop_flag, Progress};
use super::{note, outputs_base, say, Failure, DEFAULT_SEED};
use crate::experiment::{Plan, RunError, ScenarioSummary, Shard};
use crate::io::output::{default_path, hash_file, refusal, OutputDir, INCOMPLETE, MANIFEST};
use crate::io::results::Assembler;
use crate::io::units::{self, Merged, STORE_DIR};
use clap::Args;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options shared by every command that runs replications.
#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Master seed; replication k of every scenario (or sweep point) uses the seed derived from (seed, k)
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Number of replications per scenario (or sweep point), run in parallel
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub replications: u64,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Output folder (default: a new folder under outputs/)
    #[arg(long, conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists (only an empty folder or earlier csmarket output)
    #[arg(long)]
    pub force: bool,
    /// Also write every replication's series, events and agent tables (not just replication 0's)
    #[arg(long)]
    pub keep_replications: bool,
    /// Run only shard I of N (1-based, e.g. 3/10) and write a part for `csmarket merge`
    #[arg(long, value_name = "I/N", value_parser = Shard::parse, conflicts_with = "shard_from_env")]
    pub shard: Option<Shard>,
    /// Run the shard given by the batch system: N shards, index from SLURM_ARRAY_TASK_ID (1-based, as given) or JOB_COMPLETION_INDEX (0-based, plus one)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub shard_from_env: Option<u64>,
    /// Print the number of work units and an estimated time per unit, then stop
    #[arg(long)]
    pub dry_run: bool,
    /// Continue an interrupted run in DIR: finished units are checked and kept, the rest run
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// Do not draw charts at the end
    #[arg(long)]
    pub no_plots: bool,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
    /// Testing aid: stop as if interrupted after K units have been checkpointed
    #[arg(long, hide = true, value_name = "K")]
    pub crash_after: Option<u64>,
}

impl CommonArgs {
    /// The shard to run, from --shard or the batch system's environment.
    pub fn shard(&self) -> Result<Option<Shard>, Failure> {
        if let Some(s) = self.shard {
            return Ok(Some(s));
        }
        let Some(n) = self.shard_from_env else { return Ok(None) };
        let (var, index) = if let Ok(v) = std::env::var("SLURM_ARRAY_TASK_ID") {
            let i: u64 = v.trim().parse().map_err(|_| Failure::usage(format!("--shard-from-env: SLURM_ARRAY_TASK_ID={v:?} is not a whole number")))?;
            ("SLURM_ARRAY_TASK_ID", i)
        } else if let Ok(v) = std::env::var("JOB_COMPLETION_INDEX") {
            let i: u64 = v.trim().parse().map_err(|_| Failure::usage(format!("--shard-from-env: JOB_COMPLETION_INDEX={v:?} is not a whole number")))?;
            ("JOB_COMPLETION_INDEX", i + 1)
        } else {
            return Err(Failure::usage("--shard-from-env: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"));
        };
        if index == 0 || index > n {
            return Err(Failure::usage(format!(
                "--shard-from-env {n}: {var} gives shard {index}, outside 1..{n} (with Slurm use --array=1-{n}; Kubernetes indexes from 0)"
            )));
        }
        Ok(Some(Shard { index, count: n }))
    }

    pub fn threads(&self) -> usize {
        self.threads.map(|t| t as usize).unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
    }
}

/// The manifest of a folder (everything but the file lists, which `seal` adds).
pub fn manifest_head(plan: &Plan, threads: usize, shard: Option<Shard>, units: usize) -> Value {
    let mut m = json!({
        "tool": "csmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": env!("CSMARKET_GIT_COMMIT"),
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "created": humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        "shard": shard.map(|s| s.to_string()),
        "threads": threads,
        "units": units,
    });
    if let (Value::Object(m), Value::Object(p)) = (&mut m, plan.to_json()) {
        m.extend(p);
    }
    m
}

/// What a finished job leaves.
pub struct Done {
    pub path: PathBuf,
    /// Summaries, when the folder holds final results (not a shard's part).
    pub summaries: Option<Vec<ScenarioSummary>>,
}

/// Units per checkpoint batch. It depends only on the number of units (never on the
/// threads), so a shard's part is the same bytes however many threads wrote it.
fn batch_size(units: usize) -> usize {
    units.div_ceil(200).clamp(64, 4096)
}

/// Units timed by `--dry-run` (spread over the shard, after one untimed warm-up run),
/// and the time after which it stops sampling.
const DRY_RUN_SAMPLE: usize = 5;
const DRY_RUN_BUDGET: Duration = Duration::from_secs(3);

/// Estimate the time of one unit: run one unit untimed (first-run costs: page faults,
/// cold caches), then time up to [`DRY_RUN_SAMPLE`] units spread over the shard's
/// units (points of a sweep may differ in cost) and report their mean.
fn dry_run(plan: &Plan, shard: Option<Shard>) {
    let all = plan.units();
    let mine = plan.shard_units(shard);
    let pool = if mine.is_empty() { &all } else { &mine };
    let k = pool.len().min(DRY_RUN_SAMPLE);
    let sample: Vec<_> = (0..k).map(|i| pool[i * pool.len() / k]).collect();
    let _ = plan.run_unit(sample[0]);
    let started = Instant::now();
    let mut timed = 0usize;
    for u in &sample {
        let _ = plan.run_unit(*u);
        timed += 1;
        if started.elapsed() > DRY_RUN_BUDGET {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64() / timed as f64;
    say(&format!("work units: {} ({} scenario(s) or point(s) x {} replication(s))", all.len(), plan.scenarios.len(), plan.replication_range().len()));
    if let Some(s) = shard {
        say(&format!("shard {s}: {} units", mine.len()));
    }
    say(&format!("estimated time per unit: {:.1} ms on one thread (mean of {timed} unit(s) run on this machine after one warm-up)", secs * 1e3));
    say(&format!("estimated total: {:.1} core-seconds for {} units", secs * mine.len() as f64, mine.len()));
}

/// Run a plan (or one shard of it) into a folder, or continue one.
pub fn execute(plan: &Plan, common: &CommonArgs, label: &str) -> Result<Option<Done>, Failure> {
    let shard = common.shard()?;
    if common.dry_run {
        dry_run(plan, shard);
        return Ok(None);
    }
    let fingerprint = plan.fingerprint();
    let units = plan.shard_units(shard);
    let threads = common.threads();
    // the folder: resumed, or new
    let (mut dir, done_ids) = match &common.resume {
        Some(path) => resume_folder(path, plan, shard, &fingerprint)?,
        None => {
            let label = match shard {
                Some(s) => format!("{label}_shard-{}-of-{}", s.index, s.count),
                None => label.to_string(),
            };
            let path = common.out.clone().unwrap_or_else(|| default_path(&outputs_base(), &label));
            if let Some(why) = refusal(&path, common.force) {
                let resumable = path.is_dir() && !path.join(MANIFEST).exists();
                return Err(Failure::usage(if resumable { format!("{why} (or --resume it)") } else { why }));
            }
            (OutputDir::create(&path, common.force)?, Vec::new())
        }
    };
    let store = dir.path.join(STORE_DIR);
    let todo: Vec<_> = units.iter().copied().filter(|u| done_ids.binary_search(&u.id).is_err()).collect();
    if !done_ids.is_empty() {
        note(&format!("resuming {}: {} of {} units already done and verified", dir.path.display(), done_ids.len(), units.len()));
    }
    let progress = Progress::new(todo.len() as u64, label, common.quiet);
    let stop = stop_flag();
    let mut written = 0u64;
    let crash_after = common.crash_after;
    let mut sink = |batch: Vec<crate::experiment::UnitResult>| -> anyhow::Result<()> {
        units::write_batch(&store, &fingerprint, &batch)?;
        written += batch.len() as u64;
        if crash_after.is_some_and(|k| written >= k) {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        Ok(())
    };
    let batch = if crash_after.is_some() { 1 } else { batch_size(units.len()) };
    // Units between already-done ones run as separate segments, so that no batch file
    // spans a done unit: the store's files, in name order, then hold ids in order.
    let mut result = Ok(());
    for segment in todo.chunk_by(|a, b| done_ids.partition_point(|&d| d < a.id) == done_ids.partition_point(|&d| d < b.id)) {
        result = plan.run_batches(segment, threads, batch, stop, &|| progress.tick(), &mut sink);
        if result.is_err() {
            break;
        }
    }
    progress.finish();
    match result {
        Ok(()) => {}
        Err(RunError::Failed(e)) => return Err(e.into()),
        Err(RunError::Interrupted { .. }) => {
            let kept = done_ids.len() as u64 + written;
            return Err(Failure::interrupted(format!(
                "interrupted: {kept} of {} units finished and kept in {}; the folder has no manifest (incomplete). Continue with: {}",
                units.len(),
                store.display(),
                resume_command(std::env::args().collect(), &dir.path)
            )));
        }
    }
    let head = manifest_head(plan, threads, shard, units.len());
    if shard.is_some() {
        // a part: the batch files are the result; merge assembles them
        let mut head = head;
        head["part"] = json!({"unit_ids": units.iter().map(|u| u.id).collect::<Vec<_>>()});
        list_store(&mut dir)?;
        dir.seal(head)?;
        return Ok(Some(Done { path: dir.path.clone(), summaries: None }));
    }
    let files = units::batch_files(&store)?;
    let summaries = assemble(&mut dir, plan, vec![files], fingerprint)?;
    std::fs::remove_dir_all(&store).map_err(|e| Failure::runtime(format!("removing {}: {e}", store.display())))?;
    dir.seal(head)?;
    Ok(Some(Done { path: dir.path.clone(), summaries: Some(summaries) }))
}

/// The command that continues an interrupted job: the one given, with `--out DIR` (or
/// an earlier `--resume`) replaced by `--resume DIR` and `--force` dropped, quoted for
/// a POSIX shell.
pub fn resume_command(args: Vec<String>, dir: &Path) -> String {
    let dir = dir.display().to_string();
    let mut out: Vec<String> = vec!["csmarket".into()];
    let mut it = args.into_iter().skip(1);
    let mut placed = false;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--force" => {}
            "--out" | "--resume" | "--crash-after" => {
                let _ = it.next();
                if a != "--crash-after" && !placed {
                    out.extend(["--resume".into(), dir.clone()]);
                    placed = true;
                }
            }
            _ if a.starts_with("--out=") || a.starts_with("--resume=") => {
                if !placed {
                    out.extend(["--resume".into(), dir.clone()]);
                    placed = true;
                }
            }
            _ if a.starts_with("--crash-after=") => {}
            _ => out.push(a),
        }
    }
    if !placed {
        out.extend(["--resume".into(), dir]);
    }
    shlex::try_join(out.iter().map(|s| s.as_str())).unwrap_or_else(|_| out.join(" "))
}

/// Assemble the final files from unit stores (each a list of batch files in id order).
pub fn assemble(dir: &mut OutputDir, plan: &Plan, stores: Vec<Vec<PathBuf>>, fingerprint: [u8; 32]) -> Result<Vec<ScenarioSummary>, Failure> {
    let expected: Vec<u64> = plan.units().iter().map(|u| u.id).collect();
    let mut merged = Merged::new(stores, fingerprint);
    let mut asm = Assembler::new(dir, plan, expected)?;
    while let Some(r) = merged.next_record().map_err(assembly_failure)? {
        asm.add(r).map_err(assembly_failure)?;
    }
    asm.finish().map_err(assembly_failure)
}

/// An I/O error while assembling (disk full, permission denied) is a runtime failure
/// (exit 1); anything else (a damaged, missing or misplaced unit) is an integrity failure.
fn assembly_failure(e: anyhow::Error) -> Failure {
    let io = |c: &(dyn std::error::Error + 'static)| c.is::<std::io::Error>() || c.downcast_ref::<csv::Error>().is_some_and(|e| e.is_io_error());
    if e.chain().any(io) {
        Failure::runtime(format!("{e:#}"))
    } else {
        Failure::integrity(format!("{e:#}"))
    }
}

/// Record a store's batch files in the folder's file list.
fn list_store(dir: &mut OutputDir) -> Result<(), Failure> {
    for f in units::batch_files(&dir.path.join(STORE_DIR))? {
        let (sha256, bytes) = hash_file(&f)?;
        let name = format!("{STORE_DIR}/{}", f.file_name().expect("file name").to_string_lossy());
        dir.files.push(crate::io::output::FileEntry { name, bytes, sha256 });
    }
    Ok(())
}

/// Reopen a partial folder: it must be for the same plan; valid batches are kept,
/// damaged ones removed. Returns the folder and the sorted ids already done.
fn resume_folder(path: &Path, plan: &Plan, shard: Option<Shard>, fingerprint: &[u8; 32]) -> Result<(OutputDir, Vec<u64>), Failure> {
    if !path.is_dir() {
        return Err(Failure::usage(format!("--resume {}: no such folder", path.display())));
    }
    if path.join(MANIFEST).exists() {
        return Err(Failure::usage(format!("--resume {}: the folder is complete (it has {MANIFEST}); nothing to resume", path.display())));
    }
    if !path.join(INCOMPLETE).is_file() {
        // not left by an interrupted run: never write into (or clean up) someone else's folder
        return Err(Failure::usage(format!("--resume {}: not a folder left by an interrupted csmarket run (it has no {INCOMPLETE}); nothing was changed", path.display())));
    }
    let store = path.join(STORE_DIR);
    let mine: std::collections::BTreeSet<u64> = plan.shard_units(shard).iter().map(|u| u.id).collect();
    let mut done = Vec::new();
    for f in units::batch_files(&store)? {
        match units::batch_fingerprint(&f) {
            // a batch that is whole (checksum) but of another plan; a damaged one is discarded below
            Ok(fp) if &fp != fingerprint && units::read_batch(&f, None).is_ok() => {
                return Err(Failure::usage(format!(
                    "--resume {}: it was started with a different configuration, seed, replication count or csmarket version ({} does not match); use the same command",
                    path.display(),
                    f.display()
                )))
            }
            _ => {}
        }
        match units::read_batch(&f, Some(fingerprint)) {
            Ok(recs) if recs.iter().all(|r| mine.contains(&r.unit.id)) => done.extend(recs.iter().map(|r| r.unit.id)),
            Ok(_) => return Err(Failure::usage(format!("--resume {}: {} holds units of another shard", path.display(), f.display()))),
            Err(e) => {
                note(&format!("resume: discarding {} ({e:#}); its units will run again", f.display()));
                let _ = std::fs::remove_file(&f);
            }
        }
    }
    // leftovers of an interrupted write
    if let Ok(rd) = std::fs::read_dir(&store) {
        for e in rd.flatten() {
            if e.path().extension().is_some_and(|x| x == "tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    for e in std::fs::read_dir(path).map_err(|e| Failure::runtime(format!("reading {}: {e}", path.display())))?.flatten() {
        // partly written final files are rewritten from the store
        if e.path().extension().is_some_and(|x| x == "tmp") {
            let _ = std::fs::remove_file(e.path());
        }
    }
    done.sort_unstable();
    let before = done.len();
    done.dedup();
    if done.len() != before {
        return Err(Failure::integrity(format!("--resume {}: a unit appears in two batch files", path.display())));
    }
    Ok((OutputDir::reopen(path)?, done))
}
