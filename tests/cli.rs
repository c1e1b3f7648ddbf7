//! End-to-end tests of the `drlint` binary.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/workspace.rs"]
mod support_workspace;
use support_workspace::workspace;

fn drlint() -> Command {
    let mut cmd = Command::cargo_bin("drlint").unwrap();
    // this repository's own history would make rendered output change with every commit
    cmd.current_dir(workspace())
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .env("DRLINT_NO_HISTORY", "1");
    cmd
}

fn json(output: &[u8]) -> Value {
    serde_json::from_slice(output).expect("valid JSON")
}

#[test]
fn human_output_is_miettes_report_with_a_summary() {
    let out = drlint()
        .args([
            "check",
            "--color",
            "never",
            "fixtures/scenarios/rendering-human",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    insta::assert_snapshot!("human_deletion_protection", text);
}

#[test]
fn a_finding_about_items_points_at_the_first_and_labels_the_others() {
    let out = drlint()
        .args([
            "check",
            "--color",
            "never",
            "fixtures/scenarios/rendering-items",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("human_items", String::from_utf8(out).unwrap());
}

#[test]
fn json_output_follows_the_contract() {
    let out = drlint()
        .args([
            "check",
            "--format",
            "json",
            "fixtures/scenarios/rendering-json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    let keys: Vec<(String, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "sorted by path and line");
    insta::assert_json_snapshot!("json_backup_retention", doc);
}

#[test]
fn colour_is_used_only_when_asked_or_on_a_terminal() {
    let always = drlint()
        .args([
            "check",
            "--color",
            "always",
            "fixtures/rules/final-snapshot-skipped",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&always.stdout).contains('\u{1b}'));
    let auto = drlint()
        .args(["check", "fixtures/rules/final-snapshot-skipped"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&auto.stdout).contains('\u{1b}'));
}

#[test]
fn malformed_and_binary_files_are_reported_and_the_rest_is_checked() {
    let out = drlint()
        .args([
            "check",
            "--format",
            "json",
            "fixtures/rules/parse-error",
            "fixtures/scenarios/binary-among-good",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc = json(&out);
    let found: Vec<(String, String, u64, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let parse_errors: Vec<_> = found.iter().filter(|f| f.0 == "parse-error").collect();
    assert_eq!(parse_errors.len(), 4, "{found:?}");
    assert!(found.contains(&(
        "parse-error".into(),
        "fixtures/rules/parse-error/latin1.tf".into(),
        2,
        16
    )));
    assert!(found.contains(&(
        "parse-error".into(),
        "fixtures/scenarios/binary-among-good/image.tf".into(),
        1,
        1
    )));
    // the good files beside them are still checked
    assert!(found.iter().any(|f| f.0 == "final-snapshot-skipped"));
    assert!(found.iter().any(|f| f.0 == "deletion-protection-disabled"));
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("main.tf"),
        "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n}\n",
    )
    .unwrap();
    drlint().arg("check").arg(dir.path()).assert().code(0);
    drlint().args(["check", "no/such/folder"]).assert().code(2);
    // only warnings and notes: below an `error` threshold
    drlint()
        .args([
            "check",
            "--severity-threshold",
            "error",
            "fixtures/rules/s3-versioning-disabled",
        ])
        .assert()
        .code(0);
    drlint()
        .args(["check", "fixtures/rules/s3-versioning-disabled"])
        .assert()
        .code(1);
    // a note alone does not fail at the default threshold (warning)
    drlint()
        .args([
            "check",
            "--rule",
            "cache-backups-disabled",
            "fixtures/rules/cache-backups-disabled",
        ])
        .assert()
        .code(0);
    let out = drlint()
        .args(["check", "--rule", "deletion-protection-disabld", "."])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("did you mean `deletion-protection-disabled`"),
        "{err}"
    );
}

#[test]
fn rule_selection() {
    let run = |args: &[&str]| {
        let out = drlint().args(args).output().unwrap();
        let doc = json(&out.stdout);
        let mut rules: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect();
        rules.dedup();
        rules
    };
    let dir = "fixtures/scenarios/rendering-human";
    assert_eq!(
        run(&[
            "check",
            "--format",
            "json",
            "--rule",
            "backup-retention-too-short",
            dir
        ]),
        ["backup-retention-too-short"]
    );
    assert!(
        !run(&[
            "check",
            "--format",
            "json",
            "--ignore-rule",
            "deletion-protection-disabled",
            dir
        ])
        .contains(&"deletion-protection-disabled".to_owned())
    );
}

#[test]
fn fingerprints_survive_line_shifts_and_differ_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let body = "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n}\n";
    fs::create_dir(dir.path().join("a")).unwrap();
    fs::create_dir(dir.path().join("b")).unwrap();
    fs::write(dir.path().join("a/main.tf"), body).unwrap();
    fs::write(dir.path().join("b/main.tf"), body).unwrap();
    let fingerprints = || -> Vec<(String, String)> {
        let out = drlint()
            .current_dir(dir.path())
            .args([
                "check",
                "--format",
                "json",
                "--rule",
                "deletion-protection-disabled",
            ])
            .output()
            .unwrap();
        json(&out.stdout)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["fingerprint"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let before = fingerprints();
    assert_eq!(before.len(), 2);
    assert_eq!(before[0].0, "a/main.tf");
    assert_ne!(
        before[0].1, before[1].1,
        "identical findings in two files stay distinct"
    );
    fs::write(
        dir.path().join("a/main.tf"),
        format!("# a comment\n\nlocals {{\n  x = 1\n}}\n\n{body}"),
    )
    .unwrap();
    assert_eq!(fingerprints(), before, "a line shift keeps the fingerprint");
}

#[test]
fn rules_and_explain() {
    let out = drlint()
        .arg("rules")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("rules_list", String::from_utf8(out).unwrap());
    let out = drlint()
        .args(["explain", "deletion-protection-disabled"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(
        "explain_deletion_protection",
        String::from_utf8(out).unwrap()
    );
    drlint().args(["explain", "no-such-rule"]).assert().code(2);
}

#[test]
fn a_team_profile_maps_its_own_module_to_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("profiles")).unwrap();
    fs::write(
        dir.path().join("profiles/our-postgres.yaml"),
        "kind: rds_instance\nname: module our-postgres\nmatch:\n  module_source: github.com/example/terraform-our-postgres\nattributes:\n  deletion_protection:\n    input: protect\n    default: false\n  backup_retention:\n    input: backup_days\n    default: 7\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("main.tf"),
        "module \"db\" {\n  source      = \"github.com/example/terraform-our-postgres?ref=1.0.0\"\n  backup_days = 2\n}\n",
    )
    .unwrap();
    let out = drlint()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--profiles",
            "profiles",
            "main.tf",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let doc = json(&out);
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["deletion-protection-disabled", "backup-retention-too-short"]
    );
    let label = doc["findings"][0]["label"].as_str().unwrap();
    assert_eq!(
        label,
        "`protect` is not set: module our-postgres defaults it to false"
    );

    // a broken profile is a configuration error naming the file
    fs::write(
        dir.path().join("profiles/broken.yaml"),
        "kind: rds_instance\nname: x\nmatch: {}\nattributes:\n  a: { inptu: b }\n",
    )
    .unwrap();
    let out = drlint()
        .current_dir(dir.path())
        .args(["check", "--profiles", "profiles", "main.tf"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(
        err.contains("broken.yaml") && err.contains("inptu"),
        "{err}"
    );
}

fn rules_and_lines(out: &[u8]) -> Vec<(String, String, u64)> {
    json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn variables_from_the_environment_and_command_line_follow_terraforms_precedence() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("main.tf"),
        "variable \"protect\" {\n  type    = bool\n  default = true\n}\n\nmodule \"rds\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = var.protect\n}\n",
    )
    .unwrap();
    fs::write(dir.path().join("off.tfvars"), "protect = false\n").unwrap();
    fs::write(dir.path().join("on.tfvars.json"), "{\"protect\": true}").unwrap();
    let run = |args: &[&str], env: Option<&str>| {
        let mut cmd = drlint();
        cmd.current_dir(dir.path())
            .args([
                "check",
                "--format",
                "json",
                "--rule",
                "deletion-protection-disabled",
            ])
            .args(args)
            .arg("main.tf");
        if let Some(v) = env {
            cmd.env("TF_VAR_protect", v);
        }
        rules_and_lines(&cmd.output().unwrap().stdout).len()
    };
    assert_eq!(run(&[], None), 0, "default true");
    assert_eq!(run(&[], Some("false")), 1, "TF_VAR_ overrides the default");
    assert_eq!(
        run(&["--var", "protect=true"], Some("false")),
        0,
        "--var overrides TF_VAR_"
    );
    assert_eq!(run(&["--var-file", "off.tfvars"], None), 1);
    // command-line order decides between --var and --var-file
    assert_eq!(
        run(&["--var-file", "off.tfvars", "--var", "protect=true"], None),
        0
    );
    assert_eq!(
        run(&["--var", "protect=true", "--var-file", "off.tfvars"], None),
        1
    );
    assert_eq!(
        run(
            &["--var-file", "off.tfvars", "--var-file", "on.tfvars.json"],
            None
        ),
        0
    );
    drlint()
        .current_dir(dir.path())
        .args(["check", "--var-file", "missing.tfvars", "main.tf"])
        .assert()
        .code(2);
}

#[test]
fn modules_fetched_by_terraform_init_are_followed_unless_a_profile_knows_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("main.tf"),
        "module \"db\" {\n  source  = \"git::https://example.com/terraform-db.git?ref=1.0.0\"\n  protect = false\n}\n\nmodule \"rds\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n}\n",
    )
    .unwrap();
    fs::create_dir_all(root.join(".terraform/modules/db")).unwrap();
    fs::create_dir_all(root.join(".terraform/modules/rds")).unwrap();
    fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"db","Source":"git::https://example.com/terraform-db.git?ref=1.0.0","Dir":".terraform/modules/db"},{"Key":"rds","Source":"x","Dir":".terraform/modules/rds"}]}"#,
    )
    .unwrap();
    fs::write(
        root.join(".terraform/modules/db/main.tf"),
        "variable \"protect\" {}\n\nresource \"aws_db_instance\" \"this\" {\n  identifier              = \"db\"\n  deletion_protection     = var.protect\n  backup_retention_period = 7\n}\n",
    )
    .unwrap();
    // the profile of rds-instance wins: this fetched code is not evaluated
    fs::write(
        root.join(".terraform/modules/rds/main.tf"),
        "resource \"aws_db_instance\" \"this\" {\n  deletion_protection     = true\n  backup_retention_period = 7\n  skip_final_snapshot     = true\n}\n",
    )
    .unwrap();
    let out = drlint()
        .current_dir(root)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        rules_and_lines(&out.stdout),
        [(
            "deletion-protection-disabled".to_owned(),
            "main.tf".to_owned(),
            3
        )]
    );
}

/// The README's "Suppressing and configuring" section: its files, written out,
/// give exactly the findings its `expected` block lists.
#[test]
fn readme_examples() {
    let readme = fs::read_to_string(workspace().join("README.md")).unwrap();
    let start = readme
        .find("## Suppressing and configuring")
        .expect("section");
    let section = &readme[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
    let dir = tempfile::tempdir().unwrap();
    let mut expected = None;
    let mut rest = section;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let info_end = after.find('\n').unwrap();
        let info: Vec<&str> = after[..info_end].split_whitespace().collect();
        let body_and_more = &after[info_end + 1..];
        let close = body_and_more.find("```").unwrap();
        let body = &body_and_more[..close];
        match info.as_slice() {
            ["text", "expected"] => expected = Some(body.to_owned()),
            [_, path] => {
                let file = dir.path().join(path);
                fs::create_dir_all(file.parent().unwrap()).unwrap();
                fs::write(file, body).unwrap();
            }
            _ => {}
        }
        rest = &body_and_more[close + 3..];
    }
    let out = drlint()
        .current_dir(dir.path())
        .env("DRLINT_TODAY", "2026-11-25")
        .args(["check", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let got: Vec<String> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect();
    let want: Vec<String> = expected
        .expect("an expected block")
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(got, want);
    drlint()
        .current_dir(dir.path())
        .args(["rules", "--check", "drlint/rules"])
        .assert()
        .success()
        .stdout(predicates::str::contains("ok    backup-window-missing"));
}

#[test]
fn suppressions_expire_on_their_date() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("main.tf"),
        "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  # drlint:ignore deletion-protection-disabled until=2026-03-31 -- restore of INC-9\n  deletion_protection = false\n}\n",
    )
    .unwrap();
    let run = |today: &str| {
        let out = drlint()
            .current_dir(dir.path())
            .env("DRLINT_TODAY", today)
            .args(["check", "--format", "json"])
            .output()
            .unwrap();
        json(&out.stdout)
    };
    let before = run("2026-03-31");
    assert_eq!(
        before["findings"].as_array().unwrap().len(),
        0,
        "in force on its last day"
    );
    assert_eq!(before["summary"]["suppressed"], 1);
    let after = run("2026-04-01");
    let findings = after["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["rule"], "deletion-protection-disabled");
    assert_eq!(
        findings[0]["related"][0]["message"],
        "this suppression expired on 2026-03-31: the finding is back"
    );
}

#[test]
fn invalid_configuration_is_a_usage_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".drlint.yaml"),
        "severity_threshold: error\nrules:\n  backup-retention-too-short:\n    options:\n      min_day: 3\n",
    )
    .unwrap();
    fs::write(dir.path().join("main.tf"), "locals {}\n").unwrap();
    let out = drlint()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!(
        "config_error_unknown_option",
        String::from_utf8(out).unwrap()
    );
    fs::write(
        dir.path().join(".drlint.yaml"),
        "rules:\n  deletion-protection: { enabled: false }\n",
    )
    .unwrap();
    let out = drlint()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!("config_error_unknown_rule", String::from_utf8(out).unwrap());
    fs::write(
        dir.path().join(".drlint.yaml"),
        "rules:\n  deletion-protection-disabled:\n    enabeld: false\n",
    )
    .unwrap();
    let out = drlint()
        .current_dir(dir.path())
        .arg("check")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    insta::assert_snapshot!("config_error_unknown_key", String::from_utf8(out).unwrap());
}

