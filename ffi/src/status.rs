//! Status codes, the thread-local last error, and the one wrapper every entry
//! point goes through (`catch`): it turns a `Failure` or a panic into a status
//! and records the message for `mrrc_last_error_message`.

use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};

use mrrc_core::{Error, ErrorKind};

use crate::alloc::owned_string;

/// The result of every fallible call. `MRRC_OK` is 0; the codes from 100 up
/// are the error kinds of the core (`100 + ErrorKind::code()`), stable across
/// releases; the codes below 100 are the C ABI's own.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types)] // the C names
pub enum MrrcStatus {
    MRRC_OK = 0,
    /// A pointer argument that must not be NULL was NULL.
    MRRC_NULL_ARGUMENT = 1,
    /// Rust code panicked; the call had no effect on its out-parameters.
    MRRC_PANIC = 2,
    /// An index is past the end (fields, subfields, records of a batch).
    MRRC_INDEX_OUT_OF_RANGE = 3,
    /// No subfield with this code (pymarc's `KeyError`).
    MRRC_KEY_NOT_FOUND = 4,
    /// More than one subfield with this code (pymarc's `KeyError`).
    MRRC_KEY_NOT_UNIQUE = 5,
    /// A data-field operation on a control field, or the reverse.
    MRRC_WRONG_FIELD_KIND = 6,
    /// A field names an 880 occurrence the record lacks (pymarc's
    /// `MissingLinkedFields`).
    MRRC_MISSING_LINKED_FIELDS = 7,
    /// The writer was already finished.
    MRRC_WRITER_FINISHED = 8,
    /// A caller's buffer is too small; the sizes needed were written to the
    /// call's size out-parameter (`mrrc_record_split`).
    MRRC_BUFFER_TOO_SMALL = 9,
    /// Reading or writing the underlying stream failed.
    MRRC_IO = 101,
    MRRC_RECORD_LENGTH = 102,
    MRRC_LEADER = 103,
    MRRC_BASE_ADDRESS = 104,
    MRRC_DIRECTORY = 105,
    MRRC_TRUNCATED = 106,
    MRRC_MISSING_TERMINATOR = 107,
    MRRC_INDICATOR = 108,
    MRRC_SUBFIELD = 109,
    MRRC_ENCODING = 110,
    MRRC_MARC8 = 111,
    MRRC_NO_FIELDS = 112,
    MRRC_TAG = 113,
    MRRC_XML = 114,
    MRRC_JSON = 115,
    MRRC_MSGPACK = 116,
    MRRC_MRK = 117,
    MRRC_TOO_LARGE = 118,
    /// An argument is invalid (unknown format or encoding name, text that is
    /// not UTF-8, a leader that is not 24 bytes, ...).
    MRRC_INVALID_ARGUMENT = 119,
}

impl MrrcStatus {
    /// The status of a core error kind.
    pub fn from_kind(kind: ErrorKind) -> MrrcStatus {
        use MrrcStatus::*;
        match kind {
            ErrorKind::Io => MRRC_IO,
            ErrorKind::RecordLength => MRRC_RECORD_LENGTH,
            ErrorKind::Leader => MRRC_LEADER,
            ErrorKind::BaseAddress => MRRC_BASE_ADDRESS,
            ErrorKind::Directory => MRRC_DIRECTORY,
            ErrorKind::Truncated => MRRC_TRUNCATED,
            ErrorKind::MissingTerminator => MRRC_MISSING_TERMINATOR,
            ErrorKind::Indicator => MRRC_INDICATOR,
            ErrorKind::Subfield => MRRC_SUBFIELD,
            ErrorKind::Encoding => MRRC_ENCODING,
            ErrorKind::Marc8 => MRRC_MARC8,
            ErrorKind::NoFields => MRRC_NO_FIELDS,
            ErrorKind::Tag => MRRC_TAG,
            ErrorKind::Xml => MRRC_XML,
            ErrorKind::Json => MRRC_JSON,
            ErrorKind::Msgpack => MRRC_MSGPACK,
            ErrorKind::Mrk => MRRC_MRK,
            ErrorKind::TooLarge => MRRC_TOO_LARGE,
            ErrorKind::InvalidArgument => MRRC_INVALID_ARGUMENT,
            // A kind added to the core after this ABI was built.
            _ => MRRC_INVALID_ARGUMENT,
        }
    }

