//! Split views: a record's text pieces joined by a separator byte that no
//! piece contains, written into the caller's buffers in one call. A binding
//! whose strings are cheap to make by splitting (Python's `str.split`) gets
//! every tag, value, indicator and subfield of a record with one crossing,
//! one decode and one split, and no offsets to slice by.

use mrrc_core::{Field, Record};

use std::ffi::c_char;

use crate::args::{c_text, code_point, out_ptr, write};
use crate::record::{record_handles, record_ref, record_refs, MrrcRecord};
use crate::status::{status_of, Failure, MrrcStatus, Outcome};

/// The sizes of a split view: what `mrrc_record_split` wrote, or, when it
/// returns `MRRC_BUFFER_TOO_SMALL`, what it needs.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MrrcSplit {
    /// Bytes of UTF-8 text (the pieces and the separators between them).
    pub text_len: usize,
    /// The byte between pieces (ASCII), found in no piece.
    pub separator: u8,
    /// Fields: entries of `kinds`.
    pub field_count: usize,
    /// Data fields (those with indicators and subfields).
    pub data_field_count: usize,
    /// Subfields of all data fields.
    pub subfield_count: usize,
    /// Pieces in the text (one more than the separators in it, or 0).
    pub piece_count: usize,
}

/// `code` for `mrrc_record_split_values`: each field's `value()` rather
/// than the values of one subfield code.
pub const MRRC_NO_CODE: u32 = 4294967295;

/// Separators tried in turn: the MARC delimiters first (they cannot occur in
/// the values of a record read from ISO 2709), then every other ASCII byte.
const SEPARATORS: [u8; 3] = [0x1f, 0x1e, 0x1d];

/// Where the pieces go: the caller's buffer while they fit, and the count
/// of bytes they need either way (or, when looking for a separator, only
/// which ASCII bytes they hold).
struct Sink<'a> {
    text: &'a mut [u8],
    separator: u8,
    /// Bytes needed so far.
    len: usize,
    pieces: usize,
    present: Option<[bool; 128]>,
}

