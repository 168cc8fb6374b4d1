//! Never half-written, and resumable: runs interrupted at many points (the hidden
//! `--crash-after K`, a real SIGKILL, SIGINT and SIGTERM, a full disk) leave no folder
//! that looks complete, and `--resume` then gives the data files of an uninterrupted run
//! byte for byte. `csmarket verify` notices any changed byte. Resume refuses folders of
//! another job and complete folders.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csmarket"));
    c.env("RUST_BACKTRACE", "1");
    c
}

fn csm(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("run csmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = csm(dir, args);
    assert!(o.status.success(), "csmarket {args:?} failed: {}", text(&o.stderr));
    o
}

/// The command an interrupted job's message says continues it, without `csmarket`.
fn suggested_resume(stderr: &str) -> Vec<String> {
    let line = stderr.lines().find(|l| l.contains("Continue with: ")).unwrap_or_else(|| panic!("no resume command in: {stderr}"));
    let cmd = line.split("Continue with: ").nth(1).unwrap();
    let words = shlex::split(cmd).expect("a shell command");
    assert_eq!(words[0], "csmarket", "{cmd}");
    words[1..].to_vec()
}

fn args_with<'a>(job: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = job.to_vec();
    v.extend_from_slice(extra);
    v
}

/// name -> sha256 of the data files listed in a folder's manifest.
fn files(dir: &Path) -> BTreeMap<String, String> {
    let m: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    m["files"].as_array().unwrap().iter().map(|f| (f["name"].as_str().unwrap().to_string(), f["sha256"].as_str().unwrap().to_string())).collect()
}

/// The folder is visibly partial: no manifest, the marker present.
fn assert_incomplete(dir: &Path, what: &str) {
    assert!(dir.is_dir(), "{what}: {} was not created", dir.display());
    assert!(!dir.join("manifest.json").exists(), "{what}: {} looks complete (it has manifest.json)", dir.display());
    assert!(dir.join("_INCOMPLETE").is_file(), "{what}: {} has no _INCOMPLETE marker", dir.display());
}

/// A complete folder whose every listed file matches, checked by `csmarket verify`.
fn assert_verified(dir: &Path) {
    let o = bin().arg("verify").arg(dir).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "verify {}: {}", dir.display(), text(&o.stderr));
    assert!(text(&o.stdout).contains("files match"), "{}", text(&o.stdout));
    assert!(!dir.join("_INCOMPLETE").exists());
}

fn assert_clean_failure(o: &Output, code: i32, needles: &[&str], what: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{what}: stderr: {err}");
    assert!(!err.contains("panicked"), "{what}: panic: {err}");
    for n in needles {
        assert!(err.contains(n), "{what}: stderr should mention {n:?}: {err}");
    }
}

/// Interrupt `job` after k = 1.. units for each k in `ks`, check the folder is visibly
/// partial, resume it, and compare with the uninterrupted run.
fn interrupt_and_resume(dir: &Path, job: &[&str], units: u64, ks: &[u64], tag: &str) {
    let whole = format!("{tag}_whole");
    ok(dir, &args_with(job, &["--quiet", "--no-plots", "--out", &whole]));
    let want = files(&dir.join(&whole));
    assert_verified(&dir.join(&whole));
    for &k in ks {
        let out = format!("{tag}_k{k}");
        let ks = k.to_string();
        let o = csm(dir, &args_with(job, &["--quiet", "--no-plots", "--out", &out, "--crash-after", &ks]));
        let what = format!("{job:?} --crash-after {k}");
        if k >= units {
            // every unit finished before the stop was noticed: the run completes
            assert!(o.status.success(), "{what}: {}", text(&o.stderr));
            assert_eq!(files(&dir.join(&out)), want, "{what}");
            continue;
        }
        assert_clean_failure(&o, 130, &["interrupted", &format!("{k} of {units} units finished and kept"), "--resume"], &what);
        assert_incomplete(&dir.join(&out), &what);
        let v = bin().current_dir(dir).args(["verify", &out]).output().unwrap();
        assert_eq!(v.status.code(), Some(3), "{what}: verify of a partial folder: {}", text(&v.stderr));
        assert!(text(&v.stderr).contains("incomplete"), "{}", text(&v.stderr));
        // the command the message suggests: the same job with --resume in place of --out
        let cmd = suggested_resume(&text(&o.stderr));
        assert!(!cmd.iter().any(|w| w == "--out" || w == "--crash-after"), "{what}: {cmd:?}");
        let r = ok(dir, &cmd.iter().map(|w| w.as_str()).collect::<Vec<_>>());
        assert!(text(&r.stderr).contains(&format!("{k} of {units} units already done and verified")), "{what}: {}", text(&r.stderr));
        assert_eq!(files(&dir.join(&out)), want, "{what}: resumed files differ from an uninterrupted run");
        assert!(!dir.join(&out).join("units").exists(), "{what}: the unit store is removed at the end");
        assert_verified(&dir.join(&out));
    }
}

