//! The pipeline: group inputs by module directory → per directory, in
//! parallel: decode, parse, bind variables, evaluate and run rules (following
//! local module calls) → sort and fingerprint. Each directory is parsed and
//! dropped in one pass; only findings (and the files they point into) survive.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;
use regex::Regex;

use crate::config::{Resolved, RuleSettings};
use crate::eval::{Bindings, Budget, Scope, Value};
use crate::finding::{Finding, Related, finalize};
use crate::hcl::{ParseError, parse_hcl};
use crate::markers::{MarkerFolder, MarkerNames, check_marker};
use crate::model::{ModuleDir, TfFile};
use crate::namespace::{DEFAULT_PRODUCTION_PATTERN, NAMESPACE_FILE, read_namespace};
use crate::profile::{ProfileSet, Scalar};
use crate::rules::{
    ActiveRule, Context, DirFacts, HardCodedUse, Inspected, Refactoring, Rule, Select, Severity,
    check_root, join_dir,
};
use crate::source::SourceFile;
use crate::suppress::{
    FileSuppressions, apply, hcl_comments, suppressions as find_suppressions, today, yaml_comments,
};
use crate::vars::{RawVar, auto_tfvars_rank, bind_raw, is_auto_tfvars, read_tfvars};

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

/// One file handed to the checker: its display path (relative, `/`-separated)
/// and its bytes, or why it was not read (reported as `input-skipped`). `.tf`
/// files, automatic `.tfvars` files and `00-namespace.yaml` files are understood.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: String,
    pub content: Result<Vec<u8>, String>,
}

/// A variable value from the command line, in command-line order.
#[derive(Debug, Clone)]
pub enum CliVar {
    /// `--var-file`: a `.tfvars` or `.tfvars.json` file.
    File(Input),
    /// `--var NAME=VALUE`.
    Assign(RawVar),
}

/// Settings of a run beyond rules and profiles.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `TF_VAR_*` values: the lowest precedence after defaults.
    pub env_vars: Vec<RawVar>,
    /// `--var` and `--var-file`, in order: the highest precedence.
    pub cli_vars: Vec<CliVar>,
    /// A namespace whose name matches is production.
    pub production_name: Regex,
    /// Remote modules fetched by `terraform init` (from `.terraform/modules/modules.json`),
    /// whose files are among the inputs.
    pub fetched_modules: Vec<FetchedModule>,
    /// Record every data store and its effective attributes in the report.
    pub inspect: bool,
    /// Today as `YYYY-MM-DD`, for suppressions with `until=`; the system date when unset.
    pub today: Option<String>,
    /// Every rule id that exists, enabled or not: a suppression naming a
    /// disabled rule is not reported as unused, one naming no rule at all is.
    pub known_rules: Vec<String>,
    /// `.drlint.yaml` rule settings, and its folder as a display path (`.`,
    /// `../repo`): override globs match module folders relative to it.
    pub config: Option<(Resolved, String)>,
    /// How Helm values files are read, grouped into releases and profiled.
    pub helm: crate::helm::HelmSettings,
    /// Limits on evaluating Terraform, per module instance: past them a value
    /// is unknown, and `Summary::budget_exceeded` counts it.
    pub budget: Budget,
    /// A Terraform plan to check with the inputs (`--plan`): its changes are
    /// located at their blocks and meet the rules ([`crate::plan`]).
    pub plan: Option<Arc<crate::plan::PlanRun>>,
}

/// One entry of `.terraform/modules/modules.json`.
#[derive(Debug, Clone)]
pub struct FetchedModule {
    /// The root module folder holding `.terraform/`.
    pub root: String,
    /// `rds`, or `app.rds` for a module called inside module `app`.
    pub key: String,
    /// The folder of its files.
    pub dir: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            env_vars: Vec::new(),
            cli_vars: Vec::new(),
            production_name: Regex::new(DEFAULT_PRODUCTION_PATTERN).expect("valid pattern"),
            fetched_modules: Vec::new(),
            inspect: false,
            today: None,
            known_rules: Vec::new(),
            config: None,
            helm: crate::helm::HelmSettings::default(),
            budget: Budget::default(),
            plan: None,
        }
    }
}

/// Counts of a run besides its findings.
#[derive(Debug, Default)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Findings hidden by a suppression comment in force.
    pub suppressed: usize,
    /// Rule × block pairs left undecided because a value was unknown.
    pub unknown: usize,
    /// Terraform values left unknown because evaluation reached a limit of
    /// `Settings::budget` (each place once per module instance), and roots whose
    /// module calls were cut at its `module_instances`.
    pub budget_exceeded: usize,
}

