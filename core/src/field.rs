//! Fields: control fields (tag and text) and data fields (tag, indicators,
//! subfields).
//!
//! A parsed record keeps all of its text in one shared buffer and each field
//! points into it, so reading a record costs a handful of allocations instead
//! of one per subfield. Editing a field gives it a buffer of its own
//! (copy on write); readers never see the difference.

use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;
use smallvec::SmallVec;

/// A field tag. MARC 21 tags are three ASCII characters (`"245"`, and
/// alphabetic ones in local practice); anything else is kept as given.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Tag(CompactString);

impl Tag {
    /// Takes any text. Like pymarc, a numeric tag shorter than three digits is
    /// zero-padded (`"1"` becomes `"001"`).
    pub fn new(tag: &str) -> Self {
        if !tag.is_empty() && tag.len() < 3 && tag.bytes().all(|b| b.is_ascii_digit()) {
            let mut s = CompactString::new("");
            for _ in tag.len()..3 {
                s.push('0');
            }
            s.push_str(tag);
            return Tag(s);
        }
        Tag(CompactString::new(tag))
    }

    /// A tag from the three bytes of a directory entry; bytes outside ASCII
    /// become U+FFFD.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(s) => Tag(CompactString::new(s)),
            Err(_) => Tag(CompactString::new(String::from_utf8_lossy(bytes))),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Control fields are the numeric tags below 010 (pymarc's and ruby-marc's
    /// rule), so alphabetic tags always hold subfields.
    pub fn is_control(&self) -> bool {
        let b = self.0.as_bytes();
        b.len() == 3 && b.iter().all(u8::is_ascii_digit) && b < b"010".as_slice()
    }

    /// True for three ASCII digits.
    pub fn is_numeric(&self) -> bool {
        let b = self.0.as_bytes();
        !b.is_empty() && b.iter().all(u8::is_ascii_digit)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0.as_str(), f)
    }
}
impl From<&str> for Tag {
    fn from(s: &str) -> Self {
        Tag::new(s)
    }
}
impl PartialEq<str> for Tag {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}
impl PartialEq<&str> for Tag {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The two indicators of a data field.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Indicators {
    pub first: char,
    pub second: char,
}

impl Default for Indicators {
    fn default() -> Self {
        Indicators::BLANK
    }
}

impl Indicators {
    pub const BLANK: Indicators = Indicators {
        first: ' ',
        second: ' ',
    };
    pub fn new(first: char, second: char) -> Self {
        Indicators { first, second }
    }
}

/// A subfield as returned by accessors: its code and a borrowed value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Subfield<'a> {
    pub code: char,
    pub value: &'a str,
}

/// Where a subfield's value lies in the field's text buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Span {
    pub code: char,
    pub start: u32,
    pub end: u32,
}

/// Text shared with the other fields of a record: `buf[start..end]`.
#[derive(Clone)]
pub(crate) struct SharedText {
    pub buf: Arc<str>,
}

#[derive(Clone)]
enum Content {
    Control {
        text: SharedText,
        start: u32,
        end: u32,
    },
    Data {
        indicators: Indicators,
        text: SharedText,
        spans: SmallVec<[Span; 4]>,
    },
}

/// A MARC field.
#[derive(Clone)]
pub struct Field {
    tag: Tag,
    content: Content,
}

fn shared(s: String) -> SharedText {
    SharedText { buf: Arc::from(s) }
}

impl Field {
    /// A control field (`001`-`009`) with its value.
    pub fn control(tag: impl Into<Tag>, value: impl Into<String>) -> Self {
        let value: String = value.into();
        let end = value.len() as u32;
        Field {
            tag: tag.into(),
            content: Content::Control {
                text: shared(value),
                start: 0,
                end,
            },
        }
    }

    /// A data field from its indicators and `(code, value)` pairs.
    pub fn data<I, S>(tag: impl Into<Tag>, indicators: Indicators, subfields: I) -> Self
    where
        I: IntoIterator<Item = (char, S)>,
        S: AsRef<str>,
    {
        let mut buf = String::new();
        let mut spans = SmallVec::new();
        for (code, value) in subfields {
            let start = buf.len() as u32;
            buf.push_str(value.as_ref());
            spans.push(Span {
                code,
                start,
                end: buf.len() as u32,
            });
        }
        Field {
            tag: tag.into(),
            content: Content::Data {
                indicators,
                text: shared(buf),
                spans,
            },
        }
    }

