//! msgpack records with the structure of pymarc's `Record.as_dict()`: a map
//! `{"leader": str, "fields": [{tag: str} | {tag: {"ind1": str, "ind2": str,
//! "subfields": [{code: str}, ...]}}, ...]}`, one map per record, records
//! concatenated. Any msgpack library decodes a record to the same dict as
//! `as_dict()`.
//!
//! The encoder writes with `rmp::encode` straight from the record; the
//! decoder walks the bytes with `rmp::decode`, checks the shape, borrows
//! strings from the input, and never reserves memory from a length the input
//! claims beyond what the input can hold.

use std::borrow::Cow;
use std::convert::Infallible;
use std::io::{Read, Write};

use rmp::decode::{self, Bytes, DecodeStringError, ValueReadError};
use rmp::encode::{self, ByteBuf, ValueWriteError};
use rmp::Marker;

use crate::encoding::decode_utf8;
use crate::error::{Error, ErrorKind, Result, Warning};
use crate::field::{Indicators, Tag};
use crate::leader::Leader;
use crate::options::ReadOptions;
use crate::record::Record;
use crate::record_builder::RecordBuilder;

// ---------------------------------------------------------------------------
// Encoding

fn infallible<T>(r: std::result::Result<T, ValueWriteError<Infallible>>) -> T {
    match r {
        Ok(v) => v,
        Err(ValueWriteError::InvalidMarkerWrite(e) | ValueWriteError::InvalidDataWrite(e)) => {
            match e {}
        }
    }
}

/// Lengths in msgpack are 32-bit; a record's parts are far below that.
fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn put_str(out: &mut ByteBuf, s: &str) {
    infallible(encode::write_str(out, s));
}

/// Appends one record to `out`.
pub fn write_msgpack(record: &Record, out: &mut Vec<u8>) {
    let mut buf = ByteBuf::from_vec(std::mem::take(out));
    let b = &mut buf;
    infallible(encode::write_map_len(b, 2));
    put_str(b, "leader");
    put_str(b, &record.leader.as_str());
    put_str(b, "fields");
    infallible(encode::write_array_len(b, len32(record.fields().len())));
    let mut chars = [0u8; 4];
    for field in record.fields() {
        infallible(encode::write_map_len(b, 1));
        put_str(b, field.tag().as_str());
        if let Some(value) = field.control_value() {
            put_str(b, value);
            continue;
        }
        let ind = field.indicators().unwrap_or_default();
        infallible(encode::write_map_len(b, 3));
        put_str(b, "ind1");
        put_str(b, ind.first.encode_utf8(&mut chars));
        put_str(b, "ind2");
        put_str(b, ind.second.encode_utf8(&mut chars));
        put_str(b, "subfields");
        infallible(encode::write_array_len(b, len32(field.subfield_count())));
        for sub in field.subfields() {
            infallible(encode::write_map_len(b, 1));
            put_str(b, sub.code.encode_utf8(&mut chars));
            put_str(b, sub.value);
        }
    }
    *out = buf.into_vec();
}

/// One record as msgpack bytes.
pub fn record_to_msgpack(record: &Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    write_msgpack(record, &mut out);
    out
}

/// Streams records as concatenated msgpack maps.
pub struct MsgpackWriter<W: Write> {
    inner: W,
    buf: Vec<u8>,
}

impl<W: Write> MsgpackWriter<W> {
    pub fn new(inner: W) -> Self {
        MsgpackWriter {
            inner,
            buf: Vec::new(),
        }
    }

    pub fn write(&mut self, record: &Record) -> Result<()> {
        self.buf.clear();
        write_msgpack(record, &mut self.buf);
        self.inner.write_all(&self.buf)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        self.inner.flush()?;
        Ok(self.inner)
    }
}

// ---------------------------------------------------------------------------
// Decoding

/// Why decoding stopped: the input ran out (more may come), or it is wrong.
enum Stop {
    Incomplete,
    Bad(Error),
}

type Step<T> = std::result::Result<T, Stop>;

/// A cursor over the bytes of one record (and maybe more after it).
struct Cursor<'a, 'w> {
    data: &'a [u8],
    pos: usize,
    options: &'a ReadOptions,
    warnings: &'w mut Vec<Warning>,
}

