//! `.drlint.yaml`: which rules run, at what severity and with which options
//! (for the whole tree and per path glob), which files are checked, extra
//! rule and profile folders, production detection and the failure threshold.
//!
//! Reading is strict: an unknown key, a wrong type, an unknown rule id or
//! option is an error with its line and a "did you mean" hint.

use std::collections::BTreeMap;

use globset::{Glob, GlobSet, GlobSetBuilder};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::profile::Scalar;
use crate::rules::{Rule, Severity};

pub const CONFIG_FILE: &str = ".drlint.yaml";

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Exit with 1 when a finding at or above this severity is reported (default `warning`).
    #[serde(default)]
    pub severity_threshold: Option<Severity>,
    /// Check only files matching one of these globs (relative to this file's folder).
    #[serde(default)]
    pub include: Vec<String>,
    /// Never check files matching these globs (on top of `.gitignore`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are not read, and are reported as `input-skipped`
    /// (default 10 MiB, 10485760; `--max-file-size` wins over it).
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Per-rule settings for the whole tree.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleSettings>,
    /// Per-rule settings for module folders matching path globs; later entries win.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Folders of the team's own rule files (`*.yaml`), relative to this file's folder.
    #[serde(default)]
    pub rule_dirs: Vec<String>,
    /// Folders of the team's own module profiles (`*.yaml`).
    #[serde(default)]
    pub profile_dirs: Vec<String>,
    #[serde(default)]
    pub production: Production,
    /// How Helm values files are grouped into releases and environments.
    #[serde(default)]
    pub helm: HelmConfig,
    /// Limits on evaluating Terraform, per module instance; past one a value is unknown (and
    /// counted in the summary). The defaults are far above what real configuration needs.
    #[serde(default)]
    pub budget: BudgetConfig,
}

/// `budget:` in `.drlint.yaml`: each limit, when set, replaces the default.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetConfig {
    /// Evaluation steps (default 1,000,000).
    #[serde(default)]
    pub steps: Option<u64>,
    /// Elements of one value (default 100,000).
    #[serde(default)]
    pub value_elements: Option<usize>,
    /// Bytes of text in one value (default 1 MiB).
    #[serde(default)]
    pub value_bytes: Option<usize>,
    /// Nesting of expressions and values (default 64).
    #[serde(default)]
    pub depth: Option<u32>,
    /// Module instances under one root, calls of calls (default 1,000).
    #[serde(default)]
    pub module_instances: Option<usize>,
}

impl BudgetConfig {
    /// `base` with the limits this sets.
    pub fn apply(&self, base: crate::eval::Budget) -> crate::eval::Budget {
        crate::eval::Budget {
            steps: self.steps.unwrap_or(base.steps),
            value_elements: self.value_elements.unwrap_or(base.value_elements),
            value_bytes: self.value_bytes.unwrap_or(base.value_bytes),
            depth: self.depth.unwrap_or(base.depth),
            module_instances: self.module_instances.unwrap_or(base.module_instances),
        }
    }
}

/// `helm:` in `.drlint.yaml`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HelmConfig {
    /// Releases whose values files the layout does not say: name, chart (a chart profile such
    /// as `generic-service`), values files lowest first (relative to this file's folder), and
    /// environment.
    #[serde(default)]
    pub releases: Vec<crate::helm::releases::ConfiguredRelease>,
    /// Folder names that are environments (`values-<env>.yaml`, `<env>/`), besides dev, test,
    /// staging, preprod, prod, production and the like.
    #[serde(default)]
    pub environments: Vec<String>,
    /// Environments that are production (default `prod` and `production`).
    #[serde(default)]
    pub production_environments: Option<Vec<String>>,
    /// Folders of the team's own chart profiles (`*.yaml`), relative to this file's folder.
    #[serde(default)]
    pub chart_profile_dirs: Vec<String>,
    /// More values files to read, wherever they are: globs relative to this file's folder
    /// (`k8s/**/values*.yaml`), on top of those in `helm_deploy/`, `helm/`, `deploy/` and
    /// `charts/` folders.
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSettings {
    /// `false` turns the rule off.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Replaces the rule's severity (in production folders too).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Rule options, such as `min_days` for `backup-retention-too-short`.
    #[serde(default)]
    pub options: BTreeMap<String, Scalar>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// Globs matched against module folders relative to this file's folder,
    /// e.g. `namespaces/*-dev/**`.
    pub paths: Vec<String>,
    pub rules: BTreeMap<String, RuleSettings>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Production {
    /// A namespace whose name matches this regular expression is production
    /// (default `-prod$|-production$`).
    #[serde(default)]
    pub name_pattern: Option<String>,
}

/// A configuration problem, with the line it is on when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl ConfigError {
    /// `path:line:column: message`.
    pub fn render(&self, path: &str) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}: {}", self.message),
            (Some(l), None) => format!("{path}:{l}: {}", self.message),
            _ => format!("{path}: {}", self.message),
        }
    }
}

