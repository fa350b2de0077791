//! Asking the CPU to start loading input that will be read soon.
//!
//! Parsing a buffer that is not in cache waits on memory once per record:
//! the hardware prefetcher follows a sequential stream, but a record is read
//! out of order (its leader, its last byte, the directory, then the data),
//! and each next record begins a new stream. A prefetch hint for the bytes a
//! couple of records ahead keeps them arriving while the record at hand is
//! parsed. Measured (CPU time per pass of the LoC file, medians of seven
//! rounds, alternating builds, `bench/examples/workload_loop.rs`): a
//! `parse_record` loop hinting each record after next took 150-152 ms
//! against 160-161 ms without; touching those bytes with ordinary loads
//! instead was slower than nothing (164-171 ms), as a load that misses holds
//! up the instructions behind it and a hint does not. Adding the next
//! record's last byte (which framing reads first) to `SliceReader`'s hints:
//! 187.5 vs 195.4 ms, median of three alternating runs on a loaded machine.
//!
//! This is `unsafe` only because the intrinsic is declared with
//! `#[target_feature(enable = "sse")]`, which makes calling it from an
//! ordinary function unsafe even though every x86_64 CPU has SSE: a prefetch
//! reads nothing the program can see, cannot fault, and is given addresses
//! inside a live slice.

#![allow(unsafe_code)]

/// Hints that `bytes` will be read soon. Does nothing on architectures
/// without a stable prefetch instruction.
#[inline]
pub(crate) fn prefetch(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        /// Bytes a cache line holds.
        const LINE: usize = 64;
        let mut at = 0;
        while at < bytes.len() {
            let line = bytes[at..].as_ptr().cast::<i8>();
            // SAFETY: SSE (baseline on x86_64) provides the instruction; a
            // prefetch of an address inside a live slice has no effect but
            // on timing.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line) };
            at += LINE;
        }
        // The last line, when `bytes` does not start on a line boundary.
        if let Some(last) = bytes.last() {
            // SAFETY: as above.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(last).cast::<i8>()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

/// How far ahead of the record being parsed to prefetch: about two MARC 21
/// bibliographic records (the LoC file's average is 967 bytes).
pub(crate) const RECORDS_AHEAD: usize = 2048;

/// Prefetches what follows the record at `range` in `bytes` by
/// [`RECORDS_AHEAD`] bytes, the same length as the record: called for each
/// record in turn, this asks for every byte once, about two records early.
#[inline]
pub(crate) fn prefetch_ahead(bytes: &[u8], range: std::ops::Range<usize>) {
    let from = range.start.saturating_add(RECORDS_AHEAD).min(bytes.len());
    let to = range.end.saturating_add(RECORDS_AHEAD).min(bytes.len());
    prefetch(&bytes[from..to]);
}

/// Prefetches the last byte of the record that starts at `next` (as its
/// leader declares), which framing it will read first.
#[inline]
pub(crate) fn prefetch_record_end(bytes: &[u8], next: usize) {
    if let Some(len) = crate::iso2709::declared_length(bytes, next) {
        let end = next.saturating_add(len).min(bytes.len());
        prefetch(&bytes[end.saturating_sub(1)..end]);
    }
}
