//! Benchmarks of mrrc-core: a deterministic sample corpus shaped like the
//! Library of Congress file, the statistics to check it, and helpers the
//! criterion benches and the `ratios` binary share.

pub mod corpus;
pub mod profile;
pub mod rng;
pub mod stats;

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
