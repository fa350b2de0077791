//! A MARC record: a leader and an ordered list of fields, with pymarc 5.4.0's
//! editing operations and convenience accessors.

use std::fmt;

use crate::accessors;
use crate::field::{Field, Tag};
use crate::leader::Leader;
use crate::shared::Fields;

/// A MARC record.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub leader: Leader,
    /// Dropped with one atomic operation for a parsed record's fields (see
    /// `shared::Fields`).
    fields: Fields,
}

/// Tags pymarc's `subjects` collects.
pub const SUBJECT_TAGS: &[&str] = &[
    "600", "610", "611", "630", "648", "650", "651", "653", "654", "655", "656", "657", "658",
    "662", "690", "691", "696", "697", "698", "699",
];
/// Tags pymarc's `addedentries` collects.
pub const ADDED_ENTRY_TAGS: &[&str] = &[
    "700", "710", "711", "720", "730", "740", "752", "753", "754", "790", "791", "792", "793",
    "796", "797", "798", "799",
];
/// Tags pymarc's `series` collects.
pub const SERIES_TAGS: &[&str] = &["440", "490", "800", "810", "811", "830"];
/// Tags pymarc's `notes` collects.
pub const NOTE_TAGS: &[&str] = &[
    "500", "501", "502", "504", "505", "506", "507", "508", "510", "511", "513", "514", "515",
    "516", "518", "520", "521", "522", "524", "525", "526", "530", "533", "534", "535", "536",
    "538", "540", "541", "544", "545", "546", "547", "550", "552", "555", "556", "561", "562",
    "563", "565", "567", "580", "581", "583", "584", "585", "586", "590", "591", "592", "593",
    "594", "595", "596", "597", "598", "599",
];

impl Record {
    /// An empty record with pymarc's default leader.
    pub fn new() -> Self {
        Record::default()
    }

    pub fn with_leader(leader: Leader) -> Self {
        Record {
            leader,
            fields: Fields::default(),
        }
    }

    /// A record from a leader and fields (readers use this).
    pub fn from_parts(leader: Leader, fields: Vec<Field>) -> Self {
        Record {
            leader,
            fields: Fields::new(fields),
        }
    }

    /// A reader's record (its fields made by `shared::Fields`).
    pub(crate) fn from_fields(leader: Leader, fields: Fields) -> Self {
        Record { leader, fields }
    }

    /// Gives a reader's record its fields (made by `shared::Fields`).
    pub(crate) fn set_fields(&mut self, fields: Fields) {
        self.fields = fields;
    }

    pub fn fields(&self) -> &[Field] {
        self.fields.as_slice()
    }

    pub fn fields_mut(&mut self) -> &mut Vec<Field> {
        self.fields.edit()
    }

    pub fn into_fields(mut self) -> Vec<Field> {
        std::mem::take(self.fields.edit())
    }

    /// The first field with this tag (pymarc `record.get` / `record[tag]`).
    pub fn get(&self, tag: &str) -> Option<&Field> {
        self.fields().iter().find(|f| f.tag() == tag)
    }

    pub fn get_mut(&mut self, tag: &str) -> Option<&mut Field> {
        self.fields.edit().iter_mut().find(|f| f.tag() == tag)
    }

    /// True if a field with this tag exists (pymarc `tag in record`).
    pub fn contains(&self, tag: &str) -> bool {
        self.get(tag).is_some()
    }