impl<'a> Cursor<'a, '_> {
    fn bad(&self, kind: ErrorKind, at: usize, message: impl Into<String>) -> Stop {
        Stop::Bad(Error::new(kind, message).with_offset(at as u64))
    }

    /// A lenient repair, or in strict mode an error.
    fn defect(&mut self, kind: ErrorKind, at: usize, message: impl Into<String>) -> Step<()> {
        let e = Error::new(kind, message).with_offset(at as u64);
        if self.options.is_lenient() {
            self.warnings.push(e.into());
            Ok(())
        } else {
            Err(Stop::Bad(e))
        }
    }

    fn peek_marker(&self) -> Step<Marker> {
        self.data
            .get(self.pos)
            .map(|&b| Marker::from_u8(b))
            .ok_or(Stop::Incomplete)
    }

    /// Runs an `rmp::decode` function on the rest of the input.
    fn with_bytes<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(
            &mut Bytes<'a>,
        ) -> std::result::Result<T, ValueReadError<decode::bytes::BytesReadError>>,
    ) -> Step<T> {
        let at = self.pos;
        let mut bytes = Bytes::new(&self.data[self.pos..]);
        let result = f(&mut bytes);
        self.pos = self.data.len() - bytes.remaining_slice().len();
        result.map_err(|e| match e {
            ValueReadError::TypeMismatch(m) => self.bad(
                ErrorKind::Msgpack,
                at,
                format!("expected {what}, found {m:?}"),
            ),
            _ => Stop::Incomplete,
        })
    }

    fn map_len(&mut self, what: &str) -> Step<u32> {
        self.with_bytes(what, decode::read_map_len)
    }

    fn array_len(&mut self, what: &str) -> Step<u32> {
        self.with_bytes(what, decode::read_array_len)
    }

    /// A string, borrowed from the input when it is valid UTF-8.
    fn str(&mut self, what: &str) -> Step<Cow<'a, str>> {
        let at = self.pos;
        let slice = &self.data[self.pos..];
        match decode::read_str_from_slice(slice) {
            Ok((s, rest)) => {
                self.pos = self.data.len() - rest.len();
                Ok(Cow::Borrowed(s))
            }
            Err(DecodeStringError::InvalidUtf8(_, _)) => {
                let len = self.with_bytes(what, decode::read_str_len)? as usize;
                let raw = &self.data[self.pos..self.pos + len];
                self.pos += len;
                let text = decode_utf8(raw, self.options, self.warnings)
                    .map_err(|e| Stop::Bad(e.with_offset(at as u64)))?;
                Ok(Cow::Owned(text.into_owned()))
            }
            Err(DecodeStringError::TypeMismatch(m)) => Err(self.bad(
                ErrorKind::Msgpack,
                at,
                format!("expected {what} as a string, found {m:?}"),
            )),
            // The string runs past the bytes at hand.
            Err(_) => Err(Stop::Incomplete),
        }
    }

    fn skip_bytes(&mut self, n: u64) -> Step<()> {
        let left = (self.data.len() - self.pos) as u64;
        if n > left {
            return Err(Stop::Incomplete);
        }
        self.pos += n as usize;
        Ok(())
    }

    fn be_len(&mut self, width: usize) -> Step<u64> {
        let bytes = self
            .data
            .get(self.pos..self.pos + width)
            .ok_or(Stop::Incomplete)?;
        self.pos += width;
        Ok(bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b)))
    }

    /// Skips one value of any type, without recursion: `pending` counts the
    /// values still to skip, and every value takes at least one byte, so a
    /// lying length only makes the input run out.
    fn skip_value(&mut self) -> Step<()> {
        let mut pending: u64 = 1;
        while pending > 0 {
            pending -= 1;
            let at = self.pos;
            let m = self.peek_marker()?;
            self.pos += 1;
            match m {
                Marker::FixPos(_)
                | Marker::FixNeg(_)
                | Marker::Null
                | Marker::True
                | Marker::False => {}
                Marker::U8 | Marker::I8 => self.skip_bytes(1)?,
                Marker::U16 | Marker::I16 => self.skip_bytes(2)?,
                Marker::U32 | Marker::I32 | Marker::F32 => self.skip_bytes(4)?,
                Marker::U64 | Marker::I64 | Marker::F64 => self.skip_bytes(8)?,
                Marker::FixStr(n) => self.skip_bytes(u64::from(n))?,
                Marker::Str8 | Marker::Bin8 => {
                    let n = self.be_len(1)?;
                    self.skip_bytes(n)?;
                }
                Marker::Str16 | Marker::Bin16 => {
                    let n = self.be_len(2)?;
                    self.skip_bytes(n)?;
                }
                Marker::Str32 | Marker::Bin32 => {
                    let n = self.be_len(4)?;
                    self.skip_bytes(n)?;
                }
                Marker::FixArray(n) => pending += u64::from(n),
                Marker::Array16 => pending += self.be_len(2)?,
                Marker::Array32 => pending += self.be_len(4)?,
                Marker::FixMap(n) => pending += 2 * u64::from(n),
                Marker::Map16 => pending += 2 * self.be_len(2)?,
                Marker::Map32 => pending += 2 * self.be_len(4)?,
                Marker::FixExt1 => self.skip_bytes(2)?,
                Marker::FixExt2 => self.skip_bytes(3)?,
                Marker::FixExt4 => self.skip_bytes(5)?,
                Marker::FixExt8 => self.skip_bytes(9)?,
                Marker::FixExt16 => self.skip_bytes(17)?,
                Marker::Ext8 => {
                    let n = self.be_len(1)?;
                    self.skip_bytes(n + 1)?;
                }
                Marker::Ext16 => {
                    let n = self.be_len(2)?;
                    self.skip_bytes(n + 1)?;
                }
                Marker::Ext32 => {
                    let n = self.be_len(4)?;
                    self.skip_bytes(n + 1)?;
                }
                Marker::Reserved => {
                    return Err(self.bad(ErrorKind::Msgpack, at, "the reserved byte 0xc1"));
                }
            }
        }
        Ok(())
    }

    fn one_char(
        &mut self,
        at: usize,
        kind: ErrorKind,
        what: &str,
        text: &str,
    ) -> Step<Option<char>> {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Some(c)),
            (first, _) => {
                self.defect(kind, at, format!("{what} {text:?} is not one character"))?;
                Ok(first)
            }
        }
    }

    fn record(&mut self, builder: &mut RecordBuilder) -> Step<Leader> {
        let start = self.pos;
        let entries = self.map_len("a record map")?;
        let (mut leader, mut saw_fields) = (None, false);
        for _ in 0..entries {
            let key = self.str("a record key")?;
            match key.as_ref() {
                "leader" => leader = Some(self.str("the leader")?),
                "fields" => {
                    saw_fields = true;
                    self.fields(builder)?;
                }
                _ => self.skip_value()?,
            }
        }
        if !saw_fields {
            self.defect(
                ErrorKind::Msgpack,
                start,
                "the record has no \"fields\" array",
            )?;
        }
        Ok(match leader {
            Some(text) if text.len() == 24 => Leader::from_str_lossy(&text),
            Some(text) => {
                self.defect(
                    ErrorKind::Leader,
                    start,
                    format!("the leader has {} bytes, expected 24", text.len()),
                )?;
                Leader::from_str_lossy(&text)
            }
            None => {
                self.defect(ErrorKind::Leader, start, "the record has no leader")?;
                Leader::default()
            }
        })
    }

    fn fields(&mut self, builder: &mut RecordBuilder) -> Step<()> {
        let count = self.array_len("an array of fields")?;
        for _ in 0..count {
            let at = self.pos;
            let keys = self.map_len("a field map")?;
            if keys == 0 {
                self.defect(ErrorKind::Msgpack, at, "an empty field map")?;
                continue;
            }
            let tag_at = self.pos;
            let tag_text = self.str("a tag")?;
            let tag = Tag::new(&tag_text);
            if tag.as_str().chars().count() != 3 {
                self.defect(
                    ErrorKind::Tag,
                    tag_at,
                    format!("tag {tag_text:?} is not three characters"),
                )?;
            }
            match self.peek_marker()? {
                Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                    let value = self.str("a control field value")?;
                    builder.push_control(tag, &value).map_err(Stop::Bad)?;
                }
                Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                    self.data_field(tag, builder)?
                }
                m => {
                    return Err(self.bad(
                        ErrorKind::Msgpack,
                        self.pos,
                        format!("field {tag}: expected a string or a map, found {m:?}"),
                    ))
                }
            }
            for _ in 1..keys {
                self.defect(ErrorKind::Msgpack, at, "a field map with more than one key")?;
                self.skip_value()?;
                self.skip_value()?;
            }
        }
        Ok(())
    }

    fn data_field(&mut self, tag: Tag, builder: &mut RecordBuilder) -> Step<()> {
        let at = self.pos;
        let entries = self.map_len("a data field map")?;
        builder.start_data(tag.clone(), Indicators::BLANK);
        let (mut ind1, mut ind2, mut saw_subfields) = (None, None, false);
        for _ in 0..entries {
            let key = self.str("a data field key")?;
            match key.as_ref() {
                "ind1" | "ind2" => {
                    let ind_at = self.pos;
                    let text = self.str("an indicator")?;
                    let c = if text.chars().count() == 1 {
                        text.chars().next()
                    } else {
                        let what = format!("field {tag}: {key}");
                        self.one_char(ind_at, ErrorKind::Indicator, &what, &text)?
                    };
                    let c = Some(c.unwrap_or(' '));
                    if key == "ind1" {
                        ind1 = c;
                    } else {
                        ind2 = c;
                    }
                }
                "subfields" => {
                    saw_subfields = true;
                    let count = self.array_len("an array of subfields")?;
                    for _ in 0..count {
                        let pairs = self.map_len("a subfield map")?;
                        for _ in 0..pairs {
                            let code_at = self.pos;
                            let code_text = self.str("a subfield code")?;
                            let code = self.one_char(
                                code_at,
                                ErrorKind::Subfield,
                                "subfield code",
                                &code_text,
                            )?;
                            let value = self.str("a subfield value")?;
                            if let Some(code) = code {
                                builder.push_subfield(code, &value).map_err(Stop::Bad)?;
                            }
                        }
                    }
                }
                _ => self.skip_value()?,
            }
        }
        for (which, value) in [("ind1", ind1), ("ind2", ind2)] {
            if value.is_none() {
                self.defect(
                    ErrorKind::Indicator,
                    at,
                    format!("field {tag} has no {which}"),
                )?;
            }
        }
        if !saw_subfields {
            self.defect(
                ErrorKind::Msgpack,
                at,
                format!("field {tag} has no subfields array"),
            )?;
        }
        builder.set_indicators(Indicators::new(ind1.unwrap_or(' '), ind2.unwrap_or(' ')));
        Ok(())
    }
}

