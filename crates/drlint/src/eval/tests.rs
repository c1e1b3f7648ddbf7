use std::sync::Arc;

use super::*;
use crate::hcl::parse_hcl;
use crate::model::TfFile;
use crate::source::SourceFile;

fn dir(files: &[(&str, &str)]) -> ModuleDir {
    ModuleDir {
        path: ".".into(),
        files: files
            .iter()
            .map(|(name, src)| {
                let parsed = parse_hcl(src).unwrap();
                TfFile::from_body(
                    Arc::new(SourceFile::new(*name, *src)),
                    parsed.body,
                    parsed.duplicate_keys,
                )
            })
            .collect(),
    }
}

fn eval_local(d: &ModuleDir, name: &str) -> Value {
    Scope::new(d, Bindings::new()).local(name, &mut Vec::new())
}

#[test]
fn variables_resolve_to_their_default_across_files() {
    let d = dir(&[
        (
            "variables.tf",
            "variable \"dp\" {\n  type = bool\n  default = \"false\"\n}\nvariable \"ns\" {}\n",
        ),
        (
            "main.tf",
            "locals {\n  a = var.dp\n  b = var.ns\n  c = \"db-${var.dp}\"\n}\n",
        ),
    ]);
    assert_eq!(eval_local(&d, "a"), Value::Bool(false));
    assert_eq!(eval_local(&d, "b"), Value::Unknown);
    assert_eq!(eval_local(&d, "c"), Value::String("db-false".into()));
    let mut vias = Vec::new();
    Scope::new(&d, Bindings::new()).variable("dp", &mut vias);
    assert_eq!(vias[0].what, "default of variable `dp`");
    assert_eq!(vias[0].file.path, "variables.tf");
}

#[test]
fn unknown_propagates_through_operators_and_conditionals() {
    let d = dir(&[(
        "main.tf",
        "variable \"x\" {}\nlocals {\n  a = var.x == \"true\" ? true : false\n  b = module.m.out\n  c = true || var.x\n  d = 1 + 2 * 3\n  e = !false\n}\n",
    )]);
    assert_eq!(eval_local(&d, "a"), Value::Unknown);
    assert_eq!(eval_local(&d, "b"), Value::Unknown);
    assert_eq!(eval_local(&d, "c"), Value::Bool(true));
    assert_eq!(eval_local(&d, "d"), Value::Number(7.0));
    assert_eq!(eval_local(&d, "e"), Value::Bool(true));
}

#[test]
fn functions_and_repeated_keys() {
    let d = dir(&[(
        "main.tf",
        "locals {\n  t = { a = 1, a = 2 }\n  l = lower(format(\"%s-%d\", \"DB\", 7))\n  m = merge({ x = 1 }, { y = 2 })\n  k = lookup(local.m, \"y\", 0)\n  j = join(\",\", split(\"-\", \"a-b\"))\n}\n",
    )]);
    assert_eq!(
        eval_local(&d, "t"),
        Value::Object([("a".to_owned(), Value::Number(2.0))].into())
    );
    assert_eq!(eval_local(&d, "l"), Value::String("db-7".into()));
    assert_eq!(eval_local(&d, "k"), Value::Number(2.0));
    assert_eq!(eval_local(&d, "j"), Value::String("a,b".into()));
}

#[test]
fn self_referencing_locals_end_as_unknown() {
    let d = dir(&[("main.tf", "locals {\n  a = local.b\n  b = local.a\n}\n")]);
    assert_eq!(eval_local(&d, "a"), Value::Unknown);
}
