//! JSON Schemas of the three YAML formats users write, generated from the
//! Rust types (a test keeps `schemas/` fresh). Editors use them for completion:
//! `# yaml-language-server: $schema=<url of the schema>`.

use schemars::schema_for;

use crate::config::Config;
use crate::profile::Profile;
use crate::rules::Rule;

/// `(file name, schema JSON)` for `.drlint.yaml`, rule files and profile files.
pub fn all() -> Vec<(&'static str, String)> {
    let pretty = |schema: schemars::Schema| {
        serde_json::to_string_pretty(&schema).expect("serialisable") + "\n"
    };
    vec![
        ("drlint-config.schema.json", pretty(schema_for!(Config))),
        ("drlint-rule.schema.json", pretty(schema_for!(Rule))),
        ("drlint-profile.schema.json", pretty(schema_for!(Profile))),
        (
            "drlint-chart-profile.schema.json",
            pretty(schema_for!(crate::helm::profile::ChartProfile)),
        ),
    ]
}
