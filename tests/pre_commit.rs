//! The pre-commit hooks (`.pre-commit-hooks.yaml`) under the real `pre-commit`
//! from PyPI, and `drlint check --staged`, which the commit hook runs.
//!
//! The hooks are installed from this checkout's committed HEAD, the way a user's
//! `.pre-commit-config.yaml` names a `repo:` and a `rev:` (not `pre-commit
//! try-repo`, which runs hooks on files but is no commit: here `git commit` and
//! `git push` run the hooks that `pre-commit install` put in place). So an edit
//! to the hook code is tested once it is committed; CI tests a clean clone.
//!
//! `pre-commit install-hooks` compiles drlint with `cargo install`, once per
//! revision: pre-commit's store is kept in `target/test-tools/pre-commit-home`
//! and cargo's build in `target/pre-commit-build` (dependencies are built
//! once; unoptimised, for speed).

#[path = "support/tools.rs"]
mod tools;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

const PRE_COMMIT_VERSION: &str = "4.7.0";

#[path = "support/findings.rs"]
mod support_findings;
#[path = "support/workspace.rs"]
mod support_workspace;
use support_workspace::workspace;

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"))
}

fn pre_commit_home() -> PathBuf {
    target_dir().join("test-tools/pre-commit-home")
}

/// The environment of every git and pre-commit run: a fixed identity, no
/// user or system git configuration (a global `core.hooksPath` would stop
/// `pre-commit install`), pre-commit's store, and no ages from history.
fn env(cmd: &mut Process) -> &mut Process {
    cmd.env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("PRE_COMMIT_HOME", pre_commit_home())
        .env("DRLINT_NO_HISTORY", "1")
        .env_remove("NO_COLOR")
}

fn run(dir: &Path, program: &Path, args: &[&str]) -> Output {
    env(Process::new(program).args(args).current_dir(dir))
        .output()
        .unwrap_or_else(|e| panic!("{} {args:?}: {e}", program.display()))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, Path::new("git"), args);
    assert!(out.status.success(), "git {args:?}: {}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, path: &str, content: &str) {
    let path = dir.join(path);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

/// `git commit`, with whatever hooks are installed: (accepted, what it printed).
fn commit(dir: &Path, message: &str) -> (bool, String) {
    let out = run(dir, Path::new("git"), &["commit", "-m", message]);
    (out.status.success(), text(&out))
}

fn rds(name: &str, protection: &str) -> String {
    format!(
        "module \"{name}\" {{\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = {protection}\n}}\n"
    )
}

const PROTECT_VARIABLE: &str = "variable \"protect\" {\n  type    = bool\n  default = true\n}\n";

/// pre-commit, with this checkout's hooks installed into its store (once per test binary).
fn pre_commit() -> &'static Path {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let exe = tools::python_tool("pre-commit", PRE_COMMIT_VERSION, "pre-commit");
        let probe = repo_with_hooks("drlint");
        // this build's drlint crates replace the earlier revisions' (their paths differ,
        // so cargo would keep every one); the dependencies stay built
        prune_local_artifacts(&target_dir().join("pre-commit-build/release"));
        let started = std::time::Instant::now();
        let out = env(Process::new(&exe)
            .arg("install-hooks")
            .current_dir(probe.path())
            .env("CARGO_TARGET_DIR", target_dir().join("pre-commit-build"))
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
            .env("CARGO_PROFILE_RELEASE_LTO", "false"))
        .output()
        .expect("run pre-commit");
        assert!(
            out.status.success(),
            "pre-commit install-hooks failed:\n{}",
            text(&out)
        );
        eprintln!(
            "pre-commit install-hooks: {:.1} s{}",
            started.elapsed().as_secs_f64(),
            if text(&out).contains("Installing environment") {
                " (built drlint-pre-commit with cargo install)"
            } else {
                " (already in the store)"
            }
        );
        // then forget the earlier revisions (their configurations were temporary)
        // (housekeeping only: a store left inconsistent by an interrupted run makes gc fail,
        // and the hooks just installed are unaffected)
        let gc = run(probe.path(), &exe, &["gc"]);
        if !gc.status.success() {
            eprintln!("pre-commit gc failed (ignored): {}", text(&gc));
        }
        exe
    })
}

