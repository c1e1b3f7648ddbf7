//! Running the `git` command line: one-shot commands ([`CliGit`], the [`Git`] trait's
//! implementation) and a long-lived object reader ([`CatFile`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::{
    BlobChange, Commit, FileChange, Git, IndexEntry, LOG_ARGS, TreeEntry, TreeFile, parse_hunks,
    parse_index, parse_log, parse_name_status, parse_tree_files,
};

/// `git cat-file --batch`, kept running: one process serves thousands of reads.
pub struct CatFile {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl CatFile {
    fn spawn(dir: &Path) -> Result<CatFile, String> {
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run git: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(CatFile {
            child,
            stdin,
            stdout,
        })
    }

    /// An object by name (`sha`, `rev:path`): its id, type and contents; `None` when missing.
    pub fn get(&mut self, name: &str) -> Option<(String, String, Vec<u8>)> {
        if name.contains('\n') {
            return None;
        }
        writeln!(self.stdin, "{name}").ok()?;
        self.stdin.flush().ok()?;
        let mut header = String::new();
        self.stdout.read_line(&mut header).ok()?;
        let mut words = header.split_whitespace();
        let (oid, kind, size) = (words.next()?, words.next()?, words.next());
        let size: usize = size?.parse().ok()?; // `missing` has no size
        let mut body = vec![0; size + 1];
        self.stdout.read_exact(&mut body).ok()?;
        body.pop();
        Some((oid.to_owned(), kind.to_owned(), body))
    }

    /// The entries of the tree at `rev:dir` (`dir` empty for the top); `None` when absent.
    pub fn tree(&mut self, rev: &str, dir: &str) -> Option<Vec<TreeEntry>> {
        let (oid, kind, body) = self.get(&format!("{rev}:{dir}"))?;
        if kind != "tree" {
            return None;
        }
        let hash_len = oid.len() / 2;
        let mut entries = Vec::new();
        let mut rest = &body[..];
        while let Some(space) = rest.iter().position(|b| *b == b' ') {
            let nul = rest.iter().position(|b| *b == 0)?;
            let hash = rest.get(nul + 1..nul + 1 + hash_len)?;
            entries.push(TreeEntry {
                mode: String::from_utf8_lossy(&rest[..space]).into_owned(),
                name: String::from_utf8_lossy(&rest[space + 1..nul]).into_owned(),
                oid: hash.iter().map(|b| format!("{b:02x}")).collect(),
            });
            rest = &rest[nul + 1 + hash_len..];
        }
        Some(entries)
    }
}

impl Drop for CatFile {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

    fn remotes(&self) -> Vec<String> {
        self.text(&["remote"])
            .map(|t| t.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn is_shallow(&self) -> bool {
        self.text(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|s| s == "true")
    }

    fn changes(&self, base: &str) -> Result<Vec<FileChange>, String> {
        let raw = self.run(&["diff", "--name-status", "-M", "-z", base, "--"])?;
        let mut out = parse_name_status(&raw);
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

    fn changed_lines(
        &self,
        base: Option<&str>,
        staged: bool,
        paths: &[String],
    ) -> Result<Vec<(String, usize, usize)>, String> {
        let mut hunks = Vec::new();
        // a bounded command line per call (Windows allows 32,767 characters)
        for chunk in paths.chunks(100) {
            let mut args = vec![
                "--literal-pathspecs",
                "-c",
                "core.quotePath=false",
                "diff",
                "-U0",
                "-M",
                "--no-color",
                "--no-ext-diff",
                "--src-prefix=a/",
                "--dst-prefix=b/",
            ];
            if staged {
                args.push("--cached");
            }
            args.extend(base);
            args.push("--");
            args.extend(chunk.iter().map(String::as_str));
            let raw = self.run(&args)?;
            hunks.extend(parse_hunks(&String::from_utf8_lossy(&raw)));
        }
        Ok(hunks)
    }

    fn staged_changes(&self, base: Option<&str>) -> Result<Vec<FileChange>, String> {
        let mut args = vec!["diff", "--cached", "--name-status", "-M", "-z"];
        args.extend(base);
        args.push("--");
        Ok(parse_name_status(&self.run(&args)?))
    }

    fn index(&self) -> Result<Vec<IndexEntry>, String> {
        Ok(parse_index(&self.run(&[
            "ls-files",
            "-s",
            "-z",
            "--full-name",
            "--",
            ":/",
        ])?))
    }

    fn files_at(&self, rev: &str, dir: &str) -> Result<Vec<TreeFile>, String> {
        let spec = if dir == "." || dir.is_empty() {
            rev.to_owned()
        } else {
            format!("{rev}:{dir}")
        };
        match self.run(&["ls-tree", "-z", &spec]) {
            Ok(raw) => Ok(parse_tree_files(&raw, dir)),
            // the folder did not exist at that revision
            Err(_) => Ok(Vec::new()),
        }
    }

    fn read_at(&self, rev: &str, path: &str) -> Result<Vec<u8>, String> {
        self.run(&["show", &format!("{rev}:{path}")])
    }

    fn log(&self, rev: &str, path: &str) -> Result<Vec<(Commit, Vec<BlobChange>)>, String> {
        let path = if path.is_empty() { "." } else { path };
        let mut args = vec!["-c", "core.quotePath=false"];
        args.extend(LOG_ARGS);
        args.extend([rev, "--", path]);
        Ok(parse_log(&self.run(&args)?))
    }

    fn log_all(&self) -> Result<Vec<(Commit, Vec<BlobChange>)>, String> {
        let mut args = vec!["-c", "core.quotePath=false"];
        args.extend(LOG_ARGS);
        args.push("HEAD");
        Ok(parse_log(&self.run(&args)?))
    }

    fn copies(&self, commit: &str) -> Result<Vec<(String, String)>, String> {
        let raw = self.run(&[
            "diff-tree",
            "-r",
            "-z",
            "--no-commit-id",
            "-M",
            "-C",
            "--find-copies-harder",
            "--diff-filter=CR",
            "--name-status",
            &format!("{commit}^"),
            commit,
        ])?;
        let fields: Vec<String> = raw
            .split(|b| *b == 0)
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        Ok(fields
            .chunks(3)
            .filter(|c| c.len() == 3)
            .map(|c| (c[1].clone(), c[2].clone()))
            .collect())
    }

    fn shallow_boundary(&self) -> Vec<String> {
        let Ok(path) = self.text(&["rev-parse", "--git-path", "shallow"]) else {
            return Vec::new();
        };
        std::fs::read_to_string(self.dir.join(path))
            .map(|s| s.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    fn status(&self, dir: &str) -> Result<Vec<(String, String)>, String> {
        let dir = if dir.is_empty() { "." } else { dir };
        let raw = self.run(&[
            "status",
            "--porcelain",
            "-z",
            "--untracked-files=all",
            "--",
            dir,
        ])?;
        Ok(raw
            .split(|b| *b == 0)
            .filter(|e| e.len() > 3)
            .map(|e| {
                let e = String::from_utf8_lossy(e);
                (e[..2].to_owned(), e[3..].to_owned())
            })
            .collect())
    }

    fn objects(&self) -> Result<CatFile, String> {
        CatFile::spawn(&self.dir)
    }
}
