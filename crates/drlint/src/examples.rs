//! Running a rule's documented examples: each failing example must produce
//! a finding of the rule, each passing example none. Used by the tests and by
//! `drlint rules --check` for a team's own rules.

use crate::check::{Checker, Input};
use crate::rules::Rule;

/// What went wrong with a rule's examples; empty when they behave as documented.
pub fn example_failures(rule: &Rule, checker: &Checker) -> Vec<String> {
    let mut failures = Vec::new();
    if matches!(
        rule.select,
        crate::rules::Select::Changes(_) | crate::rules::Select::Plan(_)
    ) {
        // a change rule needs a base and a head (tested on git histories), a plan rule
        // a plan (tested on the plans in its fixture folder)
        return failures;
    }
    if rule.examples.fail.is_empty() {
        failures.push(format!("{}: no failing example", rule.id));
    }
    if rule.examples.pass.is_empty() {
        failures.push(format!("{}: no passing example", rule.id));
    }
    for (expect_fire, examples) in [(true, &rule.examples.fail), (false, &rule.examples.pass)] {
        for (i, example) in examples.iter().enumerate() {
            let inputs = example
                .files()
                .into_iter()
                .map(|(name, text)| Input {
                    path: format!("example/{name}"),
                    content: Ok(text.as_bytes().to_vec()),
                })
                .collect();
            let report = checker.check(inputs);
            let fired = report.findings.iter().filter(|f| f.rule == rule.id).count();
            if (fired > 0) != expect_fire {
                let others: Vec<String> = report
                    .findings
                    .iter()
                    .map(|f| format!("{} at line {}: {}", f.rule, f.start().line, f.message))
                    .collect();
                failures.push(format!(
                    "{}: {} example #{} gives {} finding(s) of the rule (all findings: {})",
                    rule.id,
                    if expect_fire { "failing" } else { "passing" },
                    i + 1,
                    fired,
                    if others.is_empty() {
                        "none".to_owned()
                    } else {
                        others.join("; ")
                    }
                ));
            }
        }
    }
    failures
}
