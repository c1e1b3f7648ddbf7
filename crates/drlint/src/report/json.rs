//! `--format json`: the stable machine-readable contract (version 1).

use std::io;

use serde::Serialize;

use super::Render;
use crate::check::Report;
use crate::finding::Finding;
use crate::rules::Severity;

pub const JSON_VERSION: u32 = 1;

/// drlint's JSON, version 1 (`schemas/report.schema.json`).
pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    /// PR mode: findings at the base that are gone at the head.
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<Vec<JsonFinding<'a>>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: Location<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<&'a str>,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    docs: Option<&'a str>,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<crate::finding::Status>,
    /// For rules with `max_age_days`: the age, or `null` with `age_unknown` saying why.
    #[serde(skip_serializing_if = "Option::is_none")]
    since: Option<Option<&'a crate::history::Since>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age_unknown: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    /// The edit the rule proposes (`drlint check --fix`), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    safety: crate::fix::Safety,
    edits: Vec<JsonEdit<'a>>,
}

/// The text from (`line`, `column`) up to, not including, (`end_line`, `end_column`) is
/// replaced; both are equal for an insertion.
#[derive(Serialize)]
struct JsonEdit<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    replacement: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    message: &'a str,
    #[serde(flatten)]
    location: Location<'a>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    findings: Counts,
    suppressed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<JsonBaseline<'a>>,
    unknown_values_skipped: usize,
    /// Terraform values left unknown because evaluation reached a limit of its budget.
    budget_exceeded: usize,
    /// What the modules in use hard-code, once per module and ref.
    hard_coded: serde_json::Value,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    /// Findings hidden because the baseline lists them.
    hidden: usize,
    /// Baseline entries that match no finding any more.
    fixed: &'a [crate::baseline::Entry],
}

#[derive(Serialize)]
struct Counts {
    error: usize,
    warning: usize,
    note: usize,
}

fn location<'a>(
    file: &'a crate::source::SourceFile,
    span: &std::ops::Range<usize>,
) -> Location<'a> {
    let start = file.line_col(span.start);
    let end = file.span_end(span);
    Location {
        path: &file.path,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

fn finding(f: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: &f.rule,
        severity: f.severity,
        message: &f.message,
        location: location(&f.file, &f.span),
        label: f.label.as_deref(),
        help: f.help.as_deref(),
        docs: f.docs.as_deref(),
        fingerprint: &f.fingerprint,
        status: f.status,
        since: f.since.as_ref().map(|age| match age {
            crate::history::Age::Since(since) => Some(since),
            crate::history::Age::Unknown(_) => None,
        }),
        age_unknown: match &f.since {
            Some(crate::history::Age::Unknown(reason)) => Some(reason),
            _ => None,
        },
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                message: &r.message,
                location: location(&r.file, &r.span),
            })
            .collect(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            description: &fix.description,
            safety: fix.safety,
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    let (start, end) = (e.file.line_col(e.span.start), e.file.line_col(e.span.end));
                    JsonEdit {
                        location: Location {
                            path: &e.file.path,
                            line: start.line,
                            column: start.column,
                            end_line: end.line,
                            end_column: end.column,
                        },
                        replacement: &e.replacement,
                    }
                })
                .collect(),
        }),
    }
}

impl Render for Json {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let doc = Document {
            version: JSON_VERSION,
            findings: report.findings.iter().map(finding).collect(),
            fixed: report
                .compared
                .then(|| report.fixed.iter().map(finding).collect()),
            summary: JsonSummary {
                files: report.summary.files,
                findings: Counts {
                    error: report.count(Severity::Error),
                    warning: report.count(Severity::Warning),
                    note: report.count(Severity::Note),
                },
                suppressed: report.summary.suppressed,
                baseline: report.baseline.as_ref().map(|b| JsonBaseline {
                    hidden: b.hidden,
                    fixed: &b.fixed,
                }),
                unknown_values_skipped: report.summary.unknown,
                budget_exceeded: report.summary.budget_exceeded,
                hard_coded: super::inspect::hard_coded_json(report),
            },
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)
    }
}
