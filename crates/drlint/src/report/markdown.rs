//! `--format markdown`: a summary for `$GITHUB_STEP_SUMMARY` or a pull request comment.
//!
//! A heading, the totals by severity (in PR mode new against existing, and how many were
//! fixed), then a table of findings (severity, rule, location, message), most important
//! first (errors, warnings, notes; new before existing; production first; then path and
//! line). Rows beyond the first 50 are folded in a `<details>` block.
//!
//! Locations link to the line when a link base is given (`https://github.com/OWNER/REPO/blob/SHA/`):
//! `[path:line](BASE/path#Lx-Ly)` (the finding's first and last line); else they are plain `path:line`.
//!
//! Cells are escaped for GitHub's tables: `|` as `\|` (also inside code spans, where GitHub's
//! table parser needs it too), `<`, `>` and `&` as entities outside code spans, where HTML
//! would otherwise be read; line breaks become `<br>` (a space inside a code span); other
//! control characters are written `\u{1b}`, as in every human-readable format.
//!
//! The output never exceeds `limit` bytes (GitHub: 1 MiB for a step summary, 65,536
//! characters for a comment): rows are added whole while they fit, and a last line says how
//! many findings were not shown.

use std::io;

use super::Render;
use crate::check::Report;
use crate::finding::{Finding, Status};

/// GitHub's limit for a job's step summary: 1 MiB.
pub const MARKDOWN_STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// GitHub's limit for a comment: 65,536 characters; as bytes, never more characters.
pub const MARKDOWN_COMMENT_LIMIT: usize = 65_536;

/// Rows shown before the rest are folded.
const UNFOLDED_ROWS: usize = 50;

/// A Markdown summary for `$GITHUB_STEP_SUMMARY` or a pull-request comment.
pub struct Markdown {
    /// The base of links to lines, ending in `/`: `https://github.com/OWNER/REPO/blob/SHA/`.
    pub link_base: Option<String>,
    /// The most bytes written.
    pub limit: usize,
}

impl Default for Markdown {
    fn default() -> Self {
        Markdown {
            link_base: None,
            limit: MARKDOWN_STEP_SUMMARY_LIMIT,
        }
    }
}

/// Text outside code spans.
fn escape_text(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            _ => out.push(c),
        }
    }
}

/// A code span's content: no HTML is read there; only the table's `|` and line breaks matter.
fn escape_code(code: &str, out: &mut String) {
    for c in code.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
}

/// One table cell: code spans (a backtick run closed by a run of the same length,
/// as CommonMark reads them) keep their text; the rest is escaped.
pub(crate) fn cell(text: &str) -> String {
    let text = super::escape_controls(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest: &str = &text;
    while let Some(open) = rest.find('`') {
        escape_text(&rest[..open], &mut out);
        let after = &rest[open..];
        let ticks = after.len() - after.trim_start_matches('`').len();
        let body = &after[ticks..];
        match closing_run(body, ticks) {
            Some(close) => {
                out.push_str(&after[..ticks]);
                escape_code(&body[..close], &mut out);
                out.push_str(&after[..ticks]);
                rest = &body[close + ticks..];
            }
            None => {
                // an unmatched run is literal text
                out.push_str(&after[..ticks]);
                rest = body;
            }
        }
    }
    escape_text(rest, &mut out);
    out
}

/// Where a backtick run of exactly `ticks` starts in `body`.
fn closing_run(body: &str, ticks: usize) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let start = i;
            while i < bytes.len() && bytes[i] == b'`' {
                i += 1;
            }
            if i - start == ticks {
                return Some(start);
            }
        } else {
            i += 1;
        }
    }
    None
}

fn severity_cell(f: &Finding) -> String {
    let mut cell = f.severity.as_str().to_owned();
    if f.status == Some(Status::New) {
        cell.push_str(" (new)");
    }
    cell
}

impl Markdown {
    fn location(&self, f: &Finding) -> String {
        let start = f.start();
        let end = f.end();
        let text = cell(&format!("{}:{}", f.path(), start.line));
        match &self.link_base {
            Some(base) => {
                format!(
                    "[{}]({base}{}#L{}-L{})",
                    text.replace('[', "\\[").replace(']', "\\]"),
                    super::uri_path(f.path()),
                    start.line,
                    end.line
                )
            }
            None => text,
        }
    }

    fn row(&self, f: &Finding) -> String {
        format!(
            "| {} | `{}` | {} | {} |\n",
            severity_cell(f),
            f.rule,
            self.location(f),
            cell(&f.message)
        )
    }

