//! Finding the files to check: explicit files as given, folders walked with
//! `ignore` (so `.gitignore`, `.ignore` and hidden folders such as
//! `.terraform/` are skipped).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use drlint::markers::MarkerNames;
use ignore::WalkState;

/// Whether drlint reads this file: Terraform, the variables files Terraform
/// loads by itself, Kubernetes namespace manifests (for production status),
/// and the marker files the rules name (`APPLY_PIPELINE_SKIP_THIS_NAMESPACE`).
pub fn is_input(path: &Path, markers: &MarkerNames) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name.ends_with(".tf")
        || drlint::vars::is_auto_tfvars(name)
        || name == drlint::namespace::NAMESPACE_FILE
        || markers.wants(name)
        || path.to_str().is_some_and(drlint::helm::is_helm_input)
}

/// The files under `paths`, sorted and without repeats. A path that does not
/// exist is an error (exit 2). Folders are walked in parallel.
pub fn discover(paths: &[PathBuf], markers: &MarkerNames) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_file() {
            // a file is checked with the rest of its module folder (pre-commit passes files)
            files.push(path.clone());
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if let Ok(entries) = std::fs::read_dir(dir) {
                files.extend(
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.is_file() && is_input(p, markers))
                        .map(|p| {
                            if path.parent().is_some_and(|d| d.as_os_str().is_empty()) {
                                PathBuf::from(p.file_name().unwrap_or_default())
                            } else {
                                p
                            }
                        }),
                );
            }
            continue;
        }
        if !path.is_dir() {
            return Err(format!("{}: no such file or directory", path.display()));
        }
        let found = Mutex::new(Vec::new());
        let failure = Mutex::new(None);
        ignore::WalkBuilder::new(path).build_parallel().run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry)
                        if entry.file_type().is_some_and(|t| t.is_file())
                            && is_input(entry.path(), markers) =>
                    {
                        found.lock().expect("not poisoned").push(entry.into_path());
                    }
                    Ok(_) => {}
                    Err(e) => {
                        failure
                            .lock()
                            .expect("not poisoned")
                            .get_or_insert(e.to_string());
                        return WalkState::Quit;
                    }
                }
                WalkState::Continue
            })
        });
        if let Some(e) = failure.into_inner().expect("not poisoned") {
            return Err(e);
        }
        files.extend(found.into_inner().expect("not poisoned"));
    }
    files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    files.dedup();
    Ok(files)
}

/// The path as users see it: relative as given, `./` dropped, `/` separators.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_owned()
}

/// Remote modules that `terraform init` fetched for the root folders among
/// `files` (from `.terraform/modules/modules.json`), and their `.tf` files.
pub fn fetched_modules(files: &[PathBuf]) -> (Vec<PathBuf>, Vec<drlint::FetchedModule>) {
    let mut roots: Vec<&Path> = files.iter().filter_map(|f| f.parent()).collect();
    roots.sort_unstable();
    roots.dedup();
    let mut extra = Vec::new();
    let mut modules = Vec::new();
    for root in roots {
        let manifest = root.join(".terraform/modules/modules.json");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
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
            let Ok(listing) = std::fs::read_dir(&module_dir) else {
                continue;
            };
            let mut tf: Vec<PathBuf> = listing
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "tf"))
                .collect();
            tf.sort();
            extra.extend(tf);
            modules.push(drlint::FetchedModule {
                root: dir_display(root),
                key: key.to_owned(),
                dir: dir_display(&module_dir),
            });
        }
    }
    (extra, modules)
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
    inputs: Vec<drlint::Input>,
    include: &[String],
    exclude: &[String],
    root: &str,
) -> Result<Vec<drlint::Input>, String> {
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
        for entry in ignore::WalkBuilder::new(path).build().flatten() {
            let p = entry.path();
            let yaml = p.extension().is_some_and(|e| e == "yaml" || e == "yml");
            if !yaml || !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let shown = display_path(p);
            if drlint::config::relative_to_root(&shown, root).is_some_and(|r| set.is_match(r)) {
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
            let Some(relative) = drlint::config::relative_to_root(&shown, root) else {
                return true; // outside the configuration's folder: not its business
            };
            (include.is_empty() || include_set.is_match(relative))
                && !exclude_set.is_match(relative)
        })
        .collect())
}
