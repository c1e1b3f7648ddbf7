//! Checking Helm values: read each file, group the files into releases per
//! environment, merge each release's layers over its chart's defaults, and
//! run the `values`, `values_keys` and `layers` rules on what Helm would use.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use super::HelmSettings;
use super::charts::{ChartDependency, read_charts};
use super::fields::{KeySubject, Subject, join_path, split_path};
use super::findings::{ReleasePlace, merge_environments};
use super::layers::{self, Merged, Value as HelmValue};
use super::profile::{ChartProfile, KeyRead, key_read};
use super::releases::{Release, releases};
use super::yaml::{self, Node, Problem};
use crate::Input;
use crate::check::Checker;
use crate::eval::Value;
use crate::finding::{Finding, Related};
use crate::rules::{ActiveRule, Select, Severity, Truth};
use crate::source::SourceFile;
use crate::suppress::{Comment, FileSuppressions};

pub const YAML11_AMBIGUOUS_BOOLEAN: &str = "yaml11-ambiguous-boolean";
pub const CHART_FILE: &str = "Chart.yaml";

/// Whether a file name is a values file (`values.yaml`, `values-prod.yml`, `values_x.yaml`).
pub fn is_values_file(name: &str) -> bool {
    name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

#[derive(Debug, Default)]
pub(crate) struct HelmOutcome {
    pub findings: Vec<Finding>,
    pub suppressions: Vec<FileSuppressions>,
    pub unknown: usize,
}

/// A values file, read.
struct ValuesFile {
    file: Arc<SourceFile>,
    /// The first document, when the file could be read.
    root: Option<Node>,
}

/// A chart used by a release: its profile and where its values are.
struct Instance<'p> {
    profile: &'p ChartProfile,
    /// The key of its values in the release (`generic-service`, an alias), empty at the root.
    key: Vec<String>,
    /// The `Chart.yaml` pins a version the profile was not written from: which
    /// keys that version reads is not known.
    other_version: bool,
}

pub(super) fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn folder_for_config(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

fn problem_span(text: &str, offset: usize) -> Range<usize> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |c| offset + c.len_utf8());
    offset..end
}

impl Checker {
    /// Checks the values files among the inputs, with the `Chart.yaml` files beside them.
    pub(crate) fn check_values(&self, values: &[&Input], charts: &[&Input]) -> HelmOutcome {
        let mut out = HelmOutcome::default();
        let helm = &self.settings.helm;
        let mut files: BTreeMap<String, ValuesFile> = BTreeMap::new();
        for input in values {
            // too large to read as values: said without decoding it
            if let Ok(bytes) = &input.content
                && bytes.len() > helm.limits.max_bytes
            {
                let file = Arc::new(SourceFile::new(input.path.clone(), ""));
                let problem = Problem::TooLarge {
                    size: bytes.len(),
                    limit: helm.limits.max_bytes,
                };
                out.findings
                    .push(self.problem(file, 0..0, problem.message()));
                continue;
            }
            let file = match self.decode(input) {
                Ok(file) => file,
                Err(problem) => {
                    out.findings.push(*problem);
                    continue;
                }
            };
            let parsed = yaml::parse_with(&file.text, helm.limits);
            out.findings
                .extend(self.yaml_problems(&file, &parsed.problems));
            self.note_yaml_suppressions(&file, &parsed.comments, &mut out);
            let fatal = parsed.problems.iter().any(Problem::is_fatal);
            let root = if fatal {
                None
            } else {
                parsed.documents.into_iter().next()
            };
            // a Kubernetes manifest is not a values file
            if root
                .as_ref()
                .is_some_and(|r| r.get("apiVersion").is_some() && r.get("kind").is_some())
            {
                continue;
            }
            out.findings
                .extend(self.ambiguous_words(&file, &parsed.ambiguous));
            files.insert(file.path.clone(), ValuesFile { file, root });
        }
        let charts = read_charts(self, charts, &mut out);

        let paths: Vec<String> = files.keys().cloned().collect();
        let mut found = configured_releases(helm, &paths);
        let taken: BTreeSet<&String> = found.iter().flat_map(|r| r.layers.iter()).collect();
        let rest: Vec<String> = paths
            .iter()
            .filter(|p| !taken.contains(p))
            .cloned()
            .collect();
        found.extend(releases(&rest, &helm.environments));

        let mut findings = Vec::new();
        for release in &found {
            let layers: Option<Vec<(&Arc<SourceFile>, &Node)>> = release
                .layers
                .iter()
                .map(|p| {
                    let f = files.get(p)?;
                    Some((&f.file, f.root.as_ref()?))
                })
                .collect();
            // a layer that cannot be read was reported; the release cannot be merged
            let Some(layers) = layers else {
                continue;
            };
            if layers.is_empty() {
                continue;
            }
            let configured_chart = helm
                .releases
                .iter()
                .find(|r| r.values == release.layers)
                .and_then(|r| r.chart.as_deref());
            let env = release.environment.clone();
            findings.extend(
                self.check_release(
                    release,
                    &layers,
                    &charts,
                    configured_chart,
                    &mut out.unknown,
                )
                .into_iter()
                .map(|f| (f, env.clone())),
            );
        }
        out.findings.extend(merge_environments(findings));
        out
    }

