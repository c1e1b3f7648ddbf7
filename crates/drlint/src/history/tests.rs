use super::*;

#[test]
fn days_round_trip_with_civil_dates() {
    for d in [0, 11_016, 20_417, -1, 100_000] {
        assert_eq!(days_from_civil(&crate::suppress::civil_date(d)), Some(d));
    }
}

fn checker() -> Checker {
    Checker::new(
        crate::builtin::rules().unwrap(),
        crate::builtin::profiles().unwrap(),
    )
}

const SOURCE: &str = "github.com/ministryofjustice/cloud-platform-terraform-rds-instance?ref=9.2.0";

fn rds(body: &str) -> String {
    format!("module \"db\" {{\n  source = \"{SOURCE}\"\n{body}}}\n")
}

/// A version at `day` (days since 1970) with `ns/rds.tf` holding `text`.
fn version(day: i64, text: Option<&str>) -> Version {
    Version {
        commit: format!("c{day}"),
        time: day * 86_400 + 3_600,
        boundary: false,
        inputs: text.map(|t| {
            vec![Input {
                path: "ns/rds.tf".into(),
                content: Ok(t.as_bytes().to_vec()),
            }]
        }),
    }
}

/// The keys of the aged findings of `text` as the folder `ns` has them.
fn keys(text: &str) -> BTreeSet<Key> {
    let c = checker();
    let report = c.check(vec![Input {
        path: "ns/rds.tf".into(),
        content: Ok(text.as_bytes().to_vec()),
    }]);
    needing_history(&report, c.rules())
        .remove("ns")
        .unwrap_or_default()
}

fn walked(head: &str, versions: Vec<Version>) -> Vec<Result<String, Missing>> {
    let keys = keys(head);
    assert!(!keys.is_empty(), "{head}");
    walk(&checker(), &keys, versions)
        .into_values()
        .map(|o| o.map(|o| o.date))
        .collect()
}

#[test]
fn the_age_is_the_oldest_version_of_the_unbroken_run() {
    let off = rds("  deletion_protection = false\n");
    let reformatted = rds("\n\n  deletion_protection    =    false\n");
    let on = rds("  deletion_protection = true\n");
    assert_eq!(
        walked(
            &off,
            vec![
                version(20_000, Some(&off)),
                version(19_990, None),
                version(19_980, Some(&reformatted)),
                version(19_970, Some(&on)),
                version(19_960, Some(&off)),
            ]
        ),
        [Ok(crate::suppress::civil_date(19_980))],
        "the whitespace-only version keeps the run; protection on ends it"
    );
}

#[test]
fn a_deleted_protection_line_is_aged_from_its_deletion() {
    let absent = rds("");
    let on = rds("  deletion_protection = true\n");
    assert_eq!(
        walked(
            &absent,
            vec![version(20_000, Some(&absent)), version(19_000, Some(&on))]
        ),
        [Ok(crate::suppress::civil_date(20_000))]
    );
}

#[test]
fn a_broken_commit_does_not_end_the_run_and_history_ending_keeps_the_oldest() {
    let off = rds("  deletion_protection = false\n");
    let broken = format!("{off}}}\n");
    assert_eq!(
        walked(
            &off,
            vec![
                version(20_000, Some(&off)),
                version(19_999, Some(&broken)),
                version(19_000, Some(&off)),
            ]
        ),
        [Ok(crate::suppress::civil_date(19_000))]
    );
}

#[test]
fn a_finding_missing_from_the_newest_version_is_not_committed() {
    let off = rds("  deletion_protection = false\n");
    let on = rds("  deletion_protection = true\n");
    assert_eq!(
        walked(&off, vec![version(20_000, Some(&on))]),
        [Err(Missing::NotCommitted)]
    );
}

#[test]
fn apply_says_the_age_or_why_there_is_none_and_raises_old_findings() {
    let c = checker();
    let input = |path: &str| Input {
        path: path.into(),
        content: Ok(rds("").into_bytes()),
    };
    let mut report = c.check(vec![input("old/rds.tf"), input("new/rds.tf")]);
    let key = Key::of(&report.findings[0], c.rules());
    let mut ages = HashMap::new();
    ages.insert(
        ("old".to_owned(), key),
        Ok(Origin {
            commit: "0123456789abcdef".into(),
            date: "2026-01-01".into(),
            boundary: true,
        }),
    );
    let max_age = |_: &str| Some(14.0);
    apply(
        &mut report,
        &ages,
        c.rules(),
        max_age,
        "2026-01-31",
        "untracked file",
    );
    let by_path = |p: &str| report.findings.iter().find(|f| f.path() == p).unwrap();
    let old = by_path("old/rds.tf");
    assert!(
        old.message
            .ends_with(" (in place since 2026-01-01, commit 0123456789: 30 days or more)"),
        "{}",
        old.message
    );
    assert_eq!(old.severity, Severity::Error);
    assert!(matches!(&old.since, Some(Age::Since(s)) if s.at_least && s.days == 30));
    let new = by_path("new/rds.tf");
    assert!(new.message.ends_with(" (age unknown: untracked file)"));
    assert_eq!(new.since, Some(Age::Unknown("untracked file".into())));
}
