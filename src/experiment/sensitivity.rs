//! Morris (1991) elementary-effects screening: which parameters move the model's
//! outputs most over their screening ranges.
//!
//! Three parts, each usable on its own:
//! - the factors: which registry parameters are screened and over what range
//!   ([`select_factors`]), with the values a point in the unit cube maps to;
//! - the design: `r` random one-at-a-time trajectories of `k + 1` points on a
//!   `p`-level grid of the unit cube, step `Delta = p / (2 (p - 1))` ([`morris_design`]);
//! - the statistics: per factor the mean `mu`, mean absolute value `mu*` and standard
//!   deviation `sigma` of its elementary effects ([`elementary_effects`]).
//!
//! The design and the statistics are pure functions of unit-cube coordinates and
//! responses, so they are tested on functions with known effects ([`screen`]).
//! An elementary effect is in unit-cube units: the change in the response per step,
//! divided by the step as a fraction of the factor's range, i.e. (for a linear
//! response) the change over the whole screening range.

use super::design::RangeSpec;
use crate::config::registry::{self, Kind, REGISTRY};
use crate::io::output::num;
use crate::model::rng::{self, splitmix64, Purpose};
use rand::RngExt;
use serde_json::Value;
use std::fmt::Write as _;

/// Default half-width of a screening range as a fraction of the scenario's value.
pub const DEFAULT_SPREAD: f64 = 0.5;
/// Default number of trajectories.
pub const DEFAULT_TRAJECTORIES: usize = 10;
/// Default number of grid levels.
pub const DEFAULT_LEVELS: usize = 4;

/// A screened parameter is a float or a whole number (rounded at each point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorKind {
    Float,
    Int,
}

/// A screened parameter and its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Path as set in the configuration (`providers[0].cost_factor` for list items).
    pub path: String,
    pub kind: FactorKind,
    pub unit: String,
    /// The scenario's value (the `default` column).
    pub value: f64,
    /// Screening range: unit-cube 0 maps to `low`, 1 to `high`.
    pub low: f64,
    pub high: f64,
    /// The registry's validity bounds.
    pub min: f64,
    pub max: f64,
    /// How the range was set, in words.
    pub rule: String,
}

/// 12 significant digits: clean values in points.csv, far below any effect.
fn round_sig(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.11e}").parse().unwrap_or(x)
}

impl Factor {
    /// The parameter value at unit-cube coordinate `u` (whole numbers rounded).
    pub fn value_at(&self, u: f64) -> f64 {
        let x = self.low + u * (self.high - self.low);
        match self.kind {
            FactorKind::Float => round_sig(x).clamp(self.low, self.high),
            FactorKind::Int => x.round(),
        }
    }

    /// The unit-cube coordinate of a value.
    pub fn unit_of(&self, v: f64) -> f64 {
        (v - self.low) / (self.high - self.low)
    }

    /// The unit-cube coordinate actually realised at `u` (differs from `u` only for
    /// whole numbers, which are rounded).
    pub fn realised(&self, u: f64) -> f64 {
        match self.kind {
            FactorKind::Float => u,
            FactorKind::Int => self.unit_of(self.value_at(u)),
        }
    }

    /// The value at `u` as JSON (a whole number for integer parameters).
    pub fn json_at(&self, u: f64) -> Value {
        let v = self.value_at(u);
        match self.kind {
            FactorKind::Float => Value::from(v),
            FactorKind::Int => Value::from(v as i64),
        }
    }
}

/// The registry form of a path: `providers[2].cost_factor` -> `providers[].cost_factor`.
pub fn registry_path(path: &str) -> String {
    path.split('.').map(|part| if let Some(i) = part.find('[') { format!("{}[]", &part[..i]) } else { part.to_string() }).collect::<Vec<_>>().join(".")
}

/// The value at a dotted path (with `[k]` list indices) of a configuration tree.
pub fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    for part in path.split('.') {
        let (key, index) = match part.find('[') {
            Some(i) => (&part[..i], Some(part[i + 1..].trim_end_matches(']').parse::<usize>().ok()?)),
            None => (part, None),
        };
        node = node.get(key)?;
        if let Some(i) = index {
            node = node.get(i)?;
        }
    }
    Some(node)
}

/// The screening range around a value `d`: `d (1 -/+ spread)`, or for `d = 0`
/// `[0, spread x max]` (toward `min` if `max` is not above 0); clipped to the
/// registry's `[min, max]`; whole numbers widened to whole bounds. Returns
/// (low, high, rule).
pub fn screening_range(d: f64, min: f64, max: f64, spread: f64, kind: FactorKind) -> (f64, f64, String) {
    let s = num(spread);
    let (mut lo, mut hi, mut rule) = if d != 0.0 {
        let (a, b) = (d * (1.0 - spread), d * (1.0 + spread));
        (a.min(b), a.max(b), format!("value x (1 -/+ {s})"))
    } else if max > 0.0 {
        (0.0, spread * max, format!("value 0: 0 to {s} x max"))
    } else {
        (spread * min, 0.0, format!("value 0: {s} x min to 0"))
    };
    if kind == FactorKind::Int {
        lo = lo.floor();
        hi = hi.ceil();
        rule.push_str(", widened to whole numbers");
    }
    lo = round_sig(lo);
    hi = round_sig(hi);
    if lo < min || hi > max {
        lo = lo.max(min);
        hi = hi.min(max);
        rule.push_str(", clipped to the registry range");
    }
    (lo, hi, rule)
}

/// The screened factors of a scenario, and what was left out and why.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub factors: Vec<Factor>,
    /// (parameter or group, reason), for the report.
    pub excluded: Vec<(String, String)>,
    /// Range adjustments and warnings.
    pub notes: Vec<String>,
}

