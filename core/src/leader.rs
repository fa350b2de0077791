//! The 24-byte record leader, with a typed accessor for every MARC 21 position.
//!
//! The leader is kept as the bytes it was read with, junk included, so a record
//! round-trips byte for byte; accessors interpret and never fail.

use std::fmt;

use crate::error::{Error, ErrorKind, Result};

pub const LEADER_LEN: usize = 24;

/// A MARC leader: exactly 24 bytes, stored verbatim.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Leader([u8; LEADER_LEN]);

impl Default for Leader {
    /// The leader pymarc gives a new record: `"          22        4500"`.
    fn default() -> Self {
        let mut b = [b' '; LEADER_LEN];
        b[10] = b'2';
        b[11] = b'2';
        b[20..24].copy_from_slice(b"4500");
        Leader(b)
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
}

impl Leader {
    /// Takes exactly 24 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; LEADER_LEN] = bytes.try_into().map_err(|_| {
            Error::new(
                ErrorKind::Leader,
                format!("a leader is 24 bytes, got {}", bytes.len()),
            )
        })?;
        Ok(Leader(arr))
    }

    /// Builds a leader from text of any length: shorter text is padded with
    /// blanks, longer is cut (lenient readers of MARCXML and JSON use this).
    pub fn from_str_lossy(text: &str) -> Self {
        let mut b = [b' '; LEADER_LEN];
        for (dst, src) in b.iter_mut().zip(text.bytes()) {
            *dst = src;
        }
        Leader(b)
    }

    pub fn as_bytes(&self) -> &[u8; LEADER_LEN] {
        &self.0
    }

    pub fn as_bytes_mut(&mut self) -> &mut [u8; LEADER_LEN] {
        &mut self.0
    }

    /// The leader as text; bytes outside ASCII are shown as U+FFFD.
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// Byte at a position (0-23).
    pub fn get(&self, pos: usize) -> u8 {
        self.0[pos]
    }

    /// Sets the byte at a position (0-23).
    pub fn set(&mut self, pos: usize, value: u8) {
        self.0[pos] = value;
    }

    /// Leader/00-04 as a number, if it is five digits.
    pub fn record_length(&self) -> Option<u32> {
        digits(&self.0[0..5])
    }
    pub fn set_record_length(&mut self, len: u32) {
        write_digits(&mut self.0[0..5], len);
    }
    /// 05 - Record status (a, c, d, n, p).
    pub fn record_status(&self) -> u8 {
        self.0[5]
    }
    /// 06 - Type of record (a = language material, c = notated music, ...).
    pub fn type_of_record(&self) -> u8 {
        self.0[6]
    }
    /// 07 - Bibliographic level (a, b, c, d, i, m, s).
    pub fn bibliographic_level(&self) -> u8 {
        self.0[7]
    }
    /// 08 - Type of control (blank or a).
    pub fn type_of_control(&self) -> u8 {
        self.0[8]
    }
    /// 09 - Character coding scheme (blank = MARC-8, a = UCS/Unicode).
    pub fn character_coding_scheme(&self) -> u8 {
        self.0[9]
    }
    /// True when leader/09 declares UTF-8.
    pub fn is_unicode(&self) -> bool {
        self.0[9] == b'a'
    }
    /// 10 - Indicator count (2 in MARC 21; generic ISO 2709 may say 0-9).
    pub fn indicator_count(&self) -> Option<u8> {
        self.0[10].is_ascii_digit().then(|| self.0[10] - b'0')
    }
    /// 11 - Subfield code count: the delimiter plus the code (2 in MARC 21).
    pub fn subfield_code_count(&self) -> Option<u8> {
        self.0[11].is_ascii_digit().then(|| self.0[11] - b'0')
    }
    /// 12-16 - Base address of data, if it is five digits.
    pub fn base_address(&self) -> Option<u32> {
        digits(&self.0[12..17])
    }
    pub fn set_base_address(&mut self, addr: u32) {
        write_digits(&mut self.0[12..17], addr);
    }
    /// 17 - Encoding level.
    pub fn encoding_level(&self) -> u8 {
        self.0[17]
    }
    /// 18 - Descriptive cataloging form.
    pub fn cataloging_form(&self) -> u8 {
        self.0[18]
    }
    /// 19 - Multipart resource record level.
    pub fn multipart_resource_record_level(&self) -> u8 {
        self.0[19]
    }
    /// 20 - Length of the length-of-field portion of a directory entry (4).
    pub fn length_of_field_length(&self) -> Option<u8> {
        self.0[20].is_ascii_digit().then(|| self.0[20] - b'0')
    }
    /// 21 - Length of the starting-character-position portion (5).
    pub fn length_of_starting_position(&self) -> Option<u8> {
        self.0[21].is_ascii_digit().then(|| self.0[21] - b'0')
    }
    /// 22 - Length of the implementation-defined portion (0).
    pub fn length_of_implementation_defined(&self) -> Option<u8> {
        self.0[22].is_ascii_digit().then(|| self.0[22] - b'0')
    }
    /// 23 - Undefined (0).
    pub fn undefined(&self) -> u8 {
        self.0[23]
    }
}

/// Writes `value` as zero-padded decimal into `dst`, saturating at all nines.
pub(crate) fn write_digits(dst: &mut [u8], value: u32) {
    let mut v = value.min(10u32.saturating_pow(dst.len() as u32).saturating_sub(1));
    for d in dst.iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

impl fmt::Display for Leader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl fmt::Debug for Leader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Leader({:?})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_positions_of_a_real_leader() {
        // Leader of pymarc's test/marc.dat record.
        let l = Leader::from_bytes(b"00755cam  22002414a 4500").unwrap();
        assert_eq!(l.record_length(), Some(755));
        assert_eq!(l.record_status(), b'c');
        assert_eq!(l.type_of_record(), b'a');
        assert_eq!(l.bibliographic_level(), b'm');
        assert_eq!(l.indicator_count(), Some(2));
        assert_eq!(l.subfield_code_count(), Some(2));
        assert_eq!(l.base_address(), Some(241));
        assert_eq!(l.encoding_level(), b'4');
        assert_eq!(l.cataloging_form(), b'a');
        assert!(!l.is_unicode());
    }

    #[test]
    fn junk_is_kept_and_reported_as_none() {
        let l = Leader::from_bytes(b"0x755cam  2x0a2414a 4500").unwrap();
        assert_eq!(l.record_length(), None);
        assert_eq!(l.subfield_code_count(), None);
        assert_eq!(l.base_address(), None);
        assert_eq!(&l.as_bytes()[..], b"0x755cam  2x0a2414a 4500");
    }

    #[test]
    fn setters_pad_with_zeros() {
        let mut l = Leader::default();
        l.set_record_length(42);
        l.set_base_address(123_456);
        assert_eq!(&l.as_bytes()[0..5], b"00042");
        assert_eq!(&l.as_bytes()[12..17], b"99999");
        assert!(Leader::from_bytes(b"short").is_err());
    }
}
