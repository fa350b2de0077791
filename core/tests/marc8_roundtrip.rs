//! Unicode -> MARC-8 -> Unicode, on pymarc's 1,515 lines, on corpus
//! records, on hand-picked scripts, and on arbitrary input (proptest).

use mrrc_core::iso2709::{parse_record, write_record, MarcReader, WriteCharset, WriteOptions};
use mrrc_core::marc8::{marc8_to_unicode, unicode_to_marc8};
use mrrc_core::Record;
use mrrc_core::{Normalization, ReadOptions};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

fn decode_strict(bytes: &[u8]) -> String {
    let mut warnings = Vec::new();
    let text = marc8_to_unicode(bytes, &ReadOptions::strict(), &mut warnings)
        .unwrap_or_else(|e| panic!("{e} in {bytes:?}"));
    assert!(warnings.is_empty(), "{warnings:?} for {bytes:?}");
    text
}

fn round_trip(text: &str) -> String {
    decode_strict(&unicode_to_marc8(text))
}

#[test]
fn pymarc_lines_survive_a_round_trip() {
    let data = include_bytes!("data/pymarc_test_marc8.txt");
    let mut lines = 0;
    let mut non_ascii = 0;
    for line in data.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let text = decode_strict(line);
        let encoded = unicode_to_marc8(&text);
        assert_eq!(decode_strict(&encoded), text, "{line:?} -> {encoded:?}");
        lines += 1;
        non_ascii += usize::from(!text.is_ascii());
    }
    assert_eq!(lines, 1515);
    assert!(non_ascii > 1000, "{non_ascii}");
}

/// The MARC-8 ISO 2709 fixtures, by name, with their bytes.
fn marc8_fixtures() -> impl Iterator<Item = (&'static str, Vec<u8>)> {
    [
        "marcpm_makrbrkr",
        "marc4j_samples_diacritic4",
        "marc4j_selectedrecs",
        "pymarc_marc8",
        "marc4j_cyrillic_capital_e",
    ]
    .into_iter()
    .map(|name| {
        let path = format!("{}/tests/data/{name}.mrc", env!("CARGO_MANIFEST_DIR"));
        (name, std::fs::read(path).unwrap())
    })
}

#[test]
fn corpus_records_survive_a_round_trip() {
    // Every byte run between subfield delimiters in MARC-8 records.
    for (name, file) in marc8_fixtures() {
        let mut values = 0;
        for value in file.split(|&b| b == 0x1F || b == 0x1E || b == 0x1D) {
            let Ok(text) = marc8_to_unicode(value, &ReadOptions::strict(), &mut Vec::new()) else {
                continue; // leaders and directories glued to data
            };
            assert_eq!(round_trip(&text), text, "{name}: {value:?}");
            values += 1;
        }
        assert!(values > 10, "{name}: {values}");
    }
}

#[test]
fn marc8_records_write_back_as_marc8() {
    // Whole records: read (MARC-8 -> UTF-8), write with WriteCharset::Marc8,
    // read again; the records must be equal and leader/09 blank.
    let write = WriteOptions {
        charset: WriteCharset::Marc8,
    };
    let mut non_ascii_records = 0;
    for (name, file) in marc8_fixtures() {
        let records: Vec<Record> = MarcReader::new(&file[..], ReadOptions::strict())
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!records.is_empty(), "{name}");
        for (i, record) in records.iter().enumerate() {
            let mut out = Vec::new();
            write_record(record, &write, &mut out).unwrap_or_else(|e| panic!("{name} #{i}: {e}"));
            assert_eq!(out[9], b' ', "{name} #{i}: leader/09");
            let back = parse_record(&out, &ReadOptions::strict())
                .unwrap_or_else(|e| panic!("{name} #{i}: {e}"));
            assert_eq!(back.fields(), record.fields(), "{name} #{i}");
            non_ascii_records += usize::from(out.iter().any(|&b| b >= 0x80 || b == 0x1B));
        }
    }
    assert!(non_ascii_records > 10, "{non_ascii_records}");
}

#[test]
fn encodes_each_script_with_the_right_escapes() {
    // (text, MARC-8 bytes); byte values from LC's code tables.
    let cases: &[(&str, &[u8])] = &[
        // ANSEL: the acute (0xE2) goes before its base.
        ("caf\u{e9}", b"caf\xe2e"),
        ("\u{141}\u{f3}d\u{17a}", b"\xa1\xe2od\xe2z"),
        ("\u{17c}", b"\xe7z"),
        // Basic Cyrillic as G0, then back to Basic Latin at the end.
        (
            "\u{41c}\u{43e}\u{441}\u{43a}\u{432}\u{430}",
            b"\x1b(NmOSKWA\x1b(B",
        ),
        // Punctuation shared with the current set does not switch back.
        ("\u{41c}\u{43e}, x", b"\x1b(NmO, \x1b(Bx"),
        // Basic Greek.
        ("\u{3b1}\u{3b2}", b"\x1b(Sab\x1b(B"),
        // Hebrew and Arabic.
        ("\u{5e9}\u{5dc}", b"\x1b(2yl\x1b(B"),
        ("\u{643}\u{62a}\u{627}\u{628}", b"\x1b(3cJGH\x1b(B"),
        // EACC: three bytes each, spaces leave it for Basic Latin.
        ("\u{4e2d}\u{6587} x", b"\x1b$1!04!BX\x1b(B x"),
        // G1 (ANSEL) bytes cannot follow while EACC is G0.
        ("\u{4e2d}\u{141}", b"\x1b$1!04\x1b(B\xa1"),
        // Subscript two: the two-byte technique, closed with ESC s.
        ("CO\u{2082}", b"CO\x1bb2\x1bs"),
        // No MARC-8 mapping: LC's numeric character reference.
        ("\u{2122} \u{1F600}", b"&#x2122; &#x1F600;"),
        // A literal reference is protected by escaping its ampersand.
        ("&#x41; & co", b"&#x0026;#x41; & co"),
    ];
    for (text, bytes) in cases {
        assert_eq!(
            unicode_to_marc8(text),
            bytes.to_vec(),
            "{text:?} encoded as {:?}",
            String::from_utf8_lossy(&unicode_to_marc8(text))
        );
        assert_eq!(round_trip(text), *text);
    }
}

