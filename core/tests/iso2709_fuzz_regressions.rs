//! Inputs the fuzzers found (`tests/data/fuzz/`): each reads in both modes
//! without panicking, and what lenient mode returns writes and reads back
//! equal.

use mrrc_core::iso2709::{parse_record, write_record, MarcReader, WriteCharset, WriteOptions};
use mrrc_core::{Charset, ErrorKind, ReadOptions};

fn fuzz_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz")
}

#[test]
fn every_fuzz_input_reads_and_round_trips() {
    let mut files = 0;
    for entry in std::fs::read_dir(fuzz_dir()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for charset in [Charset::FromLeader, Charset::Utf8, Charset::Raw] {
            let strict = ReadOptions {
                charset,
                ..ReadOptions::strict()
            };
            let lenient = ReadOptions {
                charset,
                ..ReadOptions::lenient()
            };
            let _: Vec<_> = MarcReader::new(&bytes[..], strict).collect();
            let write = WriteOptions {
                charset: if charset == Charset::Raw {
                    WriteCharset::Raw
                } else {
                    WriteCharset::Utf8
                },
            };
            for record in MarcReader::new(&bytes[..], lenient).flatten() {
                let mut out = Vec::new();
                if write_record(&record, &write, &mut out).is_ok() {
                    let back = parse_record(&out, &lenient).unwrap();
                    assert_eq!(back.fields(), record.fields());
                }
            }
        }
        files += 1;
    }
    assert!(files >= 1);
}

/// Leader/11 = 3 (subfield codes of three characters) is taken as 2, by the
/// reader and the writer alike.
#[test]
fn subfield_code_length_3() {
    let bytes = std::fs::read(fuzz_dir().join("roundtrip_subfield_code_length_3.mrc")).unwrap();
    let strict: Vec<_> = MarcReader::new(&bytes[..], ReadOptions::strict()).collect();
    assert_eq!(strict.len(), 1);
    assert_eq!(strict[0].as_ref().unwrap_err().kind, ErrorKind::Leader);
    let lenient: Vec<_> = MarcReader::new(&bytes[..], ReadOptions::lenient()).collect();
    let r = lenient[0].as_ref().unwrap();
    assert_eq!(r.get("100").unwrap().get('a'), Some("Fitzgerald, F. Scott"));
}

/// An indicator that is a 2-byte UTF-8 character: strict mode refuses it,
/// lenient mode blanks it (a byte of it is not a character).
#[test]
fn non_ascii_indicator() {
    let bytes = std::fs::read(fuzz_dir().join("roundtrip_non_ascii_indicator.mrc")).unwrap();
    // Leader/09 says MARC-8 but the text is UTF-8 (as the fuzzer read it).
    let utf8 = |o: ReadOptions| ReadOptions {
        charset: Charset::Utf8,
        ..o
    };
    let strict: Vec<_> = MarcReader::new(&bytes[..], utf8(ReadOptions::strict())).collect();
    // (The mutated record also has invalid UTF-8, which strict mode meets
    // first: encoding is checked before field contents.)
    assert_eq!(strict[0].as_ref().unwrap_err().kind, ErrorKind::Encoding);
    let mut reader = MarcReader::new(&bytes[..], utf8(ReadOptions::lenient()));
    let r = reader.next().unwrap().unwrap();
    assert_eq!(
        r.get("082").unwrap().indicators(),
        Some(mrrc_core::Indicators::BLANK)
    );
    assert!(reader
        .warnings()
        .iter()
        .any(|w| w.kind == ErrorKind::Indicator));
}
