//! The output formats on `fixtures/scenarios/formats` (snapshots), their limits
//! (SARIF's result count and gzipped size, GitHub's 10 annotations per level,
//! Markdown's byte limit), and the SARIF checked by Microsoft's validator.

#[path = "../../../../tests/support/tools.rs"]
mod tools;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::finding::{Finding, Status};
use crate::report::{
    Concise, GitHub, GitLab, JUnit, Markdown, Render, Sarif, SarifLimits, Statistics,
};
use crate::source::SourceFile;
use crate::{Checker, Input, Report, Rule, Settings, Severity, builtin};
use serde_json::Value;

const SCENARIO: &str = "fixtures/scenarios/formats";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rules() -> Vec<Rule> {
    builtin::rules().unwrap()
}

/// The scenario's files, with their paths as the CLI shows them from the workspace.
fn scenario_inputs() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["payments-prod", "reports-dev"] {
        let folder = workspace().join(SCENARIO).join(dir);
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".tf"))
            .collect();
        names.sort();
        for name in names {
            let text = std::fs::read_to_string(folder.join(&name)).unwrap();
            files.push((format!("{SCENARIO}/{dir}/{name}"), text));
        }
    }
    files
}

fn check(files: &[(String, String)], inspect: bool) -> Report {
    let settings = Settings {
        inspect,
        ..Settings::default()
    };
    let checker = Checker::with_settings(rules(), builtin::profiles().unwrap(), settings);
    checker.check(
        files
            .iter()
            .map(|(path, text)| Input {
                path: path.clone(),
                content: Ok(text.as_bytes().to_vec()),
            })
            .collect(),
    )
}

fn scenario() -> Report {
    check(&scenario_inputs(), false)
}

/// PR mode: at the base, the dev database kept its final snapshot (so that finding is
/// new) and the production one had no backups (fixed by the change).
fn scenario_pr() -> Report {
    let head = scenario_inputs();
    let base: Vec<(String, String)> = head
        .iter()
        .map(|(path, text)| {
            let text = text
                .replace("skip_final_snapshot = true", "skip_final_snapshot = false")
                .replace(
                    "db_backup_retention_period = \"35\"",
                    "db_backup_retention_period = \"0\"",
                );
            (path.clone(), text)
        })
        .collect();
    let settings = Settings {
        inspect: true,
        ..Settings::default()
    };
    let checker = Checker::with_settings(rules(), builtin::profiles().unwrap(), settings);
    let as_inputs = |files: &[(String, String)]| -> Vec<Input> {
        files
            .iter()
            .map(|(path, text)| Input {
                path: path.clone(),
                content: Ok(text.as_bytes().to_vec()),
            })
            .collect()
    };
    let base_report = checker.check(as_inputs(&base));
    let head_report = checker.check(as_inputs(&head));
    crate::pr::compare(&checker, base_report, head_report)
}

fn render(renderer: &dyn Render, report: &Report) -> String {
    let mut out = Vec::new();
    renderer.render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn sarif(report: &Report, limits: SarifLimits) -> String {
    let rules = rules();
    let mut renderer = Sarif::new(&rules);
    renderer.limits = limits;
    render(&renderer, report)
}

/// The version changes with every release: not part of the snapshots.
fn without_version(sarif: &str) -> String {
    sarif.replace(
        &format!("\"semanticVersion\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"semanticVersion\": \"[version]\"",
    )
}

#[test]
fn the_scenario_has_what_the_snapshots_need() {
    let report = scenario();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "deletion-protection-disabled",
            "snapshot-identifier-lingering",
            "final-snapshot-skipped",
            "cache-backups-disabled",
            "module-source-unpinned",
            "unused-suppression",
        ]
    );
    assert!(!report.findings[0].related.is_empty(), "a secondary label");
    assert_eq!(report.findings[0].production, Some(true));
    assert_eq!(report.findings[2].production, Some(false));
    assert!(report.findings.iter().any(|f| f.severity == Severity::Note));
    // non-ASCII before the finding on its line: UTF-16 columns differ from characters
    let f = &report.findings[2];
    let utf16 = f.file.line_col_utf16(f.span.start).column;
    assert_eq!(
        utf16,
        f.start().column + 1,
        "the emoji counts two UTF-16 units"
    );
}

