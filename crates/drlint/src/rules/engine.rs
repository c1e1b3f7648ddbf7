//! Runs the rules over one root module directory and the local modules it calls.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use super::condition::{Field, Fields, Truth};
use super::definition::{Rule, Select, Severity};
use super::finding::{Place, finding};
use super::subject::{Subject, subjects};
use crate::eval::{Binding, Bindings, Scope, Value, Via, ViaKind};
use crate::finding::Finding;
use crate::model::ModuleDir;
use crate::profile::{HardCoded, ProfileSet, ReplacementForcing, Scalar};
use crate::source::SourceFile;

/// What checking one root produced.
#[derive(Debug, Default)]
pub struct DirOutcome {
    pub findings: Vec<Finding>,
    /// Rule × block pairs left undecided because a value was unknown.
    pub unknown: usize,
    /// Module directories instantiated through local module calls.
    pub instantiated: Vec<String>,
    /// Every data store seen, when the context asks to inspect.
    pub inspected: Vec<Inspected>,
    /// `moved` and `removed` blocks of the root, when the context asks to inspect.
    pub refactorings: Vec<Refactoring>,
    /// The addresses of the data stores seen (a profile recognised them), for marker rules.
    pub data_stores: Vec<String>,
    /// The root's production status.
    pub in_production: Value,
    /// Calls of modules whose profile lists hard-coded settings, by module and ref.
    pub hard_coded: BTreeMap<String, HardCodedUse>,
    /// Values left unknown because the evaluation budget ran out (places, once each per instance).
    pub budget_exceeded: usize,
    /// Module calls that would contain themselves, not followed.
    pub cycles: Vec<ModuleCycle>,
    /// Module instances checked under this root, its own included.
    pub instances: usize,
    /// Whether calls were left unchecked because of the budget's `module_instances`.
    pub instances_capped: bool,
}

/// A module call whose folder is already being expanded above it: `source = "./"`,
/// or two folders that call each other. Terraform cannot expand it; drlint does not follow it.
#[derive(Debug, Clone)]
pub struct ModuleCycle {
    pub file: Arc<SourceFile>,
    /// The call's `source` argument.
    pub span: Range<usize>,
    pub message: String,
}

/// The settings one module at one ref hard-codes, and how many calls use it.
#[derive(Debug, Clone)]
pub struct HardCodedUse {
    /// "module s3-bucket 5.3.0".
    pub module: String,
    pub calls: usize,
    pub facts: Vec<HardCoded>,
    /// Why the facts are another ref's, when no profile describes this one.
    pub nearest_note: Option<String>,
}

/// A data store as drlint reads it: for `drlint inspect` and corpus reports.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub file: Arc<SourceFile>,
    pub span: Range<usize>,
    /// The whole block, to its closing brace.
    pub block: Range<usize>,
    /// The root module folder whose state holds it.
    pub root: String,
    pub address: String,
    pub kind: String,
    pub profile: String,
    pub in_production: Value,
    pub fields: BTreeMap<String, Field>,
    /// Its top-level arguments (meta-arguments aside): identity for rename detection.
    pub arguments: BTreeMap<String, Argument>,
    /// The profile's replacement-forcing edits.
    pub replacement_forcing: Vec<ReplacementForcing>,
    /// The profile's defaults of the inputs those edits read, for calls that leave them out.
    pub input_defaults: BTreeMap<String, Value>,
    /// A module call, whose absent inputs take defaults the profile may not know
    /// (a raw resource's absent argument is unset).
    pub module_call: bool,
}

/// One argument of a data store's block, evaluated and as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Argument {
    pub value: Value,
    /// The expression's text with its whitespace collapsed: two unknown values
    /// written the same way (`var.vpc_name`) are the same argument.
    pub text: String,
}

/// A `moved { from = ... to = ... }` or `removed { from = ... }` block of a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refactoring {
    pub root: String,
    pub from: String,
    /// `None` for a `removed` block.
    pub to: Option<String>,
}

/// A rule with the options and severity in force for it in one root folder.
#[derive(Debug, Clone)]
pub struct ActiveRule<'r> {
    pub rule: &'r Rule,
    pub options: BTreeMap<String, Scalar>,
    /// The configuration's severity, which replaces the rule's everywhere.
    pub severity: Option<Severity>,
}

