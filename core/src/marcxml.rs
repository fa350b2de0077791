//! MARCXML (MARC 21 slim): a streaming reader built on quick-xml, and writers
//! whose bytes are those of pymarc 5.4.0's `record_to_xml` and `XMLWriter`.
//!
//! The reader takes a `<collection>` or a bare `<record>`, in the MARC slim
//! namespace under any prefix or in no namespace at all; elements of other
//! namespaces outside records (an OAI-PMH envelope, say) are passed through.
//! Internal entities declared in a DOCTYPE are expanded (one level, so no
//! entity can blow up). Errors carry the record index, the byte offset and
//! the line and (byte) column.

use std::borrow::Cow;
use std::io::{BufRead, Write};

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::error::{Error, ErrorKind, Result, Warning};
use crate::field::{Indicators, Tag};
use crate::leader::Leader;
use crate::options::ReadOptions;
use crate::record::Record;
use crate::record_builder::RecordBuilder;

pub const MARC_XML_NS: &str = "http://www.loc.gov/MARC21/slim";
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub const MARC_XML_SCHEMA: &str =
    "http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd";

// ---------------------------------------------------------------------------
// Writing

/// How a record is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct XmlOptions {
    /// Put the MARC slim namespace and schema location on `<record>`
    /// (pymarc `namespace=True`).
    pub namespace: bool,
    /// Write characters outside ASCII as decimal character references, as
    /// pymarc's `record_to_xml` does (its `ET.tostring` defaults to ASCII).
    pub ascii: bool,
}

/// pymarc `record_to_xml(record)`: ASCII, no namespace, no XML declaration.
/// (pymarc's `quiet` only silences MARC-8 conversion of byte values, which a
/// record here never holds.)
pub fn record_to_xml(record: &Record) -> String {
    record_to_xml_with(
        record,
        &XmlOptions {
            namespace: false,
            ascii: true,
        },
    )
}

pub fn record_to_xml_with(record: &Record, options: &XmlOptions) -> String {
    let mut out = String::with_capacity(1024);
    write_xml(record, options, &mut out);
    out
}

fn push_escaped(out: &mut String, s: &str, attribute: bool, ascii: bool) {
    let mut plain_start = 0;
    for (i, c) in s.char_indices() {
        let replacement: Cow<str> = match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' if attribute => "&quot;".into(),
            '\n' if attribute => "&#10;".into(),
            '\r' if attribute => "&#13;".into(),
            '\t' if attribute => "&#09;".into(),
            c if ascii && !c.is_ascii() => format!("&#{};", u32::from(c)).into(),
            _ => continue,
        };
        out.push_str(&s[plain_start..i]);
        out.push_str(&replacement);
        plain_start = i + c.len_utf8();
    }
    out.push_str(&s[plain_start..]);
}

