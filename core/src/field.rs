//! Fields: control fields (tag and text) and data fields (tag, indicators,
//! subfields).
//!
//! A parsed record keeps all of its text in one shared buffer and each field
//! points into it, so reading a record costs a handful of allocations instead
//! of one per subfield. Editing a field gives it a buffer of its own
//! (copy on write); readers never see the difference.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::shared::{Releaser, Shared, SharedMany};

/// A field tag. MARC 21 tags are three ASCII characters (`"245"`, and
/// alphabetic ones in local practice); anything else is kept as given.
///
/// Three-byte tags (all a reader makes) are stored inline, so making one is a
/// copy of three bytes; other lengths fall back to a boxed string.
#[derive(Clone)]
pub struct Tag(TagRepr);

#[derive(Clone)]
enum TagRepr {
    /// Three bytes of valid UTF-8 (ASCII when made from directory bytes),
    /// zero-padded to a word: a reader builds it in a register and stores it
    /// whole, where three single bytes stored and then copied as a word stall
    /// the CPU's store forwarding (found and confirmed by A/B runs of
    /// `parse_record` over the LoC file in session 3; the pass times were
    /// not kept).
    Three([u8; 8]),
    Other(Box<str>),
}

impl Default for Tag {
    fn default() -> Self {
        Tag(TagRepr::Other(Box::default()))
    }
}

impl Tag {
    /// Takes any text. Like pymarc, a numeric tag shorter than three digits is
    /// zero-padded (`"1"` becomes `"001"`).
    pub fn new(tag: &str) -> Self {
        let b = tag.as_bytes();
        if let Ok(three) = <[u8; 3]>::try_from(b) {
            return Tag::three(three);
        }
        if !b.is_empty() && b.len() < 3 && b.iter().all(u8::is_ascii_digit) {
            let mut three = [b'0'; 3];
            three[3 - b.len()..].copy_from_slice(b);
            return Tag::three(three);
        }
        Tag(TagRepr::Other(tag.into()))
    }

    /// A tag from the three bytes of a directory entry; bytes outside ASCII
    /// become U+FFFD.
    pub fn from_bytes(bytes: &[u8]) -> Self {
        match <[u8; 3]>::try_from(bytes) {
            Ok(three) if three.is_ascii() => Tag::three(three),
            _ => Tag::new(&String::from_utf8_lossy(bytes)),
        }
    }

    /// A tag from three ASCII bytes (readers; anything else goes through
    /// [`Tag::from_bytes`]).
    #[inline]
    pub(crate) fn from_ascii3(three: [u8; 3]) -> Self {
        if three.is_ascii() {
            Tag::three(three)
        } else {
            Tag::from_bytes(&three)
        }
    }

    /// A tag from three bytes a reader checked are ASCII letters or
    /// digits (no second check: one branch less per field).
    #[inline]
    pub(crate) fn alphanumeric3(three: [u8; 3]) -> Self {
        debug_assert!(three.iter().all(u8::is_ascii_alphanumeric));
        Tag::three(three)
    }

    #[inline]
    fn three([a, b, c]: [u8; 3]) -> Self {
        let word = u64::from(a) | u64::from(b) << 8 | u64::from(c) << 16;
        Tag(TagRepr::Three(word.to_le_bytes()))
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always valid: built from a `&str` or from ASCII.
            TagRepr::Three(b) => std::str::from_utf8(&b[..3]).unwrap_or_default(),
            TagRepr::Other(s) => s,
        }
    }

    /// The tag's bytes: what `as_str` gives, without its UTF-8 check (a
    /// call per tag, which showed in profiles of code reading every field).
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            TagRepr::Three(b) => &b[..3],
            TagRepr::Other(s) => s.as_bytes(),
        }
    }

    /// Control fields are the numeric tags below 010 (pymarc's and ruby-marc's
    /// rule), so alphabetic tags always hold subfields.
    pub fn is_control(&self) -> bool {
        match &self.0 {
            TagRepr::Three(b) => b[..3].iter().all(u8::is_ascii_digit) && b[..3] < b"010"[..],
            TagRepr::Other(_) => false,
        }
    }

    /// True for three ASCII digits.
    pub fn is_numeric(&self) -> bool {
        let b = self.as_bytes();
        !b.is_empty() && b.iter().all(u8::is_ascii_digit)
    }
}

