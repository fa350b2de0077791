//! pymarc 5.4.0's convenience accessors (`title`, `author`, `isbn`, ...),
//! written once over [`FieldSource`], so that a parsed [`Record`] and a
//! [`RecordView`] give the same values. A reader that only checks a record
//! (`SliceReader::next_checked`) can then take a title from the record's
//! bytes without building it.
//!
//! On a view, a field whose directory entry does not check and text that is
//! not UTF-8 are skipped. A record that reads cleanly (what `next_checked`
//! answers `Ok(None)` for) has neither, and its view gives exactly what its
//! parsed [`Record`] gives.

use crate::field::Field;
use crate::record::Record;
use crate::view::{FieldView, RecordView};

/// A record as the accessors read it: its fields by tag, in record order.
pub trait FieldSource {
    type Field<'a>: SourceField<'a>
    where
        Self: 'a;

    /// The fields whose tag is one of `tags`, in record order.
    fn fields_with<'a>(&'a self, tags: &'a [&'a str])
        -> impl Iterator<Item = Self::Field<'a>> + 'a;

    /// The first field with this tag.
    fn first(&self, tag: &str) -> Option<Self::Field<'_>>;
}

/// A field as the accessors read it.
pub trait SourceField<'a> {
    fn tag(&self) -> &'a str;
    /// A control field's value (`None` for a data field).
    fn control_value(&self) -> Option<&'a str>;
    /// A data field's second indicator.
    fn second_indicator(&self) -> Option<char>;
    /// A data field's subfields, code and value, in order.
    fn subfields(&self) -> impl Iterator<Item = (char, &'a str)> + 'a;

    /// The first subfield with this code (pymarc `field.get`).
    fn get(&self, code: char) -> Option<&'a str> {
        self.subfields().find(|&(c, _)| c == code).map(|(_, v)| v)
    }
}

impl FieldSource for Record {
    type Field<'a> = &'a Field;

    fn fields_with<'a>(
        &'a self,
        tags: &'a [&'a str],
    ) -> impl Iterator<Item = Self::Field<'a>> + 'a {
        self.get_fields(tags)
    }

    fn first(&self, tag: &str) -> Option<Self::Field<'_>> {
        self.get(tag)
    }
}

impl<'a> SourceField<'a> for &'a Field {
    fn tag(&self) -> &'a str {
        Field::tag(self).as_str()
    }
    fn control_value(&self) -> Option<&'a str> {
        Field::control_value(self)
    }
    fn second_indicator(&self) -> Option<char> {
        self.indicators().map(|i| i.second)
    }
    fn subfields(&self) -> impl Iterator<Item = (char, &'a str)> + 'a {
        Field::subfields(self).map(|s| (s.code, s.value))
    }
    fn get(&self, code: char) -> Option<&'a str> {
        Field::get(self, code)
    }
}

impl<'v> FieldSource for RecordView<'v> {
    type Field<'a>
        = FieldView<'v>
    where
        Self: 'a;

    fn fields_with<'a>(
        &'a self,
        tags: &'a [&'a str],
    ) -> impl Iterator<Item = Self::Field<'a>> + 'a {
        self.fields_tagged(tags).filter_map(Result::ok)
    }

    fn first(&self, tag: &str) -> Option<Self::Field<'_>> {
        self.get_fields(tag).find_map(Result::ok)
    }
}

impl<'a, 'v: 'a> SourceField<'a> for FieldView<'v> {
    fn tag(&self) -> &'a str {
        FieldView::tag(self).unwrap_or_default()
    }
    fn control_value(&self) -> Option<&'a str> {
        self.is_control().then(|| self.value().ok()).flatten()
    }
    fn second_indicator(&self) -> Option<char> {
        self.indicators().map(|(_, second)| char::from(second))
    }
    fn subfields(&self) -> impl Iterator<Item = (char, &'a str)> + 'a {
        FieldView::subfields(self).filter_map(|s| Some((char::from(s.code), s.value_str().ok()?)))
    }
}

