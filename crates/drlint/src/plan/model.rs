//! The plan as drlint reads it: `terraform show -json` output, format 1.x,
//! reduced to the resource changes (with their spans in the file), the
//! module calls of the configuration (with their sources, for module
//! profiles) and the references between resources (for companions).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use super::json::{self, Kind, Node};
use crate::source::SourceFile;

/// A plan read from `terraform show -json`.
#[derive(Debug)]
pub struct Plan {
    /// The file, as findings that cannot be placed in the code point into it.
    pub file: Arc<SourceFile>,
    /// The plan's format (`1.x`) and Terraform's version, as the file gives them (kept for
    /// debugging; the checks do not depend on them).
    #[allow(dead_code)]
    pub format_version: String,
    #[allow(dead_code)]
    pub terraform_version: Option<String>,
    pub(crate) changes: Vec<ResourceChange>,
    /// Module calls by path without instance keys (`module.app.module.db`).
    pub(crate) module_calls: BTreeMap<String, ModuleCall>,
    /// For each resource of the configuration (address without instance keys,
    /// `module.app.aws_s3_bucket_versioning.v`): what each top-level argument refers to.
    pub(crate) references: HashMap<String, BTreeMap<String, Vec<String>>>,
    /// The changes by resource type and module instance, for companions.
    by_type: HashMap<(String, Option<String>), Vec<usize>>,
}

#[derive(Debug, Clone)]
pub(crate) struct ModuleCall {
    pub source: String,
    pub version: Option<String>,
}

/// One entry of `resource_changes`.
#[derive(Debug)]
pub(crate) struct ResourceChange {
    /// `module.orders_db.aws_db_instance.this`, `aws_db_instance.db[2]`.
    pub address: String,
    /// The module instance holding it (`module.dbs["a"]`), `None` at the root.
    pub module_address: Option<String>,
    pub mode: String,
    pub ty: String,
    /// Its address before a `moved` block moved it.
    pub previous_address: Option<String>,
    /// The deposed object's key, for a leftover of an earlier replacement.
    pub deposed: Option<String>,
    pub actions: Vec<String>,
    pub action_reason: Option<String>,
    pub before: Option<Node>,
    pub after: Option<Node>,
    pub after_unknown: Option<Node>,
    pub before_sensitive: Option<Node>,
    pub after_sensitive: Option<Node>,
    /// Each path a list of steps: attribute names and list indexes.
    pub replace_paths: Vec<Vec<Step>>,
    /// Its `"address": "..."` member: where a finding that has no block points.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Key(String),
    Index(f64),
}

impl ResourceChange {
    pub fn is(&self, actions: &[&str]) -> bool {
        self.actions.len() == actions.len() && self.actions.iter().zip(actions).all(|(a, b)| a == b)
    }

    pub fn deletes(&self) -> bool {
        self.actions.iter().any(|a| a == "delete")
    }
}

/// Why a plan file could not be read: the path, and the line and column when it is malformed JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub path: String,
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for PlanError {}

/// Whether drlint reads the member at `path`: the changes whole, and of the
/// configuration only module calls' sources and resources' references; the
/// rest (`planned_values`, `prior_state`, constant values) is checked, not kept.
fn read(path: &[String]) -> bool {
    let at = |i: usize| path.get(i).map(String::as_str);
    match at(0) {
        Some("format_version" | "terraform_version" | "resource_changes") => true,
        Some("configuration") => match at(1) {
            None => true,
            Some("root_module") => read_module_part(&path[2..]),
            Some(_) => false,
        },
        _ => false,
    }
}

/// Within a module of the configuration (`root_module`, or a call's `module`).
fn read_module_part(path: &[String]) -> bool {
    let at = |i: usize| path.get(i).map(String::as_str);
    match (at(0), at(1), at(2), at(3)) {
        (None, ..) | (Some("resources" | "module_calls"), None, ..) => true,
        (Some("resources"), Some("address" | "expressions"), None, _) => true,
        (Some("resources"), Some("expressions"), Some(_), None) => true,
        (Some("resources"), Some("expressions"), Some(_), Some("references")) => path.len() == 4,
        (Some("module_calls"), Some(_), None, _) => true,
        (Some("module_calls"), Some(_), Some("source" | "version_constraint"), None) => true,
        (Some("module_calls"), Some(_), Some("module"), _) => read_module_part(&path[3..]),
        _ => false,
    }
}