/// An element with attributes and text, `<name a="v" />` when the text is
/// empty (ElementTree's short form).
fn push_element(out: &mut String, name: &str, attrs: &[(&str, &str)], text: &str, ascii: bool) {
    out.push('<');
    out.push_str(name);
    for (key, value) in attrs {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        push_escaped(out, value, true, ascii);
        out.push('"');
    }
    if text.is_empty() {
        out.push_str(" />");
        return;
    }
    out.push('>');
    push_escaped(out, text, false, ascii);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends one `<record>` element, as pymarc's `record_to_xml_node` builds it
/// and ElementTree serialises it.
pub fn write_xml(record: &Record, options: &XmlOptions, out: &mut String) {
    let ascii = options.ascii;
    out.push_str("<record");
    if options.namespace {
        out.push_str(" xmlns=\"");
        out.push_str(MARC_XML_NS);
        out.push_str("\" xmlns:xsi=\"");
        out.push_str(XSI_NS);
        out.push_str("\" xsi:schemaLocation=\"");
        out.push_str(MARC_XML_SCHEMA);
        out.push('"');
    }
    out.push('>');
    push_element(out, "leader", &[], &record.leader.as_str(), ascii);
    let mut chars = [[0u8; 4]; 3];
    for field in record.fields() {
        if let Some(value) = field.control_value() {
            push_element(
                out,
                "controlfield",
                &[("tag", field.tag().as_str())],
                value,
                ascii,
            );
            continue;
        }
        let ind = field.indicators().unwrap_or_default();
        let [c1, c2, c3] = &mut chars;
        let attrs = [
            ("ind1", &*ind.first.encode_utf8(c1)),
            ("ind2", &*ind.second.encode_utf8(c2)),
            ("tag", field.tag().as_str()),
        ];
        if field.subfield_count() == 0 {
            push_element(out, "datafield", &attrs, "", ascii);
            continue;
        }
        push_element_open(out, "datafield", &attrs, ascii);
        for sub in field.subfields() {
            push_element(
                out,
                "subfield",
                &[("code", sub.code.encode_utf8(c3))],
                sub.value,
                ascii,
            );
        }
        out.push_str("</datafield>");
    }
    out.push_str("</record>");
}

fn push_element_open(out: &mut String, name: &str, attrs: &[(&str, &str)], ascii: bool) {
    out.push('<');
    out.push_str(name);
    for (key, value) in attrs {
        out.push(' ');
        out.push_str(key);
        out.push_str("=\"");
        push_escaped(out, value, true, ascii);
        out.push('"');
    }
    out.push('>');
}

/// Writes a MARCXML collection with pymarc `XMLWriter`'s exact bytes: an XML
/// declaration, `<collection xmlns=...>`, each record in UTF-8 without a
/// namespace of its own, and `</collection>` from [`XmlWriter::finish`].
pub struct XmlWriter<W: Write> {
    inner: W,
    options: XmlOptions,
    started: bool,
    buf: String,
}

impl<W: Write> XmlWriter<W> {
    pub fn new(inner: W) -> Self {
        XmlWriter::with_options(inner, XmlOptions::default())
    }

    /// Records written with these options (`ascii`, `namespace` on each
    /// record) inside the same collection element.
    pub fn with_options(inner: W, options: XmlOptions) -> Self {
        XmlWriter {
            inner,
            options,
            started: false,
            buf: String::new(),
        }
    }

    fn start(&mut self) -> Result<()> {
        if !self.started {
            self.started = true;
            self.inner.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><collection xmlns=\"http://www.loc.gov/MARC21/slim\">",
            )?;
        }
        Ok(())
    }

    pub fn write(&mut self, record: &Record) -> Result<()> {
        self.start()?;
        self.buf.clear();
        write_xml(record, &self.options, &mut self.buf);
        self.inner.write_all(self.buf.as_bytes())?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<W> {
        self.start()?;
        self.inner.write_all(b"</collection>")?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

// ---------------------------------------------------------------------------
// Reading

/// Counts lines in what quick-xml consumes, so a byte position can be turned
/// into a line and column. Newlines are kept only since the start of the
/// current event (errors never point before it).
struct LineCounter<R> {
    inner: R,
    consumed: u64,
    lines_before_window: u64,
    last_newline_before_window: Option<u64>,
    window: Vec<u64>,
}

impl<R: BufRead> std::io::Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let base = self.consumed;
            let upto = amt.min(buf.len());
            self.window
                .extend(memchr::memchr_iter(b'\n', &buf[..upto]).map(|i| base + i as u64));
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

impl<R> LineCounter<R> {
    /// Forgets newlines before `pos`, keeping their count.
    fn mark(&mut self, pos: u64) {
        let before = self.window.partition_point(|&o| o < pos);
        if before > 0 {
            self.lines_before_window += before as u64;
            self.last_newline_before_window = Some(self.window[before - 1]);
            self.window.drain(..before);
        }
    }

    /// 1-based line and byte column of a position at or after the mark.
    fn line_column(&self, pos: u64) -> (u64, u64) {
        let count = self.window.partition_point(|&o| o < pos);
        let line = 1 + self.lines_before_window + count as u64;
        let last = if count > 0 {
            Some(self.window[count - 1])
        } else {
            self.last_newline_before_window
        };
        let column = match last {
            Some(nl) => pos.saturating_sub(nl),
            None => pos + 1,
        };
        (line, column)
    }
}

/// How an element's namespace relates to MARCXML.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ns {
    /// The MARC slim namespace, or none.
    Marc,
    /// Some other namespace.
    Foreign,
    /// A prefix that no `xmlns:` declaration binds.
    Unbound(String),
}

/// Which elements an [`XmlReader`] takes for MARCXML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum XmlNamespaces {
    /// The MARC slim namespace, or no namespace; other namespaces pass
    /// through (an OAI-PMH envelope, say).
    #[default]
    MarcOrNone,
    /// Only the MARC slim namespace (pymarc `strict=True`): elements in no
    /// namespace pass through like any other.
    MarcOnly,
}

/// Which MARCXML element the reader is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Between records.
    Outside,
    Record,
    Leader,
    Control,
    Data,
    Subfield,
}

