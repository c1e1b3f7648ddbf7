//! Every rule's examples, and every fixture folder with its inline expectations.
//!
//! A fixture line that should carry a finding ends with a comment
//! `# expect: rule-id` (several ids separated by commas); the test requires
//! exactly those findings, no missing and no extra, across all rules. A file
//! that cannot hold a comment (an empty marker file) has its expectations in a
//! file `expect` beside it: lines `FILE:LINE: rule-id[, rule-id]`.
//!
//! A folder holding a `plan.json` (real `terraform show -json` output, made by
//! `scripts/plans/make-guard-plans.py`) is a fixture of its own, checked with
//! that plan (`--plan plan.json FOLDER`); its findings in `plan.json` are in its `expect` file.

use std::fs;
use std::path::{Path, PathBuf};

use crate::plan::{Plan, PlanRun};
use crate::{Checker, Input, Settings, builtin};

fn checker() -> Checker {
    Checker::new(builtin::rules().unwrap(), builtin::profiles().unwrap())
}

/// A checker that checks the plan in `dir/plan.json` with the inputs.
fn plan_checker(dir: &Path) -> Checker {
    let bytes = fs::read(dir.join(PLAN_FILE)).unwrap();
    let plan = Plan::parse(PLAN_FILE, &bytes).unwrap();
    let settings = Settings {
        plan: Some(PlanRun::new(std::sync::Arc::new(plan))),
        ..Settings::default()
    };
    Checker::with_settings(
        builtin::rules().unwrap(),
        builtin::profiles().unwrap(),
        settings,
    )
}

const PLAN_FILE: &str = "plan.json";

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

#[test]
fn every_rule_example_behaves_as_documented() {
    let checker = checker();
    let failures: Vec<String> = builtin::rules()
        .unwrap()
        .iter()
        .flat_map(|rule| crate::examples::example_failures(rule, &checker))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn input_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            input_files(&path, out);
        } else if is_input(&path) || path.file_name().is_some_and(|n| n == "expect") {
            out.push(path);
        }
    }
}

/// The files drlint reads: Terraform, automatic tfvars, namespace manifests, markers, Helm values.
fn is_input(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    static MARKERS: std::sync::LazyLock<crate::markers::MarkerNames> =
        std::sync::LazyLock::new(|| {
            crate::markers::MarkerNames::for_config(&builtin::rules().unwrap(), None)
        });
    name.ends_with(".tf")
        || name.ends_with(".tfvars")
        || name.ends_with(".tfvars.json")
        || name == "00-namespace.yaml"
        || MARKERS.wants(&name)
        || crate::helm::is_values_file(&name)
        || name == crate::helm::CHART_FILE
}

/// `(path, line, rule)` for every line `FILE:LINE: rule-id` of an `expect` file
/// in folder `dir` (relative to the fixture).
fn expect_file(dir: &str, text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (place, ids) = line.split_once(": ").expect("FILE:LINE: rule-id");
        let (file, number) = place.rsplit_once(':').expect("FILE:LINE");
        let path = if dir.is_empty() {
            file.to_owned()
        } else {
            format!("{dir}/{file}")
        };
        for id in ids.split(',') {
            out.push((path.clone(), number.parse().unwrap(), id.trim().to_owned()));
        }
    }
    out
}

/// `(path, line, rule)` for every `expect:` comment; an id given twice expects two findings.
fn expectations(path: &str, text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(pos) = line.find("expect: ") else {
            continue;
        };
        let before = line[..pos].trim_end();
        if !(before.ends_with('#') || before.ends_with("//")) {
            continue;
        }
        for id in line[pos + "expect: ".len()..].split(',') {
            out.push((path.to_owned(), i + 1, id.trim().to_owned()));
        }
    }
    out
}

