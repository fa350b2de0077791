//! MARC-8 to Unicode and back.
//!
//! MARC-8 is an ISO 2022-style set of 7-bit graphic sets switched with escape
//! sequences: a G0 set for bytes 0x21-0x7E (Basic Latin by default) and a G1
//! set for 0xA1-0xFE (ANSEL, Extended Latin, by default). Combining marks come
//! before their base character. The decoder follows pymarc 5.4.0's
//! `MARC8ToUnicode` (whose output it reproduces on pymarc's test data) and adds
//! what pymarc lacks: G1 designation of any set, EACC as G1, LC's `&#xXXXX;`
//! numeric character references, strict errors and lenient warnings.
//!
//! The mapping tables in [`tables`] are generated from the Library of Congress
//! code tables by `tools/gen_marc8_tables.py`.

mod tables;

use std::borrow::Cow;

use smallvec::SmallVec;
use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::{is_nfc_quick, is_nfd_quick, IsNormalized, UnicodeNormalization};

use crate::error::{Error, ErrorKind, Result, Warning};
use crate::options::{Mode, Normalization, ReadOptions};

const ESC: u8 = 0x1B;
/// Final bytes of the sets that need special handling.
const BASIC_LATIN: u8 = b'B';
const ANSEL: u8 = b'E';
const EACC: u8 = b'1';
/// Sets designated with the two-byte "single character" technique
/// (`ESC g`, `ESC b`, `ESC p`), left with `ESC s`.
const GREEK_SYMBOLS: u8 = b'g';
const SUBSCRIPTS: u8 = b'b';
const SUPERSCRIPTS: u8 = b'p';

/// Decodes one MARC-8 value (a subfield's data) to Unicode, normalized as
/// `options.normalization` says (NFC by default, as pymarc).
///
/// Strict mode: a bad or incomplete escape sequence, a byte or EACC triple
/// with no mapping, or a truncated EACC character is an error of kind
/// [`ErrorKind::Marc8`] whose byte offset is within `bytes`. Lenient mode puts
/// a space where pymarc does (and keeps a truncated escape's ESC, as pymarc),
/// pushes a warning, and carries on.
pub fn marc8_to_unicode(
    bytes: &[u8],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<String> {
    decode(bytes, options, warnings).map(Cow::into_owned)
}

/// [`marc8_to_unicode`] borrowing the input when it is plain printable ASCII
/// (the common case, which then costs one scan).
pub fn decode<'a>(
    bytes: &'a [u8],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Cow<'a, str>> {
    if is_plain_ascii(bytes) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Ok(Cow::Borrowed(text));
        }
    }
    let mut decoder = Decoder {
        bytes,
        pos: 0,
        g0: BASIC_LATIN,
        g1: ANSEL,
        out: String::with_capacity(bytes.len() + bytes.len() / 2),
        pending_marks: String::new(),
        strict: options.mode == Mode::Strict,
        warnings,
    };
    decoder.run()?;
    let text = decoder.out;
    Ok(Cow::Owned(normalize(text, options.normalization)))
}

/// True when `text` is the same in MARC-8 and UTF-8 (printable ASCII, no
/// `&`), so encoding it is a copy.
pub fn is_plain_text(text: &str) -> bool {
    is_plain_ascii(text.as_bytes())
}

/// True when every byte is printable ASCII other than `&` (which may start a
/// numeric character reference). Branch-free per chunk so it vectorizes.
fn is_plain_ascii(bytes: &[u8]) -> bool {
    #[inline(always)]
    fn special(b: u8) -> bool {
        (b.wrapping_sub(0x20) >= 0x5F) | (b == b'&')
    }
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        if chunk.iter().fold(false, |acc, &b| acc | special(b)) {
            return false;
        }
    }
    !chunks.remainder().iter().any(|&b| special(b))
}

