//! `MrrcReader`: a streaming reader of any format over a file, a buffer or
//! a read callback.

use std::ffi::{c_char, c_int, c_void};

use mrrc_core::iso2709::{MarcReader, SliceReader};
use mrrc_core::json::JsonReader;
use mrrc_core::marcxml::{XmlNamespaces, XmlReader};
use mrrc_core::mrk::MrkReader;
use mrrc_core::msgpack::MsgpackReader;
use mrrc_core::parallel::ParallelReader;
use mrrc_core::{Error, ReadOptions, Record, Warning};

use crate::alloc::owned_string;
use crate::args::{borrow_mut, bytes, out_ptr, write, write_opt};
use crate::io::{
    borrowed_for_the_reader, input_from_borrowed_bytes, input_from_bytes, input_from_callback,
    input_from_path, path_arg, Input, MrrcReadCallback,
};
use crate::options::{
    read_options, xml_namespaces, MrrcFormat, MrrcReadOptions, MRRC_FORMAT_ISO2709,
    MRRC_FORMAT_JSON, MRRC_FORMAT_MARCXML, MRRC_FORMAT_MRK, MRRC_FORMAT_MSGPACK,
    MRRC_FORMAT_NDJSON,
};
use crate::record::{into_handle, MrrcRecord};
use crate::status::{status_of, value_or, Failure, MrrcStatus, Outcome};

/// A streaming reader of records, freed with `mrrc_reader_free`.
///
/// Threads: a reader may be moved to another thread between calls (one built
/// on callbacks only if its callback and userdata allow that) but must not
/// be used by two threads at once. Records it returns are independent of it.
/// A parallel reader (`mrrc_reader_*_parallel`) also owns a pool of parsing
/// threads, which never call back into the caller: input is read (and a
/// read callback called) on the thread calling `mrrc_reader_next*`.
pub struct MrrcReader {
    _opaque: [u8; 0],
}

/// What every format's reader offers.
pub(crate) trait Source: Send {
    fn next_record(&mut self) -> Option<Result<Record, Error>>;
    fn warnings(&self) -> &[Warning];
    fn last_record_bytes(&self) -> &[u8] {
        &[]
    }
    /// (records seen so far, byte offset of the next record), for ISO 2709.
    fn position(&self) -> (u64, u64) {
        (0, 0)
    }
}

impl Source for MarcReader<Input> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        MarcReader::warnings(self)
    }
    fn last_record_bytes(&self) -> &[u8] {
        MarcReader::last_record_bytes(self)
    }
    fn position(&self) -> (u64, u64) {
        (self.records_read(), self.byte_offset())
    }
}

/// ISO 2709 from bytes in memory (borrowed, or the reader's own copy):
/// parsed where they lie.
impl<B: AsRef<[u8]> + Send> Source for SliceReader<B> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        SliceReader::warnings(self)
    }
    fn last_record_bytes(&self) -> &[u8] {
        SliceReader::last_record_bytes(self)
    }
    fn position(&self) -> (u64, u64) {
        (self.records_read(), self.byte_offset())
    }
}

impl Source for ParallelReader<Input> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        ParallelReader::warnings(self)
    }
    fn last_record_bytes(&self) -> &[u8] {
        ParallelReader::last_record_bytes(self)
    }
    fn position(&self) -> (u64, u64) {
        let end = self.last_record_offset() + self.last_record_bytes().len() as u64;
        (self.records_read(), end)
    }
}

impl Source for XmlReader<Input> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        XmlReader::warnings(self)
    }
}

impl Source for JsonReader<Input> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        JsonReader::warnings(self)
    }
}

impl Source for MsgpackReader<Input> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        MsgpackReader::warnings(self)
    }
}

impl Source for MrkReader<Input> {
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        self.next()
    }
    fn warnings(&self) -> &[Warning] {
        MrkReader::warnings(self)
    }
}

pub(crate) struct Reader {
    source: Box<dyn Source>,
    /// An error met while filling a batch, returned by the next call.
    pending: Option<Error>,
    records_returned: u64,
    /// pymarc 5.4.0's verdict on each ISO 2709 record (`Some(utf8_strict)`),
    /// set by `mrrc_reader_set_pymarc_checks`.
    pub(crate) pymarc_checks: Option<bool>,
    /// Raw bytes of the records the last `mrrc_reader_next_batch_chunks`
    /// returned, back to back.
    batch_bytes: Vec<u8>,
    /// For a reader over a descriptor: the offset of the next byte it reads.
    input_offset: Option<mrrc_core::positional::ReadOffset>,
}