/// What handling an event gives the caller.
enum Flow {
    Continue,
    Yield(Result<Record>),
}

/// Reads MARCXML records one at a time.
pub struct XmlReader<R: BufRead> {
    reader: NsReader<LineCounter<R>>,
    options: ReadOptions,
    buf: Vec<u8>,
    entities: Vec<(String, String)>,
    builder: RecordBuilder,
    warnings: Vec<Warning>,
    place: Place,
    /// Ignoring everything until the element at this depth ends.
    skip_until: Option<usize>,
    /// Element depth: 1 inside the document element.
    depth: usize,
    /// Depth of the open `<collection>`.
    collection_depth: Option<usize>,
    record_depth: usize,
    record_start: u64,
    record_start_line_column: (u64, u64),
    leader: String,
    leader_seen: bool,
    /// The open control field's tag (`None`: the field is dropped).
    control_tag: Option<Tag>,
    /// The open subfield's code (`None`: the subfield is dropped).
    subfield_code: Option<char>,
    /// Where the open control field's or subfield's text starts.
    value_start: usize,
    event_start: u64,
    records_read: u64,
    done: bool,
    namespaces: XmlNamespaces,
}

impl XmlReader<std::io::BufReader<std::fs::File>> {
    pub fn open(path: impl AsRef<std::path::Path>, options: ReadOptions) -> Result<Self> {
        let file = crate::error::open_file(path.as_ref())?;
        Ok(XmlReader::new(std::io::BufReader::new(file), options))
    }
}

/// XML line ends are `\n` once parsed (XML 1.0 section 2.11).
fn push_normalized(out: &mut String, text: &str) {
    if text.contains('\r') {
        out.push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
    } else {
        out.push_str(text);
    }
}

/// The general entities an internal DTD subset declares with a literal value.
fn parse_entities(doctype: &str, into: &mut Vec<(String, String)>) {
    let mut rest = doctype;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = rest[at + "<!ENTITY".len()..].trim_start();
        if rest.starts_with('%') {
            continue; // a parameter entity
        }
        let name_end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
        let name = &rest[..name_end];
        rest = rest[name_end..].trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue; // an external entity: not read
        };
        let Some(value_end) = rest[1..].find(quote) else {
            return;
        };
        if into.len() < 10_000 {
            into.push((name.to_string(), rest[1..1 + value_end].to_string()));
        }
        rest = &rest[1 + value_end..];
    }
}

fn xml_error_kind(e: &quick_xml::Error) -> ErrorKind {
    match e {
        quick_xml::Error::Io(_) => ErrorKind::Io,
        quick_xml::Error::Encoding(_) => ErrorKind::Encoding,
        _ => ErrorKind::Xml,
    }
}

