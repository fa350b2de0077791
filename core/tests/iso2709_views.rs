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
