//! What a run is given besides rules and profiles: its input files and its
//! settings (variables, production pattern, budget, modules fetched by init).

use std::sync::Arc;

use regex::Regex;

use crate::config::Resolved;
use crate::eval::Budget;
use crate::namespace::DEFAULT_PRODUCTION_PATTERN;
use crate::vars::RawVar;

/// One file handed to the checker: its display path (relative, `/`-separated)
/// and its bytes, or why it was not read (reported as `input-skipped`). `.tf`
/// files, automatic `.tfvars` files and `00-namespace.yaml` files are understood.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: String,
    pub content: Result<Vec<u8>, String>,
}

/// A variable value from the command line, in command-line order.
#[derive(Debug, Clone)]
pub enum CliVar {
    /// `--var-file`: a `.tfvars` or `.tfvars.json` file.
    File(Input),
    /// `--var NAME=VALUE`.
    Assign(RawVar),
}

/// Settings of a run beyond rules and profiles.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `TF_VAR_*` values: the lowest precedence after defaults.
    pub env_vars: Vec<RawVar>,
    /// `--var` and `--var-file`, in order: the highest precedence.
    pub cli_vars: Vec<CliVar>,
    /// A namespace whose name matches is production.
    pub production_name: Regex,
    /// Remote modules fetched by `terraform init` (from `.terraform/modules/modules.json`),
    /// whose files are among the inputs.
    pub fetched_modules: Vec<FetchedModule>,
    /// Record every data store and its effective attributes in the report.
    pub inspect: bool,
    /// Today as `YYYY-MM-DD`, for suppressions with `until=`; the system date when unset.
    pub today: Option<String>,
    /// Every rule id that exists, enabled or not: a suppression naming a
    /// disabled rule is not reported as unused, one naming no rule at all is.
    pub known_rules: Vec<String>,
    /// `.drlint.yaml` rule settings, and its folder as a display path (`.`,
    /// `../repo`): override globs match module folders relative to it.
    pub config: Option<(Resolved, String)>,
    /// How Helm values files are read, grouped into releases and profiled.
    pub helm: crate::helm::HelmSettings,
    /// Limits on evaluating Terraform, per module instance: past them a value
    /// is unknown, and `Summary::budget_exceeded` counts it.
    pub budget: Budget,
    /// A Terraform plan to check with the inputs (`--plan`): its changes are
    /// located at their blocks and meet the rules ([`crate::plan`]).
    pub plan: Option<Arc<crate::plan::PlanRun>>,
}

/// One entry of `.terraform/modules/modules.json`.
#[derive(Debug, Clone)]
pub struct FetchedModule {
    /// The root module folder holding `.terraform/`.
    pub root: String,
    /// `rds`, or `app.rds` for a module called inside module `app`.
    pub key: String,
    /// The folder of its files.
    pub dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            env_vars: Vec::new(),
            cli_vars: Vec::new(),
            production_name: Regex::new(DEFAULT_PRODUCTION_PATTERN).expect("valid pattern"),
            fetched_modules: Vec::new(),
            inspect: false,
            today: None,
            known_rules: Vec::new(),
            config: None,
            helm: crate::helm::HelmSettings::default(),
            budget: Budget::default(),
            plan: None,
        }
    }
}
