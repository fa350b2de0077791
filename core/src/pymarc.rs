//! pymarc 5.4.0's exception for a record the core could not read.
//!
//! pymarc checks a record in a fixed order (length, terminator, leader, base
//! address, directory, entries) and raises a different exception class at
//! each step; code written for pymarc tests for those classes. The bindings
//! re-run that order on the record's bytes, so they raise what pymarc would,
//! with the core's message (kind, record index, byte offset).

use crate::error::{Error, ErrorKind};
use crate::iso2709::RECORD_TERMINATOR;
use crate::leader::LEADER_LEN;

/// The pymarc exception class for a record error (`pymarc.exceptions`, or a
/// Python built-in for the last three).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PymarcError {
    RecordLengthInvalid,
    TruncatedRecord,
    EndOfRecordNotFound,
    RecordLeaderInvalid,
    BaseAddressNotFound,
    BaseAddressInvalid,
    RecordDirectoryInvalid,
    NoFieldsFound,
    /// Python `UnicodeDecodeError` (non-ASCII leader or directory, bad text).
    UnicodeDecodeError,
    /// Python `ValueError` (a number that is not one).
    ValueError,
    /// No pymarc class says it better (mrrc's `MarcError`).
    Other,
}

impl PymarcError {
    /// The class name, as in `pymarc.exceptions` or Python's built-ins.
    pub fn name(self) -> &'static str {
        match self {
            PymarcError::RecordLengthInvalid => "RecordLengthInvalid",
            PymarcError::TruncatedRecord => "TruncatedRecord",
            PymarcError::EndOfRecordNotFound => "EndOfRecordNotFound",
            PymarcError::RecordLeaderInvalid => "RecordLeaderInvalid",
            PymarcError::BaseAddressNotFound => "BaseAddressNotFound",
            PymarcError::BaseAddressInvalid => "BaseAddressInvalid",
            PymarcError::RecordDirectoryInvalid => "RecordDirectoryInvalid",
            PymarcError::NoFieldsFound => "NoFieldsFound",
            PymarcError::UnicodeDecodeError => "UnicodeDecodeError",
            PymarcError::ValueError => "ValueError",
            PymarcError::Other => "MarcError",
        }
    }

    /// pymarc's `FatalReaderError`s: its reader stops after one of these.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            PymarcError::RecordLengthInvalid
                | PymarcError::TruncatedRecord
                | PymarcError::EndOfRecordNotFound
        )
    }
}

/// Python's `int()` on ASCII bytes: optional blanks and sign, then digits.
fn py_int(bytes: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// What pymarc would raise for `chunk`, the bytes of a record the core
/// rejected with `err`.
pub fn classify(chunk: &[u8], err: &Error) -> PymarcError {
    use PymarcError::*;
    if chunk.len() < 5 {
        return TruncatedRecord;
    }
    let Some(length) = py_int(&chunk[..5]) else {
        return RecordLengthInvalid;
    };
    if length >= 5 {
        let length = length as usize;
        if chunk.len() < length {
            return TruncatedRecord;
        }
        let record = &chunk[..length];
        if record.last() != Some(&RECORD_TERMINATOR) {
            return EndOfRecordNotFound;
        }
        if let Some(class) = decode_order(record) {
            return class;
        }
    }
    match err.kind {
        ErrorKind::RecordLength => RecordLengthInvalid,
        ErrorKind::Truncated => TruncatedRecord,
        ErrorKind::MissingTerminator => EndOfRecordNotFound,
        ErrorKind::Leader => RecordLeaderInvalid,
        ErrorKind::BaseAddress => BaseAddressInvalid,
        ErrorKind::Directory | ErrorKind::Tag => RecordDirectoryInvalid,
        ErrorKind::NoFields => NoFieldsFound,
        ErrorKind::Encoding | ErrorKind::Marc8 | ErrorKind::Indicator => UnicodeDecodeError,
        _ => Other,
    }
}

/// pymarc `Record.decode_marc`'s checks, in its order.
fn decode_order(record: &[u8]) -> Option<PymarcError> {
    use PymarcError::*;
    let leader = &record[..record.len().min(LEADER_LEN)];
    if !leader.is_ascii() {
        return Some(UnicodeDecodeError);
    }
    if leader.len() < LEADER_LEN {
        return Some(RecordLeaderInvalid);
    }
    let Some(base) = py_int(&record[12..17]) else {
        return Some(ValueError);
    };
    if base <= 0 {
        return Some(BaseAddressNotFound);
    }
    let base = base as usize;
    if base >= record.len() {
        return Some(BaseAddressInvalid);
    }
    let directory = record.get(LEADER_LEN..base - 1).unwrap_or_default();
    if !directory.is_ascii() {
        return Some(UnicodeDecodeError);
    }
    if directory.len() % 12 != 0 {
        return Some(RecordDirectoryInvalid);
    }
    for entry in directory.chunks(12) {
        if py_int(&entry[3..7]).is_none() || py_int(&entry[7..12]).is_none() {
            return Some(ValueError);
        }
    }
    if directory.is_empty() {
        return Some(NoFieldsFound);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ReadOptions;

    fn class_of(bytes: &[u8]) -> PymarcError {
        let err = crate::iso2709::parse_record(bytes, &ReadOptions::strict())
            .expect_err("a bad record");
        classify(bytes, &err)
    }

    #[test]
    fn follows_pymarcs_order_of_checks() {
        // The damaged records of pymarc's test/bad_records.mrc.
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/pymarc/bad_records.mrc"
        ))
        .unwrap();
        let record = |start: usize, len: usize| &data[start..start + len];
        assert_eq!(class_of(record(127, 127)), PymarcError::BaseAddressInvalid);
        assert_eq!(class_of(record(254, 127)), PymarcError::BaseAddressNotFound);
        assert_eq!(class_of(record(381, 128)), PymarcError::RecordDirectoryInvalid);
        assert_eq!(class_of(record(509, 128)), PymarcError::UnicodeDecodeError);
        assert_eq!(class_of(record(637, 127)), PymarcError::ValueError);
        assert_eq!(class_of(record(764, 26)), PymarcError::NoFieldsFound);
        assert_eq!(class_of(&data[917..]), PymarcError::TruncatedRecord);
        assert_eq!(class_of(b"0012X"), PymarcError::RecordLengthInvalid);
        assert_eq!(class_of(b"00006 "), PymarcError::EndOfRecordNotFound);
        assert!(PymarcError::TruncatedRecord.is_fatal());
        assert!(!PymarcError::NoFieldsFound.is_fatal());
    }
}
