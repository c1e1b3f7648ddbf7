//! drlint: a disaster-recovery linter for Terraform and Helm values.
//!
//! Two input languages feed one rule engine. Data flows one way:
//! [`check::Input`] bytes → [`terraform`] (parse, model, evaluation per module
//! folder with module profiles) or [`helm`] (YAML tree, layering per
//! environment, chart profiles) → [`rules`] → [`finding`]s → suppressions and
//! [`baseline`] → ([`pr`] pairing) → [`report`] formats. A Terraform plan
//! ([`plan`], `terraform show -json`) is a third input, checked with the code.

pub mod baseline;
pub mod builtin;
pub mod check;
pub mod config;
pub mod diff;
pub mod docs;
pub mod examples;
pub mod finding;
pub mod helm;
pub mod history;
pub mod markers;
pub mod plan;
pub mod pr;
pub mod report;
pub mod rules;
pub mod schemas;
pub mod source;
pub mod suppress;
pub mod terraform;

// the Terraform modules at the crate's root, where other tools have used them
pub use terraform::{eval, hcl, model, namespace, profile, vars};

pub use check::{CheckReport, Checker, CliVar, FetchedModule, Input, Settings};
pub use finding::Finding;
pub use rules::{Rule, Severity};
