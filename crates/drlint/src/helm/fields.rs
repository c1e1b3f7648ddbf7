//! What the rules see of merged Helm values: key paths as fields.

use std::collections::BTreeMap;

use super::layers::{Merged, Value as HelmValue};
use crate::eval::Value;
use crate::rules::{Field, Fields, Origin};

/// Splits a key path: `ingress.annotations["nginx.ingress.kubernetes.io/limit-rps"]`
/// → `ingress`, `annotations`, `nginx.ingress.kubernetes.io/limit-rps`.
/// `None` when a bracket is not closed.
pub fn split_path(path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[\"") {
            let end = after.find("\"]")?;
            out.push(after[..end].to_owned());
            rest = &after[end + 2..];
            rest = rest.strip_prefix('.').unwrap_or(rest);
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        if end > 0 {
            out.push(rest[..end].to_owned());
        }
        rest = &rest[end..];
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    Some(out)
}

/// A key path as rules write it: keys holding a dot, a slash or a bracket are quoted.
pub fn join_path(keys: &[String]) -> String {
    let mut out = String::new();
    for key in keys {
        let plain = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
        if plain {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(key);
        } else {
            out.push_str(&format!("[\"{key}\"]"));
        }
    }
    out
}

/// A merged value as the rule engine's value.
pub fn to_value(node: &Merged) -> Value {
    match &node.value {
        HelmValue::Null => Value::Null,
        HelmValue::Bool(b) => Value::Bool(*b),
        HelmValue::Int(i) => Value::Number(*i as f64),
        HelmValue::Float(f) => Value::Number(*f),
        HelmValue::Str(s) => Value::String(s.clone()),
        HelmValue::Seq(items) => Value::List(items.iter().map(to_value).collect()),
        HelmValue::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// The field of a merged node: its value and where it was set (a layer, or
/// the chart profile's defaults).
pub fn field_of(node: Option<&Merged>, path: &str, partial: bool) -> Field {
    match node {
        Some(node) => Field {
            value: to_value(node),
            origin: match &node.default_of {
                Some(profile) => Origin::Default {
                    input: Some(path.to_owned()),
                    profile: profile.to_string(),
                    note: None,
                },
                None => Origin::Set {
                    name: path.to_owned(),
                    file: std::sync::Arc::clone(&node.at.file),
                    span: node.at.span.clone(),
                    vias: Vec::new(),
                },
            },
        },
        // an overlay read without its base: what it does not set is not known
        None if partial => Field {
            value: Value::Unknown,
            origin: Origin::Absent,
        },
        None => Field::absent(),
    }
}

/// A workload or release of merged values, as the rules see it.
pub struct Subject<'m> {
    /// The component's values (its subtree of the merged values).
    pub root: Option<&'m Merged>,
    /// Conventional key prefix → the chart's own (`autoscaling` → `hpa`).
    pub paths: &'m BTreeMap<String, String>,
    pub facts: BTreeMap<&'static str, Value>,
    pub partial: bool,
}

impl Subject<'_> {
    /// The chart's keys for a conventional path.
    pub fn chart_keys(&self, keys: &[String]) -> Vec<String> {
        for (conventional, own) in self.paths {
            let conventional = split_path(conventional).unwrap_or_default();
            if keys.starts_with(&conventional) {
                let mut out = split_path(own).unwrap_or_default();
                out.extend(keys[conventional.len()..].iter().cloned());
                return out;
            }
        }
        keys.to_vec()
    }

    pub fn node(&self, path: &str) -> Option<&Merged> {
        let keys = split_path(path)?;
        self.root?.get_path(&self.chart_keys(&keys))
    }
}

impl Fields for Subject<'_> {
    fn field(&self, name: &str) -> Field {
        if let Some(value) = self.facts.get(name) {
            return Field {
                value: value.clone(),
                origin: Origin::Absent,
            };
        }
        field_of(self.node(name), name, self.partial)
    }
}

/// One key of the merged values, as `select: values_keys` rules see it.
pub struct KeySubject<'m> {
    pub node: &'m Merged,
    pub facts: BTreeMap<&'static str, Value>,
}

impl Fields for KeySubject<'_> {
    fn field(&self, name: &str) -> Field {
        if name == "value" {
            return field_of(Some(self.node), "value", false);
        }
        Field {
            value: self.facts.get(name).cloned().unwrap_or(Value::Null),
            origin: Origin::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_with_dots_and_slashes() {
        let keys =
            split_path("ingress.annotations[\"nginx.ingress.kubernetes.io/limit-rps\"]").unwrap();
        assert_eq!(
            keys,
            [
                "ingress",
                "annotations",
                "nginx.ingress.kubernetes.io/limit-rps"
            ]
        );
        assert_eq!(
            join_path(&keys),
            "ingress.annotations[\"nginx.ingress.kubernetes.io/limit-rps\"]"
        );
        assert_eq!(split_path("a[\"b.c\"].d").unwrap(), ["a", "b.c", "d"]);
        assert_eq!(split_path("a[\"b").map(|k| k.len()), None);
        assert_eq!(
            join_path(&["generic-service".into(), "x".into()]),
            "generic-service.x"
        );
    }
}
