//! Writing records as ISO 2709.
//!
//! The leader is written as the record has it except for the record length
//! (00-04), the base address (12-16) and, for UTF-8 and MARC-8 output, the
//! character coding scheme (09). The directory is rebuilt in field order with
//! the entry widths leader/20-21 give, and the indicator count (leader/10) and
//! subfield code length (leader/11) are honoured, so a record read from a
//! valid file is written back byte for byte.
//!
//! A record that ISO 2709 cannot hold (over 99,999 bytes, or a field longer
//! than its length digits allow) is an error of kind `TooLarge`, not a record
//! with lengths that lie: marc4j writes 99999 and relies on terminators, but
//! most readers (pymarc, YAZ, MARC::Record) reject or misread such records, so
//! the caller should decide (split the record, or drop fields).

use std::borrow::Cow;
use std::io::Write;

use crate::encoding::encode_text;
use crate::error::{Error, ErrorKind, Result};
use crate::field::Field;
use crate::options::Charset;
use crate::record::Record;

use super::parse::Layout;
use super::{FIELD_TERMINATOR, RECORD_TERMINATOR, SUBFIELD_DELIMITER};

/// The character set records are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteCharset {
    /// UTF-8; sets leader/09 to `a`.
    #[default]
    Utf8,
    /// MARC-8; sets leader/09 to blank.
    Marc8,
    /// Each character is written as the byte of the same value (ISO 8859-1),
    /// the inverse of reading with `Charset::Raw`; the leader is untouched.
    Raw,
}

/// How records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOptions {
    pub charset: WriteCharset,
}

/// A value's bytes in the output charset. Subfield values may not hold any
/// ISO 2709 delimiter; control field values may hold 0x1F (it ends nothing
/// there, and real records have it).
fn encode<'a>(
    text: &'a str,
    charset: WriteCharset,
    what: &dyn Fn() -> String,
) -> Result<Cow<'a, [u8]>> {
    encode_value(text, charset, what, true)
}

fn encode_value<'a>(
    text: &'a str,
    charset: WriteCharset,
    what: &dyn Fn() -> String,
    forbid_subfield_delimiter: bool,
) -> Result<Cow<'a, [u8]>> {
    let target = match charset {
        WriteCharset::Utf8 => Charset::Utf8,
        WriteCharset::Marc8 => Charset::Marc8,
        WriteCharset::Raw => Charset::Raw,
    };
    // The value's own offsets mean nothing in the output: name the field.
    let bytes = encode_text(text, target)
        .map_err(|e| Error::new(e.kind, format!("{}: {}", what(), e.message)))?;
    let delimiter = if forbid_subfield_delimiter {
        memchr::memchr3(
            RECORD_TERMINATOR,
            FIELD_TERMINATOR,
            SUBFIELD_DELIMITER,
            &bytes,
        )
    } else {
        memchr::memchr2(RECORD_TERMINATOR, FIELD_TERMINATOR, &bytes)
    };
    if let Some(i) = delimiter {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{} contains the ISO 2709 delimiter 0x{:02X}",
                what(),
                bytes[i]
            ),
        ));
    }
    Ok(bytes)
}

fn field_bytes(
    field: &Field,
    layout: Layout,
    charset: WriteCharset,
    out: &mut Vec<u8>,
) -> Result<()> {
    let tag = field.tag();
    if let Some(value) = field.control_value() {
        out.extend_from_slice(&encode_value(
            value,
            charset,
            &|| format!("field {tag}"),
            false,
        )?);
    } else {
        let ind = field.indicators().unwrap_or_default();
        for k in 0..layout.indicator_count {
            let c = match k {
                0 => ind.first,
                1 => ind.second,
                _ => ' ',
            };
            out.push(one_byte(c, charset, ErrorKind::Indicator, &|| {
                format!("field {tag} indicator {}", k + 1)
            })?);
        }
        for sf in field.subfields() {
            // Generic ISO 2709: no identifiers (leader/11 = 0), a delimiter
            // alone (1), or a delimiter and a code (2).
            if layout.code_len >= 1 {
                out.push(SUBFIELD_DELIMITER);
            }
            if layout.code_len >= 2 {
                out.push(one_byte(sf.code, charset, ErrorKind::Subfield, &|| {
                    format!("field {tag} subfield code")
                })?);
            }
            out.extend_from_slice(&encode(sf.value, charset, &|| {
                format!("field {tag} ${}", sf.code)
            })?);
        }
    }
    out.push(FIELD_TERMINATOR);
    Ok(())
}

