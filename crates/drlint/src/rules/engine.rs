//! Runs the rules over one module directory.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::condition::{Field, Origin, Truth};
use super::definition::{Rule, Select};
use super::subject::{Subject, subjects};
use crate::eval::{Scope, Value};
use crate::finding::{Finding, Related};
use crate::model::ModuleDir;
use crate::profile::{ProfileSet, Scalar};

/// What checking one module directory produced.
#[derive(Debug, Default)]
pub struct DirOutcome {
    pub findings: Vec<Finding>,
    /// Rule × block pairs left undecided because a value was unknown.
    pub unknown: usize,
}

/// A rule with the options in force for it.
pub type ActiveRule<'r> = (&'r Rule, BTreeMap<String, Scalar>);

pub fn check_module_dir(
    dir: &ModuleDir,
    profiles: &ProfileSet,
    rules: &[ActiveRule<'_>],
) -> DirOutcome {
    let scope = Scope::new(dir);
    let subjects = subjects(&scope, profiles);
    let mut outcome = DirOutcome::default();
    for (rule, options) in rules {
        for subject in &subjects {
            let canonical = match &rule.select {
                Select::Kinds(kinds) => {
                    if !subject.kind().is_some_and(|k| kinds.iter().any(|x| x == k)) {
                        continue;
                    }
                    true
                }
                Select::Blocks(types) => {
                    if !types.contains(&subject.block.ident) {
                        continue;
                    }
                    false
                }
                Select::Parser => continue,
            };
            let fields = subject.fields(canonical);
            match rule.fires(&fields, options) {
                Truth::True => {
                    outcome
                        .findings
                        .push(finding(dir, rule, options, subject, &fields));
                }
                Truth::Unknown => outcome.unknown += 1,
                Truth::False => {}
            }
        }
    }
    outcome
}

fn finding(
    dir: &ModuleDir,
    rule: &Rule,
    options: &BTreeMap<String, Scalar>,
    subject: &Subject<'_>,
    fields: &dyn super::Fields,
) -> Finding {
    let file = &dir.files[subject.file].source;
    let target = rule.target.as_deref();
    let field = target
        .map(|t| fields.field(t))
        .unwrap_or_else(Field::absent);
    let mut related = Vec::new();
    let (span, label) = match (&field.origin, target) {
        (
            Origin::Set {
                name,
                file: f,
                span,
                vias,
            },
            Some(_),
        ) => {
            for via in vias.iter().take(3) {
                related.push(Related {
                    file: Arc::clone(&dir.files[via.file].source),
                    span: via.span.clone(),
                    message: format!("`{name}` gets its value from the {}", via.what),
                });
            }
            debug_assert_eq!(*f, subject.file);
            (span.clone(), Some(format!("`{name}` is {}", field.value)))
        }
        (
            Origin::Default {
                input,
                profile,
                note,
            },
            Some(name),
        ) => (
            subject.block.header.clone(),
            Some(format!(
                "`{}` is not set: {profile} defaults it to {}{}",
                input.as_deref().unwrap_or(name),
                field.value,
                note.as_deref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default()
            )),
        ),
        (Origin::Fixed { profile, note }, Some(name)) => (
            subject.block.header.clone(),
            Some(format!(
                "{profile} hard-codes `{name}` to {}{}",
                field.value,
                note.as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            )),
        ),
        (
            Origin::Companion {
                file: f,
                span,
                address,
            },
            Some(name),
        ) => {
            related.push(Related {
                file: Arc::clone(&dir.files[*f].source),
                span: span.clone(),
                message: format!("`{name}` is {} here, in {address}", field.value),
            });
            (subject.block.header.clone(), None)
        }
        (Origin::Absent, Some(name)) => (
            subject.block.header.clone(),
            Some(format!("`{name}` is not set")),
        ),
        (_, None) => (subject.block.header.clone(), None),
    };
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        message: render_template(rule.message_for(fields, options), subject, fields, options),
        help: Some(render_template(&rule.help, subject, fields, options)),
        docs: rule.docs.clone(),
        file: Arc::clone(file),
        span,
        label,
        related,
        identity: format!("{}#{}", subject.address, target.unwrap_or("")),
        fingerprint: String::new(),
    }
}

/// Fills `{address}`, `{kind}`, `{<option>}` and `{<field>}` in a message.
fn render_template(
    template: &str,
    subject: &Subject<'_>,
    fields: &dyn super::Fields,
    options: &BTreeMap<String, Scalar>,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let is_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
        if !is_name {
            out.push('{');
            rest = after;
            continue;
        }
        match name {
            "address" => out.push_str(&subject.address),
            "kind" => out.push_str(subject.kind().unwrap_or(&subject.block.ident)),
            _ => match options.get(name) {
                Some(option) => out.push_str(&option.to_value().to_string()),
                None => {
                    let v = fields.field(name).value;
                    match v {
                        Value::String(s) => out.push_str(&s),
                        other => out.push_str(&other.to_string()),
                    }
                }
            },
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}
