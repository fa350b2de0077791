//! One-shot conversions: a record to each format, one record from bytes, a
//! whole buffer from one format to another, and MARC-8 to and from UTF-8.

use std::ffi::c_char;

use mrrc_core::{iso2709, json, marc8, marcxml, mrk, msgpack};

use crate::alloc::{owned_buffer, owned_string};
use crate::args::{bytes, out_ptr, text, write, write_opt};
use crate::io::{input_from_bytes, Output};
use crate::options::{
    read_options, MrrcReadOptions, MRRC_FORMAT_ISO2709, MRRC_FORMAT_JSON, MRRC_FORMAT_MARCXML,
    MRRC_FORMAT_MRK, MRRC_FORMAT_MSGPACK, MRRC_FORMAT_NDJSON,
};
use crate::record::{into_handle, record_ref, MrrcRecord};
use crate::status::{status_of, value_or, Failure, MrrcStatus};
use crate::writer::{write_options, AnyWriter, MrrcWriteOptions};

/// pymarc `record.as_json()`: MARC-in-JSON with `json.dumps`' separators and
/// `\uXXXX` escapes. Caller-owned; NULL only if `record` is NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_json(record: *const MrrcRecord) -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: pointer contract of the header.
        Ok(owned_string(&json::record_to_json(unsafe {
            record_ref(record)
        }?)))
    })
}

/// pymarc `record_to_xml(record)`: one `<record>` element, ASCII with
/// character references, no namespace. Caller-owned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_xml(record: *const MrrcRecord) -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: pointer contract of the header.
        Ok(owned_string(&marcxml::record_to_xml(unsafe {
            record_ref(record)
        }?)))
    })
}

/// One `<record>` element with `MRRC_XML_*` flags (pymarc
/// `record_to_xml(record, namespace=True)` is `MRRC_XML_NAMESPACE |
/// MRRC_XML_ASCII`). Caller-owned; NULL on a NULL record or unknown flags.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_xml_with(
    record: *const MrrcRecord,
    xml_flags: u32,
) -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        let options = MrrcWriteOptions {
            xml_flags,
            ..crate::writer::mrrc_write_options_default()
        };
        // SAFETY: `options` is a local struct; pointer contract otherwise.
        let (options, record) = unsafe { (write_options(&options)?, record_ref(record)?) };
        Ok(owned_string(&marcxml::record_to_xml_with(
            record,
            &options.xml,
        )))
    })
}

/// pymarc `TextWriter` / MARCMaker text of the record (`=LDR  ...` and one
/// line per field). Caller-owned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_mrk(record: *const MrrcRecord) -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: pointer contract of the header.
        Ok(owned_string(&mrk::record_to_mrk(unsafe {
            record_ref(record)
        }?)))
    })
}

/// The record as msgpack (the bytes Python's `msgpack.packb(record.as_dict())`
/// gives). Caller-owned (`mrrc_buffer_free`), length in `*len`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_msgpack(
    record: *const MrrcRecord,
    len: *mut usize,
) -> *mut u8 {
    value_or(std::ptr::null_mut(), || {
        let len = out_ptr(len, "len")?;
        // SAFETY: pointer contract of the header.
        let packed = msgpack::record_to_msgpack(unsafe { record_ref(record) }?);
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(len, packed.len()) };
        Ok(owned_buffer(&packed))
    })
}

/// pymarc `record.as_marc()`: the record in ISO 2709 with the charset of
/// `options` (NULL: UTF-8). Caller-owned bytes in `*out`, length in `*len`.
/// `MRRC_TOO_LARGE` when the record exceeds ISO 2709's limits.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_marc(
    record: *const MrrcRecord,
    options: *const MrrcWriteOptions,
    out: *mut *mut u8,
    len: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (out, len) = (out_ptr(out, "out")?, out_ptr(len, "len")?);
        // SAFETY: pointer contract of the header.
        let (record, options) = unsafe { (record_ref(record)?, write_options(options)?) };
        let mut buf = Vec::new();
        iso2709::write_record(record, &options.iso, &mut buf)?;
        // SAFETY: both checked non-NULL by out_ptr.
        unsafe {
            write(out, owned_buffer(&buf));
            write(len, buf.len());
        }
        Ok(())
    })
}

/// Parses exactly one record from `data[0..len]` in the format and mode of
/// `options` (NULL: ISO 2709, strict).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_from_bytes(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    out: *mut *mut MrrcRecord,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (data, (format, opts)) = unsafe { (bytes(data, len, "data")?, read_options(options)?) };
        let as_text = || {
            std::str::from_utf8(data).map_err(|e| {
                Failure::invalid(format!(
                    "the input is not UTF-8 (at byte {})",
                    e.valid_up_to()
                ))
            })
        };
        let record = match format {
            MRRC_FORMAT_ISO2709 => iso2709::parse_record(data, &opts)?,
            MRRC_FORMAT_MARCXML => marcxml::record_from_xml(as_text()?, &opts)?,
            MRRC_FORMAT_JSON | MRRC_FORMAT_NDJSON => json::record_from_json(as_text()?, &opts)?,
            MRRC_FORMAT_MSGPACK => msgpack::record_from_msgpack(data, &opts)?,
            MRRC_FORMAT_MRK => mrk::record_from_mrk(as_text()?, &opts)?,
            other => {
                return Err(Failure::invalid(format!(
                    "format {other} cannot be read by this version of mrrc"
                )))
            }
        };
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, into_handle(record)) };
        Ok(())
    })
}