impl<'a> Sink<'a> {
    fn new(text: &'a mut [u8], separator: u8) -> Self {
        Sink {
            text,
            separator,
            len: 0,
            pieces: 0,
            present: None,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.begin();
        self.extend(bytes);
    }

    /// Starts a piece, to be written by `extend` (one or more times).
    fn begin(&mut self) {
        if self.present.is_some() {
            return;
        }
        if self.pieces > 0 {
            if let Some(b) = self.text.get_mut(self.len) {
                *b = self.separator;
            }
            self.len += 1;
        }
        self.pieces += 1;
    }

    /// Appends to the piece begun last.
    fn extend(&mut self, bytes: &[u8]) {
        if let Some(present) = &mut self.present {
            for &b in bytes.iter().filter(|b| b.is_ascii()) {
                present[usize::from(b)] = true;
            }
            return;
        }
        let end = self.len + bytes.len();
        if let Some(dst) = self.text.get_mut(self.len..end) {
            if bytes.len() <= 8 {
                // Tags, codes, indicators: a call to memcpy costs more
                // than the copy.
                for (d, &b) in dst.iter_mut().zip(bytes) {
                    *d = b;
                }
            } else {
                dst.copy_from_slice(bytes);
            }
        }
        self.len = end;
    }

    fn push_str(&mut self, s: &str) {
        self.push(s.as_bytes());
    }

    /// Appends an indicator or code to the piece begun last (NUL, pymarc's
    /// empty code, as the byte 0).
    fn extend_char(&mut self, c: char) {
        let mut scratch = [0u8; 4];
        self.extend(c.encode_utf8(&mut scratch).as_bytes());
    }
}

/// Writes the pieces of a record in column order: every tag, every field's
/// value (a control field's data, a data field's pymarc `value()`), one
/// piece of the indicators of every data field (first and second, two
/// characters a field), one piece of the code of every subfield (one
/// character each), then the value of every subfield. A binding gets the
/// one-character indicators and codes by iterating those two pieces, not
/// as one split piece each. A record without fields has no pieces.
fn write_pieces(fields: &[Field], sink: &mut Sink) {
    if fields.is_empty() {
        return;
    }
    let data = || fields.iter().filter(|f| f.control_value().is_none());
    for f in fields {
        sink.push_str(f.tag().as_str());
    }
    for f in fields {
        // The core's pieces of the value, copied straight in (no string
        // made per field).
        sink.begin();
        f.value_pieces(|piece| sink.extend(piece.as_bytes()));
    }
    sink.begin();
    for f in data() {
        let indicators = f.indicators().unwrap_or_default();
        sink.extend_char(indicators.first);
        sink.extend_char(indicators.second);
    }
    sink.begin();
    for f in data() {
        for s in f.subfields() {
            sink.extend_char(s.code);
        }
    }
    for f in data() {
        for s in f.subfields() {
            sink.push_str(s.value);
        }
    }
}

/// The first separator that occurs in no piece, in the order of
/// `SEPARATORS` and then of the other ASCII bytes.
fn free_separator(write: &dyn Fn(&mut Sink)) -> Outcome<u8> {
    let mut marks = Sink::new(&mut [], 0);
    marks.present = Some([false; 128]);
    write(&mut marks);
    let present = marks.present.unwrap_or([true; 128]);
    SEPARATORS
        .into_iter()
        .chain((0u8..0x80).filter(|b| !SEPARATORS.contains(b)))
        .find(|&b| !present[usize::from(b)])
        .ok_or_else(|| {
            Failure::invalid(
                "every ASCII character occurs in the record's text, so no separator is free; \
                 use mrrc_record_flatten",
            )
        })
}

/// Whether the usual separator occurs in `text` (`pieces` pieces joined by
/// it) only between the pieces, as it always does for records read from
/// ISO 2709: one pass over the text.
fn only_between_pieces(text: &[u8], pieces: usize) -> bool {
    memchr::memchr_iter(SEPARATORS[0], text).count() == pieces.saturating_sub(1)
}

/// What `join` wrote (or needs).
struct Joined {
    len: usize,
    pieces: usize,
    separator: u8,
    fits: bool,
}

/// Writes the pieces `write` gives into `text`, joined by a separator that
/// occurs in none of them (when they fit).
fn join(text: &mut [u8], write: &dyn Fn(&mut Sink)) -> Outcome<Joined> {
    let capacity = text.len();
    let mut sink = Sink::new(text, SEPARATORS[0]);
    write(&mut sink);
    let mut joined = Joined {
        len: sink.len,
        pieces: sink.pieces,
        separator: SEPARATORS[0],
        fits: sink.len <= capacity,
    };
    if joined.fits {
        let text = &mut sink.text[..joined.len];
        if !only_between_pieces(text, joined.pieces) {
            joined.separator = free_separator(write)?;
            write(&mut Sink::new(text, joined.separator));
        }
    }
    Ok(joined)
}

fn too_small(sizes: &MrrcSplit, text: usize, kinds: usize) -> Failure {
    Failure::new(
        MrrcStatus::MRRC_BUFFER_TOO_SMALL,
        format!(
            "the split view needs {} bytes of text and {} kinds (given {} and {})",
            sizes.text_len, sizes.field_count, text, kinds
        ),
    )
}

/// The sizes of a text-only split from what `join` measured; an error when
/// the text did not fit `text_capacity` bytes.
fn text_sizes(joined: &Joined, text_capacity: usize, sizes: &mut MrrcSplit) -> Outcome<()> {
    *sizes = MrrcSplit {
        text_len: joined.len,
        separator: joined.separator,
        piece_count: joined.pieces,
        ..MrrcSplit::default()
    };
    if !joined.fits {
        return Err(too_small(sizes, text_capacity, 0));
    }
    Ok(())
}

/// Writes the sizes on success and when the buffers were too small (so the
/// caller can call again with room), then returns `status`.
///
/// # Safety
/// `split_out` is valid for a write unless `status` is an argument error.
unsafe fn reported(status: MrrcStatus, split_out: *mut MrrcSplit, sizes: MrrcSplit) -> MrrcStatus {
    if matches!(
        status,
        MrrcStatus::MRRC_OK | MrrcStatus::MRRC_BUFFER_TOO_SMALL
    ) {
        // SAFETY: the caller's contract (NULL is MRRC_NULL_ARGUMENT).
        unsafe { write(split_out, sizes) };
    }
    status
}

/// A field's kind: -1 for a control field, else its number of subfields.
fn kind(f: &Field) -> Outcome<i32> {
    match f.control_value() {
        Some(_) => Ok(-1),
        None => i32::try_from(f.subfield_count()).map_err(|_| {
            Failure::new(
                MrrcStatus::MRRC_TOO_LARGE,
                "a field has over 2^31 subfields",
            )
        }),
    }
}

fn split(
    record: &Record,
    text: &mut [u8],
    kinds: &mut [i32],
    sizes: &mut MrrcSplit,
) -> Outcome<()> {
    let fields = record.fields();
    let capacity = text.len();
    let joined = join(text, &|sink| write_pieces(fields, sink))?;
    *sizes = MrrcSplit {
        text_len: joined.len,
        separator: joined.separator,
        piece_count: joined.pieces,
        ..MrrcSplit::default()
    };
    add_fields(fields, kinds, sizes)?;
    if !joined.fits || fields.len() > kinds.len() {
        return Err(too_small(sizes, capacity, kinds.len()));
    }
    Ok(())
}

/// Counts `fields` into `sizes` (fields, data fields, subfields) and writes
/// their kinds into `kinds` from `sizes.field_count` on, where they fit.
fn add_fields(fields: &[Field], kinds: &mut [i32], sizes: &mut MrrcSplit) -> Outcome<()> {
    for f in fields {
        if let Some(slot) = kinds.get_mut(sizes.field_count) {
            *slot = kind(f)?;
        }
        sizes.field_count += 1;
        if f.control_value().is_none() {
            sizes.data_field_count += 1;
            sizes.subfield_count += f.subfield_count();
        }
    }
    Ok(())
}

/// # Safety
/// `ptr` is valid for writing `len` items when non-NULL.
unsafe fn out_slice<'a, T>(ptr: *mut T, len: usize, name: &'static str) -> Outcome<&'a mut [T]> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: forwarded from the caller.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) })
}

