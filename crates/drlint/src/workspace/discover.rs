//! Finding the files to check: explicit files as given, folders walked with
//! `ignore` (so `.gitignore` and hidden folders such as `.terraform/` are skipped;
//! `.ignore` files are not honoured, as Terraform does not honour them). Symbolic
//! links to files are listed like files (the reader follows them only inside the
//! checked tree, [`crate::workspace::inputs`]); links to folders are not walked. What cannot be
//! listed (an unreadable folder) is reported, and the rest goes on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::Input;
use crate::markers::MarkerNames;
use ignore::WalkState;

use crate::workspace::inputs::Reader;

/// Whether drlint reads this file: Terraform, the variables files Terraform
/// loads by itself, Kubernetes namespace manifests (for production status),
/// and the marker files the rules name (`APPLY_PIPELINE_SKIP_THIS_NAMESPACE`).
/// A name that is not UTF-8 is judged with its bad bytes replaced (and then
/// reported as a name that cannot be shown, rather than dropped).
pub fn is_input(path: &Path, markers: &MarkerNames) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.to_string_lossy();
    name.ends_with(".tf")
        || crate::vars::is_auto_tfvars(&name)
        || name == crate::namespace::NAMESPACE_FILE
        || markers.wants(&name)
        || crate::helm::is_helm_input(&path.to_string_lossy())
}

/// Files found, and what could not be listed (an [`Input`] whose content is why).
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    pub skipped: Vec<Input>,
}

/// An input that was not read, reported as `input-skipped`.
pub fn skipped(path: &Path, reason: impl Into<String>) -> Input {
    Input {
        path: display_path(path),
        content: Err(reason.into()),
    }
}

/// The path and message of a walk error, innermost first.
fn walk_error(e: &ignore::Error) -> (Option<&Path>, String) {
    match e {
        ignore::Error::WithPath { path, err } => (Some(path), walk_error(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(err)
        }
        ignore::Error::Partial(errors) => match errors.first() {
            Some(first) => walk_error(first),
            None => (None, e.to_string()),
        },
        ignore::Error::Loop { child, ancestor } => (
            Some(child),
            format!("a symbolic link loop back to `{}`", ancestor.display()),
        ),
        other => (None, other.to_string()),
    }
}

/// The files under `paths`, sorted and without repeats. A path that does not
/// exist is an error (exit 2). Folders are walked in parallel.
pub fn discover(paths: &[PathBuf], markers: &MarkerNames) -> Result<Found, String> {
    let mut found = Found::default();
    for path in paths {
        if std::fs::symlink_metadata(path).is_err() {
            return Err(format!("{}: no such file or directory", path.display()));
        }
        if !path.is_dir() {
            // a file is checked with the rest of its module folder (pre-commit passes
            // files); what it is (a pipe, a link out of the tree) the reader says
            found.files.push(path.clone());
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let entries = match std::fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(e) => {
                    found
                        .skipped
                        .push(skipped(dir, format!("the folder cannot be read: {e}")));
                    continue;
                }
            };
            found.files.extend(
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                    .map(|e| e.path())
                    .filter(|p| is_input(p, markers))
                    .map(|p| {
                        if path.parent().is_some_and(|d| d.as_os_str().is_empty()) {
                            PathBuf::from(p.file_name().unwrap_or_default())
                        } else {
                            p
                        }
                    }),
            );
            continue;
        }
        let files = Mutex::new(Vec::new());
        let problems = Mutex::new(Vec::new());
        ignore::WalkBuilder::new(path)
            // Terraform reads what git has; `.ignore` (ripgrep's) is not its business
            .ignore(false)
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    match entry {
                        Ok(entry)
                            if entry.file_type().is_some_and(|t| !t.is_dir())
                                && is_input(entry.path(), markers) =>
                        {
                            files.lock().expect("not poisoned").push(entry.into_path());
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let (at, message) = walk_error(&e);
                            let at = at.unwrap_or(path);
                            let what = if at.is_dir() {
                                "the folder cannot be read"
                            } else {
                                "it cannot be read"
                            };
                            problems
                                .lock()
                                .expect("not poisoned")
                                .push(skipped(at, format!("{what}: {message}")));
                        }
                    }
                    WalkState::Continue
                })
            });
        found
            .files
            .extend(files.into_inner().expect("not poisoned"));
        found
            .skipped
            .extend(problems.into_inner().expect("not poisoned"));
    }
    found
        .files
        .sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    found.files.dedup();
    found.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    found.skipped.dedup_by(|a, b| a.path == b.path);
    Ok(found)
}