/// What the engine needs besides the directory itself.
pub struct Context<'r> {
    pub profiles: &'r ProfileSet,
    /// Parses a module directory by path, for local module calls.
    pub load_dir: &'r (dyn Fn(&str) -> Option<ModuleDir> + Sync),
    /// Where `terraform init` put remote modules: `(root folder, module key)` → folder.
    pub fetched: &'r BTreeMap<(String, String), String>,
    /// Record every data store in the outcome.
    pub inspect: bool,
}

/// Facts about the root's production status, as fields of the directory subject.
#[derive(Debug, Default)]
pub struct DirFacts {
    pub fields: BTreeMap<String, Field>,
    /// Where a directory finding points when its target is absent.
    pub anchor: Option<(Arc<SourceFile>, Range<usize>)>,
    pub in_production: Value,
}

impl Fields for DirFacts {
    fn field(&self, name: &str) -> Field {
        self.fields.get(name).cloned().unwrap_or_else(Field::absent)
    }
}

/// Local module calls deeper than this are not followed (an odd tree: a cycle
/// is caught as one, and a wide tree by the budget's `module_instances`).
const MAX_MODULE_DEPTH: usize = 8;

/// Where a called module was called from.
pub(super) struct CallSite {
    pub file: Arc<SourceFile>,
    pub header: Range<usize>,
    pub address: String,
}

pub fn check_root(
    ctx: &Context<'_>,
    rules: &[ActiveRule<'_>],
    scope: &Scope<'_>,
    facts: &DirFacts,
) -> DirOutcome {
    let root = scope.dir().path.clone();
    let mut outcome = DirOutcome {
        in_production: facts.in_production.clone(),
        ..DirOutcome::default()
    };
    for active in rules {
        let (rule, options) = (active.rule, &active.options);
        if !matches!(rule.select, Select::Directories) {
            continue;
        }
        match rule.fires(facts, options) {
            Truth::True => {
                if let Some(anchor) = &facts.anchor {
                    let address = scope.dir().path.clone();
                    let place = Place {
                        anchor: anchor.clone(),
                        address: &address,
                        kind: "module directory",
                        nearest_profile: None,
                    };
                    outcome.findings.push(finding(
                        active,
                        &place,
                        facts,
                        None,
                        &facts.in_production,
                    ));
                }
            }
            Truth::Unknown => outcome.unknown += 1,
            Truth::False => {}
        }
    }
    if ctx.inspect {
        outcome.refactorings = refactorings(scope.dir());
    }
    let chain = [root.clone()];
    let instance = Instance {
        rules,
        root: &root,
        module_path: "",
        caller: None,
        in_production: &facts.in_production,
        depth: 0,
        folders: &chain,
    };
    check_instance(ctx, scope, &instance, &mut outcome);
    outcome.budget_exceeded += scope.exceeded().len();
    outcome
}

/// The `moved` and `removed` blocks of a root folder, as address strings.
fn refactorings(dir: &ModuleDir) -> Vec<Refactoring> {
    let address = |block: &crate::model::Block, name: &str| -> Option<String> {
        let attr = block.attribute(name)?;
        let text = attr.value.to_string();
        Some(text.split_whitespace().collect::<String>())
    };
    dir.blocks()
        .filter_map(|(_, b)| match b.ident.as_str() {
            "moved" => Some(Refactoring {
                root: dir.path.clone(),
                from: address(b, "from")?,
                to: Some(address(b, "to")?),
            }),
            "removed" => Some(Refactoring {
                root: dir.path.clone(),
                from: address(b, "from")?,
                to: None,
            }),
            _ => None,
        })
        .collect()
}

/// One module instance: the root, or a module it calls (possibly nested).
struct Instance<'i> {
    rules: &'i [ActiveRule<'i>],
    /// The root module directory, for `.terraform/modules/modules.json` keys.
    root: &'i str,
    /// `module.app.` inside a called module, empty at the root.
    module_path: &'i str,
    caller: Option<&'i CallSite>,
    in_production: &'i Value,
    depth: usize,
    /// The folders of this instance and of every instance above it, the root first.
    folders: &'i [String],
}

/// `module.a.module.b.` and `rds` → `a.b.rds`, the key `terraform init` gives that call.
fn module_key(module_path: &str, name: &str) -> String {
    let segments: Vec<&str> = module_path.split('.').filter(|s| !s.is_empty()).collect();
    let mut parts: Vec<&str> = segments
        .chunks(2)
        .filter_map(|c| (c.len() == 2 && c[0] == "module").then_some(c[1]))
        .collect();
    parts.push(name);
    parts.join(".")
}

