//! Subjects: the top-level blocks rules look at, with their fields.
//!
//! A block that a profile recognises is a data store of some kind, and its
//! fields are the kind's canonical attributes (input, default, hard-coded
//! value or companion resource). Any block also exposes its raw arguments.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};

use super::condition::{Field, Fields, Origin};
use crate::eval::{Scope, Value, Via};
use crate::model::{Block, FileIdx};
use crate::profile::{Applied, AttributeMapping, Companion, ProfileSet};

pub struct Subject<'a> {
    pub file: FileIdx,
    pub block: &'a Block,
    /// The full address, with the module path for blocks inside a called
    /// module: `module.app.aws_db_instance.main`.
    pub address: String,
    pub profile: Option<Applied<'a>>,
    canonical: BTreeMap<String, Field>,
    scope: &'a Scope<'a>,
    in_production: Value,
}

/// The field every subject has: whether its module directory is production.
pub const IN_PRODUCTION: &str = "in_production";
/// The field every subject has: the name of the profile that recognised it
/// (`module rds-instance`), so a team rule can target its own module.
pub const PROFILE: &str = "profile";

impl<'a> Subject<'a> {
    /// The canonical attributes, for inspection.
    pub fn canonical_fields(&self) -> &BTreeMap<String, Field> {
        &self.canonical
    }

    pub fn kind(&self) -> Option<&'a str> {
        self.profile.as_ref().map(|p| p.profile.kind.as_str())
    }

    /// Why the profile in use was written for another ref of the module, as a
    /// secondary label at the call's `source`.
    pub fn nearest_profile_note(
        &self,
    ) -> Option<(
        Arc<crate::source::SourceFile>,
        std::ops::Range<usize>,
        String,
    )> {
        let note = self.profile.as_ref()?.nearest_note()?;
        let source = self.block.attribute("source")?;
        Some((
            Arc::clone(&self.scope.dir().files[self.file].source),
            source.span.clone(),
            note,
        ))
    }

    /// The raw argument at `path` (nested blocks by dots), evaluated.
    pub fn raw_field(&self, path: &str) -> Field {
        raw_field(self.scope, self.file, self.block, path)
    }

    /// Canonical attributes for kind rules, raw arguments otherwise.
    pub fn fields(&self, canonical: bool) -> impl Fields + '_ {
        SubjectFields {
            subject: self,
            canonical,
        }
    }
}

struct SubjectFields<'s, 'a> {
    subject: &'s Subject<'a>,
    canonical: bool,
}

impl Fields for SubjectFields<'_, '_> {
    fn field(&self, name: &str) -> Field {
        if name == IN_PRODUCTION {
            return Field {
                value: self.subject.in_production.clone(),
                origin: Origin::Absent,
            };
        }
        if name == PROFILE {
            return Field {
                value: self
                    .subject
                    .profile
                    .as_ref()
                    .map_or(Value::Null, |p| Value::String(p.profile.name.clone())),
                origin: Origin::Absent,
            };
        }
        if self.canonical {
            self.subject
                .canonical
                .get(name)
                .cloned()
                .unwrap_or_else(Field::absent)
        } else {
            self.subject.raw_field(name)
        }
    }
}

fn raw_field(scope: &Scope<'_>, file: FileIdx, block: &Block, path: &str) -> Field {
    let set = |attr: &crate::model::Attribute, value: Value, vias| Field {
        value,
        origin: Origin::Set {
            name: path.to_owned(),
            file: Arc::clone(&scope.dir().files[file].source),
            span: attr.span.clone(),
            vias,
        },
    };
    if let Some(attr) = block.attribute_at(path) {
        let mut vias = Vec::new();
        let value = scope.eval_in(file, &attr.value, &mut vias);
        return set(attr, value, vias);
    }
    // `dynamic "name" { for_each = ... content { ... } }` makes the nested block
    // `name`: absent when for_each is known empty, unknown when for_each is.
    let Some((head, rest)) = path.split_once('.') else {
        return Field::absent();
    };
    let Some(dynamic) = block
        .blocks
        .iter()
        .find(|b| b.ident == "dynamic" && b.labels.first().is_some_and(|l| l == head))
    else {
        return Field::absent();
    };
    let for_each = dynamic.attribute("for_each").map_or(Value::Unknown, |f| {
        scope.eval_in(file, &f.value, &mut Vec::new())
    });
    let empty = matches!(&for_each, Value::List(l) if l.is_empty())
        || matches!(&for_each, Value::Object(m) if m.is_empty());
    let content = dynamic.blocks.iter().find(|b| b.ident == "content");
    match content.and_then(|c| c.attribute_at(rest)) {
        _ if empty => Field::absent(),
        Some(attr) if !for_each.is_unknown() => {
            let mut vias = Vec::new();
            let value = scope.eval_in(file, &attr.value, &mut vias);
            set(attr, value, vias)
        }
        Some(attr) => set(attr, Value::Unknown, Vec::new()),
        None => Field::absent(),
    }
}

/// Whether Terraform creates the block at all: `count = 0` or an empty
/// `for_each` means it does not. Unknown counts as created.
fn is_created(scope: &Scope<'_>, file: FileIdx, block: &Block) -> bool {
    if let Some(count) = block.attribute("count") {
        let v = scope.eval_in(file, &count.value, &mut Vec::new());
        if v.to_number() == Some(Some(0.0)) {
            return false;
        }
    }
    if let Some(for_each) = block.attribute("for_each") {
        match scope.eval_in(file, &for_each.value, &mut Vec::new()) {
            Value::List(items) if items.is_empty() => return false,
            Value::Object(map) if map.is_empty() => return false,
            _ => {}
        }
    }
    true
}

