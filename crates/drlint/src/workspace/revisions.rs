//! PR mode's inputs: the module folders a change touches, at the base (from
//! git) and at the head (the working tree, or with `--staged` the index).
//!
//! Nothing outside the repository is read: a path given outside it is an error, a
//! local module source that leads out of it is not followed, and symbolic links are
//! followed only to files inside it (in the working tree as in git's trees and index,
//! where a link's blob is its target's path). Files are read within the size limit;
//! what is not read is an input whose content says why (`input-skipped`).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::Input;
use crate::markers::MarkerNames;

use crate::workspace::discover::is_input;
use crate::workspace::git::{CatFile, CliGit, Git, TreeFile};
use crate::workspace::inputs::{Reader, Roots};

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

/// The lines the change added or edited, by display path: since `--base`'s
/// merge base with HEAD in the working tree, or since HEAD in the index
/// (`--staged`); an added or untracked file is new throughout. Only the
/// files in `paths` (display paths) are compared: the rest of the change,
/// which may hold large or binary files, is never read.
pub fn changed_lines(
    compare: &Compare<'_>,
    paths: &[String],
) -> Result<crate::diff::ChangedLines, String> {
    let mut changed = crate::diff::ChangedLines::default();
    if paths.is_empty() {
        return Ok(changed);
    }
    let git = CliGit::new(Path::new("."));
    // a file outside the work tree (a plan made elsewhere) has no lines in the change
    let (top, cwd) = (
        git.toplevel()?,
        std::env::current_dir().map_err(|e| e.to_string())?,
    );
    let paths: Vec<String> = paths
        .iter()
        .filter(|p| crate::workspace::inputs::lexically_normal(&cwd.join(p)).starts_with(&top))
        .cloned()
        .collect();
    let paths = &paths[..];
    let prefix = git.prefix().unwrap_or_default();
    let (hunks, changes) = match compare {
        Compare::Base(base) => {
            let base_rev = git
                .resolve(base)
                .ok_or_else(|| format!("unknown revision `{base}`"))?;
            let merge_base = git.merge_base(&base_rev, "HEAD").unwrap_or(base_rev);
            (
                git.changed_lines(Some(&merge_base), false, paths)?,
                git.changes(&merge_base)?,
            )
        }
        Compare::Staged => {
            let head = git.resolve("HEAD");
            (
                git.changed_lines(head.as_deref(), true, paths)?,
                git.staged_changes(head.as_deref())?,
            )
        }
    };
    for (path, first, count) in hunks {
        changed.add(&display(&prefix, &path), first, count);
    }
    for c in changes {
        if let ('A', Some(path)) = (c.status, &c.new) {
            changed.add_file(&display(&prefix, path));
        }
    }
    Ok(changed)
}

/// The chart folder a values file belongs to: its path up to the first of
/// the Helm folders (`helm_deploy`, `charts/<chart>`...).
fn helm_root(path: &str) -> Option<String> {
    if !crate::helm::is_helm_input(path) {
        return None;
    }
    let parts: Vec<&str> = path.split('/').collect();
    let i = parts
        .iter()
        .position(|p| crate::helm::VALUES_FOLDERS.contains(p))?;
    // charts/<chart>/: the chart's own folder
    let end = if parts[i] == "charts" && i + 2 < parts.len() {
        i + 2
    } else {
        i + 1
    };
    Some(parts[..end].join("/"))
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

/// What PR mode compares.
#[derive(Debug, Clone, Copy)]
pub enum Compare<'a> {
    /// `--base REF`: the merge base of REF and HEAD against the working tree.
    Base(&'a str),
    /// `--staged`: HEAD (nothing, before the first commit) against the git
    /// index, which is what `git commit` records.
    Staged,
}

impl Compare<'_> {
    /// The change, as notices name it.
    pub fn describe(&self) -> String {
        match self {
            Compare::Base(base) => format!("the change since `{base}`"),
            Compare::Staged => "the staged change".to_owned(),
        }
    }
}

/// The repository path a symbolic link at `path` with this target leads to, if
/// it stays inside the repository.
fn link_target(path: &str, target: &[u8]) -> Result<String, String> {
    let target = String::from_utf8_lossy(target);
    let resolved = crate::rules::join_dir(parent(path), &target);
    if target.starts_with('/') || resolved == ".." || resolved.starts_with("../") {
        return Err(format!(
            "it is a symbolic link to `{target}`, outside the repository: not followed"
        ));
    }
    Ok(resolved)
}

/// A path the checker cannot show (a backslash, or bytes that are not UTF-8 written
/// `\xNN`) is not read: the checker reports it.
fn unshowable(path: &str) -> bool {
    path.contains('\\')
}