/// `$a`, a space and `$b` of the first `tag` field, when both are
/// non-empty; `$a` alone without `$b`.
fn title_from(record: &impl FieldSource, tag: &str) -> Option<String> {
    let f = record.first(tag)?;
    let a = f.get('a').filter(|a| !a.is_empty())?;
    let b = f.get('b').filter(|b| !b.is_empty());
    // Sized once: growing the string (a `realloc`) stopped two threads
    // reading titles from scaling (glibc: 1.1x instead of 2x).
    let mut t = String::with_capacity(a.len() + b.map_or(0, |b| b.len() + 1));
    t.push_str(a);
    if let Some(b) = b {
        t.push(' ');
        t.push_str(b);
    }
    Some(t)
}

/// 245 `$a`, a space and `$b` when both are non-empty (pymarc `title`).
pub fn title(record: &impl FieldSource) -> Option<String> {
    title_from(record, "245")
}

/// 222 `$a` and `$b` (pymarc `issn_title`).
pub fn issn_title(record: &impl FieldSource) -> Option<String> {
    title_from(record, "222")
}

/// The first run of digits, dashes and x/X in the first 020 `$a`, with
/// dashes removed (pymarc `isbn`).
pub fn isbn(record: &impl FieldSource) -> Option<String> {
    let a = record.first("020")?.get('a').filter(|a| !a.is_empty())?;
    let is_isbn_char = |c: char| c.is_ascii_digit() || c == '-' || c == 'x' || c == 'X';
    let start = a.find(is_isbn_char)?;
    let rest = &a[start..];
    let end = rest.find(|c: char| !is_isbn_char(c)).unwrap_or(rest.len());
    Some(rest[..end].replace('-', ""))
}

/// 022 `$a` (pymarc `issn`).
pub fn issn<S: FieldSource>(record: &S) -> Option<&str> {
    record.first("022")?.get('a')
}

/// 022 `$l` (pymarc `issnl`).
pub fn issnl<S: FieldSource>(record: &S) -> Option<&str> {
    record.first("022")?.get('l')
}

/// 086 formatted (pymarc `sudoc`).
pub fn sudoc(record: &impl FieldSource) -> Option<String> {
    record.first("086").map(|f| format_field(&f))
}

/// The first of 100, 110, 111 (a 100 anywhere before a 110), formatted
/// (pymarc `author`).
pub fn author(record: &impl FieldSource) -> Option<String> {
    ["100", "110", "111"]
        .iter()
        .find_map(|t| record.first(t))
        .map(|f| format_field(&f))
}

/// The first of 130, 240, formatted (pymarc `uniformtitle`).
pub fn uniform_title(record: &impl FieldSource) -> Option<String> {
    ["130", "240"]
        .iter()
        .find_map(|t| record.first(t))
        .map(|f| format_field(&f))
}

/// The field pymarc's `publisher` and `pubyear` read: the first 260, or
/// 264 with second indicator 1.
fn publication_field<S: FieldSource>(record: &S) -> Option<S::Field<'_>> {
    record
        .fields_with(&["260", "264"])
        .find(|f| f.tag() == "260" || f.second_indicator() == Some('1'))
}

/// 260 `$b`, or 264 `$b` with second indicator 1 (pymarc `publisher`).
pub fn publisher<S: FieldSource>(record: &S) -> Option<&str> {
    publication_field(record)?.get('b')
}

/// 260 `$c`, or 264 `$c` with second indicator 1 (pymarc `pubyear`).
pub fn pubyear<S: FieldSource>(record: &S) -> Option<&str> {
    publication_field(record)?.get('c')
}

/// pymarc `format_field()`: a control field's value; a data field's
/// subfield values but `$6`, joined by spaces (` -- ` before `$v`, `$x`,
/// `$y`, `$z` of a subject field, 6XX), trimmed.
pub fn format_field<'a>(field: &impl SourceField<'a>) -> String {
    if let Some(v) = field.control_value() {
        return v.to_string();
    }
    let subject = field.tag().starts_with('6');
    let mut out = String::new();
    for (code, value) in field.subfields() {
        if code == '6' {
            continue;
        }
        if subject && matches!(code, 'v' | 'x' | 'y' | 'z') {
            out.push_str(" -- ");
        } else {
            out.push(' ');
        }
        out.push_str(value);
    }
    out.trim().to_string()
}
