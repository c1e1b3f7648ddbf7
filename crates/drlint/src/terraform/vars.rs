//! Variable values from outside the module's defaults, with Terraform's
//! precedence (lowest first): `TF_VAR_*` environment variables,
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` and
//! `*.auto.tfvars.json` in lexical order, then `--var-file` and `--var` in the
//! order given on the command line.

use std::sync::Arc;

use crate::eval::{Binding, Bindings, Budget, Scope, Value, Via, ViaKind};
use crate::hcl::{ParseError, parse_hcl};
use crate::model::{ModuleDir, TfFile};
use crate::source::{SourceFile, floor_char_boundary};

/// A value given on the command line or in the environment, as text.
#[derive(Debug, Clone)]
pub struct RawVar {
    pub name: String,
    pub value: String,
    /// How the user set it: "`--var`", "`TF_VAR_x`".
    pub source: String,
}

/// Whether Terraform loads this file of a module directory automatically.
pub fn is_auto_tfvars(file_name: &str) -> bool {
    file_name == "terraform.tfvars"
        || file_name == "terraform.tfvars.json"
        || file_name.ends_with(".auto.tfvars")
        || file_name.ends_with(".auto.tfvars.json")
}

/// Loading order of automatic tfvars files: `terraform.tfvars`, then
/// `terraform.tfvars.json`, then `*.auto.tfvars(.json)` by name.
pub fn auto_tfvars_rank(file_name: &str) -> (u8, String) {
    match file_name {
        "terraform.tfvars" => (0, String::new()),
        "terraform.tfvars.json" => (1, String::new()),
        other => (2, other.to_owned()),
    }
}

/// A raw value as Terraform reads `-var` and `TF_VAR_*`: a string, unless it
/// is written as an HCL list or object.
#[cfg(test)]
pub fn raw_value(raw: &str) -> Value {
    raw_value_within(raw, Budget::default()).0
}

/// [`raw_value`] within a budget, with the number of places it cut short.
pub fn raw_value_within(raw: &str, budget: Budget) -> (Value, usize) {
    let trimmed = raw.trim_start();
    if (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && let Some(v) = literal_expression(raw, budget)
    {
        return v;
    }
    (Value::String(raw.to_owned()), 0)
}

fn literal_expression(text: &str, budget: Budget) -> Option<(Value, usize)> {
    let source = format!("v = {text}\n");
    let file = Arc::new(SourceFile::new("<value>", source));
    let parsed = parse_hcl(&file.text).ok()?;
    let dir = ModuleDir {
        path: String::new(),
        files: vec![TfFile::from_body(file, parsed.body, parsed.duplicate_keys)],
    };
    let scope = Scope::with_budget(&dir, Bindings::new(), budget);
    let attr = dir.files[0].attributes.first()?;
    let value = scope.eval_in(0, &attr.value, &mut Vec::new());
    Some((value, scope.exceeded().len()))
}

/// Binds a `--var` or `TF_VAR_*` value; the number of places the budget cut short.
pub fn bind_raw(bindings: &mut Bindings, var: &RawVar, budget: Budget) -> usize {
    let (value, exceeded) = raw_value_within(&var.value, budget);
    bindings.insert(
        var.name.clone(),
        Binding {
            value,
            via: None,
            source: var.source.clone(),
        },
    );
    exceeded
}

/// Reads a `.tfvars` (HCL) or `.tfvars.json` file into bindings; the number
/// of places whose value the budget cut short.
pub fn read_tfvars(
    file: &Arc<SourceFile>,
    bindings: &mut Bindings,
    budget: Budget,
) -> Result<usize, ParseError> {
    if file.path.ends_with(".json") {
        return read_tfvars_json(file, bindings).map(|()| 0);
    }
    let parsed = parse_hcl(&file.text)?;
    let dir = ModuleDir {
        path: String::new(),
        files: vec![TfFile::from_body(
            Arc::clone(file),
            parsed.body,
            parsed.duplicate_keys,
        )],
    };
    if let Some(block) = dir.files[0].blocks.first() {
        return Err(ParseError {
            offset: block.span.start,
            message: "a variables file holds only `name = value` assignments, not blocks"
                .to_owned(),
        });
    }
    let scope = Scope::with_budget(&dir, Bindings::new(), budget);
    for attr in &dir.files[0].attributes {
        let value = scope.eval_in(0, &attr.value, &mut Vec::new());
        bindings.insert(
            attr.name.clone(),
            Binding {
                value,
                via: Some(Via {
                    file: Arc::clone(file),
                    span: attr.span.clone(),
                    what: format!("value in {}", file.path),
                    kind: ViaKind::VariableValue,
                }),
                source: file.path.clone(),
            },
        );
    }
    Ok(scope.exceeded().len())
}

fn read_tfvars_json(file: &Arc<SourceFile>, bindings: &mut Bindings) -> Result<(), ParseError> {
    let json: serde_json::Value = serde_json::from_str(&file.text).map_err(|e| {
        // serde_json counts columns in bytes, up to the byte it stopped at, which
        // may be inside a character: the offset is floored to that character
        let line = e.line().max(1);
        let offset = file.line_start(line) + e.column().saturating_sub(1);
        ParseError {
            offset: floor_char_boundary(&file.text, offset),
            message: format!("invalid JSON: {e}"),
        }
    })?;
    let serde_json::Value::Object(map) = json else {
        return Err(ParseError {
            offset: 0,
            message: "a .tfvars.json file must hold one JSON object".to_owned(),
        });
    };
    for (name, value) in map {
        let needle = format!("\"{name}\"");
        let span = file
            .text
            .find(&needle)
            .map_or(0..0, |start| start..start + needle.len());
        bindings.insert(
            name.clone(),
            Binding {
                value: from_json(&value),
                via: Some(Via {
                    file: Arc::clone(file),
                    span,
                    what: format!("value in {}", file.path),
                    kind: ViaKind::VariableValue,
                }),
                source: file.path.clone(),
            },
        );
    }
    Ok(())
}

fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n.as_f64().map_or(Value::Unknown, Value::Number),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_strings_unless_written_as_collections() {
        assert_eq!(raw_value("false"), Value::String("false".into()));
        assert_eq!(
            raw_value("[\"a\", 1]"),
            Value::List(vec![Value::String("a".into()), Value::Number(1.0)])
        );
    }

    #[test]
    fn tfvars_in_hcl_and_json() {
        let mut b = Bindings::new();
        let hcl = Arc::new(SourceFile::new(
            "terraform.tfvars",
            "deletion_protection = false\nretention = 3\n",
        ));
        read_tfvars(&hcl, &mut b, Budget::default()).unwrap();
        let json = Arc::new(SourceFile::new("x.auto.tfvars.json", "{\"retention\": 14}"));
        read_tfvars(&json, &mut b, Budget::default()).unwrap();
        assert_eq!(b["deletion_protection"].value, Value::Bool(false));
        assert_eq!(b["retention"].value, Value::Number(14.0));
        assert_eq!(b["retention"].via.as_ref().unwrap().span, 1..12);
        let bad = Arc::new(SourceFile::new("bad.tfvars.json", "{\n  \"a\": ,\n}"));
        assert_eq!(
            read_tfvars(&bad, &mut b, Budget::default())
                .unwrap_err()
                .offset,
            9
        );
    }
}
