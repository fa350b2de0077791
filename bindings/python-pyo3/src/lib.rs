//! `mrrc._mrrc`, the native part of the `mrrc` Python package: pymarc 5.4.0's
//! API over `mrrc-core`. This crate only translates types and releases the
//! GIL; every MARC behaviour lives in the core.

use pyo3::prelude::*;

mod convert;
mod errors;
mod field;
mod formats;
mod gil_lock;
mod iso;
mod leader;
mod marc8;
mod marc_dict;
#[cfg(unix)]
mod os_file;
mod reader;
mod record;

#[pymodule(gil_used = false)]
fn _mrrc(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<leader::Leader>()?;
    m.add_class::<field::Field>()?;
    m.add_class::<field::RawField>()?;
    m.add_class::<record::Record>()?;
    m.add_function(wrap_pyfunction!(record::record_from_dict, m)?)?;
    m.add_class::<reader::MarcReader>()?;
    m.add_class::<marc8::Marc8ToUnicode>()?;
    m.add_function(wrap_pyfunction!(marc8::marc8_to_unicode, m)?)?;
    m.add_function(wrap_pyfunction!(formats::record_to_xml, m)?)?;
    m.add_function(wrap_pyfunction!(formats::parse_xml_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(formats::parse_mrk_line, m)?)?;
    m.add_function(wrap_pyfunction!(formats::parse_mrk_record, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
