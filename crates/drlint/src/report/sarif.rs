//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning reads it.
//!
//! - One run, whose `runAutomationDetails.id` is `<category>/` (category `drlint` unless the
//!   CLI's `--sarif-category` says otherwise), so that several drlint uploads of one
//!   repository (one per folder, say) do not replace each other's alerts.
//! - `tool.driver.rules` lists every rule of the run, with or without findings. Each has its
//!   title as `shortDescription`, its rationale as `fullDescription`, its help as `help.text`,
//!   and the help plus a link to its documentation as `help.markdown` (GitHub ignores
//!   `helpUri`; it is set too, for other viewers).
//! - Tags and GitHub's security severity, by what the rule checks:
//!
//!   | rules | `tags` | `precision` | `security-severity` |
//!   |---|---|---|---|
//!   | recovery rules (every `select` but `parser` and `suppressions`) | `disaster-recovery`, `security`, and the language (`terraform` or `helm`) | `high` | from the rule's severity, the higher of `severity` and `production_severity`: error 8.0 (GitHub "high"), warning 5.5 ("medium"), note 2.0 ("low") |
//!   | hygiene rules (`select: parser` or `suppressions`: `parse-error`, `duplicate-object-key`, `evaluation-cycle`, `unused-suppression`, `suppression-without-reason`) | `maintainability`, and the languages (`terraform`, `helm`; `yaml11-ambiguous-boolean`: `helm`; `evaluation-cycle`: `terraform`) | `very-high` | none (GitHub reads it only with the `security` tag) |
//!
//!   A finding of a rule that is not in the run's list (a parse error while `--rule` names
//!   others) gets a descriptor of its id alone, so that every `ruleIndex` is valid.
//! - Results: `level` is the finding's own severity (error, warning, note), `message.text`
//!   its message, followed by one embedded link (`[text](id)`) per secondary label, which is
//!   also a `relatedLocations` entry with that id. Regions count UTF-16 code units
//!   (`columnKind: utf16CodeUnits`), `endColumn` exclusive. `fingerprints` carries
//!   `drlint/v1`, the finding's fingerprint (rule, path, what it is about; not its line);
//!   `partialFingerprints` is left to GitHub. In PR mode, `properties.status` is `new` or
//!   `existing` (not `baselineState`, which GitHub does not read).
//! - GitHub's limits ([`SarifLimits`]): 25,000 results per run, 1,000 locations per result,
//!   10 MB per file gzipped (and 20 runs per file: drlint writes one). Beyond them the most
//!   severe results are kept (error, warning, note; then new before existing; then the
//!   report's order), and `invocations[0].toolExecutionNotifications` says how many were
//!   left out and why.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Render;
use crate::check::Report;
use crate::finding::{Finding, Status};
use crate::rules::{Rule, Select, Severity};
use crate::source::SourceFile;

/// The run's category (`runAutomationDetails.id`) unless one is given.
pub const DEFAULT_SARIF_CATEGORY: &str = "drlint";

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The fingerprint's name in `fingerprints`, versioned as SARIF advises.
const FINGERPRINT: &str = "drlint/v1";

/// GitHub code scanning's upload limits, parameters so that tests can reach them.
#[derive(Debug, Clone, Copy)]
pub struct SarifLimits {
    /// Results per run (GitHub: 25,000).
    pub max_results: usize,
    /// Related locations per result (GitHub: 1,000 locations per result).
    pub max_related_locations: usize,
    /// The whole file, gzip-compressed, in bytes (GitHub: 10 MB).
    pub max_gzipped_bytes: usize,
}

impl Default for SarifLimits {
    fn default() -> Self {
        SarifLimits {
            max_results: 25_000,
            max_related_locations: 1_000,
            max_gzipped_bytes: 10_000_000,
        }
    }
}

/// SARIF 2.1.0 as GitHub code scanning reads it.
pub struct Sarif<'r> {
    /// Every rule of the run, listed in `tool.driver.rules` in this order.
    pub rules: &'r [Rule],
    /// `runAutomationDetails.id` is `<category>/`.
    pub category: String,
    /// GitHub's limits, past which the most severe results are kept.
    pub limits: SarifLimits,
}

