//! `drlint rules --check DIR`: a team's rule and profile files, validated and their examples
//! run.

use std::path::Path;

use super::{Error, LinterBuilder};
use crate::Checker;
use crate::profile::ProfileSet;
use crate::workspace::project::{Project, add_rules, load_profiles, load_rules};

/// What [`LinterBuilder::check_rule_dir`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDirCheck {
    /// Each rule of the folder, in file order.
    pub rules: Vec<RuleExamples>,
    /// How many profiles `DIR/profiles` holds.
    pub profiles: usize,
}

/// One rule's documented examples, run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleExamples {
    /// The rule's id.
    pub id: String,
    /// How many examples should fire it, and how many should not.
    pub fail: usize,
    /// How many examples should not fire it.
    pub pass: usize,
    /// What went wrong (empty when every example behaved).
    pub failures: Vec<String>,
}

impl LinterBuilder {
    /// Validates the rule files (`DIR/*.yaml`) and profiles (`DIR/profiles/*.yaml`) of a
    /// folder and runs each rule's examples. The rules see the profiles of this builder (the
    /// built-in ones, the configuration's, [`profile_dir`](Self::profile_dir)) plus the
    /// folder's. A rule file that the configuration already loads gives way to the folder's.
    pub fn check_rule_dir(&self, dir: &Path) -> Result<RuleDirCheck, Error> {
        let project = Project::load(&self.config, &self.profile_dirs, &self.texts)?;
        let builtin: Vec<String> = crate::builtin::rules()
            .map_err(|e| Error::new(e.to_string()))?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let own = load_rules(dir)?;
        let ids: Vec<String> = own.iter().map(|r| r.id.clone()).collect();
        let mut rules: Vec<crate::Rule> = project
            .rules
            .into_iter()
            .filter(|r| builtin.contains(&r.id) || !ids.contains(&r.id))
            .collect();
        add_rules(&mut rules, own, dir)?;
        let mut profiles: Vec<crate::profile::Profile> = project.profiles.iter().cloned().collect();
        let profile_dir = dir.join("profiles");
        let mut own_profiles = 0;
        if profile_dir.is_dir() {
            let extra = load_profiles(&profile_dir)?;
            own_profiles = extra.len();
            profiles.extend(extra);
        }
        let checker = Checker::new(rules.clone(), ProfileSet::new(profiles));
        let mut checked = Vec::new();
        for id in &ids {
            let Some(rule) = rules.iter().find(|r| &r.id == id) else {
                continue;
            };
            checked.push(RuleExamples {
                id: id.clone(),
                fail: rule.examples.fail.len(),
                pass: rule.examples.pass.len(),
                failures: crate::examples::example_failures(rule, &checker),
            });
        }
        Ok(RuleDirCheck {
            rules: checked,
            profiles: own_profiles,
        })
    }
}
