//! Baselines: a file of the findings a team has accepted for now, by
//! fingerprint. `drlint baseline create` writes it; `--baseline FILE` hides
//! the findings it lists and reports the entries that no longer match (fixed).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::check::Report;

/// The baseline file `drlint baseline create` writes by default.
pub const BASELINE_FILE: &str = "drlint-baseline.json";
/// The version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
/// One accepted finding.
pub struct Entry {
    /// The finding's fingerprint (stable when lines shift).
    pub fingerprint: String,
    /// Its rule, for people reading the file.
    pub rule: String,
    /// Its file, for people reading the file.
    pub path: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
/// Findings accepted as they are (`drlint baseline create`): a run with the baseline
/// hides them and reports only what is new.
///
/// ```
/// use drlint::baseline::Baseline;
/// use drlint::{Linter, Source};
///
/// let linter = Linter::builder().no_config().build()?;
/// let tree = || [Source::new("a-prod/s3.tf", "resource \"aws_s3_bucket\" \"b\" {}\n")];
/// let today = linter.check_sources(tree());
/// assert!(!today.findings().is_empty());
///
/// let accepted = Baseline::from_json(&Baseline::from_report(&today).to_json()).unwrap();
/// let mut tomorrow = linter.check_sources(tree());
/// tomorrow.apply_baseline(&accepted);
/// assert!(tomorrow.findings().is_empty());
/// # Ok::<(), drlint::Error>(())
/// ```
pub struct Baseline {
    /// [`BASELINE_VERSION`].
    pub version: u32,
    /// The accepted findings.
    pub findings: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, Default)]
pub struct BaselineOutcome {
    /// Findings hidden because the baseline lists them.
    pub hidden: usize,
    /// Baseline entries that match no finding any more: fixed, or moved.
    pub fixed: Vec<Entry>,
}

impl Baseline {
    /// Every finding of the report, accepted.
    pub fn from_report(report: &Report) -> Baseline {
        Baseline {
            version: BASELINE_VERSION,
            findings: report
                .findings
                .iter()
                .map(|f| Entry {
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.clone(),
                    path: f.path().to_owned(),
                })
                .collect(),
        }
    }

    /// The baseline file's text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serialisable") + "\n"
    }

    /// Reads a baseline file's text; another version is an error.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if baseline.version != BASELINE_VERSION {
            return Err(format!(
                "baseline version {} is not supported (expected {BASELINE_VERSION})",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Hides the listed findings from the report; an entry matches on fingerprint
    /// (which already covers rule and path). An entry with no finding is fixed
    /// only when its folder was checked: a PR-mode run, or one given a few
    /// paths, says nothing of the folders it did not read.
    pub(crate) fn apply(&self, report: &mut Report) -> BaselineOutcome {
        let listed: HashSet<&str> = self
            .findings
            .iter()
            .map(|e| e.fingerprint.as_str())
            .collect();
        let present: HashSet<String> = report
            .findings
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect();
        let before = report.findings.len();
        report
            .findings
            .retain(|f| !listed.contains(f.fingerprint.as_str()));
        BaselineOutcome {
            hidden: before - report.findings.len(),
            fixed: self
                .findings
                .iter()
                .filter(|e| !present.contains(&e.fingerprint))
                .filter(|e| {
                    let (folder, _) = crate::check::split_path(&e.path);
                    report.folders.contains(folder)
                })
                .cloned()
                .collect(),
        }
    }
}