impl Reader {
    /// For a reader over a descriptor, the offset of the next byte it reads.
    fn input_offset_now(&self) -> Option<u64> {
        self.input_offset.as_ref().map(|o| o.get())
    }

    /// The next record, with pymarc's verdict applied when asked for.
    fn next_record(&mut self) -> Option<Result<Record, Error>> {
        let result = self.source.next_record()?;
        let Some(utf8_strict) = self.pymarc_checks else {
            return Some(result);
        };
        let chunk = self.source.last_record_bytes();
        let (seen, next_offset) = self.source.position();
        let position = (
            seen.saturating_sub(1),
            next_offset.saturating_sub(chunk.len() as u64),
        );
        let warnings = self.source.warnings();
        Some(
            mrrc_core::pymarc::verdict(chunk, result, warnings, utf8_strict, position, true)
                .map_err(|rejected| rejected.error),
        )
    }

    /// Up to `capacity` records into `records`, calling `chunk` after each
    /// with the reader (for its last record's bytes) and the slot index.
    fn fill(
        &mut self,
        records: *mut *mut MrrcRecord,
        capacity: usize,
        mut chunk: impl FnMut(&mut Reader, usize),
    ) -> Outcome<usize> {
        if let Some(e) = self.pending.take() {
            return Err(e.into());
        }
        let mut n = 0usize;
        while n < capacity {
            match self.next_record() {
                None => break,
                Some(Ok(r)) => {
                    // SAFETY: `records` holds `capacity` slots per the
                    // contract, and n < capacity.
                    unsafe { records.add(n).write(into_handle(r)) };
                    chunk(self, n);
                    n += 1;
                }
                Some(Err(e)) if n == 0 => return Err(e.into()),
                Some(Err(e)) => {
                    self.pending = Some(e);
                    break;
                }
            }
        }
        self.records_returned += n as u64;
        Ok(n)
    }
}

/// The reader of a format.
pub(crate) fn source_for(
    format: MrrcFormat,
    input: Input,
    options: ReadOptions,
    namespaces: XmlNamespaces,
) -> Outcome<Box<dyn Source>> {
    Ok(match format {
        MRRC_FORMAT_ISO2709 => Box::new(MarcReader::new(input, options)),
        MRRC_FORMAT_MARCXML => Box::new(XmlReader::new(input, options).with_namespaces(namespaces)),
        MRRC_FORMAT_JSON | MRRC_FORMAT_NDJSON => Box::new(JsonReader::new(input, options)),
        MRRC_FORMAT_MSGPACK => Box::new(MsgpackReader::new(input, options)),
        MRRC_FORMAT_MRK => Box::new(MrkReader::new(input, options)),
        other => {
            return Err(Failure::invalid(format!(
                "format {other} cannot be read by this version of mrrc"
            )))
        }
    })
}

/// The parallel ISO 2709 reader (`threads` = 0: one per core), keeping each
/// record's bytes as the streaming reader does.
fn parallel_source(
    format: MrrcFormat,
    input: Input,
    options: ReadOptions,
    threads: usize,
) -> Outcome<Box<dyn Source>> {
    if format != MRRC_FORMAT_ISO2709 {
        return Err(Failure::invalid(format!(
            "only ISO 2709 (format {MRRC_FORMAT_ISO2709}) is read in parallel, not format {format}"
        )));
    }
    Ok(Box::new(
        ParallelReader::new(input, options, threads)?.with_record_bytes(true),
    ))
}

/// `threads`: None for the streaming reader, Some(n) for the parallel one.
fn make_reader(
    (format, namespaces): (MrrcFormat, XmlNamespaces),
    input: Input,
    options: ReadOptions,
    threads: Option<usize>,
) -> Outcome<*mut MrrcReader> {
    let source = match threads {
        None => source_for(format, input, options, namespaces)?,
        Some(n) => parallel_source(format, input, options, n)?,
    };
    Ok(reader_of(source))
}

fn reader_of(source: Box<dyn Source>) -> *mut MrrcReader {
    reader_with_offset(source, None)
}

