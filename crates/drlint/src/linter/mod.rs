//! The embedding surface: a [`Linter`] built once from configuration, rules, profiles and
//! settings ([`LinterBuilder`]), then asked to check files on disk, sources held in memory, or
//! a change (PR mode). Everything a run needs besides the files (the configuration found above
//! the checked path, the team's rule and profile folders) is loaded by [`LinterBuilder::build`].

mod builder;
mod rule_dir;
mod run;

use std::fmt;
use std::path::Path;

pub use builder::LinterBuilder;
pub use rule_dir::{RuleDirCheck, RuleExamples};

use crate::Rule;
use crate::Settings;
use crate::markers::MarkerNames;
use crate::rules::Severity;
use crate::workspace::project::Project;

/// Why a run could not start or finish: a configuration, rule or profile file that is
/// invalid, a path that cannot be checked, a git repository that cannot be compared.
///
/// Problems with the checked files themselves (a parse error, a file too large) are not
/// errors: they are findings, and the rest of the files are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
}

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Error {
        Error {
            message: message.into(),
        }
    }

    /// The message, as the command line prints it (it may name files and values from the
    /// checked tree: escape it with [`crate::report::escape_controls`] before a terminal).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<Error> for String {
    fn from(error: Error) -> String {
        error.message
    }
}

impl From<String> for Error {
    fn from(message: String) -> Error {
        Error { message }
    }
}

/// Something a run tells its user besides findings: that it found no input, that ages are
/// lower bounds in a shallow clone, what the history walk cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// How it is shown.
    pub kind: NoticeKind,
    /// The text (from the checked tree: escape it before a terminal).
    pub message: String,
}

/// The kinds of [`Notice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Worth knowing, e.g. no input files were found (`drlint: notice:`).
    Notice,
    /// A caveat on the findings, e.g. ages from a shallow clone (`drlint: note:`).
    Note,
    /// What a phase cost (`--timings`).
    Timing,
}

impl Notice {
    pub(crate) fn plain(message: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Notice,
            message: message.into(),
        }
    }

    pub(crate) fn note(message: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Note,
            message: message.into(),
        }
    }

    pub(crate) fn timing(message: impl Into<String>) -> Notice {
        Notice {
            kind: NoticeKind::Timing,
            message: message.into(),
        }
    }
}

/// What PR mode compares (see [`Linter::check_change`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The merge base of this revision and `HEAD`, against the working tree (`--base REF`).
    Base(String),
    /// `HEAD` (nothing, before the first commit) against the git index: what `git commit`
    /// records (`--staged`).
    Staged,
}

/// A file to check, held in memory (see [`Linter::check_sources`]).
#[derive(Debug, Clone)]
pub struct Source {
    pub(crate) input: crate::Input,
}

impl Source {
    /// A file at `path` (relative, with `/` separators, as findings will name it) with these
    /// contents. A file that is not UTF-8 is reported as a `parse-error` finding.
    pub fn new(path: impl Into<String>, contents: impl Into<Vec<u8>>) -> Source {
        Source {
            input: crate::Input {
                path: path.into(),
                content: Ok(contents.into()),
            },
        }
    }

    /// A file at `path` that could not be read, and why: reported as `input-skipped`.
    pub fn unreadable(path: impl Into<String>, reason: impl Into<String>) -> Source {
        Source {
            input: crate::Input {
                path: path.into(),
                content: Err(reason.into()),
            },
        }
    }

    /// The path, as findings name it.
    pub fn path(&self) -> &str {
        &self.input.path
    }
}

/// Checks Terraform and Helm values for disaster-recovery risks.
///
/// Built by [`Linter::builder`]; cheap to use many times (an editor checks a folder on every
/// change). Checks run in parallel on rayon's pool.
///
/// ```
/// use drlint::{Linter, Severity, Source};
///
/// let linter = Linter::builder().no_config().build()?;
/// let report = linter.check_sources([Source::new(
///     "orders-prod/rds.tf",
///     r#"resource "aws_db_instance" "orders" {
///   engine              = "postgres"
///   deletion_protection = false
/// }
/// "#,
/// )]);
/// let rules: Vec<&str> = report.findings().iter().map(|f| f.rule.as_str()).collect();
/// assert!(rules.contains(&"deletion-protection-disabled"));
/// assert!(report.count(Severity::Error) + report.count(Severity::Warning) > 0);
/// # Ok::<(), drlint::Error>(())
/// ```
pub struct Linter {
    /// Every rule, profile and chart profile, and the configuration.
    project: Project,
    /// The rules of a run (after `only_rules` and `ignore_rules`).
    rules: Vec<Rule>,
    settings: Settings,
    markers: MarkerNames,
    max_file_size: u64,
    history: bool,
    /// The plan to check with the code (`--plan`).
    plan: Option<std::sync::Arc<crate::plan::Plan>>,
}

impl Linter {
    /// A builder with the built-in rules and profiles, and the configuration found above the
    /// current folder.
    pub fn builder() -> LinterBuilder {
        LinterBuilder::default()
    }

    /// The rules a run uses, sorted by id.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every rule that exists (built-in and the team's), enabled or not, sorted by id.
    pub fn all_rules(&self) -> &[Rule] {
        &self.project.rules
    }

    /// The rule with this id, or an error naming the nearest id.
    pub fn rule(&self, id: &str) -> Result<&Rule, Error> {
        find_rule(&self.project.rules, id)
    }

    /// The severity at which findings fail a run: the configuration's `severity_threshold`,
    /// else [`Severity::Warning`].
    pub fn severity_threshold(&self) -> Severity {
        self.project
            .config
            .as_ref()
            .and_then(|c| c.config.severity_threshold)
            .unwrap_or(Severity::Warning)
    }

    /// The list of rules as `drlint rules` prints it.
    pub fn rule_list(&self) -> String {
        crate::explain::rule_list(&self.project.rules)
    }

    /// One rule explained as `drlint explain` prints it: why it matters, how to fix it,
    /// examples.
    pub fn explain(&self, id: &str) -> Result<String, Error> {
        let rule = self.rule(id)?;
        Ok(crate::explain::explain(rule, &self.project.profiles))
    }

    /// Reads a baseline file (`drlint baseline create`), within the input size limit.
    pub fn read_baseline(&self, path: &Path) -> Result<crate::baseline::Baseline, Error> {
        let text = crate::workspace::inputs::read_text(path, self.max_file_size)
            .map_err(|e| Error::new(format!("--baseline {e}")))?;
        crate::baseline::Baseline::from_json(&text)
            .map_err(|e| Error::new(format!("--baseline {}: {e}", path.display())))
    }
}

/// The rule with this id among `rules`, or an error naming the nearest.
fn find_rule<'r>(rules: &'r [Rule], id: &str) -> Result<&'r Rule, Error> {
    rules.iter().find(|r| r.id == id).ok_or_else(|| {
        let mut message = format!("unknown rule `{id}`");
        if let Some(near) = crate::config::did_you_mean(id, rules.iter().map(|r| r.id.as_str())) {
            message.push_str(&format!(" (did you mean `{near}`?)"));
        }
        message.push_str("; `drlint rules` lists them");
        Error::new(message)
    })
}
