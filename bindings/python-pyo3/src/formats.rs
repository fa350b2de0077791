//! MARCXML, MARCMaker and msgpack: pymarc's entry points over the core's
//! readers and writers.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use crate::errors::core_error;
use crate::field::Field;
use crate::leader::Leader;
use crate::record::Record;
use mrrc_core::marcxml::{record_to_xml_with, XmlNamespaces, XmlOptions, XmlReader};
use mrrc_core::{ErrorKind, ReadOptions};

/// A record as MARCXML bytes: `ascii=True` is pymarc's `record_to_xml`
/// (non-ASCII as character references), `False` is what its XMLWriter
/// writes.
#[pyfunction]
#[pyo3(signature = (record, namespace=false, ascii=true))]
pub fn record_to_xml<'py>(
    py: Python<'py>,
    record: &Bound<'py, Record>,
    namespace: bool,
    ascii: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let core = record.get().snapshot(py)?;
    let xml = py.detach(|| record_to_xml_with(&core, &XmlOptions { namespace, ascii }));
    Ok(PyBytes::new(py, xml.as_bytes()))
}

/// Every record of a MARCXML document. pymarc rejects a leader that is not
/// 24 characters (`RecordLeaderInvalid`) and is lenient about the rest.
/// `strict` (pymarc's) reads only elements in the MARC slim namespace.
#[pyfunction]
#[pyo3(signature = (data, strict=false))]
pub fn parse_xml_bytes<'py>(
    py: Python<'py>,
    data: Vec<u8>,
    strict: bool,
) -> PyResult<Bound<'py, PyList>> {
    let options = ReadOptions::lenient();
    let namespaces = if strict {
        XmlNamespaces::MarcOnly
    } else {
        XmlNamespaces::MarcOrNone
    };
    let parsed = py.detach(|| {
        let mut reader =
            XmlReader::new(std::io::Cursor::new(data), options).with_namespaces(namespaces);
        let mut out = Vec::new();
        while let Some(item) = reader.next() {
            let bad_leader = reader
                .warnings()
                .iter()
                .find(|w| w.kind == ErrorKind::Leader)
                .map(|w| mrrc_core::Error {
                    kind: w.kind,
                    position: w.position,
                    message: w.message.clone(),
                });
            match (item, bad_leader) {
                (Ok(_), Some(e)) => out.push(Err(("RecordLeaderInvalid", e))),
                (Ok(r), None) => out.push(Ok(r)),
                (Err(e), _) if e.kind == ErrorKind::Leader => {
                    out.push(Err(("RecordLeaderInvalid", e)))
                }
                (Err(e), _) => out.push(Err(("MarcError", e))),
            }
        }
        out
    });
    let list = PyList::empty(py);
    for item in parsed {
        match item {
            Ok(r) => list.append(Record::from_core(r, false))?,
            Err((class, e)) => return Err(core_error(py, class, &e)),
        }
    }
    Ok(list)
}

fn mrk_error(e: &mrrc_core::Error) -> PyErr {
    // pymarc's messages for its two line-shape checks.
    let message = match (e.kind, e.position.column) {
        (ErrorKind::Mrk, Some(1)) => "Line should start with a \"=\".".to_owned(),
        (ErrorKind::Mrk, Some(5)) => {
            "Tag should be separated from the rest of the field by two spaces.".to_owned()
        }
        _ => e.to_string(),
    };
    PyValueError::new_err(message)
}

/// One MARCMaker line (pymarc `MARCMakerReader._parse_line`): a `Leader` for
/// `=LDR`, else a `Field`.
#[pyfunction]
pub fn parse_mrk_line(py: Python<'_>, line: &str) -> PyResult<Py<PyAny>> {
    let record =
        mrrc_core::mrk::record_from_mrk(line, &ReadOptions::strict()).map_err(|e| mrk_error(&e))?;
    if line.get(1..4) == Some("LDR") {
        return Ok(Py::new(py, Leader::from_core(record.leader))?.into_any());
    }
    let field = record
        .into_fields()
        .into_iter()
        .next()
        .ok_or_else(|| PyValueError::new_err("no field on the line"))?;
    Ok(Field::new_object(py, field, false)?.into_any())
}

/// One record of MARCMaker text; an error names the line (1-based) it is on.
#[pyfunction]
pub fn parse_mrk_record(py: Python<'_>, text: &str) -> PyResult<Record> {
    if text.trim().is_empty() {
        return Ok(Record::from_core(mrrc_core::Record::new(), false));
    }
    let record = py
        .detach(|| mrrc_core::mrk::record_from_mrk(text, &ReadOptions::strict()))
        .map_err(|e| {
            let line = e.position.line.unwrap_or(1) as usize;
            let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or(text);
            crate::errors::raise(
                py,
                "PymarcException",
                (format!("Unable to parse line \"{line_text}\""),),
            )
        })?;
    Ok(Record::from_core(record, false))
}

#[pymethods]
impl Record {
    /// The record as msgpack bytes: the same bytes as
    /// `msgpack.packb(record.as_dict())`, made in one call.
    fn as_msgpack<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let core = self.snapshot(py)?;
        let bytes = py.detach(|| mrrc_core::msgpack::record_to_msgpack(&core));
        Ok(PyBytes::new(py, &bytes))
    }
}
