//! Subjects: the top-level blocks rules look at, with their fields.
//!
//! A block that a profile recognises is a data store of some kind, and its
//! fields are the kind's canonical attributes (input, default, hard-coded
//! value or companion resource). Any block also exposes its raw arguments.

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};

use super::condition::{Field, Fields, Origin, walk};
use crate::eval::{Scope, Value, Via, ViaKind};
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
/// The field every subject has: its address (`module.state_bucket`), so a rule
/// can recognise a block by its name.
pub const ADDRESS: &str = "address";

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
        if name == ADDRESS {
            return Field {
                value: Value::String(self.subject.address.clone()),
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
    if let Some(field) = block_list(scope, file, block, path) {
        return field;
    }
    let Some((head, rest)) = path.split_once('.') else {
        return Field::absent();
    };
    // an object-valued argument, walked into: `cluster_config.instance_count`
    if let Some(attr) = block.attribute(head) {
        let mut vias = Vec::new();
        let value = scope.eval_in(file, &attr.value, &mut vias);
        return match walk(&value, rest) {
            Some(v) => set(attr, v, vias),
            None => Field::absent(),
        };
    }
    // `dynamic "name" { for_each = ... content { ... } }` makes the nested block
    // `name`: absent when for_each is known empty, unknown when for_each is.
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

/// The nested blocks called `name` (`lifecycle_rule { ... }`, repeated) as a
/// list of objects, one per block, where the block has any: each block's
/// arguments evaluated and its own nested blocks as lists. A `dynamic` block
/// is an unknown item, unless its `for_each` is known to be empty.
fn block_list(scope: &Scope<'_>, file: FileIdx, block: &Block, name: &str) -> Option<Field> {
    let mut items = Vec::new();
    let mut first: Option<&Block> = None;
    for b in &block.blocks {
        let item = if b.ident == name {
            // where each argument's value came from is not recorded: the list is
            // reported as a whole, at its first block
            block_value(scope, file, b, &mut Vec::new())
        } else if b.ident == "dynamic" && b.labels.first().is_some_and(|l| l == name) {
            match dynamic_item(scope, file, b) {
                Some(item) => item,
                None => continue,
            }
        } else {
            continue;
        };
        first.get_or_insert(b);
        items.push(item);
    }
    let first = first?;
    Some(Field {
        value: Value::List(items),
        origin: Origin::Set {
            name: name.to_owned(),
            file: Arc::clone(&scope.dir().files[file].source),
            span: first.header.clone(),
            vias: Vec::new(),
        },
    })
}

/// One nested block as an object value.
fn block_value(scope: &Scope<'_>, file: FileIdx, block: &Block, vias: &mut Vec<Via>) -> Value {
    let mut map = BTreeMap::new();
    for attr in &block.attributes {
        map.insert(attr.name.clone(), scope.eval_in(file, &attr.value, vias));
    }
    for b in &block.blocks {
        let (key, item) = if b.ident == "dynamic" {
            let Some(label) = b.labels.first() else {
                continue;
            };
            match dynamic_item(scope, file, b) {
                Some(item) => (label.clone(), item),
                None => continue,
            }
        } else {
            (b.ident.clone(), block_value(scope, file, b, vias))
        };
        match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
            Value::List(items) => items.push(item),
            other => *other = Value::Unknown,
        }
    }
    Value::Object(map)
}

/// What a `dynamic` block contributes to a block list: nothing when its
/// `for_each` is known to be empty, else an unknown item (its content depends
/// on the iterator, which is not evaluated here).
fn dynamic_item(scope: &Scope<'_>, file: FileIdx, dynamic: &Block) -> Option<Value> {
    let for_each = dynamic.attribute("for_each").map_or(Value::Unknown, |f| {
        scope.eval_in(file, &f.value, &mut Vec::new())
    });
    let empty = matches!(&for_each, Value::List(l) if l.is_empty())
        || matches!(&for_each, Value::Object(m) if m.is_empty());
    (!empty).then_some(Value::Unknown)
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
                            canonical_field(scope, file, block, p, name, mapping),
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
    attribute: &str,
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
        if !mapping.values.is_empty() {
            map_value(&mut field, profile, attribute, mapping);
        }
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
                    kind: ViaKind::ProfileDefault,
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

/// Reads a written value through the profile's `values` (`INACTIVE` is false),
/// saying so where it is written; a value not listed is unknown.
fn map_value(
    field: &mut Field,
    profile: &Applied<'_>,
    attribute: &str,
    mapping: &AttributeMapping,
) {
    let Origin::Set {
        name,
        file,
        span,
        vias,
    } = &mut field.origin
    else {
        return;
    };
    let written = match field.value.to_string_value() {
        Some(Some(s)) => s,
        _ => {
            if !field.value.is_null() {
                field.value = Value::Unknown;
            }
            return;
        }
    };
    let Some(mapped) = mapping.values.get(&written) else {
        field.value = Value::Unknown;
        return;
    };
    field.value = mapped.to_value();
    // a via at the argument itself: the engine then labels the argument with
    // the attribute (`multi_az` is false) rather than the input
    vias.push(Via {
        file: Arc::clone(file),
        span: span.clone(),
        what: format!(
            "{}, which reads `{name}` {written:?} as `{attribute}` {}{}",
            profile.label(),
            field.value,
            mapping
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        ),
        kind: ViaKind::ProfileReading,
    });
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
            // a list of nested blocks (`rule { ... }`), passed through as it is
            let Some(Field {
                value,
                origin: Origin::Set { span, vias, .. },
            }) = block_list(scope, file, other, &companion.input)
            else {
                continue;
            };
            return Some(Field {
                value,
                origin: Origin::Companion {
                    file: Arc::clone(&scope.dir().files[file].source),
                    span,
                    address: other.address(),
                    vias,
                },
            });
        };
        let mut vias = Vec::new();
        let raw = scope.eval_in(file, &attr.value, &mut vias);
        let value = match &raw {
            Value::Unknown => Value::Unknown,
            v if companion.values.is_empty() => v.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Bindings;
    use crate::hcl::parse_hcl;
    use crate::model::{ModuleDir, TfFile};
    use crate::profile::Profile;
    use crate::source::SourceFile;

    fn dir(src: &str) -> ModuleDir {
        let parsed = parse_hcl(src).unwrap();
        ModuleDir {
            path: ".".into(),
            files: vec![TfFile::from_body(
                Arc::new(SourceFile::new("main.tf", src)),
                parsed.body,
                parsed.duplicate_keys,
            )],
        }
    }

    fn raw(d: &ModuleDir, path: &str) -> Field {
        let scope = Scope::new(d, Bindings::new());
        let block = &d.files[0].blocks[0];
        raw_field(&scope, 0, block, path)
    }

    #[test]
    fn repeated_nested_blocks_read_as_a_list_of_objects() {
        let d = dir(r#"
resource "aws_s3_bucket" "b" {
  lifecycle_rule {
    enabled = true
    expiration {
      days = 30
    }
  }
  lifecycle_rule {
    enabled = false
  }
  dynamic "lifecycle_rule" {
    for_each = []
    content {
      enabled = true
    }
  }
  dynamic "lifecycle_rule" {
    for_each = [1]
    content {
      enabled = true
    }
  }
}
"#);
        let field = raw(&d, "lifecycle_rule");
        let Value::List(items) = &field.value else {
            panic!("{:?}", field.value)
        };
        assert_eq!(items.len(), 3, "the empty dynamic block adds nothing");
        assert_eq!(
            walk(&items[0], "expiration.days"),
            Some(Value::Number(30.0))
        );
        assert_eq!(walk(&items[1], "enabled"), Some(Value::Bool(false)));
        assert_eq!(
            items[2],
            Value::Unknown,
            "a dynamic block's content is not evaluated"
        );
        let Origin::Set { span, file, .. } = &field.origin else {
            panic!("{:?}", field.origin)
        };
        assert_eq!(&file.text[span.clone()], "lifecycle_rule {");
        assert_eq!(raw(&d, "cors_rule"), Field::absent());
    }

    #[test]
    fn a_dotted_path_walks_into_an_object_argument() {
        let d = dir(r#"
module "search" {
  source         = "x"
  cluster_config = { instance_count = 3, instance_type = "m6g.large.search" }
}
"#);
        assert_eq!(
            raw(&d, "cluster_config.instance_count").value,
            Value::Number(3.0)
        );
        assert_eq!(raw(&d, "cluster_config.warm_count"), Field::absent());
    }

    #[test]
    fn profile_values_translate_a_written_value() {
        let d = dir(r#"
resource "aws_cognito_user_pool" "p" {
  deletion_protection = "INACTIVE"
}
resource "aws_cognito_user_pool" "q" {
  deletion_protection = "SOMETHING_NEW"
}
"#);
        let profile = Profile::from_yaml(
            "t",
            "kind: cognito_user_pool\nname: resource aws_cognito_user_pool\nmatch: { resource_type: aws_cognito_user_pool }\nattributes:\n  deletion_protection:\n    input: deletion_protection\n    default: false\n    values: { ACTIVE: true, INACTIVE: false }\n",
        )
        .unwrap();
        let scope = Scope::new(&d, Bindings::new());
        let mapping = &profile.attributes["deletion_protection"];
        let blocks = &d.files[0].blocks;
        let applied = Applied {
            profile: &profile,
            called: None,
            exact: true,
            nearest: None,
        };
        let field = |i: usize| {
            canonical_field(
                &scope,
                0,
                &blocks[i],
                &applied,
                "deletion_protection",
                mapping,
            )
        };
        let p = field(0);
        assert_eq!(p.value, Value::Bool(false));
        let Origin::Set { name, vias, .. } = &p.origin else {
            panic!("{:?}", p.origin)
        };
        assert_eq!(name, "deletion_protection");
        assert!(
            vias[0]
                .what
                .contains("reads `deletion_protection` \"INACTIVE\" as"),
            "{vias:?}"
        );
        assert_eq!(
            field(1).value,
            Value::Unknown,
            "a value the profile does not list"
        );
    }
}