fn normalize(text: String, form: Normalization) -> String {
    match form {
        Normalization::Nfc => match is_nfc_quick(text.chars()) {
            IsNormalized::Yes => text,
            _ => normalize_segments(&text, |segment, out| out.extend(segment.nfc())),
        },
        Normalization::Nfd => match is_nfd_quick(text.chars()) {
            IsNormalized::Yes => text,
            _ => normalize_segments(&text, |segment, out| out.extend(segment.nfd())),
        },
        Normalization::None => text,
    }
}

/// Normalizes only the stretches that contain non-ASCII characters, each
/// with the ASCII character before it (which marks may follow). Cutting
/// before an ASCII character is safe for NFC and NFD: it is a starter that
/// never composes with what precedes it.
fn normalize_segments(text: &str, normalize: impl Fn(&str, &mut String)) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    while start < bytes.len() {
        let Some(non_ascii) = bytes[start..].iter().position(|b| !b.is_ascii()) else {
            out.push_str(&text[start..]);
            break;
        };
        let non_ascii = start + non_ascii;
        let segment_start = if non_ascii > start {
            non_ascii - 1
        } else {
            non_ascii
        };
        out.push_str(&text[start..segment_start]);
        let segment_end = bytes[non_ascii..]
            .iter()
            .position(u8::is_ascii)
            .map_or(bytes.len(), |i| non_ascii + i);
        normalize(&text[segment_start..segment_end], &mut out);
        start = segment_end;
    }
    out
}

/// A human name for a set's final byte, for messages.
fn set_name(final_byte: u8) -> &'static str {
    match final_byte {
        b'B' => "Basic Latin",
        b'E' => "Extended Latin (ANSEL)",
        b'S' => "Basic Greek",
        b'N' => "Basic Cyrillic",
        b'Q' => "Extended Cyrillic",
        b'2' => "Basic Hebrew",
        b'3' => "Basic Arabic",
        b'4' => "Extended Arabic",
        b'b' => "Subscripts",
        b'p' => "Superscripts",
        b'g' => "Greek symbols",
        b'1' => "EACC",
        _ => "unknown set",
    }
}

fn is_known_set(final_byte: u8) -> bool {
    final_byte == EACC || tables::single_byte_table(final_byte).is_some()
}

/// Parses LC's numeric character reference `&#xH;` (1 to 6 hex digits) at
/// the start of `bytes`: the character and the reference's length.
fn parse_ncr(bytes: &[u8]) -> Option<(char, usize)> {
    let rest = bytes.strip_prefix(b"&#x")?;
    let digits = rest
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if !(1..=6).contains(&digits) || rest.get(digits) != Some(&b';') {
        return None;
    }
    let value = rest[..digits].iter().fold(0u32, |acc, &b| {
        acc * 16 + (b as char).to_digit(16).unwrap_or(0)
    });
    char::from_u32(value).map(|c| (c, 3 + digits + 1))
}

fn eacc_lookup(b1: u8, b2: u8, b3: u8) -> Option<char> {
    if !(0x21..=0x7E).contains(&b1) || !(0x21..=0x7E).contains(&b2) {
        return None;
    }
    let row = usize::from(b1 - 0x21) * 94 + usize::from(b2 - 0x21);
    let start = usize::from(tables::EACC_ROW_START[row]);
    let end = usize::from(tables::EACC_ROW_START[row + 1]);
    let index = tables::EACC_THIRD[start..end].binary_search(&b3).ok()?;
    char::from_u32(u32::from(tables::EACC_CHAR[start + index]))
}

fn eacc_odd_lookup(key: u32) -> Option<char> {
    let index = tables::EACC_ODD
        .binary_search_by_key(&key, |&(k, _)| k)
        .ok()?;
    char::from_u32(tables::EACC_ODD[index].1)
}

struct Decoder<'a, 'w> {
    bytes: &'a [u8],
    pos: usize,
    g0: u8,
    g1: u8,
    out: String,
    /// Combining marks read but not yet placed: they follow the next base.
    pending_marks: String,
    strict: bool,
    warnings: &'w mut Vec<Warning>,
}

