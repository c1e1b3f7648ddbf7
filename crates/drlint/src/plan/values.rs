//! Values from a plan: a resource's `before` or `after` object, with
//! `after_unknown` saying what Terraform will only know after the apply, read
//! through the resource type's profile into the kind's canonical attributes.
//! An unknown value is [`Value::Unknown`], never a guess.

use std::collections::BTreeMap;
use std::ops::Range;

use super::json::{Kind, Node};
use super::model::{Plan, ResourceChange, without_keys};
use crate::eval::Value;
use crate::profile::{AttributeMapping, Companion, Profile};

/// Which side of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Before,
    After,
}

/// One side of a change: the value, and which parts of it are unknown.
#[derive(Clone, Copy)]
pub(crate) struct Object<'p> {
    value: Option<&'p Node>,
    unknown: Option<&'p Node>,
    sensitive: Option<&'p Node>,
}

impl<'p> Object<'p> {
    pub fn of(change: &'p ResourceChange, side: Side) -> Object<'p> {
        match side {
            Side::Before => Object {
                value: change.before.as_ref(),
                unknown: None,
                sensitive: change.before_sensitive.as_ref(),
            },
            Side::After => Object {
                value: change.after.as_ref(),
                unknown: change.after_unknown.as_ref(),
                sensitive: change.after_sensitive.as_ref(),
            },
        }
    }

    /// Whether there is a value at all (no `after` for a delete, no `before` for a create).
    pub fn exists(&self) -> bool {
        self.value.is_some_and(|v| !v.is_null())
    }

    /// The value at a dotted path; a list on the way (a nested block) is walked
    /// into its first item, as rules read nested blocks.
    pub fn lookup(&self, path: &str) -> Lookup {
        let (mut value, mut unknown, mut sensitive) = (self.value, self.unknown, self.sensitive);
        let mut span = None;
        for key in path.split('.') {
            if let Some(Kind::Array(items)) = value.map(|v| &v.kind) {
                value = items.first();
                unknown = unknown.and_then(|u| u.as_array().first());
                sensitive = sensitive.and_then(|s| s.as_array().first());
            }
            if unknown.is_some_and(Node::is_true) {
                return Lookup::Unknown;
            }
            let member = value.and_then(|v| v.member(key));
            unknown = unknown.and_then(|u| u.get(key));
            sensitive = sensitive.and_then(|s| s.get(key));
            match member {
                Some(m) => {
                    span = Some(m.span());
                    value = Some(&m.value);
                }
                None if unknown.is_some_and(Node::is_true) => return Lookup::Unknown,
                None => return Lookup::Absent,
            }
        }
        let (Some(node), Some(span)) = (value, span) else {
            return Lookup::Absent;
        };
        if unknown.is_some_and(Node::is_true) {
            return Lookup::Unknown;
        }
        match &node.kind {
            Kind::Null => Lookup::Absent,
            Kind::Array(items) if items.is_empty() => Lookup::Absent,
            _ => Lookup::Found {
                value: to_value(node, unknown),
                span,
                sensitive: sensitive.is_some_and(|s| !matches!(s.kind, Kind::Bool(false))),
            },
        }
    }
}

/// What a path holds on one side of a change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lookup {
    /// Known only after the apply (`after_unknown`).
    Unknown,
    /// Null, an empty nested block, or not there.
    Absent,
    Found {
        value: Value,
        /// The `"name": value` member in the plan file.
        span: Range<usize>,
        /// Marked sensitive (`before_sensitive` / `after_sensitive`): not to be shown.
        sensitive: bool,
    },
}

/// A JSON value as a Terraform value; where `unknown` marks a part `true`, that part is unknown.
pub(crate) fn to_value(node: &Node, unknown: Option<&Node>) -> Value {
    if unknown.is_some_and(Node::is_true) {
        return Value::Unknown;
    }
    match &node.kind {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(*b),
        Kind::Number(n) => Value::Number(*n),
        Kind::String(s) => Value::String(s.clone()),
        Kind::Array(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| to_value(item, unknown.and_then(|u| u.as_array().get(i))))
                .collect(),
        ),
        Kind::Object(members) => {
            let mut map: BTreeMap<String, Value> = members
                .iter()
                .map(|m| {
                    let v = to_value(&m.value, unknown.and_then(|u| u.get(&m.key)));
                    (m.key.clone(), v)
                })
                .collect();
            // unknown values are left out of `after`; `after_unknown` names them
            if let Some(Kind::Object(marks)) = unknown.map(|u| &u.kind) {
                for m in marks.iter().filter(|m| m.value.is_true()) {
                    map.entry(m.key.clone()).or_insert(Value::Unknown);
                }
            }
            Value::Object(map)
        }
    }
}

/// A canonical attribute read from a plan value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Read {
    pub value: Value,
    pub from: From,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum From {
    /// The resource's own value, at this member of the plan file.
    Plan {
        input: String,
        span: Range<usize>,
        sensitive: bool,
    },
    /// A companion resource's value (`aws_s3_bucket_versioning`), at this member.
    Companion { address: String, span: Range<usize> },
    /// Unknown until the apply.
    Unknown { input: Option<String> },
    /// Not in the plan: the profile's default applies.
    Default { input: Option<String> },
    /// Nothing gives a value.
    Absent,
}

