//! Ages from git history on real repositories made in temporary folders:
//! every aged finding gets an age or says why not, and the age is the value's
//! (whitespace edits, copied folders, a deleted `deletion_protection = true`).

#[path = "support/git.rs"]
mod support_git;
use std::fs;
use std::path::Path;
use support_git::*;

use assert_cmd::Command;
use serde_json::Value;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_at(
        dir.path(),
        &["init", "-q", "-b", "main"],
        "2020-01-01T00:00:00Z",
    );
    dir
}

/// Commits everything on `day` (`YYYY-MM-DD`).
fn commit(dir: &Path, day: &str) {
    let date = format!("{day}T12:00:00Z");
    git_at(dir, &["add", "-A"], &date);
    git_at(dir, &["commit", "-q", "--allow-empty", "-m", day], &date);
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

const SOURCE: &str = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0";

fn rds(name: &str, body: &str) -> String {
    format!("module \"{name}\" {{\n  source = \"{SOURCE}\"\n{body}}}\n")
}

/// The aged findings: (path, line, since date or age_unknown, severity, message).
fn aged(dir: &Path, extra: &[&str]) -> Vec<(String, usize, String, String, String)> {
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(dir)
        .env("DRLINT_TODAY", "2026-11-25")
        .env_remove("DRLINT_NO_HISTORY")
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.code().unwrap() < 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("since").is_some())
        .map(|f| {
            let since = &f["since"];
            let age = if since.is_null() {
                format!("unknown: {}", f["age_unknown"].as_str().unwrap())
            } else {
                let plus = if since["at_least"] == true { "+" } else { "" };
                format!("{}{plus}", since["date"].as_str().unwrap())
            };
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap() as usize,
                age,
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn ages(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    aged(dir, extra)
        .into_iter()
        .map(|(path, line, age, ..)| (format!("{path}:{line}"), age))
        .collect()
}

#[test]
fn more_than_200_files_all_get_their_age() {
    let dir = repo();
    let root = dir.path();
    for i in 0..210 {
        write(
            root,
            &format!("ns{:02}/resources/rds{i:03}.tf", i / 10),
            &rds(&format!("db{i}"), ""),
        );
    }
    commit(root, "2024-03-01");
    write(root, "ns00/resources/rds000.tf", &rds("db0", "\n"));
    commit(root, "2025-03-01");
    let found = aged(root, &[]);
    assert_eq!(found.len(), 210);
    assert!(
        found
            .iter()
            .all(|(_, _, age, severity, _)| age == "2024-03-01" && severity == "error"),
        "{found:?}"
    );
}

#[test]
fn whitespace_edits_keep_the_age_of_the_value() {
    let dir = repo();
    let root = dir.path();
    let snapshot = "  snapshot_identifier = \"rds:db-2024-01-02\"\n";
    write(
        root,
        "ns/rds.tf",
        &rds("db", &format!("  deletion_protection = false\n{snapshot}")),
    );
    commit(root, "2024-01-03");
    write(
        root,
        "ns/rds.tf",
        &format!(
            "# the database\n\n{}",
            rds(
                "db",
                &format!("\n  deletion_protection    =   false\n\n{snapshot}")
            )
        ),
    );
    commit(root, "2025-06-01");
    write(root, "ns/variables.tf", "variable \"x\" {}\n");
    commit(root, "2026-01-01");
    assert_eq!(
        ages(root, &[]),
        [
            ("ns/rds.tf:6".to_owned(), "2024-01-03".to_owned()),
            ("ns/rds.tf:8".to_owned(), "2024-01-03".to_owned()),
        ]
    );
    // changing the value starts a new age
    write(
        root,
        "ns/rds.tf",
        &rds("db", "  snapshot_identifier = \"rds:db-2026-02-01\"\n"),
    );
    commit(root, "2026-02-02");
    let found = aged(root, &[]);
    assert_eq!(found[1].2, "2026-02-02");
    assert!(
        found[1].4.contains("(in place since 2026-02-02, commit "),
        "{found:?}"
    );
    // the absent protection's value has been false since the first commit
    assert_eq!(found[0].2, "2024-01-03");
}

#[test]
fn a_folder_copied_from_another_path_keeps_the_original_age() {
    let dir = repo();
    let root = dir.path();
    let old = "namespaces/live-1.example/team/resources";
    let new = "namespaces/live.example/team/resources";
    let files = [
        (
            "rds.tf",
            rds(
                "db",
                "  deletion_protection = true\n  snapshot_identifier = \"rds:db-2020-03-01\"\n",
            ),
        ),
        ("variables.tf", "variable \"namespace\" {}\n".to_owned()),
        ("versions.tf", "terraform {}\n".to_owned()),
    ];
    for (name, text) in &files {
        write(root, &format!("{old}/{name}"), text);
    }
    write(
        root,
        "namespaces/live-1.example/other/resources/versions.tf",
        "terraform {}\n",
    );
    commit(root, "2020-03-02");
    // the cluster migration: a copy, edited a little, then the old folder removed
    for (name, text) in &files {
        write(root, &format!("{new}/{name}"), &format!("{text}\n"));
    }
    commit(root, "2021-06-01");
    fs::remove_dir_all(root.join(old)).unwrap();
    commit(root, "2021-07-01");
    assert_eq!(
        ages(root, &[]),
        [(format!("{new}/rds.tf:4"), "2020-03-02".to_owned())]
    );
    // a folder made from unrelated boilerplate is not a copy
    write(
        root,
        "namespaces/live.example/fresh/resources/versions.tf",
        "terraform {}\n",
    );
    write(
        root,
        "namespaces/live.example/fresh/resources/rds.tf",
        &rds("db", "  snapshot_identifier = \"rds:x-2021-08-01\"\n"),
    );
    commit(root, "2021-08-02");
    let found = ages(root, &[]);
    assert!(
        found.contains(&(
            "namespaces/live.example/fresh/resources/rds.tf:3".to_owned(),
            "2021-08-02".to_owned()
        )),
        "{found:?}"
    );
}

#[test]
fn deleting_deletion_protection_true_is_aged_from_the_deletion() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "ns/rds.tf",
        &rds("db", "  deletion_protection = true\n"),
    );
    commit(root, "2023-05-01");
    write(root, "ns/rds.tf", &rds("db", ""));
    commit(root, "2026-10-01");
    write(root, "ns/rds.tf", &format!("\n{}", rds("db", "")));
    commit(root, "2026-11-01");
    let found = aged(root, &[]);
    assert_eq!(found.len(), 1);
    let (path, line, age, _, message) = &found[0];
    // the finding points at the header, written in 2023; the value is from 2026-10-01
    assert_eq!(
        (path.as_str(), *line, age.as_str()),
        ("ns/rds.tf", 2, "2026-10-01")
    );
    assert!(
        message.contains("(in place since 2026-10-01, commit "),
        "{message}"
    );
    assert!(message.ends_with(": 55 days)"), "{message}");
}

#[test]
fn findings_without_an_age_say_why() {
    let dir = repo();
    let root = dir.path();
    write(root, "ns/rds.tf", &rds("db", ""));
    commit(root, "2026-01-01");
    write(root, "new/rds.tf", &rds("db", ""));
    // an explicit `false` is the same value as the absent default: the age stays
    let text = format!(
        "{}{}",
        rds("db", "  deletion_protection = false\n"),
        rds("db2", "")
    );
    write(root, "ns/rds.tf", &text);
    let found = aged(root, &[]);
    let reasons: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "unknown: untracked file",
            "2026-01-01",
            "unknown: changed since the last commit"
        ]
    );
    assert!(
        found[0].4.ends_with(" (age unknown: untracked file)"),
        "{found:?}"
    );
    assert_eq!(ages(root, &["--no-history"])[0].1, "unknown: history off");
    let plain = tempfile::tempdir().unwrap();
    write(plain.path(), "rds.tf", &rds("db", ""));
    assert_eq!(
        ages(plain.path(), &[])[0].1,
        "unknown: not a git repository"
    );
}