impl<'r> Sarif<'r> {
    /// The default category and GitHub's limits.
    pub fn new(rules: &'r [Rule]) -> Self {
        Sarif {
            rules,
            category: DEFAULT_SARIF_CATEGORY.to_owned(),
            limits: SarifLimits::default(),
        }
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<&'a SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: &'a Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<DescriptorProperties>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct DescriptorProperties {
    tags: Vec<&'static str>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: NotificationDescriptor,
}

#[derive(Serialize)]
struct NotificationDescriptor {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
    /// The rule's fix (§3.55), when it has one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<super::sarif_fixes::SarifFix<'a>>,
}

#[derive(Serialize)]
struct ResultProperties {
    status: Status,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<TextRef<'a>>,
}

#[derive(Serialize)]
pub(super) struct TextRef<'a> {
    pub text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
pub(super) struct ArtifactLocation {
    pub uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// GitHub's `security-severity` (0.1 to 10; over 7 is "high", 4 to 7 "medium", under 4 "low").
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Note => "2.0",
    }
}

/// Parser and suppression findings are about the checking itself, not recovery.
fn is_hygiene(rule: &Rule) -> bool {
    matches!(rule.select, Select::Parser | Select::Suppressions)
}

/// `deletion-protection-disabled` → `DeletionProtectionDisabled`.
fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

fn descriptor(rule: &Rule) -> Descriptor {
    let docs = super::docs_url(rule);
    let help = rule.help_for_docs().trim_end().to_owned();
    let markdown = match &docs {
        Some(url) => format!(
            "{help}\n\n[`{}` in the drlint documentation]({url})",
            rule.id
        ),
        None => help.clone(),
    };
    let hygiene = is_hygiene(rule);
    let worst = rule
        .production_severity
        .map_or(rule.severity, |p| p.max(rule.severity));
    Descriptor {
        id: rule.id.clone(),
        name: pascal_case(&rule.id),
        short_description: Some(Text {
            text: rule.title.trim().to_owned(),
        }),
        full_description: Some(Text {
            text: rule.rationale.trim().to_owned(),
        }),
        help: Some(Help {
            text: help,
            markdown,
        }),
        help_uri: docs,
        default_configuration: Some(Configuration {
            level: level(rule.severity),
        }),
        properties: Some(if hygiene {
            DescriptorProperties {
                tags: [&["maintainability"][..], languages(rule)].concat(),
                precision: "very-high",
                security_severity: None,
            }
        } else {
            DescriptorProperties {
                tags: [&["disaster-recovery", "security"][..], languages(rule)].concat(),
                precision: "high",
                security_severity: Some(security_severity(worst)),
            }
        }),
    }
}

/// The input languages a rule reads, as tags.
fn languages(rule: &Rule) -> &'static [&'static str] {
    use crate::rules::Select;
    match &rule.select {
        Select::Values(_) | Select::ValuesKeys | Select::Layers => &["helm"],
        _ if rule.id == crate::helm::YAML11_AMBIGUOUS_BOOLEAN => &["helm"],
        _ if rule.id == crate::check::EVALUATION_CYCLE => &["terraform"],
        Select::Parser | Select::Suppressions => &["terraform", "helm"],
        _ => &["terraform"],
    }
}

/// A descriptor for a finding whose rule the run does not list (GitHub requires
/// both descriptions).
fn bare_descriptor(id: &str) -> Descriptor {
    Descriptor {
        id: id.to_owned(),
        name: pascal_case(id),
        short_description: Some(Text {
            text: format!("drlint rule {id}"),
        }),
        full_description: Some(Text {
            text: format!(
                "Findings of rule `{id}`, which is not among the rules this run lists \
                 (`drlint explain {id}` describes it)."
            ),
        }),
        help: Some(Help {
            text: format!("`drlint explain {id}` says how to fix it."),
            markdown: format!("`drlint explain {id}` says how to fix it."),
        }),
        help_uri: None,
        default_configuration: None,
        properties: None,
    }
}

fn physical(file: &SourceFile, span: &std::ops::Range<usize>) -> PhysicalLocation {
    let start = file.line_col_utf16(span.start);
    let end = file.span_end_utf16(span);
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: super::uri_path(&file.path),
        },
        region: Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        },
    }
}

/// Plain text for a SARIF message that holds embedded links: literal brackets
/// are escaped (SARIF 2.1.0 §3.11.6), and so is a backslash before one.
fn escape_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\\' if matches!(chars.peek(), Some('[' | ']')) => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out
}

fn result<'a>(f: &'a Finding, rule_index: usize, limits: &SarifLimits) -> SarifResult<'a> {
    let related: Vec<Location<'a>> = f
        .related
        .iter()
        .take(limits.max_related_locations.saturating_sub(1))
        .enumerate()
        .map(|(i, r)| Location {
            id: Some(i + 1),
            physical_location: physical(&r.file, &r.span),
            message: Some(TextRef { text: &r.message }),
        })
        .collect();
    let mut text = escape_brackets(&f.message);
    for (location, r) in related.iter().zip(&f.related) {
        let id = location.id.expect("related locations have ids");
        text.push_str(&format!("\n[{}]({id})", escape_brackets(&r.message)));
    }
    SarifResult {
        rule_id: &f.rule,
        rule_index,
        level: level(f.severity),
        message: Text { text },
        locations: [Location {
            id: None,
            physical_location: physical(&f.file, &f.span),
            message: f.label.as_deref().map(|text| TextRef { text }),
        }],
        related_locations: related,
        fingerprints: BTreeMap::from([(FINGERPRINT, f.fingerprint.as_str())]),
        properties: f.status.map(|status| ResultProperties { status }),
        fixes: f.fix.iter().map(super::sarif_fixes::sarif_fix).collect(),
    }
}

