//! msgpack reader on arbitrary bytes, strict and lenient: no panic, no
//! allocation from lying lengths, and every record read round-trips.
//! Run: `cargo +nightly fuzz run msgpack -- -max_total_time=120`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mrrc_core::msgpack::{record_from_msgpack, record_to_msgpack, MsgpackReader};
use mrrc_core::ReadOptions;

fuzz_target!(|data: &[u8]| {
    let _ = record_from_msgpack(data, &ReadOptions::strict());
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        for record in MsgpackReader::new(data, options).take(10_000).flatten() {
            let bytes = record_to_msgpack(&record);
            let back = record_from_msgpack(&bytes, &ReadOptions::lenient())
                .expect("own msgpack reads back");
            // A leader cut inside a UTF-8 character is not text any more.
            if record.leader.as_bytes().is_ascii() {
                assert_eq!(back, record);
            }
        }
    }
});
