//! Helm values: a spanned YAML tree read as Helm reads it (yaml), values
//! files grouped into releases per environment (releases), merged as
//! `helm -f` merges them (layers), chart profiles (profile), and the fields
//! the rules see (fields, check).

mod charts;
pub(crate) mod check;
pub mod fields;
mod findings;
pub mod layers;
pub mod profile;
pub mod releases;
pub mod yaml;

pub use check::{CHART_FILE, YAML11_AMBIGUOUS_BOOLEAN, is_values_file};

/// Folders whose values files (and `Chart.yaml`) are read when a tree is walked.
pub const VALUES_FOLDERS: &[&str] = &["helm_deploy", "helm", "deploy", "charts", "chart"];

/// Whether a walk takes this file (a `/`- or `\\`-separated path) for Helm: a
/// values file or a `Chart.yaml` in or below one of [`VALUES_FOLDERS`]. A
/// values file named on the command line is read wherever it is.
pub fn is_helm_input(path: &str) -> bool {
    let mut parts: Vec<&str> = path.split(['/', '\\']).collect();
    let Some(name) = parts.pop() else {
        return false;
    };
    (is_values_file(name) || name == CHART_FILE) && parts.iter().any(|p| VALUES_FOLDERS.contains(p))
}

/// How values files are read and grouped.
#[derive(Debug, Clone)]
pub struct HelmSettings {
    /// Chart profiles: the built-in ones and a team's own.
    pub profiles: profile::ChartProfiles,
    /// Folder names that are environments, besides the usual ones ([`releases::ENVIRONMENTS`]).
    pub environments: Vec<String>,
    /// Environments that are production (default `prod`, `production`).
    pub production_environments: Vec<String>,
    /// Releases the configuration gives (values as display paths).
    pub releases: Vec<releases::ConfiguredRelease>,
    pub limits: yaml::Limits,
}

impl Default for HelmSettings {
    fn default() -> Self {
        HelmSettings {
            profiles: profile::ChartProfiles::builtin().unwrap_or_default(),
            environments: Vec::new(),
            production_environments: vec!["prod".to_owned(), "production".to_owned()],
            releases: Vec::new(),
            limits: yaml::Limits::default(),
        }
    }
}