#[test]
fn a_run_interrupted_after_any_number_of_units_resumes_to_the_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let ks: Vec<u64> = (1..=12).collect();
    interrupt_and_resume(t.path(), &["run", "--replications", "12", "--keep-replications"], 12, &ks, "run");
}

#[test]
fn compares_and_sweeps_interrupted_part_way_resume_to_the_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    std::fs::write(p.join("fw.json"), r#"{"name": "fw", "policy": {"framework": {"year": 2015, "slots_per_line": 8}}}"#).unwrap();
    interrupt_and_resume(p, &["compare", "baseline", "fw.json", "--replications", "5"], 10, &[1, 4, 5, 9], "cmp");
    interrupt_and_resume(p, &["sweep", "--set", "contracts.notice_months=6,12", "--replications", "4"], 8, &[2, 7], "sw");
    // a shard's part, interrupted and resumed, merges into the bytes of one run (its
    // batch files differ: --crash-after checkpoints every unit on its own)
    let job = ["run", "--replications", "9", "--quiet", "--no-plots"];
    ok(p, &args_with(&job, &["--out", "one"]));
    ok(p, &args_with(&job, &["--shard", "1/3", "--out", "p1"]));
    ok(p, &args_with(&job, &["--shard", "3/3", "--out", "p3"]));
    let o = csm(p, &args_with(&job, &["--shard", "2/3", "--out", "p2", "--crash-after", "2"]));
    assert_clean_failure(&o, 130, &["2 of 3 units finished and kept"], "part");
    assert_incomplete(&p.join("p2"), "part");
    let m = csm(p, &["merge", "--no-plots", "--out", "merged", "p1", "p2", "p3"]);
    assert_clean_failure(&m, 3, &["p2", "incomplete"], "merge of an incomplete part");
    assert!(!p.join("merged").exists());
    ok(p, &args_with(&job, &["--shard", "2/3", "--resume", "p2"]));
    assert_verified(&p.join("p2"));
    ok(p, &["merge", "--no-plots", "--out", "merged", "p1", "p2", "p3"]);
    assert_eq!(files(&p.join("merged")), files(&p.join("one")));
}

#[test]
fn a_resume_interrupted_again_and_damaged_batches_still_give_the_same_bytes() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    let job = ["run", "--replications", "12", "--quiet", "--no-plots"];
    ok(p, &args_with(&job, &["--out", "whole"]));
    let want = files(&p.join("whole"));
    // interrupted, resumed, interrupted again, resumed
    assert_eq!(csm(p, &args_with(&job, &["--out", "twice", "--crash-after", "3"])).status.code(), Some(130));
    let o = csm(p, &args_with(&job, &["--resume", "twice", "--crash-after", "4"]));
    assert_clean_failure(&o, 130, &["7 of 12 units finished and kept"], "second interruption");
    assert_incomplete(&p.join("twice"), "second interruption");
    ok(p, &args_with(&job, &["--resume", "twice"]));
    assert_eq!(files(&p.join("twice")), want);
    // damaged batches (a flipped byte in the records, one in the header, a truncated
    // file) and leftovers of an interrupted write: the damaged units run again
    assert_eq!(csm(p, &args_with(&job, &["--out", "dmg", "--crash-after", "6"])).status.code(), Some(130));
    let store = p.join("dmg/units");
    let mut batches: Vec<PathBuf> = std::fs::read_dir(&store).unwrap().map(|e| e.unwrap().path()).collect();
    batches.sort();
    assert_eq!(batches.len(), 6);
    let flip = |f: &Path, at: usize| {
        let mut b = std::fs::read(f).unwrap();
        b[at] ^= 0x01;
        std::fs::write(f, b).unwrap();
    };
    flip(&batches[1], 500);
    flip(&batches[2], 20); // inside the plan fingerprint: damage, not another plan
    let len = std::fs::metadata(&batches[4]).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&batches[4]).unwrap().set_len(len / 2).unwrap();
    std::fs::write(store.join("batch-000000000009.bin.tmp"), b"half a batch").unwrap();
    std::fs::write(p.join("dmg/series.csv.tmp"), b"half a table").unwrap();
    let r = ok(p, &args_with(&job, &["--resume", "dmg"]));
    let err = text(&r.stderr);
    assert_eq!(err.matches("discarding").count(), 3, "{err}");
    assert!(err.contains("3 of 12 units already done and verified"), "{err}");
    assert_eq!(files(&p.join("dmg")), want, "damaged batches are re-run, not trusted");
    assert!(!p.join("dmg/series.csv.tmp").exists());
}