#[test]
fn marks_that_marc8_cannot_place_keep_their_order() {
    // U+0358 (combining dot above right) is in no MARC-8 set: the base and
    // every mark of that cluster go out in order, the marks as references.
    let text = "a\u{301}\u{358}b";
    assert_eq!(unicode_to_marc8(text), b"a&#x0301;&#x0358;b");
    assert_eq!(round_trip(text), text.nfc().collect::<String>());
    // Controls (MARC-8 readers drop raw ones) and joiners go as references.
    let controls = "a\u{1b}(B\u{1f}b\u{200d}\u{98}\u{0}";
    assert_eq!(round_trip(controls), controls);
    assert!(!unicode_to_marc8(controls).contains(&0x1B));
    // A mark with no base at the start of a value.
    assert_eq!(round_trip("\u{301}x"), "\u{301}x");
}

#[test]
fn nfd_output_and_none() {
    // Acute then dot below before "a": canonical order puts the dot below
    // (class 220) before the acute (230).
    let marc8 = b"caf\xe2e \xe2\xf2a";
    let with = |n| {
        let options = ReadOptions {
            normalization: n,
            ..ReadOptions::strict()
        };
        marc8_to_unicode(marc8, &options, &mut Vec::new()).unwrap()
    };
    assert_eq!(with(Normalization::Nfc), "caf\u{e9} \u{1ea1}\u{301}");
    assert_eq!(with(Normalization::Nfd), "cafe\u{301} a\u{323}\u{301}");
    // As converted: the marks in MARC-8 order, after the base.
    assert_eq!(with(Normalization::None), "cafe\u{301} a\u{301}\u{323}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn lenient_decoding_never_fails_or_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        for normalization in [Normalization::Nfc, Normalization::Nfd, Normalization::None] {
            let options = ReadOptions { normalization, ..ReadOptions::lenient() };
            let mut warnings = Vec::new();
            prop_assert!(marc8_to_unicode(&bytes, &options, &mut warnings).is_ok());
        }
        // Strict mode may refuse, but must not panic.
        let _ = marc8_to_unicode(&bytes, &ReadOptions::strict(), &mut Vec::new());
    }

    #[test]
    fn escape_heavy_bytes_never_panic(bytes in proptest::collection::vec(
        prop_oneof![Just(0x1Bu8), Just(b'$'), Just(b'('), Just(b')'), Just(b'1'), Just(b'&'), Just(b'#'), Just(b'x'), Just(b';'), 0x20u8..0x7F, 0xA0u8..0xFF], 0..48)) {
        let _ = marc8_to_unicode(&bytes, &ReadOptions::lenient(), &mut Vec::new()).unwrap();
        let _ = marc8_to_unicode(&bytes, &ReadOptions::strict(), &mut Vec::new());
    }

    #[test]
    fn any_text_round_trips_to_its_nfc(text in "\\PC{0,24}") {
        let encoded = unicode_to_marc8(&text);
        let mut warnings = Vec::new();
        let decoded = marc8_to_unicode(&encoded, &ReadOptions::strict(), &mut warnings).unwrap();
        prop_assert_eq!(decoded, text.nfc().collect::<String>());
        prop_assert!(warnings.is_empty());
    }

    #[test]
    fn mappable_text_round_trips_without_references(text in proptest::collection::vec(
        prop_oneof![
            Just('\u{e9}'), Just('\u{141}'), Just('\u{3b1}'), Just('\u{436}'), Just('\u{5d0}'),
            Just('\u{628}'), Just('\u{4e2d}'), Just('\u{2082}'), Just('\u{b2}'), Just('\u{301}'),
            Just('\u{323}'), Just(' '), Just('&'), Just('a'), Just('Z'), Just('.'), Just('1'),
        ], 0..24).prop_map(|chars| std::iter::once('x').chain(chars).collect::<String>())) {
        // (Starts with a base: a mark with nothing before it has no MARC-8 form.)
        let encoded = unicode_to_marc8(&text);
        prop_assert!(!encoded.windows(3).any(|w| w == b"&#x"), "{:?}", encoded);
        let decoded = marc8_to_unicode(&encoded, &ReadOptions::strict(), &mut Vec::new()).unwrap();
        prop_assert_eq!(decoded, text.nfc().collect::<String>());
    }
}
