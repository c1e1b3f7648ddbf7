//! What a run found: the findings, the counts beside them, and what the
//! report formats and PR mode read of it.

use std::collections::BTreeSet;

use crate::finding::Finding;
use crate::rules::{HardCodedUse, Inspected, Refactoring, Severity};

/// Counts of a run besides its findings.
#[derive(Debug, Default)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Findings hidden by a suppression comment in force.
    pub suppressed: usize,
    /// Rule × block pairs left undecided because a value was unknown.
    pub unknown: usize,
    /// Terraform values left unknown because evaluation reached a limit of
    /// `Settings::budget` (each place once per module instance), and roots whose
    /// module calls were cut at its `module_instances`.
    pub budget_exceeded: usize,
}

/// What a run found: findings (sorted, with fingerprints), the summary, notices, and in PR
/// mode the fixed findings. Render it with a [`crate::report::Render`] format.
#[derive(Debug, Default)]
pub struct Report {
    pub(crate) findings: Vec<Finding>,
    pub(crate) summary: Summary,
    /// Every data store, when `Settings::inspect` is set; sorted by path and address.
    pub(crate) inspected: Vec<Inspected>,
    /// What a baseline hid and which of its entries no longer match, when one was applied.
    pub(crate) baseline: Option<crate::baseline::BaselineOutcome>,
    /// `moved` and `removed` blocks, when `Settings::inspect` is set.
    pub(crate) refactorings: Vec<Refactoring>,
    /// What the modules in use hard-code, once per module and ref, with their call counts.
    pub(crate) hard_coded: Vec<HardCodedUse>,
    /// Findings present at the base of a pull request and gone at its head (PR mode).
    pub(crate) fixed: Vec<Finding>,
    /// Whether this is a PR-mode comparison (findings carry a status).
    pub(crate) compared: bool,
    /// The folders whose files were checked (display paths, `.` for the current one):
    /// what a finding that is absent can be said to be fixed in.
    pub(crate) folders: BTreeSet<String>,
    /// What the run tells its user besides findings.
    pub(crate) notices: Vec<crate::linter::Notice>,
    /// What each phase of the run took.
    pub(crate) timings: Vec<(&'static str, std::time::Duration)>,
}

impl Report {
    /// The findings, sorted by path, position and rule.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// In PR mode, the findings of the base that are gone at the head.
    pub fn fixed(&self) -> &[Finding] {
        &self.fixed
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// How many files were checked, findings suppressed, and values left unknown.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Whether this is a PR-mode comparison, whose findings carry a status.
    pub fn is_comparison(&self) -> bool {
        self.compared
    }

    /// What the run tells its user besides findings.
    pub fn notices(&self) -> &[crate::linter::Notice] {
        &self.notices
    }

    /// What each phase of the run took (discover, read, check, history...).
    pub fn timings(&self) -> &[(&'static str, std::time::Duration)] {
        &self.timings
    }

    /// Keeps only the findings for which `keep` holds (e.g. production, or new in PR mode).
    pub fn retain(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.findings.retain(keep);
    }

    /// Keeps only the fixed findings for which `keep` holds.
    pub fn retain_fixed(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.fixed.retain(keep);
    }

    /// Hides the findings the baseline accepts; the report then says how many it hid and
    /// which of its entries no longer match.
    pub fn apply_baseline(&mut self, baseline: &crate::baseline::Baseline) {
        let outcome = baseline.apply(self);
        self.baseline = Some(outcome);
    }
}
