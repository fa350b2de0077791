//! `SliceReader` (records parsed in place) gives what the streaming
//! `MarcReader` gives: every record or error, its warnings, its bytes and
//! where the next one is looked for.

use std::io::Read;

mod common;

use mrrc_core::iso2709::{MarcReader, SliceReader};
use mrrc_core::{ErrorKind, ReadOptions};

/// A `Read` that hands out at most `step` bytes a call, so the streaming
/// reader has to ask for more in the middle of records.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// Everything a reader says about each record, in order.
type Seen = Vec<(String, Vec<u8>, u64, u64, String)>;

/// Drains `reader`, noting for each record what `Seen` holds (the two
/// readers have the same accessors but no trait in common for them).
macro_rules! seen {
    ($reader:expr) => {{
        let mut reader = $reader;
        let mut seen = Vec::new();
        while let Some(result) = reader.next() {
            seen.push((
                format!("{result:?}"),
                reader.last_record_bytes().to_vec(),
                reader.byte_offset(),
                reader.records_read(),
                format!("{:?}", reader.warnings()),
            ));
        }
        assert!(reader.next().is_none());
        seen
    }};
}

fn through_slice(bytes: &[u8], options: ReadOptions) -> Seen {
    seen!(SliceReader::new(bytes, options))
}

fn through_stream(input: impl Read, options: ReadOptions) -> Seen {
    seen!(MarcReader::new(input, options))
}

#[test]
fn every_fixture_reads_the_same_in_place_and_streamed() {
    let files = common::iso2709_fixtures();
    assert!(files.len() > 50);
    let (mut records, mut errors) = (0, 0);
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for options in [ReadOptions::strict(), ReadOptions::lenient()] {
            let got = through_slice(&bytes, options);
            let whole = through_stream(&bytes[..], options);
            assert_eq!(got, whole, "{}", file.display());
            // In 7-byte reads every record straddles reads.
            let trickled = through_stream(
                Trickle {
                    bytes: &bytes,
                    step: 7,
                },
                options,
            );
            assert_eq!(got, trickled, "{}", file.display());
            records += got.len();
            errors += got.iter().filter(|s| s.0.starts_with("Err")).count();
        }
    }
    assert!(records > 4_000 && errors > 100, "{records} {errors}");
}

#[test]
fn damaged_files_give_their_errors_at_their_offsets() {
    for (name, min_errors) in [
        ("pymarc_bad_records.mrc", 1),
        ("marc4j_pride_and_prejudice_with_many_errors.mrc", 1),
        ("mrrc_err_e005_truncated_record.mrc", 1),
    ] {
        let bytes = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data")
                .join(name),
        )
        .unwrap();
        let mut reader = SliceReader::new(&bytes, ReadOptions::strict());
        let mut errors = 0;
        let mut index = 0;
        while let Some(result) = reader.next() {
            if let Err(e) = result {
                errors += 1;
                assert_eq!(e.position.record_index, Some(index), "{name}");
                // Within the record (or, for a truncated one, its end).
                let start = reader.byte_offset() - reader.last_record_bytes().len() as u64;
                let at = e.position.byte_offset.expect("an offset");
                assert!(
                    (start..=reader.byte_offset()).contains(&at),
                    "{name}: {e:?} at {at}, record {start}..{}",
                    reader.byte_offset()
                );
            }
            index += 1;
        }
        assert!(errors >= min_errors, "{name}: {errors} errors");
    }
}

#[test]
fn a_truncated_last_record_is_an_error_and_ends_the_input() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/marc4j_pride_and_prejudice_fixed.mrc"),
    )
    .unwrap();
    let cut = &bytes[..bytes.len() - 10];
    let results: Vec<_> = SliceReader::new(cut, ReadOptions::lenient()).collect();
    let last = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!(last.kind, ErrorKind::Truncated);
    assert_eq!(last.position.byte_offset, Some(cut.len() as u64));
    assert!(results[..results.len() - 1].iter().all(Result::is_ok));
}

/// A megabyte that holds no record (no terminator, then filler) read a byte
/// at a time: the streaming reader keeps what it learnt of the bytes it
/// waits on instead of searching them again at every read (which made this
/// about 10^12 byte compares, not 10^6), and reads the record after each as
/// the in-place reader does.
#[test]
fn a_long_undecided_stretch_trickled_a_byte_a_read() {
    let record = std::fs::read(common::data("marc4j_chabon.mrc")).unwrap();
    let first = &record[..mrrc_core::parallel::split_records(&record)[0].end];
    for stretch in [vec![b'x'; 1 << 20], vec![b' '; 1 << 20]] {
        let mut input = stretch.clone();
        if stretch[0] == b'x' {
            input.push(0x1D); // ends the garbage as one bad chunk
        }
        input.extend_from_slice(first);
        for options in [ReadOptions::strict(), ReadOptions::lenient()] {
            let trickled = through_stream(
                Trickle {
                    bytes: &input,
                    step: 1,
                },
                options,
            );
            assert_eq!(trickled, seen!(SliceReader::new(&input[..], options)));
            let mut reader = MarcReader::new(
                Trickle {
                    bytes: &input,
                    step: 1,
                },
                options,
            );
            if stretch[0] == b'x' {
                let e = reader.next().unwrap().unwrap_err();
                assert_eq!(e.record_index(), Some(0));
                assert!(e.byte_offset().unwrap() < stretch.len() as u64);
            }
            let good = reader.next().unwrap().unwrap();
            assert_eq!(
                good.get("245").unwrap().value(),
                SliceReader::new(first, ReadOptions::strict())
                    .next()
                    .unwrap()
                    .unwrap()
                    .get("245")
                    .unwrap()
                    .value()
            );
            assert!(reader.next().is_none());
        }
    }
}