fn check_instance(
    ctx: &Context<'_>,
    scope: &Scope<'_>,
    instance: &Instance<'_>,
    outcome: &mut DirOutcome,
) {
    let Instance {
        module_path,
        caller,
        in_production,
        depth,
        ..
    } = *instance;
    let dir = scope.dir();
    outcome.instances += 1;
    let subjects = subjects(scope, ctx.profiles, module_path, in_production);
    for applied in subjects.iter().filter_map(|s| s.profile.as_ref()) {
        if applied.profile.hard_coded.is_empty() {
            continue;
        }
        let module = applied.label();
        outcome
            .hard_coded
            .entry(module.clone())
            .or_insert_with(|| HardCodedUse {
                module,
                calls: 0,
                facts: applied.profile.hard_coded.clone(),
                nearest_note: applied.nearest_note(),
            })
            .calls += 1;
    }
    outcome.data_stores.extend(
        subjects
            .iter()
            .filter(|s| s.profile.is_some())
            .map(|s| s.address.clone()),
    );
    if ctx.inspect {
        for s in &subjects {
            let Some(applied) = &s.profile else { continue };
            let profile = applied.profile;
            let text = &dir.files[s.file].source.text;
            let arguments = s
                .block
                .attributes
                .iter()
                .filter(|a| !META_ARGUMENTS.contains(&a.name.as_str()) || a.name == "source")
                .map(|a| {
                    let written = text.get(a.span.clone()).unwrap_or_default();
                    let expr = written.split_once('=').map_or(written, |(_, v)| v);
                    let argument = Argument {
                        value: s.raw_field(&a.name).value,
                        text: expr.split_whitespace().collect::<Vec<_>>().join(" "),
                    };
                    (a.name.clone(), argument)
                })
                .collect();
            outcome.inspected.push(Inspected {
                file: Arc::clone(&dir.files[s.file].source),
                span: s.block.header.clone(),
                block: s.block.span.clone(),
                root: instance.root.to_owned(),
                address: s.address.clone(),
                kind: profile.kind.clone(),
                profile: applied.label(),
                in_production: in_production.clone(),
                fields: s.canonical_fields().clone(),
                arguments,
                replacement_forcing: profile.replacement_forcing.clone(),
                input_defaults: profile
                    .replacement_forcing
                    .iter()
                    .flat_map(|r| r.inputs())
                    .filter_map(|i| Some((i.clone(), profile.input_default(&i)?)))
                    .collect(),
                module_call: s.block.ident == "module",
            });
        }
    }
    for active in instance.rules {
        let (rule, options) = (active.rule, &active.options);
        for subject in &subjects {
            let canonical = match &rule.select {
                Select::Kinds(kinds)
                    if subject.kind().is_some_and(|k| kinds.iter().any(|x| x == k)) =>
                {
                    true
                }
                Select::Blocks(types) if types.contains(&subject.block.ident) => false,
                _ => continue,
            };
            let fields = subject.fields(canonical);
            match rule.fires(&fields, options) {
                Truth::True => {
                    let place = Place {
                        anchor: (
                            Arc::clone(&dir.files[subject.file].source),
                            subject.block.header.clone(),
                        ),
                        address: &subject.address,
                        kind: subject.kind().unwrap_or(&subject.block.ident),
                        nearest_profile: subject.nearest_profile_note(),
                    };
                    let mut f = finding(active, &place, &fields, caller, in_production);
                    let case = rule.case(&fields, options);
                    if let Some(items) = &case.items {
                        super::items::point_at_items(
                            &mut f,
                            items,
                            &fields,
                            subject.block,
                            dir,
                            subject.file,
                        );
                    }
                    if let (Some(spec), None) = (&rule.fix, caller) {
                        f.fix = case.target.and_then(|t| {
                            let field = fields.field(t);
                            let file = &dir.files[subject.file].source;
                            super::fixes::set_target(spec, t, subject, &field, file, canonical)
                        });
                    }
                    outcome.findings.push(f);
                }
                Truth::Unknown => outcome.unknown += 1,
                Truth::False => {}
            }
        }
    }
    if depth >= MAX_MODULE_DEPTH {
        return;
    }
    for subject in subjects.iter().filter(|s| s.block.ident == "module") {
        let Value::String(source) = subject.raw_field("source").value else {
            continue;
        };
        let child_path = if source.starts_with("./") || source.starts_with("../") {
            join_dir(&dir.path, &source)
        } else if subject.profile.is_some() {
            // a profile describes the module's inputs: it wins over the fetched code
            continue;
        } else {
            let name = subject.block.labels.first().map_or("", String::as_str);
            let key = (instance.root.to_owned(), module_key(module_path, name));
            match ctx.fetched.get(&key) {
                Some(dir) => dir.clone(),
                None => continue,
            }
        };
        let file = &dir.files[subject.file].source;
        if let Some(at) = instance.folders.iter().position(|f| *f == child_path) {
            // the call is inside the folder it calls: Terraform could never expand it
            let mut path: Vec<&str> = instance.folders[at..].iter().map(String::as_str).collect();
            path.push(&child_path);
            let span = subject
                .block
                .attribute("source")
                .map_or_else(|| subject.block.header.clone(), |a| a.span.clone());
            outcome.cycles.push(ModuleCycle {
                file: Arc::clone(file),
                span,
                message: format!(
                    "Cycle: {} calls `{source}`, a folder it is itself inside ({}): the module would contain itself without end",
                    subject.address,
                    path.join(" → "),
                ),
            });
            continue;
        }
        let budget = scope.budget();
        if outcome.instances >= budget.module_instances {
            // a wide tree of calls (each module calling several): no more instances,
            // counted once for the root
            if !outcome.instances_capped {
                outcome.instances_capped = true;
                outcome.budget_exceeded += 1;
            }
            continue;
        }
        let Some(child) = (ctx.load_dir)(&child_path) else {
            continue;
        };
        let bindings = module_arguments(scope, subject, file);
        let child_scope = Scope::with_budget(&child, bindings, budget);
        let site = CallSite {
            file: Arc::clone(file),
            header: subject.block.header.clone(),
            address: subject.address.clone(),
        };
        let mut folders = instance.folders.to_vec();
        folders.push(child_path.clone());
        outcome.instantiated.push(child_path);
        let child_module_path = format!("{}.", subject.address);
        let child = Instance {
            rules: instance.rules,
            root: instance.root,
            module_path: &child_module_path,
            caller: Some(&site),
            in_production,
            depth: depth + 1,
            folders: &folders,
        };
        check_instance(ctx, &child_scope, &child, outcome);
        outcome.budget_exceeded += child_scope.exceeded().len();
    }
}

