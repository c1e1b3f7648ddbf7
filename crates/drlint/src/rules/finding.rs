//! A finding made from a rule's case: where it points (the argument, the
//! block, or the caller's argument), its labels, severity and message.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::condition::{Field, Fields, Origin};
use super::definition::{Severity, fill_template};
use super::engine::{ActiveRule, CallSite, Inspected};
use crate::eval::Value;
use crate::finding::{Finding, Related};
use crate::profile::Scalar;
use crate::source::SourceFile;

/// What a finding is about: the block's (or directory's) anchor and address.
pub(crate) struct Place<'p> {
    pub anchor: (Arc<SourceFile>, Range<usize>),
    pub address: &'p str,
    pub kind: &'p str,
    /// A profile written for another ref of the module is in use: why, and where the ref is.
    pub nearest_profile: Option<(Arc<SourceFile>, Range<usize>, String)>,
}

/// Where a finding about a recorded data store points.
pub(crate) fn place_of(store: &Inspected) -> Place<'_> {
    Place {
        anchor: (Arc::clone(&store.file), store.span.clone()),
        address: &store.address,
        kind: &store.kind,
        nearest_profile: None,
    }
}

/// A finding with no module call site: of a change rule (PR mode) or about a
/// folder as a whole (a marker file).
pub(crate) fn uncalled_finding(
    active: &ActiveRule<'_>,
    place: &Place<'_>,
    fields: &dyn Fields,
    in_production: &Value,
) -> Finding {
    finding(active, place, fields, None, in_production)
}

pub(super) fn finding(
    active: &ActiveRule<'_>,
    place: &Place<'_>,
    fields: &dyn Fields,
    caller: Option<&CallSite>,
    in_production: &Value,
) -> Finding {
    let (rule, options) = (active.rule, &active.options);
    let case = rule.case(fields, options);
    let target = case.target;
    let field = target
        .map(|t| fields.field(t))
        .unwrap_or_else(Field::absent);
    let (anchor_file, anchor_span) = &place.anchor;
    let mut related = Vec::new();
    let mut primary = (Arc::clone(anchor_file), anchor_span.clone());
    let label = match (&field.origin, target) {
        (
            Origin::Set {
                name,
                file,
                span,
                vias,
            },
            Some(_),
        ) => {
            primary = (Arc::clone(file), span.clone());
            for via in vias.iter().take(3) {
                related.push(Related {
                    file: Arc::clone(&via.file),
                    span: via.span.clone(),
                    message: format!("`{name}` gets its value from the {}", via.what),
                });
            }
            // a profile's `values` translated the argument (a via at the argument
            // itself): the value shown is the attribute's, so name the attribute
            let translated = vias
                .iter()
                .any(|v| Arc::ptr_eq(&v.file, file) && v.span == *span);
            let shown_name = match target {
                Some(t) if translated => t,
                _ => name.as_str(),
            };
            Some(format!("`{shown_name}` is {}", shown(&field.value)))
        }
        (
            Origin::Default {
                input,
                profile,
                note,
            },
            Some(name),
        ) => Some(format!(
            "`{}` is not set: {profile} defaults it to {}{}",
            input.as_deref().unwrap_or(name),
            field.value,
            note.as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        )),
        (Origin::Fixed { profile, note }, Some(name)) => Some(format!(
            "{profile} hard-codes `{name}` to {}{}",
            field.value,
            note.as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        )),
        (
            Origin::Companion {
                file,
                span,
                address,
                vias,
            },
            Some(name),
        ) => {
            related.push(Related {
                file: Arc::clone(file),
                span: span.clone(),
                message: format!("`{name}` is {} here, in {address}", shown(&field.value)),
            });
            for via in vias.iter().take(3) {
                related.push(Related {
                    file: Arc::clone(&via.file),
                    span: via.span.clone(),
                    message: format!("`{name}` gets its value from the {}", via.what),
                });
            }
            None
        }
        (Origin::Absent, Some(name)) => Some(format!("`{name}` is not set")),
        (_, None) => None,
    };
    if let (Some((file, span, note)), Origin::Default { .. } | Origin::Fixed { .. }) =
        (&place.nearest_profile, &field.origin)
    {
        related.push(Related {
            file: Arc::clone(file),
            span: span.clone(),
            message: note.clone(),
        });
    }
    let mut label = label;
    if let Some(call) = caller {
        // Point where the fix goes: at the caller's argument when the value was
        // passed in, else inside the module, with the call as a secondary label.
        let passed = related
            .iter()
            .position(|r| Arc::ptr_eq(&r.file, &call.file));
        match passed {
            Some(i) => {
                let arg = related.remove(i);
                related.insert(
                    0,
                    Related {
                        file: primary.0,
                        span: primary.1,
                        message: format!("used here, inside {}", call.address),
                    },
                );
                primary = (arg.file, arg.span);
                label = Some(format!(
                    "passes {} to `{}` in {}",
                    shown(&field.value),
                    target.unwrap_or_default(),
                    call.address
                ));
            }
            None => related.push(Related {
                file: Arc::clone(&call.file),
                span: call.header.clone(),
                message: format!("{} is called here", call.address),
            }),
        }
    }
    let severity = severity_of(active, case.severity, in_production);
    let message = render_template(case.message, place, fields, options, case.items.as_ref());
    Finding {
        rule: rule.id.clone(),
        severity,
        message,
        help: Some(render_template(
            &rule.help,
            place,
            fields,
            options,
            case.items.as_ref(),
        )),
        docs: rule.docs.clone(),
        file: primary.0,
        span: primary.1,
        label,
        related,
        identity: format!("{}#{}", place.address, target.unwrap_or("")),
        fingerprint: String::new(),
        status: None,
        since: None,
        fix: None,
        production: match in_production {
            Value::Bool(b) => Some(*b),
            _ => None,
        },
    }
}

/// A finding's severity: the configuration's, else its case's, else the rule's
/// (raised to `production_severity` in production).
pub(crate) fn severity_of(
    active: &ActiveRule<'_>,
    case: Option<Severity>,
    in_production: &Value,
) -> Severity {
    let rule = active.rule;
    match (
        active.severity,
        case,
        rule.production_severity,
        in_production,
    ) {
        (Some(configured), ..) => configured,
        (None, Some(case), ..) => case,
        (None, None, Some(s), Value::Bool(true)) => s.max(rule.severity),
        _ => rule.severity,
    }
}

/// A value as a label shows it: a list or map by its size, not its whole text.
fn shown(value: &Value) -> String {
    match value {
        Value::List(items) => format!("a list of {}", items.len()),
        Value::Object(map) => format!("a map of {}", map.len()),
        v => v.to_string(),
    }
}

/// Fills `{address}`, `{kind}`, `{<option>}` and `{<field>}` in a message.
fn render_template(
    template: &str,
    place: &Place<'_>,
    fields: &dyn Fields,
    options: &BTreeMap<String, Scalar>,
    items: Option<&super::condition::MatchedItems>,
) -> String {
    fill_template(template, |name| match name {
        "address" => place.address.to_owned(),
        "items" => items.map(|i| i.names()).unwrap_or_default(),
        "kind" => place.kind.to_owned(),
        _ => match options.get(name) {
            Some(option) => option.to_value().to_string(),
            None => match fields.field(name).value {
                Value::String(s) => s,
                other => other.to_string(),
            },
        },
    })
}