/// Writes a record's text into `text[0..text_capacity]` as pieces joined by
/// one separator byte that occurs in no piece, in this order: the tag of
/// every field; every field's value (a control field's data, a data field's
/// pymarc `value()`); one piece holding the two indicators of every data
/// field (first, second: two characters a field); one piece holding the
/// code of every subfield (of all data fields, in order: one character a
/// subfield); then the value of every subfield. That is `2 * field_count +
/// 2 + subfield_count` pieces. An indicator or code of NUL (pymarc's empty
/// code) is the byte 0 in its piece. The text is not NUL-terminated; a
/// record without fields gives no text.
///
/// `kinds[i]` (for each field, `kinds_capacity` slots) is -1 for a control
/// field, else the field's number of subfields. `*split` gets the sizes and
/// the separator.
///
/// When a buffer is too small the call returns `MRRC_BUFFER_TOO_SMALL`
/// with the sizes needed in `*split` (the buffers' contents are then
/// unspecified): grow them and call again. When every ASCII byte occurs in the record's text
/// (no separator is free) it returns `MRRC_INVALID_ARGUMENT`: use
/// `mrrc_record_flatten` for that record.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_split(
    record: *const MrrcRecord,
    text: *mut u8,
    text_capacity: usize,
    kinds: *mut i32,
    kinds_capacity: usize,
    split_out: *mut MrrcSplit,
) -> MrrcStatus {
    let mut sizes = MrrcSplit::default();
    let status = status_of(|| {
        out_ptr(split_out, "split")?;
        // SAFETY: pointer contract of the header.
        let (record, text, kinds) = unsafe {
            (
                record_ref(record)?,
                out_slice(text, text_capacity, "text")?,
                out_slice(kinds, kinds_capacity, "kinds")?,
            )
        };
        split(record, text, kinds, &mut sizes)
    });
    // SAFETY: `split_out` was checked non-NULL inside (else the status is
    // MRRC_NULL_ARGUMENT).
    unsafe { reported(status, split_out, sizes) }
}

/// The values of subfield `code` of every field tagged `tag`, in record
/// order, as a split view (mrrc's `get_values`): pieces joined by a
/// separator that occurs in none of them, `split->piece_count` of them.
/// With `code` = `MRRC_NO_CODE`, each such field's pymarc `value()`
/// instead (a control field's data). Too small a buffer and no free
/// separator are reported as for `mrrc_record_split`; the field and
/// subfield counts of `*split` are 0.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_split_values(
    record: *const MrrcRecord,
    tag: *const c_char,
    code: u32,
    text: *mut u8,
    text_capacity: usize,
    split_out: *mut MrrcSplit,
) -> MrrcStatus {
    let mut sizes = MrrcSplit::default();
    let status = status_of(|| {
        out_ptr(split_out, "split")?;
        // SAFETY: pointer contract of the header.
        let (record, tag, text) = unsafe {
            (
                record_ref(record)?,
                c_text(tag, "tag")?,
                out_slice(text, text_capacity, "text")?,
            )
        };
        let code = match code {
            MRRC_NO_CODE => None,
            c => Some(code_point(c, "code")?),
        };
        let tags = [tag];
        let joined = join(text, &|sink| {
            for f in record.get_fields(&tags) {
                match code {
                    Some(c) => {
                        for s in f.subfields().filter(|s| s.code == c) {
                            sink.push_str(s.value);
                        }
                    }
                    None => sink.push_str(&f.value()),
                }
            }
        })?;
        text_sizes(&joined, text_capacity, &mut sizes)
    });
    // SAFETY: `split_out` was checked non-NULL inside (else the status is
    // MRRC_NULL_ARGUMENT).
    unsafe { reported(status, split_out, sizes) }
}

