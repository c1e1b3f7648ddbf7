//! [`LinterBuilder`]: what a [`Linter`] is made of.

use std::path::{Path, PathBuf};

use super::{Error, Linter, find_rule};
use crate::Rule;
use crate::check::{CliVar, Input, Settings};
use crate::eval::Budget;
use crate::markers::MarkerNames;
use crate::profile::Scalar;
use crate::vars::RawVar;
use crate::workspace::inputs::{DEFAULT_MAX_FILE_SIZE, read_regular};
use crate::workspace::project::{ConfigSource, Project, Texts};

/// A variable value given to the run, in the order Terraform applies them.
#[derive(Debug, Clone)]
enum Var {
    /// `--var NAME=VALUE`.
    Assign { name: String, value: String },
    /// `--var-file PATH`.
    File(PathBuf),
}

/// Builds a [`Linter`]: configuration, rules, profiles and settings.
///
/// Every setting has the command line's default. By default the configuration is the first
/// `.drlint.yaml` in the current folder or above it, and `TF_VAR_*` variables are not read
/// (an embedder decides what its process environment means: see
/// [`LinterBuilder::env_vars`]).
///
/// ```
/// use drlint::Linter;
///
/// let linter = Linter::builder()
///     .no_config()
///     .production_pattern("-(prod|production)$")
///     .ignore_rules(["image-tag-mutable"])
///     .var("environment", "production")
///     .today("2026-12-01")
///     .build()?;
/// assert!(linter.rules().iter().all(|r| r.id() != "image-tag-mutable"));
/// # Ok::<(), drlint::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LinterBuilder {
    pub(super) config: ConfigSource,
    pub(super) profile_dirs: Vec<PathBuf>,
    pub(super) texts: Texts,
    only_rules: Vec<String>,
    ignore_rules: Vec<String>,
    production_pattern: Option<String>,
    vars: Vec<Var>,
    env_vars: Vec<(String, String)>,
    today: Option<String>,
    max_file_size: Option<u64>,
    budget: Option<Budget>,
    history: bool,
    plan: Option<PathBuf>,
}

impl Default for LinterBuilder {
    fn default() -> Self {
        LinterBuilder {
            config: ConfigSource::Discover(PathBuf::from(".")),
            profile_dirs: Vec::new(),
            texts: Texts::default(),
            only_rules: Vec::new(),
            ignore_rules: Vec::new(),
            production_pattern: None,
            vars: Vec::new(),
            env_vars: Vec::new(),
            today: None,
            max_file_size: None,
            budget: None,
            history: false,
            plan: None,
        }
    }
}

impl LinterBuilder {
    /// Use the first `.drlint.yaml` in this path's folder or any folder above it (the command
    /// line looks above the first checked path).
    pub fn discover_config(mut self, from: impl Into<PathBuf>) -> Self {
        self.config = ConfigSource::Discover(from.into());
        self
    }