/// Meta-arguments of a `module` block: not inputs of the module.
const META_ARGUMENTS: &[&str] = &[
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// The arguments of a module call, evaluated in the caller, as the callee's variables.
fn module_arguments(scope: &Scope<'_>, subject: &Subject<'_>, file: &Arc<SourceFile>) -> Bindings {
    subject
        .block
        .attributes
        .iter()
        .filter(|a| !META_ARGUMENTS.contains(&a.name.as_str()))
        .map(|a| {
            let value = scope.eval_in(subject.file, &a.value, &mut Vec::new());
            let binding = Binding {
                value,
                via: Some(Via {
                    file: Arc::clone(file),
                    span: a.span.clone(),
                    what: format!("argument `{}` of {}", a.name, subject.address),
                    kind: ViaKind::VariableValue,
                }),
                source: subject.address.clone(),
            };
            (a.name.clone(), binding)
        })
        .collect()
}

/// A module directory path joined with a relative module source, normalised:
/// `a/b` + `../c` is `a/c`; `.` + `./m` is `m`.
pub fn join_dir(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::join_dir;

    #[test]
    fn module_keys_follow_terraform_init() {
        assert_eq!(super::module_key("", "rds"), "rds");
        assert_eq!(
            super::module_key("module.app.module.db.", "rds"),
            "app.db.rds"
        );
    }

    #[test]
    fn module_paths_join_and_normalise() {
        assert_eq!(join_dir(".", "./modules/x"), "modules/x");
        assert_eq!(join_dir("a/b", "../c"), "a/c");
        assert_eq!(
            join_dir("../corpus/ns/resources", "./modules/sqs/"),
            "../corpus/ns/resources/modules/sqs"
        );
        assert_eq!(join_dir("a", "../../x"), "../x");
    }
}
