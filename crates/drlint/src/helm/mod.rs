//! Helm values: a spanned YAML tree read as Helm reads it.

pub mod layers;
pub mod profile;
pub mod releases;
pub mod yaml;