#[test]
fn a_shallow_clone_gives_a_lower_bound() {
    let dir = repo();
    let root = dir.path();
    write(root, "ns/rds.tf", &rds("db", ""));
    commit(root, "2024-01-01");
    write(root, "ns/variables.tf", "variable \"x\" {}\n");
    commit(root, "2026-11-01");
    let url = format!("file://{}", root.display());
    let clone = tempfile::tempdir().unwrap();
    git_at(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "c"],
        "2026-11-02T00:00:00Z",
    );
    let found = aged(&clone.path().join("c"), &[]);
    assert_eq!(found[0].2, "2026-11-01+");
    assert!(found[0].4.ends_with(": 24 days or more)"), "{found:?}");
    // the full history gives the real age
    assert_eq!(ages(root, &[])[0].1, "2024-01-01");
}

#[test]
fn parallel_branches_are_aged_from_their_merge_on_the_mainline() {
    let dir = repo();
    let root = dir.path();
    write(root, "ns/versions.tf", "terraform {}\n");
    commit(root, "2025-01-01");
    let date = "2025-02-01T12:00:00Z";
    git_at(root, &["checkout", "-q", "-b", "s3"], date);
    write(root, "ns/s3.tf", "# a bucket\n");
    commit(root, "2025-02-02");
    git_at(root, &["checkout", "-q", "main"], date);
    git_at(root, &["checkout", "-q", "-b", "rds"], date);
    write(root, "ns/rds.tf", &rds("db", ""));
    commit(root, "2025-02-01");
    git_at(root, &["checkout", "-q", "main"], date);
    let merge = |branch: &str, day: &str| {
        let date = format!("{day}T12:00:00Z");
        git_at(
            root,
            &["merge", "-q", "--no-ff", "-m", branch, branch],
            &date,
        );
    };
    merge("rds", "2025-02-03");
    merge("s3", "2025-02-04");
    // the s3 branch never had rds.tf, yet its commit is the newest before the merge
    assert_eq!(
        ages(root, &[]),
        [("ns/rds.tf:1".to_owned(), "2025-02-03".to_owned())]
    );
}

/// The restore workflow's marker is aged from when it appeared, although the
/// data stores its message names (in `resources/`) change meanwhile; beyond
/// `max_age_days` it is an error.
#[test]
fn an_apply_pipeline_marker_is_aged_from_when_it_appeared() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "ns/resources/rds.tf",
        &rds("db", "  deletion_protection = true\n"),
    );
    commit(root, "2026-01-01");
    write(root, "ns/APPLY_PIPELINE_SKIP_THIS_NAMESPACE", "");
    commit(root, "2026-01-29");
    write(
        root,
        "ns/resources/cache.tf",
        "module \"cache\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-elasticache-cluster?ref=8.2.0\"\n}\n",
    );
    commit(root, "2026-06-01");
    let found: Vec<_> = aged(root, &[])
        .into_iter()
        .filter(|(path, ..)| path.ends_with("APPLY_PIPELINE_SKIP_THIS_NAMESPACE"))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let (_, line, age, severity, message) = &found[0];
    assert_eq!(
        (*line, age.as_str(), severity.as_str()),
        (1, "2026-01-29", "error")
    );
    assert!(message.contains("2 data stores"), "{message}");
}
