//! Finding where each record starts and ends in a byte stream.
//!
//! The leader's record length is trusted when the byte it points at is the
//! record terminator (0x1D), which is the case for nearly every record. When
//! they disagree the terminator wins (found with memchr), because lengths lie
//! (records over 99,999 bytes cannot state theirs) while a 0x1D never occurs
//! inside field data. The same framing serves the streaming reader, the
//! parallel splitter and the view, so all three agree on record boundaries and
//! record indexes.

use std::ops::Range;

use crate::error::{Error, ErrorKind};

use super::{FIELD_TERMINATOR, RECORD_TERMINATOR};

/// Bytes that some producers put between records: NUL, line ends, blanks and
/// the DOS end-of-file mark (Ctrl-Z).
pub(crate) fn is_filler(b: u8) -> bool {
    matches!(b, 0 | b'\n' | b'\r' | b' ' | 0x1A)
}

/// The longest record looked for: without a terminator within this many bytes
/// the reader gives up on the record instead of buffering the whole input.
pub(crate) const MAX_RECORD_LEN: usize = 64 << 20;

/// Why a frame is not a clean `length = terminator` record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Defect {
    /// Leader/00-04 are not five digits.
    LengthNotDigits,
    /// Leader/00-04 say less than a leader.
    LengthTooSmall(usize),
    /// The record is 100,000 bytes or more, so its length cannot be stated;
    /// framed by its terminator.
    Oversize { declared: usize },
    /// The byte at the declared length is not 0x1D and no terminator follows
    /// before the next record (or the end of input).
    MissingTerminator { declared: usize },
    /// The terminator is elsewhere than the declared length says.
    LengthMismatch { declared: usize },
    /// The input ends inside the record.
    Truncated { declared: Option<usize> },
    /// No terminator within [`MAX_RECORD_LEN`] bytes.
    NoTerminatorWithinLimit,
}

impl Defect {
    /// True when lenient mode can parse the frame anyway (strict mode can for
    /// oversize records only, as their lengths cannot be right).
    pub(crate) fn recoverable(self, lenient: bool) -> bool {
        match self {
            Defect::Oversize { .. } => true,
            Defect::Truncated { .. } | Defect::NoTerminatorWithinLimit => false,
            _ => lenient,
        }
    }

    /// The defect as an error, relative to the record start.
    pub(crate) fn to_error(self, frame_len: usize) -> Error {
        match self {
            Defect::LengthNotDigits => Error::new(
                ErrorKind::RecordLength,
                "record length (leader/00-04) is not five digits",
            ),
            Defect::LengthTooSmall(n) => Error::new(
                ErrorKind::RecordLength,
                format!("record length {n} is shorter than the 24-byte leader"),
            ),
            Defect::Oversize { declared } => Error::new(
                ErrorKind::RecordLength,
                format!(
                    "record is {frame_len} bytes, more than ISO 2709 can state \
                     (leader says {declared}); framed by its record terminator"
                ),
            ),
            Defect::MissingTerminator { declared } => Error::new(
                ErrorKind::MissingTerminator,
                format!(
                    "no record terminator (0x1D) at the end of the {declared} bytes \
                     the leader gives"
                ),
            )
            .with_offset(declared.saturating_sub(1) as u64),
            Defect::LengthMismatch { declared } => Error::new(
                ErrorKind::RecordLength,
                format!(
                    "leader says the record is {declared} bytes but its terminator \
                     ends it after {frame_len}"
                ),
            ),
            Defect::Truncated { declared } => Error::new(
                ErrorKind::Truncated,
                match declared {
                    Some(d) => {
                        format!("input ends after {frame_len} of the {d} bytes the leader gives")
                    }
                    None => format!("input ends after {frame_len} bytes of a record"),
                },
            )
            .with_offset(frame_len as u64),
            Defect::NoTerminatorWithinLimit => Error::new(
                ErrorKind::RecordLength,
                format!("no record terminator within {MAX_RECORD_LEN} bytes"),
            ),
        }
    }
}

