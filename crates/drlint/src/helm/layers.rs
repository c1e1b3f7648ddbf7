//! Layering: values files merged as `helm -f base -f overlay` merges them.
//!
//! Maps merge deeply; lists and scalars are replaced whole; `null` deletes
//! the key. Every merged value remembers the file and span that set it and,
//! when an overlay replaced it, the value it replaced; a replaced list and a
//! deleted key are recorded as [`Overlay`] events for the rules.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::yaml::{self, Node};
use crate::source::SourceFile;

/// Where something is written: a file and a byte span.
#[derive(Debug, Clone)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
}

impl PartialEq for Loc {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.file, &other.file) && self.span == other.span
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Merged>),
    Map(Vec<(String, Merged)>),
}

/// A value after merging, with its provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    pub value: Value,
    /// The value as written, in the layer that set it.
    pub at: Loc,
    /// The key, in the layer that set it (absent for list items and roots).
    pub key: Option<Loc>,
    /// The value an overlay replaced, in the layer below.
    pub overrode: Option<Loc>,
    /// Index of the layer that set it (0: the lowest).
    pub layer: usize,
    /// Set by no file: the chart profile's default ("chart generic-service 3.12.4").
    pub default_of: Option<Arc<str>>,
}

impl Merged {
    pub fn get(&self, key: &str) -> Option<&Merged> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_path(&self, path: &[String]) -> Option<&Merged> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn entries(&self) -> &[(String, Merged)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }
}

/// What an overlay did that loses something from the layer below.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// A list replaced whole (Helm does not merge lists): base entries dropped.
    ListReplaced {
        path: Vec<String>,
        overlay: Loc,
        base: Loc,
        /// Base items that the overlay's list does not hold.
        dropped: usize,
    },
    /// `key: null` (or an empty value) in an overlay: the key is deleted.
    KeyDeleted {
        path: Vec<String>,
        overlay: Loc,
        base: Loc,
    },
}

/// Merged values of one release in one environment.
#[derive(Debug, Clone)]
pub struct Layered {
    pub root: Merged,
    pub overlays: Vec<Overlay>,
}

/// Converts a YAML node of layer `layer` (no merging yet).
pub fn from_yaml(node: &Node, key: Option<Loc>, file: &Arc<SourceFile>, layer: usize) -> Merged {
    let at = Loc {
        file: Arc::clone(file),
        span: node.span.clone(),
    };
    let value = match &node.value {
        yaml::Value::Null => Value::Null,
        yaml::Value::Bool(b) => Value::Bool(*b),
        yaml::Value::Int(i) => Value::Int(*i),
        yaml::Value::Float(f) => Value::Float(*f),
        yaml::Value::Str(s) => Value::Str(s.clone()),
        yaml::Value::Seq(items) => Value::Seq(
            items
                .iter()
                .map(|i| from_yaml(i, None, file, layer))
                .collect(),
        ),
        yaml::Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| {
                    let key = Loc {
                        file: Arc::clone(file),
                        span: e.key_span.clone(),
                    };
                    (e.key.clone(), from_yaml(&e.value, Some(key), file, layer))
                })
                .collect(),
        ),
    };
    Merged {
        value,
        at,
        key,
        overrode: None,
        layer,
        default_of: None,
    }
}

/// A chart profile's defaults as layer 0, located nowhere (`default_of` says whose).
pub fn from_defaults(value: &serde_json::Value, profile: &Arc<str>) -> Merged {
    let value = match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => {
            Value::Seq(items.iter().map(|i| from_defaults(i, profile)).collect())
        }
        serde_json::Value::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), from_defaults(v, profile)))
                .collect(),
        ),
    };
    Merged {
        value,
        at: nowhere(),
        key: None,
        overrode: None,
        layer: 0,
        default_of: Some(Arc::clone(profile)),
    }
}

