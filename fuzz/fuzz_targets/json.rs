//! MARC-in-JSON reader on arbitrary bytes, strict and lenient: no panic, no
//! hang, and every record read writes and reads back as itself.
//! Run: `cargo +nightly fuzz run json -- -max_total_time=120`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mrrc_core::json::{record_from_json, record_to_json, JsonReader};
use mrrc_core::ReadOptions;

fuzz_target!(|data: &[u8]| {
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        for record in JsonReader::new(data, options).take(10_000).flatten() {
            let text = record_to_json(&record);
            let back =
                record_from_json(&text, &ReadOptions::lenient()).expect("own JSON reads back");
            // A leader cut inside a UTF-8 character is not text any more.
            if record.leader.as_bytes().is_ascii() {
                assert_eq!(back, record);
            }
        }
    }
});
