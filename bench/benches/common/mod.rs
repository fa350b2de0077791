#![allow(dead_code)] // each bench uses part of it
//! Criterion settings shared by the benches: short runs (a whole
//! `cargo bench -p mrrc-bench` takes a few minutes) and flat sampling, since
//! one iteration over a corpus takes milliseconds to a second.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput};
use mrrc_bench::Corpus;

pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .without_plots()
}

/// A group named `what/corpus` with flat sampling.
pub fn group<'a>(
    c: &'a mut Criterion,
    what: &str,
    corpus: &Corpus,
) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(format!("{what}/{}", corpus.name));
    g.sampling_mode(SamplingMode::Flat);
    g
}

/// A group named `what/corpus` with flat sampling, its throughput in
/// records/s, or in MB/s of `bytes` when `MRRC_BENCH_THROUGHPUT=bytes`
/// (criterion reports one unit per group; running twice would double the
/// time). The corpus size is printed so either converts to the other.
pub fn group_with_throughput<'a>(
    c: &'a mut Criterion,
    what: &str,
    corpus: &Corpus,
    bytes: usize,
) -> BenchmarkGroup<'a, WallTime> {
    let mut g = group(c, what, corpus);
    g.throughput(throughput(corpus.records, bytes));
    g
}

pub fn throughput(records: usize, bytes: usize) -> Throughput {
    if std::env::var("MRRC_BENCH_THROUGHPUT").as_deref() == Ok("bytes") {
        Throughput::BytesDecimal(bytes as u64)
    } else {
        Throughput::Elements(records as u64)
    }
}

/// Notes a benchmark's records and bytes per iteration in
/// `target/criterion/mrrc-bench-sizes.tsv`, so `bench/criterion_table.py`
/// can give records/s and MB/s for each (criterion reports one unit).
pub fn note_size(what: &str, corpus: &Corpus, id: &str, records: usize, bytes: usize) {
    use std::io::Write;
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| mrrc_bench::workspace_root().join("target"))
        .join("criterion");
    let _ = std::fs::create_dir_all(&dir);
    let line = format!("{what}/{}/{id}\t{records}\t{bytes}\n", corpus.name);
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("mrrc-bench-sizes.tsv"))
    {
        let _ = f.write_all(line.as_bytes());
    }
}

/// Prints what a corpus holds (once per bench binary and corpus).
pub fn describe(corpus: &Corpus, what: &str, bytes: usize) {
    eprintln!(
        "corpus {}: {} records; {what} {:.1} MB ({:.0} bytes/record)",
        corpus.name,
        corpus.records,
        bytes as f64 / 1e6,
        bytes as f64 / corpus.records.max(1) as f64
    );
}