/// Converts every record of `data[0..len]` (format and mode from `from`)
/// to the format of `to`, in one call. The caller-owned result goes to
/// `*out` / `*out_len` and the number of records to `*records` (may be
/// NULL). The first bad record fails the whole call (its position is in the
/// last error); lenient mode repairs what it can first.
#[no_mangle]
pub unsafe extern "C" fn mrrc_convert(
    data: *const u8,
    len: usize,
    from: *const MrrcReadOptions,
    to: *const MrrcWriteOptions,
    out: *mut *mut u8,
    out_len: *mut usize,
    records: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (out, out_len) = (out_ptr(out, "out")?, out_ptr(out_len, "out_len")?);
        // SAFETY: pointer contract of the header.
        let (data, (format, opts), to) = unsafe {
            (
                bytes(data, len, "data")?,
                read_options(from)?,
                write_options(to)?,
            )
        };
        // SAFETY: pointer contract of the header.
        let namespaces = unsafe { crate::options::xml_namespaces(from) };
        let mut reader =
            crate::reader::source_for(format, input_from_bytes(data), opts, namespaces)?;
        let mut writer = AnyWriter::new(&to, Output::Buffer(Vec::with_capacity(data.len())))?;
        let mut n = 0usize;
        while let Some(record) = reader.next_record() {
            writer.write(&record?)?;
            n += 1;
        }
        let Output::Buffer(bytes) = writer.finish()? else {
            unreachable!("a buffer writer finishes into its buffer");
        };
        // SAFETY: checked non-NULL by out_ptr; `records` is NULL or writable.
        unsafe {
            write(out, owned_buffer(&bytes));
            write(out_len, bytes.len());
            write_opt(records, n);
        }
        Ok(())
    })
}

/// MARC-8 bytes to UTF-8 text (pymarc `marc8_to_unicode`), normalized and
/// with the mode of `options` (NULL: strict, NFC): strict fails with
/// `MRRC_MARC8` on an unmappable sequence, lenient replaces it. The
/// caller-owned text goes to `*out`, its length in bytes to `*out_len`
/// (may be NULL).
#[no_mangle]
pub unsafe extern "C" fn mrrc_marc8_to_utf8(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    out: *mut *mut c_char,
    out_len: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (data, (_, opts)) = unsafe { (bytes(data, len, "data")?, read_options(options)?) };
        let mut warnings = Vec::new();
        let text = marc8::marc8_to_unicode(data, &opts, &mut warnings)?;
        // SAFETY: checked non-NULL by out_ptr; `out_len` NULL or writable.
        unsafe {
            write(out, owned_string(&text));
            write_opt(out_len, text.len());
        }
        Ok(())
    })
}

/// UTF-8 text to MARC-8 bytes; characters MARC-8 cannot hold become
/// `&#xXXXX;` references. Caller-owned bytes in `*out`, length in `*out_len`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_utf8_to_marc8(
    text_ptr: *const u8,
    len: usize,
    out: *mut *mut u8,
    out_len: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (out, out_len) = (out_ptr(out, "out")?, out_ptr(out_len, "out_len")?);
        // SAFETY: pointer contract of the header.
        let input = unsafe { text(text_ptr, len, "text") }?;
        let encoded = marc8::unicode_to_marc8(input);
        // SAFETY: both checked non-NULL by out_ptr.
        unsafe {
            write(out, owned_buffer(&encoded));
            write(out_len, encoded.len());
        }
        Ok(())
    })
}

/// Parses every ISO 2709 record of `data[0..len]` on all cores (in input
/// order) in one call. On success `*records` is a caller-owned array of
/// `*count` records, released with `mrrc_record_array_free`. The first bad
/// record fails the whole call with its error (record index and byte offset
/// in the last error) and nothing is returned; lenient `options` repair
/// what they can first. `options` may be NULL; its format must be ISO 2709.
#[no_mangle]
pub unsafe extern "C" fn mrrc_parse_all(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    records: *mut *mut *mut MrrcRecord,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (records, count) = (out_ptr(records, "records")?, out_ptr(count, "count")?);
        // SAFETY: pointer contract of the header.
        let (data, (format, opts)) = unsafe { (bytes(data, len, "data")?, read_options(options)?) };
        if format != MRRC_FORMAT_ISO2709 {
            return Err(Failure::invalid("parallel parsing reads ISO 2709 only"));
        }
        let parsed = mrrc_core::parallel::parse_all(data, &opts)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?;
        let handles: Box<[*mut MrrcRecord]> = parsed.into_iter().map(into_handle).collect();
        let n = handles.len();
        // SAFETY: both checked non-NULL by out_ptr.
        unsafe {
            write(count, n);
            write(records, Box::into_raw(handles).cast::<*mut MrrcRecord>());
        }
        Ok(())
    })
}

/// Frees an array from `mrrc_parse_all` and every record still in it
/// (entries the caller set to NULL, having taken the record, are skipped).
/// `count` must be the count `mrrc_parse_all` gave. NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_array_free(records: *mut *mut MrrcRecord, count: usize) {
    if records.is_null() {
        return;
    }
    // SAFETY: the array came from `mrrc_parse_all` as a boxed slice of
    // `count` entries.
    let handles = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(records, count)) };
    for &h in handles.iter() {
        // SAFETY: each non-NULL entry is a record handle still owned here.
        unsafe { crate::record::mrrc_record_free(h) };
    }
}