/// Reads the canonical attribute `mapping` describes from one side of
/// `change` (a resource of the profile's type), as the profile says: the
/// argument (translated by `values`), else a companion resource, else the default.
pub(crate) fn canonical(
    plan: &Plan,
    change: &ResourceChange,
    side: Side,
    profile: &Profile,
    mapping: &AttributeMapping,
) -> Read {
    if let Some(fixed) = &mapping.fixed {
        return Read {
            value: fixed.to_value(),
            from: From::Default { input: None },
        };
    }
    let object = Object::of(change, side);
    if let Some(input) = &mapping.input {
        match object.lookup(input) {
            Lookup::Found {
                value,
                span,
                sensitive,
            } => {
                return Read {
                    value: translate(value, &mapping.values),
                    from: From::Plan {
                        input: input.clone(),
                        span,
                        sensitive,
                    },
                };
            }
            Lookup::Unknown => {
                return Read {
                    value: Value::Unknown,
                    from: From::Unknown {
                        input: Some(input.clone()),
                    },
                };
            }
            Lookup::Absent => {}
        }
    }
    if let Some(companion) = &mapping.companion
        && let Some(read) = companion_value(plan, change, side, profile, companion)
    {
        return read;
    }
    match &mapping.default {
        Some(default) => Read {
            value: default.to_value(),
            from: From::Default {
                input: mapping.input.clone(),
            },
        },
        None => Read {
            value: Value::Null,
            from: From::Absent,
        },
    }
}

/// A written value through the profile's `values` (`ACTIVE` is true); one not listed is unknown.
fn translate(value: Value, values: &BTreeMap<String, crate::profile::Scalar>) -> Value {
    if values.is_empty() || value.is_unknown() {
        return value;
    }
    match value.to_string_value() {
        Some(Some(s)) => values.get(&s).map_or(Value::Unknown, |v| v.to_value()),
        _ => Value::Unknown,
    }
}

/// The companion resource of `change` in the plan: of the companion's type, in
/// the same module instance, whose link argument refers to the resource in the
/// configuration or holds its identifier or id; and its value.
fn companion_value(
    plan: &Plan,
    change: &ResourceChange,
    side: Side,
    profile: &Profile,
    companion: &Companion,
) -> Option<Read> {
    let own = without_keys(&change.address);
    let own_local = local_part(&own, change.module_address.as_deref());
    let own_values: Vec<Value> = ["id", "arn"]
        .into_iter()
        .map(str::to_owned)
        .chain(
            profile
                .attributes
                .get("identifier")
                .and_then(|m| m.input.clone()),
        )
        .filter_map(|key| match Object::of(change, side).lookup(&key) {
            Lookup::Found { value, .. } if !value.is_unknown() => Some(value),
            _ => None,
        })
        .collect();
    let mut of_type = plan.of_type_in(&companion.resource_type, change.module_address.as_deref());
    let found = of_type.find(|c| {
        let refers = plan
            .references
            .get(&without_keys(&c.address))
            .and_then(|r| r.get(&companion.link))
            .is_some_and(|refs| {
                refs.iter()
                    .any(|r| r == &own_local || r.starts_with(&format!("{own_local}.")))
            });
        let holds = match Object::of(c, side).lookup(&companion.link) {
            Lookup::Found { value, .. } => own_values.contains(&value),
            _ => false,
        };
        refers || holds
    })?;
    let read = match Object::of(found, side).lookup(&companion.input) {
        Lookup::Found { value, span, .. } => Read {
            value: translate(value, &companion.values),
            from: From::Companion {
                address: found.address.clone(),
                span,
            },
        },
        Lookup::Unknown => Read {
            value: Value::Unknown,
            from: From::Unknown { input: None },
        },
        Lookup::Absent => return None,
    };
    Some(read)
}

/// `module.x.aws_s3_bucket.b` inside `module.x` is `aws_s3_bucket.b` there, as
/// the module's own configuration refers to it.
fn local_part(address: &str, module: Option<&str>) -> String {
    match module.map(without_keys) {
        Some(m) => address
            .strip_prefix(&format!("{m}."))
            .unwrap_or(address)
            .to_owned(),
        None => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::json::parse;

    fn obj<'a>(value: &'a Node, unknown: Option<&'a Node>) -> Object<'a> {
        Object {
            value: Some(value),
            unknown,
            sensitive: None,
        }
    }

    #[test]
    fn unknown_parts_are_unknown_and_nested_blocks_are_walked() {
        let after = parse(
            r#"{"a": 1, "pitr": [{"enabled": true}], "empty": [], "n": null, "tags": {"x": "1"}}"#,
            |_: &[String]| true,
        )
        .unwrap();
        let unknown = parse(r#"{"b": true, "tags": {"y": true}}"#, |_: &[String]| true).unwrap();
        let o = obj(&after, Some(&unknown));
        assert!(matches!(o.lookup("a"), Lookup::Found { value: Value::Number(n), .. } if n == 1.0));
        assert!(matches!(
            o.lookup("pitr.enabled"),
            Lookup::Found {
                value: Value::Bool(true),
                ..
            }
        ));
        assert_eq!(o.lookup("b"), Lookup::Unknown);
        assert_eq!(o.lookup("b.c"), Lookup::Unknown);
        assert_eq!(o.lookup("empty"), Lookup::Absent);
        assert_eq!(o.lookup("n"), Lookup::Absent);
        assert_eq!(o.lookup("missing"), Lookup::Absent);
        let Lookup::Found { value, .. } = o.lookup("tags") else {
            panic!()
        };
        let Value::Object(tags) = value else { panic!() };
        assert_eq!(tags["x"], Value::String("1".into()));
        assert_eq!(tags["y"], Value::Unknown, "named only in after_unknown");
    }
}
