//! Thread scaling on this shared machine: a pure-CPU control that scales
//! ideally, measured next to the parallel parse, with 1 and 2 threads.

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
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = parallel
}
criterion_main!(benches);