fn nowhere() -> Loc {
    thread_local! {
        static EMPTY: Arc<SourceFile> = Arc::new(SourceFile::new("", ""));
    }
    Loc {
        file: EMPTY.with(Arc::clone),
        span: 0..0,
    }
}

/// An empty map at layer 0, to hold defaults at a nested key.
pub fn empty_map() -> Merged {
    Merged {
        value: Value::Map(Vec::new()),
        at: nowhere(),
        key: None,
        overrode: None,
        layer: 0,
        default_of: None,
    }
}

/// Merges `layers` (lowest first) as Helm merges `-f` files.
pub fn merge(layers: Vec<Merged>) -> Layered {
    let mut overlays = Vec::new();
    let mut layers = layers.into_iter();
    let Some(mut root) = layers.next() else {
        return Layered {
            root: empty_map(),
            overlays,
        };
    };
    if !matches!(root.value, Value::Map(_)) {
        // an empty file reads as null: an empty map to merge into
        root.value = Value::Map(Vec::new());
    }
    let mut path = Vec::new();
    for layer in layers {
        if let Value::Map(entries) = layer.value {
            merge_map(&mut root, entries, &mut path, &mut overlays);
        }
    }
    Layered { root, overlays }
}

/// Merges `over`'s entries into the map `base`; the recursion is bounded by
/// the YAML reader's depth limit.
fn merge_map(
    base: &mut Merged,
    over: Vec<(String, Merged)>,
    path: &mut Vec<String>,
    overlays: &mut Vec<Overlay>,
) {
    let Value::Map(entries) = &mut base.value else {
        return;
    };
    // keys are looked up by hash and deleted ones dropped at the end: linear in the map's size
    let mut index: HashMap<String, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    let mut deleted: HashSet<usize> = HashSet::new();
    for (key, value) in over {
        path.push(key.clone());
        match index.get(&key).copied() {
            None => {
                if !matches!(value.value, Value::Null) {
                    index.insert(key.clone(), entries.len());
                    entries.push((key, value));
                }
            }
            Some(i) => {
                let existing = &mut entries[i].1;
                match (&existing.value, &value.value) {
                    (_, Value::Null) => {
                        if existing.default_of.is_none() {
                            overlays.push(Overlay::KeyDeleted {
                                path: path.clone(),
                                overlay: value.key.clone().unwrap_or(value.at.clone()),
                                base: existing.key.clone().unwrap_or(existing.at.clone()),
                            });
                        }
                        deleted.insert(i);
                        index.remove(&key);
                    }
                    (Value::Map(_), Value::Map(_)) => {
                        // the most specific layer that writes the key is where it is shown
                        if value.key.is_some() {
                            existing.key = value.key.clone();
                            existing.at = value.at.clone();
                            existing.layer = value.layer;
                            existing.default_of = None;
                        }
                        let Value::Map(over_entries) = value.value else {
                            unreachable!("matched a map")
                        };
                        merge_map(existing, over_entries, path, overlays);
                    }
                    (old, new) => {
                        if let (Value::Seq(old_items), Value::Seq(new_items), None) =
                            (old, new, &existing.default_of)
                        {
                            let kept: HashSet<String> = new_items.iter().map(canonical).collect();
                            let dropped = old_items
                                .iter()
                                .filter(|o| !kept.contains(&canonical(o)))
                                .count();
                            if dropped > 0 {
                                overlays.push(Overlay::ListReplaced {
                                    path: path.clone(),
                                    overlay: value.key.clone().unwrap_or(value.at.clone()),
                                    base: existing.key.clone().unwrap_or(existing.at.clone()),
                                    dropped,
                                });
                            }
                        }
                        // a chart default is not a place in a file
                        let overrode = existing.default_of.is_none().then(|| existing.at.clone());
                        *existing = Merged { overrode, ..value };
                    }
                }
            }
        }
        path.pop();
    }
    if !deleted.is_empty() {
        let mut i = 0;
        entries.retain(|_| {
            i += 1;
            !deleted.contains(&(i - 1))
        });
    }
}