/// The files without repeats: a file reached twice through the same folder
/// (`drlint check main.tf .`, `app/../app`) once, by its folder's real path and its
/// name; the shortest display path is kept. A file linked into another folder stays:
/// Terraform reads it as that folder's file. Sorted by display path.
pub fn dedupe(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut real_dirs: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let mut shown: Vec<(String, PathBuf)> =
        files.into_iter().map(|f| (display_path(&f), f)).collect();
    shown.sort_by(|a, b| (a.0.len(), &a.0).cmp(&(b.0.len(), &b.0)));
    let mut seen = std::collections::HashSet::new();
    shown.retain(|(shown, file)| {
        let dir = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let real = real_dirs
            .entry(dir.to_path_buf())
            .or_insert_with(|| dir.canonicalize().ok())
            .clone();
        let key = match (real, file.file_name()) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => PathBuf::from(shown),
        };
        seen.insert(key)
    });
    shown.sort_by(|a, b| a.0.cmp(&b.0));
    shown.into_iter().map(|(_, file)| file).collect()
}

/// The path as users see it: relative as given, `./` dropped, `/` separators. On
/// Unix a backslash is part of a name, and bytes that are not UTF-8 are written
/// `\xNN`: the checker reports such a path as a name it cannot show.
pub fn display_path(path: &Path) -> String {
    #[cfg(unix)]
    let s = {
        use std::os::unix::ffi::OsStrExt;
        let mut s = String::new();
        for chunk in path.as_os_str().as_bytes().utf8_chunks() {
            s.push_str(chunk.valid());
            for b in chunk.invalid() {
                s.push_str(&format!("\\x{b:02X}"));
            }
        }
        s
    };
    #[cfg(not(unix))]
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_owned()
}

/// Reads the files (in parallel): an input each, its content the bytes or why they
/// were not read. A path that cannot be shown is not read at all.
pub fn read_all(
    files: &[PathBuf],
    reader: &Reader,
    config_reader: &Reader,
    extra: &[PathBuf],
) -> Vec<Input> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map(|path| {
            let shown = display_path(path);
            let reader = if extra.contains(path) {
                config_reader
            } else {
                reader
            };
            let content = if shown.contains('\\') {
                Err(String::new())
            } else {
                reader.read(path).map_err(|e| e.reason)
            };
            Input {
                path: shown,
                content,
            }
        })
        .collect()
}

/// Remote modules that `terraform init` fetched for the root folders among
/// `files` (from `.terraform/modules/modules.json`), and their `.tf` files. A
/// manifest that cannot be read, or that names a folder outside the checked tree,
/// is reported (nothing outside is read).
pub fn fetched_modules(
    files: &[PathBuf],
    reader: &Reader,
) -> (Vec<PathBuf>, Vec<crate::FetchedModule>, Vec<Input>) {
    let mut roots: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    roots.sort_unstable();
    roots.dedup();
    let mut extra = Vec::new();
    let mut modules = Vec::new();
    let mut problems = Vec::new();
    for root in roots {
        let manifest = root.join(".terraform/modules/modules.json");
        let bytes = match reader.read(&manifest) {
            Ok(bytes) => bytes,
            Err(e) if e.missing => continue,
            Err(e) => {
                problems.push(skipped(&manifest, e.reason));
                continue;
            }
        };
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            continue;
        };
        let Some(entries) = json.get("Modules").and_then(|m| m.as_array()) else {
            continue;
        };
        for entry in entries {
            let (Some(key), Some(dir)) = (
                entry.get("Key").and_then(|k| k.as_str()),
                entry.get("Dir").and_then(|d| d.as_str()),
            ) else {
                continue;
            };
            if key.is_empty() {
                continue;
            }
            let module_dir = root.join(dir);
            match reader.inside(&module_dir) {
                Ok(_) => {}
                Err(e) if e.missing => continue,
                Err(e) => {
                    problems.push(skipped(
                        &manifest,
                        format!("the folder of module `{key}`, `{dir}`: {}", e.reason),
                    ));
                    continue;
                }
            }
            let listing = match std::fs::read_dir(&module_dir) {
                Ok(listing) => listing,
                Err(e) => {
                    problems.push(skipped(
                        &module_dir,
                        format!("the folder cannot be read: {e}"),
                    ));
                    continue;
                }
            };
            let mut tf: Vec<PathBuf> = listing
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().ends_with(".tf"))
                })
                .collect();
            tf.sort();
            extra.extend(tf);
            modules.push(crate::FetchedModule {
                root: dir_display(root),
                key: key.to_owned(),
                dir: dir_display(&module_dir),
            });
        }
    }
    (extra, modules, problems)
}

