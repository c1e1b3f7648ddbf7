//! PR mode's inputs: the module folders a change touches, at the base (from
//! git) and at the head (the working tree).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use drlint::Input;
use drlint::markers::MarkerNames;

use crate::discover::is_input;
use crate::git::{CliGit, Git};

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, f)| f)
}

/// A repository path shown relative to the current folder (`prefix` is the
/// current folder relative to the top, as `git rev-parse --show-prefix` gives it).
fn display(prefix: &str, path: &str) -> String {
    if prefix.is_empty() {
        return path.to_owned();
    }
    if let Some(rest) = path.strip_prefix(prefix) {
        return rest.to_owned();
    }
    let up = prefix.trim_end_matches('/').split('/').count();
    format!("{}{path}", "../".repeat(up))
}

/// The lines the change since `base` (its merge base with HEAD) added or
/// edited in the working tree, by display path; an added or untracked file is
/// new throughout.
pub fn changed_lines(base: &str) -> Result<drlint::diff::ChangedLines, String> {
    let git = CliGit::new(Path::new("."));
    let prefix = git.prefix().unwrap_or_default();
    let base_rev = git
        .resolve(base)
        .ok_or_else(|| format!("unknown revision `{base}`"))?;
    let merge_base = git.merge_base(&base_rev, "HEAD").unwrap_or(base_rev);
    let mut changed = drlint::diff::ChangedLines::default();
    for (path, first, count) in git.changed_lines(&merge_base)? {
        changed.add(&display(&prefix, &path), first, count);
    }
    for c in git.changes(&merge_base)? {
        if let ('A', Some(path)) = (c.status, &c.new) {
            changed.add_file(&display(&prefix, path));
        }
    }
    Ok(changed)
}

/// The command that fetches `base`. A remote-tracking name such as
/// `origin/main` is not a ref on the remote (`git fetch origin origin/main`
/// fails): fetch the branch into that name instead.
pub fn fetch_command(base: &str, remotes: &[String]) -> String {
    if let Some((remote, branch)) = base.split_once('/')
        && remotes.iter().any(|r| r == remote)
        && !branch.is_empty()
    {
        return format!("git fetch --no-tags {remote} {branch}:refs/remotes/{remote}/{branch}");
    }
    let remote = remotes
        .iter()
        .find(|r| *r == "origin")
        .or(remotes.first())
        .map_or("origin", String::as_str);
    format!("git fetch --no-tags {remote} {base}")
}