/// Removes the artifacts of the workspace's own crates from a cargo target directory.
fn prune_local_artifacts(profile_dir: &Path) {
    for sub in ["deps", ".fingerprint", "build"] {
        let Ok(entries) = fs::read_dir(profile_dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let name = name.strip_prefix("lib").unwrap_or(&name);
            if name.starts_with("drlint") {
                let path = entry.path();
                let _ = if path.is_dir() {
                    fs::remove_dir_all(&path)
                } else {
                    fs::remove_file(&path)
                };
            }
        }
    }
}

/// This checkout's HEAD: what the configuration's `rev:` names.
fn head_rev() -> String {
    let out = run(&workspace(), Path::new("git"), &["rev-parse", "HEAD"]);
    assert!(
        out.status.success(),
        "the pre-commit test installs the hooks from this checkout's git HEAD: {}",
        text(&out)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A new repository whose `.pre-commit-config.yaml` (committed) uses hook `id` of this checkout.
fn repo_with_hooks(id: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {}\n    hooks:\n      - id: {id}\n",
        workspace().display(),
        head_rev()
    );
    write(dir.path(), ".pre-commit-config.yaml", &config);
    git(dir.path(), &["add", "-A"]);
    git(
        dir.path(),
        &["commit", "-q", "-m", "pre-commit configuration"],
    );
    dir
}

/// A repository with the commit hook installed (`pre-commit install`).
fn repo_with_commit_hook() -> tempfile::TempDir {
    let exe = pre_commit();
    let dir = repo_with_hooks("drlint");
    let out = run(dir.path(), exe, &["install"]);
    assert!(out.status.success(), "pre-commit install: {}", text(&out));
    dir
}

#[test]
fn the_manifest_is_valid() {
    let exe = tools::python_tool("pre-commit", PRE_COMMIT_VERSION, "pre-commit");
    let out = run(
        &workspace(),
        &exe,
        &["validate-manifest", ".pre-commit-hooks.yaml"],
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_commit_that_turns_deletion_protection_off_is_refused_and_a_good_one_accepted() {
    let repo = repo_with_commit_hook();
    let dir = repo.path();
    write(dir, "ns/rds/main.tf", &rds("db", "true"));
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "a protected database");
    assert!(ok, "a protected database is accepted:\n{out}");
    assert!(out.contains("Passed"), "{out}");

    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "protection off");
    assert!(!ok, "protection off is refused:\n{out}");
    assert!(
        out.contains("deletion-protection-disabled (new)")
            && out.contains("`module.db` can be destroyed by any apply")
            && out.contains("ns/rds/main.tf:3"),
        "{out}"
    );
    assert_eq!(
        git(dir, &["log", "--format=%s", "-1"]).trim(),
        "a protected database"
    );

    // put back, with an unrelated edit: accepted
    write(
        dir,
        "ns/rds/main.tf",
        &format!("# the orders database\n{}", rds("db", "true")),
    );
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "a comment");
    assert!(ok, "{out}");
}

#[test]
fn a_tfvars_file_that_turns_deletion_protection_off_is_refused() {
    let repo = repo_with_commit_hook();
    let dir = repo.path();
    write(dir, "ns/rds/main.tf", &rds("db", "var.protect"));
    write(dir, "ns/rds/variables.tf", PROTECT_VARIABLE);
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "protected by the variable's default");
    assert!(ok, "{out}");

    write(dir, "ns/rds/terraform.tfvars", "protect = false\n");
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "protection off in terraform.tfvars");
    assert!(!ok, "{out}");
    assert!(
        out.contains("deletion-protection-disabled (new)")
            && out.contains("ns/rds/terraform.tfvars")
            && out.contains("protect = false"),
        "the finding points at the tfvars value:\n{out}"
    );
}

#[test]
fn an_old_finding_in_the_folder_does_not_block_a_commit_that_touches_it() {
    let repo = repo_with_commit_hook();
    let dir = repo.path();
    // committed before anyone ran the hook
    write(dir, "ns/rds/legacy.tf", &rds("legacy", "false"));
    git(dir, &["add", "-A"]);
    git(
        dir,
        &["commit", "-q", "--no-verify", "-m", "legacy database"],
    );

    write(dir, "ns/rds/orders.tf", &rds("orders", "true"));
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "a new protected database beside it");
    assert!(ok, "the old finding is not new:\n{out}");

    // a new finding in the same folder still is
    write(dir, "ns/rds/orders.tf", &rds("orders", "false"));
    git(dir, &["add", "-A"]);
    let (ok, out) = commit(dir, "orders unprotected");
    assert!(!ok, "{out}");
    assert!(
        out.contains("module.orders") && !out.contains("module.legacy"),
        "{out}"
    );
}

