//! The `git` command line behind a small trait, for PR mode.

use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;

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
    /// Files changed from `base` to the working tree, untracked files included.
    fn changes(&self, base: &str) -> Result<Vec<FileChange>, String>;
    /// The files under `dir` (repository-relative, not recursive) at `rev`.
    fn files_at(&self, rev: &str, dir: &str) -> Result<Vec<String>, String>;
    /// The contents of `path` at `rev`.
    fn read_at(&self, rev: &str, path: &str) -> Result<Vec<u8>, String>;
}

pub struct CliGit {
    dir: PathBuf,
}

impl CliGit {
    pub fn new(dir: &Path) -> CliGit {
        CliGit {
            dir: dir.to_path_buf(),
        }
    }

    fn run(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&self.dir)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
        }
    }

    fn text(&self, args: &[&str]) -> Result<String, String> {
        self.run(args)
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
    }
}

impl Git for CliGit {
    fn toplevel(&self) -> Result<PathBuf, String> {
        self.text(&["rev-parse", "--show-toplevel"])
            .map(PathBuf::from)
    }

    fn prefix(&self) -> Result<String, String> {
        self.text(&["rev-parse", "--show-prefix"])
    }

    fn resolve(&self, rev: &str) -> Option<String> {
        self.text(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .ok()
    }

    fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        self.text(&["merge-base", a, b])
            .ok()
            .filter(|s| !s.is_empty())
    }

    fn is_shallow(&self) -> bool {
        self.text(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|s| s == "true")
    }

    fn changes(&self, base: &str) -> Result<Vec<FileChange>, String> {
        let raw = self.run(&["diff", "--name-status", "-M", "-z", base, "--"])?;
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
        let untracked = self.run(&[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--full-name",
        ])?;
        for path in untracked.split(|b| *b == 0).filter(|p| !p.is_empty()) {
            out.push(FileChange {
                status: 'A',
                old: None,
                new: Some(String::from_utf8_lossy(path).into_owned()),
            });
        }
        Ok(out)
    }

    fn files_at(&self, rev: &str, dir: &str) -> Result<Vec<String>, String> {
        let spec = if dir == "." || dir.is_empty() {
            rev.to_owned()
        } else {
            format!("{rev}:{dir}")
        };
        let raw = match self.run(&["ls-tree", "-z", "--name-only", &spec]) {
            Ok(raw) => raw,
            // the folder did not exist at that revision
            Err(_) => return Ok(Vec::new()),
        };
        Ok(raw
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let name = String::from_utf8_lossy(p);
                if dir == "." || dir.is_empty() {
                    name.into_owned()
                } else {
                    format!("{dir}/{name}")
                }
            })
            .collect())
    }

    fn read_at(&self, rev: &str, path: &str) -> Result<Vec<u8>, String> {
        self.run(&["show", &format!("{rev}:{path}")])
    }
}

/// `git blame` walks history per file: beyond this many files a whole-tree
/// run would take longer than the check itself.
const MAX_BLAMED_FILES: usize = 200;

/// The origin (commit, date) of the given lines, from `git blame` of the working
/// tree, file by file; `None` outside a git repository.
pub fn blame_lines(
    lines: &[(String, usize)],
) -> Option<std::collections::HashMap<(String, usize), drlint::history::LineOrigin>> {
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let git = CliGit::new(Path::new("."));
    let top = git.toplevel().ok()?.canonicalize().ok()?;
    let mut by_file: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (path, line) in lines {
        // only files inside this repository have a history here
        if Path::new(path)
            .canonicalize()
            .is_ok_and(|p| p.starts_with(&top))
        {
            by_file.entry(path.as_str()).or_default().insert(*line);
        }
    }
    if by_file.len() > MAX_BLAMED_FILES {
        eprintln!(
            "drlint: note: {} files have findings whose age comes from git history; reading the first {MAX_BLAMED_FILES} (narrow the paths, or use --base)",
            by_file.len()
        );
    }
    let shallow = git.is_shallow();
    let blamed: Vec<(&str, BTreeSet<usize>, Vec<u8>)> = by_file
        .into_iter()
        .take(MAX_BLAMED_FILES)
        .par_bridge()
        .filter_map(|(path, wanted)| {
            // untracked files have no history
            let raw = git.run(&["blame", "--porcelain", "--", path]).ok()?;
            Some((path, wanted, raw))
        })
        .collect();
    let mut out = HashMap::new();
    let mut boundary_seen = false;
    for (path, wanted, raw) in blamed {
        let text = String::from_utf8_lossy(&raw);
        let mut commits: HashMap<String, (Option<i64>, bool)> = HashMap::new();
        let mut current: Option<(String, usize)> = None;
        let mut line_commit: Vec<(usize, String)> = Vec::new();
        for l in text.lines() {
            if l.starts_with('\t') {
                continue;
            }
            let mut words = l.split(' ');
            let first = words.next().unwrap_or_default();
            if first.len() == 40 && first.bytes().all(|b| b.is_ascii_hexdigit()) {
                let final_line = words.nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
                current = Some((first.to_owned(), final_line));
                line_commit.push((final_line, first.to_owned()));
                commits.entry(first.to_owned()).or_insert((None, false));
            } else if let Some((sha, _)) = &current {
                let entry = commits.entry(sha.clone()).or_insert((None, false));
                match first {
                    "committer-time" => entry.0 = words.next().and_then(|t| t.parse().ok()),
                    "boundary" => entry.1 = true,
                    _ => {}
                }
            }
        }
        for (line, sha) in line_commit {
            if !wanted.contains(&line) || sha.bytes().all(|b| b == b'0') {
                continue; // not asked for, or not committed yet
            }
            let Some(&(Some(time), boundary)) = commits.get(&sha) else {
                continue;
            };
            boundary_seen |= boundary && shallow;
            out.insert(
                (path.to_owned(), line),
                drlint::history::LineOrigin {
                    commit: sha,
                    date: drlint::suppress::civil_date(time.div_euclid(86_400)),
                    boundary: boundary && shallow,
                },
            );
        }
    }
    if boundary_seen {
        eprintln!(
            "drlint: note: this is a shallow clone, so ages from git history are lower bounds (check out with `fetch-depth: 0` for full history)"
        );
    }
    Some(out)
}
