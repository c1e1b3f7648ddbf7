//! The plan guard through the library (`Settings::plan`), on the real plans of
//! `fixtures/rules/plan-destroys-data-store/` and `fixtures/scenarios/plan-values/`:
//! module profiles, companions, unknown values, and what a plan alone gives.

use std::path::{Path, PathBuf};

use crate::plan::{Plan, PlanRun};
use crate::{Checker, Report, Settings, builtin};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path)
}

fn plan_text(case: &str) -> String {
    std::fs::read_to_string(fixture(case).join("plan.json")).unwrap()
}

/// The plan (its text, edited by the test) checked alone, as `--plan plan.json` without PATH.
fn check_alone(text: &str) -> Report {
    let plan = Plan::parse("plan.json", text.as_bytes()).unwrap();
    let settings = Settings {
        plan: Some(PlanRun::new(std::sync::Arc::new(plan))),
        ..Settings::default()
    };
    Checker::with_settings(
        builtin::rules().unwrap(),
        builtin::profiles().unwrap(),
        settings,
    )
    .check(Vec::new())
}

fn rules_and_messages(report: &Report) -> Vec<(String, String)> {
    report
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.message.clone()))
        .collect()
}

#[test]
fn a_resource_inside_a_profiled_module_is_attributed_to_the_call_and_its_profile() {
    // the same plan, as if the calls used the Cloud Platform rds-instance module
    let text = plan_text("rules/plan-destroys-data-store/module").replace(
        "\"source\": \"./modules/db\"",
        "\"source\": \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"",
    );
    let report = check_alone(&text);
    let messages = rules_and_messages(&report);
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages[0].1.starts_with(
            "`module.orders_db.aws_db_instance.this` (in `module.orders_db`, module rds-instance 9.2.0) is replaced because `engine` (postgres → mysql) changed"
        ),
        "{messages:#?}"
    );
    // the module call that is gone has no configuration, so no source and no profile
    assert!(
        messages[1]
            .1
            .starts_with("`module.reports_db.aws_db_instance.this` is destroyed because the module call `module.reports_db` is gone"),
        "{messages:#?}"
    );
    let text = text.replace(
        "\"deletion_protection\": true",
        "\"deletion_protection\": false",
    );
    let report = check_alone(&text);
    let dp: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "deletion-protection-disabled")
        .collect();
    assert_eq!(dp.len(), 1);
    assert_eq!(
        dp[0].message,
        "`module.orders_db` can be destroyed by any apply: deletion protection is off",
        "the after values of the module's instance are the call's"
    );
}

#[test]
fn a_companion_resource_in_the_plan_sets_the_attribute() {
    let text = plan_text("rules/plan-destroys-data-store/s3");
    let versioning = |report: &Report| {
        report
            .findings
            .iter()
            .filter(|f| f.rule == "s3-versioning-disabled")
            .count()
    };
    assert_eq!(
        versioning(&check_alone(&text)),
        0,
        "versioned by its companion"
    );
    // without the companion's status, the bucket is unversioned
    let without = text.replace("\"status\": \"Enabled\"", "\"status\": \"Suspended\"");
    assert_eq!(versioning(&check_alone(&without)), 1);
}

#[test]
fn a_value_known_only_after_the_apply_is_unknown_never_guessed() {
    let text = plan_text("scenarios/plan-values");
    let report = check_alone(&text);
    let found: Vec<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.identity.clone()))
        .collect();
    // `aws_db_instance.reports` takes its retention from a resource being created
    assert_eq!(
        found,
        [
            (
                "backup-retention-too-short".to_owned(),
                "plan:aws_db_instance.ledger#backup_retention".to_owned()
            ),
            (
                "deletion-protection-disabled".to_owned(),
                "plan:aws_db_instance.ledger#deletion_protection".to_owned()
            ),
        ]
    );
    assert!(report.summary.unknown > 0);
    assert!(report.findings.iter().all(crate::plan::is_from_plan));
}

#[test]
fn an_empty_plan_is_one_file_and_no_finding() {
    let report = check_alone(r#"{"format_version": "1.2", "planned_values": {}}"#);
    assert!(report.findings.is_empty());
    assert_eq!(report.summary.files, 1);
    assert!(report.folders.contains("."));
}
