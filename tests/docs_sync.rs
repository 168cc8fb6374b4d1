//! The registry is the single source of parameters: `configs/baseline.json`, the typed
//! `Config` and the tables in `docs/ODD.md` must agree with it. Run with
//! `CSMARKET_BLESS=1` to regenerate the files from the registry after a deliberate change.

use csmarket::config::{registry, validate, META_KEYS};
use serde_json::Value;
use std::path::Path;

fn bless() -> bool {
    std::env::var("CSMARKET_BLESS").is_ok_and(|v| v == "1")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn baseline_json_is_the_registry_defaults_written_out() {
    let path = root().join("configs/baseline.json");
    if bless() {
        let mut out = serde_json::Map::new();
        out.insert("name".into(), "baseline".into());
        out.insert(
            "description".into(),
            "2013 status quo: CSUs defined by geography and hosted by the centre, weak information for CCGs, authorisation pressure to buy from CSUs until 2015, a 4% efficiency requirement; no framework, externalisation, platform or mergers.".into(),
        );
        if let Value::Object(m) = registry::defaults() {
            out.extend(m);
        }
        std::fs::write(&path, serde_json::to_string_pretty(&Value::Object(out)).unwrap() + "\n").unwrap();
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for k in META_KEYS {
        v.as_object_mut().unwrap().remove(*k);
    }
    assert_eq!(v, registry::defaults(), "configs/baseline.json differs from the registry; run CSMARKET_BLESS=1 cargo test --release --test docs_sync");
}

#[test]
fn typed_config_covers_exactly_the_registry() {
    let defaults = registry::defaults();
    let cfg = validate(&defaults, "defaults").expect("defaults are valid");
    // serialising the typed config back gives the same tree: no field missing either way
    let back = serde_json::to_value(&cfg).unwrap();
    assert_eq!(back, defaults);
}

fn replace_between(doc: &str, start: &str, end: &str, body: &str) -> String {
    let a = doc.find(start).expect("start marker") + start.len();
    let b = doc.find(end).expect("end marker");
    format!("{}\n{}{}", &doc[..a], body, &doc[b..])
}

fn between<'a>(doc: &'a str, start: &str, end: &str) -> &'a str {
    let a = doc.find(start).expect("start marker") + start.len();
    let b = doc.find(end).expect("end marker");
    doc[a..b].trim()
}

#[test]
fn odd_tables_match_the_registry_and_metric_table() {
    let path = root().join("docs/ODD.md");
    let params = registry::markdown_table();
    let metrics = csmarket::model::metrics::markdown_table();
    if bless() {
        let doc = std::fs::read_to_string(&path).unwrap();
        let doc = replace_between(&doc, "<!-- params:start -->", "<!-- params:end -->", &params);
        let doc = replace_between(&doc, "<!-- metrics:start -->", "<!-- metrics:end -->", &metrics);
        std::fs::write(&path, doc).unwrap();
    }
    let doc = std::fs::read_to_string(&path).unwrap();
    assert_eq!(between(&doc, "<!-- params:start -->", "<!-- params:end -->"), params.trim(), "docs/ODD.md parameter table is stale; run CSMARKET_BLESS=1 cargo test --release --test docs_sync");
    assert_eq!(between(&doc, "<!-- metrics:start -->", "<!-- metrics:end -->"), metrics.trim(), "docs/ODD.md metric table is stale; run CSMARKET_BLESS=1 cargo test --release --test docs_sync");
}

/// docs/OUTPUTS.md is the output contract shipped with the code (users of a clone have
/// no `../shared`); where the project's shared copy is beside the clone, they agree.
#[test]
fn the_output_contract_in_docs_is_the_shared_one() {
    let ours = std::fs::read_to_string(root().join("docs/OUTPUTS.md")).expect("docs/OUTPUTS.md");
    assert!(ours.contains("`series.csv`") && ours.contains("`summary.csv`"), "docs/OUTPUTS.md lists the output files");
    let shared = root().join("../shared/OUTPUTS.md");
    if let Ok(theirs) = std::fs::read_to_string(&shared) {
        if bless() {
            std::fs::write(root().join("docs/OUTPUTS.md"), &theirs).unwrap();
            return;
        }
        assert_eq!(ours, theirs, "docs/OUTPUTS.md differs from {}; copy it (or run with CSMARKET_BLESS=1)", shared.display());
    }
}
