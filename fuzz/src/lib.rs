//! What the fuzz targets share: the built-in rules and profiles (loaded once),
//! fixed settings (today's date pinned, so a run is reproducible), and the
//! check of one set of inputs with the invariants every report must keep.

use std::sync::OnceLock;

use drlint::profile::ProfileSet;
use drlint::report::{Json, Render};
use drlint::{Report, Checker, Input, Rule, Settings, builtin};

/// The built-in rules, parsed once.
pub fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| builtin::rules().expect("built-in rules"))
}

/// The built-in module profiles, parsed once.
pub fn profiles() -> &'static ProfileSet {
    static PROFILES: OnceLock<ProfileSet> = OnceLock::new();
    PROFILES.get_or_init(|| builtin::profiles().expect("built-in profiles"))
}

/// Settings of every run: the defaults with a fixed date for `until=`.
pub fn settings() -> Settings {
    Settings {
        today: Some("2026-01-01".to_owned()),
        ..Settings::default()
    }
}

/// A checker of the built-in rules and profiles with [`settings`], built once.
pub fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| {
        one_thread();
        Checker::with_settings(rules().to_vec(), profiles().clone(), settings())
    })
}

/// The check's parallel loops run on one rayon thread unless
/// `RAYON_NUM_THREADS` says otherwise: a fuzzer takes one core, not all.
fn one_thread() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("RAYON_NUM_THREADS").is_none() {
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build_global();
        }
    });
}

pub fn input(path: &str, bytes: &[u8]) -> Input {
    Input {
        path: path.to_owned(),
        content: Ok(bytes.to_vec()),
    }
}

/// Checks the inputs, asserts that every span of the report lies inside its
/// file on character boundaries, and renders it as JSON (which computes every
/// line and column).
pub fn check(checker: &Checker, inputs: Vec<Input>) -> Report {
    one_thread();
    let report = checker.check(inputs);
    assert_spans(&report);
    let mut out = Vec::new();
    Json.render(&report, &mut out).expect("JSON rendering");
    report
}

pub fn assert_spans(report: &Report) {
    for f in report.findings.iter().chain(&report.fixed) {
        let spans = std::iter::once((&f.file, &f.span, &f.message))
            .chain(f.related.iter().map(|r| (&r.file, &r.span, &r.message)));
        for (file, span, what) in spans {
            let text = &file.text;
            assert!(
                span.start <= span.end
                    && span.end <= text.len()
                    && text.is_char_boundary(span.start)
                    && text.is_char_boundary(span.end),
                "{} [{}]: span {span:?} outside {} ({} bytes) or off a char boundary: {what}",
                f.rule,
                file.path,
                file.path,
                text.len()
            );
        }
    }
}
