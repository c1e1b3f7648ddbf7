//! The Terraform functions that appear in configuration values.
//!
//! Each takes evaluated arguments; an unknown argument makes the result
//! unknown (except where Terraform itself short-circuits, as `coalesce` and
//! `try` do). A function this library does not know returns unknown.

use std::collections::{BTreeMap, HashMap};
use std::sync::{LazyLock, Mutex};

use hcl_edit::Span;
use hcl_edit::expr::FuncCall;
use regex::Regex;

use super::budget::Limit;
use super::{Env, Scope, Trail, Value, format_number};

pub(super) fn call(scope: &Scope<'_>, env: &Env, call: &FuncCall, trail: &mut Trail) -> Value {
    let name = call.name.name.as_str();
    if call.name.is_namespaced() {
        return Value::Unknown;
    }
    // Lazily evaluated: the first argument that is known wins.
    // `try` returns its first argument that evaluates without error. drlint
    // cannot tell an error from a value it does not know, so an unknown first
    // argument makes the result unknown rather than the fallback.
    if name == "try" {
        return call
            .args
            .iter()
            .next()
            .map_or(Value::Unknown, |first| scope.eval(env, first, trail));
    }
    let mut args: Vec<Value> = call
        .args
        .iter()
        .map(|a| scope.eval(env, a, trail))
        .collect();
    if call.args.expand_final()
        && let Some(Value::List(items)) = args.pop()
    {
        args.extend(items);
    }
    // no function builds more than its arguments hold, but for the text that
    // `replace`, `join` and `format` repeat, which they check themselves: the
    // arguments together must be within the budget before any result is built
    let mut size = super::Growing::new(&scope.budget);
    for arg in &args {
        if let Err(limit) = size.add(arg, 0) {
            return scope.exceed(limit, env.file, call.span());
        }
    }
    let limits = Limits {
        bytes: scope.budget.value_bytes,
        exceeded: None,
    };
    let mut limits = limits;
    let value = apply(name, args, &mut limits);
    match limits.exceeded {
        Some(limit) => scope.exceed(limit, env.file, call.span()),
        None => value,
    }
}

/// What a function may build, and whether it had to stop.
struct Limits {
    bytes: usize,
    exceeded: Option<Limit>,
}

impl Limits {
    /// `None` (and noted) when `len` bytes of text is past the limit.
    fn text(&mut self, len: usize) -> Option<()> {
        if len > self.bytes {
            self.exceeded = Some(Limit::ValueBytes);
            return None;
        }
        Some(())
    }
}

/// Compiled `replace` patterns, shared by every evaluation: a pattern is
/// compiled once, not on every call. Bounded: past [`REGEX_CACHE`] patterns the
/// least recently used is dropped.
struct RegexCache {
    entries: HashMap<String, (Option<Regex>, u64)>,
    clock: u64,
    /// Every pattern compiled, in order (for the tests of the cache).
    #[cfg(test)]
    compiled: Vec<String>,
}

const REGEX_CACHE: usize = 128;
/// A pattern that compiles to more than this is not evaluated (its result is unknown).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

static REGEXES: LazyLock<Mutex<RegexCache>> = LazyLock::new(|| {
    Mutex::new(RegexCache {
        entries: HashMap::new(),
        clock: 0,
        #[cfg(test)]
        compiled: Vec::new(),
    })
});

/// The compiled pattern, from the cache when it is there; `None` if it is not
/// a valid (or is too large a) regular expression.
fn regex(pattern: &str) -> Option<Regex> {
    {
        let mut cache = REGEXES.lock().unwrap_or_else(|e| e.into_inner());
        cache.clock += 1;
        let clock = cache.clock;
        if let Some((re, used)) = cache.entries.get_mut(pattern) {
            *used = clock;
            return re.clone();
        }
    }
    // compiled outside the lock: other threads go on meanwhile
    let re = regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .ok();
    let mut cache = REGEXES.lock().unwrap_or_else(|e| e.into_inner());
    #[cfg(test)]
    cache.compiled.push(pattern.to_owned());
    if cache.entries.len() >= REGEX_CACHE
        && let Some(oldest) = cache
            .entries
            .iter()
            .min_by_key(|(_, (_, used))| *used)
            .map(|(k, _)| k.clone())
    {
        cache.entries.remove(&oldest);
    }
    let clock = cache.clock;
    cache
        .entries
        .insert(pattern.to_owned(), (re.clone(), clock));
    re
}

