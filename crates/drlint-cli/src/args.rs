//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(name = "drlint", version, about = "Disaster-recovery linter for Terraform", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Terraform files for disaster-recovery risks.
    Check(CheckArgs),
    /// Print every data store drlint recognises and its effective attributes (JSON).
    Inspect(InspectArgs),
    /// Record today's findings as accepted, in a baseline file.
    Baseline {
        #[command(subcommand)]
        command: BaselineCommand,
    },
    /// List the rules (built-in and the configuration's), with other scanners' equivalent ids.
    Rules {
        /// Validate the rule files (`*.yaml`) and profiles (`profiles/*.yaml`) in DIR and run
        /// each rule's examples; exit 1 if an example misbehaves, 2 if a file is invalid.
        #[arg(long, value_name = "DIR")]
        check: Option<PathBuf>,
    },
    /// Write a commented starting `.drlint.yaml` in the current folder.
    Init,
    /// Explain one rule: why it matters, how to fix it, examples.
    Explain {
        /// The rule id, e.g. deletion-protection-disabled.
        rule: String,
    },
    /// Print a shell completion script (e.g. `drlint completions bash > /etc/bash_completion.d/drlint`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `drlint man > /usr/local/share/man/man1/drlint.1`.
    Man,
    /// Run the language server on stdin and stdout, for editors (docs/editors.md).
    Lsp,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Write every current finding's fingerprint to a baseline file.
    Create {
        #[command(flatten)]
        args: BaselineArgs,
        /// Where to write it.
        #[arg(long, default_value = drlint::baseline::BASELINE_FILE)]
        output: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette's report per finding and a summary line (the default).
    Human,
    /// One line per finding: `path:line:column: severity rule message`.
    Concise,
    /// drlint's JSON, version 1.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// A Markdown summary, for `$GITHUB_STEP_SUMMARY` or a PR comment.
    Markdown,
    /// JUnit XML.
    Junit,
    /// GitLab Code Quality JSON.
    Gitlab,
}

/// `--format FORMAT[=FILE]`: a format and where it goes (stdout without a FILE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl FormatSpec {
    pub fn parse(value: &str) -> Result<FormatSpec, String> {
        let (name, file) = match value.split_once('=') {
            Some((name, "")) => {
                return Err(format!(
                    "`{name}=` names no file (`{name}=FILE`, or `{name}` for stdout)"
                ));
            }
            Some((name, file)) => (name, Some(PathBuf::from(file))),
            None => (value, None),
        };
        let format = Format::from_str(name, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value().map(|v| v.get_name().to_owned()))
                .collect();
            format!("unknown format `{name}` (one of: {})", names.join(", "))
        })?;
        Ok(FormatSpec { format, file })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Threshold {
    Note,
    Warning,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What every command that reads a tree takes: the paths, the configuration,
/// variables and profiles.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// Files or folders to check (folders are walked, honouring .gitignore).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The configuration file [default: the first `.drlint.yaml` found walking up from the first PATH].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Set a root module variable, as `terraform plan -var` does (repeatable; later wins).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root module variables from a `.tfvars` or `.tfvars.json` file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A namespace whose name matches this regular expression is production
    /// [default: the configuration's, else `-prod$|-production$`].
    #[arg(long, value_name = "REGEX")]
    pub production_pattern: Option<String>,
    /// Extra module profiles: a folder of `*.yaml` profile files (repeatable). They take
    /// precedence over the built-in profiles for the same module source or resource type.
    #[arg(long = "profiles", value_name = "DIR")]
    pub profile_dirs: Vec<PathBuf>,
    /// Positions of `--var` on the command line (filled in after parsing).
    #[arg(skip)]
    pub var_indices: Vec<usize>,
    /// Positions of `--var-file` on the command line.
    #[arg(skip)]
    pub var_file_indices: Vec<usize>,
    /// Files larger than this are not read, and are reported (`input-skipped`)
    /// [default: the configuration's `max_file_size`, else 10485760 (10 MiB)].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<u64>,
    /// Print how long each phase took (discover, read, check, render) to stderr.
    #[arg(long)]
    pub timings: bool,
    /// Print nothing but the report itself: no notes or notices on stderr, no summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Which rules run.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleSelection {
    /// Run only these rules (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,
    /// Do not run these rules (repeatable).
    #[arg(long = "ignore-rule", value_name = "RULE")]
    pub ignore_rules: Vec<String>,
}

/// `drlint inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub input: InputArgs,
}

/// `drlint baseline create`.
#[derive(Debug, clap::Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub selection: RuleSelection,
    /// Record the findings of this plan too (`terraform show -json` output), as `check --plan`.
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("pr_mode").args(["base", "staged"])))]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub selection: RuleSelection,
    /// Output format, to stdout or with `=FILE` to a file (created or truncated); repeatable,
    /// each written in turn (several may go to stdout): human, concise, json, sarif, github,
    /// markdown, junit, gitlab.
    #[arg(long, value_name = "FORMAT[=FILE]", default_value = "human", value_parser = FormatSpec::parse)]
    pub format: Vec<FormatSpec>,
    /// SARIF: the category of the run (`runAutomationDetails.id` is `NAME/`), so that several
    /// uploads for one commit (one per folder, say) do not replace each other's alerts.
    #[arg(long, value_name = "NAME", default_value = drlint::report::DEFAULT_SARIF_CATEGORY)]
    pub sarif_category: String,
    /// Print the number of findings per rule (production, non-production, unknown) instead of
    /// the findings, in the human and concise formats on stdout; other formats are unchanged.
    #[arg(long)]
    pub statistics: bool,
    /// Keep only the findings about production (the namespace's production facts), in every
    /// format and for the exit code.
    #[arg(long)]
    pub production_only: bool,
    /// Exit with 1 when a finding of this severity or above is reported
    /// [default: the configuration's, else warning].
    #[arg(long, value_enum)]
    pub severity_threshold: Option<Threshold>,
    /// PR mode: compare with this git revision (the merge base of REF and HEAD); only the
    /// module folders the change touches are checked, and findings say whether they are new.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Do not read git history for the age of findings of rules with `max_age_days`.
    #[arg(long, env = "DRLINT_NO_HISTORY", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_history: bool,
    /// PR mode on the commit being made (for pre-commit hooks): compare the staged content
    /// (the git index, not the working tree) with HEAD; only the folders the staged change
    /// touches are checked, within PATHs.
    #[arg(long)]
    pub staged: bool,
    /// With --base or --staged: show, and fail on, new findings only.
    #[arg(long, requires = "pr_mode")]
    pub only_new: bool,
    /// Hide the findings listed in this baseline file and report its entries that no longer match.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Colour in human output; `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Check a Terraform plan too: the JSON of `terraform show -json PLANFILE`. Its changes
    /// to data stores meet the rules, at their blocks in PATHs; without PATH, only the plan is
    /// checked and findings point into it.
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// Write the rules' safe fixes (what Terraform does is unchanged: a `moved` block) to the
    /// files, say on stderr what changed, then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Like --fix, with the unsafe fixes too, which change the infrastructure
    /// (`deletion_protection = true`).
    #[arg(long)]
    pub unsafe_fixes: bool,
}
