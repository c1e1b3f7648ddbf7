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

use crate::hcl::ParseError;
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
