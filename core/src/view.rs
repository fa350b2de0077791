//! A borrowed, lazily sliced view of one ISO 2709 record.
//!
//! [`RecordView::parse`] checks the leader's numbers (base address, the
//! directory is whole entries) without allocating; each directory entry is
//! checked (digits, the field inside the data and ended by a field
//! terminator) when its field is asked for, which then is an error of kind
//! `Directory` at the entry's offset. Fields and subfields are sliced from
//! the record's bytes only when asked for, and text is validated as UTF-8
//! only when asked for. Use it to scan many records for a few values; use
//! [`RecordView::to_record`] for the full model.

use crate::error::{Error, ErrorKind, Result};
use crate::iso2709::parse::{block_delimiter_mask, is_control_tag, marc21_entry_numbers, Layout};
use crate::iso2709::FIELD_TERMINATOR;
use crate::leader::{Leader, LEADER_LEN};
use crate::options::ReadOptions;
use crate::record::Record;

/// One record's bytes with its directory checked.
#[derive(Clone, Copy, Debug)]
pub struct RecordView<'a> {
    bytes: &'a [u8],
    base: usize,
    layout: Layout,
}

use crate::iso2709::parse::entry_number as digits;

impl<'a> RecordView<'a> {
    /// Checks the record's structure. `bytes` is one record, normally ending
    /// with the record terminator.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() < LEADER_LEN + 1 {
            return Err(Error::new(
                ErrorKind::Leader,
                format!("record is {} bytes, shorter than a leader", bytes.len()),
            ));
        }
        let leader: &[u8; LEADER_LEN] = bytes[..LEADER_LEN].try_into().expect("24 bytes");
        let layout = Layout::from_leader(leader);
        let base = digits(&leader[12..17])
            .filter(|&b| b > LEADER_LEN && b <= bytes.len() && bytes[b - 1] == FIELD_TERMINATOR)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::BaseAddress,
                    "base address is not digits or does not follow the directory terminator",
                )
                .with_offset(12)
            })?;
        let view = RecordView {
            bytes,
            base,
            layout,
        };
        let n = layout.entry_len();
        let dir = view.directory();
        if !dir.len().is_multiple_of(n) {
            return Err(Error::new(
                ErrorKind::Directory,
                format!(
                    "directory is {} bytes, not whole {n}-byte entries",
                    dir.len()
                ),
            )
            .with_offset(LEADER_LEN as u64));
        }
        Ok(view)
    }

    fn directory(&self) -> &'a [u8] {
        &self.bytes[LEADER_LEN..self.base - 1]
    }

    /// Entry `i`: tag and the field's bytes without its terminator.
    fn entry(&self, i: usize) -> Option<Result<FieldView<'a>>> {
        let n = self.layout.entry_len();
        let e = self.directory().get(i * n..(i + 1) * n)?;
        Some(self.place(i, e))
    }

    /// A directory entry's field, checked.
    #[inline]
    fn place(&self, i: usize, e: &'a [u8]) -> Result<FieldView<'a>> {
        let ll = self.layout.length_len;
        let placed = (|| {
            // A MARC 21 entry's two numbers at once (the full parse's way).
            // With `place` inlined: every field and subfield of the first
            // 20 MB of the LoC file through views, 176.0 -> 146.7 -> 126.1 M
            // instructions (callgrind, `workload_loop ... view-every-value`;
            // the full parse: 140.6 M).
            let (len, start) = match <&[u8; 12]>::try_from(e) {
                Ok(entry) if self.layout == Layout::MARC21 => marc21_entry_numbers(entry)?,
                _ => (
                    digits(&e[3..3 + ll])?,
                    digits(&e[3 + ll..3 + ll + self.layout.start_len])?,
                ),
            };
            let from = self.base.checked_add(start)?;
            let to = from.checked_add(len)?;
            if len == 0 || to > self.bytes.len() || self.bytes[to - 1] != FIELD_TERMINATOR {
                return None;
            }
            Some((&self.bytes[from..to - 1], &self.bytes[from..]))
        })();
        match placed {
            Some((data, tail)) => Ok(FieldView {
                tag: &e[..3],
                data,
                tail,
                indicator_count: self.layout.indicator_count,
            }),
            None => Err(Error::new(
                ErrorKind::Directory,
                format!("directory entry {i} is not digits or points outside the data"),
            )
            .with_offset((LEADER_LEN + i * self.layout.entry_len()) as u64)),
        }
    }

    /// The record's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub fn leader(&self) -> Leader {
        Leader::from_bytes(&self.bytes[..LEADER_LEN]).expect("24 bytes")
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.directory().len() / self.layout.entry_len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The field at a position; an error if its directory entry is bad.
    pub fn field(&self, index: usize) -> Option<Result<FieldView<'a>>> {
        self.entry(index)
    }

    /// All fields in directory order (an error for each bad entry).
    pub fn fields(&self) -> impl ExactSizeIterator<Item = Result<FieldView<'a>>> + '_ {
        self.directory()
            .chunks_exact(self.layout.entry_len())
            .enumerate()
            .map(|(i, e)| self.place(i, e))
    }

    /// The first field with this tag (only its entry is checked).
    pub fn get(&self, tag: &str) -> Result<Option<FieldView<'a>>> {
        self.get_fields(tag).next().transpose()
    }

    /// The fields with this tag.
    pub fn get_fields<'s>(
        &'s self,
        tag: &'s str,
    ) -> impl Iterator<Item = Result<FieldView<'a>>> + 's {
        self.fields_where(move |t| t == tag.as_bytes())
    }

    /// The fields whose tag is one of `tags` (every field when `tags` is
    /// empty), as `Record::get_fields` picks them.
    pub fn fields_tagged<'s>(
        &'s self,
        tags: &'s [&'s str],
    ) -> impl Iterator<Item = Result<FieldView<'a>>> + 's {
        self.fields_where(move |t| tags.is_empty() || tags.iter().any(|x| t == x.as_bytes()))
    }

    /// The fields whose tag bytes `keep` accepts (only their entries are
    /// checked).
    fn fields_where<'s>(
        &'s self,
        keep: impl Fn(&[u8]) -> bool + 's,
    ) -> impl Iterator<Item = Result<FieldView<'a>>> + 's {
        self.directory()
            .chunks_exact(self.layout.entry_len())
            .enumerate()
            .filter(move |(_, e)| keep(&e[..3]))
            .map(|(i, e)| self.place(i, e))
    }

    /// The full record, decoded as the options say (the same as
    /// `iso2709::parse_record` on these bytes).
    pub fn to_record(&self, options: &ReadOptions) -> Result<Record> {
        crate::iso2709::parse_record(self.bytes, options)
    }
}

