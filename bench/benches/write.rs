//! Writing: ISO 2709 and every other format, from records parsed beforehand.

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use mrrc_bench::workloads;
use mrrc_core::format::Format;

fn write(c: &mut Criterion) {
    for corpus in mrrc_bench::bench_corpora() {
        let records = workloads::load_records(&corpus.bytes);
        let mut out = Vec::with_capacity(corpus.bytes.len() * 4);
        for format in Format::ALL {
            let size = workloads::format_write(format, &records, &mut out);
            common::describe(&corpus, format.name(), size);
            common::note_size("write", &corpus, format.name(), corpus.records, size);
            let mut g = common::group_with_throughput(c, "write", &corpus, size);
            g.bench_function(format.name(), |b| {
                b.iter(|| workloads::format_write(format, &records, &mut out))
            });
            g.finish();
        }
        // The bare function, without the writer interface around it.
        let size = corpus.bytes.len();
        common::note_size(
            "write",
            &corpus,
            "iso2709_write_record",
            corpus.records,
            size,
        );
        let mut g = common::group_with_throughput(c, "write", &corpus, size);
        g.bench_function("iso2709_write_record", |b| {
            b.iter(|| workloads::core_write(&records, &mut out))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = write
}
criterion_main!(benches);