/// Decodes the record at the start of `data`; returns it and its length.
fn decode_one(
    data: &[u8],
    options: &ReadOptions,
    builder: &mut RecordBuilder,
    warnings: &mut Vec<Warning>,
) -> Step<(Record, usize)> {
    builder.clear();
    warnings.clear();
    let mut cursor = Cursor {
        data,
        pos: 0,
        options,
        warnings,
    };
    let leader = cursor.record(builder)?;
    Ok((builder.build(leader), cursor.pos))
}

/// Parses one record from exactly these bytes.
pub fn record_from_msgpack(bytes: &[u8], options: &ReadOptions) -> Result<Record> {
    let mut warnings = Vec::new();
    match decode_one(bytes, options, &mut RecordBuilder::new(), &mut warnings) {
        Ok((record, used)) if used == bytes.len() => Ok(record),
        Ok((_, used)) => Err(Error::new(
            ErrorKind::Msgpack,
            format!("{} bytes after the record", bytes.len() - used),
        )
        .with_offset(used as u64)),
        Err(Stop::Incomplete) => Err(Error::new(
            ErrorKind::Truncated,
            "the input ends inside the record",
        )
        .with_offset(bytes.len() as u64)),
        Err(Stop::Bad(e)) => Err(e),
    }
}

const CHUNK: usize = 64 * 1024;