    /// Use this configuration file (`--config`); it must exist.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config = ConfigSource::File(path.into());
        self
    }

    /// Use this text as the configuration, as if it were `.drlint.yaml` in folder `dir`
    /// (its `rule_dirs`, `profile_dirs` and globs are relative to `dir`).
    pub fn config_text(mut self, text: impl Into<String>, dir: impl Into<PathBuf>) -> Self {
        self.config = ConfigSource::Text {
            text: text.into(),
            dir: dir.into(),
        };
        self
    }

    /// Use no configuration: the built-in defaults.
    pub fn no_config(mut self) -> Self {
        self.config = ConfigSource::None;
        self
    }

    /// Add the module profiles (`*.yaml`) of this folder, after the configuration's
    /// (`--profiles`).
    pub fn profile_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.profile_dirs.push(dir.into());
        self
    }

    /// Add a rule from its YAML text; `origin` names it in errors. Its id must be new.
    pub fn rule_yaml(mut self, origin: impl Into<String>, text: impl Into<String>) -> Self {
        self.texts.rules.push((origin.into(), text.into()));
        self
    }

    /// Add a module profile from its YAML text; `origin` names it in errors.
    pub fn profile_yaml(mut self, origin: impl Into<String>, text: impl Into<String>) -> Self {
        self.texts.profiles.push((origin.into(), text.into()));
        self
    }

    /// Add a Helm chart profile from its YAML text; `origin` names it in errors.
    pub fn chart_profile_yaml(
        mut self,
        origin: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        self.texts.chart_profiles.push((origin.into(), text.into()));
        self
    }

    /// Run only these rules (`--rule`); an unknown id is an error at [`build`](Self::build).
    pub fn only_rules<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.only_rules.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Do not run these rules (`--ignore-rule`); an unknown id is an error.
    pub fn ignore_rules<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.ignore_rules.extend(ids.into_iter().map(Into::into));
        self
    }

    /// A namespace whose name matches this regular expression is production, unless its
    /// label or variable says otherwise (`--production-pattern`; else the configuration's,
    /// else `-prod$|-production$`).
    pub fn production_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.production_pattern = Some(pattern.into());
        self
    }

    /// Set a root-module variable (`--var NAME=VALUE`, HCL syntax for the value). Variables
    /// and variable files apply in the order they are given, after `TF_VAR_*` values.
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.push(Var::Assign {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Read a `.tfvars` or `.tfvars.json` file (`--var-file`), in order with [`var`](Self::var).
    pub fn var_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.vars.push(Var::File(path.into()));
        self
    }

    /// Take `TF_VAR_<name>` variables from these (name, value) pairs, e.g.
    /// `std::env::vars()`; pairs without the prefix are ignored. They rank below
    /// [`var`](Self::var), as in Terraform.
    pub fn env_vars<K: Into<String>, V: Into<String>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.env_vars
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The day `until=` dates of suppressions are compared with (`YYYY-MM-DD`); the system
    /// date when unset.
    pub fn today(mut self, date: impl Into<String>) -> Self {
        self.today = Some(date.into()).filter(|d| !d.is_empty());
        self
    }

    /// The largest file read, in bytes (`--max-file-size`; else the configuration's, else
    /// 10 MiB). A larger file is reported as `input-skipped`.
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = Some(bytes);
        self
    }

    /// The limits of evaluating Terraform per module instance; past them a value is unknown
    /// (and counted in [`crate::Summary::budget_exceeded`]). Replaces the configuration's
    /// `budget:` and the defaults ([`Budget::default`]).
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Look up in git history since when each aged finding's value has been as it is
    /// (`max_age_days` rules such as `snapshot-identifier-lingering`), in
    /// [`Linter::check_paths`] and [`Linter::check_change`]. Off by default; the command
    /// line turns it on unless `--no-history`.
    pub fn history(mut self, on: bool) -> Self {
        self.history = on;
        self
    }

    /// Check a Terraform plan too (`--plan`): the JSON of `terraform show -json PLANFILE`,
    /// read at [`build`](Self::build) (a regular file within the size limit). Its changes to
    /// data stores meet the rules (`plan-destroys-data-store`, and the static rules on the
    /// `after` values), located at their blocks in the checked code, or at their entries in the
    /// plan file; [`Linter::check_paths`] with no paths checks the plan alone.
    pub fn plan_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.plan = Some(path.into());
        self
    }

    /// Loads the configuration, rules and profiles, and checks the settings.
    pub fn build(self) -> Result<Linter, Error> {
        let project = Project::load(&self.config, &self.profile_dirs, &self.texts)?;
        for id in self.only_rules.iter().chain(&self.ignore_rules) {
            find_rule(&project.rules, id)?;
        }
        let rules: Vec<Rule> = project
            .rules
            .iter()
            .filter(|r| self.only_rules.is_empty() || self.only_rules.contains(&r.id))
            .filter(|r| !self.ignore_rules.contains(&r.id))
            .cloned()
            .collect();
        let config = project.config.as_ref().map(|c| &c.config);
        let max_file_size = self
            .max_file_size
            .or_else(|| config?.max_file_size)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE);
        let pattern = self
            .production_pattern
            .clone()
            .or_else(|| config?.production.name_pattern.clone())
            .unwrap_or_else(|| crate::namespace::DEFAULT_PRODUCTION_PATTERN.to_owned());
        let production_name = regex::Regex::new(&pattern)
            .map_err(|e| Error::new(format!("production pattern `{pattern}`: {e}")))?;
        let env_vars = self
            .env_vars
            .iter()
            .filter_map(|(k, v)| {
                Some(RawVar {
                    name: k.strip_prefix("TF_VAR_")?.to_owned(),
                    value: v.clone(),
                    source: format!("`{k}`"),
                })
            })
            .collect();
        let mut cli_vars = Vec::new();
        for var in &self.vars {
            cli_vars.push(match var {
                Var::Assign { name, value } => CliVar::Assign(RawVar {
                    name: name.trim().to_owned(),
                    value: value.clone(),
                    source: format!("`--var {name}=...`"),
                }),
                Var::File(path) => CliVar::File(read_var_file(path, max_file_size)?),
            });
        }
        let plan = match &self.plan {
            Some(path) => Some(std::sync::Arc::new(read_plan(path, max_file_size)?)),
            None => None,
        };
        let markers = MarkerNames::for_config(&rules, config);
        let settings = Settings {
            env_vars,
            cli_vars,
            production_name,
            fetched_modules: Vec::new(),
            inspect: false,
            today: self.today.clone(),
            known_rules: project.rules.iter().map(|r| r.id.clone()).collect(),
            config: project
                .config
                .as_ref()
                .map(|c| (crate::config::Resolved::new(&c.config), c.root.clone())),
            helm: helm_settings(&project),
            budget: self
                .budget
                .or_else(|| Some(config?.budget.apply(Budget::default())))
                .unwrap_or_default(),
            plan: None,
        };
        Ok(Linter {
            project,
            rules,
            settings,
            markers,
            max_file_size,
            history: self.history,
            plan,
        })
    }
}

