//! Embedding drlint: a pull-request bot's summary of disaster-recovery risks per folder.
//!
//! It checks a tree on disk with the team's configuration (found above the path), adds a
//! file the bot holds in memory (a proposed edit), and prints one line per folder with its
//! findings by severity, then the errors in full, and writes SARIF for code scanning.
//!
//! ```sh
//! cargo run -p drlint --example embed -- examples/payments-prod
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use drlint::report::{Render, Sarif};
use drlint::{Linter, Report, Severity, Source};

/// The summary of `report`: folder → (errors, warnings, notes), then each error.
fn summary(report: &Report) -> String {
    let mut folders: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for f in report.findings() {
        let folder = f.path().rsplit_once('/').map_or(".", |(dir, _)| dir);
        let counts = folders.entry(folder).or_default();
        counts[match f.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Note => 2,
        }] += 1;
    }
    let mut out = String::new();
    for (folder, [errors, warnings, notes]) in &folders {
        let _ = writeln!(
            out,
            "{folder}: {errors} error(s), {warnings} warning(s), {notes} note(s)"
        );
    }
    for f in report
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error)
    {
        let at = f.start();
        let _ = writeln!(
            out,
            "  {}:{}:{} {} {}",
            f.path(),
            at.line,
            at.column,
            f.rule,
            f.message
        );
        for related in &f.related {
            let at = related.file.line_col(related.span.start);
            let _ = writeln!(
                out,
                "    {}:{} {}",
                related.file.path, at.line, related.message
            );
        }
    }
    out
}

/// Checks `path` plus one proposed file held in memory, and returns the summary and the SARIF.
fn run(path: &Path) -> Result<(String, String), drlint::Error> {
    let linter = Linter::builder()
        .discover_config(path)
        .today("2026-12-01")
        .build()?;
    let mut report = linter.check_paths(&[path])?;
    // what the bot holds in memory: a proposed new file, checked on its own
    let proposed = linter.check_sources([Source::new(
        "payments-prod/cache.tf",
        "resource \"aws_elasticache_replication_group\" \"cache\" {\n  snapshot_retention_limit = 0\n}\n",
    )]);
    report.retain(|f| f.severity >= Severity::Warning);
    let mut text = summary(&report);
    text.push_str(&summary(&proposed));
    let mut sarif = Vec::new();
    Sarif::new(linter.rules())
        .render(&report, &mut sarif)
        .expect("writing to memory");
    Ok((text, String::from_utf8(sarif).expect("SARIF is UTF-8")))
}

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| ".".to_owned());
    match run(Path::new(&path)) {
        Ok((summary, sarif)) => {
            print!("{summary}");
            eprintln!("SARIF: {} bytes", sarif.len());
        }
        Err(e) => {
            eprintln!("embed: {}", drlint::report::escape_controls(e.message()));
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn summarises_the_demo_folder() {
        let demo =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/payments-prod");
        let (summary, sarif) = super::run(&demo).unwrap();
        assert!(
            summary.contains("deletion-protection-disabled"),
            "{summary}"
        );
        assert!(summary.contains("payments-prod: "), "{summary}");
        assert!(
            sarif.contains("\"version\": \"2.1.0\"") || sarif.contains("\"version\":\"2.1.0\"")
        );
    }
}
