//! Reading ISO 2709, single-threaded: the scan limit, mrrc-core's owned
//! parse (streaming reader and `parse_record`), and the peers `mrrc` 0.9.2
//! (`read_record`) and `marc` 3 (`Record::parse`, compared with mrrc-core's
//! borrowed views: `SliceReader::next_view`, and `RecordView::parse` in the
//! caller's loop), on the same bytes.

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use mrrc_bench::workloads;

fn read(c: &mut Criterion) {
    for corpus in mrrc_bench::bench_corpora() {
        let bytes = &corpus.bytes[..];
        common::describe(&corpus, "ISO 2709", bytes.len());
        let ranges = workloads::record_ranges(bytes);
        let mut g = common::group_with_throughput(c, "read", &corpus, bytes.len());
        for id in [
            "scan_limit_memchr",
            "core_reader_owned",
            "core_stream_reader_owned",
            "core_parse_record_owned",
            "peer_mrrc_0_9_2_read_record",
            "core_view_borrowed",
            "core_view_parse_loop",
            "peer_marc_3_record_parse",
        ] {
            common::note_size("read", &corpus, id, corpus.records, bytes.len());
        }
        g.bench_function("scan_limit_memchr", |b| {
            b.iter(|| workloads::scan_terminators(black_box(bytes)))
        });
        g.bench_function("core_reader_owned", |b| {
            b.iter(|| workloads::core_reader(black_box(bytes)))
        });
        g.bench_function("core_stream_reader_owned", |b| {
            b.iter(|| workloads::core_stream_reader(black_box(bytes)))
        });
        g.bench_function("core_parse_record_owned", |b| {
            b.iter(|| workloads::core_parse_record(black_box(bytes), &ranges))
        });
        g.bench_function("peer_mrrc_0_9_2_read_record", |b| {
            b.iter(|| workloads::peer_mrrc_read_record(black_box(bytes)))
        });
        g.bench_function("core_view_borrowed", |b| {
            b.iter(|| workloads::core_view(black_box(bytes)))
        });
        g.bench_function("core_view_parse_loop", |b| {
            b.iter(|| workloads::core_view_parse_loop(black_box(bytes)))
        });
        g.bench_function("peer_marc_3_record_parse", |b| {
            b.iter(|| workloads::peer_marc_parse(black_box(bytes)))
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = read
}
criterion_main!(benches);
