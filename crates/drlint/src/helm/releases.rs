//! Which values files make a release, in which environment, in which order.
//!
//! Helm merges `-f base -f overlay`; a repository says which files go
//! together only through its layout (or its deploy workflow). The layouts
//! really used:
//!
//! - `D/<env>/N` over `D/N` (data-catalogue: `helm_deploy/dev/values-base.yaml`
//!   over `helm_deploy/values-base.yaml`), when `<env>` is an environment name;
//! - `D/values-<env>.yaml` (or `values.<env>.yaml`) over `D/values.yaml`;
//! - `D/values-<env>.yaml` over each `D/<app>/values.yaml` (generic-service:
//!   `helm_deploy/values-prod.yaml` over `helm_deploy/hmpps-alerts-api/values.yaml`);
//! - explicit releases in the configuration.
//!
//! Each environment's layers make one release; a base with no overlay is a
//! release of its own, in no known environment. An overlay whose base is not
//! found is a release too, marked `partial`: what it does not set is unknown,
//! not absent.

use std::collections::{BTreeMap, BTreeSet};

/// One release in one environment: the values files Helm merges, lowest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The base's path without its extension (`helm_deploy/hmpps-alerts-api/values`).
    pub name: String,
    pub environment: Option<String>,
    /// Display paths of the layers, lowest first.
    pub layers: Vec<String>,
    /// The base is unknown: only the overlay is read.
    pub partial: bool,
}

/// A release given in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfiguredRelease {
    pub name: String,
    /// The chart (a profile name such as `generic-service`), when the values do not say.
    #[serde(default)]
    pub chart: Option<String>,
    /// Values files, lowest first, relative to the configuration's folder.
    pub values: Vec<String>,
    #[serde(default)]
    pub environment: Option<String>,
}

/// Folder names and suffixes that are environments (`values-prod.yaml`, `prod/`).
pub const ENVIRONMENTS: &[&str] = &[
    "dev",
    "development",
    "test",
    "testing",
    "qa",
    "uat",
    "int",
    "integration",
    "perf",
    "performance",
    "sandbox",
    "demo",
    "training",
    "stage",
    "staging",
    "preprod",
    "pre-prod",
    "preproduction",
    "pre-production",
    "nonprod",
    "prod",
    "production",
    "live",
];

/// Suffixes that name a base, not an environment (`values-base.yaml`).
const NOT_ENVIRONMENTS: &[&str] = &["base", "default", "defaults", "common", "shared", "global"];

