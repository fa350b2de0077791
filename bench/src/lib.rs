//! Corpus generation and helpers shared by the benches.
