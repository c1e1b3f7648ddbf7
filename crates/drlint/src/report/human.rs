//! The default, human format: miette's graphical report per finding and a
//! one-line summary.

use std::fmt;
use std::io;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::Render;
use crate::check::Report;
use crate::finding::Finding;
use crate::rules::Severity;
use crate::source::SourceFile;

/// miette's report per finding, with its source lines and labels, and a summary line.
pub struct Human {
    /// ANSI colours.
    pub color: bool,
    /// The terminal width to wrap at.
    pub width: usize,
    /// Whether to end with the summary lines (counts, hard-coded facts); `--quiet` drops them.
    pub summary: bool,
}

/// A finding seen through miette's `Diagnostic`, every text escaped
/// ([`super::escape_controls`]): message, rule, help, labels, file names and source lines.
struct FindingDiagnostic {
    message: String,
    code: String,
    severity: Severity,
    help: Option<String>,
    url: Option<String>,
    /// The file as shown (escaped), or the stand-in for an empty file (a marker),
    /// so that the label has a line to point at.
    source: Arc<SourceFile>,
    /// Labels in this file, with spans into `source`; the first is the primary one.
    labels: Vec<(Option<String>, std::ops::Range<usize>)>,
    related: Vec<RelatedDiagnostic>,
}

/// The one line shown for an empty file.
const EMPTY_FILE: &str = "(empty file)";

/// A secondary location in another file, rendered below the finding.
#[derive(Debug)]
struct RelatedDiagnostic {
    file: Arc<SourceFile>,
    span: std::ops::Range<usize>,
    message: String,
}

/// A file as shown: its path and text with control characters escaped, and how
/// its byte offsets moved (nothing to do when none needed escaping, as is usual).
struct Shown {
    file: Arc<SourceFile>,
    /// (offset in the original of an escaped character, bytes added up to and with it)
    shifts: Vec<(usize, usize)>,
}

impl Shown {
    fn new(file: &Arc<SourceFile>) -> Shown {
        let path = super::escape_controls(&file.path);
        // printable ASCII needs no escape (known once per file: a plan is large)
        let text_clean = file.is_plain() || !file.text.chars().any(super::needs_escape);
        if text_clean && matches!(path, std::borrow::Cow::Borrowed(_)) {
            return Shown {
                file: Arc::clone(file),
                shifts: Vec::new(),
            };
        }
        if text_clean {
            return Shown {
                file: Arc::new(SourceFile::new(path.into_owned(), Arc::clone(&file.text))),
                shifts: Vec::new(),
            };
        }
        let mut text = String::with_capacity(file.text.len() + 16);
        let mut shifts = Vec::new();
        let mut added = 0;
        let mut chars = file.text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let line_end = c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n');
            if super::needs_escape(c) && !line_end {
                let escaped = format!("\\u{{{:x}}}", u32::from(c));
                added += escaped.len() - c.len_utf8();
                text.push_str(&escaped);
                shifts.push((i, added));
            } else {
                text.push(c);
            }
        }
        Shown {
            file: Arc::new(SourceFile::new(path.into_owned(), text)),
            shifts,
        }
    }

    fn offset(&self, offset: usize) -> usize {
        let k = self.shifts.partition_point(|&(at, _)| at < offset);
        offset + if k == 0 { 0 } else { self.shifts[k - 1].1 }
    }

    fn span(&self, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        self.offset(span.start)..self.offset(span.end)
    }
}

fn escaped(text: &str) -> String {
    super::escape_controls(text).into_owned()
}

impl fmt::Debug for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("rule", &self.code)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FindingDiagnostic {}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

