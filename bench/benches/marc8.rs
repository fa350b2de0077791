//! MARC-8: each corpus written as MARC-8 (untimed), then decoded value by
//! value with `marc8_to_unicode`, and read whole by the ISO 2709 reader
//! (which decodes MARC-8 because leader/09 is blank).

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mrrc_bench::workloads;

fn marc8(c: &mut Criterion) {
    for corpus in mrrc_bench::bench_corpora() {
        let records = workloads::load_records(&corpus.bytes);
        let marc8 = workloads::to_marc8(&records);
        let values = workloads::subfield_value_ranges(&marc8);
        let value_bytes: usize = values.iter().map(|r| r.len()).sum();
        common::describe(&corpus, "MARC-8 ISO 2709", marc8.len());
        let id = "marc8_to_unicode_per_value";
        common::note_size("marc8", &corpus, id, corpus.records, value_bytes);
        let mut g = common::group_with_throughput(c, "marc8", &corpus, value_bytes);
        g.bench_function(id, |b| {
            b.iter(|| workloads::marc8_decode_values(black_box(&marc8), &values))
        });
        g.finish();
        let id = "core_reader_marc8_file";
        common::note_size("marc8", &corpus, id, corpus.records, marc8.len());
        let mut g = common::group_with_throughput(c, "marc8", &corpus, marc8.len());
        g.bench_function(id, |b| b.iter(|| workloads::core_reader(black_box(&marc8))));
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = marc8
}
criterion_main!(benches);
