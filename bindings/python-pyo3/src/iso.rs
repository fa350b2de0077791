//! ISO 2709 in and out: `Record(data)`, `record.decode_marc`,
//! `record.as_marc`, `field.as_marc`, and the read options pymarc's keyword
//! arguments stand for.

use pyo3::exceptions::{PyLookupError, PyUnicodeDecodeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::convert::text_in;
use crate::errors::{annotate, core_error};
use crate::field::Field;
use crate::record::Record;
use mrrc_core::iso2709::{parse_record_with_warnings, write_record, WriteCharset, WriteOptions};
use mrrc_core::pymarc::{verdict, PymarcError};
use mrrc_core::{Charset, LenientContent, Mode, ReadOptions, Utf8Handling};

pub struct DecodeArgs<'a> {
    pub to_unicode: bool,
    pub force_utf8: bool,
    pub hide_utf8_warnings: bool,
    pub utf8_handling: &'a str,
    pub file_encoding: &'a str,
}

/// pymarc's keyword arguments as core read options.
pub fn read_options(
    to_unicode: bool,
    force_utf8: bool,
    utf8_handling: &str,
    file_encoding: &str,
    _permissive: bool,
) -> PyResult<ReadOptions> {
    let charset = if !to_unicode {
        Charset::Raw
    } else if force_utf8 {
        Charset::Utf8
    } else {
        match file_encoding.trim().to_ascii_lowercase().as_str() {
            // pymarc's default: MARC-8 unless leader/09 says UTF-8.
            "iso8859-1" | "iso-8859-1" | "marc8" | "marc-8" => Charset::FromLeader,
            label => Charset::legacy(label).ok_or_else(|| {
                PyLookupError::new_err(format!("unknown encoding: {file_encoding}"))
            })?,
        }
    };
    let utf8_handling = match utf8_handling {
        "strict" => Utf8Handling::Strict,
        "ignore" => Utf8Handling::Ignore,
        _ => Utf8Handling::Replace,
    };
    Ok(ReadOptions {
        // pymarc repairs content (odd tags, indicators, codes, MARC-8) and
        // rejects bad structure: the core reads leniently and
        // `mrrc_core::pymarc::verdict` rejects what pymarc rejects, unless
        // `permissive` asks for every repair the core can make.
        mode: Mode::Lenient,
        // pymarc keeps empty subfields, upper-case codes and entities.
        lenient_content: LenientContent::Keep,
        charset,
        utf8_handling,
        ..ReadOptions::default()
    })
}

/// The exception pymarc would raise for a record the core rejected, carrying
/// the core's message and position.
pub fn rejected_error(
    py: Python<'_>,
    chunk: &[u8],
    class: PymarcError,
    err: &mrrc_core::Error,
) -> (PyErr, bool) {
    let e = match class {
        PymarcError::UnicodeDecodeError => {
            let end = chunk.len().min(1);
            match PyUnicodeDecodeError::new(
                py,
                c"ascii",
                chunk,
                0..end,
                &std::ffi::CString::new(err.to_string()).unwrap_or_default(),
            ) {
                Ok(v) => PyErr::from_value(v.into_any()),
                Err(e) => e,
            }
        }
        PymarcError::ValueError => PyValueError::new_err(err.to_string()),
        other => core_error(py, other.name(), err),
    };
    annotate(py, &e, err);
    (e, class.is_fatal())
}

fn bytes_of(data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(v) = data.extract::<Vec<u8>>() {
        return Ok(v);
    }
    Ok(crate::convert::string_to_latin1(&text_in(data)?))
}

