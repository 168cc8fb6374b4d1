//! Configuration: the parameter registry (one place for every parameter's default,
//! range, unit and rationale), the typed `Config` the model reads, validation, and the
//! override-merging rule for scenarios. Reading files lives in `crate::io::scenario`.

pub mod registry;
pub mod types;
pub mod validate;

pub use types::*;
pub use validate::{validate, ConfigError};

use serde_json::Value;

/// Top-level keys of a scenario file that are not model parameters.
pub const META_KEYS: &[&str] = &["name", "description", "notes", "extends"];

/// Merge `over` onto `base`: objects merge key by key, everything else (numbers,
/// strings, arrays) is replaced.
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// The paths (dotted, with list indices) at which two resolved configurations differ,
/// with the value in `b`. Lists are compared whole.
pub fn diff(a: &Value, b: &Value) -> Vec<(String, Value)> {
    fn walk(a: Option<&Value>, b: &Value, path: &str, out: &mut Vec<(String, Value)>) {
        match (a, b) {
            (Some(Value::Object(ao)), Value::Object(bo)) => {
                for (k, bv) in bo {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(ao.get(k), bv, &p, out);
                }
            }
            (Some(av), bv) if av == bv => {}
            (_, bv) => out.push((path.to_string(), bv.clone())),
        }
    }
    let mut out = Vec::new();
    walk(Some(a), b, "", &mut out);
    out
}
