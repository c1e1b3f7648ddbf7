//! The pipeline: group inputs by module directory → per directory, in
//! parallel: decode, parse, bind variables, evaluate and run rules (following
//! local module calls) → sort and fingerprint. Each directory is parsed and
//! dropped in one pass; only findings (and the files they point into) survive.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};

mod file_findings;
mod report;
mod settings;

pub use report::{Report, Summary};
pub use settings::{CliVar, FetchedModule, Input, Settings};

use rayon::prelude::*;
use regex::Regex;

use crate::config::RuleSettings;
use crate::eval::{Bindings, Scope, Value};
use crate::finding::{Finding, finalize};
use crate::hcl::parse_hcl;
use crate::markers::{MarkerFolder, MarkerNames, check_marker};
use crate::model::{ModuleDir, TfFile};
use crate::namespace::{NAMESPACE_FILE, read_namespace};
use crate::profile::{ProfileSet, Scalar};
use crate::rules::{
    ActiveRule, Context, DirFacts, HardCodedUse, Rule, Select, check_root, join_dir,
};
use crate::source::SourceFile;
use crate::suppress::{
    FileSuppressions, apply, hcl_comments, suppressions as find_suppressions, today, yaml_comments,
};
use crate::vars::{auto_tfvars_rank, bind_raw, is_auto_tfvars, read_tfvars};

pub const PARSE_ERROR: &str = "parse-error";
/// A file found and not read: not a regular file, too large, outside the checked
/// tree, a name that cannot be shown, an unreadable folder (an [`Input`] whose
/// content is the reason), or a path holding a backslash.
pub const INPUT_SKIPPED: &str = "input-skipped";

/// Why a path holding a backslash is not read: on Windows it separates folders, so the
/// path cannot be shown (or grouped into folders) unambiguously. Names that are not
/// UTF-8 reach the checker with their bytes written `\xNN`, so they are skipped as well.
const UNSHOWABLE_NAME: &str = "its name holds a backslash (a folder separator on Windows) or bytes that are not UTF-8 (shown as `\\xNN`), so drlint cannot name it unambiguously: rename it";
pub const DUPLICATE_OBJECT_KEY: &str = "duplicate-object-key";
pub const EVALUATION_CYCLE: &str = "evaluation-cycle";

/// Rules, profiles and settings, ready to check inputs.
pub struct Checker {
    rules: Vec<Rule>,
    options: Vec<BTreeMap<String, Scalar>>,
    profiles: ProfileSet,
    pub(crate) settings: Settings,
    /// File names taken for marker files rather than Terraform.
    markers: MarkerNames,
}

/// The inputs of one folder, by role.
#[derive(Default)]
struct DirInputs<'i> {
    tf: Vec<&'i Input>,
    tfvars: Vec<&'i Input>,
    namespace: Option<&'i Input>,
    /// Marker files (`select: markers` rules), never parsed.
    markers: Vec<&'i Input>,
    /// Helm values files and the `Chart.yaml` beside them.
    values: Vec<&'i Input>,
    charts: Vec<&'i Input>,
}

/// A parsed module directory with what parsing found wrong in its files.
struct ParsedDir {
    dir: ModuleDir,
    tfvars: Vec<Arc<SourceFile>>,
    problems: Vec<Finding>,
    suppressions: Vec<FileSuppressions>,
}

/// What the roots' checks found, gathered folder by folder.
#[derive(Default)]
struct Gathered<'p> {
    findings: Vec<Finding>,
    unknown: usize,
    budget_exceeded: usize,
    cycles: Vec<crate::rules::ModuleCycle>,
    inspected: Vec<crate::rules::Inspected>,
    refactorings: Vec<crate::rules::Refactoring>,
    /// What the modules in use hard-code, once per module and ref, calls counted.
    hard_coded: BTreeMap<String, HardCodedUse>,
    /// (root, its data stores, its production status), for the marker rules.
    roots: Vec<(&'p str, Vec<String>, Value)>,
}

impl<'p> Gathered<'p> {
    fn add(&mut self, root: &'p str, o: crate::rules::DirOutcome) {
        self.roots.push((root, o.data_stores, o.in_production));
        self.findings.extend(o.findings);
        self.unknown += o.unknown;
        self.budget_exceeded += o.budget_exceeded;
        self.cycles.extend(o.cycles);
        self.inspected.extend(o.inspected);
        self.refactorings.extend(o.refactorings);
        for (module, u) in o.hard_coded {
            self.hard_coded
                .entry(module)
                .and_modify(|h| h.calls += u.calls)
                .or_insert(u);
        }
    }
}

