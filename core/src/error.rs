//! One error type for every decoder and encoder in the crate.
//!
//! Every error names what went wrong (`ErrorKind`, a stable code that the C ABI
//! and the bindings map one to one), where (record index counted from 0 and byte
//! offset of the record, or line and column for text formats) and a sentence of
//! detail.

use std::fmt;

/// What kind of defect was found. The numeric values are stable: the C ABI
/// exposes them as status codes (`MRRC_ERR_*` = 100 + value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing the underlying stream failed.
    Io = 1,
    /// The record length in leader/00-04 is not five digits, is below 24 or
    /// does not match the data.
    RecordLength = 2,
    /// The leader is shorter than 24 bytes or has an impossible value.
    Leader = 3,
    /// The base address of data (leader/12-16) is not digits, is too small or
    /// points past the record.
    BaseAddress = 4,
    /// The directory is not a whole number of entries, has non-digit lengths or
    /// starts, or points outside the data.
    Directory = 5,
    /// The input ended inside a record.
    Truncated = 6,
    /// A field or record terminator is missing where the directory says it is.
    MissingTerminator = 7,
    /// Indicators are missing or are not printable ASCII.
    Indicator = 8,
    /// A subfield is malformed (no delimiter, bad code).
    Subfield = 9,
    /// Field data is not valid in its declared encoding (UTF-8 or legacy).
    Encoding = 10,
    /// A MARC-8 escape sequence or character has no mapping.
    Marc8 = 11,
    /// The record has no fields.
    NoFields = 12,
    /// A tag is not three ASCII characters.
    Tag = 13,
    /// MARCXML is malformed or misses required elements or attributes.
    Xml = 14,
    /// MARC-in-JSON is malformed or has the wrong shape.
    Json = 15,
    /// msgpack is malformed or has the wrong shape.
    Msgpack = 16,
    /// MARCMaker / MARCBreaker text is malformed.
    Mrk = 17,
    /// A record is too large to be written in ISO 2709 (over 99,999 bytes or a
    /// field over 9,999 bytes).
    TooLarge = 18,
    /// An argument given by the caller is invalid (unknown encoding name, ...).
    InvalidArgument = 19,
}

impl ErrorKind {
    /// A short lower-case name, used in messages and by the CLI.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::Io => "i/o",
            ErrorKind::RecordLength => "record length",
            ErrorKind::Leader => "leader",
            ErrorKind::BaseAddress => "base address",
            ErrorKind::Directory => "directory",
            ErrorKind::Truncated => "truncated record",
            ErrorKind::MissingTerminator => "missing terminator",
            ErrorKind::Indicator => "indicator",
            ErrorKind::Subfield => "subfield",
            ErrorKind::Encoding => "encoding",
            ErrorKind::Marc8 => "MARC-8",
            ErrorKind::NoFields => "no fields",
            ErrorKind::Tag => "tag",
            ErrorKind::Xml => "MARCXML",
            ErrorKind::Json => "MARC-in-JSON",
            ErrorKind::Msgpack => "msgpack",
            ErrorKind::Mrk => "MARCMaker",
            ErrorKind::TooLarge => "too large",
            ErrorKind::InvalidArgument => "invalid argument",
        }
    }

    /// The stable numeric code of this kind.
    pub fn code(self) -> u16 {
        self as u16
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where in the input an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Index of the record in its input, counting from 0.
    pub record_index: Option<u64>,
    /// Byte offset in the input: of the record's first byte for ISO 2709, of
    /// the offending byte where it is known.
    pub byte_offset: Option<u64>,
    /// 1-based line and column for text formats (MARCXML, JSON, MARCMaker).
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// An error from a decoder or encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub position: Position,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            position: Position::default(),
            message: message.into(),
        }
    }

    /// Sets the record index unless one is already known.
    pub fn with_record(mut self, record_index: u64) -> Self {
        self.position.record_index.get_or_insert(record_index);
        self
    }

    /// Sets the byte offset unless one is already known.
    pub fn with_offset(mut self, byte_offset: u64) -> Self {
        self.position.byte_offset.get_or_insert(byte_offset);
        self
    }

    /// Shifts a record-relative byte offset by the record's offset in the input.
    pub fn shifted(mut self, record_start: u64) -> Self {
        self.position.byte_offset = Some(self.position.byte_offset.unwrap_or(0) + record_start);
        self
    }

    pub fn with_line_column(mut self, line: u64, column: u64) -> Self {
        self.position.line = Some(line);
        self.position.column = Some(column);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn record_index(&self) -> Option<u64> {
        self.position.record_index
    }
    pub fn byte_offset(&self) -> Option<u64> {
        self.position.byte_offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.position;
        let mut wrote_position = false;
        if let Some(r) = p.record_index {
            write!(f, "record {r}")?;
            wrote_position = true;
        }
        if let Some(o) = p.byte_offset {
            write!(
                f,
                "{}byte offset {o}",
                if wrote_position { ", " } else { "" }
            )?;
            wrote_position = true;
        }
        if let (Some(l), Some(c)) = (p.line, p.column) {
            write!(
                f,
                "{}line {l}, column {c}",
                if wrote_position { ", " } else { "" }
            )?;
            wrote_position = true;
        }
        if wrote_position {
            f.write_str(": ")?;
        }
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        let kind = if e.kind() == std::io::ErrorKind::UnexpectedEof {
            ErrorKind::Truncated
        } else {
            ErrorKind::Io
        };
        Error::new(kind, e.to_string())
    }
}

/// A defect that lenient mode repaired or worked around. Lenient readers keep
/// a list of these per record so nothing is repaired silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: ErrorKind,
    pub position: Position,
    pub message: String,
}

/// Places a record's warnings in the input: the record's index (unless one
/// is known) and offsets made absolute from the record's start.
pub(crate) fn place_warnings(warnings: &mut [Warning], record_index: u64, record_start: u64) {
    for w in warnings {
        w.position.record_index.get_or_insert(record_index);
        w.position.byte_offset = Some(w.position.byte_offset.unwrap_or(0) + record_start);
    }
}

impl From<Error> for Warning {
    fn from(e: Error) -> Self {
        Warning {
            kind: e.kind,
            position: e.position,
            message: e.message,
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = Error {
            kind: self.kind,
            position: self.position,
            message: self.message.clone(),
        };
        e.fmt(f)
    }
}

/// Opens a file for reading; the error names the path.
pub(crate) fn open_file(path: &std::path::Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("cannot open {}: {e}", path.display()),
        )
    })
}
