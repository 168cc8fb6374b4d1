//! Scenario files: reading, `extends` resolution, merging onto the defaults and
//! validation. A scenario is either a built-in (every file in `configs/`, by name) or a
//! path to a JSON file; a file without `extends` overrides the defaults.

use crate::config::validate::type_name;
use crate::config::{self, registry, validate, Config, ConfigError, META_KEYS};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// Most levels of `extends` followed before giving up.
const MAX_DEPTH: usize = 16;

/// A resolved scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The `name` field, else the file stem.
    pub name: String,
    pub description: String,
    pub notes: Vec<String>,
    /// Where it came from: a path, or `built-in:NAME`.
    pub source: String,
    /// The fully resolved configuration (no meta keys).
    pub resolved: Value,
    pub config: Arc<Config>,
}

impl Scenario {
    /// Settings that differ from the baseline (dotted paths and values).
    pub fn diff_from_baseline(&self) -> Vec<(String, Value)> {
        config::diff(&registry::defaults(), &self.resolved)
    }
}

/// Names of the built-in scenarios.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Where a scenario's text came from.
#[derive(Debug, Clone)]
enum Origin {
    Builtin(String),
    File(PathBuf),
}

impl Origin {
    fn label(&self) -> String {
        match self {
            Origin::Builtin(n) => format!("built-in:{n}"),
            Origin::File(p) => p.display().to_string(),
        }
    }
    fn display(&self) -> String {
        match self {
            Origin::Builtin(n) => format!("configs/{n}.json (built in)"),
            Origin::File(p) => p.display().to_string(),
        }
    }
}

/// Parses a JSON value like [`Value`], except that an object with the same key twice is
/// an error (JSON parsers keep the last, so a key repeated by mistake, two `ccgs` blocks
/// say, would silently drop the first), and that it keeps the path of keys and indices
/// it is inside: after an error the stack names the field where parsing stopped, so that
/// a number such as `1e999` is reported by its JSON path as well as its line.
struct Tracked<'a>(&'a RefCell<Vec<Segment>>);

enum Segment {
    Key(String),
    Index(usize),
}

fn path_of(stack: &[Segment]) -> String {
    let mut s = String::new();
    for seg in stack {
        match seg {
            Segment::Key(k) if s.is_empty() => s.push_str(k),
            Segment::Key(k) => {
                s.push('.');
                s.push_str(k);
            }
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

impl<'de> serde::de::DeserializeSeed<'de> for Tracked<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Tracked<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, x: i64) -> Result<Value, E> {
        Ok(Value::from(x))
    }
    fn visit_u64<E>(self, x: u64) -> Result<Value, E> {
        Ok(Value::from(x))
    }
    fn visit_f64<E>(self, x: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut v = Vec::new();
        loop {
            self.0.borrow_mut().push(Segment::Index(v.len()));
            match seq.next_element_seed(Tracked(self.0))? {
                Some(x) => v.push(x),
                None => break,
            }
            self.0.borrow_mut().pop();
        }
        self.0.borrow_mut().pop();
        Ok(Value::Array(v))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let twice = m.contains_key(&k);
            self.0.borrow_mut().push(Segment::Key(k.clone()));
            if twice {
                return Err(serde::de::Error::custom(format!("duplicate key \"{k}\" (each key may appear once in an object)")));
            }
            let x = map.next_value_seed(Tracked(self.0))?;
            self.0.borrow_mut().pop();
            m.insert(k, x);
        }
        Ok(Value::Object(m))
    }
}

fn parse(text: &str, origin: &Origin) -> Result<Map<String, Value>, ConfigError> {
    // editors on some systems start UTF-8 files with a byte-order mark
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let stack = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde::de::DeserializeSeed::deserialize(Tracked(&stack), &mut de).and_then(|v| de.end().map(|()| v));
    let v = parsed.map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of file",
            _ if e.to_string().contains("number out of range") => "a number too large to represent (numbers must be finite)",
            _ if e.to_string().contains("duplicate key") => "a key given twice",
            _ => "malformed JSON",
        };
        // serde_json ends its message with the position, which is already given first
        let full = e.to_string();
        let detail = full.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())).unwrap_or(&full);
        ConfigError::new(&origin.display(), &path_of(&stack.borrow()), format!("{what} at line {}, column {}: {detail}", e.line(), e.column()))
    })?;
    match v {
        Value::Object(m) => Ok(m),
        other => Err(ConfigError::new(&origin.display(), "", format!("a scenario must be a JSON object, found {}", type_name(&other)))),
    }
}

/// Locate a scenario argument: an existing file, else a built-in name.
fn locate(arg: &str, relative_to: Option<&Path>) -> Result<Origin, ConfigError> {
    let candidate = match relative_to {
        Some(dir) if !Path::new(arg).is_absolute() => dir.join(arg),
        _ => PathBuf::from(arg),
    };
    if candidate.is_file() {
        return Ok(Origin::File(candidate));
    }
    let stem = arg.strip_suffix(".json").unwrap_or(arg);
    if builtin(stem).is_some() && !arg.contains('/') {
        return Ok(Origin::Builtin(stem.to_string()));
    }
    if candidate.exists() {
        return Err(ConfigError::new(&candidate.display().to_string(), "", "is not a file"));
    }
    Err(ConfigError::new(
        &candidate.display().to_string(),
        "",
        format!("no such file, and not a built-in scenario; built-ins: {}", builtin_names().join(", ")),
    ))
}

