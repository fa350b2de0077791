//! The Rust core's own loops over the same bytes bench/c/bench_ffi.c reads
//! through the C ABI (scripts/bench-c.sh runs both): ns per record to read,
//! read + title, read + every field's values.
//!
//!     cargo run --release -p mrrc-ffi --example core_loop -- FILE [MAX_MB]

use std::hint::black_box;
use std::time::Instant;

use mrrc_core::iso2709::SliceReader;
use mrrc_core::{ReadOptions, Record};

fn pass(data: &[u8], work: impl Fn(&Record) -> usize) -> (usize, f64) {
    let mut best = f64::MAX;
    let mut records = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let mut acc = 0usize;
        records = 0;
        // In place, as `mrrc_reader_from_borrowed_bytes` reads them.
        for record in SliceReader::new(data, ReadOptions::default()) {
            let record = record.expect("the bench file is clean");
            acc += work(&record);
            records += 1;
        }
        black_box(acc);
        best = best.min(start.elapsed().as_secs_f64());
    }
    (records, best * 1e9 / records as f64)
}

fn all_fields(r: &Record) -> usize {
    let mut total = 0;
    for f in r.fields() {
        total += f.tag().as_str().len();
        if let Some(v) = f.control_value() {
            total += v.len();
            continue;
        }
        black_box(f.indicators());
        for s in f.subfields() {
            total += s.value.len() + s.code as usize;
        }
    }
    total
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: core_loop FILE [MAX_MB]");
    let max_mb: usize = args
        .next()
        .map_or(64, |s| s.parse().expect("MAX_MB is a number"));
    let mut data = std::fs::read(&path).expect("the bench file is readable");
    data.truncate(max_mb << 20);
    while data.last().is_some_and(|&b| b != 0x1d) {
        data.pop();
    }
    let (records, read) = pass(&data, |_| 0);
    let (_, title) = pass(&data, |r| r.title().map_or(0, |t| t.len()));
    let (_, all) = pass(&data, all_fields);
    println!(
        "Rust core, {records} records, {:.1} MB",
        data.len() as f64 / 1e6
    );
    println!("  read                                     {read:8.0} ns/record");
    println!("  read + title                             {title:8.0} ns/record");
    println!("  read + every field                       {all:8.0} ns/record");
}