fn reader_with_offset(
    source: Box<dyn Source>,
    input_offset: Option<mrrc_core::positional::ReadOffset>,
) -> *mut MrrcReader {
    let reader = Reader {
        source,
        pending: None,
        records_returned: 0,
        pymarc_checks: None,
        batch_bytes: Vec::new(),
        input_offset,
    };
    Box::into_raw(Box::new(reader)).cast()
}

/// # Safety
/// A non-NULL `r` is a live reader handle used by no one else.
pub(crate) unsafe fn reader_mut<'a>(r: *mut MrrcReader) -> Outcome<&'a mut Reader> {
    // SAFETY: a reader handle points to a boxed `Reader`.
    unsafe { borrow_mut(r.cast::<Reader>(), "reader") }
}

/// # Safety
/// Pointer contract of `mrrc_reader_open_path`.
unsafe fn open_path(
    path: *const c_char,
    options: *const MrrcReadOptions,
    threads: Option<usize>,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (path, (format, opts)) = unsafe { (path_arg(path)?, read_options(options)?) };
        // SAFETY: pointer contract of the header.
        let namespaces = unsafe { xml_namespaces(options) };
        let reader = make_reader((format, namespaces), input_from_path(&path)?, opts, threads)?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, reader) };
        Ok(())
    })
}

/// # Safety
/// Pointer contract of `mrrc_reader_from_bytes` (and, when `borrowed`, of
/// `mrrc_reader_from_borrowed_bytes`).
unsafe fn from_bytes(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    threads: Option<usize>,
    borrowed: bool,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (data, (format, opts)) = unsafe { (bytes(data, len, "data")?, read_options(options)?) };
        // SAFETY: pointer contract of the header.
        let namespaces = unsafe { xml_namespaces(options) };
        let reader = if format == MRRC_FORMAT_ISO2709 && threads.is_none() {
            // Parsed in place, without copying the records into a buffer.
            if borrowed {
                // SAFETY: `mrrc_reader_from_borrowed_bytes`'s contract keeps
                // the bytes alive until the reader is freed.
                let bytes = unsafe { borrowed_for_the_reader(data) };
                reader_of(Box::new(SliceReader::new(bytes, opts)))
            } else {
                reader_of(Box::new(SliceReader::new(data.to_vec(), opts)))
            }
        } else {
            let input = if borrowed {
                // SAFETY: as above.
                unsafe { input_from_borrowed_bytes(data) }
            } else {
                input_from_bytes(data)
            };
            make_reader((format, namespaces), input, opts, threads)?
        };
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, reader) };
        Ok(())
    })
}

/// # Safety
/// Pointer contract of `mrrc_reader_from_callback`.
unsafe fn from_callback(
    callback: MrrcReadCallback,
    userdata: *mut c_void,
    options: *const MrrcReadOptions,
    threads: Option<usize>,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (format, opts) = unsafe { read_options(options)? };
        let input = input_from_callback(callback, userdata)?;
        // SAFETY: pointer contract of the header.
        let namespaces = unsafe { xml_namespaces(options) };
        let reader = make_reader((format, namespaces), input, opts, threads)?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, reader) };
        Ok(())
    })
}

/// # Safety
/// Pointer contract of `mrrc_reader_from_fd`.
unsafe fn from_fd(
    fd: c_int,
    offset: u64,
    options: *const MrrcReadOptions,
    threads: Option<usize>,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    status_of(|| {
        #[cfg(unix)]
        {
            // The descriptor is owned first, so that every failure below
            // closes it.
            let (input, read_offset) = crate::io::input_from_fd(fd, offset)?;
            let out = out_ptr(out, "out")?;
            // SAFETY: pointer contract of the header.
            let (format, opts) = unsafe { read_options(options)? };
            // SAFETY: pointer contract of the header.
            let namespaces = unsafe { xml_namespaces(options) };
            let source = match threads {
                None => source_for(format, input, opts, namespaces)?,
                Some(n) => parallel_source(format, input, opts, n)?,
            };
            // SAFETY: checked non-NULL by out_ptr.
            unsafe { write(out, reader_with_offset(source, Some(read_offset))) };
            Ok(())
        }
        #[cfg(not(unix))]
        {
            let _ = (fd, offset, options, threads, out);
            Err(Failure::invalid(
                "reading a file descriptor is supported on Unix only",
            ))
        }
    })
}