#[test]
fn sarif_snapshot() {
    let text = sarif(&scenario(), SarifLimits::default());
    let doc: Value = serde_json::from_str(&text).unwrap();
    let run = &doc["runs"][0];
    let driver_rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(driver_rules.len(), rules().len(), "every rule of the run");
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(driver_rules[index]["id"], result["ruleId"]);
    }
    // the final snapshot finding: after "é", "€" and an emoji on its line
    let region = &run["results"][2]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startColumn"].as_u64(), region["endColumn"].as_u64()),
        (Some(44), Some(70))
    );
    insta::assert_snapshot!("sarif", without_version(&text));
}

#[test]
fn sarif_pr_mode_snapshot() {
    let report = scenario_pr();
    let text = sarif(&report, SarifLimits::default());
    let doc: Value = serde_json::from_str(&text).unwrap();
    let statuses: Vec<(&str, &str)> = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap(),
                r["properties"]["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        statuses.contains(&("final-snapshot-skipped", "new")),
        "{statuses:?}"
    );
    assert!(statuses.contains(&("deletion-protection-disabled", "existing")));
    assert!(!text.contains("baselineState"));
    insta::assert_snapshot!("sarif_pr", without_version(&text));
}

#[test]
fn sarif_category_names_the_run() {
    let rules = rules();
    let mut renderer = Sarif::new(&rules);
    renderer.category = "namespaces/prod".into();
    let doc: Value = serde_json::from_str(&render(&renderer, &scenario())).unwrap();
    assert_eq!(
        doc["runs"][0]["automationDetails"]["id"],
        "namespaces/prod/"
    );
}

/// A report of `n` findings per severity, on lines of one file, for the limits.
fn many(n: usize, compared: bool) -> Report {
    let text: String = (0..3 * n)
        .map(|i| format!("x{i} = \"a | <b> `c|d` é\"\n"))
        .collect();
    let file = Arc::new(SourceFile::new("env/many.tf", text.as_str()));
    let template = scenario().findings[0].clone();
    let mut findings = Vec::new();
    for (k, severity) in [Severity::Note, Severity::Warning, Severity::Error]
        .into_iter()
        .enumerate()
    {
        for i in 0..n {
            let line = k * n + i;
            let start = file.line_start(line + 1);
            findings.push(Finding {
                rule: format!("{severity}-rule"),
                severity,
                message: format!("finding {line} | <{severity}> `a|b`\nsecond line"),
                file: Arc::clone(&file),
                span: start..start + 2,
                related: Vec::new(),
                fingerprint: format!("{line:016x}"),
                // every third is new, every other in production
                status: compared.then_some(if i % 3 == 0 {
                    Status::New
                } else {
                    Status::Existing
                }),
                production: Some(i % 2 == 0),
                fix: None,
                ..template.clone()
            });
        }
    }
    Report {
        findings,
        compared,
        ..Report::default()
    }
}

fn results(sarif: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(sarif).unwrap();
    doc["runs"][0]["results"].as_array().unwrap().clone()
}

