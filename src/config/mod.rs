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

/// A value as people read it: whole numbers without a decimal point (`2015`, not
/// `2015.0`), everything else as it is.
pub fn tidy(v: &Value) -> Value {
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Value::from(x as i64),
            _ => v.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(tidy).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(k, x)| (k.clone(), tidy(x))).collect()),
        _ => v.clone(),
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
            // 2015 and 2015.0 are the same setting
            (Some(Value::Number(x)), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
            (_, bv) => out.push((path.to_string(), tidy(bv))),
        }
    }
    let mut out = Vec::new();
    walk(Some(a), b, "", &mut out);
    out
}

#[cfg(test)]
mod diff_tests {
    use super::{diff, tidy};
    use serde_json::json;

    #[test]
    fn whole_numbers_read_as_integers_and_compare_equal() {
        assert_eq!(tidy(&json!({"a": 2015.0, "b": [0.5, 3.0], "c": 7})).to_string(), r#"{"a":2015,"b":[0.5,3],"c":7}"#);
        let a = json!({"time": {"start_year": 2013.0, "years": 10}});
        assert!(diff(&a, &json!({"time": {"start_year": 2013, "years": 10.0}})).is_empty(), "2013 and 2013.0 are the same setting");
        assert_eq!(diff(&a, &json!({"time": {"start_year": 2015.0, "years": 10}})), vec![("time.start_year".to_string(), json!(2015))]);
    }
}
