//! MARC-in-JSON, in the shape of pymarc 5.4.0's `Record.as_dict()`:
//!
//! ```json
//! {"leader": "...", "fields": [{"001": "..."},
//!   {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "..."}]}}]}
//! ```
//!
//! [`record_to_json`] gives the bytes of pymarc's `record.as_json()`;
//! [`JsonWriter`] those of pymarc's `JSONWriter` (an array), or one record per
//! line. [`JsonReader`] streams one record object, an array of them, or
//! newline-delimited JSON without loading the whole input: it cuts out one
//! record object at a time and hands it to serde_json.

use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, Write};

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{Error, ErrorKind, Result, Warning};
use crate::field::{Indicators, Tag};
use crate::leader::Leader;
use crate::options::ReadOptions;
use crate::record::Record;
use crate::record_builder::RecordBuilder;

// ---------------------------------------------------------------------------
// Writing

/// pymarc `record.as_json()`: `json.dumps(record.as_dict())`, i.e. `", "` and
/// `": "` separators and every character outside printable ASCII escaped.
pub fn record_to_json(record: &Record) -> String {
    let mut out = String::with_capacity(256);
    write_json(record, JsonStyle::Pymarc, &mut out);
    out
}

/// Parses one record object (surrounding white space allowed).
pub fn record_from_json(text: &str, options: &ReadOptions) -> Result<Record> {
    let mut reader = JsonReader::new(text.as_bytes(), *options);
    let record = reader
        .next()
        .unwrap_or_else(|| Err(Error::new(ErrorKind::Json, "no record object in the input")))?;
    if reader.in_array || reader.next().is_some() {
        return Err(Error::new(
            ErrorKind::Json,
            "expected exactly one record object",
        ));
    }
    Ok(record)
}

/// Separators of the JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonStyle {
    /// `json.dumps` defaults: `", "` and `": "` (pymarc `as_json()`).
    Pymarc,
    /// `","` and `":"` (pymarc `JSONWriter`).
    Compact,
}

/// Appends one record as JSON. Non-ASCII characters are written as `\uXXXX`
/// escapes, as Python's `json` module does by default.
pub fn write_json(record: &Record, style: JsonStyle, out: &mut String) {
    let (comma, colon) = match style {
        JsonStyle::Pymarc => (", ", ": "),
        JsonStyle::Compact => (",", ":"),
    };
    out.push('{');
    push_json_string(out, "leader");
    out.push_str(colon);
    push_json_string(out, &record.leader.as_str());
    out.push_str(comma);
    push_json_string(out, "fields");
    out.push_str(colon);
    out.push('[');
    for (i, field) in record.fields().iter().enumerate() {
        if i > 0 {
            out.push_str(comma);
        }
        out.push('{');
        push_json_string(out, field.tag().as_str());
        out.push_str(colon);
        if let Some(value) = field.control_value() {
            push_json_string(out, value);
        } else {
            let ind = field.indicators().unwrap_or_default();
            let mut buf = [0u8; 4];
            out.push('{');
            push_json_string(out, "ind1");
            out.push_str(colon);
            push_json_string(out, ind.first.encode_utf8(&mut buf));
            out.push_str(comma);
            push_json_string(out, "ind2");
            out.push_str(colon);
            push_json_string(out, ind.second.encode_utf8(&mut buf));
            out.push_str(comma);
            push_json_string(out, "subfields");
            out.push_str(colon);
            out.push('[');
            for (j, sub) in field.subfields().enumerate() {
                if j > 0 {
                    out.push_str(comma);
                }
                out.push('{');
                push_json_string(out, sub.code.encode_utf8(&mut buf));
                out.push_str(colon);
                push_json_string(out, sub.value);
                out.push('}');
            }
            out.push_str("]}");
        }
        out.push('}');
    }
    out.push_str("]}");
}

/// A JSON string literal with Python's `ensure_ascii=True` escaping.
fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    fn push_u16(out: &mut String, unit: u16) {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX[usize::from((unit >> shift) & 0xf)]));
        }
    }
    out.push('"');
    let mut plain_start = 0;
    for (i, c) in s.char_indices() {
        if (' '..='~').contains(&c) && c != '"' && c != '\\' {
            continue;
        }
        out.push_str(&s[plain_start..i]);
        plain_start = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    push_u16(out, *unit);
                }
            }
        }
    }
    out.push_str(&s[plain_start..]);
    out.push('"');
}

