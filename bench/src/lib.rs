//! Benchmarks of mrrc-core: a deterministic sample corpus shaped like the
//! Library of Congress file, the statistics to check it, and helpers the
//! criterion benches and the `ratios` binary share.

pub mod corpus;
pub mod cpu_time;
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

/// The LoC file: `$MRRC_LOC_FILE` if set, else
/// `data/loc/BooksAll.2016.part01.utf8` under the workspace root; `None`
/// when it is not there.
pub fn loc_path() -> Option<PathBuf> {
    let path = std::env::var_os("MRRC_LOC_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("data/loc/BooksAll.2016.part01.utf8"));
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

/// A named buffer of ISO 2709 records the benches run on.
pub struct Corpus {
    pub name: String,
    pub bytes: Vec<u8>,
    pub records: usize,
}

impl Corpus {
    fn new(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        let records = workloads::record_ranges(&bytes).len();
        Corpus {
            name: name.into(),
            bytes,
            records,
        }
    }
}

/// The corpora the criterion benches use: the sample corpus
/// ([`SAMPLE_RECORDS`] records) and, when the LoC file is present, every
/// 10th of its records (25,000, spread over the whole file) so a full
/// `cargo bench` stays within minutes. `MRRC_BENCH_LOC_STEP=1` takes the
/// whole file instead.
pub fn bench_corpora() -> Vec<Corpus> {
    let mut out = vec![Corpus::new(
        "sample",
        sample_corpus(SAMPLE_RECORDS, SAMPLE_SEED),
    )];
    if let Some(path) = loc_path() {
        let step = std::env::var("MRRC_BENCH_LOC_STEP")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10usize)
            .max(1);
        let all = std::fs::read(&path).expect("readable LoC file");
        let bytes = if step == 1 {
            all
        } else {
            every_nth_record(&all, step)
        };
        let name = if step == 1 {
            "loc".to_string()
        } else {
            format!("loc_1in{step}")
        };
        out.push(Corpus::new(name, bytes));
    } else {
        eprintln!("mrrc-bench: data/loc/BooksAll.2016.part01.utf8 not found; LoC benches skipped (make loc fetches it)");
    }
    out
}