#[test]
fn configuration_is_found_walking_up_and_applies_per_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join(".drlint.yaml"),
        "rules:\n  deletion-protection-disabled:\n    severity: note\noverrides:\n  - paths: [\"prod/**\"]\n    rules:\n      deletion-protection-disabled:\n        severity: error\nexclude: [\"vendor/**\"]\n",
    )
    .unwrap();
    let body = "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n}\n";
    for d in ["dev", "prod", "vendor"] {
        fs::create_dir(root.join(d)).unwrap();
        fs::write(root.join(d).join("main.tf"), body).unwrap();
    }
    // run from a sub-folder: the configuration above is found
    let out = drlint()
        .current_dir(root.join("dev"))
        .args(["check", "--format", "json", ".."])
        .output()
        .unwrap();
    let got: Vec<(String, String)> = json(&out.stdout)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("../dev/main.tf".to_owned(), "note".to_owned()),
            ("../prod/main.tf".to_owned(), "error".to_owned())
        ]
    );
    drlint().current_dir(root).arg("init").assert().code(2);
    let fresh = tempfile::tempdir().unwrap();
    drlint()
        .current_dir(fresh.path())
        .arg("init")
        .assert()
        .success();
    assert!(
        fs::read_to_string(fresh.path().join(".drlint.yaml"))
            .unwrap()
            .contains("severity_threshold")
    );
    drlint()
        .current_dir(fresh.path())
        .args(["check", "."])
        .assert()
        .code(0);
}

