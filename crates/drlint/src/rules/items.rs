//! Findings about items of a list or map argument (`any_item`): where each
//! matching item is written, so that a finding points at the entry to fix
//! (`recovery_window_in_days = 0` of one secret, `expiration` of one lifecycle
//! rule) rather than at the whole argument.

use std::ops::Range;
use std::sync::Arc;

use hcl_edit::Span;
use hcl_edit::expr::Expression;

use super::condition::{Fields, ItemKey, MatchedItems, Origin};
use crate::finding::{Finding, Related};
use crate::terraform::hcl::{key_name, key_span};
use crate::terraform::model::{Block, FileIdx, ModuleDir};

/// At most this many items get a secondary label of their own.
const MAX_LABELLED: usize = 10;

/// Where each matching item's target is written inside `block`'s argument
/// `name` (an object or list literal written in place), else inside its
/// repeated nested blocks `name { }`; items written elsewhere (a variable, a
/// module's default) are left out.
pub(crate) fn locate(
    block: &Block,
    name: &str,
    items: &MatchedItems,
) -> Vec<(ItemKey, Range<usize>)> {
    let target = items.target.as_deref();
    if let Some(attr) = block.attribute(name) {
        return items
            .items
            .iter()
            .filter_map(|key| {
                let item = match (key, &attr.value) {
                    (ItemKey::Key(k), Expression::Object(obj)) => obj
                        .iter()
                        .find(|(key, _)| key_name(key).as_deref() == Some(k.as_str()))
                        .map(|(_, v)| v.expr())?,
                    (ItemKey::Index(i, _), Expression::Array(list)) => list.get(*i)?,
                    _ => return None,
                };
                let span = target
                    .and_then(|path| in_expression(item, path))
                    .or_else(|| item.span())?;
                Some((key.clone(), span))
            })
            .collect();
    }
    // the items as the list reads them: `dynamic "name"` blocks hold places too
    let nested: Vec<&Block> = block
        .blocks
        .iter()
        .filter(|b| {
            b.ident == name || (b.ident == "dynamic" && b.labels.first().is_some_and(|l| l == name))
        })
        .collect();
    items
        .items
        .iter()
        .filter_map(|key| {
            let ItemKey::Index(i, _) = key else {
                return None;
            };
            let item = nested.get(*i)?;
            let span = target
                .and_then(|path| item.attribute_at(path).map(|a| a.span.clone()))
                .or_else(|| {
                    // `expiration { days = 30 }`: the nested block itself
                    let head = target?.split('.').next()?;
                    item.blocks
                        .iter()
                        .find(|b| b.ident == head)
                        .map(|b| b.span.clone())
                })
                .unwrap_or_else(|| item.header.clone());
            Some((key.clone(), span))
        })
        .collect()
}

/// The span of `key = value` at a dotted path of object keys inside an
/// expression (a list on the way is walked into its first item, as the
/// condition reads it).
fn in_expression(expr: &Expression, path: &str) -> Option<Range<usize>> {
    let mut current = expr;
    let mut span = None;
    for part in path.split('.') {
        if let Expression::Array(list) = current {
            current = list.get(0)?;
        }
        let Expression::Object(obj) = current else {
            return None;
        };
        let (key, value) = obj
            .iter()
            .find(|(key, _)| key_name(key).as_deref() == Some(part))?;
        let (start, end) = (key_span(key)?.start, value.expr().span()?.end);
        span = Some(start..end);
        current = value.expr();
    }
    span
}

/// Points `finding` at the first matching item where it is written: in the
/// subject's own block (the argument is written there, not passed in by a
/// caller), or in the companion resource that holds the list (an
/// `aws_s3_bucket_lifecycle_configuration`'s `rule` blocks). The other items,
/// and where the finding pointed, become secondary labels. A finding whose
/// items are written elsewhere (a variable, a default) is left as it is.
pub(crate) fn point_at_items(
    finding: &mut Finding,
    items: &MatchedItems,
    fields: &dyn Fields,
    subject: &Block,
    dir: &ModuleDir,
    subject_file: FileIdx,
) {
    let own = &dir.files[subject_file].source;
    if !Arc::ptr_eq(&finding.file, own) {
        return;
    }
    let (block, name, file) = match fields.field(&items.field).origin {
        Origin::Set { name, file, .. } if Arc::ptr_eq(&file, own) => (subject, name, file),
        Origin::Set { .. } => return,
        Origin::Companion {
            file,
            span,
            address,
            ..
        } => {
            // the list is read from the companion's nested blocks, labelled at the first
            let Some(companion) = dir
                .blocks()
                .find(|(i, b)| Arc::ptr_eq(&dir.files[*i].source, &file) && b.address() == address)
                .map(|(_, b)| b)
            else {
                return;
            };
            let Some(first) = companion.blocks.iter().find(|b| b.header == span) else {
                return;
            };
            (companion, first.ident.clone(), file)
        }
        // repeated nested blocks, read under the field's name
        _ => (subject, items.field.clone(), Arc::clone(own)),
    };
    let file = &file;
    let target = items.target.as_deref();
    // the first as written is the primary location
    let mut located = locate(block, &name, items);
    located.sort_by_key(|(_, span)| span.start);
    let Some(((first, span), rest)) = located.split_first() else {
        return;
    };
    // `item `a`: `days = 30``: the item's target as written, when it is one short line
    let what = |key: &ItemKey, span: &Range<usize>| {
        let written = file.text.get(span.clone()).unwrap_or_default().trim();
        match target {
            Some(_) if !written.contains('\n') && written.len() <= 80 => {
                format!("item {}: `{written}`", key.name())
            }
            Some(t) => format!("`{t}` of item {}", key.name()),
            None => format!("item {}", key.name()),
        }
    };
    let mut related = vec![Related {
        file: Arc::clone(&finding.file),
        span: finding.span.clone(),
        message: finding
            .label
            .clone()
            .unwrap_or_else(|| "the finding is about this block".to_owned()),
    }];
    related.extend(rest.iter().take(MAX_LABELLED).map(|(key, span)| Related {
        file: Arc::clone(file),
        span: span.clone(),
        message: format!("and {}", what(key, span)),
    }));
    related.append(&mut finding.related);
    finding.related = related;
    finding.file = Arc::clone(file);
    finding.span = span.clone();
    finding.label = Some(what(first, span));
}
