//! Reading every format: each corpus is converted once (untimed) and the
//! streaming reader of each format reads it back.

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mrrc_bench::workloads;
use mrrc_core::format::Format;

fn formats(c: &mut Criterion) {
    for corpus in mrrc_bench::bench_corpora() {
        let records = workloads::load_records(&corpus.bytes);
        for format in Format::ALL {
            let mut encoded = Vec::new();
            workloads::format_write(format, &records, &mut encoded);
            let tally = workloads::format_read(format, &encoded);
            assert_eq!(tally.records, corpus.records, "{} read back", format.name());
            common::describe(&corpus, format.name(), encoded.len());
            let size = encoded.len();
            common::note_size("read_format", &corpus, format.name(), corpus.records, size);
            let mut g = common::group_with_throughput(c, "read_format", &corpus, size);
            g.bench_function(format.name(), |b| {
                b.iter(|| workloads::format_read(format, black_box(&encoded)))
            });
            g.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = formats
}
criterion_main!(benches);
