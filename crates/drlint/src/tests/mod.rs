//! Tests of the library's parts, on the fixtures (`../../fixtures/`): every rule's fixtures
//! and documented examples, the output formats, the plans behind the profiles, robustness
//! against hostile input, suppressions, and the generated docs and schemas. The public
//! surface is tested from outside, in `tests/api.rs`.

mod docs;
mod formats;
mod guard;
mod plans;
mod robustness;
mod rules;
mod schemas;
mod suppressions;