/// A folder's display path, as the library names module directories.
fn dir_display(dir: &Path) -> String {
    let s = display_path(dir);
    let s = s.trim_end_matches('/');
    if s.is_empty() || s == "." {
        ".".to_owned()
    } else {
        s.to_owned()
    }
}

/// [`filter_globs`] for inputs already read (PR mode).
pub fn filter_inputs(
    inputs: Vec<crate::Input>,
    include: &[String],
    exclude: &[String],
    root: &str,
) -> Result<Vec<crate::Input>, String> {
    let keep: std::collections::HashSet<PathBuf> = filter_globs(
        inputs.iter().map(|i| PathBuf::from(&i.path)).collect(),
        include,
        exclude,
        root,
    )?
    .into_iter()
    .collect();
    Ok(inputs
        .into_iter()
        .filter(|i| keep.contains(Path::new(&i.path)))
        .collect())
}

/// The YAML files under `paths` whose path relative to the configuration's
/// folder `root` matches one of `globs` (the configuration's `helm.values`).
pub fn matching_values(
    paths: &[PathBuf],
    globs: &[String],
    root: &str,
) -> Result<Vec<PathBuf>, String> {
    let mut set = globset::GlobSetBuilder::new();
    for g in globs {
        set.add(globset::Glob::new(g).map_err(|e| format!("helm.values glob `{g}`: {e}"))?);
    }
    let set = set.build().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for path in paths {
        for entry in ignore::WalkBuilder::new(path)
            .ignore(false)
            .build()
            .flatten()
        {
            let p = entry.path();
            let yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !yaml || entry.file_type().is_none_or(|t| t.is_dir()) {
                continue;
            }
            let shown = display_path(p);
            if crate::config::relative_to_root(&shown, root).is_some_and(|r| set.is_match(r)) {
                out.push(p.to_path_buf());
            }
        }
    }
    Ok(out)
}

/// Keeps the files matching an `include` glob (when there are any) and no
/// `exclude` glob; globs are relative to the configuration's folder `root`.
pub fn filter_globs(
    files: Vec<PathBuf>,
    include: &[String],
    exclude: &[String],
    root: &str,
) -> Result<Vec<PathBuf>, String> {
    let build = |globs: &[String]| -> Result<globset::GlobSet, String> {
        let mut set = globset::GlobSetBuilder::new();
        for g in globs {
            set.add(globset::Glob::new(g).map_err(|e| format!("glob `{g}`: {e}"))?);
        }
        set.build().map_err(|e| e.to_string())
    };
    let (include_set, exclude_set) = (build(include)?, build(exclude)?);
    Ok(files
        .into_iter()
        .filter(|f| {
            let shown = display_path(f);
            let Some(relative) = crate::config::relative_to_root(&shown, root) else {
                return true; // outside the configuration's folder: not its business
            };
            (include.is_empty() || include_set.is_match(relative))
                && !exclude_set.is_match(relative)
        })
        .collect())
}