/// Why a registry parameter is not screened by default (`None`: it is).
fn default_exclusion(p: &registry::Param, resolved: &Value) -> Option<String> {
    let path = p.path;
    if !matches!(p.kind, Kind::Float | Kind::Int) {
        return Some("not a number (choice, flag, year or list)".into());
    }
    if path.contains("[]") {
        return Some("field of a list entry (name it explicitly, e.g. providers[0].cost_factor)".into());
    }
    if path.starts_with("time.") || path.starts_with("geography.") {
        return Some("structural (time or geography)".into());
    }
    if path.ends_with(".year") || path.ends_with("_year") {
        return Some("calendar".into());
    }
    if path == "ccgs.count" || path == "csus.count" || path.starts_with("ccgs.population_") {
        return Some("structural (counts and populations)".into());
    }
    if let Some(off) = switched_off(path, resolved) {
        return Some(off);
    }
    None
}

/// `policy.X.*` has no effect when `policy.X.year` is null in the scenario.
fn switched_off(path: &str, resolved: &Value) -> Option<String> {
    let mut parts = path.split('.');
    let (Some("policy"), Some(name)) = (parts.next(), parts.next()) else { return None };
    let year = format!("policy.{name}.year");
    if path == year || registry::lookup(&year).is_none_or(|p| p.kind != Kind::OptionalYear) {
        return None;
    }
    match get_path(resolved, &year) {
        Some(Value::Null) => Some(format!("switched off in this scenario ({year} is null)")),
        _ => None,
    }
}

/// Does `path` match an `--exclude` pattern (an exact path or `prefix.*`)?
fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix(".*") {
        Some(prefix) => path.starts_with(&format!("{prefix}.")) || registry_path(path).starts_with(&format!("{prefix}.")),
        None => pattern == path,
    }
}

/// Build one factor for an explicitly or automatically chosen path.
fn factor(path: &str, resolved: &Value, spread: f64) -> Result<Factor, String> {
    let reg = registry_path(path);
    let Some(p) = registry::lookup(&reg) else {
        let hint = if registry::is_object_node(&reg) { " (it is a group of parameters; name one of them)" } else { "" };
        return Err(format!("{path}: no such parameter{hint}; `csmarket params` lists them"));
    };
    let kind = match p.kind {
        Kind::Float => FactorKind::Float,
        Kind::Int => FactorKind::Int,
        _ => return Err(format!("{path}: not a numeric parameter (it takes {}); only numbers can be screened", p.allowed())),
    };
    if path.starts_with("time.") {
        return Err(format!("{path}: changes the simulated period, so the horizon would differ between points; it cannot be screened"));
    }
    let v = get_path(resolved, path).ok_or_else(|| format!("{path}: not in this scenario (check the list index)"))?;
    let d = v.as_f64().ok_or_else(|| format!("{path}: the scenario's value {v} is not a number"))?;
    let (min, max) = (p.min.unwrap_or(f64::NEG_INFINITY), p.max.unwrap_or(f64::INFINITY));
    let (low, high, rule) = screening_range(d, min, max, spread, kind);
    Ok(Factor { path: path.to_string(), kind, unit: p.unit.to_string(), value: d, low, high, min, max, rule })
}

/// Keep every point valid under the configuration's consistency rules by narrowing
/// ranges (never by clipping points, which would distort the effects):
/// `X_min <= X_max` pairs are split at the midpoint of their values (or bounded by the
/// unscreened partner's value); `ccgs.network_degree` stays below `ccgs.count`;
/// `policy.framework.slots_per_line` stays within the number of suppliers.
fn enforce_consistency(factors: &mut [Factor], resolved: &Value, notes: &mut Vec<String>) {
    let value = |path: &str| get_path(resolved, path).and_then(Value::as_f64);
    let n = factors.len();
    for a in 0..n {
        let Some(stem) = factors[a].path.strip_suffix("_min").map(String::from) else { continue };
        let partner = format!("{stem}_max");
        match factors.iter().position(|f| f.path == partner) {
            Some(b) => {
                if factors[a].high > factors[b].low {
                    let m = round_sig((factors[a].value + factors[b].value) / 2.0);
                    factors[a].high = factors[a].high.min(m);
                    factors[b].low = factors[b].low.max(m);
                    let note = format!("ranges of {} and {partner} split at {} so that min <= max at every point", factors[a].path, num(m));
                    factors[a].rule.push_str(&format!(", split with {partner} at {}", num(m)));
                    factors[b].rule.push_str(&format!(", split with {} at {}", factors[a].path, num(m)));
                    notes.push(note);
                }
            }
            None => {
                if let Some(v) = value(&partner) {
                    if factors[a].high > v {
                        factors[a].high = v;
                        factors[a].rule.push_str(&format!(", at most {partner} = {}", num(v)));
                        notes.push(format!("range of {} capped at {partner} = {} (the scenario's value)", factors[a].path, num(v)));
                    }
                }
            }
        }
    }
    for b in 0..n {
        let Some(stem) = factors[b].path.strip_suffix("_max").map(String::from) else { continue };
        let partner = format!("{stem}_min");
        if factors.iter().any(|f| f.path == partner) {
            continue;
        }
        if let Some(v) = value(&partner) {
            if factors[b].low < v {
                factors[b].low = v;
                factors[b].rule.push_str(&format!(", at least {partner} = {}", num(v)));
                notes.push(format!("range of {} raised to at least {partner} = {} (the scenario's value)", factors[b].path, num(v)));
            }
        }
    }
    for f in factors.iter_mut() {
        let cap = match f.path.as_str() {
            "ccgs.network_degree" => value("ccgs.count").map(|c| (c - 1.0, "ccgs.count - 1".to_string())),
            "policy.framework.slots_per_line" => {
                let others: f64 = get_path(resolved, "providers").and_then(Value::as_array).map(|a| a.iter().filter_map(|p| p.get("count").and_then(Value::as_f64)).sum()).unwrap_or(0.0);
                value("csus.count").map(|c| (c + others, "the number of suppliers".to_string()))
            }
            _ => None,
        };
        if let Some((cap, what)) = cap {
            if f.high > cap {
                f.high = cap;
                f.rule.push_str(&format!(", at most {what} = {}", num(cap)));
                notes.push(format!("range of {} capped at {what} = {}", f.path, num(cap)));
            }
        }
    }
}

