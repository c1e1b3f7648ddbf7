//! Chart profiles: what a chart's values mean, as module profiles say what a
//! module's inputs mean. A profile gives the chart's defaults, where each
//! recovery-relevant setting lives (the common Helm conventions, mapped to
//! the chart's own keys), and which keys the chart reads at all.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::rules::RuleError;

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChartProfile {
    /// The chart's name, as a `Chart.yaml` dependency names it (`generic-service`).
    pub chart: String,
    /// The chart versions the facts were read from.
    pub versions: Vec<String>,
    /// What the chart is (documentation in the profile file).
    #[allow(dead_code)]
    pub description: String,
    /// Where the facts come from (repository, commit, files): documentation in the file.
    #[allow(dead_code)]
    pub source: String,
    /// Whether apps use the chart as a dependency of their own chart, with its
    /// values under its name (or the dependency's `alias`). Otherwise its
    /// values are the release's own (a chart installed directly).
    #[serde(default)]
    pub dependency: bool,
    /// Top-level keys that mark the chart's values when no `Chart.yaml` says
    /// (for a dependency: its default key).
    #[serde(default)]
    pub detect_keys: Vec<String>,
    pub components: Vec<Component>,
}

/// One workload (or the release itself) within the chart's values.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub name: String,
    /// Where its values are, from the chart's values root (`datahub-frontend`;
    /// empty for the root itself). Dots separate keys.
    #[serde(default)]
    pub path: String,
    /// Where this chart keeps what the common conventions name: a conventional
    /// key prefix → the chart's (`autoscaling: hpa`).
    #[serde(default)]
    pub paths: BTreeMap<String, String>,
    /// The chart's defaults for this component's values.
    #[serde(default)]
    pub defaults: Option<serde_json::Value>,
    /// The keys the chart reads: a map of key → `null` (read; what is under it
    /// is not checked), `free` (any keys), `scalars` (any keys, each holding a
    /// scalar: environment variables, annotations) or a map of its own keys.
    #[serde(default)]
    pub keys: Option<serde_json::Value>,
    /// A component that is not a workload (the release root): only release rules see it.
    #[serde(default)]
    pub workload: Option<bool>,
}

impl ChartProfile {
    pub fn from_yaml(origin: &str, text: &str) -> Result<ChartProfile, RuleError> {
        let profile: ChartProfile =
            serde_saphyr::from_str(text).map_err(|e| RuleError::Invalid {
                origin: origin.to_owned(),
                message: e.to_string(),
            })?;
        for c in &profile.components {
            if let Some(keys) = &c.keys {
                check_keys(keys).map_err(|message| RuleError::Invalid {
                    origin: origin.to_owned(),
                    message: format!("component `{}` keys: {message}", c.name),
                })?;
            }
        }
        Ok(profile)
    }

    /// "chart generic-service 3.12.4".
    pub fn label(&self) -> String {
        format!("chart {} {}", self.chart, self.versions.join(", "))
    }
}

fn check_keys(keys: &serde_json::Value) -> Result<(), String> {
    match keys {
        serde_json::Value::Object(map) => map.values().try_for_each(check_keys),
        serde_json::Value::Null => Ok(()),
        serde_json::Value::String(s) if s == "free" || s == "scalars" => Ok(()),
        other => Err(format!(
            "expected null, `free`, `scalars` or a map of keys, not {other}"
        )),
    }
}

/// What a profile's key tree says of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRead<'k> {
    /// The chart reads it; its own keys are listed.
    Known(&'k serde_json::Map<String, serde_json::Value>),
    /// The chart reads it; what is under it is not checked.
    Opaque,
    /// Any keys, each a scalar.
    Scalars,
    /// The chart never reads it.
    Ignored,
}

/// Looks `key` up among the keys `tree` lists.
pub fn key_read<'k>(
    tree: &'k serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> KeyRead<'k> {
    match tree.get(key) {
        None => KeyRead::Ignored,
        Some(serde_json::Value::Object(map)) => KeyRead::Known(map),
        Some(serde_json::Value::String(s)) if s == "scalars" => KeyRead::Scalars,
        Some(_) => KeyRead::Opaque,
    }
}

/// The built-in chart profiles and a team's own, by chart name (a team's own wins).
#[derive(Debug, Clone, Default)]
pub struct ChartProfiles {
    profiles: Vec<ChartProfile>,
}

impl ChartProfiles {
    pub fn new(mut profiles: Vec<ChartProfile>) -> Self {
        // later ones (a team's) take precedence
        let mut seen = std::collections::HashSet::new();
        profiles.reverse();
        profiles.retain(|p| seen.insert(p.chart.clone()));
        profiles.reverse();
        ChartProfiles { profiles }
    }

    /// The built-in chart profiles, parsed once per process.
    pub fn builtin() -> Result<Self, RuleError> {
        static BUILTIN: std::sync::OnceLock<Result<ChartProfiles, RuleError>> =
            std::sync::OnceLock::new();
        BUILTIN.get_or_init(Self::parse_builtin).clone()
    }

    fn parse_builtin() -> Result<Self, RuleError> {
        crate::builtin::chart_files()
            .iter()
            .map(|(name, text)| ChartProfile::from_yaml(&format!("rules/charts/{name}"), text))
            .collect::<Result<Vec<_>, _>>()
            .map(ChartProfiles::new)
    }

    pub fn get(&self, chart: &str) -> Option<&ChartProfile> {
        self.profiles.iter().find(|p| p.chart == chart)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ChartProfile> {
        self.profiles.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_profiles_load() {
        let profiles = ChartProfiles::builtin().unwrap();
        let gs = profiles.get("generic-service").expect("generic-service");
        assert!(gs.dependency);
        let datahub = profiles.get("datahub").expect("datahub");
        assert!(!datahub.dependency);
        assert!(
            datahub
                .components
                .iter()
                .any(|c| c.name == "datahub-frontend")
        );
    }

    #[test]
    fn a_bad_key_tree_is_refused() {
        let text = "chart: x\nversions: ['1']\ndescription: d\nsource: s\ncomponents:\n  - name: x\n    keys: { a: 3 }\n";
        let e = ChartProfile::from_yaml("x.yaml", text).unwrap_err();
        assert!(e.to_string().contains("component `x` keys"), "{e}");
    }
}
