//! Benchmarks of mrrc-core: a deterministic sample corpus shaped like the
//! Library of Congress file, the statistics to check it, and helpers the
//! criterion benches and the `ratios` binary share.

pub mod corpus;
pub mod profile;
pub mod rng;
pub mod stats;
pub mod workloads;

pub use corpus::{sample_corpus, sample_records};

use std::path::PathBuf;

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ has a parent")
        .to_path_buf()
}

/// `data/loc/BooksAll.2016.part01.utf8` under the workspace root, when present.
pub fn loc_path() -> Option<PathBuf> {
    let path = workspace_root().join("data/loc/BooksAll.2016.part01.utf8");
    path.is_file().then_some(path)
}

/// The corpus benches run on unless told otherwise: 10,000 sample records.
pub const SAMPLE_RECORDS: usize = 10_000;
/// The seed of the default sample corpus.
pub const SAMPLE_SEED: u64 = 2016;

/// Every `step`-th record of a buffer, concatenated: a spread-out subset of a
/// large file that keeps its mix of old and new records.
pub fn every_nth_record(bytes: &[u8], step: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / step.max(1) + 1);
    for (i, r) in workloads::record_ranges(bytes).into_iter().enumerate() {
        if i % step.max(1) == 0 {
            out.extend_from_slice(&bytes[r]);
        }
    }
    out
}
