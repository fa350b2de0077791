//! `SliceReader::next_view` against `next` over every ISO 2709 fixture:
//! the same frames (offsets, record indexes, framing warnings), a view for
//! every record the full parse reads, and, in strict mode, an error from
//! the full parse wherever the view gives one (the same error for a
//! frame's defect).

mod common;

use mrrc_core::iso2709::SliceReader;
use mrrc_core::{Error, ErrorKind, ReadOptions, Record};

/// Per frame: offset, bytes, the outcome and the warnings' text.
type Frames<T> = Vec<(u64, Vec<u8>, Result<T, Error>, Vec<String>)>;

fn parsed(bytes: &[u8], options: ReadOptions) -> Frames<Record> {
    let mut reader = SliceReader::new(bytes, options);
    let mut out = Vec::new();
    while let Some(next) = reader.next() {
        let warnings = reader.warnings().iter().map(|w| w.to_string()).collect();
        let raw = reader.last_record_bytes().to_vec();
        out.push((reader.last_record_offset(), raw, next, warnings));
    }
    out
}

/// The views' outcomes, each as its field count.
fn viewed(bytes: &[u8], options: ReadOptions) -> Frames<usize> {
    let mut reader = SliceReader::new(bytes, options);
    let mut out = Vec::new();
    while let Some(next) = reader.next_view() {
        let next = next.map(|view| {
            // The view is of exactly the frame's bytes.
            let raw = view.as_bytes().to_vec();
            (view.len(), raw)
        });
        let warnings = reader.warnings().iter().map(|w| w.to_string()).collect();
        let raw = reader.last_record_bytes().to_vec();
        if let Ok((_, view_bytes)) = &next {
            assert_eq!(view_bytes, &raw);
        }
        out.push((
            reader.last_record_offset(),
            raw,
            next.map(|(n, _)| n),
            warnings,
        ));
    }
    out
}

#[test]
fn next_view_frames_every_fixture_as_next_does() {
    let (mut views, mut view_errors, mut framing_errors) = (0, 0, 0);
    for path in common::iso2709_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        for options in [ReadOptions::strict(), ReadOptions::lenient()] {
            let strict = options == ReadOptions::strict();
            let want = parsed(&bytes, options);
            let got = viewed(&bytes, options);
            let name = path.display();
            assert_eq!(got.len(), want.len(), "{name} ({options:?})");
            for (k, (g, w)) in got.iter().zip(&want).enumerate() {
                let at = format!("{name} record {k} ({options:?})");
                assert_eq!((g.0, &g.1), (w.0, &w.1), "{at}: frame");
                match (&g.2, &w.2) {
                    (Ok(fields), Ok(record)) => {
                        views += 1;
                        if strict {
                            assert_eq!(*fields, record.fields().len(), "{at}");
                        }
                    }
                    (Ok(_), Err(_)) => views += 1,
                    (Err(v), parse) => {
                        view_errors += 1;
                        // Strict mode rejects all a view rejects; but
                        // lenient mode may repair a directory, and a record
                        // over 99,999 bytes (framed with a warning) may have
                        // a base address its leader cannot state, which the
                        // full parse finds.
                        if strict && g.3.is_empty() {
                            let p = parse.as_ref().map(|_| v).expect_err(&at);
                            // A frame's defect is the same error; within a
                            // record, the full parse checks more (the
                            // leader's every position first) and may name
                            // another defect first.
                            let framing = [
                                ErrorKind::RecordLength,
                                ErrorKind::MissingTerminator,
                                ErrorKind::Truncated,
                            ];
                            if framing.contains(&v.kind) {
                                assert_eq!(
                                    (v.kind, &v.position, &v.message),
                                    (p.kind, &p.position, &p.message),
                                    "{at}"
                                );
                                framing_errors += 1;
                            }
                        }
                    }
                }
                // Framing's warnings (an oversize record's, in either mode)
                // are the reader's; the full parse's own come after them.
                assert!(
                    w.3.starts_with(&g.3),
                    "{at}: view warnings {:?}, parse {:?}",
                    g.3,
                    w.3
                );
            }
        }
    }
    assert!(views > 1000, "{views} views");
    assert!(view_errors > 20, "{view_errors} view errors");
    assert!(framing_errors > 5, "{framing_errors} framing errors");
}

/// A data field's subfields as the view documents them, split the plain
/// way: at each delimiter, pieces without a code skipped.
fn split_plainly(data: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let first = data.iter().position(|&b| b == 0x1F).unwrap_or(data.len());
    data[first..]
        .split(|&b| b == 0x1F)
        .skip(1)
        .filter(|piece| !piece.is_empty())
        .map(|piece| (piece[0], piece[1..].to_vec()))
        .collect()
}

/// Every field of every view over every fixture (good, bad, and each record
/// cut short or with a byte changed): the view's subfields are the plain
/// split of its bytes, and for a record checked clean, the parsed record's.
#[test]
fn view_subfields_split_every_field_as_documented() {
    let mut fields_seen = 0;
    for path in common::iso2709_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let mut reader = SliceReader::new(&bytes[..], ReadOptions::lenient());
        let mut variants: Vec<Vec<u8>> = Vec::new();
        while reader.next_view().is_some() {
            let raw = reader.last_record_bytes().to_vec();
            for k in [raw.len() / 3, raw.len() / 2, raw.len() * 9 / 10] {
                let mut changed = raw.clone();
                if let Some(b) = changed.get_mut(k) {
                    *b = if *b == 0x1F { b'x' } else { 0x1F };
                }
                variants.push(changed);
            }
            variants.push(raw);
        }
        for record in &variants {
            let Ok(view) = mrrc_core::view::RecordView::parse(record) else {
                continue;
            };
            for field in view.fields().flatten() {
                fields_seen += 1;
                let got: Vec<(u8, Vec<u8>)> = field
                    .subfields()
                    .map(|s| (s.code, s.value.to_vec()))
                    .collect();
                let want = if field.is_control() {
                    Vec::new()
                } else {
                    split_plainly(field.data())
                };
                assert_eq!(got, want, "{}", path.display());
            }
        }
    }
    assert!(fields_seen > 100_000, "{fields_seen} fields");
}

/// For records checked clean, a view's subfields are the parsed record's.
#[test]
fn view_subfields_of_clean_records_are_the_parsed_records() {
    let mut compared = 0;
    for path in common::iso2709_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let mut reader = SliceReader::new(&bytes[..], ReadOptions::strict());
        while let Some(checked) = reader.next_checked() {
            let Ok(None) = checked else { continue };
            let raw = reader.last_record_bytes();
            let record = mrrc_core::iso2709::parse_record(raw, &ReadOptions::strict()).unwrap();
            let view = mrrc_core::view::RecordView::parse(raw).unwrap();
            for (field, view_field) in record.fields().iter().zip(view.fields()) {
                let view_field = view_field.unwrap();
                let got: Vec<(char, &[u8])> = view_field
                    .subfields()
                    .map(|s| (char::from(s.code), s.value))
                    .collect();
                let want: Vec<(char, &[u8])> = field
                    .subfields()
                    .map(|s| (s.code, s.value.as_bytes()))
                    .collect();
                assert_eq!(got, want, "{}", path.display());
                compared += 1;
            }
        }
    }
    assert!(compared > 10_000, "{compared} fields compared");
}