    /// The fields whose tag is one of `tags`, in record order; every field
    /// when `tags` is empty (pymarc `get_fields`).
    pub fn get_fields<'a>(&'a self, tags: &'a [&str]) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields()
            .iter()
            .filter(move |f| tags.is_empty() || tags.iter().any(|t| f.tag() == t))
    }

    /// Indexes of the fields whose tag is one of `tags` (all when empty).
    pub fn field_indexes(&self, tags: &[&str]) -> Vec<usize> {
        self.fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| tags.is_empty() || tags.iter().any(|t| f.tag() == t))
            .map(|(i, _)| i)
            .collect()
    }

    /// Appends fields (pymarc `add_field`).
    pub fn add_field(&mut self, field: Field) {
        self.fields.edit().push(field);
    }

    /// Inserts a field at a position (clamped to the end).
    pub fn insert_field(&mut self, index: usize, field: Field) {
        let fields = self.fields.edit();
        let at = index.min(fields.len());
        fields.insert(at, field);
    }

    /// Inserts in strict numeric tag order (pymarc `add_ordered_field`).
    /// Returns the index the field landed at.
    pub fn add_ordered_field(&mut self, field: Field) -> usize {
        self.sorted_insert(field, false)
    }

    /// Inserts after the last field of the same hundred (pymarc
    /// `add_grouped_field`). Returns the index the field landed at.
    pub fn add_grouped_field(&mut self, field: Field) -> usize {
        self.sorted_insert(field, true)
    }

    /// pymarc `_sort_fields`: the field goes before the first field that has a
    /// non-numeric tag or a larger key (the whole tag, or only its first digit
    /// when grouped); appended when there is none. Non-numeric tags append.
    fn sorted_insert(&mut self, field: Field, grouped: bool) -> usize {
        fn key(tag: &Tag, grouped: bool) -> Option<u64> {
            let s = tag.as_str();
            if !tag.is_numeric() || s.len() > 18 {
                return None;
            }
            if grouped {
                Some(u64::from(s.as_bytes()[0] - b'0'))
            } else {
                s.parse().ok()
            }
        }
        let fields = self.fields.edit();
        let Some(new_key) = key(field.tag(), grouped) else {
            fields.push(field);
            return fields.len() - 1;
        };
        let at = fields
            .iter()
            .position(|f| key(f.tag(), grouped).is_none_or(|k| k > new_key))
            .unwrap_or(fields.len());
        fields.insert(at, field);
        at
    }

    /// Removes and returns the field at a position.
    pub fn remove_field_at(&mut self, index: usize) -> Option<Field> {
        let fields = self.fields.edit();
        (index < fields.len()).then(|| fields.remove(index))
    }

    /// Removes the first field equal to `field` (pymarc `remove_field`, which
    /// compares by identity in Python; bindings pass the index they hold).
    pub fn remove_field(&mut self, field: &Field) -> Option<Field> {
        let fields = self.fields.edit();
        let i = fields.iter().position(|f| f == field)?;
        Some(fields.remove(i))
    }

    /// Removes every field whose tag is one of `tags` (pymarc `remove_fields`).
    /// Returns how many were removed.
    pub fn remove_fields(&mut self, tags: &[&str]) -> usize {
        let fields = self.fields.edit();
        let before = fields.len();
        fields.retain(|f| !tags.iter().any(|t| f.tag() == t));
        before - fields.len()
    }

    /// The 880 fields linked to `field` through its `$6` occurrence number
    /// (pymarc `get_linked_fields`). `Err` when the field names an occurrence
    /// but no 880 carries it (pymarc raises `MissingLinkedFields`).
    pub fn get_linked_fields(&self, field: &Field) -> Result<Vec<&Field>, MissingLinkedFields> {
        let num = field.linkage_occurrence_num();
        let linked: Vec<&Field> = self
            .get_fields(&["880"])
            .filter(|f| f.linkage_occurrence_num() == num)
            .collect();
        if num.is_some() && linked.is_empty() {
            return Err(MissingLinkedFields);
        }
        Ok(linked)
    }

    /// 245 `$a`, a space and `$b` when both are non-empty (pymarc `title`).
    pub fn title(&self) -> Option<String> {
        accessors::title(self)
    }

    /// 222 `$a` and `$b` (pymarc `issn_title`).
    pub fn issn_title(&self) -> Option<String> {
        accessors::issn_title(self)
    }

    /// The first run of digits, dashes and x/X in the first 020 `$a`, with
    /// dashes removed (pymarc `isbn`).
    pub fn isbn(&self) -> Option<String> {
        accessors::isbn(self)
    }

    /// 022 `$a` (pymarc `issn`).
    pub fn issn(&self) -> Option<&str> {
        accessors::issn(self)
    }

    /// 022 `$l` (pymarc `issnl`).
    pub fn issnl(&self) -> Option<&str> {
        accessors::issnl(self)
    }

    /// 086 formatted (pymarc `sudoc`).
    pub fn sudoc(&self) -> Option<String> {
        accessors::sudoc(self)
    }

    /// The first of 100, 110, 111, formatted (pymarc `author`).
    pub fn author(&self) -> Option<String> {
        accessors::author(self)
    }

    /// The first of 130, 240, formatted (pymarc `uniformtitle`).
    pub fn uniform_title(&self) -> Option<String> {
        accessors::uniform_title(self)
    }

    /// 260 `$b`, or 264 `$b` with second indicator 1 (pymarc `publisher`).
    pub fn publisher(&self) -> Option<&str> {
        accessors::publisher(self)
    }

    /// 260 `$c`, or 264 `$c` with second indicator 1 (pymarc `pubyear`).
    pub fn pubyear(&self) -> Option<&str> {
        accessors::pubyear(self)
    }

    pub fn series(&self) -> impl Iterator<Item = &Field> {
        self.get_fields(SERIES_TAGS)
    }
    pub fn subjects(&self) -> impl Iterator<Item = &Field> {
        self.get_fields(SUBJECT_TAGS)
    }
    pub fn added_entries(&self) -> impl Iterator<Item = &Field> {
        self.get_fields(ADDED_ENTRY_TAGS)
    }
    pub fn location(&self) -> impl Iterator<Item = &Field> {
        self.get_fields(&["852"])
    }
    pub fn notes(&self) -> impl Iterator<Item = &Field> {
        self.get_fields(NOTE_TAGS)
    }
    pub fn physical_description(&self) -> impl Iterator<Item = &Field> {
        self.get_fields(&["300"])
    }
}