/// The base: a commit, or nothing (the first commit's base).
struct Base<'g> {
    git: &'g dyn Git,
    rev: Option<String>,
    limit: u64,
    /// The files of each folder listed so far.
    listings: RefCell<BTreeMap<String, Vec<TreeFile>>>,
}

impl Base<'_> {
    fn listing(&self, dir: &str) -> Result<Vec<TreeFile>, String> {
        if let Some(files) = self.listings.borrow().get(dir) {
            return Ok(files.clone());
        }
        let files = match &self.rev {
            Some(rev) => self.git.files_at(rev, dir)?,
            None => Vec::new(),
        };
        self.listings
            .borrow_mut()
            .insert(dir.to_owned(), files.clone());
        Ok(files)
    }

    /// The files under `dir` (repository-relative, not recursive), links included.
    fn files(&self, dir: &str) -> Result<Vec<String>, String> {
        Ok(self.listing(dir)?.into_iter().map(|f| f.path).collect())
    }

    /// A file at the base; a symbolic link is followed to a regular file inside the
    /// repository, as a checkout would.
    fn read(&self, path: &str) -> Result<Vec<u8>, String> {
        let Some(rev) = &self.rev else {
            return Err("no commit yet".to_owned());
        };
        let entry = |path: &str| -> Result<Option<TreeFile>, String> {
            Ok(self
                .listing(parent(path))?
                .into_iter()
                .find(|f| f.path == path))
        };
        let path = match entry(path)? {
            None => return Err(format!("`{path}` is not in the base revision")),
            Some(f) if f.link => {
                let resolved = link_target(path, &self.git.read_at(rev, path)?)?;
                match entry(&resolved)? {
                    Some(f) if !f.link => resolved,
                    _ => {
                        return Err(format!(
                            "it is a symbolic link to `{resolved}`, which is not a file in the base revision"
                        ));
                    }
                }
            }
            Some(_) => path.to_owned(),
        };
        crate::workspace::inputs::check_size(self.git.read_at(rev, &path)?, self.limit)
    }
}

/// Where the head's files are: the working tree, or the index.
enum Head {
    /// The working tree under the repository's top folder, read inside it.
    WorkTree { top: PathBuf, reader: Reader },
    /// The index: blob id by path (files, and symbolic links apart), read through
    /// one `git cat-file --batch`.
    Index {
        blobs: BTreeMap<String, String>,
        links: BTreeMap<String, String>,
        reader: CatFile,
        limit: u64,
    },
}

impl Head {
    fn index(git: &dyn Git, limit: u64) -> Result<Head, String> {
        let (mut blobs, mut links) = (BTreeMap::new(), BTreeMap::new());
        // files and symbolic links; no submodules (as in the working tree)
        for e in git.index()? {
            if e.mode.starts_with("100") {
                blobs.insert(e.path, e.oid);
            } else if e.mode == "120000" {
                links.insert(e.path, e.oid);
            }
        }
        Ok(Head::Index {
            blobs,
            links,
            reader: git.objects()?,
            limit,
        })
    }

