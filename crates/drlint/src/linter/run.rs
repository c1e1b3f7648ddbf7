//! The runs of a [`Linter`]: files on disk, sources in memory, a change in git.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Change, Error, Linter, Notice, Source};
use crate::check::{Input, Report};
use crate::workspace::discover;
use crate::workspace::inputs::{Reader, Roots};
use crate::workspace::revisions::{self, Compare};
use crate::{Checker, Settings};

/// Phase timings, for `--timings`.
struct Laps {
    phases: Vec<(&'static str, Duration)>,
    lap: Instant,
}

impl Laps {
    fn start() -> Laps {
        Laps {
            phases: Vec::new(),
            lap: Instant::now(),
        }
    }

    fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.lap));
        self.lap = now;
    }
}

/// The paths of a run as a message names them.
fn shown_paths(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    shown.join(", ")
}

impl Linter {
    fn checker(&self, settings: Settings) -> Checker {
        Checker::with_settings(self.rules.clone(), self.project.profiles.clone(), settings)
    }

    /// Checks the files under these paths (files or folders): `.tf`, `.tfvars`,
    /// `.tfvars.json`, `00-namespace.yaml`, marker files and Helm values, with `.gitignore`
    /// honoured. Only regular files inside the paths' repositories are read, within the size
    /// limit; what is not read is an `input-skipped` finding.
    ///
    /// ```no_run
    /// let linter = drlint::Linter::builder().history(true).build()?;
    /// let report = linter.check_paths(&["namespaces/"])?;
    /// for finding in report.findings() {
    ///     println!("{}:{} {}", finding.path(), finding.start().line, finding.message);
    /// }
    /// # Ok::<(), drlint::Error>(())
    /// ```
    pub fn check_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Report, Error> {
        self.run_paths(paths, false)
    }

    /// Like [`check_paths`](Self::check_paths), recording every data store with its effective
    /// attributes (`drlint inspect`; render with [`crate::report::render_inspection`]).
    pub fn inspect_paths<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Report, Error> {
        self.run_paths(paths, true)
    }

    /// The configuration's folder as this run's display paths spell it: absolute when the
    /// paths are all absolute (their files are shown absolute), else relative to the current
    /// folder.
    fn config_root(&self, paths: &[PathBuf]) -> Option<String> {
        let c = self.project.config.as_ref()?;
        let all_absolute = !paths.is_empty() && paths.iter().all(|p| p.is_absolute());
        match c.absolute_root() {
            Some(absolute) if all_absolute => Some(absolute),
            _ => Some(c.root.clone()),
        }
    }

    /// The settings of a run: the linter's, with its plan.
    fn run_settings(&self) -> Settings {
        let mut settings = self.settings.clone();
        settings.plan = self.plan.clone().map(crate::plan::PlanRun::new);
        settings
    }