fn notifications(sarif: &str) -> Vec<String> {
    let doc: Value = serde_json::from_str(sarif).unwrap();
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    invocation["toolExecutionNotifications"]
        .as_array()
        .map(|n| {
            n.iter()
                .map(|n| {
                    assert_eq!(n["level"], "warning");
                    n["message"]["text"].as_str().unwrap().to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn sarif_keeps_the_most_severe_results_within_the_count_limit() {
    let report = many(5, true);
    let limits = SarifLimits {
        max_results: 7,
        ..SarifLimits::default()
    };
    let text = sarif(&report, limits);
    let kept = results(&text);
    let levels: Vec<&str> = kept.iter().map(|r| r["level"].as_str().unwrap()).collect();
    // 5 errors, then the 2 new warnings (the first of every three); in the report's order
    assert_eq!(levels.iter().filter(|l| **l == "error").count(), 5);
    let warnings: Vec<&Value> = kept.iter().filter(|r| r["level"] == "warning").collect();
    assert_eq!(warnings.len(), 2);
    assert!(warnings.iter().all(|r| r["properties"]["status"] == "new"));
    assert_eq!(
        notifications(&text),
        [
            "8 of the least severe results were left out: GitHub code scanning accepts at most 7 \
          results per run (kept: errors first, then warnings, then notes; new findings before \
          existing ones)"
        ]
    );
    let lines: Vec<u64> = kept
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
        })
        .collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "kept results stay in the report's order");
    // within the limits, no notification
    assert!(notifications(&sarif(&report, SarifLimits::default())).is_empty());
}

fn gzipped(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

#[test]
fn sarif_drops_the_least_severe_results_until_the_gzipped_file_fits() {
    let report = many(40, false);
    let full = sarif(&report, SarifLimits::default());
    let full_size = gzipped(full.as_bytes());
    // room for about half the results
    let no_results = SarifLimits {
        max_results: 0,
        ..SarifLimits::default()
    };
    let empty_size = gzipped(sarif(&report, no_results).as_bytes());
    let limit = empty_size + (full_size - empty_size) / 2;
    let limits = SarifLimits {
        max_gzipped_bytes: limit,
        ..SarifLimits::default()
    };
    let text = sarif(&report, limits);
    assert!(text.len() > limit, "compression was needed");
    let size = gzipped(text.as_bytes());
    assert!(size <= limit, "{size} > {limit}");
    let kept = results(&text);
    assert!(kept.len() > 40 && kept.len() < 120, "{}", kept.len());
    // all errors kept before any warning, notes dropped first
    assert_eq!(kept.iter().filter(|r| r["level"] == "error").count(), 40);
    assert_eq!(kept.iter().filter(|r| r["level"] == "note").count(), 0);
    let notes = notifications(&text);
    assert_eq!(notes.len(), 1);
    let dropped = 120 - kept.len();
    assert!(
        notes[0].starts_with(&format!(
            "{dropped} more of the least severe results were left out"
        )),
        "{notes:?}"
    );
    assert!(notes[0].contains(&format!("at most {limit} bytes gzipped")));
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!("concise", render(&Concise, &scenario()));
}

#[test]
fn statistics_snapshot() {
    insta::assert_snapshot!("statistics", render(&Statistics, &scenario()));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!("github", render(&GitHub::default(), &scenario()));
}

#[test]
fn github_shows_ten_per_level_and_says_how_many_more() {
    let text = render(&GitHub::default(), &many(12, true));
    let lines: Vec<&str> = text.lines().collect();
    let count = |prefix: &str| lines.iter().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(count("::error "), 10);
    assert_eq!(count("::warning "), 10);
    // 9 notices and the one about the rest, which is shown too (the last)
    assert_eq!(count("::notice "), 10);
    assert_eq!(
        *lines.last().unwrap(),
        "::notice title=drlint::7 more findings not shown as annotations (GitHub shows 10 per \
         level for a step): the job summary lists every finding"
    );
    // the most important first: new ones, then production among the rest
    let errors: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("::error "))
        .collect();
    // new errors (i % 3 == 0) come first, production (i even) first among them
    for (l, line) in errors.iter().zip([25, 31, 28, 34]) {
        assert!(l.contains(&format!(",line={line},")), "{l}");
    }
    // then existing in production (i even: 2, 4, 8, 10), then the rest
    assert!(errors[4].contains(",line=27,"), "{}", errors[4]);
    // messages escaped, one line each
    assert!(
        errors[0].contains("`a|b`%0Asecond line%0A%0A"),
        "{}",
        errors[0]
    );
    // without overflow, no extra notice
    let text = render(&GitHub::default(), &many(10, false));
    assert_eq!(text.lines().count(), 30);
    assert!(!text.contains("more finding"));
}

#[test]
fn markdown_snapshots() {
    insta::assert_snapshot!("markdown", render(&Markdown::default(), &scenario()));
    let linked = Markdown {
        link_base: Some("https://github.com/example/infra/blob/0123abc/".into()),
        ..Markdown::default()
    };
    insta::assert_snapshot!("markdown_pr_linked", render(&linked, &scenario_pr()));
}

#[test]
fn markdown_folds_rows_beyond_fifty_and_stays_within_its_limit() {
    let report = many(30, true);
    let full = render(&Markdown::default(), &report);
    assert!(full.contains("<details><summary>40 more findings</summary>"));
    assert!(!full.contains("not shown"));
    for limit in [700, 2_000, full.len() / 2, full.len() - 100, full.len() - 1] {
        let text = render(
            &Markdown {
                limit,
                ..Markdown::default()
            },
            &report,
        );
        assert!(text.len() <= limit, "{} > {limit}", text.len());
        let rows = text
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains("-rule"))
            .count();
        for line in text.lines().filter(|l| l.starts_with('|')) {
            assert!(line.ends_with('|'), "a whole row: {line}");
        }
        let hidden = 90 - rows;
        let findings = if hidden == 1 { "finding" } else { "findings" };
        assert!(
            text.trim_end().ends_with(&format!(
                "{hidden} more {findings} not shown: this summary is limited to {limit} bytes."
            )),
            "{limit}: {text}"
        );
        if text.contains("<details>") {
            assert!(text.contains("</details>"));
        }
    }
    // a limit below the heading: the line saying so, or nothing
    for limit in [100, 10] {
        let text = render(
            &Markdown {
                limit,
                ..Markdown::default()
            },
            &report,
        );
        assert!(text.len() <= limit, "{text}");
    }
    // the whole text when it fits exactly
    let exact = render(
        &Markdown {
            limit: full.len(),
            ..Markdown::default()
        },
        &report,
    );
    assert_eq!(exact, full);
}

#[test]
fn junit_snapshot() {
    let rules = rules();
    insta::assert_snapshot!("junit", render(&JUnit { rules: &rules }, &scenario()));
}

#[test]
fn gitlab_snapshot() {
    let text = render(&GitLab, &scenario());
    let doc: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut prints: Vec<&str> = doc
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), doc.len(), "unique fingerprints");
    insta::assert_snapshot!("gitlab", text);
}

