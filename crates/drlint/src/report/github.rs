//! `--format github`: GitHub Actions workflow commands, one annotation per line:
//! `::error file=F,line=L,endLine=L2,col=C,endColumn=C2,title=RULE::message`.
//!
//! - Levels: error → `error`, warning → `warning`, note → `notice`.
//! - Columns count characters, 1-based, `endColumn` just after the last character
//!   (as in JSON). GitHub places columns only within one line: a finding that spans
//!   several lines gets `line` and `endLine` without columns.
//! - The message is the finding's message, then its help on the following lines.
//!   Escaped as GitHub's runner unescapes: `%` → `%25`, CR → `%0D`, LF → `%0A`; property
//!   values (file, title) also `:` → `%3A` and `,` → `%2C`. Other control characters
//!   (ESC, BS, a CR that ends no line...) are written `\u{1b}` first, as in every
//!   human-readable format.
//! - GitHub shows at most 10 annotations of each level per step. drlint writes the 10 most
//!   important of each level (new before existing in PR mode, production before the rest,
//!   then by path and line); when any were left out, one last notice says how many and
//!   points to the job summary (`--format markdown=$GITHUB_STEP_SUMMARY`). That notice must
//!   itself be shown, so there are then at most 9 other notices.

use std::io;

use super::Render;
use crate::check::Report;
use crate::finding::Finding;
use crate::rules::Severity;

/// How many annotations of each level GitHub shows for one step.
pub const GITHUB_ANNOTATIONS_PER_LEVEL: usize = 10;

/// GitHub Actions workflow-command annotations (`::error file=...`), the most important
/// 10 per level, then one notice naming the rest.
pub struct GitHub {
    /// Annotations written per level (GitHub shows 10).
    pub per_level: usize,
}

impl Default for GitHub {
    fn default() -> Self {
        GitHub {
            per_level: GITHUB_ANNOTATIONS_PER_LEVEL,
        }
    }
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// A workflow command's data (the message). Other control characters, which the
/// log would render (ANSI colours, cursor moves), are escaped as `\u{1b}` first.
fn escape_data(text: &str) -> String {
    super::escape_controls(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn annotation(f: &Finding) -> String {
    let start = f.start();
    let end = f.end();
    let mut properties = format!(
        "file={},line={},endLine={}",
        escape_property(f.path()),
        start.line,
        end.line
    );
    if start.line == end.line {
        properties.push_str(&format!(",col={},endColumn={}", start.column, end.column));
    }
    properties.push_str(&format!(",title={}", escape_property(&f.rule)));
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message.push_str("\n\n");
        message.push_str(help.trim_end());
    }
    format!(
        "::{} {properties}::{}",
        command(f.severity),
        escape_data(&message)
    )
}

impl Render for GitHub {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let order = super::by_importance(&report.findings, true);
        let count = |s: Severity| report.count(s);
        let overflow = super::SEVERITIES.iter().any(|&s| count(s) > self.per_level);
        let mut shown = 0;
        for severity in super::SEVERITIES {
            // the overflow notice takes one of the notices' places
            let room = if severity == Severity::Note && overflow {
                self.per_level.saturating_sub(1)
            } else {
                self.per_level
            };
            for &i in order
                .iter()
                .filter(|&&i| report.findings[i].severity == severity)
                .take(room)
            {
                writeln!(out, "{}", annotation(&report.findings[i]))?;
                shown += 1;
            }
        }
        let left_out = report.findings.len() - shown;
        if left_out > 0 {
            writeln!(
                out,
                "::notice title=drlint::{}",
                escape_data(&format!(
                    "{} not shown as annotations (GitHub shows {} per level for a step): \
                     the job summary lists every finding",
                    super::plural(left_out, "more finding"),
                    self.per_level
                ))
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(escape_data("100% off\r\nnext"), "100%25 off%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(
            escape_data("\u{1b}[31mred\u{8}\r"),
            "\\u{1b}[31mred\\u{8}\\u{d}"
        );
    }
}
