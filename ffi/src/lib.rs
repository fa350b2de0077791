//! The C ABI of mrrc: `libmrrc.so` / `libmrrc.a` and `include/mrrc.h`.
//!
//! Nothing here but translation between C and `mrrc-core`: handles, status
//! codes, checked pointers and caught panics. The conventions every function
//! follows are written once, in the header's preamble (`cbindgen.toml`).

#![deny(unsafe_op_in_unsafe_fn)]
// The safety contract of every entry point is the one stated once in the
// header's preamble (valid pointers, handles from this library), not
// repeated per function.
#![allow(clippy::missing_safety_doc)]

mod alloc;
mod args;
pub mod convert;
pub mod field;
pub mod flat;
mod io;
pub mod options;
pub mod pymarc;
pub mod reader;
pub mod record;
pub mod split;
pub mod status;
pub mod writer;

use std::ffi::c_char;

pub use alloc::{mrrc_buffer_free, mrrc_indexes_free, mrrc_string_free, mrrc_string_len};
pub use field::{MrrcField, MrrcStr};
pub use record::MrrcRecord;
pub use status::MrrcStatus;

/// The library's version, `"MAJOR.MINOR.PATCH"` (static, not to be freed).
/// Matches `MRRC_VERSION_STRING` in the header the program was built with
/// unless the shared library was swapped.
#[no_mangle]
pub extern "C" fn mrrc_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