#[test]
fn gitlab_fingerprints_are_unique_even_when_findings_share_one() {
    let mut report = scenario();
    let twin = report.findings[0].clone();
    report.findings.push(twin);
    let doc: Vec<Value> = serde_json::from_str(&render(&GitLab, &report)).unwrap();
    let mut prints: Vec<&str> = doc
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints[0], report.findings[0].fingerprint);
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), doc.len());
}

/// Every fixture folder checked at once (parse errors, markers, local modules...): the files
/// drlint reads there (Terraform, automatic tfvars, namespace manifests, markers).
fn all_fixtures() -> Report {
    let markers = crate::markers::MarkerNames::for_config(&rules(), None);
    let mut files = Vec::new();
    let mut stack = vec![
        workspace().join("fixtures/rules"),
        workspace().join("fixtures/scenarios"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".tf")
                || name.ends_with(".tfvars")
                || name.ends_with(".tfvars.json")
                || name == "00-namespace.yaml"
                || markers.wants(&name)
            {
                let relative = path.strip_prefix(workspace()).unwrap();
                files.push(Input {
                    path: relative.to_string_lossy().replace('\\', "/"),
                    content: std::fs::read(&path).map_err(|e| e.to_string()),
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let checker = Checker::new(rules(), builtin::profiles().unwrap());
    let report = checker.check(files);
    assert!(report.findings.len() > 100, "{}", report.findings.len());
    report
}

/// Microsoft's SARIF validator, with its SARIF rules and its GitHub ingestion rules
/// (`--rule-kind "Sarif;Gh"`): no result of level `error` for all the fixtures, the
/// scenario, its PR mode and a truncated log. The npm package ships a self-contained .NET binary per
/// platform; it is run directly, as the package's `bin.js` passes its arguments through
/// a shell, which splits `Sarif;Gh` at the semicolon.
#[test]
fn sarif_passes_microsofts_validator() {
    let bin = tools::npm_tool("@microsoft/sarif-multitool", "5.7.0", "sarif-multitool");
    let platform = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let validator = bin.parent().and_then(Path::parent).unwrap().join(format!(
        "@microsoft/sarif-multitool-{platform}/Sarif.Multitool"
    ));
    assert!(validator.is_file(), "{} is missing", validator.display());
    #[cfg(unix)]
    {
        // the package's postinstall script (chmod u+x) may not have run
        use std::os::unix::fs::PermissionsExt;
        let mut mode = std::fs::metadata(&validator).unwrap().permissions();
        if mode.mode() & 0o100 == 0 {
            mode.set_mode(mode.mode() | 0o100);
            std::fs::set_permissions(&validator, mode).unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = [
        ("fixtures", sarif(&all_fixtures(), SarifLimits::default())),
        ("scenario", sarif(&scenario(), SarifLimits::default())),
        ("pr", sarif(&scenario_pr(), SarifLimits::default())),
        (
            "truncated",
            sarif(
                &many(5, true),
                SarifLimits {
                    max_results: 4,
                    ..SarifLimits::default()
                },
            ),
        ),
    ];
    for (name, log) in logs {
        let input = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&input, log).unwrap();
        let output = dir.path().join(format!("{name}.validation.sarif"));
        let run = std::process::Command::new(&validator)
            .arg("validate")
            .arg(&input)
            .arg("--output")
            .arg(&output)
            .args(["--rule-kind", "Sarif;Gh", "--level", "Error;Warning;Note"])
            // no ICU needed for this
            .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
            .output()
            .unwrap();
        let report = std::fs::read_to_string(&output).unwrap_or_else(|e| {
            panic!(
                "{name}: no validation output ({e}):\n{}\n{}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            )
        });
        let doc: Value = serde_json::from_str(&report).unwrap();
        let found: Vec<(String, String)> = doc["runs"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["results"].as_array().cloned().unwrap_or_default())
            .map(|r| {
                (
                    r["level"].as_str().unwrap_or("warning").to_owned(),
                    format!("{} {}: {}", r["level"], r["ruleId"], r["message"]),
                )
            })
            .collect();
        assert!(
            run.status.success(),
            "{name}: the validator failed: {found:?}"
        );
        for (_, warning) in found.iter().filter(|(level, _)| level == "warning") {
            eprintln!("{name}: {warning}");
        }
        let errors: Vec<&str> = found
            .iter()
            .filter(|(level, _)| level == "error")
            .map(|(_, text)| text.as_str())
            .collect();
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
        // it did run its rules: the notes it always gives (no code snippets, and such)
        assert!(
            found.iter().any(|(level, _)| level == "note"),
            "{name}: the validator gave no result at all"
        );
    }
}

#[test]
fn junit_names_repeated_findings_at_one_place_apart() {
    let mut report = scenario();
    let twin = report.findings[0].clone();
    report.findings.insert(1, twin);
    let rules = rules();
    let xml = render(&JUnit { rules: &rules }, &report);
    let name = "deletion-protection-disabled fixtures/scenarios/formats/payments-prod/rds.tf:5:3";
    assert!(
        xml.contains(&format!("<testcase name=\"{name}\" ")),
        "{xml}"
    );
    assert!(
        xml.contains(&format!("<testcase name=\"{name} #2\" ")),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testsuite name=\"deletion-protection-disabled\" tests=\"2\" failures=\"2\">"
        )
    );
}

#[test]
fn an_empty_report_in_every_format() {
    let report = Report::default();
    let rules = rules();
    assert_eq!(render(&GitHub::default(), &report), "");
    assert_eq!(render(&GitLab, &report), "[]\n");
    assert_eq!(
        render(&Markdown::default(), &report),
        "## drlint\n\nNo findings in 0 files.\n"
    );
    assert_eq!(
        render(&Concise, &report),
        "0 errors, 0 warnings, 0 notes in 0 files\n"
    );
    let log: Value = serde_json::from_str(&sarif(&report, SarifLimits::default())).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        rules.len()
    );
    let xml = render(&JUnit { rules: &rules }, &report);
    assert!(xml.contains(&format!("tests=\"{}\" failures=\"0\"", rules.len())));
}
