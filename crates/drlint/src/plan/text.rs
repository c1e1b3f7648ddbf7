//! The words of a plan finding: what the plan does to the data store and why
//! (Terraform's `action_reason`, the `replace_paths`), and how to avoid it.

use super::json::{Kind, Node};
use super::model::{Plan, ResourceChange, Step, module_calls_of, without_keys};

/// What the plan does, as the `action` field gives it.
pub(crate) fn action(c: &ResourceChange) -> &'static str {
    let a: Vec<&str> = c.actions.iter().map(String::as_str).collect();
    match a.as_slice() {
        ["delete"] => "delete",
        ["delete", "create"] | ["create", "delete"] => "replace",
        ["create"] => "create",
        ["update"] => "update",
        ["forget"] => "forget",
        ["read"] => "read",
        ["no-op"] => "no-op",
        _ if a.contains(&"delete") => "delete",
        _ => "other",
    }
}

/// `engine`, `encrypt_at_rest[0].kms_key_id`.
fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The node at exact steps (`[0]` an index), with its unknown and sensitive marks.
fn at<'n>(
    mut node: Option<&'n Node>,
    mut marks: [Option<&'n Node>; 2],
    path: &[Step],
) -> (Option<&'n Node>, [bool; 2]) {
    let step_into = |n: Option<&'n Node>, step: &Step| match (n.map(|n| &n.kind), step) {
        (Some(Kind::Object(_)), Step::Key(k)) => n.and_then(|n| n.get(k)),
        (Some(Kind::Array(items)), Step::Index(i)) => items.get(*i as usize),
        _ => None,
    };
    for step in path {
        if marks.iter().any(|m| m.is_some_and(Node::is_true)) {
            break;
        }
        node = step_into(node, step);
        marks = marks.map(|m| step_into(m, step));
    }
    (
        node,
        marks.map(|m| m.is_some_and(|m| !matches!(m.kind, Kind::Bool(false)))),
    )
}

/// A scalar as a message shows it; `None` for objects and lists.
fn scalar(node: Option<&Node>) -> Option<String> {
    match node.map(|n| &n.kind) {
        None | Some(Kind::Null) => Some("(not set)".to_owned()),
        Some(Kind::Bool(b)) => Some(b.to_string()),
        Some(Kind::Number(n)) => Some(crate::eval::format_number(*n)),
        Some(Kind::String(s)) if s.chars().count() <= 80 => Some(s.clone()),
        _ => None,
    }
}

