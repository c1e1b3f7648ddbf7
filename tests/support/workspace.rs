//! The repository's root, where the tests run drlint and find `fixtures/`.

use std::path::{Path, PathBuf};

/// The repository's root (the test binaries belong to crates/drlint-cli).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}
