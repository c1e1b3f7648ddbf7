//! PR mode on real git repositories made in temporary folders: the four real
//! restore sequences replayed commit by commit, and the structural changes
//! (removal, rename with and without `moved`, file rename, a variable default
//! changed in another file), plus the errors a CI user meets.

#[path = "support/git.rs"]
mod support_git;
use std::fs;
use std::path::{Path, PathBuf};
use support_git::*;

use assert_cmd::Command;
use serde_json::Value;

#[path = "support/findings.rs"]
mod support_findings;
#[path = "support/workspace.rs"]
mod support_workspace;
use support_workspace::workspace;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    dir
}

fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// `status rule path:line` for each finding, and `fixed rule path:line` for each fixed one.
fn pr_check(dir: &Path, base: &str) -> Vec<String> {
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(dir)
        .env("DRLINT_TODAY", "2026-11-25")
        .args(["check", "--format", "json", "--base", base, "."])
        .output()
        .unwrap();
    assert!(
        out.status.code().unwrap() < 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut lines = support_findings::with_status(&doc);
    lines.extend(doc["fixed"].as_array().unwrap().iter().map(|f| {
        format!(
            "fixed {} {}:{}",
            f["rule"].as_str().unwrap(),
            f["path"].as_str().unwrap(),
            f["line"]
        )
    }));
    lines
}

/// Replays `fixtures/restore-sequences/<name>`: step 0 is committed, then each
/// step is checked against the previous commit and committed. Returns the findings per step.
fn replay(name: &str) -> Vec<Vec<String>> {
    let source = workspace().join("fixtures/restore-sequences").join(name);
    let mut steps: Vec<PathBuf> = fs::read_dir(&source)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    steps.sort_by_key(|p| {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        name.trim_start_matches("step")
            .split('-')
            .next()
            .unwrap()
            .parse::<u32>()
            .unwrap()
    });
    let dir = repo();
    let resources = dir.path().join("ns/resources");
    let mut results = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let _ = fs::remove_dir_all(&resources);
        fs::create_dir_all(&resources).unwrap();
        for file in fs::read_dir(step).unwrap() {
            let file = file.unwrap().path();
            fs::copy(&file, resources.join(file.file_name().unwrap())).unwrap();
        }
        if i > 0 {
            results.push(pr_check(dir.path(), "HEAD"));
        }
        commit(dir.path(), &format!("step {i}"));
    }
    results
}

const RDS: &str = "ns/resources/rds.tf";

#[test]
fn laa_landing_page_dev_protection_never_set_back() {
    let steps = replay("laa-landing-page-dev");
    assert_eq!(
        steps,
        [
            // #36494: protection lifted for the restore
            vec![format!("new deletion-protection-disabled {RDS}:19")],
            // #36501: snapshot added (protection already off: no restore-blocked)
            vec![
                format!("new snapshot-identifier-lingering {RDS}:13"),
                format!("existing deletion-protection-disabled {RDS}:21"),
            ],
            // #36501 again: the identifier changed: a second replacement
            vec![
                format!("new snapshot-identifier-changed {RDS}:13"),
                format!("existing snapshot-identifier-lingering {RDS}:13"),
                format!("existing deletion-protection-disabled {RDS}:21"),
            ],
            // #36509: snapshot removed, protection still off
            vec![
                format!("existing deletion-protection-disabled {RDS}:19"),
                format!("fixed snapshot-identifier-lingering {RDS}:13"),
            ],
        ]
    );
}