/// One record's bytes in the buffer, and what was wrong with its framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frame {
    pub range: Range<usize>,
    pub defect: Option<Defect>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Framing {
    /// More input is needed to decide (only when not at end of input).
    NeedMore,
    /// Nothing but filler is left.
    End,
    Frame(Frame),
}

fn five_digits(b: &[u8]) -> Option<usize> {
    let d = b.get(..5)?;
    if !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        d.iter()
            .fold(0usize, |n, &c| n * 10 + usize::from(c - b'0')),
    )
}

/// The record length the leader at `pos` declares, if five digits.
pub(crate) fn declared_length(buf: &[u8], pos: usize) -> Option<usize> {
    five_digits(buf.get(pos..)?)
}

/// True when `buf[at..]` plausibly starts a record (after filler), or is the
/// end of input. `None` when more input is needed to tell.
fn next_record_starts_at(buf: &[u8], at: usize, eof: bool) -> Option<bool> {
    let mut i = at;
    while i < buf.len() && is_filler(buf[i]) {
        i += 1;
    }
    if buf.len() < i + 5 {
        return if eof { Some(i >= buf.len()) } else { None };
    }
    // Five digits, then something other than digits where the status, type
    // and level letters are (a run of directory digits is not a record).
    Some(
        five_digits(&buf[i..]).is_some()
            && !buf[i + 5..(i + 10).min(buf.len())]
                .iter()
                .all(u8::is_ascii_digit),
    )
}

/// Frames the record that starts at or after `pos` (filler skipped).
pub(crate) fn frame(buf: &[u8], pos: usize, eof: bool) -> Framing {
    frame_resuming(buf, pos, eof, &mut Searched::default())
}

/// What earlier [`frame_resuming`] calls that asked for more input learnt
/// of the bytes after `pos`, which stay as they were while input is only
/// appended: without it, a source that hands out a few bytes per read made
/// each call search the whole undecided record again (quadratic in its
/// length, up to [`MAX_RECORD_LEN`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Searched {
    /// Bytes from `pos` known to be filler.
    filler: usize,
    /// Bytes from the record's start known to hold no record terminator.
    no_terminator: usize,
}

/// [`frame`] for a caller that calls again with more input appended (and
/// `pos` unchanged) after [`Framing::NeedMore`], keeping `searched` between
/// calls and resetting it whenever `pos` moves on.
pub(crate) fn frame_resuming(
    buf: &[u8],
    pos: usize,
    eof: bool,
    searched: &mut Searched,
) -> Framing {
    let mut start = pos + searched.filler.min(buf.len().saturating_sub(pos));
    while start < buf.len() && is_filler(buf[start]) {
        start += 1;
    }
    searched.filler = start - pos;
    if start >= buf.len() {
        return if eof { Framing::End } else { Framing::NeedMore };
    }
    let avail = buf.len() - start;
    if avail < 5 {
        if !eof {
            return Framing::NeedMore;
        }
        return framed(start, buf.len(), Some(Defect::Truncated { declared: None }));
    }
    let declared = match five_digits(&buf[start..]) {
        Some(n) if n < 24 => Err(Defect::LengthTooSmall(n)),
        Some(n) => Ok(n),
        None => Err(Defect::LengthNotDigits),
    };
    if let Ok(len) = declared {
        if avail >= len && buf[start + len - 1] == RECORD_TERMINATOR {
            return framed(start, start + len, None);
        }
        if avail < len && !eof {
            return Framing::NeedMore;
        }
    }
    let search_end = buf.len().min(start.saturating_add(MAX_RECORD_LEN));
    let known = searched.no_terminator.min(search_end - start);
    let terminator =
        memchr::memchr(RECORD_TERMINATOR, &buf[start + known..search_end]).map(|t| t + known);
    let Some(t) = terminator else {
        if !eof && search_end == buf.len() {
            searched.no_terminator = search_end - start;
            return Framing::NeedMore;
        }
        return match declared {
            // All the declared bytes are there but no terminator anywhere.
            Ok(len) if avail >= len => framed(
                start,
                start + len,
                Some(Defect::MissingTerminator { declared: len }),
            ),
            Ok(len) if search_end == buf.len() => framed(
                start,
                buf.len(),
                Some(Defect::Truncated {
                    declared: Some(len),
                }),
            ),
            Err(_) if search_end == buf.len() => {
                framed(start, buf.len(), Some(Defect::Truncated { declared: None }))
            }
            _ => framed(start, search_end, Some(Defect::NoTerminatorWithinLimit)),
        };
    };
    let end = start + t + 1;
    let by_terminator = end - start;
    match declared {
        Err(defect) => framed(start, end, Some(defect)),
        Ok(len) if by_terminator > len => {
            // The terminator lies past the declared length: either the length
            // is wrong (oversize records) or this record lost its terminator
            // and the next record begins right at the declared length.
            if by_terminator >= 100_000 && (len == 99_999 || len == by_terminator % 100_000) {
                return framed(start, end, Some(Defect::Oversize { declared: len }));
            }
            match next_record_starts_at(buf, start + len, eof) {
                None => Framing::NeedMore,
                Some(true) => framed(
                    start,
                    start + len,
                    Some(Defect::MissingTerminator { declared: len }),
                ),
                Some(false) if by_terminator >= 100_000 => {
                    framed(start, end, Some(Defect::Oversize { declared: len }))
                }
                Some(false) => framed(start, end, Some(Defect::LengthMismatch { declared: len })),
            }
        }
        Ok(len) => framed(start, end, Some(Defect::LengthMismatch { declared: len })),
    }
}

