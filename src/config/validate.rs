//! Checking a resolved scenario against the registry: unknown keys, types, ranges,
//! non-finite numbers and inconsistent settings, each reported with the JSON path and
//! the allowed values.

use super::registry::{self, Kind, Param};
use super::types::Config;
use serde_json::Value;

/// A configuration error: which file, which JSON path, what is wrong and what is allowed.
#[derive(Debug, Clone)]
pub struct ConfigError {
    pub file: String,
    pub path: String,
    pub message: String,
}

impl ConfigError {
    /// An error in `file` at JSON `path` (empty for the file as a whole).
    pub fn new(file: &str, path: &str, message: impl Into<String>) -> Self {
        ConfigError { file: file.to_string(), path: path.to_string(), message: message.into() }
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.path, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A JSON value's type in words, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The nearest registered key to an unknown one, if any is close.
fn suggest(unknown: &str, candidates: &[String]) -> String {
    let best = candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(unknown, c), c))
        .filter(|(d, c)| *d <= 3.max(c.len() / 3))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((_, c)) => format!("; did you mean \"{c}\"?"),
        None if candidates.len() <= 12 => format!("; valid keys here: {}", candidates.join(", ")),
        None => String::new(),
    }
}

struct Walker<'a> {
    file: &'a str,
    line_names: Vec<String>,
}