/// Choose the factors: `params` if given (any numeric parameter, list items by index),
/// else every numeric model coefficient of the registry that has an effect in this
/// scenario; minus `exclude` (exact paths or `prefix.*`); `ranges` override the
/// screening range of a screened parameter (within its registry bounds).
pub fn select_factors(resolved: &Value, params: &[String], exclude: &[String], ranges: &[RangeSpec], spread: f64) -> Result<Selection, String> {
    if !(spread.is_finite() && spread > 0.0 && spread <= 1.0) {
        return Err(format!("--spread {spread}: need a number above 0 and at most 1 (0.5: each range is the value -/+ 50%)"));
    }
    let mut sel = Selection::default();
    let mut chosen: Vec<String> = Vec::new();
    if params.is_empty() {
        for p in REGISTRY.iter() {
            match default_exclusion(p, resolved) {
                None => chosen.push(p.path.to_string()),
                Some(why) => {
                    if matches!(p.kind, Kind::Float | Kind::Int) {
                        sel.excluded.push((p.path.to_string(), why));
                    }
                }
            }
        }
    } else {
        for p in params {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            if chosen.iter().any(|c| c == p) {
                return Err(format!("--params: {p} is given twice"));
            }
            chosen.push(p.to_string());
        }
    }
    for pat in exclude {
        let pat = pat.trim();
        let known = registry::lookup(&registry_path(pat)).is_some() || pat.strip_suffix(".*").is_some_and(|pre| registry::is_object_node(&registry_path(pre)));
        if !known {
            return Err(format!("--exclude {pat}: no such parameter or group (write a path, or a group as prefix.*)"));
        }
        let before = chosen.len();
        chosen.retain(|c| !matches(pat, c));
        if chosen.len() < before {
            sel.excluded.push((pat.to_string(), "--exclude".into()));
        }
    }
    for path in &chosen {
        let f = factor(path, resolved, spread)?;
        if !params.is_empty() {
            if let Some(off) = switched_off(&registry_path(path), resolved) {
                sel.notes.push(format!("{path} is {off}: its effects will be zero"));
            }
        }
        sel.factors.push(f);
    }
    for r in ranges {
        let Some(f) = sel.factors.iter_mut().find(|f| f.path == r.path) else {
            return Err(format!("--range {}: not a screened parameter (add it to --params, or remove it from --exclude)", r.path));
        };
        if r.lo < f.min || r.hi > f.max {
            return Err(format!("--range {}={}..{}: outside the parameter's allowed range {} to {}", r.path, num(r.lo), num(r.hi), num(f.min), num(f.max)));
        }
        f.low = r.lo;
        f.high = r.hi;
        f.rule = "--range".into();
    }
    enforce_consistency(&mut sel.factors, resolved, &mut sel.notes);
    let mut kept = Vec::new();
    for f in std::mem::take(&mut sel.factors) {
        let span = if f.kind == FactorKind::Int { f.high.floor() - f.low.ceil() } else { f.high - f.low };
        if span.is_nan() || span <= 0.0 {
            let why = format!("empty screening range {} to {} ({})", num(f.low), num(f.high), f.rule);
            if !params.is_empty() || ranges.iter().any(|r| r.path == f.path) {
                return Err(format!("{}: {why}; give a wider --range", f.path));
            }
            sel.excluded.push((f.path, why));
        } else {
            kept.push(f);
        }
    }
    sel.factors = kept;
    if sel.factors.is_empty() {
        return Err("no parameter left to screen".into());
    }
    Ok(sel)
}

/// One trajectory: `k + 1` points in the unit cube; step `j` changes factor
/// `changed[j]` (point `j` to point `j + 1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    pub points: Vec<Vec<f64>>,
    pub changed: Vec<usize>,
}

/// A Morris design: `r` trajectories over `k` factors on a `levels`-level grid.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    pub k: usize,
    pub levels: usize,
    pub delta: f64,
    pub trajectories: Vec<Trajectory>,
}

impl MorrisDesign {
    /// Every point, trajectory by trajectory (`r (k + 1)` points).
    pub fn points(&self) -> impl Iterator<Item = &Vec<f64>> {
        self.trajectories.iter().flat_map(|t| t.points.iter())
    }

    pub fn n_points(&self) -> usize {
        self.trajectories.len() * (self.k + 1)
    }

    /// The same trajectories with each coordinate mapped by `f(factor, u)` (e.g. to the
    /// coordinates actually realised after rounding whole-number factors).
    pub fn map(&self, f: impl Fn(usize, f64) -> f64) -> Vec<Trajectory> {
        self.trajectories
            .iter()
            .map(|t| Trajectory { points: t.points.iter().map(|p| p.iter().enumerate().map(|(i, u)| f(i, *u)).collect()).collect(), changed: t.changed.clone() })
            .collect()
    }
}

