//! `mrrc.MARCReader`: pymarc's reader over the core's streaming ISO 2709
//! reader. Records are parsed in batches with the GIL released (one release
//! per batch, not per record) and handed out from the batch.

use std::collections::VecDeque;
use std::io::Read;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::exceptions::{PyStopIteration, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::MutexExt;
use pyo3::types::{PyBytes, PyString};

use crate::iso::{read_options, rejected_error};
use crate::record::Record;
use mrrc_core::iso2709::MarcReader as CoreReader;
use mrrc_core::pymarc::{classify, verdict, Rejected};

/// Records parsed per GIL release. Measured on the LoC file: the per-record
/// cost stops falling at a few hundred (see bench/python/README.md).
const BATCH: usize = 512;

/// Reads a Python binary file object, attaching to the interpreter only for
/// each (large) read the core asks for.
struct PyFileRead {
    file: Py<PyAny>,
}

impl Read for PyFileRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Python::attach(|py| {
            let data = self
                .file
                .bind(py)
                .call_method1(pyo3::intern!(py, "read"), (buf.len(),))
                .map_err(std::io::Error::other)?;
            if data.is_none() {
                return Ok(0);
            }
            let bytes = data.cast::<PyBytes>().map_err(|_| {
                std::io::Error::other("MARCReader needs a file opened in binary mode ('rb')")
            })?;
            let bytes = bytes.as_bytes();
            let n = bytes.len().min(buf.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            Ok(n)
        })
    }
}

struct Parsed {
    result: Result<mrrc_core::Record, Rejected>,
    chunk: Range<usize>,
}

struct Batch {
    items: VecDeque<Parsed>,
    /// The raw bytes of the batch's records, back to back (`current_chunk`).
    bytes: Arc<Vec<u8>>,
}

struct ReaderState {
    source: Option<CoreReader<Box<dyn Read + Send>>>,
    batch: Batch,
    current_chunk: Option<(Arc<Vec<u8>>, Range<usize>)>,
    current_exception: Option<Py<PyAny>>,
    stopped: bool,
    raw: bool,
    force_utf8: bool,
    permissive: bool,
    utf8_strict: bool,
}

/// Reads MARC 21 (ISO 2709) records from a binary file object, bytes, or a
/// path (read by Rust). Yields `Record`s; a record that cannot be read yields
/// `None`, with `current_exception` and `current_chunk` set (as pymarc).
#[pyclass(module = "mrrc.reader", name = "MARCReader", frozen)]
pub struct MarcReader {
    state: Mutex<ReaderState>,
    #[pyo3(get)]
    file_handle: Option<Py<PyAny>>,
    #[pyo3(get)]
    to_unicode: bool,
    #[pyo3(get)]
    force_utf8: bool,
    #[pyo3(get)]
    hide_utf8_warnings: bool,
    #[pyo3(get)]
    utf8_handling: String,
    #[pyo3(get)]
    file_encoding: String,
    #[pyo3(get)]
    permissive: bool,
}