/// How a [`JsonWriter`] lays records out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonLayout {
    /// One JSON array, compact, as pymarc's `JSONWriter` writes it.
    #[default]
    Array,
    /// One compact record object per line (NDJSON).
    Lines,
}

/// Streams records as MARC-in-JSON.
pub struct JsonWriter<W: Write> {
    inner: W,
    layout: JsonLayout,
    written: u64,
    buf: String,
}

impl<W: Write> JsonWriter<W> {
    /// An array writer with pymarc `JSONWriter`'s exact bytes.
    pub fn new(inner: W) -> Self {
        JsonWriter::with_layout(inner, JsonLayout::Array)
    }

    pub fn with_layout(inner: W, layout: JsonLayout) -> Self {
        JsonWriter {
            inner,
            layout,
            written: 0,
            buf: String::new(),
        }
    }

    pub fn write(&mut self, record: &Record) -> Result<()> {
        self.buf.clear();
        match self.layout {
            JsonLayout::Array => {
                self.buf.push(if self.written == 0 { '[' } else { ',' });
                write_json(record, JsonStyle::Compact, &mut self.buf);
            }
            JsonLayout::Lines => {
                write_json(record, JsonStyle::Compact, &mut self.buf);
                self.buf.push('\n');
            }
        }
        self.inner.write_all(self.buf.as_bytes())?;
        self.written += 1;
        Ok(())
    }

    /// Closes the array (an empty one if nothing was written), flushes and
    /// returns the inner writer.
    pub fn finish(mut self) -> Result<W> {
        if self.layout == JsonLayout::Array {
            self.inner
                .write_all(if self.written == 0 { b"[]" } else { b"]" })?;
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

// ---------------------------------------------------------------------------
// Reading

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayState {
    /// Just after `[`: a record or `]`.
    First,
    /// After `,`: a record.
    AfterComma,
    /// After a record: `,` or `]`.
    AfterValue,
}

/// Where the scanner is: 1-based line and byte column, and byte offset.
#[derive(Debug, Clone, Copy)]
struct TextPos {
    offset: u64,
    line: u64,
    column: u64,
}

impl TextPos {
    fn advance(&mut self, b: u8) {
        self.offset += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
    }
    fn error(self, kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::new(kind, message)
            .with_offset(self.offset)
            .with_line_column(self.line, self.column)
    }
}

/// Reads MARC-in-JSON records one at a time: a single record object, an array
/// of records, or records one after another (NDJSON, or just concatenated).
pub struct JsonReader<R: BufRead> {
    inner: R,
    options: ReadOptions,
    pos: TextPos,
    in_array: bool,
    array_state: ArrayState,
    done: bool,
    value: Vec<u8>,
    builder: RecordBuilder,
    warnings: Vec<Warning>,
    records_read: u64,
}

impl<R: BufRead> JsonReader<R> {
    pub fn new(inner: R, options: ReadOptions) -> Self {
        JsonReader {
            inner,
            options,
            pos: TextPos {
                offset: 0,
                line: 1,
                column: 1,
            },
            in_array: false,
            array_state: ArrayState::First,
            done: false,
            value: Vec::new(),
            builder: RecordBuilder::new(),
            warnings: Vec::new(),
            records_read: 0,
        }
    }

    /// Repairs made in the record last returned (lenient mode).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Records (good or bad) seen so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            match self.inner.fill_buf() {
                Ok(buf) => return Ok(buf.first().copied()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::from(e).with_offset(self.pos.offset)),
            }
        }
    }

    fn bump(&mut self, b: u8) {
        self.inner.consume(1);
        self.pos.advance(b);
    }