    /// The paths of the index below `dir`, with what follows `dir/` (`.` is the top).
    fn index_below<'b>(
        blobs: &'b BTreeMap<String, String>,
        dir: &str,
    ) -> impl Iterator<Item = (&'b String, &'b str)> {
        let start = if dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        blobs
            .range(start.clone()..)
            .map(|(path, _)| path)
            .take_while(move |path| path.starts_with(&start))
            .map(move |path| (path, &path[if dir == "." { 0 } else { dir.len() + 1 }..]))
    }

    /// The input files of a folder (repository-relative paths), sorted.
    fn files(&self, dir: &str, markers: &MarkerNames) -> Vec<String> {
        match self {
            Head::WorkTree { top, .. } => head_files(top, dir, markers),
            Head::Index { blobs, links, .. } => {
                let mut files: Vec<String> = Head::index_below(blobs, dir)
                    .chain(Head::index_below(links, dir))
                    .filter(|(path, rest)| {
                        !rest.contains('/') && is_input(Path::new(path.as_str()), markers)
                    })
                    .map(|(path, _)| path.clone())
                    .collect();
                files.sort();
                files
            }
        }
    }

    /// Why the folder cannot be listed, when it exists and cannot (the working tree).
    fn unlistable(&self, dir: &str) -> Option<String> {
        let Head::WorkTree { top, .. } = self else {
            return None;
        };
        match std::fs::read_dir(top.join(dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Some(format!("the folder cannot be read: {e}"))
            }
            _ => None,
        }
    }

    fn read(&mut self, path: &str) -> Result<Vec<u8>, String> {
        match self {
            Head::WorkTree { top, reader } => reader.read(&top.join(path)).map_err(|e| e.reason),
            Head::Index {
                blobs,
                links,
                reader,
                limit,
            } => {
                let mut blob = |oid: &str| match reader.get(oid) {
                    Some((_, kind, bytes)) if kind == "blob" => Ok(bytes),
                    _ => Err(format!("cannot read the staged blob {oid}")),
                };
                let oid = match (blobs.get(path), links.get(path)) {
                    (Some(oid), _) => oid.clone(),
                    (None, Some(link)) => {
                        // a symbolic link: followed to a staged file inside the repository
                        let resolved = link_target(path, &blob(link)?)?;
                        blobs.get(&resolved).cloned().ok_or_else(|| {
                            format!(
                                "it is a symbolic link to `{resolved}`, which is not a file in the index"
                            )
                        })?
                    }
                    (None, None) => return Err("not in the index".to_owned()),
                };
                crate::workspace::inputs::check_size(blob(&oid)?, *limit)
            }
        }
    }

    /// The folders directly inside `dir` (repository-relative), hidden ones aside.
    fn subfolders(&self, dir: &str) -> Vec<String> {
        match self {
            Head::WorkTree { top, .. } => subfolders(top, dir),
            Head::Index { blobs, .. } => {
                let names: BTreeSet<&str> = Head::index_below(blobs, dir)
                    .filter_map(|(_, rest)| rest.split_once('/').map(|(name, _)| name))
                    .filter(|name| !name.starts_with('.'))
                    .collect();
                names
                    .into_iter()
                    .map(|name| {
                        if dir == "." {
                            name.to_owned()
                        } else {
                            format!("{dir}/{name}")
                        }
                    })
                    .collect()
            }
        }
    }
}

/// A path given on the command line as a repository-relative prefix. With
/// `--staged` a file may be in the index only (deleted from the working tree).
fn scope(path: &Path, top: &Path, compare: Compare) -> Result<String, String> {
    let abs = match path.canonicalize() {
        Ok(abs) => abs,
        Err(e) => {
            let in_folder = match (compare, path.parent(), path.file_name()) {
                (Compare::Staged, Some(dir), Some(name)) => {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    dir.canonicalize().ok().map(|d| d.join(name))
                }
                _ => None,
            };
            in_folder.ok_or_else(|| format!("{}: {e}", path.display()))?
        }
    };
    let inside = abs.strip_prefix(top).map_err(|_| {
        format!(
            "{} is outside the repository ({}): PR mode checks the repository's own files; run drlint inside the repository that holds it",
            path.display(),
            top.display()
        )
    })?;
    Ok(inside.to_string_lossy().replace('\\', "/"))
}