/// The Morris step for `levels` grid levels: `p / (2 (p - 1))`.
pub fn step(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// Check a number of levels: even (so the step lands on the grid) and at least 2.
pub fn check_levels(levels: usize) -> Result<(), String> {
    if levels < 2 || levels % 2 != 0 {
        return Err(format!("--levels {levels}: Morris screening needs an even number of grid levels, at least 2 (4 is usual), so that the step p/(2(p-1)) lands on the grid"));
    }
    if levels > 1000 {
        return Err(format!("--levels {levels}: at most 1000"));
    }
    Ok(())
}

fn morris_rng(master: u64) -> rand_chacha::ChaCha8Rng {
    rng::stream(splitmix64(master ^ 0x6D6F_7272_6973), Purpose::Design)
}

/// `r` Morris trajectories over `k` factors: each starts at a random grid point, then
/// moves one factor at a time, in a random order, by `+Delta` or `-Delta` (random
/// sign), so every factor changes exactly once per trajectory and every point stays on
/// the grid in `[0, 1]`. Seeded by `master`: the same arguments give the same design.
pub fn morris_design(k: usize, r: usize, levels: usize, master: u64) -> Result<MorrisDesign, String> {
    check_levels(levels)?;
    if k == 0 || r == 0 {
        return Err("a Morris design needs at least one factor and one trajectory".into());
    }
    let half = levels / 2;
    let grid = (levels - 1) as f64;
    let mut rng = morris_rng(master);
    let mut trajectories = Vec::with_capacity(r);
    for _ in 0..r {
        // grid index of the lower end of each factor's step, and the step's direction
        let base: Vec<usize> = (0..k).map(|_| rng.random_range(0..half)).collect();
        let up: Vec<bool> = (0..k).map(|_| rng.random_range(0..2u32) == 1).collect();
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        let mut idx: Vec<usize> = (0..k).map(|i| if up[i] { base[i] } else { base[i] + half }).collect();
        let to_unit = |idx: &[usize]| idx.iter().map(|&j| j as f64 / grid).collect::<Vec<f64>>();
        let mut points = Vec::with_capacity(k + 1);
        points.push(to_unit(&idx));
        for &i in &order {
            idx[i] = if up[i] { base[i] + half } else { base[i] };
            points.push(to_unit(&idx));
        }
        trajectories.push(Trajectory { points, changed: order });
    }
    Ok(MorrisDesign { k, levels, delta: step(levels), trajectories })
}

/// Summary of one factor's elementary effects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effects {
    /// Mean elementary effect (signed: cancels out for non-monotonic effects).
    pub mu: f64,
    /// Mean absolute elementary effect (Campolongo et al. 2007): the ranking measure.
    pub mu_star: f64,
    /// Standard deviation of the elementary effects (n - 1 denominator): interactions
    /// or nonlinearity. Undefined with fewer than two effects.
    pub sigma: f64,
    /// Elementary effects used (undefined responses and zero realised steps skipped).
    pub n: usize,
}

/// Elementary effects of `k` factors from trajectories and their responses `y` (one
/// per point, trajectory by trajectory). Effect of a step: `(y' - y) / (x'_i - x_i)`
/// with `x` in unit-cube coordinates. A step whose either response is undefined
/// (NaN) or whose realised change is zero is skipped.
pub fn elementary_effects(trajectories: &[Trajectory], k: usize, y: &[f64]) -> Vec<Effects> {
    let mut ee: Vec<Vec<f64>> = vec![Vec::new(); k];
    let mut at = 0;
    for t in trajectories {
        for (j, &i) in t.changed.iter().enumerate() {
            let (y0, y1) = (y[at + j], y[at + j + 1]);
            let dx = t.points[j + 1][i] - t.points[j][i];
            if y0.is_finite() && y1.is_finite() && dx != 0.0 {
                let e = (y1 - y0) / dx;
                if e.is_finite() {
                    ee[i].push(e);
                }
            }
        }
        at += t.points.len();
    }
    ee.iter()
        .map(|e| {
            let n = e.len();
            if n == 0 {
                return Effects { mu: f64::NAN, mu_star: f64::NAN, sigma: f64::NAN, n };
            }
            let mu = e.iter().sum::<f64>() / n as f64;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n as f64;
            let sigma = if n > 1 { (e.iter().map(|x| (x - mu) * (x - mu)).sum::<f64>() / (n - 1) as f64).sqrt() } else { f64::NAN };
            Effects { mu, mu_star, sigma, n }
        })
        .collect()
}

/// Screen a function of the unit cube: the design and each factor's effects.
pub fn screen(f: impl Fn(&[f64]) -> f64, k: usize, r: usize, levels: usize, master: u64) -> Result<(MorrisDesign, Vec<Effects>), String> {
    let d = morris_design(k, r, levels, master)?;
    let y: Vec<f64> = d.points().map(|p| f(p)).collect();
    let e = elementary_effects(&d.trajectories, k, &y);
    Ok((d, e))
}

/// 1-based ranks by `mu*`, largest first; undefined `mu*` last; ties by factor order.
pub fn ranks(effects: &[Effects]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..effects.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (effects[a].mu_star, effects[b].mu_star);
        match (x.is_finite(), y.is_finite()) {
            (true, true) => y.total_cmp(&x).then(a.cmp(&b)),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => a.cmp(&b),
        }
    });
    let mut rank = vec![0; effects.len()];
    for (pos, &i) in order.iter().enumerate() {
        rank[i] = pos + 1;
    }
    rank
}

