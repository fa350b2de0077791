//! Any bytes: both modes terminate without panicking, agree with the
//! in-place reader (`SliceReader`, with its offsets and warnings) and the
//! parallel paths (`parse_all`, and `par_records` with its indexes, offsets
//! and warnings) and the checking reader (`next_checked`: a record it
//! checked without building parses from its bytes to the same record, and
//! its view gives the same accessor values), and every bad chunk is an
//! error with a position.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mrrc_core::accessors;
use mrrc_core::iso2709::{parse_record, MarcReader, SliceReader};
use mrrc_core::parallel::{par_records, parse_all};
use mrrc_core::view::RecordView;
use mrrc_core::ReadOptions;
use rayon::prelude::*;

/// Hands out at most `step` bytes a read, so the streaming reader frames
/// records that arrive in pieces (and resumes its search for their ends).
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(out.len()).min(self.bytes.len());
        out[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fuzz_target!(|data: &[u8]| {
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        let mut reader = MarcReader::new(data, options);
        let mut streamed = Vec::new();
        let mut placed = Vec::new();
        while let Some(r) = reader.next() {
            let start = reader.byte_offset() - reader.last_record_bytes().len() as u64;
            placed.push((start, reader.warnings().to_vec()));
            streamed.push(r);
        }
        assert!(streamed.len() <= data.len());
        for r in &streamed {
            if let Err(e) = r {
                assert!(e.position.record_index.is_some());
                assert!(e.position.byte_offset.is_some());
            }
        }
        let mut in_place = SliceReader::new(data, options);
        for (want, (offset, warnings)) in streamed.iter().zip(&placed) {
            assert_eq!(in_place.next().as_ref(), Some(want));
            let start = in_place.byte_offset() - in_place.last_record_bytes().len() as u64;
            assert_eq!(start, *offset);
            assert_eq!(in_place.warnings(), &warnings[..]);
        }
        assert!(in_place.next().is_none());
        let mut checking = SliceReader::new(data, options);
        for (want, (offset, warnings)) in streamed.iter().zip(&placed) {
            let got = match checking.next_checked().expect("as many records") {
                Ok(None) => {
                    let bytes = checking.last_record_bytes();
                    let record = parse_record(bytes, &options);
                    let view = RecordView::parse(bytes).expect("a checked record's view");
                    let record_ref = record.as_ref().expect("a checked record parses");
                    assert_eq!(accessors::title(&view), record_ref.title());
                    assert_eq!(accessors::author(&view), record_ref.author());
                    assert_eq!(accessors::publisher(&view), record_ref.publisher());
                    assert_eq!(accessors::isbn(&view), record_ref.isbn());
                    record
                }
                Ok(Some(record)) => Ok(record),
                Err(e) => Err(e),
            };
            assert_eq!(&got, want);
            let start = checking.byte_offset() - checking.last_record_bytes().len() as u64;
            assert_eq!(start, *offset);
            assert_eq!(checking.warnings(), &warnings[..]);
        }
        assert!(checking.next_checked().is_none());
        let step = 1 + usize::from(data.first().copied().unwrap_or(0) % 64);
        let trickled: Vec<_> = MarcReader::new(Trickle { bytes: data, step }, options).collect();
        assert_eq!(trickled, streamed);
        assert_eq!(parse_all(data, &options), streamed);
        let parallel: Vec<_> = par_records(data, &options).collect();
        assert_eq!(parallel.len(), streamed.len());
        for (i, (p, (want, (offset, warnings)))) in parallel
            .into_iter()
            .zip(streamed.iter().zip(&placed))
            .enumerate()
        {
            assert_eq!(p.index, i as u64);
            assert_eq!(p.offset, *offset);
            assert_eq!(&p.result, want);
            assert_eq!(&p.warnings, warnings);
        }
    }
});
