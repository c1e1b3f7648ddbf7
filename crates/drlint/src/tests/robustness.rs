//! No input makes the checker panic: malformed text is a `parse-error` finding.
//! And the report is a function of the inputs alone: checking twice, or on
//! another number of threads, renders the same JSON, and every span of it
//! lies inside its file on character boundaries.
//!
//! The inputs are arbitrary bytes in each role (`.tf`, `.tfvars`,
//! `.tfvars.json`, Helm values, `.drlint.yaml`), and folders of the
//! repository's own fixture texts, mutated by inserting fragments, holding
//! Terraform, variables, a namespace, a local module and Helm values.
//!
//! Inputs the fuzzers found (fuzz/README.md) are in `fixtures/robustness/`,
//! each checked by a test below.

use std::sync::OnceLock;

use crate::config::Config;
use crate::report::{Json, Render};
use crate::{Checker, Input, Report, Settings, builtin};
use proptest::prelude::*;
use proptest::sample::{Index, select};

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let settings = Settings {
            // `until=` dates compare with a fixed day, not the clock
            today: Some("2026-01-01".to_owned()),
            ..Settings::default()
        };
        Checker::with_settings(
            builtin::rules().unwrap(),
            builtin::profiles().unwrap(),
            settings,
        )
    })
}

fn input(path: &str, text: impl Into<Vec<u8>>) -> Input {
    Input {
        path: path.to_owned(),
        content: Ok(text.into()),
    }
}

/// The report as `--format json` renders it.
fn json(report: &Report) -> String {
    let mut out = Vec::new();
    Json.render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every span of the report, primary and related, inside its file and on
/// character boundaries.
fn spans_inside_files(report: &Report) -> Result<(), TestCaseError> {
    for f in report.findings.iter().chain(&report.fixed) {
        let spans =
            std::iter::once((&f.file, &f.span)).chain(f.related.iter().map(|r| (&r.file, &r.span)));
        for (file, span) in spans {
            let text = &file.text;
            prop_assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "{} at {}: span {:?} outside the file ({} bytes) or off a char boundary",
                f.rule,
                file.path,
                span,
                text.len()
            );
        }
    }
    Ok(())
}

/// Every finding's spans lie inside its file and on character boundaries.
fn assert_spans_valid(report: &crate::Report) {
    for f in &report.findings {
        let text = &f.file.text;
        for span in std::iter::once(&f.span).chain(f.related.iter().map(|r| &r.span)) {
            assert!(span.start <= span.end && span.end <= text.len(), "{f:?}");
            assert!(
                text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                "{f:?}"
            );
        }
    }
}

fn parse_errors(report: &crate::Report, path: &str) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.rule == "parse-error" && f.path() == path)
        .count()
}

#[test]
fn an_unterminated_comment_ending_in_a_multibyte_character_is_a_parse_error() {
    let report = checker().check(vec![input("main.tf", "/* €".as_bytes())]);
    assert_spans_valid(&report);
    assert_eq!(parse_errors(&report, "main.tf"), 1, "{:?}", report.findings);
}

#[test]
fn malformed_tfvars_json_with_a_multibyte_character_is_a_parse_error() {
    for json in ["{\"a\": \"€", "{\"a\": €}", "{\"€\": }", "{\"a\": 1 €"] {
        let report = checker().check(vec![
            input("main.tf", b"variable \"a\" {}\n"),
            input("terraform.tfvars.json", json.as_bytes()),
        ]);
        assert_spans_valid(&report);
        assert_eq!(
            parse_errors(&report, "terraform.tfvars.json"),
            1,
            "{json}: {:?}",
            report.findings
        );
    }
}

/// Checks on a thread with a 2 MiB stack and fails when the check has not
/// finished within 10 s: the inputs below used to hang, or to exhaust memory.
#[track_caller]
fn check_within(inputs: Vec<Input>) -> crate::Report {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = tx.send(checker().check(inputs));
        })
        .expect("thread starts");
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the check finishes (and does not overflow its stack)")
}

fn count(report: &crate::Report, rule: &str) -> usize {
    report.findings.iter().filter(|f| f.rule == rule).count()
}

