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
/// How serious a finding is, from note to error.
pub enum Severity {
    /// Worth knowing.
    Note,
    /// A risk to fix.
    Warning,
    /// Data at risk now.
    Error,
}

impl Severity {
    /// `note`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The severity named `note`, `warning` or `error`.
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
    /// Marker files (named by the rule's `markers` option, or misspelt within two
    /// edits) in a namespace folder, once the data stores below it are known; fields
    /// `marker`, `misspelt_of`, `namespace`, `data_stores`, `data_stores_held`,
    /// `in_production` and the namespace folder's facts (`namespace_label`,
    /// `namespace_name`, `namespace_name_is_production`).
    Markers,
    /// Findings the parser itself produces (`parse-error`, `duplicate-object-key`,
    /// `yaml11-ambiguous-boolean`).
    Parser,
    /// Helm values, merged per release and environment: `workload` (each
    /// workload of the chart: the chart profile's components, else maps holding
    /// `replicaCount`, `autoscaling`, `ingress` or `image`) or `release` (the
    /// values as a whole). Fields are key paths in the common Helm conventions
    /// (`autoscaling.maxReplicas`, `ingress.annotations["nginx.ingress.kubernetes.io/limit-rps"]`),
    /// mapped to the chart's own by its profile, plus `environment`,
    /// `in_production`, `chart`, `chart_profile`, `component` and `release`.
    Values(Vec<String>),
    /// Every key of the merged Helm values: fields `key`, `path`, `value`,
    /// `read_by_chart`, `in_disabled_component` (a map holding it has
    /// `enabled: false`), `environment`, `in_production`, `chart` and
    /// `chart_profile` ("chart generic-service 3.12.4").
    ValuesKeys,
    /// What an overlay does to the values below it while Helm merges them
    /// (a list replaced whole, a key deleted by `null`).
    Layers,
    /// Findings about suppression comments (`unused-suppression`, `suppression-without-reason`).
    Suppressions,
    /// In PR mode, data stores of these kinds compared between the base and the
    /// head: fields `change` (`removed`, `renamed`, `modified`), `base.<attribute>`,
    /// `head.<attribute>`, `changed.<attribute>`, `replacement_forcing_changed`.
    Changes(Vec<String>),
    /// With `--plan`, the changes `terraform show -json` lists for data stores of
    /// these kinds (resource types a profile knows, inside modules too): fields
    /// `action` (`delete`, `replace`, `create`, `update`, `no-op`, `forget`),
    /// `destroys`, `reason` (Terraform's `action_reason`), `replace_paths`,
    /// `change` (what happens and why, in words), `before.<attribute>`,
    /// `after.<attribute>` (canonical, from the plan's values), `moved_block`,
    /// `fix`, `module_call`, `previous_address`.
    Plan(Vec<String>),
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
            Select::Markers => "marker files in namespace folders (option `markers`)".to_owned(),
            Select::Changes(kinds) => format!(
                "pull requests (`--base`): data stores of kind {} at the base and the head",
                list(kinds)
            ),
            Select::Plan(kinds) => format!(
                "Terraform plans (`--plan`): changes to data stores of kind {}",
                list(kinds)
            ),
            Select::Parser => "every file, while it is read".to_owned(),
            Select::Suppressions => "suppression comments".to_owned(),
            Select::Values(kinds) => format!(
                "Helm values merged per release and environment: {}",
                list(kinds)
            ),
            Select::ValuesKeys => {
                "every key of the Helm values, merged per release and environment".to_owned()
            }
            Select::Layers => "Helm values overlays, as they are merged".to_owned(),
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
/// and its severity when the case is less (or more) serious than the rule's.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageVariant {
    pub when: Condition,
    pub message: String,
    /// Replaces the rule's severity (and `production_severity`) for this case.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// The field the finding points at in this case, instead of the rule's `target`.
    #[serde(default)]
    pub target: Option<String>,
}

/// The case of a rule a finding is: its message template, severity and target.
pub struct Case<'r> {
    pub message: &'r str,
    /// The variant's own severity, which replaces the rule's and `production_severity`.
    pub severity: Option<Severity>,
    pub target: Option<&'r str>,
    /// The items of a list or map field that make the case hold (`any_item`).
    pub items: Option<super::condition::MatchedItems>,
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