    fn check_release(
        &self,
        release: &Release,
        layers: &[(&Arc<SourceFile>, &Node)],
        charts: &HashMap<String, Vec<ChartDependency>>,
        configured_chart: Option<&str>,
        unknown: &mut usize,
    ) -> Vec<Finding> {
        let helm = &self.settings.helm;
        let base_path = &layers[0].0.path;
        let instances = self.instances(base_path, layers, charts, configured_chart);
        // layer 0: the charts' defaults, nested where each chart's values are
        let mut defaults = layers::empty_map();
        for instance in &instances {
            let label: Arc<str> = instance.profile.label().into();
            for component in &instance.profile.components {
                let Some(d) = &component.defaults else {
                    continue;
                };
                let mut at = instance.key.clone();
                at.extend(split_path(&component.path).unwrap_or_default());
                insert_at(&mut defaults, &at, layers::from_defaults(d, &label));
            }
        }
        let mut stack = vec![defaults];
        for (i, (file, node)) in layers.iter().enumerate() {
            stack.push(layers::from_yaml(node, None, file, i + 1));
        }
        let merged = layers::merge(stack);
        let in_production = match &release.environment {
            Some(env) => Value::Bool(
                helm.production_environments
                    .iter()
                    .any(|p| p.eq_ignore_ascii_case(env)),
            ),
            None => Value::Unknown,
        };
        let common = |profile: Option<&ChartProfile>, component: &str| {
            let mut facts: BTreeMap<&'static str, Value> = BTreeMap::new();
            facts.insert(
                "environment",
                release
                    .environment
                    .clone()
                    .map_or(Value::Null, Value::String),
            );
            facts.insert("in_production", in_production.clone());
            facts.insert(
                "chart",
                profile.map_or(Value::Null, |p| Value::String(p.chart.clone())),
            );
            facts.insert(
                "chart_profile",
                profile.map_or(Value::Null, |p| Value::String(p.label())),
            );
            facts.insert("component", Value::String(component.to_owned()));
            facts.insert("release", Value::String(release.name.clone()));
            facts
        };
        let active = self.active_rules(folder_for_config(base_path));
        let place = ReleasePlace {
            release,
            top: layers[layers.len() - 1].0,
            in_production: &in_production,
        };
        let mut findings = Vec::new();

        // workloads and the release as a whole
        let no_paths = BTreeMap::new();
        let mut subjects: Vec<(&'static str, String, Vec<String>, Subject<'_>)> = Vec::new();
        for instance in &instances {
            for component in &instance.profile.components {
                let mut at = instance.key.clone();
                at.extend(split_path(&component.path).unwrap_or_default());
                let Some(root) = merged.root.get_path(&at) else {
                    continue;
                };
                // a subchart switched off deploys nothing
                if matches!(
                    root.get("enabled").map(|e| &e.value),
                    Some(HelmValue::Bool(false))
                ) {
                    continue;
                }
                let name = match component.name.as_str() {
                    // the chart at the release's root: the release is the workload
                    "{key}" if instance.key.is_empty() => release.name.clone(),
                    "{key}" => join_path(&instance.key),
                    name => name.to_owned(),
                };
                let kind = if component.workload == Some(false) {
                    "release"
                } else {
                    "workload"
                };
                subjects.push((
                    kind,
                    name.clone(),
                    at,
                    Subject {
                        root: Some(root),
                        paths: &component.paths,
                        facts: common(Some(instance.profile), &name),
                        partial: release.partial,
                    },
                ));
            }
        }
        if instances.is_empty() {
            // the common conventions: the values as a whole, and each map that looks like a workload
            subjects.push((
                "release",
                String::new(),
                Vec::new(),
                Subject {
                    root: Some(&merged.root),
                    paths: &no_paths,
                    facts: common(None, ""),
                    partial: release.partial,
                },
            ));
            let mut candidates: Vec<(String, &Merged)> = vec![(String::new(), &merged.root)];
            candidates.extend(merged.root.entries().iter().map(|(k, v)| (k.clone(), v)));
            for (key, node) in candidates {
                if !looks_like_workload(node) {
                    continue;
                }
                if matches!(
                    node.get("enabled").map(|e| &e.value),
                    Some(HelmValue::Bool(false))
                ) {
                    continue;
                }
                let at = if key.is_empty() {
                    Vec::new()
                } else {
                    vec![key.clone()]
                };
                subjects.push((
                    "workload",
                    key.clone(),
                    at,
                    Subject {
                        root: Some(node),
                        paths: &no_paths,
                        facts: common(None, &key),
                        partial: release.partial,
                    },
                ));
            }
        }
        for (kind, name, at, subject) in &subjects {
            for rule in &active {
                let Select::Values(kinds) = &rule.rule.select else {
                    continue;
                };
                if !kinds.iter().any(|k| k == kind) {
                    continue;
                }
                match rule.rule.fires(subject, &rule.options) {
                    Truth::True => {
                        findings.push(place.workload_finding(rule, subject, name, at, &merged.root))
                    }
                    Truth::Unknown => *unknown += 1,
                    Truth::False => {}
                }
            }
        }

        // every key, for the rules that look at keys and their values
        let key_rules: Vec<&ActiveRule<'_>> = active
            .iter()
            .filter(|r| matches!(r.rule.select, Select::ValuesKeys))
            .collect();
        if !key_rules.is_empty() {
            let mut walk = Vec::new();
            let instance_keys: Vec<InstanceKeys<'_, '_>> = instances
                .iter()
                .map(|i| {
                    // another version of the chart may read other keys: not judged
                    let trees = i
                        .profile
                        .components
                        .iter()
                        .filter(|_| !i.other_version)
                        .filter_map(|c| {
                            let mut at = i.key.clone();
                            at.extend(split_path(&c.path).unwrap_or_default());
                            Some((at, c.keys.as_ref()?))
                        })
                        .collect();
                    (i, trees)
                })
                .collect();
            collect_keys(&merged.root, &mut Vec::new(), false, &mut walk);
            for (path, node, disabled) in walk {
                // a chart default is nobody's edit
                if node.default_of.is_some() || node.key.is_none() {
                    continue;
                }
                let collection = matches!(node.value, HelmValue::Map(_) | HelmValue::Seq(_));
                let read = read_by_chart(&instance_keys, &path, collection);
                let chart = instance_keys
                    .iter()
                    .find(|(i, _)| path.starts_with(&i.key) && !i.key.is_empty())
                    .or(instance_keys.first().filter(|(i, _)| i.key.is_empty()))
                    .map(|(i, _)| i.profile);
                let mut facts = common(chart, "");
                facts.insert(
                    "key",
                    Value::String(path.last().cloned().unwrap_or_default()),
                );
                facts.insert("path", Value::String(join_path(&path)));
                facts.insert("in_disabled_component", Value::Bool(disabled));
                facts.insert(
                    "read_by_chart",
                    // no profile says: the rule does not apply (not unknown)
                    read.map_or(Value::Null, Value::Bool),
                );
                let subject = KeySubject { node, facts };
                for rule in &key_rules {
                    match rule.rule.fires(&subject, &rule.options) {
                        Truth::True => findings.push(place.key_finding(rule, &subject, &path)),
                        Truth::Unknown => *unknown += 1,
                        Truth::False => {}
                    }
                }
            }
        }

        // what the overlays drop
        for rule in active
            .iter()
            .filter(|r| matches!(r.rule.select, Select::Layers))
        {
            for event in &merged.overlays {
                findings.push(place.overlay_finding(rule, event));
            }
        }
        findings
    }

