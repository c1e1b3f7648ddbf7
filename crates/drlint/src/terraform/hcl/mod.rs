//! Terraform/HCL: parsing into a spanned model.

mod parse;

pub use parse::{DuplicateKey, ParseError, parse_hcl};
pub(crate) use parse::{key_name, key_span};
