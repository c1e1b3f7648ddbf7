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
    /// A short human name, used in labels: "module rds-instance".
    pub name: String,
    /// The module refs (tags, branches) whose sources this profile was written
    /// from. A call pinned to another ref uses the nearest profile, with what
    /// it hard-codes treated as unknown. Empty: the profile covers every ref.
    #[serde(default)]
    pub refs: Vec<String>,
    /// What the module is (documentation in the profile file).
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
    #[serde(rename = "match")]
    pub matches: ProfileMatch,
    /// For a module: the resource type of the data store it wraps
    /// (`aws_db_instance`), whose plans back `replacement_forcing` (read by the plan tests).
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    pub resource: Option<String>,
    /// Edits that make Terraform destroy and re-create the data store, for
    /// `replacement-forcing-change` in PR mode. Each is backed by a real plan
    /// in `fixtures/plans/` (a test checks it).
    #[serde(default)]
    pub replacement_forcing: Vec<ReplacementForcing>,
    pub attributes: BTreeMap<String, AttributeMapping>,
    /// Recovery-relevant settings the module hard-codes, which no caller can
    /// change: reported once per module and ref (summary, `inspect`,
    /// `explain`), never once per call.
    #[serde(default)]
    pub hard_coded: Vec<HardCoded>,
}

/// An edit that replaces the data store: a change to `input` that changes the
/// resource `argument` it feeds in one of the ways `replaces_on` lists.
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(from = "ReplacementForcingSpec")]
pub struct ReplacementForcing {
    /// The module input or resource argument the edit is made to.
    pub input: String,
    /// The resource argument it feeds, as Terraform plans it.
    pub argument: String,
    /// The module's own expression for the argument (`var.is_migration ? ... :
    /// var.snapshot_identifier`), when it is not the input as given.
    pub value: Option<String>,
    /// Which changes of the argument replace: `change` (one value to another),
    /// `add` (unset to set), `remove` (set to unset).
    pub on: Vec<Transition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Change,
    Add,
    Remove,
}

impl Transition {
    #[cfg(test)]
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Change => "change",
            Transition::Add => "add",
            Transition::Remove => "remove",
        }
    }
}

/// `engine`, or `{ input, argument, value, replaces_on }`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
enum ReplacementForcingSpec {
    Argument(String),
    Full {
        input: String,
        #[serde(default)]
        argument: Option<String>,
        #[serde(default)]
        value: Option<String>,
        #[serde(default)]
        replaces_on: Option<Vec<Transition>>,
    },
}

/// Most arguments replace on a change and when first set; unsetting an
/// optional, computed argument keeps the value in state (the plans say `no-op`).
const DEFAULT_TRANSITIONS: [Transition; 2] = [Transition::Change, Transition::Add];

impl From<ReplacementForcingSpec> for ReplacementForcing {
    fn from(spec: ReplacementForcingSpec) -> Self {
        match spec {
            ReplacementForcingSpec::Argument(name) => ReplacementForcing {
                argument: name.clone(),
                input: name,
                value: None,
                on: DEFAULT_TRANSITIONS.to_vec(),
            },
            ReplacementForcingSpec::Full {
                input,
                argument,
                value,
                replaces_on,
            } => ReplacementForcing {
                argument: argument.unwrap_or_else(|| input.clone()),
                input,
                value,
                on: replaces_on.unwrap_or_else(|| DEFAULT_TRANSITIONS.to_vec()),
            },
        }
    }
}

