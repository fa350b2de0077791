//! Reading a plain OS file handed in as a Python file object without the GIL.
//!
//! `MARCReader(open(path, "rb"))` would otherwise read through the object's
//! `readinto`, which needs the GIL for the call, the buffer management and
//! the copy: with two threads each reading its own file, that serialized
//! about a fifth of the reading (bench/python/README.md). For an
//! `io.BufferedReader` / `io.BufferedRandom` over an `io.FileIO`, or a bare
//! `io.FileIO`, on a regular file, the reader instead duplicates the file
//! descriptor and reads with `pread` from the object's logical position
//! (`tell()`), so the Python object's own offset and buffer are not touched
//! while parsing runs without the GIL. After each batch the Python object is
//! seeked to where reading got to, so its position moves as it did when it
//! was read through `readinto`; before each batch the reader checks that its
//! user has not closed it, so a closed file stops the reading as it did.
//! Anything else (BytesIO, pipes, sockets, subclasses, custom classes)
//! keeps the `readinto` path.

use std::fs::File;
use std::io::Read;
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex};

use mrrc_core::positional::{PositionalFile, ReadOffset};
use pyo3::prelude::*;

/// Set when the Python object could not follow (it was closed): the next
/// read fails with it, as a read through the object would have.
type PendingError = Arc<Mutex<Option<std::io::Error>>>;

/// The core's positional reader over a duplicated descriptor, failing once
/// with the Python side's error when there is one.
pub struct OsFileRead {
    file: PositionalFile,
    pending: PendingError,
}

impl Read for OsFileRead {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if let Some(e) = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            return Err(e);
        }
        self.file.read(out)
    }
}

/// The Python side: keeps the file object's position in step with reading.
pub struct PositionSync {
    file: Py<PyAny>,
    offset: ReadOffset,
    pending: PendingError,
    synced: u64,
    /// The reader's: the exception the object raised is raised as it was.
    file_error: crate::reader::FileError,
}

impl PositionSync {
    /// Seeks the Python file object to where reading has got to (call with
    /// the GIL, after each batch).
    pub fn sync(&mut self, py: Python<'_>) {
        let position = self.offset.get();
        if position == self.synced {
            return;
        }
        match self
            .file
            .bind(py)
            .call_method1(pyo3::intern!(py, "seek"), (position,))
        {
            Ok(_) => self.synced = position,
            Err(e) => self.fail(py, e),
        }
    }

    /// Before reading on (with the GIL): if the user closed the file object,
    /// the reader's next read fails, as a read through the object would.
    pub fn check_open(&self, py: Python<'_>) {
        let file = self.file.bind(py);
        match file
            .getattr(pyo3::intern!(py, "closed"))
            .and_then(|c| c.is_truthy())
        {
            Ok(false) => {}
            Ok(true) => self.fail(
                py,
                pyo3::exceptions::PyValueError::new_err("I/O operation on closed file."),
            ),
            Err(e) => self.fail(py, e),
        }
    }

    fn fail(&self, py: Python<'_>, e: PyErr) {
        let e = std::io::Error::other(e);
        self.file_error.keep(py, &e);
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
    }
}

/// A positional reader over `target`'s file when it is a plain binary OS
/// file on a regular file, else `None` (read it through its methods). Any
/// Python error while finding out also means `None`: the usual path then
/// reports whatever is wrong with the object.
pub fn open(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    file_error: &crate::reader::FileError,
) -> Option<(OsFileRead, PositionSync)> {
    let (file, position) = plain_os_file(py, target).ok().flatten()?;
    let file = PositionalFile::new(file, position);
    let pending = PendingError::default();
    let sync = PositionSync {
        file: target.clone().unbind(),
        offset: file.offset(),
        pending: pending.clone(),
        synced: position,
        file_error: file_error.clone(),
    };
    Some((OsFileRead { file, pending }, sync))
}

fn plain_os_file(py: Python<'_>, target: &Bound<'_, PyAny>) -> PyResult<Option<(File, u64)>> {
    let io = py.import(pyo3::intern!(py, "io"))?;
    let file_io = io.getattr(pyo3::intern!(py, "FileIO"))?;
    let ty = target.get_type();
    // Exact types only: a subclass may change what `read` returns.
    let raw = if ty.is(&file_io) {
        target.clone()
    } else if ty.is(&io.getattr(pyo3::intern!(py, "BufferedReader"))?)
        || ty.is(&io.getattr(pyo3::intern!(py, "BufferedRandom"))?)
    {
        let raw = target.getattr(pyo3::intern!(py, "raw"))?;
        if !raw.get_type().is(&file_io) {
            return Ok(None);
        }
        raw
    } else {
        return Ok(None);
    };
    let truthy = |name: &str| -> PyResult<bool> { target.call_method0(name)?.is_truthy() };
    if raw.getattr(pyo3::intern!(py, "closed"))?.is_truthy()?
        || !truthy("readable")?
        || !truthy("seekable")?
    {
        return Ok(None);
    }
    let fd: std::os::fd::RawFd = raw.call_method0(pyo3::intern!(py, "fileno"))?.extract()?;
    // The logical position: a buffered object's `tell` counts what it has
    // buffered and not handed out.
    let position: u64 = target.call_method0(pyo3::intern!(py, "tell"))?.extract()?;
    // SAFETY: `fd` belongs to `raw`, which is open (checked above) and cannot
    // be closed while this thread holds the GIL; it is only borrowed for the
    // duplication.
    let Ok(owned) = unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned() else {
        return Ok(None);
    };
    let file = File::from(owned);
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(Some((file, position))),
        _ => Ok(None),
    }
}
