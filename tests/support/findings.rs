//! The findings of a JSON report as one short line each, for assertions.

#![allow(dead_code)] // each test binary uses some of these

use serde_json::Value;

fn line(f: &Value, status: bool) -> String {
    let place = format!(
        "{} {}:{}",
        f["rule"].as_str().unwrap(),
        f["path"].as_str().unwrap(),
        f["line"]
    );
    if status {
        format!("{} {place}", f["status"].as_str().unwrap())
    } else {
        place
    }
}

/// `rule path:line` for each finding.
pub fn listed(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| line(f, false))
        .collect()
}

/// `status rule path:line` for each finding of a PR-mode report.
pub fn with_status(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| line(f, true))
        .collect()
}