impl PartialEq for Tag {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Tag {}
impl PartialOrd for Tag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Tag {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}
impl Hash for Tag {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl From<&str> for Tag {
    fn from(s: &str) -> Self {
        Tag::new(s)
    }
}
impl PartialEq<str> for Tag {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl PartialEq<&str> for Tag {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
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

/// Where a subfield's value lies in the shared text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Span {
    pub code: char,
    pub start: u32,
    pub end: u32,
}

/// A text and its subfield spans in buffers of their own, shared as they are
/// (a group of records, a decoded record); a record read as UTF-8 and an
/// edited field get a copy in one block instead (`SharedMany::copied`,
/// `Shared::copied`). Either
/// way a field is a tag, a counted pointer to the text and spans, and a
/// range.
#[derive(Default)]
pub(crate) struct SharedText {
    pub text: Box<str>,
    pub spans: Vec<Span>,
}

/// What a field holds, as ranges into its shared text and spans.
#[derive(Clone, Copy)]
pub(crate) enum Content {
    /// A control field's value: `text[start..end]`.
    Control { start: u32, end: u32 },
    /// A data field's subfields: `spans[first..first + count]`.
    Data {
        indicators: Indicators,
        first: u32,
        count: u32,
    },
}

/// A MARC field.
#[derive(Clone)]
pub struct Field {
    tag: Tag,
    shared: Shared,
    content: Content,
}

/// A buffer of its own for an edited or new field (one allocation).
fn own_text(text: String, spans: Vec<Span>) -> Shared {
    Shared::copied(&text, &spans)
}

/// Collects `(code, value)` pairs into a text and spans.
fn collect_subfields<'a>(subs: impl IntoIterator<Item = (char, &'a str)>) -> (String, Vec<Span>) {
    let mut buf = String::new();
    let mut spans = Vec::new();
    for (code, value) in subs {
        let start = buf.len() as u32;
        buf.push_str(value);
        spans.push(Span {
            code,
            start,
            end: buf.len() as u32,
        });
    }
    (buf, spans)
}

/// `str::trim`, with a shortcut for the usual value that starts and ends
/// with ASCII other than whitespace (nothing to trim).
#[inline]
fn trim(value: &str) -> &str {
    let keeps = |b: u8| b.is_ascii() && !(b as char).is_whitespace();
    match value.as_bytes() {
        [first, .., last] if keeps(*first) && keeps(*last) => value,
        [only] if keeps(*only) => value,
        _ => value.trim(),
    }
}

impl Field {
    /// A control field (`001`-`009`) with its value.
    pub fn control(tag: impl Into<Tag>, value: impl Into<String>) -> Self {
        let value: String = value.into();
        let end = value.len() as u32;
        Field {
            tag: tag.into(),
            shared: own_text(value, Vec::new()),
            content: Content::Control { start: 0, end },
        }
    }

    /// A data field from its indicators and `(code, value)` pairs.
    pub fn data<I, S>(tag: impl Into<Tag>, indicators: Indicators, subfields: I) -> Self
    where
        I: IntoIterator<Item = (char, S)>,
        S: AsRef<str>,
    {
        let mut buf = String::new();
        let mut spans = Vec::new();
        for (code, value) in subfields {
            let start = buf.len() as u32;
            buf.push_str(value.as_ref());
            spans.push(Span {
                code,
                start,
                end: buf.len() as u32,
            });
        }
        let count = spans.len() as u32;
        Field {
            tag: tag.into(),
            shared: own_text(buf, spans),
            content: Content::Data {
                indicators,
                first: 0,
                count,
            },
        }
    }

    /// A field over no text yet (readers, while they walk a record): its
    /// `shared` is given by [`Field::set_placeholder_shared`].
    #[inline]
    pub(crate) fn placeholder(tag: Tag, content: Content) -> Self {
        Field {
            tag,
            shared: Shared::placeholder(),
            content,
        }
    }

    /// Gives a [`Field::placeholder`] its tag and content (its text comes
    /// later, from [`Field::set_placeholder_shared`]).
    #[inline]
    pub(crate) fn set_placeholder_shape(&mut self, tag: Tag, content: Content) {
        debug_assert!(self.shared.is_placeholder());
        self.tag = tag;
        self.content = content;
    }

    /// Gives a [`Field::placeholder`] its text. `content` must index inside
    /// it.
    #[inline]
    pub(crate) fn set_placeholder_shared(&mut self, shared: &mut SharedMany) {
        self.shared.replace_placeholder(shared.take());
    }

    /// Drops the field, its reference to the shared text going to
    /// `releaser` (which gives a record's references back all at once).
    #[inline]
    pub(crate) fn release_into(self, releaser: &mut Releaser) {
        let Field { tag, shared, .. } = self;
        drop(tag);
        releaser.add(shared);
    }

    /// Its handle on the shared text.
    #[inline]
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// True when its tag is held inline (nothing to free when dropped).
    #[inline]
    pub(crate) fn has_inline_tag(&self) -> bool {
        matches!(self.tag.0, TagRepr::Three(_))
    }

    fn spans(&self) -> &[Span] {
        match self.content {
            Content::Data { first, count, .. } => self
                .shared
                .spans()
                .get(first as usize..(first + count) as usize)
                .unwrap_or_default(),
            Content::Control { .. } => &[],
        }
    }

    fn text_at(&self, start: u32, end: u32) -> &str {
        self.shared
            .text()
            .get(start as usize..end as usize)
            .unwrap_or_default()
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
        match self.content {
            Content::Control { start, end } => Some(self.text_at(start, end)),
            Content::Data { .. } => None,
        }
    }

