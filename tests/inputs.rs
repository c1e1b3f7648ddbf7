//! Inputs are files inside the checked tree (GitHub issue 11 §2): special files,
//! symbolic links out of the tree, oversized files, names that cannot be shown
//! and unreadable folders are skipped and reported (`input-skipped`), never read
//! and never lost silently; outputs are never written through a symbolic link;
//! control characters never reach a terminal raw.

#![cfg(unix)]

#[path = "support/git.rs"]
mod support_git;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support_git::git;

/// `drlint` run in `dir`; a run that hangs fails the test instead of hanging it.
fn drlint(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("drlint").unwrap();
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env("COLUMNS", "100")
        .env("DRLINT_NO_HISTORY", "1")
        .timeout(Duration::from_secs(60));
    cmd
}

const DB: &str = "resource \"aws_db_instance\" \"db\" {\n  deletion_protection = false\n}\n";
const GOOD: &str = "locals {\n  a = 1\n}\n";

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `(rule, path)` of every finding of a JSON report.
fn findings(stdout: &[u8]) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(stdout)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The `input-skipped` findings of a JSON report: (path, message).
fn skipped(stdout: &[u8]) -> Vec<(String, String)> {
    let doc: Value = serde_json::from_slice(stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "input-skipped")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn json_check(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = drlint(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A root module calling a fetched module `m`, with `.terraform/modules/modules.json`
/// naming `dir` as its folder.
fn fetched_root(root: &Path, dir: &str) {
    fs::write(
        root.join("main.tf"),
        "module \"m\" {\n  source  = \"terraform-aws-modules/rds/aws\"\n  version = \"6.1.0\"\n}\n",
    )
    .unwrap();
    fs::create_dir_all(root.join(".terraform/modules")).unwrap();
    fs::write(
        root.join(".terraform/modules/modules.json"),
        format!(
            "{{\"Modules\":[{{\"Key\":\"\",\"Source\":\"\",\"Dir\":\".\"}},{{\"Key\":\"m\",\"Source\":\"registry.terraform.io/terraform-aws-modules/rds/aws\",\"Version\":\"6.1.0\",\"Dir\":\"{dir}\"}}]}}"
        ),
    )
    .unwrap();
}

// 1. Only regular files, within a size limit

#[test]
fn a_fifo_modules_json_is_skipped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    fetched_root(dir.path(), ".terraform/modules/m");
    let manifest = dir.path().join(".terraform/modules/modules.json");
    fs::remove_file(&manifest).unwrap();
    mkfifo(&manifest);
    let out = json_check(dir.path(), &["."]);
    let skipped = skipped(&out.stdout);
    assert!(
        skipped
            .iter()
            .any(|(p, m)| p == ".terraform/modules/modules.json" && m.contains("named pipe")),
        "{skipped:?}"
    );
}

#[test]
fn fetched_module_files_that_are_fifos_or_devices_are_skipped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    fetched_root(dir.path(), ".terraform/modules/m");
    let module = dir.path().join(".terraform/modules/m");
    fs::create_dir_all(&module).unwrap();
    fs::write(module.join("main.tf"), GOOD).unwrap();
    mkfifo(&module.join("pipe.tf"));
    symlink("/dev/zero", module.join("zero.tf")).unwrap();
    let out = json_check(dir.path(), &["."]);
    let mut paths: Vec<String> = skipped(&out.stdout).into_iter().map(|(p, _)| p).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            ".terraform/modules/m/pipe.tf",
            ".terraform/modules/m/zero.tf"
        ]
    );
}

