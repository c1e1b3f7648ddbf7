//! The plan guard: each planned change to a data store meets the rules. Those
//! of `select: plan` see the change itself (what it destroys and why, what
//! `before` says saves the data); those of `select: kinds` see its `after`
//! values, which the code alone may not know (a data source, another module's
//! output, `-var`).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::locate::{Located, Locator};
use super::model::{Plan, ResourceChange, module_calls_of, without_keys};
use super::values::{From, Object, Read, Side, canonical};
use super::{IDENTITY_PREFIX, PlanRun, text};
use crate::check::Checker;
use crate::eval::{Value, Via, ViaKind};
use crate::finding::{Finding, Related};
use crate::profile::{Applied, Profile, ProfileSet};
use crate::rules::{
    ActiveRule, Field, Fields, IN_PRODUCTION, Inspected, Origin, PROFILE, Place, Select, Truth,
    uncalled_finding,
};

/// What the plan guard found.
pub(crate) struct Outcome {
    pub findings: Vec<Finding>,
    /// Rule × change pairs left undecided because a value is unknown until the apply.
    pub unknown: usize,
}

/// A change to a data store: a resource of a type some profile knows.
struct Store<'p> {
    change: &'p ResourceChange,
    profile: &'p Profile,
    /// The module call holding it, innermost with a profile else innermost:
    /// (address with instance keys, its profile).
    owner: Option<(String, Option<Applied<'p>>)>,
    /// The addresses its block may have in the code: its own, then the module call's.
    candidates: Vec<String>,
}

impl<'p> Store<'p> {
    fn new(
        plan: &'p Plan,
        change: &'p ResourceChange,
        profile: &'p Profile,
        profiles: &'p ProfileSet,
    ) -> Self {
        let calls = change
            .module_address
            .as_deref()
            .map(module_calls_of)
            .unwrap_or_default();
        let profiled: Vec<(String, String, Applied<'p>)> = calls
            .iter()
            .filter_map(|(path, keyed)| {
                let call = plan.module_calls.get(path)?;
                let applied = profiles.for_module(&call.source, call.version.as_deref())?;
                Some((path.clone(), keyed.clone(), applied))
            })
            .collect();
        let owner = match (profiled.last(), calls.last()) {
            (Some((_, keyed, applied)), _) => Some((keyed.clone(), Some(applied.clone()))),
            (None, Some((_, keyed))) => Some((keyed.clone(), None)),
            (None, None) => None,
        };
        let mut candidates = vec![without_keys(&change.address)];
        candidates.extend(profiled.iter().rev().map(|(path, ..)| path.clone()));
        Store {
            change,
            profile,
            owner,
            candidates,
        }
    }

    fn kind(&self) -> &'p str {
        &self.profile.kind
    }

    /// The module call and its profile's label, when the call has a profile.
    fn owner_label(&self) -> Option<(&str, String)> {
        match &self.owner {
            Some((call, Some(applied))) => Some((call.as_str(), applied.label())),
            _ => None,
        }
    }

    /// The address findings about its values name: the module call, when the
    /// call's profile is of the same kind (the code reports the call too).
    fn subject_address(&self) -> &str {
        match &self.owner {
            Some((call, Some(applied))) if applied.profile.kind == self.profile.kind => call,
            _ => &self.change.address,
        }
    }

    fn read(&self, plan: &Plan, side: Side, attribute: &str) -> Option<Read> {
        let mapping = self.profile.attributes.get(attribute)?;
        Some(canonical(plan, self.change, side, self.profile, mapping))
    }
}

