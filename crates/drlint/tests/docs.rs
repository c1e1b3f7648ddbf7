//! `docs/rules.md` must match the rule files. `DRLINT_UPDATE_DOCS=1` rewrites it.

use std::path::Path;

#[test]
fn rules_doc_is_fresh() {
    let rules = drlint::builtin::rules().unwrap();
    let want = drlint::docs::rules_markdown(&rules);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    if std::env::var_os("DRLINT_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is stale: run `DRLINT_UPDATE_DOCS=1 cargo test -p drlint --test docs`"
    );
}
