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

// ---------------------------------------------------------------------------
// Helpers for the tests below.

fn st(v: &str) -> Value {
    Value::String(v.to_owned())
}

fn num(v: f64) -> Value {
    Value::Number(v)
}

fn strs(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| st(i)).collect())
}

fn obj(entries: Vec<(&str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn one_file(src: &str) -> ModuleDir {
    dir(&[("main.tf", src)])
}

#[track_caller]
fn assert_locals(d: &ModuleDir, expected: &[(&str, Value)]) {
    for (name, want) in expected {
        assert_eq!(&eval_local(d, name), want, "local `{name}`");
    }
}

#[track_caller]
fn assert_variables(d: &ModuleDir, bindings: Bindings, expected: &[(&str, Value)]) {
    let scope = Scope::new(d, bindings);
    for (name, want) in expected {
        assert_eq!(
            &scope.variable(name, &mut Vec::new()),
            want,
            "variable `{name}`"
        );
    }
}

// ---------------------------------------------------------------------------
// `for` expressions and splats.

#[test]
fn for_expressions_build_lists_with_index_and_filter() {
    let d = one_file(
        r#"locals {
  names   = ["a", "b", "c"]
  upper   = [for s in local.names : upper(s)]
  indexed = [for i, s in local.names : "${i}-${s}"]
  evens   = [for x in [1, 2, 3, 4] : x * 10 if x % 2 == 0]
  none    = [for x in [1, 2] : x if x > 5]
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("upper", strs(&["A", "B", "C"])),
            ("indexed", strs(&["0-a", "1-b", "2-c"])),
            ("evens", Value::List(vec![num(20.0), num(40.0)])),
            ("none", Value::List(vec![])),
        ],
    );
}

#[test]
fn for_expressions_build_objects_and_group_with_ellipsis() {
    let d = one_file(
        r#"locals {
  names  = ["a", "b"]
  byname = { for s in local.names : s => upper(s) }
  big    = { for k, v in { a = 1, b = 2, c = 3 } : k => v if v > 1 }
  hosts = [
    { role = "db", name = "db1" },
    { role = "web", name = "web1" },
    { role = "db", name = "db2" },
  ]
  byrole = { for h in local.hosts : h.role => h.name... }
  dup    = { for h in local.hosts : h.role => h.name }
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("byname", obj(vec![("a", st("A")), ("b", st("B"))])),
            ("big", obj(vec![("b", num(2.0)), ("c", num(3.0))])),
            (
                "byrole",
                obj(vec![
                    ("db", strs(&["db1", "db2"])),
                    ("web", strs(&["web1"])),
                ]),
            ),
            // Terraform rejects a repeated key without `...`.
            ("dup", Value::Unknown),
        ],
    );
}

#[test]
fn for_over_an_object_binds_key_and_value_in_key_order() {
    let d = one_file(
        r#"locals {
  m       = { b = "two", a = "one" }
  pairs   = [for k, v in local.m : "${k}=${v}"]
  vals    = [for v in local.m : v]
  swapped = { for k, v in local.m : v => k }
  numkeys = { for k, v in { x = 1, y = 2 } : v => k }
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("pairs", strs(&["a=one", "b=two"])),
            ("vals", strs(&["one", "two"])),
            ("swapped", obj(vec![("one", st("a")), ("two", st("b"))])),
            ("numkeys", obj(vec![("1", st("x")), ("2", st("y"))])),
        ],
    );
}

#[test]
fn for_expressions_over_or_filtered_by_unknown_are_unknown() {
    let d = one_file(
        r#"variable "u" {}
locals {
  over    = [for x in var.u : x]
  filter  = [for x in [1, 2] : x if x == var.u]
  key     = { for x in ["a"] : var.u => x }
  partial = [for x in [var.u, 1] : x]
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("over", Value::Unknown),
            ("filter", Value::Unknown),
            ("key", Value::Unknown),
            ("partial", Value::List(vec![Value::Unknown, num(1.0)])),
        ],
    );
}

#[test]
fn full_splat_maps_over_a_list_of_objects() {
    let d = one_file(
        r#"variable "u" {}
locals {
  servers = [
    { name = "a", tags = ["x", "y"] },
    { name = "b", tags = ["z"] },
  ]
  one     = { name = "solo" }
  nothing = null
  names   = local.servers[*].name
  first   = local.servers[*].tags[0]
  count_n = length(local.servers[*].name)
  single  = local.one[*].name
  empty   = local.nothing[*]
  unk     = var.u[*].name
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("names", strs(&["a", "b"])),
            ("first", strs(&["x", "z"])),
            ("count_n", num(2.0)),
            ("single", strs(&["solo"])),
            ("empty", Value::List(vec![])),
            ("unk", Value::Unknown),
        ],
    );
}

