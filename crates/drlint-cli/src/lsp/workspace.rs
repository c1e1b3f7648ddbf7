//! What the server holds: the workspace folder, the linter built from its configuration, the
//! open buffers, and the last check of each folder group.
//!
//! A group is the folder drlint checks as one: the nearest folder above a file (inside the
//! workspace) that holds a `00-namespace.yaml`, whose production facts its Terraform reads, else
//! the file's own folder. A group is checked with [`drlint::Linter::inspect_sources`] over its
//! files on disk ([`drlint::Linter::read_sources`]: the library's discovery and safe reading)
//! with the open buffers in place of their files, so an edit to `variables.tf` changes the
//! diagnostics of `rds.tf`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use drlint::{Linter, Report, Source};

/// The last check of a group.
pub struct Analysis {
    pub report: Report,
    /// The files it checked (display paths, absolute).
    pub files: BTreeSet<String>,
    /// What it checked, for a comparison with git's `HEAD` (pr.rs).
    pub sources: Vec<Source>,
}

/// An open buffer.
pub struct Document {
    pub text: String,
}

pub struct Workspace {
    pub root: PathBuf,
    pub linter: Linter,
    /// Why the configuration could not be loaded, while the last good one (or none) is in use.
    pub config_error: Option<String>,
    pub documents: BTreeMap<PathBuf, Document>,
    pub analyses: BTreeMap<PathBuf, Analysis>,
    /// Groups whose buffers changed since their last check, with when the first change came.
    pub dirty: BTreeMap<PathBuf, Instant>,
    /// The files each group last published diagnostics for (to clear them later).
    pub published: BTreeMap<PathBuf, BTreeSet<String>>,
}

/// Whether drlint reads this file: Terraform, variables, namespace and Helm values files.
pub fn is_input(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".tf")
        || name.ends_with(".tfvars")
        || name.ends_with(".tfvars.json")
        || name.ends_with(".yaml")
        || name.ends_with(".yml")
}

/// Whether this file is the configuration (or a rule or profile it names): a reload.
pub fn is_config(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()) == Some(drlint::CONFIG_FILE)
}

/// The linter for the folder, with its configuration, or why that failed (then the built-in
/// rules without one).
pub fn build_linter(root: &Path) -> (Linter, Option<String>) {
    let mut builder = Linter::builder().discover_config(root);
    if let Ok(today) = std::env::var("DRLINT_TODAY") {
        builder = builder.today(today);
    }
    match builder.build() {
        Ok(linter) => (linter, None),
        Err(e) => {
            let fallback = Linter::builder()
                .no_config()
                .build()
                .expect("the built-in rules load");
            (fallback, Some(e.message().to_owned()))
        }
    }
}

impl Workspace {
    pub fn new(root: PathBuf) -> Workspace {
        let (linter, config_error) = build_linter(&root);
        Workspace {
            root,
            linter,
            config_error,
            documents: BTreeMap::new(),
            analyses: BTreeMap::new(),
            dirty: BTreeMap::new(),
            published: BTreeMap::new(),
        }
    }

    /// Whether the server may read this path: inside the workspace folder.
    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }

    /// The group of a file inside the workspace.
    pub fn group_of(&self, file: &Path) -> Option<PathBuf> {
        if !self.contains(file) {
            return None;
        }
        let dir = file.parent()?;
        let namespace = dir
            .ancestors()
            .take_while(|d| d.starts_with(&self.root))
            .find(|d| d.join("00-namespace.yaml").is_file());
        Some(namespace.unwrap_or(dir).to_path_buf())
    }

    /// Marks a file's group for checking.
    pub fn touch(&mut self, file: &Path) {
        if let Some(group) = self.group_of(file) {
            self.dirty.entry(group).or_insert_with(Instant::now);
        }
    }

    /// Every group that has an open buffer or was checked: all of them need a new check when
    /// the configuration changes.
    pub fn touch_all(&mut self) {
        let mut groups: BTreeSet<PathBuf> = self.analyses.keys().cloned().collect();
        let files: Vec<PathBuf> = self.documents.keys().cloned().collect();
        groups.extend(files.iter().filter_map(|f| self.group_of(f)));
        for g in groups {
            self.dirty.entry(g).or_insert_with(Instant::now);
        }
    }

    /// Reloads the configuration (and the rules and profiles it names).
    pub fn reload(&mut self) {
        (self.linter, self.config_error) = build_linter(&self.root);
        self.touch_all();
    }

    /// Checks a group: its files on disk, the open buffers in their place.
    pub fn analyse(&mut self, group: &Path) -> &Analysis {
        // the folder gone, or unreadable: the open buffers alone
        let mut sources: Vec<Source> = self.linter.read_sources(&[group]).unwrap_or_default();
        for (path, doc) in self.documents.range(group.to_path_buf()..) {
            if !path.starts_with(group) {
                break;
            }
            if !is_input(path) || self.group_of(path).as_deref() != Some(group) {
                continue;
            }
            let shown = path.display().to_string();
            let buffer = Source::new(shown.clone(), doc.text.as_bytes().to_vec());
            match sources.iter_mut().find(|s| s.path() == shown) {
                Some(source) => *source = buffer,
                // a Terraform buffer not on disk yet; a YAML one is read only once saved,
                // where discovery decides whether it is a values file
                None if !shown.ends_with(".yaml") && !shown.ends_with(".yml") => {
                    sources.push(buffer);
                }
                None => {}
            }
        }
        let files = sources.iter().map(|s| s.path().to_owned()).collect();
        let kept = sources.clone();
        let linter = &self.linter;
        // the library never panics on its inputs (fuzzed); if it ever did, the server lives on
        let report = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            linter.inspect_sources(sources)
        }))
        .unwrap_or_default();
        self.dirty.remove(group);
        self.analyses.insert(
            group.to_path_buf(),
            Analysis {
                report,
                files,
                sources: kept,
            },
        );
        &self.analyses[group]
    }

    /// The up-to-date check of a file's group (checked now if it is out of date).
    pub fn analysis_of(&mut self, file: &Path) -> Option<&Analysis> {
        let group = self.group_of(file)?;
        if self.dirty.contains_key(&group) || !self.analyses.contains_key(&group) {
            self.analyse(&group);
        }
        self.analyses.get(&group)
    }
}
