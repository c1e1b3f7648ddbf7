//! `schemas/*.json` must match the Rust types. `DRLINT_UPDATE_SCHEMAS=1` rewrites them.

use std::path::Path;

#[test]
fn schemas_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schemas");
    let update = std::env::var_os("DRLINT_UPDATE_SCHEMAS").is_some();
    let mut stale = Vec::new();
    for (name, json) in crate::schemas::all() {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &json).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != json {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas {stale:?}: run `DRLINT_UPDATE_SCHEMAS=1 cargo test -p drlint --lib tests::schemas`"
    );
}

#[test]
fn the_starter_configuration_and_builtin_files_fit_their_schemas() {
    // Not a full validator: check that every top-level key the files use is a property.
    let props = |name: &str| -> Vec<String> {
        let (_, json) = crate::schemas::all()
            .into_iter()
            .find(|(n, _)| *n == name)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let config = props("drlint-config.schema.json");
    for line in crate::config::STARTER.lines() {
        if let Some((key, _)) = line.split_once(':')
            && !line.starts_with([' ', '#', '-'])
        {
            assert!(
                config.contains(&key.to_owned()),
                "{key} not in the config schema"
            );
        }
    }
    let rule = props("drlint-rule.schema.json");
    for (_, text) in crate::builtin::rule_files() {
        for line in text.lines() {
            if let Some((key, _)) = line.split_once(':')
                && !line.starts_with([' ', '#', '-'])
            {
                assert!(
                    rule.contains(&key.to_owned()),
                    "{key} not in the rule schema"
                );
            }
        }
    }
}