#[test]
fn legacy_attribute_only_splat_applies_index_after_iteration() {
    // Terraform: `var.list.*.interfaces[0]` is `[for o in var.list : o.interfaces][0]`.
    let d = one_file(
        r#"locals {
  servers = [
    { tags = ["x", "y"] },
    { tags = ["z"] },
  ]
  legacy = local.servers.*.tags[0]
}
"#,
    );
    assert_locals(&d, &[("legacy", strs(&["x", "y"]))]);
}

// ---------------------------------------------------------------------------
// Templates and heredocs.

#[test]
fn template_if_and_for_directives() {
    let d = one_file(
        r#"variable "u" {}
locals {
  on       = true
  flag     = "false"
  names    = ["a", "b"]
  m        = { x = 1, y = 2 }
  if_else  = "mode=%{ if local.on }on%{ else }off%{ endif }"
  if_str   = "mode=%{ if local.flag }on%{ else }off%{ endif }"
  if_only  = "[%{ if !local.on }hidden%{ endif }]"
  for_list = "%{ for n in local.names }${n};%{ endfor }"
  for_idx  = "%{ for i, n in local.names }${i}:${n} %{ endfor }"
  for_obj  = "%{ for k, v in local.m }${k}=${v},%{ endfor }"
  nested   = "%{ for n in local.names }%{ if n == "b" }[${n}]%{ else }${n}%{ endif }%{ endfor }"
  if_unk   = "%{ if var.u }a%{ endif }"
  for_unk  = "%{ for n in var.u }${n}%{ endfor }"
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("if_else", st("mode=on")),
            ("if_str", st("mode=off")),
            ("if_only", st("[]")),
            ("for_list", st("a;b;")),
            ("for_idx", st("0:a 1:b ")),
            ("for_obj", st("x=1,y=2,")),
            ("nested", st("a[b]")),
            ("if_unk", Value::Unknown),
            ("for_unk", Value::Unknown),
        ],
    );
}

#[test]
fn template_strip_markers_give_unknown_not_a_wrong_string() {
    let d = one_file(
        r#"locals {
  names        = ["a", "b"]
  x            = "mid"
  interp_left  = "a ${~ local.x} b"
  interp_right = "a ${local.x ~} b"
  if_strip     = "a %{~ if true }b%{ endif }"
  endif_strip  = "%{ if true }b %{~ endif }"
  else_strip   = "%{ if false }a%{ else ~} b%{ endif }"
  for_strip    = "%{ for n in local.names ~} ${n}%{ endfor }"
  endfor_strip = "%{ for n in local.names }${n} %{~ endfor }"
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("interp_left", Value::Unknown),
            ("interp_right", Value::Unknown),
            ("if_strip", Value::Unknown),
            ("endif_strip", Value::Unknown),
            ("else_strip", Value::Unknown),
            ("for_strip", Value::Unknown),
            ("endfor_strip", Value::Unknown),
        ],
    );
}

#[test]
fn template_escapes_are_literal_text() {
    let d = one_file(
        r#"locals {
  on  = true
  lit = "$${name} and %%{ if }"
  mix = "$${x}=${local.on}"
}
"#,
    );
    assert_locals(
        &d,
        &[("lit", st("${name} and %{ if }")), ("mix", st("${x}=true"))],
    );
}

#[test]
fn interpolation_only_template_passes_the_value_through() {
    let d = one_file(
        r#"locals {
  names = ["a", "b"]
  flag  = "${true}"
  port  = "${8080}"
  list  = "${local.names}"
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("flag", Value::Bool(true)),
            ("port", num(8080.0)),
            ("list", strs(&["a", "b"])),
        ],
    );
}

#[test]
fn flush_heredoc_strips_the_common_indentation() {
    let d = one_file(
        r#"locals {
  flush = <<-EOT
    hello
      world
    EOT
  gap = <<-EOT
    a

    b
    EOT
}
"#,
    );
    assert_locals(
        &d,
        &[("flush", st("hello\n  world\n")), ("gap", st("a\n\nb\n"))],
    );
}

