//! The fix a rule declares (`fix:`), made for one finding: the smallest edit, in the style of
//! the block around it, so that `terraform fmt -check` still passes.

use std::ops::Range;
use std::sync::Arc;

use super::condition::{Field, Origin};
use super::definition::{FixAddition, FixSpec};
use super::engine::Inspected;
use super::subject::Subject;
use crate::fix::{Edit, Fix, hcl_literal};
use crate::model::Block;
use crate::profile::Scalar;
use crate::source::SourceFile;

/// The fix of a kind (`canonical`) or blocks rule's finding about `subject`: its target set
/// to the fix's value. `None` when the rule has no such fix, when the module hard-codes the
/// attribute or a companion resource sets it, or when the value is already written.
pub fn set_target(
    spec: &FixSpec,
    target: &str,
    subject: &Subject<'_>,
    field: &Field,
    file: &Arc<SourceFile>,
    canonical: bool,
) -> Option<Fix> {
    let value = spec.set.as_ref()?;
    let (input, literal) = if canonical {
        let mapping = subject.profile.as_ref()?.profile.attributes.get(target)?;
        if mapping.fixed.is_some() {
            return None;
        }
        let literal = if mapping.values.is_empty() {
            hcl_literal(value)?
        } else {
            // the input's written value that the profile reads as this one (`"ACTIVE"`)
            let written = mapping.values.iter().find(|(_, v)| *v == value)?.0;
            hcl_literal(&Scalar::String(written.clone()))?
        };
        (mapping.input.clone()?, literal)
    } else {
        (target.to_owned(), hcl_literal(value)?)
    };
    let shown = input.rsplit('.').next().unwrap_or(&input);
    let description = format!("set `{shown} = {literal}`");
    let edit = match &field.origin {
        Origin::Set { file, span, .. } => {
            let value_span = value_span(&file.text, span)?;
            if file.text.get(value_span.clone())? == literal {
                return None;
            }
            Edit {
                file: Arc::clone(file),
                span: value_span,
                replacement: literal,
            }
        }
        // a nested block (`point_in_time_recovery.enabled`) is not written from nothing
        Origin::Default { .. } | Origin::Absent if !input.contains('.') => {
            insert_attribute(file, subject.block, &input, &literal)?
        }
        _ => return None,
    };
    Some(Fix {
        description,
        safety: spec.safety,
        edits: vec![edit],
    })
}

/// The value of `name = value` (an attribute's span): after the `=`, without the spaces around.
fn value_span(text: &str, attribute: &Range<usize>) -> Option<Range<usize>> {
    let written = text.get(attribute.clone())?;
    let eq = written.find('=')?;
    let after = &written[eq + 1..];
    let start = attribute.start + eq + 1 + (after.len() - after.trim_start().len());
    let end = attribute.start + written.trim_end().len();
    (start < end).then_some(start..end)
}

/// Adds `name = literal` as the block's last line, after a blank line (so that `terraform
/// fmt` does not align it with the arguments above), indented like the block's arguments.
/// `None` when the block's closing brace does not stand on its own line.
fn insert_attribute(
    file: &Arc<SourceFile>,
    block: &Block,
    name: &str,
    literal: &str,
) -> Option<Edit> {
    let text = &file.text;
    let close = block.span.end.checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let brace_indent = &text[line_start..close];
    if !brace_indent.chars().all(|c| c == ' ' || c == '\t') || line_start <= block.span.start {
        return None;
    }
    let indent = block
        .attributes
        .first()
        .map(|a| indentation(text, a.span.start))
        .unwrap_or_else(|| format!("{brace_indent}  "));
    // the line above the brace: the header (an empty block) or a blank line needs no blank line
    let previous_start = text[..line_start - 1].rfind('\n').map_or(0, |i| i + 1);
    let previous = text[previous_start..line_start - 1].trim();
    let separator = if previous.is_empty() || previous_start <= block.span.start {
        ""
    } else {
        "\n"
    };
    Some(Edit {
        file: Arc::clone(file),
        span: line_start..line_start,
        replacement: format!("{separator}{indent}{name} = {literal}\n"),
    })
}

/// The spaces and tabs before `offset` on its line.
fn indentation(text: &str, offset: usize) -> String {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[start..offset]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// The fix of a change rule's finding: the generated `moved` block after the head's block,
/// for a data store declared in the root module (one in a called module is moved in that
/// module's own folder, which a root's fix does not edit).
pub fn add_to_change(spec: &FixSpec, head: &Inspected, moved_block: Option<&str>) -> Option<Fix> {
    let FixAddition::MovedBlock = spec.add?;
    let moved = moved_block?;
    let top_level = !head.address.contains("module.") || head.address.matches('.').count() == 1;
    if !top_level {
        return None;
    }
    let end = head.block.end;
    if head.file.text.as_bytes().get(end.checked_sub(1)?) != Some(&b'}') {
        return None;
    }
    Some(Fix {
        description: format!(
            "add a `moved` block from `{}`",
            moved.lines().nth(1)?.trim().trim_start_matches("from = ")
        ),
        safety: spec.safety,
        edits: vec![Edit {
            file: Arc::clone(&head.file),
            span: end..end,
            replacement: format!("\n\n{moved}"),
        }],
    })
}