/// What a rule's fix does (`fix:` in its file); exactly one of `set` and `add`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    /// `safe`: what Terraform does is unchanged (a `moved` block); `unsafe`: the
    /// infrastructure changes (`deletion_protection = true`), applied only with `--unsafe-fixes`.
    pub safety: crate::fix::Safety,
    /// Sets the rule's target to this value: the argument's value is replaced where it is
    /// written, or a line is added to the block (written through the profile's input and
    /// `values`); no fix when the module hard-codes the attribute or a companion sets it.
    #[serde(default)]
    pub set: Option<Scalar>,
    /// Adds text next to the finding's block: `moved_block` (`select: changes`) writes the
    /// generated `moved` block after the renamed block.
    #[serde(default)]
    pub add: Option<FixAddition>,
}

/// What a fix can add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FixAddition {
    /// The `moved` block that makes a rename safe, after the renamed block.
    MovedBlock,
}

/// A rule: what it looks for, why it matters for recovery, and how to fix it. Built-in rules
/// and a team's own are YAML files (`rules/*.yaml`, `docs/rules.md`).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Kebab-case, naming the bad pattern.
    pub(crate) id: String,
    pub(crate) severity: Severity,
    /// The severity in a production module directory, when it is higher.
    #[serde(default)]
    pub(crate) production_severity: Option<Severity>,
    pub(crate) title: String,
    /// Why this matters for recovery, in terms of the runbook.
    pub(crate) rationale: String,
    /// `{address}`, `{kind}`, `{<field>}` and `{<option>}` are filled in.
    pub(crate) message: String,
    /// Checked in order; the first that holds replaces `message` (and `severity`, if it has one).
    #[serde(default)]
    pub(crate) variants: Vec<MessageVariant>,
    pub(crate) help: String,
    #[serde(default)]
    pub(crate) docs: Option<String>,
    pub(crate) select: Select,
    /// The field a finding points at: the attribute when written, else the block's first line.
    #[serde(default)]
    pub(crate) target: Option<String>,
    #[serde(default)]
    pub(crate) when: Option<Condition>,
    #[serde(default)]
    pub(crate) exempt: Vec<Exemption>,
    #[serde(default)]
    pub(crate) options: BTreeMap<String, OptionSpec>,
    #[serde(default)]
    pub(crate) examples: Examples,
    /// The ids other scanners give the same check, so their suppression
    /// comments also suppress this rule: `checkov`, `tfsec`, `trivy`, `tflint`.
    #[serde(default)]
    pub(crate) equivalents: BTreeMap<String, Vec<String>>,
    /// The edit that fixes what the rule reports, when one is known (`drlint check --fix`).
    #[serde(default)]
    pub(crate) fix: Option<FixSpec>,
}

impl Rule {
    /// The rule's id: kebab-case, naming the bad pattern (`deletion-protection-disabled`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its severity, unless its message variants or the configuration say otherwise.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The severity in a production module folder, when it is higher.
    pub fn production_severity(&self) -> Option<Severity> {
        self.production_severity
    }

    /// A one-line title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Why it matters for recovery, in terms of the runbook.
    pub fn rationale(&self) -> &str {
        &self.rationale
    }

    /// How to fix what it reports.
    pub fn help(&self) -> &str {
        &self.help
    }

    /// A link to its documentation.
    pub fn docs(&self) -> Option<&str> {
        self.docs.as_deref()
    }

    /// Where its documentation is: its own `docs` link, else, for a built-in rule, its section
    /// of `docs/rules.md`; a team's rule without `docs` has none.
    pub fn docs_url(&self) -> Option<String> {
        crate::report::docs_url(self)
    }

    /// Whether the rule has a fix (`drlint check --fix`), and how safe it is.
    pub fn fix_safety(&self) -> Option<crate::fix::Safety> {
        self.fix.as_ref().map(|f| f.safety)
    }