#[test]
fn datahub_catalogue_prod_protection_in_variables_and_wrong_order() {
    let f = "ns/resources/rds-postgresql.tf";
    let steps = replay("data-platform-datahub-catalogue-prod");
    assert_eq!(
        steps,
        [
            // #32323: only the APPLY_PIPELINE_SKIP marker (not in the fixture)
            vec![],
            // #32323: snapshot added while protection is on; production: lingering is an error
            vec![
                format!("new restore-blocked-by-deletion-protection {f}:19"),
                format!("new snapshot-identifier-lingering {f}:19"),
            ],
            // #32325: protection turned off through variables.tf: shown on the
            // default the change edited (the call in rds-postgresql.tf:13 is untouched)
            vec![
                format!("existing snapshot-identifier-lingering {f}:19"),
                "new deletion-protection-disabled ns/resources/variables.tf:125".to_owned(),
            ],
            // #32331: snapshot removed
            vec![
                format!("existing deletion-protection-disabled {f}:13"),
                format!("fixed snapshot-identifier-lingering {f}:19"),
            ],
            // #32332: snapshot added again
            vec![
                format!("existing deletion-protection-disabled {f}:13"),
                format!("new snapshot-identifier-lingering {f}:19"),
            ],
            // #32337: removed again
            vec![
                format!("existing deletion-protection-disabled {f}:13"),
                format!("fixed snapshot-identifier-lingering {f}:19"),
            ],
            // #32337: the variable's default set back to true
            vec![format!("fixed deletion-protection-disabled {f}:13")],
        ]
    );
}

#[test]
fn hmpps_assess_clean_up_deletes_the_line_and_protection_stays_off() {
    let steps = replay("hmpps-assess-risks-and-needs-integrations-dev");
    assert_eq!(
        steps,
        [
            // #41138: `deletion_protection = false` added; absent it was already false (module default)
            vec![format!("existing deletion-protection-disabled {RDS}:19")],
            // #41184: snapshot added
            vec![
                format!("existing deletion-protection-disabled {RDS}:19"),
                format!("new snapshot-identifier-lingering {RDS}:27"),
            ],
            // #41212: both lines deleted: the module default keeps protection off
            vec![
                format!("existing deletion-protection-disabled {RDS}:2"),
                format!("fixed snapshot-identifier-lingering {RDS}:27"),
            ],
        ]
    );
}

#[test]
fn laa_apply_staging_documented_workflow() {
    let steps = replay("laa-apply-for-criminal-legal-aid-staging");
    assert_eq!(
        steps,
        [
            // #40897: snapshot added with protection unset (false by default): a
            // warning, as the live database may be protected; the team then
            // removed the snapshot, wrote `deletion_protection = false` and restored again
            vec![
                format!("existing deletion-protection-disabled {RDS}:1"),
                format!("new restore-blocked-by-deletion-protection {RDS}:38"),
                format!("new snapshot-identifier-lingering {RDS}:38"),
            ],
            // #41327: snapshot removed, protection explicitly off
            vec![
                format!("existing deletion-protection-disabled {RDS}:39"),
                format!("fixed snapshot-identifier-lingering {RDS}:38"),
            ],
            // #41342: the restore
            vec![
                format!("existing deletion-protection-disabled {RDS}:39"),
                format!("new snapshot-identifier-lingering {RDS}:41"),
            ],
            // #41345: clean-up done right: snapshot removed and protection on
            vec![
                format!("fixed deletion-protection-disabled {RDS}:39"),
                format!("fixed snapshot-identifier-lingering {RDS}:41"),
            ],
        ]
    );
}

const DB: &str = "module \"db\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n  db_name             = \"app\"\n}\n";

#[test]
fn removing_and_renaming_data_stores() {
    let dir = repo();
    let root = dir.path();
    fs::create_dir(root.join("env")).unwrap();
    fs::write(root.join("env/rds.tf"), DB).unwrap();
    commit(root, "db");

    // removed
    fs::remove_file(root.join("env/rds.tf")).unwrap();
    fs::write(root.join("env/main.tf"), "locals {}\n").unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new data-store-removed env/rds.tf:1"]
    );

    // removed on purpose with a `removed` block
    fs::write(
        root.join("env/main.tf"),
        "removed {\n  from = module.db\n  lifecycle {\n    destroy = false\n  }\n}\n",
    )
    .unwrap();
    assert_eq!(pr_check(root, "HEAD"), Vec::<String>::new());

    // renamed without a moved block
    fs::remove_file(root.join("env/main.tf")).unwrap();
    fs::write(
        root.join("env/rds.tf"),
        DB.replace("module \"db\"", "module \"database\""),
    )
    .unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new data-store-renamed env/rds.tf:1"]
    );
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(root)
        .args(["check", "--format", "json", "--base", "HEAD"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["findings"][0]["help"]
            .as_str()
            .unwrap()
            .contains("moved {\n  from = module.db\n  to   = module.database\n}")
    );

    // renamed with a moved block
    fs::write(
        root.join("env/moved.tf"),
        "moved {\n  from = module.db\n  to   = module.database\n}\n",
    )
    .unwrap();
    assert_eq!(pr_check(root, "HEAD"), Vec::<String>::new());

    // a replacement-forcing change under the moved address
    fs::write(
        root.join("env/rds.tf"),
        DB.replace("module \"db\"", "module \"database\"")
            .replace("\"app\"", "\"app2\""),
    )
    .unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new replacement-forcing-change env/rds.tf:1"]
    );
}

