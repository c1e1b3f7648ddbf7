//! PR context for code actions: the group's files at git's `HEAD` against its files now (disk
//! and buffers), compared as `drlint check --base HEAD` compares them, so that a data store
//! renamed since the last commit gets its `moved` block. Run only when code actions are asked
//! for, and only over files of the group (inside the workspace folder).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use drlint::{Finding, Linter, Report, Source};

use super::workspace::is_input;

/// The largest file read from git, as from disk (the library's default).
const MAX_FILE_SIZE: usize = 10 * 1024 * 1024;

fn git(dir: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then_some(out.stdout)
}

/// The group's input files at `HEAD`, with the absolute paths they have in the working tree;
/// `None` outside a git repository or before its first commit.
fn base_sources(group: &Path) -> Option<Vec<Source>> {
    let top = String::from_utf8(git(group, &["rev-parse", "--show-toplevel"])?).ok()?;
    let top = Path::new(top.trim_end());
    let listing = git(
        group,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            "--full-name",
            "HEAD",
            "--",
            ".",
        ],
    )?;
    let mut sources = Vec::new();
    for name in listing.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).ok()?;
        let path = top.join(name);
        if !is_input(&path) || !path.starts_with(group) {
            continue;
        }
        let Some(bytes) = git(group, &["show", &format!("HEAD:{name}")]) else {
            continue;
        };
        if bytes.len() <= MAX_FILE_SIZE {
            sources.push(Source::new(path.display().to_string(), bytes));
        }
    }
    Some(sources)
}

/// The base sources of each group, by the commit `HEAD` was when they were read: code actions
/// are asked for at every move of the cursor, the commit changes far less often.
#[derive(Default)]
pub struct Bases {
    read: HashMap<PathBuf, (Vec<u8>, Vec<Source>)>,
}

impl Bases {
    /// The change rules' findings (a rename without a `moved` block) of the group now against
    /// `HEAD`, when it is in a git repository.
    pub fn change_findings(
        &mut self,
        linter: &Linter,
        group: &Path,
        head: &[Source],
    ) -> Vec<Finding> {
        let Some(commit) = git(group, &["rev-parse", "-q", "--verify", "HEAD"]) else {
            return Vec::new();
        };
        let cached = self.read.get(group).filter(|(at, _)| *at == commit);
        let base = match cached {
            Some((_, sources)) => sources.clone(),
            None => {
                let Some(sources) = base_sources(group) else {
                    return Vec::new();
                };
                self.read
                    .insert(group.to_path_buf(), (commit, sources.clone()));
                sources
            }
        };
        let report: Report = linter.compare(base, head.to_vec());
        report
            .findings()
            .iter()
            .filter(|f| f.rule == "data-store-renamed" && f.fix.is_some())
            .cloned()
            .collect()
    }
}
