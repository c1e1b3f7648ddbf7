//! Fixes: the edits a rule proposes for what it reports (a rule's `fix`), and writing them.
//!
//! A fix is an edit of the smallest span (an attribute's value, a line inserted into a block,
//! a `moved` block after a renamed one): it never reformats a file. Each is [`Safety::Safe`]
//! (what Terraform does is unchanged: a `moved` block) or [`Safety::Unsafe`] (the
//! infrastructure changes: `deletion_protection = true`). [`apply_fixes`] writes them, as
//! `drlint check --fix` does:
//!
//! ```
//! use drlint::{Linter, Source};
//! use drlint::fix::Safety;
//!
//! let linter = Linter::builder().no_config().build()?;
//! let text = "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = false\n}\n";
//! let report = linter.check_sources([Source::new("orders/rds.tf", text)]);
//! let finding = report.findings().iter().find(|f| f.rule == "deletion-protection-disabled").unwrap();
//! let fix = finding.fix.as_ref().unwrap();
//! assert_eq!(fix.safety, Safety::Unsafe);
//! assert_eq!(fix.apply_to(text), "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = true\n}\n");
//! # Ok::<(), drlint::Error>(())
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::source::SourceFile;

/// Whether applying a fix changes what the infrastructure does.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    /// Behaviour unchanged (a `moved` block): `drlint check --fix` applies it.
    Safe,
    /// The infrastructure changes (`deletion_protection = true`): only with `--unsafe-fixes`.
    Unsafe,
}

impl Safety {
    /// `safe` or `unsafe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Safety::Safe => "safe",
            Safety::Unsafe => "unsafe",
        }
    }
}

/// One replacement of a byte range of a file; an insertion when the range is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file, as it was checked.
    pub file: Arc<SourceFile>,
    /// The bytes replaced.
    pub span: Range<usize>,
    /// What they are replaced with.
    pub replacement: String,
}

/// What a rule proposes for one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What it does, in a few words ("set `deletion_protection = true`").
    pub description: String,
    /// Whether it changes what Terraform does.
    pub safety: Safety,
    /// The edits, in one file or several, none overlapping another.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// `text` with this fix's edits to the file of its first edit applied (the edits to other
    /// files are left out): for previews and tests.
    pub fn apply_to(&self, text: &str) -> String {
        let Some(first) = self.edits.first() else {
            return text.to_owned();
        };
        let edits: Vec<&Edit> = self
            .edits
            .iter()
            .filter(|e| e.file.path == first.file.path)
            .collect();
        splice(text, &edits)
    }
}

/// `text` with the edits made, each at its span of the original (they must not overlap).
fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in sorted {
        let (start, end) = (e.span.start.min(text.len()), e.span.end.min(text.len()));
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.replacement);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// A fix that was written, or left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixRecord {
    /// The finding's file (display path).
    pub path: String,
    /// The finding's line (1-based).
    pub line: usize,
    /// The finding's rule.
    pub rule: String,
    /// The fix's description.
    pub description: String,
    /// The fix's safety.
    pub safety: Safety,
}

/// What [`apply_fixes`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixOutcome {
    /// The fixes written, by path and line.
    pub applied: Vec<FixRecord>,
    /// The fixes not written, with why (an edit overlapping another, a file changed since it
    /// was checked, a file outside the checked paths).
    pub skipped: Vec<(FixRecord, String)>,
    /// The unsafe fixes left out because unsafe fixes were not asked for.
    pub unsafe_left: usize,
    /// The files written (display paths).
    pub files: Vec<String>,
}

