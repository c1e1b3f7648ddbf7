//! A rule as written in its YAML file.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use super::condition::Condition;
use crate::profile::Scalar;

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
    serde::Serialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" => Some(Severity::Note),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule looks at.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Select {
    /// Data stores of these kinds (from module profiles); fields are canonical attributes.
    Kinds(Vec<String>),
    /// Top-level blocks of these types (`module`, `resource`); fields are the raw arguments.
    Blocks(Vec<String>),
    /// Module directories as a whole; fields describe the directory
    /// (`is_production_variable`, `namespace_label`, `namespace_name_is_production`).
    Directories,
    /// Findings the parser itself produces (`parse-error`, `duplicate-object-key`).
    Parser,
    /// Findings about suppression comments (`unused-suppression`, `suppression-without-reason`).
    Suppressions,
    /// In PR mode, data stores of these kinds compared between the base and the
    /// head: fields `change` (`removed`, `renamed`, `modified`), `base.<attribute>`,
    /// `head.<attribute>`, `changed.<attribute>`, `replacement_forcing_changed`.
    Changes(Vec<String>),
}

impl Select {
    /// What the rule looks at, in words: "data stores of kind `rds_instance`, `rds_cluster`".
    pub fn describe(&self) -> String {
        let list = |items: &[String]| {
            items
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Select::Kinds(kinds) => format!("data stores of kind {}", list(kinds)),
            Select::Blocks(blocks) => format!("{} blocks", list(blocks)),
            Select::Directories => "module directories".to_owned(),
            Select::Changes(kinds) => format!(
                "pull requests (`--base`): data stores of kind {} at the base and the head",
                list(kinds)
            ),
            Select::Parser => "every file, while it is read".to_owned(),
            Select::Suppressions => "suppression comments".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Why the exemption holds, shown in the rule's docs.
    pub reason: String,
    pub when: Condition,
}

/// A more specific message for a case of the rule (`0` days: backups are off),
/// and optionally another severity for that case (a note when the module
/// cannot set the value).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageVariant {
    pub when: Condition,
    pub message: String,
    /// Replaces the rule's `severity` and `production_severity` for this case;
    /// the configuration's severity still wins.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Replaces the rule's `target` for this case (a module that holds the
    /// value in a list or map input rather than in one argument).
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionSpec {
    pub default: Scalar,
    pub description: String,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Each must produce at least one finding of this rule.
    #[serde(default)]
    pub fail: Vec<Example>,
    /// Each must produce none.
    #[serde(default)]
    pub pass: Vec<Example>,
}

/// An example: the text of one `main.tf`, or several files by name.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Example {
    Main(String),
    Files(BTreeMap<String, String>),
}

impl Example {
    /// `(file name, text)` pairs.
    pub fn files(&self) -> Vec<(&str, &str)> {
        match self {
            Example::Main(text) => vec![("main.tf", text.as_str())],
            Example::Files(files) => files
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        }
    }

