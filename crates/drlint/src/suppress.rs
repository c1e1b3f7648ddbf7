//! Inline suppressions: `# drlint:ignore RULE[,RULE] [until=YYYY-MM-DD] -- reason`
//! on the line above or at the end of the line of an attribute or block (a
//! comment on a block covers the whole block), `# drlint:ignore-file RULE -- reason`
//! anywhere before the first code of a file, and the syntaxes of other
//! scanners (`checkov:skip=`, `tfsec:ignore:`, `trivy:ignore:`, `tflint-ignore:`)
//! for drlint rules that check the same thing.

use std::ops::{Range, RangeInclusive};

use crate::model::Block;
use crate::source::{SourceFile, floor_char_boundary};

/// A comment in a file: where it is and its text without the comment markers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Range<usize>,
    pub line: usize,
    /// Alone on its line (applies to the next line of code) or after code (applies to its line).
    pub own_line: bool,
    pub text: String,
}

/// Which tool's syntax a suppression is written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Syntax {
    Drlint,
    /// `checkov`, `tfsec`, `trivy` or `tflint`: rule ids are that tool's.
    Foreign(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub syntax: Syntax,
    /// Rule ids as written (drlint ids, or the other tool's).
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// `YYYY-MM-DD`: the last day the suppression holds.
    pub until: Option<String>,
    /// The comment, for findings about the suppression itself.
    pub span: Range<usize>,
    /// The lines whose findings it covers.
    pub lines: RangeInclusive<usize>,
    /// `until=` was given but is not a date.
    pub bad_date: Option<String>,
}

