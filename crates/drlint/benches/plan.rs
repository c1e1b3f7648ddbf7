//! The plan guard on a 5,000-resource plan, generated from the real plans of
//! `fixtures/rules/plan-destroys-data-store/` and `fixtures/scenarios/plan-values/`:
//! their resource changes (deletes, replacements, updates, creates, no-ops, of RDS,
//! S3, DynamoDB and companions) copied into 500 module calls of 10, with their
//! `planned_values`, `prior_state` and configuration (each call's module with the
//! fixtures' blocks and their expressions), written on one line as
//! `terraform show -json` writes it. Run: `cargo bench -p drlint --bench plan`.
//! The file is also written to `target/tmp/plan-5000.json`, for timing the CLI:
//! `drlint check --plan target/tmp/plan-5000.json --max-file-size 200000000`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use drlint::Linter;
use serde_json::{Value, json};

pub const RESOURCES: usize = 5_000;
const PER_MODULE: usize = 10;

fn fixture_plans() -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut dirs = vec![root.join("scenarios/plan-values")];
    let cases = root.join("rules/plan-destroys-data-store");
    let mut names: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    dirs.extend(names);
    dirs.iter()
        .map(|d| {
            serde_json::from_str(&std::fs::read_to_string(d.join("plan.json")).unwrap()).unwrap()
        })
        .collect()
}

/// The resource changes of the fixtures, moved into module `module.m<k>` with a
/// unique name: 5,000 of them, and the plan's other sections to match.
pub fn generated_plan() -> String {
    let plans = fixture_plans();
    let templates: Vec<&Value> = plans
        .iter()
        .flat_map(|p| p["resource_changes"].as_array().unwrap())
        .filter(|rc| rc["module_address"].is_null())
        .collect();
    // each call's module, as the configuration section repeats it per call: the blocks of
    // the fixtures, with their expressions (constant values and references)
    let blocks: Vec<Value> = plans
        .iter()
        .flat_map(|p| {
            p["configuration"]["root_module"]["resources"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let called = json!({"resources": blocks});
    let mut changes = Vec::with_capacity(RESOURCES);
    let mut module_calls = serde_json::Map::new();
    let mut prior: Vec<Value> = Vec::new();
    for i in 0..RESOURCES {
        let k = i / PER_MODULE;
        let t = templates[i % templates.len()];
        let mut rc = t.clone();
        let module = format!("module.m{k}");
        let name = format!("{}_{i}", t["name"].as_str().unwrap());
        let index = t
            .get("index")
            .map(|ix| format!("[{ix}]"))
            .unwrap_or_default();
        let address = format!("{module}.{}.{name}{index}", t["type"].as_str().unwrap());
        rc["address"] = json!(address);
        rc["module_address"] = json!(module);
        rc["name"] = json!(name);
        if !rc["previous_address"].is_null() {
            rc["previous_address"] =
                json!(format!("{module}.{}.old_{i}", t["type"].as_str().unwrap()));
        }
        let before = rc["change"]["before"].clone();
        if !before.is_null() {
            prior.push(json!({"address": address, "mode": "managed", "type": t["type"], "name": name, "values": before}));
        }
        changes.push(rc);
        module_calls.insert(
            format!("m{k}"),
            json!({"source": "./modules/app", "module": called}),
        );
    }
    let planned: Vec<Value> = changes
        .iter()
        .filter(|rc| !rc["change"]["after"].is_null())
        .map(|rc| json!({"address": rc["address"], "mode": "managed", "type": rc["type"], "name": rc["name"], "values": rc["change"]["after"]}))
        .collect();
    json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.11.4", "values": {"root_module": {"resources": prior}}},
        "configuration": {"root_module": {"module_calls": module_calls}},
        "timestamp": "2026-11-25T12:00:00Z",
        "applyable": true,
        "complete": true,
        "errored": false
    })
    .to_string()
}

/// A linter of the built-in rules with the plan at `path` (read and parsed by `build`).
fn linter(path: &Path) -> Linter {
    Linter::builder()
        .no_config()
        .max_file_size(200_000_000)
        .plan_file(path)
        .build()
        .unwrap()
}

fn benches(c: &mut Criterion) {
    let text = generated_plan();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plan-5000.json");
    std::fs::write(&out, &text).unwrap();
    let no_paths: &[&Path] = &[];
    let mut group = c.benchmark_group("plan-5000-resources");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    // reading and parsing the plan (and loading the built-in rules and profiles)
    group.bench_function("read+parse", |b| b.iter(|| linter(black_box(&out))));
    // the plan alone checked, as `drlint check --plan plan.json` does
    let built = linter(&out);
    group.bench_function("check", |b| {
        b.iter(|| built.check_paths(black_box(no_paths)).unwrap())
    });
    group.bench_function("read+parse+check", |b| {
        b.iter(|| linter(black_box(&out)).check_paths(no_paths).unwrap())
    });
    group.finish();
    let report = built.check_paths(no_paths).unwrap();
    eprintln!(
        "plan-5000: {} bytes, {} findings, written to {}",
        text.len(),
        report.findings().len(),
        out.display()
    );
}

criterion_group!(plan_benches, benches);
criterion_main!(plan_benches);
