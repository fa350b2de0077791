//! ISO 2709 in and out (filled in once the core reader and writer land).

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;

use crate::record::Record;

pub struct DecodeArgs<'a> {
    pub to_unicode: bool,
    pub force_utf8: bool,
    pub hide_utf8_warnings: bool,
    pub utf8_handling: &'a str,
    pub file_encoding: &'a str,
}

pub fn decode_into(
    _py: Python<'_>,
    _record: &Record,
    _data: &Bound<'_, PyAny>,
    _args: DecodeArgs<'_>,
) -> PyResult<()> {
    Err(PyNotImplementedError::new_err(
        "ISO 2709 decoding lands with the core reader",
    ))
}
