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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

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
