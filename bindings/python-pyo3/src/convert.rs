//! Conversions between Python values and the core's types: text (str, or
//! bytes for pymarc's `RawField`), tags, subfield codes and indicators.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple, PyType};

use mrrc_core::{Indicators, Tag};

/// An indicator or subfield code that pymarc allows to be the empty string.
/// The core keeps it as NUL, which the core's MARCMaker text leaves out.
pub const ABSENT: char = '\0';

static SUBFIELD_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INDICATORS_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TUPLE_NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

pub fn subfield_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    SUBFIELD_TYPE.import(py, "mrrc._types", "Subfield")
}

pub fn indicators_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    INDICATORS_TYPE.import(py, "mrrc._types", "Indicators")
}

/// Builds an instance of a named tuple type without going through its
/// Python-level `__new__` (`tuple.__new__(cls, items)`).
fn make_named_tuple<'py>(
    py: Python<'py>,
    ty: &Bound<'py, PyType>,
    items: Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    let new = TUPLE_NEW.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.get_type::<PyTuple>().getattr("__new__")?.unbind())
    })?;
    new.bind(py).call1((ty, items))
}

pub fn subfield_obj<'py>(
    py: Python<'py>,
    code: char,
    value: &str,
    raw: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let items = PyTuple::new(
        py,
        [code_out(py, code).into_any(), text_out(py, value, raw)],
    )?;
    make_named_tuple(py, subfield_type(py)?, items)
}

pub fn indicators_obj(py: Python<'_>, ind: Indicators) -> PyResult<Bound<'_, PyAny>> {
    let items = PyTuple::new(py, [code_out(py, ind.first), code_out(py, ind.second)])?;
    make_named_tuple(py, indicators_type(py)?, items)
}

/// ISO 8859-1: each byte is the code point of the same value. This is how the
/// core keeps undecoded bytes (`Charset::Raw`).
pub fn latin1_to_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The inverse of [`latin1_to_string`]; characters above U+00FF become `?`.
pub fn string_to_latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// A text value for Python: `str`, or `bytes` for a raw field.
pub fn text_out<'py>(py: Python<'py>, text: &str, raw: bool) -> Bound<'py, PyAny> {
    if raw {
        PyBytes::new(py, &string_to_latin1(text)).into_any()
    } else {
        PyString::new(py, text).into_any()
    }
}

/// A text value from Python: `str`, `bytes` (ISO 8859-1, as pymarc's
/// `RawField` holds them), `None` (empty), or anything else through `str()`.
pub fn text_in(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.to_owned());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(latin1_to_string(b.as_bytes()));
    }
    if obj.is_none() {
        return Ok(String::new());
    }
    Ok(obj.str()?.to_str()?.to_owned())
}

pub fn code_out(py: Python<'_>, code: char) -> Bound<'_, PyString> {
    if code == ABSENT {
        PyString::new(py, "")
    } else {
        let mut buf = [0u8; 4];
        PyString::new(py, code.encode_utf8(&mut buf))
    }
}

/// A subfield code or indicator: its first character, or [`ABSENT`] for "".
pub fn char_in(obj: &Bound<'_, PyAny>) -> PyResult<char> {
    let text = text_in(obj)?;
    Ok(text.chars().next().unwrap_or(ABSENT))
}

/// pymarc's tag rule: a numeric tag of other than three digits is rewritten
/// as a three-digit number, an integer becomes its three-digit form, anything
/// else is kept as text.
pub fn tag_in(obj: &Bound<'_, PyAny>) -> PyResult<Tag> {
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_str()?;
        if s.len() != 3 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = s.parse::<u64>() {
                return Ok(Tag::new(&format!("{n:03}")));
            }
        }
        return Ok(Tag::new(s));
    }
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(Tag::new(&format!("{n:03}")));
    }
    Ok(Tag::new(obj.str()?.to_str()?))
}

/// pymarc's indicator rules: `None` or empty means two blanks; a list or tuple
/// must have exactly two items; any other sequence is unpacked.
pub fn indicators_in(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Indicators> {
    let Some(obj) = obj else {
        return Ok(Indicators::BLANK);
    };
    if obj.is_none() || !obj.is_truthy()? {
        return Ok(Indicators::BLANK);
    }
    let is_list_or_tuple = obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok();
    let len = obj.len()?;
    if len != 2 {
        return Err(if is_list_or_tuple {
            PyValueError::new_err(
                "The indicators input no longer accepts an iterable of arbitrary length. Use \
                 the Indicators() named tuple instead.",
            )
        } else {
            PyTypeError::new_err(format!("Indicators takes 2 values, got {len}"))
        });
    }
    Ok(Indicators::new(
        char_in(&obj.get_item(0)?)?,
        char_in(&obj.get_item(1)?)?,
    ))
}

/// `(code, value)` pairs from a list of `Subfield`s (or any 2-sequences).
pub fn subfields_in(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(char, String)>> {
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        if item.cast::<PyString>().is_ok() {
            return Err(PyValueError::new_err(
                "The subfield input no longer accepts strings, and should use Subfield. \
                 Please consult the documentation for details.",
            ));
        }
        out.push((char_in(&item.get_item(0)?)?, text_in(&item.get_item(1)?)?));
    }
    Ok(out)
}