    /// The charts a release uses: from the `Chart.yaml` beside its base, the
    /// configuration, or the keys its values hold.
    fn instances<'p>(
        &'p self,
        base_path: &str,
        layers: &[(&Arc<SourceFile>, &Node)],
        charts: &HashMap<String, Vec<ChartDependency>>,
        configured: Option<&str>,
    ) -> Vec<Instance<'p>> {
        let profiles = &self.settings.helm.profiles;
        let mut out = Vec::new();
        if let Some(chart) = configured.and_then(|c| profiles.get(c)) {
            out.push(Instance {
                profile: chart,
                key: Vec::new(),
                other_version: false,
            });
            return out;
        }
        if let Some(deps) = charts.get(dir_of(base_path)) {
            for dep in deps {
                if let Some(profile) = profiles.get(&dep.name).filter(|p| p.dependency) {
                    out.push(Instance {
                        profile,
                        key: vec![dep.alias.clone().unwrap_or_else(|| dep.name.clone())],
                        other_version: dep
                            .version
                            .as_ref()
                            .is_some_and(|v| !profile.versions.contains(v)),
                    });
                }
            }
            if !out.is_empty() {
                return out;
            }
        }
        let top: BTreeSet<&str> = layers
            .iter()
            .flat_map(|(_, n)| n.entries().iter().map(|e| e.key.as_str()))
            .collect();
        for profile in profiles.iter() {
            for key in &profile.detect_keys {
                if !top.contains(key.as_str()) {
                    continue;
                }
                if profile.dependency {
                    out.push(Instance {
                        profile,
                        key: vec![key.clone()],
                        other_version: false,
                    });
                } else if !out.iter().any(|i| std::ptr::eq(i.profile, profile)) {
                    out.push(Instance {
                        profile,
                        key: Vec::new(),
                        other_version: false,
                    });
                }
            }
        }
        out
    }

    pub(super) fn yaml_problems(
        &self,
        file: &Arc<SourceFile>,
        problems: &[Problem],
    ) -> Vec<Finding> {
        problems
            .iter()
            .filter_map(|p| match p {
                Problem::DuplicateKey {
                    key,
                    first,
                    repeated,
                } => {
                    // only when the rule is loaded
                    self.rule(crate::check::DUPLICATE_OBJECT_KEY)?;
                    let mut f = self.file_finding(
                        crate::check::DUPLICATE_OBJECT_KEY,
                        Severity::Warning,
                        Arc::clone(file),
                        repeated.clone(),
                        "this value wins",
                        format!(
                            "key `{key}` is repeated in this mapping: only one value takes effect (drlint reads the last)"
                        ),
                    );
                    f.related.push(Related {
                        file: Arc::clone(file),
                        span: first.clone(),
                        message: format!("first definition of `{key}`, discarded"),
                    });
                    f.identity = key.clone();
                    Some(f)
                }
                p => Some(self.problem(
                    Arc::clone(file),
                    problem_span(&file.text, p.offset()),
                    p.message(),
                )),
            })
            .collect()
    }

    fn ambiguous_words(
        &self,
        file: &Arc<SourceFile>,
        words: &[yaml::AmbiguousWord],
    ) -> Vec<Finding> {
        if self.rule(YAML11_AMBIGUOUS_BOOLEAN).is_none() {
            return Vec::new();
        }
        words
            .iter()
            .map(|w| {
                let value = yaml::resolve_plain(&w.word) == yaml::Value::Bool(true);
                let what = if w.is_key { "key" } else { "value" };
                let mut f = self.file_finding(
                    YAML11_AMBIGUOUS_BOOLEAN,
                    Severity::Warning,
                    Arc::clone(file),
                    w.span.clone(),
                    &format!("the boolean {value} to Helm"),
                    format!(
                        "plain `{}` as a {what}: Helm reads it as the boolean {value}, not the word",
                        w.word
                    ),
                );
                f.identity = format!("{}@{}", w.word, w.span.start);
                f
            })
            .collect()
    }

    fn note_yaml_suppressions(
        &self,
        file: &Arc<SourceFile>,
        comments: &[yaml::Comment],
        out: &mut HelmOutcome,
    ) {
        let comments: Vec<Comment> = comments
            .iter()
            .map(|c| {
                let line = file.line_col(c.span.start).line;
                let line_start = file.line_start(line);
                Comment {
                    span: c.span.clone(),
                    line,
                    own_line: file.text[line_start..c.span.start].trim().is_empty(),
                    text: c.text.clone(),
                }
            })
            .collect();
        let found = crate::suppress::suppressions(file, &comments, &[], true);
        if !found.is_empty() {
            out.suppressions.push(FileSuppressions {
                file: Arc::clone(file),
                suppressions: found,
            });
        }
    }
}