#[test]
fn a_fifo_baseline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("main.tf"), DB).unwrap();
    mkfifo(&dir.path().join("baseline.json"));
    let out = drlint(dir.path())
        .args(["check", "--baseline", "baseline.json", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn files_over_the_size_limit_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("main.tf"), DB).unwrap();
    let big = format!("locals {{\n  a = \"{}\"\n}}\n", "x".repeat(2000));
    fs::write(dir.path().join("big.tf"), big).unwrap();
    // the flag
    let out = json_check(dir.path(), &["--max-file-size", "1000", "."]);
    let skipped_paths = |out: &std::process::Output| -> Vec<String> {
        skipped(&out.stdout).into_iter().map(|(p, _)| p).collect()
    };
    assert_eq!(skipped_paths(&out), ["big.tf"]);
    let (_, message) = &skipped(&out.stdout)[0];
    assert!(message.contains("1000"), "{message}");
    assert!(
        findings(&out.stdout)
            .iter()
            .any(|(r, p)| r == "deletion-protection-disabled" && p == "main.tf"),
        "the rest is checked"
    );
    // the configuration's key; the flag wins over it
    fs::write(dir.path().join(".drlint.yaml"), "max_file_size: 1000\n").unwrap();
    assert_eq!(skipped_paths(&json_check(dir.path(), &["."])), ["big.tf"]);
    assert!(skipped_paths(&json_check(dir.path(), &["--max-file-size", "100000", "."])).is_empty());
    // the default (10 MB) reads it
    fs::remove_file(dir.path().join(".drlint.yaml")).unwrap();
    assert!(skipped_paths(&json_check(dir.path(), &["."])).is_empty());
}

// 2. Symbolic links are followed only inside the tree

#[test]
fn a_symlink_out_of_the_tree_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(
        outside.path().join("secret.tf"),
        "SECRET-LINE-ONE: not HCL\nroot:x:0:0:root:/root:/bin/bash\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("main.tf"), DB).unwrap();
    symlink(outside.path().join("secret.tf"), dir.path().join("leak.tf")).unwrap();
    for args in [&["main.tf", "leak.tf"][..], &["main.tf"], &["."]] {
        for format in ["human", "json"] {
            let out = drlint(dir.path())
                .args(["check", "--color", "never", "--format", format])
                .args(args)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                !text.contains("SECRET-LINE-ONE") && !text.contains("root:x"),
                "{args:?} {format}: {text}"
            );
            assert!(
                text.contains("input-skipped") && text.contains("leak.tf"),
                "{args:?} {format}: {text}"
            );
        }
    }
}

#[test]
fn symlinks_inside_the_tree_are_read_as_their_folders_files() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("shared")).unwrap();
    fs::create_dir_all(dir.path().join("app")).unwrap();
    fs::write(dir.path().join("shared/db.tf"), DB).unwrap();
    symlink("../shared/db.tf", dir.path().join("app/db.tf")).unwrap();
    let out = json_check(dir.path(), &["--rule", "deletion-protection-disabled", "."]);
    let mut found = findings(&out.stdout);
    found.sort();
    assert_eq!(
        found,
        [
            ("deletion-protection-disabled".into(), "app/db.tf".into()),
            ("deletion-protection-disabled".into(), "shared/db.tf".into()),
        ]
    );
}

// 3. Nothing outside the tree through modules.json or local module sources

#[test]
fn modules_json_cannot_point_outside_the_tree() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("main.tf"), DB).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for module_dir in [outside.path().to_str().unwrap().to_owned(), {
        let up = "../".repeat(dir.path().components().count());
        format!(
            "{up}{}",
            outside.path().to_str().unwrap().trim_start_matches('/')
        )
    }] {
        fetched_root(dir.path(), &module_dir);
        let out = json_check(dir.path(), &["."]);
        let found = findings(&out.stdout);
        assert!(
            found
                .iter()
                .all(|(_, p)| p.starts_with(".terraform/") || p == "main.tf"),
            "{module_dir}: {found:?}"
        );
        let skipped = skipped(&out.stdout);
        assert!(
            skipped
                .iter()
                .any(|(p, m)| p == ".terraform/modules/modules.json" && m.contains("outside")),
            "{module_dir}: {skipped:?}"
        );
    }
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