/// Checks one fixture folder (all `.tf` files below it, each folder a module directory).
fn check_fixture(dir: &Path) -> Result<(), String> {
    let mut files = Vec::new();
    input_files(dir, &mut files);
    let mut expected = Vec::new();
    let (expect_files, files): (Vec<_>, Vec<_>) = files
        .iter()
        .partition(|p| p.file_name().is_some_and(|n| n == "expect"));
    for p in expect_files {
        let folder = p.parent().unwrap().strip_prefix(dir).unwrap();
        let folder = folder.to_string_lossy().replace('\\', "/");
        expected.extend(expect_file(&folder, &fs::read_to_string(p).unwrap()));
    }
    let inputs: Vec<Input> = files
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = fs::read(p).unwrap();
            expected.extend(expectations(&rel, &String::from_utf8_lossy(&bytes)));
            Input {
                path: rel,
                content: Ok(bytes),
            }
        })
        .collect();
    let report = if dir.join(PLAN_FILE).is_file() {
        plan_checker(dir).check(inputs)
    } else {
        checker().check(inputs)
    };
    let mut actual: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.path().to_owned(), f.start().line, f.rule.clone()))
        .collect();
    actual.sort();
    expected.sort();
    if actual == expected {
        return Ok(());
    }
    let missing = multiset_difference(&expected, &actual);
    let extra = multiset_difference(&actual, &expected);
    Err(format!(
        "{}:\n  missing: {missing:?}\n  extra:   {extra:?}",
        dir.display()
    ))
}

/// The items of `a` not matched one-for-one in `b` (both sorted).
fn multiset_difference<T: Ord + Clone>(a: &[T], b: &[T]) -> Vec<T> {
    let mut rest = b.to_vec();
    let mut out = Vec::new();
    for item in a {
        match rest.binary_search(item) {
            Ok(i) => {
                rest.remove(i);
            }
            Err(_) => out.push(item.clone()),
        }
    }
    out
}

#[test]
fn every_rule_has_a_fixture_folder() {
    for rule in builtin::rules().unwrap() {
        // change rules compare two states: tests/pr.rs replays git histories for them
        if matches!(rule.select, crate::rules::Select::Changes(_)) {
            continue;
        }
        let dir = fixtures_root().join("rules").join(&rule.id);
        assert!(dir.is_dir(), "missing fixture folder {}", dir.display());
    }
}