fn read(origin: &Origin) -> Result<String, ConfigError> {
    match origin {
        Origin::Builtin(n) => Ok(builtin(n).expect("located built-in").to_string()),
        Origin::File(p) => std::fs::read_to_string(p).map_err(|e| ConfigError::new(&p.display().to_string(), "", format!("cannot read: {e}"))),
    }
}

fn string_field(m: &Map<String, Value>, key: &str, origin: &Origin) -> Result<Option<String>, ConfigError> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ConfigError::new(&origin.display(), key, format!("expected a string, found {}", type_name(other)))),
    }
}

fn notes_field(m: &Map<String, Value>, origin: &Origin) -> Result<Vec<String>, ConfigError> {
    match m.get("notes") {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(String::from).ok_or_else(|| ConfigError::new(&origin.display(), "notes", "expected a string or a list of strings")))
            .collect(),
        Some(other) => Err(ConfigError::new(&origin.display(), "notes", format!("expected a string or a list of strings, found {}", type_name(other)))),
    }
}

/// The value at a JSON path as errors write it (`a.b[2].c`), if the tree has it.
fn value_at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            cur = cur.get(key)?;
        }
        for idx in rest.split('[').filter(|x| !x.is_empty()) {
            cur = cur.get(idx.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(cur)
}

/// Blame the file that wrote the offending value: the first file of the `extends`
/// chain (child first) whose own text has the error's path. Errors about values no file
/// sets (defaults, or settings inconsistent with each other) stay with the file loaded.
fn attribute(mut e: ConfigError, files: &[(String, Value)]) -> ConfigError {
    if !e.path.is_empty() {
        if let Some((file, _)) = files.iter().find(|(_, own)| value_at(own, &e.path).is_some()) {
            e.file = file.clone();
        }
    }
    e
}

/// Resolve a scenario's text to the full parameter tree (without meta keys). `files`
/// collects each file of the `extends` chain with its own text, child first.
fn resolve(origin: &Origin, chain: &mut Vec<String>, files: &mut Vec<(String, Value)>) -> Result<(Value, Map<String, Value>), ConfigError> {
    let label = origin.label();
    if chain.contains(&label) {
        chain.push(label);
        return Err(ConfigError::new(&origin.display(), "extends", format!("circular extends: {}", chain.join(" -> "))));
    }
    if chain.len() >= MAX_DEPTH {
        return Err(ConfigError::new(&origin.display(), "extends", format!("more than {MAX_DEPTH} levels of extends")));
    }
    chain.push(label);
    let own = parse(&read(origin)?, origin)?;
    files.push((origin.display(), Value::Object(own.clone())));
    let mut base = match string_field(&own, "extends", origin)? {
        Some(parent) => {
            let dir = match origin {
                Origin::File(p) => p.parent().map(Path::to_path_buf),
                Origin::Builtin(_) => None,
            };
            let parent_origin = locate(&parent, dir.as_deref()).map_err(|e| ConfigError::new(&origin.display(), "extends", format!("\"{parent}\": {}", e.message)))?;
            resolve(&parent_origin, chain, files)?.0
        }
        None => registry::defaults(),
    };
    let mut overrides = own.clone();
    for k in META_KEYS {
        overrides.remove(*k);
    }
    config::merge(&mut base, &Value::Object(overrides));
    Ok((base, own))
}

/// Load and validate a scenario given as a path or a built-in name.
pub fn load(arg: &str) -> Result<Scenario, ConfigError> {
    let origin = locate(arg, None)?;
    let mut files = Vec::new();
    let (resolved, own) = resolve(&origin, &mut Vec::new(), &mut files)?;
    let display = origin.display();
    let config = validate(&resolved, &display).map_err(|e| attribute(e, &files))?;
    let name = match string_field(&own, "name", &origin)? {
        Some(n) => n,
        None => match &origin {
            Origin::Builtin(n) => n.clone(),
            Origin::File(p) => p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into()),
        },
    };
    if name.is_empty() || name.contains(|c: char| c == ',' || c == '"' || c.is_control()) {
        return Err(ConfigError::new(&display, "name", "must be non-empty and contain no comma, quote or control character"));
    }
    Ok(Scenario {
        name,
        description: string_field(&own, "description", &origin)?.unwrap_or_default(),
        notes: notes_field(&own, &origin)?,
        source: origin.label(),
        resolved,
        config: Arc::new(config),
    })
}

/// Build a scenario from an in-memory resolved configuration (for sweeps and replays).
pub fn from_resolved(name: &str, description: &str, source: &str, resolved: Value) -> Result<Scenario, ConfigError> {
    let config = validate(&resolved, source)?;
    Ok(Scenario { name: name.to_string(), description: description.to_string(), notes: Vec::new(), source: source.to_string(), resolved, config: Arc::new(config) })
}