#[test]
fn pr_mode_reads_no_local_module_outside_the_repository() {
    let top = tempfile::tempdir().unwrap();
    let outside = top.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("main.tf"), DB).unwrap();
    let repo = top.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    fs::write(repo.join("main.tf"), GOOD).unwrap();
    commit(&repo, "start");
    fs::write(
        repo.join("main.tf"),
        "module \"x\" {\n  source = \"../outside\"\n}\n",
    )
    .unwrap();
    for staged in [false, true] {
        if staged {
            git(&repo, &["add", "-A"]);
        }
        let mut cmd = drlint(&repo);
        cmd.args(["check", "--format", "json"]);
        if staged {
            cmd.arg("--staged");
        } else {
            cmd.args(["--base", "HEAD"]);
        }
        let out = cmd.arg(".").output().unwrap();
        assert!(out.status.code().unwrap() < 2, "{out:?}");
        // the module's resource is never seen: no finding about it, no line of it shown
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("aws_db_instance") && !text.contains("../outside/"),
            "staged {staged}: {text}"
        );
    }
}

// 4. Every skipped file is reported, in every format

#[test]
fn skipped_files_are_reported_in_every_format_and_the_run_goes_on() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("main.tf"), DB).unwrap();
    mkfifo(&root.join("pipe.tf"));
    fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"caf\xe9.tf")),
        DB.replace("db", "latin"),
    )
    .unwrap();
    fs::write(root.join("back\\slash.tf"), DB.replace("db", "slash")).unwrap();
    let formats = [
        "human", "concise", "json", "sarif", "github", "markdown", "junit", "gitlab",
    ];
    for format in formats {
        let out = drlint(root)
            .args(["check", "--color", "never", "--format", format, "."])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        for needle in ["input-skipped", "pipe.tf", "caf", "slash.tf"] {
            assert!(text.contains(needle), "{format}: no {needle} in {text}");
        }
        // the rest of the run goes on
        assert!(text.contains("deletion-protection-disabled"), "{format}");
    }
    let out = json_check(root, &["."]);
    let mut skipped = skipped(&out.stdout);
    skipped.sort();
    let paths: Vec<&str> = skipped.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        ["back\\slash.tf", "caf\\xE9.tf", "pipe.tf"],
        "{skipped:?}"
    );
    // a backslash name is not misread as a folder
    assert!(
        findings(&out.stdout)
            .iter()
            .all(|(_, p)| p != "back/slash.tf"),
        "{skipped:?}"
    );
}

/// Runs drlint without the capabilities that let root read any folder, so that
/// `chmod 000` means unreadable; `None` when that cannot be arranged here.
fn without_dac_override(dir: &Path) -> Option<std::process::Command> {
    let bin = assert_cmd::cargo::cargo_bin("drlint");
    let mut cmd = if is_root() {
        let probe = std::process::Command::new("setpriv")
            .args(["--inh-caps=-all", "--bounding-set=-all", "--", "true"])
            .status();
        if !probe.is_ok_and(|s| s.success()) {
            return None;
        }
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--inh-caps=-all", "--bounding-set=-all", "--"])
            .arg(bin);
        cmd
    } else {
        std::process::Command::new(bin)
    };
    cmd.current_dir(dir)
        .env("DRLINT_NO_HISTORY", "1")
        .env("COLUMNS", "100");
    Some(cmd)
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[test]
fn an_unreadable_folder_is_reported_and_the_run_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("main.tf"), DB).unwrap();
    fs::create_dir_all(root.join("locked")).unwrap();
    fs::write(root.join("locked/x.tf"), DB).unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    let Some(mut cmd) = without_dac_override(root) else {
        eprintln!("skipped: cannot drop root's capabilities here");
        return;
    };
    let out = cmd
        .args(["check", "--format", "json", "."])
        .output()
        .unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let skipped = skipped(&out.stdout);
    assert!(
        skipped
            .iter()
            .any(|(p, m)| p == "locked" && m.to_lowercase().contains("permission denied")),
        "{skipped:?}"
    );
    assert!(
        findings(&out.stdout)
            .iter()
            .any(|(r, p)| r == "deletion-protection-disabled" && p == "main.tf")
    );
}

// 5. `.gitignore` is honoured, `.ignore` is not