    /// The ids other scanners give the same check (`checkov`, `tfsec`, `trivy`, `tflint`).
    pub fn equivalents(&self) -> &BTreeMap<String, Vec<String>> {
        &self.equivalents
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum RuleError {
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Rule {
    /// Parses one rule file; `origin` names it in errors.
    pub(crate) fn from_yaml(origin: &str, text: &str) -> Result<Rule, RuleError> {
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
            (Select::Parser | Select::Suppressions | Select::Layers, Some(_)) => {
                return Err("a parser, suppression or layers rule has no `when`".into());
            }
            (
                Select::Kinds(_)
                | Select::Blocks(_)
                | Select::Directories
                | Select::Markers
                | Select::Changes(_)
                | Select::Plan(_)
                | Select::Values(_)
                | Select::ValuesKeys,
                None,
            ) => {
                return Err("a rule must say `when` it fires".into());
            }
            _ => {}
        }
        if let Select::Values(kinds) = &self.select
            && let Some(bad) = kinds
                .iter()
                .find(|k| !matches!(k.as_str(), "workload" | "release"))
        {
            return Err(format!(
                "`select: values` takes `workload` or `release`, not `{bad}`"
            ));
        }
        if matches!(self.select, Select::Markers) {
            let names = self.options.get(crate::markers::MARKERS_OPTION);
            let is_list = names.is_some_and(|o| match &o.default {
                Scalar::List(items) => items.iter().all(|i| matches!(i, Scalar::String(_))),
                _ => false,
            });
            if !is_list {
                return Err(
                    "a `select: markers` rule declares option `markers`, a list of file names"
                        .into(),
                );
            }
        }
        if let Some(fix) = &self.fix {
            match (&fix.set, fix.add) {
                (Some(_), None) if self.target.is_none() => {
                    return Err("a fix that sets a value needs the rule's `target`".into());
                }
                (Some(Scalar::List(_)), None) => {
                    return Err("a fix sets a boolean, number, string or null".into());
                }
                (Some(_), None) => {}
                (None, Some(FixAddition::MovedBlock))
                    if matches!(self.select, Select::Changes(_)) => {}
                (None, Some(FixAddition::MovedBlock)) => {
                    return Err("`add: moved_block` is for `select: changes` rules".into());
                }
                _ => return Err("a fix has exactly one of `set` and `add`".into()),
            }
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
    pub(crate) fn equivalent_of(&self, tool: &str, id: &str) -> bool {
        self.equivalents
            .get(tool)
            .is_some_and(|ids| ids.iter().any(|i| i.eq_ignore_ascii_case(id)))
    }

    /// The help as documentation shows it: placeholders read as `<address>`,
    /// the generated `moved` block as its shape.
    pub(crate) fn help_for_docs(&self) -> String {
        fill_template(&self.help, placeholder_for_docs)
    }

    /// A message template as documentation shows it: placeholders as `<address>`.
    #[cfg(test)]
    pub(crate) fn message_for_docs(message: &str) -> String {
        fill_template(message, placeholder_for_docs)
    }

    /// The rule's options with their defaults.
    pub(crate) fn option_values(&self) -> BTreeMap<String, Scalar> {
        self.options
            .iter()
            .map(|(k, v)| (k.clone(), v.default.clone()))
            .collect()
    }

    /// The case of a finding: the first variant that holds, else the rule itself.
    pub(crate) fn case(
        &self,
        fields: &dyn super::Fields,
        options: &BTreeMap<String, Scalar>,
    ) -> Case<'_> {
        let variant = self
            .variants
            .iter()
            .find(|v| v.when.evaluate(fields, options) == super::Truth::True);
        // the variant's items, else those of the rule's condition
        let items = variant
            .and_then(|v| v.when.matched_items(fields, options))
            .or_else(|| self.when.as_ref()?.matched_items(fields, options));
        Case {
            items,
            message: variant.map_or(&self.message, |v| &v.message),
            severity: variant.and_then(|v| v.severity),
            target: variant
                .and_then(|v| v.target.as_deref())
                .or(self.target.as_deref()),
        }
    }

    /// The condition under which the rule fires: `when`, and no exemption holds.
    pub(crate) fn fires(
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

/// Replaces each `{name}` of a message or help template (letters, digits,
/// `_` and `.`) with `value(name)`; other braces stay as written.
pub fn fill_template(template: &str, mut value: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let is_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
        if !is_name {
            out.push('{');
            rest = after;
            continue;
        }
        out.push_str(&value(name));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// A placeholder as documentation shows it, where no finding fills it in.
fn placeholder_for_docs(name: &str) -> String {
    match name {
        "moved_block" => {
            "    moved {\n      from = <old address>\n      to   = <new address>\n    }".to_owned()
        }
        // a plan rule's fix, which depends on the change
        "fix" => "The finding's own fix, by case: a generated `moved` block when the plan creates the same data store (same kind and identifier) at another address; `removed { from = <address> lifecycle { destroy = false } }` when Terraform should let it go and leave it running; `for_each` instead of `count` (with a `moved` block per instance) when an index shift destroys it; undoing the edit Terraform cannot make in place, for a replacement. A destroy that is meant: take a final snapshot first, then suppress the finding with the reason.".to_owned(),
        // outside code in messages, where markdown would read `<items>` as a tag
        "items" => "the matching items' names".to_owned(),
        _ => format!("<{}>", name.replace(['_', '.'], " ")),
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
