//! `mrrc.MARCReader`: pymarc's reader over the core's streaming ISO 2709
//! reader. Records are parsed in batches with the GIL released (one release
//! per batch, not per record) and handed out from the batch.

use std::collections::VecDeque;
use std::io::Read;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard};

use pyo3::exceptions::{PyNotImplementedError, PyStopIteration, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::sync::MutexExt;
use pyo3::types::{PyBytes, PyString};

use crate::iso::{read_options, rejected_error};
use crate::record::Record;
use mrrc_core::iso2709::{MarcReader as CoreReader, SliceReader};
use mrrc_core::parallel::ParallelReader;
use mrrc_core::pymarc::{classify, verdict, Rejected};

/// Records parsed per GIL release by default. Measured on the LoC file: the
/// per-record cost stops falling at a few hundred (see bench/python/README.md).
const BATCH: usize = 512;

type Input = Box<dyn Read + Send>;

/// Where records come from: the core's streaming reader, its in-place
/// reader for a `bytes` object (held, so read with the GIL released and
/// never copied), or its parallel reader (`threads=N`), which parses large
/// chunks on N threads.
enum Source {
    Stream(CoreReader<Input>),
    InPlace(SliceReader<PyBackedBytes>),
    Parallel(Box<ParallelReader<Input>>),
}

impl Source {
    fn next(&mut self) -> Option<mrrc_core::Result<mrrc_core::Record>> {
        match self {
            Source::Stream(r) => r.next(),
            Source::InPlace(r) => r.next(),
            Source::Parallel(r) => r.next(),
        }
    }

    fn last_record_bytes(&self) -> &[u8] {
        match self {
            Source::Stream(r) => r.last_record_bytes(),
            Source::InPlace(r) => r.last_record_bytes(),
            Source::Parallel(r) => r.last_record_bytes(),
        }
    }

    fn warnings(&self) -> &[mrrc_core::Warning] {
        match self {
            Source::Stream(r) => r.warnings(),
            Source::InPlace(r) => r.warnings(),
            Source::Parallel(r) => r.warnings(),
        }
    }

    /// (index, byte offset) of the record last returned.
    fn last_position(&self) -> (u64, u64) {
        match self {
            Source::Stream(r) => (r.records_read().saturating_sub(1), r.last_record_offset()),
            Source::InPlace(r) => (r.records_read().saturating_sub(1), r.last_record_offset()),
            Source::Parallel(r) => (r.records_read().saturating_sub(1), r.last_record_offset()),
        }
    }
}

/// Bytes read from a Python file object per call of its `read`.
const FILE_READ: usize = 4 << 20;

/// What was read from a Python binary file object and not yet parsed:
/// `data[start..end]`. The buffer is kept (and read into) from one batch to
/// the next, so a read costs one copy and no fresh allocation.
struct Prefetched {
    data: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// Bytes asked for by the next read: doubles from 64 KiB up to
    /// `FILE_READ`, so a small file costs no large buffer.
    next_read: usize,
    /// The file has a working `readinto` (every `io` binary file does): it
    /// then reads straight into `data` instead of into a new `bytes`. An
    /// `io.RawIOBase` that defines only `read` inherits a `readinto` that
    /// raises NotImplementedError: then `read` from there on.
    readinto: bool,
}

/// The Python exception a read of the user's file object raised, kept for
/// `__next__` to raise as it was (pymarc's read of its file raises it; the
/// core reader only carries its message).
#[derive(Clone, Default)]
pub(crate) struct FileError(Arc<Mutex<Option<PyErr>>>);

impl FileError {
    /// Keeps the Python exception inside `e`, if it holds one.
    pub(crate) fn keep(&self, py: Python<'_>, e: &std::io::Error) {
        if let Some(py_err) = e.get_ref().and_then(|inner| inner.downcast_ref::<PyErr>()) {
            *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(py_err.clone_ref(py));
        }
    }

    fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A Python binary file object as a `Read`. The reader tops the buffer up
/// while it holds the GIL anyway (before each batch), so parsing with the
/// GIL released seldom has to re-attach to read (which, with another thread
/// running Python, can wait a whole switch interval).
#[derive(Clone)]
struct PyFileRead {
    file: Arc<Py<PyAny>>,
    error: FileError,
    buf: Arc<Mutex<Prefetched>>,
}

impl PyFileRead {
    fn new(py: Python<'_>, file: Py<PyAny>, error: FileError) -> Self {
        let readinto = file
            .bind(py)
            .hasattr(pyo3::intern!(py, "readinto"))
            .unwrap_or(false);
        PyFileRead {
            file: Arc::new(file),
            error,
            buf: Arc::new(Mutex::new(Prefetched {
                data: Vec::new(),
                start: 0,
                end: 0,
                eof: false,
                next_read: 64 << 10,
                readinto,
            })),
        }
    }

    /// Reads until `low_water` bytes are buffered (or the file ends).
    fn top_up(&self, py: Python<'_>, low_water: usize) -> std::io::Result<()> {
        let mut guard = self.buf.lock().unwrap_or_else(|e| e.into_inner());
        let b = &mut *guard;
        if b.eof || b.end - b.start >= low_water {
            return Ok(());
        }
        b.data.copy_within(b.start..b.end, 0);
        b.end -= b.start;
        b.start = 0;
        let file = self.file.bind(py);
        while !b.eof && b.end < low_water {
            let want = b.next_read;
            b.next_read = (want * 2).min(FILE_READ);
            if b.data.len() < b.end + want {
                b.data.resize(b.end + want, 0);
            }
            let n = if b.readinto {
                match read_into(py, file, &mut b.data[b.end..b.end + want]) {
                    Ok(Some(n)) => n,
                    Ok(None) => {
                        b.readinto = false;
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            } else {
                let data = file
                    .call_method1(pyo3::intern!(py, "read"), (want,))
                    .map_err(std::io::Error::other)?;
                if data.is_none() {
                    0
                } else {
                    let bytes = data.cast::<PyBytes>().map_err(|_| not_binary())?.as_bytes();
                    let n = bytes.len().min(want);
                    b.data[b.end..b.end + n].copy_from_slice(&bytes[..n]);
                    n
                }
            };
            b.eof = n == 0;
            b.end += n;
        }
        Ok(())
    }
}

fn not_binary() -> std::io::Error {
    std::io::Error::other("MARCReader needs a file opened in binary mode ('rb')")
}

/// `file.readinto(memoryview(out))`: the number of bytes read (0 at the end,
/// or when a non-blocking file has nothing), or `None` when `readinto`
/// raised NotImplementedError (nothing was read).
fn read_into(
    py: Python<'_>,
    file: &Bound<'_, PyAny>,
    out: &mut [u8],
) -> std::io::Result<Option<usize>> {
    use pyo3::ffi;
    let len = ffi::Py_ssize_t::try_from(out.len()).map_err(std::io::Error::other)?;
    // SAFETY: a writable memoryview over `out`, which stays borrowed (and
    // so alive and unmoved) until the view is released below. If the file
    // kept an export of the view, `release` fails and so do we; the buffer
    // is then leaked rather than freed under the view.
    let view = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyMemoryView_FromMemory(out.as_mut_ptr().cast(), len, ffi::PyBUF_WRITE),
        )
    }
    .map_err(std::io::Error::other)?;
    let result = file.call_method1(pyo3::intern!(py, "readinto"), (&view,));
    if let Err(e) = view.call_method0(pyo3::intern!(py, "release")) {
        std::mem::forget(view);
        return Err(std::io::Error::other(e));
    }
    let n = match result {
        Err(e) if e.is_instance_of::<PyNotImplementedError>(py) => return Ok(None),
        other => other,
    };
    let n = n.map_err(|e| {
        if e.is_instance_of::<PyTypeError>(py) {
            not_binary()
        } else {
            std::io::Error::other(e)
        }
    })?;
    if n.is_none() {
        return Ok(Some(0));
    }
    let n: usize = n.extract().map_err(std::io::Error::other)?;
    if n > out.len() {
        return Err(std::io::Error::other(format!(
            "readinto reported {n} bytes read into a buffer of {}",
            out.len()
        )));
    }
    Ok(Some(n))
}

impl Read for PyFileRead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        loop {
            {
                let mut b = self.buf.lock().unwrap_or_else(|e| e.into_inner());
                let n = (b.end - b.start).min(out.len());
                if n > 0 || b.eof {
                    let at = b.start;
                    out[..n].copy_from_slice(&b.data[at..at + n]);
                    b.start += n;
                    return Ok(n);
                }
            }
            Python::attach(|py| self.top_up(py, 1).inspect_err(|e| self.error.keep(py, e)))?;
        }
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
    source: Option<Source>,
    batch_size: usize,
    /// Set when reading a Python file object through its methods.
    prefetch: Option<PyFileRead>,
    /// Set when reading a Python file object's OS file directly.
    #[cfg(unix)]
    position_sync: Option<crate::os_file::PositionSync>,
    /// What the user's file object raised, if it did.
    file_error: FileError,
    batch: Batch,
    current_chunk: Option<(Arc<Vec<u8>>, Range<usize>)>,
    current_exception: Option<Py<PyAny>>,
    stopped: bool,
    /// Set by `close()`: reading on raises ValueError, as pymarc's next
    /// read of its closed file does.
    closed: bool,
    raw: bool,
    force_utf8: bool,
    permissive: bool,
    utf8_strict: bool,
}

/// Reads MARC 21 (ISO 2709) records from a binary file object, bytes, or a
/// path (read by Rust). Yields `Record`s; a record that cannot be read yields
/// `None`, with `current_exception` and `current_chunk` set (as pymarc).
///
/// mrrc's own keywords: `threads=N` parses with N Rust threads (0: one per
/// core), records still in file order; `batch_size` is how many records are
/// parsed per release of the GIL (default 512).
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
    source: &mut Source,
    n: usize,
    pymarc_checks: bool,
    utf8_strict: bool,
    mut bytes: Vec<u8>,
) -> (Batch, bool) {
    let mut items = VecDeque::with_capacity(n);
    // The last batch's buffer when nobody holds it any more: grown from
    // empty, the 0.5 MB of a batch of 512 LoC records were copied by each of
    // about ten reallocations (callgrind: 3,800 instructions per record, a
    // fifth of reading), and fresh pages cost the kernel's zeroing.
    bytes.clear();
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
                let (index, offset) = source.last_position();
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
        utf8_handling="strict", file_encoding="iso8859-1", permissive=false, *, threads=None,
        batch_size=BATCH))]
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
        threads: Option<usize>,
        batch_size: usize,
    ) -> PyResult<Self> {
        let options = read_options(
            to_unicode,
            force_utf8,
            utf8_handling,
            file_encoding,
            permissive,
        )?;
        let mut file_handle = None;
        let mut prefetch = None;
        #[cfg(unix)]
        let mut position_sync = None;
        let file_error = FileError::default();
        let in_place = match (marc_target.cast::<PyBytes>(), threads) {
            (Ok(bytes), None) => Some(PyBackedBytes::from(bytes.clone())),
            _ => None,
        };
        let source = if let Some(bytes) = in_place {
            Source::InPlace(SliceReader::new(bytes, options))
        } else {
            let input: Input = if let Ok(b) = marc_target.cast::<PyBytes>() {
                Box::new(std::io::Cursor::new(PyBackedBytes::from(b.clone())))
            } else if marc_target.cast::<PyString>().is_ok()
                || marc_target.is_instance(&py.import("os")?.getattr("PathLike")?)?
            {
                let path: std::path::PathBuf = marc_target.extract()?;
                let file = py.detach(|| std::fs::File::open(&path)).map_err(|e| {
                    pyo3::exceptions::PyOSError::new_err(format!(
                        "cannot open {}: {e}",
                        path.display()
                    ))
                })?;
                Box::new(file)
            } else if marc_target.hasattr("read")? {
                file_handle = Some(marc_target.clone().unbind());
                #[cfg(unix)]
                let direct =
                    crate::os_file::open(py, marc_target, &file_error).map(|(file, sync)| {
                        position_sync = Some(sync);
                        Box::new(file) as Input
                    });
                #[cfg(not(unix))]
                let direct: Option<Input> = None;
                direct.unwrap_or_else(|| {
                    let file =
                        PyFileRead::new(py, marc_target.clone().unbind(), file_error.clone());
                    prefetch = Some(file.clone());
                    Box::new(file)
                })
            } else if let Ok(v) = marc_target.extract::<Vec<u8>>() {
                Box::new(std::io::Cursor::new(v))
            } else {
                return Err(PyTypeError::new_err(
                    "MARCReader reads bytes, a binary file object or a path",
                ));
            };
            match threads {
                None => Source::Stream(CoreReader::new(input, options)),
                Some(n) => Source::Parallel(Box::new(
                    ParallelReader::new(input, options, n)
                        .map_err(|e| crate::errors::core_error(py, "MarcError", &e))?
                        .with_record_bytes(true),
                )),
            }
        };
        Ok(MarcReader {
            state: Mutex::new(ReaderState {
                source: Some(source),
                batch_size: batch_size.max(1),
                prefetch,
                #[cfg(unix)]
                position_sync,
                file_error,
                batch: Batch {
                    items: VecDeque::new(),
                    bytes: Arc::new(Vec::new()),
                },
                current_chunk: None,
                current_exception: None,
                stopped: false,
                closed: false,
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
        // pymarc ends the reading after a fatal error before it reads (a
        // StopIteration even when closed); otherwise its read of the closed
        // file raises (with `current_chunk` and `current_exception` reset).
        let fatal = s.stopped && s.current_exception.is_some();
        if s.closed && !fatal {
            s.current_chunk = None;
            s.current_exception = None;
            return Err(PyValueError::new_err("I/O operation on closed file."));
        }
        if s.stopped {
            return Err(PyStopIteration::new_err(()));
        }
        s.current_chunk = None;
        s.current_exception = None;
        if s.batch.items.is_empty() {
            let Some(source) = s.source.as_mut() else {
                return Err(PyStopIteration::new_err(()));
            };
            if let Some(file) = &s.prefetch {
                // Enough for the batch (LoC records average 1 KB), read
                // while the GIL is held anyway; an error surfaces from the
                // core reader's next read.
                let _ = file.top_up(py, s.batch_size.saturating_mul(4 << 10).min(FILE_READ));
            }
            #[cfg(unix)]
            if let Some(sync) = s.position_sync.as_mut() {
                sync.check_open(py);
            }
            let (checks, strict, n) = (!s.permissive, s.utf8_strict, s.batch_size);
            // `current_chunk` was let go of above; a `current_chunk` bytes
            // object copies, so the batch alone holds its buffer now.
            let buffer = Arc::get_mut(&mut s.batch.bytes)
                .map(std::mem::take)
                .unwrap_or_default();
            let dropped = crate::record::take_dropped();
            let (batch, ended) = py.detach(|| {
                drop(dropped);
                parse_batch(source, n, checks, strict, buffer)
            });
            s.batch = batch;
            if ended {
                s.source = None;
            }
            #[cfg(unix)]
            if let Some(sync) = s.position_sync.as_mut() {
                sync.sync(py);
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
                if rejected.error.kind == mrrc_core::ErrorKind::Io {
                    // The user's file object raised: so does the reading,
                    // as pymarc's (every record read before is handed out).
                    if let Some(e) = s.file_error.take() {
                        s.stopped = true;
                        s.current_chunk = None;
                        return Err(e);
                    }
                }
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
    /// Whether the file object is read by Rust with positional reads
    /// (os_file.rs) rather than through its methods: for tests.
    #[getter]
    fn _reads_os_file(&self, py: Python<'_>) -> bool {
        #[cfg(unix)]
        return self.lock(py).position_sync.is_some();
        #[cfg(not(unix))]
        {
            let _ = py;
            false
        }
    }

    #[getter]
    fn current_exception(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.lock(py)
            .current_exception
            .as_ref()
            .map(|e| e.clone_ref(py))
    }

    /// Closes the file object given to the reader (pymarc `close`). As
    /// with pymarc, reading on raises ValueError ("I/O operation on closed
    /// file."), also when the reader had records parsed ahead or reads
    /// bytes or a path.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        {
            let mut s = self.lock(py);
            s.closed = true;
            s.source = None;
            s.batch.items.clear();
        }
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
