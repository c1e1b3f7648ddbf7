//! Ages from git history: the I/O side of `crate::history` (which decides
//! what needs an age, walks the versions and applies the ages).
//!
//! Design, measured on cloud-platform-environments (84,202 commits, 528
//! folders with aged findings, 2 shared cores):
//!
//! - `git blame` dates lines, not values (see `crate::history`), and costs
//!   5.5 s per file without a commit-graph, 0.33 s with one.
//! - For each folder, the mainline commits that touched it (`--first-parent`:
//!   a merged pull request is its merge commit, dated when it landed, and
//!   parallel branches that never held each other's files do not interleave)
//!   come with the blobs they changed (`--raw`) from `git log -- FOLDER` when
//!   there are few folders (0.17 s each with a commit-graph, 1.8 s without),
//!   or from ONE `git log --raw` pass over the whole mainline when there are
//!   more than `ONE_PASS_FOLDERS` (about 14 s, commit-graph or not).
//! - A folder's state at each commit comes from the newer state by undoing
//!   the listed blob changes: one tree read per folder, none per version
//!   (reading `rev:folder` per version spent most of the time inflating the
//!   large cluster trees). Blobs come from one long-lived `git cat-file
//!   --batch` per worker; a version with the same blobs as the newer one is
//!   not checked again.
//! - When a run reaches the commit that created the folder, the folder may
//!   have been copied or renamed from another path (`git diff-tree -M -C
//!   --find-copies-harder` of that commit, cached per commit since a migration
//!   creates many folders at once): when more than half the folder's copied
//!   files come from one folder, keeping their names, the walk continues with
//!   that folder's history. (Per-file similarity alone is not enough:
//!   boilerplate files are "copied" from unrelated namespaces.)
//!
//! The whole tree takes 82 s there on 2 cores (124 s user and 32 s system
//! CPU: 25,683 versions read, 155 copies followed); a one-folder pull request
//! 0.85 s (6.5 s without a commit-graph). `scripts/history-benchmark.sh`
//! re-measures.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use crate::history::{Ages, Key, Missing, Origin, Version};
use crate::{Checker, Input};
use rayon::prelude::*;

use crate::linter::Notice;
use crate::markers::MarkerNames;
use crate::workspace::discover::is_input;
use crate::workspace::git::{BlobChange, CatFile, CliGit, Commit, Git};

/// With more folders than this, one `git log --raw` pass over the mainline
/// (14 s) is cheaper than one `git log -- FOLDER` per folder (0.17-1.8 s each).
const ONE_PASS_FOLDERS: usize = 16;

/// How many copies/renames a walk follows (a folder copied from a copy ...).
const MAX_COPIES: usize = 4;

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// The ages of the findings in `wanted` (display folder → keys), or the
/// reason there are none (for all of them: not a git repository).
pub fn ages(
    report: &crate::Report,
    rules: &[crate::Rule],
    checker: &Checker,
    markers: &MarkerNames,
    notices: &mut Vec<Notice>,
) -> Result<Ages, String> {
    let wanted = &crate::history::needing_history(report, rules);
    if wanted.is_empty() {
        return Ok(HashMap::new());
    }
    let paths: HashMap<(String, Key), String> = report
        .findings
        .iter()
        .map(|f| {
            let dir = crate::history::folder(f.path()).to_owned();
            ((dir, Key::of(f, rules)), f.path().to_owned())
        })
        .collect();
    let git = CliGit::new(Path::new("."));
    let top = git
        .toplevel()
        .ok()
        .and_then(|t| t.canonicalize().ok())
        .ok_or("not a git repository")?;
    git.resolve("HEAD").ok_or("no commit yet")?;
    let mut out = HashMap::new();
    // display folder → repository-relative folder
    let mut folders: Vec<(&String, String)> = Vec::new();
    for (dir, keys) in wanted {
        let rel = Path::new(dir)
            .canonicalize()
            .ok()
            .and_then(|p| p.strip_prefix(&top).ok().map(Path::to_path_buf));
        match rel {
            Some(rel) => folders.push((dir, rel.to_string_lossy().replace('\\', "/"))),
            None => {
                for k in keys {
                    out.insert(
                        (dir.clone(), k.clone()),
                        Err("outside the git repository".to_owned()),
                    );
                }
            }
        }
    }
    let shallow: BTreeSet<String> = git.shallow_boundary().into_iter().collect();
    let log = if folders.len() > ONE_PASS_FOLDERS {
        git.log_all()?
    } else {
        Vec::new()
    };
    let index = (folders.len() > ONE_PASS_FOLDERS).then(|| Index::new(&log));
    let history = History {
        git: &git,
        markers,
        index: index.as_ref(),
        shallow: &shallow,
        copies: Mutex::new(HashMap::new()),
        read: AtomicUsize::new(0),
        checked: AtomicUsize::new(0),
        followed: AtomicUsize::new(0),
    };
    let walked: Vec<_> = folders
        .par_iter()
        .map_init(
            || git.objects().ok(),
            |reader, (dir, rel)| {
                let keys = &wanted[*dir];
                let Some(reader) = reader else {
                    return Vec::new();
                };
                let commits = match history.commits(rel, None) {
                    Ok(c) => c,
                    Err(e) => return keys.iter().map(|k| (k.clone(), Err(e.clone()))).collect(),
                };
                let state = input_files(reader.tree("HEAD", rel).unwrap_or_default(), markers);
                let versions = Versions {
                    history: &history,
                    reader,
                    display: dir,
                    folder: rel.clone(),
                    commits,
                    next: 0,
                    state,
                    last: None,
                    last_state: None,
                    copies: 0,
                };
                let found = crate::history::walk(checker, keys, versions);
                let mut status = None;
                found
                    .into_iter()
                    .map(|(key, origin)| {
                        let origin = origin.map_err(|Missing::NotCommitted| {
                            let status =
                                status.get_or_insert_with(|| git.status(rel).unwrap_or_default());
                            let path = paths.get(&((*dir).clone(), key.clone()));
                            why_missing(status, path.map(String::as_str), rel)
                        });
                        (key, origin)
                    })
                    .collect::<Vec<_>>()
            },
        )
        .zip(&folders)
        .flat_map_iter(|(found, (dir, _))| {
            found
                .into_iter()
                .map(move |(k, o)| (((*dir).clone(), k), o))
        })
        .collect();
    out.extend(walked);
    notices.push(Notice::timing(format!(
        "history: {} folders ({}), {} versions read, {} checked, {} copies followed",
        folders.len(),
        if index.is_some() {
            "one git log pass"
        } else {
            "git log per folder"
        },
        history.read.load(Relaxed),
        history.checked.load(Relaxed),
        history.followed.load(Relaxed),
    )));
    if !shallow.is_empty()
        && out
            .values()
            .any(|o| matches!(o, Ok(Origin { boundary: true, .. })))
    {
        notices.push(Notice::note(
            "this is a shallow clone, so some ages from git history are lower bounds (check out with `fetch-depth: 0` for full history)",
        ));
    }
    Ok(out)
}