/// Reads the open file descriptor `fd` with positional reads (`pread`),
/// starting at byte `offset` and leaving the descriptor's own offset alone,
/// so that the caller's file object (which may share the descriptor's
/// open file through `dup`) is not disturbed; `mrrc_reader_input_offset`
/// says how far the reader has read. The reader owns `fd` in every case: it
/// is closed by `mrrc_reader_free`, or before this returns an error. A
/// descriptor that cannot be read at an offset (a pipe) fails at the first
/// read with `MRRC_IO`. `options` may be NULL. Unix only (elsewhere
/// `MRRC_INVALID_ARGUMENT`).
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_fd(
    fd: c_int,
    offset: u64,
    options: *const MrrcReadOptions,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { from_fd(fd, offset, options, None, out) }
}

/// `mrrc_reader_from_fd` with the parallel ISO 2709 reader (as
/// `mrrc_reader_open_path_parallel`).
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_fd_parallel(
    fd: c_int,
    offset: u64,
    options: *const MrrcReadOptions,
    threads: usize,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { from_fd(fd, offset, options, Some(threads), out) }
}

/// For a reader made by `mrrc_reader_from_fd*`: the offset in its file of
/// the next byte it will read (the start offset plus every byte read so far,
/// read-ahead included) into `*offset`. Any other reader is
/// `MRRC_INVALID_ARGUMENT`. (A value, not a pointer to the reader's own
/// counter: a parallel reader's input thread moves it while the caller
/// runs.)
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_input_offset(
    reader: *mut MrrcReader,
    offset: *mut u64,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let reader = unsafe { reader_mut(reader) }?;
        let out = out_ptr(offset, "offset")?;
        let at = reader
            .input_offset_now()
            .ok_or_else(|| Failure::invalid("the reader was not made from a file descriptor"))?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, at) };
        Ok(())
    })
}

/// Opens a file. `options` may be NULL (ISO 2709, strict, charset from the
/// leader). A file that cannot be opened is `MRRC_IO`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_open_path(
    path: *const c_char,
    options: *const MrrcReadOptions,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { open_path(path, options, None, out) }
}

/// Reads from a copy of `data[0..len]` (the caller's buffer may be freed
/// after the call). `options` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_bytes(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { from_bytes(data, len, options, None, false, out) }
}

/// Reads `data[0..len]` where it is, without the copy `mrrc_reader_from_bytes`
/// makes: the bytes must stay valid and unchanged until `mrrc_reader_free`
/// (for a memory-mapped file or a buffer the caller keeps). Copying a large
/// input costs as much as parsing it, mostly in page faults. `options` may be
/// NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_borrowed_bytes(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded (the header's contract keeps `data` alive until
    // the reader is freed).
    unsafe { from_bytes(data, len, options, None, true, out) }
}

/// Reads through `callback(userdata, ...)`, called from the thread that
/// calls `mrrc_reader_next*` until it reports the end of the input, with
/// room for 64 KiB at the first call and twice as much at each later one,
/// up to 4 MiB (the reader buffers what it is given), so that a callback
/// dear to enter is entered rarely. `options` may be NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_callback(
    callback: MrrcReadCallback,
    userdata: *mut c_void,
    options: *const MrrcReadOptions,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { from_callback(callback, userdata, options, None, out) }
}

/// `mrrc_reader_open_path` with the parallel ISO 2709 reader: the input is
/// read in large chunks on the calling thread, and each chunk's records are
/// parsed on a pool of `threads` threads (0: one per core) while the caller
/// works through the previous chunk. Records, errors (with the same record
/// index and byte offset), warnings and raw bytes come in file order,
/// exactly as from the streaming reader. Any format other than ISO 2709 is
/// `MRRC_INVALID_ARGUMENT`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_open_path_parallel(
    path: *const c_char,
    options: *const MrrcReadOptions,
    threads: usize,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { open_path(path, options, Some(threads), out) }
}

/// `mrrc_reader_from_bytes` with the parallel ISO 2709 reader (as
/// `mrrc_reader_open_path_parallel`).
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_bytes_parallel(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    threads: usize,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { from_bytes(data, len, options, Some(threads), false, out) }
}