/// What a run found: findings (sorted, with fingerprints), the summary, notices, and in PR
/// mode the fixed findings. Render it with a [`crate::report::Render`] format.
#[derive(Debug, Default)]
pub struct Report {
    pub(crate) findings: Vec<Finding>,
    pub(crate) summary: Summary,
    /// Every data store, when `Settings::inspect` is set; sorted by path and address.
    pub(crate) inspected: Vec<Inspected>,
    /// What a baseline hid and which of its entries no longer match, when one was applied.
    pub(crate) baseline: Option<crate::baseline::BaselineOutcome>,
    /// `moved` and `removed` blocks, when `Settings::inspect` is set.
    pub(crate) refactorings: Vec<Refactoring>,
    /// What the modules in use hard-code, once per module and ref, with their call counts.
    pub(crate) hard_coded: Vec<HardCodedUse>,
    /// Findings present at the base of a pull request and gone at its head (PR mode).
    pub(crate) fixed: Vec<Finding>,
    /// Whether this is a PR-mode comparison (findings carry a status).
    pub(crate) compared: bool,
    /// The folders whose files were checked (display paths, `.` for the current one):
    /// what a finding that is absent can be said to be fixed in.
    pub(crate) folders: BTreeSet<String>,
    /// What the run tells its user besides findings.
    pub(crate) notices: Vec<crate::linter::Notice>,
    /// What each phase of the run took.
    pub(crate) timings: Vec<(&'static str, std::time::Duration)>,
}

impl Report {
    /// The findings, sorted by path, position and rule.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// In PR mode, the findings of the base that are gone at the head.
    pub fn fixed(&self) -> &[Finding] {
        &self.fixed
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// How many files were checked, findings suppressed, and values left unknown.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Whether this is a PR-mode comparison, whose findings carry a status.
    pub fn is_comparison(&self) -> bool {
        self.compared
    }

    /// What the run tells its user besides findings.
    pub fn notices(&self) -> &[crate::linter::Notice] {
        &self.notices
    }

    /// What each phase of the run took (discover, read, check, history...).
    pub fn timings(&self) -> &[(&'static str, std::time::Duration)] {
        &self.timings
    }

    /// Keeps only the findings for which `keep` holds (e.g. production, or new in PR mode).
    pub fn retain(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.findings.retain(keep);
    }

    /// Keeps only the fixed findings for which `keep` holds.
    pub fn retain_fixed(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.fixed.retain(keep);
    }

    /// Hides the findings the baseline accepts; the report then says how many it hid and
    /// which of its entries no longer match.
    pub fn apply_baseline(&mut self, baseline: &crate::baseline::Baseline) {
        let outcome = baseline.apply(self);
        self.baseline = Some(outcome);
    }
}

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
        let mut unknown = 0;
        let mut instantiated = BTreeSet::new();
        let mut inspected = Vec::new();
        let mut refactorings = Vec::new();
        let mut hard_coded: BTreeMap<String, HardCodedUse> = BTreeMap::new();
        let mut merge_hard_coded = |uses: BTreeMap<String, HardCodedUse>| {
            for (module, u) in uses {
                hard_coded
                    .entry(module)
                    .and_modify(|h| h.calls += u.calls)
                    .or_insert(u);
            }
        };
        let mut suppressions = Vec::new();
        let mut cycles = Vec::new();
        // (root, its data stores, its production status), for the marker rules
        let mut roots = Vec::new();
        for ((path, _), (problems, file_suppressions, outcome)) in dirs.iter().zip(outcomes) {
            findings.extend(problems);
            suppressions.extend(file_suppressions);
            if let Some(mut o) = outcome {
                roots.push((
                    path.as_str(),
                    std::mem::take(&mut o.data_stores),
                    o.in_production,
                ));
                findings.extend(o.findings);
                unknown += o.unknown;
                budget_exceeded += o.budget_exceeded;
                cycles.extend(o.cycles);
                instantiated.extend(o.instantiated);
                inspected.extend(o.inspected);
                refactorings.extend(o.refactorings);
                merge_hard_coded(o.hard_coded);
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
        for ((path, _), mut o) in leftovers.iter().zip(outcomes) {
            roots.push((
                path.as_str(),
                std::mem::take(&mut o.data_stores),
                o.in_production,
            ));
            findings.extend(o.findings);
            unknown += o.unknown;
            budget_exceeded += o.budget_exceeded;
            cycles.extend(o.cycles);
            inspected.extend(o.inspected);
            refactorings.extend(o.refactorings);
            merge_hard_coded(o.hard_coded);
        }
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

    /// The `input-skipped` finding of a file not read (its content is why), or of a
    /// path holding a backslash.
    pub(crate) fn skipped(&self, input: &Input) -> Finding {
        let why = match &input.content {
            _ if input.path.contains('\\') => UNSHOWABLE_NAME,
            Err(why) => why.as_str(),
            Ok(_) => "",
        };
        self.file_finding(
            INPUT_SKIPPED,
            Severity::Warning,
            Arc::new(SourceFile::new(input.path.clone(), "")),
            0..0,
            why,
            format!("{} was not read: {why}", input.path),
        )
    }

    /// A finding about a file as a whole or a place in it, of a `select: parser`
    /// rule (`default` is its severity when the rule is not loaded).
    pub(crate) fn file_finding(
        &self,
        id: &str,
        default: Severity,
        file: Arc<SourceFile>,
        span: Range<usize>,
        label: &str,
        message: String,
    ) -> Finding {
        let rule = self.rule(id);
        Finding {
            rule: id.to_owned(),
            severity: rule.map_or(default, |r| r.severity),
            help: rule.map(|r| r.help.clone()),
            docs: rule.and_then(|r| r.docs.clone()),
            label: Some(label.to_owned()),
            message,
            file,
            span,
            related: Vec::new(),
            identity: String::new(),
            fingerprint: String::new(),
            status: None,
            since: None,
            production: None,
            fix: None,
        }
    }

    /// The input as UTF-8 text, or the finding saying why not (`input-skipped` for
    /// a file not read, `parse-error` for one that is not UTF-8).
    pub(crate) fn decode(&self, input: &Input) -> Result<Arc<SourceFile>, Box<Finding>> {
        let bytes = match &input.content {
            Ok(bytes) if !input.path.contains('\\') => bytes,
            _ => return Err(Box::new(self.skipped(input))),
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Arc::new(SourceFile::new(input.path.clone(), text))),
            Err(e) => {
                let offset = e.valid_up_to();
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                let file = Arc::new(SourceFile::new(input.path.clone(), lossy));
                let span = file.char_span(offset);
                Err(Box::new(self.problem(
                    file,
                    span,
                    format!("file is not UTF-8 text (invalid byte at offset {offset})"),
                )))
            }
        }
    }

    fn parse_error(&self, file: Arc<SourceFile>, e: ParseError) -> Finding {
        // an offset from a parser may fall inside a character (serde_json counts
        // bytes up to the one it stopped at): the finding points at its character
        let span = file.char_span(e.offset);
        self.problem(file, span, e.message)
    }

    pub(crate) fn problem(
        &self,
        file: Arc<SourceFile>,
        span: Range<usize>,
        message: String,
    ) -> Finding {
        let summary = format!("{} could not be read: {message}", file.path);
        self.file_finding(PARSE_ERROR, Severity::Error, file, span, &message, summary)
    }

    /// An `evaluation-cycle` finding (a rule of `select: parser`), when the rule is in force.
    fn cycle_finding(
        &self,
        file: Arc<SourceFile>,
        span: Range<usize>,
        message: String,
        related: Vec<Related>,
    ) -> Option<Finding> {
        let rule = self.rule(EVALUATION_CYCLE)?;
        Some(Finding {
            rule: rule.id.clone(),
            severity: rule.severity,
            identity: message.clone(),
            label: Some("its value is unknown: drlint does not follow the cycle".to_owned()),
            message,
            help: Some(rule.help.clone()),
            docs: rule.docs.clone(),
            file,
            span,
            related,
            fingerprint: String::new(),
            status: None,
            since: None,
            production: None,
            fix: None,
        })
    }

    /// Locals that use their own result, once per folder however often it is instantiated.
    fn local_cycle_findings(&self, dir: &ModuleDir) -> Vec<Finding> {
        if self.rule(EVALUATION_CYCLE).is_none() {
            return Vec::new();
        }
        crate::eval::local_cycles(dir)
            .into_iter()
            .filter_map(|cycle| {
                let names: Vec<&str> = cycle.iter().map(|(_, a)| a.name.as_str()).collect();
                let (file, first) = cycle[0];
                let related = cycle[1..]
                    .iter()
                    .map(|(f, a)| Related {
                        file: Arc::clone(&dir.files[*f].source),
                        span: a.span.clone(),
                        message: format!("`local.{}` is part of the cycle", a.name),
                    })
                    .collect();
                self.cycle_finding(
                    Arc::clone(&dir.files[file].source),
                    first.span.clone(),
                    crate::eval::cycle_message(&names),
                    related,
                )
            })
            .collect()
    }

    /// Module calls that contain themselves, once per call site.
    fn module_cycle_findings(&self, cycles: Vec<crate::rules::ModuleCycle>) -> Vec<Finding> {
        let mut seen = BTreeSet::new();
        cycles
            .into_iter()
            .filter(|c| seen.insert((c.file.path.clone(), c.span.start, c.span.end)))
            .filter_map(|c| self.cycle_finding(c.file, c.span, c.message, Vec::new()))
            .collect()
    }

    fn duplicate_key_findings(&self, tf: &TfFile) -> Vec<Finding> {
        let Some(rule) = self.rule(DUPLICATE_OBJECT_KEY) else {
            return Vec::new();
        };
        tf.duplicate_keys
            .iter()
            .map(|d| Finding {
                rule: rule.id.clone(),
                severity: rule.severity,
                message: format!(
                    "object key `{}` is repeated: Terraform keeps only the last value",
                    d.key
                ),
                help: Some(rule.help.clone()),
                docs: rule.docs.clone(),
                file: Arc::clone(&tf.source),
                span: d.second.clone(),
                label: Some("this value wins".to_owned()),
                related: vec![Related {
                    file: Arc::clone(&tf.source),
                    span: d.first.clone(),
                    message: format!("first definition of `{}`, discarded", d.key),
                }],
                identity: d.key.clone(),
                fingerprint: String::new(),
                status: None,
                since: None,
                production: None,
                fix: None,
            })
            .collect()
    }
}

/// `(folder, file name)` of a display path; the folder of `main.tf` is `.`.
pub(crate) fn split_path(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or((".", path))
}