#[test]
fn baseline_hides_known_findings_survives_line_shifts_and_reports_fixed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let body = "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n}\n";
    fs::create_dir(root.join("a")).unwrap();
    fs::create_dir(root.join("b")).unwrap();
    fs::write(root.join("a/main.tf"), body).unwrap();
    drlint()
        .current_dir(root)
        .args([
            "baseline",
            "create",
            "--rule",
            "deletion-protection-disabled",
        ])
        .assert()
        .success();
    let baseline: Value =
        serde_json::from_str(&fs::read_to_string(root.join("drlint-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 1);
    assert_eq!(baseline["findings"][0]["path"], "a/main.tf");

    // lines shift in a/main.tf, and the same finding appears in b/main.tf
    fs::write(root.join("a/main.tf"), format!("# moved down\n\n{body}")).unwrap();
    fs::write(root.join("b/main.tf"), body).unwrap();
    let run = || {
        let out = drlint()
            .current_dir(root)
            .args([
                "check",
                "--format",
                "json",
                "--rule",
                "deletion-protection-disabled",
                "--baseline",
                "drlint-baseline.json",
            ])
            .output()
            .unwrap();
        json(&out.stdout)
    };
    let doc = run();
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["b/main.tf"], "the baseline hides a's finding only");
    assert_eq!(doc["summary"]["baseline"]["hidden"], 1);
    assert_eq!(
        doc["summary"]["baseline"]["fixed"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // fixing a's finding leaves its baseline entry unmatched: reported as fixed
    fs::write(
        root.join("a/main.tf"),
        "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n}\n",
    )
    .unwrap();
    let doc = run();
    assert_eq!(doc["summary"]["baseline"]["hidden"], 0);
    assert_eq!(doc["summary"]["baseline"]["fixed"][0]["path"], "a/main.tf");
}

#[test]
fn rules_check_reports_a_misbehaving_example() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("always-quiet.yaml"),
        "id: always-quiet\nseverity: warning\ntitle: t\nselect:\n  kinds: [rds_instance]\nwhen:\n  equals: { field: deletion_protection, value: \"never\" }\nmessage: m\nhelp: h\nrationale: r\nexamples:\n  fail:\n    - |\n      resource \"aws_db_instance\" \"x\" {}\n  pass:\n    - |\n      resource \"aws_db_instance\" \"x\" {}\n",
    )
    .unwrap();
    drlint()
        .current_dir(dir.path())
        .args(["rules", "--check", "."])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "FAIL  always-quiet: failing example #1 gives 0 finding(s)",
        ));
}

