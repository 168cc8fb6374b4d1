//! Sweep designs: full factorial grids from `--set path=v1,v2,...` or
//! `--set path=lo..hi:step`, and seeded Latin-hypercube or random samples from
//! `--range path=lo..hi`. A point is a list of values, one per swept path.

use crate::config::registry::{self, Kind};
use crate::model::rng::{self, splitmix64, Purpose};
use rand::RngExt;
use serde_json::Value;

/// A parameter path with the values to sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SetSpec {
    pub path: String,
    pub values: Vec<Value>,
}

/// A parameter path with a range to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeSpec {
    pub path: String,
    pub lo: f64,
    pub hi: f64,
}

fn decimals(s: &str) -> u32 {
    let s = s.trim();
    if s.contains(['e', 'E']) {
        return 12;
    }
    s.split_once('.').map(|(_, f)| f.len() as u32).unwrap_or(0).min(12)
}

fn round_to(x: f64, d: u32) -> f64 {
    let k = libm::pow(10.0, d as f64);
    (x * k).round() / k
}

fn parse_value(s: &str) -> Value {
    serde_json::from_str::<Value>(s.trim()).unwrap_or_else(|_| Value::String(s.trim().to_string()))
}

fn num(s: &str, what: &str) -> Result<f64, String> {
    let x: f64 = s.trim().parse().map_err(|_| format!("{what}: {s:?} is not a number"))?;
    if !x.is_finite() {
        return Err(format!("{what}: {s:?} is not a finite number"));
    }
    Ok(x)
}

/// Parse `path=v1,v2,...` or `path=lo..hi:step`.
pub fn parse_set(arg: &str) -> Result<SetSpec, String> {
    let (path, rhs) = arg.split_once('=').ok_or_else(|| format!("--set {arg:?}: expected path=values, e.g. policy.framework.slots_per_line=5,12"))?;
    let path = path.trim().to_string();
    if path.is_empty() || rhs.trim().is_empty() {
        return Err(format!("--set {arg:?}: expected path=values"));
    }
    let what = format!("--set {arg:?}");
    let values = if let Some((range, step)) = rhs.split_once(':') {
        let (lo, hi) = range.split_once("..").ok_or_else(|| format!("{what}: expected lo..hi:step"))?;
        let (a, b, st) = (num(lo, &what)?, num(hi, &what)?, num(step, &what)?);
        if st <= 0.0 || b < a {
            return Err(format!("{what}: need lo <= hi and step > 0"));
        }
        let d = decimals(lo).max(decimals(step));
        let n = ((b - a) / st + 1e-9).floor() as usize + 1;
        if n > 100_000 {
            return Err(format!("{what}: {n} values; at most 100000"));
        }
        (0..n).map(|k| Value::from(round_to(a + k as f64 * st, d))).collect()
    } else {
        rhs.split(',').map(parse_value).collect()
    };
    Ok(SetSpec { path, values })
}

/// Parse `path=lo..hi`.
pub fn parse_range(arg: &str) -> Result<RangeSpec, String> {
    let what = format!("--range {arg:?}");
    let (path, rhs) = arg.split_once('=').ok_or_else(|| format!("{what}: expected path=lo..hi"))?;
    let (lo, hi) = rhs.split_once("..").ok_or_else(|| format!("{what}: expected lo..hi"))?;
    let (lo, hi) = (num(lo, &what)?, num(hi, &what)?);
    if hi < lo {
        return Err(format!("{what}: need lo <= hi"));
    }
    Ok(RangeSpec { path: path.trim().to_string(), lo, hi })
}

/// Full factorial grid, the first `--set` varying slowest.
pub fn grid(sets: &[SetSpec]) -> Vec<Vec<Value>> {
    let mut points: Vec<Vec<Value>> = vec![Vec::new()];
    for s in sets {
        let mut next = Vec::with_capacity(points.len() * s.values.len());
        for p in &points {
            for v in &s.values {
                let mut q = p.clone();
                q.push(v.clone());
                next.push(q);
            }
        }
        points = next;
    }
    points
}

/// Is the parameter at `path` an integer (so sampled values are rounded)?
fn integer_param(path: &str) -> bool {
    let reg: String = path.split('.').map(|part| if let Some(i) = part.find('[') { format!("{}[]", &part[..i]) } else { part.to_string() }).collect::<Vec<_>>().join(".");
    registry::lookup(&reg).is_some_and(|p| p.kind == Kind::Int)
}

fn sample_value(r: &RangeSpec, u: f64) -> Value {
    let x = r.lo + (r.hi - r.lo) * u;
    if integer_param(&r.path) {
        Value::from(x.round() as i64)
    } else {
        Value::from(x)
    }
}

