//! Byte sources and sinks for readers and writers: a file, a copy of the
//! caller's buffer, or the caller's callbacks.

use std::ffi::{c_char, c_void, CStr};
use std::fs::File;
use std::io::{BufReader, BufWriter, Cursor, Read, Write};
use std::path::PathBuf;

use mrrc_core::{Error, ErrorKind};

use crate::status::{Failure, Outcome};

/// Reads up to `len` bytes into `buf`, stores how many in `*read` (0 at the
/// end of the input) and returns 0; any other return value is an error
/// (reported as `MRRC_IO` with that number).
pub type MrrcReadCallback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, buf: *mut u8, len: usize, read: *mut usize) -> i32,
>;

/// Writes all `len` bytes of `buf` and returns 0; any other return value is
/// an error (reported as `MRRC_IO` with that number).
pub type MrrcWriteCallback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, buf: *const u8, len: usize) -> i32>;

/// A path from a NUL-terminated string (bytes as they are on Unix).
///
/// # Safety
/// A non-NULL `path` is NUL-terminated.
pub(crate) unsafe fn path_arg(path: *const c_char) -> Outcome<PathBuf> {
    if path.is_null() {
        return Err(Failure::Null("path"));
    }
    // SAFETY: forwarded from the caller.
    let bytes = unsafe { CStr::from_ptr(path) }.to_bytes();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes)
            .map(PathBuf::from)
            .map_err(|_| Failure::invalid("argument `path` is not valid UTF-8"))
    }
}

pub(crate) fn io_error(what: &str, path: &std::path::Path, e: std::io::Error) -> Failure {
    Failure::Core(Error::new(
        ErrorKind::Io,
        format!("{what} {}: {e}", path.display()),
    ))
}

struct CallbackReader {
    callback: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> i32,
    userdata: *mut c_void,
}

// SAFETY: the header documents that a reader built on callbacks may be moved
// to another thread only when its callback and userdata allow it; mrrc itself
// calls the callback only from the thread using the reader.
unsafe impl Send for CallbackReader {}

impl Read for CallbackReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: `buf` is valid for `buf.len()` bytes and `n` for a write;
        // the callback's own contract is the caller's.
        let rc = unsafe { (self.callback)(self.userdata, buf.as_mut_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(std::io::Error::other(format!(
                "the read callback returned {rc}"
            )));
        }
        if n > buf.len() {
            return Err(std::io::Error::other(format!(
                "the read callback claims {n} bytes read into a buffer of {}",
                buf.len()
            )));
        }
        Ok(n)
    }
}

/// Where a reader gets its bytes.
pub(crate) type Input = BufReader<Box<dyn Read + Send>>;

const BUFFER: usize = 64 * 1024;

pub(crate) fn input_from_path(path: &std::path::Path) -> Outcome<Input> {
    let file = File::open(path).map_err(|e| io_error("cannot open", path, e))?;
    Ok(BufReader::with_capacity(BUFFER, Box::new(file)))
}

/// Reads the descriptor `fd` (owned from here on: closed with the input)
/// with positional reads from `offset` (core's `PositionalFile`), with the
/// handle on how far it has read.
#[cfg(unix)]
pub(crate) fn input_from_fd(
    fd: std::ffi::c_int,
    offset: u64,
) -> Outcome<(Input, mrrc_core::positional::ReadOffset)> {
    use std::os::fd::FromRawFd;
    if fd < 0 {
        return Err(Failure::invalid(format!("{fd} is not a file descriptor")));
    }
    // SAFETY: the caller hands the descriptor over (the contract of
    // `mrrc_reader_from_fd`); it is closed exactly once, with the `File`.
    let file = mrrc_core::positional::PositionalFile::new(unsafe { File::from_raw_fd(fd) }, offset);
    let read_offset = file.offset();
    let input = BufReader::with_capacity(BUFFER, Box::new(file) as Box<dyn Read + Send>);
    Ok((input, read_offset))
}

pub(crate) fn input_from_bytes(bytes: &[u8]) -> Input {
    BufReader::with_capacity(BUFFER, Box::new(Cursor::new(bytes.to_vec())))
}

