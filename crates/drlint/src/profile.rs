//! Module profiles: what a module call or a raw resource *is* (its kind) and
//! how its inputs map to the kind's canonical attributes, with defaults.
//!
//! Profiles are YAML files (`rules/profiles/*.yaml`), so a team can describe
//! its own wrapper modules without writing Rust.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::eval::Value;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The kind every rule selects on: `rds_instance`, `rds_cluster`, `s3_bucket`, `dynamodb_table`, `cache_cluster`, ...
    pub kind: String,
    /// A short human name, used in labels: "module rds-instance 9.2.0".
    pub name: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "match")]
    pub matches: ProfileMatch,
    /// Inputs (or arguments) whose change makes Terraform destroy and
    /// re-create the data store, for `replacement-forcing-change` in PR mode.
    #[serde(default)]
    pub replacement_forcing: Vec<String>,
    pub attributes: BTreeMap<String, AttributeMapping>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileMatch {
    /// A module source without scheme, `?ref=` or `//subdir`:
    /// `github.com/ministryofjustice/cloud-platform-terraform-rds-instance`.
    #[serde(default)]
    pub module_source: Option<String>,
    /// A raw resource type: `aws_db_instance`.
    #[serde(default)]
    pub resource_type: Option<String>,
}

/// How one canonical attribute is read from a block.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeMapping {
    /// The module input or resource argument; a dotted path walks nested blocks
    /// (`point_in_time_recovery.enabled`).
    #[serde(default)]
    pub input: Option<String>,
    /// The value when the input is absent (the module's own default).
    #[serde(default)]
    pub default: Option<Scalar>,
    /// A value the module hard-codes: the caller cannot change it.
    #[serde(default)]
    pub fixed: Option<Scalar>,
    /// Why, shown to the user with a default or fixed value.
    #[serde(default)]
    pub note: Option<String>,
    /// Maps the input's written values to the attribute's (`INACTIVE: false`);
    /// a value not listed is unknown. `default` is then the attribute's value.
    #[serde(default)]
    pub values: BTreeMap<String, Scalar>,
    /// A separate resource that sets this attribute for the block, as
    /// `aws_s3_bucket_versioning` does for `aws_s3_bucket`.
    #[serde(default)]
    pub companion: Option<Companion>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Companion {
    pub resource_type: String,
    /// The companion's argument that refers to the block (`bucket = aws_s3_bucket.x.id`).
    pub link: String,
    /// Where the companion holds the value (`versioning_configuration.status`).
    pub input: String,
    /// Maps the companion's values to the attribute's (`Enabled: true`).
    #[serde(default)]
    pub values: BTreeMap<String, Scalar>,
}

/// A YAML scalar as written: `false` and `"false"` stay different, as in Terraform.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Number(f64),
    String(String),
    Null(()),
}

impl Scalar {
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Number(n) => Value::Number(*n),
            Scalar::String(s) => Value::String(s.clone()),
            Scalar::Null(()) => Value::Null,
        }
    }
}

impl Profile {
    /// Parses one profile file; `origin` names it in errors.
    pub fn from_yaml(origin: &str, text: &str) -> Result<Profile, crate::rules::RuleError> {
        serde_saphyr::from_str(text).map_err(|e| crate::rules::RuleError::Invalid {
            origin: origin.to_owned(),
            message: e.to_string(),
        })
    }

    /// "module rds-instance 9.2.0" or "resource aws_db_instance".
    pub fn label(&self) -> String {
        match &self.version {
            Some(v) => format!("{} {v}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Normalises a module source for matching: drops `git::`, a URL scheme,
/// `git@host:`, `.git`, a `?query` and a `//subdir`.
pub fn normalize_module_source(source: &str) -> String {
    let mut s = source.trim();
    s = s.strip_prefix("git::").unwrap_or(s);
    if let Some(i) = s.find("://") {
        s = &s[i + 3..];
    }
    s = s.split('?').next().unwrap_or(s);
    if let Some(i) = s.find("//") {
        s = &s[..i];
    }
    s = s.strip_suffix(".git").unwrap_or(s);
    match s.strip_prefix("git@") {
        Some(rest) => rest.replacen(':', "/", 1),
        None => s.to_owned(),
    }
}

/// The profiles in force, with lookups by module source and resource type.
#[derive(Debug, Default, Clone)]
pub struct ProfileSet {
    profiles: Vec<Profile>,
}

impl ProfileSet {
    pub fn new(profiles: Vec<Profile>) -> Self {
        ProfileSet { profiles }
    }

    pub fn for_module_source(&self, source: &str) -> Option<&Profile> {
        let normalized = normalize_module_source(source);
        self.profiles
            .iter()
            .rev()
            .find(|p| p.matches.module_source.as_deref() == Some(normalized.as_str()))
    }

    pub fn for_resource_type(&self, ty: &str) -> Option<&Profile> {
        self.profiles
            .iter()
            .rev()
            .find(|p| p.matches.resource_type.as_deref() == Some(ty))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.iter()
    }

    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = self.profiles.iter().map(|p| p.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_sources_normalise_to_their_repository() {
        let want = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance";
        for s in [
            "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0",
            "git::https://github.com/ministryofjustice/cloud-platform-terraform-rds-instance.git?ref=9.2.0",
            "git::https://github.com/ministryofjustice/cloud-platform-terraform-rds-instance.git//sub?ref=1",
            "git@github.com:ministryofjustice/cloud-platform-terraform-rds-instance.git?ref=9.2.0",
            "github.com/ministryofjustice/cloud-platform-terraform-rds-instance",
        ] {
            assert_eq!(normalize_module_source(s), want, "{s}");
        }
    }

    #[test]
    fn scalars_keep_quoted_and_plain_apart() {
        let m: BTreeMap<String, Scalar> =
            serde_saphyr::from_str("a: \"false\"\nb: false\nc: 7\nd: \"7\"\ne: null\n").unwrap();
        assert_eq!(m["a"], Scalar::String("false".into()));
        assert_eq!(m["b"], Scalar::Bool(false));
        assert_eq!(m["c"], Scalar::Number(7.0));
        assert_eq!(m["d"], Scalar::String("7".into()));
        assert_eq!(m["e"], Scalar::Null(()));
    }
}