/// The candidate nearest to `input` by edit distance, if it is plausibly a typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (levenshtein(input, c), c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The first line (1-based) where `key:` is written, for errors found after parsing.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.strip_prefix(key)
                .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                .or_else(|| t.strip_prefix(&format!("'{key}'")))
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|i| i + 1)
}

impl Config {
    /// Parses and validates a configuration against the rules that exist.
    #[cfg(test)]
    pub fn from_yaml(text: &str, rules: &[Rule]) -> Result<Config, ConfigError> {
        let config = Config::parse(text)?;
        config.validate(text, rules)?;
        Ok(config)
    }

    /// Parses a configuration; [`Config::validate`] then checks rule ids and
    /// options once the team's own rules (from `rule_dirs`) are loaded.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        serde_saphyr::from_str(text).map_err(|e| {
            let location = e.location();
            let message = e.to_string();
            let message = message.lines().next().unwrap_or_default().to_owned();
            // serde names unknown fields with the ones it expected: suggest the nearest
            let hint = unknown_field_hint(&message);
            ConfigError {
                line: location.map(|l| l.line() as usize),
                column: location.map(|l| l.column() as usize),
                message: strip_location(&message) + &hint,
            }
        })
    }

    /// The rule settings for the whole tree, then those of each override.
    pub fn sections(&self) -> impl Iterator<Item = &BTreeMap<String, RuleSettings>> {
        std::iter::once(&self.rules).chain(self.overrides.iter().map(|o| &o.rules))
    }

    pub fn validate(&self, text: &str, rules: &[Rule]) -> Result<(), ConfigError> {
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let sections = std::iter::once(&self.rules).chain(self.overrides.iter().map(|o| &o.rules));
        for section in sections {
            for (id, settings) in section {
                let Some(rule) = rules.iter().find(|r| &r.id == id) else {
                    let hint = did_you_mean(id, ids.iter().copied())
                        .map(|m| format!(" (did you mean `{m}`?)"))
                        .unwrap_or_default();
                    return Err(ConfigError {
                        line: line_of_key(text, id),
                        column: None,
                        message: format!("unknown rule `{id}`{hint}; `drlint rules` lists them"),
                    });
                };
                for (name, value) in &settings.options {
                    let Some(spec) = rule.options.get(name) else {
                        let known: Vec<&str> = rule.options.keys().map(String::as_str).collect();
                        let hint = match did_you_mean(name, known.iter().copied()) {
                            Some(m) => format!(" (did you mean `{m}`?)"),
                            None if known.is_empty() => " (it has no options)".to_owned(),
                            None => format!(" (its options: {})", known.join(", ")),
                        };
                        return Err(ConfigError {
                            line: line_of_key(text, name),
                            column: None,
                            message: format!("rule `{id}` has no option `{name}`{hint}"),
                        });
                    };
                    if !same_type(value, &spec.default) {
                        return Err(ConfigError {
                            line: line_of_key(text, name),
                            column: None,
                            message: format!(
                                "option `{name}` of `{id}` takes a value like `{}`",
                                spec.default.to_value()
                            ),
                        });
                    }
                }
            }
        }
        for o in &self.overrides {
            for p in &o.paths {
                Glob::new(p).map_err(|e| ConfigError {
                    line: line_of_key(text, "paths"),
                    column: None,
                    message: format!("invalid glob `{p}`: {e}"),
                })?;
            }
        }
        for p in self.include.iter().chain(&self.exclude) {
            Glob::new(p).map_err(|e| ConfigError {
                line: None,
                column: None,
                message: format!("invalid glob `{p}`: {e}"),
            })?;
        }
        if let Some(p) = &self.production.name_pattern {
            regex::Regex::new(p).map_err(|e| ConfigError {
                line: line_of_key(text, "name_pattern"),
                column: None,
                message: format!("invalid `name_pattern`: {e}"),
            })?;
        }
        Ok(())
    }
}