    /// A control field over a range of a shared record buffer (readers).
    pub(crate) fn control_shared(tag: Tag, buf: &Arc<str>, start: u32, end: u32) -> Self {
        Field {
            tag,
            content: Content::Control {
                text: SharedText { buf: buf.clone() },
                start,
                end,
            },
        }
    }

    /// A data field whose spans index into a shared record buffer (readers).
    pub(crate) fn data_shared(
        tag: Tag,
        indicators: Indicators,
        buf: &Arc<str>,
        spans: SmallVec<[Span; 4]>,
    ) -> Self {
        Field {
            tag,
            content: Content::Data {
                indicators,
                text: SharedText { buf: buf.clone() },
                spans,
            },
        }
    }

    pub fn tag(&self) -> &Tag {
        &self.tag
    }

    pub fn set_tag(&mut self, tag: impl Into<Tag>) {
        self.tag = tag.into();
    }

    /// True for a field that holds a value and no subfields.
    pub fn is_control(&self) -> bool {
        matches!(self.content, Content::Control { .. })
    }

    /// The value of a control field; `None` for a data field.
    pub fn control_value(&self) -> Option<&str> {
        match &self.content {
            Content::Control { text, start, end } => {
                Some(&text.buf[*start as usize..*end as usize])
            }
            Content::Data { .. } => None,
        }
    }

    /// Replaces the value of a control field; does nothing on a data field.
    pub fn set_control_value(&mut self, value: impl Into<String>) {
        if let Content::Control { text, start, end } = &mut self.content {
            let value: String = value.into();
            *start = 0;
            *end = value.len() as u32;
            *text = shared(value);
        }
    }

    /// The indicators of a data field; `None` for a control field.
    pub fn indicators(&self) -> Option<Indicators> {
        match &self.content {
            Content::Data { indicators, .. } => Some(*indicators),
            Content::Control { .. } => None,
        }
    }

    /// Sets the indicators of a data field; does nothing on a control field.
    pub fn set_indicators(&mut self, new: Indicators) {
        if let Content::Data { indicators, .. } = &mut self.content {
            *indicators = new;
        }
    }

    /// Number of subfields (0 for a control field).
    pub fn subfield_count(&self) -> usize {
        match &self.content {
            Content::Data { spans, .. } => spans.len(),
            Content::Control { .. } => 0,
        }
    }

