//! What lenient mode returns can be written, and reads back equal.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mrrc_core::iso2709::{parse_record, write_record, MarcReader, WriteCharset, WriteOptions};
use mrrc_core::{Charset, ReadOptions};

fuzz_target!(|data: &[u8]| {
    for charset in [Charset::Utf8, Charset::Raw] {
        let options = ReadOptions {
            charset,
            ..ReadOptions::lenient()
        };
        let write = WriteOptions {
            charset: if charset == Charset::Raw {
                WriteCharset::Raw
            } else {
                WriteCharset::Utf8
            },
        };
        for record in MarcReader::new(data, options).flatten() {
            let mut out = Vec::new();
            // Records too large or with unwritable values are refused, not
            // written wrong.
            if write_record(&record, &write, &mut out).is_err() {
                continue;
            }
            let strict = ReadOptions {
                charset,
                ..ReadOptions::strict()
            };
            let back = match parse_record(&out, &options) {
                Ok(b) => b,
                Err(e) => panic!("written record does not read back: {e}\n{record:?}"),
            };
            assert_eq!(back.fields(), record.fields());
            let _ = parse_record(&out, &strict);
        }
    }
});
