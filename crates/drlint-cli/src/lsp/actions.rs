//! Hovers (where a value comes from) and code actions (the rule's fix, a suppression comment,
//! the rule's documentation) over a group's last check.

use std::collections::HashMap;
use std::path::Path;

use drlint::fix::Safety;
use drlint::{Finding, SourceFile};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Hover, HoverContents, MarkupContent,
    MarkupKind, Position, Range, TextEdit, Url, WorkspaceEdit,
};

use super::convert::{self, diagnostic, shown, uri_of};
use super::workspace::Analysis;

/// The command that opens a rule's documentation (`window/showDocument`).
pub const OPEN_DOCS: &str = "drlint.openDocs";

/// What drlint knows about the value under the cursor: every effective attribute set by the
/// argument there, or, on a block's header, all of the block's.
pub fn hover(root: &Path, analysis: &Analysis, path: &str, at: Position) -> Option<Hover> {
    let values = analysis.report.provenance();
    let file = values.iter().find(|p| p.file.path == path)?.file.clone();
    let offset = convert::offset(&file, at);
    let under: Vec<_> = values
        .iter()
        .filter(|p| p.file.path == path && p.span.start <= offset && offset <= p.span.end)
        .collect();
    // the narrowest place: an argument inside a block wins over the block's header
    let narrowest = under.iter().map(|p| p.span.len()).min()?;
    let shown_values: Vec<_> = under
        .into_iter()
        .filter(|p| p.span.len() == narrowest)
        .collect();
    let first = shown_values.first()?;
    let mut text = format!("**{}** ({})\n\n```text\n", first.address, first.kind);
    for p in &shown_values {
        text.push_str(&shown(root, &p.chain()));
        text.push('\n');
    }
    text.push_str("```");
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(convert::range(&file, &first.span)),
    })
}

/// Whether two protocol ranges touch.
fn touches(a: &Range, b: &Range) -> bool {
    let before = |x: &Position, y: &Position| (x.line, x.character) < (y.line, y.character);
    !before(&a.end, &b.start) && !before(&b.end, &a.start)
}

/// The code actions for the findings in `range` of the file at `path`; `changes` are the
/// findings of the group compared with git's `HEAD` (a rename's `moved` block).
pub fn code_actions(
    linter: &drlint::Linter,
    root: &Path,
    analysis: &Analysis,
    changes: &[Finding],
    path: &str,
    range: &Range,
    today: &str,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    let findings = analysis
        .report
        .findings()
        .iter()
        .chain(changes)
        .filter(|f| f.path() == path);
    for finding in findings {
        let docs = convert::docs_of(linter, finding);
        let diag = diagnostic(root, finding, docs.as_deref());
        if !touches(&diag.range, range) {
            continue;
        }
        if let Some(fix) = &finding.fix {
            let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
            for e in &fix.edits {
                let Some(uri) = uri_of(root, &e.file.path) else {
                    continue;
                };
                changes.entry(uri).or_default().push(TextEdit::new(
                    convert::range(&e.file, &e.span),
                    e.replacement.clone(),
                ));
            }
            let unsafe_note = match fix.safety {
                Safety::Unsafe => " (unsafe: changes the infrastructure)",
                Safety::Safe => "",
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("drlint: {}{unsafe_note}", fix.description),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.clone()]),
                edit: Some(WorkspaceEdit::new(changes)),
                is_preferred: Some(fix.safety == Safety::Safe),
                ..CodeAction::default()
            }));
        }
        if let Some(edit) = ignore_edit(finding, today) {
            let uri = uri_of(root, finding.path());
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("drlint: ignore {} for 30 days", finding.rule),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diag.clone()]),
                edit: uri.map(|uri| WorkspaceEdit::new(HashMap::from([(uri, vec![edit])]))),
                ..CodeAction::default()
            }));
        }
        if let Some(docs) = docs {
            actions.push(CodeActionOrCommand::Command(Command {
                title: format!("drlint: open the documentation of {}", finding.rule),
                command: OPEN_DOCS.to_owned(),
                arguments: Some(vec![serde_json::Value::String(docs)]),
            }));
        }
    }
    actions
}

/// `# drlint:ignore RULE until=<today+30d> -- <reason>` on a line of its own above the block
/// the finding is in (Terraform: the top-level block; YAML: the finding's own key).
fn ignore_edit(finding: &Finding, today: &str) -> Option<TextEdit> {
    let file: &SourceFile = &finding.file;
    let line = anchor_line(file, finding)?;
    let start = file.line_start(line);
    let indent: String = file.text[start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let until = days_after(today, 30)?;
    let at = convert::position(file, start);
    Some(TextEdit::new(
        Range::new(at, at),
        format!(
            "{indent}# drlint:ignore {} until={until} -- <reason>\n",
            finding.rule
        ),
    ))
}

/// The line (1-based) the suppression goes above.
fn anchor_line(file: &SourceFile, finding: &Finding) -> Option<usize> {
    let line = finding.start().line;
    if !file.path.ends_with(".tf") {
        return Some(line);
    }
    // up to the nearest line that starts a top-level block (no indentation, not a comment
    // and not a closing brace)
    (1..=line).rev().find(|&n| {
        let start = file.line_start(n);
        let text = file.text[start..].lines().next().unwrap_or("");
        let first = text.chars().next();
        first.is_some_and(|c| c.is_ascii_alphabetic())
    })
}

/// `YYYY-MM-DD` plus `days`.
fn days_after(date: &str, days: i64) -> Option<String> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    // Howard Hinnant's days_from_civil and civil_from_days
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let z = era * 146_097 + doe + days;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// Today, as the suppressions compare it (`DRLINT_TODAY` for tests and reproducible runs).
pub fn today() -> String {
    if let Ok(today) = std::env::var("DRLINT_TODAY") {
        return today;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    days_after("1970-01-01", i64::try_from(secs / 86_400).unwrap_or(0))
        .unwrap_or_else(|| "1970-01-01".to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_move_forward_across_months_and_leap_days() {
        assert_eq!(super::days_after("2026-01-15", 30).unwrap(), "2026-02-14");
        assert_eq!(super::days_after("2028-02-10", 30).unwrap(), "2028-03-11");
        assert_eq!(super::days_after("2026-12-15", 30).unwrap(), "2027-01-14");
        assert_eq!(
            super::days_after("1970-01-01", 20_417).unwrap(),
            "2025-11-25"
        );
    }
}