#[test]
fn plain_heredoc_keeps_its_indentation() {
    let d = one_file(
        r#"locals {
  plain = <<EOT
  keep
    this
EOT
}
"#,
    );
    assert_locals(&d, &[("plain", st("  keep\n    this\n"))]);
}

#[test]
fn flush_heredoc_with_interpolation_keeps_relative_indentation() {
    let d = one_file(
        r#"locals {
  n = "db"
  mid = <<-EOT
    name: ${local.n}
      port: 80
    EOT
  lead = <<-EOT
    ${local.n}
      port: 80
    EOT
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("mid", st("name: db\n  port: 80\n")),
            ("lead", st("db\n  port: 80\n")),
        ],
    );
}

/// Terraform trims each line's leading literal inside directives too, giving
/// "\nyes\n\n"; the parser does not, so drlint says unknown rather than guess.
#[test]
fn flush_heredoc_with_directives_is_unknown_rather_than_wrong() {
    let d = one_file(
        r#"locals {
  on = true
  d = <<-EOT
    %{ if local.on }
    yes
    %{ endif }
    EOT
}
"#,
    );
    assert_locals(&d, &[("d", Value::Unknown)]);
}

// ---------------------------------------------------------------------------
// Functions.

#[test]
fn string_case_trim_and_format() {
    let d = one_file(
        r#"locals {
  lower   = lower("DB-Primary")
  upper   = upper("eu-west-1")
  trim    = trimspace("  \t standby \n")
  fmt     = format("%s:%d (%v) 100%%", "db", 5432, true)
  fmt_d   = format("%d", "7")
  fmt_unk = format("%q", "db")
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("lower", st("db-primary")),
            ("upper", st("EU-WEST-1")),
            ("trim", st("standby")),
            ("fmt", st("db:5432 (true) 100%")),
            ("fmt_d", st("7")),
            // A verb the evaluator does not model must not yield a wrong string.
            ("fmt_unk", Value::Unknown),
        ],
    );
}

#[test]
fn replace_plain_and_regex() {
    let d = one_file(
        r#"locals {
  plus   = replace("1 + 2 + 3", "+", "-")
  regex  = replace("hello world", "/w.*d/", "everybody")
  class  = replace("db_primary-eu", "/[-_]/", ".")
  slash  = replace("a/b/c", "/", "-")
  dollar = replace("a.b", ".", "$")
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("plus", st("1 - 2 - 3")),
            ("regex", st("hello everybody")),
            ("class", st("db.primary.eu")),
            ("slash", st("a-b-c")),
            ("dollar", st("a$b")),
        ],
    );
}

#[test]
fn replace_regex_expands_capture_groups() {
    let d = one_file(
        r#"locals {
  swap = replace("db-primary", "/(\\w+)-(\\w+)/", "$2-$1")
}
"#,
    );
    assert_locals(&d, &[("swap", st("primary-db"))]);
}

#[test]
fn join_and_split() {
    let d = one_file(
        r#"locals {
  joined = join("-", ["a"], ["b", "c"])
  mixed  = join(",", [1, true, "x"])
  parts  = split(",", "a,,b")
  empty  = split(",", "")
  idx    = split("-", "db-eu-1")[1]
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("joined", st("a-b-c")),
            ("mixed", st("1,true,x")),
            ("parts", strs(&["a", "", "b"])),
            ("empty", strs(&[""])),
            ("idx", st("eu")),
        ],
    );
}

#[test]
fn substr_with_positive_and_negative_offsets() {
    let d = one_file(
        r#"locals {
  mid  = substr("hello world", 1, 4)
  tail = substr("hello world", -5, -1)
  neg  = substr("hello world", -5, 3)
  rest = substr("hello", 2, -1)
  long = substr("hello", 3, 100)
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("mid", st("ello")),
            ("tail", st("world")),
            ("neg", st("wor")),
            ("rest", st("llo")),
            ("long", st("lo")),
        ],
    );
}