impl Plan {
    /// Reads the bytes of a `terraform show -json` file (`path` is its display
    /// path). The caller bounds their size (`--max-file-size`).
    pub fn parse(path: &str, bytes: &[u8]) -> Result<Plan, PlanError> {
        let fail = |at: Option<(usize, usize)>, message: String| PlanError {
            path: path.to_owned(),
            at,
            message,
        };
        if bytes.starts_with(b"PK") {
            return Err(fail(
                None,
                format!(
                    "a binary plan file (the zip archive `terraform plan -out` writes), which only terraform can read: run `terraform show -json {path} > plan.json` and pass `--plan plan.json`"
                ),
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            fail(
                None,
                format!(
                    "not UTF-8 text (invalid byte at offset {}): `terraform show -json` writes UTF-8 JSON",
                    e.valid_up_to()
                ),
            )
        })?;
        let file = Arc::new(SourceFile::new(path, text));
        let at = |offset: usize| {
            let lc = file.line_col(offset);
            Some((lc.line, lc.column))
        };
        let doc = json::parse(text, read)
            .map_err(|e| fail(at(e.offset), format!("not valid JSON: {}", e.message)))?;
        let not_a_plan = |what: &str| {
            fail(
                None,
                format!("{what}: drlint reads the output of `terraform show -json PLANFILE`"),
            )
        };
        if !matches!(doc.kind, Kind::Object(_)) {
            return Err(not_a_plan("not a JSON object"));
        }
        let version = doc.get("format_version").and_then(Node::as_str);
        let Some(version) = version.map(str::to_owned) else {
            return Err(not_a_plan("no `format_version`"));
        };
        if version.split('.').next() != Some("1") {
            return Err(fail(
                at(doc.member("format_version").map_or(0, |m| m.start)),
                format!(
                    "plan format {version} is not supported: drlint reads format 1.x (Terraform 1.x, OpenTofu)"
                ),
            ));
        }
        if doc.member("planned_values").is_none() && doc.member("resource_changes").is_none() {
            return Err(not_a_plan(
                "no `planned_values` or `resource_changes`, so not a plan (the JSON of a state?)",
            ));
        }
        let terraform_version = doc
            .get("terraform_version")
            .and_then(Node::as_str)
            .map(str::to_owned);
        let mut members = doc.into_members();
        let mut take = |key: &str| {
            members
                .iter()
                .position(|m| m.key == key)
                .map(|i| members.swap_remove(i).value)
        };
        let mut changes = Vec::new();
        let (rc, configuration) = (take("resource_changes"), take("configuration"));
        for (i, entry) in rc
            .map(Node::into_items)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
        {
            let offset = entry.span.start;
            changes.push(
                resource_change(entry)
                    .map_err(|what| fail(at(offset), format!("resource_changes[{i}] {what}")))?,
            );
        }
        let mut module_calls = BTreeMap::new();
        let mut references = HashMap::new();
        if let Some(root) = configuration.as_ref().and_then(|c| c.get("root_module")) {
            read_module(root, "", &mut module_calls, &mut references, 0);
        }
        let mut by_type: HashMap<(String, Option<String>), Vec<usize>> = HashMap::new();
        for (i, c) in changes.iter().enumerate() {
            by_type
                .entry((c.ty.clone(), c.module_address.clone()))
                .or_default()
                .push(i);
        }
        Ok(Plan {
            file,
            format_version: version,
            terraform_version,
            changes,
            module_calls,
            references,
            by_type,
        })
    }

    /// The changes to resources of type `ty` in the module instance `module`.
    pub(crate) fn of_type_in<'p>(
        &'p self,
        ty: &str,
        module: Option<&str>,
    ) -> impl Iterator<Item = &'p ResourceChange> + 'p {
        self.by_type
            .get(&(ty.to_owned(), module.map(str::to_owned)))
            .into_iter()
            .flatten()
            .map(|&i| &self.changes[i])
    }

    /// The folder of the plan file (display path).
    pub fn folder(&self) -> &str {
        crate::check::split_path(&self.file.path).0
    }
}

fn string(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::as_str).map(str::to_owned)
}

