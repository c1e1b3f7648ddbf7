//! The `git` command line behind a small trait, for PR mode and ages from history: the trait,
//! the data it gives and the parsing of git's output here, running git in [`cli`].

mod cli;

use std::path::PathBuf;

pub(crate) use cli::{CatFile, CliGit};

/// One changed file between the base and the working tree (paths repository-relative).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// `A`dded, `M`odified, `D`eleted, `R`enamed (with similarity), ...
    pub status: char,
    pub old: Option<String>,
    pub new: Option<String>,
}

pub trait Git {
    /// The repository's top folder.
    fn toplevel(&self) -> Result<PathBuf, String>;
    /// The current folder relative to the top (`sub/dir/`, or empty).
    fn prefix(&self) -> Result<String, String>;
    fn resolve(&self, rev: &str) -> Option<String>;
    fn merge_base(&self, a: &str, b: &str) -> Option<String>;
    fn is_shallow(&self) -> bool;
    /// The names of the repository's remotes (`git remote`).
    fn remotes(&self) -> Vec<String>;
    /// Files changed from `base` to the working tree, untracked files included.
    fn changes(&self, base: &str) -> Result<Vec<FileChange>, String>;
    /// The lines that differ from `base`: (path, first line, count) for each
    /// hunk's new side (`git diff -U0`), of the working tree's files, or of the
    /// index's when `staged` (`None`: before the first commit), for the files
    /// `paths` names (relative to the current folder; none: no file). Untracked
    /// files are not listed: `changes` says they are added.
    fn changed_lines(
        &self,
        base: Option<&str>,
        staged: bool,
        paths: &[String],
    ) -> Result<Vec<(String, usize, usize)>, String>;
    /// Files changed from `base` to the index (what `git commit` would record);
    /// `None` before the first commit, when every staged file is added.
    fn staged_changes(&self, base: Option<&str>) -> Result<Vec<FileChange>, String>;
    /// The index's merged entries (stage 0; a conflicted path has none).
    fn index(&self) -> Result<Vec<IndexEntry>, String>;
    /// The files under `dir` (repository-relative, not recursive) at `rev`: regular
    /// files and symbolic links (no folders, no submodules).
    fn files_at(&self, rev: &str, dir: &str) -> Result<Vec<TreeFile>, String>;
    /// The contents of `path` at `rev`.
    fn read_at(&self, rev: &str, path: &str) -> Result<Vec<u8>, String>;
    /// The commits of `rev`'s first-parent chain (the mainline: a merged pull
    /// request is its merge commit) that touched `path`, newest first, with
    /// the blobs they changed (compared with the first parent).
    fn log(&self, rev: &str, path: &str) -> Result<Vec<(Commit, Vec<BlobChange>)>, String>;
    /// The same for every commit of HEAD's first-parent chain: one pass for all folders.
    fn log_all(&self) -> Result<Vec<(Commit, Vec<BlobChange>)>, String>;
    /// The files `commit` copied or renamed from another path (from, to),
    /// compared with its first parent, all files considered as sources.
    fn copies(&self, commit: &str) -> Result<Vec<(String, String)>, String>;
    /// The commits whose parents a shallow clone lacks.
    fn shallow_boundary(&self) -> Vec<String>;
    /// `git status` of the files under `dir`: (status, path) with `??` for untracked.
    fn status(&self, dir: &str) -> Result<Vec<(String, String)>, String>;
    /// A long-lived reader of objects (`git cat-file --batch`).
    fn objects(&self) -> Result<CatFile, String>;
}

/// A file in a commit's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// Repository-relative.
    pub path: String,
    /// A symbolic link (mode `120000`), whose blob is the target's path.
    pub link: bool,
}

/// `git ls-tree -z` output: `<mode> <type> <oid>\t<name>` entries; the blobs kept,
/// their names joined to `dir`.
fn parse_tree_files(raw: &[u8], dir: &str) -> Vec<TreeFile> {
    raw.split(|b| *b == 0)
        .filter_map(|entry| {
            let tab = entry.iter().position(|b| *b == b'\t')?;
            let meta = String::from_utf8_lossy(&entry[..tab]);
            let mut words = meta.split(' ');
            let (mode, kind) = (words.next()?, words.next()?);
            if kind != "blob" {
                return None;
            }
            let name = String::from_utf8_lossy(&entry[tab + 1..]);
            let path = if dir == "." || dir.is_empty() {
                name.into_owned()
            } else {
                format!("{dir}/{name}")
            };
            Some(TreeFile {
                path,
                link: mode == "120000",
            })
        })
        .collect()
}