/// Finds the comments of HCL text: `#`, `//` and `/* */`, outside strings and heredocs.
pub fn hcl_comments(file: &SourceFile) -> Vec<Comment> {
    let text = file.text.as_bytes();
    let mut out = Vec::new();
    // Stack of open contexts: a string, or an interpolation inside a string (with its brace depth).
    enum Ctx {
        Str,
        Interp(usize),
    }
    let mut stack: Vec<Ctx> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        match stack.last_mut() {
            Some(Ctx::Str) => {
                match c {
                    b'\\' => i += 1,
                    b'"' => {
                        stack.pop();
                    }
                    b'$' | b'%' if text.get(i + 1) == Some(&b'{') => {
                        stack.push(Ctx::Interp(0));
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Some(Ctx::Interp(depth)) => match c {
                b'{' => *depth += 1,
                b'}' if *depth == 0 => {
                    stack.pop();
                    i += 1;
                    continue;
                }
                b'}' => *depth -= 1,
                _ => {}
            },
            None => {}
        }
        match c {
            b'"' => stack.push(Ctx::Str),
            b'#' => {
                let end = line_end(text, i);
                out.push(comment(file, i, end, i + 1, end));
                i = end;
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'/') => {
                let end = line_end(text, i);
                out.push(comment(file, i, end, i + 2, end));
                i = end;
                continue;
            }
            b'/' if text.get(i + 1) == Some(&b'*') => {
                // an unterminated comment runs to the end of the file, with no `*/` to drop
                let (end, text_end) = match find(text, i + 2, b"*/") {
                    Some(close) => (close + 2, close),
                    None => (text.len(), text.len()),
                };
                out.push(comment(file, i, end, i + 2, text_end));
                i = end;
                continue;
            }
            b'<' if text.get(i + 1) == Some(&b'<') && stack.is_empty() => {
                if let Some(end) = heredoc_end(text, i) {
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Finds the comments of YAML text: `#` at the start of a line or after a space, outside quotes.
pub fn yaml_comments(file: &SourceFile) -> Vec<Comment> {
    let text = file.text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = line_end(text, start);
        let mut quote: Option<u8> = None;
        let mut i = start;
        while i < end {
            let c = text[i];
            match (quote, c) {
                (Some(b'"'), b'\\') => i += 1,
                (Some(q), _) if c == q => quote = None,
                (None, b'"' | b'\'')
                    if i == start
                        || matches!(text[i - 1], b' ' | b':' | b'-' | b'[' | b'{' | b',') =>
                {
                    quote = Some(c)
                }
                (None, b'#') if i == start || matches!(text[i - 1], b' ' | b'\t') => {
                    out.push(comment(file, i, end, i + 1, end));
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        start = end + 1;
    }
    out
}

fn line_end(text: &[u8], from: usize) -> usize {
    text[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |p| from + p)
}

fn find(text: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    text.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The end of a heredoc starting at `<<` (`<<EOT` or `<<-EOT`), after its closing line.
fn heredoc_end(text: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 2;
    if text.get(i) == Some(&b'-') {
        i += 1;
    }
    let ident_start = i;
    while i < text.len() && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
        i += 1;
    }
    if i == ident_start || !matches!(text.get(i), Some(b'\n' | b'\r')) {
        return None;
    }
    let ident = &text[ident_start..i];
    let mut line = line_end(text, i) + 1;
    while line < text.len() {
        let end = line_end(text, line);
        let trimmed = text[line..end].trim_ascii();
        if trimmed == ident {
            return Some(end);
        }
        line = end + 1;
    }
    Some(text.len())
}

fn comment(
    file: &SourceFile,
    start: usize,
    end: usize,
    text_start: usize,
    text_end: usize,
) -> Comment {
    // every offset is floored to a character boundary before it cuts the text
    let at = |offset: usize| floor_char_boundary(&file.text, offset);
    let (start, end, text_end) = (at(start), at(end), at(text_end));
    let text_start = at(text_start).min(text_end);
    let line = file.line_col(start).line;
    let line_start = file.line_start(line).min(start);
    let own_line = file.text[line_start..start].trim().is_empty();
    let end = if end > start && file.text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    };
    Comment {
        span: start..end.max(start),
        line,
        own_line,
        text: file.text[text_start..text_end].trim().to_owned(),
    }
}

/// A suppression directive as written in a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Directive {
    syntax: Syntax,
    /// `ignore-file`: the whole file.
    file_wide: bool,
    rules: Vec<String>,
    reason: Option<String>,
    until: Option<String>,
    /// `until=` given but not a date.
    bad_date: Option<String>,
}

impl Directive {
    fn foreign(
        tool: &'static str,
        file_wide: bool,
        rules: Vec<String>,
        reason: Option<String>,
    ) -> Directive {
        Directive {
            syntax: Syntax::Foreign(tool),
            file_wide,
            rules,
            reason,
            until: None,
            bad_date: None,
        }
    }
}

/// Parses a drlint or foreign suppression out of a comment's text.
fn parse_directive(text: &str) -> Option<Directive> {
    let text = text.trim_start_matches(['#', '/', '*', ' ']).trim();
    if let Some(rest) = text.strip_prefix("drlint:") {
        let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix("ignore") {
            (false, r)
        } else {
            return None;
        };
        if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
            return None;
        }
        let (head, reason) = match rest.split_once("--") {
            Some((h, r)) => (
                h,
                Some(r.trim()).filter(|r| !r.is_empty()).map(str::to_owned),
            ),
            None => (rest, None),
        };
        let mut rules = Vec::new();
        let mut until = None;
        let mut bad_date = None;
        for word in head
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
        {
            match word.strip_prefix("until=") {
                Some(date) if is_date(date) => until = Some(date.to_owned()),
                Some(date) => bad_date = Some(date.to_owned()),
                None => rules.push(word.to_owned()),
            }
        }
        return Some(Directive {
            syntax: Syntax::Drlint,
            file_wide,
            rules,
            reason,
            until,
            bad_date,
        });
    }
    if let Some(rest) = text.strip_prefix("checkov:skip=") {
        let mut parts = rest.splitn(2, ':');
        let id = parts.next()?.trim().to_owned();
        let reason = parts
            .next()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        return Some(Directive::foreign("checkov", false, vec![id], reason));
    }
    for (tool, prefix) in [("tfsec", "tfsec:ignore:"), ("trivy", "trivy:ignore:")] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let id = rest.split([':', ' ']).next()?.trim().to_owned();
            return Some(Directive::foreign(tool, false, vec![id], None));
        }
    }
    for (file_wide, prefix) in [(true, "tflint-ignore-file:"), (false, "tflint-ignore:")] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let (ids, reason) = match rest.split_once('#') {
                Some((ids, reason)) => (ids, Some(reason.trim().to_owned())),
                None => (rest, None),
            };
            let rules = ids
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            return Some(Directive::foreign("tflint", file_wide, rules, reason));
        }
    }
    None
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// What a directive on `target_line` covers: the block starting there (with all
/// it holds), else that line alone.
fn coverage(file: &SourceFile, blocks: &[Block], target_line: usize) -> RangeInclusive<usize> {
    fn find(file: &SourceFile, blocks: &[Block], line: usize) -> Option<RangeInclusive<usize>> {
        for b in blocks {
            let start = file.line_col(b.span.start).line;
            let end = file
                .line_col(b.span.end.saturating_sub(1).max(b.span.start))
                .line;
            if start == line {
                return Some(start..=end);
            }
            if (start..=end).contains(&line)
                && let Some(inner) = find(file, &b.blocks, line)
            {
                return Some(inner);
            }
        }
        None
    }
    find(file, blocks, target_line).unwrap_or(target_line..=target_line)
}

/// What a YAML directive on `target_line` covers: that line and the more-indented lines below it.
fn yaml_coverage(file: &SourceFile, target_line: usize) -> RangeInclusive<usize> {
    let indent = |line: usize| -> Option<usize> {
        let start = file.line_start(line);
        let end = file.line_span(start).end;
        let text = &file.text[start..end];
        let trimmed = text.trim_start();
        (!trimmed.is_empty() && !trimmed.starts_with('#')).then(|| text.len() - trimmed.len())
    };
    let Some(base) = indent(target_line) else {
        return target_line..=target_line;
    };
    let mut last = target_line;
    for line in target_line + 1..=file.line_count() {
        match indent(line) {
            Some(i) if i > base => last = line,
            Some(_) => break,
            None => {}
        }
    }
    target_line..=last
}

/// The first line after `line` holding code (not blank, not only a comment).
fn next_code_line(file: &SourceFile, comments: &[Comment], line: usize) -> Option<usize> {
    (line + 1..=file.line_count()).find(|&l| {
        let start = file.line_start(l);
        let text = &file.text[start..file.line_span(start).end];
        !text.trim().is_empty() && !comments.iter().any(|c| c.line == l && c.own_line)
    })
}

/// The suppressions of a file. `blocks` is the file's HCL model (empty for YAML).
pub fn suppressions(
    file: &SourceFile,
    comments: &[Comment],
    blocks: &[Block],
    yaml: bool,
) -> Vec<Suppression> {
    let first_code = next_code_line(file, comments, 0).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for c in comments {
        let Some(d) = parse_directive(&c.text) else {
            continue;
        };
        let lines = if d.file_wide {
            if c.line > first_code {
                // `ignore-file` below the first code is a mistake: it covers nothing
                RangeInclusive::new(1, 0)
            } else {
                1..=file.line_count()
            }
        } else {
            let target = if c.own_line {
                next_code_line(file, comments, c.line).unwrap_or(c.line)
            } else {
                c.line
            };
            if yaml {
                yaml_coverage(file, target)
            } else {
                coverage(file, blocks, target)
            }
        };
        out.push(Suppression {
            syntax: d.syntax,
            rules: d.rules,
            reason: d.reason,
            until: d.until,
            span: c.span.clone(),
            lines,
            bad_date: d.bad_date,
        });
    }
    out
}

/// Today's date as `YYYY-MM-DD` (UTC), from the system clock.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (Howard Hinnant's civil_from_days).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_outside_strings_and_heredocs() {
        let src = "a = \"http://x#y\" # one\n// two\nb = <<EOT\n# not a comment\nEOT\n/* three */ c = \"${\"}\"}\" // four\n";
        let f = SourceFile::new("m.tf", src);
        let texts: Vec<_> = hcl_comments(&f)
            .into_iter()
            .map(|c| (c.line, c.own_line, c.text))
            .collect();
        assert_eq!(
            texts,
            [
                (1, false, "one".to_owned()),
                (2, true, "two".to_owned()),
                (6, true, "three".to_owned()),
                (6, false, "four".to_owned())
            ]
        );
    }

    #[test]
    fn an_unterminated_block_comment_runs_to_the_end_of_the_file() {
        // ends in a three-byte character: the text must not be cut inside it
        for src in ["/* €", "/*€", "/* é", "x = 1 /* 😀"] {
            let f = SourceFile::new("m.tf", src);
            let comments = hcl_comments(&f);
            assert_eq!(comments.len(), 1, "{src}");
            let c = &comments[0];
            assert_eq!(c.span.end, src.len(), "{src}");
            assert_eq!(c.text, src[src.find("/*").unwrap() + 2..].trim(), "{src}");
        }
        assert_eq!(hcl_comments(&SourceFile::new("m.tf", "/*€*/"))[0].text, "€");
    }

    #[test]
    fn yaml_comments_skip_quoted_hashes() {
        let f = SourceFile::new("v.yaml", "a: \"x # y\" # real\n# own\nb: c#d\n");
        let texts: Vec<_> = yaml_comments(&f).into_iter().map(|c| c.text).collect();
        assert_eq!(texts, ["real", "own"]);
    }

    #[test]
    fn directives() {
        let d = parse_directive("drlint:ignore a-b,c-d until=2026-03-31 -- restore in progress")
            .unwrap();
        assert_eq!((d.syntax, d.file_wide), (Syntax::Drlint, false));
        assert_eq!(d.rules, ["a-b", "c-d"]);
        assert_eq!(d.reason.as_deref(), Some("restore in progress"));
        assert_eq!(d.until.as_deref(), Some("2026-03-31"));
        assert_eq!(parse_directive("drlint:ignore a").unwrap().reason, None);
        assert!(
            parse_directive("drlint:ignore-file a -- b")
                .unwrap()
                .file_wide
        );
        assert_eq!(parse_directive("drlint:ignored a"), None);
        let d = parse_directive("checkov:skip=CKV_AWS_293:legacy").unwrap();
        assert_eq!(d.syntax, Syntax::Foreign("checkov"));
        assert_eq!(
            (d.rules, d.reason.as_deref()),
            (vec!["CKV_AWS_293".to_owned()], Some("legacy"))
        );
        let rules = |t: &str| parse_directive(t).unwrap().rules;
        assert_eq!(
            rules("tfsec:ignore:aws-rds-enable-deletion-protection"),
            ["aws-rds-enable-deletion-protection"]
        );
        assert_eq!(rules("trivy:ignore:AVD-AWS-0177"), ["AVD-AWS-0177"]);
        assert_eq!(rules("tflint-ignore: a_b, c_d"), ["a_b", "c_d"]);
    }

    #[test]
    fn yaml_directives_cover_the_mapping_below_them() {
        let text = "a:\n  # drlint:ignore x -- r\n  b:\n    c: 1\n    d: 2\n  e: 3\n";
        let f = SourceFile::new("v.yaml", text);
        let comments = yaml_comments(&f);
        let s = suppressions(&f, &comments, &[], true);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].lines, 3..=5);
    }

    #[test]
    fn hcl_directives_cover_the_block_below_them() {
        let text = "# drlint:ignore x -- r\nresource \"a\" \"b\" {\n  c = 1\n  d {\n    e = 2 # drlint:ignore y -- r\n  }\n}\nf = 1\n";
        let f = SourceFile::new("m.tf", text);
        let parsed = crate::hcl::parse_hcl(text).unwrap();
        let tf = crate::model::TfFile::from_body(
            std::sync::Arc::new(SourceFile::new("m.tf", text)),
            parsed.body,
            vec![],
        );
        let s = suppressions(&f, &hcl_comments(&f), &tf.blocks, false);
        assert_eq!(s[0].lines, 2..=7);
        assert_eq!(s[1].lines, 5..=5);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_417), "2025-11-25");
        assert_eq!(civil_date(11_016), "2000-02-29");
    }
}

