//! drlint: a disaster-recovery linter for Terraform and Helm values.
//!
//! It finds the quiet changes that lose data: a restore that turns deletion protection off
//! and never back on, a `snapshot_identifier` left in place, backups cut to zero days, a data
//! store deleted or renamed without a `moved` block, a module pinned to a branch, an ingress
//! with no rate limit. It reads in-house module inputs through module profiles, Helm values
//! through chart profiles, and compares the base and head of a pull request.
//!
//! Build a [`Linter`] once, then check paths, in-memory sources, or a change:
//!
//! ```
//! use drlint::{Linter, Source};
//! use drlint::report::{Json, Render};
//!
//! let linter = Linter::builder().no_config().today("2026-12-01").build()?;
//! let report = linter.check_sources([Source::new(
//!     "payments-prod/main.tf",
//!     "module \"db\" {\n  source = \"github.com/org/rds?ref=main\"\n}\n",
//! )]);
//! let finding = &report.findings()[0];
//! assert_eq!(finding.rule, "module-source-unpinned");
//! assert_eq!((finding.start().line, finding.start().column), (2, 3));
//!
//! let mut json = Vec::new();
//! Json.render(&report, &mut json).unwrap();
//! assert!(String::from_utf8(json).unwrap().contains("module-source-unpinned"));
//! # Ok::<(), drlint::Error>(())
//! ```
//!
//! Inside, data flows one way: discovery and safe reading of the tree → each input language
//! (Terraform: parse, model, evaluation per module folder with module profiles; Helm values:
//! YAML tree, layering per environment, chart profiles; a Terraform plan's JSON, checked with
//! the code) → one rule engine → [`Finding`]s →
//! suppressions and [`baseline`]s → (PR mode: base and head paired) → [`report`] formats.
//! Only the types re-exported here, [`report`], [`baseline`] and [`output`] are public.

#![warn(missing_docs)]

pub mod baseline;
mod builtin;
mod check;
mod config;
mod diff;
#[cfg(test)]
mod docs;
mod examples;
mod explain;
mod finding;
pub mod fix;
mod helm;
mod history;
mod linter;
mod markers;
mod plan;
mod pr;
mod provenance;
pub mod report;
mod rules;
#[cfg(test)]
mod schemas;
mod source;
mod suppress;
mod terraform;
#[cfg(test)]
mod tests;
mod workspace;

use terraform::{eval, hcl, model, namespace, profile, vars};

use check::{Checker, FetchedModule, Input, Settings};

pub use check::{Report, Summary};
pub use eval::Budget;
pub use finding::{Finding, Related, Status};
pub use history::{Age, Since};
pub use linter::{
    Change, Error, Linter, LinterBuilder, Notice, NoticeKind, RuleDirCheck, RuleExamples, Source,
};
pub use provenance::Provenance;
pub use rules::{Rule, Severity};
pub use source::{LineCol, SourceFile};

/// The configuration file drlint looks for above the checked path.
pub const CONFIG_FILE: &str = config::CONFIG_FILE;

/// A commented starting configuration, as `drlint init` writes it.
pub const CONFIG_STARTER: &str = config::STARTER;

/// Writing report and baseline files safely: never through a symbolic link.
pub mod output {
    pub use crate::workspace::inputs::{create_new_output, create_output};
}
