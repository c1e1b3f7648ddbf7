//! Marker files: empty (or free-text) files whose presence changes what happens
//! to a namespace, such as `APPLY_PIPELINE_SKIP_THIS_NAMESPACE` (while it is
//! there, the Cloud Platform apply pipeline applies nothing merged to the
//! namespace). The names come from the `markers` option of the `select: markers`
//! rules, so the configuration can add or change them per path; the CLI passes
//! the files so named ([`MarkerNames::wants`]) and the checker judges them after
//! every root has been checked, when the data stores below their folder are known.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use crate::config::{Config, RuleSettings, levenshtein};
use crate::eval::Value;
use crate::finding::Finding;
use crate::profile::Scalar;
use crate::rules::{
    ActiveRule, DirFacts, Field, Origin, Place, Rule, Select, Truth, uncalled_finding,
};
use crate::source::SourceFile;

/// The option of a `select: markers` rule that names its marker files.
pub const MARKERS_OPTION: &str = "markers";

/// At most this many edits (ignoring case) make a file name a misspelt marker.
const MAX_MISSPELLING: usize = 2;

/// Data stores named in a message before "and N more".
const LISTED_DATA_STORES: usize = 5;

/// How a file name relates to a marker name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerMatch {
    Exact,
    /// Near the name but not it: whatever reads the marker does not see this file.
    Misspelt,
}

/// `Exact` when `file_name` is `marker`; `Misspelt` when it is within two
/// edits of it ignoring case (one edit for names under 16 characters, none
/// under 8, so that short names do not catch ordinary files).
pub fn classify(file_name: &str, marker: &str) -> Option<MarkerMatch> {
    if file_name == marker {
        return Some(MarkerMatch::Exact);
    }
    let allowed = MAX_MISSPELLING.min(marker.len() / 8);
    if file_name.len().abs_diff(marker.len()) > allowed {
        return None;
    }
    let distance = levenshtein(&file_name.to_lowercase(), &marker.to_lowercase());
    (distance <= allowed).then_some(MarkerMatch::Misspelt)
}

