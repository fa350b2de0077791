//! pymarc's MARC-8 conversion test: 1,515 lines of MARC-8 and the Unicode
//! pymarc 5.4.0 produces for each (NFC).

use mrrc_core::marc8::marc8_to_unicode;
use mrrc_core::{Normalization, ReadOptions};
use unicode_normalization::UnicodeNormalization;

fn lines(data: &[u8]) -> Vec<&[u8]> {
    // pymarc's test reads with readline().strip(b"\n").
    data.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

fn pairs() -> Vec<(&'static [u8], &'static str)> {
    let marc8 = lines(include_bytes!("data/pymarc_test_marc8.txt"));
    let utf8 = lines(include_bytes!("data/pymarc_test_utf8.txt"));
    assert_eq!(marc8.len(), 1515);
    assert_eq!(utf8.len(), 1515);
    marc8
        .into_iter()
        .zip(utf8)
        .map(|(m, u)| (m, std::str::from_utf8(u).expect("expected file is UTF-8")))
        .collect()
}

#[test]
fn every_line_matches_pymarc_strict() {
    let mut failures = Vec::new();
    for (number, (marc8, expected)) in pairs().into_iter().enumerate() {
        let mut warnings = Vec::new();
        match marc8_to_unicode(marc8, &ReadOptions::strict(), &mut warnings) {
            Ok(text) if text == expected => {}
            Ok(text) => failures.push(format!(
                "line {}: got {text:?}, want {expected:?}",
                number + 1
            )),
            Err(e) => failures.push(format!("line {}: {e}", number + 1)),
        }
        assert!(warnings.is_empty(), "line {}: {warnings:?}", number + 1);
    }
    assert!(
        failures.is_empty(),
        "{} of 1515 lines differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn lenient_mode_gives_the_same_text_without_warnings() {
    for (marc8, expected) in pairs() {
        let mut warnings = Vec::new();
        let text = marc8_to_unicode(marc8, &ReadOptions::lenient(), &mut warnings).unwrap();
        assert_eq!(text, expected);
        assert!(warnings.is_empty());
    }
}

#[test]
fn nfd_on_request() {
    let options = ReadOptions {
        normalization: Normalization::Nfd,
        ..ReadOptions::strict()
    };
    let mut decomposed_lines = 0;
    for (marc8, expected) in pairs() {
        let text = marc8_to_unicode(marc8, &options, &mut Vec::new()).unwrap();
        assert_eq!(text, expected.nfd().collect::<String>());
        decomposed_lines += usize::from(text != expected);
    }
    // Many lines carry diacritics, so NFD really differs from NFC.
    assert!(decomposed_lines > 100, "{decomposed_lines}");
}