/// pymarc `decode_marc`: parses `data` into `record` (its leader replaced,
/// its fields appended).
pub fn decode_into(
    py: Python<'_>,
    record: &Record,
    data: &Bound<'_, PyAny>,
    args: DecodeArgs<'_>,
) -> PyResult<()> {
    let _ = args.hide_utf8_warnings;
    let bytes = bytes_of(data)?;
    let options = read_options(
        args.to_unicode,
        args.force_utf8,
        args.utf8_handling,
        args.file_encoding,
        false,
    )?;
    let utf8_strict = args.utf8_handling == "strict";
    let parsed = py.detach(|| {
        let mut warnings = Vec::new();
        let read = parse_record_with_warnings(&bytes, &options, &mut warnings);
        verdict(&bytes, read, &warnings, utf8_strict, (0, 0), false)
    });
    let parsed = parsed.map_err(|r| rejected_error(py, &bytes, r.class, &r.error).0)?;
    record.absorb(py, parsed, !args.to_unicode)
}

/// The charset pymarc's `as_marc` encodes with; with `to_unicode` it also
/// marks the record's own leader as UTF-8, as pymarc does.
fn record_charset(py: Python<'_>, record: &Record) -> WriteCharset {
    let mut s = record.lock(py);
    if s.to_unicode && !s.raw {
        s.set_leader_byte(py, 9, b'a');
        return WriteCharset::Utf8;
    }
    let _ = s.sync(py);
    if s.core.leader.get(9) == b'a' || s.force_utf8 {
        WriteCharset::Utf8
    } else {
        WriteCharset::Raw
    }
}

pub fn encode_error(py: Python<'_>, err: &mrrc_core::Error) -> PyErr {
    core_error(py, "MarcError", err)
}

#[pymethods]
impl Record {
    /// The record in ISO 2709 (UTF-8 unless `to_unicode` is off).
    fn as_marc<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let charset = record_charset(py, self);
        let core = self.snapshot(py)?;
        let mut out = Vec::new();
        py.detach(|| write_record(&core, &WriteOptions { charset }, &mut out))
            .map_err(|e| encode_error(py, &e))?;
        Ok(PyBytes::new(py, &out))
    }

    fn as_marc21<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        self.as_marc(py)
    }

    #[pyo3(signature = (marc, to_unicode=true, force_utf8=false, hide_utf8_warnings=false,
        utf8_handling="strict", encoding="iso8859-1"))]
    #[allow(clippy::too_many_arguments)]
    fn decode_marc(
        &self,
        py: Python<'_>,
        marc: &Bound<'_, PyAny>,
        to_unicode: bool,
        force_utf8: bool,
        hide_utf8_warnings: bool,
        utf8_handling: &str,
        encoding: &str,
    ) -> PyResult<()> {
        decode_into(
            py,
            self,
            marc,
            DecodeArgs {
                to_unicode,
                force_utf8,
                hide_utf8_warnings,
                utf8_handling,
                file_encoding: encoding,
            },
        )
    }
}

#[pymethods]
impl Field {
    /// The field's bytes in ISO 2709 (indicators, subfields, terminator).
    #[pyo3(signature = (encoding=None))]
    fn as_marc<'py>(
        &self,
        py: Python<'py>,
        encoding: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let (field, raw) = {
            let s = self.lock(py);
            (s.field.clone(), s.raw)
        };
        let latin1 = encoding.is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().replace('_', "-").as_str(),
                "iso8859-1" | "iso-8859-1" | "latin-1" | "latin1"
            )
        });
        let charset = if raw || latin1 {
            WriteCharset::Raw
        } else {
            WriteCharset::Utf8
        };
        let one = mrrc_core::Record::from_parts(mrrc_core::Leader::default(), vec![field]);
        let mut out = Vec::new();
        write_record(&one, &WriteOptions { charset }, &mut out)
            .map_err(|e| encode_error(py, &e))?;
        let base = one_field_base(&out);
        Ok(PyBytes::new(py, &out[base..out.len() - 1]))
    }

    fn as_marc21<'py>(
        &self,
        py: Python<'py>,
        encoding: Option<&str>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        self.as_marc(py, encoding)
    }
}

/// Where the data of a written one-field record starts (its base address).
fn one_field_base(record: &[u8]) -> usize {
    std::str::from_utf8(&record[12..17])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(37)
}