/// The string items of a list option.
fn names(option: Option<&Scalar>) -> Vec<&str> {
    match option {
        Some(Scalar::List(items)) => items
            .iter()
            .filter_map(|i| match i {
                Scalar::String(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Every marker name a run may meet: the `markers` option of each `select:
/// markers` rule, by default and wherever the configuration sets it.
#[derive(Debug, Clone, Default)]
pub struct MarkerNames {
    names: BTreeSet<String>,
}

impl MarkerNames {
    /// From the rules of a run and the rule settings of its configuration (every section).
    pub fn new<'s>(
        rules: &[Rule],
        configured: impl IntoIterator<Item = &'s BTreeMap<String, RuleSettings>>,
    ) -> MarkerNames {
        let marker_rules: Vec<&Rule> = rules
            .iter()
            .filter(|r| matches!(r.select, Select::Markers))
            .collect();
        let mut out = BTreeSet::new();
        for rule in &marker_rules {
            let default = rule.options.get(MARKERS_OPTION).map(|o| &o.default);
            out.extend(names(default).into_iter().map(str::to_owned));
        }
        for section in configured {
            for rule in &marker_rules {
                let set = section
                    .get(&rule.id)
                    .and_then(|s| s.options.get(MARKERS_OPTION));
                out.extend(names(set).into_iter().map(str::to_owned));
            }
        }
        MarkerNames { names: out }
    }

    /// From the rules of a run and its `.drlint.yaml`, if any.
    pub fn for_config(rules: &[Rule], config: Option<&Config>) -> MarkerNames {
        MarkerNames::new(rules, config.into_iter().flat_map(Config::sections))
    }

    /// Whether a file of this name is, or nearly is, a marker: the files the
    /// CLI passes to the checker besides Terraform and namespace manifests.
    pub fn wants(&self, file_name: &str) -> bool {
        self.names.iter().any(|n| classify(file_name, n).is_some())
    }
}

/// What is known about the folder holding a marker once its roots are checked.
pub(crate) struct MarkerFolder<'a> {
    /// The folder, as a display path.
    pub folder: &'a str,
    /// The namespace folder's production facts (label, name).
    pub facts: DirFacts,
    /// Production status: the facts, or any root below the folder in production.
    pub in_production: Value,
    /// The addresses of the data stores in the root folders in or below it, sorted.
    pub data_stores: Vec<String>,
}

/// `3 data stores: module.a, module.b, module.c`, at most five named.
fn held(stores: &[String]) -> String {
    match stores.len() {
        0 => "no data store drlint found in this run".to_owned(),
        n => {
            let mut list = stores
                .iter()
                .take(LISTED_DATA_STORES)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            if n > LISTED_DATA_STORES {
                list.push_str(&format!(" and {} more", n - LISTED_DATA_STORES));
            }
            let noun = if n == 1 { "data store" } else { "data stores" };
            format!("{n} {noun}: {list}")
        }
    }
}

/// Where a marker finding points: the first line, or offset 0 of an empty file.
fn marker_span(file: &SourceFile) -> Range<usize> {
    if file.text.is_empty() {
        0..0
    } else {
        file.line_span(0)
    }
}

/// The findings of the marker rules for one marker file; `unknown` counts
/// the rules left undecided.
pub(crate) fn check_marker(
    rules: &[ActiveRule<'_>],
    at: &MarkerFolder<'_>,
    file: &Arc<SourceFile>,
    unknown: &mut usize,
) -> Vec<Finding> {
    let file_name = file.path.rsplit('/').next().unwrap_or(&file.path);
    // the namespace file's name, else the folder's
    let namespace = match at.facts.fields.get("namespace_name").map(|f| &f.value) {
        Some(Value::String(name)) => name.as_str(),
        _ => at.folder.rsplit('/').next().unwrap_or(at.folder),
    };
    let span = marker_span(file);
    let mut findings = Vec::new();
    for active in rules
        .iter()
        .filter(|a| matches!(a.rule.select, Select::Markers))
    {
        let configured = names(active.options.get(MARKERS_OPTION));
        let exact = configured
            .iter()
            .find(|n| classify(file_name, n) == Some(MarkerMatch::Exact));
        let misspelt = configured
            .iter()
            .find(|n| classify(file_name, n) == Some(MarkerMatch::Misspelt));
        let misspelt_of = match (exact, misspelt) {
            (Some(_), _) => None,
            (None, Some(name)) => Some(*name),
            (None, None) => continue,
        };
        let set = |value: Value| Field {
            value,
            origin: Origin::Set {
                name: MARKERS_OPTION.to_owned(),
                file: Arc::clone(file),
                span: span.clone(),
                vias: Vec::new(),
            },
        };
        let computed = |value: Value| Field {
            value,
            origin: Origin::Absent,
        };
        let mut fields = at.facts.fields.clone();
        fields.insert(
            "marker".to_owned(),
            set(Value::String(file_name.to_owned())),
        );
        if let Some(name) = misspelt_of {
            fields.insert(
                "misspelt_of".to_owned(),
                set(Value::String(name.to_owned())),
            );
        }
        fields.insert(
            "namespace".to_owned(),
            computed(Value::String(namespace.to_owned())),
        );
        fields.insert(
            "data_stores".to_owned(),
            computed(Value::Number(at.data_stores.len() as f64)),
        );
        fields.insert(
            "data_stores_held".to_owned(),
            computed(Value::String(held(&at.data_stores))),
        );
        fields.insert(
            crate::rules::IN_PRODUCTION.to_owned(),
            computed(at.in_production.clone()),
        );
        let facts = DirFacts {
            fields,
            anchor: None,
            in_production: at.in_production.clone(),
        };
        match active.rule.fires(&facts, &active.options) {
            Truth::True => {
                let place = Place {
                    anchor: (Arc::clone(file), span.clone()),
                    address: at.folder,
                    kind: "namespace",
                    nearest_profile: None,
                };
                let mut finding = uncalled_finding(active, &place, &facts, &at.in_production);
                finding.label = Some(match misspelt_of {
                    None => "nothing merged is applied while this file exists".to_owned(),
                    Some(name) => format!("the apply pipeline reads `{name}`, not this file"),
                });
                finding.identity = format!("{}#{file_name}", at.folder);
                findings.push(finding);
            }
            Truth::Unknown => *unknown += 1,
            Truth::False => {}
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKER: &str = "APPLY_PIPELINE_SKIP_THIS_NAMESPACE";

    #[test]
    fn near_misses_of_long_names_are_misspelt_markers() {
        assert_eq!(classify(MARKER, MARKER), Some(MarkerMatch::Exact));
        assert_eq!(
            classify("APPLY_PIPELINE_SKIP_THIS_NAMESAPCE", MARKER),
            Some(MarkerMatch::Misspelt)
        );
        assert_eq!(
            classify("apply_pipeline_skip_this_namespace", MARKER),
            Some(MarkerMatch::Misspelt)
        );
        assert_eq!(
            classify("APPLY_PIPELINE_SKIP_THIS_NAMESPACE.md", MARKER),
            None
        );
        assert_eq!(classify("main.tf", MARKER), None);
        // short names: exact only
        assert_eq!(classify("SKIPS", "SKIP"), None);
    }

    #[test]
    fn the_data_store_list_is_truncated() {
        let stores: Vec<String> = (1..=7).map(|i| format!("module.s{i}")).collect();
        assert_eq!(
            held(&stores),
            "7 data stores: module.s1, module.s2, module.s3, module.s4, module.s5 and 2 more"
        );
        assert_eq!(held(&stores[..1]), "1 data store: module.s1");
        assert_eq!(held(&[]), "no data store drlint found in this run");
    }
}