/// One field of a [`RecordView`].
#[derive(Clone, Copy, Debug)]
pub struct FieldView<'a> {
    tag: &'a [u8],
    data: &'a [u8],
    /// The record's bytes from the field's start (`data` and what follows
    /// it), so that delimiters are looked for 64 bytes at a time without
    /// copying the field's last bytes into a padded block.
    tail: &'a [u8],
    indicator_count: usize,
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::Encoding,
            format!("invalid UTF-8 at byte {} of the value", e.valid_up_to()),
        )
    })
}

impl<'a> FieldView<'a> {
    pub fn tag_bytes(&self) -> &'a [u8] {
        self.tag
    }

    /// The tag as text (non-ASCII bytes make it an `Encoding` error).
    pub fn tag(&self) -> Result<&'a str> {
        utf8(self.tag)
    }

    /// Numeric tags below 010.
    pub fn is_control(&self) -> bool {
        is_control_tag(self.tag)
    }

    /// The field's bytes without its terminator (a control field's value).
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// A control field's value as text.
    pub fn value(&self) -> Result<&'a str> {
        utf8(self.data)
    }

    /// The two indicator bytes of a data field (blank where missing).
    pub fn indicators(&self) -> Option<(u8, u8)> {
        if self.is_control() {
            return None;
        }
        let n = self.indicator_count.min(self.data.len());
        let at = |k: usize| if k < n { self.data[k] } else { b' ' };
        Some((at(0), at(1)))
    }

    /// The subfields of a data field: code byte and value bytes.
    pub fn subfields(&self) -> impl Iterator<Item = SubfieldView<'a>> + 'a {
        let (data, tail) = (self.data, self.tail);
        // The delimiters are found from masks of 64 bytes at a time, each
        // mask read for every delimiter in its bytes: a field's values are
        // short, and a call to memchr per value cost more (every field and
        // subfield of the first 20 MB of the LoC file through views,
        // 126.1 -> 112.9 M instructions, callgrind).
        let mask_at = move |from: usize| {
            let mask = match tail.get(from..from + 64) {
                Some(block) => block_delimiter_mask(block.try_into().expect("64 bytes")),
                None => {
                    let mut block = [0u8; 64];
                    let rest = &data[from..];
                    block[..rest.len()].copy_from_slice(rest);
                    block_delimiter_mask(&block)
                }
            };
            // Only the field's own bytes.
            match data.len() - from {
                left if left < 64 => mask & ((1u64 << left) - 1),
                _ => mask,
            }
        };
        // `window`: where the 64 bytes of `mask` start; `mask`: their
        // delimiters not yet passed.
        let (mut window, mut mask) = if self.is_control() || data.is_empty() {
            (data.len(), 0)
        } else {
            (0, mask_at(0))
        };
        let mut next_delimiter = move || loop {
            if mask != 0 {
                let at = window + mask.trailing_zeros() as usize;
                mask &= mask - 1;
                return at;
            }
            window += 64;
            if window >= data.len() {
                window = data.len();
                return data.len();
            }
            mask = mask_at(window);
        };
        let mut at = next_delimiter();
        std::iter::from_fn(move || loop {
            // `at` is a delimiter, or the end.
            if at >= data.len() {
                return None;
            }
            let start = at + 1;
            let end = next_delimiter();
            at = end;
            if end > start {
                return Some(SubfieldView {
                    code: data[start],
                    value: &data[start + 1..end],
                });
            }
        })
    }

    /// The first subfield with this code.
    pub fn get(&self, code: u8) -> Option<SubfieldView<'a>> {
        self.subfields().find(|s| s.code == code)
    }
}

