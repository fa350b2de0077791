//! MARC-8 and legacy-charset records from other libraries' test suites,
//! decoded value by value and compared with what pymarc 5.4.0 returns
//! (`core/tests/data/marc8_expected/*.json`, written by
//! `tools/pymarc_marc8_expected.py`).
//!
//! The ISO 2709 reader is another module's job; a few lines here cut records
//! into subfield values the way pymarc's `decode_marc` does.

use mrrc_core::encoding::{decode_text, resolve_charset};
use mrrc_core::{Charset, ErrorKind, Leader, ReadOptions, Warning};
use serde_json::Value;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;

struct RawSubfield<'a> {
    tag: String,
    code: char,
    data: &'a [u8],
}

/// Records of a file, each as its leader and its data fields' subfields.
fn split_records(file: &[u8]) -> Vec<(Leader, Vec<RawSubfield<'_>>)> {
    let mut records = Vec::new();
    let mut pos = 0;
    while pos + 24 <= file.len() {
        let length: usize = std::str::from_utf8(&file[pos..pos + 5])
            .unwrap()
            .parse()
            .unwrap();
        let record = &file[pos..pos + length];
        pos += length;
        let leader = Leader::from_bytes(&record[..24]).unwrap();
        let base: usize = std::str::from_utf8(&record[12..17])
            .unwrap()
            .parse()
            .unwrap();
        let mut subfields = Vec::new();
        for entry in record[24..base - 1].chunks(12) {
            let tag = String::from_utf8(entry[..3].to_vec()).unwrap();
            let len: usize = std::str::from_utf8(&entry[3..7]).unwrap().parse().unwrap();
            let start: usize = std::str::from_utf8(&entry[7..12]).unwrap().parse().unwrap();
            if tag.as_str() < "010" && tag.bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let data = &record[base + start..base + start + len - 1];
            for chunk in data.split(|&b| b == 0x1F).skip(1) {
                if let Some((&code, value)) = chunk.split_first() {
                    subfields.push(RawSubfield {
                        tag: tag.clone(),
                        code: char::from(code),
                        data: value,
                    });
                }
            }
        }
        records.push((leader, subfields));
    }
    records
}

/// Decodes every value of a record; the first error ends it.
fn decode_record(
    leader: &Leader,
    subfields: &[RawSubfield<'_>],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> mrrc_core::Result<Vec<(String, String, String)>> {
    let charset = resolve_charset(options, leader);
    subfields
        .iter()
        .map(|s| {
            let text = decode_text(s.data, charset, options, warnings)?;
            Ok((s.tag.clone(), s.code.to_string(), text.into_owned()))
        })
        .collect()
}

/// pymarc leaves LC's numeric character references (`&#x8ECA;`) as text
/// and, when a MARC-8 combining mark precedes one, puts the mark after the
/// `&`. mrrc decodes them (LC's lossless convention): resolve them in
/// pymarc's value, marks and all, then NFC as pymarc does.
fn resolve_references(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let marks: String = after
            .chars()
            .take_while(|&c| canonical_combining_class(c) != 0)
            .collect();
        let tail = &after[marks.len()..];
        let reference = tail.strip_prefix("#x").and_then(|t| {
            let digits = t.bytes().take_while(u8::is_ascii_hexdigit).count();
            let c = u32::from_str_radix(&t[..digits], 16)
                .ok()
                .and_then(char::from_u32)?;
            t[digits..].strip_prefix(';').map(|r| (c, r))
        });
        match reference {
            Some((c, remainder)) => {
                out.push(c);
                out.push_str(&marks);
                rest = remainder;
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.nfc().collect()
}

fn expected_fields(record: &Value, marc8: bool) -> Vec<(String, String, String)> {
    record["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |i: usize| f[i].as_str().unwrap().to_string();
            let value = s(2);
            let value = if marc8 {
                resolve_references(&value)
            } else {
                value
            };
            (s(0), s(1), value)
        })
        .collect()
}

/// Checks one corpus file against pymarc. Returns (records pymarc decoded
/// cleanly, records where pymarc substituted or failed).
fn check_file(name: &str, charset: Charset) -> (usize, usize) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    let file = std::fs::read(format!("{dir}{name}.mrc")).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}marc8_expected/{name}.json")).unwrap(),
    )
    .unwrap();
    let expected = expected["records"].as_array().unwrap();
    let records = split_records(&file);
    assert_eq!(records.len(), expected.len(), "{name}: record count");
    let strict = ReadOptions {
        charset,
        ..ReadOptions::strict()
    };
    let lenient = ReadOptions {
        charset,
        ..ReadOptions::lenient()
    };
    let (mut clean, mut defective) = (0, 0);
    for (index, ((leader, subfields), want)) in records.iter().zip(expected).enumerate() {
        let mut strict_warnings = Vec::new();
        let strict_result = decode_record(leader, subfields, &strict, &mut strict_warnings);
        let mut lenient_warnings = Vec::new();
        let lenient_result = decode_record(leader, subfields, &lenient, &mut lenient_warnings)
            .unwrap_or_else(|e| panic!("{name} record {index}: lenient mode failed: {e}"));
        if want.get("error").is_some() {
            // pymarc gave up on this record; strict mode must refuse it too,
            // lenient mode repairs and says so.
            defective += 1;
            let err = strict_result.expect_err("strict mode should fail where pymarc fails");
            assert_eq!(err.kind, ErrorKind::Marc8, "{name} record {index}: {err}");
            assert!(!lenient_warnings.is_empty(), "{name} record {index}");
            continue;
        }
        let marc8 = resolve_charset(&strict, leader) == Charset::Marc8;
        let want_fields = expected_fields(want, marc8);
        if want["substituted"].as_bool().unwrap() {
            defective += 1;
            let err = strict_result.expect_err("strict mode should fail where pymarc substitutes");
            assert_eq!(err.kind, ErrorKind::Marc8);
            assert!(err.byte_offset().is_some());
            assert!(!lenient_warnings.is_empty(), "{name} record {index}");
        } else {
            clean += 1;
            let got = strict_result.unwrap_or_else(|e| panic!("{name} record {index}: {e}"));
            assert_eq!(got, want_fields, "{name} record {index} (strict)");
            assert!(
                strict_warnings.is_empty(),
                "{name} record {index}: {strict_warnings:?}"
            );
        }
        assert_eq!(
            lenient_result, want_fields,
            "{name} record {index} (lenient)"
        );
    }
    (clean, defective)
}