/// Counts what is written to it.
struct CountingWriter(usize);

impl Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn gzipped_size(bytes: &[u8]) -> usize {
    let mut encoder =
        flate2::write::GzEncoder::new(CountingWriter(0), flate2::Compression::default());
    encoder.write_all(bytes).expect("counting cannot fail");
    encoder.finish().expect("counting cannot fail").0
}

impl Sarif<'_> {
    fn notifications(&self, over_count: usize, over_size: usize) -> Vec<Notification> {
        let order = "errors first, then warnings, then notes; new findings before existing ones";
        let mut notes = Vec::new();
        if over_count > 0 {
            notes.push(Notification {
                level: "warning",
                message: Text {
                    text: format!(
                        "{over_count} of the least severe results were left out: GitHub code \
                         scanning accepts at most {} results per run (kept: {order})",
                        self.limits.max_results
                    ),
                },
                descriptor: NotificationDescriptor {
                    id: "drlint/results-over-count-limit",
                },
            });
        }
        if over_size > 0 {
            notes.push(Notification {
                level: "warning",
                message: Text {
                    text: format!(
                        "{over_size} more of the least severe results were left out: GitHub code \
                         scanning accepts a SARIF file of at most {} bytes gzipped (kept: {order})",
                        self.limits.max_gzipped_bytes
                    ),
                },
                descriptor: NotificationDescriptor {
                    id: "drlint/results-over-size-limit",
                },
            });
        }
        notes
    }

    /// The log with the first `keep` results of `order`, in the report's order.
    fn serialize(
        &self,
        driver: &Driver,
        results: &[SarifResult<'_>],
        order: &[usize],
        keep: usize,
        over_count: usize,
    ) -> Vec<u8> {
        let mut kept: Vec<usize> = order[..keep].to_vec();
        kept.sort_unstable();
        let over_size = order.len() - keep;
        let log = Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: Tool { driver },
                automation_details: AutomationDetails {
                    id: format!("{}/", self.category),
                },
                invocations: [Invocation {
                    execution_successful: true,
                    tool_execution_notifications: self.notifications(over_count, over_size),
                }],
                column_kind: "utf16CodeUnits",
                results: kept.iter().map(|&i| &results[i]).collect(),
            }],
        };
        let mut bytes = serde_json::to_vec_pretty(&log).expect("SARIF serializes");
        bytes.push(b'\n');
        bytes
    }
}

impl Render for Sarif<'_> {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let mut descriptors: Vec<Descriptor> = self.rules.iter().map(descriptor).collect();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, rule) in self.rules.iter().enumerate() {
            index.entry(rule.id.as_str()).or_insert(i);
        }
        for f in &report.findings {
            if !index.contains_key(f.rule.as_str()) {
                index.insert(&f.rule, descriptors.len());
                descriptors.push(bare_descriptor(&f.rule));
            }
        }
        let driver = Driver {
            name: "drlint",
            semantic_version: env!("CARGO_PKG_VERSION"),
            information_uri: super::HOMEPAGE,
            rules: descriptors,
        };
        let results: Vec<SarifResult<'_>> = report
            .findings
            .iter()
            .map(|f| result(f, index[f.rule.as_str()], &self.limits))
            .collect();
        // the most important first: what is kept when a limit is reached
        let mut order = super::by_importance(&report.findings, false);
        let over_count = order.len().saturating_sub(self.limits.max_results);
        order.truncate(self.limits.max_results);
        let n = order.len();
        let fits = |bytes: &[u8]| {
            bytes.len() <= self.limits.max_gzipped_bytes
                || gzipped_size(bytes) <= self.limits.max_gzipped_bytes
        };
        let mut bytes = self.serialize(&driver, &results, &order, n, over_count);
        if !fits(&bytes) {
            // the most results that fit: fewer results never make the file larger
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if fits(&self.serialize(&driver, &results, &order, mid, over_count)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            bytes = self.serialize(&driver, &results, &order, lo, over_count);
        }
        out.write_all(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            pascal_case("deletion-protection-disabled"),
            "DeletionProtectionDisabled"
        );
        assert_eq!(
            pascal_case("s3-versioning-disabled"),
            "S3VersioningDisabled"
        );
    }

    #[test]
    fn brackets_are_escaped_in_messages_with_links() {
        assert_eq!(
            escape_brackets(r#"secrets["gone"] \[x]"#),
            r#"secrets\["gone"\] \\\[x\]"#
        );
    }

    #[test]
    fn gzipped_size_is_measured() {
        let text = "a".repeat(100_000);
        let size = gzipped_size(text.as_bytes());
        assert!(size > 20 && size < 1_000, "{size}");
    }
}
