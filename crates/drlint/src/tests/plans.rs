//! Every `replacement_forcing` entry of every built-in profile is backed by a
//! real plan: `fixtures/plans/` holds what `terraform plan` (1.11.4, AWS
//! provider 5.100.0) said about each edit of an existing resource, made by
//! `scripts/plans/make-plans.py`. These tests read that JSON; they never run terraform.

use std::path::Path;

use serde_json::Value;

fn plans() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/plans/summary.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Whether the plan of `resource`'s `argument` going through `transition`
/// replaces it: `None` when no plan was made for it.
fn replaces(plans: &Value, resource: &str, argument: &str, transition: &str) -> Option<bool> {
    let case = plans.get(resource)?.get(argument)?.get(transition)?;
    let actions = case.get("actions")?.as_array()?;
    Some(actions.iter().any(|a| a == "delete"))
}

#[test]
fn every_replacement_forcing_entry_is_backed_by_a_plan() {
    let plans = plans();
    let mut checked = 0;
    for profile in crate::builtin::profiles().unwrap().iter() {
        if profile.replacement_forcing.is_empty() {
            continue;
        }
        let resource = profile
            .planned_resource()
            .unwrap_or_else(|| panic!("{}: replacement_forcing needs `resource`", profile.name));
        for entry in &profile.replacement_forcing {
            let mut planned = 0;
            for transition in ["change", "add", "remove"] {
                let listed = entry.on.iter().any(|t| t.as_str() == transition);
                match replaces(&plans, resource, &entry.argument, transition) {
                    Some(replaced) => {
                        planned += 1;
                        assert_eq!(
                            replaced,
                            listed,
                            "{}: `{}` ({resource}.{}) {transition}: the plan {} it, the profile says it {}",
                            profile.name,
                            entry.input,
                            entry.argument,
                            if replaced {
                                "replaces"
                            } else {
                                "does not replace"
                            },
                            if listed { "does" } else { "does not" },
                        );
                    }
                    None => assert!(
                        !listed,
                        "{}: `{}` says {resource}.{} {transition} replaces, but no plan backs it",
                        profile.name, entry.input, entry.argument
                    ),
                }
            }
            assert!(
                planned > 0,
                "{}: `{}` has no plan",
                profile.name,
                entry.input
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} entries checked");
}

/// The facts the lingering-snapshot rule states: removing the identifier is
/// not a replacement, changing or adding it is.
#[test]
fn snapshot_identifier_replaces_on_change_and_add_but_not_on_removal() {
    let plans = plans();
    for resource in ["aws_db_instance", "aws_rds_cluster"] {
        assert_eq!(
            replaces(&plans, resource, "snapshot_identifier", "change"),
            Some(true),
            "{resource}"
        );
        assert_eq!(
            replaces(&plans, resource, "snapshot_identifier", "add"),
            Some(true),
            "{resource}"
        );
        assert_eq!(
            replaces(&plans, resource, "snapshot_identifier", "remove"),
            Some(false),
            "{resource}"
        );
    }
    let rules = crate::builtin::rules().unwrap();
    let lingering = rules
        .iter()
        .find(|r| r.id == "snapshot-identifier-lingering")
        .unwrap();
    assert!(
        !lingering.message.contains("removing"),
        "{}",
        lingering.message
    );
}

/// Renaming is an in-place update: the identifier is no replacement-forcing input.
#[test]
fn renaming_a_database_is_an_update() {
    let plans = plans();
    assert_eq!(
        replaces(&plans, "aws_db_instance", "identifier", "change"),
        Some(false)
    );
    for profile in crate::builtin::profiles().unwrap().iter() {
        assert!(
            !profile
                .replacement_forcing
                .iter()
                .any(|r| r.argument == "identifier"),
            "{}",
            profile.name
        );
    }
}
