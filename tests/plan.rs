//! `drlint check --plan PLAN.json [PATH...]` end to end, on the real plans of
//! `fixtures/rules/plan-destroys-data-store/` (made by terraform 1.11.4 and the AWS
//! provider 5.100.0, `scripts/plans/make-guard-plans.py`; no terraform runs here):
//! plan alone, with the code, in PR mode, with suppressions, configuration,
//! baselines and every format, and the errors a CI user meets.

#[path = "support/git.rs"]
mod support_git;
use std::fs;
use std::path::{Path, PathBuf};
use support_git::git;

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/findings.rs"]
mod support_findings;
use support_findings::{listed, with_status};
#[path = "support/workspace.rs"]
mod support_workspace;
use support_workspace::workspace;

fn case(name: &str) -> PathBuf {
    workspace()
        .join("fixtures/rules/plan-destroys-data-store")
        .join(name)
}

fn drlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drlint").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env("COLUMNS", "100")
        .env("DRLINT_NO_HISTORY", "1")
        .env("DRLINT_TODAY", "2026-11-25");
    cmd
}

/// A fixture case copied to a temporary folder (its HCL, plan and `main.tf.before`).
fn copy_case(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&case(name), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs `drlint check ARGS --format json` in `dir`: the exit code and the report.
fn json(dir: &Path, args: &[&str]) -> (i32, Value) {
    let out = drlint(dir)
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code < 2, "{}", String::from_utf8_lossy(&out.stderr));
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn human(dir: &Path, args: &[&str]) -> String {
    let out = drlint(dir)
        .args(["check", "--color", "never"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_plan_alone_points_into_the_plan_file() {
    let (code, doc) = json(&case("delete"), &["--plan", "plan.json"]);
    assert_eq!(code, 1);
    assert_eq!(
        listed(&doc),
        [
            "plan-destroys-data-store plan.json:9",
            "plan-destroys-data-store plan.json:124",
            "plan-destroys-data-store plan.json:239",
        ]
    );
    assert_eq!(doc["summary"]["files"], 1, "the plan is the one file");
    let messages: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains("`aws_db_instance.archive` is destroyed"),
        "{messages:?}"
    );
    assert!(
        messages[1]
            .ends_with("Deletion protection is on: the apply will fail until protection is lifted")
    );
    assert!(messages[2].ends_with("no final snapshot is taken, and the data is lost"));
    // fingerprints are stable from run to run
    let (_, again) = json(&case("delete"), &["--plan", "plan.json"]);
    let prints = |d: &Value| -> Vec<String> {
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].to_string())
            .collect()
    };
    assert_eq!(prints(&doc), prints(&again));
}

#[test]
fn with_a_path_each_change_is_at_its_block() {
    let (_, doc) = json(&case("module"), &["--plan", "plan.json", "."]);
    assert_eq!(
        listed(&doc),
        [
            "plan-destroys-data-store modules/db/main.tf:14",
            "plan-destroys-data-store plan.json:300",
        ]
    );
    let located = &doc["findings"][0];
    assert_eq!(located["related"][0]["path"], "plan.json");
    assert_eq!(located["related"][0]["line"], 77);
}

#[test]
fn replacement_and_deletion_read_as_a_user_reads_them() {
    insta::assert_snapshot!(
        "plan_replacement",
        human(&case("replace"), &["--plan", "plan.json", "."])
    );
    insta::assert_snapshot!(
        "plan_deletion",
        human(
            &case("delete"),
            &["--plan", "plan.json", "--rule", "plan-destroys-data-store"]
        )
    );
    insta::assert_snapshot!(
        "plan_rename",
        human(
            &case("rename"),
            &[
                "--plan",
                "plan.json",
                "--rule",
                "plan-destroys-data-store",
                "."
            ]
        )
    );
}

#[test]
fn moves_forgets_updates_and_no_ops_are_not_findings() {
    for name in ["moved", "forget"] {
        let out = drlint(&case(name))
            .args(["check", "--plan", "plan.json", "."])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn what_cannot_be_read_as_a_plan_stops_the_run_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("plan.out"), b"PK\x03\x04\x14\x00binary").unwrap();
    fs::write(d.join("bad.json"), "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [\n    {\"address\": }\n  ]\n}\n").unwrap();
    fs::write(
        d.join("state.json"),
        r#"{"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}"#,
    )
    .unwrap();
    fs::write(d.join("deep.json"), "[".repeat(1_000_000)).unwrap();
    for (file, says) in [
        (
            "plan.out",
            "--plan plan.out: a binary plan file (the zip archive `terraform plan -out` writes), which only terraform can read: run `terraform show -json plan.out > plan.json` and pass `--plan plan.json`",
        ),
        (
            "bad.json",
            "--plan bad.json:4:17: not valid JSON: expected a JSON value, found `}`",
        ),
        (
            "state.json",
            "--plan state.json: no `planned_values` or `resource_changes`, so not a plan (the JSON of a state?)",
        ),
        (
            "deep.json",
            "--plan deep.json:1:257: not valid JSON: nested deeper than 256 levels",
        ),
        ("missing.json", "--plan missing.json: no such file"),
    ] {
        let out = drlint(d).args(["check", "--plan", file]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{file}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = drlint(&case("delete"))
        .args(["check", "--plan", "plan.json", "--max-file-size", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the size limit"));
}

#[test]
fn a_one_line_plan_shows_a_window_of_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let plan: Value =
        serde_json::from_str(&fs::read_to_string(case("delete").join("plan.json")).unwrap())
            .unwrap();
    // as `terraform show -json` writes it: one line
    fs::write(dir.path().join("plan.json"), plan.to_string()).unwrap();
    let text = human(dir.path(), &["--plan", "plan.json"]);
    assert!(text.lines().all(|l| l.chars().count() < 320), "{text}");
    assert!(
        text.contains(r#""address":"aws_db_instance.ledger""#),
        "{text}"
    );
    assert!(text.contains("[plan.json:1:"), "{text}");
}

#[test]
fn pr_mode_locates_a_gone_block_at_the_base_in_one_report_with_the_code() {
    let dir = copy_case("delete");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let after = fs::read_to_string(d.join("main.tf")).unwrap();
    // the plan outside the repository, as in $RUNNER_TEMP
    let elsewhere = tempfile::tempdir().unwrap();
    let plan = elsewhere.path().join("plan.json");
    fs::rename(d.join("plan.json"), &plan).unwrap();
    fs::copy(d.join("main.tf.before"), d.join("main.tf")).unwrap();
    // an unversioned bucket at the base and the head: a code finding, existing
    fs::write(
        d.join("s3.tf"),
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"app-logs\"\n}\n",
    )
    .unwrap();
    git(d, &["add", "main.tf", "s3.tf"]);
    git(d, &["commit", "-q", "-m", "base"]);
    fs::write(d.join("main.tf"), after).unwrap();
    let plan = plan.display().to_string();
    let out = drlint(d)
        .args([
            "check", "--base", "main", "--plan", &plan, "--format", "json", ".",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = with_status(&doc);
    // at the base's lines of main.tf; data-store-removed, which the plan confirms, says no more
    assert_eq!(
        found,
        [
            "new plan-destroys-data-store main.tf:1",
            "new plan-destroys-data-store main.tf:14",
            "new plan-destroys-data-store main.tf:26",
            "existing s3-versioning-disabled s3.tf:1",
        ]
    );
}

#[test]
fn suppressions_configuration_and_baselines_apply_to_plan_findings() {
    let dir = copy_case("replace");
    let d = dir.path();
    let main = fs::read_to_string(d.join("main.tf")).unwrap();
    fs::write(
        d.join("main.tf"),
        format!("# drlint:ignore plan-destroys-data-store -- the engine migration of INC-7, snapshot taken\n{main}"),
    )
    .unwrap();
    let (code, doc) = json(d, &["--plan", "plan.json", "."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["suppressed"], 1);
    // without the plan, the suppression cannot be used: not reported as unused
    let (code, doc) = json(d, &["."]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(listed(&doc), Vec::<String>::new());

    // configuration: the rule off for the folder
    let dir = copy_case("delete");
    let d = dir.path();
    fs::write(
        d.join(".drlint.yaml"),
        "rules:\n  plan-destroys-data-store:\n    severity: warning\n",
    )
    .unwrap();
    let (_, doc) = json(d, &["--plan", "plan.json"]);
    let severities: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["warning"; 3]);
    fs::write(
        d.join(".drlint.yaml"),
        "rules:\n  plan-destroys-data-store:\n    enabled: false\n",
    )
    .unwrap();
    let (code, doc) = json(d, &["--plan", "plan.json"]);
    assert_eq!((code, listed(&doc)), (0, vec![]));
    fs::remove_file(d.join(".drlint.yaml")).unwrap();

    // a baseline made with the plan hides its findings
    drlint(d)
        .args([
            "baseline",
            "create",
            "--plan",
            "plan.json",
            "--output",
            "b.json",
            "-q",
        ])
        .assert()
        .code(0);
    let baseline: Value =
        serde_json::from_str(&fs::read_to_string(d.join("b.json")).unwrap()).unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 3);
    let (code, doc) = json(d, &["--plan", "plan.json", "--baseline", "b.json"]);
    assert_eq!((code, listed(&doc)), (0, vec![]));
}

#[test]
fn the_plans_values_meet_the_static_rules() {
    let dir = workspace().join("fixtures/scenarios/plan-values");
    let (_, doc) = json(&dir, &["--plan", "plan.json", "."]);
    assert_eq!(
        listed(&doc),
        [
            "backup-retention-too-short main.tf:16",
            "deletion-protection-disabled main.tf:17"
        ]
    );
    let f = &doc["findings"][1];
    assert_eq!(f["label"], "`deletion_protection` is false");
    assert_eq!(f["related"][0]["path"], "plan.json");
    // the code alone cannot know them (`-var`)
    let (code, doc) = json(&dir, &["."]);
    assert_eq!((code, listed(&doc)), (0, vec![]));
    assert!(doc["summary"]["unknown_values_skipped"].as_u64().unwrap() > 0);
    // with history, a value from the plan says it has no age in git
    let out = drlint(&dir)
        .env_remove("DRLINT_NO_HISTORY")
        .args([
            "check",
            "--plan",
            "plan.json",
            "--format",
            "concise",
            "--rule",
            "deletion-protection-disabled",
            ".",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "(age unknown: the value comes from the plan, which git history does not hold)"
        ),
        "{text}"
    );
}

#[test]
fn every_format_renders_plan_findings() {
    let dir = case("s3");
    for format in [
        "human", "concise", "json", "sarif", "github", "markdown", "junit", "gitlab",
    ] {
        let out = drlint(&dir)
            .args(["check", "--plan", "plan.json", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("plan-destroys-data-store"),
            "{format}: {text}"
        );
        assert!(text.contains("plan.json"), "{format}: {text}");
    }
    let out = drlint(&dir)
        .args(["check", "--plan", "plan.json", "--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("::error file=plan.json,line=87,"),
        "{text}"
    );
}