const S3: &str = "github.com/ministryofjustice/cloud-platform-terraform-s3-bucket?ref=5.3.0";

const BUCKET: &str = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b\"\n}\n";

#[test]
fn a_module_that_calls_itself_is_one_instance_not_millions() {
    let mut text = BUCKET.to_owned();
    for i in 0..4 {
        text.push_str(&format!("module \"self{i}\" {{\n  source = \"./\"\n}}\n"));
    }
    let report = check_within(vec![input("env/main.tf", text.as_bytes())]);
    assert_spans_valid(&report);
    assert!(
        report.findings.len() < 20,
        "{} findings",
        report.findings.len()
    );
    // each call is reported once, at its `source`
    assert_eq!(
        count(&report, "evaluation-cycle"),
        4,
        "{:?}",
        report.findings
    );
}

#[test]
fn two_modules_that_call_each_other_stop() {
    let calls = |other: &str| {
        let mut text = BUCKET.to_owned();
        for i in 0..4 {
            text.push_str(&format!(
                "module \"{other}{i}\" {{\n  source = \"../{other}\"\n}}\n"
            ));
        }
        text
    };
    let report = check_within(vec![
        input("a/main.tf", calls("b").as_bytes()),
        input("b/main.tf", calls("a").as_bytes()),
    ]);
    assert!(
        report.findings.len() < 40,
        "{} findings",
        report.findings.len()
    );
    // the calls back into a folder already being expanded, each once
    assert_eq!(
        count(&report, "evaluation-cycle"),
        8,
        "{:?}",
        report.findings
    );
}

#[test]
fn a_splat_chain_in_a_resource_or_a_tf_var_does_not_overflow() {
    let chain = format!("[[1]{}]", "[*]".repeat(10_000));
    let text = format!(
        "variable \"v\" {{}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = {chain}\n  tags = var.v\n}}\n"
    );
    let settings = crate::Settings {
        env_vars: vec![crate::vars::RawVar {
            name: "v".into(),
            value: chain,
            source: "`TF_VAR_v`".into(),
        }],
        ..crate::Settings::default()
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let checker = Checker::with_settings(
                builtin::rules().unwrap(),
                builtin::profiles().unwrap(),
                settings,
            );
            let _ = tx.send(checker.check(vec![input("main.tf", text.as_bytes())]));
        })
        .expect("thread starts");
    let report = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the check finishes");
    assert_spans_valid(&report);
}

#[test]
fn deeply_nested_brackets_are_a_parse_error_not_a_stack_overflow() {
    // hcl-edit limits nesting itself (64 levels); this checks it stays so
    for (open, close) in [("[", "]"), ("{ a = ", " }"), ("(", ")"), ("f(", ")")] {
        let text = format!("a = {}1{}\n", open.repeat(10_000), close.repeat(10_000));
        let report = check_within(vec![input("main.tf", text.as_bytes())]);
        assert_eq!(parse_errors(&report, "main.tf"), 1, "{open}");
    }
    let text = format!("{}{}", "a {\n".repeat(10_000), "}\n".repeat(10_000));
    let report = check_within(vec![input("main.tf", text.as_bytes())]);
    assert_eq!(parse_errors(&report, "main.tf"), 1);
    // other ways to nest, read in a resource so that they are evaluated too
    let n = 10_000;
    for expr in [
        format!("{}true", "!".repeat(n)),
        format!("{}1", "-".repeat(n)),
        format!("{}1", "true ? 1 : ".repeat(n)),
        format!("{}1{}", "\"${".repeat(n), "}\"".repeat(n)),
        format!("{}1{}", "[for x in ".repeat(n), " : x]".repeat(n)),
        format!("1{}", " + 1".repeat(n)),
        format!("local.a{}", ".b".repeat(n)),
        format!("[1]{}", "[0]".repeat(n)),
    ] {
        let text = format!(
            "locals {{\n  a = {{}}\n}}\nmodule \"s3\" {{\n  source = \"{S3}\"\n  versioning = {expr}\n}}\n"
        );
        let report = check_within(vec![input("main.tf", text.as_bytes())]);
        assert_spans_valid(&report);
    }
}