/// Why the newest committed version of a folder lacks a finding.
fn why_missing(status: &[(String, String)], path: Option<&str>, folder: &str) -> String {
    let file = path.and_then(|p| {
        Path::new(p)
            .file_name()
            .map(|n| join(folder, &n.to_string_lossy()))
    });
    let state = file
        .as_deref()
        .and_then(|f| status.iter().find(|(_, p)| p == f).map(|(s, _)| s.as_str()));
    match state {
        Some("??") => "untracked file".to_owned(),
        Some(_) => "changed since the last commit".to_owned(),
        None if !status.is_empty() => "the folder changed since the last commit".to_owned(),
        None => "not in the folder's committed files alone".to_owned(),
    }
}

/// A commit and the blobs it changed in one folder.
type Step = (Commit, Vec<BlobChange>);

/// Every folder's commits from one `git log --raw` pass, newest first.
struct Index<'c> {
    log: &'c [Step],
    /// Positions in `log` of each folder's commits.
    by_folder: HashMap<&'c str, Vec<usize>>,
    position: HashMap<&'c str, usize>,
}

impl<'c> Index<'c> {
    fn new(log: &'c [Step]) -> Index<'c> {
        let mut by_folder: HashMap<&'c str, Vec<usize>> = HashMap::new();
        for (i, (_, changes)) in log.iter().enumerate() {
            let folders: BTreeSet<&str> = changes.iter().map(|c| parent(&c.path)).collect();
            for folder in folders {
                by_folder.entry(folder).or_default().push(i);
            }
        }
        let position = log
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (c.sha.as_str(), i))
            .collect();
        Index {
            log,
            by_folder,
            position,
        }
    }
}

/// The input files (name → blob) of a tree's entries.
fn input_files(
    entries: Vec<crate::workspace::git::TreeEntry>,
    markers: &MarkerNames,
) -> BTreeMap<String, String> {
    entries
        .into_iter()
        .filter(|e| e.mode.starts_with("100") && is_input(Path::new(&e.name), markers))
        .map(|e| (e.name, e.oid))
        .collect()
}

/// (from, to) of the files a commit copied or renamed.
type Copies = Vec<(String, String)>;

struct History<'a> {
    git: &'a CliGit,
    /// The marker file names of this run: inputs like the Terraform files.
    markers: &'a MarkerNames,
    index: Option<&'a Index<'a>>,
    shallow: &'a BTreeSet<String>,
    /// `git diff-tree` copies per creating commit (a migration creates many folders at once).
    copies: Mutex<HashMap<String, Arc<Copies>>>,
    /// Versions read and checked, copies followed: for `--timings`.
    read: AtomicUsize,
    checked: AtomicUsize,
    followed: AtomicUsize,
}