impl Decoder<'_, '_> {
    fn run(&mut self) -> Result<()> {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if b == ESC {
                self.escape()?;
            } else if self.g0 == EACC {
                self.multibyte_g0()?;
            } else if self.g0 == BASIC_LATIN && (0x20..0x7F).contains(&b) && b != b'&' {
                self.ascii_run();
            } else {
                self.single_byte(b)?;
            }
        }
        if !self.pending_marks.is_empty() {
            // pymarc drops them too; say so.
            self.warnings.push(
                Error::new(
                    ErrorKind::Marc8,
                    format!(
                        "combining mark(s) {:?} at the end of the value have no base character; dropped",
                        self.pending_marks
                    ),
                )
                .with_offset(self.bytes.len() as u64)
                .into(),
            );
        }
        Ok(())
    }

    fn push_base(&mut self, c: char) {
        self.out.push(c);
        if !self.pending_marks.is_empty() {
            self.out.push_str(&self.pending_marks);
            self.pending_marks.clear();
        }
    }

    /// Copies a run of printable ASCII (in Basic Latin) at once.
    fn ascii_run(&mut self) {
        let rest = &self.bytes[self.pos..];
        let len = rest
            .iter()
            .position(|&b| !(0x20..0x7F).contains(&b) || b == b'&')
            .unwrap_or(rest.len());
        // Only printable ASCII, so this is valid UTF-8.
        let run = std::str::from_utf8(&rest[..len]).unwrap_or_default();
        let mut chars = run.chars();
        if let Some(first) = chars.next() {
            self.push_base(first);
            self.out.push_str(chars.as_str());
        }
        self.pos += len;
    }

    /// A defect: an error in strict mode; in lenient mode a warning, and
    /// `replacement` (if any) stands in for the bad character.
    fn defect(&mut self, offset: usize, message: String, replacement: Option<char>) -> Result<()> {
        let error = Error::new(ErrorKind::Marc8, message).with_offset(offset as u64);
        if self.strict {
            return Err(error);
        }
        self.warnings.push(error.into());
        if let Some(c) = replacement {
            self.push_base(c);
        }
        Ok(())
    }

    fn unmapped(&mut self, offset: usize, what: String, set: u8) -> Result<()> {
        let message = format!(
            "{what} has no mapping in set 0x{set:02X} ({})",
            set_name(set)
        );
        // An unknown set was reported when it was designated: no warning per
        // character, just pymarc's space.
        if !is_known_set(set) && !self.strict {
            self.push_base(' ');
            return Ok(());
        }
        self.defect(offset, message, Some(' '))
    }

    fn single_byte(&mut self, b: u8) -> Result<()> {
        let offset = self.pos;
        match b {
            // C0 and C1 controls: pymarc drops them (including ANSEL's
            // non-sort marks 0x88/0x89 and joiners 0x8D/0x8E).
            0x00..=0x1F | 0x81..=0x9F => {
                self.pos += 1;
                Ok(())
            }
            0x20 => {
                self.pos += 1;
                self.push_base(' ');
                Ok(())
            }
            b'&' if self.g0 == BASIC_LATIN => {
                if let Some((c, len)) = parse_ncr(&self.bytes[self.pos..]) {
                    self.pos += len;
                    self.push_base(c);
                } else {
                    self.pos += 1;
                    self.push_base('&');
                }
                Ok(())
            }
            0x21..=0x7E => {
                self.pos += 1;
                self.mapped(self.g0, b, offset)
            }
            0xA1..=0xFE if self.g1 == EACC => self.multibyte_g1(),
            0xA1..=0xFE => {
                self.pos += 1;
                self.mapped(self.g1, b, offset)
            }
            // 0x7F, 0x80, 0xA0, 0xFF: in no set.
            _ => {
                self.pos += 1;
                let set = if b < 0x80 { self.g0 } else { self.g1 };
                self.unmapped(offset, format!("byte 0x{b:02X}"), set)
            }
        }
    }

    fn mapped(&mut self, set: u8, b: u8, offset: usize) -> Result<()> {
        let entry = tables::single_byte_table(set).map_or(0, |t| t[usize::from((b & 0x7F) - 0x21)]);
        match char::from_u32(entry & !tables::COMBINING) {
            Some(c) if entry != 0 => {
                if entry & tables::COMBINING != 0 {
                    self.pending_marks.push(c);
                } else {
                    self.push_base(c);
                }
                Ok(())
            }
            _ => self.unmapped(offset, format!("byte 0x{b:02X}"), set),
        }
    }

    /// One EACC character while EACC is G0: three bytes.
    fn multibyte_g0(&mut self) -> Result<()> {
        let offset = self.pos;
        let Some(&[b1, b2, b3]) = self.bytes.get(offset..offset + 3) else {
            self.pos = self.bytes.len();
            return self.defect(
                offset,
                format!(
                    "EACC character cut short: {} byte(s) left at the end of the value",
                    self.bytes.len() - offset
                ),
                Some(' '),
            );
        };
        self.pos += 3;
        let key = u32::from(b1) << 16 | u32::from(b2) << 8 | u32::from(b3);
        // pymarc drops "control" code points, even as triples.
        if key < 0x20 || (0x81..0xA0).contains(&key) {
            return Ok(());
        }
        let found = eacc_lookup(b1, b2, b3).or_else(|| eacc_odd_lookup(key));
        match found {
            Some(c) => {
                self.push_base(c);
                Ok(())
            }
            None => self.unmapped(offset, format!("EACC character 0x{key:06X}"), EACC),
        }
    }

    /// One EACC character while EACC is G1: three bytes with the high bit set.
    fn multibyte_g1(&mut self) -> Result<()> {
        let offset = self.pos;
        let triple = self
            .bytes
            .get(offset..offset + 3)
            .filter(|t| t.iter().all(|&b| b >= 0xA1));
        let Some(&[b1, b2, b3]) = triple else {
            self.pos += 1;
            return self.defect(
                offset,
                "EACC (as G1) character cut short".to_string(),
                Some(' '),
            );
        };
        self.pos += 3;
        match eacc_lookup(b1 & 0x7F, b2 & 0x7F, b3 & 0x7F) {
            Some(c) => {
                self.push_base(c);
                Ok(())
            }
            None => {
                let key = u32::from(b1) << 16 | u32::from(b2) << 8 | u32::from(b3);
                self.unmapped(offset, format!("EACC character 0x{key:06X}"), EACC)
            }
        }
    }

    fn escape(&mut self) -> Result<()> {
        let offset = self.pos;
        let at = |i: usize| self.bytes.get(offset + i).copied();
        // (is G1, position of the final byte)
        let designation = match at(1) {
            None => None,
            Some(b'(' | b',') => Some((false, 2)),
            Some(b')' | b'-') => Some((true, 2)),
            Some(b'$') => match at(2) {
                Some(b',') => Some((false, 3)),
                Some(b')' | b'-') => Some((true, 3)),
                _ => Some((false, 2)),
            },
            Some(b's') => {
                self.g0 = BASIC_LATIN;
                self.pos += 2;
                return Ok(());
            }
            Some(f) if is_known_set(f) => {
                // Two-byte technique: ESC g / ESC b / ESC p (pymarc accepts
                // any known set here).
                self.g0 = f;
                self.pos += 2;
                return Ok(());
            }
            Some(f) => {
                // pymarc drops the ESC and reads the next byte as a character.
                self.pos += 1;
                return self.defect(
                    offset,
                    format!("unknown escape sequence ESC 0x{f:02X}"),
                    None,
                );
            }
        };
        let Some((g1, final_index)) = designation else {
            return self.incomplete_escape(offset);
        };
        let Some(final_byte) = at(final_index) else {
            return self.incomplete_escape(offset);
        };
        self.pos += final_index + 1;
        if g1 {
            self.g1 = final_byte;
        } else {
            self.g0 = final_byte;
        }
        if !is_known_set(final_byte) {
            return self.defect(
                offset,
                format!(
                    "escape sequence designates unknown {} set 0x{final_byte:02X}",
                    if g1 { "G1" } else { "G0" }
                ),
                None,
            );
        }
        Ok(())
    }

    /// An escape sequence cut by the end of the value: pymarc keeps the ESC
    /// as a character (to help diagnose the record) and reads on.
    fn incomplete_escape(&mut self, offset: usize) -> Result<()> {
        let error = Error::new(
            ErrorKind::Marc8,
            "incomplete escape sequence at the end of the value",
        )
        .with_offset(offset as u64);
        if self.strict {
            return Err(error);
        }
        self.warnings.push(error.into());
        self.out.push('\u{1B}');
        self.pos += 1;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Unicode -> MARC-8

/// Encodes text as MARC-8: canonical decomposition so combining marks can be
/// written before their base, escape sequences to switch sets, and a return
/// to Basic Latin / ANSEL at the end. A character with no MARC-8 mapping
/// (and a literal `&` that would read as one) becomes LC's numeric character
/// reference `&#xXXXX;`, which [`marc8_to_unicode`] turns back.
pub fn unicode_to_marc8(text: &str) -> Vec<u8> {
    if is_plain_text(text) {
        return text.as_bytes().to_vec();
    }
    let mut encoder = Encoder {
        out: Vec::with_capacity(text.len() + 8),
        g0: BASIC_LATIN,
        g1: ANSEL,
    };
    let mut cluster: Option<Cluster> = None;
    for (index, c) in text.char_indices() {
        let piece = if c == '&' {
            if parse_ncr(&text.as_bytes()[index..]).is_some() {
                Piece::Base(Base::Reference('&'))
            } else {
                Piece::Base(Base::Mapped('&'))
            }
        } else {
            classify(c)
        };
        match piece {
            Piece::Base(base) => {
                if let Some(done) = cluster.take() {
                    encoder.cluster(done);
                }
                cluster = Some(Cluster {
                    base,
                    marks: SmallVec::new(),
                });
            }
            Piece::Mark(mark) => match cluster.as_mut() {
                Some(open) => open.marks.push(mark),
                None => encoder.reference(mark),
            },
            Piece::Decomposed(base, marks) => {
                if let Some(done) = cluster.take() {
                    encoder.cluster(done);
                }
                cluster = Some(Cluster {
                    base: Base::Mapped(base),
                    marks,
                });
            }
        }
    }
    if let Some(done) = cluster.take() {
        encoder.cluster(done);
    }
    encoder.finish()
}

enum Base {
    Mapped(char),
    /// Written as `&#xXXXX;`.
    Reference(char),
}

enum Piece {
    Base(Base),
    Mark(char),
    /// A character written as its canonical decomposition: a mappable base
    /// and combining marks.
    Decomposed(char, SmallVec<[char; 4]>),
}

struct Cluster {
    base: Base,
    marks: SmallVec<[char; 4]>,
}

/// The single-byte mappings of a code point, most preferred first.
fn single_candidates(c: char) -> &'static [(u32, u8, u8)] {
    let cp = u32::from(c);
    let table = &tables::REVERSE_SINGLE[..];
    let start = table.partition_point(|&(k, _, _)| k < cp);
    let end = start + table[start..].partition_point(|&(k, _, _)| k == cp);
    &table[start..end]
}