/// `source = "./x"` or `"../x"`: a local module call, found without parsing.
static LOCAL_SOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?m)^\s*source\s*=\s*"(\.\.?/[^"]*)""#).expect("valid pattern"));

/// The local module sources (`./modules/x`, `../shared`) a `.tf` text names,
/// found by a textual scan: cheap enough to run before parsing anything.
pub fn local_module_sources(text: &str) -> Vec<&str> {
    LOCAL_SOURCE
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect()
}

impl Checker {
    pub fn new(rules: Vec<Rule>, profiles: ProfileSet) -> Self {
        Checker::with_settings(rules, profiles, Settings::default())
    }

    pub fn with_settings(rules: Vec<Rule>, profiles: ProfileSet, settings: Settings) -> Self {
        let options = rules.iter().map(Rule::option_values).collect();
        let configured = settings.config.iter().flat_map(|(r, _)| r.sections());
        let markers = MarkerNames::new(&rules, configured);
        Checker {
            rules,
            options,
            profiles,
            settings,
            markers,
        }
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub(crate) fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub(crate) fn profiles(&self) -> &ProfileSet {
        &self.profiles
    }

    pub fn check(&self, inputs: Vec<Input>) -> Report {
        // files not read, or whose path cannot be shown: reported, and nothing else
        let (inputs, skipped): (Vec<Input>, Vec<Input>) = inputs
            .into_iter()
            .partition(|i| i.content.is_ok() && !i.path.contains('\\'));
        let mut files = inputs.len();
        let mut dirs: BTreeMap<String, DirInputs<'_>> = BTreeMap::new();
        for input in &inputs {
            let (dir, name) = split_path(&input.path);
            let entry = dirs.entry(dir.to_owned()).or_default();
            if name == NAMESPACE_FILE {
                entry.namespace = Some(input);
            } else if is_auto_tfvars(name) {
                entry.tfvars.push(input);
            } else if !name.ends_with(".tf") && self.markers.wants(name) {
                entry.markers.push(input);
            } else if name == crate::helm::CHART_FILE {
                entry.charts.push(input);
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                // YAML is never Terraform: a values file (by name, by the configuration's
                // releases, or named on the command line)
                entry.values.push(input);
            } else {
                entry.tf.push(input);
            }
        }
        for d in dirs.values_mut() {
            d.tfvars
                .sort_by_key(|i| auto_tfvars_rank(split_path(&i.path).1));
        }
        let mut called = self.local_module_dirs(&dirs);
        let fetched: BTreeMap<(String, String), String> = self
            .settings
            .fetched_modules
            .iter()
            .map(|m| ((m.root.clone(), m.key.clone()), m.dir.clone()))
            .collect();
        // Fetched module code is only ever checked through a call.
        let fetched_dirs: BTreeSet<String> = fetched.values().cloned().collect();
        called.extend(fetched_dirs.iter().cloned());
        let (env_bindings, cli_bindings, mut findings, mut budget_exceeded) =
            self.outside_bindings();
        findings.extend(skipped.iter().map(|i| self.skipped(i)));
        let load_dir = |path: &str| -> Option<ModuleDir> {
            let inputs = dirs.get(path)?;
            (!inputs.tf.is_empty()).then(|| self.parse_dir(path, inputs).dir)
        };
        let ctx = Context {
            profiles: &self.profiles,
            load_dir: &load_dir,
            fetched: &fetched,
            // a plan's changes are located at the data stores' blocks
            inspect: self.settings.inspect || self.settings.plan.is_some(),
        };
        let check_dir = |path: &str, parsed: ParsedDir| {
            // Terraform's precedence: environment, then the folder's tfvars, then the command line.
            let budget = self.settings.budget;
            let mut bindings = env_bindings.clone();
            let mut exceeded = 0;
            for file in &parsed.tfvars {
                // a broken file was reported when the folder was parsed
                exceeded += read_tfvars(file, &mut bindings, budget).unwrap_or(0);
            }
            bindings.extend(cli_bindings.clone());
            let scope = Scope::with_budget(&parsed.dir, bindings, budget);
            let facts = self.dir_facts(&scope, &dirs, path);
            let active = self.active_rules(path);
            let mut outcome = check_root(&ctx, &active, &scope, &facts);
            outcome.budget_exceeded += exceeded;
            outcome
        };

        // Roots: every folder with Terraform files that no local module call names.
        let outcomes: Vec<_> = dirs
            .par_iter()
            .map(|(path, inputs)| {
                let mut parsed = self.parse_dir(path, inputs);
                let problems = std::mem::take(&mut parsed.problems);
                let suppressions = std::mem::take(&mut parsed.suppressions);
                let outcome = (!inputs.tf.is_empty() && !called.contains(path))
                    .then(|| check_dir(path, parsed));
                (problems, suppressions, outcome)
            })
            .collect();
        let mut gathered = Gathered::default();
        let mut instantiated = BTreeSet::new();
        let mut suppressions = Vec::new();
        for ((path, _), (problems, file_suppressions, outcome)) in dirs.iter().zip(outcomes) {
            findings.extend(problems);
            suppressions.extend(file_suppressions);
            if let Some(mut o) = outcome {
                instantiated.extend(std::mem::take(&mut o.instantiated));
                gathered.add(path, o);
            }
        }
        // Folders named as local modules but never instantiated (the call is in a
        // comment, or behind `count = 0`) are still checked, as roots.
        let leftovers: Vec<_> = called
            .iter()
            .filter(|p| !instantiated.contains(*p) && !fetched_dirs.contains(*p))
            .filter_map(|p| dirs.get_key_value(p.as_str()))
            .filter(|(_, i)| !i.tf.is_empty())
            .collect();
        let outcomes: Vec<_> = leftovers
            .par_iter()
            .map(|(path, inputs)| check_dir(path, self.parse_dir(path, inputs)))
            .collect();
        for ((path, _), o) in leftovers.iter().zip(outcomes) {
            gathered.add(path, o);
        }
        let Gathered {
            findings: found,
            mut unknown,
            budget_exceeded: exceeded,
            cycles,
            mut inspected,
            refactorings,
            hard_coded,
            roots,
        } = gathered;
        findings.extend(found);
        budget_exceeded += exceeded;
        findings.extend(self.module_cycle_findings(cycles));
        // Marker files, now that the data stores below their folders are known.
        findings.extend(self.marker_findings(&dirs, &roots, &mut unknown));
        // Helm values, release by release
        let values: Vec<&Input> = dirs
            .values()
            .flat_map(|d| d.values.iter().copied())
            .collect();
        if !values.is_empty() {
            let charts: Vec<&Input> = dirs
                .values()
                .flat_map(|d| d.charts.iter().copied())
                .collect();
            let helm = self.check_values(&values, &charts);
            findings.extend(helm.findings);
            suppressions.extend(helm.suppressions);
            unknown += helm.unknown;
        }
        if let Some(run) = &self.settings.plan {
            let plan = crate::plan::check(self, run, &inspected, &findings);
            findings.extend(plan.findings);
            unknown += plan.unknown;
            files += 1;
        }
        let today = self.settings.today.clone().unwrap_or_else(today);
        let applied = apply(
            findings,
            &suppressions,
            &crate::plan::rules_for_suppressions(&self.rules, self.settings.plan.is_some()),
            &self.known_rule_ids(),
            &today,
        );
        let mut findings = self.configure_file_findings(applied.kept);
        finalize(&mut findings);
        inspected.sort_by(|a, b| {
            (&a.file.path, a.span.start, &a.address).cmp(&(&b.file.path, b.span.start, &b.address))
        });
        Report {
            findings,
            summary: Summary {
                files,
                suppressed: applied.suppressed,
                unknown,
                budget_exceeded,
            },
            inspected,
            baseline: None,
            refactorings,
            hard_coded: hard_coded.into_values().collect(),
            fixed: Vec::new(),
            compared: false,
            folders: dirs
                .keys()
                .cloned()
                .chain(
                    self.settings
                        .plan
                        .iter()
                        .map(|r| r.plan.folder().to_owned()),
                )
                .collect(),
            notices: Vec::new(),
            timings: Vec::new(),
        }
    }

    /// The findings of the marker rules: each marker file with the data stores
    /// of the roots in or below its folder and the namespace's production facts.
    fn marker_findings(
        &self,
        dirs: &BTreeMap<String, DirInputs<'_>>,
        roots: &[(&str, Vec<String>, Value)],
        unknown: &mut usize,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (folder, inputs) in dirs.iter().filter(|(_, i)| !i.markers.is_empty()) {
            let active = self.active_rules(folder);
            if !active
                .iter()
                .any(|a| matches!(a.rule.select, Select::Markers))
            {
                continue;
            }
            let below: Vec<_> = roots
                .iter()
                .filter(|(root, _, _)| {
                    folder == "." || root == folder || root.starts_with(&format!("{folder}/"))
                })
                .collect();
            let mut data_stores: Vec<String> = below
                .iter()
                .flat_map(|(_, s, _)| s.iter().cloned())
                .collect();
            data_stores.sort();
            data_stores.dedup();
            let empty = ModuleDir {
                path: folder.clone(),
                files: Vec::new(),
            };
            let facts = self.dir_facts(&Scope::new(&empty, Bindings::new()), dirs, folder);
            let statuses: Vec<&Value> = std::iter::once(&facts.in_production)
                .chain(below.iter().map(|(_, _, p)| p))
                .collect();
            let in_production = if statuses.contains(&&Value::Bool(true)) {
                Value::Bool(true)
            } else if statuses.contains(&&Value::Unknown) {
                Value::Unknown
            } else {
                Value::Bool(false)
            };
            let at = MarkerFolder {
                folder,
                facts,
                in_production,
                data_stores,
            };
            for input in &inputs.markers {
                let text = match &input.content {
                    Ok(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                    Err(_) => String::new(),
                };
                let file = Arc::new(SourceFile::new(input.path.clone(), text));
                findings.extend(check_marker(&active, &at, &file, unknown));
            }
        }
        findings
    }

    /// Folders that some `.tf` file calls as a local module.
    fn local_module_dirs(&self, dirs: &BTreeMap<String, DirInputs<'_>>) -> BTreeSet<String> {
        dirs.par_iter()
            .flat_map_iter(|(dir, inputs)| {
                inputs
                    .tf
                    .iter()
                    .filter_map(|i| i.content.as_ref().ok())
                    .filter_map(|bytes| std::str::from_utf8(bytes).ok())
                    .flat_map(|text| {
                        local_module_sources(text)
                            .into_iter()
                            .map(|source| join_dir(dir, source))
                            .collect::<Vec<_>>()
                    })
                    .filter(|callee| callee != dir)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// `TF_VAR_*` values, and `--var-file` / `--var` values in order; problems
    /// reading a variables file become findings. The last number counts values
    /// the budget cut short.
    fn outside_bindings(&self) -> (Bindings, Bindings, Vec<Finding>, usize) {
        let budget = self.settings.budget;
        let mut exceeded = 0;
        let mut env = Bindings::new();
        for var in &self.settings.env_vars {
            exceeded += bind_raw(&mut env, var, budget);
        }
        let mut cli = Bindings::new();
        let mut problems = Vec::new();
        for var in &self.settings.cli_vars {
            match var {
                CliVar::Assign(raw) => exceeded += bind_raw(&mut cli, raw, budget),
                CliVar::File(input) => match self.decode(input) {
                    Ok(file) => match read_tfvars(&file, &mut cli, budget) {
                        Ok(n) => exceeded += n,
                        Err(e) => problems.push(self.parse_error(file, e)),
                    },
                    Err(problem) => problems.push(*problem),
                },
            }
        }
        (env, cli, problems, exceeded)
    }

    /// Production facts for a root: its `is_production` variable, its
    /// namespace file (in the folder or its parent) and its namespace name.
    fn dir_facts(
        &self,
        scope: &Scope<'_>,
        dirs: &BTreeMap<String, DirInputs<'_>>,
        path: &str,
    ) -> DirFacts {
        let parent = split_path(path).0;
        let namespace = dirs
            .get(path)
            .and_then(|d| d.namespace)
            .or_else(|| dirs.get(parent).and_then(|d| d.namespace))
            .and_then(|input| self.decode(input).ok())
            .and_then(|file| read_namespace(&file).ok());
        crate::namespace::production_facts(
            scope,
            namespace.as_ref(),
            path,
            &self.settings.production_name,
        )
    }

    fn parse_dir(&self, path: &str, inputs: &DirInputs<'_>) -> ParsedDir {
        let mut problems = Vec::new();
        let mut files = Vec::new();
        let mut suppressions = Vec::new();
        let mut note_suppressions =
            |file: &Arc<SourceFile>, blocks: &[crate::model::Block], yaml: bool| {
                let comments = if yaml {
                    yaml_comments(file)
                } else {
                    hcl_comments(file)
                };
                let found = find_suppressions(file, &comments, blocks, yaml);
                if !found.is_empty() {
                    suppressions.push(FileSuppressions {
                        file: Arc::clone(file),
                        suppressions: found,
                    });
                }
            };
        for input in &inputs.tf {
            let file = match self.decode(input) {
                Ok(file) => file,
                Err(problem) => {
                    problems.push(*problem);
                    continue;
                }
            };
            match parse_hcl(&file.text) {
                Ok(parsed) => {
                    let tf = TfFile::from_body(file, parsed.body, parsed.duplicate_keys);
                    problems.extend(self.duplicate_key_findings(&tf));
                    note_suppressions(&tf.source, &tf.blocks, false);
                    files.push(tf);
                }
                Err(e) => {
                    note_suppressions(&file, &[], false);
                    problems.push(self.parse_error(file, e));
                }
            }
        }
        let mut tfvars = Vec::new();
        for input in &inputs.tfvars {
            match self.decode(input) {
                Ok(file) => {
                    note_suppressions(&file, &[], false);
                    if let Err(e) = read_tfvars(&file, &mut Bindings::new(), self.settings.budget) {
                        problems.push(self.parse_error(Arc::clone(&file), e));
                    }
                    tfvars.push(file);
                }
                Err(problem) => problems.push(*problem),
            }
        }
        if let Some(input) = inputs.namespace {
            match self.decode(input) {
                Ok(file) => {
                    note_suppressions(&file, &[], true);
                    if let Err(e) = read_namespace(&file) {
                        problems.push(self.parse_error(file, e));
                    }
                }
                Err(problem) => problems.push(*problem),
            }
        }
        files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        let dir = ModuleDir {
            path: path.to_owned(),
            files,
        };
        problems.extend(self.local_cycle_findings(&dir));
        ParsedDir {
            dir,
            tfvars,
            problems,
            suppressions,
        }
    }

    /// The configuration's rule settings for a folder (display path).
    fn folder_settings(&self, folder: &str) -> BTreeMap<String, RuleSettings> {
        let Some((resolved, root)) = &self.settings.config else {
            return BTreeMap::new();
        };
        crate::config::relative_to_root(folder, root)
            .map(|r| resolved.for_folder(r))
            .unwrap_or_default()
    }

    /// The rules that run for a root folder, with their options and severity.
    pub(crate) fn active_rules(&self, folder: &str) -> Vec<ActiveRule<'_>> {
        let settings = self.folder_settings(folder);
        self.rules
            .iter()
            .zip(&self.options)
            .filter(|(r, _)| !matches!(r.select, Select::Parser | Select::Suppressions))
            .filter_map(|(rule, defaults)| {
                let s = settings.get(&rule.id);
                if s.and_then(|s| s.enabled) == Some(false) {
                    return None;
                }
                let mut options = defaults.clone();
                if let Some(s) = s {
                    options.extend(s.options.clone());
                }
                Some(ActiveRule {
                    rule,
                    options,
                    severity: s.and_then(|s| s.severity),
                })
            })
            .collect()
    }

    /// Applies the configuration to findings the rules engine does not make
    /// (parser and suppression findings): off, or another severity, per folder.
    fn configure_file_findings(&self, findings: Vec<Finding>) -> Vec<Finding> {
        if self.settings.config.is_none() {
            return findings;
        }
        findings
            .into_iter()
            .filter_map(|mut f| {
                let internal = self
                    .rule(&f.rule)
                    .is_some_and(|r| matches!(r.select, Select::Parser | Select::Suppressions));
                if !internal {
                    return Some(f);
                }
                let settings = self.folder_settings(split_path(f.path()).0);
                match settings.get(&f.rule) {
                    Some(s) if s.enabled == Some(false) => None,
                    Some(s) => {
                        if let Some(sev) = s.severity {
                            f.severity = sev;
                        }
                        Some(f)
                    }
                    None => Some(f),
                }
            })
            .collect()
    }

    fn known_rule_ids(&self) -> Vec<String> {
        if self.settings.known_rules.is_empty() {
            self.rules.iter().map(|r| r.id.clone()).collect()
        } else {
            self.settings.known_rules.clone()
        }
    }
}

/// `(folder, file name)` of a display path; the folder of `main.tf` is `.`.
pub(crate) fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or((".", path))
}