fn design_rng(master: u64) -> rand_chacha::ChaCha8Rng {
    rng::stream(splitmix64(master ^ 0x6465_7369_676E), Purpose::Design)
}

/// Latin hypercube of `samples` points: each range cut into `samples` strata, each
/// stratum used once per parameter, in a random order.
pub fn lhs(ranges: &[RangeSpec], samples: usize, master: u64) -> Vec<Vec<Value>> {
    let mut r = design_rng(master);
    let mut cols: Vec<Vec<Value>> = Vec::new();
    for range in ranges {
        let mut perm: Vec<usize> = (0..samples).collect();
        for i in (1..samples).rev() {
            let j = r.random_range(0..=i);
            perm.swap(i, j);
        }
        cols.push(perm.iter().map(|&k| sample_value(range, (k as f64 + r.random::<f64>()) / samples as f64)).collect());
    }
    (0..samples).map(|i| cols.iter().map(|c| c[i].clone()).collect()).collect()
}

/// Independent uniform samples.
pub fn random(ranges: &[RangeSpec], samples: usize, master: u64) -> Vec<Vec<Value>> {
    let mut r = design_rng(master);
    (0..samples).map(|_| ranges.iter().map(|range| sample_value(range, r.random::<f64>())).collect()).collect()
}

/// Set `path` (dotted, with `[k]` list indices) in a configuration tree.
pub fn set_path(root: &mut Value, path: &str, v: Value) -> Result<(), String> {
    let mut node = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (n, part) in parts.iter().enumerate() {
        let (key, index) = match part.find('[') {
            Some(i) => {
                let idx: usize = part[i + 1..].trim_end_matches(']').parse().map_err(|_| format!("{path}: bad list index in {part:?}"))?;
                (&part[..i], Some(idx))
            }
            None => (*part, None),
        };
        let last = n + 1 == parts.len();
        let obj = node.as_object_mut().ok_or_else(|| format!("{path}: {key:?} is not inside an object"))?;
        if !obj.contains_key(key) {
            let known: Vec<String> = obj.keys().cloned().collect();
            return Err(format!("{path}: no parameter {key:?} here; valid keys: {}", known.join(", ")));
        }
        let child = obj.get_mut(key).expect("checked");
        node = match index {
            Some(i) => {
                let arr = child.as_array_mut().ok_or_else(|| format!("{path}: {key:?} is not a list"))?;
                let len = arr.len();
                arr.get_mut(i).ok_or_else(|| format!("{path}: index {i} is beyond the {len} entries of {key:?}"))?
            }
            None => child,
        };
        if last {
            *node = v;
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sets_parse_lists_and_ranges() {
        assert_eq!(parse_set("a.b=1,2,3").unwrap().values, vec![json!(1), json!(2), json!(3)]);
        assert_eq!(parse_set("a=0.1..0.5:0.1").unwrap().values, vec![json!(0.1), json!(0.2), json!(0.3), json!(0.4), json!(0.5)]);
        assert_eq!(parse_set("a=merge,exit").unwrap().values, vec![json!("merge"), json!("exit")]);
        assert!(parse_set("nothing").is_err());
        assert!(parse_set("a=1..0:1").is_err());
    }

    #[test]
    fn grid_is_full_factorial() {
        let g = grid(&[parse_set("a=1,2").unwrap(), parse_set("b=x,y,z").unwrap()]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![json!(1), json!("x")]);
        assert_eq!(g[5], vec![json!(2), json!("z")]);
    }

    #[test]
    fn lhs_uses_each_stratum_once() {
        let r = [RangeSpec { path: "x".into(), lo: 0.0, hi: 1.0 }, RangeSpec { path: "y".into(), lo: 10.0, hi: 20.0 }];
        let pts = lhs(&r, 10, 7);
        for (j, range) in r.iter().enumerate() {
            let mut strata: Vec<usize> = pts.iter().map(|p| ((p[j].as_f64().unwrap() - range.lo) / (range.hi - range.lo) * 10.0) as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..10).collect::<Vec<_>>());
        }
        assert_eq!(pts, lhs(&r, 10, 7), "seeded");
        assert_ne!(pts, lhs(&r, 10, 8));
    }

    #[test]
    fn set_path_reaches_nested_and_listed_values() {
        let mut v = json!({"a": {"b": 1}, "l": [{"c": 1}, {"c": 2}]});
        set_path(&mut v, "a.b", json!(5)).unwrap();
        set_path(&mut v, "l[1].c", json!(9)).unwrap();
        assert_eq!(v, json!({"a": {"b": 5}, "l": [{"c": 1}, {"c": 9}]}));
        assert!(set_path(&mut v, "a.nope", json!(1)).unwrap_err().contains("no parameter"));
        assert!(set_path(&mut v, "l[5].c", json!(1)).is_err());
    }
}