impl Walker<'_> {
    fn err(&self, shown: &str, msg: impl Into<String>) -> ConfigError {
        ConfigError::new(self.file, shown, msg)
    }

    /// Walk an object node whose registry path is `reg` (displayed as `shown`).
    fn object(&self, v: &Value, reg: &str, shown: &str) -> Result<(), ConfigError> {
        let Value::Object(map) = v else {
            return Err(self.err(shown, format!("expected an object, found {}", type_name(v))));
        };
        let known = registry::children(reg);
        for (k, child) in map {
            let child_reg = join(reg, k);
            let child_shown = join(shown, k);
            if let Some(p) = registry::lookup(&child_reg) {
                self.leaf(p, child, &child_shown)?;
            } else if registry::is_object_node(&child_reg) {
                self.object(child, &child_reg, &child_shown)?;
            } else {
                // at the top, a misspelt `description` or `extends` gets its suggestion too
                let mut candidates = known.clone();
                if reg.is_empty() {
                    candidates.extend(super::META_KEYS.iter().map(|k| k.to_string()));
                }
                return Err(self.err(&child_shown, format!("unknown key \"{k}\"{}", suggest(k, &candidates))));
            }
        }
        for k in &known {
            if !map.contains_key(k) {
                return Err(self.err(&join(shown, k), "missing"));
            }
        }
        Ok(())
    }

    fn number(&self, p: &Param, v: &Value, shown: &str) -> Result<f64, ConfigError> {
        let Some(x) = v.as_f64() else {
            return Err(self.err(shown, format!("expected a number, found {}; allowed: {}", type_name(v), p.allowed())));
        };
        if !x.is_finite() {
            return Err(self.err(shown, format!("{x} is not a finite number; allowed: {}", p.allowed())));
        }
        let (lo, hi) = (p.min.unwrap_or(f64::NEG_INFINITY), p.max.unwrap_or(f64::INFINITY));
        if x < lo || x > hi {
            let shown_x = if x.abs() >= 1e15 { format!("{x:e}") } else { x.to_string() };
            return Err(self.err(shown, format!("{shown_x} is out of range; allowed: {} ({})", p.allowed(), p.unit)));
        }
        Ok(x)
    }

    fn leaf(&self, p: &Param, v: &Value, shown: &str) -> Result<(), ConfigError> {
        match &p.kind {
            Kind::Float => {
                self.number(p, v, shown)?;
            }
            Kind::Int => {
                let x = self.number(p, v, shown)?;
                if x.fract() != 0.0 {
                    return Err(self.err(shown, format!("{x} is not a whole number; allowed: {}", p.allowed())));
                }
            }
            Kind::Bool => {
                if !v.is_boolean() {
                    return Err(self.err(shown, format!("expected true or false, found {}", type_name(v))));
                }
            }
            Kind::Choice(options) => match v.as_str() {
                Some(s) if options.contains(&s) => {}
                Some(s) => {
                    let opts: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                    return Err(self.err(shown, format!("\"{s}\" is not allowed; allowed: {}{}", p.allowed(), suggest(s, &opts))));
                }
                None => return Err(self.err(shown, format!("expected a string, found {}; allowed: {}", type_name(v), p.allowed()))),
            },
            Kind::Name => match v.as_str() {
                Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') => {}
                _ => return Err(self.err(shown, format!("expected {}", p.allowed()))),
            },
            Kind::OptionalYear => {
                if !v.is_null() {
                    self.number(p, v, shown)?;
                }
            }
            Kind::FloatList { min_len, max_len } => {
                let Value::Array(items) = v else {
                    return Err(self.err(shown, format!("expected a list, found {}; allowed: {}", type_name(v), p.allowed())));
                };
                if items.len() < *min_len || items.len() > *max_len {
                    return Err(self.err(shown, format!("has {} values; allowed: {}", items.len(), p.allowed())));
                }
                for (k, item) in items.iter().enumerate() {
                    self.number(p, item, &format!("{shown}[{k}]"))?;
                }
            }
            Kind::NameList => {
                let Value::Array(items) = v else {
                    return Err(self.err(shown, format!("expected a list of service-line names, found {}", type_name(v))));
                };
                for (k, item) in items.iter().enumerate() {
                    match item.as_str() {
                        Some(s) if self.line_names.iter().any(|n| n == s) => {}
                        Some(s) => {
                            return Err(self.err(
                                &format!("{shown}[{k}]"),
                                format!("\"{s}\" is not a service line; allowed: {}{}", self.line_names.join(", "), suggest(s, &self.line_names)),
                            ))
                        }
                        None => return Err(self.err(&format!("{shown}[{k}]"), "expected a service-line name")),
                    }
                }
            }
            Kind::Objects => {
                let Value::Array(items) = v else {
                    return Err(self.err(shown, format!("expected a list, found {}; allowed: {}", type_name(v), p.allowed())));
                };
                let n = items.len() as f64;
                if n < p.min.unwrap_or(0.0) || n > p.max.unwrap_or(f64::INFINITY) {
                    return Err(self.err(shown, format!("has {} entries; allowed: {}", items.len(), p.allowed())));
                }
                let item_reg = format!("{}[]", p.path);
                for (k, item) in items.iter().enumerate() {
                    let item_shown = format!("{shown}[{k}]");
                    let Value::Object(map) = item else {
                        return Err(self.err(&item_shown, format!("expected an object, found {}", type_name(item))));
                    };
                    let known = registry::children(&item_reg);
                    for (key, fv) in map {
                        match registry::lookup(&format!("{item_reg}.{key}")) {
                            Some(fp) => self.leaf(fp, fv, &format!("{item_shown}.{key}"))?,
                            None => {
                                return Err(self.err(&format!("{item_shown}.{key}"), format!("unknown key \"{key}\"{}", suggest(key, &known))))
                            }
                        }
                    }
                    for key in &known {
                        if !map.contains_key(key) {
                            return Err(self.err(&format!("{item_shown}.{key}"), "missing (list entries are replaced whole, so give every field)"));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Largest problem size accepted: beliefs are CCGs x providers x lines.
const MAX_BELIEF_CELLS: f64 = 2.0e8;

/// Validate a fully resolved scenario (baseline merged with overrides, meta keys removed)
/// and turn it into a typed `Config`.
pub fn validate(v: &Value, file: &str) -> Result<Config, ConfigError> {
    let line_names: Vec<String> = v
        .get("service_lines")
        .and_then(|x| x.as_array())
        .map(|a| a.iter().filter_map(|l| l.get("name").and_then(|n| n.as_str()).map(String::from)).collect())
        .unwrap_or_default();
    let w = Walker { file, line_names };
    w.object(v, "", "")?;
    let mut v = v.clone();
    normalise_ints(&mut v, "");
    let cfg: Config = serde_json::from_value(v).map_err(|e| ConfigError::new(file, "", e.to_string()))?;
    check_consistency(&cfg, file)?;
    Ok(cfg)
}

/// Whole-number floats (`10.0`) given for integer parameters become integers.
fn normalise_ints(v: &mut Value, reg: &str) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                normalise_ints(child, &join(reg, k));
            }
        }
        Value::Array(items) if registry::lookup(reg).is_some_and(|p| p.kind == Kind::Objects) => {
            for item in items.iter_mut() {
                if let Value::Object(m) = item {
                    for (k, child) in m.iter_mut() {
                        normalise_ints(child, &format!("{reg}[].{k}"));
                    }
                }
            }
        }
        Value::Number(n) if registry::lookup(reg).is_some_and(|p| p.kind == Kind::Int) => {
            if let Some(x) = n.as_f64() {
                *v = Value::from(x as i64);
            }
        }
        _ => {}
    }
}

fn check_consistency(c: &Config, file: &str) -> Result<(), ConfigError> {
    let e = |path: &str, msg: String| Err(ConfigError::new(file, path, msg));
    if c.time.steps_per_year % c.time.rounds_per_year != 0 {
        return e("time.rounds_per_year", format!("{} does not divide time.steps_per_year = {}", c.time.rounds_per_year, c.time.steps_per_year));
    }
    let n = c.ccgs.count as f64;
    if c.ccgs.population_min > c.ccgs.population_max {
        return e("ccgs.population_min", format!("{} is above ccgs.population_max = {}", c.ccgs.population_min, c.ccgs.population_max));
    }
    if c.ccgs.population_total < n * c.ccgs.population_min || c.ccgs.population_total > n * c.ccgs.population_max {
        return e(
            "ccgs.population_total",
            format!(
                "{} cannot be split over {} CCGs of {} to {} persons; allowed: {} to {}",
                c.ccgs.population_total,
                c.ccgs.count,
                c.ccgs.population_min,
                c.ccgs.population_max,
                n * c.ccgs.population_min,
                n * c.ccgs.population_max
            ),
        );
    }
    if c.ccgs.clinical_sessions_min > c.ccgs.clinical_sessions_max {
        return e("ccgs.clinical_sessions_min", format!("{} is above ccgs.clinical_sessions_max = {}", c.ccgs.clinical_sessions_min, c.ccgs.clinical_sessions_max));
    }
    if c.ccgs.network_degree >= c.ccgs.count.max(1) && c.ccgs.network_degree > 0 {
        return e("ccgs.network_degree", format!("{} must be below ccgs.count = {}", c.ccgs.network_degree, c.ccgs.count));
    }
    for (k, l) in c.service_lines.iter().enumerate() {
        if c.service_lines[..k].iter().any(|o| o.name == l.name) {
            return e(&format!("service_lines[{k}].name"), format!("\"{}\" is used twice; names must be unique", l.name));
        }
    }
    if c.csus.markup_min > c.csus.markup_max {
        return e("csus.markup_min", format!("{} is above csus.markup_max = {}", c.csus.markup_min, c.csus.markup_max));
    }
    let mut n_other = 0u64;
    for (k, p) in c.providers.iter().enumerate() {
        if p.lines_min > p.lines_max {
            return e(&format!("providers[{k}].lines_min"), format!("{} is above lines_max = {}", p.lines_min, p.lines_max));
        }
        let avail = if p.lines.is_empty() { c.service_lines.len() } else { p.lines.len() };
        if p.lines_min as usize > avail {
            return e(&format!("providers[{k}].lines_min"), format!("{} is more than the {} lines this kind may offer", p.lines_min, avail));
        }
        n_other += p.count as u64;
    }
    let n_suppliers = c.csus.count as u64 + n_other;
    if n_suppliers > 2000 {
        return e("providers", format!("{n_suppliers} suppliers in all; allowed: at most 2000 (CSUs plus other providers)"));
    }
    let cells = c.ccgs.count as f64 * n_suppliers as f64 * c.service_lines.len() as f64;
    if cells > MAX_BELIEF_CELLS {
        return e(
            "ccgs.count",
            format!("{} CCGs x {} suppliers x {} lines = {:.0} belief cells would exhaust memory; allowed: at most {:.0}", c.ccgs.count, n_suppliers, c.service_lines.len(), cells, MAX_BELIEF_CELLS),
        );
    }
    if c.policy.framework.year.is_some() && c.policy.framework.slots_per_line as u64 > n_suppliers {
        return e(
            "policy.framework.slots_per_line",
            format!("{} is above the number of suppliers ({} CSUs + {} other providers); allowed: 1 to {}", c.policy.framework.slots_per_line, c.csus.count, n_other, n_suppliers),
        );
    }
    let (y0, y1) = (c.time.start_year, c.time.start_year + c.time.years as f64);
    let years: [(&str, Option<f64>); 9] = [
        ("policy.checkpoints.year", c.policy.checkpoints.year),
        ("policy.authorisation_end.year", c.policy.authorisation_end.year),
        ("policy.market_opening.year", c.policy.market_opening.year),
        ("policy.framework.year", c.policy.framework.year),
        ("policy.externalisation.year", c.policy.externalisation.year),
        ("policy.insourcing_guidance.year", c.policy.insourcing_guidance.year),
        ("policy.efficiency_requirement.year", c.policy.efficiency_requirement.year),
        ("policy.platform.year", c.policy.platform.year),
        ("policy.acs_shift.year", c.policy.acs_shift.year),
    ];
    for (path, y) in years {
        if let Some(y) = y {
            if y < y0 || y > y1 {
                return e(path, format!("{y} is outside the simulated period; allowed: {y0} to {y1} (time.start_year to start + time.years), or null"));
            }
        }
    }
    for (k, w) in c.policy.ccg_mergers.iter().enumerate() {
        if w.year < y0 || w.year > y1 {
            return e(&format!("policy.ccg_mergers[{k}].year"), format!("{} is outside the simulated period; allowed: {y0} to {y1}", w.year));
        }
        if w.group_size > c.ccgs.count {
            return e(&format!("policy.ccg_mergers[{k}].group_size"), format!("{} is above ccgs.count = {}", w.group_size, c.ccgs.count));
        }
    }
    Ok(())
}
