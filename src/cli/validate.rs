//! `csmarket validate`: the brief's qualitative expectations as experiments, with a
//! report of each effect, its confidence interval and whether the data support it.

use super::job::manifest_head;
use super::{note, outputs_base, say, Failure, Outcome, DEFAULT_SEED};
use crate::experiment::design::{parse_set, SetSpec};
use crate::experiment::validation::{self, Expectation, Row, Settings, Test, Verdict};
use crate::experiment::{JobKind, Plan};
use crate::io::output::{default_path, num, refusal, OutputDir};
use crate::io::scenario;
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Replications per arm of each experiment
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(2..=100_000))]
    pub replications: u64,
    /// Master seed (every experiment uses common random numbers across its arms)
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Output folder (default: a new folder under outputs/)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the output folder if it exists (only an empty folder or earlier csmarket output)
    #[arg(long)]
    pub force: bool,
    /// Run only these expectations (comma-separated ids, e.g. E1,E5)
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Robustness: repeat every experiment with a parameter at each of these values (path=v1,v2; repeatable)
    #[arg(long = "vary", value_name = "PATH=VALUES")]
    pub vary: Vec<String>,
    /// No progress output
    #[arg(long, short)]
    pub quiet: bool,
}

fn context_label(path: &str, v: &Value) -> String {
    format!("{path} = {v}")
}

/// A context's overrides as a JSON tree (checked against the registry by the arms).
fn context_tree(path: &str, v: &Value) -> Result<Value, Failure> {
    let mut root = json!({});
    let mut node = &mut root;
    let parts: Vec<&str> = path.split('.').collect();
    for p in &parts[..parts.len() - 1] {
        node = node.as_object_mut().expect("object").entry(p.to_string()).or_insert(json!({}));
    }
    node.as_object_mut().expect("object").insert(parts[parts.len() - 1].to_string(), v.clone());
    Ok(root)
}

fn arm_file(e: &Expectation, side: &str, over: &Value) -> Value {
    let mut v = json!({
        "name": format!("{}_{side}", e.id.to_lowercase()),
        "description": format!("{} (arm {}): {}", e.id, side.to_uppercase(), e.claim),
        "extends": "baseline",
    });
    if let (Value::Object(m), Value::Object(o)) = (&mut v, over) {
        for (k, x) in o {
            m.insert(k.clone(), x.clone());
        }
    }
    v
}

