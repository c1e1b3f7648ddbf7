//! What a run works with besides its files: the configuration (found by
//! walking up from the checked path, or `--config`), the rules (built-in and
//! the team's own `rule_dirs`) and the module profiles (built-in, the
//! configuration's `profile_dirs`, then `--profiles`).

use std::path::{Component, Path, PathBuf};

use crate::Rule;
use crate::config::{CONFIG_FILE, Config};
use crate::profile::{Profile, ProfileSet};

pub struct LoadedConfig {
    pub config: Config,
    /// The configuration's folder as a display path relative to the current folder.
    pub root: String,
    /// The configuration's folder.
    pub dir: PathBuf,
}

impl LoadedConfig {
    /// The configuration's folder as an absolute path with `/` separators, for runs whose
    /// paths are given absolute (their files' display paths are absolute too).
    pub fn absolute_root(&self) -> Option<String> {
        let absolute = std::path::absolute(&self.dir).ok()?;
        let real = absolute.canonicalize().unwrap_or(absolute);
        Some(real.to_string_lossy().replace('\\', "/"))
    }
}

pub struct Project {
    /// Every rule that exists: built-in, then the team's.
    pub rules: Vec<Rule>,
    pub profiles: ProfileSet,
    /// Chart profiles: built-in, then the configuration's `helm.chart_profile_dirs`.
    pub chart_profiles: crate::helm::profile::ChartProfiles,
    pub config: Option<LoadedConfig>,
}

/// Where a run's configuration comes from.
#[derive(Debug, Clone)]
pub(crate) enum ConfigSource {
    /// None: the built-in defaults.
    None,
    /// The first `.drlint.yaml` in this path's folder or any folder above it.
    Discover(PathBuf),
    /// This file.
    File(PathBuf),
    /// This text, as if it were `.drlint.yaml` in this folder.
    Text { text: String, dir: PathBuf },
}

/// The configuration file for a run: the given one, else the first `.drlint.yaml`
/// in the start path's folder or any folder above it.
fn find_config(source: &ConfigSource) -> Result<Option<PathBuf>, String> {
    let start = match source {
        ConfigSource::None | ConfigSource::Text { .. } => return Ok(None),
        ConfigSource::File(path) => {
            return if path.is_file() {
                Ok(Some(path.clone()))
            } else {
                Err(format!("--config {}: no such file", path.display()))
            };
        }
        ConfigSource::Discover(start) => start,
    };
    let Ok(mut dir) = start.canonicalize() else {
        return Ok(None);
    };
    if dir.is_file() {
        dir.pop();
    }
    loop {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            return Ok(Some(candidate));
        }
        if !dir.pop() {
            return Ok(None);
        }
    }
}

/// `target` relative to the current folder, with `/` separators (`.` for itself).
pub fn display_relative(target: &Path) -> String {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok());
    let target = target
        .canonicalize()
        .unwrap_or_else(|_| target.to_path_buf());
    let Some(cwd) = cwd else {
        return target.to_string_lossy().replace('\\', "/");
    };
    let a: Vec<Component> = cwd.components().collect();
    let b: Vec<Component> = target.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return target.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = std::iter::repeat_n("..".to_owned(), a.len() - common).collect();
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

/// A configuration, rule or profile file: a regular file, of at most 10 MiB.
fn read_text(path: &Path) -> Result<String, String> {
    crate::workspace::inputs::read_text(path, crate::workspace::inputs::DEFAULT_MAX_FILE_SIZE)
}

fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

/// The rule files of a folder.
pub fn load_rules(dir: &Path) -> Result<Vec<Rule>, String> {
    yaml_files(dir)?
        .iter()
        .map(|file| {
            let text = read_text(file)?;
            Rule::from_yaml(&display_relative(file), &text).map_err(|e| e.to_string())
        })
        .collect()
}

/// The profile files of a folder.
pub fn load_profiles(dir: &Path) -> Result<Vec<Profile>, String> {
    yaml_files(dir)?
        .iter()
        .map(|file| {
            let text = read_text(file)?;
            Profile::from_yaml(&display_relative(file), &text).map_err(|e| e.to_string())
        })
        .collect()
}

