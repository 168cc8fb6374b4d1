//! Bad input through the binary, one test per class: malformed JSON, numbers out of
//! range, unknown keys, wrong types, out-of-range values, inconsistent settings, sizes
//! that would exhaust memory, missing or unreadable files, and bad flag syntax. Each
//! must exit with code 2 and a one-line message naming the file (or flag), the field and
//! the allowed values, with no panic, no backtrace and no output folder.
//! (tests/cli.rs covers the first examples of several classes; these extend them.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn csm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csmarket"))
        .current_dir(dir)
        .env("RUST_BACKTRACE", "1")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(args)
        .output()
        .expect("run csmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Exit 2, no panic or backtrace, every needle in stderr, and nothing written.
fn fails_2(dir: &Path, args: &[&str], needles: &[&str]) -> String {
    let out = csm(dir, args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "csmarket {args:?}: stderr: {err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace") && !err.contains("RUST_BACKTRACE"), "csmarket {args:?}: panic: {err}");
    assert!(err.starts_with("error: "), "csmarket {args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "csmarket {args:?}: stderr should mention {n:?}: {err}");
    }
    assert!(!dir.join("outputs").exists() && !dir.join("never").exists(), "csmarket {args:?}: an output folder was made for bad input");
    err
}

/// A scenario file with bad content: exit 2 with a single line naming the file and the needles.
fn bad_file(dir: &Path, name: &str, body: &[u8], needles: &[&str]) {
    std::fs::write(dir.join(name), body).unwrap();
    let err = fails_2(dir, &["run", "--quiet", "--no-plots", name, "--out", "never"], &[&[name][..], needles].concat());
    assert_eq!(err.trim_end().lines().count(), 1, "{name}: a one-line message: {err}");
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn malformed_json_names_line_and_column() {
    let t = tmp();
    let d = t.path();
    bad_file(d, "comma.json", b"{\n  \"ccgs\": {\n    \"count\": 10,\n  }\n}\n", &["malformed JSON", "line 4", "column 3"]);
    bad_file(d, "string.json", b"{\"name\": \"unterminated}\n", &["line", "column"]);
    bad_file(d, "comment.json", b"{\n// a comment\n\"ccgs\": {}}", &["line 2", "column 1"]);
    bad_file(d, "garbage.json", b"{\"ccgs\": {}} trailing", &["line 1", "column"]);
    // a key given twice would otherwise silently drop the first value
    bad_file(d, "dup.json", b"{\n  \"ccgs\": {\"count\": 220},\n  \"ccgs\": {\"count\": 240}\n}\n", &["duplicate key \"ccgs\"", "line 3", "column 8"]);
    bad_file(d, "dup_deep.json", br#"{"policy": {"framework": {"year": 2015, "year": 2016}}}"#, &["policy.framework.year:", "duplicate key \"year\"", "line 1"]);
    bad_file(d, "nan.json", b"{\"ccgs\": {\"count\": NaN}}", &["line 1", "column 20"]);
    bad_file(d, "infinity.json", b"{\"choice\": {\"temperature\": Infinity}}", &["line 1", "column"]);
    bad_file(d, "empty.json", b"", &["unexpected end of file"]);
    bad_file(d, "cut.json", b"{\"policy\": {\"framework\": {\"year\": 2015", &["unexpected end of file", "line 1"]);
    bad_file(d, "list.json", b"[{\"ccgs\": {}}]", &["must be a JSON object", "a list"]);
    bad_file(d, "number.json", b"42", &["must be a JSON object", "a number"]);
}

#[test]
fn numbers_too_large_for_a_double_are_refused_with_their_path_and_position() {
    // serde_json refuses 1e999 ("number out of range") rather than making it infinite;
    // the message names the field by its JSON path as well as its line
    let t = tmp();
    let d = t.path();
    bad_file(d, "inf.json", b"{\"ccgs\": {\n  \"count\": 1e999}}", &["ccgs.count:", "line 2", "column", "number out of range"]);
    bad_file(d, "neg_inf.json", b"{\"choice\": {\"temperature\": -1e999}}", &["choice.temperature:", "line 1", "column", "number out of range"]);
    bad_file(d, "in_list.json", b"{\"providers\": [{\"kind\": \"private\"}, {\"count\": 2e400}]}", &["providers[1].count:", "number out of range"]);
    // finite but far out of range: named with the allowed values
    bad_file(d, "huge.json", b"{\"ccgs\": {\"count\": 1e300}}", &["ccgs.count", "out of range", "1 to 20000"]);
    bad_file(d, "bigint.json", b"{\"ccgs\": {\"count\": 18446744073709551616}}", &["ccgs.count", "out of range", "1 to 20000"]);
    bad_file(d, "tiny.json", b"{\"choice\": {\"temperature\": 5e-324}}", &["choice.temperature", "out of range", "0.001 to 10"]);
}

#[test]
fn unknown_keys_suggest_the_nearest_valid_key() {
    let t = tmp();
    let d = t.path();
    bad_file(d, "top.json", br#"{"ccg": {"count": 10}}"#, &["ccg", "unknown key", "did you mean \"ccgs\""]);
    bad_file(d, "nested.json", br#"{"policy": {"framwork": {"year": 2015}}}"#, &["policy.framwork", "did you mean \"framework\""]);
    bad_file(d, "deep.json", br#"{"policy": {"framework": {"slots_per_lines": 5}}}"#, &["policy.framework.slots_per_lines", "did you mean \"slots_per_line\""]);
    bad_file(
        d,
        "item.json",
        br#"{"policy": {"ccg_mergers": [{"year": 2016, "shares": 0.5, "group_size": 2, "collaboration": 0}]}}"#,
        &["policy.ccg_mergers[0].shares", "did you mean \"share\""],
    );
    bad_file(d, "meta.json", br#"{"descripton": "typo"}"#, &["descripton", "did you mean \"description\""]);
    bad_file(d, "far.json", br#"{"zzzzzzzzzzzzzzzz": 1}"#, &["zzzzzzzzzzzzzzzz", "unknown key"]);
}

#[test]
fn wrong_types_name_the_field_and_what_is_expected() {
    let t = tmp();
    let d = t.path();
    bad_file(d, "obj.json", br#"{"ccgs": 5}"#, &["ccgs", "expected an object", "a number"]);
    bad_file(d, "null.json", br#"{"ccgs": {"count": null}}"#, &["ccgs.count", "expected a number", "null", "1 to 20000"]);
    bad_file(d, "bool.json", br#"{"ccgs": {"count": true}}"#, &["ccgs.count", "expected a number", "a boolean"]);
    bad_file(d, "str.json", br#"{"choice": {"temperature": "0.04"}}"#, &["choice.temperature", "expected a number", "a string"]);
    bad_file(d, "flag.json", br#"{"providers": [{"kind": "private", "count": 1, "lines": [], "lines_min": 1, "lines_max": 1, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": "yes"}]}"#, &["providers[0].regional", "expected true or false"]);
    bad_file(d, "listexp.json", br#"{"ccgs": {"allowance_per_head": 25}}"#, &["ccgs.allowance_per_head", "expected a list", "1 to 60 numbers"]);
    bad_file(d, "listitem.json", br#"{"ccgs": {"allowance_per_head": [25, "x"]}}"#, &["ccgs.allowance_per_head[1]", "expected a number"]);
    bad_file(d, "objlist.json", br#"{"service_lines": [5]}"#, &["service_lines[0]", "expected an object"]);
    bad_file(d, "choice.json", br#"{"policy": {"framework": {"off_framework": 1}}}"#, &["policy.framework.off_framework", "\"merge\", \"exit\", \"wind_down\""]);
    bad_file(d, "year.json", br#"{"policy": {"platform": {"year": "2015"}}}"#, &["policy.platform.year", "expected a number", "or null"]);
    bad_file(d, "name.json", br#"{"name": 5}"#, &["name", "expected a string"]);
    bad_file(d, "extends_type.json", br#"{"extends": ["baseline"]}"#, &["extends", "expected a string"]);
    bad_file(d, "partial_item.json", br#"{"service_lines": [{"name": "bi"}]}"#, &["service_lines[0].scale_economies", "missing"]);
}

#[test]
fn out_of_range_values_give_the_allowed_range() {
    let t = tmp();
    let d = t.path();
    bad_file(d, "neg.json", br#"{"contracts": {"switching_cost": -0.1}}"#, &["contracts.switching_cost", "out of range", "0 to 2"]);
    bad_file(d, "high.json", br#"{"choice": {"review_probability": 1.5}}"#, &["choice.review_probability", "out of range", "0 to 1"]);
    bad_file(d, "years.json", br#"{"time": {"years": 0}}"#, &["time.years", "out of range", "1 to 50"]);
    bad_file(d, "frac.json", br#"{"time": {"steps_per_year": 2.5}}"#, &["time.steps_per_year", "whole number", "1 to 12"]);
    bad_file(d, "list_range.json", br#"{"ccgs": {"allowance_per_head": [25, -1]}}"#, &["ccgs.allowance_per_head[1]", "out of range", "0 to 1000"]);
    bad_file(d, "list_len.json", br#"{"ccgs": {"allowance_per_head": []}}"#, &["ccgs.allowance_per_head", "has 0 values", "1 to 60"]);
    bad_file(d, "item_range.json", br#"{"policy": {"ccg_mergers": [{"year": 2016, "share": 2, "group_size": 2, "collaboration": 0}]}}"#, &["policy.ccg_mergers[0].share", "0 to 1"]);
    bad_file(d, "choice_value.json", br#"{"policy": {"framework": {"off_framework": "merger"}}}"#, &["policy.framework.off_framework", "did you mean \"merge\""]);
    bad_file(d, "line_name.json", br#"{"service_lines": [{"name": "Business Intelligence", "scale_economies": 0.2, "local_knowledge": 0.3, "learning_difficulty": 0.7, "cost_per_head": 2.5, "transactional": false}]}"#, &["service_lines[0].name", "snake_case"]);
}

#[test]
fn inconsistent_settings_name_the_rule() {
    let t = tmp();
    let d = t.path();
    bad_file(d, "rounds.json", br#"{"time": {"rounds_per_year": 3}}"#, &["time.rounds_per_year", "does not divide", "steps_per_year"]);
    bad_file(d, "popminmax.json", br#"{"ccgs": {"population_min": 500000, "population_max": 400000}}"#, &["ccgs.population_min", "above ccgs.population_max"]);
    bad_file(d, "sessions.json", br#"{"ccgs": {"clinical_sessions_min": 4, "clinical_sessions_max": 3}}"#, &["ccgs.clinical_sessions_min", "above"]);
    bad_file(d, "degree.json", br#"{"ccgs": {"count": 5, "population_total": 1000000, "network_degree": 6}}"#, &["ccgs.network_degree", "below ccgs.count"]);
    bad_file(d, "markup.json", br#"{"csus": {"markup_min": 0.5, "markup_max": 0.2}}"#, &["csus.markup_min", "above csus.markup_max"]);
    bad_file(d, "before.json", br#"{"policy": {"checkpoints": {"year": 2000}}}"#, &["policy.checkpoints.year", "outside the simulated period", "2013 to 2023"]);
    bad_file(d, "after_horizon.json", br#"{"time": {"years": 5}, "policy": {"framework": {"year": 2019, "slots_per_line": 5}}}"#, &["policy.framework.year", "2013 to 2018"]);
    bad_file(d, "merger_late.json", br#"{"policy": {"ccg_mergers": [{"year": 2030, "share": 0.5, "group_size": 2, "collaboration": 0}]}}"#, &["policy.ccg_mergers[0].year", "outside the simulated period"]);
    bad_file(d, "dup_lines.json", br#"{"service_lines": [{"name": "it", "scale_economies": 0.2, "local_knowledge": 0.3, "learning_difficulty": 0.7, "cost_per_head": 2.5, "transactional": false}, {"name": "it", "scale_economies": 0.2, "local_knowledge": 0.3, "learning_difficulty": 0.7, "cost_per_head": 2.5, "transactional": false}], "providers": []}"#, &["service_lines[1].name", "used twice"]);
    bad_file(d, "lines_min.json", br#"{"providers": [{"kind": "charity", "count": 1, "lines": ["it"], "lines_min": 2, "lines_max": 2, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": false}]}"#, &["providers[0].lines_min", "more than the 1 lines"]);
    bad_file(d, "too_many.json", br#"{"csus": {"count": 1000}, "providers": [{"kind": "private", "count": 1000, "lines": [], "lines_min": 1, "lines_max": 1, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": false}, {"kind": "trust", "count": 1000, "lines": [], "lines_min": 1, "lines_max": 1, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": false}]}"#, &["providers", "3000 suppliers", "at most 2000"]);
    bad_file(d, "slots_zero.json", br#"{"policy": {"framework": {"year": 2015, "slots_per_line": 0}}}"#, &["policy.framework.slots_per_line", "1 to 1000"]);
    bad_file(d, "one_ccg_merger.json", br#"{"ccgs": {"count": 1, "population_total": 500000, "network_degree": 0}, "policy": {"ccg_mergers": [{"year": 2016, "share": 1, "group_size": 2, "collaboration": 0}]}}"#, &["policy.ccg_mergers[0].group_size", "above ccgs.count = 1"]);
}

#[test]
fn sizes_that_would_exhaust_memory_are_refused_before_anything_runs() {
    let t = tmp();
    let d = t.path();
    // 20000 CCGs x (25 CSUs + 1016 other providers) x 20 lines = 416 million belief cells
    let lines: Vec<String> = (0..20)
        .map(|k| format!(r#"{{"name": "line_{k}", "scale_economies": 0.1, "local_knowledge": 0.1, "learning_difficulty": 0.1, "cost_per_head": 1, "transactional": false}}"#))
        .collect();
    let body = format!(
        r#"{{"ccgs": {{"count": 20000, "population_total": 1e9, "population_min": 1000, "population_max": 1e7}},
            "service_lines": [{}],
            "providers": [{{"kind": "private", "count": 1000, "lines": [], "lines_min": 1, "lines_max": 3, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": false}},
                          {{"kind": "trust", "count": 16, "lines": [], "lines_min": 1, "lines_max": 3, "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 1, "scale_population": 0, "regional": false}}]}}"#,
        lines.join(", ")
    );
    let start = std::time::Instant::now();
    bad_file(d, "oversized.json", body.as_bytes(), &["ccgs.count", "belief cells", "exhaust memory", "at most 200000000"]);
    assert!(start.elapsed().as_secs() < 10, "refused at once, before allocating");
    // the same limit applies to a value swept in from the command line
    std::fs::write(d.join("wide.json"), body.replace("\"count\": 20000", "\"count\": 100")).unwrap();
    fails_2(
        d,
        &["sweep", "wide.json", "--set", "ccgs.count=100,20000", "--dry-run"],
        &["wide.json", "sweep point 1 (ccgs.count=20000)", "ccgs.count", "belief cells"],
    );
}

#[test]
fn missing_and_unreadable_files_are_named() {
    let t = tmp();
    let d = t.path();
    fails_2(d, &["run", "nothere.json", "--out", "never"], &["nothere.json", "no such file", "built-ins: baseline"]);
    fails_2(d, &["run", "sub/dir/nothere.json", "--out", "never"], &["sub/dir/nothere.json", "no such file"]);
    std::fs::create_dir(d.join("adir")).unwrap();
    fails_2(d, &["run", "adir", "--out", "never"], &["adir", "is not a file"]);
    fails_2(d, &["compare", "baseline", "adir/", "--out", "never"], &["adir/", "is not a file"]);
    // Tests run as root, so chmod 000 does not stop a read; /proc/self/mem is a regular
    // file whose read fails (EIO) for anyone, which is what an unreadable file looks like.
    if Path::new("/proc/self/mem").is_file() {
        fails_2(d, &["run", "/proc/self/mem", "--out", "never"], &["/proc/self/mem", "cannot read"]);
    } else {
        eprintln!("skipped the unreadable-file case: no /proc/self/mem here");
    }
    std::fs::write(d.join("latin1.json"), b"{\"name\": \"caf\xe9\"}").unwrap();
    fails_2(d, &["run", "latin1.json", "--out", "never"], &["latin1.json", "cannot read", "UTF-8"]);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("gone.json", d.join("dangling.json")).unwrap();
        fails_2(d, &["run", "dangling.json", "--out", "never"], &["dangling.json", "no such file"]);
    }
    // extends pointing at something missing, a folder, or itself through another file
    std::fs::write(d.join("ext_missing.json"), br#"{"extends": "parent_gone.json"}"#).unwrap();
    fails_2(d, &["run", "ext_missing.json", "--out", "never"], &["ext_missing.json", "extends", "parent_gone.json", "no such file"]);
    std::fs::write(d.join("ext_dir.json"), br#"{"extends": "adir"}"#).unwrap();
    fails_2(d, &["run", "ext_dir.json", "--out", "never"], &["ext_dir.json", "extends", "is not a file"]);
    std::fs::write(d.join("a.json"), br#"{"extends": "b.json"}"#).unwrap();
    std::fs::write(d.join("b.json"), br#"{"extends": "a.json"}"#).unwrap();
    fails_2(d, &["run", "a.json", "--out", "never"], &["circular extends"]);
    // a parent with an error is named as the parent
    std::fs::write(d.join("bad_parent.json"), br#"{"ccgs": {"cont": 3}}"#).unwrap();
    std::fs::write(d.join("child.json"), br#"{"extends": "bad_parent.json"}"#).unwrap();
    let err = fails_2(d, &["run", "child.json", "--out", "never"], &["bad_parent.json: ccgs.cont", "did you mean \"count\""]);
    assert!(!err.contains("child.json"), "the child did not write the typo: {err}");
    // a bad value the child writes over a good parent is the child's
    std::fs::write(d.join("good_parent.json"), br#"{"ccgs": {"count": 230}}"#).unwrap();
    std::fs::write(d.join("bad_child.json"), br#"{"extends": "good_parent.json", "ccgs": {"count": -5}}"#).unwrap();
    let err = fails_2(d, &["run", "bad_child.json", "--out", "never"], &["bad_child.json: ccgs.count"]);
    assert!(!err.contains("good_parent.json"), "{err}");
    // and a parent's bad value that the child replaces is no error at all
    std::fs::write(d.join("low_parent.json"), br#"{"ccgs": {"count": -5}}"#).unwrap();
    std::fs::write(d.join("fixing_child.json"), br#"{"extends": "low_parent.json", "ccgs": {"count": 230}}"#).unwrap();
    let out = csm(d, &["show", "fixing_child.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // show and compare load scenarios the same way
    fails_2(d, &["show", "nothere.json"], &["nothere.json", "no such file"]);
    fails_2(d, &["compare", "baseline", "nothere.json", "--out", "never"], &["nothere.json", "no such file"]);
}

#[test]
fn bad_shard_syntax_is_a_usage_error() {
    let t = tmp();
    let d = t.path();
    for (s, needle) in [("0/3", "1 <= i <= n"), ("4/3", "1 <= i <= n"), ("x", "expected i/n"), ("1/0", "1 <= i <= n"), ("1/x", "not a whole number"), ("", "expected i/n")] {
        fails_2(d, &["run", "--shard", s, "--out", "never"], &["--shard", needle]);
    }
    fails_2(d, &["run", "--shard", "-1/3", "--out", "never"], &["-1"]);
    fails_2(d, &["run", "--shard", "1/2", "--shard-from-env", "2", "--out", "never"], &["--shard"]);
    let env = |var: &str, val: &str| {
        Command::new(env!("CARGO_BIN_EXE_csmarket"))
            .current_dir(d)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(var, val)
            .args(["run", "--quiet", "--shard-from-env", "3", "--out", "never"])
            .output()
            .unwrap()
    };
    for (var, val, needle) in [("SLURM_ARRAY_TASK_ID", "x", "not a whole number"), ("SLURM_ARRAY_TASK_ID", "0", "outside 1..3"), ("JOB_COMPLETION_INDEX", "3", "outside 1..3")] {
        let o = env(var, val);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{var}={val}: {err}");
        assert!(err.contains(var) || err.contains(needle), "{var}={val}: {err}");
        assert!(err.contains(needle), "{var}={val}: {err}");
    }
    fails_2(d, &["run", "--shard-from-env", "2", "--out", "never"], &["neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX"]);
    assert!(!d.join("never").exists());
}

#[test]
fn bad_set_range_and_design_flags_are_usage_errors() {
    let t = tmp();
    let d = t.path();
    let sweep = |extra: &[&str], needles: &[&str]| {
        let mut a = vec!["sweep", "--quiet", "--no-plots", "--out", "never"];
        a.extend_from_slice(extra);
        fails_2(d, &a, needles);
    };
    sweep(&["--set", "nokey"], &["--set \"nokey\"", "expected path=values"]);
    sweep(&["--set", "=5"], &["--set \"=5\"", "expected path=values"]);
    sweep(&["--set", "contracts.notice_months="], &["expected path=values"]);
    sweep(&["--set", "contracts.notice_months=12..6:1"], &["lo <= hi", "step > 0"]);
    sweep(&["--set", "contracts.notice_months=6..12:0"], &["step > 0"]);
    sweep(&["--set", "contracts.notice_months=6..12:x"], &["\"x\" is not a number"]);
    sweep(&["--set", "contracts.notice_months=0..1e9:1"], &["at most 100000"]);
    sweep(&["--set", "contracts.notice_month=6,12"], &["contracts.notice_month", "no parameter \"notice_month\""]);
    sweep(&["--set", "contracts.notice_months=6,99"], &["contracts.notice_months", "out of range", "0 to 36"]);
    sweep(&["--set", "contracts.notice_months=six"], &["contracts.notice_months", "expected a number"]);
    sweep(&["--set", "choice.temperature=1e999"], &["choice.temperature", "expected a number"]);
    sweep(&["--set", "policy.ccg_mergers[2].year=2016"], &["policy.ccg_mergers[2].year", "beyond the 0 entries"]);
    sweep(&["--set", "service_lines[x].name=it"], &["bad list index"]);
    sweep(&["--set", "contracts.notice_months=6", "--set", "contracts.notice_months=12"], &["contracts.notice_months is swept twice"]);
    sweep(&["--design", "lhs", "--samples", "3", "--range", "choice.temperature=2..1"], &["--range \"choice.temperature=2..1\"", "lo <= hi"]);
    sweep(&["--design", "lhs", "--samples", "3", "--range", "choice.temperature=a..b"], &["\"a\" is not a number"]);
    sweep(&["--design", "lhs", "--samples", "3", "--range", "choice.temperature=0..inf"], &["not a finite number"]);
    sweep(&["--design", "lhs", "--samples", "3", "--range", "choice.temperature"], &["expected path=lo..hi"]);
    sweep(&["--design", "lhs", "--samples", "3", "--range", "choice.temperature=1"], &["expected lo..hi"]);
    sweep(&["--design", "lhs", "--samples", "3", "--range", "choice.temprature=0.01..0.1"], &["choice.temprature", "no parameter"]);
    sweep(&["--design", "random", "--samples", "3", "--range", "choice.temperature=20..30"], &["choice.temperature", "out of range", "0.001 to 10"]);
    sweep(&["--samples", "3", "--set", "contracts.notice_months=6"], &["grid sweep", "--samples"]);
    sweep(&["--samples", "3", "--range", "choice.temperature=0.01..0.1"], &["grid sweep", "--range"]);
    sweep(&["--design", "lhs", "--range", "choice.temperature=0.01..0.1"], &["--samples"]);
    sweep(&["--design", "lhs", "--samples", "3", "--set", "contracts.notice_months=6"], &["--range", "no --set"]);
    sweep(&["--design", "lhs", "--samples", "0", "--range", "choice.temperature=0.01..0.1"], &["--samples"]);
    sweep(&["--design", "latin", "--samples", "3"], &["--design", "grid, lhs, random"]);
    sweep(&[], &["--set"]);
}

#[test]
fn bad_general_flags_are_usage_errors() {
    let t = tmp();
    let d = t.path();
    fails_2(d, &["run", "--replications", "0", "--out", "never"], &["--replications", "1..=10000000"]);
    fails_2(d, &["run", "--replications", "many", "--out", "never"], &["--replications"]);
    fails_2(d, &["run", "--threads", "0", "--out", "never"], &["--threads", "1..=1024"]);
    fails_2(d, &["run", "--seed", "-1", "--out", "never"], &["-1"]);
    fails_2(d, &["run", "--seed", "18446744073709551616", "--out", "never"], &["--seed"]);
    fails_2(d, &["run", "--replication", "5", "--replications", "3", "--out", "never"], &["--replication 5", "--replications 3"]);
    fails_2(d, &["run", "--out", "never", "--resume", "x"], &["--resume"]);
    fails_2(d, &["compare", "baseline", "--out", "never"], &["2 values required"]);
    fails_2(d, &["nosuchcommand"], &["nosuchcommand"]);
    std::fs::write(d.join("short.json"), br#"{"name": "short", "time": {"years": 5}}"#).unwrap();
    fails_2(d, &["compare", "baseline", "short.json", "--out", "never"], &["short", "time settings differ", "time.years"]);
    // --out naming an existing file is refused even with --force (it replaces only folders)
    std::fs::write(d.join("a_file"), b"keep me").unwrap();
    fails_2(d, &["run", "--quiet", "--out", "a_file"], &["a_file", "exists and is not a folder"]);
    fails_2(d, &["run", "--quiet", "--out", "a_file", "--force"], &["a_file", "not a folder"]);
    assert_eq!(std::fs::read(d.join("a_file")).unwrap(), b"keep me");
    // --resume of something that is not a folder left by an interrupted run
    fails_2(d, &["run", "--resume", "nowhere"], &["--resume nowhere", "no such folder"]);
    fails_2(d, &["run", "--resume", "a_file"], &["--resume a_file"]);
    let foreign: PathBuf = d.join("foreign");
    std::fs::create_dir_all(foreign.join("units")).unwrap();
    std::fs::write(foreign.join("notes.tmp"), b"mine").unwrap();
    fails_2(d, &["run", "--resume", "foreign"], &["--resume foreign", "not a folder left by an interrupted csmarket run", "_INCOMPLETE"]);
    assert!(foreign.join("notes.tmp").exists() && foreign.join("units").is_dir(), "a foreign folder is left alone");
    // verify needs a folder
    fails_2(d, &["verify", "nowhere"], &["nowhere", "no such folder"]);
    fails_2(d, &["verify", "a_file"], &["a_file", "not a folder"]);
}
