//! Age from history: since when a finding's line has been as it is (from
//! `git blame`), for rules with a `max_age_days` option, which become errors
//! beyond it ("the snapshot has lingered for 63 days").

use std::collections::HashMap;

use crate::check::CheckReport;
use crate::rules::{Rule, Severity};

pub const MAX_AGE_OPTION: &str = "max_age_days";

/// The commit that last changed a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOrigin {
    pub commit: String,
    /// `YYYY-MM-DD` of the commit.
    pub date: String,
    /// The commit is the shallow-clone boundary: the line may be older.
    pub boundary: bool,
}

/// Since when a finding's line has been as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Since {
    pub date: String,
    pub commit: String,
    pub days: i64,
    /// True when history was cut (shallow clone): the age is at least this.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub at_least: bool,
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

/// The files and lines whose history matters: findings of rules with `max_age_days`.
pub fn lines_needing_history(report: &CheckReport, rules: &[Rule]) -> Vec<(String, usize)> {
    let aged: Vec<&str> = rules
        .iter()
        .filter(|r| r.options.contains_key(MAX_AGE_OPTION))
        .map(|r| r.id.as_str())
        .collect();
    report
        .findings
        .iter()
        .filter(|f| aged.contains(&f.rule.as_str()))
        .map(|f| (f.path().to_owned(), f.start().line))
        .collect()
}

/// Adds the age to findings whose line has a known origin, and raises them to
/// an error beyond the rule's `max_age_days` (the configuration's value, if any).
pub fn apply(
    report: &mut CheckReport,
    origins: &HashMap<(String, usize), LineOrigin>,
    rules: &[Rule],
    max_age: impl Fn(&str) -> Option<f64>,
    today: &str,
) {
    let Some(today_days) = days_from_civil(today) else {
        return;
    };
    for f in &mut report.findings {
        let Some(rule) = rules.iter().find(|r| r.id == f.rule) else {
            continue;
        };
        if !rule.options.contains_key(MAX_AGE_OPTION) {
            continue;
        }
        let Some(origin) = origins.get(&(f.path().to_owned(), f.start().line)) else {
            continue;
        };
        let Some(days) = days_from_civil(&origin.date).map(|d| today_days - d) else {
            continue;
        };
        let short: String = origin.commit.chars().take(10).collect();
        let since = Since {
            date: origin.date.clone(),
            commit: short.clone(),
            days,
            at_least: origin.boundary,
        };
        let plus = if origin.boundary { " or more" } else { "" };
        f.message.push_str(&format!(
            " (in place since {}, commit {short}: {days} days{plus})",
            origin.date
        ));
        // a note stays a note: the rule judged the case advisory (a module that
        // cannot set the value), and no edit of that line would fix it
        if let Some(limit) = max_age(&f.rule)
            && days as f64 > limit
            && f.severity != Severity::Note
        {
            f.severity = Severity::Error;
        }
        f.since = Some(since);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_with_civil_dates() {
        for d in [0, 11_016, 20_417, -1, 100_000] {
            assert_eq!(days_from_civil(&crate::suppress::civil_date(d)), Some(d));
        }
    }
}