fn framed(start: usize, end: usize, defect: Option<Defect>) -> Framing {
    Framing::Frame(Frame {
        range: start..end,
        defect,
    })
}

/// Where the directory ends: the first field terminator after the leader.
pub(crate) fn find_directory_end(record: &[u8]) -> Option<usize> {
    record
        .get(24..)
        .and_then(|rest| memchr::memchr(FIELD_TERMINATOR, rest))
        .map(|i| 24 + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(len_field: &str, body_len: usize) -> Vec<u8> {
        let mut v = len_field.as_bytes().to_vec();
        v.resize(body_len - 1, b'x');
        v.push(RECORD_TERMINATOR);
        v
    }

    #[test]
    fn trusts_a_length_that_ends_on_a_terminator() {
        let r = rec("00030", 30);
        assert_eq!(
            frame(&r, 0, true),
            Framing::Frame(Frame {
                range: 0..30,
                defect: None
            })
        );
    }

    #[test]
    fn waits_for_more_input_before_deciding() {
        let r = rec("00030", 30);
        assert_eq!(frame(&r[..20], 0, false), Framing::NeedMore);
        assert_eq!(frame(b"  \n", 0, false), Framing::NeedMore);
        assert_eq!(frame(b"  \n\x1a", 0, true), Framing::End);
    }

    #[test]
    fn terminator_wins_over_a_lying_length() {
        let mut r = rec("00030", 40);
        r.extend(rec("00030", 30));
        match frame(&r, 0, true) {
            Framing::Frame(f) => {
                assert_eq!(f.range, 0..40);
                assert_eq!(f.defect, Some(Defect::LengthMismatch { declared: 30 }));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_terminator_when_next_record_follows() {
        let mut r = rec("00030", 30);
        r[29] = b'x';
        r.extend(rec("00030", 30));
        match frame(&r, 0, true) {
            Framing::Frame(f) => {
                assert_eq!(f.range, 0..30);
                assert_eq!(f.defect, Some(Defect::MissingTerminator { declared: 30 }));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn truncated_at_end_of_input() {
        let r = rec("00300", 30);
        match frame(&r[..29], 0, true) {
            Framing::Frame(f) => assert_eq!(
                f.defect,
                Some(Defect::Truncated {
                    declared: Some(300)
                })
            ),
            other => panic!("{other:?}"),
        }
    }
}
