//! Production awareness: a module directory is production when its
//! `is_production` variable resolves to true or its namespace's
//! `00-namespace.yaml` carries `cloud-platform.justice.gov.uk/is-production:
//! "true"`. Only when neither is set does the namespace name decide, by a
//! pattern (`-prod$|-production$`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::Deserialize;
use serde_saphyr::Spanned;

use regex::Regex;

use crate::eval::{Scope, Value};
use crate::hcl::ParseError;
use crate::rules::{DirFacts, Field, Origin};
use crate::source::SourceFile;

pub const NAMESPACE_FILE: &str = "00-namespace.yaml";
pub const PRODUCTION_LABEL: &str = "cloud-platform.justice.gov.uk/is-production";
pub const DEFAULT_PRODUCTION_PATTERN: &str = "-prod$|-production$";

/// What a namespace file says.
#[derive(Debug, Clone)]
pub struct Namespace {
    pub file: Arc<SourceFile>,
    pub name: Option<String>,
    /// The production label's value and the byte span of that value.
    pub production_label: Option<(String, Range<usize>)>,
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, Spanned<String>>,
}

/// Reads the `Namespace` manifest of a (possibly multi-document) YAML file.
pub fn read_namespace(file: &Arc<SourceFile>) -> Result<Namespace, ParseError> {
    let docs: Vec<Option<Manifest>> =
        serde_saphyr::from_multiple(&file.text).map_err(|e| ParseError {
            offset: e
                .location()
                .and_then(|l| l.span().byte_offset())
                .map_or(0, |o| o as usize),
            message: format!(
                "invalid YAML: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
        })?;
    let manifest = docs
        .into_iter()
        .flatten()
        .find(|m| m.kind.as_deref() == Some("Namespace"));
    let Some(metadata) = manifest.and_then(|m| m.metadata) else {
        return Ok(Namespace {
            file: Arc::clone(file),
            name: None,
            production_label: None,
        });
    };
    let production_label = metadata.labels.get(PRODUCTION_LABEL).map(|v| {
        let span = v.referenced.span();
        let start = span.byte_offset().unwrap_or(0) as usize;
        let len = span.byte_len().unwrap_or(0) as usize;
        (v.value.clone(), start..start + len)
    });
    Ok(Namespace {
        file: Arc::clone(file),
        name: metadata.name,
        production_label,
    })
}

/// Production facts for a root: its `is_production` variable, its namespace
/// file (in the folder or its parent) and its namespace name. An explicit
/// variable or label wins over the name, which decides only when neither is set.
pub fn production_facts(
    scope: &Scope<'_>,
    namespace: Option<&Namespace>,
    path: &str,
    production_name: &Regex,
) -> DirFacts {
    let mut facts = DirFacts::default();
    let mut signals = Vec::new();
    if scope.declares("is_production") {
        let mut vias = Vec::new();
        let value = scope.variable("is_production", &mut vias);
        let origin = match vias.first() {
            Some(via) => Origin::Set {
                name: "is_production".to_owned(),
                file: Arc::clone(&via.file),
                span: via.span.clone(),
                vias: vias[1..].to_vec(),
            },
            None => Origin::Absent,
        };
        if let Origin::Set { file, span, .. } = &origin {
            facts.anchor = Some((Arc::clone(file), span.clone()));
        }
        signals.push(
            value
                .to_bool()
                .map(|b| b.map_or(Value::Unknown, Value::Bool))
                .unwrap_or(Value::Bool(false)),
        );
        facts
            .fields
            .insert("is_production_variable".to_owned(), Field { value, origin });
    }
    let name = namespace
        .as_ref()
        .and_then(|n| n.name.clone())
        .unwrap_or_else(|| namespace_name(path).to_owned());
    if let Some(ns) = &namespace
        && let Some((label, span)) = &ns.production_label
    {
        let value = Value::String(label.clone());
        signals.push(Value::Bool(label == "true"));
        facts.fields.insert(
            "namespace_label".to_owned(),
            Field {
                value,
                origin: Origin::Set {
                    name: PRODUCTION_LABEL.to_owned(),
                    file: Arc::clone(&ns.file),
                    span: span.clone(),
                    vias: Vec::new(),
                },
            },
        );
        if facts.anchor.is_none() {
            facts.anchor = Some((Arc::clone(&ns.file), span.clone()));
        }
    }
    let name_matches = production_name.is_match(&name);
    facts.fields.insert(
        "namespace_name".to_owned(),
        Field {
            value: Value::String(name),
            origin: Origin::Absent,
        },
    );
    facts.fields.insert(
        "namespace_name_is_production".to_owned(),
        Field {
            value: Value::Bool(name_matches),
            origin: Origin::Absent,
        },
    );
    // An explicit variable or label wins over the name, which decides only
    // when neither is set; explicit signals that disagree make it production
    // (and `production-flag-mismatch` says so).
    if signals.is_empty() {
        signals.push(Value::Bool(name_matches));
    }
    facts.in_production = if signals.contains(&Value::Bool(true)) {
        Value::Bool(true)
    } else if signals.contains(&Value::Unknown) {
        Value::Unknown
    } else {
        Value::Bool(false)
    };
    facts
}

/// The namespace a folder belongs to, by name: `ns` for `.../ns/resources`, else the folder's own name.
fn namespace_name(path: &str) -> &str {
    let (parent, name) = path.rsplit_once('/').unwrap_or((".", path));
    if name == "resources" {
        parent.rsplit_once('/').map_or(parent, |(_, n)| n)
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_production_label_with_its_span() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"a-prod\"\n  labels:\n    cloud-platform.justice.gov.uk/is-production: \"true\"\n";
        let file = Arc::new(SourceFile::new(NAMESPACE_FILE, text));
        let ns = read_namespace(&file).unwrap();
        assert_eq!(ns.name.as_deref(), Some("a-prod"));
        let (value, span) = ns.production_label.unwrap();
        assert_eq!(value, "true");
        assert!(text[span].contains("true"));
    }
}
