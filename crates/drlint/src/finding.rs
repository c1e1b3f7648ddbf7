//! Findings: what a rule reports, with byte spans; line and column are
//! computed only when a report is rendered.

use std::ops::Range;
use std::sync::Arc;

use crate::rules::Severity;
use crate::source::{LineCol, SourceFile};

/// A secondary location: where a value came from, or an earlier definition.
#[derive(Debug, Clone)]
pub struct Related {
    /// The file.
    pub file: Arc<SourceFile>,
    /// The byte range.
    pub span: Range<usize>,
    /// What is there ("default comes from module rds-instance 9.2.0").
    pub message: String,
}

/// What a rule reports: a message at a byte span of a file, with related locations.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule's id.
    pub rule: String,
    /// Its severity (after configuration and production).
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// A link to the rule's documentation.
    pub docs: Option<String>,
    /// The file.
    pub file: Arc<SourceFile>,
    /// The byte range the finding points at.
    pub span: Range<usize>,
    /// Text under the primary span.
    pub label: Option<String>,
    /// Secondary locations ("default comes from module rds-instance 9.2.0").
    pub related: Vec<Related>,
    /// What the finding is about, independent of line numbers: the block
    /// address and field (`module.rds#deletion_protection`). With rule and
    /// path it makes the fingerprint.
    pub identity: String,
    /// Stable identity: rule, path, identity and occurrence, hashed.
    pub fingerprint: String,
    /// In PR mode: whether the finding is new in the pull request.
    pub status: Option<Status>,
    /// For rules with `max_age_days`: since when its value has been as it is
    /// (from git history), or why that is unknown.
    pub since: Option<crate::history::Age>,
    /// Whether the finding is about production (the namespace's production
    /// facts); `None` when unknown or not about a deployed folder (parse errors).
    pub production: Option<bool>,
    /// The edit its rule proposes, when the rule declares a fix and it applies here.
    pub fix: Option<crate::fix::Fix>,
}

/// In PR mode: a finding not present at the base is new (and so is every change-rule finding).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Not present at the base.
    New,
    /// Present at the base too.
    Existing,
}

impl Finding {
    /// The file's display path.
    pub fn path(&self) -> &str {
        &self.file.path
    }

    /// The line and column (1-based, in characters) where the span starts.
    pub fn start(&self) -> LineCol {
        self.file.line_col(self.span.start)
    }

    /// The last character of the span (inclusive), 1-based.
    pub fn end(&self) -> LineCol {
        self.file.span_end(&self.span)
    }
}

/// FNV-1a, 64 bit: stable across platforms and releases, unlike `DefaultHasher`.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0xff]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// Sorts findings by path, position, rule and identity: the order of every report.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.path(), a.span.start, &a.rule, &a.identity).cmp(&(
            b.path(),
            b.span.start,
            &b.rule,
            &b.identity,
        ))
    });
}

/// Sorts findings by path, line, column and rule, and gives each a
/// fingerprint from (rule, path, identity, occurrence): stable when lines
/// shift, distinct across files and for repeated identical findings.
pub fn finalize(findings: &mut [Finding]) {
    sort(findings);
    let mut seen: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
    for f in findings.iter_mut() {
        let base = fnv1a(&[&f.rule, f.path(), &f.identity]);
        let n = seen.entry(base).or_insert(0);
        f.fingerprint = format!("{:016x}", fnv1a(&[&base.to_string(), &n.to_string()]));
        *n += 1;
    }
}