    fn skip_whitespace(&mut self) -> Result<()> {
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::from(e).with_offset(self.pos.offset)),
            };
            if buf.is_empty() {
                return Ok(());
            }
            let n = buf
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(buf.len());
            for &b in &buf[..n] {
                self.pos.advance(b);
            }
            let at_end_of_chunk = n == buf.len();
            self.inner.consume(n);
            if !at_end_of_chunk {
                return Ok(());
            }
        }
    }

    /// A lenient repair, or in strict mode an error.
    fn defect(&mut self, error: Error) -> Result<()> {
        if self.options.is_lenient() {
            self.warnings.push(error.into());
            Ok(())
        } else {
            Err(error)
        }
    }

    /// Copies one `{...}` value into `self.value`, starting at `{`.
    fn capture_object(&mut self) -> Result<()> {
        self.value.clear();
        let start = self.pos;
        let mut depth = 0u32;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::from(e).with_offset(self.pos.offset)),
            };
            if buf.is_empty() {
                return Err(self.pos.error(
                    ErrorKind::Json,
                    format!(
                        "the input ends inside the record object that starts at line {}, column {}",
                        start.line, start.column
                    ),
                ));
            }
            let mut used = 0;
            let mut finished = false;
            let mut raw_control = None;
            for &b in buf {
                used += 1;
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                    } else if b < 0x20 {
                        raw_control = Some(b);
                        break;
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                finished = true;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            let take = if raw_control.is_some() {
                used - 1
            } else {
                used
            };
            self.value.extend_from_slice(&buf[..take]);
            for &b in &buf[..take] {
                self.pos.advance(b);
            }
            self.inner.consume(take);
            if let Some(b) = raw_control {
                // JSON forbids raw control characters in strings; pymarc reads
                // them (json.load(strict=False)), so lenient mode keeps them.
                let here = self.pos;
                self.defect(here.error(
                    ErrorKind::Json,
                    format!("raw control character 0x{b:02x} inside a string"),
                ))?;
                self.value
                    .extend_from_slice(format!("\\u{b:04x}").as_bytes());
                self.bump(b);
            }
            if finished {
                return Ok(());
            }
            if depth > 10_000 {
                return Err(start.error(ErrorKind::Json, "nesting deeper than 10000 levels"));
            }
        }
    }

    fn parse_value(&mut self, start: TextPos) -> Result<Record> {
        let mut ctx = Ctx {
            builder: &mut self.builder,
            warnings: &mut self.warnings,
            lenient: self.options.is_lenient(),
            kind: None,
            leader: None,
            saw_fields: false,
        };
        let mut de = serde_json::Deserializer::from_slice(&self.value);
        let parsed = RecordSeed(&mut ctx)
            .deserialize(&mut de)
            .and_then(|()| de.end());
        if let Err(e) = parsed {
            let kind = ctx.kind.take().unwrap_or(ErrorKind::Json);
            self.builder.clear();
            let (line, column) = (e.line() as u64, e.column() as u64);
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = message.strip_suffix(&suffix).unwrap_or(&message);
            let (line, column) = if line <= 1 {
                (start.line, start.column + column.saturating_sub(1))
            } else {
                (start.line + line - 1, column)
            };
            return Err(Error::new(kind, message).with_line_column(line, column));
        }
        let leader_text = ctx.leader.take();
        let saw_fields = ctx.saw_fields;
        if !saw_fields {
            self.defect(start.error(ErrorKind::Json, "the record has no \"fields\" array"))?;
        }
        let leader = match leader_text {
            Some(text) if text.len() == 24 => Leader::from_str_lossy(&text),
            Some(text) => {
                self.defect(start.error(
                    ErrorKind::Leader,
                    format!("the leader has {} bytes, expected 24", text.len()),
                ))?;
                Leader::from_str_lossy(&text)
            }
            None => {
                self.defect(start.error(ErrorKind::Leader, "the record has no leader"))?;
                Leader::default()
            }
        };
        Ok(self.builder.build(leader))
    }

    fn read_record(&mut self) -> Option<Result<Record>> {
        loop {
            if let Err(e) = self.skip_whitespace() {
                self.done = true;
                return Some(Err(e));
            }
            let here = self.pos;
            let byte = match self.peek() {
                Ok(b) => b,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            match (byte, self.in_array, self.array_state) {
                (None, false, _) => {
                    self.done = true;
                    return None;
                }
                (None, true, _) => {
                    self.done = true;
                    return Some(Err(here.error(
                        ErrorKind::Json,
                        "the input ends inside an array of records",
                    )));
                }
                (Some(b'['), false, _) => {
                    self.bump(b'[');
                    self.in_array = true;
                    self.array_state = ArrayState::First;
                }
                (Some(b']'), true, ArrayState::First | ArrayState::AfterValue) => {
                    self.bump(b']');
                    self.in_array = false;
                }
                (Some(b','), true, ArrayState::AfterValue) => {
                    self.bump(b',');
                    self.array_state = ArrayState::AfterComma;
                }
                (Some(b']'), true, ArrayState::AfterComma) => {
                    let e = here.error(ErrorKind::Json, "a comma before the end of the array");
                    if let Err(e) = self.defect(e) {
                        self.done = true;
                        return Some(Err(e));
                    }
                    self.bump(b']');
                    self.in_array = false;
                }
                (Some(b'{'), false, _)
                | (Some(b'{'), true, ArrayState::First | ArrayState::AfterComma) => {
                    self.warnings.clear();
                    let index = self.records_read;
                    self.records_read += 1;
                    self.array_state = ArrayState::AfterValue;
                    if let Err(e) = self.capture_object() {
                        // Without the end of the value there is no safe place
                        // to carry on from.
                        self.done = true;
                        return Some(Err(e.with_record(index)));
                    }
                    let result = self.parse_value(here);
                    for w in &mut self.warnings {
                        w.position.record_index.get_or_insert(index);
                    }
                    return Some(result.map_err(|e| e.with_record(index).with_offset(here.offset)));
                }
                (Some(b), _, _) => {
                    self.done = true;
                    let expected = match (self.in_array, self.array_state) {
                        (false, _) => "a record object or an array",
                        (true, ArrayState::AfterValue) => "',' or ']'",
                        (true, _) => "a record object",
                    };
                    return Some(Err(here
                        .error(
                            ErrorKind::Json,
                            format!("expected {expected}, found {:?}", char::from(b)),
                        )
                        .with_record(self.records_read)));
                }
            }
        }
    }
}

