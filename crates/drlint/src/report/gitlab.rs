//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).
//!
//! A JSON array of `{description, check_name, fingerprint, severity, location: {path,
//! lines: {begin}}}`. Severities: note → `info`, warning → `major`, error → `critical`
//! (GitLab's `minor` and `blocker` are not used). `fingerprint` is the finding's own
//! (stable across line shifts), made unique within the report if two findings share one
//! (a second gets a fingerprint derived from the first and its occurrence).

use std::collections::HashSet;
use std::io;

use serde::Serialize;

use super::Render;
use crate::check::Report;
use crate::rules::Severity;

/// GitLab Code Quality JSON.
pub struct GitLab;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Note => "info",
        Severity::Warning => "major",
        Severity::Error => "critical",
    }
}

/// FNV-1a, 64 bit, of `text`.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

impl Render for GitLab {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let mut used: HashSet<String> = HashSet::new();
        let issues: Vec<Issue<'_>> = report
            .findings
            .iter()
            .map(|f| {
                let mut fingerprint = f.fingerprint.clone();
                let mut n = 1;
                while !used.insert(fingerprint.clone()) {
                    n += 1;
                    fingerprint = format!("{:016x}", fnv1a(&format!("{}#{n}", f.fingerprint)));
                }
                Issue {
                    description: &f.message,
                    check_name: &f.rule,
                    fingerprint,
                    severity: severity(f.severity),
                    location: Location {
                        path: f.path(),
                        lines: Lines {
                            begin: f.start().line,
                        },
                    },
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}
