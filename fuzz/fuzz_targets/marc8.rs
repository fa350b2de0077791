//! MARC-8 decoder on arbitrary bytes, strict and lenient, plus the encoder
//! on whatever text lenient decoding yields.
//! Run: `cargo +nightly fuzz run marc8 -- -max_total_time=180`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mrrc_core::marc8::{marc8_to_unicode, unicode_to_marc8};
use mrrc_core::{Normalization, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let strict = marc8_to_unicode(data, &ReadOptions::strict(), &mut Vec::new());
    let mut warnings = Vec::new();
    let lenient = marc8_to_unicode(data, &ReadOptions::lenient(), &mut warnings)
        .expect("lenient MARC-8 decoding never fails");
    // Strict mode succeeds exactly when lenient mode had nothing to repair
    // (trailing marks with no base are dropped with a warning in both).
    if let Ok(text) = &strict {
        assert_eq!(text, &lenient);
    }
    let options = ReadOptions {
        normalization: Normalization::Nfd,
        ..ReadOptions::lenient()
    };
    let _ = marc8_to_unicode(data, &options, &mut Vec::new()).expect("lenient NFD");

    // Whatever text came out encodes and decodes back to itself (it is NFC).
    let encoded = unicode_to_marc8(&lenient);
    let mut round_warnings = Vec::new();
    let back = marc8_to_unicode(&encoded, &ReadOptions::strict(), &mut round_warnings)
        .expect("encoder output decodes strictly");
    assert_eq!(back, lenient);
    assert!(round_warnings.is_empty());
});
