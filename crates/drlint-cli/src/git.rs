//! The `git` command line behind a small trait, for PR mode.

use std::path::{Path, PathBuf};
use std::process::Command;

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
        CliGit { dir: dir.to_path_buf() }
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
        self.run(args).map(|b| String::from_utf8_lossy(&b).trim().to_owned())
    }
}

impl Git for CliGit {
    fn toplevel(&self) -> Result<PathBuf, String> {
        self.text(&["rev-parse", "--show-toplevel"]).map(PathBuf::from)
    }

    fn prefix(&self) -> Result<String, String> {
        self.text(&["rev-parse", "--show-prefix"])
    }

    fn resolve(&self, rev: &str) -> Option<String> {
        self.text(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")]).ok()
    }

    fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        self.text(&["merge-base", a, b]).ok().filter(|s| !s.is_empty())
    }

    fn is_shallow(&self) -> bool {
        self.text(&["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true")
    }

    fn changes(&self, base: &str) -> Result<Vec<FileChange>, String> {
        let raw = self.run(&["diff", "--name-status", "-M", "-z", base, "--"])?;
        let mut fields = raw.split(|b| *b == 0).map(|f| String::from_utf8_lossy(f).into_owned());
        let mut out = Vec::new();
        while let Some(status) = fields.next() {
            let Some(kind) = status.chars().next() else { break };
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
        let untracked = self.run(&["ls-files", "--others", "--exclude-standard", "-z", "--full-name"])?;
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