/// The base and head inputs of the folders changed since `base`, within `paths`.
pub fn inputs(
    base: &str,
    paths: &[PathBuf],
    markers: &MarkerNames,
) -> Result<(Vec<Input>, Vec<Input>), String> {
    let git = CliGit::new(Path::new("."));
    let top = git.toplevel().map_err(|_| {
        "not a git repository: `--base` compares with git history, so run drlint inside the repository (or drop --base)"
            .to_owned()
    })?;
    let prefix = git.prefix().unwrap_or_default();
    let Some(base_rev) = git.resolve(base) else {
        let fetch = fetch_command(base, &git.remotes());
        return Err(if git.is_shallow() {
            format!(
                "`{base}` is not in this shallow clone: fetch it first (`{fetch}`), or check out with `fetch-depth: 0` (actions/checkout)"
            )
        } else {
            format!(
                "unknown revision `{base}`: fetch it (`{fetch}`) or name an existing branch, tag or commit"
            )
        });
    };
    let merge_base = match git.merge_base(&base_rev, "HEAD") {
        Some(mb) => mb,
        None if git.is_shallow() => {
            return Err(format!(
                "the history between `{base}` and HEAD is missing from this shallow clone: check out with `fetch-depth: 0` (or `git fetch --unshallow`)"
            ));
        }
        None => base_rev,
    };
    // the paths asked for, as repository-relative prefixes
    let top_canonical = top.canonicalize().unwrap_or(top.clone());
    let scopes: Vec<String> = paths
        .iter()
        .map(|p| {
            let abs = p
                .canonicalize()
                .map_err(|e| format!("{}: {e}", p.display()))?;
            let rel = abs
                .strip_prefix(&top_canonical)
                .unwrap_or(Path::new(""))
                .to_string_lossy()
                .replace('\\', "/");
            Ok(rel)
        })
        .collect::<Result<_, String>>()?;
    let in_scope = |path: &str| {
        scopes
            .iter()
            .any(|s| s.is_empty() || path == s || path.starts_with(&format!("{s}/")))
    };

    let changes = git.changes(&merge_base)?;
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        for path in c.old.iter().chain(&c.new) {
            if is_input(Path::new(file_name(path)), markers) && in_scope(path) {
                dirs.insert(parent(path).to_owned());
            }
        }
        if let (Some(old), Some(new)) = (&c.old, &c.new)
            && old != new
        {
            renamed.insert(old.clone(), new.clone());
        }
    }
    // a marker's finding counts the data stores below its folder: read the folders below it too
    let mut below_markers = Vec::new();
    for dir in &dirs {
        let base_files = git.files_at(&merge_base, dir)?;
        let has_marker = head_files(&top, dir, markers)
            .iter()
            .chain(&base_files)
            .any(|f| markers.wants(file_name(f)));
        if has_marker {
            below_markers.extend(subfolders(&top, dir));
        }
    }
    dirs.extend(below_markers);
    // the local modules the touched folders call, at the head
    let mut frontier: Vec<String> = dirs.iter().cloned().collect();
    for _ in 0..8 {
        let mut next = Vec::new();
        for dir in &frontier {
            for file in head_files(&top, dir, markers) {
                let text = std::fs::read_to_string(top.join(&file)).unwrap_or_default();
                for source in drlint::check::local_module_sources(&text) {
                    let callee = drlint::rules::join_dir(dir, source);
                    if dirs.insert(callee.clone()) {
                        next.push(callee);
                    }
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    // namespace manifests live beside the folders or one level up
    let namespace_dirs: BTreeSet<String> = dirs.iter().map(|d| parent(d).to_owned()).collect();

    let mut head = Vec::new();
    let mut base_inputs = Vec::new();
    for dir in &dirs {
        for file in head_files(&top, dir, markers) {
            head.push(Input {
                path: display(&prefix, &file),
                content: std::fs::read(top.join(&file)).map_err(|e| e.to_string()),
            });
        }
        for file in git
            .files_at(&merge_base, dir)?
            .into_iter()
            .filter(|f| is_input(Path::new(file_name(f)), markers))
        {
            let shown = renamed.get(&file).cloned().unwrap_or_else(|| file.clone());
            base_inputs.push(Input {
                path: display(&prefix, &shown),
                content: git.read_at(&merge_base, &file),
            });
        }
    }
    for dir in namespace_dirs.difference(&dirs) {
        // markers live there too
        for file in head_files(&top, dir, markers) {
            if markers.wants(file_name(&file)) {
                head.push(Input {
                    path: display(&prefix, &file),
                    content: std::fs::read(top.join(&file)).map_err(|e| e.to_string()),
                });
            }
        }
        for file in git.files_at(&merge_base, dir)? {
            if markers.wants(file_name(&file)) {
                base_inputs.push(Input {
                    path: display(&prefix, &file),
                    content: git.read_at(&merge_base, &file),
                });
            }
        }
        let manifest = format!("{dir}/{}", drlint::namespace::NAMESPACE_FILE);
        let manifest = manifest.trim_start_matches("./").to_owned();
        if top.join(&manifest).is_file() {
            head.push(Input {
                path: display(&prefix, &manifest),
                content: std::fs::read(top.join(&manifest)).map_err(|e| e.to_string()),
            });
        }
        if let Ok(bytes) = git.read_at(&merge_base, &manifest) {
            base_inputs.push(Input {
                path: display(&prefix, &manifest),
                content: Ok(bytes),
            });
        }
    }
    Ok((base_inputs, head))
}

/// The input files of a folder in the working tree (repository-relative paths).
fn head_files(top: &Path, dir: &str, markers: &MarkerNames) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(top.join(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()) && is_input(&e.path(), markers))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if dir == "." {
                name
            } else {
                format!("{dir}/{name}")
            }
        })
        .collect();
    files.sort();
    files
}

/// The folders directly inside `dir` in the working tree (repository-relative), hidden ones aside.
fn subfolders(top: &Path, dir: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(top.join(dir)) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .map(|name| {
            if dir == "." {
                name
            } else {
                format!("{dir}/{name}")
            }
        })
        .collect()
}