#[test]
fn nested_for_expressions_stop_at_the_budget_and_the_summary_counts_it() {
    let mut expr = "x0".to_owned();
    for i in 0..9 {
        expr = format!("[for x{i} in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : {expr}]");
    }
    let text =
        format!("module \"s3\" {{\n  source = \"{S3}\"\n  versioning = length({expr}) == 10\n}}\n");
    let report = check_within(vec![input("main.tf", text.as_bytes())]);
    assert!(report.summary.budget_exceeded > 0, "{:?}", report.summary);
    let render = |r: &dyn crate::report::Render| {
        let mut out = Vec::new();
        r.render(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let human = render(&crate::report::Human {
        color: false,
        width: 100,
        summary: true,
    });
    assert!(
        human.contains("unknown: evaluation budget reached"),
        "{human}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(&crate::report::Json)).unwrap();
    assert!(
        json["summary"]["budget_exceeded"].as_u64().unwrap() > 0,
        "{json}"
    );
}

#[test]
fn the_budget_is_a_setting() {
    let text = format!(
        "locals {{\n  a = [1, 2, 3]\n}}\nmodule \"s3\" {{\n  source = \"{S3}\"\n  versioning = length(local.a) == 3\n}}\n"
    );
    let within = |budget: crate::eval::Budget| {
        let settings = crate::Settings {
            budget,
            ..crate::Settings::default()
        };
        let checker = Checker::with_settings(
            builtin::rules().unwrap(),
            builtin::profiles().unwrap(),
            settings,
        );
        checker
            .check(vec![input("main.tf", text.as_bytes())])
            .summary
            .budget_exceeded
    };
    assert_eq!(within(crate::eval::Budget::default()), 0);
    let tiny = crate::eval::Budget {
        value_elements: 2,
        ..crate::eval::Budget::default()
    };
    assert!(within(tiny) > 0);
    let few_steps = crate::eval::Budget {
        steps: 3,
        ..crate::eval::Budget::default()
    };
    assert!(within(few_steps) > 0);
}

/// Text made of HCL-ish fragments, so that the parser gets far and the
/// evaluator and rules see odd but valid structures too.
fn hclish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("module \"m\" {\n".to_owned()),
        Just("resource \"aws_db_instance\" \"r\" {\n".to_owned()),
        Just("variable \"v\" {\n default = ".to_owned()),
        Just("locals {\n".to_owned()),
        Just("source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n".to_owned()),
        Just("deletion_protection = ".to_owned()),
        Just("count = ".to_owned()),
        Just("a = ".to_owned()),
        Just("{ a = 1, a = 2 }".to_owned()),
        Just("\"a\" = ".to_owned()),
        Just("var.v".to_owned()),
        Just("local.a".to_owned()),
        Just("module.m.x".to_owned()),
        Just("true ? 1 : 0".to_owned()),
        Just("\"${var.v}\"".to_owned()),
        Just("[for x in var.v : x]".to_owned()),
        Just("format(\"%s-%d\", \"a\", 1)".to_owned()),
        Just("<<-EOT\n  x\n  EOT\n".to_owned()),
        Just("}\n".to_owned()),
        Just("{".to_owned()),
        Just("\n".to_owned()),
        Just("# c\n".to_owned()),
        Just("0".to_owned()),
        Just("\"false\"".to_owned()),
        "[a-z=\"{}\\[\\]$ .,:?\n-]{0,6}".prop_map(|s| s),
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

/// Bytes with the pieces that trip offsets up: multibyte characters, comment,
/// string and heredoc openers, brackets, YAML and JSON punctuation.
fn tricky_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..6),
        "[a-z_ ]{1,4}".prop_map(String::into_bytes),
        prop::sample::select(vec![
            "€", "é", "😀", "\u{feff}", "/*", "*/", "//", "#", "\"", "'", "\\", "{", "}", "[", "]",
            "(", ")", "=", ":", ",", "\n", "\r\n", "\t", "<<EOT\n", "<<-EOT\n", "EOT\n", "${",
            "%{", "- ", "&a ", "*a", "<<: ", "---\n", "a = ", "local.a", "var.a", "[*]", "true",
            "1e9",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|p| p.concat())
}

/// The kinds of input drlint reads, by name.
const KINDS: [&str; 4] = [
    "x.tf",
    "terraform.tfvars",
    "terraform.tfvars.json",
    "values.yaml",
];

/// Fragments spliced into Terraform and tfvars texts: HCL-ish, multibyte text
/// in a string, a comment and a suppression.
///
/// Every fragment (like every seed text and inserted line) ends in ASCII, so no
/// generated text ends in a multibyte character: an unterminated block comment
/// ending in one (`/* €`) panics, the known class fixed on branch `eval`.
fn hcl_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => hclish(),
        1 => Just("\"é€😀\"".to_owned()),
        1 => Just("# ünïcödé €\n".to_owned()),
        1 => Just("# drlint:ignore deletion-protection-disabled -- café\n".to_owned()),
        1 => Just("*/".to_owned()),
        1 => Just("\"".to_owned()),
    ]
}