fn eacc_triple(c: char) -> Option<u32> {
    let cp = u16::try_from(u32::from(c)).ok()?;
    let table = &tables::REVERSE_EACC[..];
    let index = table.binary_search_by_key(&cp, |&(k, _)| k).ok()?;
    Some(table[index].1)
}

fn is_combining_entry(&(_, set, byte): &(u32, u8, u8)) -> bool {
    tables::single_byte_table(set)
        .is_some_and(|t| t[usize::from((byte & 0x7F) - 0x21)] & tables::COMBINING != 0)
}

/// Can be written as a base character (not a mark) in some set.
fn is_mappable_base(c: char) -> bool {
    c == ' '
        || single_candidates(c).iter().any(|e| !is_combining_entry(e))
        || eacc_triple(c).is_some()
}

fn is_mappable_mark(c: char) -> bool {
    single_candidates(c).iter().any(is_combining_entry)
}

fn is_mark(c: char) -> bool {
    canonical_combining_class(c) != 0 || is_mappable_mark(c)
}

fn classify(c: char) -> Piece {
    if matches!(c, ' '..='~') {
        return Piece::Base(Base::Mapped(c));
    }
    if c.is_control() {
        return Piece::Base(Base::Reference(c));
    }
    if is_mappable_base(c) {
        return Piece::Base(Base::Mapped(c));
    }
    if is_mark(c) {
        return Piece::Mark(c);
    }
    let mut parts: SmallVec<[char; 4]> = SmallVec::new();
    decompose_canonical(c, |d| parts.push(d));
    if parts.len() > 1 && is_mappable_base(parts[0]) && parts[1..].iter().all(|&d| is_mark(d)) {
        let base = parts.remove(0);
        return Piece::Decomposed(base, parts);
    }
    Piece::Base(Base::Reference(c))
}