#[test]
fn gitignore_is_honoured_and_dot_ignore_is_not() {
    let dir = repo();
    let root = dir.path();
    fs::write(root.join("main.tf"), DB).unwrap();
    fs::write(root.join("ignored.tf"), DB.replace("db", "other")).unwrap();
    fs::write(root.join(".gitignore"), "ignored.tf\n").unwrap();
    fs::write(root.join(".ignore"), "main.tf\n").unwrap();
    let out = json_check(root, &["--rule", "deletion-protection-disabled", "."]);
    let paths: Vec<String> = findings(&out.stdout).into_iter().map(|(_, p)| p).collect();
    assert_eq!(paths, ["main.tf"]);
}

// 6. Outputs are never written through a symbolic link

#[test]
fn outputs_are_never_written_through_a_symlink() {
    let outside = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("main.tf"), DB).unwrap();
    let victim = outside.path().join("victim");
    fs::write(&victim, "precious\n").unwrap();
    let dangling = outside.path().join("created");
    let cases: [(&str, Vec<&str>); 3] = [
        (".drlint.yaml", vec!["init"]),
        (
            "baseline.json",
            vec!["baseline", "create", "--output", "baseline.json", "."],
        ),
        ("out.json", vec!["check", "--format", "json=out.json", "."]),
    ];
    for (name, args) in &cases {
        for target in [&victim, &dangling] {
            let link = root.join(name);
            let _ = fs::remove_file(&link);
            symlink(target, &link).unwrap();
            let out = drlint(root).args(args).output().unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?} -> {}: {out:?}",
                target.display()
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("symbolic link"), "{args:?}: {err}");
            assert_eq!(fs::read_to_string(&victim).unwrap(), "precious\n");
            assert!(
                !dangling.exists(),
                "{args:?} created {}",
                dangling.display()
            );
            fs::remove_file(&link).unwrap();
        }
    }
    // a plain file is still written, and /dev/stdout still works
    drlint(root)
        .args(["check", "--format", "json=out.json", "."])
        .assert()
        .code(1);
    assert!(
        fs::read_to_string(root.join("out.json"))
            .unwrap()
            .contains("findings")
    );
    let out = drlint(root)
        .args(["check", "--format", "json=/dev/stdout", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("findings"));
}

// 7. Control characters are escaped in every human-readable format

#[test]
fn control_characters_are_escaped_in_every_human_readable_format() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // pure ASCII: escapes in strings, and raw control characters in a comment and a file name
    fs::write(
        root.join("main.tf"),
        "# title \x1b]0;pwned\x07 and \x1b[2J and a CR\rhere\x08\n\
         module \"x\" {\n  source = \"git::https://example.com/mod\\u001b]0;pwned\\u0007\\u001b[2J\\r\\u0008\"\n}\n\
         resource \"aws_db_instance\" \"y\\u001b[31m\" {\n  deletion_protection = false\n}\n",
    )
    .unwrap();
    fs::write(root.join("e\x1b[31m.tf"), DB).unwrap();
    let runs: [&[&str]; 7] = [
        &["--color", "never", "--format", "human"],
        &["--color", "never", "--format", "concise"],
        &["--color", "never", "--statistics"],
        &["--format", "github"],
        &["--format", "markdown"],
        &["--format", "junit"],
        &["--color", "always", "--format", "human"],
    ];
    for run in runs {
        let out = drlint(root)
            .arg("check")
            .args(run)
            .arg(".")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{run:?}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        let colour = run.contains(&"always");
        for (i, c) in text.char_indices() {
            let allowed = c == '\n'
                || (colour && c == '\x1b' && text[i + 1..].starts_with('['))
                || (!c.is_control());
            assert!(allowed, "{run:?}: raw {c:?} at {i} in\n{text}");
        }
        if colour {
            // the only escape sequences are the colours' (SGR)
            let sequences = text.split('\x1b').skip(1);
            for s in sequences {
                let end = s.find(|c: char| c.is_ascii_alphabetic()).unwrap();
                assert!(s[..end].starts_with('[') && &s[end..=end] == "m", "{s:?}");
                assert!(
                    s[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
                    "{s:?}"
                );
            }
        }
        if !run.contains(&"--statistics") {
            assert!(text.contains("\\u{1b}"), "{run:?}: {text}");
        }
    }
}