    /// The subfield at a position.
    pub fn subfield(&self, index: usize) -> Option<Subfield<'_>> {
        match &self.content {
            Content::Data { text, spans, .. } => spans.get(index).map(|s| Subfield {
                code: s.code,
                value: &text.buf[s.start as usize..s.end as usize],
            }),
            Content::Control { .. } => None,
        }
    }

    /// All subfields in order (none for a control field).
    pub fn subfields(
        &self,
    ) -> impl ExactSizeIterator<Item = Subfield<'_>> + DoubleEndedIterator + '_ {
        let (buf, spans): (&str, &[Span]) = match &self.content {
            Content::Data { text, spans, .. } => (&text.buf, spans),
            Content::Control { .. } => ("", &[]),
        };
        spans.iter().map(move |s| Subfield {
            code: s.code,
            value: &buf[s.start as usize..s.end as usize],
        })
    }

    /// The value of the first subfield with this code (pymarc `field.get`).
    pub fn get(&self, code: char) -> Option<&str> {
        self.subfields().find(|s| s.code == code).map(|s| s.value)
    }

    /// True if a subfield with this code exists (pymarc `code in field`).
    pub fn contains(&self, code: char) -> bool {
        self.subfields().any(|s| s.code == code)
    }

    /// Values of the subfields whose code is in `codes`, in field order
    /// (pymarc `get_subfields`).
    pub fn get_subfields(&self, codes: &[char]) -> Vec<&str> {
        self.subfields()
            .filter(|s| codes.contains(&s.code))
            .map(|s| s.value)
            .collect()
    }

    /// pymarc `value()`: a control field's data, or the subfield values each
    /// stripped of surrounding white space and joined by one space.
    pub fn value(&self) -> String {
        if let Some(v) = self.control_value() {
            return v.to_string();
        }
        let mut out = String::new();
        for (i, s) in self.subfields().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(s.value.trim());
        }
        out
    }

    /// pymarc `format_field()`: like `value()` but skips `$6`, puts ` -- `
    /// before `$v $x $y $z` of subject (6XX) fields, and strips the result.
    pub fn format_field(&self) -> String {
        if let Some(v) = self.control_value() {
            return v.to_string();
        }
        let subject = self.is_subject_field();
        let mut out = String::new();
        for s in self.subfields() {
            if s.code == '6' {
                continue;
            }
            if subject && matches!(s.code, 'v' | 'x' | 'y' | 'z') {
                out.push_str(" -- ");
            } else {
                out.push(' ');
            }
            out.push_str(s.value);
        }
        out.trim().to_string()
    }

    /// pymarc `is_subject_field()`: the tag starts with 6.
    pub fn is_subject_field(&self) -> bool {
        self.tag.as_str().starts_with('6')
    }

    /// pymarc `linkage_occurrence_num()`: from `$6 880-04/r`, `"04"`.
    pub fn linkage_occurrence_num(&self) -> Option<&str> {
        let six = self.get('6').filter(|s| !s.is_empty())?;
        let after = six.split('-').nth(1)?;
        Some(after.split('/').next().unwrap_or(after))
    }

    /// Rebuilds this field's text as its own buffer from `(code, value)` pairs.
    fn rebuild_subfields<'a>(&mut self, subs: impl IntoIterator<Item = (char, &'a str)>) {
        let mut buf = String::new();
        let mut new_spans = SmallVec::new();
        for (code, value) in subs {
            let start = buf.len() as u32;
            buf.push_str(value);
            new_spans.push(Span {
                code,
                start,
                end: buf.len() as u32,
            });
        }
        if let Content::Data { text, spans, .. } = &mut self.content {
            *text = shared(buf);
            *spans = new_spans;
        }
    }

    fn owned_subfields(&self) -> Vec<(char, String)> {
        self.subfields()
            .map(|s| (s.code, s.value.to_string()))
            .collect()
    }

    /// Inserts a subfield at `pos`, or appends it when `pos` is `None` or past
    /// the end (pymarc `add_subfield`). Does nothing on a control field.
    pub fn add_subfield(&mut self, code: char, value: &str, pos: Option<usize>) {
        if self.is_control() {
            return;
        }
        let mut subs = self.owned_subfields();
        let at = pos.filter(|&p| p <= subs.len()).unwrap_or(subs.len());
        subs.insert(at, (code, value.to_string()));
        self.rebuild_subfields(subs.iter().map(|(c, v)| (*c, v.as_str())));
    }

    /// Removes the first subfield with this code and returns its value
    /// (pymarc `delete_subfield`).
    pub fn delete_subfield(&mut self, code: char) -> Option<String> {
        let idx = self.subfields().position(|s| s.code == code)?;
        self.remove_subfield_at(idx)
    }

    /// Removes the subfield at a position and returns its value.
    pub fn remove_subfield_at(&mut self, index: usize) -> Option<String> {
        let mut subs = self.owned_subfields();
        if index >= subs.len() {
            return None;
        }
        let (_, removed) = subs.remove(index);
        self.rebuild_subfields(subs.iter().map(|(c, v)| (*c, v.as_str())));
        Some(removed)
    }

    /// Replaces the value of the subfield at a position.
    pub fn set_subfield_at(&mut self, index: usize, code: char, value: &str) -> bool {
        let mut subs = self.owned_subfields();
        let Some(slot) = subs.get_mut(index) else {
            return false;
        };
        *slot = (code, value.to_string());
        self.rebuild_subfields(subs.iter().map(|(c, v)| (*c, v.as_str())));
        true
    }

    /// Replaces all subfields.
    pub fn set_subfields<I, S>(&mut self, subfields: I)
    where
        I: IntoIterator<Item = (char, S)>,
        S: AsRef<str>,
    {
        if self.is_control() {
            return;
        }
        let owned: Vec<(char, S)> = subfields.into_iter().collect();
        self.rebuild_subfields(owned.iter().map(|(c, v)| (*c, v.as_ref())));
    }

    /// pymarc `field[code] = value`: sets the one subfield with this code.
    /// Errors (as pymarc's `KeyError`) when there is none or more than one.
    pub fn set_unique_subfield(&mut self, code: char, value: &str) -> Result<(), SetSubfieldError> {
        if self.is_control() {
            return Err(SetSubfieldError::ControlField);
        }
        let mut found = None;
        for (i, s) in self.subfields().enumerate() {
            if s.code == code {
                if found.is_some() {
                    return Err(SetSubfieldError::MoreThanOne);
                }
                found = Some(i);
            }
        }
        let idx = found.ok_or(SetSubfieldError::Missing)?;
        self.set_subfield_at(idx, code, value);
        Ok(())
    }
}