impl Diagnostic for FindingDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.severity))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.url
            .as_ref()
            .map(|d| Box::new(d) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let mut labels = self.labels.iter();
        let primary = labels
            .next()
            .map(|(l, span)| LabeledSpan::new_primary_with_span(l.clone(), span.clone()));
        let secondary = labels.map(|(l, span)| LabeledSpan::new_with_span(l.clone(), span.clone()));
        Some(Box::new(primary.into_iter().chain(secondary)))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

impl fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span.clone()),
        )))
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "2 errors, 1 warning, 0 notes in 14 files (3 checks skipped: value unknown)",
/// and "(2 values unknown: evaluation budget reached)" when the budget cut any short.
pub fn summary_line(report: &Report) -> String {
    let mut line = format!(
        "{}, {}, {} in {}",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning"),
        plural(report.count(Severity::Note), "note"),
        plural(report.summary.files, "file"),
    );
    if report.compared {
        let new = report
            .findings
            .iter()
            .filter(|f| f.status == Some(crate::finding::Status::New))
            .count();
        line.push_str(&format!(
            "; {new} new in this change, {} fixed",
            report.fixed.len()
        ));
    }
    if report.summary.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", report.summary.suppressed));
    }
    if let Some(b) = &report.baseline {
        line.push_str(&format!("; {} in the baseline", b.hidden));
        if !b.fixed.is_empty() {
            line.push_str(&format!(
                "; {} baseline {} no longer found (fixed? run `drlint baseline create` to drop {})",
                b.fixed.len(),
                if b.fixed.len() == 1 {
                    "entry"
                } else {
                    "entries"
                },
                if b.fixed.len() == 1 { "it" } else { "them" },
            ));
        }
    }
    if report.summary.unknown > 0 {
        line.push_str(&format!(
            " ({} skipped: value unknown statically)",
            plural(report.summary.unknown, "check")
        ));
    }
    if report.summary.budget_exceeded > 0 {
        line.push_str(&format!(
            " ({} unknown: evaluation budget reached)",
            plural(report.summary.budget_exceeded, "value")
        ));
    }
    line
}

/// One line for what the modules in use hard-code, which no call can change
/// and so is never a finding per call.
pub fn hard_coded_line(report: &Report) -> Option<String> {
    if report.hard_coded.is_empty() {
        return None;
    }
    let facts: usize = report.hard_coded.iter().map(|h| h.facts.len()).sum();
    let calls: usize = report.hard_coded.iter().map(|h| h.calls).sum();
    Some(format!(
        "Hard-coded by modules, so not reported per call: {} in {} ({}); `drlint inspect` lists them",
        plural(facts, "recovery setting"),
        plural(report.hard_coded.len(), "module ref"),
        plural(calls, "call"),
    ))
}

impl Human {
    fn handler(&self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(self.width)
            .with_context_lines(1)
    }

    /// Renders one finding as miette's graphical report.
    pub(crate) fn render_finding(&self, finding: &Finding) -> String {
        let shown = Shown::new(&finding.file);
        // an unreadable or skipped file has no text either, but is not empty
        let stand_in = finding.file.text.is_empty()
            && finding.rule != crate::check::PARSE_ERROR
            && finding.rule != crate::check::INPUT_SKIPPED;
        let (source, mut labels) = if stand_in {
            (
                Arc::new(SourceFile::new(shown.file.path.clone(), EMPTY_FILE)),
                vec![(finding.label.as_deref().map(escaped), finding.span.clone())],
            )
        } else {
            (
                Arc::clone(&shown.file),
                vec![(
                    finding.label.as_deref().map(escaped),
                    shown.span(&finding.span),
                )],
            )
        };
        let mut related = Vec::new();
        for r in &finding.related {
            if Arc::ptr_eq(&r.file, &finding.file) {
                labels.push((Some(escaped(&r.message)), shown.span(&r.span)));
            } else {
                let other = Shown::new(&r.file);
                related.push(RelatedDiagnostic {
                    span: other.span(&r.span),
                    file: other.file,
                    message: escaped(&r.message),
                });
            }
        }
        let rule = escaped(&finding.rule);
        let diagnostic = FindingDiagnostic {
            message: escaped(&finding.message),
            // in PR mode, say which findings this change brings
            code: match finding.status {
                Some(crate::finding::Status::New) => format!("{rule} (new)"),
                _ => rule,
            },
            severity: finding.severity,
            help: finding.help.as_deref().map(|h| escaped(h.trim_end())),
            url: finding.docs.as_deref().map(escaped),
            source,
            labels,
            related,
        };
        let mut out = String::new();
        self.handler()
            .render_report(&mut out, &diagnostic)
            .expect("writing to a String cannot fail");
        out
    }
}

impl Render for Human {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        for finding in &report.findings {
            out.write_all(self.render_finding(finding).as_bytes())?;
            writeln!(out)?;
        }
        if !self.summary {
            return Ok(());
        }
        writeln!(out, "{}", summary_line(report))?;
        if let Some(line) = hard_coded_line(report) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}