/// Reads concatenated msgpack records from a stream.
pub struct MsgpackReader<R: Read> {
    inner: R,
    options: ReadOptions,
    buf: Vec<u8>,
    /// Start of the unread part of `buf`.
    start: usize,
    /// Offset in the input of `buf[start]`.
    offset: u64,
    eof: bool,
    done: bool,
    builder: RecordBuilder,
    warnings: Vec<Warning>,
    records_read: u64,
}

impl<R: Read> MsgpackReader<R> {
    pub fn new(inner: R, options: ReadOptions) -> Self {
        MsgpackReader {
            inner,
            options,
            buf: Vec::new(),
            start: 0,
            offset: 0,
            eof: false,
            done: false,
            builder: RecordBuilder::new(),
            warnings: Vec::new(),
            records_read: 0,
        }
    }

    /// Repairs made in the record last returned (lenient mode).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Offset in the input of the next record.
    pub fn byte_offset(&self) -> u64 {
        self.offset
    }

    /// Reads at least as much again as is buffered (64 KiB at least), so a
    /// large record is re-parsed only a logarithmic number of times.
    fn fill(&mut self) -> Result<()> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let want = self.buf.len().max(CHUNK);
        let target = self.buf.len() + want;
        while self.buf.len() < target {
            let len = self.buf.len();
            self.buf.resize(target, 0);
            match self.inner.read(&mut self.buf[len..]) {
                Ok(0) => {
                    self.buf.truncate(len);
                    self.eof = true;
                    break;
                }
                Ok(n) => self.buf.truncate(len + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => self.buf.truncate(len),
                Err(e) => {
                    self.buf.truncate(len);
                    return Err(Error::from(e).with_offset(self.offset));
                }
            }
        }
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        self.offset += n as u64;
    }
}

