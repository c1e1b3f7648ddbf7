//! drlint: a disaster-recovery linter for Terraform and Helm values.
//!
//! Two input languages feed one rule engine. Data flows one way:
//! [`check::Input`] bytes → [`terraform`] (parse, model, evaluation per module
//! folder with module profiles) or [`helm`] (YAML tree, layering per
//! environment, chart profiles) → [`rules`] → [`finding`]s → suppressions and
//! [`baseline`] → ([`pr`] pairing) → [`report`] formats.

pub mod baseline;
pub mod builtin;
pub mod check;
pub mod config;
pub mod diff;
pub mod docs;
pub mod examples;
mod explain;
pub mod finding;
pub mod helm;
pub mod history;
mod linter;
pub mod markers;
pub mod pr;
pub mod report;
pub mod rules;
pub mod schemas;
pub mod source;
pub mod suppress;
pub mod terraform;
mod workspace;

// the Terraform modules at the crate's root, where other tools have used them
pub use terraform::{eval, hcl, model, namespace, profile, vars};

pub use check::{Checker, CliVar, FetchedModule, Input, Report, Settings};
pub use finding::Finding;
pub use linter::{
    Change, Error, Linter, LinterBuilder, Notice, NoticeKind, RuleDirCheck, RuleExamples, Source,
};

/// Writing report and baseline files safely: never through a symbolic link.
pub mod output {
    pub use crate::workspace::inputs::{create_new_output, create_output};
}
pub use profile::Scalar;
pub use rules::{Rule, Severity};