/// One subfield of a [`FieldView`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubfieldView<'a> {
    pub code: u8,
    pub value: &'a [u8],
}

impl<'a> SubfieldView<'a> {
    /// The value as text.
    pub fn value_str(&self) -> Result<&'a str> {
        utf8(self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Field, Indicators};
    use crate::iso2709::{write_record, WriteOptions};

    #[test]
    fn slices_what_the_writer_wrote() {
        let mut r = Record::new();
        r.add_field(Field::control("001", "x1"));
        r.add_field(Field::data(
            "245",
            Indicators::new('1', '0'),
            [('a', "Title"), ('c', "Ré")],
        ));
        let mut bytes = Vec::new();
        write_record(&r, &WriteOptions::default(), &mut bytes).unwrap();
        let v = RecordView::parse(&bytes).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v.get("001").unwrap().unwrap().value().unwrap(), "x1");
        let f = v.get("245").unwrap().unwrap();
        assert_eq!(f.indicators(), Some((b'1', b'0')));
        assert_eq!(f.get(b'c').unwrap().value_str().unwrap(), "Ré");
        assert_eq!(v.to_record(&ReadOptions::strict()).unwrap(), {
            let mut w = r.clone();
            w.leader = v.leader();
            w
        });
        assert!(RecordView::parse(&bytes[..30]).is_err());
    }

    #[test]
    fn a_bad_entry_is_an_error_when_its_field_is_read() {
        let mut r = Record::new();
        r.add_field(Field::control("001", "x1"));
        r.add_field(Field::data("245", Indicators::BLANK, [('a', "T")]));
        let mut bytes = Vec::new();
        write_record(&r, &WriteOptions::default(), &mut bytes).unwrap();
        // Entry 1 (bytes 36..48): its length made to point past the data.
        bytes[39..43].copy_from_slice(b"9999");
        let v = RecordView::parse(&bytes).unwrap();
        assert_eq!(v.get("001").unwrap().unwrap().value().unwrap(), "x1");
        let e = v.get("245").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Directory);
        assert_eq!(e.position.byte_offset, Some(36));
        assert!(v.field(1).unwrap().is_err());
        assert_eq!(v.fields().filter(|f| f.is_err()).count(), 1);
        bytes[40] = b'x';
        let v = RecordView::parse(&bytes).unwrap();
        assert!(v.field(1).unwrap().is_err());
    }
}