/// Sample standard deviation of the defined values (NaN with fewer than two).
pub fn sd(values: &[f64]) -> f64 {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return f64::NAN;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

/// The `mu*` of a parameter with no effect, from replication noise alone: with `sds`
/// the metric's standard deviation over replications at each point, the mean of `R`
/// replications has noise `s / sqrt(R)`, an elementary effect `sqrt(2) s / (sqrt(R) Delta)`
/// if points were independent, and its mean absolute value is `sqrt(2 / pi)` times that:
/// `2 s / (sqrt(pi R) Delta)`, with `s` the root mean square of `sds`. Common random
/// numbers usually make the real noise smaller, so this is a conservative threshold.
pub fn noise_mu_star(sds: &[f64], replications: u64, delta: f64) -> f64 {
    let v: Vec<f64> = sds.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() || replications < 2 || delta <= 0.0 {
        return f64::NAN;
    }
    let s = (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    2.0 * s / ((std::f64::consts::PI * replications as f64).sqrt() * delta)
}

/// The screening result for one metric.
#[derive(Debug, Clone)]
pub struct MetricScreening {
    pub metric: String,
    pub unit: String,
    /// One per factor, in factor order.
    pub effects: Vec<Effects>,
    pub ranks: Vec<usize>,
    /// Standard deviation of the metric over all design points (for `mu_star_scaled`).
    pub y_sd: f64,
    /// The `mu*` that replication noise alone would give ([`noise_mu_star`]); NaN when
    /// unknown (one replication).
    pub noise: f64,
}

impl MetricScreening {
    /// Screen one metric given its response at every design point.
    pub fn new(metric: &str, unit: &str, trajectories: &[Trajectory], k: usize, y: &[f64]) -> MetricScreening {
        let effects = elementary_effects(trajectories, k, y);
        let ranks = ranks(&effects);
        MetricScreening { metric: metric.to_string(), unit: unit.to_string(), effects, ranks, y_sd: sd(y), noise: f64::NAN }
    }

    /// Factor indices in rank order.
    pub fn order(&self) -> Vec<usize> {
        let mut o: Vec<usize> = (0..self.ranks.len()).collect();
        o.sort_by_key(|&i| self.ranks[i]);
        o
    }

    /// `mu*` divided by the metric's standard deviation over the design points.
    pub fn scaled(&self, i: usize) -> f64 {
        if self.y_sd > 0.0 {
            self.effects[i].mu_star / self.y_sd
        } else {
            f64::NAN
        }
    }
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(&r).expect("writing to memory");
    }
    w.into_inner().expect("writing to memory")
}

/// `sensitivity.csv`: one row per metric and parameter, metrics in the order given,
/// parameters by rank.
pub fn sensitivity_csv(factors: &[Factor], screenings: &[MetricScreening]) -> Vec<u8> {
    let header = ["metric", "parameter", "rank", "mu_star", "mu", "sigma", "n_effects", "range_low", "range_high", "default", "mu_star_scaled", "unit", "noise_mu_star"];
    let rows = screenings.iter().flat_map(|s| {
        s.order().into_iter().map(move |i| {
            let (f, e) = (&factors[i], &s.effects[i]);
            vec![
                s.metric.clone(),
                f.path.clone(),
                s.ranks[i].to_string(),
                num(e.mu_star),
                num(e.mu),
                num(e.sigma),
                e.n.to_string(),
                num(f.low),
                num(f.high),
                num(f.value),
                num(s.scaled(i)),
                s.unit.clone(),
                num(s.noise),
            ]
        })
    });
    csv_bytes(&header, rows)
}

/// `sensitivity_ranges.csv`: each screened parameter's range and how it was set.
pub fn ranges_csv(factors: &[Factor]) -> Vec<u8> {
    let header = ["parameter", "kind", "unit", "default", "range_low", "range_high", "registry_min", "registry_max", "rule"];
    let rows = factors.iter().map(|f| {
        vec![
            f.path.clone(),
            if f.kind == FactorKind::Int { "int".into() } else { "float".into() },
            f.unit.clone(),
            num(f.value),
            num(f.low),
            num(f.high),
            num(f.min),
            num(f.max),
            f.rule.clone(),
        ]
    });
    csv_bytes(&header, rows)
}

/// `sensitivity_design.csv`: which sweep point belongs to which trajectory, and which
/// parameter changed (by how much, in unit-cube coordinates) to reach it, so the
/// effects can be recomputed from `sweep.csv`.
pub fn design_csv(realised: &[Trajectory], factors: &[Factor]) -> Vec<u8> {
    let header = ["point", "trajectory", "step", "parameter", "unit_step"];
    let mut rows = Vec::new();
    let mut point = 0;
    for (t, tr) in realised.iter().enumerate() {
        for j in 0..tr.points.len() {
            let (param, du) = if j == 0 {
                (String::new(), String::new())
            } else {
                let i = tr.changed[j - 1];
                (factors[i].path.clone(), num(tr.points[j][i] - tr.points[j - 1][i]))
            };
            rows.push(vec![point.to_string(), t.to_string(), j.to_string(), param, du]);
            point += 1;
        }
    }
    csv_bytes(&header, rows.into_iter())
}

/// Three significant figures for Markdown tables.
pub fn sig3(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        return format!("{x:.2e}");
    }
    let d = if x == 0.0 { 0 } else { (2 - x.abs().log10().floor() as i32).clamp(0, 6) as usize };
    format!("{x:.d$}")
}

/// What `sensitivity.md` says besides the tables.
pub struct Report<'a> {
    pub command: &'a str,
    pub scenario: &'a str,
    pub trajectories: usize,
    pub levels: usize,
    pub delta: f64,
    pub points: usize,
    pub replications: u64,
    pub seed: u64,
    pub spread: f64,
    pub top: usize,
}

