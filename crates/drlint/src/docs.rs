//! `docs/rules.md`, generated from the rule files (a test keeps it fresh).

use std::fmt::Write as _;

use crate::rules::Rule;

pub fn rules_markdown(rules: &[Rule]) -> String {
    let mut out = String::new();
    out.push_str("# drlint rules\n\n");
    out.push_str("<!-- Generated from rules/*.yaml by `DRLINT_UPDATE_DOCS=1 cargo test -p drlint --lib tests::docs`; do not edit. -->\n\n");
    out.push_str("| rule | severity | what it finds |\n|---|---|---|\n");
    for r in rules {
        writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            r.id, r.id, r.severity, r.title
        )
        .unwrap();
    }
    for r in rules {
        writeln!(out, "\n## {}\n", r.id).unwrap();
        writeln!(
            out,
            "**{}** · severity `{}` · applies to {}\n",
            r.title,
            r.severity,
            r.select.describe()
        )
        .unwrap();
        let cases: Vec<_> = r
            .variants
            .iter()
            .filter_map(|v| v.severity.map(|s| (s, &v.message)))
            .collect();
        if !cases.is_empty() {
            out.push_str("Other severities, by case:\n\n");
            for (severity, message) in cases {
                let message = Rule::message_for_docs(message);
                writeln!(out, "- `{severity}`: {message}").unwrap();
            }
            out.push('\n');
        }
        writeln!(out, "### Why it matters\n\n{}\n", r.rationale.trim()).unwrap();
        writeln!(out, "### How to fix\n\n{}\n", r.help_for_docs().trim()).unwrap();
        if let Some(fix) = &r.fix {
            writeln!(out, "{}\n", fix_for_docs(fix)).unwrap();
        }
        if !r.equivalents.is_empty() {
            let same: Vec<String> = r
                .equivalents
                .iter()
                .map(|(tool, ids)| format!("{tool} `{}`", ids.join("`, `")))
                .collect();
            let note = "their suppression comments suppress this rule too";
            writeln!(out, "Same check as {}: {note}.\n", same.join("; ")).unwrap();
        }
        if !r.exempt.is_empty() {
            out.push_str("### Not reported when\n\n");
            for e in &r.exempt {
                writeln!(out, "- {}", e.reason).unwrap();
            }
            out.push('\n');
        }
        if !r.options.is_empty() {
            out.push_str("### Options\n\n| option | default | meaning |\n|---|---|---|\n");
            for (name, o) in &r.options {
                writeln!(
                    out,
                    "| `{name}` | `{}` | {} |",
                    o.default.to_value(),
                    o.description
                )
                .unwrap();
            }
            out.push('\n');
        }
        for (title, examples) in [
            ("Reported", &r.examples.fail),
            ("Not reported", &r.examples.pass),
        ] {
            if examples.is_empty() {
                continue;
            }
            writeln!(out, "### {title}\n").unwrap();
            for e in examples {
                writeln!(
                    out,
                    "```hcl\n{}\n```\n",
                    e.render(|name| format!("# {name}"))
                )
                .unwrap();
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// What a rule's fix does, in the docs.
fn fix_for_docs(fix: &crate::rules::FixSpec) -> String {
    let what = match (&fix.set, fix.add) {
        (Some(value), _) => format!(
            "sets the value to `{}` where it is written, or adds the argument to the block",
            crate::fix::hcl_literal(value).unwrap_or_default()
        ),
        (None, Some(_)) => "adds the `moved` block after the renamed block".to_owned(),
        (None, None) => String::new(),
    };
    match fix.safety {
        crate::fix::Safety::Safe => {
            format!("Fix (safe, `drlint check --fix` and the editor's code action): {what}.")
        }
        crate::fix::Safety::Unsafe => format!(
            "Fix (unsafe: it changes the infrastructure; `drlint check --unsafe-fixes` and the editor's code action): {what}."
        ),
    }
}