/// Indicators and subfield codes are one byte each: ASCII, or any byte up to
/// 0xFF when writing raw.
fn one_byte(
    c: char,
    charset: WriteCharset,
    kind: ErrorKind,
    what: &dyn Fn() -> String,
) -> Result<u8> {
    let limit = if charset == WriteCharset::Raw {
        0xFF
    } else {
        0x7F
    };
    match u8::try_from(u32::from(c)) {
        Ok(b)
            if b <= limit
                && !matches!(b, RECORD_TERMINATOR | FIELD_TERMINATOR | SUBFIELD_DELIMITER) =>
        {
            Ok(b)
        }
        _ => Err(Error::new(
            kind,
            format!("{} is {c:?}, not a single-byte character", what()),
        )),
    }
}

fn put_digits(out: &mut Vec<u8>, value: usize, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    let mut v = value;
    for d in out[start..].iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Appends one record in ISO 2709 to `out`. On error nothing is appended.
pub fn write_record(record: &Record, options: &WriteOptions, out: &mut Vec<u8>) -> Result<()> {
    let mut leader = record.leader;
    match options.charset {
        WriteCharset::Utf8 => leader.set(9, b'a'),
        WriteCharset::Marc8 => leader.set(9, b' '),
        WriteCharset::Raw => {}
    }
    let layout = Layout::from_leader(leader.as_bytes());
    let max_len = 10usize.pow(layout.length_len as u32) - 1;
    let max_start = 10usize.pow(layout.start_len as u32) - 1;

    let fields = record.fields();
    let mut data = Vec::with_capacity(fields.len() * 64);
    let mut directory = Vec::with_capacity(fields.len() * layout.entry_len() + 1);
    for field in fields {
        let tag = field.tag();
        let tag_bytes = encode(tag.as_str(), options.charset, &|| format!("tag {tag:?}"))?;
        if tag_bytes.len() != 3 {
            return Err(Error::new(
                ErrorKind::Tag,
                format!("tag {tag:?} is not three characters of one byte each"),
            ));
        }
        let start = data.len();
        field_bytes(field, layout, options.charset, &mut data)?;
        let len = data.len() - start;
        if len > max_len {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "field {tag} is {len} bytes; ISO 2709 with {} length digits allows {max_len}",
                    layout.length_len
                ),
            ));
        }
        if start > max_start {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!("field {tag} starts at byte {start} of the data; at most {max_start} can be stated"),
            ));
        }
        directory.extend_from_slice(&tag_bytes);
        put_digits(&mut directory, len, layout.length_len);
        put_digits(&mut directory, start, layout.start_len);
        directory.extend(std::iter::repeat_n(b'0', layout.impl_len));
    }
    directory.push(FIELD_TERMINATOR);
    data.push(RECORD_TERMINATOR);
    let base = 24 + directory.len();
    let total = base + data.len();
    if total > 99_999 {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!("record is {total} bytes; ISO 2709 allows 99,999"),
        ));
    }
    leader.set_record_length(total as u32);
    leader.set_base_address(base as u32);
    out.reserve(total);
    out.extend_from_slice(leader.as_bytes());
    out.extend_from_slice(&directory);
    out.extend_from_slice(&data);
    Ok(())
}

/// Writes records one after the other to a stream.
pub struct MarcWriter<W: Write> {
    inner: W,
    options: WriteOptions,
    buf: Vec<u8>,
    written: u64,
}

impl<W: Write> MarcWriter<W> {
    pub fn new(inner: W, options: WriteOptions) -> Self {
        MarcWriter {
            inner,
            options,
            buf: Vec::new(),
            written: 0,
        }
    }

    /// Writes one record. An error names the record by its index among the
    /// records given to this writer; nothing of a failed record is written.
    pub fn write(&mut self, record: &Record) -> Result<()> {
        self.buf.clear();
        let index = self.written;
        write_record(record, &self.options, &mut self.buf).map_err(|e| e.with_record(index))?;
        self.inner
            .write_all(&self.buf)
            .map_err(|e| Error::from(e).with_record(index))?;
        self.written += 1;
        Ok(())
    }

    /// Records written so far.
    pub fn records_written(&self) -> u64 {
        self.written
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}
