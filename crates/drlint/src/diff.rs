//! PR mode: the lines a change added or edited, and findings placed on them.
//!
//! GitHub shows a code-scanning alert or an annotation in a pull request only
//! when its lines are among the lines the pull request added or edited. A new
//! finding often starts from an untouched line (the module call, a variable's
//! default) and has the edited line among its secondary labels (the `.tfvars`
//! value that turned protection off). Such a finding is placed on the edited
//! line, and its old primary location becomes a secondary one, so that the
//! reviewer sees it where the change is.

use std::collections::HashMap;
use std::ops::{Range, RangeInclusive};
use std::sync::Arc;

use crate::check::Report;
use crate::finding::{Related, Status};
use crate::source::SourceFile;

/// Per file (display paths, as findings name them): the 1-based line ranges
/// the change added or edited.
#[derive(Debug, Clone, Default)]
pub struct ChangedLines {
    files: HashMap<String, Vec<RangeInclusive<usize>>>,
}

impl ChangedLines {
    /// Records that `count` lines from `first` (1-based) are new or edited in `path`.
    pub fn add(&mut self, path: &str, first: usize, count: usize) {
        if count == 0 {
            return;
        }
        self.files
            .entry(path.to_owned())
            .or_default()
            .push(first..=first + count - 1);
    }

    /// Records that every line of `path` is new (an added or untracked file).
    pub fn add_file(&mut self, path: &str) {
        self.add(path, 1, usize::MAX / 2);
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn line_changed(&self, path: &str, line: usize) -> bool {
        self.files
            .get(path)
            .is_some_and(|ranges| ranges.iter().any(|r| r.contains(&line)))
    }

    /// Whether every line of `span` in `file` was added or edited.
    pub fn covers(&self, file: &SourceFile, span: &Range<usize>) -> bool {
        let first = file.line_col(span.start).line;
        let last = file.span_end(span).line.max(first);
        (first..=last).all(|line| self.line_changed(&file.path, line))
    }
}

/// The files that placing the new findings looks at: the files of their
/// primary and secondary locations (display paths, sorted, each once).
pub fn files_to_place(report: &Report) -> Vec<String> {
    let mut files: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.status == Some(Status::New))
        .flat_map(|f| std::iter::once(&f.file).chain(f.related.iter().map(|r| &r.file)))
        .map(|file| file.path.clone())
        .collect();
    files.sort_unstable();
    files.dedup();
    files
}

/// Places each new finding whose primary location is not on a changed line
/// on the first of its secondary locations that is; the primary location
/// becomes a secondary one, with the primary label as its message. A finding
/// keeps its fingerprint (its identity does not depend on where it is shown).
pub fn place_on_changed_lines(report: &mut Report, changed: &ChangedLines) {
    if changed.is_empty() {
        return;
    }
    for f in &mut report.findings {
        if f.status != Some(Status::New) || changed.covers(&f.file, &f.span) {
            continue;
        }
        let Some(i) = f
            .related
            .iter()
            .position(|r| changed.covers(&r.file, &r.span))
        else {
            continue;
        };
        let edited = f.related.remove(i);
        let origin = Related {
            file: Arc::clone(&f.file),
            span: f.span.clone(),
            message: f
                .label
                .clone()
                .unwrap_or_else(|| "the finding is about this block".to_owned()),
        };
        f.file = edited.file;
        f.span = edited.span;
        f.label = Some(edited.message);
        f.related.insert(0, origin);
    }
    crate::finding::sort(&mut report.findings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_is_covered_only_when_all_its_lines_changed() {
        let file = SourceFile::new("a.tf", "one\ntwo\nthree\nfour\n");
        let mut changed = ChangedLines::default();
        changed.add("a.tf", 2, 2);
        let line = |n: usize| {
            let start = file.line_start(n);
            start..start + 3
        };
        assert!(!changed.covers(&file, &line(1)));
        assert!(changed.covers(&file, &line(2)));
        assert!(changed.covers(&file, &line(3)));
        assert!(!changed.covers(&file, &(file.line_start(2)..file.line_start(4) + 2)));
        assert!(changed.covers(&file, &(file.line_start(2)..file.line_start(3) + 5)));
        changed.add_file("b.tf");
        let other = SourceFile::new("b.tf", "x\ny\n");
        assert!(changed.covers(&other, &(0..3)));
        changed.add("c.tf", 5, 0);
        assert!(!changed.covers(&SourceFile::new("c.tf", "x"), &(0..1)));
    }
}