/// Whether an option's value has the type of its default (a list: of its items' type).
fn same_type(value: &Scalar, default: &Scalar) -> bool {
    use std::mem::discriminant;
    match (value, default) {
        (Scalar::List(items), Scalar::List(defaults)) => defaults
            .first()
            .is_none_or(|d| items.iter().all(|i| discriminant(i) == discriminant(d))),
        _ => discriminant(value) == discriminant(default),
    }
}

fn unknown_field_hint(message: &str) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else {
        return String::new();
    };
    let Some((field, expected)) = rest.split_once('`') else {
        return String::new();
    };
    let Some(list) = expected.split("expected one of ").nth(1) else {
        return String::new();
    };
    let candidates = list.split(',').map(|c| c.trim().trim_matches('`'));
    did_you_mean(field, candidates)
        .map(|m| format!(" (did you mean `{m}`?)"))
        .unwrap_or_default()
}

/// serde-saphyr prefixes "error: line N column M:"; the caller prints the location itself.
fn strip_location(message: &str) -> String {
    let m = message.trim();
    let m = m.strip_prefix("error: ").unwrap_or(m);
    if let Some(rest) = m.strip_prefix("line ")
        && let Some((_, after)) = rest.split_once(": ")
    {
        return after.to_owned();
    }
    m.to_owned()
}

/// A display path (relative to the current folder) as seen from the
/// configuration's folder `root` (also a display path); `None` when outside it.
pub fn relative_to_root<'p>(path: &'p str, root: &str) -> Option<&'p str> {
    if root == "." {
        (!path.starts_with("../")).then_some(path)
    } else if path == root {
        Some(".")
    } else {
        path.strip_prefix(root).and_then(|r| r.strip_prefix('/'))
    }
}

/// A configuration ready to answer per folder.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    base: BTreeMap<String, RuleSettings>,
    overrides: Vec<(GlobSet, BTreeMap<String, RuleSettings>)>,
}

impl Resolved {
    pub fn new(config: &Config) -> Resolved {
        let overrides = config
            .overrides
            .iter()
            .map(|o| {
                let mut set = GlobSetBuilder::new();
                for p in &o.paths {
                    if let Ok(g) = Glob::new(p) {
                        set.add(g);
                    }
                }
                (
                    set.build().unwrap_or_else(|_| GlobSet::empty()),
                    o.rules.clone(),
                )
            })
            .collect();
        Resolved {
            base: config.rules.clone(),
            overrides,
        }
    }

    /// The rule settings for the whole tree, then those of each override.
    pub fn sections(&self) -> impl Iterator<Item = &BTreeMap<String, RuleSettings>> {
        std::iter::once(&self.base).chain(self.overrides.iter().map(|(_, rules)| rules))
    }

    /// The settings for a module folder given relative to the configuration's folder.
    pub fn for_folder(&self, folder: &str) -> BTreeMap<String, RuleSettings> {
        let mut out = self.base.clone();
        let inside = format!("{folder}/_");
        for (globs, rules) in &self.overrides {
            if globs.is_match(folder) || globs.is_match(&inside) {
                for (id, s) in rules {
                    let entry = out.entry(id.clone()).or_default();
                    if s.enabled.is_some() {
                        entry.enabled = s.enabled;
                    }
                    if s.severity.is_some() {
                        entry.severity = s.severity;
                    }
                    entry.options.extend(s.options.clone());
                }
            }
        }
        out
    }
}

