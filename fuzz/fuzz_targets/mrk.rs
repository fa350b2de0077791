//! MARCMaker reader on arbitrary bytes, strict and lenient, with and without
//! mnemonics: no panic, and text written from a record read reads back.
//! Run: `cargo +nightly fuzz run mrk -- -max_total_time=120`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mrrc_core::mrk::{MrkReader, MrkWriter};
use mrrc_core::ReadOptions;

fuzz_target!(|data: &[u8]| {
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        for mnemonics in [false, true] {
            let reader = MrkReader::new(data, options).with_mnemonics(mnemonics);
            for record in reader.take(10_000).flatten() {
                let mut writer = MrkWriter::new(Vec::new()).with_mnemonics(mnemonics);
                writer.write(&record).expect("writing to memory");
                let text = writer.finish().expect("writing to memory");
                let again = MrkReader::new(&text[..], ReadOptions::lenient())
                    .with_mnemonics(mnemonics)
                    .count();
                assert_eq!(again, 1);
            }
        }
    }
});