/// The chart profiles (`*.yaml`) in a folder.
pub fn load_chart_profiles(dir: &Path) -> Result<Vec<crate::helm::profile::ChartProfile>, String> {
    yaml_files(dir)?
        .iter()
        .map(|file| {
            let text = read_text(file)?;
            crate::helm::profile::ChartProfile::from_yaml(&display_relative(file), &text)
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Adds `extra` rules to `rules`, refusing an id that already exists.
pub fn add_rules(rules: &mut Vec<Rule>, extra: Vec<Rule>, origin: &Path) -> Result<(), String> {
    for rule in extra {
        if rules.iter().any(|r| r.id == rule.id) {
            return Err(format!(
                "{}: rule `{}` already exists; give the team's rule its own id",
                origin.display(),
                rule.id
            ));
        }
        rules.push(rule);
    }
    Ok(())
}

/// Rule and profile files given as text (origin, YAML), beside the built-in ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct Texts {
    pub rules: Vec<(String, String)>,
    pub profiles: Vec<(String, String)>,
    pub chart_profiles: Vec<(String, String)>,
}

impl Project {
    /// The built-in rules and profiles, with the configuration's and these profile folders'.
    pub fn load(
        source: &ConfigSource,
        profile_dirs: &[PathBuf],
        texts: &Texts,
    ) -> Result<Project, String> {
        let mut rules = crate::builtin::rules().map_err(|e| e.to_string())?;
        let mut profiles: Vec<Profile> = crate::builtin::profiles()
            .map_err(|e| e.to_string())?
            .iter()
            .cloned()
            .collect();
        let mut chart_profiles: Vec<crate::helm::profile::ChartProfile> =
            crate::helm::profile::ChartProfiles::builtin()
                .map_err(|e| e.to_string())?
                .iter()
                .cloned()
                .collect();
        for (origin, text) in &texts.rules {
            let rule = Rule::from_yaml(origin, text).map_err(|e| e.to_string())?;
            add_rules(&mut rules, vec![rule], Path::new(origin))?;
        }
        for (origin, text) in &texts.profiles {
            profiles.push(Profile::from_yaml(origin, text).map_err(|e| e.to_string())?);
        }
        for (origin, text) in &texts.chart_profiles {
            chart_profiles.push(
                crate::helm::profile::ChartProfile::from_yaml(origin, text)
                    .map_err(|e| e.to_string())?,
            );
        }
        let found = match source {
            ConfigSource::Text { text, dir } => {
                Some((text.clone(), dir.join(CONFIG_FILE), CONFIG_FILE.to_owned()))
            }
            _ => match find_config(source)? {
                Some(path) => {
                    let text = read_text(&path)?;
                    let shown = display_relative(&path);
                    Some((text, path, shown))
                }
                None => None,
            },
        };
        let config = match found {
            None => None,
            Some((text, path, shown)) => {
                let config = Config::parse(&text).map_err(|e| e.render(&shown))?;
                let root_path = path.parent().map(Path::to_path_buf).unwrap_or_default();
                for dir in &config.rule_dirs {
                    let dir = root_path.join(dir);
                    add_rules(&mut rules, load_rules(&dir)?, &dir)?;
                }
                for dir in &config.profile_dirs {
                    profiles.extend(load_profiles(&root_path.join(dir))?);
                }
                for dir in &config.helm.chart_profile_dirs {
                    chart_profiles.extend(load_chart_profiles(&root_path.join(dir))?);
                }
                config
                    .validate(&text, &rules)
                    .map_err(|e| e.render(&shown))?;
                Some(LoadedConfig {
                    config,
                    root: display_relative(&root_path),
                    dir: if root_path.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        root_path
                    },
                })
            }
        };
        for dir in profile_dirs {
            profiles.extend(load_profiles(dir)?);
        }
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Project {
            rules,
            profiles: ProfileSet::new(profiles),
            chart_profiles: crate::helm::profile::ChartProfiles::new(chart_profiles),
            config,
        })
    }
}