    fn run_paths<P: AsRef<Path>>(&self, paths: &[P], inspect: bool) -> Result<Report, Error> {
        let mut laps = Laps::start();
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
        if paths.is_empty() && self.plan.is_some() {
            // the plan alone: no code to read
            let mut report = self.checker(self.run_settings()).check(Vec::new());
            laps.mark("check");
            if !inspect {
                self.add_ages(&mut report);
            }
            report.timings = laps.phases;
            return Ok(report);
        }
        let project = &self.project;
        let root = self.config_root(&paths).unwrap_or_default();
        let found = discover::discover(&paths, &self.markers)?;
        let (mut files, mut skipped) = (found.files, found.skipped);
        if let Some(c) = &project.config {
            let (include, exclude) = (&c.config.include, &c.config.exclude);
            files = discover::filter_globs(files, include, exclude, &root)?;
            skipped = discover::filter_inputs(skipped, include, exclude, &root)?;
        }
        // inputs are read inside the checked paths' repositories (else the paths)
        let limit = self.max_file_size;
        let reader = Reader {
            roots: Roots::of_paths(&paths),
            limit,
        };
        // the values files of configured releases and `helm.values` globs, wherever they
        // are in the configuration's folder
        let config_reader = match &project.config {
            Some(c) => Reader {
                roots: reader.roots.with(&c.dir),
                limit,
            },
            None => reader.clone(),
        };
        let mut extra: Vec<PathBuf> = self
            .settings
            .helm
            .releases
            .iter()
            .flat_map(|r| r.values.iter().map(PathBuf::from))
            .collect();
        if let Some(c) = project
            .config
            .as_ref()
            .filter(|c| !c.config.helm.values.is_empty())
        {
            extra.extend(discover::matching_values(
                &paths,
                &c.config.helm.values,
                &root,
            )?);
        }
        let mut from_config = Vec::new();
        for path in extra {
            let shown = discover::display_path(&path);
            let exists = std::fs::symlink_metadata(&path).is_ok() && !path.is_dir();
            if exists && !files.iter().any(|f| discover::display_path(f) == shown) {
                files.push(path.clone());
                from_config.push(path);
            }
        }
        let mut notices = Vec::new();
        if files.is_empty() && skipped.is_empty() {
            notices.push(Notice::plain(format!(
                "no input files found in {} (drlint reads .tf, .tfvars, .tfvars.json, 00-namespace.yaml, and Helm values in helm_deploy/, helm/, deploy/ and charts/ folders; .gitignore is honoured)",
                shown_paths(&paths)
            )));
        }
        let (fetched_files, fetched_modules, manifest_problems) =
            discover::fetched_modules(&files, &reader);
        files.extend(fetched_files);
        skipped.extend(manifest_problems);
        let files = discover::dedupe(files);
        laps.mark("discover");
        let mut inputs = discover::read_all(&files, &reader, &config_reader, &from_config);
        inputs.extend(skipped);
        laps.mark("read");
        let mut settings = self.run_settings();
        settings.fetched_modules = fetched_modules;
        settings.inspect = inspect;
        if let Some((_, shown)) = &mut settings.config {
            shown.clone_from(&root);
        }
        let mut report = self.checker(settings).check(inputs);
        laps.mark("check");
        report.notices = notices;
        if !inspect {
            self.add_ages(&mut report);
            laps.mark("history");
        }
        report.timings = laps.phases;
        Ok(report)
    }

    /// Checks files held in memory, as one tree: no discovery, no reading, no history. For
    /// editors and tools that hold files. Files in the same folder form one module, as on
    /// disk; a local module (`source = "./modules/db"`) is found among the sources.
    pub fn check_sources(&self, sources: impl IntoIterator<Item = Source>) -> Report {
        let inputs: Vec<Input> = sources.into_iter().map(|s| s.input).collect();
        self.checker(self.run_settings()).check(inputs)
    }

    /// The inputs [`check_paths`](Self::check_paths) would read under these paths, found and
    /// read as it finds and reads them (`.gitignore` and the configuration's `include` and
    /// `exclude` honoured; only regular files inside the paths' repositories, within the size
    /// limit; a file not read is a source that reports why), for a caller that replaces some
    /// with its own before [`check_sources`](Self::check_sources): an editor's unsaved buffers.
    /// Paths are shown as `check_paths` shows them (absolute for absolute paths).
    pub fn read_sources<P: AsRef<Path>>(&self, paths: &[P]) -> Result<Vec<Source>, Error> {
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let root = self.config_root(&paths).unwrap_or_default();
        let found = discover::discover(&paths, &self.markers)?;
        let (mut files, mut skipped) = (found.files, found.skipped);
        if let Some(c) = &self.project.config {
            let (include, exclude) = (&c.config.include, &c.config.exclude);
            files = discover::filter_globs(files, include, exclude, &root)?;
            skipped = discover::filter_inputs(skipped, include, exclude, &root)?;
        }
        let reader = Reader {
            roots: Roots::of_paths(&paths),
            limit: self.max_file_size,
        };
        let files = discover::dedupe(files);
        let mut inputs = discover::read_all(&files, &reader, &reader, &[]);
        inputs.extend(skipped);
        Ok(inputs.into_iter().map(|input| Source { input }).collect())
    }

    /// Like [`check_sources`](Self::check_sources), recording every data store with its
    /// effective attributes: [`Report::provenance`] then says where each value comes from
    /// (an editor's hover).
    pub fn inspect_sources(&self, sources: impl IntoIterator<Item = Source>) -> Report {
        let inputs: Vec<Input> = sources.into_iter().map(|s| s.input).collect();
        let mut settings = self.settings.clone();
        settings.inspect = true;
        self.checker(settings).check(inputs)
    }