/// Which of pymarc's text properties `mrrc_records_split_text` gives.
pub type MrrcRecordText = u32;
/// pymarc `title`: 245 `$a`, and `$b` after a space.
pub const MRRC_TEXT_TITLE: MrrcRecordText = 0;
/// pymarc `issn_title`: 222 `$a` `$b`.
pub const MRRC_TEXT_ISSN_TITLE: MrrcRecordText = 1;
/// pymarc `isbn`: the first 020 `$a` without dashes.
pub const MRRC_TEXT_ISBN: MrrcRecordText = 2;
/// pymarc `issn`: 022 `$a`.
pub const MRRC_TEXT_ISSN: MrrcRecordText = 3;
/// pymarc `issnl`: 022 `$l`.
pub const MRRC_TEXT_ISSNL: MrrcRecordText = 4;
/// pymarc `sudoc`: 086 formatted.
pub const MRRC_TEXT_SUDOC: MrrcRecordText = 5;
/// pymarc `author`: the first of 100, 110, 111 formatted.
pub const MRRC_TEXT_AUTHOR: MrrcRecordText = 6;
/// pymarc `uniformtitle`: the first of 130, 240 formatted.
pub const MRRC_TEXT_UNIFORM_TITLE: MrrcRecordText = 7;
/// pymarc `publisher`: 260 `$b`, or 264 `$b` with second indicator 1.
pub const MRRC_TEXT_PUBLISHER: MrrcRecordText = 8;
/// pymarc `pubyear`: 260 `$c`, or 264 `$c` with second indicator 1.
pub const MRRC_TEXT_PUBYEAR: MrrcRecordText = 9;

/// Pushes one record's text property (an empty piece when it has none) and
/// says whether it has one.
fn push_record_text(record: &Record, which: MrrcRecordText, sink: &mut Sink) -> bool {
    fn push(sink: &mut Sink, text: Option<impl AsRef<str>>) -> bool {
        sink.push_str(text.as_ref().map_or("", |t| t.as_ref()));
        text.is_some()
    }
    match which {
        MRRC_TEXT_TITLE => push(sink, record.title()),
        MRRC_TEXT_ISSN_TITLE => push(sink, record.issn_title()),
        MRRC_TEXT_ISBN => push(sink, record.isbn()),
        MRRC_TEXT_ISSN => push(sink, record.issn()),
        MRRC_TEXT_ISSNL => push(sink, record.issnl()),
        MRRC_TEXT_SUDOC => push(sink, record.sudoc()),
        MRRC_TEXT_AUTHOR => push(sink, record.author()),
        MRRC_TEXT_UNIFORM_TITLE => push(sink, record.uniform_title()),
        MRRC_TEXT_PUBLISHER => push(sink, record.publisher()),
        _ => push(sink, record.pubyear()),
    }
}

/// One text property (`MRRC_TEXT_*`, pymarc's `title`, `author`, ...) of
/// each of `records[0..count]` in one call, as a split view: `count`
/// pieces in record order (`split->piece_count`), joined by a separator
/// that occurs in none of them. `present[i]` (`count` bytes) is 1 when
/// record `i` has the property and 0 when it has none (its piece is then
/// empty). A binding that reads records in batches pays one crossing per
/// batch rather than one per record. Too small a buffer and no free
/// separator are reported as for `mrrc_record_split`; the field and
/// subfield counts of `*split` are 0.
#[no_mangle]
pub unsafe extern "C" fn mrrc_records_split_text(
    records: *const *const MrrcRecord,
    count: usize,
    which: MrrcRecordText,
    text: *mut u8,
    text_capacity: usize,
    present: *mut u8,
    split_out: *mut MrrcSplit,
) -> MrrcStatus {
    let mut sizes = MrrcSplit::default();
    let status = status_of(|| {
        out_ptr(split_out, "split")?;
        if which > MRRC_TEXT_PUBYEAR {
            return Err(Failure::invalid(format!("unknown text property {which}")));
        }
        // SAFETY: pointer contract of the header.
        let (records, text, present) = unsafe {
            (
                record_refs(records, count)?,
                out_slice(text, text_capacity, "text")?,
                out_slice(present, count, "present")?,
            )
        };
        // Set while writing (`join` may write the pieces more than once,
        // with the same flags each time).
        let present = std::cell::Cell::from_mut(present).as_slice_of_cells();
        let joined = join(text, &|sink| {
            for (flag, r) in present.iter().zip(&records) {
                flag.set(u8::from(push_record_text(r, which, sink)));
            }
        })?;
        text_sizes(&joined, text_capacity, &mut sizes)
    });
    // SAFETY: `split_out` was checked non-NULL inside (else the status is
    // MRRC_NULL_ARGUMENT).
    unsafe { reported(status, split_out, sizes) }
}

