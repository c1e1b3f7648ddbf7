//! drlint: a disaster-recovery linter for Terraform (and, later, Helm values).
//!
//! Data flows one way: [`check::Input`] bytes → [`hcl`] parse → [`model`] →
//! [`eval`] per module directory with [`profile`]s → [`rules`] → [`finding`]s →
//! [`report`] formats.

pub mod baseline;
pub mod builtin;
pub mod check;
pub mod config;
pub mod diff;
pub mod docs;
pub mod eval;
pub mod examples;
pub mod finding;
pub mod hcl;
pub mod helm;
pub mod history;
pub mod markers;
pub mod model;
pub mod namespace;
pub mod pr;
pub mod profile;
pub mod report;
pub mod rules;
pub mod schemas;
pub mod source;
pub mod suppress;
pub mod vars;

pub use check::{CheckReport, Checker, CliVar, FetchedModule, Input, Settings};
pub use finding::Finding;
pub use rules::{Rule, Severity};
