//! No input makes the checker panic: malformed text is a `parse-error` finding.

use drlint::{Checker, Input, builtin};
use proptest::prelude::*;

fn checker() -> &'static Checker {
    static CHECKER: std::sync::OnceLock<Checker> = std::sync::OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(builtin::rules().unwrap(), builtin::profiles().unwrap()))
}

fn input(path: &str, bytes: &[u8]) -> Input {
    Input {
        path: path.into(),
        content: Ok(bytes.to_vec()),
    }
}

/// Every finding's spans lie inside its file and on character boundaries.
fn assert_spans_valid(report: &drlint::CheckReport) {
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

fn parse_errors(report: &drlint::CheckReport, path: &str) -> usize {
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
fn check_within(inputs: Vec<Input>) -> drlint::CheckReport {
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

fn count(report: &drlint::CheckReport, rule: &str) -> usize {
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
    let settings = drlint::Settings {
        env_vars: vec![drlint::vars::RawVar {
            name: "v".into(),
            value: chain,
            source: "`TF_VAR_v`".into(),
        }],
        ..drlint::Settings::default()
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
    let render = |r: &dyn drlint::report::Render| {
        let mut out = Vec::new();
        r.render(&report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let human = render(&drlint::report::Human {
        color: false,
        width: 100,
        summary: true,
    });
    assert!(
        human.contains("unknown: evaluation budget reached"),
        "{human}"
    );
    let json: serde_json::Value = serde_json::from_str(&render(&drlint::report::Json)).unwrap();
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
    let within = |budget: drlint::eval::Budget| {
        let settings = drlint::Settings {
            budget,
            ..drlint::Settings::default()
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
    assert_eq!(within(drlint::eval::Budget::default()), 0);
    let tiny = drlint::eval::Budget {
        value_elements: 2,
        ..drlint::eval::Budget::default()
    };
    assert!(within(tiny) > 0);
    let few_steps = drlint::eval::Budget {
        steps: 3,
        ..drlint::eval::Budget::default()
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_as_any_input_never_panic(
        bytes in prop_oneof![tricky_bytes(), prop::collection::vec(any::<u8>(), 0..300)],
        kind in 0..KINDS.len(),
    ) {
        let report = checker().check(vec![
            input("main.tf", b"variable \"a\" {}\n"),
            input(KINDS[kind], &bytes),
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
        let report = checker().check(vec![Input { path: "main.tf".into(), content: Ok(text.into_bytes()) }]);
        for f in &report.findings {
            prop_assert!(f.span.end <= f.file.text.len());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        checker().check(vec![Input { path: "x.tf".into(), content: Ok(bytes) }]);
    }
}