#[test]
fn resume_refuses_other_jobs_and_complete_folders() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    let job = ["run", "--replications", "6", "--quiet", "--no-plots"];
    assert_eq!(csm(p, &args_with(&job, &["--out", "part", "--crash-after", "2"])).status.code(), Some(130));
    let before: Vec<_> = std::fs::read_dir(p.join("part/units")).unwrap().map(|e| e.unwrap().file_name()).collect();
    let refuse = |args: &[&str], needles: &[&str]| {
        let o = csm(p, args);
        assert_clean_failure(&o, 2, needles, &format!("{args:?}"));
        assert_incomplete(&p.join("part"), &format!("{args:?}"));
        let after: Vec<_> = std::fs::read_dir(p.join("part/units")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(after.len(), before.len(), "{args:?}: the kept units are left alone");
    };
    refuse(&["run", "--replications", "6", "--seed", "7", "--resume", "part"], &["--resume part", "different configuration, seed"]);
    refuse(&["run", "--replications", "8", "--resume", "part"], &["different configuration"]);
    refuse(&["run", "--replications", "6", "--keep-replications", "--resume", "part"], &["different configuration"]);
    refuse(&["compare", "baseline", "baseline", "--replications", "3", "--resume", "part"], &["different configuration"]);
    std::fs::write(p.join("other.json"), r#"{"contracts": {"notice_months": 6}}"#).unwrap();
    refuse(&["run", "other.json", "--replications", "6", "--resume", "part"], &["different configuration"]);
    refuse(&["run", "--replications", "6", "--shard", "1/2", "--resume", "part"], &["another shard"]);
    // the same command continues it
    ok(p, &args_with(&job, &["--resume", "part"]));
    assert_verified(&p.join("part"));
    // a complete folder is not resumed (nor touched)
    let done = files(&p.join("part"));
    let o = csm(p, &args_with(&job, &["--resume", "part"]));
    assert_clean_failure(&o, 2, &["--resume part", "complete", "nothing to resume"], "complete folder");
    assert_eq!(files(&p.join("part")), done);
    assert_verified(&p.join("part"));
}

#[test]
fn an_interrupted_replay_resumes_with_the_command_it_prints() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["run", "--replications", "5", "--quiet", "--no-plots", "--out", "orig"]);
    let o = csm(p, &["replay", "orig/manifest.json", "--out", "again", "--quiet", "--crash-after", "2"]);
    assert_clean_failure(&o, 130, &["interrupted", "2 of 5 units finished and kept"], "replay interrupted");
    assert_incomplete(&p.join("again"), "replay interrupted");
    let cmd = suggested_resume(&text(&o.stderr));
    assert_eq!(cmd, ["replay", "orig/manifest.json", "--resume", "again", "--quiet"]);
    let r = ok(p, &cmd.iter().map(|w| w.as_str()).collect::<Vec<_>>());
    assert!(text(&r.stderr).contains("2 of 5 units already done"), "{}", text(&r.stderr));
    for f in ["summary.csv", "runs.csv", "events.csv"] {
        assert!(std::fs::read(p.join("orig").join(f)).unwrap() == std::fs::read(p.join("again").join(f)).unwrap(), "{f} differs after a resumed replay");
    }
    assert_verified(&p.join("again"));
}

