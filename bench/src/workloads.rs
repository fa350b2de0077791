//! The measured work, shared by the criterion benches and the `ratios`
//! binary so both time exactly the same code. Each function takes the whole
//! buffer of records and returns a [`Tally`] (records and fields seen), which
//! keeps the work from being optimized away and lets a caller check that
//! every approach saw the same records.

use std::ops::Range;

use mrrc_core::format::Format;
use mrrc_core::iso2709::{
    parse_record, write_record, MarcReader, SliceReader, WriteCharset, WriteOptions,
};
use mrrc_core::marc8::unicode_to_marc8;
use mrrc_core::parallel::{par_records, parse_all, ParallelReader};
use mrrc_core::view::RecordView;
use mrrc_core::{Field, ReadOptions, Record, Result};

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

/// The number in `bytes[range]`, if all digits.
fn number(bytes: &[u8], range: Range<usize>) -> Option<usize> {
    bytes.get(range)?.iter().try_fold(0usize, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + usize::from(d - b'0'))
    })
}

/// The declared length (leader/00-04) of the record starting at `pos`.
fn declared_len(bytes: &[u8], pos: usize) -> Option<usize> {
    number(bytes, pos..pos + 5)
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

/// Full owned parse of bytes in memory, through the reader for them
/// (`SliceReader`: framing in place, every field and subfield located, UTF-8
/// validated once per record).
pub fn core_reader(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for record in SliceReader::new(bytes, ReadOptions::strict()) {
        tally.add(count_fields(&record.expect("valid record")));
    }
    tally
}

/// Every record checked as `SliceReader::next_checked` does (the full
/// parse's checks, nothing built): what a reader that keeps bytes pays.
pub fn core_check(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut reader = SliceReader::new(bytes, ReadOptions::strict());
    while let Some(next) = reader.next_checked() {
        let fields = match next.expect("valid record") {
            Some(record) => count_fields(&record),
            None => 0,
        };
        tally.add(fields);
    }
    tally
}

/// The same parse through the streaming reader, the slice taken as any
/// `Read` (each chunk copied into the reader's buffer first, as from a file).
pub fn core_stream_reader(bytes: &[u8]) -> Tally {
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

/// Framing alone: `parallel::split_records` (every record's byte range, on
/// the calling thread).
pub fn core_split_records(bytes: &[u8]) -> Tally {
    Tally {
        records: mrrc_core::parallel::split_records(bytes).len(),
        fields: 0,
    }
}

/// The borrowed view: `SliceReader::next_view` (framed as the reader
/// frames records, leader and directory checked, nothing decoded, the
/// records ahead prefetched).
pub fn core_view(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut reader = SliceReader::new(bytes, ReadOptions::strict());
    while let Some(view) = reader.next_view() {
        tally.add(view.expect("valid record").len());
    }
    tally
}

/// Every field and subfield value of every record through views
/// (`next_view`, then each field's bytes and each subfield's code and
/// value bytes): what reading everything costs without building records.
pub fn core_view_every_value(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut reader = SliceReader::new(bytes, ReadOptions::strict());
    while let Some(view) = reader.next_view() {
        let view = view.expect("valid record");
        let mut values = 0;
        for field in view.fields() {
            let field = field.expect("a field in place");
            values += field.tag_bytes().len();
            match field.indicators() {
                None => values += field.data().len(),
                Some(_) => {
                    for s in field.subfields() {
                        values += usize::from(s.code) + s.value.len();
                    }
                }
            }
        }
        tally.add(values);
    }
    tally
}

/// `RecordView::parse` on each record in turn, framed by the caller from
/// the leader lengths (what `core_view` did before `next_view`).
pub fn core_view_parse_loop(bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    let mut pos = 0;
    while let Some(len) = declared_len(bytes, pos).filter(|&l| l >= 24) {
        let view = RecordView::parse(&bytes[pos..pos + len]).expect("valid record");
        tally.add(view.len());
        pos += len;
    }
    tally
}

/// `parallel::parse_all` on `pool`. The records are returned so the caller
/// can drop them outside the timed region (dropping is serial).
pub fn core_parse_all(pool: &rayon::ThreadPool, bytes: &[u8]) -> (Tally, Vec<Result<Record>>) {
    let options = ReadOptions::strict();
    let records = pool.install(|| parse_all(bytes, &options));
    let mut tally = Tally::default();
    for r in &records {
        tally.add(count_fields(r.as_ref().expect("valid record")));
    }
    (tally, records)
}

/// `parallel::par_records` on `pool`: each record's fields counted, and the
/// record dropped, on the thread that parsed it.
pub fn core_par_records(pool: &rayon::ThreadPool, bytes: &[u8]) -> Tally {
    use rayon::prelude::*;
    let options = ReadOptions::strict();
    pool.install(|| {
        par_records(bytes, &options)
            .map(|p| Tally {
                records: 1,
                fields: count_fields(&p.result.expect("valid record")),
            })
            .reduce(Tally::default, |a, b| Tally {
                records: a.records + b.records,
                fields: a.fields + b.fields,
            })
    })
}

/// `parallel::ParallelReader` over the buffer as a stream (default batches)
/// with `threads` threads, each record dropped as it comes.
pub fn core_parallel_reader(bytes: &[u8], threads: usize) -> Tally {
    let reader = ParallelReader::new(bytes, ReadOptions::strict(), threads).expect("a pool");
    let mut tally = Tally::default();
    for record in reader {
        tally.add(count_fields(&record.expect("valid record")));
    }
    tally
}

/// [`core_reader`] on `copies.len()` threads at once, each over its own copy
/// of the records: nothing shared, nothing handed over. Its speedup is what
/// parsing itself gains from more threads on this machine (memory bandwidth,
/// caches and a second core that may not be free all limit it), the ceiling
/// for any parallel reader.
pub fn core_reader_independent(copies: &[Vec<u8>]) -> Tally {
    std::thread::scope(|s| {
        let workers: Vec<_> = copies
            .iter()
            .map(|bytes| s.spawn(move || core_reader(bytes)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a parsing thread"))
            .fold(Tally::default(), |a, b| Tally {
                records: a.records + b.records,
                fields: a.fields + b.fields,
            })
    })
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

/// Parses a buffer of ISO 2709 into owned records (bench setup).
pub fn load_records(bytes: &[u8]) -> Vec<Record> {
    MarcReader::new(bytes, ReadOptions::strict())
        .map(|r| r.expect("valid record"))
        .collect()
}

/// Writes records in a format through `Format::writer` into a reused buffer;
/// returns the bytes written.
pub fn format_write(format: Format, records: &[Record], out: &mut Vec<u8>) -> usize {
    out.clear();
    let mut writer = format
        .writer(&mut *out, WriteOptions::default())
        .expect("a UTF-8 writer");
    for record in records {
        writer.write_record(record).expect("writable record");
    }
    writer.finish().expect("flushed");
    out.len()
}

/// The options the format benches read with: strict, except MARCMaker,
/// whose text (as pymarc writes it) leaves a `$` inside a value unescaped,
/// so a value like LoC's `040 $d UV$` reads back only leniently.
pub fn format_read_options(format: Format) -> ReadOptions {
    match format {
        Format::Mrk => ReadOptions::lenient(),
        _ => ReadOptions::strict(),
    }
}

/// Reads every record of a buffer in a format through `Format::reader`.
pub fn format_read(format: Format, bytes: &[u8]) -> Tally {
    let mut tally = Tally::default();
    for record in format.reader(bytes, format_read_options(format)) {
        tally.add(count_fields(&record.expect("valid record")));
    }
    tally
}

/// The records written as MARC-8 ISO 2709 (leader/09 blank), text encoded
/// by `marc8::unicode_to_marc8` (characters MARC-8 lacks become `&#xXXXX;`).
/// `write_record` with `WriteCharset::Marc8` does not encode non-ASCII yet,
/// so the MARC-8 bytes go through `WriteCharset::Raw` (one char per byte).
pub fn to_marc8(records: &[Record]) -> Vec<u8> {
    fn raw(text: &str) -> String {
        unicode_to_marc8(text).into_iter().map(char::from).collect()
    }
    let options = WriteOptions {
        charset: WriteCharset::Raw,
    };
    let mut out = Vec::new();
    for record in records {
        let mut leader = record.leader;
        leader.set(9, b' ');
        let fields = record
            .fields()
            .iter()
            .map(|f| match f.control_value() {
                Some(v) => Field::control(f.tag().as_str(), raw(v)),
                None => Field::data(
                    f.tag().as_str(),
                    f.indicators().unwrap_or_default(),
                    f.subfields().map(|s| (s.code, raw(s.value))),
                ),
            })
            .collect();
        write_record(&Record::from_parts(leader, fields), &options, &mut out)
            .expect("MARC-8 bytes fit ISO 2709");
    }
    out
}

/// The byte range of every data-field subfield value of a buffer of
/// records (what a reader hands to the MARC-8 decoder).
pub fn subfield_value_ranges(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for rec in record_ranges(bytes) {
        let record = &bytes[rec.clone()];
        let Some(base) = number(record, 12..17) else {
            continue;
        };
        for entry in record[24..base - 1].chunks_exact(12) {
            if &entry[..3] < b"010".as_slice() {
                continue;
            }
            let (Some(len), Some(offset)) = (number(entry, 3..7), number(entry, 7..12)) else {
                continue;
            };
            let start = base + offset;
            let field = &record[start..start + len - 1];
            let mut pos = 0;
            for part in field.split(|&b| b == 0x1F) {
                if pos > 0 && part.len() > 1 {
                    let from = rec.start + start + pos + 1;
                    out.push(from..from + part.len() - 1);
                }
                pos += part.len() + 1;
            }
        }
    }
    out
}

/// `marc8_to_unicode` on each value; returns the characters produced.
pub fn marc8_decode_values(bytes: &[u8], values: &[Range<usize>]) -> usize {
    let options = ReadOptions::strict();
    let mut warnings = Vec::new();
    values
        .iter()
        .map(|r| {
            mrrc_core::marc8::marc8_to_unicode(&bytes[r.clone()], &options, &mut warnings)
                .expect("valid MARC-8")
                .len()
        })
        .sum()
}