/// The base and head inputs of the folders the change touches, within `paths`.
pub fn inputs(
    compare: Compare,
    paths: &[PathBuf],
    markers: &MarkerNames,
    limit: u64,
) -> Result<(Vec<Input>, Vec<Input>), String> {
    let git = CliGit::new(Path::new("."));
    let top = git.toplevel().map_err(|_| match compare {
        Compare::Base(_) => "not a git repository: `--base` compares with git history, so run drlint inside the repository (or drop --base)"
            .to_owned(),
        Compare::Staged => "not a git repository: `--staged` checks what `git commit` would record, so run drlint inside the repository (or drop --staged)"
            .to_owned(),
    })?;
    let prefix = git.prefix().unwrap_or_default();
    let (base_rev, changes, mut head) = match compare {
        Compare::Base(base) => {
            let merge_base = merge_base(&git, base)?;
            let changes = git.changes(&merge_base)?;
            let reader = Reader {
                roots: Roots::of_dir(&top),
                limit,
            };
            let head = Head::WorkTree {
                top: top.clone(),
                reader,
            };
            (Some(merge_base), changes, head)
        }
        Compare::Staged => {
            let head_commit = git.resolve("HEAD");
            let changes = git.staged_changes(head_commit.as_deref())?;
            (head_commit, changes, Head::index(&git, limit)?)
        }
    };
    let base = Base {
        git: &git,
        rev: base_rev,
        limit,
        listings: RefCell::default(),
    };
    // the paths asked for, as repository-relative prefixes
    let top_canonical = top.canonicalize().unwrap_or(top.clone());
    let scopes: Vec<String> = paths
        .iter()
        .map(|p| scope(p, &top_canonical, compare))
        .collect::<Result<_, String>>()?;
    let in_scope = |path: &str| {
        scopes
            .iter()
            .any(|s| s.is_empty() || path == s || path.starts_with(&format!("{s}/")))
    };

    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut dirs: BTreeSet<String> = BTreeSet::new();
    // Helm values are layered across a chart folder (helm_deploy/<app>/values.yaml under
    // helm_deploy/values-prod.yaml): a change to one reads the folder and those inside it
    let mut helm_roots: BTreeSet<String> = BTreeSet::new();
    for c in &changes {
        for path in c.old.iter().chain(&c.new) {
            if is_input(Path::new(path), markers) && in_scope(path) {
                dirs.insert(parent(path).to_owned());
                if let Some(root) = helm_root(path) {
                    helm_roots.insert(root);
                }
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
        let base_files = base.files(dir)?;
        let has_marker = head
            .files(dir, markers)
            .iter()
            .chain(&base_files)
            .any(|f| markers.wants(file_name(f)));
        if has_marker {
            below_markers.extend(head.subfolders(dir));
        }
    }
    dirs.extend(below_markers);
    for root in helm_roots {
        dirs.extend(head.subfolders(&root));
        dirs.insert(root);
    }
    // the local modules the touched folders call, at the head
    let mut frontier: Vec<String> = dirs.iter().cloned().collect();
    for _ in 0..8 {
        let mut next = Vec::new();
        for dir in &frontier {
            for file in head.files(dir, markers) {
                let bytes = head.read(&file).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                for source in crate::check::local_module_sources(&text) {
                    let callee = crate::rules::join_dir(dir, source);
                    // a source that leads out of the repository is not followed
                    if callee == ".." || callee.starts_with("../") {
                        continue;
                    }
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

    let mut head_inputs = Vec::new();
    let mut base_inputs = Vec::new();
    let read = |head: &mut Head, file: &str| {
        if unshowable(file) {
            Err(String::new())
        } else {
            head.read(file)
        }
    };
    for dir in &dirs {
        if let Some(reason) = head.unlistable(dir) {
            head_inputs.push(Input {
                path: display(&prefix, dir),
                content: Err(reason),
            });
        }
        for file in head.files(dir, markers) {
            head_inputs.push(Input {
                path: display(&prefix, &file),
                content: read(&mut head, &file),
            });
        }
        for file in base
            .files(dir)?
            .into_iter()
            .filter(|f| is_input(Path::new(f), markers))
        {
            let shown = renamed.get(&file).cloned().unwrap_or_else(|| file.clone());
            base_inputs.push(Input {
                path: display(&prefix, &shown),
                content: if unshowable(&file) {
                    Err(String::new())
                } else {
                    base.read(&file)
                },
            });
        }
    }
    for dir in namespace_dirs.difference(&dirs) {
        // markers live there too
        for file in head.files(dir, markers) {
            if markers.wants(file_name(&file)) {
                head_inputs.push(Input {
                    path: display(&prefix, &file),
                    content: read(&mut head, &file),
                });
            }
        }
        for file in base.files(dir)? {
            if markers.wants(file_name(&file)) {
                base_inputs.push(Input {
                    path: display(&prefix, &file),
                    content: base.read(&file),
                });
            }
        }
        let manifest = format!("{dir}/{}", crate::namespace::NAMESPACE_FILE);
        let manifest = manifest.trim_start_matches("./").to_owned();
        if let Ok(bytes) = head.read(&manifest) {
            head_inputs.push(Input {
                path: display(&prefix, &manifest),
                content: Ok(bytes),
            });
        }
        if let Ok(bytes) = base.read(&manifest) {
            base_inputs.push(Input {
                path: display(&prefix, &manifest),
                content: Ok(bytes),
            });
        }
    }
    Ok((base_inputs, head_inputs))
}

/// The merge base of `base` and HEAD, or an error that says how to make it available.
fn merge_base(git: &dyn Git, base: &str) -> Result<String, String> {
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
    match git.merge_base(&base_rev, "HEAD") {
        Some(mb) => Ok(mb),
        None if git.is_shallow() => Err(format!(
            "the history between `{base}` and HEAD is missing from this shallow clone: check out with `fetch-depth: 0` (or `git fetch --unshallow`)"
        )),
        None => Ok(base_rev),
    }
}

/// The input files of a folder in the working tree (repository-relative paths).
fn head_files(top: &Path, dir: &str, markers: &MarkerNames) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(top.join(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        // files, and links and special files, which the reader judges
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
        .map(|e| {
            // bytes that are not UTF-8 written `\xNN`: a name the checker cannot show
            let name = crate::workspace::discover::display_path(Path::new(&e.file_name()));
            if dir == "." {
                name
            } else {
                format!("{dir}/{name}")
            }
        })
        // judged by the repository-relative path, as the walk does
        .filter(|path| is_input(Path::new(path), markers))
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
