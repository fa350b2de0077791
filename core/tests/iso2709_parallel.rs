//! The parallel paths and the view agree with the streaming reader.

use mrrc_core::iso2709::MarcReader;
use mrrc_core::parallel::{par_records, parse_all, split_records, ParallelReader};
use mrrc_core::view::RecordView;
use mrrc_core::{ReadOptions, Record};
use rayon::prelude::*;

mod common;

/// Every corpus file end to end: good records, bad ones, filler and oversize
/// records, with offsets that only match if framing is the same everywhere.
fn all_corpus_bytes() -> Vec<u8> {
    let names = common::iso2709_fixtures().into_iter().filter(|p| {
        // A truncated file would swallow the start of the next one.
        !p.to_string_lossy().contains("008008027") && !p.to_string_lossy().contains("e005")
    });
    let mut out = Vec::new();
    for n in names {
        out.extend(std::fs::read(n).unwrap());
    }
    out
}

fn streamed(bytes: &[u8], options: ReadOptions) -> Vec<mrrc_core::Result<Record>> {
    MarcReader::new(bytes, options).collect()
}

#[test]
fn parallel_results_equal_streamed_results() {
    let bytes = all_corpus_bytes();
    // The corpus has damaged records in both modes, so errors are compared too.
    for (options, min_errors) in [(ReadOptions::strict(), 50), (ReadOptions::lenient(), 5)] {
        let expected = streamed(&bytes, options);
        assert!(expected.len() > 2_000);
        let errors = expected.iter().filter(|r| r.is_err()).count();
        assert!(errors > min_errors, "{errors} errors");
        assert_eq!(split_records(&bytes).len(), expected.len());
        assert_eq!(parse_all(&bytes, &options), expected);
        let reader = ParallelReader::new(&bytes[..], options, 2)
            .unwrap()
            .with_chunk_size(64 << 10);
        assert_eq!(reader.threads(), 2);
        let got: Vec<_> = reader.collect();
        assert_eq!(got, expected);
    }
}

#[test]
fn par_records_gives_every_result_index_offset_and_warning_of_the_streaming_reader() {
    let bytes = all_corpus_bytes();
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        let mut streamed = MarcReader::new(&bytes[..], options);
        let mut expected = Vec::new();
        while let Some(result) = streamed.next() {
            let offset = streamed.byte_offset() - streamed.last_record_bytes().len() as u64;
            expected.push((offset, result, streamed.warnings().to_vec()));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let got: Vec<_> = pool.install(|| par_records(&bytes, &options).collect());
        assert_eq!(got.len(), expected.len());
        let mut warned = 0;
        for (i, (p, (offset, result, warnings))) in got.into_iter().zip(expected).enumerate() {
            assert_eq!(p.index, i as u64);
            assert_eq!(p.offset, offset, "record {i}");
            assert_eq!(p.result, result, "record {i}");
            assert_eq!(p.warnings, warnings, "record {i}");
            warned += usize::from(!warnings.is_empty());
        }
        if options.mode == mrrc_core::Mode::Lenient {
            assert!(warned > 5, "{warned} records with warnings");
        }
    }
}

#[test]
fn parallel_reader_keeps_each_records_bytes_and_offset_when_asked() {
    let bytes = all_corpus_bytes();
    let mut streamed = MarcReader::new(&bytes[..], ReadOptions::lenient());
    let mut parallel = ParallelReader::new(&bytes[..], ReadOptions::lenient(), 2)
        .unwrap()
        .with_chunk_size(64 << 10)
        .with_record_bytes(true);
    let mut n = 0;
    while let Some(want) = streamed.next() {
        let got = parallel
            .next()
            .expect("as many records as the streaming reader");
        assert_eq!(got, want);
        assert_eq!(parallel.last_record_bytes(), streamed.last_record_bytes());
        let start = streamed.byte_offset() - streamed.last_record_bytes().len() as u64;
        assert_eq!(parallel.last_record_offset(), start);
        assert_eq!(parallel.warnings(), streamed.warnings());
        n += 1;
    }
    assert!(parallel.next().is_none());
    assert!(n > 2_000);
    // Without the option no bytes are copied.
    let mut plain = ParallelReader::new(&bytes[..], ReadOptions::lenient(), 2).unwrap();
    plain.next().unwrap().unwrap();
    assert!(plain.last_record_bytes().is_empty());
}

