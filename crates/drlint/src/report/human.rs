//! The default, human format: miette's graphical report per finding and a
//! one-line summary.

use std::fmt;
use std::io;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use super::Render;
use crate::check::CheckReport;
use crate::finding::{Finding, Related};
use crate::rules::Severity;
use crate::source::SourceFile;

pub struct Human {
    pub color: bool,
    pub width: usize,
    /// Whether to end with the summary lines (counts, hard-coded facts); `--quiet` drops them.
    pub summary: bool,
}

/// A finding seen through miette's `Diagnostic`.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    related: Vec<RelatedDiagnostic>,
    /// Shown instead of an empty file (a marker), so that the label has a line to point at.
    empty_file: Option<SourceFile>,
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

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic")
            .field("rule", &self.finding.rule)
            .finish()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

fn miette_severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // in PR mode, say which findings this change brings
        match self.finding.status {
            Some(crate::finding::Status::New) => {
                Some(Box::new(format!("{} (new)", self.finding.rule)))
            }
            _ => Some(Box::new(&self.finding.rule)),
        }
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette_severity(self.finding.severity))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h.trim_end()) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .docs
            .as_ref()
            .map(|d| Box::new(d) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        match &self.empty_file {
            Some(stand_in) => Some(stand_in),
            None => Some(&*self.finding.file),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary = LabeledSpan::new_primary_with_span(f.label.clone(), f.span.clone());
        let secondary = f
            .related
            .iter()
            .filter(|r| Arc::ptr_eq(&r.file, &f.file))
            .map(|r| LabeledSpan::new_with_span(Some(r.message.clone()), r.span.clone()));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
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
pub fn summary_line(report: &CheckReport) -> String {
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
pub fn hard_coded_line(report: &CheckReport) -> Option<String> {
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
    pub fn render_finding(&self, finding: &Finding) -> String {
        let diagnostic = FindingDiagnostic {
            finding,
            related: finding
                .related
                .iter()
                .filter(|r| !Arc::ptr_eq(&r.file, &finding.file))
                .map(|r: &Related| RelatedDiagnostic {
                    file: Arc::clone(&r.file),
                    span: r.span.clone(),
                    message: r.message.clone(),
                })
                .collect(),
            // an unreadable file has no text either, but is not empty: not for parse errors
            empty_file: (finding.file.text.is_empty() && finding.rule != crate::check::PARSE_ERROR)
                .then(|| SourceFile::new(finding.file.path.clone(), EMPTY_FILE)),
        };
        let mut out = String::new();
        self.handler()
            .render_report(&mut out, &diagnostic)
            .expect("writing to a String cannot fail");
        out
    }
}

impl Render for Human {
    fn render(&self, report: &CheckReport, out: &mut dyn io::Write) -> io::Result<()> {
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