/// `mrrc_reader_from_callback` with the parallel ISO 2709 reader (as
/// `mrrc_reader_open_path_parallel`); the callback is called only from the
/// thread that calls `mrrc_reader_next*`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_from_callback_parallel(
    callback: MrrcReadCallback,
    userdata: *mut c_void,
    options: *const MrrcReadOptions,
    threads: usize,
    out: *mut *mut MrrcReader,
) -> MrrcStatus {
    // SAFETY: forwarded.
    unsafe { from_callback(callback, userdata, options, Some(threads), out) }
}

/// Frees a reader (NULL is a no-op) and closes its file.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_free(reader: *mut MrrcReader) {
    if !reader.is_null() {
        // SAFETY: a reader handle came from `make_reader` (Box<Reader>).
        drop(unsafe { Box::from_raw(reader.cast::<Reader>()) });
    }
}

/// The next record: `MRRC_OK` with a caller-owned record in `*record`, or
/// `MRRC_OK` with `*record` = NULL at the end of the input. A bad record is
/// an error status (message, record index and byte offset in the last
/// error); reading may go on with the next call, which returns the next
/// record.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_next(
    reader: *mut MrrcReader,
    record: *mut *mut MrrcRecord,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(record, "record")?;
        // SAFETY: pointer contract of the header.
        let reader = unsafe { reader_mut(reader) }?;
        if let Some(e) = reader.pending.take() {
            return Err(e.into());
        }
        let handle = match reader.next_record() {
            None => std::ptr::null_mut(),
            Some(Ok(r)) => {
                reader.records_returned += 1;
                into_handle(r)
            }
            Some(Err(e)) => return Err(e.into()),
        };
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, handle) };
        Ok(())
    })
}

/// Up to `capacity` records in one call, written to `records[0..*count]`
/// (each caller-owned). `*count` is 0 only at the end of the input. When a
/// bad record follows good ones, the good ones are returned with `MRRC_OK`
/// and the error comes from the next call; when it comes first, the call
/// fails with it and `*count` is untouched.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_next_batch(
    reader: *mut MrrcReader,
    records: *mut *mut MrrcRecord,
    capacity: usize,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let count_out = out_ptr(count, "count")?;
        let records = out_ptr(records, "records")?;
        // SAFETY: pointer contract of the header.
        let reader = unsafe { reader_mut(reader) }?;
        let n = reader.fill(records, capacity, |_, _| {})?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(count_out, n) };
        Ok(())
    })
}

/// Number of warnings (lenient repairs) of the record last returned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_warning_count(reader: *mut MrrcReader) -> usize {
    // SAFETY: pointer contract of the header.
    value_or(0, || {
        Ok(unsafe { reader_mut(reader) }?.source.warnings().len())
    })
}

/// Warning `index` of the record last returned: its kind as a status code
/// (`MRRC_*` from 100 up) in `*status` and its message (with the record
/// index and byte offset) as a caller-owned string in `*message`; either
/// out-parameter may be NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_warning(
    reader: *mut MrrcReader,
    index: usize,
    status: *mut i32,
    message: *mut *mut c_char,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let reader = unsafe { reader_mut(reader) }?;
        let warnings = reader.source.warnings();
        let w = warnings
            .get(index)
            .ok_or_else(|| Failure::out_of_range("warning", index, warnings.len()))?;
        // SAFETY: NULL or writable per the contract.
        unsafe {
            write_opt(status, MrrcStatus::from_kind(w.kind) as i32);
            write_opt(
                message,
                if message.is_null() {
                    std::ptr::null_mut()
                } else {
                    owned_string(&w.to_string())
                },
            );
        }
        Ok(())
    })
}

/// A borrowed run of bytes (`ptr` NULL when empty), valid until the object
/// it came from changes or is freed.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MrrcBytes {
    pub ptr: *const u8,
    pub len: usize,
}

/// The raw bytes of the ISO 2709 record last returned (pymarc
/// `current_chunk`), borrowed until the next call on the reader; empty for
/// other formats.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_last_record_bytes(reader: *mut MrrcReader) -> MrrcBytes {
    let empty = MrrcBytes {
        ptr: std::ptr::null(),
        len: 0,
    };
    value_or(empty, || {
        // SAFETY: pointer contract of the header.
        let bytes = unsafe { reader_mut(reader) }?.source.last_record_bytes();
        Ok(if bytes.is_empty() {
            empty
        } else {
            MrrcBytes {
                ptr: bytes.as_ptr(),
                len: bytes.len(),
            }
        })
    })
}

