//! Any bytes: both modes terminate without panicking, agree with the
//! parallel path, and every bad chunk is an error with a position.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mrrc_core::iso2709::MarcReader;
use mrrc_core::parallel::parse_all;
use mrrc_core::ReadOptions;

fuzz_target!(|data: &[u8]| {
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        let streamed: Vec<_> = MarcReader::new(data, options).collect();
        assert!(streamed.len() <= data.len());
        for r in &streamed {
            if let Err(e) = r {
                assert!(e.position.record_index.is_some());
                assert!(e.position.byte_offset.is_some());
            }
        }
        assert_eq!(parse_all(data, &options), streamed);
    }
});