/// The suppressions of one file.
#[derive(Debug, Clone)]
pub struct FileSuppressions {
    pub file: std::sync::Arc<SourceFile>,
    pub suppressions: Vec<Suppression>,
}

/// What applying suppressions did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings that stay reported (with expired suppressions noted on them).
    pub kept: Vec<crate::finding::Finding>,
    /// Findings hidden by a suppression in force.
    pub suppressed: usize,
}

pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
pub const SUPPRESSION_WITHOUT_REASON: &str = "suppression-without-reason";

/// Matches findings with suppressions, then reports the suppressions
/// themselves: unused ones, ones without a reason, dates that are not dates.
/// `rules` are the rules in force (foreign ids map through their equivalents);
/// `today` is `YYYY-MM-DD`.
pub fn apply(
    findings: Vec<crate::finding::Finding>,
    files: &[FileSuppressions],
    rules: &[crate::rules::Rule],
    known_rules: &[String],
    today: &str,
) -> Applied {
    use crate::finding::{Finding, Related};
    use std::collections::HashMap;
    use std::sync::Arc;

    let by_path: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.file.path.as_str(), i))
        .collect();
    let mut used: Vec<Vec<bool>> = files
        .iter()
        .map(|f| vec![false; f.suppressions.len()])
        .collect();
    let covers = |s: &Suppression, rule: &str| -> bool {
        match &s.syntax {
            Syntax::Drlint => s.rules.iter().any(|r| r == rule),
            Syntax::Foreign(tool) => rules
                .iter()
                .find(|r| r.id == rule)
                .is_some_and(|r| s.rules.iter().any(|id| r.equivalent_of(tool, id))),
        }
    };
    let mut applied = Applied::default();
    for mut finding in findings {
        let line = finding.start().line;
        let mut hidden = false;
        if let Some(&fi) = by_path.get(finding.path()) {
            for (si, s) in files[fi].suppressions.iter().enumerate() {
                if !s.lines.contains(&line) || !covers(s, &finding.rule) {
                    continue;
                }
                used[fi][si] = true;
                match &s.until {
                    Some(until) if until.as_str() < today => finding.related.push(Related {
                        file: Arc::clone(&files[fi].file),
                        span: s.span.clone(),
                        message: format!(
                            "this suppression expired on {until}: the finding is back"
                        ),
                    }),
                    _ => hidden = true,
                }
            }
        }
        if hidden {
            applied.suppressed += 1;
        } else {
            applied.kept.push(finding);
        }
    }
    let rule = |id: &str| rules.iter().find(|r| r.id == id);
    let enabled = |id: &str| rules.iter().any(|r| r.id == id);
    let known = |id: &str| known_rules.iter().any(|r| r == id);
    // a suggested `until=` is a month ahead, never a date already past
    let until = crate::history::days_from_civil(today)
        .map_or_else(|| "YYYY-MM-DD".to_owned(), |d| civil_date(d + 30));
    let meta = |rule_id: &str,
                file: &Arc<SourceFile>,
                span: &Range<usize>,
                message: String,
                label: &str,
                named: &[String]| {
        let r = rule(rule_id)?;
        let help = crate::rules::fill_template(&r.help, |name| match name {
            "until" => until.clone(),
            "rules" if !named.is_empty() => named.join(","),
            "rules" => "RULE".to_owned(),
            other => format!("{{{other}}}"),
        });
        Some(Finding {
            rule: r.id.clone(),
            severity: r.severity,
            message,
            help: Some(help),
            docs: r.docs.clone(),
            file: Arc::clone(file),
            span: span.clone(),
            label: Some(label.to_owned()),
            related: Vec::new(),
            identity: format!(
                "{}@{}",
                rule_id,
                file.text.get(span.clone()).unwrap_or_default()
            ),
            fingerprint: String::new(),
            status: None,
            since: None,
            production: None,
            fix: None,
        })
    };
    for (fi, f) in files.iter().enumerate() {
        for (si, s) in f.suppressions.iter().enumerate() {
            if s.syntax != Syntax::Drlint {
                continue; // other tools' comments serve those tools too
            }
            if s.reason.is_none() {
                applied.kept.extend(meta(
                    SUPPRESSION_WITHOUT_REASON,
                    &f.file,
                    &s.span,
                    "suppression gives no reason".to_owned(),
                    "add `-- why` after the rule ids",
                    &s.rules,
                ));
            }
            if let Some(date) = &s.bad_date {
                applied.kept.extend(meta(
                    UNUSED_SUPPRESSION,
                    &f.file,
                    &s.span,
                    format!(
                        "`until={date}` is not a date (YYYY-MM-DD): the suppression never expires"
                    ),
                    "expected until=YYYY-MM-DD",
                    &s.rules,
                ));
            }
            if used[fi][si] {
                continue;
            }
            let unknown: Vec<&str> = s
                .rules
                .iter()
                .map(String::as_str)
                .filter(|r| !known(r))
                .collect();
            if unknown.is_empty() && !s.rules.iter().all(|r| enabled(r)) {
                continue; // names a rule switched off for this run: cannot tell
            }
            let message = if s.rules.is_empty() {
                "suppression names no rule, so it suppresses nothing".to_owned()
            } else if !unknown.is_empty() {
                format!("suppression names unknown rule `{}`", unknown.join("`, `"))
            } else {
                format!(
                    "suppression of `{}` matches no finding",
                    s.rules.join("`, `")
                )
            };
            applied.kept.extend(meta(
                UNUSED_SUPPRESSION,
                &f.file,
                &s.span,
                message,
                "remove it, or fix what it names",
                &s.rules,
            ));
        }
    }
    applied
}