#[test]
fn the_hook_checks_the_staged_content_not_the_working_tree() {
    let repo = repo_with_commit_hook();
    let dir = repo.path();
    write(dir, "ns/rds/main.tf", &rds("db", "true"));
    git(dir, &["add", "-A"]);
    assert!(commit(dir, "protected").0);

    // bad edit staged, then undone in the working tree only: refused
    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    git(dir, &["add", "-A"]);
    write(dir, "ns/rds/main.tf", &rds("db", "true"));
    let (ok, out) = commit(dir, "staged bad, working tree good");
    assert!(!ok, "{out}");
    assert!(out.contains("deletion-protection-disabled (new)"), "{out}");

    // good edit staged, bad in the working tree only: accepted, and the
    // working tree keeps its unstaged edit
    write(
        dir,
        "ns/rds/main.tf",
        &format!("# orders\n{}", rds("db", "true")),
    );
    git(dir, &["add", "-A"]);
    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    let (ok, out) = commit(dir, "staged good, working tree bad");
    assert!(ok, "{out}");
    assert_eq!(
        git(dir, &["show", "HEAD:ns/rds/main.tf"]),
        format!("# orders\n{}", rds("db", "true"))
    );
    assert_eq!(
        fs::read_to_string(dir.join("ns/rds/main.tf")).unwrap(),
        rds("db", "false")
    );
}

#[test]
fn the_hook_colours_its_report_when_pre_commit_does() {
    let exe = pre_commit();
    let repo = repo_with_hooks("drlint");
    let dir = repo.path();
    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    git(dir, &["add", "-A"]);
    let report = |color: &str| {
        let out = run(dir, exe, &["run", "--color", color]);
        assert!(!out.status.success());
        let out = text(&out);
        let (_, report) = out
            .split_once("- exit code: 1")
            .unwrap_or_else(|| panic!("{out}"));
        assert!(report.contains("deletion-protection-disabled"), "{out}");
        report.to_owned()
    };
    assert!(report("always").contains('\x1b'));
    assert!(!report("never").contains('\x1b'));
}

#[test]
fn the_pre_push_hook_refuses_a_branch_that_turns_protection_off() {
    let exe = pre_commit();
    // a remote with the configuration and a protected database, cloned
    let seed = repo_with_hooks("drlint-pr");
    write(seed.path(), "ns/rds/main.tf", &rds("db", "true"));
    git(seed.path(), &["add", "-A"]);
    git(seed.path(), &["commit", "-q", "-m", "protected"]);
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "-q", "--bare", "-b", "main"]);
    git(
        seed.path(),
        &["push", "-q", &remote.path().display().to_string(), "main"],
    );
    let clone_parent = tempfile::tempdir().unwrap();
    git(
        clone_parent.path(),
        &["clone", "-q", &remote.path().display().to_string(), "work"],
    );
    let dir = &clone_parent.path().join("work");
    let out = run(dir, exe, &["install", "--hook-type", "pre-push"]);
    assert!(out.status.success(), "{}", text(&out));

    git(dir, &["checkout", "-q", "-b", "restore"]);
    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    git(dir, &["commit", "-q", "-am", "protection off"]);
    let push = |dir: &Path| {
        let out = run(dir, Path::new("git"), &["push", "origin", "restore"]);
        (out.status.success(), text(&out))
    };
    let (ok, out) = push(dir);
    assert!(!ok, "{out}");
    assert!(
        out.contains("deletion-protection-disabled (new)") && out.contains("ns/rds/main.tf"),
        "{out}"
    );
    write(dir, "ns/rds/main.tf", &rds("db", "true"));
    git(dir, &["commit", "-q", "-am", "protection back on"]);
    let (ok, out) = push(dir);
    assert!(ok, "{out}");
}

// `drlint check --staged` itself, without pre-commit (which stashes unstaged
// edits, so the hook never sees a working tree that differs from the index).

fn drlint(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(dir)
        .env("DRLINT_NO_HISTORY", "1")
        .args(args)
        .output()
        .unwrap()
}

