//! Embeds the built-in rules and profiles (`rules/*.yaml`, `rules/profiles/*.yaml`,
//! `rules/charts/*.yaml`
//! at the workspace root, reached through the crate's `rules` link so that
//! `cargo package` carries them) into the library.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn list(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.canonicalize().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    files
}

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap();
    // a checkout without symlinks (Windows by default) has a small text file
    // in place of the link: read the workspace folder itself then
    let linked = Path::new(&manifest).join("rules");
    let rules_dir = if linked.is_dir() {
        linked
    } else {
        Path::new(&manifest).join("../../rules")
    };
    let profiles_dir = rules_dir.join("profiles");
    let charts_dir = rules_dir.join("charts");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    println!("cargo:rerun-if-changed={}", profiles_dir.display());
    println!("cargo:rerun-if-changed={}", charts_dir.display());
    let mut out = String::new();
    for (name, dir) in [
        ("RULE_FILES", &rules_dir),
        ("PROFILE_FILES", &profiles_dir),
        ("CHART_FILES", &charts_dir),
    ] {
        let files = list(dir);
        writeln!(out, "pub static {name}: &[(&str, &str)] = &[").unwrap();
        for f in files {
            println!("cargo:rerun-if-changed={f}");
            let file_name = Path::new(&f)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            writeln!(out, "    ({file_name:?}, include_str!({f:?})),").unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("builtin.rs"),
        out,
    )
    .unwrap();
}
