//! `drlint check --fix` and `--unsafe-fixes`: each fix's before and after (insta), the files
//! still valid HCL (drlint re-parses them; `terraform fmt -check` where terraform is
//! installed), a second run changes nothing, and the fixes in JSON and SARIF.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/workspace.rs"]
mod support_workspace;
use support_workspace::workspace;

fn drlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drlint").unwrap();
    cmd.current_dir(dir)
        .env("DRLINT_NO_HISTORY", "1")
        .env("DRLINT_TODAY", "2026-01-15");
    cmd
}

/// A copy of a fixture folder in a temporary directory.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = workspace().join("fixtures/fixes").join(name);
    for entry in fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Every `.tf` file of the folder, by name.
fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Before and after of each changed file, as a unified diff of whole lines.
fn before_after(before: &[(String, String)], after: &[(String, String)]) -> String {
    let mut out = String::new();
    for ((name, old), (_, new)) in before.iter().zip(after) {
        if old == new {
            continue;
        }
        let diff = similar::TextDiff::from_lines(old, new);
        out.push_str(&format!(
            "{}",
            diff.unified_diff()
                .context_radius(2)
                .header(&format!("{name} (before)"), &format!("{name} (after)"))
        ));
    }
    out
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(dir: &Path) -> Value {
    let out = drlint(dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rules_of(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// `terraform fmt -check` passes, where terraform is installed (else nothing is checked).
fn assert_terraform_fmt(dir: &Path) {
    let Ok(out) = std::process::Command::new("terraform")
        .args(["fmt", "-check", "-diff"])
        .current_dir(dir)
        .output()
    else {
        eprintln!("terraform is not installed: `terraform fmt -check` skipped");
        return;
    };
    assert!(
        out.status.success(),
        "terraform fmt -check:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn unsafe_fixes_make_the_smallest_edits_and_a_second_run_changes_nothing() {
    let dir = copy_fixture("unsafe");
    let before = texts(dir.path());
    let first = drlint(dir.path())
        .args(["check", ".", "--unsafe-fixes", "--format", "concise"])
        .output()
        .unwrap();
    let after = texts(dir.path());
    insta::assert_snapshot!(
        "unsafe_fixes",
        format!(
            "{}\n-- stderr --\n{}\n-- left --\n{}",
            before_after(&before, &after),
            stderr(&first),
            String::from_utf8_lossy(&first.stdout)
        )
    );
    // still valid HCL, as drlint parses it, and as terraform formats it
    let report = json(dir.path());
    let left = rules_of(&report);
    assert!(!left.iter().any(|r| r == "parse-error"), "{left:?}");
    for fixed in [
        "deletion-protection-disabled",
        "final-snapshot-skipped",
        "dynamodb-pitr-disabled",
        "s3-versioning-disabled",
    ] {
        assert!(
            !left.iter().any(|r| r == fixed),
            "{fixed} is left: {left:?}"
        );
    }
    assert_terraform_fmt(dir.path());
    // again: nothing to fix, nothing changed
    let second = drlint(dir.path())
        .args(["check", ".", "--unsafe-fixes", "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(texts(dir.path()), after);
    assert!(
        stderr(&second).contains("0 fix(es) applied in 0 file(s)"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn fix_alone_applies_no_unsafe_fix_and_says_how_many_are_left() {
    let dir = copy_fixture("unsafe");
    let before = texts(dir.path());
    let out = drlint(dir.path())
        .args(["check", ".", "--fix", "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(texts(dir.path()), before);
    assert!(
        stderr(&out).contains("0 fix(es) applied in 0 file(s); 7 unsafe fix(es) left"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_and_sarif_carry_the_fixes() {
    let dir = copy_fixture("unsafe");
    let report = json(dir.path());
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "deletion-protection-disabled" && f["line"] == 19)
        .unwrap();
    insta::assert_json_snapshot!("json_fix", finding["fix"]);
    let out = drlint(dir.path())
        .args(["check", ".", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["ruleId"] == "deletion-protection-disabled"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 19
        })
        .unwrap();
    insta::assert_json_snapshot!("sarif_fix", result["fixes"]);
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn a_rename_gets_its_moved_block_from_fix_in_pr_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = |name: &str| {
        format!(
            "resource \"aws_db_instance\" \"{name}\" {{\n  engine                  = \"postgres\"\n  instance_class          = \"db.t4g.micro\"\n  deletion_protection     = true\n  backup_retention_period = 7\n}}\n"
        )
    };
    fs::write(dir.path().join("rds.tf"), db("orders")).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    fs::write(dir.path().join("rds.tf"), db("orders_v2")).unwrap();
    let before = texts(dir.path());
    let out = drlint(dir.path())
        .args([
            "check", ".", "--base", "main", "--fix", "--format", "concise",
        ])
        .output()
        .unwrap();
    let after = texts(dir.path());
    insta::assert_snapshot!(
        "moved_block_fix",
        format!(
            "{}\n-- stderr --\n{}\n-- left --\n{}",
            before_after(&before, &after),
            stderr(&out),
            String::from_utf8_lossy(&out.stdout)
        )
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_terraform_fmt(dir.path());
    let again = drlint(dir.path())
        .args(["check", ".", "--base", "main", "--fix"])
        .output()
        .unwrap();
    assert_eq!(texts(dir.path()), after);
    assert!(
        stderr(&again).contains("0 fix(es) applied"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn fixes_are_never_written_through_a_symbolic_link() {
    let dir = copy_fixture("unsafe");
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("rds.tf");
    fs::rename(dir.path().join("rds.tf"), &target).unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("rds.tf")).unwrap();
    let original = fs::read_to_string(&target).unwrap();
    let out = drlint(dir.path())
        .args(["check", ".", "--unsafe-fixes", "--format", "concise"])
        .output()
        .unwrap();
    assert_eq!(fs::read_to_string(&target).unwrap(), original);
    // read through the link (inside the checked tree or not), never written through it
    assert!(
        !stderr(&out).contains("drlint: fixed rds.tf"),
        "{}",
        stderr(&out)
    );
}