impl MarcReader {
    fn lock(&self, py: Python<'_>) -> MutexGuard<'_, ReaderState> {
        self.state
            .lock_py_attached(py)
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// Parses up to `n` records (no Python involved, except to read a file
/// object's next chunk).
fn parse_batch(
    source: &mut CoreReader<Box<dyn Read + Send>>,
    n: usize,
    pymarc_checks: bool,
    utf8_strict: bool,
) -> (Batch, bool) {
    let mut items = VecDeque::with_capacity(n);
    let mut bytes = Vec::new();
    let mut ended = false;
    for _ in 0..n {
        match source.next() {
            None => {
                ended = true;
                break;
            }
            Some(result) => {
                let raw = source.last_record_bytes();
                let start = bytes.len();
                bytes.extend_from_slice(raw);
                let index = source.records_read().saturating_sub(1);
                let offset = source.byte_offset().saturating_sub(raw.len() as u64);
                let result = if pymarc_checks {
                    verdict(
                        raw,
                        result,
                        source.warnings(),
                        utf8_strict,
                        (index, offset),
                        true,
                    )
                } else {
                    result.map_err(|error| Rejected {
                        class: classify(raw, &error),
                        error,
                    })
                };
                items.push_back(Parsed {
                    result,
                    chunk: start..bytes.len(),
                });
            }
        }
    }
    (
        Batch {
            items,
            bytes: Arc::new(bytes),
        },
        ended,
    )
}

#[pymethods]
impl MarcReader {
    #[new]
    #[pyo3(signature = (marc_target, to_unicode=true, force_utf8=false, hide_utf8_warnings=false,
        utf8_handling="strict", file_encoding="iso8859-1", permissive=false))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        marc_target: &Bound<'_, PyAny>,
        to_unicode: bool,
        force_utf8: bool,
        hide_utf8_warnings: bool,
        utf8_handling: &str,
        file_encoding: &str,
        permissive: bool,
    ) -> PyResult<Self> {
        let options = read_options(
            to_unicode,
            force_utf8,
            utf8_handling,
            file_encoding,
            permissive,
        )?;
        let mut file_handle = None;
        let input: Box<dyn Read + Send> = if let Ok(b) = marc_target.cast::<PyBytes>() {
            Box::new(std::io::Cursor::new(b.as_bytes().to_vec()))
        } else if marc_target.cast::<PyString>().is_ok()
            || marc_target.is_instance(&py.import("os")?.getattr("PathLike")?)?
        {
            let path: std::path::PathBuf = marc_target.extract()?;
            let file = py.detach(|| std::fs::File::open(&path)).map_err(|e| {
                pyo3::exceptions::PyOSError::new_err(format!("cannot open {}: {e}", path.display()))
            })?;
            Box::new(file)
        } else if marc_target.hasattr("read")? {
            file_handle = Some(marc_target.clone().unbind());
            Box::new(PyFileRead {
                file: marc_target.clone().unbind(),
            })
        } else if let Ok(v) = marc_target.extract::<Vec<u8>>() {
            Box::new(std::io::Cursor::new(v))
        } else {
            return Err(PyTypeError::new_err(
                "MARCReader reads bytes, a binary file object or a path",
            ));
        };
        Ok(MarcReader {
            state: Mutex::new(ReaderState {
                source: Some(CoreReader::new(input, options)),
                batch: Batch {
                    items: VecDeque::new(),
                    bytes: Arc::new(Vec::new()),
                },
                current_chunk: None,
                current_exception: None,
                stopped: false,
                raw: !to_unicode,
                force_utf8,
                permissive,
                utf8_strict: utf8_handling == "strict",
            }),
            file_handle,
            to_unicode,
            force_utf8,
            hide_utf8_warnings,
            utf8_handling: utf8_handling.to_owned(),
            file_encoding: file_encoding.to_owned(),
            permissive,
        })
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let mut guard = self.lock(py);
        let s = &mut *guard;
        if s.stopped {
            return Err(PyStopIteration::new_err(()));
        }
        s.current_chunk = None;
        s.current_exception = None;
        if s.batch.items.is_empty() {
            let Some(source) = s.source.as_mut() else {
                return Err(PyStopIteration::new_err(()));
            };
            let (checks, strict) = (!s.permissive, s.utf8_strict);
            let (batch, ended) = py.detach(|| parse_batch(source, BATCH, checks, strict));
            s.batch = batch;
            if ended {
                s.source = None;
            }
        }
        let Some(item) = s.batch.items.pop_front() else {
            s.stopped = true;
            return Err(PyStopIteration::new_err(()));
        };
        s.current_chunk = Some((s.batch.bytes.clone(), item.chunk.clone()));
        match item.result {
            Ok(record) => {
                Ok(Py::new(py, Record::from_reader(record, s.raw, s.force_utf8))?.into_any())
            }
            Err(rejected) => {
                let chunk = &s.batch.bytes[item.chunk];
                let (e, fatal) = rejected_error(py, chunk, rejected.class, &rejected.error);
                s.current_exception = Some(e.into_value(py).into_any());
                if fatal && !s.permissive || rejected.error.kind == mrrc_core::ErrorKind::Io {
                    s.stopped = true;
                }
                Ok(py.None())
            }
        }
    }

    /// The raw bytes of the record last returned (or that failed).
    #[getter]
    fn current_chunk<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        let s = self.lock(py);
        s.current_chunk
            .as_ref()
            .map(|(bytes, range)| PyBytes::new(py, &bytes[range.clone()]))
    }

    /// The exception for the record last returned as `None`.
    #[getter]
    fn current_exception(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.lock(py)
            .current_exception
            .as_ref()
            .map(|e| e.clone_ref(py))
    }

    /// Closes the file object given to the reader (pymarc `close`).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.lock(py).source = None;
        if let Some(f) = &self.file_handle {
            f.bind(py).call_method0("close")?;
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _a: &Bound<'_, PyAny>,
        _b: &Bound<'_, PyAny>,
        _c: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }
}