/// Writes the fixes of these findings to their files: the safe ones, and the unsafe ones too
/// when `unsafe_fixes` is set. A file is written only when it is a regular file (not through a
/// symbolic link) whose real path is inside one of `roots` (the checked paths), and when it
/// still holds exactly the text that was checked. A fix overlapping one already taken, or one
/// whose file cannot be written, is skipped and said so; the other fixes are still written.
pub fn apply_fixes<P: AsRef<Path>>(
    findings: &[Finding],
    unsafe_fixes: bool,
    roots: &[P],
) -> FixOutcome {
    let mut outcome = FixOutcome::default();
    let roots: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| r.as_ref().canonicalize().ok())
        .collect();
    // by file: the fixes whose edits all lie in it (a fix across files is taken whole or not)
    let mut by_file: BTreeMap<String, Vec<(FixRecord, &Fix)>> = BTreeMap::new();
    for f in findings {
        let Some(fix) = &f.fix else { continue };
        if fix.safety == Safety::Unsafe && !unsafe_fixes {
            outcome.unsafe_left += 1;
            continue;
        }
        let record = FixRecord {
            path: f.path().to_owned(),
            line: f.start().line,
            rule: f.rule.clone(),
            description: fix.description.clone(),
            safety: fix.safety,
        };
        let Some(first) = fix.edits.first() else {
            continue;
        };
        if fix.edits.iter().any(|e| e.file.path != first.file.path) {
            outcome
                .skipped
                .push((record, "its edits span several files".to_owned()));
            continue;
        }
        by_file
            .entry(first.file.path.clone())
            .or_default()
            .push((record, fix));
    }
    for (path, fixes) in by_file {
        let file = Arc::clone(&fixes[0].1.edits[0].file);
        let mut taken: Vec<&Edit> = Vec::new();
        let mut records = Vec::new();
        for (record, fix) in fixes {
            let same = fix.edits.iter().all(|e| taken.contains(&e));
            if same {
                // two findings, one fix (the same line for two rules): written once
                records.push(record);
                continue;
            }
            let overlaps = fix
                .edits
                .iter()
                .any(|e| taken.iter().any(|t| overlap(&t.span, &e.span) && *t != e));
            if overlaps {
                outcome
                    .skipped
                    .push((record, "it overlaps another fix; run again".to_owned()));
                continue;
            }
            taken.extend(fix.edits.iter());
            records.push(record);
        }
        match write_fixed(&path, &file, &taken, &roots) {
            Ok(()) => {
                outcome.applied.extend(records);
                outcome.files.push(path);
            }
            Err(why) => outcome
                .skipped
                .extend(records.into_iter().map(|r| (r, why.clone()))),
        }
    }
    outcome
        .applied
        .sort_by(|a, b| (&a.path, a.line, &a.rule).cmp(&(&b.path, b.line, &b.rule)));
    outcome
}

fn overlap(a: &Range<usize>, b: &Range<usize>) -> bool {
    // two insertions at one place, or an insertion inside a replacement, also collide
    a.start < b.end && b.start < a.end || a.start == b.start
}

fn write_fixed(
    path: &str,
    file: &SourceFile,
    edits: &[&Edit],
    roots: &[PathBuf],
) -> Result<(), String> {
    let on_disk = Path::new(path);
    let real = on_disk.canonicalize().map_err(|e| format!("{path}: {e}"))?;
    if !roots.iter().any(|r| real.starts_with(r)) {
        return Err(format!("{path} is outside the checked paths"));
    }
    let bytes = crate::workspace::inputs::read_regular(on_disk, u64::MAX)
        .map_err(|u| format!("{path}: {}", u.reason))?;
    if bytes != file.text.as_bytes() {
        return Err(format!(
            "{path} is not as it was checked (changed since, or not plain UTF-8)"
        ));
    }
    let fixed = splice(&file.text, edits);
    let mut out = crate::workspace::inputs::create_output(on_disk)?;
    out.write_all(fixed.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| format!("{path}: {e}"))
}

/// An HCL literal for a value a rule's fix sets: `true`, `7`, `"ACTIVE"`.
pub(crate) fn hcl_literal(value: &crate::profile::Scalar) -> Option<String> {
    use crate::profile::Scalar;
    Some(match value {
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) => crate::eval::Value::Number(*n).to_string(),
        Scalar::String(s) => serde_json::to_string(s)
            .ok()?
            .replace("${", "$${")
            .replace("%{", "%%{"),
        Scalar::Null(()) => "null".to_owned(),
        Scalar::List(_) => return None,
    })
}
