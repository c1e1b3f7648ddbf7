//! PR mode: the head of a pull request judged against its base. Findings get
//! a status (new or existing), findings gone at the head are listed as fixed,
//! and change rules compare each data store's base and head: removed, renamed
//! without a `moved` block, snapshot changed, restore blocked, replaced.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::check::{Checker, Report};
use crate::eval::{Value, eval_module_expression};
use crate::finding::{Finding, Status, finalize};
use crate::profile::{ReplacementForcing, Transition};
use crate::rules::{
    Argument, Field, Fields, Inspected, Origin, Refactoring, Select, Truth, place_of,
    uncalled_finding,
};

/// How a data store changed between base and head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeKind {
    Removed,
    Renamed,
    Modified,
}

/// One data store at base and head, as the change rules see it.
struct Change<'a> {
    kind: ChangeKind,
    base: &'a Inspected,
    head: Option<&'a Inspected>,
    /// The `moved` block that would make a rename safe.
    moved_block: Option<String>,
    /// For a rename, the arguments that were also edited (`tags: … → …`).
    edits: Vec<String>,
}

/// A value as text for "did it change?", `None` when unknown; null compares as "".
fn comparable(v: &Value) -> Option<String> {
    match v {
        Value::Unknown => None,
        Value::Null => Some(String::new()),
        other => other
            .to_string_value()
            .flatten()
            .or_else(|| Some(other.to_string())),
    }
}

impl Change<'_> {
    fn side(&self, store: Option<&Inspected>, name: &str) -> Field {
        store
            .and_then(|s| s.fields.get(name).cloned())
            .unwrap_or_else(Field::absent)
    }

    /// The replacement-forcing edits made, as `input: old → new`; `None`
    /// when one may have been made but a value it depends on is unknown.
    fn replacement_changes(&self) -> Option<Vec<String>> {
        let head = self.head?;
        let mut out = Vec::new();
        let mut unknown = false;
        for forcing in &self.base.replacement_forcing {
            match replacement(forcing, self.base, head) {
                Some(Some(edit)) => out.push(edit),
                Some(None) => {}
                None => unknown = true,
            }
        }
        if out.is_empty() && unknown {
            None
        } else {
            Some(out)
        }
    }
}

/// A store's value for an input: as the block sets it, else the profile's
/// default; a raw resource's absent argument is unset, a module's absent
/// input without a known default is unknown.
fn input_value(store: &Inspected, input: &str) -> Value {
    match store.arguments.get(input) {
        Some(a) => a.value.clone(),
        None => match store.input_defaults.get(input) {
            Some(default) => default.clone(),
            None if store.module_call => Value::Unknown,
            None => Value::Null,
        },
    }
}

/// How an argument's value went from `old` to `new`; `None` when it did not change.
fn transition(old: &str, new: &str) -> Option<Transition> {
    match (old.is_empty(), new.is_empty()) {
        _ if old == new => None,
        (true, false) => Some(Transition::Add),
        (false, true) => Some(Transition::Remove),
        _ => Some(Transition::Change),
    }
}

/// Whether the edit `forcing` describes was made between base and head and
/// replaces the store: `Some(Some(description))`, `Some(None)` when not,
/// `None` when a value it depends on is unknown.
fn replacement(
    forcing: &ReplacementForcing,
    base: &Inspected,
    head: &Inspected,
) -> Option<Option<String>> {
    // left out on both sides: not edited, whatever the module's default is
    let absent = |s: &Inspected| !s.arguments.contains_key(&forcing.input);
    if absent(base) && absent(head) {
        return Some(None);
    }
    let (input_old, input_new) = (
        input_value(base, &forcing.input),
        input_value(head, &forcing.input),
    );
    let (Some(old_text), Some(new_text)) = (comparable(&input_old), comparable(&input_new)) else {
        return None;
    };
    if old_text == new_text {
        return Some(None);
    }
    // the resource argument the input feeds, as the module computes it
    let argument = |store: &Inspected| match &forcing.value {
        None => input_value(store, &forcing.input),
        Some(expr) => {
            let vars = forcing
                .inputs()
                .into_iter()
                .map(|i| {
                    let v = input_value(store, &i);
                    (i, v)
                })
                .collect();
            eval_module_expression(expr, &vars)
        }
    };
    let (old, new) = (argument(base), argument(head));
    let (Some(a), Some(b)) = (comparable(&old), comparable(&new)) else {
        return None;
    };
    match transition(&a, &b) {
        Some(how) if forcing.on.contains(&how) => {}
        _ => return Some(None),
    }
    let shown = |v: &Value, text: &str| {
        if text.is_empty() {
            "(not set)".to_owned()
        } else {
            v.to_string()
        }
    };
    let input_change = format!(
        "{}: {} → {}",
        forcing.input,
        shown(&input_old, &old_text),
        shown(&input_new, &new_text),
    );
    Some(Some(
        if forcing.value.is_some() || forcing.argument != forcing.input {
            format!(
                "{input_change}, which changes the resource's `{}` from {} to {}",
                forcing.argument,
                shown(&old, &a),
                shown(&new, &b)
            )
        } else {
            input_change
        },
    ))
}

