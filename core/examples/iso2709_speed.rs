//! Throughput on one file, against a bare scan for record terminators in the
//! same run: `cargo run --release -p mrrc-core --example iso2709_speed -- FILE`.
//! Single-threaded figures use the thread's CPU time (from
//! /proc/thread-self/schedstat) so that other load on the machine does not
//! count; the parallel one uses wall time.
use std::time::Instant;

use mrrc_core::iso2709::{parse_record, MarcReader};
use mrrc_core::parallel::{split_records, ParallelReader};
use mrrc_core::view::RecordView;
use mrrc_core::ReadOptions;

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let bytes = std::fs::read(&path).unwrap();
    let cpu = || -> f64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
            .map_or_else(|| f64::NAN, |ns| ns / 1e9)
    };
    let wall = std::env::var("WALL").is_ok();
    let time = |name: &str, base: Option<f64>, f: &mut dyn FnMut() -> usize| {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..5 {
            let (t, c) = (Instant::now(), cpu());
            n = f();
            let took = if wall || name.contains("Parallel") {
                t.elapsed().as_secs_f64()
            } else {
                cpu() - c
            };
            best = best.min(took);
        }
        let rate = n as f64 / best;
        match base {
            Some(b) => println!(
                "{name:28} {n:8} records {best:7.3} s {rate:12.0} rec/s  {:.3}x scan",
                rate / b
            ),
            None => println!("{name:28} {n:8} records {best:7.3} s {rate:12.0} rec/s"),
        }
        rate
    };
    let scan = time("memchr 0x1D count", None, &mut || {
        memchr::memchr_iter(0x1D, &bytes).count()
    });
    time("split_records", Some(scan), &mut || {
        split_records(&bytes).len()
    });
    time("view: parse + every subfield", Some(scan), &mut || {
        let mut n = 0;
        for r in split_records(&bytes) {
            let v = RecordView::parse(&bytes[r]).unwrap();
            for f in v.fields() {
                n += f.subfields().count();
            }
        }
        std::hint::black_box(n);
        split_records(&bytes).len()
    });
    time("view: parse", Some(scan), &mut || {
        split_records(&bytes)
            .into_iter()
            .filter(|r| RecordView::parse(&bytes[r.clone()]).is_ok())
            .count()
    });
    time("owned parse_record (slices)", Some(scan), &mut || {
        split_records(&bytes)
            .into_iter()
            .filter(|r| parse_record(&bytes[r.clone()], &ReadOptions::strict()).is_ok())
            .count()
    });
    time("MarcReader (file, strict)", Some(scan), &mut || {
        MarcReader::open(&path, ReadOptions::strict())
            .unwrap()
            .filter(|r| r.is_ok())
            .count()
    });
    time("MarcReader (file, lenient)", Some(scan), &mut || {
        MarcReader::open(&path, ReadOptions::lenient())
            .unwrap()
            .filter(|r| r.is_ok())
            .count()
    });
    time("ParallelReader (file, 2 thr)", Some(scan), &mut || {
        ParallelReader::open(&path, ReadOptions::strict(), 2)
            .unwrap()
            .filter(|r| r.is_ok())
            .count()
    });
}