/// A Cloud Platform-shaped call: most arguments come from variables without
/// a default (unknown to drlint), as in 753 of 954 real rds-instance calls.
const REAL_DB: &str = r#"module "rds" {
  source                 = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0"
  vpc_name               = var.vpc_name
  team_name              = var.team_name
  business_unit          = var.business_unit
  application            = var.application
  is_production          = var.is_production
  namespace              = var.namespace
  environment_name       = var.environment
  infrastructure_support = var.infrastructure_support
  db_engine              = "postgres"
  db_engine_version      = "16"
  deletion_protection    = true
}
"#;

/// The messages of the JSON findings of a PR run.
fn pr_messages(dir: &Path, base: &str) -> Vec<String> {
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(dir)
        .args([
            "check",
            "--no-history",
            "--format",
            "json",
            "--base",
            base,
            ".",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                f["rule"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn renames_are_found_through_unknown_arguments_and_small_edits() {
    let dir = repo();
    let root = dir.path();
    fs::create_dir(root.join("env")).unwrap();
    fs::write(root.join("env/rds.tf"), REAL_DB).unwrap();
    fs::write(root.join("env/variables.tf"), "variable \"vpc_name\" {}\n").unwrap();
    commit(root, "db");

    // renamed: the unknown arguments are written the same way, so it is the same database
    let renamed = REAL_DB.replace("module \"rds\"", "module \"orders_rds\"");
    fs::write(root.join("env/rds.tf"), &renamed).unwrap();
    assert_eq!(
        pr_messages(root, "HEAD"),
        [
            "data-store-renamed: `module.rds` is renamed to `module.orders_rds` without a `moved` block: Terraform will destroy it and create an empty one"
        ]
    );

    // renamed and one argument edited: still a rename, with the edit listed
    fs::write(
        root.join("env/rds.tf"),
        renamed.replace("var.team_name", "\"orders-team\""),
    )
    .unwrap();
    assert_eq!(
        pr_messages(root, "HEAD"),
        [
            "data-store-renamed: `module.rds` is renamed to `module.orders_rds` without a `moved` block, with these edits: `team_name`: var.team_name → \"orders-team\". Terraform will destroy it and create an empty one"
        ]
    );

    // a different engine is a different database: removed, and a new one added
    fs::write(
        root.join("env/rds.tf"),
        renamed.replace("\"postgres\"", "\"mysql\""),
    )
    .unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new data-store-removed env/rds.tf:1"]
    );

    // most arguments rewritten: not the same store
    let rewritten = renamed
        .replace("var.team_name", "\"a\"")
        .replace("var.business_unit", "\"b\"")
        .replace("var.application", "\"c\"");
    fs::write(root.join("env/rds.tf"), rewritten).unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new data-store-removed env/rds.tf:1"]
    );
}

/// hmpps-manage-adjudications-api-dev, February 2026: `snapshot_identifier`
/// was added while `deletion_protection` was absent (false by the module's
/// default), and the restore failed until `deletion_protection = false` was
/// written: the live database was protected although the code said otherwise.
#[test]
fn a_restore_over_protection_off_only_by_default_is_a_warning() {
    let dir = repo();
    let root = dir.path();
    fs::create_dir(root.join("env")).unwrap();
    let db = "module \"rds\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  db_engine = \"postgres\"\n}\n";
    fs::write(root.join("env/rds.tf"), db).unwrap();
    commit(root, "db, protection absent");
    let restore = db.replace(
        "  db_engine",
        "  snapshot_identifier = \"rds:adjudications-2026-02-10\"\n  db_engine",
    );
    fs::write(root.join("env/rds.tf"), &restore).unwrap();
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(root)
        .args([
            "check",
            "--no-history",
            "--format",
            "json",
            "--base",
            "HEAD",
            ".",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let restore_findings: Vec<&Value> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "restore-blocked-by-deletion-protection")
        .collect();
    assert_eq!(restore_findings.len(), 1, "{doc:#}");
    assert_eq!(restore_findings[0]["severity"], "warning");
    assert!(
        restore_findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("only by the module's default")
    );
    assert!(
        restore_findings[0]["help"]
            .as_str()
            .unwrap()
            .contains("sets `deletion_protection = false` explicitly")
    );

    // the runbook's first PR writes `false`: the restore PR is then clean
    fs::write(
        root.join("env/rds.tf"),
        db.replace("  db_engine", "  deletion_protection = false\n  db_engine"),
    )
    .unwrap();
    commit(root, "PR 1: protection off explicitly");
    fs::write(
        root.join("env/rds.tf"),
        restore.replace("  db_engine", "  deletion_protection = false\n  db_engine"),
    )
    .unwrap();
    assert!(
        !pr_check(root, "HEAD")
            .iter()
            .any(|f| f.contains("restore-blocked-by-deletion-protection"))
    );
}

/// `is_migration` exempts a lingering identifier, but switching it off while
/// the identifier stays changes the snapshot the module gives the instance
/// (main.tf:271), which Terraform plans as a replacement. A rename is not one.
#[test]
fn switching_is_migration_off_replaces_the_database_and_a_rename_does_not() {
    let dir = repo();
    let root = dir.path();
    fs::create_dir(root.join("env")).unwrap();
    let db = "module \"rds\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n  is_migration        = true\n  snapshot_identifier = \"arn:aws:rds:eu-west-2:000000000000:snapshot:legacy-export\"\n}\n";
    fs::write(root.join("env/rds.tf"), db).unwrap();
    commit(root, "migrated database");

    fs::write(
        root.join("env/rds.tf"),
        db.replace("  is_migration        = true\n", ""),
    )
    .unwrap();
    let messages = pr_messages(root, "HEAD");
    let replaced: Vec<&String> = messages
        .iter()
        .filter(|m| m.starts_with("replacement-forcing-change"))
        .collect();
    assert_eq!(replaced.len(), 1, "{messages:?}");
    assert!(
        replaced[0].contains(
            "is_migration: true → false, which changes the resource's `snapshot_identifier`"
        ),
        "{}",
        replaced[0]
    );

    // renaming the instance is an in-place update (plan: identifier change → update)
    fs::write(
        root.join("env/rds.tf"),
        db.replace(
            "  deletion_protection",
            "  rds_name            = \"orders-db\"\n  deletion_protection",
        ),
    )
    .unwrap();
    assert!(
        !pr_messages(root, "HEAD")
            .iter()
            .any(|m| m.starts_with("replacement-forcing-change")),
    );
}

#[test]
fn a_file_rename_changes_nothing_and_a_default_changed_elsewhere_counts() {
    let dir = repo();
    let root = dir.path();
    fs::create_dir(root.join("env")).unwrap();
    fs::write(
        root.join("env/rds.tf"),
        "module \"db\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = var.protect\n}\n",
    )
    .unwrap();
    fs::write(
        root.join("env/variables.tf"),
        "variable \"protect\" {\n  default = true\n}\n",
    )
    .unwrap();
    commit(root, "db");

    git(root, &["mv", "env/rds.tf", "env/database.tf"]);
    assert_eq!(
        pr_check(root, "HEAD"),
        Vec::<String>::new(),
        "same block, same address"
    );
    commit(root, "rename the file");

    // only variables.tf changes, but the module in database.tf is affected:
    // the finding is shown on the edited default, where the pull request can show it
    fs::write(
        root.join("env/variables.tf"),
        "variable \"protect\" {\n  default = false\n}\n",
    )
    .unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new deletion-protection-disabled env/variables.tf:2"]
    );
}

#[test]
fn errors_say_how_to_fix_them() {
    let dir = repo();
    fs::write(dir.path().join("main.tf"), "locals {}\n").unwrap();
    commit(dir.path(), "one");
    let stderr = |args: &[&str], at: &Path| {
        let out = Command::cargo_bin("drlint")
            .unwrap()
            .current_dir(at)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = stderr(&["check", "--base", "origin/nope"], dir.path());
    assert!(
        e.contains("unknown revision `origin/nope`")
            && e.contains("git fetch --no-tags origin origin/nope"),
        "{e}"
    );
    let plain = tempfile::tempdir().unwrap();
    let e = stderr(&["check", "--base", "main"], plain.path());
    assert!(e.contains("not a git repository"), "{e}");

    // a shallow clone that lacks the base
    commit(dir.path(), "two");
    commit(dir.path(), "three");
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git(shallow.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let clone = shallow.path().join("c");
    let first = git(dir.path(), &["rev-list", "--max-parents=0", "HEAD"])
        .trim()
        .to_owned();
    let e = stderr(&["check", "--base", &first], &clone);
    assert!(
        e.contains("shallow clone") && e.contains("fetch-depth: 0"),
        "{e}"
    );
    // a remote-tracking base that actions/checkout did not fetch: the advice is a command that works
    git(dir.path(), &["branch", "feature", &first]);
    let e = stderr(&["check", "--base", "origin/feature"], &clone);
    let advice = e
        .split('`')
        .find(|part| part.starts_with("git fetch"))
        .unwrap_or_else(|| panic!("no fetch command in: {e}"));
    assert_eq!(
        advice,
        "git fetch --no-tags origin feature:refs/remotes/origin/feature"
    );
    let words: Vec<&str> = advice.split(' ').skip(1).collect();
    git(&clone, &words);
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(&clone)
        .args(["check", "--base", "origin/feature"])
        .env("DRLINT_NO_HISTORY", "1")
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(!e.contains("not in this shallow clone"), "{e}");
}

#[test]
fn lingering_findings_carry_their_age_from_history() {
    let dir = repo();
    let root = dir.path();
    let db = |name: &str, snapshot: &str| {
        format!(
            "module \"{name}\" {{\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n  snapshot_identifier = \"{snapshot}\"\n}}\n"
        )
    };
    fs::write(root.join("old.tf"), db("old", "rds:old-2026-08-30")).unwrap();
    git_at(root, &["add", "-A"], "2026-09-01T10:00:00Z");
    git_at(
        root,
        &["commit", "-q", "-m", "restore old"],
        "2026-09-01T10:00:00Z",
    );
    fs::write(root.join("new.tf"), db("new", "rds:new-2026-11-19")).unwrap();
    git_at(root, &["add", "-A"], "2026-11-20T10:00:00Z");
    git_at(
        root,
        &["commit", "-q", "-m", "restore new"],
        "2026-11-20T10:00:00Z",
    );

    for args in [
        vec!["check", "--format", "json"],
        vec!["check", "--format", "json", "--base", "HEAD~1"],
    ] {
        let out = Command::cargo_bin("drlint")
            .unwrap()
            .current_dir(root)
            .env("DRLINT_TODAY", "2026-11-25")
            .args(&args)
            .output()
            .unwrap();
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let found: Vec<(String, String, i64)> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["severity"].as_str().unwrap().to_owned(),
                    f["since"]["days"].as_i64().unwrap(),
                )
            })
            .collect();
        if args.len() == 3 {
            assert_eq!(
                found,
                [
                    ("new.tf".to_owned(), "warning".to_owned(), 5),
                    ("old.tf".to_owned(), "error".to_owned(), 85)
                ],
                "beyond max_age_days (14) the lingering snapshot is an error"
            );
            let message = doc["findings"][1]["message"].as_str().unwrap();
            assert!(
                message.contains("(in place since 2026-09-01, commit "),
                "{message}"
            );
            assert!(message.ends_with(": 85 days)"), "{message}");
        } else {
            // PR mode: only the folder the change touched (both files are in `.`)
            assert_eq!(found.len(), 2);
        }
    }
}

#[test]
fn pr_mode_marks_new_findings_in_human_output_and_honours_excludes() {
    let dir = repo();
    let root = dir.path();
    fs::write(root.join(".drlint.yaml"), "exclude: [\"vendor/**\"]\n").unwrap();
    fs::create_dir(root.join("env")).unwrap();
    fs::create_dir(root.join("vendor")).unwrap();
    commit(root, "config");
    let unprotected = "module \"db\" {\n  source = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n}\n";
    fs::write(root.join("env/rds.tf"), unprotected).unwrap();
    fs::write(root.join("vendor/rds.tf"), unprotected).unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new deletion-protection-disabled env/rds.tf:1"]
    );
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(root)
        .args([
            "check",
            "--color",
            "never",
            "--no-history",
            "--base",
            "HEAD",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("deletion-protection-disabled (new)"),
        "{text}"
    );
    assert!(text.contains("1 new in this change, 0 fixed"), "{text}");
}

#[test]
fn an_apply_pipeline_marker_is_new_when_added_existing_beside_a_change_and_fixed_when_removed() {
    let dir = repo();
    let root = dir.path();
    fs::create_dir_all(root.join("ns/resources")).unwrap();
    let rds = "module \"rds\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n}\n";
    fs::write(root.join("ns/resources/rds.tf"), rds).unwrap();
    commit(root, "before the restore");
    git(root, &["checkout", "-q", "-b", "pr"]);
    let marker = "ns/APPLY_PIPELINE_SKIP_THIS_NAMESPACE";
    // PR 1 of the restore adds the marker: the folders below it are read for its count
    fs::write(root.join(marker), "").unwrap();
    assert_eq!(
        pr_check(root, "main"),
        [format!("new apply-pipeline-skipped {marker}:1")]
    );
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(root)
        .args([
            "check",
            "--format",
            "json",
            "--no-history",
            "--base",
            "main",
            ".",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = doc["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("holding 1 data store: module.rds (age unknown: history off)"),
        "{message}"
    );
    commit(root, "PR 1");
    git(root, &["checkout", "-q", "main"]);
    git(root, &["merge", "-q", "pr"]);
    // a later PR touches only the Terraform: the marker beside it is still reported
    git(root, &["checkout", "-q", "-b", "pr2"]);
    fs::write(
        root.join("ns/resources/rds.tf"),
        rds.replace("true", "false"),
    )
    .unwrap();
    let steps = pr_check(root, "main");
    assert!(
        steps.contains(&format!("existing apply-pipeline-skipped {marker}:1")),
        "{steps:?}"
    );
    // the final PR removes it
    fs::write(root.join("ns/resources/rds.tf"), rds).unwrap();
    fs::remove_file(root.join(marker)).unwrap();
    assert_eq!(
        pr_check(root, "main"),
        [format!("fixed apply-pipeline-skipped {marker}:1")]
    );
}

#[test]
fn a_baseline_in_pr_mode_says_nothing_of_the_folders_the_change_did_not_touch() {
    let dir = repo();
    let root = dir.path();
    let db = |protect: bool| {
        format!(
            "resource \"aws_db_instance\" \"db\" {{\n  identifier          = \"db\"\n  deletion_protection = {protect}\n}}\n"
        )
    };
    for folder in ["a", "b"] {
        fs::create_dir_all(root.join(folder)).unwrap();
        fs::write(root.join(folder).join("main.tf"), db(false)).unwrap();
    }
    commit(root, "two folders with a finding each");
    let run = |args: &[&str]| -> Value {
        let out = Command::cargo_bin("drlint")
            .unwrap()
            .current_dir(root)
            .env("DRLINT_NO_HISTORY", "1")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.code().unwrap() < 2,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&out.stdout).unwrap()
        }
    };
    run(&["baseline", "create", "--output", "baseline.json", "."]);
    let fixed = |doc: &Value| -> Vec<String> {
        doc["summary"]["baseline"]["fixed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_owned())
            .collect()
    };

    // a change in a/ that keeps its finding: nothing is fixed, b/ was not read
    fs::write(root.join("a/other.tf"), "locals {}\n").unwrap();
    commit(root, "touch a");
    let check = |base: &str| {
        run(&[
            "check",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "--base",
            base,
            ".",
        ])
    };
    let doc = check("HEAD~1");
    let hidden = doc["summary"]["baseline"]["hidden"].as_u64().unwrap();
    assert!(hidden > 0, "a/'s findings are hidden: {doc:#}");
    assert_eq!(fixed(&doc), Vec::<String>::new());

    // fixing a/: only a/'s entry is fixed
    fs::write(root.join("a/main.tf"), db(true)).unwrap();
    commit(root, "fix a");
    let fixed_now = fixed(&check("HEAD~1"));
    assert!(
        !fixed_now.is_empty() && fixed_now.iter().all(|p| p == "a/main.tf"),
        "{fixed_now:?}"
    );

    // the same holds for a whole-tree run given one folder
    let doc = run(&[
        "check",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
        "b",
    ]);
    assert_eq!(fixed(&doc), Vec::<String>::new());
    assert_eq!(doc["summary"]["baseline"]["hidden"].as_u64(), Some(hidden));
}

#[test]
fn a_new_finding_is_placed_on_the_line_the_change_edited() {
    let dir = repo();
    let root = dir.path();
    fs::write(
        root.join("main.tf"),
        "module \"db\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = var.protect\n}\n",
    )
    .unwrap();
    fs::write(
        root.join("variables.tf"),
        "variable \"protect\" {\n  default = true\n}\n",
    )
    .unwrap();
    fs::write(root.join("terraform.tfvars"), "# settings\nsize = 1\n").unwrap();
    commit(root, "protected");
    // the change edits only the tfvars file: main.tf and variables.tf are untouched
    fs::write(
        root.join("terraform.tfvars"),
        "# settings\nsize    = 1\nprotect = false\n",
    )
    .unwrap();
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(root)
        .env("DRLINT_NO_HISTORY", "1")
        .args(["check", "--format", "json", "--base", "HEAD", "."])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "deletion-protection-disabled")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(finding["status"], "new");
    assert_eq!(
        (finding["path"].as_str(), finding["line"].as_u64()),
        (Some("terraform.tfvars"), Some(3)),
        "{finding:#}"
    );
    // where the finding used to point is kept, first among the related locations
    let related = finding["related"].as_array().unwrap();
    assert_eq!(related[0]["path"], "main.tf", "{finding:#}");
    assert_eq!(related[0]["line"], 3);

    // the same finding, existing at the base, stays where it is
    commit(root, "protection off");
    fs::write(
        root.join("variables.tf"),
        "variable \"protect\" {\n  default = true # edited\n}\n",
    )
    .unwrap();
    let out = Command::cargo_bin("drlint")
        .unwrap()
        .current_dir(root)
        .env("DRLINT_NO_HISTORY", "1")
        .args(["check", "--format", "json", "--base", "HEAD", "."])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let existing: Vec<(&str, &str, u64)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "deletion-protection-disabled")
        .map(|f| {
            (
                f["status"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(existing, [("existing", "main.tf", 3)]);
}

#[test]
fn placing_findings_reads_only_the_files_they_are_in() {
    // a change that also deletes a file drlint never reads, whose blob the clone
    // lacks (a partial clone, a mirror without its largest files): the diff of the
    // whole change would fail on it ("unable to read"), the findings' files do not
    let dir = repo();
    let root = dir.path();
    fs::create_dir(root.join("db")).unwrap();
    fs::write(
        root.join("db/main.tf"),
        "module \"db\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = true\n}\n",
    )
    .unwrap();
    fs::write(root.join("tool.bin"), "a large binary\n").unwrap();
    commit(root, "base");
    let blob = git(root, &["rev-parse", "HEAD:tool.bin"]);
    let blob = blob.trim();
    fs::remove_file(root.join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    fs::remove_file(root.join("tool.bin")).unwrap();
    fs::write(
        root.join("db/main.tf"),
        "module \"db\" {\n  source              = \"github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0\"\n  deletion_protection = false\n}\n",
    )
    .unwrap();
    assert_eq!(
        pr_check(root, "HEAD"),
        ["new deletion-protection-disabled db/main.tf:3"]
    );
}