/// Runs the plan's changes through the rules. `head` are the data stores the
/// code check found (to locate changes at their blocks), `code` its findings
/// (a plan finding the code already makes is left out).
pub(crate) fn check(
    checker: &Checker,
    run: &PlanRun,
    head: &[Inspected],
    code: &[Finding],
) -> Outcome {
    let plan = &run.plan;
    let profiles = checker.profiles();
    let stores: Vec<Store<'_>> = plan
        .changes
        .iter()
        .filter(|c| c.mode == "managed")
        .filter_map(|c| {
            let applied = profiles.for_resource_type(&c.ty)?;
            Some(Store::new(plan, c, applied.profile, profiles))
        })
        .collect();
    let wanted: Vec<Vec<String>> = stores.iter().map(|s| s.candidates.clone()).collect();
    let locator = Locator::new(head, &run.base, &wanted);
    let said: HashSet<(&str, String)> = code
        .iter()
        .map(|f| (f.rule.as_str(), without_keys(&f.identity)))
        .collect();
    // creates by kind and identifier, for the `moved` block a rename needs
    let mut creates: BTreeMap<(&str, String), Vec<&Store<'_>>> = BTreeMap::new();
    for s in stores.iter().filter(|s| s.change.is(&["create"])) {
        if let Some(Read {
            value: Value::String(id),
            ..
        }) = s.read(plan, Side::After, "identifier")
        {
            creates.entry((s.kind(), id)).or_default().push(s);
        }
    }
    let mut active_by_folder: BTreeMap<&str, Vec<ActiveRule<'_>>> = BTreeMap::new();
    let mut out = Outcome {
        findings: Vec::new(),
        unknown: 0,
    };
    for (store, wanted) in stores.iter().zip(&wanted) {
        let located = locator.find(wanted);
        let folder = located.map_or(plan.folder(), |l| l.store.root.as_str());
        let active = active_by_folder
            .entry(folder)
            .or_insert_with(|| checker.active_rules(folder));
        let in_production = located.map_or(Value::Unknown, |l| l.store.in_production.clone());
        // the after values are the head's: a block found only at the base is not theirs
        let at_head = located.filter(|l| !l.at_base);
        let moved_to = moved_target(plan, store, &creates);
        let change = ChangeFields {
            plan,
            store,
            in_production: in_production.clone(),
            moved_to: moved_to.as_ref().map(|(to, id)| (to.as_str(), id.as_str())),
        };
        let after = AfterFields {
            plan,
            store,
            located: at_head,
            in_production: in_production.clone(),
        };
        for a in active.iter() {
            let plan_rule = match &a.rule.select {
                Select::Plan(kinds) if kinds.iter().any(|k| k == store.kind()) => true,
                Select::Kinds(kinds)
                    if kinds.iter().any(|k| k == store.kind())
                        && Object::of(store.change, Side::After).exists() =>
                {
                    false
                }
                _ => continue,
            };
            let fields: &dyn Fields = if plan_rule { &change } else { &after };
            match a.rule.fires(fields, &a.options) {
                Truth::True => {}
                Truth::Unknown => {
                    out.unknown += 1;
                    continue;
                }
                Truth::False => continue,
            }
            let address = if plan_rule {
                store.change.address.as_str()
            } else {
                store.subject_address()
            };
            let place = place(
                plan,
                store,
                if plan_rule { located } else { at_head },
                address,
            );
            let mut f = uncalled_finding(a, &place, fields, &in_production);
            if !plan_rule && said.contains(&(a.rule.id.as_str(), without_keys(&f.identity))) {
                continue; // the code says it already, with where the value comes from
            }
            f.identity = format!("{IDENTITY_PREFIX}{}", f.identity);
            if plan_rule {
                f.label = Some(match located {
                    Some(l) if l.at_base => {
                        format!("gone at the head; {}", text::label(store.change))
                    }
                    _ => text::label(store.change),
                });
            }
            if located.is_some() && plan_rule {
                f.related.push(Related {
                    file: Arc::clone(&plan.file),
                    span: store.change.span.clone(),
                    message: format!("the plan's change to `{}`", store.change.address),
                });
            }
            out.findings.push(f);
        }
    }
    out
}

/// Where a finding about a change points: its block in the code, else its entry in the plan.
fn place<'a>(
    plan: &Plan,
    store: &'a Store<'_>,
    located: Option<Located<'a>>,
    address: &'a str,
) -> Place<'a> {
    let anchor = match located {
        Some(l) => (Arc::clone(&l.store.file), l.store.span.clone()),
        None => (Arc::clone(&plan.file), store.change.span.clone()),
    };
    Place {
        anchor,
        address,
        kind: store.kind(),
        nearest_profile: None,
    }
}

/// For a destroyed data store: a create elsewhere in the plan of the same kind
/// and identifier (the same store under a new address), and the identifier.
fn moved_target(
    plan: &Plan,
    store: &Store<'_>,
    creates: &BTreeMap<(&str, String), Vec<&Store<'_>>>,
) -> Option<(String, String)> {
    if !store.change.deletes() || store.change.actions.iter().any(|a| a == "create") {
        return None;
    }
    let Some(Read {
        value: Value::String(id),
        ..
    }) = store.read(plan, Side::Before, "identifier")
    else {
        return None;
    };
    let candidates = creates.get(&(store.kind(), id.clone()))?;
    let best = candidates
        .iter()
        .find(|c| c.change.ty == store.change.ty)
        .or(candidates.first())?;
    Some((best.change.address.clone(), id))
}

/// A canonical attribute as a field: its value, and where it is in the plan file.
fn field_of(plan: &Plan, store: &Store<'_>, read: Read) -> Field {
    let origin = match read.from {
        From::Plan { input, span, .. } => Origin::Set {
            name: input,
            file: Arc::clone(&plan.file),
            span,
            vias: Vec::new(),
        },
        From::Companion { address, span } => Origin::Companion {
            file: Arc::clone(&plan.file),
            span,
            address,
            vias: Vec::new(),
        },
        // unknown until the apply, but set: `replicate_source_db` of a replica whose source is new
        From::Unknown { input } => Origin::Set {
            name: input.unwrap_or_default(),
            file: Arc::clone(&plan.file),
            span: store.change.span.clone(),
            vias: Vec::new(),
        },
        From::Default { input } => Origin::Default {
            input,
            profile: store.profile.label(),
            note: None,
        },
        From::Absent => Origin::Absent,
    };
    Field {
        value: read.value,
        origin,
    }
}