/// A field names an 880 occurrence that the record does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingLinkedFields;

/// pymarc `str(record)`: `=LDR  ` and the leader, then one MARCMaker line per
/// field, each line ended by a newline.
impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_mrk(f, false)
    }
}

impl Record {
    /// The record as MARCMaker text (see [`Field::write_mrk`]).
    pub(crate) fn write_mrk(&self, f: &mut impl fmt::Write, mnemonics: bool) -> fmt::Result {
        writeln!(f, "=LDR  {}", self.leader)?;
        for field in self.fields() {
            field.write_mrk(f, mnemonics)?;
            f.write_char('\n')?;
        }
        Ok(())
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Record(\n{self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Indicators;

    fn field(tag: &str) -> Field {
        Field::data(tag, Indicators::BLANK, [('a', tag)])
    }

    fn tags(r: &Record) -> Vec<&str> {
        r.fields().iter().map(|f| f.tag().as_str()).collect()
    }

    #[test]
    fn ordered_and_grouped_insertion_match_pymarc() {
        let mut r = Record::new();
        for t in ["100", "245", "650", "700"] {
            r.add_field(field(t));
        }
        r.add_ordered_field(field("240"));
        assert_eq!(tags(&r), ["100", "240", "245", "650", "700"]);
        r.add_grouped_field(field("260"));
        assert_eq!(tags(&r), ["100", "240", "245", "260", "650", "700"]);
        r.add_grouped_field(field("998"));
        r.add_ordered_field(field("ZZZ"));
        assert_eq!(tags(&r).last(), Some(&"ZZZ"));
        assert_eq!(r.remove_fields(&["245", "260"]), 2);
        assert_eq!(tags(&r), ["100", "240", "650", "700", "998", "ZZZ"]);
    }

    #[test]
    fn convenience_accessors() {
        let mut r = Record::new();
        r.add_field(Field::data(
            "020",
            Indicators::BLANK,
            [('a', "0-8112-1480-X (pbk.)")],
        ));
        r.add_field(Field::data(
            "245",
            Indicators::new('1', '0'),
            [('a', "Pale fire :"), ('b', "a novel /"), ('c', "Nabokov.")],
        ));
        r.add_field(Field::data(
            "264",
            Indicators::new(' ', '0'),
            [('b', "Producer")],
        ));
        r.add_field(Field::data(
            "264",
            Indicators::new(' ', '1'),
            [('b', "Publisher"), ('c', "1962")],
        ));
        r.add_field(Field::data(
            "650",
            Indicators::new(' ', '0'),
            [('a', "Poets"), ('v', "Fiction.")],
        ));
        assert_eq!(r.isbn().as_deref(), Some("081121480X"));
        assert_eq!(r.title().as_deref(), Some("Pale fire : a novel /"));
        assert_eq!(r.publisher(), Some("Publisher"));
        assert_eq!(r.pubyear(), Some("1962"));
        assert_eq!(
            r.subjects().next().unwrap().format_field(),
            "Poets -- Fiction."
        );
        assert_eq!(r.author(), None);
    }

    #[test]
    fn linked_880_fields() {
        let mut r = Record::new();
        let f245 = Field::data("245", Indicators::BLANK, [('6', "880-02"), ('a', "x")]);
        r.add_field(f245.clone());
        r.add_field(Field::data(
            "880",
            Indicators::BLANK,
            [('6', "245-02/$1"), ('a', "y")],
        ));
        assert_eq!(r.get_linked_fields(&f245).unwrap().len(), 1);
        let orphan = Field::data("100", Indicators::BLANK, [('6', "880-09")]);
        assert_eq!(r.get_linked_fields(&orphan), Err(MissingLinkedFields));
    }
}