/// A value as text, regardless of where it is written (maps in key order), to compare items.
fn canonical(m: &Merged) -> String {
    let mut out = String::new();
    write_canonical(m, &mut out);
    out
}

fn write_canonical(m: &Merged, out: &mut String) {
    use std::fmt::Write as _;
    match &m.value {
        Value::Null => out.push('~'),
        Value::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::Str(s) => {
            let _ = write!(out, "{s:?}");
        }
        Value::Seq(items) => {
            out.push('[');
            for item in items {
                write_canonical(item, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Map(entries) => {
            let mut sorted: Vec<&(String, Merged)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (k, v) in sorted {
                let _ = write!(out, "{k:?}:");
                write_canonical(v, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(path: &str, text: &str, index: usize) -> Merged {
        let file = Arc::new(SourceFile::new(path, text));
        let yaml = yaml::parse(text);
        let doc = yaml.documents.into_iter().next().unwrap_or(Node {
            value: yaml::Value::Null,
            span: 0..0,
            alias: None,
        });
        from_yaml(&doc, None, &file, index)
    }

    fn shown(loc: &Loc) -> String {
        format!(
            "{}:{}",
            loc.file.path,
            loc.file.line_col(loc.span.start).line
        )
    }

    #[test]
    fn maps_merge_lists_and_scalars_are_replaced_null_deletes() {
        let base = layer(
            "values.yaml",
            "app:\n  replicas: 2\n  env:\n    - A\n    - B\n  ingress:\n    enabled: true\n    host: x\n  gone: 1\n",
            0,
        );
        let prod = layer(
            "values-prod.yaml",
            "app:\n  replicas: 4\n  env:\n    - A\n  ingress:\n    host: yy\n  gone: null\n",
            1,
        );
        let merged = merge(vec![base, prod]);
        let app = merged.root.get("app").unwrap();
        let replicas = app.get("replicas").unwrap();
        assert_eq!(replicas.value, Value::Int(4));
        assert_eq!(shown(&replicas.at), "values-prod.yaml:2");
        assert_eq!(shown(replicas.overrode.as_ref().unwrap()), "values.yaml:2");
        let ingress = app.get("ingress").unwrap();
        assert_eq!(ingress.get("enabled").unwrap().value, Value::Bool(true));
        assert_eq!(shown(&ingress.get("enabled").unwrap().at), "values.yaml:7");
        assert_eq!(ingress.get("host").unwrap().value, Value::Str("yy".into()));
        assert!(app.get("gone").is_none());
        let Value::Seq(env) = &app.get("env").unwrap().value else {
            panic!()
        };
        assert_eq!(env.len(), 1);
        let events: Vec<String> = merged
            .overlays
            .iter()
            .map(|o| match o {
                Overlay::ListReplaced {
                    path,
                    overlay,
                    base,
                    dropped,
                } => format!(
                    "list {} {} over {} ({dropped} dropped)",
                    path.join("."),
                    shown(overlay),
                    shown(base)
                ),
                Overlay::KeyDeleted {
                    path,
                    overlay,
                    base,
                } => format!(
                    "null {} {} over {}",
                    path.join("."),
                    shown(overlay),
                    shown(base)
                ),
            })
            .collect();
        assert_eq!(
            events,
            [
                "list app.env values-prod.yaml:3 over values.yaml:3 (1 dropped)",
                "null app.gone values-prod.yaml:7 over values.yaml:9"
            ]
        );
    }

    #[test]
    fn an_empty_base_and_an_overlay_that_only_adds() {
        let base = layer("values.yaml", "# nothing yet\n", 0);
        let env = layer("values-dev.yaml", "a:\n  b: [1]\n", 1);
        let merged = merge(vec![base, env]);
        assert!(merged.overlays.is_empty());
        assert!(merged.root.get_path(&["a".into(), "b".into()]).is_some());
    }
}