/// Fragments spliced into YAML texts.
fn yaml_fragment() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("  ".to_owned()),
        Just("- ".to_owned()),
        Just("a: ".to_owned()),
        Just("replicaCount: 1\n".to_owned()),
        Just("enabled: on\n".to_owned()),
        Just("&x ".to_owned()),
        Just("*x".to_owned()),
        Just("<<: *x\n".to_owned()),
        Just("{ a: 1, a: 2 }".to_owned()),
        Just("[1, ".to_owned()),
        Just("\"é€😀\"".to_owned()),
        Just("# drlint:ignore yaml11-ambiguous-boolean -- ünï\n".to_owned()),
        Just("---\n".to_owned()),
        Just("? ".to_owned()),
        Just("'".to_owned()),
        "[a-z:\\-{}\\[\\],&*!|>'\" \n]{0,6}".prop_map(|s| s),
    ];
    prop::collection::vec(token, 0..12).prop_map(|t| t.concat())
}

/// Fragments spliced into `.tfvars.json` texts: ASCII only, because a
/// multibyte character in a `.tfvars.json` file panics, the known class fixed
/// on branch `eval`.
fn json_fragment() -> impl Strategy<Value = String> {
    "[a-z0-9\"{}\\[\\]:, \n.-]{0,12}".prop_map(|s| s)
}

/// One of the texts: as it is, cut short, with a fragment inserted at some
/// character boundary, or with whole lines inserted at a line start (which
/// mostly keeps it readable, so that the rules see the change).
fn mutated(
    texts: &'static [&'static str],
    fragment: impl Strategy<Value = String>,
    lines: &'static [&'static str],
) -> impl Strategy<Value = String> {
    let at = |text: &str, index: &Index| {
        let mut cut = index.index(text.len() + 1);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        cut
    };
    let line_start = |text: &str, index: &Index| {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        starts[index.index(starts.len())]
    };
    let inserted = prop::collection::vec(select(lines), 1..4).prop_map(|l| l.concat());
    prop_oneof![
        3 => select(texts).prop_map(str::to_owned),
        1 => (select(texts), any::<Index>()).prop_map(move |(t, i)| t[..at(t, &i)].to_owned()),
        1 => (select(texts), any::<Index>(), fragment).prop_map(move |(t, i, f)| {
            let cut = at(t, &i);
            format!("{}{f}{}", &t[..cut], &t[cut..])
        }),
        3 => (select(texts), any::<Index>(), inserted).prop_map(move |(t, i, l)| {
            let cut = line_start(t, &i);
            format!("{}{l}{}", &t[..cut], &t[cut..])
        }),
    ]
}

/// Whole lines for Terraform and tfvars texts: arguments the rules read,
/// suppressions, repeated keys, multibyte text.
const HCL_LINES: &[&str] = &[
    "  deletion_protection = false\n",
    "  deletion_protection = var.deletion_protection\n",
    "  db_backup_retention_period = 1\n",
    "  skip_final_snapshot = true\n",
    "  snapshot_identifier = \"rds:restore-é\"\n",
    "  count = 0\n",
    "  versioning = false\n",
    "  tags = { \"é\" = \"€\", \"é\" = \"😀\" }\n",
    "  # drlint:ignore deletion-protection-disabled -- restore ☕\n",
    "  # drlint:ignore deletion-protection-disabled\n",
    "# drlint:ignore-file backup-retention-too-short -- ünï until=2025-01-01\n",
    "# ünïcödé ✓\n",
    "deletion_protection = false\n",
    "retention = 1\n",
    "locals {\n  a = { x = 1, x = 2 }\n}\n",
    "module \"db\" {\n  source = \"./modules/db\"\n  protect = false\n}\n",
];