pub fn validate(a: ValidateArgs) -> Outcome {
    let all = validation::expectations();
    for id in &a.only {
        if !all.iter().any(|e| e.id.eq_ignore_ascii_case(id)) {
            return Err(Failure::usage(format!("--only {id}: no such expectation; known: {}", all.iter().map(|e| e.id).collect::<Vec<_>>().join(", "))));
        }
    }
    let chosen: Vec<Expectation> = all.into_iter().filter(|e| a.only.is_empty() || a.only.iter().any(|id| e.id.eq_ignore_ascii_case(id))).collect();
    let varies: Vec<SetSpec> = a.vary.iter().map(|v| parse_set(v).map_err(|e| Failure::usage(e.replace("--set", "--vary")))).collect::<Result<_, _>>()?;
    let threads = a.threads.map(|t| t as usize).unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| Failure::runtime(e.to_string()))?;
    // contexts: the baseline, then each varied value
    let mut contexts: Vec<(String, Value)> = vec![("baseline settings".into(), json!({}))];
    for s in &varies {
        for v in &s.values {
            let tree = context_tree(&s.path, v)?;
            validation::arm(&json!({}), &tree).map_err(|e| Failure::usage(format!("--vary {}: {e}", s.path)))?;
            contexts.push((context_label(&s.path, v), tree));
        }
    }
    let path = a.out.clone().unwrap_or_else(|| default_path(&outputs_base(), "validation"));
    if let Some(why) = refusal(&path, a.force) {
        return Err(Failure::usage(why));
    }
    let mut dir = OutputDir::create(&path, a.force)?;
    let mut results: Vec<(String, Vec<Row>)> = Vec::new();
    // Ctrl-C or SIGTERM: stop after the experiment in progress. A validation keeps no
    // partial results (each verdict needs both arms), so it is simply run again.
    let stop = super::progress::stop_flag();
    let total = contexts.len() * chosen.len();
    let mut finished = 0;
    for (label, ctx) in &contexts {
        let s = Settings { master_seed: a.seed, replications: a.replications, threads, context: ctx.clone() };
        let mut rows = Vec::new();
        for e in &chosen {
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(Failure::interrupted(format!(
                    "interrupted: validation stopped after {finished} of {total} experiments; {} has no manifest (incomplete). \
                     A validation keeps no partial results: run the command again (with --force to reuse the folder)",
                    dir.path.display()
                )));
            }
            finished += 1;
            if !a.quiet {
                note(&format!("validate: {} under {label} ...", e.id));
            }
            rows.extend(validation::run(e, &s, &pool).map_err(|m| Failure::usage(format!("{}: {m}", e.id)))?);
        }
        results.push((label.clone(), rows));
    }
    // scenario files of the paired experiments' arms
    for e in &chosen {
        if let Test::Paired { a: oa, b: ob, .. } = &e.test {
            for (side, over) in [("a", oa), ("b", ob)] {
                let text = serde_json::to_string_pretty(&arm_file(e, side, over)).expect("json") + "\n";
                dir.write_bytes(&format!("validation/{}_{side}.json", e.id.to_lowercase()), text.as_bytes())?;
            }
        }
    }
    write_csv(&mut dir, &results)?;
    let md = report(&chosen, &results, &a);
    dir.write_bytes("VALIDATION.md", md.as_bytes())?;
    let base = scenario::load("baseline")?;
    let plan = Plan { kind: JobKind::Run, scenarios: vec![base], base: None, params: vec![], points: vec![], master_seed: a.seed, replications: a.replications, only_replication: None, keep_replications: false, independent: false };
    let mut head = manifest_head(&plan, threads, None, 0);
    head["kind"] = json!("validation");
    head["validation"] = json!({"expectations": chosen.iter().map(|e| e.id).collect::<Vec<_>>(), "vary": a.vary});
    dir.seal(head)?;
    for (label, rows) in &results {
        say(&format!("{label}:"));
        for r in rows {
            say(&format!("  {:4} {:12} {} = {} [{}, {}]", r.id, r.verdict.as_str(), short(&r.measure), num3(r.result.mean), num3(r.result.ci_low), num3(r.result.ci_high)));
        }
    }
    say(&format!("Wrote {} (VALIDATION.md, validation.csv).", dir.path.display()));
    Ok(())
}

fn short(s: &str) -> String {
    let s: String = s.chars().take(70).collect();
    s
}

fn num3(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.2e}")
    } else {
        format!("{x:.4}")
    }
}

fn write_csv(dir: &mut OutputDir, results: &[(String, Vec<Row>)]) -> Result<(), Failure> {
    let mut w = crate::io::tables::mem_writer();
    w.write_record(["context", "id", "claim", "test", "measure", "expected", "n", "effect", "ci_low", "ci_high", "verdict"]).expect("memory");
    for (label, rows) in results {
        for r in rows {
            w.write_record([
                label.as_str(),
                &r.id,
                &r.claim,
                &r.test,
                &r.measure,
                r.expected.as_str(),
                &r.result.n.to_string(),
                &num(r.result.mean),
                &num(r.result.ci_low),
                &num(r.result.ci_high),
                r.verdict.as_str(),
            ])
            .expect("memory");
        }
    }
    dir.write_bytes("validation.csv", &w.into_inner().expect("memory"))?;
    Ok(())
}

