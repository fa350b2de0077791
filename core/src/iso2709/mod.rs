//! ISO 2709 (MARC 21 transmission format): a streaming reader, one-record
//! parsing, and a writer.
//!
//! The reader keeps one buffer, reads the input in chunks and never holds more
//! than the record at hand (plus a chunk). Records are framed by their leader
//! length when it ends on the record terminator, else by the terminator (see
//! `frame`); filler bytes between records (NUL, CR, LF, blank, Ctrl-Z) are
//! skipped.
//!
//! Error kinds for the defects a record can have:
//!
//! | defect | kind |
//! |---|---|
//! | record length not digits, below 24, or disagreeing with the terminator | `RecordLength` |
//! | leader value not MARC 21 (strict only) | `Leader` |
//! | base address not digits, too small, or past the record | `BaseAddress` |
//! | directory not terminated, not whole entries, non-digit numbers, a field past the data or not ending with 0x1E | `Directory` |
//! | a tag that is not three ASCII letters or digits (non-ASCII included) | `Tag` |
//! | end of input inside a record | `Truncated` |
//! | no record terminator where the length says and no other one | `MissingTerminator` |
//! | missing, extra or invalid indicators | `Indicator` |
//! | data before the first delimiter, empty or non-printable subfield code | `Subfield` |
//! | invalid UTF-8 / legacy bytes | `Encoding` (MARC-8: `Marc8`) |
//! | a directory with no entries | `NoFields` |
//!
//! Positions: `record_index` counts records (good or bad) from 0 and
//! `byte_offset` is absolute in the input: the defect's byte where known, else
//! the record's first byte.

mod frame;
pub(crate) mod parse;
mod write;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result, Warning};
use crate::leader::LEADER_LEN;
use crate::options::{Mode, ReadOptions};
use crate::record::Record;
use crate::view::RecordView;

pub(crate) use frame::{declared_length, frame, frame_resuming, Defect, Frame, Framing, Searched};
pub(crate) use parse::Group;
pub use write::{write_record, MarcWriter, WriteCharset, WriteOptions};

/// Ends a record.
pub const RECORD_TERMINATOR: u8 = 0x1D;
/// Ends the directory and each field.
pub const FIELD_TERMINATOR: u8 = 0x1E;
/// Starts each subfield.
pub const SUBFIELD_DELIMITER: u8 = 0x1F;