/// An entry of the index (`git ls-files -s`): a staged file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// `100644`, `100755`; `120000` a symbolic link, `160000` a submodule.
    pub mode: String,
    pub oid: String,
    /// Repository-relative.
    pub path: String,
}

/// `git ls-files -s -z`: `<mode> <oid> <stage>\t<path>` entries, merged ones (stage 0) kept.
fn parse_index(raw: &[u8]) -> Vec<IndexEntry> {
    raw.split(|b| *b == 0)
        .filter_map(|entry| {
            let tab = entry.iter().position(|b| *b == b'\t')?;
            let meta = String::from_utf8_lossy(&entry[..tab]);
            let mut words = meta.split(' ');
            let (mode, oid, stage) = (words.next()?, words.next()?, words.next()?);
            (stage == "0").then(|| IndexEntry {
                mode: mode.to_owned(),
                oid: oid.to_owned(),
                path: String::from_utf8_lossy(&entry[tab + 1..]).into_owned(),
            })
        })
        .collect()
}

/// `git diff --name-status -z` output.
fn parse_name_status(raw: &[u8]) -> Vec<FileChange> {
    let mut fields = raw
        .split(|b| *b == 0)
        .map(|f| String::from_utf8_lossy(f).into_owned());
    let mut out = Vec::new();
    while let Some(status) = fields.next() {
        let Some(kind) = status.chars().next() else {
            break;
        };
        let first = fields.next().unwrap_or_default();
        let change = match kind {
            'R' | 'C' => FileChange {
                status: kind,
                old: Some(first),
                new: fields.next(),
            },
            'D' => FileChange {
                status: kind,
                old: Some(first),
                new: None,
            },
            'A' => FileChange {
                status: kind,
                old: None,
                new: Some(first),
            },
            _ => FileChange {
                status: kind,
                old: Some(first.clone()),
                new: Some(first),
            },
        };
        out.push(change);
    }
    out
}

/// A commit in a `git log` listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub sha: String,
    /// Committer time, seconds since 1970.
    pub time: i64,
    pub parents: Vec<String>,
}

/// A file a commit changed: its blob before and after (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobChange {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// `%H %ct %P`, then `--raw` lines.
const LOG_ARGS: [&str; 6] = [
    "log",
    "--first-parent",
    "--format=%x01%H %ct %P",
    "--raw",
    "--no-abbrev",
    "--no-renames",
];

/// The new side of each hunk of a `git diff -U0`: (path, first line, count).
fn parse_hunks(diff: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut path: Option<String> = None;
    for line in diff.lines() {
        if let Some(target) = line.strip_prefix("+++ ") {
            path = match target {
                "/dev/null" => None,
                t => Some(unquote(t).trim_start_matches("b/").to_owned()),
            };
        } else if let (Some(hunk), Some(path)) = (line.strip_prefix("@@ "), &path) {
            // @@ -a[,b] +c[,d] @@
            let Some(new) = hunk.split(' ').find_map(|w| w.strip_prefix('+')) else {
                continue;
            };
            let (first, count) = match new.split_once(',') {
                Some((first, count)) => (first.parse().ok(), count.parse().ok()),
                None => (new.parse().ok(), Some(1)),
            };
            if let (Some(first), Some(count)) = (first, count) {
                out.push((path.clone(), first, count));
            }
        }
    }
    out
}

/// A path as git prints it: C-quoted when it holds a quote, backslash or control character.
fn unquote(path: &str) -> String {
    let Some(inner) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) else {
        return path.to_owned();
    };
    let mut bytes = Vec::new();
    let mut chars = inner.bytes().peekable();
    while let Some(b) = chars.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match chars.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'r') => bytes.push(b'\r'),
            Some(d @ b'0'..=b'7') => {
                let mut value = u32::from(d - b'0');
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = chars.peek() {
                        value = value * 8 + u32::from(n - b'0');
                        chars.next();
                    }
                }
                bytes.push(u8::try_from(value).unwrap_or(b'?'));
            }
            Some(other) => bytes.push(other),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `git log` with `LOG_ARGS`: commits and the blobs they changed.