/// The input byte offset at which the ISO 2709 record last returned (or
/// that failed) starts, in `*offset`; 0 before the first record and for
/// other formats.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_last_record_offset(
    reader: *mut MrrcReader,
    offset: *mut u64,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(offset, "offset")?;
        // SAFETY: pointer contract of the header.
        let source = &unsafe { reader_mut(reader) }?.source;
        let (_, end) = source.position();
        let start = end.saturating_sub(source.last_record_bytes().len() as u64);
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, start) };
        Ok(())
    })
}

/// Number of records returned so far (errors not counted).
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_records_returned(reader: *mut MrrcReader) -> u64 {
    // SAFETY: pointer contract of the header.
    value_or(0, || Ok(unsafe { reader_mut(reader) }?.records_returned))
}

/// `mrrc_reader_next_batch` that also keeps each record's raw ISO 2709
/// bytes (pymarc `current_chunk`): `mrrc_reader_batch_bytes` then holds the
/// bytes of the records returned, back to back, and `chunk_ends[i]` (which
/// has `capacity` slots) is where record `i`'s bytes end (record 0's start
/// at 0, record `i`'s where record `i - 1`'s end). A failing call leaves the
/// failed record's bytes in `mrrc_reader_last_record_bytes`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_next_batch_chunks(
    reader: *mut MrrcReader,
    records: *mut *mut MrrcRecord,
    chunk_ends: *mut usize,
    capacity: usize,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let count_out = out_ptr(count, "count")?;
        let records = out_ptr(records, "records")?;
        let chunk_ends = out_ptr(chunk_ends, "chunk_ends")?;
        // SAFETY: pointer contract of the header.
        let reader = unsafe { reader_mut(reader) }?;
        reader.batch_bytes.clear();
        let n = reader.fill(records, capacity, |r, i| {
            let raw = r.source.last_record_bytes();
            r.batch_bytes.extend_from_slice(raw);
            // SAFETY: `chunk_ends` holds `capacity` slots and i < capacity.
            unsafe { chunk_ends.add(i).write(r.batch_bytes.len()) };
        })?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(count_out, n) };
        Ok(())
    })
}

/// A binding's whole turn at the reader in one call (each call of a binding
/// that releases a lock around C calls, as Python's GIL, is a hand-over):
/// frees the `free_count` records of `free` (as `mrrc_records_free`: NULL
/// entries are skipped; `free` may be NULL when `free_count` is 0), then
/// reads as `mrrc_reader_next_batch_chunks`, then, when `input_offset` is
/// not NULL and the reader was made by `mrrc_reader_from_fd*`, writes what
/// `mrrc_reader_input_offset` gives to `*input_offset` (left untouched for
/// other readers). The records are freed and the offset written whether
/// the read succeeds or not.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_next_batch_chunks_freeing(
    reader: *mut MrrcReader,
    free: *const *mut MrrcRecord,
    free_count: usize,
    records: *mut *mut MrrcRecord,
    chunk_ends: *mut usize,
    capacity: usize,
    count: *mut usize,
    input_offset: *mut u64,
) -> MrrcStatus {
    // SAFETY: forwarded (the same contracts).
    unsafe { crate::record::mrrc_records_free(free, free_count) };
    // SAFETY: forwarded.
    let status =
        unsafe { mrrc_reader_next_batch_chunks(reader, records, chunk_ends, capacity, count) };
    if !input_offset.is_null() {
        value_or((), || {
            // SAFETY: pointer contract of the header.
            if let Some(at) = unsafe { reader_mut(reader) }?.input_offset_now() {
                // SAFETY: checked non-NULL above.
                unsafe { write(input_offset, at) };
            }
            Ok(())
        });
    }
    status
}

/// The raw bytes of the records the last `mrrc_reader_next_batch_chunks`
/// returned, back to back; borrowed until the next call on the reader.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_batch_bytes(reader: *mut MrrcReader) -> MrrcBytes {
    let empty = MrrcBytes {
        ptr: std::ptr::null(),
        len: 0,
    };
    value_or(empty, || {
        // SAFETY: pointer contract of the header.
        let bytes = &unsafe { reader_mut(reader) }?.batch_bytes;
        Ok(if bytes.is_empty() {
            empty
        } else {
            MrrcBytes {
                ptr: bytes.as_ptr(),
                len: bytes.len(),
            }
        })
    })
}