#[test]
fn forcing_over_a_complete_folder_never_leaves_the_old_manifest_over_new_files() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["run", "--replications", "4", "--quiet", "--no-plots", "--out", "r"]);
    let o = csm(p, &["run", "--replications", "4", "--seed", "9", "--quiet", "--no-plots", "--out", "r", "--force", "--crash-after", "2"]);
    assert_clean_failure(&o, 130, &["interrupted"], "forced then interrupted");
    assert_incomplete(&p.join("r"), "forced then interrupted");
    assert!(!p.join("r/summary.csv").exists(), "the old files went with the old manifest");
}

/// Start `args` in the background and wait until it has checkpointed a batch.
fn start_and_wait_for_a_batch(dir: &Path, args: &[&str], out: &str) -> std::process::Child {
    let mut child = bin().current_dir(dir).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn csmarket");
    let store = dir.join(out).join("units");
    let t0 = Instant::now();
    loop {
        let has_batch = std::fs::read_dir(&store).map(|rd| rd.flatten().any(|e| e.file_name().to_string_lossy().ends_with(".bin"))).unwrap_or(false);
        if has_batch {
            return child;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{args:?} ended ({status}) before a batch was written");
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "no batch after two minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &std::process::Child, sig: &str) {
    let s = Command::new("kill").args([&format!("-{sig}"), &child.id().to_string()]).status().expect("kill");
    assert!(s.success(), "kill -{sig}");
}

#[test]
fn real_signals_leave_a_partial_folder_that_resumes_to_the_same_bytes() {
    if Command::new("kill").arg("-l").output().is_err() {
        eprintln!("skipped: no `kill` command to send signals with");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    // long enough (400 units in batches of 64) that the signal comes in the middle
    let job = ["run", "--replications", "400", "--no-plots", "--threads", "2"];
    ok(p, &args_with(&job, &["--quiet", "--out", "whole"]));
    let want = files(&p.join("whole"));
    for (sig, out) in [("KILL", "killed"), ("INT", "interrupted"), ("TERM", "terminated")] {
        let child = start_and_wait_for_a_batch(p, &args_with(&job, &["--out", out]), out);
        let sent = Instant::now();
        signal(&child, sig);
        let o = child.wait_with_output().unwrap();
        let stopped = sent.elapsed();
        let err = text(&o.stderr);
        if sig == "KILL" {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(o.status.signal(), Some(9), "{err}");
        } else {
            assert_eq!(o.status.code(), Some(130), "SIG{sig}: {err}");
            assert!(err.contains("interrupted:") && err.contains("units finished and kept") && err.contains(&format!("--resume {out}")), "SIG{sig}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert!(stopped < Duration::from_secs(10), "SIG{sig}: took {stopped:?} to stop");
        }
        assert_incomplete(&p.join(out), &format!("SIG{sig}"));
        if sig == "KILL" {
            ok(p, &args_with(&job, &["--quiet", "--resume", out]));
        } else {
            let cmd = suggested_resume(&err);
            ok(p, &cmd.iter().map(|w| w.as_str()).collect::<Vec<_>>());
        }
        assert_eq!(files(&p.join(out)), want, "SIG{sig}: resumed files differ from an uninterrupted run");
        assert_verified(&p.join(out));
    }
    // a second Ctrl-C stops at once (the first may already have stopped it), still
    // without a manifest
    let child = start_and_wait_for_a_batch(p, &args_with(&job, &["--out", "twice"]), "twice");
    signal(&child, "INT");
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o.stderr));
    assert_incomplete(&p.join("twice"), "two SIGINTs");
}

#[test]
fn a_validation_stopped_by_a_signal_says_so_and_is_visibly_partial() {
    if Command::new("kill").arg("-l").output().is_err() {
        eprintln!("skipped: no `kill` command to send signals with");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    // 27 experiments of 40 replications a pair: far longer than the wait below
    let args = ["validate", "--out", "v", "--replications", "40", "--vary", "csus.capacity_headroom=1.0,1.3", "--threads", "1"];
    let child = bin().current_dir(p).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    while !p.join("v/_INCOMPLETE").exists() {
        assert!(t0.elapsed() < Duration::from_secs(60), "validate never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "TERM");
    let o = child.wait_with_output().unwrap();
    assert_clean_failure(&o, 130, &["interrupted: validation stopped after", "of 27 experiments", "run the command again"], "validate SIGTERM");
    assert_incomplete(&p.join("v"), "validate SIGTERM");
}

/// A small tmpfs mounted for the test (needs root); unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).ok()?;
        let o = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(at).output().ok()?;
        o.status.success().then(|| Tmpfs(at.to_path_buf()))
    }
    fn resize(&self, size: &str) {
        let s = Command::new("mount").args(["-o", &format!("remount,size={size}")]).arg(&self.0).status().unwrap();
        assert!(s.success(), "remount");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_a_runtime_error_naming_the_path_and_leaves_no_manifest() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    let job = ["run", "--replications", "6", "--quiet"];
    ok(p, &args_with(&job, &["--out", "whole"]));
    let want = files(&p.join("whole"));
    let Some(_probe) = Tmpfs::mount(&p.join("probe"), "64k") else {
        eprintln!("skipped: cannot mount a small tmpfs (the test needs root) to fill a disk");
        return;
    };
    drop(_probe);
    // sizes that fill up while writing checkpoints, the final tables, and the charts
    let mut failed = 0;
    for (k, size) in ["64k", "1m", "2m", "2500k", "3m", "3500k", "4m", "4200k", "8m"].iter().enumerate() {
        let mnt = p.join(format!("disk{k}"));
        let fs = Tmpfs::mount(&mnt, size).expect("mount");
        let out = mnt.join("r");
        let o = bin().current_dir(p).args(job).arg("--out").arg(&out).output().unwrap();
        let err = text(&o.stderr);
        assert!(!err.contains("panicked"), "{size}: {err}");
        match o.status.code() {
            Some(0) => {
                // enough room for the data: complete and verified (charts may be missing,
                // with a warning, but whatever the manifest lists matches)
                assert_eq!(files(&out), want, "{size}");
                assert_verified(&out);
            }
            Some(1) => {
                failed += 1;
                assert!(err.contains("No space left on device"), "{size}: {err}");
                assert!(err.contains(&mnt.display().to_string()), "{size}: the message names the path: {err}");
                assert_eq!(err.trim_end().lines().count(), 1, "{size}: {err}");
                assert_incomplete(&out, size);
                // with room again, the same command resumes to the same bytes
                fs.resize("64m");
                ok(p, &["run", "--replications", "6", "--quiet", "--resume", out.to_str().unwrap()]);
                assert_eq!(files(&out), want, "{size}: resumed after the disk was full");
                assert_verified(&out);
            }
            other => panic!("{size}: exit {other:?}: {err}"),
        }
    }
    assert!(failed >= 4, "the small disks should have filled up ({failed} did)");
}

#[test]
fn verify_notices_any_changed_byte_missing_file_or_missing_manifest() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path();
    ok(p, &["compare", "baseline", "baseline", "--replications", "3", "--quiet", "--out", "c"]);
    let dir = p.join("c");
    let o = ok(p, &["verify", "c"]);
    let m: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let listed: Vec<String> = ["files", "charts"].iter().flat_map(|k| m[k].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_string())).collect();
    assert!(listed.iter().any(|n| n.ends_with(".png")) && listed.iter().any(|n| n == "summary.csv") && listed.iter().any(|n| n == "differences.csv"));
    let line = text(&o.stdout);
    assert!(line.contains(&format!("all {} files match", listed.len())), "{line}");
    assert_eq!(line.trim_end().lines().count(), 1);
    // one flipped byte in each listed file in turn
    for name in &listed {
        let f = dir.join(name);
        let orig = std::fs::read(&f).unwrap();
        if orig.is_empty() {
            continue;
        }
        let mut b = orig.clone();
        let at = b.len() / 2;
        b[at] ^= 0x20;
        std::fs::write(&f, &b).unwrap();
        let o = csm(p, &["verify", "c"]);
        assert_clean_failure(&o, 3, &[name.as_str(), "changed", "1 of"], &format!("flipped byte in {name}"));
        std::fs::write(&f, &orig).unwrap();
    }
    ok(p, &["verify", "c"]);
    // missing files, an added byte, several at once
    std::fs::rename(dir.join("events.csv"), p.join("events.csv")).unwrap();
    std::fs::OpenOptions::new().append(true).open(dir.join("runs.csv")).unwrap().set_len(std::fs::metadata(dir.join("runs.csv")).unwrap().len() + 1).unwrap();
    let o = csm(p, &["verify", "c"]);
    assert_clean_failure(&o, 3, &["events.csv: missing", "runs.csv: changed", "2 of"], "missing and grown");
    // a folder without manifest is incomplete; a damaged manifest is an integrity failure
    std::fs::rename(dir.join("manifest.json"), p.join("manifest.json")).unwrap();
    assert_clean_failure(&csm(p, &["verify", "c"]), 3, &["incomplete", "no manifest.json"], "no manifest");
    std::fs::write(dir.join("manifest.json"), "{\"files\": [").unwrap();
    assert_clean_failure(&csm(p, &["verify", "c"]), 3, &["not a valid manifest"], "damaged manifest");
    // a manifest listing a path outside the folder is not followed
    std::fs::write(dir.join("manifest.json"), r#"{"files": [{"name": "../manifest.json", "bytes": 1, "sha256": "00"}], "charts": []}"#).unwrap();
    assert_clean_failure(&csm(p, &["verify", "c"]), 3, &["outside the folder"], "escaping path");
    assert_clean_failure(&csm(p, &["verify", "nothere"]), 2, &["no such folder"], "no folder");
    // a shard's part lists its unit batches; a damaged batch is noticed
    ok(p, &["run", "--replications", "4", "--shard", "1/2", "--quiet", "--out", "part"]);
    ok(p, &["verify", "part"]);
    let batch = std::fs::read_dir(p.join("part/units")).unwrap().next().unwrap().unwrap().path();
    let mut b = std::fs::read(&batch).unwrap();
    let at = b.len() - 40;
    b[at] ^= 1;
    std::fs::write(&batch, b).unwrap();
    assert_clean_failure(&csm(p, &["verify", "part"]), 3, &["units/batch-", "changed"], "damaged part");
}

/// deploy/slurm/sweep.sbatch, run as Slurm would run array task 20 (through a wrapper
/// that makes the first attempt die after 10 units): the requeued task continues the
/// interrupted shard with --resume, and a third attempt leaves the complete shard alone.
#[test]
fn the_slurm_script_continues_an_interrupted_shard_and_skips_a_complete_one() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/slurm/sweep.sbatch");
    let wrapper = d.join("csmarket-once-crashing");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/bash\nif [ ! -e crashed ]; then touch crashed; exec '{0}' \"$@\" --crash-after 10; fi\nexec '{0}' \"$@\"\n",
            env!("CARGO_BIN_EXE_csmarket")
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let task = || {
        Command::new("bash")
            .arg(&script)
            .current_dir(d)
            .env("CSMARKET", &wrapper)
            .env("SLURM_ARRAY_TASK_ID", "20")
            .env("SLURM_CPUS_PER_TASK", "2")
            .output()
            .expect("run bash")
    };
    let shard = d.join("parts/shard-20");
    let first = task();
    assert_eq!(first.status.code(), Some(130), "the injected crash: {}", text(&first.stderr));
    assert_incomplete(&shard, "first attempt");
    let units_before = std::fs::read_dir(shard.join("units")).map(|r| r.count()).unwrap_or(0);
    assert!(units_before > 0, "the first attempt kept its finished units");
    let second = task();
    assert!(second.status.success(), "the requeued task: {}", text(&second.stderr));
    assert!(shard.join("manifest.json").is_file(), "the requeued task completed the shard");
    ok(d, &["verify", "parts/shard-20"]);
    let m: Value = serde_json::from_str(&std::fs::read_to_string(shard.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["shard"].as_str(), Some("20/20"), "{}", m["shard"]);
    let before = files(&shard);
    let third = task();
    assert!(third.status.success() && text(&third.stdout).contains("complete; nothing to do"), "{}", text(&third.stdout));
    assert_eq!(files(&shard), before, "a complete shard is left alone");
}
