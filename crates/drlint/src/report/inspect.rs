//! `drlint inspect`: every data store and its effective attributes, as JSON.

use std::io;

use serde_json::{Map, Value as Json, json};

use crate::check::Report;
use crate::eval::{Value, ViaKind};
use crate::rules::Origin;

fn value_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) => Json::Array(items.iter().map(value_json).collect()),
        Value::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), value_json(v)))
                .collect(),
        ),
        Value::Unknown => json!({ "unknown": true }),
    }
}

fn origin_json(origin: &Origin) -> Json {
    match origin {
        Origin::Set {
            name,
            file,
            span,
            vias,
        } => {
            let at = file.line_col(span.start);
            // written in the block, but its value may come from further away:
            // say where the value itself was written
            let from = match vias.last().map(|v| v.kind) {
                None | Some(ViaKind::ProfileReading) => "set",
                Some(ViaKind::VariableDefault) => "variable default",
                Some(ViaKind::VariableWithoutDefault) => "variable without default",
                Some(ViaKind::Local) => "local",
                Some(ViaKind::ProfileDefault) => "default",
                Some(ViaKind::VariableValue) => "variable value",
            };
            let chain: Vec<Json> = vias
                .iter()
                .map(|v| {
                    let at = v.file.line_col(v.span.start);
                    json!({ "what": v.what, "path": v.file.path, "line": at.line })
                })
                .collect();
            let mut entry =
                json!({ "from": from, "input": name, "path": file.path, "line": at.line });
            if !chain.is_empty() {
                entry["via"] = Json::Array(chain);
            }
            entry
        }
        Origin::Default { input, profile, .. } => {
            json!({ "from": "default", "input": input, "profile": profile })
        }
        Origin::Fixed { profile, .. } => json!({ "from": "fixed", "profile": profile }),
        Origin::Companion {
            file,
            span,
            address,
            ..
        } => {
            let at = file.line_col(span.start);
            json!({ "from": "companion", "resource": address, "path": file.path, "line": at.line })
        }
        Origin::Absent => json!({ "from": "absent" }),
    }
}

/// `drlint inspect`'s JSON: every data store and its effective attributes, from a report of
/// [`crate::Linter::inspect_paths`].
pub fn render_inspection(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let stores: Vec<Json> = report
        .inspected
        .iter()
        .map(|s| {
            let at = s.file.line_col(s.span.start);
            let attributes: Map<String, Json> = s
                .fields
                .iter()
                .map(|(name, field)| {
                    let mut entry = origin_json(&field.origin);
                    entry["value"] = value_json(&field.value);
                    (name.clone(), entry)
                })
                .collect();
            json!({
                "path": s.file.path,
                "line": at.line,
                "address": s.address,
                "kind": s.kind,
                "profile": s.profile,
                "in_production": value_json(&s.in_production),
                "attributes": attributes,
            })
        })
        .collect();
    serde_json::to_writer_pretty(
        &mut *out,
        &json!({ "version": 1, "data_stores": stores, "hard_coded": hard_coded_json(report) }),
    )?;
    writeln!(out)
}

/// What each module at each ref hard-codes, once, with its number of calls.
pub fn hard_coded_json(report: &Report) -> Json {
    Json::Array(
        report
            .hard_coded
            .iter()
            .map(|h| {
                json!({
                    "module": h.module,
                    "calls": h.calls,
                    "nearest_profile": h.nearest_note,
                    "settings": h.facts.iter().map(|f| json!({
                        "setting": f.setting,
                        "consequence": f.consequence,
                        "source": f.source,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}