fn report(chosen: &[Expectation], results: &[(String, Vec<Row>)], a: &ValidateArgs) -> String {
    let mut cmd = format!("csmarket validate --replications {} --seed {}", a.replications, a.seed);
    for v in &a.vary {
        cmd.push_str(&format!(" --vary {v}"));
    }
    if !a.only.is_empty() {
        cmd.push_str(&format!(" --only {}", a.only.join(",")));
    }
    let mut md = format!(
        "# Validation: the brief's qualitative expectations\n\n\
         Generated by `{cmd}` (csmarket {}). Each expectation is tested by an experiment that isolates it: a paired \
         comparison under common random numbers whose two arms differ in one parameter (the arms are written to \
         `validation/*_a.json` and `*_b.json`), or a pattern measured within runs. Effects are means over {} replications \
         with 95% Student-t confidence intervals; **supported** means the interval excludes zero in the expected \
         direction, **contradicted** that it excludes zero the other way, **not shown** that it includes zero.\n\n",
        env!("CARGO_PKG_VERSION"),
        a.replications
    );
    let (_, base_rows) = &results[0];
    md.push_str("| id | expectation | measure | expected | effect [95% CI] | verdict |\n|---|---|---|---|---|---|\n");
    let mut last = String::new();
    for r in base_rows {
        let claim = if r.id != last { r.claim.clone() } else { String::new() };
        last = r.id.clone();
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} [{}, {}] | **{}** |\n",
            r.id,
            claim,
            r.measure,
            r.expected.as_str(),
            num3(r.result.mean),
            num3(r.result.ci_low),
            num3(r.result.ci_high),
            r.verdict.as_str()
        ));
    }
    md.push_str("\n## How each was tested\n\n");
    for e in chosen {
        md.push_str(&format!("### {}: {}\n\n", e.id, e.claim));
        match &e.test {
            Test::Paired { lever, .. } => {
                let id = e.id.to_lowercase();
                md.push_str(&format!(
                    "Paired comparison, one lever: `{lever}`. Reproduce with\n\n    csmarket compare validation/{id}_a.json validation/{id}_b.json --replications {} --seed {}\n\n\
                     (in this folder; `differences.csv` and `comparison.md` then show every metric).\n\n",
                    a.replications, a.seed
                ));
            }
            Test::InsourcingPattern { .. } => md.push_str(
                "Within runs of E3's in-sourcing arm: every CCG line taken in house (alone or shared) after authorisation ends \
                 is followed: its realised quality two years after in-sourcing minus at in-sourcing (rises at first); that \
                 early gain minus the gain over the last two years for lines in house four years or more (a plateau); and its \
                 quality at the horizon minus that of lines served by the best quarter of CSUs (below a well-developed supplier). \
                 Each statistic is averaged over lines within a run, then over runs.\n\n",
            ),
            Test::SizePower => md.push_str(
                "Within runs of the baseline: at the horizon, each CCG's mean buyer power over its relationships is regressed \
                 on the log of its population; the slope is averaged over runs.\n\n",
            ),
        }
    }
    if results.len() > 1 {
        md.push_str("## Robustness\n\nThe same experiments with a parameter set to other values in both arms. A verdict that holds in every column is robust to that parameter.\n\n");
        md.push_str("| id | measure |");
        for (label, _) in results {
            md.push_str(&format!(" {} |", label));
        }
        md.push_str("\n|---|---|");
        for _ in results {
            md.push_str("---|");
        }
        md.push('\n');
        for (k, r) in base_rows.iter().enumerate() {
            md.push_str(&format!("| {} | {} |", r.id, r.measure));
            for (_, rows) in results {
                let x = &rows[k];
                md.push_str(&format!(" {} ({}) |", x.verdict.as_str(), num3(x.result.mean)));
            }
            md.push('\n');
        }
        md.push('\n');
    }
    let failing: Vec<&Row> = base_rows.iter().filter(|r| r.verdict != Verdict::Supported).collect();
    md.push_str("## Not reproduced\n\n");
    if failing.is_empty() {
        md.push_str("Every measure supports its expectation under the baseline settings.\n");
    } else {
        for r in failing {
            md.push_str(&format!("- {} ({}): {} The reasons found are discussed in `docs/VALIDATION.md`.\n", r.id, r.measure, r.verdict.as_str()));
        }
    }
    md
}
