//! pymarc 5.4.0's verdict on ISO 2709 records, for bindings that offer
//! pymarc's API: which records it rejects, and the exception class it raises
//! for each. The rules are the core's (`mrrc_core::pymarc`).

use std::ffi::c_char;

use mrrc_core::iso2709::parse_record_with_warnings;
use mrrc_core::pymarc::{classify, classify_decode, verdict, PymarcError};
use mrrc_core::{Error, ErrorKind};

use crate::args::{bytes, out_ptr, write};
use crate::options::{read_options, MrrcReadOptions};
use crate::reader::{reader_mut, MrrcReader};
use crate::record::{into_handle, MrrcRecord};
use crate::status::{status_of, value_or, MrrcStatus};

/// From the next record on, the reader rejects the ISO 2709 records pymarc
/// 5.4.0 rejects (bad framing, leader, base address or directory, and
/// invalid UTF-8 when `utf8_strict`), as errors carrying the record index
/// and byte offset; use it with `MRRC_MODE_LENIENT`, which repairs what
/// pymarc tolerates. `mrrc_pymarc_error_name` names pymarc's exception.
#[no_mangle]
pub unsafe extern "C" fn mrrc_reader_set_pymarc_checks(
    reader: *mut MrrcReader,
    utf8_strict: bool,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        unsafe { reader_mut(reader) }?.pymarc_checks = Some(utf8_strict);
        Ok(())
    })
}

/// Parses one ISO 2709 record as pymarc's `Record.decode_marc` does: read
/// leniently with `options` (NULL: charset from the leader), then rejected
/// where pymarc raises (`utf8_strict`: also on invalid UTF-8).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_decode_pymarc(
    data: *const u8,
    len: usize,
    options: *const MrrcReadOptions,
    utf8_strict: bool,
    out: *mut *mut MrrcRecord,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (data, (_, options)) = unsafe { (bytes(data, len, "data")?, read_options(options)?) };
        let mut warnings = Vec::new();
        let parsed = parse_record_with_warnings(data, &options, &mut warnings);
        let record =
            verdict(data, parsed, &warnings, utf8_strict, (0, 0), false).map_err(|r| r.error)?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, into_handle(record)) };
        Ok(())
    })
}

fn kind_of(status: i32) -> ErrorKind {
    use ErrorKind::*;
    [
        Io,
        RecordLength,
        Leader,
        BaseAddress,
        Directory,
        Truncated,
        MissingTerminator,
        Indicator,
        Subfield,
        Encoding,
        Marc8,
        NoFields,
        Tag,
        Xml,
        Json,
        Msgpack,
        Mrk,
        TooLarge,
    ]
    .into_iter()
    .find(|k| MrrcStatus::from_kind(*k) as i32 == status)
    .unwrap_or(InvalidArgument)
}

/// The name of the exception pymarc 5.4.0 raises for the record `chunk`
/// that failed with `status`: a class of `pymarc.exceptions`
/// (`"BaseAddressInvalid"`...), `"UnicodeDecodeError"` or `"ValueError"`
/// (Python built-ins), or `"MarcError"` when pymarc has no class for it.
/// `framed` is true for records from a reader (pymarc's reader checks the
/// length and terminator first), false for `mrrc_record_decode_pymarc`.
/// Static, not to be freed; NULL only if `chunk` is NULL with `len` > 0.
#[no_mangle]
pub unsafe extern "C" fn mrrc_pymarc_error_name(
    chunk: *const u8,
    len: usize,
    status: i32,
    framed: bool,
) -> *const c_char {
    value_or(std::ptr::null(), || {
        // SAFETY: pointer contract of the header.
        let chunk = unsafe { bytes(chunk, len, "chunk") }?;
        let error = Error::new(kind_of(status), String::new());
        let class = if framed {
            classify(chunk, &error)
        } else {
            classify_decode(chunk, &error)
        };
        Ok(name_of(class).as_ptr().cast())
    })
}

fn name_of(class: PymarcError) -> &'static str {
    use PymarcError::*;
    match class {
        RecordLengthInvalid => "RecordLengthInvalid\0",
        TruncatedRecord => "TruncatedRecord\0",
        EndOfRecordNotFound => "EndOfRecordNotFound\0",
        RecordLeaderInvalid => "RecordLeaderInvalid\0",
        BaseAddressNotFound => "BaseAddressNotFound\0",
        BaseAddressInvalid => "BaseAddressInvalid\0",
        RecordDirectoryInvalid => "RecordDirectoryInvalid\0",
        NoFieldsFound => "NoFieldsFound\0",
        UnicodeDecodeError => "UnicodeDecodeError\0",
        ValueError => "ValueError\0",
        Other => "MarcError\0",
    }
}