impl<R: BufRead> XmlReader<R> {
    pub fn new(inner: R, options: ReadOptions) -> Self {
        let mut reader = NsReader::from_reader(LineCounter {
            inner,
            consumed: 0,
            lines_before_window: 0,
            last_newline_before_window: None,
            window: Vec::new(),
        });
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        XmlReader {
            reader,
            options,
            buf: Vec::new(),
            entities: Vec::new(),
            builder: RecordBuilder::new(),
            warnings: Vec::new(),
            place: Place::Outside,
            skip_until: None,
            depth: 0,
            collection_depth: None,
            record_depth: 0,
            record_start: 0,
            record_start_line_column: (1, 1),
            leader: String::new(),
            leader_seen: false,
            control_tag: None,
            subfield_code: None,
            value_start: 0,
            event_start: 0,
            records_read: 0,
            done: false,
            namespaces: XmlNamespaces::default(),
        }
    }

    /// Which namespaces hold MARCXML (default [`XmlNamespaces::MarcOrNone`]).
    pub fn with_namespaces(mut self, namespaces: XmlNamespaces) -> Self {
        self.namespaces = namespaces;
        self
    }

    /// Repairs made in the record last returned (lenient mode).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// `<record>` elements (good or bad) seen so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// The index of the record being read, or of the next one.
    fn record_index(&self) -> u64 {
        if self.place == Place::Outside {
            self.records_read
        } else {
            self.records_read.saturating_sub(1)
        }
    }

    fn error_at(&self, pos: u64, kind: ErrorKind, message: impl Into<String>) -> Error {
        let (line, column) = self.reader.get_ref().line_column(pos);
        Error::new(kind, message)
            .with_record(self.record_index())
            .with_offset(pos)
            .with_line_column(line, column)
    }

    /// A defect at the current event: a warning in lenient mode, an error in
    /// strict mode.
    fn defect(&mut self, kind: ErrorKind, message: impl Into<String>) -> Result<()> {
        let e = self.error_at(self.event_start, kind, message);
        if self.options.is_lenient() {
            self.warnings.push(e.into());
            Ok(())
        } else {
            Err(e)
        }
    }

    fn begin_record(&mut self) {
        self.records_read += 1;
        self.warnings.clear();
        self.builder.clear();
        self.leader.clear();
        self.leader_seen = false;
        self.record_depth = self.depth;
        self.record_start = self.event_start;
        self.record_start_line_column = self.reader.get_ref().line_column(self.event_start);
        self.place = Place::Record;
    }

    fn finish_record(&mut self) -> Result<Record> {
        let leader = if !self.leader_seen {
            // pymarc gives a record without <leader> its default leader.
            Leader::default()
        } else if self.leader.len() == 24 {
            Leader::from_str_lossy(&self.leader)
        } else {
            let message = format!(
                "the leader has {} bytes, expected 24: {:?}",
                self.leader.len(),
                self.leader
            );
            let (line, column) = self.record_start_line_column;
            let e = Error::new(ErrorKind::Leader, message)
                .with_record(self.record_index())
                .with_offset(self.record_start)
                .with_line_column(line, column);
            if !self.options.is_lenient() {
                self.builder.clear();
                self.place = Place::Outside;
                return Err(e);
            }
            self.warnings.push(e.into());
            Leader::from_str_lossy(&self.leader)
        };
        self.place = Place::Outside;
        Ok(self.builder.build(leader))
    }

    fn classify(namespaces: XmlNamespaces, resolved: &ResolveResult) -> Ns {
        match resolved {
            ResolveResult::Unbound if namespaces == XmlNamespaces::MarcOnly => Ns::Foreign,
            ResolveResult::Unbound => Ns::Marc,
            ResolveResult::Bound(ns) if ns.as_ref() == MARC_XML_NS.as_bytes() => Ns::Marc,
            ResolveResult::Bound(_) => Ns::Foreign,
            ResolveResult::Unknown(prefix) => {
                Ns::Unbound(String::from_utf8_lossy(prefix).into_owned())
            }
        }
    }