fn split(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

fn stem(name: &str) -> &str {
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

/// `values-prod.yaml` / `values.prod.yaml` → `prod`.
fn suffix_environment(name: &str) -> Option<&str> {
    let stem = stem(name);
    let env = stem
        .strip_prefix("values-")
        .or_else(|| stem.strip_prefix("values."))?;
    (!env.is_empty() && !NOT_ENVIRONMENTS.contains(&env)).then_some(env)
}

fn is_environment_folder(name: &str, extra: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    ENVIRONMENTS.contains(&lower.as_str()) || extra.iter().any(|e| e.eq_ignore_ascii_case(name))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// Groups values files (display paths) into releases. `environments` adds
/// folder names that are environments besides [`ENVIRONMENTS`].
pub fn releases(paths: &[String], environments: &[String]) -> Vec<Release> {
    let all: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
    // base path → (environment → overlays)
    let mut overlays: BTreeMap<&str, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    let mut is_overlay: BTreeSet<&str> = BTreeSet::new();
    let mut lone: Vec<(&str, String)> = Vec::new();
    for &path in &all {
        let (dir, name) = split(path);
        // D/<env>/N over D/N
        let (parent, folder) = split(dir);
        if !dir.is_empty() && is_environment_folder(folder, environments) {
            let base = join(parent, name);
            if let Some(&base) = all.get(base.as_str()) {
                overlays
                    .entry(base)
                    .or_default()
                    .entry(folder.to_owned())
                    .or_default()
                    .push(path.to_owned());
                is_overlay.insert(path);
                continue;
            }
        }
        let Some(env) = suffix_environment(name) else {
            continue;
        };
        // D/values-<env>.yaml over D/values.yaml, else over each D/<app>/values.yaml
        let mut bases: Vec<&str> = ["values.yaml", "values.yml"]
            .iter()
            .filter_map(|b| all.get(join(dir, b).as_str()).copied())
            .collect();
        if bases.is_empty() {
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            bases = all
                .iter()
                .copied()
                .filter(|p| {
                    p.strip_prefix(prefix.as_str()).is_some_and(|rest| {
                        matches!(rest.split_once('/'), Some((app, file))
                            if !app.is_empty() && matches!(file, "values.yaml" | "values.yml"))
                    })
                })
                .collect();
        }
        is_overlay.insert(path);
        if bases.is_empty() {
            lone.push((path, env.to_owned()));
        }
        for base in bases {
            overlays
                .entry(base)
                .or_default()
                .entry(env.to_owned())
                .or_default()
                .push(path.to_owned());
        }
    }
    let mut out = Vec::new();
    for &path in &all {
        if is_overlay.contains(path) {
            continue;
        }
        let name = stem(path).to_owned();
        match overlays.get(path) {
            Some(envs) => {
                for (env, files) in envs {
                    let mut layers = vec![path.to_owned()];
                    layers.extend(files.iter().cloned());
                    out.push(Release {
                        name: name.clone(),
                        environment: Some(env.clone()),
                        layers,
                        partial: false,
                    });
                }
            }
            None => out.push(Release {
                name,
                environment: None,
                layers: vec![path.to_owned()],
                partial: false,
            }),
        }
    }
    for (path, env) in lone {
        out.push(Release {
            name: stem(path).to_owned(),
            environment: Some(env),
            layers: vec![path.to_owned()],
            partial: true,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(paths: &[&str]) -> Vec<String> {
        let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
        releases(&paths, &[])
            .into_iter()
            .map(|r| {
                format!(
                    "{} [{}] {}{}",
                    r.name,
                    r.environment.as_deref().unwrap_or("-"),
                    r.layers.join(" < "),
                    if r.partial { " (partial)" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn the_layouts_in_use() {
        // data-catalogue
        assert_eq!(
            shown(&[
                "helm_deploy/values-base.yaml",
                "helm_deploy/dev/values-base.yaml",
                "helm_deploy/prod/values-base.yaml",
                "helm_deploy/values_prerequisites-base.yaml",
            ]),
            [
                "helm_deploy/values-base [dev] helm_deploy/values-base.yaml < helm_deploy/dev/values-base.yaml",
                "helm_deploy/values-base [prod] helm_deploy/values-base.yaml < helm_deploy/prod/values-base.yaml",
                "helm_deploy/values_prerequisites-base [-] helm_deploy/values_prerequisites-base.yaml",
            ]
        );
        // generic-service
        assert_eq!(
            shown(&[
                "helm_deploy/api/values.yaml",
                "helm_deploy/values-dev.yaml",
                "helm_deploy/values-prod.yaml",
            ]),
            [
                "helm_deploy/api/values [dev] helm_deploy/api/values.yaml < helm_deploy/values-dev.yaml",
                "helm_deploy/api/values [prod] helm_deploy/api/values.yaml < helm_deploy/values-prod.yaml",
            ]
        );
        // siblings, a base alone, and an overlay with no base
        assert_eq!(
            shown(&[
                "chart/values.yaml",
                "chart/values.prod.yml",
                "other/values.yaml",
                "lost/values-prod.yaml",
            ]),
            [
                "chart/values [prod] chart/values.yaml < chart/values.prod.yml",
                "other/values [-] other/values.yaml",
                "lost/values-prod [prod] lost/values-prod.yaml (partial)",
            ]
        );
    }

    #[test]
    fn a_folder_that_is_not_an_environment_is_not_an_overlay() {
        assert_eq!(
            shown(&["deploy/values.yaml", "deploy/app/values.yaml"]),
            [
                "deploy/app/values [-] deploy/app/values.yaml",
                "deploy/values [-] deploy/values.yaml",
            ]
        );
    }
}