struct Encoder {
    out: Vec<u8>,
    g0: u8,
    g1: u8,
}

impl Encoder {
    fn cluster(&mut self, cluster: Cluster) {
        if cluster.marks.iter().all(|&m| is_mappable_mark(m)) {
            for &mark in &cluster.marks {
                self.mark(mark);
            }
            self.base(&cluster.base);
        } else {
            // Marks with no MARC-8 form keep their order as references
            // after the base.
            self.base(&cluster.base);
            for &mark in &cluster.marks {
                self.reference(mark);
            }
        }
    }

    fn base(&mut self, base: &Base) {
        match *base {
            Base::Mapped(c) => self.mapped(c, false),
            Base::Reference(c) => self.reference(c),
        }
    }

    fn mark(&mut self, c: char) {
        self.mapped(c, true);
    }

    /// Writes a mappable character, preferring the sets already designated.
    fn mapped(&mut self, c: char, combining: bool) {
        if self.g0 == BASIC_LATIN && matches!(c, '!'..='~') {
            self.out.push(c as u8);
            return;
        }
        if c == ' ' {
            if self.g0 == EACC {
                self.designate_g0(BASIC_LATIN);
            }
            self.out.push(b' ');
            return;
        }
        let candidates = single_candidates(c);
        let usable = |e: &&(u32, u8, u8)| is_combining_entry(e) == combining;
        let current = candidates.iter().filter(usable).find(|&&(_, set, byte)| {
            if byte < 0x80 {
                set == self.g0
            } else {
                set == self.g1
            }
        });
        let eacc = if combining { None } else { eacc_triple(c) };
        let choice = match (current, eacc) {
            (Some(&entry), _) => Some(entry),
            (None, Some(_)) if self.g0 == EACC => None,
            (None, _) => candidates.iter().find(usable).copied(),
        };
        match (choice, eacc) {
            (Some((_, set, byte)), _) => {
                if byte < 0x80 {
                    self.designate_g0(set);
                } else {
                    // While EACC is G0 every byte is part of a triple (as
                    // pymarc reads it): leave it before using G1.
                    if self.g0 == EACC {
                        self.designate_g0(BASIC_LATIN);
                    }
                    self.designate_g1(set);
                }
                self.out.push(byte);
            }
            (None, Some(triple)) => {
                self.designate_g0(EACC);
                self.out.extend_from_slice(&[
                    (triple >> 16) as u8,
                    (triple >> 8) as u8,
                    triple as u8,
                ]);
            }
            (None, None) => self.reference(c),
        }
    }