    /// Replaces the value of a control field; does nothing on a data field.
    pub fn set_control_value(&mut self, value: impl Into<String>) {
        if let Content::Control { start, end } = &mut self.content {
            let value: String = value.into();
            *start = 0;
            *end = value.len() as u32;
            self.shared = own_text(value, Vec::new());
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
        self.spans().len()
    }

    /// The subfield at a position.
    pub fn subfield(&self, index: usize) -> Option<Subfield<'_>> {
        self.spans().get(index).map(|s| Subfield {
            code: s.code,
            value: self.text_at(s.start, s.end),
        })
    }

    /// All subfields in order (none for a control field).
    pub fn subfields(
        &self,
    ) -> impl ExactSizeIterator<Item = Subfield<'_>> + DoubleEndedIterator + '_ {
        let text: &str = self.shared.text();
        self.spans().iter().map(move |s| Subfield {
            code: s.code,
            value: text
                .get(s.start as usize..s.end as usize)
                .unwrap_or_default(),
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
        // Room for every value and separator up front: growing (`realloc`)
        // scales badly across threads with glibc's allocator.
        let room = match self.content {
            Content::Control { start, end } => end.saturating_sub(start) as usize,
            // The values lie in order in the text: their extent, plus a
            // separator each, holds them all without a pass over them.
            Content::Data { .. } => {
                let spans = self.spans();
                match (spans.first(), spans.last()) {
                    (Some(first), Some(last)) => {
                        last.end.saturating_sub(first.start) as usize + spans.len()
                    }
                    _ => 0,
                }
            }
        };
        let mut out = String::with_capacity(room);
        self.write_value(&mut out);
        out
    }

    /// Appends [`Field::value`] to `out` (bindings reuse one buffer).
    pub fn write_value(&self, out: &mut String) {
        self.value_pieces(|piece| out.push_str(piece));
    }

    /// Calls `piece` with the pieces whose concatenation is
    /// [`Field::value`], in order (bindings copy them straight into a
    /// string object of their own).
    pub fn value_pieces<'a>(&'a self, mut piece: impl FnMut(&'a str)) {
        if let Some(v) = self.control_value() {
            piece(v);
            return;
        }
        for (i, s) in self.subfields().enumerate() {
            if i > 0 {
                piece(" ");
            }
            piece(trim(s.value));
        }
    }

    /// pymarc `format_field()`: like `value()` but skips `$6`, puts ` -- `
    /// before `$v $x $y $z` of subject (6XX) fields, and strips the result.
    pub fn format_field(&self) -> String {
        crate::accessors::format_field(&self)
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
        let (buf, spans) = collect_subfields(subs);
        if let Content::Data { first, count, .. } = &mut self.content {
            *first = 0;
            *count = spans.len() as u32;
            self.shared = own_text(buf, spans);
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
        self.write_mrk(f, false)
    }
}

/// MARCMaker's mnemonics for the characters its syntax uses, as MarcEdit
/// writes them (the reader in `mrk` reads the same table back).
pub(crate) const MRK_MNEMONICS: [(char, &str); 4] = [
    ('$', "{dollar}"),
    ('\\', "{bsol}"),
    ('{', "{lcub}"),
    ('}', "{rcub}"),
];

/// Writes `c`, as its mnemonic when it has one.
fn write_with_mnemonic(f: &mut impl fmt::Write, c: char) -> fmt::Result {
    match MRK_MNEMONICS.iter().find(|(m, _)| *m == c) {
        Some((_, mnemonic)) => f.write_str(mnemonic),
        None => f.write_char(c),
    }
}

impl Field {
    /// The field as a MARCMaker line (pymarc's `str(field)` without
    /// `mnemonics`; with them, values holding `$`, `\`, `{` or `}` read back
    /// unchanged).
    pub(crate) fn write_mrk(&self, f: &mut impl fmt::Write, mnemonics: bool) -> fmt::Result {
        write!(f, "={}  ", self.tag)?;
        if let Some(v) = self.control_value() {
            for c in v.chars() {
                match c {
                    ' ' => f.write_str("\\")?,
                    c if mnemonics => write_with_mnemonic(f, c)?,
                    c => f.write_char(c)?,
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
                f.write_char(c)?;
            }
        }
        for s in self.subfields() {
            write!(f, "${}", s.code)?;
            if mnemonics {
                for c in s.value.chars() {
                    write_with_mnemonic(f, c)?;
                }
            } else {
                f.write_str(s.value)?;
            }
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

    #[test]
    fn value_trim_shortcut_trims_as_str_trim() {
        for v in [
            "",
            "a",
            " ",
            "ab",
            " a",
            "a ",
            "\x0ba\x0b",
            "\ta\r",
            "a\u{a0}",
            "\u{3000}a",
            "é",
            "éa",
            "aé",
            "a b",
            "\x1fa",
        ] {
            assert_eq!(trim(v), v.trim(), "{v:?}");
        }
    }

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
