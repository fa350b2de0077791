//! `MrrcWriter`: a streaming writer of any format to a file, a memory
//! buffer or a write callback; and the write options shared with the
//! conversion calls.

use std::ffi::{c_char, c_void};

use mrrc_core::iso2709::{MarcWriter, WriteCharset, WriteOptions};
use mrrc_core::json::{JsonLayout, JsonWriter};
use mrrc_core::marcxml::{XmlOptions, XmlWriter};
use mrrc_core::mrk::MrkWriter;
use mrrc_core::msgpack::MsgpackWriter;
use mrrc_core::{Error, Record};

use crate::alloc::owned_buffer;
use crate::args::{borrow_mut, out_ptr, write, write_opt};
use crate::io::{path_arg, MrrcWriteCallback, Output};
use crate::options::{
    check_format, MrrcFormat, MRRC_FORMAT_ISO2709, MRRC_FORMAT_JSON, MRRC_FORMAT_MARCXML,
    MRRC_FORMAT_MRK, MRRC_FORMAT_MSGPACK, MRRC_FORMAT_NDJSON,
};
use crate::record::{record_ref, MrrcRecord};
use crate::status::{status_of, Failure, MrrcStatus, Outcome};

/// The character set of ISO 2709 output.
pub type MrrcWriteCharset = u32;
/// UTF-8; sets leader/09 to `a`.
pub const MRRC_WRITE_UTF8: MrrcWriteCharset = 0;
/// MARC-8; sets leader/09 to blank.
pub const MRRC_WRITE_MARC8: MrrcWriteCharset = 1;
/// Each character as the byte of the same value (ISO 8859-1); the leader is
/// untouched (the inverse of reading with `MRRC_CHARSET_RAW`).
pub const MRRC_WRITE_RAW: MrrcWriteCharset = 2;

/// MARCXML flag: put the MARC slim namespace on each `<record>`.
pub const MRRC_XML_NAMESPACE: u32 = 1;
/// MARCXML flag: write characters outside ASCII as character references.
pub const MRRC_XML_ASCII: u32 = 2;

/// Options of a writer or a conversion. Start from
/// `mrrc_write_options_default()`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MrrcWriteOptions {
    /// `MRRC_FORMAT_*`.
    pub format: MrrcFormat,
    /// `MRRC_WRITE_*`, for ISO 2709.
    pub charset: MrrcWriteCharset,
    /// `MRRC_XML_*` flags, for MARCXML.
    pub xml_flags: u32,
}

/// ISO 2709 in UTF-8 (pymarc `MARCWriter`); MARCXML as pymarc's
/// `XMLWriter` (UTF-8, namespace on the collection only).
#[no_mangle]
pub extern "C" fn mrrc_write_options_default() -> MrrcWriteOptions {
    MrrcWriteOptions {
        format: MRRC_FORMAT_ISO2709,
        charset: MRRC_WRITE_UTF8,
        xml_flags: 0,
    }
}

pub(crate) struct ParsedWriteOptions {
    pub format: MrrcFormat,
    pub iso: WriteOptions,
    pub xml: XmlOptions,
}

/// # Safety
/// `options` is NULL or points to a valid struct.
pub(crate) unsafe fn write_options(
    options: *const MrrcWriteOptions,
) -> Outcome<ParsedWriteOptions> {
    // SAFETY: forwarded from the caller.
    let o = unsafe { options.as_ref() }
        .copied()
        .unwrap_or_else(|| mrrc_write_options_default());
    let charset = match o.charset {
        MRRC_WRITE_UTF8 => WriteCharset::Utf8,
        MRRC_WRITE_MARC8 => WriteCharset::Marc8,
        MRRC_WRITE_RAW => WriteCharset::Raw,
        other => return Err(Failure::invalid(format!("unknown write charset {other}"))),
    };
    if o.xml_flags & !(MRRC_XML_NAMESPACE | MRRC_XML_ASCII) != 0 {
        return Err(Failure::invalid(format!(
            "unknown MARCXML flags {:#x}",
            o.xml_flags
        )));
    }
    Ok(ParsedWriteOptions {
        format: check_format(o.format)?,
        iso: WriteOptions { charset },
        xml: XmlOptions {
            namespace: o.xml_flags & MRRC_XML_NAMESPACE != 0,
            ascii: o.xml_flags & MRRC_XML_ASCII != 0,
        },
    })
}