/// `inspect` says where each value was written: a variable's default is not
/// "set" in the block, even though the block names the variable.
#[test]
fn inspect_names_the_origin_of_each_value() {
    let out = drlint()
        .args(["inspect", "examples/payments-prod"])
        .assert()
        .get_output()
        .stdout
        .clone();
    let doc = json(&out);
    let rds = doc["data_stores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["address"] == "module.rds")
        .unwrap();
    let protection = &rds["attributes"]["deletion_protection"];
    assert_eq!(protection["from"], "variable default", "{protection:#}");
    assert_eq!(
        protection["via"][0]["path"],
        "examples/payments-prod/variables.tf"
    );
    insta::assert_json_snapshot!("inspect_payments_prod", doc);
}

#[test]
fn an_apply_pipeline_marker_is_reported_on_its_empty_file() {
    let out = drlint()
        .args([
            "check",
            "--color",
            "never",
            "fixtures/rules/apply-pipeline-skipped/payments-prod",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!(
        "human_apply_pipeline_marker",
        String::from_utf8(out).unwrap()
    );
}

#[test]
fn marker_names_come_from_the_configuration_per_path() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join(".drlint.yaml"),
        "overrides:\n  - paths: [\"legacy/**\"]\n    rules:\n      apply-pipeline-skipped:\n        options:\n          markers: [DO_NOT_APPLY_THIS_FOLDER]\n",
    )
    .unwrap();
    let body = "module \"rds\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n}\n";
    for ns in ["legacy/a", "live/b"] {
        fs::create_dir_all(root.join(ns).join("resources")).unwrap();
        fs::write(root.join(ns).join("resources/rds.tf"), body).unwrap();
        // free text, as some markers hold: never parsed as Terraform
        for marker in [
            "DO_NOT_APPLY_THIS_FOLDER",
            "APPLY_PIPELINE_SKIP_THIS_NAMESPACE",
        ] {
            fs::write(root.join(ns).join(marker), "restore of INC-123 {\n").unwrap();
        }
    }
    let out = drlint()
        .current_dir(root)
        .args(["check", "--format", "json", "."])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let found: Vec<(String, String)> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "legacy/a/DO_NOT_APPLY_THIS_FOLDER".to_owned(),
                "apply-pipeline-skipped".to_owned()
            ),
            (
                "live/b/APPLY_PIPELINE_SKIP_THIS_NAMESPACE".to_owned(),
                "apply-pipeline-skipped".to_owned()
            ),
        ]
    );
    // without the rule, markers are not read at all (and not parsed as Terraform)
    drlint()
        .current_dir(root)
        .args(["check", "--ignore-rule", "apply-pipeline-skipped", "."])
        .assert()
        .code(0);
}