#[test]
fn merge_lookup_concat_contains_length() {
    let d = one_file(
        r#"locals {
  merged   = merge({ a = 1, b = 1 }, { b = 2 }, null, { c = 3 })
  found    = lookup({ a = "x" }, "a", "d")
  fallback = lookup({ a = "x" }, "b", "d")
  missing  = lookup({ a = "x" }, "b")
  joined   = concat(["a"], ["b", "c"], [])
  has      = contains(["a", "b"], "b")
  hasnt    = contains(["a", "b"], "z")
  len_list = length(["a", "b", "c"])
  len_map  = length({ a = 1, b = 2 })
  len_str  = length("héllo")
}
"#,
    );
    assert_locals(
        &d,
        &[
            (
                "merged",
                obj(vec![("a", num(1.0)), ("b", num(2.0)), ("c", num(3.0))]),
            ),
            ("found", st("x")),
            ("fallback", st("d")),
            // Terraform errors on a missing key without a default.
            ("missing", Value::Unknown),
            ("joined", strs(&["a", "b", "c"])),
            ("has", Value::Bool(true)),
            ("hasnt", Value::Bool(false)),
            ("len_list", num(3.0)),
            ("len_map", num(2.0)),
            ("len_str", num(5.0)),
        ],
    );
}

#[test]
fn keys_and_values_are_in_key_order() {
    let d = one_file(
        r#"locals {
  m = { b = 1, a = 2 }
  k = keys(local.m)
  v = values(local.m)
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("k", strs(&["a", "b"])),
            ("v", Value::List(vec![num(2.0), num(1.0)])),
        ],
    );
}

#[test]
fn toset_removes_duplicates_and_tolist_tomap_keep_values() {
    let d = one_file(
        r#"locals {
  set    = toset(["a", "b", "a"])
  setlen = length(toset(["a", "b", "a"]))
  list   = tolist(["a", "b"])
  map    = tomap({ a = 1, b = 2 })
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("set", strs(&["a", "b"])),
            ("setlen", num(2.0)),
            ("list", strs(&["a", "b"])),
            ("map", obj(vec![("a", num(1.0)), ("b", num(2.0))])),
        ],
    );
}

#[test]
fn toset_orders_and_unifies_elements() {
    let d = one_file(
        r#"locals {
  sorted = toset(["c", "b", "b"])
  mixed  = toset(["a", "b", 3])
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("sorted", strs(&["b", "c"])),
            ("mixed", strs(&["3", "a", "b"])),
        ],
    );
}

#[test]
fn tolist_and_tomap_unify_element_types() {
    let d = one_file(
        r#"locals {
  l = tolist(["a", "b", 3])
  m = tomap({ a = "foo", b = true })
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("l", strs(&["a", "b", "3"])),
            ("m", obj(vec![("a", st("foo")), ("b", st("true"))])),
        ],
    );
}

#[test]
fn coalesce_skips_null_and_empty_strings() {
    let d = one_file(
        r#"variable "u" {}
locals {
  first   = coalesce(null, "", "x", "y")
  number  = coalesce(null, 2)
  known   = coalesce("a", var.u)
  unknown = coalesce(null, var.u)
  none    = coalesce(null, "")
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("first", st("x")),
            ("number", num(2.0)),
            ("known", st("a")),
            ("unknown", Value::Unknown),
            // Terraform errors: no non-null, non-empty argument.
            ("none", Value::Unknown),
        ],
    );
}

/// drlint has no error value: a missing attribute is as unknown as a module
/// output, so `try` over it stays unknown (Terraform would take the fallback).
/// Unknown never fires a rule; a wrong fallback could.
#[test]
fn try_is_unknown_unless_its_first_argument_is_known_and_can_reports_success() {
    let d = one_file(
        r#"variable "u" {}
locals {
  obj      = { present = "yes" }
  fallback = try(local.obj.missing, "fallback")
  present  = try(local.obj.present, "fallback")
  chain    = try(local.obj.missing, local.obj.other, 3)
  can_ok   = can(local.obj.present)
  can_unk  = can(var.u)
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("fallback", Value::Unknown),
            ("present", st("yes")),
            ("chain", Value::Unknown),
            ("can_ok", Value::Bool(true)),
            ("can_unk", Value::Unknown),
        ],
    );
}

#[test]
fn try_with_an_unknown_argument_is_unknown() {
    let d = one_file(
        r#"variable "u" {}
locals {
  t = try(var.u, "fallback")
  m = try(module.m.out, "fallback")
}
"#,
    );
    assert_locals(&d, &[("t", Value::Unknown), ("m", Value::Unknown)]);
}

