//! Arbitrary bytes as one `.tf` file: the whole check of a folder holding only that file
//! (parsing, evaluation, rules, suppressions, rendering).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    drlint_fuzz::check(
        drlint_fuzz::linter(),
        vec![drlint_fuzz::input("main.tf", data)],
    );
});