    /// PR mode in memory: checks the base and the head, and marks each head finding new or
    /// existing; a base finding gone at the head is in [`Report::fixed`]. The change rules
    /// (a data store removed or renamed, a snapshot identifier changed) compare the two.
    ///
    /// ```
    /// use drlint::{Linter, Source};
    ///
    /// let linter = Linter::builder().no_config().build()?;
    /// let db = |name: &str| format!(
    ///     "resource \"aws_db_instance\" \"{name}\" {{\n  engine = \"postgres\"\n}}\n");
    /// let report = linter.compare(
    ///     [Source::new("orders/rds.tf", db("orders"))],
    ///     [Source::new("orders/rds.tf", db("orders_v2"))],
    /// );
    /// assert!(report.findings().iter().any(|f| f.rule == "data-store-renamed"));
    /// # Ok::<(), drlint::Error>(())
    /// ```
    pub fn compare(
        &self,
        base: impl IntoIterator<Item = Source>,
        head: impl IntoIterator<Item = Source>,
    ) -> Report {
        self.pair(
            base.into_iter().map(|s| s.input).collect(),
            head.into_iter().map(|s| s.input).collect(),
        )
    }

    /// Checks the base and the head (the plan, if any, with the head) and pairs them.
    fn pair(&self, base_inputs: Vec<Input>, head_inputs: Vec<Input>) -> Report {
        let mut settings = self.settings.clone();
        settings.inspect = true;
        let checker = self.checker(settings.clone());
        let base_report = checker.check(base_inputs);
        // the plan is the head's: a change whose block is gone is located at the base
        let head_report = match &self.plan {
            Some(plan) => {
                settings.plan = Some(crate::plan::PlanRun::with_base(plan.clone(), &base_report));
                self.checker(settings).check(head_inputs)
            }
            None => checker.check(head_inputs),
        };
        let mut report = crate::pr::compare(&checker, base_report, head_report);
        crate::plan::supersede_inferred(&mut report, checker.rules());
        report
    }

    /// PR mode from git: the module folders under `paths` that the change touches, at the
    /// base (from git) and at the head (the working tree, or the index for
    /// [`Change::Staged`]); new findings are placed on the lines the change added or edited
    /// when they have a related location there. Runs `git` in the current folder, which must
    /// be inside the repository.
    pub fn check_change<P: AsRef<Path>>(
        &self,
        change: &Change,
        paths: &[P],
    ) -> Result<Report, Error> {
        let mut laps = Laps::start();
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let compare = match change {
            Change::Base(base) => Compare::Base(base),
            Change::Staged => Compare::Staged,
        };
        let (mut base_inputs, mut head_inputs) =
            revisions::inputs(compare, &paths, &self.markers, self.max_file_size)?;
        if let Some(c) = &self.project.config {
            let (include, exclude) = (&c.config.include, &c.config.exclude);
            base_inputs = discover::filter_inputs(base_inputs, include, exclude, &c.root)?;
            head_inputs = discover::filter_inputs(head_inputs, include, exclude, &c.root)?;
        }
        let mut notices = Vec::new();
        if base_inputs.is_empty() && head_inputs.is_empty() {
            notices.push(Notice::plain(format!(
                "{} touches no input files in {}",
                compare.describe(),
                shown_paths(&paths)
            )));
        }
        laps.mark("git");
        let mut report = self.pair(base_inputs, head_inputs);
        let changed = revisions::changed_lines(&compare, &crate::diff::files_to_place(&report))?;
        laps.mark("check");
        report.notices = notices;
        self.add_ages(&mut report);
        laps.mark("history");
        // new findings are shown where the change is (GitHub shows an alert in a pull
        // request only on the lines it added or edited); after the ages, which are looked
        // up in the finding's own folder
        crate::diff::place_on_changed_lines(&mut report, &changed);
        report.timings = laps.phases;
        Ok(report)
    }

    /// The ages from git history of the findings that have a `max_age_days`, or why they
    /// are unknown (history off, not a git repository).
    fn add_ages(&self, report: &mut Report) {
        let mut notices = Vec::new();
        let ages = if self.history {
            let checker = self.checker(self.settings.clone());
            crate::workspace::ages::ages(
                report,
                &self.project.rules,
                &checker,
                &self.markers,
                &mut notices,
            )
        } else {
            Err("history off".to_owned())
        };
        report.notices.extend(notices);
        let (mut ages, reason) = match ages {
            Ok(ages) => (ages, String::new()),
            Err(reason) => (Default::default(), reason),
        };
        // a value the plan gives has no age in git
        crate::plan::no_ages(report, &self.project.rules, &mut ages);
        let today = self
            .settings
            .today
            .clone()
            .unwrap_or_else(crate::suppress::today);
        let project = &self.project;
        let max_age = |rule_id: &str| super::builder::max_age_days(project, rule_id);
        crate::history::apply(report, &ages, &project.rules, max_age, &today, &reason);
    }
}
