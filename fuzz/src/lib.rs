//! What the fuzz targets share: a linter of the built-in rules and profiles (built once, with
//! today's date pinned so a run is reproducible), and the check of one set of sources with the
//! invariants every report must keep. Only drlint's public API is used, as an embedder would.

use std::sync::OnceLock;

use drlint::report::{Json, Render};
use drlint::{Linter, LinterBuilder, Report, Source};

/// A builder with no configuration and a fixed date for `until=`.
pub fn builder() -> LinterBuilder {
    Linter::builder().no_config().today("2026-01-01")
}

/// The linter of the built-in rules and profiles, built once.
pub fn linter() -> &'static Linter {
    static LINTER: OnceLock<Linter> = OnceLock::new();
    LINTER.get_or_init(|| {
        one_thread();
        builder().build().expect("the built-in rules and profiles")
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

/// A source at `path` with these bytes.
pub fn input(path: &str, bytes: &[u8]) -> Source {
    Source::new(path, bytes)
}

/// Checks the sources, asserts that every span of the report lies inside its
/// file on character boundaries, and renders it as JSON (which computes every
/// line and column).
pub fn check(linter: &Linter, sources: Vec<Source>) -> Report {
    one_thread();
    let report = linter.check_sources(sources);
    assert_spans(&report);
    let mut out = Vec::new();
    Json.render(&report, &mut out).expect("JSON rendering");
    report
}

/// Every span of the report (findings, fixed findings, related locations) lies inside its
/// file, on character boundaries.
pub fn assert_spans(report: &Report) {
    for f in report.findings().iter().chain(report.fixed()) {
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