/// The fields of the common ones: production and profile.
fn common(name: &str, store: &Store<'_>, in_production: &Value) -> Option<Field> {
    let value = match name {
        IN_PRODUCTION => in_production.clone(),
        PROFILE => Value::String(match &store.owner {
            Some((_, Some(applied))) => applied.profile.name.clone(),
            _ => store.profile.name.clone(),
        }),
        _ => return None,
    };
    Some(Field {
        value,
        origin: Origin::Absent,
    })
}

fn derived(value: Value) -> Field {
    Field {
        value,
        origin: Origin::Absent,
    }
}

fn text_or_null(text: Option<String>) -> Field {
    derived(text.map_or(Value::Null, Value::String))
}

/// What a `select: plan` rule sees of a change.
struct ChangeFields<'a, 'p> {
    plan: &'p Plan,
    store: &'a Store<'p>,
    in_production: Value,
    moved_to: Option<(&'a str, &'a str)>,
}

impl Fields for ChangeFields<'_, '_> {
    fn field(&self, name: &str) -> Field {
        let c = self.store.change;
        if let Some(f) = common(name, self.store, &self.in_production) {
            return f;
        }
        for (prefix, side) in [("before.", Side::Before), ("after.", Side::After)] {
            if let Some(attribute) = name.strip_prefix(prefix) {
                return self
                    .store
                    .read(self.plan, side, attribute)
                    .map_or_else(Field::absent, |r| field_of(self.plan, self.store, r));
            }
        }
        match name {
            "address" => derived(Value::String(c.address.clone())),
            "action" => derived(Value::String(text::action(c).to_owned())),
            "destroys" => derived(Value::Bool(c.deletes())),
            "reason" => text_or_null(c.action_reason.clone()),
            "replace_paths" => text_or_null(text::replace_paths(c)),
            "previous_address" => text_or_null(c.previous_address.clone()),
            "module_call" => text_or_null(self.store.owner.as_ref().map(|(a, _)| a.clone())),
            "change" => {
                let owner = self.store.owner_label();
                let owner = owner.as_ref().map(|(a, p)| (*a, p.as_str()));
                let gone = text::gone_module(self.plan, c);
                derived(Value::String(text::change(c, owner, gone.as_deref())))
            }
            "moved_block" => text_or_null(
                self.moved_to
                    .map(|(to, _)| text::moved_block(&c.address, to)),
            ),
            "fix" => {
                let gone = text::gone_module(self.plan, c);
                derived(Value::String(text::fix(c, self.moved_to, gone.as_deref())))
            }
            _ => Field::absent(),
        }
    }
}

/// What a `select: kinds` rule sees of a change: the canonical attributes of its `after`.
struct AfterFields<'a, 'p> {
    plan: &'p Plan,
    store: &'a Store<'p>,
    located: Option<Located<'a>>,
    in_production: Value,
}

impl Fields for AfterFields<'_, '_> {
    fn field(&self, name: &str) -> Field {
        if let Some(f) = common(name, self.store, &self.in_production) {
            return f;
        }
        if name == crate::rules::ADDRESS {
            return derived(Value::String(self.store.subject_address().to_owned()));
        }
        let Some(read) = self.store.read(self.plan, Side::After, name) else {
            return Field::absent();
        };
        let Some(located) = self.located else {
            return field_of(self.plan, self.store, read);
        };
        // in the code: the finding points at the block (the argument, when it is
        // written), and says the value is the plan's
        let (plan_span, input) = match &read.from {
            From::Plan { span, input, .. } => (span.clone(), input.clone()),
            From::Companion { span, .. } => (span.clone(), name.to_owned()),
            _ => return field_of(self.plan, self.store, read),
        };
        let via = Via {
            file: Arc::clone(&self.plan.file),
            span: plan_span,
            what: format!(
                "plan, whose `after` for `{}` is {}",
                self.store.change.address, read.value
            ),
            kind: ViaKind::VariableValue,
        };
        let origin = match located.store.fields.get(name).map(|f| &f.origin) {
            Some(Origin::Set {
                name, file, span, ..
            }) => Origin::Set {
                name: name.clone(),
                file: Arc::clone(file),
                span: span.clone(),
                vias: vec![via],
            },
            _ => Origin::Set {
                name: input,
                file: Arc::clone(&located.store.file),
                span: located.store.span.clone(),
                vias: vec![via],
            },
        };
        Field {
            value: read.value,
            origin,
        }
    }
}