/// `mrrc_record_split` for each of `records[0..count]` in one call: every
/// record's pieces (in the order `mrrc_record_split` writes them), record
/// after record with nothing between records, joined by the separator 0x1F
/// (the subfield delimiter, which no record read from ISO 2709 holds in its
/// text) in `split->separator`; every record's kinds, record after record.
/// `ends` (`2 * count` slots) gets for record `i` where its text ends, in
/// bytes (`ends[2 * i]`; record 0 starts at 0, record `i` where record
/// `i - 1` ends), and where its kinds end (`ends[2 * i + 1]`). The counts
/// of `*split` are the totals. A binding that reads records in batches
/// makes one crossing a batch rather than one a record, and decodes and
/// splits each record's bytes (a record of ASCII text decodes as ASCII, not
/// at the width of the batch's widest character).
///
/// A NULL entry of `records` is a record left out (one the caller no longer
/// holds): it gets no text and no kinds, its ends are those of the record
/// before it.
///
/// Too small a buffer is reported as for `mrrc_record_split`; a record
/// whose text holds 0x1F is `MRRC_INVALID_ARGUMENT` (split such records
/// one at a time with `mrrc_record_split`, which picks another separator).
#[no_mangle]
pub unsafe extern "C" fn mrrc_records_split(
    records: *const *const MrrcRecord,
    count: usize,
    text: *mut u8,
    text_capacity: usize,
    kinds: *mut i32,
    kinds_capacity: usize,
    ends: *mut usize,
    split_out: *mut MrrcSplit,
) -> MrrcStatus {
    let mut sizes = MrrcSplit::default();
    let status = status_of(|| {
        out_ptr(split_out, "split")?;
        let slots = count
            .checked_mul(2)
            .ok_or_else(|| Failure::invalid("count is too large"))?;
        // SAFETY: pointer contract of the header.
        let (handles, text, kinds, ends) = unsafe {
            (
                record_handles(records, count)?,
                out_slice(text, text_capacity, "text")?,
                out_slice(kinds, kinds_capacity, "kinds")?,
                out_slice(ends, slots, "ends")?,
            )
        };
        sizes.separator = SEPARATORS[0];
        for (i, &h) in handles.iter().enumerate() {
            let fields: &[Field] = if h.is_null() {
                &[] // left out
            } else {
                // SAFETY: each non-NULL entry is a live record handle per
                // the contract (`record_ref` only rejects NULL, so this `?`
                // never fails here).
                unsafe { record_ref(h) }?.fields()
            };
            let start = sizes.text_len;
            let mut sink = Sink::new(text.get_mut(start..).unwrap_or(&mut []), SEPARATORS[0]);
            write_pieces(fields, &mut sink);
            let (len, pieces) = (sink.len, sink.pieces);
            sizes.text_len += len;
            sizes.piece_count += pieces;
            if let Some(written) = text.get(start..sizes.text_len) {
                if !only_between_pieces(written, pieces) {
                    return Err(Failure::invalid(format!(
                        "record {i} holds the separator 0x1F in its text; use mrrc_record_split"
                    )));
                }
            }
            add_fields(fields, kinds, &mut sizes)?;
            ends[2 * i] = sizes.text_len;
            ends[2 * i + 1] = sizes.field_count;
        }
        if sizes.text_len > text_capacity || sizes.field_count > kinds_capacity {
            return Err(too_small(&sizes, text_capacity, kinds_capacity));
        }
        Ok(())
    });
    // SAFETY: `split_out` was checked non-NULL inside (else the status is
    // MRRC_NULL_ARGUMENT).
    unsafe { reported(status, split_out, sizes) }
}