/// Whole lines for Helm values and namespace texts.
const YAML_LINES: &[&str] = &[
    "replicaCount: 1\n",
    "  replicaCount: 1\n",
    "    enabled: on\n",
    "  image:\n    tag: latest\n",
    "  env:\n    DB_PASSWORD: \"hünter2€\"\n",
    "  autoscaling:\n    enabled: true\n",
    "generic-service:\n  ingress:\n    enabled: true\n",
    "# drlint:ignore yaml11-ambiguous-boolean -- ünï\n",
    "# drlint:ignore inline-secret-value\n",
    "# ✓ €\n",
    "  labels:\n    cloud-platform.justice.gov.uk/is-production: \"true\"\n",
];

/// Whole lines for `.tfvars.json` texts (ASCII: see [`json_fragment`]).
const JSON_LINES: &[&str] = &[
    "  \"deletion_protection\": false,\n",
    "  \"retention\": 1,\n",
    "  \"aurora_protection\": false\n",
    "{\"snapshot\": \"rds:x\"}\n",
];

const TF: &[&str] = &[
    include_str!("../../../../fixtures/scenarios/tfvars-precedence/rds.tf"),
    include_str!("../../../../fixtures/rules/deletion-protection-disabled/tfvars/main.tf"),
    include_str!("../../../../fixtures/rules/deletion-protection-disabled/local-module/main.tf"),
    include_str!("../../../../fixtures/rules/duplicate-object-key/main.tf"),
    include_str!("../../../../fixtures/rules/suppression-without-reason/main.tf"),
    include_str!("../../../../fixtures/rules/rds-stopped-nightly-in-production/prod/main.tf"),
];

/// The variables of the first two [`TF`] texts.
const VARIABLES_TF: &[&str] = &[
    include_str!("../../../../fixtures/scenarios/tfvars-precedence/variables.tf"),
    include_str!("../../../../fixtures/rules/deletion-protection-disabled/tfvars/variables.tf"),
];

const MODULE_TF: &[&str] = &[
    include_str!(
        "../../../../fixtures/rules/deletion-protection-disabled/local-module/modules/db/main.tf"
    ),
    include_str!(
        "../../../../fixtures/rules/backup-retention-too-short/local-module/modules/db/main.tf"
    ),
];

const TFVARS: &[&str] = &[
    include_str!("../../../../fixtures/scenarios/tfvars-precedence/terraform.tfvars"),
    include_str!("../../../../fixtures/scenarios/tfvars-precedence/a.auto.tfvars"),
    include_str!("../../../../fixtures/rules/deletion-protection-disabled/tfvars/terraform.tfvars"),
];

const TFVARS_JSON: &[&str] = &[
    include_str!("../../../../fixtures/scenarios/tfvars-precedence/zz.auto.tfvars.json"),
    include_str!(
        "../../../../fixtures/rules/deletion-protection-disabled/tfvars/protect.auto.tfvars.json"
    ),
];

const NAMESPACE: &[&str] = &[
    include_str!(
        "../../../../fixtures/rules/apply-pipeline-skipped/payments-prod/00-namespace.yaml"
    ),
    include_str!(
        "../../../../fixtures/rules/production-flag-mismatch/label-says-no/00-namespace.yaml"
    ),
];

const VALUES: &[&str] = &[
    include_str!("../../../../fixtures/scenarios/helm-layering/helm_deploy/api/values.yaml"),
    include_str!("../../../../fixtures/scenarios/helm-layering/helm_deploy/values-prod.yaml"),
    include_str!("../../../../fixtures/scenarios/helm-layering/helm_deploy/values-preprod.yaml"),
    include_str!("../../../../fixtures/rules/yaml11-ambiguous-boolean/values.yaml"),
    include_str!("../../../../fixtures/rules/inline-secret-value/literal/values.yaml"),
];