impl<R: BufRead> Iterator for JsonReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.read_record()
    }
}

/// State shared by the serde seeds while one record is decoded.
struct Ctx<'a> {
    builder: &'a mut RecordBuilder,
    warnings: &'a mut Vec<Warning>,
    lenient: bool,
    /// The kind of the error being returned through serde, when not `Json`.
    kind: Option<ErrorKind>,
    leader: Option<String>,
    saw_fields: bool,
}

impl Ctx<'_> {
    fn fail<E: de::Error>(&mut self, kind: ErrorKind, message: impl fmt::Display) -> E {
        self.kind = Some(kind);
        E::custom(message)
    }

    /// In lenient mode a warning, in strict mode an error.
    fn defect<E: de::Error>(
        &mut self,
        kind: ErrorKind,
        message: impl fmt::Display,
    ) -> Result<(), E> {
        if self.lenient {
            self.warnings.push(Warning {
                kind,
                position: Default::default(),
                message: message.to_string(),
            });
            Ok(())
        } else {
            Err(self.fail(kind, message))
        }
    }

    fn too_large<E: de::Error>(&mut self, e: Error) -> E {
        self.fail(e.kind, e.message)
    }
}

/// A string that borrows from the input when it has no escapes.
struct CowStr<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

struct RecordSeed<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record object with \"leader\" and \"fields\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0;
        while let Some(key) = map.next_key::<CowStr>()? {
            match key.0.as_ref() {
                "leader" => {
                    let leader: CowStr = map.next_value()?;
                    ctx.leader = Some(leader.0.into_owned());
                }
                "fields" => {
                    ctx.saw_fields = true;
                    map.next_value_seed(FieldsSeed(&mut *ctx))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct FieldsSeed<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for FieldsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FieldsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of field objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(FieldSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct FieldSeed<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// Checks a tag: three characters after pymarc's zero padding of short
/// numeric tags.
fn check_tag<E: de::Error>(ctx: &mut Ctx, text: &str) -> Result<Tag, E> {
    let tag = Tag::new(text);
    if tag.as_str().chars().count() != 3 {
        ctx.defect(
            ErrorKind::Tag,
            format!("tag {text:?} is not three characters"),
        )?;
    }
    Ok(tag)
}

impl<'de> Visitor<'de> for FieldSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field object with one key, the tag")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0;
        let Some(tag) = map.next_key::<CowStr>()? else {
            return ctx.defect(ErrorKind::Json, "an empty field object");
        };
        let tag = check_tag(ctx, &tag.0)?;
        map.next_value_seed(FieldValueSeed {
            ctx: &mut *ctx,
            tag,
        })?;
        while let Some(extra) = map.next_key::<CowStr>()? {
            ctx.defect(
                ErrorKind::Json,
                format!("a field object with a second key {:?}", extra.0),
            )?;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

struct FieldValueSeed<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    tag: Tag,
}

impl<'de> DeserializeSeed<'de> for FieldValueSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// One indicator from its JSON string.
fn indicator<E: de::Error>(ctx: &mut Ctx, tag: &Tag, which: &str, text: &str) -> Result<char, E> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        (first, _) => {
            ctx.defect(
                ErrorKind::Indicator,
                format!("field {tag}: {which} {text:?} is not one character"),
            )?;
            Ok(first.unwrap_or(' '))
        }
    }
}

impl<'de> Visitor<'de> for FieldValueSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "field {}: a string (control field) or an object with ind1, ind2 and subfields",
            self.tag
        )
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.ctx
            .builder
            .push_control(self.tag, v)
            .map_err(|e| self.ctx.too_large(e))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        let tag = self.tag;
        ctx.builder.start_data(tag.clone(), Indicators::BLANK);
        let (mut ind1, mut ind2, mut saw_subfields) = (None, None, false);
        while let Some(key) = map.next_key::<CowStr>()? {
            match key.0.as_ref() {
                "ind1" => {
                    let v: CowStr = map.next_value()?;
                    ind1 = Some(indicator(ctx, &tag, "ind1", &v.0)?);
                }
                "ind2" => {
                    let v: CowStr = map.next_value()?;
                    ind2 = Some(indicator(ctx, &tag, "ind2", &v.0)?);
                }
                "subfields" => {
                    saw_subfields = true;
                    map.next_value_seed(SubfieldsSeed(&mut *ctx))?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        for (which, value) in [("ind1", ind1), ("ind2", ind2)] {
            if value.is_none() {
                ctx.defect(ErrorKind::Indicator, format!("field {tag} has no {which}"))?;
            }
        }
        if !saw_subfields {
            ctx.defect(
                ErrorKind::Json,
                format!("field {tag} has no subfields array"),
            )?;
        }
        ctx.builder
            .set_indicators(Indicators::new(ind1.unwrap_or(' '), ind2.unwrap_or(' ')));
        Ok(())
    }
}

struct SubfieldsSeed<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for SubfieldsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for SubfieldsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of subfield objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(SubfieldSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct SubfieldSeed<'c, 'a>(&'c mut Ctx<'a>);

impl<'de> DeserializeSeed<'de> for SubfieldSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SubfieldSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a subfield object {\"code\": \"value\"}")
    }
    // pymarc takes every key of a subfield object, in order.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.0;
        while let Some(code) = map.next_key::<CowStr>()? {
            let mut chars = code.0.chars();
            let code = match (chars.next(), chars.next()) {
                (Some(c), None) => Some(c),
                (first, _) => {
                    ctx.defect(
                        ErrorKind::Subfield,
                        format!("subfield code {:?} is not one character", code.0),
                    )?;
                    first
                }
            };
            let start = ctx.builder.text.len();
            map.next_value_seed(AppendStr(&mut ctx.builder.text))?;
            match code {
                Some(code) => ctx
                    .builder
                    .end_subfield(code, start)
                    .map_err(|e| ctx.too_large(e))?,
                None => ctx.builder.text.truncate(start),
            }
        }
        Ok(())
    }
}