    fn attribute<'e>(&self, e: &'e BytesStart, name: &str) -> Result<Option<Cow<'e, str>>> {
        let xml_error = |err: String| self.error_at(self.event_start, ErrorKind::Xml, err);
        match e.try_get_attribute(name) {
            Ok(Some(a)) => a
                .unescape_value()
                .map(Some)
                .map_err(|err| xml_error(format!("attribute {name}: {err}"))),
            Ok(None) => Ok(None),
            Err(err) => Err(xml_error(err.to_string())),
        }
    }

    fn checked_tag(&mut self, text: &str) -> Result<Tag> {
        let tag = Tag::new(text);
        if tag.as_str().chars().count() != 3 {
            self.defect(
                ErrorKind::Tag,
                format!("tag {text:?} is not three characters"),
            )?;
        }
        Ok(tag)
    }

    fn indicator(&mut self, e: &BytesStart, name: &str, tag: &Tag) -> Result<char> {
        let Some(value) = self.attribute(e, name)? else {
            self.defect(
                ErrorKind::Indicator,
                format!("field {tag} has no {name} attribute"),
            )?;
            return Ok(' ');
        };
        // ind1="" and ind1="0 " occur in real files: an empty or padded
        // indicator is read as blank or as its one character.
        let trimmed = value.trim_matches(' ');
        let mut chars = trimmed.chars();
        match (chars.next(), chars.next()) {
            (None, _) if !value.is_empty() => Ok(' '),
            (None, _) => Ok(' '),
            (Some(c), None) => Ok(c),
            (first, _) => {
                self.defect(
                    ErrorKind::Indicator,
                    format!("field {tag}: {name} {value:?} is not one character"),
                )?;
                Ok(first.unwrap_or(' '))
            }
        }
    }

    fn subfield_code(&mut self, e: &BytesStart) -> Result<Option<char>> {
        let Some(code) = self.attribute(e, "code")? else {
            self.defect(ErrorKind::Subfield, "<subfield> without a code attribute")?;
            return Ok(None);
        };
        let mut chars = code.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(Some(c)),
            (first, _) => {
                self.defect(
                    ErrorKind::Subfield,
                    format!("subfield code {code:?} is not one character"),
                )?;
                Ok(first)
            }
        }
    }

    /// Skips the element just started (nothing to skip for `<x/>`).
    fn skip(&mut self, empty: bool) {
        if !empty {
            self.skip_until = Some(self.depth);
        }
    }

    /// A start tag; `empty` for `<x/>`, which ends at once. Depth already
    /// counts a non-empty element.
    fn on_start(&mut self, e: &BytesStart, ns: Ns, empty: bool) -> Result<Flow> {
        if self.skip_until.is_some() {
            return Ok(Flow::Continue);
        }
        let marc = match ns {
            Ns::Unbound(prefix) => {
                self.defect(
                    ErrorKind::Xml,
                    format!("the namespace prefix {prefix:?} is not bound"),
                )?;
                true
            }
            ns => ns == Ns::Marc,
        };
        let local = e.local_name();
        let name = String::from_utf8_lossy(local.as_ref());
        match (self.place, marc, name.as_ref()) {
            (Place::Outside, true, "collection") => {
                if !empty {
                    self.collection_depth = Some(self.depth);
                }
            }
            (Place::Outside, true, "record") => {
                self.begin_record();
                if empty {
                    return Ok(Flow::Yield(self.finish_record()));
                }
            }
            (Place::Outside, _, _) => {
                // Wrapper elements pass; but inside <collection> only records
                // belong, and field elements belong in a record.
                let parent = self.depth - usize::from(!empty);
                let in_collection = self.collection_depth == Some(parent);
                let field_element = matches!(
                    name.as_ref(),
                    "leader" | "controlfield" | "datafield" | "subfield"
                );
                if marc && (in_collection || field_element) {
                    self.defect(ErrorKind::Xml, format!("<{name}> outside a record"))?;
                    self.skip(empty);
                }
            }
            (Place::Record, true, "leader") => {
                self.leader.clear();
                self.leader_seen = true;
                self.place = Place::Leader;
                if empty {
                    return self.close_element();
                }
            }
            (Place::Record, true, "controlfield") => {
                self.control_tag = match self.attribute(e, "tag")? {
                    Some(tag) => Some(self.checked_tag(&tag)?),
                    None => {
                        self.defect(ErrorKind::Tag, "<controlfield> without a tag attribute")?;
                        None
                    }
                };
                self.value_start = self.builder.text.len();
                self.place = Place::Control;
                if empty {
                    return self.close_element();
                }
            }
            (Place::Record, true, "datafield") => {
                let Some(tag) = self.attribute(e, "tag")? else {
                    self.defect(ErrorKind::Tag, "<datafield> without a tag attribute")?;
                    self.skip(empty);
                    return Ok(Flow::Continue);
                };
                let tag = self.checked_tag(&tag)?;
                let first = self.indicator(e, "ind1", &tag)?;
                let second = self.indicator(e, "ind2", &tag)?;
                self.builder.start_data(tag, Indicators::new(first, second));
                self.place = Place::Data;
                if empty {
                    return self.close_element();
                }
            }
            (Place::Data, true, "subfield") => {
                self.subfield_code = self.subfield_code(e)?;
                self.value_start = self.builder.text.len();
                self.place = Place::Subfield;
                if empty {
                    return self.close_element();
                }
            }
            (Place::Record, _, _) => {
                // Records in the wild carry extension elements (Zebra's
                // <rank>, OAI's <identifier>): skipped as pymarc does, noted.
                let e = self.error_at(
                    self.event_start,
                    ErrorKind::Xml,
                    format!("<{name}> in <record> skipped"),
                );
                if self.options.is_lenient() {
                    self.warnings.push(e.into());
                }
                self.skip(empty);
            }
            (place, _, _) => {
                let parent = match place {
                    Place::Record => "record",
                    Place::Data => "datafield",
                    Place::Leader => "leader",
                    Place::Control => "controlfield",
                    _ => "subfield",
                };
                self.defect(ErrorKind::Xml, format!("unexpected <{name}> in <{parent}>"))?;
                self.skip(empty);
            }
        }
        Ok(Flow::Continue)
    }

    /// The end of the element the reader is in.
    fn close_element(&mut self) -> Result<Flow> {
        match self.place {
            Place::Outside => {}
            Place::Record => return Ok(Flow::Yield(self.finish_record())),
            Place::Leader => self.place = Place::Record,
            Place::Control => {
                match self.control_tag.take() {
                    Some(tag) => self.builder.end_control(tag, self.value_start)?,
                    None => self.builder.text.truncate(self.value_start),
                }
                self.place = Place::Record;
            }
            Place::Data => self.place = Place::Record,
            Place::Subfield => {
                match self.subfield_code.take() {
                    Some(code) => self.builder.end_subfield(code, self.value_start)?,
                    None => self.builder.text.truncate(self.value_start),
                }
                self.place = Place::Data;
            }
        }
        Ok(Flow::Continue)
    }

    fn on_end(&mut self) -> Result<Flow> {
        let closing = self.depth;
        self.depth = self.depth.saturating_sub(1);
        if let Some(until) = self.skip_until {
            if closing <= until {
                self.skip_until = None;
            }
            return Ok(Flow::Continue);
        }
        if self.place == Place::Outside {
            if self.collection_depth == Some(closing) {
                self.collection_depth = None;
            }
            return Ok(Flow::Continue);
        }
        self.close_element()
    }

    /// Text of the current element, already unescaped.
    fn on_text(&mut self, text: &str) -> Result<Flow> {
        if self.skip_until.is_some() {
            return Ok(Flow::Continue);
        }
        match self.place {
            Place::Leader => push_normalized(&mut self.leader, text),
            Place::Control | Place::Subfield => push_normalized(&mut self.builder.text, text),
            Place::Record | Place::Data => {
                if !text.trim().is_empty() {
                    let what = if self.place == Place::Record {
                        "record"
                    } else {
                        "datafield"
                    };
                    self.defect(
                        ErrorKind::Xml,
                        format!("text {:?} in <{what}>", text.trim()),
                    )?;
                }
            }
            Place::Outside => {}
        }
        Ok(Flow::Continue)
    }

    fn on_eof(&mut self) -> Option<Result<Record>> {
        if self.place != Place::Outside {
            let pos = self.reader.buffer_position();
            return Some(Err(self.error_at(
                pos,
                ErrorKind::Truncated,
                "the document ends inside a <record>",
            )));
        }
        None
    }

    /// After a strict-mode error: drop the record being read (the rest of it
    /// is skipped), or the element outside records that caused it.
    fn recover(&mut self, opened: bool) {
        if self.place != Place::Outside {
            self.builder.clear();
            self.place = Place::Outside;
            self.skip_until = Some(self.record_depth);
        } else if opened {
            self.skip_until = Some(self.depth);
        }
    }

    fn read_next(&mut self) -> Option<Result<Record>> {
        let mut buf = std::mem::take(&mut self.buf);
        let namespaces = self.namespaces;
        let result = loop {
            buf.clear();
            let pos = self.reader.buffer_position();
            self.reader.get_mut().mark(pos);
            self.event_start = pos;
            let (ns, event) = match self.reader.read_resolved_event_into(&mut buf) {
                Ok((resolved, event)) => (Self::classify(namespaces, &resolved), event),
                Err(e) => {
                    self.done = true;
                    let at = self.reader.error_position();
                    break Some(Err(self.error_at(at, xml_error_kind(&e), e.to_string())));
                }
            };
            let mut opened = false;
            let flow = match event {
                Event::Start(e) => {
                    opened = true;
                    self.depth += 1;
                    self.on_start(&e, ns, false)
                }
                Event::Empty(e) => self.on_start(&e, ns, true),
                Event::End(_) => self.on_end(),
                Event::Text(t) => {
                    let entities = &self.entities;
                    let unescaped = t.unescape_with(|name| {
                        resolve_predefined_entity(name).or_else(|| {
                            entities
                                .iter()
                                .find(|(n, _)| n == name)
                                .map(|(_, v)| v.as_str())
                        })
                    });
                    match unescaped {
                        Ok(text) => self.on_text(&text),
                        Err(e) => {
                            let kind = xml_error_kind(&e);
                            match self.defect(kind, e.to_string()) {
                                Ok(()) => {
                                    let raw = String::from_utf8_lossy(&t).into_owned();
                                    self.on_text(&raw)
                                }
                                Err(e) => Err(e),
                            }
                        }
                    }
                }
                Event::CData(c) => match std::str::from_utf8(&c) {
                    Ok(text) => self.on_text(text),
                    Err(_) => match self.defect(ErrorKind::Encoding, "CDATA is not UTF-8") {
                        Ok(()) => self.on_text(&String::from_utf8_lossy(&c)),
                        Err(e) => Err(e),
                    },
                },
                Event::DocType(d) => {
                    parse_entities(&String::from_utf8_lossy(&d), &mut self.entities);
                    Ok(Flow::Continue)
                }
                Event::Eof => {
                    self.done = true;
                    break self.on_eof();
                }
                _ => Ok(Flow::Continue),
            };
            match flow {
                Ok(Flow::Continue) => {}
                Ok(Flow::Yield(record)) => break Some(record),
                Err(e) => {
                    self.recover(opened);
                    break Some(Err(e));
                }
            }
        };
        self.buf = buf;
        result
    }
}

impl<R: BufRead> Iterator for XmlReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.done {
            return None;
        }
        self.read_next()
    }
}

/// Parses one record: a `<record>` element, or a document holding exactly one.
pub fn record_from_xml(text: &str, options: &ReadOptions) -> Result<Record> {
    let mut reader = XmlReader::new(text.as_bytes(), *options);
    let record = reader
        .next()
        .unwrap_or_else(|| Err(Error::new(ErrorKind::Xml, "no <record> element")))?;
    match reader.next() {
        None => Ok(record),
        Some(Err(e)) => Err(e),
        Some(Ok(_)) => Err(Error::new(ErrorKind::Xml, "more than one <record> element")),
    }
}
