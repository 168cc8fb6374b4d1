//! Embeds every scenario in `configs/` as a built-in (by file stem) and records the
//! git commit the binary was built from, for manifests.

use std::fs;
use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=configs");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let mut names: Vec<String> = fs::read_dir("configs")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut src = String::from("/// Built-in scenarios: (name, JSON text), one per file in `configs/`.\npub const BUILTIN: &[(&str, &str)] = &[\n");
    for n in &names {
        let path = Path::new("configs").join(format!("{n}.json")).canonicalize().expect("config path");
        println!("cargo:rerun-if-changed={}", path.display());
        src.push_str(&format!("    ({:?}, include_str!({:?})),\n", n, path.display().to_string()));
    }
    src.push_str("];\n");
    fs::write(Path::new(&out).join("builtin.rs"), src).expect("write builtin.rs");

    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = git(&["rev-parse", "HEAD"]).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CSMARKET_GIT_COMMIT={commit}");
    // Rebuild when HEAD moves: HEAD itself names a branch, so also watch that branch's
    // ref file and packed-refs (where `git gc` moves refs), else new commits go unseen.
    let mut watch: Vec<String> = vec!["HEAD".into(), "packed-refs".into()];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watch.push(branch);
    }
    for w in watch {
        if let Some(p) = git(&["rev-parse", "--git-path", &w]) {
            if Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
}