const CHART: &[&str] = &[include_str!(
    "../../../../fixtures/scenarios/helm-layering/helm_deploy/api/Chart.yaml"
)];

#[derive(Clone, Copy, Debug)]
enum Role {
    Tf,
    Variables,
    Module,
    Tfvars,
    TfvarsJson,
    Namespace,
    Values,
    Chart,
}

/// The paths a generated folder may hold: a root, a production namespace
/// calling its local module `./modules/db`, and a Helm folder with an overlay.
const PATHS: &[(&str, Role)] = &[
    ("main.tf", Role::Tf),
    ("variables.tf", Role::Variables),
    ("terraform.tfvars", Role::Tfvars),
    ("b.auto.tfvars.json", Role::TfvarsJson),
    ("00-namespace.yaml", Role::Namespace),
    ("team-prod/main.tf", Role::Tf),
    ("team-prod/a.auto.tfvars", Role::Tfvars),
    ("team-prod/00-namespace.yaml", Role::Namespace),
    ("team-prod/modules/db/main.tf", Role::Module),
    ("helm_deploy/app/values.yaml", Role::Values),
    ("helm_deploy/values-prod.yaml", Role::Values),
    ("helm_deploy/app/Chart.yaml", Role::Chart),
];

fn text(role: Role) -> BoxedStrategy<String> {
    match role {
        Role::Tf => mutated(TF, hcl_fragment(), HCL_LINES).boxed(),
        Role::Variables => mutated(VARIABLES_TF, hcl_fragment(), HCL_LINES).boxed(),
        Role::Module => mutated(MODULE_TF, hcl_fragment(), HCL_LINES).boxed(),
        Role::Tfvars => mutated(TFVARS, hcl_fragment(), HCL_LINES).boxed(),
        Role::TfvarsJson => mutated(TFVARS_JSON, json_fragment(), JSON_LINES).boxed(),
        Role::Namespace => mutated(NAMESPACE, yaml_fragment(), YAML_LINES).boxed(),
        Role::Values => mutated(VALUES, yaml_fragment(), YAML_LINES).boxed(),
        Role::Chart => mutated(CHART, yaml_fragment(), YAML_LINES).boxed(),
    }
}

/// A tree of two to eight files from [`PATHS`], each a mutated fixture text.
fn folder() -> impl Strategy<Value = Vec<Input>> {
    prop::sample::subsequence(PATHS, 2..=8).prop_flat_map(|paths| {
        paths
            .into_iter()
            .map(|(path, role)| text(role).prop_map(move |t| input(path, t)))
            .collect::<Vec<_>>()
    })
}

/// A rayon pool of this many threads, built once.
fn pool(threads: usize) -> &'static rayon::ThreadPool {
    static POOLS: OnceLock<[rayon::ThreadPool; 2]> = OnceLock::new();
    let pools = POOLS.get_or_init(|| {
        [1, 4].map(|n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        })
    });
    match threads {
        1 => &pools[0],
        4 => &pools[1],
        _ => unreachable!("pools of 1 and 4 threads"),
    }
}