fn derived(value: Value) -> Field {
    Field {
        value,
        origin: Origin::Absent,
    }
}

impl Fields for Change<'_> {
    fn field(&self, name: &str) -> Field {
        if let Some(attr) = name.strip_prefix("base.") {
            return self.side(Some(self.base), attr);
        }
        if let Some(attr) = name.strip_prefix("head.") {
            return self.side(self.head, attr);
        }
        if let Some(attr) = name.strip_prefix("changed.") {
            let (a, b) = (
                self.side(Some(self.base), attr).value,
                self.side(self.head, attr).value,
            );
            return derived(match (comparable(&a), comparable(&b)) {
                (Some(x), Some(y)) => Value::Bool(x != y),
                _ => Value::Unknown,
            });
        }
        match name {
            "change" => derived(Value::String(
                match self.kind {
                    ChangeKind::Removed => "removed",
                    ChangeKind::Renamed => "renamed",
                    ChangeKind::Modified => "modified",
                }
                .to_owned(),
            )),
            "address" | "old_address" => derived(Value::String(self.base.address.clone())),
            "new_address" => derived(
                self.head
                    .map_or(Value::Null, |h| Value::String(h.address.clone())),
            ),
            "moved_block" => derived(self.moved_block.clone().map_or(Value::Null, Value::String)),
            "edits" => derived(if self.edits.is_empty() {
                Value::Null
            } else {
                Value::String(self.edits.join(", "))
            }),
            "replacement_forcing_changed" => derived(match self.replacement_changes() {
                Some(c) => Value::Bool(!c.is_empty()),
                None => Value::Unknown,
            }),
            "replacement_forcing_changes" => derived(match self.replacement_changes() {
                Some(c) => Value::String(c.join(", ")),
                None => Value::Unknown,
            }),
            _ => Field::absent(),
        }
    }
}

/// Whether an argument is the same at base and head: equal values, or, when
/// either is unknown, the same expression written the same way.
fn same_argument(a: Option<&Argument>, b: Option<&Argument>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (comparable(&a.value), comparable(&b.value)) {
            (Some(x), Some(y)) => x == y,
            _ => a.text == b.text,
        },
        _ => false,
    }
}

/// At most this share of a renamed block's arguments may also be edited
/// (a tag, a comment-like description) for it to count as the same store.
const RENAME_MAX_EDITED_SHARE: usize = 5;

/// The arguments that differ between a base store and a head candidate, as
/// `name: old → new`, when the candidate is the same store under another
/// name: same kind, the same replacement-forcing arguments, and at most one
/// argument in five edited. `None` when it is another store.
fn rename_edits(a: &Inspected, b: &Inspected) -> Option<Vec<String>> {
    if a.kind != b.kind {
        return None;
    }
    let names: BTreeSet<&String> = a.arguments.keys().chain(b.arguments.keys()).collect();
    let differing: Vec<&String> = names
        .iter()
        .copied()
        .filter(|n| !same_argument(a.arguments.get(*n), b.arguments.get(*n)))
        .collect();
    let forcing_edited = differing.iter().any(|n| {
        a.replacement_forcing
            .iter()
            .chain(&b.replacement_forcing)
            .any(|r| &r.input == *n)
    });
    if forcing_edited || differing.len() * RENAME_MAX_EDITED_SHARE > names.len() {
        return None;
    }
    let shown = |arg: Option<&Argument>| match arg {
        None => "(not set)".to_owned(),
        Some(arg) if arg.value.contains_unknown() => arg.text.clone(),
        Some(arg) => arg.value.to_string(),
    };
    Some(
        differing
            .iter()
            .map(|n| {
                format!(
                    "`{n}`: {} → {}",
                    shown(a.arguments.get(*n)),
                    shown(b.arguments.get(*n))
                )
            })
            .collect(),
    )
}

