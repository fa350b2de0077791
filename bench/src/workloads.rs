//! The measured work, shared by the criterion benches and the `ratios`
//! binary so both time exactly the same code. Each function takes the whole
//! buffer of records and returns a [`Tally`] (records and fields seen), which
//! keeps the work from being optimized away and lets a caller check that
//! every approach saw the same records.

use std::ops::Range;

use mrrc_core::iso2709::{parse_record, write_record, MarcReader, WriteOptions};
use mrrc_core::{ReadOptions, Record};

/// Records and fields a workload went through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub records: usize,
    pub fields: usize,
}

impl Tally {
    fn add(&mut self, fields: usize) {
        self.records += 1;
        self.fields += fields;
    }
}

/// The scan limit: count record terminators with memchr.
pub fn scan_terminators(bytes: &[u8]) -> Tally {
    Tally {
        records: memchr::memchr_iter(0x1D, bytes).count(),
        fields: 0,
    }
}

/// The declared length (leader/00-04) of the record starting at `pos`.
fn declared_len(bytes: &[u8], pos: usize) -> Option<usize> {
    let digits = bytes.get(pos..pos + 5)?;
    digits.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })
}

/// Each record's byte range, by the leader lengths (the corpora here are
/// well formed; a bad length ends the walk).
pub fn record_ranges(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(len) = declared_len(bytes, pos).filter(|&l| l >= 24 && pos + l <= bytes.len()) {
        out.push(pos..pos + len);
        pos += len;
    }
    out
}

fn count_fields(record: &Record) -> usize {
    record.fields().len()
}

/// Full owned parse through the streaming reader over the slice (framing,
/// every field and subfield located, UTF-8 validated once per record).
pub fn core_reader(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for record in MarcReader::new(bytes, ReadOptions::strict()) {
        tally.add(count_fields(&record.expect("valid record")));
    }
    tally
}

/// Full owned parse, `parse_record` on each record's slice.
pub fn core_parse_record(bytes: &[u8], ranges: &[Range<usize>]) -> Tally {
    let options = ReadOptions::strict();
    let mut tally = Tally::default();
    for r in ranges {
        let record = parse_record(&bytes[r.clone()], &options).expect("valid record");
        tally.add(count_fields(&record));
    }
    tally
}

/// Writes records as ISO 2709 into a reused buffer; returns the bytes written.
pub fn core_write(records: &[Record], out: &mut Vec<u8>) -> usize {
    out.clear();
    let options = WriteOptions::default();
    for record in records {
        write_record(record, &options, out).expect("writable record");
    }
    out.len()
}

/// The `mrrc` 0.9.2 crate's `MarcReader::read_record` loop.
pub fn peer_mrrc_read_record(bytes: &[u8]) -> Tally {
    let mut reader = mrrc_peer::MarcReader::new(bytes);
    let mut tally = Tally::default();
    while let Some(record) = reader.read_record().expect("valid record") {
        let fields = record.control_fields.values().map(Vec::len).sum::<usize>()
            + record.fields.values().map(Vec::len).sum::<usize>();
        tally.add(fields);
    }
    tally
}

/// The `marc` 3.x crate's `Record::parse` (leader and directory; fields are
/// sliced on demand) walking the buffer record by record.
pub fn peer_marc_parse(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut pos = 0;
    while pos < bytes.len() {
        let record = marc::Record::parse(&bytes[pos..]).expect("valid record");
        pos += record.as_ref().len();
        tally.add(record.fields().count());
    }
    tally
}

/// Iterations of the control's arithmetic loop in one work unit.
pub const CONTROL_UNIT_ITERATIONS: u64 = 1 << 16;

/// A pure-CPU job split into `work_units` independent units run on `pool`:
/// no memory traffic and no sharing, so its speedup from 1 to N threads is
/// what a perfectly parallel job gets on this (shared) machine right now.
pub fn cpu_control(pool: &rayon::ThreadPool, work_units: u64) -> u64 {
    use rayon::prelude::*;
    pool.install(|| {
        (0..work_units)
            .into_par_iter()
            .map(|unit| {
                let mut x = unit.wrapping_add(0x9E37_79B9_7F4A_7C15);
                for _ in 0..CONTROL_UNIT_ITERATIONS {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                }
                x
            })
            .reduce(|| 0, |a, b| a ^ b)
    })
}

/// A rayon pool of exactly `threads` threads.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a rayon pool")
}
