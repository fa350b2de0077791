//! Entry points whose core side is still being written by other helpers
//! (ISO 2709 reader, MARC-8, MARCXML, MARCMaker); they raise until it lands.

use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;

fn pending(what: &str) -> PyErr {
    PyNotImplementedError::new_err(format!("{what} lands with the core implementation"))
}

#[pyfunction]
#[pyo3(signature = (*_args, **_kwargs))]
pub fn record_to_xml(_args: &Bound<'_, PyAny>, _kwargs: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    Err(pending("record_to_xml"))
}

#[pyfunction]
#[pyo3(signature = (*_args, **_kwargs))]
pub fn parse_xml_bytes(
    _args: &Bound<'_, PyAny>,
    _kwargs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    Err(pending("MARCXML parsing"))
}

#[pyfunction]
#[pyo3(signature = (*_args, **_kwargs))]
pub fn parse_mrk_line(
    _args: &Bound<'_, PyAny>,
    _kwargs: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    Err(pending("MARCMaker parsing"))
}