#[test]
fn each_subcommand_accepts_only_its_own_flags() {
    for args in [
        &["inspect", "--format", "human", "examples"][..],
        &["inspect", "--base", "HEAD", "examples"],
        &["inspect", "--severity-threshold", "error", "examples"],
        &["baseline", "create", "--format", "json", "examples"],
        &["baseline", "create", "--only-new", "examples"],
    ] {
        let out = drlint().args(args).assert().code(2).get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("unexpected argument"), "{args:?}: {stderr}");
    }
    // what they do take
    drlint()
        .args(["inspect", "--var", "x=1", "--timings", "examples"])
        .assert()
        .success();
}

#[test]
fn completions_and_the_manual_page() {
    let bash = drlint()
        .args(["completions", "bash"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let script = String::from_utf8(bash).unwrap();
    assert!(script.contains("_drlint()") && script.contains("--severity-threshold"));
    // the script is valid bash
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(script.as_bytes())?;
            child.wait()
        })
        .unwrap();
    assert!(checked.success());
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        drlint().args(["completions", shell]).assert().success();
    }
    let man = drlint()
        .arg("man")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let page = String::from_utf8(man).unwrap();
    assert!(page.contains(".TH drlint 1"), "{page}");
    assert!(page.contains("check"), "the page lists the subcommands");
}

