//! Split views: a record's text pieces joined by a separator byte that no
//! piece contains, written into the caller's buffers in one call. A binding
//! whose strings are cheap to make by splitting (Python's `str.split`) gets
//! every tag, value, indicator and subfield of a record with one crossing,
//! one decode and one split, and no offsets to slice by.

use mrrc_core::{Field, Record};

use crate::args::{out_ptr, write};
use crate::record::{record_ref, MrrcRecord};
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
}

/// Separators tried in turn: the MARC delimiters first (they cannot occur in
/// the values of a record read from ISO 2709), then every other ASCII byte.
const SEPARATORS: [u8; 3] = [0x1f, 0x1e, 0x1d];

/// One piece of text: a string of the record or one character (an
/// indicator or subfield code; NUL, the empty code, is the empty piece).
#[derive(Clone, Copy)]
enum Piece<'a> {
    Text(&'a str),
    Char(char),
}

impl Piece<'_> {
    fn bytes<'b>(&'b self, scratch: &'b mut [u8; 4]) -> &'b [u8] {
        match *self {
            Piece::Text(s) => s.as_bytes(),
            Piece::Char('\0') => &[],
            Piece::Char(c) => c.encode_utf8(scratch).as_bytes(),
        }
    }
}

/// Calls `each` with the pieces of a record in column order: every tag,
/// every field's value (a control field's data, a data field's pymarc
/// `value()`, from `values`), the first and then the second indicator of
/// every data field, the code and then the value of every subfield.
fn for_each_piece<'a>(fields: &'a [Field], values: &'a [String], mut each: impl FnMut(Piece<'a>)) {
    let data = || fields.iter().filter(|f| f.control_value().is_none());
    for f in fields {
        each(Piece::Text(f.tag().as_str()));
    }
    let mut data_values = values.iter();
    for f in fields {
        each(Piece::Text(match f.control_value() {
            Some(v) => v,
            None => data_values.next().map_or("", String::as_str),
        }));
    }
    for f in data() {
        each(Piece::Char(f.indicators().unwrap_or_default().first));
    }
    for f in data() {
        each(Piece::Char(f.indicators().unwrap_or_default().second));
    }
    for f in data() {
        for s in f.subfields() {
            each(Piece::Char(s.code));
        }
    }
    for f in data() {
        for s in f.subfields() {
            each(Piece::Text(s.value));
        }
    }
}

/// Writes the pieces joined by `separator`; returns the length.
fn join(fields: &[Field], values: &[String], separator: u8, text: &mut [u8]) -> usize {
    let (mut at, mut first, mut scratch) = (0, true, [0u8; 4]);
    for_each_piece(fields, values, |piece| {
        if !first {
            text[at] = separator;
            at += 1;
        }
        first = false;
        let bytes = piece.bytes(&mut scratch);
        text[at..at + bytes.len()].copy_from_slice(bytes);
        at += bytes.len();
    });
    at
}

/// The first separator that occurs in no piece, in the order of
/// `SEPARATORS` and then of the other ASCII bytes.
fn free_separator(fields: &[Field], values: &[String]) -> Outcome<u8> {
    let mut present = [false; 128];
    let mut scratch = [0u8; 4];
    for_each_piece(fields, values, |piece| {
        for &b in piece.bytes(&mut scratch) {
            if b < 0x80 {
                present[usize::from(b)] = true;
            }
        }
    });
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

fn split(
    record: &Record,
    text: &mut [u8],
    kinds: &mut [i32],
    sizes: &mut MrrcSplit,
) -> Outcome<()> {
    let fields = record.fields();
    let values: Vec<String> = fields
        .iter()
        .filter(|f| f.control_value().is_none())
        .map(Field::value)
        .collect();
    let (mut pieces, mut bytes, mut subfields) = (0usize, 0usize, 0usize);
    let mut scratch = [0u8; 4];
    for_each_piece(fields, &values, |piece| {
        pieces += 1;
        bytes += piece.bytes(&mut scratch).len();
    });
    for f in fields.iter().filter(|f| f.control_value().is_none()) {
        subfields += f.subfield_count();
    }
    *sizes = MrrcSplit {
        text_len: bytes + pieces.saturating_sub(1),
        separator: SEPARATORS[0],
        field_count: fields.len(),
        data_field_count: values.len(),
        subfield_count: subfields,
    };
    if sizes.text_len > text.len() || fields.len() > kinds.len() {
        return Err(Failure::new(
            MrrcStatus::MRRC_BUFFER_TOO_SMALL,
            format!(
                "the split view needs {} bytes of text and {} kinds (given {} and {})",
                sizes.text_len,
                fields.len(),
                text.len(),
                kinds.len()
            ),
        ));
    }
    let text = &mut text[..sizes.text_len];
    join(fields, &values, SEPARATORS[0], text);
    // One pass over the text: the usual separator occurs only between the
    // pieces (always so for records read from ISO 2709).
    if memchr::memchr_iter(SEPARATORS[0], text).count() != pieces.saturating_sub(1) {
        sizes.separator = free_separator(fields, &values)?;
        join(fields, &values, sizes.separator, text);
    }
    for (kind, f) in kinds.iter_mut().zip(fields) {
        *kind = match f.control_value() {
            Some(_) => -1,
            None => i32::try_from(f.subfield_count()).map_err(|_| {
                Failure::new(
                    MrrcStatus::MRRC_TOO_LARGE,
                    "a field has over 2^31 subfields",
                )
            })?,
        };
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
/// pymarc `value()`); the first indicator of every data field, then the
/// second; the code of every subfield (of all data fields, in order), then
/// the value of every subfield. An indicator or code of NUL (pymarc's empty
/// code) is an empty piece. The text is not NUL-terminated; a record
/// without fields gives no text.
///
/// `kinds[i]` (for each field, `kinds_capacity` slots) is -1 for a control
/// field, else the field's number of subfields. `*split` gets the sizes and
/// the separator.
///
/// When a buffer is too small the call returns `MRRC_BUFFER_TOO_SMALL`
/// with the sizes needed in `*split` (and nothing in the buffers): grow
/// them and call again. When every ASCII byte occurs in the record's text
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
    if matches!(
        status,
        MrrcStatus::MRRC_OK | MrrcStatus::MRRC_BUFFER_TOO_SMALL
    ) {
        // SAFETY: checked non-NULL above (else the status is
        // MRRC_NULL_ARGUMENT).
        unsafe { write(split_out, sizes) };
    }
    status
}
