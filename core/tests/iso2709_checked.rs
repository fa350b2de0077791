//! `SliceReader::next_checked` against `next` over every ISO 2709 fixture,
//! strict and lenient, and pymarc's accessors read from a `RecordView` of
//! each record it checked against the same accessors on the parsed record.

mod common;

use mrrc_core::accessors;
use mrrc_core::iso2709::{parse_record, SliceReader};
use mrrc_core::view::RecordView;
use mrrc_core::{ReadOptions, Record};

/// Every accessor's value, as text, through `accessors` over any source.
fn accessor_values(source: &impl accessors::FieldSource) -> Vec<Option<String>> {
    vec![
        accessors::title(source),
        accessors::issn_title(source),
        accessors::isbn(source),
        accessors::issn(source).map(str::to_string),
        accessors::issnl(source).map(str::to_string),
        accessors::sudoc(source),
        accessors::author(source),
        accessors::uniform_title(source),
        accessors::publisher(source).map(str::to_string),
        accessors::pubyear(source).map(str::to_string),
    ]
}

/// The same through `Record`'s own methods.
fn record_values(r: &Record) -> Vec<Option<String>> {
    vec![
        r.title(),
        r.issn_title(),
        r.isbn(),
        r.issn().map(str::to_string),
        r.issnl().map(str::to_string),
        r.sudoc(),
        r.author(),
        r.uniform_title(),
        r.publisher().map(str::to_string),
        r.pubyear().map(str::to_string),
    ]
}

/// What one read of a file gave: per record, its index, offset, the record
/// (or the error's text) and its warnings' text.
type Outcome = Vec<(u64, Result<Record, String>, Vec<String>)>;

fn read_all(bytes: &[u8], options: ReadOptions) -> Outcome {
    let mut reader = SliceReader::new(bytes, options);
    let mut out = Vec::new();
    while let Some(next) = reader.next() {
        let warnings = reader.warnings().iter().map(|w| w.to_string()).collect();
        out.push((
            reader.last_record_offset(),
            next.map_err(|e| e.to_string()),
            warnings,
        ));
    }
    out
}

/// `next_checked`, each checked record parsed from its bytes; counts the
/// records it checked without building them, and checks their views'
/// accessor values against the parsed records'.
fn read_checked(bytes: &[u8], options: ReadOptions, found: &mut [usize; 10]) -> (Outcome, usize) {
    let mut reader = SliceReader::new(bytes, options);
    let mut out = Vec::new();
    let mut checked = 0;
    while let Some(next) = reader.next_checked() {
        let warnings = reader.warnings().iter().map(|w| w.to_string()).collect();
        let result = match next {
            Ok(Some(record)) => Ok(record),
            Ok(None) => {
                checked += 1;
                let raw = reader.last_record_bytes();
                assert!(
                    reader.warnings().is_empty(),
                    "a checked record has no warnings"
                );
                let record = parse_record(raw, &options).expect("a checked record parses");
                let view = RecordView::parse(raw).expect("a checked record has a view");
                let values = accessor_values(&view);
                for (n, v) in found.iter_mut().zip(&values) {
                    *n += usize::from(v.is_some());
                }
                assert_eq!(
                    values,
                    record_values(&record),
                    "record at offset {}",
                    reader.last_record_offset()
                );
                Ok(record)
            }
            Err(e) => Err(e.to_string()),
        };
        out.push((reader.last_record_offset(), result, warnings));
    }
    (out, checked)
}

#[test]
fn next_checked_reads_every_fixture_as_next_does() {
    let mut checked_in_all = 0;
    let mut records_in_all = 0;
    let mut found = [0usize; 10];
    for path in common::iso2709_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        for options in [ReadOptions::strict(), ReadOptions::lenient()] {
            let want = read_all(&bytes, options);
            let (got, checked) = read_checked(&bytes, options, &mut found);
            assert_eq!(got.len(), want.len(), "{}", path.display());
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(g, w, "{} record {k} ({options:?})", path.display());
            }
            checked_in_all += checked;
            records_in_all += want.iter().filter(|w| w.1.is_ok()).count();
        }
    }
    // Most fixture records are clean: the check-only path is what ran.
    assert!(
        checked_in_all * 2 > records_in_all,
        "{checked_in_all} of {records_in_all} records checked without being built"
    );
    // Every accessor found a value in some checked record, so each was
    // really compared; but `issnl`: no fixture has a 022 $l (it reads the
    // same field as `issn`).
    let with_values = found.iter().enumerate().filter(|&(k, &n)| k == 4 || n > 0);
    assert_eq!(
        with_values.count(),
        10,
        "values found per accessor: {found:?}"
    );
}