// 8. A file named twice is checked once

#[test]
fn a_file_named_twice_is_checked_once() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("app")).unwrap();
    fs::write(dir.path().join("app/main.tf"), DB).unwrap();
    let once = findings(&json_check(dir.path(), &["."]).stdout);
    for args in [
        vec!["app/main.tf", "."],
        vec![".", "app"],
        vec!["app", "./app/main.tf"],
        vec!["app/../app/main.tf", "app"],
    ] {
        assert_eq!(
            findings(&json_check(dir.path(), &args).stdout),
            once,
            "{args:?}"
        );
    }
}

// 9. Bad input to PR mode is not taken quietly

#[test]
fn pr_mode_refuses_a_path_outside_the_repository() {
    let dir = repo();
    fs::write(dir.path().join("main.tf"), DB).unwrap();
    commit(dir.path(), "start");
    let other = tempfile::tempdir().unwrap();
    for mode in [&["--base", "HEAD"][..], &["--staged"]] {
        let out = drlint(dir.path())
            .arg("check")
            .args(mode)
            .arg(other.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{mode:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("outside the repository"), "{mode:?}: {err}");
    }
}

#[test]
fn pr_mode_follows_links_to_files_inside_the_repository_only() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.tf"), "SECRET-LINE: not HCL\n").unwrap();
    let dir = repo();
    let root = dir.path();
    fs::create_dir_all(root.join("shared")).unwrap();
    fs::create_dir_all(root.join("app")).unwrap();
    fs::write(root.join("shared/db.tf"), DB).unwrap();
    symlink("../shared/db.tf", root.join("app/db.tf")).unwrap();
    symlink(outside.path().join("secret.tf"), root.join("app/leak.tf")).unwrap();
    commit(root, "start");
    // the change touches app/ only
    fs::write(root.join("app/other.tf"), GOOD).unwrap();
    for staged in [false, true] {
        if staged {
            git(root, &["add", "-A"]);
        }
        let mut cmd = drlint(root);
        cmd.args(["check", "--format", "json"]);
        if staged {
            cmd.arg("--staged");
        } else {
            cmd.args(["--base", "HEAD"]);
        }
        let out = cmd.arg(".").output().unwrap();
        assert!(out.status.code().unwrap() < 2, "{out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("SECRET-LINE"), "staged {staged}: {text}");
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut found: Vec<String> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["status"].as_str().unwrap(),
                    f["rule"].as_str().unwrap(),
                    f["path"].as_str().unwrap()
                )
            })
            .collect();
        found.sort();
        // the link inside is read at the base and the head alike: its finding is not new;
        // the link out of the repository is reported at both, and read at neither
        assert_eq!(
            found,
            [
                "existing backup-retention-too-short app/db.tf",
                "existing deletion-protection-disabled app/db.tf",
                "existing input-skipped app/leak.tf",
            ],
            "staged {staged}"
        );
        assert!(
            doc["fixed"].as_array().unwrap().is_empty(),
            "staged {staged}: {text}"
        );
    }
}

/// A path given with `..` out of the current repository is checked in its own tree: the
/// root is not the current folder's repository (before, `drlint check ../other` from inside
/// a repository took that repository as the tree and skipped every file as outside it).
#[test]
fn a_path_up_and_out_of_the_current_repository_is_its_own_tree() {
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("here");
    fs::create_dir_all(here.join(".git")).unwrap();
    let other = dir.path().join("other/team-prod");
    fs::create_dir_all(&other).unwrap();
    fs::write(
        other.join("rds.tf"),
        "resource \"aws_db_instance\" \"db\" {\n  engine              = \"postgres\"\n  deletion_protection = false\n}\n",
    )
    .unwrap();
    let out = drlint(&here)
        .args(["check", "--format", "json", "--no-history", "../other"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"input-skipped"), "{rules:?}");
    assert!(rules.contains(&"deletion-protection-disabled"), "{rules:?}");
}