    fn head(&self, report: &Report) -> String {
        let mut head = String::from("## drlint\n\n");
        let files = super::plural(report.summary.files, "file");
        if report.findings.is_empty() {
            head.push_str(&format!("No findings in {files}."));
            if report.compared {
                head.push_str(&format!(
                    " {} fixed by this change.",
                    super::plural(report.fixed.len(), "finding")
                ));
            }
            head.push('\n');
            return head;
        }
        let counts = |findings: &mut dyn Iterator<Item = &Finding>| {
            let mut c = [0usize; 3];
            for f in findings {
                c[super::SEVERITIES
                    .iter()
                    .position(|&s| s == f.severity)
                    .unwrap()] += 1;
            }
            c
        };
        let row = |name: &str, c: [usize; 3]| {
            format!(
                "| {name} | {} | {} | {} | {} |\n",
                c[0],
                c[1],
                c[2],
                c.iter().sum::<usize>()
            )
        };
        head.push_str(&format!(
            "{} in {files}.\n\n",
            super::plural(report.findings.len(), "finding")
        ));
        head.push_str("| | error | warning | note | total |\n|---|---:|---:|---:|---:|\n");
        if report.compared {
            let new = counts(
                &mut report
                    .findings
                    .iter()
                    .filter(|f| f.status == Some(Status::New)),
            );
            let existing = counts(
                &mut report
                    .findings
                    .iter()
                    .filter(|f| f.status != Some(Status::New)),
            );
            head.push_str(&row("new", new));
            head.push_str(&row("existing", existing));
        }
        head.push_str(&row("**all**", counts(&mut report.findings.iter())));
        if report.compared {
            head.push_str(&format!(
                "\n{} fixed by this change.\n",
                super::plural(report.fixed.len(), "finding")
            ));
        }
        head.push('\n');
        head
    }

    /// The whole text with the first `shown` rows of `rows`.
    fn assemble(&self, head: &str, rows: &[String], shown: usize) -> String {
        const TABLE: &str = "| severity | rule | location | message |\n|---|---|---|---|\n";
        let mut text = String::from(head);
        let (open, folded) = rows[..shown].split_at(shown.min(UNFOLDED_ROWS));
        if !open.is_empty() {
            text.push_str(TABLE);
            open.iter().for_each(|r| text.push_str(r));
        }
        if !folded.is_empty() {
            text.push_str(&format!(
                "\n<details><summary>{}</summary>\n\n{TABLE}",
                super::plural(folded.len(), "more finding")
            ));
            folded.iter().for_each(|r| text.push_str(r));
            text.push_str("\n</details>\n");
        }
        let hidden = rows.len() - shown;
        if hidden > 0 {
            text.push_str(&format!(
                "\n{} not shown: this summary is limited to {} bytes.\n",
                super::plural(hidden, "more finding"),
                self.limit
            ));
        }
        text
    }
}

impl Render for Markdown {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let head = self.head(report);
        let rows: Vec<String> = super::by_importance(&report.findings, true)
            .into_iter()
            .map(|i| self.row(&report.findings[i]))
            .collect();
        let n = rows.len();
        let mut text = self.assemble(&head, &rows, n);
        if text.len() > self.limit {
            // each row adds more than the shorter count saves: the length grows with the rows
            let (mut lo, mut hi) = (0, n.saturating_sub(1));
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if self.assemble(&head, &rows, mid).len() <= self.limit {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            text = self.assemble(&head, &rows, lo);
            if text.len() > self.limit {
                // not even the heading fits: the line saying so, if that does
                text = format!(
                    "{} not shown: this summary is limited to {} bytes.\n",
                    super::plural(n, "finding"),
                    self.limit
                );
                if text.len() > self.limit {
                    text.clear();
                }
            }
        }
        out.write_all(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_tables_and_html_but_keep_code_spans() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(cell("<script> & x"), "&lt;script&gt; &amp; x");
        assert_eq!(cell("`a|<b>` c"), "`a\\|<b>` c");
        assert_eq!(cell("one\ntwo\r\nthree"), "one<br>two<br>three");
        assert_eq!(cell("`multi\nline`"), "`multi line`");
        // an unmatched backtick is literal; a double run closes only on a double run
        assert_eq!(cell("it`s <x>"), "it`s &lt;x&gt;");
        assert_eq!(cell("``a ` b`` <"), "``a ` b`` &lt;");
        assert_eq!(cell("`\u{1b}[2J` \u{7}"), "`\\u{1b}[2J` \\u{7}");
    }
}