#[test]
fn split_ranges_are_what_the_reader_returns() {
    let bytes = all_corpus_bytes();
    let mut reader = MarcReader::new(&bytes[..], ReadOptions::lenient());
    for range in split_records(&bytes) {
        reader.next().unwrap().ok();
        assert_eq!(reader.last_record_bytes(), &bytes[range]);
    }
    assert!(reader.next().is_none());
}

/// Framing a whole buffer in pieces on several threads gives the frames of
/// one thread, wherever the pieces' guessed starts fall: on clean records,
/// on damaged ones (lying lengths, missing terminators, filler), and on a
/// stray terminator put just after each nominal piece start.
#[test]
fn framing_in_pieces_equals_framing_on_one_thread() {
    // The corpus a few times over: pieces of at least 1 MiB for 8 threads.
    let once = all_corpus_bytes();
    let corpus: Vec<u8> = once.repeat((9 << 20) / once.len() + 1);
    let one_thread = |bytes: &[u8]| -> Vec<std::ops::Range<usize>> {
        let mut reader = MarcReader::new(bytes, ReadOptions::lenient());
        let mut ranges = Vec::new();
        while reader.next().is_some() {
            let end = reader.byte_offset() as usize;
            ranges.push(end - reader.last_record_bytes().len()..end);
        }
        ranges
    };
    for threads in [2, 3, 5, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        // Stray terminators just after the nominal start of each thread's
        // piece and of each of the (up to 16) pieces a thread frames at once.
        let mut damaged = corpus.clone();
        for pieces in [threads, threads * 4, threads * 8, threads * 16] {
            for k in 1..pieces {
                let at = damaged.len() / pieces * k + 7;
                damaged[at] = 0x1D;
            }
        }
        for bytes in [&corpus, &damaged] {
            assert!(bytes.len() > threads << 20, "pieces of at least 1 MiB");
            let expected = one_thread(bytes);
            assert!(expected.len() > 2_000);
            // par_records frames in pieces on the pool it runs on.
            let options = ReadOptions::lenient();
            let starts: Vec<usize> = pool.install(|| {
                par_records(bytes, &options)
                    .map(|p| p.offset as usize)
                    .collect()
            });
            let expected_starts: Vec<usize> = expected.iter().map(|r| r.start).collect();
            assert_eq!(starts, expected_starts, "{threads} threads");
            assert_eq!(split_records(bytes), expected);
        }
        // Small buffers: whole corpus files, framed in pieces of 64 KiB.
        let small = &corpus[..corpus.len().min(3 << 20)];
        let starts: Vec<usize> = pool.install(|| {
            par_records(small, &ReadOptions::strict())
                .map(|p| p.offset as usize)
                .collect()
        });
        let expected: Vec<usize> = one_thread(small).iter().map(|r| r.start).collect();
        assert_eq!(starts, expected, "{threads} threads, 3 MiB");
    }
}

#[test]
fn view_agrees_with_the_record() {
    let bytes = all_corpus_bytes();
    let options = ReadOptions::strict();
    let mut viewed = 0;
    for range in split_records(&bytes) {
        let rec = &bytes[range];
        let Ok(record) = mrrc_core::iso2709::parse_record(rec, &options) else {
            continue;
        };
        let view = RecordView::parse(rec).and_then(|v| {
            v.fields().try_for_each(|f| f.map(drop))?;
            Ok(v)
        });
        let Ok(view) = view else {
            // Oversize records: the view trusts the directory.
            assert!(rec.len() > 99_999);
            continue;
        };
        assert_eq!(view.to_record(&options).unwrap(), record);
        assert_eq!(view.len(), record.fields().len());
        for (fv, f) in view.fields().zip(record.fields()) {
            let fv = fv.unwrap();
            assert_eq!(fv.tag().unwrap(), f.tag().as_str());
            if let Some(v) = f.control_value() {
                if record.leader.is_unicode() {
                    assert_eq!(fv.value().unwrap(), v);
                }
            } else {
                let ind = f.indicators().unwrap();
                let (a, b) = fv.indicators().unwrap();
                assert_eq!((char::from(a), char::from(b)), (ind.first, ind.second));
                let codes: Vec<char> = fv.subfields().map(|s| char::from(s.code)).collect();
                let want: Vec<char> = f.subfields().map(|s| s.code).collect();
                assert_eq!(codes, want);
                if record.leader.is_unicode() {
                    for (sv, s) in fv.subfields().zip(f.subfields()) {
                        assert_eq!(sv.value_str().unwrap(), s.value);
                    }
                }
            }
        }
        viewed += 1;
    }
    assert!(viewed > 1_500, "{viewed}");
}