/// A streaming writer, freed with `mrrc_writer_free`.
///
/// Threads: may be moved to another thread between calls (one built on a
/// callback only if the callback and userdata allow that), never used by
/// two threads at once.
pub struct MrrcWriter {
    _opaque: [u8; 0],
}

pub(crate) enum AnyWriter {
    Iso(MarcWriter<Output>),
    Xml(XmlWriter<Output>),
    Json(JsonWriter<Output>),
    Msgpack(MsgpackWriter<Output>),
    Mrk(MrkWriter<Output>),
}

impl AnyWriter {
    pub(crate) fn new(options: &ParsedWriteOptions, out: Output) -> Outcome<AnyWriter> {
        Ok(match options.format {
            MRRC_FORMAT_ISO2709 => AnyWriter::Iso(MarcWriter::new(out, options.iso)),
            MRRC_FORMAT_MARCXML => AnyWriter::Xml(XmlWriter::with_options(out, options.xml)),
            MRRC_FORMAT_JSON => AnyWriter::Json(JsonWriter::with_layout(out, JsonLayout::Array)),
            MRRC_FORMAT_NDJSON => AnyWriter::Json(JsonWriter::with_layout(out, JsonLayout::Lines)),
            MRRC_FORMAT_MSGPACK => AnyWriter::Msgpack(MsgpackWriter::new(out)),
            MRRC_FORMAT_MRK => AnyWriter::Mrk(MrkWriter::new(out)),
            other => {
                return Err(Failure::invalid(format!(
                    "format {other} cannot be written by this version of mrrc"
                )))
            }
        })
    }

    pub(crate) fn write(&mut self, record: &Record) -> Result<(), Error> {
        match self {
            AnyWriter::Iso(w) => w.write(record),
            AnyWriter::Xml(w) => w.write(record),
            AnyWriter::Json(w) => w.write(record),
            AnyWriter::Msgpack(w) => w.write(record),
            AnyWriter::Mrk(w) => w.write(record),
        }
    }

    pub(crate) fn finish(self) -> Result<Output, Error> {
        match self {
            AnyWriter::Iso(w) => w.finish(),
            AnyWriter::Xml(w) => w.finish(),
            AnyWriter::Json(w) => w.finish(),
            AnyWriter::Msgpack(w) => w.finish(),
            AnyWriter::Mrk(w) => w.finish(),
        }
    }
}

struct Writer {
    /// None once finished.
    inner: Option<AnyWriter>,
}

/// # Safety
/// `options` is NULL or points to a valid struct.
unsafe fn make_writer(
    options: *const MrrcWriteOptions,
    output: impl FnOnce() -> Outcome<Output>,
) -> Outcome<*mut MrrcWriter> {
    // SAFETY: forwarded from the caller.
    let options = unsafe { write_options(options) }?;
    let writer = AnyWriter::new(&options, output()?)?;
    Ok(Box::into_raw(Box::new(Writer {
        inner: Some(writer),
    }))
    .cast())
}

/// # Safety
/// A non-NULL `w` is a live writer handle used by no one else.
unsafe fn writer_mut<'a>(w: *mut MrrcWriter) -> Outcome<&'a mut Writer> {
    // SAFETY: a writer handle points to a boxed `Writer`.
    unsafe { borrow_mut(w.cast::<Writer>(), "writer") }
}