/// Why `Field::set_unique_subfield` refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetSubfieldError {
    ControlField,
    Missing,
    MoreThanOne,
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag
            && self.indicators() == other.indicators()
            && self.control_value() == other.control_value()
            && self.subfields().eq(other.subfields())
    }
}
impl Eq for Field {}

/// pymarc `str(field)`: the MARCMaker line, `=245  10$aTitle`, with blank
/// indicators and blanks in control fields shown as `\`.
impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "={}  ", self.tag)?;
        if let Some(v) = self.control_value() {
            for c in v.chars() {
                if c == ' ' {
                    f.write_str("\\")?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            return Ok(());
        }
        let ind = self.indicators().unwrap_or_default();
        for c in [ind.first, ind.second] {
            if c == ' ' || c == '\\' {
                f.write_str("\\")?;
            } else if c == '\0' {
                // An absent indicator (pymarc allows "") shows as nothing.
            } else {
                write!(f, "{c}")?;
            }
        }
        for s in self.subfields() {
            write!(f, "${}{}", s.code, s.value)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Field({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title() -> Field {
        Field::data(
            "245",
            Indicators::new('1', '0'),
            [
                ('a', "Huckleberry Finn: "),
                ('b', "An American Odyssey"),
                ('6', "880-01"),
            ],
        )
    }

    #[test]
    fn accessors_follow_pymarc() {
        let f = title();
        assert_eq!(f.get('a'), Some("Huckleberry Finn: "));
        assert_eq!(f.value(), "Huckleberry Finn: An American Odyssey 880-01");
        assert_eq!(f.format_field(), "Huckleberry Finn:  An American Odyssey");
        assert_eq!(f.linkage_occurrence_num(), Some("01"));
        assert_eq!(
            f.to_string(),
            "=245  10$aHuckleberry Finn: $bAn American Odyssey$6880-01"
        );
        assert!(!f.is_control());
        assert_eq!(Tag::new("8").as_str(), "008");
        assert!(Tag::new("008").is_control());
        assert!(!Tag::new("00A").is_control());
    }

    #[test]
    fn editing_rebuilds_only_this_field() {
        let mut f = title();
        f.add_subfield('c', "Mark Twain", None);
        f.add_subfield('x', "first", Some(0));
        assert_eq!(f.subfield(0).unwrap().code, 'x');
        assert_eq!(
            f.delete_subfield('b').as_deref(),
            Some("An American Odyssey")
        );
        assert_eq!(f.get_subfields(&['x', 'c']), vec!["first", "Mark Twain"]);
        assert_eq!(
            f.set_unique_subfield('q', "v"),
            Err(SetSubfieldError::Missing)
        );
        f.add_subfield('c', "again", None);
        assert_eq!(
            f.set_unique_subfield('c', "v"),
            Err(SetSubfieldError::MoreThanOne)
        );
        assert!(f.set_unique_subfield('a', "New").is_ok());
        assert_eq!(f.get('a'), Some("New"));
    }

    #[test]
    fn absent_indicators_show_as_nothing() {
        let f = Field::data("300", Indicators::new('\\', '\0'), [('a', "FOO")]);
        assert_eq!(f.to_string(), "=300  \\$aFOO");
    }

    #[test]
    fn control_fields_show_blanks_as_backslashes() {
        let f = Field::control("008", "830101s1982    nyu");
        assert_eq!(f.to_string(), "=008  830101s1982\\\\\\\\nyu");
        assert_eq!(f.subfield_count(), 0);
        assert_eq!(f.get('a'), None);
    }
}