/// A `--var-file`: a regular file within the size limit.
fn read_var_file(path: &Path, limit: u64) -> Result<Input, Error> {
    let content = read_regular(path, limit).map_err(|e| {
        Error::new(if e.missing {
            format!("--var-file {}: no such file", path.display())
        } else {
            format!("--var-file {}: {}", path.display(), e.reason)
        })
    })?;
    Ok(Input {
        path: crate::workspace::discover::display_path(path),
        content: Ok(content),
    })
}

/// `--plan FILE`: the plan read (a regular file within the size limit) and parsed.
fn read_plan(path: &Path, limit: u64) -> Result<crate::plan::Plan, Error> {
    let bytes = read_regular(path, limit).map_err(|e| {
        Error::new(if e.missing {
            format!("--plan {}: no such file", path.display())
        } else {
            format!("--plan {}: {}", path.display(), e.reason)
        })
    })?;
    crate::plan::Plan::parse(&crate::workspace::discover::display_path(path), &bytes)
        .map_err(|e| Error::new(format!("--plan {e}")))
}

/// Helm: the chart profiles, and the configuration's environments and releases
/// (their values files as display paths, like the inputs').
fn helm_settings(project: &Project) -> crate::helm::HelmSettings {
    let mut helm = crate::helm::HelmSettings {
        profiles: project.chart_profiles.clone(),
        ..Default::default()
    };
    if let Some(c) = &project.config {
        let h = &c.config.helm;
        helm.environments = h.environments.clone();
        if let Some(prod) = &h.production_environments {
            helm.production_environments = prod.clone();
        }
        let join = |file: &str| {
            let joined = if c.root == "." {
                file.to_owned()
            } else {
                format!("{}/{file}", c.root.trim_end_matches('/'))
            };
            joined.trim_start_matches("./").to_owned()
        };
        helm.releases = h
            .releases
            .iter()
            .map(|r| crate::helm::releases::ConfiguredRelease {
                values: r.values.iter().map(|v| join(v)).collect(),
                ..r.clone()
            })
            .collect();
    }
    helm
}

/// A rule's `max_age_days`: the configuration's value, else the rule's default.
pub(super) fn max_age_days(project: &Project, rule_id: &str) -> Option<f64> {
    let option = crate::history::MAX_AGE_OPTION;
    let configured = project
        .config
        .as_ref()
        .and_then(|c| c.config.rules.get(rule_id))
        .and_then(|s| s.options.get(option))
        .cloned();
    let default = project
        .rules
        .iter()
        .find(|r| r.id == rule_id)
        .and_then(|r| r.options.get(option))
        .map(|o| o.default.clone());
    match configured.or(default)? {
        Scalar::Number(n) => Some(n),
        _ => None,
    }
}