/// A chart used by a release, with each component's key tree (profile) and where it is.
type InstanceKeys<'i, 'p> = (&'i Instance<'p>, Vec<(Vec<String>, &'p serde_json::Value)>);

/// Releases the configuration names, with the files found.
fn configured_releases(helm: &HelmSettings, paths: &[String]) -> Vec<Release> {
    helm.releases
        .iter()
        .filter(|r| r.values.iter().all(|v| paths.contains(v)))
        .map(|r| Release {
            name: r.name.clone(),
            environment: r.environment.clone(),
            layers: r.values.clone(),
            partial: false,
        })
        .collect()
}

fn insert_at(root: &mut Merged, path: &[String], value: Merged) {
    let Some((last, parents)) = path.split_last() else {
        // defaults of the root itself: merge them in
        let merged = layers::merge(vec![std::mem::replace(root, layers::empty_map()), value]);
        *root = merged.root;
        return;
    };
    let mut node = root;
    for key in parents {
        let HelmValue::Map(entries) = &mut node.value else {
            return;
        };
        let i = match entries.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                entries.push((key.clone(), layers::empty_map()));
                entries.len() - 1
            }
        };
        node = &mut entries[i].1;
    }
    if let HelmValue::Map(entries) = &mut node.value {
        entries.retain(|(k, _)| k != last);
        entries.push((last.clone(), value));
    }
}