    fn name(self) -> &'static str {
        use MrrcStatus::*;
        match self {
            MRRC_OK => "ok",
            MRRC_NULL_ARGUMENT => "NULL argument",
            MRRC_PANIC => "panic",
            MRRC_INDEX_OUT_OF_RANGE => "index out of range",
            MRRC_KEY_NOT_FOUND => "key not found",
            MRRC_KEY_NOT_UNIQUE => "key not unique",
            MRRC_WRONG_FIELD_KIND => "wrong field kind",
            MRRC_MISSING_LINKED_FIELDS => "missing linked fields",
            MRRC_WRITER_FINISHED => "writer finished",
            MRRC_BUFFER_TOO_SMALL => "buffer too small",
            MRRC_IO => "i/o",
            MRRC_RECORD_LENGTH => "record length",
            MRRC_LEADER => "leader",
            MRRC_BASE_ADDRESS => "base address",
            MRRC_DIRECTORY => "directory",
            MRRC_TRUNCATED => "truncated record",
            MRRC_MISSING_TERMINATOR => "missing terminator",
            MRRC_INDICATOR => "indicator",
            MRRC_SUBFIELD => "subfield",
            MRRC_ENCODING => "encoding",
            MRRC_MARC8 => "MARC-8",
            MRRC_NO_FIELDS => "no fields",
            MRRC_TAG => "tag",
            MRRC_XML => "MARCXML",
            MRRC_JSON => "MARC-in-JSON",
            MRRC_MSGPACK => "msgpack",
            MRRC_MRK => "MARCMaker",
            MRRC_TOO_LARGE => "too large",
            MRRC_INVALID_ARGUMENT => "invalid argument",
        }
    }

    const ALL: [MrrcStatus; 29] = {
        use MrrcStatus::*;
        [
            MRRC_OK,
            MRRC_NULL_ARGUMENT,
            MRRC_PANIC,
            MRRC_INDEX_OUT_OF_RANGE,
            MRRC_KEY_NOT_FOUND,
            MRRC_KEY_NOT_UNIQUE,
            MRRC_WRONG_FIELD_KIND,
            MRRC_MISSING_LINKED_FIELDS,
            MRRC_WRITER_FINISHED,
            MRRC_BUFFER_TOO_SMALL,
            MRRC_IO,
            MRRC_RECORD_LENGTH,
            MRRC_LEADER,
            MRRC_BASE_ADDRESS,
            MRRC_DIRECTORY,
            MRRC_TRUNCATED,
            MRRC_MISSING_TERMINATOR,
            MRRC_INDICATOR,
            MRRC_SUBFIELD,
            MRRC_ENCODING,
            MRRC_MARC8,
            MRRC_NO_FIELDS,
            MRRC_TAG,
            MRRC_XML,
            MRRC_JSON,
            MRRC_MSGPACK,
            MRRC_MRK,
            MRRC_TOO_LARGE,
            MRRC_INVALID_ARGUMENT,
        ]
    };
}

/// Why a call failed, before it becomes a status and a message.
#[derive(Debug)]
pub(crate) enum Failure {
    Core(Error),
    Null(&'static str),
    Status(MrrcStatus, String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    pub(crate) fn new(status: MrrcStatus, message: impl Into<String>) -> Self {
        Failure::Status(status, message.into())
    }
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure::new(MrrcStatus::MRRC_INVALID_ARGUMENT, message)
    }
    pub(crate) fn out_of_range(what: &str, index: usize, len: usize) -> Self {
        Failure::new(
            MrrcStatus::MRRC_INDEX_OUT_OF_RANGE,
            format!("{what} index {index} is out of range (there are {len})"),
        )
    }
}

pub(crate) type Outcome<T> = Result<T, Failure>;

/// The last failure of this thread.
#[derive(Default)]
struct LastError {
    status: i32,
    message: String,
    record_index: Option<u64>,
    byte_offset: Option<u64>,
    line: Option<u64>,
    column: Option<u64>,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::default());
}

fn record_failure(failure: Failure) -> MrrcStatus {
    let (status, last) = match failure {
        Failure::Core(e) => {
            let status = MrrcStatus::from_kind(e.kind);
            let last = LastError {
                status: status as i32,
                message: e.to_string(),
                record_index: e.position.record_index,
                byte_offset: e.position.byte_offset,
                line: e.position.line,
                column: e.position.column,
            };
            (status, last)
        }
        Failure::Null(arg) => (
            MrrcStatus::MRRC_NULL_ARGUMENT,
            LastError {
                status: MrrcStatus::MRRC_NULL_ARGUMENT as i32,
                message: format!("argument `{arg}` must not be NULL"),
                ..LastError::default()
            },
        ),
        Failure::Status(status, message) => (
            status,
            LastError {
                status: status as i32,
                message,
                ..LastError::default()
            },
        ),
    };
    LAST_ERROR.with(|cell| *cell.borrow_mut() = last);
    status
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs an entry point's body: failures and panics are recorded as the
/// thread's last error and come back as a status.
pub(crate) fn catch<T>(body: impl FnOnce() -> Outcome<T>) -> Result<T, MrrcStatus> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(failure)) => Err(record_failure(failure)),
        Err(payload) => Err(record_failure(Failure::new(
            MrrcStatus::MRRC_PANIC,
            format!("panic inside mrrc: {}", panic_message(payload.as_ref())),
        ))),
    }
}