fn parse_log(raw: &[u8]) -> Vec<(Commit, Vec<BlobChange>)> {
    let text = String::from_utf8_lossy(raw);
    let blob = |oid: &str| (!oid.bytes().all(|b| b == b'0')).then(|| oid.to_owned());
    text.split('\x01')
        .filter_map(|entry| {
            let mut lines = entry.lines();
            let commit = parse_commit(lines.next()?)?;
            let changes = lines
                .filter_map(|l| {
                    let (meta, path) = l.strip_prefix(':')?.split_once('\t')?;
                    let mut words = meta.split(' ');
                    let (old, new) = (words.nth(2)?, words.next()?);
                    Some(BlobChange {
                        path: path.to_owned(),
                        old: blob(old),
                        new: blob(new),
                    })
                })
                .collect();
            Some((commit, changes))
        })
        .collect()
}

fn parse_commit(line: &str) -> Option<Commit> {
    let mut words = line.trim().split(' ').filter(|w| !w.is_empty());
    Some(Commit {
        sha: words.next()?.to_owned(),
        time: words.next()?.parse().ok()?,
        parents: words.map(str::to_owned).collect(),
    })
}

/// One entry of a tree object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub mode: String,
    pub name: String,
    pub oid: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_the_new_side_of_each_change() {
        let diff = "diff --git a/x.tf b/x.tf\n--- a/x.tf\n+++ b/x.tf\n@@ -3 +3 @@\n-a\n+b\n@@ -10,0 +11,2 @@ locals {\n+c\n+d\n@@ -20,2 +22,0 @@\n-e\n-f\ndiff --git a/gone.tf b/gone.tf\n--- a/gone.tf\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n--- a/\"t\\303\\251st\\\\.tf\"\n+++ \"b/t\\303\\251st\\\\.tf\"\n@@ -1 +1 @@\n";
        assert_eq!(
            parse_hunks(diff),
            [
                ("x.tf".to_owned(), 3, 1),
                ("x.tf".to_owned(), 11, 2),
                ("x.tf".to_owned(), 22, 0),
                ("tést\\.tf".to_owned(), 1, 1),
            ]
        );
    }

    #[test]
    fn the_index_keeps_merged_entries_and_name_status_pairs_renames() {
        let raw = b"100644 aaaa 0\tns/a b.tf\0\
100644 bbbb 1\tns/conflict.tf\0\
100644 cccc 2\tns/conflict.tf\0\
120000 dddd 0\tns/link.tf\0";
        assert_eq!(
            parse_index(raw),
            [
                IndexEntry {
                    mode: "100644".into(),
                    oid: "aaaa".into(),
                    path: "ns/a b.tf".into()
                },
                IndexEntry {
                    mode: "120000".into(),
                    oid: "dddd".into(),
                    path: "ns/link.tf".into()
                },
            ]
        );
        let raw = b"100644 blob aaaa\ta.tf\x00120000 blob bbbb\tlink.tf\x00040000 tree cccc\tsub\x00160000 commit dddd\tmodule\x00";
        assert_eq!(
            parse_tree_files(raw, "ns"),
            [
                TreeFile {
                    path: "ns/a.tf".into(),
                    link: false
                },
                TreeFile {
                    path: "ns/link.tf".into(),
                    link: true
                },
            ]
        );
        let raw = b"M\0a.tf\0R087\0old.tf\0new.tf\0D\0gone.tf\0A\0added.tf\0";
        let parsed = parse_name_status(raw);
        let changes: Vec<(char, Option<&str>, Option<&str>)> = parsed
            .iter()
            .map(|c| (c.status, c.old.as_deref(), c.new.as_deref()))
            .collect();
        assert_eq!(
            changes,
            [
                ('M', Some("a.tf"), Some("a.tf")),
                ('R', Some("old.tf"), Some("new.tf")),
                ('D', Some("gone.tf"), None),
                ('A', None, Some("added.tf")),
            ]
        );
    }
}