impl ReplacementForcing {
    /// The module inputs the entry reads: `input`, and each `var.x` of `value`.
    pub fn inputs(&self) -> Vec<String> {
        let mut names = vec![self.input.clone()];
        if let Some(value) = &self.value {
            let mut rest = value.as_str();
            while let Some(i) = rest.find("var.") {
                rest = &rest[i + 4..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let name = rest[..end].to_owned();
                if !name.is_empty() && !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

/// A setting a module hard-codes, from its source.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HardCoded {
    /// What is fixed: "`force_destroy = true` on the bucket".
    pub setting: String,
    /// What it means for recovery.
    pub consequence: String,
    /// Where the module's source says so: `main.tf:65`.
    #[serde(default)]
    pub source: Option<String>,
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
    /// A list, for rule options such as `markers`.
    List(Vec<Scalar>),
}

impl Scalar {
    pub fn to_value(&self) -> Value {
        match self {
            Scalar::Bool(b) => Value::Bool(*b),
            Scalar::Number(n) => Value::Number(*n),
            Scalar::String(s) => Value::String(s.clone()),
            Scalar::Null(()) => Value::Null,
            Scalar::List(items) => Value::List(items.iter().map(Scalar::to_value).collect()),
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

    /// The resource type whose plans back `replacement_forcing`.
    #[cfg(test)]
    pub fn planned_resource(&self) -> Option<&str> {
        self.resource
            .as_deref()
            .or(self.matches.resource_type.as_deref())
    }

    /// The value of an input when a call leaves it out: the default of the
    /// canonical attribute it maps to, if the profile knows it.
    pub fn input_default(&self, input: &str) -> Option<Value> {
        self.attributes
            .values()
            .find(|m| m.input.as_deref() == Some(input))
            .and_then(|m| m.default.as_ref())
            .map(Scalar::to_value)
    }

    /// "module rds-instance 8.1.0, 9.2.0" or "resource aws_db_instance".
    pub fn label(&self) -> String {
        if self.refs.is_empty() {
            self.name.clone()
        } else {
            format!("{} {}", self.name, self.refs.join(", "))
        }
    }
}

/// A profile as it applies to one block: a module call pins a ref, which the
/// profile may or may not have been written from.
#[derive(Debug, Clone)]
pub struct Applied<'a> {
    pub profile: &'a Profile,
    /// The ref the call pins (`?ref=` of a git source, `version` of a registry module).
    pub called: Option<String>,
    /// The profile was written from the called ref (or covers every ref).
    pub exact: bool,
    /// When not exact, the profiled ref nearest to the called one.
    pub nearest: Option<String>,
}

impl Applied<'_> {
    /// The module at the ref the call pins: "module rds-instance 8.0.0".
    pub fn label(&self) -> String {
        match (self.called.as_deref(), self.exact) {
            (Some(r), true) if !self.profile.refs.is_empty() => {
                format!("{} {r}", self.profile.name)
            }
            (_, true) => self.profile.label(),
            (Some(r), false) => format!("{} {r}", self.profile.name),
            (None, false) => format!("{} (no ref pinned)", self.profile.name),
        }
    }

    /// Why another ref's profile is used, for a secondary label; `None` when exact.
    pub fn nearest_note(&self) -> Option<String> {
        if self.exact {
            return None;
        }
        let called = match self.called.as_deref() {
            Some(r) => format!("ref `{r}`"),
            None => "a call with no ref".to_owned(),
        };
        let nearest = match &self.nearest {
            Some(r) => format!("the profile of {r}"),
            None => self.profile.label(),
        };
        Some(format!(
            "no profile describes {called} of {}: defaults come from the nearest, {nearest}, and what it hard-codes is unknown here",
            self.profile.name
        ))
    }
}

/// The ref of a module source (`?ref=9.2.0`), if any.
pub fn source_ref(source: &str) -> Option<&str> {
    let query = source.split_once('?')?.1;
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("ref="))
        .filter(|r| !r.is_empty())
}

/// `9.2.0`, `v9.2.0`, `=9.2` as a comparable triple; `None` for branches and hashes.
fn semver(r: &str) -> Option<(u64, u64, u64)> {
    let r = r
        .trim()
        .trim_start_matches('=')
        .trim()
        .trim_start_matches('v');
    let core = r.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().unwrap_or(Some(0))?;
    let patch = parts.next().unwrap_or(Some(0))?;
    parts.next().is_none().then_some((major, minor, patch))
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

    /// The profile for a module call: the one written from the ref it pins, else
    /// the nearest (the newest one not newer than the call, else the oldest
    /// newer one; for a branch, a hash or no ref, the newest). Later profiles
    /// (a team's) win over earlier ones (built in).
    pub fn for_module(&self, source: &str, version: Option<&str>) -> Option<Applied<'_>> {
        let normalized = normalize_module_source(source);
        let called = source_ref(source).or(version);
        let candidates: Vec<&Profile> = self
            .profiles
            .iter()
            .rev()
            .filter(|p| p.matches.module_source.as_deref() == Some(normalized.as_str()))
            .collect();
        if let Some(p) = candidates
            .iter()
            .find(|p| p.refs.is_empty() || called.is_some_and(|c| p.refs.iter().any(|r| r == c)))
        {
            return Some(Applied {
                profile: p,
                called: called.map(str::to_owned),
                exact: true,
                nearest: None,
            });
        }
        let pairs = candidates
            .iter()
            .flat_map(|p| p.refs.iter().filter_map(|r| Some((semver(r)?, r, *p))));
        let nearest = match called.and_then(semver) {
            Some(want) => {
                let (older, newer): (Vec<_>, Vec<_>) = pairs.partition(|(v, ..)| *v <= want);
                older
                    .into_iter()
                    .max_by_key(|(v, ..)| *v)
                    .or_else(|| newer.into_iter().min_by_key(|(v, ..)| *v))
            }
            None => pairs.max_by_key(|(v, ..)| *v),
        };
        let (profile, nearest) = match nearest {
            Some((_, r, p)) => (p, Some(r.clone())),
            None => (*candidates.first()?, None),
        };
        Some(Applied {
            profile,
            called: called.map(str::to_owned),
            exact: false,
            nearest,
        })
    }

    /// The profile for a raw resource type.
    pub fn for_resource_type(&self, ty: &str) -> Option<Applied<'_>> {
        self.profiles
            .iter()
            .rev()
            .find(|p| p.matches.resource_type.as_deref() == Some(ty))
            .map(|profile| Applied {
                profile,
                called: None,
                exact: true,
                nearest: None,
            })
    }

    pub fn iter(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.iter()
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

    fn profile(refs: &[&str]) -> Profile {
        Profile::from_yaml(
            "test",
            &format!(
                "kind: k\nname: module m\nrefs: [{}]\nmatch:\n  module_source: github.com/o/m\nattributes: {{}}\n",
                refs.join(", ")
            ),
        )
        .unwrap()
    }

    fn applied(set: &ProfileSet, source: &str, version: Option<&str>) -> (String, bool, String) {
        let a = set.for_module(source, version).unwrap();
        (a.profile.refs.join(","), a.exact, a.label())
    }

    #[test]
    fn calls_use_the_profile_of_their_ref_else_the_nearest() {
        let set = ProfileSet::new(vec![profile(&["4.0.0"]), profile(&["8.0.0", "8.2.0"])]);
        let m = "github.com/o/m?ref=";
        // exact: the label names the call's ref, not the profile's others
        assert_eq!(
            applied(&set, &format!("{m}8.0.0"), None),
            ("8.0.0,8.2.0".into(), true, "module m 8.0.0".into())
        );
        // between two profiled refs: the newest not newer than the call
        assert_eq!(
            applied(&set, &format!("{m}8.1.0"), None),
            ("8.0.0,8.2.0".into(), false, "module m 8.1.0".into())
        );
        assert_eq!(applied(&set, &format!("{m}5.0.0"), None).0, "4.0.0");
        // older than every profile: the oldest
        assert_eq!(applied(&set, &format!("{m}3.3.1"), None).0, "4.0.0");
        // a branch or no ref: the newest, never exact
        assert_eq!(
            applied(&set, &format!("{m}main"), None),
            ("8.0.0,8.2.0".into(), false, "module m main".into())
        );
        assert_eq!(
            applied(&set, "github.com/o/m", None),
            (
                "8.0.0,8.2.0".into(),
                false,
                "module m (no ref pinned)".into()
            )
        );
        // a registry module's `version`
        assert!(applied(&set, "github.com/o/m", Some("4.0.0")).1);
        let note = set
            .for_module(&format!("{m}8.1.0"), None)
            .unwrap()
            .nearest_note()
            .unwrap();
        assert!(
            note.contains("ref `8.1.0`") && note.contains("the profile of 8.0.0"),
            "{note}"
        );
        assert!(
            set.for_module(&format!("{m}8.2.0"), None)
                .unwrap()
                .nearest_note()
                .is_none()
        );
    }

    #[test]
    fn a_profile_without_refs_covers_every_ref() {
        let set = ProfileSet::new(vec![profile(&[])]);
        assert!(applied(&set, "github.com/o/m?ref=anything", None).1);
    }
}
