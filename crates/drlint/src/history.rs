//! Age from history, for rules with a `max_age_days` option, which become
//! errors beyond it ("the snapshot has lingered for 63 days").
//!
//! The age is the *value's*, not the line's: the walk re-checks the finding's
//! module folder at each commit that touched it, newest first, and goes back
//! while the same finding (same rule, same subject address, same message)
//! still holds. The age is the date of the oldest commit of that unbroken run.
//! So a whitespace edit, a reformat or a moved line keeps the age; deleting
//! `deletion_protection = true` (the default `false` applies from then on)
//! starts it; and a folder copied from another path continues with the
//! source's history (the CLI finds the copy and yields its versions).
//!
//! Why a walk per folder rather than `git blame`: blame dates a *line*, so
//! it cannot age an absent value (the finding points at the block's header,
//! written long before protection was deleted), loses the age on any edit of
//! the line, and costs one history walk per file (5.5 s each on a
//! 84,000-commit repository without a commit-graph). The walk needs one
//! `git log` per folder (or one for all folders), and reads each version's
//! few files from one long-lived `git cat-file --batch`; checking a folder
//! takes about a millisecond. This module holds the logic (which findings
//! need an age, the walk over versions, applying the ages); the git I/O is
//! `workspace/ages.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::check::{Checker, Input, Report};
use crate::finding::Finding;
use crate::rules::{Rule, Severity};

pub const MAX_AGE_OPTION: &str = "max_age_days";

/// The commit where a finding's value became what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub commit: String,
    /// `YYYY-MM-DD` of the commit.
    pub date: String,
    /// The commit is the shallow-clone boundary: the value may be older.
    pub boundary: bool,
}

/// Since when a finding's value has been as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Since {
    /// The commit's date, `YYYY-MM-DD`.
    pub date: String,
    /// The commit that last set the value.
    pub commit: String,
    /// Days from then to the run's today.
    pub days: i64,
    /// True when history was cut (shallow clone): the age is at least this.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
}

/// A finding's age, or why it has none (untracked file, not a git repository,
/// `--no-history`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Age {
    /// Known from git history.
    Since(Since),
    /// Unknown, and why.
    Unknown(String),
}

/// What identifies a finding across the versions of its folder: rule,
/// subject address and message (before any age suffix), but not the path or
/// line, which a copy or an edit elsewhere in the file changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub rule: String,
    pub identity: String,
    pub message: String,
}

impl Key {
    /// A finding's identity across versions. A marker file's finding is the
    /// file being there: its message names the data stores of other folders,
    /// which a walk of the marker's folder does not read, so it is left out.
    pub fn of(f: &Finding, rules: &[Rule]) -> Key {
        let marker = rules
            .iter()
            .any(|r| r.id == f.rule && matches!(r.select, crate::rules::Select::Markers));
        Key {
            rule: f.rule.clone(),
            identity: f.identity.clone(),
            message: if marker {
                String::new()
            } else {
                f.message.clone()
            },
        }
    }
}