/// `status rule path:line` of each finding of `drlint check --staged --format json ARGS`.
fn staged(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["check", "--staged", "--format", "json"];
    all.extend(args);
    let out = drlint(dir, &all);
    assert!(out.status.code().unwrap() < 2, "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    support_findings::with_status(&doc)
}

fn plain_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

const NEW_DP: &str = "new deletion-protection-disabled";

#[test]
fn staged_checks_the_index_not_the_working_tree() {
    let repo = plain_repo();
    let dir = repo.path();
    write(dir, "ns/rds/main.tf", &rds("db", "true"));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "protected"]);
    // nothing staged: nothing to check, whatever the working tree says
    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    assert_eq!(staged(dir, &[]), Vec::<String>::new());
    // staged bad, working tree good
    git(dir, &["add", "-A"]);
    write(dir, "ns/rds/main.tf", &rds("db", "true"));
    assert_eq!(staged(dir, &[]), [format!("{NEW_DP} ns/rds/main.tf:3")]);
    let out = drlint(dir, &["check", "--staged", "--only-new"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    // staged good (another edit), working tree bad
    write(
        dir,
        "ns/rds/main.tf",
        &format!("# orders\n{}", rds("db", "true")),
    );
    git(dir, &["add", "-A"]);
    write(dir, "ns/rds/main.tf", &rds("db", "false"));
    assert_eq!(staged(dir, &[]), Vec::<String>::new());
    let out = drlint(dir, &["check", "--staged", "--only-new"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // --base compares the working tree: there the finding is
    assert_eq!(
        drlint(dir, &["check", "--base", "HEAD", "--only-new"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn staged_findings_elsewhere_in_a_touched_folder_are_existing() {
    let repo = plain_repo();
    let dir = repo.path();
    write(dir, "ns/rds/legacy.tf", &rds("legacy", "false"));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "legacy"]);
    write(dir, "ns/rds/orders.tf", &rds("orders", "false"));
    git(dir, &["add", "-A"]);
    assert_eq!(
        staged(dir, &[]),
        [
            "existing deletion-protection-disabled ns/rds/legacy.tf:3".to_owned(),
            format!("{NEW_DP} ns/rds/orders.tf:3"),
        ]
    );
    assert_eq!(
        staged(dir, &["--only-new"]),
        [format!("{NEW_DP} ns/rds/orders.tf:3")]
    );
}

#[test]
fn staged_on_the_first_commit_compares_with_nothing() {
    let repo = plain_repo();
    let dir = repo.path();
    write(dir, "ns/rds/main.tf", &rds("db", "var.protect"));
    write(dir, "ns/rds/variables.tf", PROTECT_VARIABLE);
    write(dir, "ns/rds/terraform.tfvars", "protect = false\n");
    git(dir, &["add", "-A"]);
    assert_eq!(staged(dir, &[]), [format!("{NEW_DP} ns/rds/main.tf:3")]);
    // a staged file deleted from the working tree is still checked, and can be named
    fs::remove_file(dir.join("ns/rds/terraform.tfvars")).unwrap();
    assert_eq!(
        staged(dir, &["ns/rds/terraform.tfvars"]),
        [format!("{NEW_DP} ns/rds/main.tf:3")]
    );
}

#[test]
fn staged_paths_limit_the_folders_checked() {
    let repo = plain_repo();
    let dir = repo.path();
    write(dir, "ns/a/main.tf", &rds("a", "true"));
    write(dir, "ns/b/main.tf", &rds("b", "true"));
    write(dir, "ns/b/variables.tf", PROTECT_VARIABLE);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "protected"]);
    write(dir, "ns/a/main.tf", &rds("a", "false"));
    write(dir, "ns/b/main.tf", &rds("b", "false"));
    git(dir, &["add", "-A"]);
    assert_eq!(
        staged(dir, &[]),
        [
            format!("{NEW_DP} ns/a/main.tf:3"),
            format!("{NEW_DP} ns/b/main.tf:3")
        ]
    );
    // as pre-commit passes them: the files, each checked with its folder
    assert_eq!(
        staged(dir, &["ns/b/main.tf"]),
        [format!("{NEW_DP} ns/b/main.tf:3")]
    );
    // a file of the folder that the change does not touch: nothing
    assert_eq!(staged(dir, &["ns/b/variables.tf"]), Vec::<String>::new());
    // from a subfolder, paths are shown from there
    assert_eq!(
        staged(&dir.join("ns"), &["a"]),
        [format!("{NEW_DP} a/main.tf:3")]
    );
}

#[test]
fn staged_and_base_do_not_go_together() {
    let repo = plain_repo();
    let out = drlint(repo.path(), &["check", "--staged", "--base", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("cannot be used with"), "{}", text(&out));
    let plain = tempfile::tempdir().unwrap();
    let out = drlint(plain.path(), &["check", "--staged"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("not a git repository: `--staged`"),
        "{}",
        text(&out)
    );
}