/// Pairs each base data store with its head, following `moved` blocks, and
/// classifies what happened to it.
fn changes<'a>(
    base: &'a [Inspected],
    head: &'a [Inspected],
    refactorings: &[Refactoring],
) -> Vec<Change<'a>> {
    let by_address: BTreeMap<(&str, &str), &Inspected> = head
        .iter()
        .map(|h| ((h.root.as_str(), h.address.as_str()), h))
        .collect();
    let base_addresses: HashSet<(&str, &str)> = base
        .iter()
        .map(|b| (b.root.as_str(), b.address.as_str()))
        .collect();
    let mut claimed: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut out = Vec::new();
    for b in base {
        let key = (b.root.as_str(), b.address.as_str());
        if let Some(h) = by_address.get(&key) {
            claimed.insert(key);
            out.push(Change {
                kind: ChangeKind::Modified,
                base: b,
                head: Some(h),
                moved_block: None,
                edits: Vec::new(),
            });
            continue;
        }
        let refactor = refactorings
            .iter()
            .find(|r| r.root == b.root && r.from == b.address);
        match refactor {
            Some(Refactoring { to: Some(to), .. }) => {
                if let Some(h) = by_address.get(&(b.root.as_str(), to.as_str())) {
                    claimed.insert((b.root.as_str(), h.address.as_str()));
                    out.push(Change {
                        kind: ChangeKind::Modified,
                        base: b,
                        head: Some(h),
                        moved_block: None,
                        edits: Vec::new(),
                    });
                }
                continue;
            }
            // `removed { from = ... }`: the team chose to drop it from state
            Some(Refactoring { to: None, .. }) => continue,
            None => {}
        }
        // the closest unclaimed new store that is the same one under another name
        let renamed = head
            .iter()
            .filter(|h| {
                h.root == b.root
                    && !base_addresses.contains(&(h.root.as_str(), h.address.as_str()))
                    && !claimed.contains(&(h.root.as_str(), h.address.as_str()))
            })
            .filter_map(|h| Some((h, rename_edits(b, h)?)))
            .min_by_key(|(_, edits)| edits.len());
        match renamed {
            Some((h, edits)) => {
                claimed.insert((h.root.as_str(), h.address.as_str()));
                out.push(Change {
                    kind: ChangeKind::Renamed,
                    base: b,
                    head: Some(h),
                    moved_block: Some(format!(
                        "moved {{\n  from = {}\n  to   = {}\n}}",
                        b.address, h.address
                    )),
                    edits,
                });
            }
            None => out.push(Change {
                kind: ChangeKind::Removed,
                base: b,
                head: None,
                moved_block: None,
                edits: Vec::new(),
            }),
        }
    }
    out
}

/// Judges `head` against `base` (both checked with `Settings::inspect`): sets
/// each head finding's status, lists the fixed ones, adds change-rule findings.
pub fn compare(checker: &Checker, base: Report, mut head: Report) -> Report {
    let base_prints: HashSet<&str> = base
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let head_prints: HashSet<String> = head
        .findings
        .iter()
        .map(|f| f.fingerprint.clone())
        .collect();
    for f in &mut head.findings {
        f.status = Some(if base_prints.contains(f.fingerprint.as_str()) {
            Status::Existing
        } else {
            Status::New
        });
    }
    head.fixed = base
        .findings
        .iter()
        .filter(|f| !head_prints.contains(&f.fingerprint))
        .cloned()
        .collect();

    let mut added: Vec<Finding> = Vec::new();
    for change in changes(&base.inspected, &head.inspected, &head.refactorings) {
        let store = change.head.unwrap_or(change.base);
        for active in checker.active_rules(&store.root) {
            let Select::Changes(kinds) = &active.rule.select else {
                continue;
            };
            if !kinds.contains(&change.base.kind) {
                continue;
            }
            match active.rule.fires(&change, &active.options) {
                Truth::True => {
                    let place = place_of(store);
                    let mut f = uncalled_finding(&active, &place, &change, &store.in_production);
                    f.status = Some(Status::New);
                    if let (Some(spec), Some(head)) = (&active.rule.fix, change.head) {
                        f.fix =
                            crate::rules::add_to_change(spec, head, change.moved_block.as_deref());
                    }
                    added.push(f);
                }
                Truth::Unknown => head.summary.unknown += 1,
                Truth::False => {}
            }
        }
    }
    head.findings.extend(added);
    finalize(&mut head.findings);
    head.compared = true;
    head.folders.extend(base.folders);
    head
}