/// The folder of a display path (`.` for a bare file name).
pub fn folder(path: &str) -> &str {
    path.rsplit_once('/').map_or(".", |(d, _)| d)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn days_from_civil(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn aged_rules(rules: &[Rule]) -> Vec<&str> {
    rules
        .iter()
        .filter(|r| r.options.contains_key(MAX_AGE_OPTION))
        .map(|r| r.id.as_str())
        .collect()
}

/// The findings whose age matters (their rule has `max_age_days`), by folder
/// (as the findings' display paths give it).
pub fn needing_history(report: &Report, rules: &[Rule]) -> BTreeMap<String, BTreeSet<Key>> {
    let aged = aged_rules(rules);
    let mut out: BTreeMap<String, BTreeSet<Key>> = BTreeMap::new();
    for f in report
        .findings
        .iter()
        .filter(|f| aged.contains(&f.rule.as_str()))
    {
        out.entry(folder(f.path()).to_owned())
            .or_default()
            .insert(Key::of(f, rules));
    }
    out
}

/// One version of a folder: the state after `commit`.
#[derive(Debug, Clone)]
pub struct Version {
    pub commit: String,
    /// Committer time, seconds since 1970.
    pub time: i64,
    /// The commit is a shallow-clone boundary (its parents are missing).
    pub boundary: bool,
    /// The folder's input files at this commit, or `None` when they are the
    /// same as the previous version's (the check is not run again).
    pub inputs: Option<Vec<Input>>,
}

/// Why a walk found no age for a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The newest version (the last commit that touched the folder) does not
    /// have the finding: it is not committed, or it does not come from this
    /// folder's files alone.
    NotCommitted,
}

/// Walks `versions` (newest first) and returns, per key, the oldest commit of
/// the unbroken run of versions that have the finding. A version with a
/// parse error neither has nor lacks it (a commit that broke the syntax, fixed
/// by the next one): the run goes on past it. Stops pulling versions once
/// every key's run has ended.
pub fn walk(
    checker: &Checker,
    keys: &BTreeSet<Key>,
    versions: impl IntoIterator<Item = Version>,
) -> BTreeMap<Key, Result<Origin, Missing>> {
    let mut out = BTreeMap::new();
    let mut alive: BTreeMap<&Key, Option<Origin>> = keys.iter().map(|k| (k, None)).collect();
    let mut present: BTreeSet<Key> = BTreeSet::new();
    let mut broken = false;
    for v in versions {
        if let Some(inputs) = v.inputs {
            let report = checker.check(inputs);
            broken = report
                .findings
                .iter()
                .any(|f| f.rule == crate::check::PARSE_ERROR);
            present = report
                .findings
                .iter()
                .map(|f| Key::of(f, checker.rules()))
                .filter(|k| keys.contains(k))
                .collect();
        }
        alive.retain(|key, origin| {
            if present.contains(*key) {
                *origin = Some(Origin {
                    commit: v.commit.clone(),
                    date: crate::suppress::civil_date(v.time.div_euclid(86_400)),
                    boundary: v.boundary,
                });
                true
            } else if broken && origin.is_some() {
                // a commit that broke the syntax says nothing: look past it
                true
            } else {
                out.insert((*key).clone(), origin.take().ok_or(Missing::NotCommitted));
                false
            }
        });
        if alive.is_empty() {
            break;
        }
    }
    // history ended (root commit or shallow boundary) while the runs held
    for (key, origin) in alive {
        out.insert(key.clone(), origin.ok_or(Missing::NotCommitted));
    }
    out
}

/// The ages found, by the findings' folder and key, or why there is none.
pub type Ages = HashMap<(String, Key), Result<Origin, String>>;

/// Gives every finding of a rule with `max_age_days` its age: from `ages`
/// (keyed by the finding's folder and key), else `Unknown(default_reason)`.
/// A finding beyond the rule's `max_age_days` (the configuration's value, if
/// any) becomes an error. The message says the age, or why there is none.
pub fn apply(
    report: &mut Report,
    ages: &Ages,
    rules: &[Rule],
    max_age: impl Fn(&str) -> Option<f64>,
    today: &str,
    default_reason: &str,
) {
    let aged = aged_rules(rules);
    let today_days = days_from_civil(today);
    for f in report
        .findings
        .iter_mut()
        .filter(|f| aged.contains(&f.rule.as_str()))
    {
        let found = ages.get(&(folder(f.path()).to_owned(), Key::of(f, rules)));
        let age = match found {
            Some(Ok(origin)) => match (days_from_civil(&origin.date), today_days) {
                (Some(d), Some(t)) => Age::Since(Since {
                    date: origin.date.clone(),
                    commit: origin.commit.chars().take(10).collect(),
                    days: t - d,
                    at_least: origin.boundary,
                }),
                _ => Age::Unknown(format!("bad date {}", origin.date)),
            },
            Some(Err(reason)) => Age::Unknown(reason.clone()),
            None => Age::Unknown(default_reason.to_owned()),
        };
        match &age {
            Age::Since(since) => {
                let plus = if since.at_least { " or more" } else { "" };
                f.message.push_str(&format!(
                    " (in place since {}, commit {}: {} days{plus})",
                    since.date, since.commit, since.days
                ));
                // a note stays a note: the rule judged the case advisory (a module
                // that cannot set the value, a marker the pipeline ignores)
                if let Some(limit) = max_age(&f.rule)
                    && since.days as f64 > limit
                    && f.severity != Severity::Note
                {
                    f.severity = Severity::Error;
                }
            }
            Age::Unknown(reason) => f.message.push_str(&format!(" (age unknown: {reason})")),
        }
        f.since = Some(age);
    }
}

#[cfg(test)]
mod tests;