/// `sensitivity.md`: per metric the top parameters, and how to read them.
pub fn markdown(rep: &Report, sel: &Selection, screenings: &[MetricScreening]) -> String {
    let k = sel.factors.len();
    let mut s = String::new();
    let _ = writeln!(s, "# Morris screening of {}\n", rep.scenario);
    let _ = writeln!(s, "Command: `{}`\n", rep.command);
    let _ = writeln!(
        s,
        "{k} parameters screened with {} Morris trajectories on a {}-level grid (step Delta = {} of each range): {} points x {} replication(s) (common random numbers), master seed {}. \
         Response: the mean over replications of each metric at the horizon (the `mean` column of `sweep.csv`).\n",
        rep.trajectories,
        rep.levels,
        sig3(rep.delta),
        rep.points,
        rep.replications,
        rep.seed
    );
    s.push_str("## How to read this\n\n");
    s.push_str(
        "An elementary effect of a parameter is the change in a metric when that parameter alone moves by one step, divided by the step as a fraction of the parameter's screening range. \
         For a metric that is linear in the parameter it is the change over the whole range, in the metric's units.\n\n\
         - **mu\\*** (`mu_star`): the mean absolute elementary effect: overall influence. Parameters are ranked by it.\n\
         - **mu** (`mu`): the mean signed effect. Close to +/- mu\\*: the metric moves one way (up or down) with the parameter; much smaller than mu\\*: the direction depends on the other parameters.\n\
         - **sigma** (`sigma`): the standard deviation of the effects: a sigma comparable to or above mu\\* means interactions with other parameters or a nonlinear effect; a small sigma, a roughly additive, linear effect.\n\
         - **mu\\* / sd** (`mu_star_scaled`): mu\\* divided by the metric's standard deviation over all design points, comparable across metrics.\n\
         - **noise** (`noise_mu_star`): the mu\\* a parameter with no effect would get from replication noise alone (assuming independent noise between points; \
         common random numbers usually make it smaller). Parameters near or below it are not distinguishable from no effect.\n\n",
    );
    let _ = writeln!(
        s,
        "Screening ranges (`sensitivity_ranges.csv`): the scenario's value -/+ {}%, clipped to each parameter's allowed range; a value of 0 is screened from 0 to {} x its maximum. \
         Morris screening ranks parameters (Campolongo et al. 2007); it does not apportion variance (that is Sobol's method). With few trajectories, ranks beyond the top few are noisy: \
         effects smaller than the replication noise of the metric are not distinguishable from zero.\n",
        num(rep.spread * 100.0),
        num(rep.spread)
    );
    for sc in screenings {
        let _ = writeln!(s, "## {} ({})\n", sc.metric, sc.unit);
        if sc.noise.is_finite() {
            let above = sc.effects.iter().filter(|e| e.mu_star > sc.noise).count();
            let _ = writeln!(s, "Replication noise level of mu\\*: about {} {}; {above} of {k} parameters are above it.\n", sig3(sc.noise), sc.unit);
        }
        s.push_str("| rank | parameter | mu* | mu | sigma | mu* / sd | effects | range |\n|---:|---|---:|---:|---:|---:|---:|---|\n");
        for i in sc.order().into_iter().take(rep.top) {
            let (f, e) = (&sel.factors[i], &sc.effects[i]);
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} | {} | {} | {} | {} to {} {} |",
                sc.ranks[i],
                f.path,
                sig3(e.mu_star),
                sig3(e.mu),
                sig3(e.sigma),
                sig3(sc.scaled(i)),
                e.n,
                sig3(f.low),
                sig3(f.high),
                f.unit
            );
        }
        let undefined = sc.effects.iter().filter(|e| e.n < rep.trajectories).count();
        if undefined > 0 {
            let _ = writeln!(s, "\n{undefined} parameter(s) have fewer than {} effects here: the metric was undefined at some points (see `n_effects`).", rep.trajectories);
        }
        s.push('\n');
    }
    if !sel.notes.is_empty() {
        s.push_str("## Range adjustments and notes\n\n");
        for n in &sel.notes {
            let _ = writeln!(s, "- {n}");
        }
        s.push('\n');
    }
    if !sel.excluded.is_empty() {
        s.push_str("## Not screened\n\n");
        let mut reasons: Vec<&str> = Vec::new();
        for (_, why) in &sel.excluded {
            if !reasons.contains(&why.as_str()) {
                reasons.push(why);
            }
        }
        for why in reasons {
            let paths: Vec<String> = sel.excluded.iter().filter(|(_, w)| w == why).map(|(p, _)| format!("`{p}`")).collect();
            let _ = writeln!(s, "- {why}: {}", paths.join(", "));
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn trajectories_move_one_factor_by_delta_and_stay_on_the_grid() {
        for &(k, levels) in &[(1usize, 2usize), (3, 4), (7, 6), (12, 4)] {
            let d = morris_design(k, 25, levels, 99).unwrap();
            assert_eq!(d.n_points(), 25 * (k + 1));
            let delta = step(levels);
            for t in &d.trajectories {
                assert_eq!(t.points.len(), k + 1);
                let mut changed = t.changed.clone();
                changed.sort();
                assert_eq!(changed, (0..k).collect::<Vec<_>>(), "each factor changes exactly once");
                for p in &t.points {
                    for &u in p {
                        assert!((0.0..=1.0).contains(&u), "{u} outside the unit cube");
                        let g = u * (levels - 1) as f64;
                        assert!((g - g.round()).abs() < 1e-9, "{u} not on the {levels}-level grid");
                    }
                }
                for j in 0..k {
                    let diff: Vec<usize> = (0..k).filter(|&i| t.points[j][i] != t.points[j + 1][i]).collect();
                    assert_eq!(diff, vec![t.changed[j]], "exactly one factor changes per step");
                    let i = t.changed[j];
                    assert!(close((t.points[j + 1][i] - t.points[j][i]).abs(), delta), "step is +/- Delta");
                }
            }
        }
    }

    #[test]
    fn design_is_seeded_and_uses_both_directions() {
        let a = morris_design(5, 20, 4, 1).unwrap();
        assert_eq!(a, morris_design(5, 20, 4, 1).unwrap());
        assert_ne!(a, morris_design(5, 20, 4, 2).unwrap());
        let (mut up, mut down) = (0, 0);
        for t in &a.trajectories {
            for (j, &i) in t.changed.iter().enumerate() {
                if t.points[j + 1][i] > t.points[j][i] {
                    up += 1
                } else {
                    down += 1
                }
            }
        }
        assert!(up > 20 && down > 20, "random signs: {up} up, {down} down");
        assert!((0..20).any(|i| a.trajectories[i].changed != (0..5).collect::<Vec<_>>()), "random factor order");
    }

    #[test]
    fn levels_must_be_even_and_at_least_two() {
        assert!(check_levels(1).unwrap_err().contains("--levels 1"));
        assert!(check_levels(3).is_err());
        assert!(check_levels(0).is_err());
        assert!(check_levels(2).is_ok() && check_levels(4).is_ok() && check_levels(8).is_ok());
        assert!(close(step(4), 2.0 / 3.0) && close(step(2), 1.0) && close(step(6), 0.6));
    }

    #[test]
    fn linear_function_gives_its_coefficients_exactly() {
        let (_, e) = screen(|x| 10.0 * x[0] + 1.0 * x[1] + 0.0 * x[2], 3, 10, 4, 7).unwrap();
        for (i, want) in [10.0, 1.0, 0.0].into_iter().enumerate() {
            assert!(close(e[i].mu_star, want), "mu* of x{} = {} (want {want})", i + 1, e[i].mu_star);
            assert!(close(e[i].mu, want), "mu of x{}", i + 1);
            assert!(e[i].sigma.abs() < 1e-9, "sigma of x{} = {}", i + 1, e[i].sigma);
            assert_eq!(e[i].n, 10);
        }
        assert_eq!(ranks(&e), vec![1, 2, 3]);
        // a negative coefficient: mu negative, mu* positive
        let (_, e) = screen(|x| -4.0 * x[0] + 2.0 * x[1], 2, 6, 6, 3).unwrap();
        assert!(close(e[0].mu, -4.0) && close(e[0].mu_star, 4.0) && close(e[1].mu, 2.0));
        assert_eq!(ranks(&e), vec![1, 2]);
    }

    #[test]
    fn interaction_and_nonlinearity_show_in_sigma_and_ranking() {
        // x1 strong and linear; x2, x3 interact; x4 weak and linear; x5 no effect;
        // x6 quadratic (nonlinear, no interaction)
        let f = |x: &[f64]| 10.0 * x[0] + 8.0 * x[1] * x[2] + 0.5 * x[3] + 3.0 * x[5] * x[5];
        let (_, e) = screen(f, 6, 60, 4, 11).unwrap();
        let r = ranks(&e);
        assert_eq!(r[0], 1, "x1 ranks first: {e:?}");
        assert!(r[1] <= 4 && r[2] <= 4 && r[5] <= 4, "x2, x3 and x6 next: {r:?}");
        assert_eq!((r[3], r[4]), (5, 6), "x4 then x5 last: {r:?}");
        assert!(e[0].sigma < 1e-9 && e[3].sigma < 1e-9 && e[4].sigma < 1e-9, "additive linear factors have sigma 0");
        assert!(e[1].sigma > 1.0 && e[2].sigma > 1.0, "interacting factors have sigma > 0: {e:?}");
        assert!(e[5].sigma > 0.3, "a nonlinear factor has sigma > 0");
        // x2's effect is 8 x3 with x3 uniform on the grid: mean about 4
        assert!((e[1].mu_star - 4.0).abs() < 1.0 && (e[2].mu_star - 4.0).abs() < 1.0, "{e:?}");
        // quadratic: effect (x+D)^2 - x^2 over D = 2x + D, with x in {0, 1/3}: 3 (1/3 + 2/3) on average
        assert!((e[5].mu - 3.0).abs() < 0.5, "{e:?}");
    }

    #[test]
    fn undefined_responses_are_skipped_and_counted() {
        let d = morris_design(2, 8, 4, 5).unwrap();
        let y: Vec<f64> = d.points().map(|p| if p[0] > 0.9 { f64::NAN } else { 3.0 * p[0] + p[1] }).collect();
        let e = elementary_effects(&d.trajectories, 2, &y);
        assert!(e[0].n < 8 || e[1].n < 8, "some effects skipped");
        assert!(close(e[0].mu_star, 3.0) && close(e[1].mu_star, 1.0), "the rest are exact");
        let none = elementary_effects(&d.trajectories, 2, &vec![f64::NAN; d.n_points()]);
        assert!(none.iter().all(|e| e.n == 0 && e.mu_star.is_nan()));
        assert_eq!(ranks(&[none[0], Effects { mu: 1.0, mu_star: 1.0, sigma: 0.0, n: 1 }]), vec![2, 1], "undefined ranks last");
    }

    #[test]
    fn noise_level_matches_the_mu_star_of_pure_noise() {
        // responses that are means of R independent N(0, 1) draws: no parameter matters
        let (reps, levels) = (4u64, 4usize);
        let d = morris_design(3, 400, levels, 17).unwrap();
        let mut state = 12345u64;
        let mut normal = || {
            state = splitmix64(state);
            let u1 = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            state = splitmix64(state);
            let u2 = ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        };
        let y: Vec<f64> = (0..d.n_points()).map(|_| (0..reps).map(|_| normal()).sum::<f64>() / reps as f64).collect();
        let e = elementary_effects(&d.trajectories, 3, &y);
        let noise = noise_mu_star(&vec![1.0; d.n_points()], reps, d.delta);
        assert!(close(noise, 2.0 / ((std::f64::consts::PI * 4.0).sqrt() * step(4))));
        for x in &e {
            assert!((x.mu_star / noise - 1.0).abs() < 0.1, "mu* of pure noise {} vs level {noise}", x.mu_star);
        }
        assert!(noise_mu_star(&[1.0], 1, 0.5).is_nan(), "undefined with one replication");
    }

    #[test]
    fn ranges_follow_the_spread_and_the_registry() {
        let (lo, hi, _) = screening_range(0.3, 0.0, 1.0, 0.5, FactorKind::Float);
        assert!(close(lo, 0.15) && close(hi, 0.45));
        let (lo, hi, rule) = screening_range(0.8, 0.0, 1.0, 0.5, FactorKind::Float);
        assert!(close(lo, 0.4) && close(hi, 1.0) && rule.contains("clipped"));
        let (lo, hi, rule) = screening_range(0.0, 0.0, 10.0, 0.5, FactorKind::Float);
        assert!(close(lo, 0.0) && close(hi, 5.0) && rule.contains("value 0"));
        let (lo, hi, _) = screening_range(-0.2, -5.0, 0.0, 0.5, FactorKind::Float);
        assert!(close(lo, -0.3) && close(hi, -0.1));
        let (lo, hi, _) = screening_range(3.0, 0.0, 50.0, 0.5, FactorKind::Int);
        assert_eq!((lo, hi), (1.0, 5.0));
    }

    #[test]
    fn default_selection_skips_structure_calendar_and_switched_off_policies() {
        let base = registry::defaults();
        let sel = select_factors(&base, &[], &[], &[], 0.5).unwrap();
        let paths: Vec<&str> = sel.factors.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&"choice.temperature") && paths.contains(&"ccgs.network_degree") && paths.contains(&"policy.efficiency_requirement.rate"));
        for p in &paths {
            assert!(!p.starts_with("time.") && !p.starts_with("geography.") && !p.ends_with(".year") && !p.contains('['), "{p}");
            assert!(!p.starts_with("policy.framework.") && !p.starts_with("policy.platform."), "{p} is switched off in the baseline");
            assert!(!p.starts_with("ccgs.population_") && *p != "ccgs.count" && *p != "csus.count", "{p}");
        }
        assert!(sel.excluded.iter().any(|(p, why)| p == "policy.framework.slots_per_line" && why.contains("switched off")));
        // pairs are split so that every point is valid
        let f = |p: &str| sel.factors.iter().find(|f| f.path == p).unwrap().clone();
        assert!(f("ccgs.clinical_sessions_min").high <= f("ccgs.clinical_sessions_max").low);
        assert!(f("csus.markup_min").high <= f("csus.markup_max").low);
        for x in &sel.factors {
            assert!(x.low < x.high && x.low >= x.min && x.high <= x.max, "{x:?}");
        }
        // a policy switched on brings its parameters in
        let mut on = base.clone();
        super::super::design::set_path(&mut on, "policy.framework.year", serde_json::json!(2016)).unwrap();
        let sel = select_factors(&on, &[], &[], &[], 0.5).unwrap();
        let slots = sel.factors.iter().find(|f| f.path == "policy.framework.slots_per_line").expect("screened when on");
        assert!(slots.high <= 41.0);
    }

    #[test]
    fn explicit_parameters_exclusions_and_ranges() {
        let base = registry::defaults();
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let sel = select_factors(&base, &p(&["choice.temperature", "providers[1].cost_factor", "sharing.max_guests"]), &[], &[], 0.5).unwrap();
        assert_eq!(sel.factors.len(), 3);
        assert!(close(sel.factors[1].value, 0.9) && sel.factors[2].kind == FactorKind::Int);
        assert!(select_factors(&base, &p(&["choice.nope"]), &[], &[], 0.5).unwrap_err().contains("choice.nope"));
        assert!(select_factors(&base, &p(&["market.csu_reach"]), &[], &[], 0.5).unwrap_err().contains("not a numeric parameter"));
        assert!(select_factors(&base, &p(&["time.years"]), &[], &[], 0.5).is_err());
        assert!(select_factors(&base, &p(&["providers[9].cost_factor"]), &[], &[], 0.5).is_err());
        let all = select_factors(&base, &[], &[], &[], 0.5).unwrap().factors.len();
        let fewer = select_factors(&base, &[], &p(&["power.*", "choice.temperature"]), &[], 0.5).unwrap();
        assert!(fewer.factors.iter().all(|f| !f.path.starts_with("power.") && f.path != "choice.temperature"));
        assert!(fewer.factors.len() + 9 <= all);
        assert!(select_factors(&base, &[], &p(&["nope.*"]), &[], 0.5).is_err());
        let r = [RangeSpec { path: "choice.temperature".into(), lo: 0.01, hi: 0.1 }];
        let sel = select_factors(&base, &p(&["choice.temperature"]), &[], &r, 0.5).unwrap();
        assert_eq!((sel.factors[0].low, sel.factors[0].high), (0.01, 0.1));
        let bad = [RangeSpec { path: "choice.temperature".into(), lo: 0.0, hi: 0.1 }];
        assert!(select_factors(&base, &p(&["choice.temperature"]), &[], &bad, 0.5).is_err(), "below the registry minimum");
        assert!(select_factors(&base, &p(&["choice.temperature"]), &[], &[], 0.0).is_err(), "spread 0");
    }

    #[test]
    fn whole_number_factors_realise_rounded_steps() {
        let f = Factor { path: "x".into(), kind: FactorKind::Int, unit: "".into(), value: 2.0, low: 1.0, high: 3.0, min: 1.0, max: 20.0, rule: String::new() };
        assert_eq!(f.value_at(1.0 / 3.0), 2.0);
        assert!(close(f.realised(1.0 / 3.0), 0.5));
        assert_eq!(f.json_at(1.0), serde_json::json!(3));
        let g = Factor { kind: FactorKind::Float, low: 0.15, high: 0.45, ..f };
        assert_eq!(g.value_at(1.0 / 3.0), 0.25, "clean decimals");
    }

    #[test]
    fn tables_have_ranks_one_to_k_per_metric() {
        let base = registry::defaults();
        let params: Vec<String> = ["choice.temperature", "choice.stay_bias", "sharing.max_guests"].iter().map(|s| s.to_string()).collect();
        let sel = select_factors(&base, &params, &[], &[], 0.5).unwrap();
        let d = morris_design(3, 4, 4, 1).unwrap();
        let real = d.map(|i, u| sel.factors[i].realised(u));
        let y: Vec<f64> = real.iter().flat_map(|t| t.points.iter()).map(|p| p[0] * 2.0 - p[1]).collect();
        let s = MetricScreening::new("m", "u", &real, 3, &y);
        let text = String::from_utf8(sensitivity_csv(&sel.factors, std::slice::from_ref(&s))).unwrap();
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(lines[0].join(","), "metric,parameter,rank,mu_star,mu,sigma,n_effects,range_low,range_high,default,mu_star_scaled,unit,noise_mu_star");
        let cell = |r: usize, c: usize| lines[r][c].parse::<f64>().unwrap_or(f64::NAN);
        assert_eq!(lines[1][..3], ["m", "choice.temperature", "1"]);
        assert!(close(cell(1, 3), 2.0) && close(cell(1, 4), 2.0) && cell(1, 5).abs() < 1e-9 && lines[1][6] == "4");
        assert_eq!(lines[2][..3], ["m", "choice.stay_bias", "2"]);
        assert!(close(cell(2, 3), 1.0) && close(cell(2, 4), -1.0));
        assert_eq!(lines[3][..3], ["m", "sharing.max_guests", "3"]);
        assert!(cell(3, 3).abs() < 1e-12 && lines[3][12].is_empty(), "no noise level without replications");
        let md = markdown(
            &Report { command: "csmarket sensitivity", scenario: "baseline", trajectories: 4, levels: 4, delta: step(4), points: 16, replications: 1, seed: 1, spread: 0.5, top: 10 },
            &sel,
            &[s],
        );
        assert!(md.contains("## m (u)") && md.contains("| 1 | `choice.temperature` |"));
        let dz = String::from_utf8(design_csv(&real, &sel.factors)).unwrap();
        assert_eq!(dz.lines().count(), 1 + 16);
    }
}
