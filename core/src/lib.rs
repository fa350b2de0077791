//! `mrrc-core` reads, writes and converts MARC 21 bibliographic records. It is
//! the one implementation behind every way into mrrc (the CLI, the C ABI, the
//! Python and Node bindings): the record model with pymarc 5.4.0's semantics,
//! a streaming ISO 2709 reader (strict, or lenient with recovery) and writer,
//! MARC-8 and legacy character sets to and from UTF-8, MARCXML, MARC-in-JSON,
//! msgpack and MARCMaker text, and parallel parsing of large files. It has no
//! Python and no FFI in it; its two `unsafe` modules, kept because they were
//! measured, are `shared`'s bulk reference count and `prefetch`'s hint to
//! load input ahead of the parser (see those modules).

#![deny(unsafe_code)]

pub mod accessors;
pub mod encoding;
pub mod error;
pub mod field;
pub mod format;
pub mod iso2709;
pub mod json;
pub mod leader;
pub mod marc8;
pub mod marcxml;
pub mod mrk;
pub mod msgpack;
pub mod options;
pub mod parallel;
pub mod positional;
mod prefetch;
pub mod pymarc;
pub mod record;
mod record_builder;
mod shared;
pub mod view;

pub use error::{Error, ErrorKind, Position, Result, Warning};
pub use field::{Field, Indicators, SetSubfieldError, Subfield, Tag};
pub use leader::Leader;
pub use options::{Charset, LenientContent, Mode, Normalization, ReadOptions, Utf8Handling};
pub use record::{MissingLinkedFields, Record};

/// The README's Rust example, compiled and run by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExample;
