//! What the `Chart.yaml` files say: each chart folder's dependencies (name,
//! alias, version), which decide the chart profiles a release's values meet.

use std::collections::HashMap;

use super::check::{HelmOutcome, dir_of};
use super::yaml::{self, Problem};
use crate::Input;
use crate::check::Checker;

/// A dependency a `Chart.yaml` declares.
pub(super) struct ChartDependency {
    pub name: String,
    pub alias: Option<String>,
    pub version: Option<String>,
}

/// The dependencies of each chart folder's `Chart.yaml`.
pub(super) fn read_charts(
    checker: &Checker,
    charts: &[&Input],
    out: &mut HelmOutcome,
) -> HashMap<String, Vec<ChartDependency>> {
    let mut by_dir = HashMap::new();
    for input in charts {
        let Ok(file) = checker.decode(input) else {
            // an unreadable Chart.yaml only loses the chart's name
            continue;
        };
        let parsed = yaml::parse_with(&file.text, checker.settings.helm.limits);
        if parsed.problems.iter().any(Problem::is_fatal) {
            out.findings
                .extend(checker.yaml_problems(&file, &parsed.problems));
            continue;
        }
        let deps = parsed
            .documents
            .first()
            .and_then(|d| d.get("dependencies"))
            .map(|d| match &d.value {
                yaml::Value::Seq(items) => items
                    .iter()
                    .filter_map(|i| {
                        let text = |k: &str| match i.get(k).map(|n| &n.value) {
                            Some(yaml::Value::Str(s)) => Some(s.clone()),
                            _ => None,
                        };
                        Some(ChartDependency {
                            name: text("name")?,
                            alias: text("alias"),
                            version: text("version"),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default();
        by_dir.insert(dir_of(&file.path).to_owned(), deps);
    }
    by_dir
}
