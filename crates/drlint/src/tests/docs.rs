//! `docs/rules.md` must match the rule files. `DRLINT_UPDATE_DOCS=1` rewrites it.

use std::path::Path;

#[test]
fn rules_doc_is_fresh() {
    let rules = crate::builtin::rules().unwrap();
    let want = crate::docs::rules_markdown(&rules);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    if std::env::var_os("DRLINT_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `DRLINT_UPDATE_DOCS=1 cargo test -p drlint --lib tests::docs`"
    );
}

/// A finding fills `{address}` and `{moved_block}` in; documentation, which has
/// no finding, must not show them as written: not in the help, and not in the
/// messages of the cases `docs/rules.md` lists.
#[test]
fn documented_help_has_no_unfilled_placeholders() {
    let rules = crate::builtin::rules().unwrap();
    let doc = crate::docs::rules_markdown(&rules);
    let case_lines = doc
        .lines()
        .filter(|l| {
            l.starts_with("- `note`") || l.starts_with("- `warning`") || l.starts_with("- `error`")
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(case_lines.contains("<address>"), "{case_lines}");
    for (id, help) in rules
        .iter()
        .map(|r| (r.id.as_str(), r.help_for_docs()))
        .chain([("docs/rules.md cases", case_lines)])
    {
        let unfilled = help.split('{').skip(1).find(|after| {
            after.split_once('}').is_some_and(|(name, _)| {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            })
        });
        assert!(
            unfilled.is_none(),
            "{}: help shows `{{{}`",
            id,
            unfilled.unwrap_or_default()
        );
    }
}