/// Parses one framed record: strict mode errors, lenient mode recovers.
/// Errors carry offsets relative to the frame's first byte.
pub(crate) fn parse_frame(
    bytes: &[u8],
    defect: Option<Defect>,
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Record> {
    parse_frame_in(bytes, defect, options, warnings, None)
}

/// [`parse_frame_in`] for record number `index`, which starts `start` bytes
/// into the input: its error and its warnings carry that index and absolute
/// offsets (every reader places them so).
pub(crate) fn parse_frame_at(
    bytes: &[u8],
    defect: Option<Defect>,
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
    group: Option<&mut parse::Group>,
    index: u64,
    start: u64,
) -> Result<Record> {
    let result = parse_frame_in(bytes, defect, options, warnings, group)
        .map_err(|e| e.with_record(index).shifted(start));
    crate::error::place_warnings(warnings, index, start);
    result
}

/// [`parse_frame`]; a clean record goes into `group` (when given) and comes
/// back without fields, which [`parse::Group::finish`] gives.
pub(crate) fn parse_frame_in(
    bytes: &[u8],
    defect: Option<Defect>,
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
    group: Option<&mut parse::Group>,
) -> Result<Record> {
    let lenient = options.mode == Mode::Lenient;
    let mut ctx = parse::Context::default();
    match defect {
        None => {}
        Some(Defect::Truncated { .. }) => {
            // Report an earlier defect in the bytes that are there, if any.
            ctx.truncated = true;
            let strict = ReadOptions {
                mode: Mode::Strict,
                ..*options
            };
            let mut scratch = Vec::new();
            return match parse::parse(bytes, &strict, &mut scratch, ctx, None) {
                Err(e) => Err(e),
                Ok(_) => Err(defect.expect("a defect").to_error(bytes.len())),
            };
        }
        Some(d) if d.recoverable(lenient) && bytes.len() > LEADER_LEN => {
            if let Defect::Oversize { .. } = d {
                ctx.oversize = true;
            }
            warnings.push(d.to_error(bytes.len()).into());
        }
        Some(d) => return Err(d.to_error(bytes.len())),
    }
    parse::parse(bytes, options, warnings, ctx, group)
}

/// Parses one record from a slice holding exactly that record (a trailing
/// record terminator expected).
pub fn parse_record(bytes: &[u8], options: &ReadOptions) -> Result<Record> {
    let mut warnings = Vec::new();
    parse_record_with_warnings(bytes, options, &mut warnings)
}

/// [`parse_record`], collecting what lenient mode repaired.
pub fn parse_record_with_warnings(
    bytes: &[u8],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Record> {
    let defect = slice_defect(bytes);
    parse_frame(bytes, defect, options, warnings)
}

/// What framing would say about a slice taken as one whole record.
fn slice_defect(bytes: &[u8]) -> Option<Defect> {
    let declared = bytes
        .get(..5)
        .filter(|d| d.iter().all(u8::is_ascii_digit))
        .map(|d| {
            d.iter()
                .fold(0usize, |n, &c| n * 10 + usize::from(c - b'0'))
        });
    let terminated = bytes.last() == Some(&RECORD_TERMINATOR);
    match declared {
        None if bytes.len() < 5 => Some(Defect::Truncated { declared: None }),
        None => Some(Defect::LengthNotDigits),
        Some(n) if n < LEADER_LEN => Some(Defect::LengthTooSmall(n)),
        Some(n) if n == bytes.len() && terminated => None,
        Some(n) if !terminated && bytes.len() < n => Some(Defect::Truncated { declared: Some(n) }),
        Some(n) if !terminated => Some(Defect::MissingTerminator { declared: n }),
        Some(n) if bytes.len() >= 100_000 => Some(Defect::Oversize { declared: n }),
        Some(n) => Some(Defect::LengthMismatch { declared: n }),
    }
}

const CHUNK: usize = 256 << 10;

/// Reads ISO 2709 records from a byte stream, one at a time.
///
/// Iteration yields `Ok(record)` or `Err(error)` per record; an error does not
/// end iteration (the next record follows), except an I/O error, after which
/// the reader stops.
pub struct MarcReader<R: Read> {
    inner: R,
    options: ReadOptions,
    /// Input in `buf[..filled]`; the rest is room for the next read, zeroed
    /// once when the buffer grows rather than before every read.
    buf: Vec<u8>,
    filled: usize,
    /// Start of unread data in `buf`.
    pos: usize,
    /// Absolute input offset of `buf[0]`.
    buf_offset: u64,
    eof: bool,
    failed: bool,
    last: std::ops::Range<usize>,
    warnings: Vec<Warning>,
    records_read: u64,
    /// What framing learnt of the bytes from `pos` while waiting for more.
    searched: Searched,
}

impl<R: Read> MarcReader<R> {
    pub fn new(inner: R, options: ReadOptions) -> Self {
        MarcReader {
            inner,
            options,
            buf: Vec::new(),
            filled: 0,
            pos: 0,
            buf_offset: 0,
            eof: false,
            failed: false,
            last: 0..0,
            warnings: Vec::new(),
            records_read: 0,
            searched: Searched::default(),
        }
    }

    /// What lenient mode repaired in the record last returned (and, in either
    /// mode, notes such as a record framed by its terminator).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The raw bytes of the record (or bad chunk) last returned.
    pub fn last_record_bytes(&self) -> &[u8] {
        &self.buf[self.last.clone()]
    }

    /// Records, good or bad, returned so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Input offset where the next record will be looked for.
    pub fn byte_offset(&self) -> u64 {
        self.buf_offset + self.pos as u64
    }

    /// Input offset of the record (or bad chunk) last returned.
    pub fn last_record_offset(&self) -> u64 {
        self.byte_offset()
            .saturating_sub(self.last_record_bytes().len() as u64)
    }

    pub fn options(&self) -> &ReadOptions {
        &self.options
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads more input. Returns false at end of input.
    fn fill(&mut self) -> std::io::Result<bool> {
        // Drop what was consumed once it is most of the buffer.
        if self.pos > 0 && self.pos >= self.filled / 2 {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.buf_offset += self.pos as u64;
            self.last = 0..0;
            self.pos = 0;
        }
        let want = CHUNK.max(self.filled - self.pos);
        if self.buf.len() < self.filled + want {
            self.buf.resize(self.filled + want, 0);
        }
        loop {
            match self
                .inner
                .read(&mut self.buf[self.filled..self.filled + want])
            {
                Ok(n) => {
                    self.filled += n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

impl MarcReader<BufReader<File>> {
    /// Opens a file for reading.
    pub fn open(path: impl AsRef<Path>, options: ReadOptions) -> Result<Self> {
        let file = crate::error::open_file(path.as_ref())?;
        Ok(MarcReader::new(BufReader::with_capacity(0, file), options))
    }
}

impl<R: Read> Iterator for MarcReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.failed {
            return None;
        }
        let frame = loop {
            match frame_resuming(
                &self.buf[..self.filled],
                self.pos,
                self.eof,
                &mut self.searched,
            ) {
                Framing::NeedMore => match self.fill() {
                    Ok(more) => self.eof = !more,
                    Err(e) => {
                        self.failed = true;
                        let index = self.records_read;
                        return Some(Err(Error::from(e)
                            .with_record(index)
                            .with_offset(self.byte_offset())));
                    }
                },
                Framing::End => {
                    self.pos = self.filled;
                    return None;
                }
                Framing::Frame(f) => break f,
            }
        };
        self.searched = Searched::default();
        let range = frame.range.clone();
        let result = parse_next(
            &self.buf,
            frame,
            self.buf_offset,
            &self.options,
            &mut self.warnings,
            &mut self.records_read,
        );
        self.pos = range.end;
        self.last = range;
        Some(result)
    }
}

/// Parses the framed record of `buf` (whose first byte is at input offset
/// `base`) as record number `records_read`, and counts it: what both readers
/// do once a record is framed.
fn parse_next(
    buf: &[u8],
    Frame { range, defect }: Frame,
    base: u64,
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
    records_read: &mut u64,
) -> Result<Record> {
    let index = *records_read;
    *records_read += 1;
    warnings.clear();
    let start = base + range.start as u64;
    parse_frame_at(&buf[range], defect, options, warnings, None, index, start)
}

/// Reads ISO 2709 records from bytes already in memory, in place.
///
/// The same records, errors, warnings and positions as [`MarcReader`] over
/// the same bytes, without copying the input into a reader's buffer first,
/// and with the bytes a couple of records ahead prefetched while a record is
/// parsed (see `prefetch`): 10-15% less CPU time than `MarcReader` over the
/// same slice for the LoC file (`bench/README.md`, session 5). Use it when
/// the input is a byte slice (a file read or mapped whole); [`MarcReader`]
/// streams from any [`Read`].
///
/// ```
/// use mrrc_core::iso2709::{MarcReader, SliceReader};
/// use mrrc_core::ReadOptions;
///
/// let bytes = std::fs::read("tests/data/marc4j_pride_and_prejudice_fixed.mrc").unwrap();
/// let in_place: Vec<_> = SliceReader::new(&bytes, ReadOptions::strict()).collect();
/// let streamed: Vec<_> = MarcReader::new(&bytes[..], ReadOptions::strict()).collect();
/// assert!(in_place.len() > 1);
/// assert_eq!(in_place, streamed);
/// ```
pub struct SliceReader<B> {
    /// The input: a slice, or anything that holds the bytes (`Vec<u8>`,
    /// `Box<[u8]>`, ...), so a reader can own what it reads.
    bytes: B,
    options: ReadOptions,
    /// Where the next record will be looked for.
    pos: usize,
    last: std::ops::Range<usize>,
    warnings: Vec<Warning>,
    records_read: u64,
    /// [`SliceReader::next_checked`]'s scratch.
    checker: parse::Group,
}

impl<B: AsRef<[u8]>> SliceReader<B> {
    pub fn new(bytes: B, options: ReadOptions) -> Self {
        SliceReader {
            bytes,
            options,
            pos: 0,
            last: 0..0,
            warnings: Vec::new(),
            records_read: 0,
            checker: parse::Group::checking(),
        }
    }

    /// What lenient mode repaired in the record last returned (and, in either
    /// mode, notes such as a record framed by its terminator).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The next record as [`Iterator::next`] gives it, except that a record
    /// that reads cleanly (nothing to repair or report, the usual case) is
    /// checked without being built: `Ok(None)`, its bytes then being
    /// [`SliceReader::last_record_bytes`], which [`parse_record`] reads
    /// into the same record. Every check of the full parse is made (the
    /// same errors, warnings, indexes and offsets); for a reader that keeps
    /// bytes and builds records later, at about 80% of the full parse's
    /// cost (no allocation, no copy: `workload_loop FILE 5 check` against
    /// `... core`, LoC file, 131-139 against 163-177 ms of thread CPU a
    /// pass, session 9).
    pub fn next_checked(&mut self) -> Option<Result<Option<Record>>> {
        let framed = self.next_frame()?;
        let bytes = self.bytes.as_ref();
        let range = framed.range.clone();
        let index = self.records_read;
        self.records_read += 1;
        self.warnings.clear();
        let before = self.checker.checked();
        let result = parse_frame_at(
            &bytes[range.clone()],
            framed.defect,
            &self.options,
            &mut self.warnings,
            Some(&mut self.checker),
            index,
            range.start as u64,
        );
        self.pos = range.end;
        self.last = range.clone();
        let result = match result {
            Ok(_) if self.checker.checked() > before && self.warnings.is_empty() => Ok(None),
            // Clean, but with notes from framing: built, as `next` would.
            Ok(_) if self.checker.checked() > before => {
                self.warnings.clear();
                parse_frame_at(
                    &bytes[range.clone()],
                    framed.defect,
                    &self.options,
                    &mut self.warnings,
                    None,
                    index,
                    range.start as u64,
                )
                .map(Some)
            }
            other => other.map(Some),
        };
        Some(result)
    }

    /// The next record's frame, with the bytes a couple of records ahead
    /// prefetched; `None` (and the input used up) at its end. The whole
    /// input is here, so framing never asks for more.
    #[inline]
    fn next_frame(&mut self) -> Option<Frame> {
        let bytes = self.bytes.as_ref();
        let Framing::Frame(framed) = frame(bytes, self.pos, true) else {
            self.pos = bytes.len();
            return None;
        };
        crate::prefetch::prefetch_ahead(bytes, framed.range.clone());
        crate::prefetch::prefetch_record_end(bytes, framed.range.end);
        Some(framed)
    }

    /// The raw bytes of the record (or bad chunk) last returned.
    pub fn last_record_bytes(&self) -> &[u8] {
        &self.bytes.as_ref()[self.last.clone()]
    }

    /// Records, good or bad, returned so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Input offset where the next record will be looked for.
    pub fn byte_offset(&self) -> u64 {
        self.pos as u64
    }

    /// Input offset of the record (or bad chunk) last returned.
    pub fn last_record_offset(&self) -> u64 {
        self.byte_offset()
            .saturating_sub(self.last_record_bytes().len() as u64)
    }

    pub fn options(&self) -> &ReadOptions {
        &self.options
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> SliceReader<&'a T> {
    /// The next record as a borrowed [`RecordView`] of its bytes: framed as
    /// the reader frames records (filler skipped, a length that lies
    /// overruled by the terminator, with the same warnings), its leader and
    /// directory checked (`RecordView::parse`), nothing copied or decoded;
    /// and the bytes a couple of records ahead prefetched, as for a full
    /// parse. The way to walk a buffer for a few fields of each record:
    /// over the LoC file, 2.1x as fast as a loop of `RecordView::parse`
    /// over the same records, where each record's leader and directory end
    /// are waited for from memory (19.4 against 40.7 ms a pass, medians of
    /// seven alternating rounds of `workload_loop FILE 5 view` and
    /// `... view-parse-loop`, session 12). A frame the reader would
    /// reject, or a view `RecordView::parse` rejects, is an error with the
    /// record's index and offset; the walk goes on after it. The view
    /// borrows the input, not the reader (which can be asked for offsets
    /// meanwhile): hence only for a reader over borrowed bytes.
    ///
    /// ```
    /// use mrrc_core::iso2709::SliceReader;
    /// use mrrc_core::ReadOptions;
    ///
    /// let bytes = std::fs::read("tests/data/marc4j_pride_and_prejudice_fixed.mrc").unwrap();
    /// let mut reader = SliceReader::new(&bytes, ReadOptions::strict());
    /// let mut titles = 0;
    /// while let Some(view) = reader.next_view() {
    ///     titles += usize::from(view.unwrap().get("245").unwrap().is_some());
    /// }
    /// assert!(titles > 1);
    /// ```
    pub fn next_view(&mut self) -> Option<Result<RecordView<'a>>> {
        let framed = self.next_frame()?;
        let range = framed.range.clone();
        let index = self.records_read;
        self.records_read += 1;
        self.pos = range.end;
        self.last = range.clone();
        self.warnings.clear();
        let input: &'a T = self.bytes;
        let bytes = &input.as_ref()[range.clone()];
        let lenient = self.options.mode == Mode::Lenient;
        let result = match framed.defect {
            None => RecordView::parse(bytes),
            Some(d) if d.recoverable(lenient) && bytes.len() > LEADER_LEN => {
                self.warnings.push(d.to_error(bytes.len()).into());
                RecordView::parse(bytes)
            }
            // A frame the reader rejects (rare): the full parse's error, as
            // it may find a defect in the bytes that are there first.
            Some(d) => Err(
                parse_frame_in(bytes, Some(d), &self.options, &mut self.warnings, None)
                    .err()
                    .unwrap_or_else(|| d.to_error(bytes.len())),
            ),
        };
        crate::error::place_warnings(&mut self.warnings, index, range.start as u64);
        Some(result.map_err(|e| e.with_record(index).shifted(range.start as u64)))
    }
}

impl<B: AsRef<[u8]>> Iterator for SliceReader<B> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        let framed = self.next_frame()?;
        let bytes = self.bytes.as_ref();
        let range = framed.range.clone();
        let result = parse_next(
            bytes,
            framed,
            0,
            &self.options,
            &mut self.warnings,
            &mut self.records_read,
        );
        self.pos = range.end;
        self.last = range;
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::field::{Field, Indicators};

    fn sample() -> Record {
        let mut r = Record::new();
        r.add_field(Field::control("001", "123"));
        r.add_field(Field::data(
            "245",
            Indicators::new('1', '0'),
            [('a', "Title :"), ('b', "sub é")],
        ));
        r
    }

    #[test]
    fn writes_and_reads_back() {
        let mut out = Vec::new();
        write_record(&sample(), &WriteOptions::default(), &mut out).unwrap();
        let back = parse_record(&out, &ReadOptions::strict()).unwrap();
        assert_eq!(back.fields(), sample().fields());
        let mut again = Vec::new();
        write_record(&back, &WriteOptions::default(), &mut again).unwrap();
        assert_eq!(out, again);
    }

    #[test]
    fn reader_continues_after_a_bad_record() {
        let mut one = Vec::new();
        write_record(&sample(), &WriteOptions::default(), &mut one).unwrap();
        let mut input = one.clone();
        input.extend_from_slice(b"XXXXX junk\x1d");
        input.extend_from_slice(&one);
        let got: Vec<_> = MarcReader::new(&input[..], ReadOptions::strict()).collect();
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[2].is_ok());
        let e = got[1].as_ref().unwrap_err();
        assert_eq!(e.kind, ErrorKind::RecordLength);
        assert_eq!(e.position.record_index, Some(1));
        assert_eq!(e.position.byte_offset, Some(one.len() as u64));
    }
}