/// How many times `pattern` has been compiled.
#[cfg(test)]
pub(super) fn times_compiled(pattern: &str) -> usize {
    let cache = REGEXES.lock().unwrap_or_else(|e| e.into_inner());
    cache.compiled.iter().filter(|p| *p == pattern).count()
}

fn string(v: &Value) -> Option<String> {
    v.to_string_value().flatten()
}

fn number(v: &Value) -> Option<f64> {
    v.to_number().flatten()
}

fn apply(name: &str, args: Vec<Value>, limits: &mut Limits) -> Value {
    if name == "can" {
        return match args.first() {
            Some(v) if v.contains_unknown() => Value::Unknown,
            Some(_) => Value::Bool(true),
            None => Value::Unknown,
        };
    }
    if name == "coalesce" {
        for arg in &args {
            match arg {
                Value::Unknown => return Value::Unknown,
                Value::Null => continue,
                Value::String(s) if s.is_empty() => continue,
                v => return v.clone(),
            }
        }
        return Value::Unknown;
    }
    if args.iter().any(Value::contains_unknown) {
        return Value::Unknown;
    }
    known(name, &args, limits).unwrap_or(Value::Unknown)
}

/// A function of known arguments; `None` when Terraform would reject the call
/// or the function is not in this library.
fn known(name: &str, args: &[Value], limits: &mut Limits) -> Option<Value> {
    match (name, args) {
        ("tostring", [v]) => match v {
            Value::Null => Some(Value::Null),
            v => string(v).map(Value::String),
        },
        ("tonumber", [v]) => match v {
            Value::Null => Some(Value::Null),
            v => number(v).map(Value::Number),
        },
        ("tobool", [v]) => match v {
            Value::Null => Some(Value::Null),
            v => v.to_bool().flatten().map(Value::Bool),
        },
        ("lower", [v]) => string(v).map(|s| Value::String(s.to_lowercase())),
        ("upper", [v]) => string(v).map(|s| Value::String(s.to_uppercase())),
        ("trimspace", [v]) => string(v).map(|s| Value::String(s.trim().to_owned())),
        ("replace", [s, from, to]) => {
            let (s, from, to) = (string(s)?, string(from)?, string(to)?);
            if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
                let re = regex(&from[1..from.len() - 1])?;
                // `replace_all`, with the text's growth checked at each match
                let mut out = String::new();
                let mut last = 0;
                for caps in re.captures_iter(&s) {
                    let m = caps.get(0)?;
                    out.push_str(&s[last..m.start()]);
                    caps.expand(&to, &mut out);
                    last = m.end();
                    limits.text(out.len())?;
                }
                out.push_str(&s[last..]);
                Some(Value::String(out))
            } else {
                if !from.is_empty() && to.len() > from.len() {
                    let grown = s.matches(from.as_str()).count() * (to.len() - from.len());
                    limits.text(s.len() + grown)?;
                }
                Some(Value::String(s.replace(&from, &to)))
            }
        }
        ("substr", [s, offset, length]) => {
            let chars: Vec<char> = string(s)?.chars().collect();
            let (offset, length) = (number(offset)? as i64, number(length)? as i64);
            let start = if offset < 0 {
                chars.len() as i64 + offset
            } else {
                offset
            };
            let start = start.clamp(0, chars.len() as i64) as usize;
            let end = if length < 0 {
                chars.len()
            } else {
                (start + length as usize).min(chars.len())
            };
            Some(Value::String(chars[start..end].iter().collect()))
        }
        ("join", [sep, rest @ ..]) if !rest.is_empty() => {
            let sep = string(sep)?;
            let mut parts = Vec::new();
            let mut len = 0;
            for list in rest {
                let Value::List(items) = list else {
                    return None;
                };
                for item in items {
                    let part = string(item)?;
                    len += part.len() + sep.len();
                    limits.text(len)?;
                    parts.push(part);
                }
            }
            Some(Value::String(parts.join(&sep)))
        }
        ("split", [sep, s]) => {
            let (sep, s) = (string(sep)?, string(s)?);
            Some(Value::List(
                s.split(sep.as_str())
                    .map(|p| Value::String(p.to_owned()))
                    .collect(),
            ))
        }
        ("format", [fmt, rest @ ..]) => format(&string(fmt)?, rest, limits).map(Value::String),
        ("length", [v]) => match v {
            Value::List(items) => Some(Value::Number(items.len() as f64)),
            Value::Object(map) => Some(Value::Number(map.len() as f64)),
            Value::String(s) => Some(Value::Number(s.chars().count() as f64)),
            _ => None,
        },
        ("concat", lists) => {
            let mut out = Vec::new();
            for list in lists {
                let Value::List(items) = list else {
                    return None;
                };
                out.extend(items.iter().cloned());
            }
            Some(Value::List(out))
        }
        ("contains", [Value::List(items), v]) => Some(Value::Bool(items.contains(v))),
        ("merge", maps) => {
            let mut out = BTreeMap::new();
            for map in maps {
                match map {
                    Value::Object(m) => out.extend(m.clone()),
                    Value::Null => {}
                    _ => return None,
                }
            }
            Some(Value::Object(out))
        }
        ("lookup", [Value::Object(map), key, rest @ ..]) if rest.len() <= 1 => {
            let key = string(key)?;
            map.get(&key).cloned().or_else(|| rest.first().cloned())
        }
        ("keys", [Value::Object(map)]) => Some(Value::List(
            map.keys().map(|k| Value::String(k.clone())).collect(),
        )),
        ("values", [Value::Object(map)]) => Some(Value::List(map.values().cloned().collect())),
        ("tolist", [Value::List(items)]) => Some(Value::List(unify(items.clone())?)),
        ("toset", [Value::List(items)]) => {
            // a set of primitives is one type and ordered: strings unless all are numbers or bools
            let strings = !items.iter().all(|i| matches!(i, Value::Number(_)))
                && !items.iter().all(|i| matches!(i, Value::Bool(_)));
            let mut out: Vec<Value> = Vec::new();
            for item in items {
                let item = if strings {
                    Value::String(item.to_string_value()??)
                } else {
                    item.clone()
                };
                if !out.contains(&item) {
                    out.push(item);
                }
            }
            out.sort_by(|a, b| match (a, b) {
                (Value::String(x), Value::String(y)) => x.cmp(y),
                (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
                (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
                _ => std::cmp::Ordering::Equal,
            });
            Some(Value::List(out))
        }
        ("tomap", [Value::Object(map)]) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let values = unify(map.values().cloned().collect())?;
            Some(Value::Object(keys.into_iter().zip(values).collect()))
        }
        // Terraform escapes <, > and & in JSON strings
        ("jsonencode", [v]) => Some(Value::String(
            to_json(v)
                .to_string()
                .replace('<', "\\u003c")
                .replace('>', "\\u003e")
                .replace('&', "\\u0026"),
        )),
        _ => None,
    }
}

