//! Terraform plans: the third input language, read from `terraform show -json`.
//!
//! The plan says for certain what an apply will do. Data flows one way:
//! plan bytes → [`json`] (spanned, bounded) → [`Plan`] (the resource changes,
//! module calls and references of the configuration) → each change to a data
//! store (a resource type a profile knows, [`values`] read through that
//! profile) located at its block in the checked code, or at the base in PR
//! mode ([`locate`]), else at its entry in the plan file → the rules: those
//! of `select: plan` (`plan-destroys-data-store`) see the change, those of
//! `select: kinds` see its `after` values ([`guard`]) → findings, which go
//! through suppressions, configuration, baselines and every format with the
//! code's own.
//!
//! A [`PlanRun`] in [`crate::Settings::plan`] makes [`crate::Checker::check`]
//! read it along with its inputs.

mod guard;
mod json;
mod locate;
mod model;
mod text;
mod values;

use std::sync::Arc;

pub use model::Plan;

use crate::finding::Finding;
use crate::rules::{Inspected, Rule, Select};

pub(crate) use guard::check;

/// A plan to check with the inputs of a run.
#[derive(Debug)]
pub struct PlanRun {
    pub plan: Arc<Plan>,
    /// In PR mode, the data stores of the base (a report checked with
    /// `Settings::inspect`), where a change whose block is gone at the head is located.
    pub base: Vec<Inspected>,
}

impl PlanRun {
    pub fn new(plan: Arc<Plan>) -> Arc<PlanRun> {
        Arc::new(PlanRun {
            plan,
            base: Vec::new(),
        })
    }

    /// The plan, with the base's data stores to locate deleted blocks at.
    pub fn with_base(plan: Arc<Plan>, base: &crate::Report) -> Arc<PlanRun> {
        Arc::new(PlanRun {
            plan,
            base: base.inspected.clone(),
        })
    }
}

/// Prefixes the identity of every finding made from a plan: they are not the
/// code's findings (their fingerprints differ) and have no age in git history.
pub(crate) const IDENTITY_PREFIX: &str = "plan:";

/// Whether a finding comes from a plan rather than from the code alone.
pub fn is_from_plan(finding: &Finding) -> bool {
    finding.identity.starts_with(IDENTITY_PREFIX)
}

/// Why a finding made from a plan has no age from git history.
pub const NO_AGE: &str = "the value comes from the plan, which git history does not hold";

/// The rules a suppression comment can be used by in this run: without a plan,
/// the plan rules cannot fire, so a suppression of one is not "unused".
pub(crate) fn rules_for_suppressions(rules: &[Rule], with_plan: bool) -> Vec<Rule> {
    rules
        .iter()
        .filter(|r| with_plan || !matches!(r.select, Select::Plan(_)))
        .cloned()
        .collect()
}

/// Gives each finding made from a plan "no age" (they are not in the code's
/// history): entries of `ages`, which [`crate::history::apply`] then uses.
pub fn no_ages(report: &crate::Report, rules: &[Rule], ages: &mut crate::history::Ages) {
    for f in report.findings.iter().filter(|f| is_from_plan(f)) {
        let key = crate::history::Key::of(f, rules);
        let folder = crate::history::folder(f.path()).to_owned();
        ages.insert((folder, key), Err(NO_AGE.to_owned()));
    }
}

/// In PR mode with a plan: a change rule's finding (`data-store-removed`,
/// `replacement-forcing-change`) at the block of a data store the plan itself
/// destroys infers what the plan says for certain, and is left out.
pub fn supersede_inferred(report: &mut crate::Report, rules: &[Rule]) {
    let select = |id: &str| rules.iter().find(|r| r.id == id).map(|r| &r.select);
    let destroyed: std::collections::HashSet<(String, usize, usize)> = report
        .findings
        .iter()
        .filter(|f| is_from_plan(f) && matches!(select(&f.rule), Some(Select::Plan(_))))
        .map(|f| (f.path().to_owned(), f.span.start, f.span.end))
        .collect();
    report.findings.retain(|f| {
        !matches!(select(&f.rule), Some(Select::Changes(_)))
            || !destroyed.contains(&(f.path().to_owned(), f.span.start, f.span.end))
    });
}
