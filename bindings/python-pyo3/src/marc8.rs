//! `mrrc.marc8`: pymarc's MARC-8 functions over the core decoder.

use pyo3::prelude::*;

use crate::convert::{string_to_latin1, text_in};
use mrrc_core::ReadOptions;

fn bytes_in(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = value.cast::<pyo3::types::PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    Ok(string_to_latin1(&text_in(value)?))
}

/// Decodes MARC-8 bytes as pymarc does: bad sequences become what pymarc
/// puts there (never an error).
fn decode(py: Python<'_>, bytes: &[u8]) -> PyResult<String> {
    let options = ReadOptions::lenient();
    let mut warnings = Vec::new();
    py.detach(|| mrrc_core::marc8::marc8_to_unicode(bytes, &options, &mut warnings))
        .map_err(|e| crate::errors::core_error(py, "MarcError", &e))
}

/// MARC-8 bytes (or a str of byte values) to Unicode text (NFC).
#[pyfunction]
#[pyo3(signature = (marc8, hide_utf8_warnings=false))]
pub fn marc8_to_unicode(
    py: Python<'_>,
    marc8: &Bound<'_, PyAny>,
    hide_utf8_warnings: bool,
) -> PyResult<String> {
    let _ = hide_utf8_warnings;
    decode(py, &bytes_in(marc8)?)
}

/// pymarc's converter object; `translate(bytes)` decodes one value.
#[pyclass(module = "mrrc.marc8", name = "MARC8ToUnicode", frozen)]
pub struct Marc8ToUnicode {
    #[pyo3(get)]
    quiet: bool,
}

#[pymethods]
impl Marc8ToUnicode {
    #[new]
    #[pyo3(signature = (G0=0x42, G1=0x45, quiet=false))]
    #[allow(non_snake_case)]
    fn py_new(G0: u32, G1: u32, quiet: bool) -> PyResult<Self> {
        if G0 != 0x42 || G1 != 0x45 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "mrrc starts MARC-8 in its default sets (G0 Basic Latin, G1 ANSEL)",
            ));
        }
        Ok(Marc8ToUnicode { quiet })
    }

    fn translate(&self, py: Python<'_>, marc8_string: &Bound<'_, PyAny>) -> PyResult<String> {
        decode(py, &bytes_in(marc8_string)?)
    }
}
