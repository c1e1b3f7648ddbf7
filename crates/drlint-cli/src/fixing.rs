//! `drlint check --fix` / `--unsafe-fixes`: the rules' fixes written through the library
//! (regular files inside the checked paths, never through a symbolic link), and what changed
//! said on stderr, so that stdout keeps the report.

use drlint::Report;
use drlint::fix::{FixOutcome, Safety, apply_fixes};
use drlint::report::escape_controls;

use crate::args::CheckArgs;

/// Writes the fixes of the report's findings; returns whether a file changed.
pub fn apply(report: &Report, args: &CheckArgs) -> bool {
    let outcome = apply_fixes(report.findings(), args.unsafe_fixes, &args.input.paths);
    print_outcome(&outcome, args.unsafe_fixes);
    !outcome.files.is_empty()
}

fn print_outcome(outcome: &FixOutcome, unsafe_fixes: bool) {
    for fix in &outcome.applied {
        let unsafe_note = match fix.safety {
            Safety::Unsafe => " (unsafe)",
            Safety::Safe => "",
        };
        eprintln!(
            "drlint: fixed {}:{}: {}: {}{unsafe_note}",
            escape_controls(&fix.path),
            fix.line,
            fix.rule,
            escape_controls(&fix.description)
        );
    }
    for (fix, why) in &outcome.skipped {
        eprintln!(
            "drlint: not fixed {}:{}: {}: {}",
            escape_controls(&fix.path),
            fix.line,
            fix.rule,
            escape_controls(why)
        );
    }
    let files = outcome.files.len();
    eprintln!(
        "drlint: {} fix(es) applied in {files} file(s){}",
        outcome.applied.len(),
        match (outcome.unsafe_left, unsafe_fixes) {
            (0, _) | (_, true) => String::new(),
            (n, false) => format!("; {n} unsafe fix(es) left (--unsafe-fixes applies them)"),
        }
    );
}
