//! Any bytes: the view parses or refuses without panicking, every accessor
//! is safe, and a view that parses gives the strict record; and
//! `SliceReader::next_view` frames exactly the records `next` frames (same
//! offsets), with a view wherever strict mode reads a record cleanly; a
//! field's subfields are the plain split of its bytes.
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
            // The subfields are the plain split of the field's bytes: at
            // each delimiter, pieces without a code skipped.
            let got: Vec<(u8, &[u8])> = f.subfields().map(|s| (s.code, s.value)).collect();
            let want: Vec<(u8, &[u8])> = if f.is_control() {
                Vec::new()
            } else {
                let data = f.data();
                let first = data.iter().position(|&b| b == 0x1F).unwrap_or(data.len());
                data[first..]
                    .split(|&b| b == 0x1F)
                    .skip(1)
                    .filter(|piece| !piece.is_empty())
                    .map(|piece| (piece[0], &piece[1..]))
                    .collect()
            };
            assert_eq!(got, want);
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
