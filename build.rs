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

    let commit = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=CSMARKET_GIT_COMMIT={commit}");
    if Path::new(".git/HEAD").exists() {
        println!("cargo:rerun-if-changed=.git/HEAD");
    }
}