/// A commented starting configuration, for `drlint init`.
pub const STARTER: &str = r#"# drlint configuration. Every key is optional; the JSON schema gives completion in editors:
# yaml-language-server: $schema=https://raw.githubusercontent.com/drlint/drlint/main/schemas/drlint-config.schema.json

# Fail (exit 1) on findings at or above: note, warning or error.
severity_threshold: warning

# Files to check, as globs relative to this file's folder (on top of .gitignore).
# include: ["namespaces/**"]
exclude: []

# Files larger than this (bytes) are not read, and are reported (input-skipped).
# max_file_size: 10485760

# Limits on evaluating Terraform per module instance (past one a value is unknown and counted
# in the summary); the defaults are far above what real configuration needs.
# budget:
#   steps: 1000000
#   value_elements: 100000
#   value_bytes: 1048576
#   depth: 64
#   module_instances: 1000

# Per-rule settings for the whole tree: enabled, severity, options.
rules:
  backup-retention-too-short:
    options:
      min_days: 7
  # cache-backups-disabled:
  #   enabled: false

# Per-rule settings for module folders matching globs; later entries win.
overrides: []
#  - paths: ["namespaces/*-dev/**"]
#    rules:
#      snapshot-identifier-lingering:
#        severity: note

# The team's own rule files and module profiles.
rule_dirs: []
profile_dirs: []

production:
  # A namespace whose name matches is production.
  name_pattern: "-prod$|-production$"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Vec<Rule> {
        crate::builtin::rules().unwrap()
    }

    #[test]
    fn the_starter_configuration_is_valid() {
        Config::from_yaml(STARTER, &rules()).unwrap();
    }

    #[test]
    fn errors_point_at_the_line_and_suggest() {
        let e = Config::from_yaml("severity_treshold: error\n", &rules()).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(
            e.message.contains("did you mean `severity_threshold`"),
            "{e:?}"
        );
        let e = Config::from_yaml(
            "rules:\n  deletion-protection-disabld:\n    enabled: false\n",
            &rules(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message
                .contains("did you mean `deletion-protection-disabled`"),
            "{e:?}"
        );
        let e = Config::from_yaml(
            "rules:\n  backup-retention-too-short:\n    options:\n      min_day: 3\n",
            &rules(),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("did you mean `min_days`"), "{e:?}");
        let e = Config::from_yaml(
            "rules:\n  backup-retention-too-short:\n    options:\n      min_days: \"3\"\n",
            &rules(),
        )
        .unwrap_err();
        assert!(e.message.contains("takes a value like `7`"), "{e:?}");
        let e = Config::from_yaml("severity_threshold: fatal\n", &rules()).unwrap_err();
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn a_list_option_takes_a_list_of_its_items_type() {
        let set = |value: &str| {
            Config::from_yaml(
                &format!(
                    "rules:\n  apply-pipeline-skipped:\n    options:\n      markers: {value}\n"
                ),
                &rules(),
            )
        };
        set("[SKIP_ME, APPLY_PIPELINE_SKIP_THIS_NAMESPACE]").unwrap();
        let e = set("SKIP_ME").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(
            e.message
                .contains("takes a value like `[\"APPLY_PIPELINE_SKIP_THIS_NAMESPACE\"]`"),
            "{e:?}"
        );
        set("[1]").unwrap_err();
    }

    #[test]
    fn overrides_apply_per_folder() {
        let c = Config::from_yaml(
            "rules:\n  backup-retention-too-short:\n    options: { min_days: 14 }\noverrides:\n  - paths: [\"namespaces/*-dev/**\"]\n    rules:\n      backup-retention-too-short: { severity: note, options: { min_days: 1 } }\n",
            &rules(),
        )
        .unwrap();
        let r = Resolved::new(&c);
        let dev = r.for_folder("namespaces/a-dev/resources");
        assert_eq!(
            dev["backup-retention-too-short"].options["min_days"],
            Scalar::Number(1.0)
        );
        assert_eq!(
            dev["backup-retention-too-short"].severity,
            Some(Severity::Note)
        );
        let prod = r.for_folder("namespaces/a-prod/resources");
        assert_eq!(
            prod["backup-retention-too-short"].options["min_days"],
            Scalar::Number(14.0)
        );
    }
}
