//! Arbitrary bytes as one `.tf` file: the HCL parser alone (when the bytes
//! are UTF-8), then the whole check of a folder holding only that file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = drlint::hcl::parse_hcl(text);
    }
    drlint_fuzz::check(
        drlint_fuzz::checker(),
        vec![drlint_fuzz::input("main.tf", data)],
    );
});
