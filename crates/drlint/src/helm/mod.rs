//! Helm values: a spanned YAML tree read as Helm reads it.

pub mod yaml;
