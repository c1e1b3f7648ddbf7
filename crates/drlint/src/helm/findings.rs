//! Findings about a Helm release: where they point (the line that set the
//! value, with what it overrode), how they are worded, and one finding per
//! place across environments.

use std::collections::HashMap;
use std::sync::Arc;

use super::fields::{KeySubject, Subject, join_path, split_path};
use super::layers::{Loc, Merged, Overlay, Value as HelmValue};
use super::releases::Release;
use crate::eval::Value;
use crate::finding::{Finding, Related};
use crate::rules::{ActiveRule, Fields};
use crate::source::SourceFile;

/// Where a release's findings point, and how they are worded.
pub(super) struct ReleasePlace<'r> {
    pub release: &'r Release,
    /// The most specific layer: where a finding about something absent points.
    pub top: &'r Arc<SourceFile>,
    pub in_production: &'r Value,
}

fn shown(value: &Value) -> String {
    match value {
        Value::List(items) => format!("a list of {}", items.len()),
        Value::Object(map) => format!("a map of {}", map.len()),
        v => v.to_string(),
    }
}

/// "overrides `2`, set here": the secondary label on the value an overlay
/// replaced, when the node replaced one.
fn label_overridden(f: &mut Finding, node: &Merged) {
    let Some(over) = &node.overrode else {
        return;
    };
    let text = over.file.text.get(over.span.clone()).unwrap_or("").trim();
    let first = text.lines().next().unwrap_or("");
    let message = if first.is_empty() || first.chars().count() > 40 || text.contains('\n') {
        "overrides the value set here".to_owned()
    } else {
        format!("overrides `{first}`, set here")
    };
    f.related.push(Related {
        file: Arc::clone(&over.file),
        span: over.span.clone(),
        message,
    });
}

fn line_of(loc: &Loc) -> String {
    format!(
        "{}:{}",
        loc.file.path,
        loc.file.line_col(loc.span.start).line
    )
}