/// The subjects of a module directory: every created top-level `module`,
/// `resource` and `data` block, with a profile where one matches.
/// `module_path` prefixes addresses (`module.app.`) inside a called module.
pub fn subjects<'a>(
    scope: &'a Scope<'a>,
    profiles: &'a ProfileSet,
    module_path: &str,
    in_production: &Value,
) -> Vec<Subject<'a>> {
    let dir = scope.dir();
    let mut out = Vec::new();
    for (file, block) in dir.blocks() {
        if !matches!(block.ident.as_str(), "module" | "resource" | "data") {
            continue;
        }
        if !is_created(scope, file, block) {
            continue;
        }
        let text = |name: &str| {
            block.attribute(name).and_then(|a| {
                match scope.eval_in(file, &a.value, &mut Vec::new()) {
                    Value::String(s) => Some(s),
                    _ => None,
                }
            })
        };
        let (source, version) = (text("source"), text("version"));
        let profile = match block.ident.as_str() {
            "module" => source
                .as_deref()
                .and_then(|s| profiles.for_module(s, version.as_deref())),
            "resource" => block
                .resource_type()
                .and_then(|t| profiles.for_resource_type(t)),
            _ => None,
        };
        let canonical = profile
            .as_ref()
            .map(|p| {
                p.profile
                    .attributes
                    .iter()
                    .map(|(name, mapping)| {
                        (
                            name.clone(),
                            canonical_field(scope, file, block, p, mapping),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.push(Subject {
            file,
            block,
            address: format!("{module_path}{}", block.address()),
            profile,
            canonical,
            scope,
            in_production: in_production.clone(),
        });
    }
    out
}

fn canonical_field(
    scope: &Scope<'_>,
    file: FileIdx,
    block: &Block,
    profile: &Applied<'_>,
    mapping: &AttributeMapping,
) -> Field {
    if let Some(fixed) = &mapping.fixed {
        // a fact of the profiled ref: another ref may hard-code something else
        return Field {
            value: if profile.exact {
                fixed.to_value()
            } else {
                Value::Unknown
            },
            origin: Origin::Fixed {
                profile: profile.label(),
                note: mapping.note.clone(),
            },
        };
    }
    if let Some(input) = &mapping.input {
        let mut field = raw_field(scope, file, block, input);
        match (&field.origin, &mapping.default) {
            (Origin::Absent, _) => {}
            // `x = null` means "not set" to Terraform: the default applies, and
            // the finding still points at the argument that chose it.
            (
                Origin::Set {
                    file, span, vias, ..
                },
                Some(default),
            ) if field.value.is_null() => {
                let mut vias = vias.clone();
                vias.push(Via {
                    file: Arc::clone(file),
                    span: span.clone(),
                    what: format!(
                        "{}'s default: the argument is null, which means unset",
                        profile.label()
                    ),
                });
                field.value = default.to_value();
                if let Origin::Set { vias: v, .. } = &mut field.origin {
                    *v = vias;
                }
                return field;
            }
            _ => return field,
        }
    }
    if let Some(companion) = &mapping.companion
        && let Some(field) = companion_field(scope, block, companion)
    {
        return field;
    }
    match &mapping.default {
        Some(default) => Field {
            value: default.to_value(),
            origin: Origin::Default {
                input: mapping.input.clone(),
                profile: profile.label(),
                note: mapping.note.clone(),
            },
        },
        None => Field::absent(),
    }
}

/// Finds a resource of the companion type in the same module directory whose
/// link argument refers to `block` (`bucket = aws_s3_bucket.this.id`).
fn companion_field(scope: &Scope<'_>, block: &Block, companion: &Companion) -> Option<Field> {
    let (Some(ty), Some(name)) = (block.resource_type(), block.labels.get(1)) else {
        return None;
    };
    for (file, other) in scope.dir().blocks() {
        if other.resource_type() != Some(companion.resource_type.as_str())
            || !is_created(scope, file, other)
        {
            continue;
        }
        let Some(link) = other.attribute(&companion.link) else {
            continue;
        };
        // `bucket = aws_s3_bucket.b.id`, or `bucket = each.value.id` with
        // `for_each = aws_s3_bucket.b`
        let linked = refers_to(&link.value, ty, name)
            || (refers_to_root(&link.value, "each")
                && other
                    .attribute("for_each")
                    .is_some_and(|f| refers_to(&f.value, ty, name)));
        if !linked {
            continue;
        }
        let Some(attr) = other.attribute_at(&companion.input) else {
            continue;
        };
        let mut vias = Vec::new();
        let raw = scope.eval_in(file, &attr.value, &mut vias);
        let value = match &raw {
            Value::Unknown => Value::Unknown,
            v => match v.to_string_value() {
                Some(Some(s)) => companion
                    .values
                    .get(&s)
                    .map_or(Value::Unknown, |scalar| scalar.to_value()),
                _ => Value::Unknown,
            },
        };
        return Some(Field {
            value,
            origin: Origin::Companion {
                file: Arc::clone(&scope.dir().files[file].source),
                span: attr.span.clone(),
                address: other.address(),
                vias,
            },
        });
    }
    None
}

/// Whether an expression is a traversal from the variable `root` (`each.value.id`).
fn refers_to_root(expr: &Expression, root: &str) -> bool {
    matches!(expr, Expression::Traversal(t) if matches!(&t.expr, Expression::Variable(v) if v.as_str() == root))
}

/// Whether an expression is a reference `<ty>.<name>...`.
fn refers_to(expr: &Expression, ty: &str, name: &str) -> bool {
    let Expression::Traversal(t) = expr else {
        return false;
    };
    let Expression::Variable(root) = &t.expr else {
        return false;
    };
    root.as_str() == ty
        && matches!(t.operators.first().map(|o| o.value()), Some(TraversalOperator::GetAttr(n)) if n.as_str() == name)
}
