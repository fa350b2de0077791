//! pymarc 5.4.0's exception for a record the core could not read.
//!
//! pymarc checks a record in a fixed order (length, terminator, leader, base
//! address, directory, entries) and raises a different exception class at
//! each step; code written for pymarc tests for those classes. The bindings
//! re-run that order on the record's bytes, so they raise what pymarc would,
//! with the core's message (kind, record index, byte offset).

use crate::error::{Error, ErrorKind, Position, Result, Warning};
use crate::iso2709::RECORD_TERMINATOR;
use crate::leader::LEADER_LEN;
use crate::record::Record;

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
    framing_order(chunk).unwrap_or_else(|| by_kind(err))
}

/// What pymarc's `Record.decode_marc` (no reader framing) would raise for
/// `bytes` the core rejected with `err`.
pub fn classify_decode(bytes: &[u8], err: &Error) -> PymarcError {
    decode_order(bytes).unwrap_or_else(|| by_kind(err))
}

fn by_kind(err: &Error) -> PymarcError {
    use PymarcError::*;
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

/// A record pymarc would not have returned: its exception class and the
/// core's error (message and position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub class: PymarcError,
    pub error: Error,
}

/// pymarc's verdict on a record the core read in lenient mode from `chunk`.
///
/// pymarc tolerates odd tags, indicators and subfield codes and bad MARC-8
/// (it repairs or warns), but rejects records whose framing, leader, base
/// address or directory fail its checks, and (with `utf8_handling="strict"`)
/// invalid UTF-8. Lenient parsing plus this verdict accepts exactly what
/// pymarc accepts, with the core's repairs of the content. `position` is the
/// record's (index, byte offset), for errors that have none. `framed` says
/// the bytes came through a reader (pymarc's reader checks the length and
/// terminator before `decode_marc` runs).
pub fn verdict(
    chunk: &[u8],
    result: Result<Record>,
    warnings: &[Warning],
    utf8_strict: bool,
    position: (u64, u64),
    framed: bool,
) -> std::result::Result<Record, Rejected> {
    let checks = if framed { framing_order } else { decode_order };
    let at = |e: Error| e.with_record(position.0).with_offset(position.1);
    let record = match result {
        Ok(record) => record,
        Err(error) => {
            return Err(Rejected {
                class: checks(chunk).unwrap_or_else(|| by_kind(&error)),
                error: at(error),
            })
        }
    };
    let structural = checks(chunk);
    if let Some(class) = structural {
        let error = warnings
            .first()
            .map(|w| Error {
                kind: w.kind,
                position: w.position,
                message: w.message.clone(),
            })
            .unwrap_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    format!("pymarc raises {}", class.name()),
                )
            });
        return Err(Rejected {
            class,
            error: at(error),
        });
    }
    if utf8_strict {
        if let Some(w) = warnings.iter().find(|w| w.kind == ErrorKind::Encoding) {
            let error = Error {
                kind: w.kind,
                position: Position { ..w.position },
                message: w.message.clone(),
            };
            return Err(Rejected {
                class: PymarcError::UnicodeDecodeError,
                error: at(error),
            });
        }
    }
    Ok(record)
}

/// pymarc's reader and `decode_marc` checks on a whole chunk; `None` when
/// they all pass.
fn framing_order(chunk: &[u8]) -> Option<PymarcError> {
    use PymarcError::*;
    if chunk.len() < 5 {
        return Some(TruncatedRecord);
    }
    let Some(length) = py_int(&chunk[..5]) else {
        return Some(RecordLengthInvalid);
    };
    if length < 5 {
        return Some(EndOfRecordNotFound);
    }
    let length = length as usize;
    if chunk.len() < length {
        return Some(TruncatedRecord);
    }
    let record = &chunk[..length];
    if record.last() != Some(&RECORD_TERMINATOR) {
        return Some(EndOfRecordNotFound);
    }
    decode_order(record)
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
    let declared = py_int(&record[..5]);
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
    match declared {
        None => return Some(ValueError),
        Some(n) if (record.len() as i64) < n => return Some(TruncatedRecord),
        _ => {}
    }
    let directory = record.get(LEADER_LEN..base - 1).unwrap_or_default();
    if !directory.is_ascii() {
        return Some(UnicodeDecodeError);
    }
    if !directory.len().is_multiple_of(12) {
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
        let err =
            crate::iso2709::parse_record(bytes, &ReadOptions::strict()).expect_err("a bad record");
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
        assert_eq!(
            class_of(record(381, 128)),
            PymarcError::RecordDirectoryInvalid
        );
        assert_eq!(class_of(record(509, 128)), PymarcError::UnicodeDecodeError);
        assert_eq!(class_of(record(637, 127)), PymarcError::ValueError);
        assert_eq!(class_of(record(764, 26)), PymarcError::NoFieldsFound);
        assert_eq!(class_of(&data[917..]), PymarcError::TruncatedRecord);
        assert_eq!(class_of(b"0012X"), PymarcError::RecordLengthInvalid);
        assert_eq!(class_of(b"00006 "), PymarcError::EndOfRecordNotFound);
        // decode_marc has no reader framing (pymarc's test_record.py).
        let err = Error::new(ErrorKind::Leader, "short");
        assert_eq!(
            classify_decode(b"foo", &err),
            PymarcError::RecordLeaderInvalid
        );
        assert_eq!(
            classify_decode(b"00695cam  2200241Ia 45x00", &err),
            PymarcError::BaseAddressInvalid
        );
        assert!(PymarcError::TruncatedRecord.is_fatal());
        // A lenient read of a damaged record still gets pymarc's verdict.
        let lenient = ReadOptions::lenient();
        let bad = record(127, 127);
        let mut warnings = Vec::new();
        let read = crate::iso2709::parse_record_with_warnings(bad, &lenient, &mut warnings);
        let rejected = verdict(bad, read, &warnings, true, (1, 127), true).unwrap_err();
        assert_eq!(rejected.class, PymarcError::BaseAddressInvalid);
        assert_eq!(rejected.error.position.record_index, Some(1));
        let good = record(0, 127);
        let read = crate::iso2709::parse_record_with_warnings(good, &lenient, &mut warnings);
        assert!(verdict(good, read, &[], true, (0, 0), true).is_ok());
        assert!(!PymarcError::NoFieldsFound.is_fatal());
    }
}