impl ReleasePlace<'_> {
    fn render(&self, template: &str, fields: &dyn Fields, active: &ActiveRule<'_>) -> String {
        crate::rules::fill_template(template, |name| {
            if let Some(option) = active.options.get(name) {
                return option.to_value().to_string();
            }
            match fields.field(name).value {
                Value::String(s) => s,
                other => shown(&other),
            }
        })
    }

    fn base(&self, active: &ActiveRule<'_>, fields: &dyn Fields) -> (Finding, Option<String>) {
        let case = active.rule.case(fields, &active.options);
        let finding = Finding {
            rule: active.rule.id.clone(),
            severity: crate::rules::severity_of(active, case.severity, self.in_production),
            message: self.render(case.message, fields, active),
            help: Some(self.render(&active.rule.help, fields, active)),
            docs: active.rule.docs.clone(),
            file: Arc::clone(self.top),
            span: 0..0,
            label: None,
            related: Vec::new(),
            identity: String::new(),
            fingerprint: String::new(),
            status: None,
            since: None,
            production: match self.in_production {
                Value::Bool(b) => Some(*b),
                _ => None,
            },
            fix: None,
        };
        (finding, case.target.map(str::to_owned))
    }

    /// A finding about a workload or the release: at the line that set the
    /// target's value (with the value it overrode), else at the nearest key
    /// written above it.
    pub(super) fn workload_finding(
        &self,
        active: &ActiveRule<'_>,
        subject: &Subject<'_>,
        component: &str,
        at: &[String],
        root: &Merged,
    ) -> Finding {
        let (mut f, target) = self.base(active, subject);
        f.identity = format!(
            "{}#{component}#{}",
            self.release.name,
            target.as_deref().unwrap_or("")
        );
        let target_keys = target
            .as_deref()
            .and_then(split_path)
            .map(|k| subject.chart_keys(&k))
            .unwrap_or_default();
        let node = subject.root.and_then(|r| r.get_path(&target_keys));
        let shown_path = target.clone().unwrap_or_default();
        match node {
            Some(node) if node.default_of.is_none() => {
                let key = node.key.clone().unwrap_or(node.at.clone());
                f.file = Arc::clone(&key.file);
                f.span =
                    if Arc::ptr_eq(&key.file, &node.at.file) && node.at.span.end > key.span.start {
                        key.span.start..node.at.span.end
                    } else {
                        key.span.clone()
                    };
                f.label = Some(format!(
                    "`{shown_path}` is {}",
                    shown(&super::fields::to_value(node))
                ));
                label_overridden(&mut f, node);
            }
            other => {
                // absent, or a chart default: the nearest key written above it
                let mut keys: Vec<String> = at.to_vec();
                keys.extend(target_keys.iter().cloned());
                let anchor = nearest_written(root, &keys).unwrap_or(Loc {
                    file: Arc::clone(self.top),
                    span: 0..0,
                });
                f.file = Arc::clone(&anchor.file);
                f.span = anchor.span.clone();
                f.label = Some(match (other, &target) {
                    (Some(node), Some(t)) => format!(
                        "`{t}` is not set: {} defaults it to {}",
                        node.default_of.as_deref().unwrap_or("the chart"),
                        shown(&super::fields::to_value(node))
                    ),
                    (_, Some(t)) => format!("`{t}` is not set"),
                    (_, None) => format!("{component} is defined here"),
                });
            }
        }
        f
    }

    pub(super) fn key_finding(
        &self,
        active: &ActiveRule<'_>,
        subject: &KeySubject<'_>,
        path: &[String],
    ) -> Finding {
        let (mut f, _) = self.base(active, subject);
        let node = subject.node;
        let key = node.key.clone().unwrap_or(node.at.clone());
        f.file = Arc::clone(&key.file);
        f.span = key.span.clone();
        f.identity = format!("{}#{}", self.release.name, join_path(path));
        f.label = Some(match &node.value {
            HelmValue::Map(_) | HelmValue::Seq(_) => format!("`{}`", join_path(path)),
            _ => format!(
                "`{}` is {}",
                join_path(path),
                shown(&super::fields::to_value(node))
            ),
        });
        label_overridden(&mut f, node);
        f
    }

    pub(super) fn overlay_finding(&self, active: &ActiveRule<'_>, event: &Overlay) -> Finding {
        struct NoFields;
        impl Fields for NoFields {
            fn field(&self, _: &str) -> crate::rules::Field {
                crate::rules::Field::absent()
            }
        }
        let (mut f, _) = self.base(active, &NoFields);
        let (path, overlay, base, message, label) = match event {
            Overlay::ListReplaced {
                path,
                overlay,
                base,
                dropped,
            } => (
                path,
                overlay,
                base,
                format!(
                    "`{}` replaces the list of {} whole: Helm does not merge lists, so {dropped} of its entries {} dropped",
                    join_path(path),
                    line_of(base),
                    if *dropped == 1 { "is" } else { "are" }
                ),
                "this list replaces the base's".to_owned(),
            ),
            Overlay::KeyDeleted {
                path,
                overlay,
                base,
            } => (
                path,
                overlay,
                base,
                format!(
                    "`{}` is null here: Helm deletes the key and everything the base sets under it ({})",
                    join_path(path),
                    line_of(base)
                ),
                "null deletes the key".to_owned(),
            ),
        };
        f.message = message;
        f.file = Arc::clone(&overlay.file);
        f.span = overlay.span.clone();
        f.label = Some(label);
        f.identity = format!("{}#{}", self.release.name, join_path(path));
        f.related.push(Related {
            file: Arc::clone(&base.file),
            span: base.span.clone(),
            message: "set here in the base".to_owned(),
        });
        f
    }
}

/// The deepest key along `keys` that a file writes.
fn nearest_written(root: &Merged, keys: &[String]) -> Option<Loc> {
    let mut node = root;
    let mut best = None;
    for key in keys {
        let Some(next) = node.get(key) else {
            break;
        };
        if next.default_of.is_none()
            && let Some(k) = &next.key
        {
            best = Some(k.clone());
        }
        node = next;
    }
    best
}

/// One finding per rule and place, even when several environments share it:
/// the environments are named in the message, the severity is the highest.
pub(super) fn merge_environments(findings: Vec<(Finding, Option<String>)>) -> Vec<Finding> {
    struct Group {
        finding: Finding,
        productions: Vec<Option<bool>>,
        environments: Vec<String>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<(String, String, usize, String), usize> = HashMap::new();
    for (f, env) in findings {
        let key = (
            f.rule.clone(),
            f.file.path.clone(),
            f.span.start,
            f.identity.clone(),
        );
        match index.get(&key) {
            Some(&i) => {
                let group = &mut groups[i];
                group.finding.severity = group.finding.severity.max(f.severity);
                group.productions.push(f.production);
                group.environments.extend(env);
            }
            None => {
                index.insert(key, groups.len());
                groups.push(Group {
                    productions: vec![f.production],
                    finding: f,
                    environments: env.into_iter().collect(),
                });
            }
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let mut f = g.finding;
            f.production = if g.productions.contains(&Some(true)) {
                Some(true)
            } else if g.productions.iter().all(|p| *p == Some(false)) {
                Some(false)
            } else {
                None
            };
            if !g.environments.is_empty() {
                f.message.push_str(&format!(
                    " (environment{} {})",
                    if g.environments.len() == 1 { "" } else { "s" },
                    g.environments.join(", ")
                ));
            }
            f
        })
        .collect()
}