/// Appends a JSON string to the record text without an allocation of its own.
struct AppendStr<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for AppendStr<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for AppendStr<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string subfield value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.0.push_str(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;

    fn sample() -> Record {
        let mut r = Record::new();
        r.add_field(Field::control("001", "123 45"));
        r.add_field(Field::data(
            "245",
            Indicators::new('1', '0'),
            [('a', "Caf\u{e9} \"quoted\" \\ /"), ('b', "\u{1F600}\n")],
        ));
        r
    }

    #[test]
    fn escapes_like_python_json_dumps() {
        assert_eq!(
            record_to_json(&sample()),
            r#"{"leader": "          22        4500", "fields": [{"001": "123 45"}, {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "Caf\u00e9 \"quoted\" \\ /"}, {"b": "\ud83d\ude00\n"}]}}]}"#
        );
    }

    #[test]
    fn round_trips_through_every_layout() {
        let r = sample();
        assert_eq!(
            record_from_json(&record_to_json(&r), &ReadOptions::strict()),
            Ok(r.clone())
        );
        for layout in [JsonLayout::Array, JsonLayout::Lines] {
            let mut w = JsonWriter::with_layout(Vec::new(), layout);
            w.write(&r).unwrap();
            w.write(&r).unwrap();
            let bytes = w.finish().unwrap();
            let back: Vec<Record> = JsonReader::new(&bytes[..], ReadOptions::strict())
                .collect::<Result<_>>()
                .unwrap();
            assert_eq!(back, vec![r.clone(), r.clone()]);
        }
    }

    #[test]
    fn empty_array_writer_is_valid_json() {
        let w = JsonWriter::new(Vec::new());
        assert_eq!(w.finish().unwrap(), b"[]");
        assert_eq!(
            JsonReader::new(&b"[ ]"[..], ReadOptions::strict()).count(),
            0
        );
    }
}
