//! The rules and profiles shipped in the binary (`rules/` at the repository root).

use std::sync::OnceLock;

use crate::profile::{Profile, ProfileSet};
use crate::rules::{Rule, RuleError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// `(file name, YAML text)` of every built-in rule.
pub fn rule_files() -> &'static [(&'static str, &'static str)] {
    embedded::RULE_FILES
}

/// `(file name, YAML text)` of every built-in profile.
pub fn profile_files() -> &'static [(&'static str, &'static str)] {
    embedded::PROFILE_FILES
}

/// `(file name, YAML text)` of every built-in chart profile.
pub fn chart_files() -> &'static [(&'static str, &'static str)] {
    embedded::CHART_FILES
}

/// The built-in rules, sorted by id: parsed once per process (every `LinterBuilder::build`
/// starts from them; an editor reloading its configuration, or a fuzzer, builds many).
pub fn rules() -> Result<Vec<Rule>, RuleError> {
    static RULES: OnceLock<Result<Vec<Rule>, RuleError>> = OnceLock::new();
    RULES.get_or_init(parse_rules).clone()
}

fn parse_rules() -> Result<Vec<Rule>, RuleError> {
    let mut rules = rule_files()
        .iter()
        .map(|(name, text)| Rule::from_yaml(&format!("rules/{name}"), text))
        .collect::<Result<Vec<_>, _>>()?;
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(rules)
}

/// The built-in profiles, parsed once per process.
pub fn profiles() -> Result<ProfileSet, RuleError> {
    static PROFILES: OnceLock<Result<ProfileSet, RuleError>> = OnceLock::new();
    PROFILES.get_or_init(parse_profiles).clone()
}

fn parse_profiles() -> Result<ProfileSet, RuleError> {
    profile_files()
        .iter()
        .map(|(name, text)| Profile::from_yaml(&format!("rules/profiles/{name}"), text))
        .collect::<Result<Vec<_>, _>>()
        .map(ProfileSet::new)
}