impl<R: Read> Iterator for MsgpackReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.done {
            return None;
        }
        let index = self.records_read;
        let mut error: Option<Error> = None;
        loop {
            if self.start == self.buf.len() && !self.eof {
                if let Err(e) = self.fill() {
                    self.done = true;
                    return Some(Err(e.with_record(index)));
                }
            }
            if self.start == self.buf.len() && self.eof {
                self.done = true;
                return error.map(Err);
            }
            let data = &self.buf[self.start..];
            let step = match &error {
                // A bad record: find its end so the next one can be read.
                Some(_) => {
                    let mut none = Vec::new();
                    let mut cursor = Cursor {
                        data,
                        pos: 0,
                        options: &self.options,
                        warnings: &mut none,
                    };
                    cursor.skip_value().map(|()| (None, cursor.pos))
                }
                None => decode_one(data, &self.options, &mut self.builder, &mut self.warnings)
                    .map(|(r, n)| (Some(r), n)),
            };
            match step {
                Ok((record, used)) => {
                    self.records_read += 1;
                    let at = self.offset;
                    self.consume(used);
                    return Some(match record {
                        Some(r) => Ok(r),
                        None => Err(error
                            .unwrap_or_else(|| {
                                Error::new(ErrorKind::Msgpack, "a record was skipped")
                            })
                            .shifted(at)
                            .with_record(index)),
                    });
                }
                Err(Stop::Incomplete) if !self.eof => {
                    if let Err(e) = self.fill() {
                        self.done = true;
                        return Some(Err(e.with_record(index)));
                    }
                }
                Err(Stop::Incomplete) => {
                    self.done = true;
                    self.records_read += 1;
                    let at = self.offset;
                    return Some(Err(error
                        .map(|e| e.shifted(at))
                        .unwrap_or_else(|| {
                            Error::new(ErrorKind::Truncated, "the input ends inside a record")
                                .with_offset(at + (self.buf.len() - self.start) as u64)
                        })
                        .with_record(index)));
                }
                Err(Stop::Bad(e)) => {
                    if error.is_some() {
                        // Not even the skip works: the stream is not msgpack.
                        self.done = true;
                        self.records_read += 1;
                        let at = self.offset;
                        return Some(Err(error.unwrap_or(e).shifted(at).with_record(index)));
                    }
                    error = Some(e);
                }
            }
        }
    }
}