#[test]
fn quiet_prints_the_findings_only_and_an_empty_tree_gets_a_notice() {
    let empty = tempfile::tempdir().unwrap();
    let out = drlint()
        .args(["check", "--color", "never"])
        .arg(empty.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no input files found"), "{stderr}");
    let out = drlint()
        .args(["check", "--quiet"])
        .arg(empty.path())
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");

    let out = drlint()
        .args([
            "check",
            "-q",
            "--color",
            "never",
            "fixtures/scenarios/rendering-human",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("deletion-protection-disabled"), "{stdout}");
    assert!(!stdout.contains(" notes in "), "no summary line: {stdout}");
    assert!(out.stderr.is_empty());
    let loud = drlint()
        .args([
            "check",
            "--color",
            "never",
            "fixtures/scenarios/rendering-human",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&loud).contains(" notes in "));
}

/// The GitHub Action's invocation: SARIF, the step summary and JSON to files, annotations to
/// stdout, in one run.
#[test]
fn the_actions_formats_go_to_their_files_and_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("drlint.sarif");
    let summary = dir.path().join("step-summary.md");
    let json_file = dir.path().join("drlint.json");
    let arg = |format: &str, path: &Path| format!("{format}={}", path.display());
    let out = drlint()
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "example/infra")
        .env("GITHUB_SHA", "0123abc")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["check", "--format", &arg("sarif", &sarif)])
        .args(["--format", "github"])
        .args(["--format", &arg("markdown", &summary)])
        .args(["--format", &arg("json", &json_file)])
        .arg("fixtures/scenarios/formats")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let annotations: Vec<&str> = stdout.lines().collect();
    assert_eq!(annotations.len(), 6, "{stdout}");
    assert!(annotations.iter().all(|l| l.starts_with("::")), "{stdout}");
    assert!(annotations[0].starts_with(
        "::error file=fixtures/scenarios/formats/payments-prod/rds.tf,line=5,endLine=5,col=3,"
    ));
    let log = json(&fs::read(&sarif).unwrap());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 6);
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "drlint/");
    let doc = json(&fs::read(&json_file).unwrap());
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["findings"].as_array().unwrap().len(), 6);
    let markdown = fs::read_to_string(&summary).unwrap();
    assert!(markdown.starts_with("## drlint\n"), "{markdown}");
    assert!(
        markdown.contains("[fixtures/scenarios/formats/payments-prod/rds.tf:5](https://github.com/example/infra/blob/0123abc/fixtures/scenarios/formats/payments-prod/rds.tf#L5-L5)"),
        "{markdown}"
    );
}

