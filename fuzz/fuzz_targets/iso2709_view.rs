//! Any bytes: the view parses or refuses without panicking, every accessor
//! is safe, and a view that parses gives the strict record; and
//! `SliceReader::next_view` frames exactly the records `next` frames (same
//! offsets), with a view wherever strict mode reads a record cleanly.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mrrc_core::iso2709::{parse_record, SliceReader};
use mrrc_core::parallel::split_records;
use mrrc_core::view::RecordView;
use mrrc_core::ReadOptions;

fuzz_target!(|data: &[u8]| {
    for range in split_records(data) {
        let bytes = &data[range];
        let Ok(view) = RecordView::parse(bytes) else {
            continue;
        };
        // A bad entry is an error when its field is read; the rest still read.
        for f in view.fields().flatten() {
            let _ = f.tag();
            let _ = f.value();
            let _ = f.indicators();
            for s in f.subfields() {
                let _ = s.value_str();
            }
        }
        let _ = view.get("245");
        let _ = view.to_record(&ReadOptions::lenient());
        let _ = parse_record(bytes, &ReadOptions::strict());
    }
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        let mut reader = SliceReader::new(data, options);
        let mut viewer = SliceReader::new(data, options);
        while let Some(record) = reader.next() {
            let view = viewer.next_view().expect("a view for each frame");
            assert_eq!(viewer.byte_offset(), reader.byte_offset());
            assert_eq!(viewer.records_read(), reader.records_read());
            if options == ReadOptions::strict() && record.is_ok() && reader.warnings().is_empty() {
                assert_eq!(
                    view.expect("a view of a clean record").len(),
                    record.unwrap().fields().len()
                );
            }
        }
        assert!(viewer.next_view().is_none());
    }
});