impl History<'_> {
    /// The commits that touched `folder`, newest first, with the blobs they
    /// changed in it; with `before`, only those older than that commit (the
    /// history of a copy's source).
    fn commits(&self, folder: &str, before: Option<&Commit>) -> Result<Vec<Step>, String> {
        let mut steps = if let Some(index) = self.index {
            // the mainline is one chain: older than `before` is further down the log
            let after = before.map_or(Some(0), |b| {
                index.position.get(b.sha.as_str()).map(|p| p + 1)
            });
            let Some(after) = after else {
                return Ok(Vec::new());
            };
            let list = index.by_folder.get(folder).map_or(&[][..], Vec::as_slice);
            list.iter()
                .filter(|i| **i >= after)
                .map(|i| index.log[*i].clone())
                .collect()
        } else {
            match before {
                None => self.git.log("HEAD", folder)?,
                Some(b) => match b.parents.first() {
                    Some(p) => self.git.log(p, folder)?,
                    None => Vec::new(),
                },
            }
        };
        for (_, changes) in &mut steps {
            changes.retain(|c| parent(&c.path) == folder);
        }
        Ok(steps)
    }

    /// The folder `folder` was copied or renamed from in `commit`, if one
    /// folder gave more than half its copied files (under the same names).
    fn copied_from(&self, commit: &Commit, folder: &str) -> Option<String> {
        if commit.parents.is_empty() || self.shallow.contains(&commit.sha) {
            return None;
        }
        let cached = self.copies.lock().ok()?.get(&commit.sha).cloned();
        let copies = match cached {
            Some(c) => c,
            None => {
                let c = Arc::new(self.git.copies(&commit.sha).unwrap_or_default());
                self.copies
                    .lock()
                    .ok()?
                    .insert(commit.sha.clone(), c.clone());
                c
            }
        };
        let mut into = 0;
        let mut sources: BTreeMap<&str, usize> = BTreeMap::new();
        for (from, to) in copies.iter().filter(|(_, to)| parent(to) == folder) {
            into += 1;
            if Path::new(from).file_name() == Path::new(to).file_name() && parent(from) != folder {
                *sources.entry(parent(from)).or_default() += 1;
            }
        }
        let (best, n) = sources.into_iter().max_by_key(|(_, n)| *n)?;
        (n * 2 > into).then(|| best.to_owned())
    }
}

/// A folder's versions, newest first, following copies at its creation.
/// The state at each commit comes from the newer one by undoing the blob
/// changes the log lists: one tree read per folder, none per version.
struct Versions<'a, 'h> {
    history: &'a History<'h>,
    reader: &'a mut CatFile,
    /// The display folder of the findings: every version's files are shown
    /// there, so that the configuration applies as it does today.
    display: &'a str,
    folder: String,
    commits: Vec<Step>,
    next: usize,
    /// The folder's input files (name → blob) after `commits[next]`.
    state: BTreeMap<String, String>,
    /// The last commit yielded, and its files.
    last: Option<Commit>,
    last_state: Option<BTreeMap<String, String>>,
    copies: usize,
}

impl Versions<'_, '_> {
    /// At the commit that created the folder: continue with the source's history.
    fn follow_copy(&mut self) -> bool {
        let Some(created) = self.last.clone() else {
            return false;
        };
        if self.copies >= MAX_COPIES {
            return false;
        }
        let Some(source) = self.history.copied_from(&created, &self.folder) else {
            return false;
        };
        let Some(base) = created.parents.first() else {
            return false;
        };
        let Ok(commits) = self.history.commits(&source, Some(&created)) else {
            return false;
        };
        self.copies += 1;
        self.history.followed.fetch_add(1, Relaxed);
        self.state = input_files(
            self.reader.tree(base, &source).unwrap_or_default(),
            self.history.markers,
        );
        self.folder = source;
        self.commits = commits;
        self.next = 0;
        true
    }
}

impl Iterator for Versions<'_, '_> {
    type Item = Version;

    fn next(&mut self) -> Option<Version> {
        if self.state.is_empty() && !self.follow_copy() {
            // the folder did not exist before the last commit: it created it
            return None;
        }
        let Some((commit, changes)) = self.commits.get(self.next).cloned() else {
            // history ends: the oldest commit created the folder, or is the root
            return if self.follow_copy() {
                self.next()
            } else {
                None
            };
        };
        self.next += 1;
        let same = self.last_state.as_ref() == Some(&self.state);
        self.history.read.fetch_add(1, Relaxed);
        let inputs = (!same).then(|| {
            self.history.checked.fetch_add(1, Relaxed);
            self.state
                .iter()
                .map(|(name, oid)| Input {
                    path: join(self.display, name),
                    content: self
                        .reader
                        .get(oid)
                        .map(|(_, _, body)| body)
                        .ok_or_else(|| format!("cannot read {oid}")),
                })
                .collect()
        });
        self.last_state = Some(self.state.clone());
        // the state before this commit
        for c in changes {
            let name = c.path.rsplit_once('/').map_or(c.path.as_str(), |(_, n)| n);
            if !is_input(Path::new(name), self.history.markers) {
                continue;
            }
            match c.old {
                Some(old) => self.state.insert(name.to_owned(), old),
                None => self.state.remove(name),
            };
        }
        self.last = Some(commit.clone());
        Some(Version {
            boundary: self.history.shallow.contains(&commit.sha),
            commit: commit.sha,
            time: commit.time,
            inputs,
        })
    }
}
