//! A structured input: 2 to 4 files, each with a name from a fixed set
//! (main.tf, variables.tf, terraform.tfvars, 00-namespace.yaml, values.yaml)
//! in one of a few folders (a root, a production namespace, its local
//! module `./modules/db`, a Helm folder), through the whole check. The same
//! path twice keeps the last file, as a file system would.
#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 5] = [
    "main.tf",
    "variables.tf",
    "terraform.tfvars",
    "00-namespace.yaml",
    "values.yaml",
];

const FOLDERS: [&str; 4] = [
    "",
    "team-prod/",
    "team-prod/modules/db/",
    "helm_deploy/app/",
];

#[derive(Debug, Arbitrary)]
struct File<'a> {
    folder: u8,
    name: u8,
    bytes: &'a [u8],
}

#[derive(Debug, Arbitrary)]
struct Folder<'a> {
    first: File<'a>,
    second: File<'a>,
    more: Vec<File<'a>>,
}

fuzz_target!(|folder: Folder<'_>| {
    let mut files = BTreeMap::new();
    let more = folder.more.into_iter().take(2);
    for f in [folder.first, folder.second].into_iter().chain(more) {
        let path = format!(
            "{}{}",
            FOLDERS[usize::from(f.folder) % FOLDERS.len()],
            NAMES[usize::from(f.name) % NAMES.len()]
        );
        files.insert(path, f.bytes);
    }
    let inputs = files
        .iter()
        .map(|(path, bytes)| drlint_fuzz::input(path, bytes))
        .collect();
    drlint_fuzz::check(drlint_fuzz::linter(), inputs);
});
