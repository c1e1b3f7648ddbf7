//! `--format junit`: JUnit XML, for CI systems' test reports.
//!
//! One `<testsuite>` per rule of the run (name: the rule id; `tests` and `failures`
//! counts), one `<testcase>` per finding, named `RULE PATH:LINE:COLUMN` (columns count
//! characters) with ` #2`, ` #3`... when one place has several findings of the rule, with
//! `classname` the path and a `<failure>` whose `message` is the finding's message, `type`
//! its severity, and whose text says where, why (the label and secondary labels) and how to
//! fix. A rule without findings is a suite with one passing test case named after the rule,
//! so that the report shows what was checked.
//!
//! Everything is XML-escaped. Control characters are written `\u{1b}` as in every
//! human-readable format (a carriage return that ends a line is kept); characters XML 1.0
//! does not allow that remain (U+FFFE, U+FFFF) are dropped.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io;

use super::Render;
use crate::check::Report;
use crate::finding::Finding;
use crate::rules::Rule;

/// JUnit XML: one test suite per rule, one test case per finding.
pub struct JUnit<'r> {
    /// Every rule of the run: one suite each, passing when it has no findings.
    pub rules: &'r [Rule],
}

fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Text content: control characters written `\u{1b}` (as in every human-readable
/// format), `&`, `<` and `>` escaped, disallowed characters dropped.
fn text(s: &str) -> String {
    let s = super::escape_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// An attribute value (in double quotes): also quotes, and white space as
/// references, which attribute-value normalisation would otherwise turn into spaces.
fn attribute(s: &str) -> String {
    let s = super::escape_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| allowed(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

fn details(f: &Finding) -> String {
    let start = f.start();
    let mut d = format!(
        "{}\n\n{}:{}:{}",
        f.message,
        f.path(),
        start.line,
        start.column
    );
    if let Some(label) = &f.label {
        let _ = write!(d, ": {label}");
    }
    for r in &f.related {
        let at = r.file.line_col(r.span.start);
        let _ = write!(
            d,
            "\n{}:{}:{}: {}",
            r.file.path, at.line, at.column, r.message
        );
    }
    if let Some(help) = &f.help {
        let _ = write!(d, "\n\nhelp: {}", help.trim_end());
    }
    if let Some(status) = f.status {
        let status = match status {
            crate::finding::Status::New => "new in this change",
            crate::finding::Status::Existing => "existing before this change",
        };
        let _ = write!(d, "\n\n{status}");
    }
    d
}

impl Render for JUnit<'_> {
    fn render(&self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        // suites in the order of the run's rules, then any other rule with findings
        let mut suites: BTreeMap<usize, (&str, Vec<&Finding>)> = BTreeMap::new();
        let mut position: HashMap<&str, usize> = HashMap::new();
        for (i, rule) in self.rules.iter().enumerate() {
            position.entry(&rule.id).or_insert(i);
            suites.entry(i).or_insert((&rule.id, Vec::new()));
        }
        for f in &report.findings {
            let next = self.rules.len() + position.len();
            let i = *position.entry(&f.rule).or_insert(next);
            suites.entry(i).or_insert((&f.rule, Vec::new())).1.push(f);
        }
        let total = report.findings.len();
        let passing = suites.values().filter(|(_, f)| f.is_empty()).count();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<testsuites name=\"drlint\" tests=\"{}\" failures=\"{total}\">",
            total + passing
        );
        for (rule, findings) in suites.values() {
            let rule_attr = attribute(rule);
            if findings.is_empty() {
                let _ = writeln!(
                    xml,
                    "  <testsuite name=\"{rule_attr}\" tests=\"1\" failures=\"0\">\n    \
                     <testcase name=\"{rule_attr}\" classname=\"drlint\"/>\n  </testsuite>"
                );
                continue;
            }
            let _ = writeln!(
                xml,
                "  <testsuite name=\"{rule_attr}\" tests=\"{n}\" failures=\"{n}\">",
                n = findings.len()
            );
            let mut seen: HashMap<String, usize> = HashMap::new();
            for f in findings {
                let start = f.start();
                let mut name = format!("{rule} {}:{}:{}", f.path(), start.line, start.column);
                let n = seen.entry(name.clone()).or_insert(0);
                *n += 1;
                if *n > 1 {
                    let _ = write!(name, " #{n}");
                }
                let _ = writeln!(
                    xml,
                    "    <testcase name=\"{}\" classname=\"{}\">\n      \
                     <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    attribute(&name),
                    attribute(f.path()),
                    attribute(&f.message),
                    f.severity,
                    text(&details(f))
                );
            }
            xml.push_str("  </testsuite>\n");
        }
        xml.push_str("</testsuites>\n");
        out.write_all(xml.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_drops_what_xml_forbids() {
        assert_eq!(
            text("a<b>&c\u{1}\u{1b}\td\u{FFFE}"),
            "a&lt;b&gt;&amp;c\\u{1}\\u{1b}\td"
        );
        assert_eq!(
            attribute("say \"hi\"\n'x'\u{0}"),
            "say &quot;hi&quot;&#10;&apos;x&apos;\\u{0}"
        );
        assert_eq!(text("é€😀"), "é€😀");
    }
}