    /// The example as one text, files headed by their names when there are several.
    pub fn render(&self, heading: impl Fn(&str) -> String) -> String {
        match self {
            Example::Main(text) => text.trim_end().to_owned(),
            Example::Files(files) => files
                .iter()
                .map(|(name, text)| format!("{}\n{}", heading(name), text.trim_end()))
                .collect::<Vec<_>>()
                .join("\n\n"),
        }
    }
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Kebab-case, naming the bad pattern.
    pub id: String,
    pub severity: Severity,
    /// The severity in a production module directory, when it is higher.
    #[serde(default)]
    pub production_severity: Option<Severity>,
    pub title: String,
    /// Why this matters for recovery, in terms of the runbook.
    pub rationale: String,
    /// `{address}`, `{kind}`, `{<field>}` and `{<option>}` are filled in.
    pub message: String,
    /// Checked in order; the first that holds replaces `message` (and `severity`, if it has one).
    #[serde(default)]
    pub variants: Vec<MessageVariant>,
    pub help: String,
    #[serde(default)]
    pub docs: Option<String>,
    pub select: Select,
    /// The field a finding points at: the attribute when written, else the block's first line.
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub when: Option<Condition>,
    #[serde(default)]
    pub exempt: Vec<Exemption>,
    #[serde(default)]
    pub options: BTreeMap<String, OptionSpec>,
    #[serde(default)]
    pub examples: Examples,
    /// The ids other scanners give the same check, so their suppression
    /// comments also suppress this rule: `checkov`, `tfsec`, `trivy`, `tflint`.
    #[serde(default)]
    pub equivalents: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Rule {
    /// Parses one rule file; `origin` names it in errors.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Rule, RuleError> {
        let mut rule: Rule = serde_saphyr::from_str(text).map_err(|e| RuleError::Invalid {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        rule.help = reflow(&rule.help);
        rule.rationale = reflow(&rule.rationale);
        rule.validate().map_err(|message| RuleError::Invalid {
            origin: origin.to_owned(),
            message,
        })?;
        Ok(rule)
    }

    fn validate(&self) -> Result<(), String> {
        let kebab = !self.id.is_empty()
            && self.id.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if !kebab {
            return Err(format!("rule id `{}` must be kebab-case", self.id));
        }
        match (&self.select, &self.when) {
            (Select::Parser | Select::Suppressions, Some(_)) => {
                return Err("a parser or suppression rule has no `when`".into());
            }
            (
                Select::Kinds(_) | Select::Blocks(_) | Select::Directories | Select::Changes(_),
                None,
            ) => {
                return Err("a rule must say `when` it fires".into());
            }
            _ => {}
        }
        let mut options = Vec::new();
        let conditions = self
            .when
            .iter()
            .chain(self.exempt.iter().map(|e| &e.when))
            .chain(self.variants.iter().map(|v| &v.when));
        for cond in conditions {
            cond.options(&mut options);
        }
        if let Some(missing) = options.iter().find(|o| !self.options.contains_key(*o)) {
            return Err(format!(
                "condition reads option `{missing}`, which `options` does not declare"
            ));
        }
        Ok(())
    }

    /// Whether `id` of `tool` (checkov, tfsec, trivy, tflint) checks the same thing.
    pub fn equivalent_of(&self, tool: &str, id: &str) -> bool {
        self.equivalents
            .get(tool)
            .is_some_and(|ids| ids.iter().any(|i| i.eq_ignore_ascii_case(id)))
    }

    /// The rule's options with their defaults.
    pub fn option_values(&self) -> BTreeMap<String, Scalar> {
        self.options
            .iter()
            .map(|(k, v)| (k.clone(), v.default.clone()))
            .collect()
    }

    /// The first variant that holds for a finding, if any.
    pub fn variant_for(
        &self,
        fields: &dyn super::Fields,
        options: &BTreeMap<String, Scalar>,
    ) -> Option<&MessageVariant> {
        self.variants
            .iter()
            .find(|v| v.when.evaluate(fields, options) == super::Truth::True)
    }

    /// The message template for a finding: the first variant that holds, else `message`.
    pub fn message_for(
        &self,
        fields: &dyn super::Fields,
        options: &BTreeMap<String, Scalar>,
    ) -> &str {
        self.variant_for(fields, options)
            .map_or(&self.message, |v| &v.message)
    }

    /// The condition under which the rule fires: `when`, and no exemption holds.
    pub fn fires(
        &self,
        fields: &dyn super::Fields,
        options: &BTreeMap<String, Scalar>,
    ) -> super::Truth {
        use super::Truth;
        let Some(when) = &self.when else {
            return Truth::False;
        };
        let mut truth = when.evaluate(fields, options);
        for exemption in &self.exempt {
            if truth == Truth::False {
                break;
            }
            truth = match (truth, exemption.when.evaluate(fields, options)) {
                (_, Truth::True) => Truth::False,
                (t, Truth::False) => t,
                (_, Truth::Unknown) => Truth::Unknown,
            };
        }
        truth
    }
}

/// Joins the lines of each paragraph, so that prose written wrapped in YAML
/// is re-wrapped by whatever renders it. Paragraphs stay apart.
pub fn reflow(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}