/// A map holding one of the keys by which the common conventions name a workload.
fn looks_like_workload(node: &Merged) -> bool {
    ["replicaCount", "autoscaling", "hpa", "ingress", "image"]
        .iter()
        .any(|k| node.get(k).is_some())
}

/// Every key of the merged values, depth first, with its path.
/// `disabled`: a map above it (or the one holding it) has `enabled: false`.
fn collect_keys<'m>(
    node: &'m Merged,
    path: &mut Vec<String>,
    disabled: bool,
    out: &mut Vec<(Vec<String>, &'m Merged, bool)>,
) {
    let disabled = disabled
        || matches!(
            node.get("enabled").map(|e| &e.value),
            Some(HelmValue::Bool(false))
        );
    for (key, value) in node.entries() {
        path.push(key.clone());
        out.push((path.clone(), value, disabled));
        collect_keys(value, path, disabled, out);
        path.pop();
    }
}

/// Whether the chart reads the key at `path` (holding a map or list when
/// `collection`): `None` when no profile lists the keys of the component that
/// holds it, and for the keys below one it does not read (only the topmost is
/// reported).
fn read_by_chart(
    instances: &[InstanceKeys<'_, '_>],
    path: &[String],
    collection: bool,
) -> Option<bool> {
    // the most specific component that holds the path
    let (at, tree) = instances
        .iter()
        .flat_map(|(_, trees)| trees.iter())
        .filter(|(at, _)| path.starts_with(at) && path.len() > at.len())
        .max_by_key(|(at, _)| at.len())?;
    let serde_json::Value::Object(map) = *tree else {
        return None;
    };
    let mut map: &serde_json::Map<String, serde_json::Value> = map;
    let rest = &path[at.len()..];
    let last = rest.len() - 1;
    for (i, key) in rest.iter().enumerate() {
        match key_read(map, key) {
            KeyRead::Ignored => return (i == last).then_some(false),
            KeyRead::Opaque => return Some(true),
            KeyRead::Scalars => {
                // any key under it, holding a scalar: a map or list there is not read as a value
                return match last - i {
                    0 => Some(true),
                    1 => Some(!collection),
                    _ => None,
                };
            }
            KeyRead::Known(inner) => map = inner,
        }
    }
    Some(true)
}