    fn reference(&mut self, c: char) {
        self.designate_g0(BASIC_LATIN);
        self.out
            .extend_from_slice(format!("&#x{:04X};", u32::from(c)).as_bytes());
    }

    fn designate_g0(&mut self, set: u8) {
        if self.g0 == set {
            return;
        }
        match set {
            GREEK_SYMBOLS | SUBSCRIPTS | SUPERSCRIPTS => self.out.extend_from_slice(&[ESC, set]),
            BASIC_LATIN if matches!(self.g0, GREEK_SYMBOLS | SUBSCRIPTS | SUPERSCRIPTS) => {
                self.out.extend_from_slice(&[ESC, b's'])
            }
            EACC => self.out.extend_from_slice(&[ESC, b'$', EACC]),
            _ => self.out.extend_from_slice(&[ESC, b'(', set]),
        }
        self.g0 = set;
    }

    fn designate_g1(&mut self, set: u8) {
        if self.g1 != set {
            self.out.extend_from_slice(&[ESC, b')', set]);
            self.g1 = set;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        self.designate_g0(BASIC_LATIN);
        self.designate_g1(ANSEL);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_lenient(bytes: &[u8]) -> (String, Vec<Warning>) {
        let mut warnings = Vec::new();
        let text = marc8_to_unicode(bytes, &ReadOptions::lenient(), &mut warnings).unwrap();
        (text, warnings)
    }

    #[test]
    fn tables_are_consistent() {
        assert_eq!(
            tables::BASIC_LATIN[usize::from(b'A' - 0x21)],
            u32::from('A')
        );
        assert_eq!(eacc_lookup(0x21, 0x30, 0x21), Some('\u{4E00}'));
        assert_eq!(eacc_lookup(0x21, 0x23, 0x20), Some('\u{3000}'));
        for window in tables::REVERSE_EACC.windows(2) {
            assert!(window[0].0 < window[1].0);
        }
        for window in tables::REVERSE_SINGLE.windows(2) {
            assert!(window[0].0 <= window[1].0);
        }
    }

    proptest::proptest! {
        #[test]
        fn segmented_normalization_equals_whole(text in "[a-e \u{300}-\u{36f}\u{e0}-\u{ff}\u{1100}-\u{1175}\u{ac00}-\u{ac10}\u{f900}-\u{f905}]{0,16}") {
            let nfc: String = text.nfc().collect();
            let nfd: String = text.nfd().collect();
            proptest::prop_assert_eq!(normalize(text.clone(), Normalization::Nfc), nfc);
            proptest::prop_assert_eq!(normalize(text, Normalization::Nfd), nfd);
        }
    }

    #[test]
    fn ncr_parsing() {
        assert_eq!(parse_ncr(b"&#x2122;x"), Some(('\u{2122}', 8)));
        assert_eq!(parse_ncr(b"&#x1F600;"), Some(('\u{1F600}', 9)));
        assert_eq!(parse_ncr(b"&#x;"), None);
        assert_eq!(parse_ncr(b"&#xD800;"), None);
        assert_eq!(parse_ncr(b"&#x1234567;"), None);
        assert_eq!(parse_ncr(b"&#x12"), None);
    }

    #[test]
    fn plain_ascii_is_borrowed() {
        let mut warnings = Vec::new();
        let text = decode(
            b"Plain title / by someone.",
            &ReadOptions::strict(),
            &mut warnings,
        )
        .unwrap();
        assert!(matches!(text, Cow::Borrowed(_)));
        let (text, _) = decode_lenient(b"AT&T");
        assert_eq!(text, "AT&T");
    }

    #[test]
    fn unmapped_g1_byte() {
        let mut warnings = Vec::new();
        let err = marc8_to_unicode(b"ab\xA0c", &ReadOptions::strict(), &mut warnings).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Marc8);
        assert_eq!(err.byte_offset(), Some(2));
        let (text, warnings) = decode_lenient(b"ab\xA0c");
        assert_eq!(text, "ab c");
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].position.byte_offset, Some(2));
    }
}