/// `catch` for calls that return a status.
pub(crate) fn status_of(body: impl FnOnce() -> Outcome<()>) -> MrrcStatus {
    match catch(body) {
        Ok(()) => MrrcStatus::MRRC_OK,
        Err(status) => status,
    }
}

/// `catch` for calls that return a value, with `fallback` on failure.
pub(crate) fn value_or<T>(fallback: T, body: impl FnOnce() -> Outcome<T>) -> T {
    catch(body).unwrap_or(fallback)
}

/// The message of the last failed call on this thread (with the record index
/// and byte offset or line and column when known), or NULL if no call has
/// failed on this thread. Owned by the caller: free it with
/// `mrrc_string_free`. Successful calls do not clear it.
#[no_mangle]
pub extern "C" fn mrrc_last_error_message() -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        Ok(LAST_ERROR.with(|cell| {
            let last = cell.borrow();
            if last.status == 0 {
                std::ptr::null_mut()
            } else {
                owned_string(&last.message)
            }
        }))
    })
}

/// The status of the last failed call on this thread (`MRRC_OK` if none).
#[no_mangle]
pub extern "C" fn mrrc_last_error_status() -> i32 {
    LAST_ERROR.with(|cell| cell.borrow().status)
}

fn last_position(pick: impl Fn(&LastError) -> Option<u64>, out: *mut u64) -> bool {
    let value = LAST_ERROR.with(|cell| pick(&cell.borrow()));
    match value {
        Some(v) if !out.is_null() => {
            // SAFETY: `out` is non-NULL and the caller promises it points to a
            // writable uint64_t.
            unsafe { out.write(v) };
            true
        }
        _ => false,
    }
}

/// Writes the record index (from 0) of the last error to `*out` and returns
/// true, or returns false when it is unknown (or `out` is NULL).
#[no_mangle]
pub extern "C" fn mrrc_last_error_record_index(out: *mut u64) -> bool {
    last_position(|l| l.record_index, out)
}

/// Writes the byte offset in the input of the last error to `*out` and
/// returns true, or returns false when it is unknown (or `out` is NULL).
#[no_mangle]
pub extern "C" fn mrrc_last_error_byte_offset(out: *mut u64) -> bool {
    last_position(|l| l.byte_offset, out)
}

/// The 1-based line of the last error in a text format (MARCXML, JSON,
/// MARCMaker); false when unknown.
#[no_mangle]
pub extern "C" fn mrrc_last_error_line(out: *mut u64) -> bool {
    last_position(|l| l.line, out)
}

/// The 1-based column of the last error in a text format; false when unknown.
#[no_mangle]
pub extern "C" fn mrrc_last_error_column(out: *mut u64) -> bool {
    last_position(|l| l.column, out)
}

/// Forgets this thread's last error.
#[no_mangle]
pub extern "C" fn mrrc_last_error_clear() {
    LAST_ERROR.with(|cell| *cell.borrow_mut() = LastError::default());
}

/// A static, NUL-terminated English name for a status ("truncated record"),
/// or "unknown status". Not to be freed.
#[no_mangle]
pub extern "C" fn mrrc_status_name(status: i32) -> *const c_char {
    static NAMES: std::sync::OnceLock<Vec<(i32, std::ffi::CString)>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        MrrcStatus::ALL
            .iter()
            .map(|s| {
                (
                    *s as i32,
                    std::ffi::CString::new(s.name()).unwrap_or_default(),
                )
            })
            .collect()
    });
    names
        .iter()
        .find(|(code, _)| *code == status)
        .map_or(c"unknown status".as_ptr(), |(_, name)| name.as_ptr())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_maps_to_100_plus_its_code() {
        let kinds = [
            ErrorKind::Io,
            ErrorKind::RecordLength,
            ErrorKind::Leader,
            ErrorKind::BaseAddress,
            ErrorKind::Directory,
            ErrorKind::Truncated,
            ErrorKind::MissingTerminator,
            ErrorKind::Indicator,
            ErrorKind::Subfield,
            ErrorKind::Encoding,
            ErrorKind::Marc8,
            ErrorKind::NoFields,
            ErrorKind::Tag,
            ErrorKind::Xml,
            ErrorKind::Json,
            ErrorKind::Msgpack,
            ErrorKind::Mrk,
            ErrorKind::TooLarge,
            ErrorKind::InvalidArgument,
        ];
        for kind in kinds {
            let status = MrrcStatus::from_kind(kind);
            assert_eq!(status as i32, 100 + i32::from(kind.code()), "{kind:?}");
            assert!(MrrcStatus::ALL.contains(&status));
        }
    }

    #[test]
    fn panics_become_a_status_and_a_message() {
        let status = status_of(|| panic!("boom"));
        assert_eq!(status, MrrcStatus::MRRC_PANIC);
        assert_eq!(mrrc_last_error_status(), MrrcStatus::MRRC_PANIC as i32);
        LAST_ERROR.with(|c| assert!(c.borrow().message.contains("boom")));
    }
}