#[test]
fn several_formats_may_go_to_stdout_in_order_and_files_are_truncated() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    fs::write(&junit, "x".repeat(100_000)).unwrap();
    let out = drlint()
        .args(["check", "--format", "gitlab", "--format", "concise"])
        .args(["--format", &format!("junit={}", junit.display())])
        .arg("fixtures/scenarios/formats/reports-dev")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let (gitlab, concise) = text.split_at(text.find("\nfixtures/").unwrap() + 1);
    let issues: Value = serde_json::from_str(gitlab).unwrap();
    assert_eq!(issues.as_array().unwrap().len(), 4);
    assert!(
        concise.starts_with(
            "fixtures/scenarios/formats/reports-dev/main.tf:10:43: error final-snapshot-skipped "
        ),
        "{concise}"
    );
    assert!(
        concise.ends_with("1 error, 2 warnings, 1 note in 1 file\n"),
        "{concise}"
    );
    let xml = fs::read_to_string(&junit).unwrap();
    assert!(
        xml.starts_with("<?xml") && xml.ends_with("</testsuites>\n"),
        "truncated first"
    );
}

#[test]
fn a_format_file_that_cannot_be_written_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/out.sarif");
    let out = drlint()
        .args(["check", "--format", &format!("sarif={}", missing.display())])
        .arg("fixtures/scenarios/formats")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(out).unwrap();
    assert!(
        stderr.contains(&format!("--format sarif={}: ", missing.display())),
        "{stderr}"
    );
    drlint()
        .args(["check", "--format", "yaml", "fixtures/scenarios/formats"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "unknown format `yaml` (one of: human, concise, json, sarif, github, markdown, junit, gitlab)",
        ));
}