/// Elements of one collection share one type: primitives of mixed types all
/// become strings (`["a", 3]` is `["a", "3"]`); `None` if that cannot be done.
fn unify(items: Vec<Value>) -> Option<Vec<Value>> {
    let primitive = |v: &Value| matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_));
    let mixed = items.iter().all(|v| primitive(v) || v.is_null())
        && items.iter().any(|v| matches!(v, Value::String(_)))
        && items
            .iter()
            .any(|v| matches!(v, Value::Number(_) | Value::Bool(_)));
    if !mixed {
        return Some(items);
    }
    items
        .into_iter()
        .map(|v| match v {
            Value::Null => Some(Value::Null),
            v => v.to_string_value().flatten().map(Value::String),
        })
        .collect()
}

/// `format` with the verbs configuration values use: `%s`, `%d`, `%v`, `%%`.
fn format(fmt: &str, args: &[Value], limits: &mut Limits) -> Option<String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&string(args.next()?)?),
            'd' => out.push_str(&format_number(number(args.next()?)?.trunc())),
            _ => return None,
        }
        limits.text(out.len())?;
    }
    Some(out)
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null | Value::Unknown => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9e15 => {
            serde_json::Value::from(*n as i64)
        }
        Value::Number(n) => serde_json::Value::from(*n),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Object(map) => {
            serde_json::Value::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}
