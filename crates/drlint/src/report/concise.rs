//! `--format concise`: one line per finding, `path:line:column: severity rule message`
//! (columns count characters; the message on one line; control characters escaped, as
//! in every human-readable format: `\u{1b}`), then the summary line of the
//! human format. And [`Statistics`] (`--statistics`): the number of findings per rule,
//! split by production, as `ruff --statistics` does.

use std::collections::BTreeMap;
use std::io;

use super::Render;
use crate::check::Report;

/// One line per finding: `path:line:column: severity rule message`.
pub struct Concise;

impl Render for Concise {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        for f in &report.findings {
            let at = f.start();
            writeln!(
                out,
                "{}:{}:{}: {} {} {}",
                super::escape_controls(f.path()),
                at.line,
                at.column,
                f.severity,
                super::escape_controls(&f.rule),
                super::escape_controls(&super::one_line(&f.message))
            )?;
        }
        writeln!(out, "{}", super::human::summary_line(report))
    }
}

/// Findings per rule, most frequent first, split by whether they are about
/// production (`Finding::production`: yes, no, unknown), with a total line.
pub struct Statistics;

#[derive(Default, Clone, Copy)]
struct Counts {
    all: usize,
    production: usize,
    other: usize,
    unknown: usize,
}

impl Counts {
    fn add(&mut self, production: Option<bool>) {
        self.all += 1;
        match production {
            Some(true) => self.production += 1,
            Some(false) => self.other += 1,
            None => self.unknown += 1,
        }
    }
}

impl Render for Statistics {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        let mut by_rule: BTreeMap<&str, Counts> = BTreeMap::new();
        let mut total = Counts::default();
        for f in &report.findings {
            by_rule.entry(&f.rule).or_default().add(f.production);
            total.add(f.production);
        }
        let mut rows: Vec<(&str, Counts)> = by_rule.into_iter().collect();
        rows.sort_by(|a, b| b.1.all.cmp(&a.1.all).then(a.0.cmp(b.0)));
        let header = ["count", "production", "non-production", "unknown"];
        let line = |out: &mut dyn io::Write, c: &Counts, name: &str| {
            writeln!(
                out,
                "{:>w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {name}",
                c.all,
                c.production,
                c.other,
                c.unknown,
                w0 = header[0].len(),
                w1 = header[1].len(),
                w2 = header[2].len(),
                w3 = header[3].len(),
            )
        };
        writeln!(out, "{}  rule", header.join("  "))?;
        for (rule, counts) in &rows {
            line(out, counts, &super::escape_controls(rule))?;
        }
        line(out, &total, "total")
    }
}
