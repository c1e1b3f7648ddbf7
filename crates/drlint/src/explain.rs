//! `drlint rules` and `drlint explain`: rule documentation as text.

use std::fmt::Write as _;

use crate::Rule;

pub fn rule_list(rules: &[Rule]) -> String {
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in rules {
        let severity = r.severity.as_str();
        writeln!(out, "{:width$}  {severity:7}  {}", r.id, r.title).unwrap();
        let same = equivalents(r);
        if !same.is_empty() {
            writeln!(out, "{:width$}           same check as {same}", "").unwrap();
        }
    }
    out
}

/// "checkov CKV_AWS_293, CKV_AWS_139; tfsec aws-rds-enable-deletion-protection".
fn equivalents(rule: &Rule) -> String {
    rule.equivalents
        .iter()
        .map(|(tool, ids)| format!("{tool} {}", ids.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn explain(rule: &Rule, profiles: &crate::profile::ProfileSet) -> String {
    let mut out = String::new();
    writeln!(out, "{} ({})\n", rule.id, rule.severity).unwrap();
    writeln!(out, "{}\n", rule.title).unwrap();
    writeln!(out, "Applies to: {}\n", rule.select.describe()).unwrap();
    writeln!(out, "Why it matters:\n{}", wrap(&rule.rationale)).unwrap();
    writeln!(out, "How to fix:\n{}", wrap(&rule.help_for_docs())).unwrap();
    let same = equivalents(rule);
    if !same.is_empty() {
        let note = "their suppression comments suppress this rule too";
        writeln!(out, "Same check as: {same} ({note})\n").unwrap();
    }
    if !rule.exempt.is_empty() {
        writeln!(out, "Not reported when:").unwrap();
        for e in &rule.exempt {
            writeln!(out, "  - {}", e.reason).unwrap();
        }
        writeln!(out).unwrap();
    }
    let kinds: &[String] = match &rule.select {
        crate::rules::Select::Kinds(k)
        | crate::rules::Select::Changes(k)
        | crate::rules::Select::Plan(k) => k,
        _ => &[],
    };
    let fixed: Vec<_> = profiles
        .iter()
        .filter(|p| kinds.contains(&p.kind) && !p.hard_coded.is_empty())
        .collect();
    if !fixed.is_empty() {
        writeln!(
            out,
            "Hard-coded by modules (no call can change these, so they are not reported per call):"
        )
        .unwrap();
        for p in fixed {
            for h in &p.hard_coded {
                let source = h
                    .source
                    .as_deref()
                    .map(|s| format!(" [{s}]"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  - {}: {}: {}{source}",
                    p.label(),
                    h.setting,
                    h.consequence
                )
                .unwrap();
            }
        }
        writeln!(out).unwrap();
    }
    if !rule.options.is_empty() {
        writeln!(out, "Options:").unwrap();
        for (name, o) in &rule.options {
            writeln!(
                out,
                "  {name} (default {}): {}",
                o.default.to_value(),
                o.description
            )
            .unwrap();
        }
        writeln!(out).unwrap();
    }
    for (title, examples) in [
        ("Reported", &rule.examples.fail),
        ("Not reported", &rule.examples.pass),
    ] {
        for e in examples {
            writeln!(
                out,
                "{title}:\n{}",
                indent(&e.render(|name| format!("# {name}")))
            )
            .unwrap();
        }
    }
    out
}

/// Code, indented by four spaces, as is.
fn indent(text: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            writeln!(out, "    {line}").unwrap();
        }
    }
    out
}

const WIDTH: usize = 96;

/// Prose, re-wrapped to the page width and indented by four spaces.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    for (i, paragraph) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // an indented paragraph is code (a generated block): kept as written
        if paragraph.starts_with("    ") {
            for l in paragraph.lines() {
                writeln!(out, "    {l}").unwrap();
            }
            continue;
        }
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.len() + 1 + word.len() > WIDTH {
                writeln!(out, "    {line}").unwrap();
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            writeln!(out, "    {line}").unwrap();
        }
    }
    out
}