/// Creates (or truncates) a file. `options` may be NULL (ISO 2709, UTF-8).
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_open_path(
    path: *const c_char,
    options: *const MrrcWriteOptions,
    out: *mut *mut MrrcWriter,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let path = unsafe { path_arg(path) }?;
        // SAFETY: pointer contract of the header.
        let writer = unsafe { make_writer(options, || Output::path(&path)) }?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, writer) };
        Ok(())
    })
}

/// Writes to memory; `mrrc_writer_finish` hands the bytes over.
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_to_buffer(
    options: *const MrrcWriteOptions,
    out: *mut *mut MrrcWriter,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let writer = unsafe { make_writer(options, || Ok(Output::Buffer(Vec::new()))) }?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, writer) };
        Ok(())
    })
}

/// Writes through `callback(userdata, ...)` (buffered; flushed by
/// `mrrc_writer_finish`).
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_from_callback(
    callback: MrrcWriteCallback,
    userdata: *mut c_void,
    options: *const MrrcWriteOptions,
    out: *mut *mut MrrcWriter,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let writer = unsafe { make_writer(options, || Output::callback(callback, userdata)) }?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, writer) };
        Ok(())
    })
}

fn unfinished(w: &mut Writer) -> Outcome<&mut AnyWriter> {
    w.inner.as_mut().ok_or_else(|| {
        Failure::new(
            MrrcStatus::MRRC_WRITER_FINISHED,
            "the writer was already finished",
        )
    })
}

/// Writes one record. `MRRC_TOO_LARGE` for a record ISO 2709 cannot hold.
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_write(
    writer: *mut MrrcWriter,
    record: *const MrrcRecord,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (writer, record) = unsafe { (writer_mut(writer)?, record_ref(record)?) };
        unfinished(writer)?.write(record)?;
        Ok(())
    })
}

/// Writes `records[0..count]` in order; stops at the first failure, whose
/// index goes to `*written` (the number written) unless NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_write_batch(
    writer: *mut MrrcWriter,
    records: *const *const MrrcRecord,
    count: usize,
    written: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let writer = unfinished(unsafe { writer_mut(writer) }?)?;
        if count > 0 && records.is_null() {
            return Err(Failure::Null("records"));
        }
        let mut n = 0;
        let result = (|| {
            while n < count {
                // SAFETY: `records` holds `count` live record handles.
                let record = unsafe { record_ref(*records.add(n)) }?;
                writer.write(record)?;
                n += 1;
            }
            Ok(())
        })();
        // SAFETY: NULL or writable per the contract.
        unsafe { write_opt(written, n) };
        result
    })
}

/// Ends the output (closing elements of MARCXML and JSON arrays) and
/// flushes it. For a buffer writer, the bytes go to `*buffer` and `*len`
/// (caller-owned, `mrrc_buffer_free`); for the others both may be NULL. The
/// writer must still be freed; further writes fail with
/// `MRRC_WRITER_FINISHED`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_finish(
    writer: *mut MrrcWriter,
    buffer: *mut *mut u8,
    len: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let writer = unsafe { writer_mut(writer) }?;
        unfinished(writer)?;
        let out = writer.inner.take().map(AnyWriter::finish).transpose()?;
        if let Some(Output::Buffer(bytes)) = out {
            // SAFETY: NULL or writable per the contract.
            unsafe {
                write_opt(buffer, owned_buffer(&bytes));
                write_opt(len, bytes.len());
            }
        }
        Ok(())
    })
}

/// Frees a writer (NULL is a no-op). An unfinished writer is finished first
/// and its errors are lost: call `mrrc_writer_finish` to see them.
#[no_mangle]
pub unsafe extern "C" fn mrrc_writer_free(writer: *mut MrrcWriter) {
    if !writer.is_null() {
        // SAFETY: a writer handle came from `make_writer` (Box<Writer>).
        let w = unsafe { Box::from_raw(writer.cast::<Writer>()) };
        let _ = crate::status::catch(|| {
            if let Some(inner) = w.inner {
                let _ = inner.finish();
            }
            Ok(())
        });
    }
}
