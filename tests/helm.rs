//! End-to-end tests of Helm values: discovery, configuration, suppressions, PR mode, bounds.

#[path = "support/git.rs"]
mod support_git;
use std::fs;
use std::path::Path;
use support_git::*;

use assert_cmd::Command;
use serde_json::Value;

fn drlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drlint").unwrap();
    cmd.current_dir(dir)
        .env("DRLINT_NO_HISTORY", "1")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// `rule path:line` of each finding of a JSON run.
fn findings(dir: &Path, args: &[&str]) -> Vec<String> {
    let out = drlint(dir)
        .args(["check", "--format", "json"])
        .args(args)
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
        .map(|f| {
            format!(
                "{}{} {}:{}",
                f["status"]
                    .as_str()
                    .map(|s| format!("{s} "))
                    .unwrap_or_default(),
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

const BASE: &str = "generic-service:\n  replicaCount: 2\n  ingress:\n    enabled: true\n    annotations:\n      nginx.ingress.kubernetes.io/limit-rps: \"20\"\n";

#[test]
fn a_tree_walk_finds_values_in_helm_folders_and_an_explicit_file_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "helm_deploy/api/values.yaml", BASE);
    write(
        root,
        "helm_deploy/values-prod.yaml",
        "generic-service:\n  replicaCount: 1\n",
    );
    // not in a Helm folder: a walk leaves it, naming it reads it
    write(root, "misc/values.yaml", "image:\n  tag: latest\n");
    // a manifest is not a values file
    write(
        root,
        "deploy/values-manifest.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  image.tag: latest\n",
    );
    assert_eq!(
        findings(root, &["."]),
        ["single-replica-in-production helm_deploy/values-prod.yaml:2"]
    );
    assert_eq!(
        findings(root, &["misc/values.yaml"]),
        ["image-tag-mutable misc/values.yaml:2"]
    );
}

#[test]
fn configured_releases_environments_and_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".drlint.yaml",
        "helm:\n  releases:\n    - name: web\n      chart: generic-service\n      values: [k8s/base.yaml, k8s/live.yaml]\n      environment: live\n  production_environments: [live]\n",
    );
    write(root, "k8s/base.yaml", "replicaCount: 2\n");
    write(root, "k8s/live.yaml", "replicaCount: 1\n");
    assert_eq!(
        findings(root, &["."]),
        ["single-replica-in-production k8s/live.yaml:1"]
    );
    // `helm.values` globs read values files wherever they are
    write(
        root,
        ".drlint.yaml",
        "helm:\n  values: [\"ops/**/*.yaml\"]\n  releases:\n    - name: web\n      chart: generic-service\n      values: [k8s/base.yaml, k8s/live.yaml]\n      environment: live\n  production_environments: [live]\n",
    );
    write(root, "ops/svc/settings.yaml", "image:\n  tag: latest\n");
    let mut found = findings(root, &["."]);
    found.sort();
    assert_eq!(
        found,
        [
            "image-tag-mutable ops/svc/settings.yaml:2",
            "single-replica-in-production k8s/live.yaml:1"
        ]
    );
    fs::remove_file(root.join("ops/svc/settings.yaml")).unwrap();
    // a suppression comment above the key, as for Terraform
    write(
        root,
        "k8s/live.yaml",
        "# drlint:ignore single-replica-in-production until=2099-01-01 -- a batch worker, one is enough\nreplicaCount: 1\n",
    );
    assert_eq!(findings(root, &["."]), Vec::<String>::new());
}

#[test]
fn pr_mode_compares_the_merged_values_of_the_base_and_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "helm_deploy/api/values.yaml", BASE);
    write(
        root,
        "helm_deploy/values-prod.yaml",
        "generic-service:\n  replicaCount: 3\n",
    );
    write(
        root,
        "helm_deploy/values-dev.yaml",
        "generic-service:\n  image:\n    tag: main\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    // the change edits only the prod overlay: the base in helm_deploy/api/ is read with it
    write(
        root,
        "helm_deploy/values-prod.yaml",
        "generic-service:\n  replicaCount: 1\n",
    );
    let mut found = findings(root, &["--base", "HEAD", "."]);
    found.sort();
    assert_eq!(
        found,
        [
            "existing image-tag-mutable helm_deploy/values-dev.yaml:3",
            "new single-replica-in-production helm_deploy/values-prod.yaml:2",
        ]
    );
}

#[test]
fn a_huge_file_an_alias_bomb_and_bad_yaml_are_findings_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // over the 2 MiB limit for a values file
    let big: String = "k: v\n".repeat(2_000_000);
    write(root, "helm/big/values.yaml", &big);
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", refs.join(", ")));
    }
    write(root, "helm/bomb/values.yaml", &bomb);
    write(root, "helm/bad/values.yaml", "a: [1, 2\nb: é\n");
    write(root, "helm/good/values.yaml", "image:\n  tag: latest\n");
    let out = drlint(root)
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut seen: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                format!(
                    "{} {}",
                    f["rule"].as_str().unwrap(),
                    f["message"].as_str().unwrap()
                ),
            )
        })
        .collect();
    seen.sort();
    let rules: Vec<(&str, &str)> = seen
        .iter()
        .map(|(p, m)| (p.as_str(), m.split(' ').next().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("helm/bad/values.yaml", "parse-error"),
            ("helm/big/values.yaml", "parse-error"),
            ("helm/bomb/values.yaml", "parse-error"),
            ("helm/good/values.yaml", "image-tag-mutable"),
        ]
    );
    assert!(seen[1].1.contains("over the 2 MiB limit"), "{}", seen[1].1);
    assert!(seen[2].1.contains("alias bomb"), "{}", seen[2].1);
}

#[test]
fn staged_mode_reads_the_chart_folder_even_when_only_the_overlay_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "helm_deploy/api/values.yaml", BASE);
    write(
        root,
        "helm_deploy/values-prod.yaml",
        "generic-service:\n  replicaCount: 3\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    write(
        root,
        "helm_deploy/values-prod.yaml",
        "generic-service:\n  replicaCount: 1\n",
    );
    git(root, &["add", "-A"]);
    // as pre-commit passes it: the staged file alone
    assert_eq!(
        findings(
            root,
            &["--staged", "--only-new", "helm_deploy/values-prod.yaml"]
        ),
        ["new single-replica-in-production helm_deploy/values-prod.yaml:2"]
    );
}
