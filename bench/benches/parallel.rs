//! Thread scaling on this shared machine: a pure-CPU control that scales
//! ideally, measured next to the parallel parse (`parse_all` over a buffer,
//! and the streaming `ParallelReader`), with 1 and 2 threads.

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use mrrc_bench::workloads;

/// Control work per iteration: enough for a few tenths of a second.
const CONTROL_UNITS: u64 = 512;

fn parallel(c: &mut Criterion) {
    let pools = [(1, workloads::pool(1)), (2, workloads::pool(2))];
    let mut g = c.benchmark_group("cpu_control");
    g.sampling_mode(criterion::SamplingMode::Flat);
    g.throughput(Throughput::Elements(CONTROL_UNITS));
    for (threads, pool) in &pools {
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| workloads::cpu_control(pool, black_box(CONTROL_UNITS)))
        });
    }
    g.finish();

    for corpus in mrrc_bench::bench_corpora() {
        let bytes = &corpus.bytes[..];
        common::describe(&corpus, "ISO 2709", bytes.len());
        let mut g = common::group_with_throughput(c, "parallel", &corpus, bytes.len());
        for (threads, _) in &pools {
            for kind in ["parse_all", "parallel_reader"] {
                let id = format!("{kind}_threads_{threads}");
                common::note_size("parallel", &corpus, &id, corpus.records, bytes.len());
            }
        }
        for (threads, pool) in &pools {
            // Dropping the parsed records is serial and left out of the time.
            g.bench_function(format!("parse_all_threads_{threads}"), |b| {
                b.iter_with_large_drop(|| workloads::core_parse_all(pool, black_box(bytes)))
            });
        }
        for (threads, _) in &pools {
            g.bench_function(format!("parallel_reader_threads_{threads}"), |b| {
                b.iter(|| workloads::core_parallel_reader(black_box(bytes), *threads))
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = parallel
}
criterion_main!(benches);