/// A `main.tf` whose variables feed a module call, for variables files to bind.
const VARIABLES_MAIN: &str =
    include_str!("../../../../fixtures/scenarios/tfvars-precedence/rds.tf");

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_as_any_input_never_panic(
        bytes in prop_oneof![tricky_bytes(), prop::collection::vec(any::<u8>(), 0..300)],
        kind in 0..KINDS.len(),
    ) {
        let report = checker().check(vec![
            input("main.tf", b"variable \"a\" {}\n"),
            input(KINDS[kind], bytes.as_slice()),
        ]);
        for f in &report.findings {
            let text = &f.file.text;
            for span in std::iter::once(&f.span).chain(f.related.iter().map(|r| &r.span)) {
                prop_assert!(span.start <= span.end && span.end <= text.len());
                prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            }
        }
    }

    #[test]
    fn hcl_like_text_never_panics(text in hclish()) {
        let report = checker().check(vec![input("main.tf", text)]);
        for f in &report.findings {
            prop_assert!(f.span.end <= f.file.text.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        checker().check(vec![input("x.tf", bytes)]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_as_tfvars_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let report = checker().check(vec![
            input("main.tf", VARIABLES_MAIN),
            input("terraform.tfvars", bytes),
        ]);
        spans_inside_files(&report)?;
    }

    #[test]
    fn arbitrary_bytes_as_tfvars_json_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let report = checker().check(vec![
            input("main.tf", VARIABLES_MAIN),
            input("terraform.tfvars.json", bytes),
        ]);
        spans_inside_files(&report)?;
    }

    #[test]
    fn arbitrary_bytes_as_helm_values_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(text) = std::str::from_utf8(&bytes) {
            crate::helm::yaml::parse(text);
        }
        let report = checker().check(vec![
            input("helm_deploy/app/values.yaml", bytes),
            input("helm_deploy/values-prod.yaml", VALUES[1]),
        ]);
        spans_inside_files(&report)?;
    }

    #[test]
    fn arbitrary_text_as_helm_values_never_panics(text in mutated(VALUES, yaml_fragment(), YAML_LINES)) {
        crate::helm::yaml::parse(&text);
        let report = checker().check(vec![input("helm_deploy/app/values.yaml", text)]);
        spans_inside_files(&report)?;
    }

    #[test]
    fn arbitrary_bytes_as_a_configuration_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Config::from_yaml(&text, checker().rules());
        let _ = crate::Rule::from_yaml("x.yaml", &text);
        let _ = crate::profile::Profile::from_yaml("x.yaml", &text);
        let _ = crate::helm::profile::ChartProfile::from_yaml("x.yaml", &text);
    }

    #[test]
    fn checking_twice_renders_the_same_report(inputs in folder()) {
        let first = checker().check(inputs.clone());
        let second = checker().check(inputs);
        prop_assert_eq!(json(&first), json(&second));
    }

    #[test]
    fn the_report_does_not_depend_on_the_thread_count(inputs in folder()) {
        let one = pool(1).install(|| checker().check(inputs.clone()));
        let four = pool(4).install(|| checker().check(inputs));
        prop_assert_eq!(json(&one), json(&four));
    }

    #[test]
    fn every_span_lies_inside_its_file(inputs in folder()) {
        let report = checker().check(inputs);
        spans_inside_files(&report)?;
        json(&report);
    }
}

/// The files of `fixtures/robustness/<name>/`, with paths relative to it.
fn robustness_fixture(name: &str) -> Vec<Input> {
    fn walk(dir: &std::path::Path, root: &std::path::Path, out: &mut Vec<Input>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_string_lossy();
                out.push(input(
                    &rel.replace('\\', "/"),
                    std::fs::read(&path).unwrap(),
                ));
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/robustness")
        .join(name);
    let mut inputs = Vec::new();
    walk(&root, &root, &mut inputs);
    assert!(!inputs.is_empty(), "no files in {}", root.display());
    inputs
}

/// A fuzzer's input, checked: no panic, every span inside its file, rendered.
fn check_robustness_fixture(name: &str) {
    let report = checker().check(robustness_fixture(name));
    if let Err(e) = spans_inside_files(&report) {
        panic!("{name}: {e}");
    }
    json(&report);
}

// Found by the `hcl` fuzzer: an unterminated block comment ending in a
// multibyte character (`/*€`).
#[test]
fn fuzz_block_comment_ending_in_a_multibyte_character() {
    check_robustness_fixture("block-comment-multibyte");
}

// Found by the `tfvars` fuzzer: the same comment in a `terraform.tfvars` file.
#[test]
fn fuzz_block_comment_ending_in_a_multibyte_character_in_tfvars() {
    check_robustness_fixture("block-comment-multibyte-tfvars");
}

// Found by the `hcl` fuzzer: a parse error the HCL parser reports at a byte
// offset inside a multibyte character (`o é`); the finding's span is cut there.
#[test]
fn fuzz_parse_error_at_an_offset_inside_a_character() {
    check_robustness_fixture("parse-error-inside-character");
}
