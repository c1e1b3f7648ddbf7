//! Terraform/HCL: parsing into a spanned model.

mod parse;

pub use parse::{DuplicateKey, ParseError, parse_hcl};
