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
use crate::source::SourceFile;
use crate::terraform::hcl::{key_name, key_span};
use crate::terraform::model::Block;

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
    let nested: Vec<&Block> = block.blocks.iter().filter(|b| b.ident == name).collect();
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

/// Points `finding` at the first matching item written in `block` (the
/// argument is written there, not passed in by a caller), with the other
/// items, and the argument it pointed at, as secondary labels. A finding
/// whose items are written elsewhere (a variable, a default) is left as it is.
pub(crate) fn point_at_items(
    finding: &mut Finding,
    items: &MatchedItems,
    fields: &dyn Fields,
    block: &Block,
    file: &Arc<SourceFile>,
) {
    if !Arc::ptr_eq(&finding.file, file) {
        return;
    }
    let name = match fields.field(&items.field).origin {
        Origin::Set { name, file: at, .. } if Arc::ptr_eq(&at, file) => name,
        Origin::Set { .. } => return,
        // repeated nested blocks, read under the field's name
        _ => items.field.clone(),
    };
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
            .unwrap_or_else(|| "in this argument".to_owned()),
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