#[test]
fn pymarc_marc8_record() {
    assert_eq!(check_file("pymarc_marc8", Charset::FromLeader), (1, 0));
}

#[test]
fn pymarc_marc8_20_records() {
    assert_eq!(
        check_file("pymarc_marc8_20recs", Charset::FromLeader),
        (20, 0)
    );
}

#[test]
fn marcpm_makrbrkr_diacritics_and_scripts() {
    assert_eq!(check_file("marcpm_makrbrkr", Charset::FromLeader), (8, 0));
}

#[test]
fn marc4j_diacritic4() {
    assert_eq!(
        check_file("marc4j_samples_diacritic4", Charset::FromLeader),
        (1, 0)
    );
}

#[test]
fn marc4j_selected_records() {
    assert_eq!(
        check_file("marc4j_selectedrecs", Charset::FromLeader),
        (11, 0)
    );
}

#[test]
fn marc4j_chinese_mangled_multibyte() {
    assert_eq!(
        check_file("marc4j_chinese_mangled_multibyte", Charset::FromLeader),
        (3, 1)
    );
}

#[test]
fn marc4j_greek_missing_charset_change() {
    assert_eq!(
        check_file("marc4j_greekmissingcharsetchange", Charset::FromLeader),
        (2, 1)
    );
}

#[test]
fn marc4j_incomplete_escape_sequence() {
    assert_eq!(
        check_file("marc4j_incomplete_esc_seq", Charset::FromLeader),
        (0, 1)
    );
}

#[test]
fn marc4j_cyrillic_capital_e() {
    assert_eq!(
        check_file("marc4j_cyrillic_capital_e", Charset::FromLeader),
        (2, 0)
    );
}

#[test]
fn pymarc_bad_eacc_encoding() {
    assert_eq!(
        check_file("pymarc_bad_eacc_encoding", Charset::FromLeader),
        (0, 1)
    );
}

#[test]
fn pymarc_bad_marc8_escape() {
    // pymarc keeps the ESC of the cut-off escape ("La Soci\u{e9}t\u{1b},"):
    // lenient mode does the same, strict mode refuses.
    let name = "pymarc_bad_marc8_escape";
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pymarc_bad_marc8_escape.mrc"
    ))
    .unwrap();
    let records = split_records(&file);
    let (leader, subfields) = &records[0];
    let mut warnings = Vec::new();
    let values = decode_record(leader, subfields, &ReadOptions::lenient(), &mut warnings).unwrap();
    let publisher = values
        .iter()
        .find(|(t, c, _)| t == "260" && c == "b")
        .unwrap();
    assert_eq!(publisher.2, "La Soci\u{e9}t\u{1b},");
    assert!(!warnings.is_empty());
    let err =
        decode_record(leader, subfields, &ReadOptions::strict(), &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Marc8);
    // pymarc itself treats it as no error: its expected file says clean.
    let _ = name;
}

#[test]
fn pymarc_cp1251_with_file_encoding() {
    let charset = Charset::legacy("cp1251").unwrap();
    assert_eq!(check_file("pymarc_cp1251_cyrillic", charset), (6, 0));
}

#[test]
fn idzebra_rusmarc_koi8_r() {
    let charset = Charset::legacy("koi8_r").unwrap();
    assert_eq!(check_file("idzebra_rusmarc_simple", charset), (72, 0));
}

#[test]
fn pymarc_bad_eacc_gives_a_space_like_pymarc() {
    // pymarc's test: the 880 $a is 12 characters and ends with a space, the
    // stand-in for an EACC character cut short.
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/pymarc_bad_eacc_encoding.mrc"
    ))
    .unwrap();
    let records = split_records(&file);
    let (leader, subfields) = &records[0];
    let raw = subfields
        .iter()
        .find(|s| s.tag == "880" && s.code == 'a')
        .unwrap();
    let mut warnings = Vec::new();
    let charset = resolve_charset(&ReadOptions::lenient(), leader);
    let value = decode_text(raw.data, charset, &ReadOptions::lenient(), &mut warnings).unwrap();
    assert_eq!(value.chars().count(), 12);
    assert!(value.ends_with(' '));
    // Three triples with no mapping and a final
    // character cut short, as pymarc reports on stderr.
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert_eq!(warnings[0].position.byte_offset, Some(27));
    assert!(
        warnings[0].message.contains("0x7B3639"),
        "{}",
        warnings[0].message
    );
    assert!(
        warnings[3].message.contains("cut short"),
        "{}",
        warnings[3].message
    );
    let err = decode_text(raw.data, charset, &ReadOptions::strict(), &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Marc8);
    assert_eq!(err.byte_offset(), warnings[0].position.byte_offset);
}
