//! Throughput on one file, against a bare scan for record terminators in the
//! same run: `cargo run --release -p mrrc-core --example iso2709_speed -- FILE`.
//! Single-threaded figures use the thread's CPU time (from
//! /proc/thread-self/schedstat) so that other load on the machine does not
//! count. The parallel section uses wall time, next to a pure CPU control (a
//! rayon loop with no memory traffic) on 1 and 2 threads measured in the same
//! rounds: on a shared machine the control's speedup is the most any job
//! could get at that moment.
use std::time::Instant;

use mrrc_core::iso2709::{parse_record, MarcReader};
use mrrc_core::parallel::{split_records, ParallelReader};
use mrrc_core::view::RecordView;
use mrrc_core::ReadOptions;
use rayon::prelude::*;

fn cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| f64::NAN, |ns| ns / 1e9)
}

/// Best of `rounds` runs of `f` (CPU time of this thread, or wall time).
fn best(rounds: usize, wall: bool, f: &mut dyn FnMut() -> usize) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..rounds {
        let (t, c) = (Instant::now(), cpu());
        n = f();
        let took = if wall {
            t.elapsed().as_secs_f64()
        } else {
            cpu() - c
        };
        best = best.min(took);
    }
    (best, n)
}

fn row(name: &str, n: usize, secs: f64, scan: Option<f64>) -> f64 {
    let rate = n as f64 / secs;
    match scan {
        Some(b) => println!(
            "{name:34} {n:8} records {secs:7.3} s {rate:12.0} rec/s  {:.3}x scan",
            rate / b
        ),
        None => println!("{name:34} {n:8} records {secs:7.3} s {rate:12.0} rec/s"),
    }
    rate
}

/// A pure-CPU job: `units` independent xorshift loops on `pool`.
fn control(pool: &rayon::ThreadPool, units: u64) -> usize {
    pool.install(|| {
        (0..units)
            .into_par_iter()
            .map(|unit| {
                let mut x = unit.wrapping_add(0x9E37_79B9_7F4A_7C15);
                for _ in 0..(1 << 16) {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                }
                x
            })
            .reduce(|| 0, |a, b| a ^ b) as usize
            & 1
    })
}

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let bytes = std::fs::read(&path).unwrap();
    let t = |name: &str, scan: Option<f64>, f: &mut dyn FnMut() -> usize| {
        let (secs, n) = best(5, false, f);
        row(name, n, secs, scan)
    };
    let scan = t("memchr 0x1D count", None, &mut || {
        memchr::memchr_iter(0x1D, &bytes).count()
    });
    let scan = Some(scan);
    t("split_records", scan, &mut || split_records(&bytes).len());
    let ranges = split_records(&bytes);
    t("view: parse", scan, &mut || {
        ranges
            .iter()
            .filter(|r| RecordView::parse(&bytes[(*r).clone()]).is_ok())
            .count()
    });
    t("view: parse + every subfield", scan, &mut || {
        let mut n = 0;
        for r in &ranges {
            let v = RecordView::parse(&bytes[r.clone()]).unwrap();
            for f in v.fields() {
                n += f.unwrap().subfields().count();
            }
        }
        std::hint::black_box(n);
        ranges.len()
    });
    t("owned parse_record (slices)", scan, &mut || {
        ranges
            .iter()
            .filter(|r| parse_record(&bytes[(*r).clone()], &ReadOptions::strict()).is_ok())
            .count()
    });
    t("MarcReader (file, strict)", scan, &mut || {
        MarcReader::open(&path, ReadOptions::strict())
            .unwrap()
            .filter(|r| r.is_ok())
            .count()
    });
    t("MarcReader (file, lenient)", scan, &mut || {
        MarcReader::open(&path, ReadOptions::lenient())
            .unwrap()
            .filter(|r| r.is_ok())
            .count()
    });

    // Parallel: wall time, rounds interleaved so all see the same load.
    let pools = [1, 2].map(|n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    });
    let units = 2000;
    let mut times = [f64::MAX; 4];
    let mut counts = [0usize; 4];
    for _ in 0..5 {
        let runs: [&mut dyn FnMut() -> usize; 4] = [
            &mut || control(&pools[0], units),
            &mut || control(&pools[1], units),
            &mut || {
                MarcReader::open(&path, ReadOptions::strict())
                    .unwrap()
                    .filter(|r| r.is_ok())
                    .count()
            },
            &mut || {
                ParallelReader::open(&path, ReadOptions::strict(), 2)
                    .unwrap()
                    .filter(|r| r.is_ok())
                    .count()
            },
        ];
        for (i, f) in runs.into_iter().enumerate() {
            let (secs, n) = best(1, true, f);
            times[i] = times[i].min(secs);
            counts[i] = n;
        }
    }
    println!("-- wall time, best of 5 interleaved rounds");
    println!(
        "{:34} {:8} units   {:7.3} s",
        "CPU control, 1 thread", units, times[0]
    );
    println!(
        "{:34} {:8} units   {:7.3} s  speedup {:.2}x",
        "CPU control, 2 threads",
        units,
        times[1],
        times[0] / times[1]
    );
    row("MarcReader (file, strict, wall)", counts[2], times[2], scan);
    row("ParallelReader (file, 2 thr)", counts[3], times[3], scan);
    println!(
        "ParallelReader speedup over MarcReader: {:.2}x (control: {:.2}x)",
        times[2] / times[3],
        times[0] / times[1]
    );
}