/// One `resource_changes` entry, or what it lacks.
fn resource_change(entry: Node) -> Result<ResourceChange, &'static str> {
    let span = entry
        .member("address")
        .map_or(entry.span.clone(), |m| m.span());
    let mut members = entry.into_members();
    let mut take = |key: &str| {
        members
            .iter()
            .position(|m| m.key == key)
            .map(|i| members.swap_remove(i).value)
    };
    let address = string(take("address").as_ref()).ok_or("has no `address`")?;
    let mode = string(take("mode").as_ref()).unwrap_or_else(|| "managed".to_owned());
    let ty = string(take("type").as_ref()).ok_or("has no `type`")?;
    let module_address = string(take("module_address").as_ref());
    let previous_address = string(take("previous_address").as_ref());
    let deposed = string(take("deposed").as_ref());
    let action_reason = string(take("action_reason").as_ref());
    let change = take("change").ok_or("has no `change`")?;
    let mut change = change.into_members();
    let mut field = |key: &str| {
        change
            .iter()
            .position(|m| m.key == key)
            .map(|i| change.swap_remove(i).value)
            .filter(|n| !n.is_null())
    };
    let actions: Vec<String> = field("actions")
        .ok_or("has no `change.actions`")?
        .as_array()
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    if actions.is_empty() {
        return Err("has no `change.actions`");
    }
    let replace_paths = field("replace_paths")
        .map(|p| {
            p.as_array()
                .iter()
                .map(|path| {
                    path.as_array()
                        .iter()
                        .filter_map(|step| match &step.kind {
                            Kind::String(s) => Some(Step::Key(s.clone())),
                            Kind::Number(n) => Some(Step::Index(*n)),
                            _ => None,
                        })
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ResourceChange {
        address,
        module_address,
        mode,
        ty,
        previous_address,
        deposed,
        actions,
        action_reason,
        before: field("before"),
        after: field("after"),
        after_unknown: field("after_unknown"),
        before_sensitive: field("before_sensitive"),
        after_sensitive: field("after_sensitive"),
        replace_paths,
        span,
    })
}

/// Module calls and resource references of one module of the configuration,
/// then of the modules it calls (at most 64 deep).
fn read_module(
    module: &Node,
    prefix: &str,
    calls: &mut BTreeMap<String, ModuleCall>,
    references: &mut HashMap<String, BTreeMap<String, Vec<String>>>,
    depth: usize,
) {
    for resource in module.get("resources").map_or(&[][..], Node::as_array) {
        let Some(address) = resource.get("address").and_then(Node::as_str) else {
            continue;
        };
        let mut refs = BTreeMap::new();
        if let Some(Kind::Object(expressions)) = resource.get("expressions").map(|e| &e.kind) {
            for m in expressions {
                let list: Vec<String> = m
                    .value
                    .get("references")
                    .map_or(&[][..], Node::as_array)
                    .iter()
                    .filter_map(|r| r.as_str().map(str::to_owned))
                    .collect();
                if !list.is_empty() {
                    refs.insert(m.key.clone(), list);
                }
            }
        }
        if !refs.is_empty() {
            references.insert(format!("{prefix}{address}"), refs);
        }
    }
    if depth >= 64 {
        return;
    }
    let Some(Kind::Object(module_calls)) = module.get("module_calls").map(|c| &c.kind) else {
        return;
    };
    for call in module_calls {
        let path = format!("{prefix}module.{}", call.key);
        if let Some(source) = call.value.get("source").and_then(Node::as_str) {
            calls.insert(
                path.clone(),
                ModuleCall {
                    source: source.to_owned(),
                    version: string(call.value.get("version_constraint")),
                },
            );
        }
        if let Some(inner) = call.value.get("module") {
            read_module(inner, &format!("{path}."), calls, references, depth + 1);
        }
    }
}

/// An address without its instance keys: `module.dbs["a"].aws_db_instance.this[0]`
/// is `module.dbs.aws_db_instance.this` (a key may hold dots and brackets).
pub(crate) fn without_keys(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut chars = address.chars();
    while let Some(c) = chars.next() {
        if c != '[' {
            out.push(c);
            continue;
        }
        let mut quoted = false;
        while let Some(k) = chars.next() {
            match k {
                '\\' if quoted => {
                    chars.next();
                }
                '"' => quoted = !quoted,
                ']' if !quoted => break,
                _ => {}
            }
        }
    }
    out
}

/// The module calls an address is inside, outermost first, without instance
/// keys and with them: `module.a["x"].module.b` gives (`module.a`, `module.a["x"]`)
/// and (`module.a.module.b`, `module.a["x"].module.b`).
pub(crate) fn module_calls_of(module_address: &str) -> Vec<(String, String)> {
    let parts = top_level_parts(module_address);
    let mut out = Vec::new();
    let mut keyed = String::new();
    for pair in parts.chunks(2) {
        let [kind, name] = pair else { break };
        if *kind != "module" {
            break;
        }
        if !keyed.is_empty() {
            keyed.push('.');
        }
        keyed.push_str("module.");
        keyed.push_str(name);
        out.push((without_keys(&keyed), keyed.clone()));
    }
    out
}

/// An address split at its dots, except those inside instance keys.
pub(crate) fn top_level_parts(address: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut depth, mut quoted, mut escaped) = (0, 0usize, false, false);
    for (i, c) in address.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                out.push(&address[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&address[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_lose_their_instance_keys() {
        assert_eq!(without_keys("aws_db_instance.db[2]"), "aws_db_instance.db");
        assert_eq!(
            without_keys(r#"module.dbs["a.b]"].aws_db_instance.this["x\"]"]"#),
            "module.dbs.aws_db_instance.this"
        );
        assert_eq!(
            without_keys("module.x.aws_s3_bucket.b"),
            "module.x.aws_s3_bucket.b"
        );
    }

    #[test]
    fn module_addresses_split_into_their_calls() {
        assert_eq!(
            module_calls_of(r#"module.a["x.y"].module.b"#),
            vec![
                ("module.a".to_owned(), r#"module.a["x.y"]"#.to_owned()),
                (
                    "module.a.module.b".to_owned(),
                    r#"module.a["x.y"].module.b"#.to_owned()
                ),
            ]
        );
        assert_eq!(
            module_calls_of("module.orders_db"),
            vec![("module.orders_db".to_owned(), "module.orders_db".to_owned())]
        );
    }

    fn plan(text: &str) -> Result<Plan, PlanError> {
        Plan::parse("plan.json", text.as_bytes())
    }

    #[test]
    fn what_is_not_a_json_plan_is_said_clearly() {
        let zip = plan("PK\u{3}\u{4}rest").unwrap_err();
        assert!(
            zip.to_string().starts_with("plan.json: a binary plan file"),
            "{zip}"
        );
        assert!(
            zip.message
                .contains("terraform show -json plan.json > plan.json")
        );
        let bad =
            plan("{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [,]\n}").unwrap_err();
        assert_eq!(
            bad.to_string(),
            "plan.json:3:24: not valid JSON: expected a JSON value, found `,`"
        );
        let state = plan(r#"{"format_version": "1.0", "values": {}}"#).unwrap_err();
        assert!(state.message.contains("the JSON of a state?"), "{state}");
        let future = plan(r#"{"format_version": "2.0", "resource_changes": []}"#).unwrap_err();
        assert!(
            future.message.contains("plan format 2.0 is not supported"),
            "{future}"
        );
        let array = plan("[]").unwrap_err();
        assert!(array.message.starts_with("not a JSON object"), "{array}");
        let entry =
            plan(r#"{"format_version": "1.2", "resource_changes": [{"type": "x"}]}"#).unwrap_err();
        assert_eq!(
            entry.to_string(),
            "plan.json:1:48: resource_changes[0] has no `address`"
        );
        let binary = Plan::parse("p.json", b"{\"a\": \"\xff\"}").unwrap_err();
        assert!(
            binary
                .message
                .starts_with("not UTF-8 text (invalid byte at offset 7)")
        );
    }

    #[test]
    fn of_the_configuration_only_sources_and_references_are_read() {
        let p = |keys: &[&str]| read(&keys.iter().map(|k| k.to_string()).collect::<Vec<_>>());
        assert!(p(&["resource_changes", "change", "after", "tags", "x"]));
        assert!(!p(&["prior_state"]));
        assert!(!p(&["planned_values"]));
        let root = ["configuration", "root_module"];
        let under = |rest: &[&str]| p(&[&root[..], rest].concat());
        assert!(under(&["module_calls", "db", "source"]));
        assert!(under(&[
            "module_calls",
            "db",
            "module",
            "module_calls",
            "x",
            "version_constraint"
        ]));
        assert!(under(&[
            "module_calls",
            "db",
            "module",
            "resources",
            "expressions",
            "bucket",
            "references"
        ]));
        assert!(!under(&[
            "resources",
            "expressions",
            "bucket",
            "constant_value"
        ]));
        assert!(!under(&["module_calls", "db", "expressions"]));
        assert!(!under(&[
            "resources",
            "expressions",
            "rule",
            "status",
            "references"
        ]));
    }

    #[test]
    fn an_empty_plan_has_no_changes() {
        let p = plan(r#"{"format_version": "1.2", "planned_values": {}}"#).unwrap();
        assert!(p.changes.is_empty());
        assert_eq!(p.folder(), ".");
    }
}