/// Reads `bytes` without copying them first.
///
/// # Safety
/// The bytes stay valid and unchanged until the reader made from this input
/// is freed (the contract `mrrc_reader_from_borrowed_bytes` documents).
pub(crate) unsafe fn input_from_borrowed_bytes(bytes: &[u8]) -> Input {
    // SAFETY: forwarded.
    BufReader::with_capacity(BUFFER, Box::new(unsafe { borrowed_for_the_reader(bytes) }))
}

/// `bytes` with the lifetime of the reader that will hold them.
///
/// # Safety
/// As [`input_from_borrowed_bytes`]: the reader given the result must not
/// outlive the caller's bytes.
pub(crate) unsafe fn borrowed_for_the_reader(bytes: &[u8]) -> &'static [u8] {
    // SAFETY: the caller's contract keeps the bytes alive for as long as the
    // reader that holds them.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr(), bytes.len()) }
}

/// Bytes asked of a read callback: the first call, then twice as many each
/// call up to `CALLBACK_MAX`. A call can be dear for the caller beyond the
/// copy: a Python binding must take back the interpreter lock it released
/// around the C call, and with two threads wait for the other to hand it
/// over, so a long input is read a few megabytes per call rather than per
/// 256 KiB refill of the ISO 2709 reader; a short one costs no more memory
/// than it needs.
const CALLBACK_FIRST: usize = 64 << 10;
const CALLBACK_MAX: usize = 4 << 20;

/// A read callback behind a buffer that grows with the input.
struct GrowingReads {
    callback: CallbackReader,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Bytes to ask for at the next call.
    ask: usize,
}

impl Read for GrowingReads {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.end {
            if self.buf.len() < self.ask {
                self.buf.resize(self.ask, 0);
            }
            self.end = self.callback.read(&mut self.buf[..self.ask])?;
            self.pos = 0;
            self.ask = (2 * self.ask).min(CALLBACK_MAX);
        }
        let n = out.len().min(self.end - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

pub(crate) fn input_from_callback(
    callback: MrrcReadCallback,
    userdata: *mut c_void,
) -> Outcome<Input> {
    let callback = callback.ok_or(Failure::Null("callback"))?;
    // The ISO 2709 reader asks for more than `BUFFER` at a time, which goes
    // straight through to `GrowingReads`; the text formats read lines and
    // tags through the `BufReader`'s own buffer (with none, `fill_buf` is
    // always empty and they would see no input).
    Ok(BufReader::with_capacity(
        BUFFER,
        Box::new(GrowingReads {
            callback: CallbackReader { callback, userdata },
            buf: Vec::new(),
            pos: 0,
            end: 0,
            ask: CALLBACK_FIRST,
        }),
    ))
}

pub(crate) struct CallbackWriter {
    callback: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> i32,
    userdata: *mut c_void,
}

// SAFETY: as for CallbackReader.
unsafe impl Send for CallbackWriter {}

impl Write for CallbackWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: `buf` is valid for `buf.len()` bytes; the callback's own
        // contract is the caller's.
        let rc = unsafe { (self.callback)(self.userdata, buf.as_ptr(), buf.len()) };
        if rc != 0 {
            return Err(std::io::Error::other(format!(
                "the write callback returned {rc}"
            )));
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where a writer puts its bytes.
pub(crate) enum Output {
    File(BufWriter<File>),
    Buffer(Vec<u8>),
    Callback(BufWriter<CallbackWriter>),
}

impl Output {
    pub(crate) fn path(path: &std::path::Path) -> Outcome<Output> {
        let file = File::create(path).map_err(|e| io_error("cannot create", path, e))?;
        Ok(Output::File(BufWriter::with_capacity(BUFFER, file)))
    }
    pub(crate) fn callback(callback: MrrcWriteCallback, userdata: *mut c_void) -> Outcome<Output> {
        let callback = callback.ok_or(Failure::Null("callback"))?;
        Ok(Output::Callback(BufWriter::with_capacity(
            BUFFER,
            CallbackWriter { callback, userdata },
        )))
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Output::File(w) => w.write(buf),
            Output::Buffer(v) => v.write(buf),
            Output::Callback(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Output::File(w) => w.write_all(buf),
            Output::Buffer(v) => v.write_all(buf),
            Output::Callback(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Output::File(w) => w.flush(),
            Output::Buffer(_) => Ok(()),
            Output::Callback(w) => w.flush(),
        }
    }
}
