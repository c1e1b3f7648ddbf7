//! Terraform/HCL: parsing into a spanned model.

mod parse;

pub use parse::{DuplicateKey, ParseError, ParsedHcl, parse_hcl};
