//! Output formats, each behind [`Render`].
//!
//! | module | format | for |
//! |---|---|---|
//! | `human` | miette's graphical report | a terminal |
//! | `json` | drlint's JSON, version 1 | scripts (the stable contract) |
//! | `concise` | one line per finding; per-rule statistics | grep, editors, `--statistics` |
//! | `sarif` | SARIF 2.1.0 | GitHub code scanning |
//! | `github` | workflow-command annotations | a GitHub Actions step's log and PR diff |
//! | `markdown` | a summary with a table | `$GITHUB_STEP_SUMMARY`, PR comments |
//! | `junit` | JUnit XML, a suite per rule | CI test reports |
//! | `gitlab` | GitLab Code Quality JSON | merge request widgets |
//!
//! Columns: `human`, `json`, `concise`, `github` and `junit` count characters (1-based);
//! SARIF counts UTF-16 code units, its default `columnKind`.

mod concise;
mod github;
mod gitlab;
mod human;
mod inspect;
mod json;
mod junit;
mod markdown;
mod sarif;
mod sarif_fixes;

use std::io;

pub use concise::{Concise, Statistics};
pub use github::{GITHUB_ANNOTATIONS_PER_LEVEL, GitHub};
pub use gitlab::GitLab;
pub use human::Human;
pub use inspect::render_inspection;
pub use json::Json;
pub use junit::JUnit;
pub use markdown::{MARKDOWN_COMMENT_LIMIT, MARKDOWN_STEP_SUMMARY_LIMIT, Markdown};
pub use sarif::{DEFAULT_SARIF_CATEGORY, Sarif, SarifLimits};

use crate::check::Report;
use crate::finding::{Finding, Status};
use crate::rules::{Rule, Severity};

/// An output format: writes a whole report.
///
/// ```
/// use drlint::report::{Concise, Render, Sarif};
/// use drlint::{Linter, Source};
///
/// let linter = Linter::builder().no_config().build()?;
/// let report = linter.check_sources([Source::new(
///     "app-prod/main.tf",
///     "module \"db\" {\n  source = \"git::https://example.com/rds.git?ref=main\"\n}\n",
/// )]);
/// let mut text = Vec::new();
/// Concise.render(&report, &mut text).unwrap();
/// assert!(String::from_utf8(text).unwrap().starts_with("app-prod/main.tf:2:3: "));
///
/// let mut sarif = Vec::new();
/// Sarif::new(linter.rules()).render(&report, &mut sarif).unwrap();
/// let sarif: serde_json::Value = serde_json::from_slice(&sarif).unwrap();
/// assert_eq!(sarif["version"], "2.1.0");
/// # Ok::<(), drlint::Error>(())
/// ```
pub trait Render {
    /// Writes `report` to `out`.
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()>;
}

/// Where the documentation of every built-in rule is: `docs/rules.md`, one heading per rule id.
pub(crate) const RULES_DOCS: &str = "https://github.com/drlint/drlint/blob/main/docs/rules.md";

/// The project's home page.
pub(crate) const HOMEPAGE: &str = "https://github.com/drlint/drlint";

/// A rule's documentation: its own `docs` link, else, for a built-in rule, its
/// section of `docs/rules.md`; a team's rule without `docs` has none.
pub(crate) fn docs_url(rule: &Rule) -> Option<String> {
    if let Some(docs) = &rule.docs {
        return Some(docs.clone());
    }
    let file = format!("{}.yaml", rule.id);
    crate::builtin::rule_files()
        .iter()
        .any(|(name, _)| *name == file)
        .then(|| format!("{RULES_DOCS}#{}", rule.id))
}

/// Percent-encodes a relative, `/`-separated path as a URI reference: every
/// byte but the unreserved characters (RFC 3986: letters, digits, `-._~`) and
/// `/` is written `%XX`, so spaces, `#`, `?`, `%`, `:` and non-ASCII (as UTF-8)
/// cannot be read as anything but the path.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a character must not reach a terminal raw: control characters (C0 but
/// tab and line feed, DEL, C1), which move the cursor, retitle the window or start
/// escape sequences (ESC, CSI, OSC, CR, BS), and the bidirectional formatting
/// characters, which reorder what is shown ("Trojan Source").
pub(crate) fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text safe to show: every control, bidirectional-override and other invisible format
/// character written as Rust writes it,
/// `\u{1b}` (lowercase hex), except a carriage return that ends a line (`\r\n`), which is
/// kept. Borrowed when nothing needed escaping, as is usual.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The text on one line: each line break (`\r\n`, `\n`, `\r`) becomes a space.
pub(crate) fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// Findings in the order the size-limited formats keep them: errors, then
/// warnings, then notes; within a severity, new before existing (PR mode), then,
/// when `production_first`, production before the rest; then the report's own
/// order (path, line). Returns indexes into `findings`.
pub(crate) fn by_importance(findings: &[Finding], production_first: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| {
        let f = &findings[i];
        (
            std::cmp::Reverse(f.severity),
            f.status != Some(Status::New),
            production_first && f.production != Some(true),
            i,
        )
    });
    order
}

/// "1 error", "2 warnings".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The severities, most severe first.
pub(crate) const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Note];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_as_rust_writes_them() {
        assert_eq!(escape_controls("plain\ttext\n"), "plain\ttext\n");
        assert!(matches!(
            escape_controls("ok"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_controls("\u{1b}]0;t\u{7}\u{1b}[2J\r\u{8}\u{7f}\u{9b}\u{202e}"),
            "\\u{1b}]0;t\\u{7}\\u{1b}[2J\\u{d}\\u{8}\\u{7f}\\u{9b}\\u{202e}"
        );
        assert_eq!(escape_controls("crlf\r\nline"), "crlf\r\nline");
    }

    #[test]
    fn paths_are_percent_encoded_as_uri_references() {
        assert_eq!(uri_path("env/prod/rds.tf"), "env/prod/rds.tf");
        assert_eq!(uri_path("my env/a#b?.tf"), "my%20env/a%23b%3F.tf");
        assert_eq!(uri_path("c:d/100%.tf"), "c%3Ad/100%25.tf");
        assert_eq!(uri_path("café/é.tf"), "caf%C3%A9/%C3%A9.tf");
        assert_eq!(uri_path("../up/x.tf"), "../up/x.tf");
    }

    #[test]
    fn built_in_rules_link_to_their_section_of_the_docs() {
        let rules = crate::builtin::rules().unwrap();
        let rule = rules
            .iter()
            .find(|r| r.id == "deletion-protection-disabled")
            .unwrap();
        assert_eq!(
            docs_url(rule).unwrap(),
            format!("{RULES_DOCS}#deletion-protection-disabled")
        );
        let mut own = rule.clone();
        own.id = "team-rule".into();
        assert_eq!(docs_url(&own), None);
        own.docs = Some("https://example.com/team-rule".into());
        assert_eq!(docs_url(&own).unwrap(), "https://example.com/team-rule");
    }
}