#[test]
fn type_conversion_functions() {
    let d = one_file(
        r#"locals {
  s_num  = tostring(5)
  s_bool = tostring(true)
  s_null = tostring(null)
  s_list = tostring(["a"])
  n_str  = tonumber("42")
  n_frac = tonumber("4.5")
  n_bad  = tonumber("abc")
  n_null = tonumber(null)
  b_str  = tobool("false")
  b_bool = tobool(true)
  b_bad  = tobool("yes")
  b_null = tobool(null)
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("s_num", st("5")),
            ("s_bool", st("true")),
            ("s_null", Value::Null),
            ("s_list", Value::Unknown),
            ("n_str", num(42.0)),
            ("n_frac", num(4.5)),
            ("n_bad", Value::Unknown),
            ("n_null", Value::Null),
            ("b_str", Value::Bool(false)),
            ("b_bool", Value::Bool(true)),
            ("b_bad", Value::Unknown),
            ("b_null", Value::Null),
        ],
    );
}

#[test]
fn jsonencode_sorts_keys_and_keeps_types() {
    let d = one_file(
        r#"locals {
  j     = jsonencode({ b = 1, a = [true, null, "x", 1.5], c = { d = "e" } })
  plain = jsonencode("plain")
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("j", st(r#"{"a":[true,null,"x",1.5],"b":1,"c":{"d":"e"}}"#)),
            ("plain", st(r#""plain""#)),
        ],
    );
}

#[test]
fn jsonencode_escapes_html_characters() {
    let d = one_file(
        r#"locals {
  j = jsonencode("<b>&")
}
"#,
    );
    assert_locals(&d, &[("j", st(r#""\u003cb\u003e\u0026""#))]);
}

// ---------------------------------------------------------------------------
// Unknown propagation.

#[test]
fn unknown_arguments_make_functions_unknown() {
    let d = one_file(
        r#"variable "u" {}
locals {
  up     = upper(var.u)
  fmt    = format("%s-%s", "db", var.u)
  joined = join(",", ["a", var.u])
  merged = merge({ a = 1 }, var.u)
  json   = jsonencode({ a = var.u })
  len    = length(var.u)
  mod    = lower(module.m.name)
  coal   = coalesce(null, var.u)
  tmpl   = "db-${var.u}"
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("up", Value::Unknown),
            ("fmt", Value::Unknown),
            ("joined", Value::Unknown),
            ("merged", Value::Unknown),
            ("json", Value::Unknown),
            ("len", Value::Unknown),
            ("mod", Value::Unknown),
            ("coal", Value::Unknown),
            ("tmpl", Value::Unknown),
        ],
    );
}

#[test]
fn logical_operators_decide_on_a_known_operand() {
    let d = one_file(
        r#"variable "u" {}
locals {
  or_true   = true || var.u
  and_false = false && var.u
  or_false  = false || var.u
  and_true  = true && var.u
  not_unk   = !var.u
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("or_true", Value::Bool(true)),
            ("and_false", Value::Bool(false)),
            ("or_false", Value::Unknown),
            ("and_true", Value::Unknown),
            ("not_unk", Value::Unknown),
        ],
    );
}

#[test]
fn comparisons_and_conditionals_on_unknown_are_unknown() {
    let d = one_file(
        r#"variable "u" {}
locals {
  eq      = var.u == 1
  ne      = var.u != 1
  lt      = var.u < 1
  list_eq = [var.u] == [1]
  cond    = var.u ? "a" : "b"
  cond_eq = var.u == "x" ? "a" : "b"
  same    = var.u ? "a" : "a"
  arith   = var.u + 1
  known   = 1 == 1 ? "y" : "n"
  typed   = "1" == 1
}
"#,
    );
    assert_locals(
        &d,
        &[
            ("eq", Value::Unknown),
            ("ne", Value::Unknown),
            ("lt", Value::Unknown),
            ("list_eq", Value::Unknown),
            ("cond", Value::Unknown),
            ("cond_eq", Value::Unknown),
            ("same", Value::Unknown),
            ("arith", Value::Unknown),
            ("known", st("y")),
            ("typed", Value::Bool(false)),
        ],
    );
}

#[test]
fn conditional_unifies_branch_types() {
    let d = one_file(
        r#"locals {
  c = true ? 1 : "x"
}
"#,
    );
    assert_locals(&d, &[("c", st("1"))]);
}

// ---------------------------------------------------------------------------
// Variable type conversion.

#[test]
fn variable_defaults_are_converted_to_their_type() {
    let d = one_file(
        r#"variable "b" {
  type    = bool
  default = "true"
}
variable "n" {
  type    = number
  default = "8080"
}
variable "s" {
  type    = string
  default = 5
}
variable "sb" {
  type    = string
  default = false
}
variable "nul" {
  type    = bool
  default = null
}
variable "raw" {
  default = "true"
}
variable "l" {
  type    = list(string)
  default = ["a"]
}
locals {
  next    = var.n + 1
  is_true = var.b == true
  raw_cmp = var.raw == true
  s_cmp   = var.s == "5"
}
"#,
    );
    assert_variables(
        &d,
        Bindings::new(),
        &[
            ("b", Value::Bool(true)),
            ("n", num(8080.0)),
            ("s", st("5")),
            ("sb", st("false")),
            ("nul", Value::Null),
            ("raw", st("true")),
            ("l", strs(&["a"])),
        ],
    );
    assert_locals(
        &d,
        &[
            ("next", num(8081.0)),
            ("is_true", Value::Bool(true)),
            // No type constraint: the string "true" is not equal to the bool true.
            ("raw_cmp", Value::Bool(false)),
            ("s_cmp", Value::Bool(true)),
        ],
    );
}

#[test]
fn bound_values_are_converted_to_the_variable_type() {
    let d = one_file(
        r#"variable "port" {
  type = number
}
variable "dr" {
  type    = bool
  default = true
}
locals {
  next = var.port + 1
}
"#,
    );
    let bind = |v: &str, source: &str| Binding {
        value: st(v),
        via: None,
        source: source.to_owned(),
    };
    let mut bindings = Bindings::new();
    bindings.insert("port".to_owned(), bind("5432", "`TF_VAR_port`"));
    bindings.insert("dr".to_owned(), bind("false", "`--var dr=false`"));
    assert_variables(
        &d,
        bindings.clone(),
        &[("port", num(5432.0)), ("dr", Value::Bool(false))],
    );
    assert_eq!(
        Scope::new(&d, bindings).local("next", &mut Vec::new()),
        num(5433.0)
    );
}

// ---------------------------------------------------------------------------
// Bounds: inputs that overflowed the stack, took all memory or never ended.

/// Runs `f` on a thread with a 2 MiB stack (a test thread's, rayon's) and
/// fails when it has not finished within `secs` (the input used to hang).
#[track_caller]
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .expect("thread starts");
    rx.recv_timeout(std::time::Duration::from_secs(secs))
        .expect("evaluation finishes (and does not overflow its stack)")
}

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

/// `local.<name>` of one file, evaluated on a bounded thread.
fn bounded_local(src: String, name: &'static str) -> (Value, usize) {
    within(10, move || {
        let d = one_file(&src);
        let mut vias = Vec::new();
        let value = Scope::new(&d, Bindings::new()).local(name, &mut vias);
        (value, vias.len())
    })
}

#[test]
fn a_long_chain_of_splats_is_unknown_not_a_stack_overflow() {
    let src = format!("locals {{\n  a = [1]{}\n}}\n", "[*]".repeat(10_000));
    // each `[*]` on a single value wraps it in a list: past the depth budget, unknown
    assert!(bounded_local(src, "a").0.contains_unknown());
    // a short one is still read: `[*]` on a list applies the rest to each item
    let src = "locals {\n  a = [[1], [2]][*][0]\n}\n".to_owned();
    assert_eq!(bounded_local(src, "a").0, list(vec![num(1.0), num(2.0)]));
}

#[test]
fn a_value_given_as_a_long_chain_of_splats_does_not_overflow() {
    let raw = format!("[[1]{}]", "[*]".repeat(10_000));
    let value = within(10, move || crate::vars::raw_value(&raw));
    assert!(value.contains_unknown(), "{value}");
}

#[test]
fn a_self_referencing_local_is_unknown() {
    let src = "locals {\n  a = [local.a, local.a]\n}\n".to_owned();
    assert_eq!(bounded_local(src, "a").0, Value::Unknown);
    let src = "locals {\n  a = [local.b]\n  b = { x = local.a }\n  c = 1\n}\n".to_owned();
    assert_eq!(bounded_local(src, "b").0, Value::Unknown);
}

/// 24 locals, each twice the one before: 2^24 copies of the first one's
/// provenance, and of its value, unless both are shared and bounded.
fn doubling(first: &str, step: &str) -> String {
    let mut src = format!("locals {{\n  l0 = {first}\n");
    for i in 1..=24 {
        let prev = format!("local.l{}", i - 1);
        src.push_str(&format!("  l{i} = {}\n", step.replace("PREV", &prev)));
    }
    src.push_str("}\n");
    src
}

#[test]
fn doubling_locals_share_their_provenance_and_their_values_are_bounded() {
    let (value, vias) = bounded_local(doubling("1", "PREV + PREV"), "l24");
    assert_eq!(value, num(16_777_216.0));
    assert!(vias <= 25, "{vias} vias");
    let (value, vias) = bounded_local(doubling("[1, 2]", "concat(PREV, PREV)"), "l24");
    assert_eq!(value, Value::Unknown, "2^25 items is past the budget");
    assert!(vias <= 25, "{vias} vias");
    let (value, vias) = bounded_local(doubling("\"ab\"", "\"${PREV}${PREV}\""), "l24");
    assert_eq!(value, Value::Unknown, "a 32 MiB string is past the budget");
    assert!(vias <= 25, "{vias} vias");
    // below the budget, the value is there
    let (value, _) = bounded_local(doubling("[1, 2]", "concat(PREV, PREV)"), "l10");
    assert!(
        matches!(&value, Value::List(items) if items.len() == 2048),
        "{value}"
    );
}

#[test]
fn nine_nested_for_expressions_stop_at_the_budget() {
    let mut expr = "x0".to_owned();
    for i in 0..9 {
        expr = format!("[for x{i} in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : {expr}]");
    }
    let src = format!("locals {{\n  a = {expr}\n}}\n");
    assert!(bounded_local(src, "a").0.contains_unknown());
}

#[test]
fn a_local_has_one_value_whichever_reference_reaches_it_first() {
    // a chain deeper than the evaluator's depth limit: `c100` → ... → `c0`
    let mut src = "locals {\n  c0 = 1\n".to_owned();
    for i in 1..=100 {
        src.push_str(&format!("  c{i} = local.c{}\n", i - 1));
    }
    src.push_str("}\n");
    let both = |first: &'static str, second: &'static str| {
        let src = src.clone();
        within(10, move || {
            let d = one_file(&src);
            let scope = Scope::new(&d, Bindings::new());
            let a = scope.local(first, &mut Vec::new());
            let b = scope.local(second, &mut Vec::new());
            (a, b)
        })
    };
    let (deep_first, then_middle) = both("c100", "c50");
    let (middle_first, then_deep) = both("c50", "c100");
    assert_eq!(deep_first, then_deep);
    assert_eq!(then_middle, middle_first);
    assert_eq!(deep_first, num(1.0));
}

#[test]
fn a_chain_of_ten_thousand_locals_is_read_without_recursion() {
    let mut src = "locals {\n  c0 = 1\n".to_owned();
    for i in 1..=10_000 {
        src.push_str(&format!("  c{i} = local.c{} + 1\n", i - 1));
    }
    src.push_str("}\n");
    assert_eq!(bounded_local(src, "c10000").0, num(10_001.0));
}

#[test]
fn values_nested_past_the_depth_limit_are_unknown_and_drop_without_overflow() {
    let mut src = "locals {\n  l0 = 1\n".to_owned();
    for i in 1..=5_000 {
        src.push_str(&format!("  l{i} = [local.l{}]\n", i - 1));
    }
    src.push_str("}\n");
    let value = within(10, move || {
        let d = one_file(&src);
        let scope = Scope::new(&d, Bindings::new());
        // bottom-up, so that every step is one level deeper than a cached value
        for i in 0..5_000 {
            scope.local(&format!("l{i}"), &mut Vec::new());
        }
        scope.local("l5000", &mut Vec::new())
    });
    // the level past the budget is unknown, and what wraps it starts again from there
    assert!(value.contains_unknown(), "{value}");
}

#[test]
fn a_replace_pattern_is_compiled_once_for_all_its_calls() {
    let pattern = "drlint-cache-test-([a-z])[0-9]";
    let items: Vec<String> = (0..300)
        .map(|i| format!("\"drlint-cache-test-x{}\"", i % 10))
        .collect();
    let src = format!(
        "locals {{\n  a = [for s in [{}] : replace(s, \"/{pattern}/\", \"$1\")]\n  b = replace(\"drlint-cache-test-q1\", \"/{pattern}/\", \"<$1>\")\n}}\n",
        items.join(", ")
    );
    let d = one_file(&src);
    let scope = Scope::new(&d, Bindings::new());
    let Value::List(a) = scope.local("a", &mut Vec::new()) else {
        panic!("a list");
    };
    assert_eq!(a.len(), 300);
    assert!(a.iter().all(|v| *v == st("x")));
    assert_eq!(scope.local("b", &mut Vec::new()), st("<q>"));
    assert_eq!(functions::times_compiled(pattern), 1);
}

#[test]
fn a_replacement_that_grows_past_the_budget_is_unknown() {
    let d = one_file(
        "locals {\n  big = replace(replace(\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"a\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"), \"a\", \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\")\n  re = replace(\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\", \"/b/\", \"$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0$0\")\n  fine = replace(\"abc\", \"b\", \"xx\")\n}\n",
    );
    let budget = Budget {
        value_bytes: 4096,
        ..Budget::default()
    };
    let scope = Scope::with_budget(&d, Bindings::new(), budget);
    assert_eq!(scope.local("big", &mut Vec::new()), Value::Unknown);
    assert_eq!(scope.local("fine", &mut Vec::new()), st("axxc"));
    assert_eq!(scope.exceeded().len(), 1);
    assert!(
        scope
            .exceeded()
            .iter()
            .all(|e| e.limit == Limit::ValueBytes)
    );
    let scope = Scope::with_budget(&d, Bindings::new(), budget);
    assert_eq!(scope.local("re", &mut Vec::new()), Value::Unknown);
}

#[test]
fn cycles_among_locals_are_named_as_terraform_names_them() {
    let d = one_file(
        "locals {\n  a = [local.a, local.a]\n  b = { x = local.c }\n  c = local.b.x\n  d = local.b\n  e = 1\n}\n",
    );
    let names: Vec<Vec<&str>> = local_cycles(&d)
        .iter()
        .map(|c| c.iter().map(|(_, a)| a.name.as_str()).collect())
        .collect();
    assert_eq!(names, [vec!["a"], vec!["b", "c"]]);
    assert_eq!(
        cycle_message(&["a"]),
        "Cycle: local.a: a local value cannot use its own result"
    );
    assert_eq!(
        cycle_message(&["b", "c"]),
        "Cycle: local.b, local.c: these local values depend on each other"
    );
    // a local that only uses a cycle is not part of it, but unknown through it
    let scope = Scope::new(&d, Bindings::new());
    assert_eq!(scope.local("d", &mut Vec::new()), Value::Unknown);
    assert_eq!(scope.local("e", &mut Vec::new()), num(1.0));
}

#[test]
fn a_variable_default_refers_to_nothing() {
    // Terraform rejects references in a default ("Variables not allowed"): none is followed
    let d = one_file(
        "variable \"a\" {\n  default = var.b\n}\nvariable \"b\" {\n  default = var.a\n}\nvariable \"c\" {\n  default = [1, local.x]\n}\nlocals {\n  x = 2\n}\n",
    );
    let scope = Scope::new(&d, Bindings::new());
    assert_eq!(scope.variable("a", &mut Vec::new()), Value::Unknown);
    assert_eq!(
        scope.variable("c", &mut Vec::new()),
        list(vec![num(1.0), Value::Unknown])
    );
}

#[test]
fn a_nested_key_named_like_a_repeated_one_keeps_its_value() {
    let d = one_file(
        "locals {\n  x = {\n    a = { x = 1 }\n    b = { a = true }\n    a = { x = 2 }\n  }\n  y = { a = 1, \"a\" = 2 }\n}\n",
    );
    assert_eq!(
        eval_local(&d, "x"),
        obj(vec![
            ("a", obj(vec![("x", num(2.0))])),
            ("b", obj(vec![("a", Value::Bool(true))])),
        ])
    );
    assert_eq!(eval_local(&d, "y"), obj(vec![("a", num(2.0))]));
}

#[test]
fn copies_of_a_large_text_are_paid_for() {
    // a 512 KiB string, copied by a thousand locals: 512 MiB unless copies cost steps
    let mut src =
        "locals {\n  s0 = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
            .to_owned();
    for i in 1..=13 {
        src.push_str(&format!(
            "  s{i} = \"${{local.s{}}}${{local.s{}}}\"\n",
            i - 1,
            i - 1
        ));
    }
    for i in 0..1_000 {
        src.push_str(&format!("  c{i} = local.s13\n"));
    }
    src.push_str("}\n");
    let (copied, exceeded) = within(10, move || {
        let d = one_file(&src);
        let scope = Scope::new(&d, Bindings::new());
        let copied = (0..1_000)
            .filter(|i| !scope.local(&format!("c{i}"), &mut Vec::new()).is_unknown())
            .count();
        (copied, scope.exceeded())
    });
    assert!(copied < 1_000, "{copied} copies");
    assert!(exceeded.iter().any(|e| e.limit == Limit::Steps));
}