/// One replace path with its values: "`engine` (postgres → mysql)".
fn replaced(c: &ResourceChange, path: &[Step]) -> String {
    let (before, [_, before_secret]) =
        at(c.before.as_ref(), [None, c.before_sensitive.as_ref()], path);
    let (after, [after_unknown, after_secret]) = at(
        c.after.as_ref(),
        [c.after_unknown.as_ref(), c.after_sensitive.as_ref()],
        path,
    );
    let name = format!("`{}`", path_text(path));
    if before_secret || after_secret {
        return format!("{name} (sensitive)");
    }
    let new = if after_unknown {
        Some("(known after apply)".to_owned())
    } else {
        scalar(after)
    };
    match (scalar(before), new) {
        (Some(old), Some(new)) => format!("{name} ({old} → {new})"),
        _ => name,
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The replace paths, as `replace_paths` lists them: "`engine` (postgres → mysql)".
pub(crate) fn replace_paths(c: &ResourceChange) -> Option<String> {
    let paths: Vec<String> = c.replace_paths.iter().map(|p| replaced(c, p)).collect();
    (!paths.is_empty()).then(|| and_list(&paths))
}

/// The instance key at the end of an address: `2` for `db[2]`, `"b"` for `db["b"]`.
fn last_key(address: &str) -> Option<&str> {
    let inner = address.strip_suffix(']')?;
    let open = inner.rfind('[')?;
    Some(&inner[open + 1..])
}

/// The outermost module call holding the resource that the configuration no
/// longer has (Terraform 1.11 then says `delete_because_no_resource_config`).
pub(crate) fn gone_module(plan: &Plan, c: &ResourceChange) -> Option<String> {
    let calls = module_calls_of(c.module_address.as_deref()?);
    calls
        .into_iter()
        .map(|(path, _)| path)
        .find(|path| !plan.module_calls.contains_key(path))
}

/// Terraform's reason, in words: what follows "because".
fn reason_words(c: &ResourceChange, gone: Option<&str>) -> Option<String> {
    let key = last_key(&c.address).unwrap_or("its key");
    let module = without_keys(c.module_address.as_deref().unwrap_or("its module"));
    Some(match c.action_reason.as_deref() {
        Some("delete_because_no_resource_config" | "delete_because_no_module")
            if gone.is_some() =>
        {
            format!(
                "the module call `{}` is gone from the configuration",
                gone.unwrap_or_default()
            )
        }
        Some("replace_because_cannot_update") | None if action(c) == "replace" => {
            match replace_paths(c) {
                Some(paths) => format!("{paths} changed, which Terraform cannot update in place"),
                None => "Terraform cannot update it in place".to_owned(),
            }
        }
        Some("replace_because_tainted") => {
            "it is tainted (a failed create, or `terraform taint`)".to_owned()
        }
        Some("replace_by_request") => "`-replace` asked for it".to_owned(),
        Some("replace_by_triggers") => {
            "a resource its `replace_triggered_by` names changed".to_owned()
        }
        Some("delete_because_no_resource_config") => {
            "its block is gone from the configuration".to_owned()
        }
        Some("delete_because_no_module") => {
            format!("the module call `{module}` is gone from the configuration")
        }
        Some("delete_because_count_index") => format!("index {key} is past the block's `count`"),
        Some("delete_because_each_key") => {
            format!("key {key} is no longer in the block's `for_each`")
        }
        Some("delete_because_wrong_repetition") => {
            "the block switched between `count`, `for_each` and neither".to_owned()
        }
        Some("delete_because_no_move_target") => {
            "a `moved` block moves it to an address that is not in the configuration".to_owned()
        }
        Some(other) => format!("of `{other}`"),
        None if c.deposed.is_some() => {
            "it is a deposed object, left over from an earlier replacement".to_owned()
        }
        None => return None,
    })
}

/// "because ... (`reason`)", or that Terraform gives none.
fn because(c: &ResourceChange, gone: Option<&str>) -> String {
    let code = c
        .action_reason
        .as_deref()
        .map(|r| format!(" (`{r}`)"))
        .unwrap_or_default();
    match reason_words(c, gone) {
        Some(words) => format!("because {words}{code}"),
        None => "(Terraform gives no reason)".to_owned(),
    }
}

/// `` `aws_db_instance.db` is destroyed because ... `` (the `change` field), with the
/// module call and its profile when the resource is inside one that has a profile.
pub(crate) fn change(
    c: &ResourceChange,
    owner: Option<(&str, &str)>,
    gone: Option<&str>,
) -> String {
    let subject = match owner {
        Some((call, profile)) => format!("`{}` (in `{call}`, {profile})", c.address),
        None => format!("`{}`", c.address),
    };
    let deposed = c
        .deposed
        .as_deref()
        .map(|d| format!(" (deposed object {d})"))
        .unwrap_or_default();
    match (action(c), c.actions.first().map(String::as_str)) {
        ("replace", Some("create")) => format!(
            "{subject}{deposed} is replaced {}: a new, empty one is created, then the old one destroyed",
            because(c, gone)
        ),
        ("replace", _) => format!(
            "{subject}{deposed} is replaced {}: destroyed, then created empty",
            because(c, gone)
        ),
        _ => format!("{subject}{deposed} is destroyed {}", because(c, gone)),
    }
}

/// The label at the finding's place.
pub(crate) fn label(c: &ResourceChange) -> String {
    let actions = c.actions.join(", ");
    match (&c.action_reason, replace_paths(c)) {
        (_, Some(paths)) if action(c) == "replace" => format!("planned: {actions}, for {paths}"),
        (Some(r), _) => format!("planned: {actions} ({r})"),
        (None, _) => format!("planned: {actions}"),
    }
}

/// A `moved` block, as PR mode writes it.
pub(crate) fn moved_block(from: &str, to: &str) -> String {
    format!("moved {{\n  from = {from}\n  to   = {to}\n}}")
}

/// How to keep the data, for the `fix` field.
pub(crate) fn fix(
    c: &ResourceChange,
    moved_to: Option<(&str, &str)>,
    gone: Option<&str>,
) -> String {
    let block = without_keys(&c.address);
    if let Some((to, identifier)) = moved_to {
        return format!(
            "The plan creates `{to}` with the same identifier, `{identifier}`: if it is the same data store under a new address, add this block, so that Terraform moves it in state instead of destroying it and creating an empty one:\n\n{}",
            moved_block(&c.address, to)
        );
    }
    let removed = |from: &str| {
        format!("removed {{\n  from = {from}\n  lifecycle {{\n    destroy = false\n  }}\n}}")
    };
    match (action(c), c.action_reason.as_deref()) {
        ("replace", Some("replace_because_tainted")) => format!(
            "If the instance is healthy, `terraform untaint {}` keeps it. Else take a snapshot before the apply replaces it.",
            c.address
        ),
        ("replace", Some("replace_by_request")) => format!(
            "Drop `-replace={}` unless the data is saved elsewhere first.",
            c.address
        ),
        ("replace", _) => {
            let what = replace_paths(c).unwrap_or_else(|| "the edit".to_owned());
            format!(
                "Undo the edit of {what}: the data store cannot take it in place. If the replacement is wanted, take a snapshot first, apply it on its own, and restore the data into the new one (then suppress this finding, with the reason)."
            )
        }
        (_, Some("delete_because_count_index")) => format!(
            "The instances of `{block}` are numbered by `count`: removing an entry from the middle of a list destroys the last instance and renames the ones after it. Key them with `for_each` instead (`for_each = toset(var.names)`) and add one `moved` block per instance, from its index to its key (`moved {{ from = {block}[0] to = {block}[\"<key>\"] }}`), so that each keeps its data. If the instance should go, take a final snapshot first."
        ),
        (_, Some("delete_because_each_key")) => format!(
            "Put the key back in the block's `for_each` if the data store should stay; if it moved to another key, add a `moved {{ from = {} to = {block}[<new key>] }}` block.",
            c.address
        ),
        _ if gone.is_some() => {
            let outer = gone.unwrap_or_default();
            format!(
                "If the module's data stores should stay but leave Terraform's control, add:\n\n{}\n\nIf the module moved to another address, add a `moved` block instead. If it must be destroyed, take a final snapshot first (then suppress this finding, with the reason).",
                removed(outer)
            )
        }
        _ => format!(
            "If the data store should stay but leave Terraform's control, add:\n\n{}\n\nIf it moved to another address, add a `moved` block instead. If it must be destroyed, take a final snapshot first (then suppress this finding, with the reason).",
            removed(&block)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_lists_read_as_words() {
        assert_eq!(last_key("aws_db_instance.db[2]"), Some("2"));
        assert_eq!(last_key(r#"aws_db_instance.db["b"]"#), Some("\"b\""));
        assert_eq!(last_key("aws_db_instance.db"), None);
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&items(&["a"])), "a");
        assert_eq!(and_list(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(
            path_text(&[
                Step::Key("encrypt_at_rest".into()),
                Step::Index(0.0),
                Step::Key("kms_key_id".into())
            ]),
            "encrypt_at_rest[0].kms_key_id"
        );
    }
}