#[test]
fn fixtures_produce_exactly_their_expected_findings() {
    let mut failures = Vec::new();
    for group in ["rules", "scenarios"] {
        let root = fixtures_root().join(group);
        let mut dirs: Vec<_> = fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        for dir in dirs.into_iter().filter(|d| d.is_dir()) {
            for fixture in fixtures_in(&dir) {
                if let Err(e) = check_fixture(&fixture) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The fixtures of a folder: each folder below it that holds a plan, else the folder itself.
fn fixtures_in(dir: &Path) -> Vec<PathBuf> {
    fn plans(dir: &Path, out: &mut Vec<PathBuf>) {
        if dir.join(PLAN_FILE).is_file() {
            out.push(dir.to_path_buf());
            return;
        }
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        entries.sort();
        for e in entries {
            plans(&e, out);
        }
    }
    let mut out = Vec::new();
    plans(dir, &mut out);
    if out.is_empty() {
        out.push(dir.to_path_buf());
    }
    out
}

#[test]
fn a_marker_names_its_namespaces_data_stores_and_is_an_error_in_production() {
    let report = checker().check(fixture_inputs("rules/apply-pipeline-skipped"));
    let found: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == "apply-pipeline-skipped")
        .map(|f| format!("{} {:?} {} | {}", f.path(), f.span, f.severity, f.message))
        .collect();
    let expected = [
        "ecr-only-dev/APPLY_PIPELINE_SKIP_THIS_NAMESPACE 0..61 warning | `APPLY_PIPELINE_SKIP_THIS_NAMESPACE` stops the apply pipeline: nothing merged to `ecr-only-dev` is applied, a namespace holding no data store drlint found in this run",
        "events-dev/APPLY_PIPELINE_SKIP_THIS_NAMESPACE 0..0 warning | `APPLY_PIPELINE_SKIP_THIS_NAMESPACE` stops the apply pipeline: nothing merged to `events-dev` is applied, a namespace holding 1 data store: module.store.aws_dynamodb_table.events",
        "payments-prod/APPLY_PIPELINE_SKIP_THIS_NAMESPACE 0..0 error | `APPLY_PIPELINE_SKIP_THIS_NAMESPACE` stops the apply pipeline: nothing merged to `payments-prod` is applied, a namespace holding 2 data stores: module.documents, module.rds",
        "real-datahub-catalogue-prod/APPLY_PIPELINE_SKIP_THIS_NAMESPACE 0..0 error | `APPLY_PIPELINE_SKIP_THIS_NAMESPACE` stops the apply pipeline: nothing merged to `data-platform-datahub-catalogue-prod` is applied, a namespace holding 1 data store: module.rds",
        "reports-dev/APPLY_PIPELINE_SKIP_THIS_NAMESAPCE 0..0 note | `APPLY_PIPELINE_SKIP_THIS_NAMESAPCE` is not `APPLY_PIPELINE_SKIP_THIS_NAMESPACE`: the apply pipeline does not read it, so merges to `reports-dev` are applied as usual",
    ];
    assert_eq!(found, expected);
}

/// The input files of one fixture folder (its `expect` file aside), with paths relative to it.
fn fixture_inputs(dir: &str) -> Vec<Input> {
    let dir = fixtures_root().join(dir);
    let mut files = Vec::new();
    input_files(&dir, &mut files);
    files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n != "expect"))
        .map(|p| Input {
            path: p
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/"),
            content: Ok(fs::read(p).unwrap()),
        })
        .collect()
}

/// `(path, line, rule, severity)` of every finding in one fixture folder.
fn severities(dir: &str) -> Vec<(String, usize, String, String)> {
    checker()
        .check(fixture_inputs(dir))
        .findings
        .iter()
        .map(|f| {
            (
                f.path().to_owned(),
                f.start().line,
                f.rule.clone(),
                f.severity.to_string(),
            )
        })
        .collect()
}

fn severity_at(
    findings: &[(String, usize, String, String)],
    path: &str,
    line: usize,
    rule: &str,
) -> String {
    findings
        .iter()
        .find(|(p, l, r, _)| p == path && *l == line && r == rule)
        .map(|(.., s)| s.clone())
        .unwrap_or_else(|| panic!("no {rule} finding at {path}:{line}: {findings:?}"))
}

#[test]
fn message_variants_set_their_own_severity() {
    // the dynamodb-cluster module cannot set deletion protection: a note; a raw table: an error
    let f = severities("rules/deletion-protection-disabled/dynamodb-cognito");
    assert_eq!(
        severity_at(&f, "main.tf", 38, "deletion-protection-disabled"),
        "note"
    );
    assert_eq!(
        severity_at(&f, "main.tf", 8, "deletion-protection-disabled"),
        "error"
    );
    // lifecycle expiration: a note on a versioned bucket, an error on a state or unversioned one
    let rule = "s3-lifecycle-expires-current-objects";
    let f = severities("rules/s3-lifecycle-expires-current-objects");
    assert_eq!(severity_at(&f, "main.tf", 15, rule), "note");
    assert_eq!(severity_at(&f, "errors/main.tf", 9, rule), "error");
    assert_eq!(severity_at(&f, "errors/main.tf", 21, rule), "error");
    assert_eq!(severity_at(&f, "errors/main.tf", 33, rule), "error");
    let path = "real-coat-chatbot-frontend-prod/s3.corpus.tf";
    assert_eq!(severity_at(&f, path, 46, rule), "error");
}

#[test]
fn profiles_map_recovery_settings() {
    use crate::eval::Value;
    let dir = fixtures_root().join("scenarios/recovery-settings-profiles");
    let text = fs::read(dir.join("main.tf")).unwrap();
    let settings = crate::Settings {
        inspect: true,
        ..Default::default()
    };
    let checker = Checker::with_settings(
        builtin::rules().unwrap(),
        builtin::profiles().unwrap(),
        settings,
    );
    let report = checker.check(vec![Input {
        path: "main.tf".into(),
        content: Ok(text),
    }]);
    let value = |address: &str, attribute: &str| -> Value {
        let store = report
            .inspected
            .iter()
            .find(|s| s.address == address)
            .unwrap_or_else(|| panic!("{address} not recognised"));
        store
            .fields
            .get(attribute)
            .unwrap_or_else(|| panic!("{address} has no {attribute}"))
            .value
            .clone()
    };
    assert_eq!(value("module.search", "instance_count"), Value::Number(3.0));
    assert_eq!(
        value("module.search", "encrypted_at_rest"),
        Value::Bool(true)
    );
    assert_eq!(
        value("module.search_newer", "encrypted_at_rest"),
        Value::Unknown
    );
    assert_eq!(
        value("module.search_unknown", "instance_count"),
        Value::Unknown
    );
    assert_eq!(
        value("aws_opensearch_domain.raw", "zone_awareness"),
        Value::Bool(true)
    );
    assert_eq!(
        value("aws_opensearch_domain.raw", "encrypted_at_rest"),
        Value::Bool(false)
    );
    assert_eq!(value("module.dms", "multi_az"), Value::Bool(false));
    assert_eq!(
        value("aws_mq_broker.single", "multi_az"),
        Value::Bool(false)
    );
    assert_eq!(
        value("aws_mq_broker.standby", "multi_az"),
        Value::Bool(true)
    );
}