#[test]
fn statistics_replace_the_listing_and_production_only_filters_before_the_exit_code() {
    let out = drlint()
        .args(["check", "--statistics", "fixtures/scenarios/formats"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    insta::assert_snapshot!("statistics_formats", String::from_utf8(out).unwrap());
    // other formats are unchanged by --statistics
    let out = drlint()
        .args([
            "check",
            "--statistics",
            "--format",
            "json",
            "fixtures/scenarios/formats",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(json(&out)["findings"].as_array().unwrap().len(), 6);
    // only production findings: the dev folder has none, so nothing fails
    let out = drlint()
        .args(["check", "--production-only", "--format", "concise"])
        .arg("fixtures/scenarios/formats/reports-dev")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "0 errors, 0 warnings, 0 notes in 1 file\n"
    );
    let out = drlint()
        .args([
            "check",
            "--production-only",
            "--format",
            "json",
            "fixtures/scenarios/formats",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let rules: Vec<String> = json(&out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        rules,
        [
            "deletion-protection-disabled",
            "snapshot-identifier-lingering"
        ]
    );
}

#[test]
fn sarif_category_is_settable() {
    let out = drlint()
        .args([
            "check",
            "--format",
            "sarif",
            "--sarif-category",
            "namespaces/live",
        ])
        .arg("fixtures/scenarios/formats")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        json(&out)["runs"][0]["automationDetails"]["id"],
        "namespaces/live/"
    );
}

/// Markdown is cut at 64 KiB (a PR comment) unless it is written to `$GITHUB_STEP_SUMMARY`
/// (1 MiB).
#[test]
fn markdown_is_limited_to_a_comment_unless_it_is_the_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let tf: String = (0..600)
        .map(|i| {
            format!(
                "module \"db{i}\" {{\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = false\n}}\n\n"
            )
        })
        .collect();
    fs::write(dir.path().join("main.tf"), tf).unwrap();
    let run = |summary: Option<&Path>, target: &str| {
        let mut cmd = drlint();
        cmd.current_dir(dir.path())
            .env_remove("GITHUB_SERVER_URL")
            .env_remove("GITHUB_STEP_SUMMARY");
        if let Some(summary) = summary {
            cmd.env("GITHUB_STEP_SUMMARY", summary);
        }
        cmd.args(["check", "--format", &format!("markdown={target}"), "."])
            .assert()
            .code(1);
        fs::read_to_string(dir.path().join(target)).unwrap()
    };
    let comment = run(None, "comment.md");
    assert!(comment.len() <= 65_536, "{}", comment.len());
    assert!(
        comment.contains("more findings not shown: this summary is limited to 65536 bytes."),
        "{comment}"
    );
    let summary = run(Some(&dir.path().join("summary.md")), "summary.md");
    assert!(summary.len() > 65_536, "{}", summary.len());
    assert!(!summary.contains("not shown"));
    assert_eq!(
        summary
            .matches("| error | `deletion-protection-disabled` |")
            .count(),
        600
    );
}

/// A configuration found above an absolute path applies to it: its display root is spelt
/// as the paths are (before, `drlint check /abs/tree` compared `/abs/tree/...` files with a
/// root of `../../abs/tree` and silently used no rule settings).
#[test]
fn configuration_applies_to_an_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    let ns = dir.path().join("orders-prod");
    fs::create_dir(&ns).unwrap();
    fs::write(
        ns.join("rds.tf"),
        "resource \"aws_db_instance\" \"orders\" {\n  engine              = \"postgres\"\n  deletion_protection = false\n}\n",
    )
    .unwrap();
    fs::write(
        dir.path().join(".drlint.yaml"),
        "rules:\n  deletion-protection-disabled:\n    severity: note\nexclude:\n  - \"ignored/**\"\n",
    )
    .unwrap();
    fs::create_dir(dir.path().join("ignored")).unwrap();
    fs::write(dir.path().join("ignored/main.tf"), "resource \"x\" {").unwrap();
    let out = drlint()
        .args(["check", "--format", "concise", "--no-history"])
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("note deletion-protection-disabled"), "{text}");
    assert!(!text.contains("parse-error"), "{text}");
}
