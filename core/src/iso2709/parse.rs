//! Parsing one framed ISO 2709 record into a [`Record`].
//!
//! Two passes over the record: the first walks the directory and the fields
//! and records where every value lies (byte spans into the data area); the
//! second turns bytes into text. For UTF-8 records the data area is validated
//! once and becomes the record's one shared text buffer, spans unchanged; other
//! character sets decode value by value into a new buffer.
//!
//! Strict mode returns the first structural defect (checked in byte order:
//! leader, base address, directory, then fields), then encoding. Lenient mode
//! repairs what it can and pushes a [`Warning`] for each repair.

use smallvec::SmallVec;

use crate::encoding::{decode_text, resolve_charset, validate_utf8};
use crate::error::{Error, ErrorKind, Result, Warning};
use crate::field::{Content, Field, Indicators, SharedText, Span, Tag};
use crate::leader::{Leader, LEADER_LEN};
use crate::options::{Charset, LenientContent, Mode, ReadOptions, Utf8Handling};
use crate::record::Record;
use crate::shared::{Fields, SharedMany};

use super::{FIELD_TERMINATOR, RECORD_TERMINATOR, SUBFIELD_DELIMITER};

/// How the caller framed the record.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Context {
    /// The input ended inside this record: report `Truncated` unless an
    /// earlier defect is found in the bytes that are there.
    pub truncated: bool,
    /// The record is 100,000 bytes or more: its lengths and offsets cannot be
    /// right, so the directory is placed by field terminators even in strict
    /// mode.
    pub oversize: bool,
    /// Skip [`parse_clean`] (tests compare it with the general path).
    pub general_only: bool,
}

/// Structural parameters from leader/10-11 and 20-22.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub indicator_count: usize,
    pub code_len: usize,
    pub length_len: usize,
    pub start_len: usize,
    pub impl_len: usize,
}

impl Layout {
    /// MARC 21's: two indicators, one-character subfield codes, directory
    /// entries of a tag, 4 length digits and 5 starting position digits.
    pub const MARC21: Layout = Layout {
        indicator_count: 2,
        code_len: 2,
        length_len: 4,
        start_len: 5,
        impl_len: 0,
    };

    pub fn entry_len(&self) -> usize {
        3 + self.length_len + self.start_len + self.impl_len
    }

    /// The layout a leader declares; non-digits fall back to MARC 21 values.
    pub fn from_leader(l: &[u8; LEADER_LEN]) -> Layout {
        let digit = |b: u8, default: usize| {
            if b.is_ascii_digit() {
                usize::from(b - b'0')
            } else {
                default
            }
        };
        let nonzero = |b: u8, default: usize| match digit(b, default) {
            0 => default,
            n => n,
        };
        Layout {
            indicator_count: digit(l[10], 2),
            // Identifiers longer than one character are not used in
            // practice; a leader saying so is taken as a mistake.
            code_len: match digit(l[11], 2) {
                n @ 0..=2 => n,
                _ => 2,
            },
            length_len: nonzero(l[20], 4),
            start_len: nonzero(l[21], 5),
            impl_len: digit(l[22], 0),
        }
    }
}

/// Leader values MARC 21 allows, by the family leader/06 names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Bibliographic,
    Authority,
    Holdings,
    Classification,
    Community,
}

fn leader_error(pos: usize, byte: u8, what: &str) -> Error {
    Error::new(
        ErrorKind::Leader,
        format!(
            "leader/{pos:02} ({what}) is {:?}, not a MARC 21 value",
            char::from(byte)
        ),
    )
    .with_offset(pos as u64)
}

/// The MARC 21 checks of leader values strict mode makes. Values seen in real
/// catalogue data beyond the standard lists are accepted: OCLC encoding levels
/// (I, J, K, L, M) and digits at leader/19 (in Library of Congress records).
pub(crate) fn check_leader(l: &[u8; LEADER_LEN], options: &ReadOptions) -> Result<()> {
    // Blank type and status are "not given" (pymarc's default leader has
    // them); the positions that depend on the type are then checked against
    // the bibliographic values.
    let family = match l[6] {
        b'a' | b'c' | b'd' | b'e' | b'f' | b'g' | b'i' | b'j' | b'k' | b'm' | b'o' | b'p'
        | b'r' | b't' | b' ' => Family::Bibliographic,
        b'z' => Family::Authority,
        b'u' | b'v' | b'x' | b'y' => Family::Holdings,
        b'w' => Family::Classification,
        b'q' => Family::Community,
        b => return Err(leader_error(6, b, "type of record")),
    };
    // The value lists as tables (a lookup each rather than a scan of the
    // list, once per record; in-cache A/B, 3,000 LoC records x 300 passes,
    // 7 alternating rounds: 0.97x and 0.99x, session 8, commit 000980b).
    let status = match family {
        Family::Bibliographic => &BIB_STATUS,
        Family::Authority => &AUTHORITY_STATUS,
        Family::Holdings | Family::Community => &HOLDINGS_STATUS,
        Family::Classification => &CLASSIFICATION_STATUS,
    };
    if !status.has(l[5]) {
        return Err(leader_error(5, l[5], "record status"));
    }
    let (level, control) = match family {
        Family::Bibliographic => (&BIB_LEVEL, &BIB_CONTROL),
        _ => (&BLANK_OR_FILL, &BLANK_OR_FILL),
    };
    if !level.has(l[7]) {
        return Err(leader_error(7, l[7], "bibliographic level"));
    }
    if !control.has(l[8]) {
        return Err(leader_error(8, l[8], "type of control"));
    }
    if options.charset == Charset::FromLeader && !BLANK_OR_A.has(l[9]) {
        return Err(leader_error(9, l[9], "character coding scheme"));
    }
    if l[10] != b'2' {
        return Err(leader_error(10, l[10], "indicator count"));
    }
    if l[11] != b'2' {
        return Err(leader_error(11, l[11], "subfield code count"));
    }
    if !ENCODING_LEVEL.has(l[17]) {
        return Err(leader_error(17, l[17], "encoding level"));
    }
    if !CATALOGING_FORM.has(l[18]) {
        return Err(leader_error(18, l[18], "descriptive cataloging form"));
    }
    if !MULTIPART_LEVEL.has(l[19]) {
        return Err(leader_error(19, l[19], "multipart resource record level"));
    }
    for (pos, what) in [
        (20, "length of the length-of-field"),
        (21, "length of the starting position"),
    ] {
        if !(b'1'..=b'9').contains(&l[pos]) {
            return Err(leader_error(pos, l[pos], what));
        }
    }
    Ok(())
}

/// A set of bytes as a 256-bit table.
struct ByteSet([u64; 4]);

impl ByteSet {
    const fn of(bytes: &[u8]) -> ByteSet {
        let mut bits = [0u64; 4];
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i] as usize;
            bits[b / 64] |= 1 << (b % 64);
            i += 1;
        }
        ByteSet(bits)
    }

    #[inline]
    fn has(&self, b: u8) -> bool {
        self.0[usize::from(b / 64)] >> (b % 64) & 1 != 0
    }
}

static BIB_STATUS: ByteSet = ByteSet::of(b" acdnp");
static AUTHORITY_STATUS: ByteSet = ByteSet::of(b"acdnosx");
static HOLDINGS_STATUS: ByteSet = ByteSet::of(b"cdn");
static CLASSIFICATION_STATUS: ByteSet = ByteSet::of(b"acdn");
static BIB_LEVEL: ByteSet = ByteSet::of(b" abcdims");
static BIB_CONTROL: ByteSet = ByteSet::of(b" a");
static BLANK_OR_FILL: ByteSet = ByteSet::of(b" |");
static BLANK_OR_A: ByteSet = ByteSet::of(b" a");
static ENCODING_LEVEL: ByteSet = ByteSet::of(b" 12345678uzIJKLMnom");
static CATALOGING_FORM: ByteSet = ByteSet::of(b" acinu");
static MULTIPART_LEVEL: ByteSet = ByteSet::of(b" abcr0123456789");

/// Digits of a directory entry part.
pub(crate) fn entry_number(b: &[u8]) -> Option<usize> {
    if b.is_empty() {
        return None;
    }
    let mut n = 0usize;
    let mut bad = false;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        bad |= d > 9;
        n = n.wrapping_mul(10).wrapping_add(usize::from(d));
    }
    (!bad).then_some(n)
}

/// The length (4 digits) and starting position (5 digits) of a MARC 21
/// directory entry; `None` unless all nine are ASCII digits. Eight of the
/// digits are checked and converted together in one `u64` (SWAR) rather than
/// one by one, which the compiler turned into byte stores and reloads
/// (measured: `MarcReader` on the LoC file 212 ms vs 220 ms of CPU a pass,
/// median of seven alternating runs of `bench/examples/workload_loop.rs`).
#[inline]
pub(crate) fn marc21_entry_numbers(entry: &[u8; 12]) -> Option<(usize, usize)> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let digits = u64::from_le_bytes(entry[3..11].try_into().expect("8 bytes"));
    let last = entry[11].wrapping_sub(b'0');
    // A byte is a digit when its high nybble is 3 and stays 3 after adding 6
    // (0x30..=0x39); a carry out of a byte only comes from one that fails.
    let high = 0xF0 * LOW;
    let all_digits =
        (digits & high) == 0x30 * LOW && (digits.wrapping_add(0x06 * LOW) & high) == 0x30 * LOW;
    if !all_digits || last > 9 {
        return None;
    }
    // The first character is the lowest byte: pair the digits (d0 * 10 + d1
    // in each 16-bit lane), then the pairs (in each 32-bit lane).
    let d = digits - 0x30 * LOW;
    let pairs = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    let length = (quads & 0xFFFF) as usize;
    let start = (quads >> 32) as usize * 10 + usize::from(last);
    Some((length, start))
}

fn tag_is_valid(tag: &[u8]) -> bool {
    tag.iter().all(u8::is_ascii_alphanumeric)
}

/// Control fields are the numeric tags below 010.
pub(crate) fn is_control_tag(tag: &[u8]) -> bool {
    // "000" to "009", without a slice comparison.
    matches!(tag, [b'0', b'0', c] if c.is_ascii_digit())
}

/// A tag for messages, formatted only when a message is made.
struct TagText<'a>(&'a [u8]);

impl std::fmt::Display for TagText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.0))
    }
}

fn tag_text(tag: &[u8]) -> String {
    String::from_utf8_lossy(tag).into_owned()
}

/// Where each directory entry's field lies: `(tag bytes range in record,
/// field range in record, entry offset)`.
struct Placed {
    tag: [u8; 3],
    field: std::ops::Range<usize>,
}

type PlacedFields = Vec<Placed>;

struct Parser<'a> {
    rec: &'a [u8],
    options: &'a ReadOptions,
    warnings: &'a mut Vec<Warning>,
    ctx: Context,
    lenient: bool,
    /// Lenient with [`LenientContent::Repair`].
    repair_content: bool,
    /// Where clean records go when parsing a group (see [`Group`]).
    group: Option<&'a mut Group>,
}

impl Parser<'_> {
    /// In strict mode, the error; in lenient mode, a warning and `Ok`.
    fn defect(&mut self, e: Error) -> Result<()> {
        if self.lenient {
            self.warnings.push(e.into());
            Ok(())
        } else {
            Err(e)
        }
    }

    fn warn(&mut self, e: Error) {
        self.warnings.push(e.into());
    }

    /// `Truncated` when the input ended before `needed` bytes, else `e`.
    fn past_end(&self, needed: usize, e: Error) -> Error {
        if self.ctx.truncated && needed > self.rec.len() {
            Error::new(
                ErrorKind::Truncated,
                format!("input ends after {} bytes of the record", self.rec.len()),
            )
            .with_offset(self.rec.len() as u64)
        } else {
            e
        }
    }
}

/// Parses one record. `rec` is the framed record (normally ending in 0x1D).
/// Errors and warnings carry offsets relative to the record's first byte.
pub(crate) fn parse(
    rec: &[u8],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
    ctx: Context,
    group: Option<&mut Group>,
) -> Result<Record> {
    let mut p = Parser {
        rec,
        options,
        warnings,
        ctx,
        lenient: options.mode == Mode::Lenient,
        repair_content: options.mode == Mode::Lenient
            && options.lenient_content == LenientContent::Repair,
        // A truncated record is an error whatever its bytes hold.
        group: group.filter(|_| !ctx.truncated),
    };
    let result = parse_inner(&mut p);
    match result {
        Ok(_) if ctx.truncated => Err(p.past_end(usize::MAX, Error::new(ErrorKind::Truncated, ""))),
        other => other,
    }
}

fn parse_inner(p: &mut Parser<'_>) -> Result<Record> {
    let rec = p.rec;
    if rec.len() < LEADER_LEN {
        let e = Error::new(
            ErrorKind::Leader,
            format!("record is {} bytes, shorter than a leader", rec.len()),
        );
        return Err(p.past_end(LEADER_LEN, e));
    }
    let leader_bytes: [u8; LEADER_LEN] = rec[..LEADER_LEN].try_into().expect("24 bytes");
    let leader = Leader::from_bytes(&leader_bytes)?;
    // Value checks are skipped for a truncated record: only a structural
    // defect before the cut is worth more than `Truncated`.
    if !p.ctx.truncated {
        if let Err(e) = check_leader(&leader_bytes, p.options) {
            p.defect(e)?;
        }
    }
    let layout = if p.lenient {
        let l = Layout::from_leader(&leader_bytes);
        if l.indicator_count != 2 || l.code_len != 2 {
            p.warn(Error::new(
                ErrorKind::Leader,
                format!(
                    "generic ISO 2709: {} indicators and subfield codes of length {}",
                    l.indicator_count, l.code_len
                ),
            ));
        }
        l
    } else {
        Layout::from_leader(&leader_bytes)
    };

    // The data area ends before the record terminator (if there is one).
    let data_end = if rec.last() == Some(&RECORD_TERMINATOR) {
        rec.len() - 1
    } else {
        rec.len()
    };
    let base = find_base(p, &leader_bytes, data_end)?;
    let dir = &rec[LEADER_LEN..base - 1];
    if dir.is_empty() {
        return Err(
            Error::new(ErrorKind::NoFields, "the directory has no entries")
                .with_offset(LEADER_LEN as u64),
        );
    }
    let repair = p.lenient || p.ctx.oversize;
    // The data area is read front to back first (validation), so the reads
    // that follow find it in cache.
    let charset = resolve_charset(p.options, &leader);
    let mut valid_text: Option<&str> = None;
    let mut encoding_error = None;
    let utf8 = if charset == Charset::Utf8 {
        let checked = validate_utf8(&rec[base..data_end]).map(|t| valid_text = Some(t));
        if let Err(e) = &checked {
            if p.options.utf8_handling == Utf8Handling::Strict && !p.lenient {
                let at = base + e.valid_up_to();
                encoding_error = Some(
                    Error::new(
                        ErrorKind::Encoding,
                        format!("invalid UTF-8 at byte {at} of the record"),
                    )
                    .with_offset(at as u64),
                );
            }
        }
        Some(checked.is_ok())
    } else if !rec[base..data_end].iter().any(|&b| b >= 0x80 || b == 0x1B) {
        // ASCII without escape sequences reads the same in every supported
        // character set (MARC-8, Latin-1 and legacy sets are ASCII-based).
        Some(true)
    } else {
        None
    };
    // The data area as the record's text, when it can be used as it is.
    let direct = match utf8 {
        Some(true) if !(p.repair_content && has_xml_entity(&rec[base..data_end])) => {
            valid_text.or_else(|| std::str::from_utf8(&rec[base..data_end]).ok())
        }
        _ => None,
    };
    let clean_path = !p.ctx.oversize && !p.ctx.general_only && layout == Layout::MARC21;
    if let Some(text) = direct.filter(|_| clean_path) {
        if let Some(group) = p.group.as_deref_mut() {
            // The fields come from `Group::finish`.
            if group.add(rec, base, data_end, text, p.lenient, p.repair_content) {
                return Ok(Record::from_parts(leader, Vec::new()));
            }
        } else if let Some(record) = parse_clean(
            rec,
            leader,
            base,
            data_end,
            text,
            p.lenient,
            p.repair_content,
        ) {
            return Ok(record);
        }
    }
    // Strict mode reads the directory once. Its syntax errors come first,
    // then encoding (so a record whose text is not UTF-8 reports that rather
    // than a field it might have misplaced), then the first misplaced field.
    let (strict_placed, misplaced) = if repair {
        (None, None)
    } else {
        let (placed, misplaced) = place_strict(p, dir, base, data_end, layout)?;
        (Some(placed), misplaced)
    };
    if let Some(e) = encoding_error {
        return Err(e);
    }
    if let Some(e) = misplaced {
        return Err(e);
    }
    let placed = match strict_placed {
        Some(placed) => placed,
        None => place_fields(p, dir, base, data_end, layout)?,
    };
    if placed.is_empty() {
        return Err(Error::new(ErrorKind::NoFields, "no field could be located")
            .with_offset(LEADER_LEN as u64));
    }

    // The data area is the record's text as it is: fields are built straight
    // from the spans the first pass finds.
    // Strict mode splits values only at ASCII delimiters after ASCII codes,
    // so spans are always on character boundaries; repairs may not be.
    let check_boundaries = repair;
    // Subfields of a MARC 21 field: about four per field.
    let mut spans: Vec<Span> = Vec::with_capacity(placed.len() * 4);
    if let Some(text) = direct {
        let warnings_before = p.warnings.len();
        let mut contents: SmallVec<[Content; 40]> = SmallVec::with_capacity(placed.len());
        let mut on_boundaries = true;
        for pl in &placed {
            let content = field_shape(p, pl, base, layout, &mut spans)?;
            if check_boundaries && !spans_on_boundaries(text, &content, &spans) {
                on_boundaries = false;
                break;
            }
            contents.push(content);
        }
        if on_boundaries {
            let mut shared = SharedMany::copied(text, &spans, placed.len());
            let shapes = placed
                .iter()
                .zip(contents)
                .map(|(pl, content)| (Tag::from_ascii3(pl.tag), content));
            return Ok(Record::from_fields(
                leader,
                Fields::over(&mut shared, shapes),
            ));
        }
        // A value cut inside a character (lenient repairs only): decode
        // value by value instead.
        p.warnings.truncate(warnings_before);
        spans.clear();
    }
    let mut shapes: Vec<(Tag, Content)> = Vec::with_capacity(placed.len());
    for pl in &placed {
        let content = field_shape(p, pl, base, layout, &mut spans)?;
        shapes.push((Tag::from_ascii3(pl.tag), content));
    }
    let fields = build_text(p, base, data_end, charset, shapes, spans)?;
    Ok(Record::from_fields(leader, fields))
}

/// The usual record in one pass over its directory: MARC 21 layout, the
/// data area usable as text (`text`), every field where its entry says and
/// ended by a field terminator, every data field plain (see
/// [`plain_data_field`]). Gives the same record the general path gives, with
/// nothing to report; `None` for anything else, which the general path reads
/// (and reports).
fn parse_clean(
    rec: &[u8],
    leader: Leader,
    base: usize,
    data_end: usize,
    text: &str,
    lenient: bool,
    repair_content: bool,
) -> Option<Record> {
    let count = (base - 1 - LEADER_LEN) / 12;
    // The spans are collected in this thread's scratch buffer and copied,
    // with the text, into the record's one shared block.
    let mut spans = SPAN_SCRATCH.take();
    spans.clear();
    spans.reserve(count * 4);
    // The fields are written as the walk finds them, over a placeholder
    // text, and given the record's block once it is made. They are written
    // into slots made first (one per directory entry, as the walk gives):
    // `Vec::push` put each field together on the stack around its call to
    // grow, in 4-byte stores read back in 16-byte loads to be copied, which
    // stalls store forwarding (in-cache A/B, 3,000 LoC records x 300
    // passes, perf stat task-clock, 7 alternating rounds: 0.962x of the
    // shapes-then-fields build; session 8, commit eacf423).
    let mut fields = crate::shared::field_buffer(count);
    fields.extend((0..count).map(|_| {
        Field::placeholder(
            Tag::alphanumeric3(*b"000"),
            Content::Control { start: 0, end: 0 },
        )
    }));
    let mut next = 0;
    let push = |tag, content| {
        fields[next].set_placeholder_shape(Tag::alphanumeric3(tag), content);
        next += 1;
    };
    let clean = clean_shapes(
        rec,
        base,
        data_end,
        (lenient, repair_content),
        0,
        &mut spans,
        push,
    );
    let shared = clean.then(|| SharedMany::copied(text, &spans, fields.len()));
    SPAN_SCRATCH.set(spans);
    let Some(mut shared) = shared else {
        // Placeholders are not counted: forgotten, they cost no atomic
        // operation on the shared static header each (their tags are
        // three bytes, their contents plain: nothing to free).
        fields.into_iter().for_each(std::mem::forget);
        return None;
    };
    Some(Record::from_fields(
        leader,
        Fields::as_read(fields, &mut shared),
    ))
}

thread_local! {
    /// [`parse_clean`]'s spans before they are copied into the record's
    /// block: one buffer per thread, reused record after record.
    static SPAN_SCRATCH: std::cell::Cell<Vec<Span>> = const { std::cell::Cell::new(Vec::new()) };
}

/// [`parse_clean`]'s walk: pushes each field's tag and content, and the
/// subfield spans, with text offsets moved by `shift`. False (with
/// `spans` and the pushed shapes to be dropped by the caller) when the record
/// is not that simple.
fn clean_shapes(
    rec: &[u8],
    base: usize,
    data_end: usize,
    (lenient, repair_content): (bool, bool),
    shift: usize,
    spans: &mut Vec<Span>,
    push: impl FnMut([u8; 3], Content),
) -> bool {
    // Strict mode (the usual reading) gets a copy of the walk with the
    // lenient checks compiled out, and `plain_data_field` is inlined into
    // each copy: `SliceReader` over the LoC file, 158.2 vs 166.3 ms of CPU a
    // pass (median of seven alternating rounds of `workload_loop ... core`,
    // session 7, load 7; faster in all seven).
    if lenient || repair_content {
        clean_walk::<false>(
            rec,
            base,
            data_end,
            (lenient, repair_content),
            shift,
            spans,
            push,
        )
    } else {
        clean_walk::<true>(rec, base, data_end, (false, false), shift, spans, push)
    }
}

/// [`clean_shapes`] for one mode: with `STRICT`, `lenient` and
/// `repair_content` are false.
#[inline(always)]
fn clean_walk<const STRICT: bool>(
    rec: &[u8],
    base: usize,
    data_end: usize,
    (lenient, repair_content): (bool, bool),
    shift: usize,
    spans: &mut Vec<Span>,
    mut push: impl FnMut([u8; 3], Content),
) -> bool {
    let (lenient, repair_content) = (lenient && !STRICT, repair_content && !STRICT);
    const ENTRY: usize = 12;
    let dir = &rec[LEADER_LEN..base - 1];
    if !dir.len().is_multiple_of(ENTRY) {
        return false;
    }
    let data = &rec[base..data_end];
    // Every delimiter of the data area found in one pass, each field's then
    // read from the masks.
    let mut masks = MASK_SCRATCH.take();
    delimiter_masks(data, &mut masks);
    let clean = dir.chunks_exact(ENTRY).all(|e| {
        let tag = [e[0], e[1], e[2]];
        if !tag_is_valid(&tag) {
            return false;
        }
        let Some((length, start)) = marc21_entry_numbers(e.try_into().expect("12 bytes")) else {
            return false;
        };
        let (from, to) = (base + start, base + start + length);
        // Lenient placement also wants each field to follow a terminator.
        if length == 0
            || to > data_end
            || rec[to - 1] != FIELD_TERMINATOR
            || (lenient && start > 0 && rec[from - 1] != FIELD_TERMINATOR)
        {
            return false;
        }
        if is_control_tag(&tag) {
            push(
                tag,
                Content::Control {
                    start: (shift + start) as u32,
                    end: (shift + start + length - 1) as u32,
                },
            );
        } else {
            let end = start + length - 1;
            match plain_data_field(data, &masks, start, end, repair_content, shift, spans) {
                Some(content) => push(tag, content),
                None => return false,
            }
        }
        true
    });
    MASK_SCRATCH.set(masks);
    clean
}

thread_local! {
    /// [`clean_walk`]'s delimiter masks of a record's data area: one buffer
    /// per thread, reused record after record.
    static MASK_SCRATCH: std::cell::Cell<Vec<u64>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Clean records of a group (parallel parsing) put into one shared text and
/// span buffer: one set of allocations for the group instead of one per
/// record. Holding any record of a group keeps the whole group's text.
#[derive(Default)]
pub(crate) struct Group {
    text: String,
    spans: Vec<Span>,
    shapes: Vec<([u8; 3], Content)>,
    /// Each added record's range of `shapes`.
    records: Vec<std::ops::Range<usize>>,
    /// A group that only checks (see [`Group::checking`]), and the records
    /// it found clean.
    check_only: bool,
    checked: u64,
}

impl Group {
    /// A group for records of about `bytes` bytes in all: room for their
    /// text, and for spans and fields at MARC 21's usual density (about one
    /// subfield in 31 bytes, one field in 48), so that adding seldom grows
    /// (and copies) a buffer.
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Group {
            text: String::with_capacity(bytes),
            spans: Vec::with_capacity(bytes / 24),
            shapes: Vec::with_capacity(bytes / 32),
            ..Group::default()
        }
    }

    /// A group that keeps nothing: a clean record is walked (every check
    /// of the one-pass path, UTF-8 included) and counted, not built.
    pub(crate) fn checking() -> Self {
        Group {
            check_only: true,
            ..Group::default()
        }
    }

    /// Records added and waiting for their fields.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Records a checking group found clean.
    pub(crate) fn checked(&self) -> u64 {
        self.checked
    }

    /// [`parse_clean`] into the group; false if the record is not clean.
    fn add(
        &mut self,
        rec: &[u8],
        base: usize,
        data_end: usize,
        text: &str,
        lenient: bool,
        repair_content: bool,
    ) -> bool {
        let shift = self.text.len();
        // Offsets in the shared text are 32-bit.
        if shift + text.len() > u32::MAX as usize {
            return false;
        }
        if self.check_only {
            self.spans.clear();
            let clean = clean_shapes(
                rec,
                base,
                data_end,
                (lenient, repair_content),
                0,
                &mut self.spans,
                |_, _| {},
            );
            self.checked += u64::from(clean);
            return clean;
        }
        let (spans_before, shapes_before) = (self.spans.len(), self.shapes.len());
        let shapes = &mut self.shapes;
        let push = |tag, content| shapes.push((tag, content));
        if !clean_shapes(
            rec,
            base,
            data_end,
            (lenient, repair_content),
            shift,
            &mut self.spans,
            push,
        ) {
            self.spans.truncate(spans_before);
            self.shapes.truncate(shapes_before);
            return false;
        }
        self.text.push_str(text);
        self.records.push(shapes_before..self.shapes.len());
        true
    }

    /// The fields of each record added, in the order they were added.
    pub(crate) fn finish(self) -> impl Iterator<Item = Fields> {
        let mut shared = SharedMany::new(
            SharedText {
                text: self.text.into_boxed_str(),
                spans: self.spans,
            },
            self.shapes.len(),
        );
        let shapes = self.shapes;
        self.records.into_iter().map(move |range| {
            let fields = shapes[range]
                .iter()
                .map(|&(tag, content)| (Tag::alphanumeric3(tag), content));
            Fields::over(&mut shared, fields)
        })
    }
}

/// The base address, checked; lenient mode (and oversize records) find it from
/// the directory terminator when the leader's is wrong.
fn find_base(p: &mut Parser<'_>, l: &[u8; LEADER_LEN], data_end: usize) -> Result<usize> {
    let rec = p.rec;
    let declared = entry_number(&l[12..17]);
    let problem = match declared {
        None => Some(Error::new(
            ErrorKind::BaseAddress,
            "base address of data (leader/12-16) is not five digits",
        )),
        Some(b) if b <= LEADER_LEN => Some(Error::new(
            ErrorKind::BaseAddress,
            format!("base address {b} leaves no room for a directory"),
        )),
        Some(b) if b > data_end => Some(p.past_end(
            b,
            Error::new(
                ErrorKind::BaseAddress,
                format!(
                    "base address {b} points past the end of the record ({} bytes)",
                    rec.len()
                ),
            ),
        )),
        Some(b) if rec[b - 1] != FIELD_TERMINATOR => Some(
            Error::new(
                ErrorKind::Directory,
                format!(
                    "the directory is not ended by a field terminator at byte {} \
                     (base address {b} - 1)",
                    b - 1
                ),
            )
            .with_offset((b - 1) as u64),
        ),
        Some(b) => {
            return Ok(b);
        }
    };
    let mut e = problem.expect("a problem");
    if e.position.byte_offset.is_none() {
        e = e.with_offset(12);
    }
    if e.kind == ErrorKind::Truncated || !(p.lenient || p.ctx.oversize) {
        return Err(e);
    }
    p.warn(e);
    // A base address that frames whole, well-formed entries is kept even when
    // the byte before it is not the directory terminator.
    if let Some(b) = declared.filter(|&b| b > LEADER_LEN + 1 && b <= data_end) {
        let dir = &rec[LEADER_LEN..b - 1];
        let layout = Layout::from_leader(l);
        let n = layout.entry_len();
        let number = |e: &[u8], from: usize, len: usize| entry_number(&e[from..from + len]);
        let well_formed = dir.len().is_multiple_of(n)
            && dir.chunks_exact(n).all(|e| {
                tag_is_valid(&e[..3]) && e[3..3 + layout.length_len + layout.start_len].iter().all(u8::is_ascii_digit)
            })
            // and its first field ends with a field terminator from there
            && dir.chunks_exact(n).next().is_some_and(|e| {
                let len = number(e, 3, layout.length_len).unwrap_or(0);
                let start = number(e, 3 + layout.length_len, layout.start_len).unwrap_or(0);
                len > 0 && b + start + len <= data_end && rec[b + start + len - 1] == FIELD_TERMINATOR
            });
        if well_formed {
            return Ok(b);
        }
    }
    match super::frame::find_directory_end(&rec[..data_end]) {
        Some(end) => {
            let base = end + 1;
            p.warn(
                Error::new(
                    ErrorKind::BaseAddress,
                    format!("base address taken as {base}, after the directory terminator"),
                )
                .with_offset(12),
            );
            Ok(base)
        }
        None => Err(Error::new(
            ErrorKind::Directory,
            "no field terminator after the leader: the directory cannot be found",
        )
        .with_offset(LEADER_LEN as u64)),
    }
}

/// A directory entry as read, before its field is placed.
struct RawEntry {
    tag: [u8; 3],
    length: Option<usize>,
    start: Option<usize>,
    offset: usize,
}

/// Reads the directory with a fixed entry width. `None` for lengths or starts
/// that are not digits.
fn fixed_entries(dir: &[u8], layout: Layout) -> Vec<RawEntry> {
    let n = layout.entry_len();
    dir.chunks_exact(n)
        .enumerate()
        .map(|(i, e)| RawEntry {
            tag: [e[0], e[1], e[2]],
            length: entry_number(&e[3..3 + layout.length_len]),
            start: entry_number(
                &e[3 + layout.length_len..3 + layout.length_len + layout.start_len],
            ),
            offset: LEADER_LEN + i * n,
        })
        .collect()
}

/// Reads a directory whose entries grew a digit where a number overflowed
/// (a 5-digit length of a field over 9,999 bytes, a 6-digit start past
/// 99,999, as some producers write), guided by each field starting where the
/// previous one ended. `None` when that does not account for every byte.
fn variable_entries(dir: &[u8], layout: Layout) -> Option<Vec<RawEntry>> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut expected = 0usize;
    while i < dir.len() {
        let mut chosen = None;
        for (ll, sl) in [(4, 5), (5, 5), (4, 6), (5, 6)] {
            let (ll, sl) = (ll + layout.length_len - 4, sl + layout.start_len - 5);
            let end = i + 3 + ll + sl + layout.impl_len;
            if end > dir.len() {
                continue;
            }
            let length = entry_number(&dir[i + 3..i + 3 + ll]);
            let start = entry_number(&dir[i + 3 + ll..i + 3 + ll + sl]);
            if let (Some(l), Some(s)) = (length, start) {
                if s == expected {
                    chosen = Some((end, l, s));
                    break;
                }
            }
        }
        let (end, l, s) = chosen?;
        out.push(RawEntry {
            tag: [dir[i], dir[i + 1], dir[i + 2]],
            length: Some(l),
            start: Some(s),
            offset: LEADER_LEN + i,
        });
        expected = s + l;
        i = end;
    }
    Some(out)
}

/// Strict mode: reads the directory once. A syntax error (not whole entries,
/// a bad tag, non-digits) is returned at once; the first entry whose field is
/// not where it says is returned as the second value, to be reported after
/// the encoding check.
fn place_strict(
    p: &Parser<'_>,
    dir: &[u8],
    base: usize,
    data_end: usize,
    layout: Layout,
) -> Result<(PlacedFields, Option<Error>)> {
    let rec = p.rec;
    let n = layout.entry_len();
    if !dir.len().is_multiple_of(n) {
        return Err(Error::new(
            ErrorKind::Directory,
            format!(
                "directory is {} bytes, not a whole number of {n}-byte entries",
                dir.len()
            ),
        )
        .with_offset(LEADER_LEN as u64));
    }
    let (ll, sl) = (layout.length_len, layout.start_len);
    let mut out = PlacedFields::with_capacity(dir.len() / n);
    let mut misplaced = None;
    for (i, e) in dir.chunks_exact(n).enumerate() {
        let offset = (LEADER_LEN + i * n) as u64;
        let tag = [e[0], e[1], e[2]];
        if !tag_is_valid(&tag) {
            return Err(Error::new(
                ErrorKind::Tag,
                format!(
                    "directory entry {i} has tag {:?}, not three ASCII letters or digits",
                    tag_text(&tag)
                ),
            )
            .with_offset(offset));
        }
        let (Some(length), Some(start)) = (
            entry_number(&e[3..3 + ll]),
            entry_number(&e[3 + ll..3 + ll + sl]),
        ) else {
            return Err(Error::new(
                ErrorKind::Directory,
                format!(
                    "directory entry {i} ({}) has a field length or starting position that is not digits",
                    tag_text(&tag)
                ),
            )
            .with_offset(offset));
        };
        let from = base + start;
        let to = from + length;
        if misplaced.is_none() {
            if to > data_end {
                let e = Error::new(
                    ErrorKind::Directory,
                    format!(
                        "field {} (directory entry {i}) runs to byte {to}, past the end of the data at {data_end}",
                        tag_text(&tag)
                    ),
                )
                .with_offset(offset);
                misplaced = Some(p.past_end(to, e));
            } else if length == 0 || rec[to - 1] != FIELD_TERMINATOR {
                misplaced = Some(
                    Error::new(
                        ErrorKind::Directory,
                        format!(
                            "field {} (directory entry {i}) does not end with a field terminator \
                             where the directory says (bytes {from}..{to})",
                            tag_text(&tag)
                        ),
                    )
                    .with_offset(offset),
                );
            }
        }
        out.push(Placed {
            tag,
            field: from..to,
        });
    }
    Ok((out, misplaced))
}

/// Reads the directory and locates each field. Strict mode checks every entry
/// against the data; lenient mode (and oversize records) place fields by
/// their terminators where the directory is wrong.
fn place_fields(
    p: &mut Parser<'_>,
    dir: &[u8],
    base: usize,
    data_end: usize,
    layout: Layout,
) -> Result<PlacedFields> {
    let rec = p.rec;
    let n = layout.entry_len();
    // Repairing: read the entries as best we can.
    let mut entries = fixed_entries(dir, layout);
    let whole = dir.len().is_multiple_of(n)
        && entries
            .iter()
            .all(|e| e.length.is_some() && e.start.is_some());
    if !whole {
        match variable_entries(dir, layout) {
            Some(v) => {
                p.warn(
                    Error::new(
                        ErrorKind::Directory,
                        "directory entries of uneven width (numbers that overflowed their digits)",
                    )
                    .with_offset(LEADER_LEN as u64),
                );
                entries = v;
            }
            None if !dir.len().is_multiple_of(n) => p.warn(
                Error::new(
                    ErrorKind::Directory,
                    format!(
                        "directory is {} bytes, not a whole number of {n}-byte entries; \
                         the {} trailing bytes are ignored",
                        dir.len(),
                        dir.len() % n
                    ),
                )
                .with_offset((LEADER_LEN + dir.len() - dir.len() % n) as u64),
            ),
            None => {}
        }
    }
    let data = &rec[base..data_end];
    let boundary = |s: usize| s == 0 || (s <= data.len() && data[s - 1] == FIELD_TERMINATOR);
    let next_end = |s: usize| match memchr::memchr(FIELD_TERMINATOR, &data[s..]) {
        Some(i) => s + i + 1,
        None => data.len(),
    };
    let mut out = PlacedFields::with_capacity(entries.len());
    let mut cursor = 0usize;
    for (i, e) in entries.iter().enumerate() {
        if !tag_is_valid(&e.tag) {
            let err = Error::new(
                ErrorKind::Tag,
                format!(
                    "directory entry {i} has tag {:?}, not three ASCII letters or digits",
                    tag_text(&e.tag)
                ),
            )
            .with_offset(e.offset as u64);
            p.defect(err)?;
        }
        let exact = match (e.start, e.length) {
            (Some(s), Some(l))
                if l > 0
                    && s + l <= data.len()
                    && boundary(s)
                    && data[s + l - 1] == FIELD_TERMINATOR =>
            {
                Some(s..s + l)
            }
            _ => None,
        };
        let range = if let Some(r) = exact {
            r
        } else {
            let by_start = e
                .start
                .filter(|&s| s < data.len() && boundary(s) && (s == cursor || !p.ctx.oversize));
            let from = match by_start {
                Some(s) => s,
                None if cursor < data.len() => cursor,
                None => {
                    p.warn(
                        Error::new(
                            ErrorKind::Directory,
                            format!(
                                "field {} (directory entry {i}) has no data left; dropped",
                                tag_text(&e.tag)
                            ),
                        )
                        .with_offset(e.offset as u64),
                    );
                    continue;
                }
            };
            let to = next_end(from);
            let e2 = Error::new(
                ErrorKind::Directory,
                format!(
                    "field {} (directory entry {i}): directory says start {:?} length {:?}; \
                     placed at {}..{} by field terminators",
                    tag_text(&e.tag),
                    e.start,
                    e.length,
                    base + from,
                    base + to
                ),
            )
            .with_offset(e.offset as u64);
            if p.lenient || p.ctx.oversize {
                p.warn(e2);
            }
            from..to
        };
        cursor = range.end;
        out.push(Placed {
            tag: e.tag,
            field: base + range.start..base + range.end,
        });
    }
    Ok(out)
}

/// pymarc's `normalize_subfield_code`: a code byte outside ASCII is read as
/// the UTF-8 (else Latin-1) character it starts, decomposed, with accents
/// dropped; the code is the first ASCII character of that text. Returns the
/// code and how many bytes the original code took.
fn normalize_subfield_code(piece: &[u8]) -> (char, usize) {
    use unicode_normalization::UnicodeNormalization;
    let (text, skip): (std::borrow::Cow<'_, str>, usize) = match std::str::from_utf8(piece) {
        Ok(s) => (s.into(), s.chars().next().map_or(1, char::len_utf8)),
        Err(e) if e.valid_up_to() > 0 => {
            let s = std::str::from_utf8(&piece[..e.valid_up_to()]).expect("valid prefix");
            (s.into(), s.chars().next().map_or(1, char::len_utf8))
        }
        Err(_) => (
            piece
                .iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .into(),
            1,
        ),
    };
    let code = text
        .nfkd()
        .find(char::is_ascii)
        .unwrap_or_else(|| text.chars().next().unwrap_or(' '));
    (code, skip)
}

/// A MARC 21 indicator: blank, a digit, a lower-case letter or `|`.
#[inline]
fn indicator_ok(c: u8) -> bool {
    // A table: one load where the four tests took some ten instructions
    // for each of the two indicators of every data field (1.8% of the full
    // parse's instructions, callgrind; in time within the noise).
    static OK: [bool; 256] = {
        let mut ok = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            ok[c] = b == b' ' || b.is_ascii_digit() || b.is_ascii_lowercase() || b == b'|';
            c += 1;
        }
        ok
    };
    OK[usize::from(c)]
}

/// Sets `masks` to the subfield delimiters of `data`: bit `i` of word `w`
/// when `data[64 * w + i]` is one, and a last word of zeros (so that
/// [`mask_at`] can read the word after any byte of `data`). One pass of
/// 16-byte compares over the whole data area: fields are short (about 18
/// bytes a subfield), so a search per delimiter would cost more in calls
/// than in scanning, and a mask per field scanned most bytes twice. With
/// the indicator table below, against a mask per field (session 11): 146
/// vs 148 ms of thread CPU a pass over the LoC file (medians of ten
/// alternating rounds), 4.1% fewer instructions (callgrind). 32 bytes at a
/// time with AVX2 took 2.5% fewer instructions still but more time (152 vs
/// 148 ms), and was dropped.
fn delimiter_masks(data: &[u8], masks: &mut Vec<u64>) {
    masks.clear();
    let mut blocks = data.chunks_exact(64);
    masks.extend(
        (&mut blocks).map(|block| block_delimiter_mask(block.try_into().expect("64 bytes"))),
    );
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut padded = [0u8; 64];
        padded[..rest.len()].copy_from_slice(rest);
        masks.push(block_delimiter_mask(&padded));
    }
    masks.push(0);
}

/// The 64 bits of `masks` (see [`delimiter_masks`]) from bit `at`: bit `i`
/// set when `data[at + i]` is a delimiter (bytes past the end count as
/// not). `at` is inside `data`.
#[inline]
fn mask_at(masks: &[u64], at: usize) -> u64 {
    let (word, bit) = (at / 64, at % 64);
    let both = u128::from(masks[word + 1]) << 64 | u128::from(masks[word]);
    (both >> bit) as u64
}

#[inline]
pub(crate) fn block_delimiter_mask(block: &[u8; 64]) -> u64 {
    let delimiter = wide::u8x16::splat(SUBFIELD_DELIMITER);
    let mut mask = 0u64;
    for (k, chunk) in block.chunks_exact(16).enumerate() {
        let lanes = wide::u8x16::new(chunk.try_into().expect("16 bytes"));
        let bits = lanes.cmp_eq(delimiter).move_mask() as u16;
        mask |= u64::from(bits) << (16 * k);
    }
    mask
}

/// A MARC 21 data field with nothing to report: two valid indicators, a
/// delimiter, and subfields each with a printable ASCII code (in lenient
/// mode also a value, and a code that is not upper case). `None` (and
/// `spans` as it was) for anything else, which the general path handles.
/// The field is `data[at..end]` without its terminator; `data` is the data
/// area (or more of the record after it). Span offsets are moved by `shift`.
#[inline(always)]
fn plain_data_field(
    data: &[u8],
    masks: &[u64],
    at: usize,
    end: usize,
    lenient: bool,
    shift: usize,
    spans: &mut Vec<Span>,
) -> Option<Content> {
    let content = &data[at..end];
    let [first, second, SUBFIELD_DELIMITER, ..] = *content else {
        return None;
    };
    if !indicator_ok(first) || !indicator_ok(second) {
        return None;
    }
    let first_span = spans.len();
    let body = &content[3..];
    let body_at = at + 3;
    let text_at = shift + body_at;
    let mut piece_start = 0usize;
    // Ends the piece before the delimiter at `end` (relative to the body).
    let mut piece = |end: usize| -> bool {
        match body.get(piece_start).copied() {
            Some(c @ 0x21..0x7F)
                if piece_start < end
                    && !(lenient && (end == piece_start + 1 || c.is_ascii_uppercase())) =>
            {
                spans.push(Span {
                    code: char::from(c),
                    start: (text_at + piece_start + 1) as u32,
                    end: (text_at + end) as u32,
                });
                piece_start = end + 1;
                true
            }
            _ => false,
        }
    };
    let mut ok = true;
    let mut block = 0;
    'blocks: while block < body.len() {
        let mut mask = mask_at(masks, body_at + block);
        if body.len() - block < 64 {
            mask &= (1u64 << (body.len() - block)) - 1;
        }
        while mask != 0 {
            let end = block + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if !piece(end) {
                ok = false;
                break 'blocks;
            }
        }
        block += 64;
    }
    if !ok || !piece(body.len()) {
        spans.truncate(first_span);
        return None;
    }
    Some(Content::Data {
        indicators: Indicators::new(char::from(first), char::from(second)),
        first: first_span as u32,
        count: (spans.len() - first_span) as u32,
    })
}

/// The first pass over one field's bytes.
/// Subfield spans go to `spans`; the returned content indexes them.
fn field_shape(
    p: &mut Parser<'_>,
    pl: &Placed,
    base: usize,
    layout: Layout,
    spans: &mut Vec<Span>,
) -> Result<Content> {
    let rec = p.rec;
    let mut end = pl.field.end;
    if end > pl.field.start && rec[end - 1] == FIELD_TERMINATOR {
        end -= 1;
    } else if p.lenient || p.ctx.oversize {
        // Placed by the repair path up to the end of the data.
        p.warn(
            Error::new(
                ErrorKind::MissingTerminator,
                format!("field {} has no field terminator", tag_text(&pl.tag)),
            )
            .with_offset(end as u64),
        );
    }
    let start = pl.field.start;
    let rel = |i: usize| (i - base) as u32;
    if is_control_tag(&pl.tag) {
        return Ok(Content::Control {
            start: rel(start),
            end: rel(end),
        });
    }
    let content = &rec[start..end];
    if layout.indicator_count == 2 && layout.code_len == 2 {
        let mut masks = MASK_SCRATCH.take();
        delimiter_masks(content, &mut masks);
        let plain = plain_data_field(
            content,
            &masks,
            0,
            content.len(),
            p.repair_content,
            start - base,
            spans,
        );
        MASK_SCRATCH.set(masks);
        if let Some(content) = plain {
            return Ok(content);
        }
    }
    let tag = TagText(&pl.tag);
    let n = layout.indicator_count;
    // Indicators: the bytes before the first subfield delimiter, normally n.
    let first_delim = memchr::memchr(SUBFIELD_DELIMITER, content);
    let ind_len = if layout.code_len == 0 {
        n.min(content.len())
    } else {
        first_delim.unwrap_or(content.len()).min(n)
    };
    if ind_len < n {
        let e = Error::new(
            ErrorKind::Indicator,
            format!("field {tag} has {ind_len} indicator(s) where {n} are expected"),
        )
        .with_offset(start as u64);
        p.defect(e)?;
    }
    // A byte outside ASCII is half a character except in raw reading;
    // lenient mode blanks it (strict mode has refused it below).
    let raw = p.options.charset == Charset::Raw;
    let ind = |k: usize| match content.get(k) {
        Some(&b) if k < ind_len && (b < 0x80 || raw) => char::from(b),
        _ => ' ',
    };
    for (k, &c) in content.iter().enumerate().take(ind_len.min(2)) {
        if !indicator_ok(c) {
            let e = Error::new(
                ErrorKind::Indicator,
                format!(
                    "field {tag} indicator {} is {:?}, not a digit, lower-case letter or blank",
                    k + 1,
                    char::from(c)
                ),
            )
            .with_offset((start + k) as u64);
            p.defect(e)?;
        }
    }
    let indicators = Indicators::new(ind(0), ind(1));
    let first_span = spans.len();
    let data = |spans: &Vec<Span>| Content::Data {
        indicators,
        first: first_span as u32,
        count: (spans.len() - first_span) as u32,
    };
    let rest_at = start + ind_len;
    let rest = &content[ind_len..];
    if layout.code_len == 0 {
        if !rest.is_empty() {
            spans.push(Span {
                code: ' ',
                start: rel(rest_at),
                end: rel(end),
            });
        }
        return Ok(data(spans));
    }
    // Bytes between the indicators and the first delimiter.
    let junk = first_delim
        .map_or(content.len(), |d| d)
        .saturating_sub(ind_len);
    if junk > 0 {
        let (kind, what) = if junk == 1 && first_delim.is_some() {
            (
                ErrorKind::Indicator,
                format!(
                    "field {tag} has {} indicator characters where {n} are expected",
                    n + 1
                ),
            )
        } else {
            (
                ErrorKind::Subfield,
                format!("field {tag}: {junk} byte(s) of data before the first subfield delimiter"),
            )
        };
        let e = Error::new(kind, format!("{what}; they are dropped")).with_offset(rest_at as u64);
        p.defect(e)?;
    }
    let Some(first) = first_delim else {
        return Ok(data(spans));
    };
    let mut piece_start = start + first + 1;
    let pieces_end = end;
    loop {
        let next = memchr::memchr(SUBFIELD_DELIMITER, &rec[piece_start..pieces_end])
            .map_or(pieces_end, |i| piece_start + i);
        let piece = &rec[piece_start..next];
        if piece.is_empty() {
            let e = Error::new(
                ErrorKind::Subfield,
                format!("field {tag} has a subfield delimiter without a code; skipped"),
            )
            .with_offset((piece_start - 1) as u64);
            p.defect(e)?;
        } else if layout.code_len == 1 {
            spans.push(Span {
                code: ' ',
                start: rel(piece_start),
                end: rel(next),
            });
        } else {
            let c = piece[0];
            let (code, skip) = if (0x21..0x7F).contains(&c) {
                (char::from(c), 1)
            } else if c < 0x80 {
                let e = Error::new(
                    ErrorKind::Subfield,
                    format!("field {tag} has subfield code 0x{c:02X}, not a printable character"),
                )
                .with_offset(piece_start as u64);
                p.defect(e)?;
                (char::from(c), 1)
            } else {
                let (code, skip) = normalize_subfield_code(piece);
                let e = Error::new(
                    ErrorKind::Subfield,
                    format!("field {tag} has a subfield code outside ASCII; read as {code:?}"),
                )
                .with_offset(piece_start as u64);
                p.defect(e)?;
                (code, skip)
            };
            let value_start = piece_start + skip.min(piece.len());
            if p.repair_content && value_start == next {
                p.warn(
                    Error::new(
                        ErrorKind::Subfield,
                        format!("field {tag} has an empty ${code}; dropped"),
                    )
                    .with_offset(piece_start as u64),
                );
                if next >= pieces_end {
                    break;
                }
                piece_start = next + 1;
                continue;
            }
            let code = if p.repair_content && code.is_ascii_uppercase() {
                p.warn(
                    Error::new(
                        ErrorKind::Subfield,
                        format!(
                            "field {tag} has upper-case subfield code {code:?}; read as lower case"
                        ),
                    )
                    .with_offset(piece_start as u64),
                );
                code.to_ascii_lowercase()
            } else {
                code
            };
            spans.push(Span {
                code,
                start: rel(value_start),
                end: rel(next),
            });
        }
        if next >= pieces_end {
            break;
        }
        piece_start = next + 1;
    }
    Ok(data(spans))
}

/// The second pass where the data area cannot be the text as it is: each
/// value decoded into a new buffer.
fn build_text(
    p: &mut Parser<'_>,
    base: usize,
    data_end: usize,
    charset: Charset,
    shapes: Vec<(Tag, Content)>,
    mut spans: Vec<Span>,
) -> Result<Fields> {
    let data = &p.rec[base..data_end];
    let entities = p.repair_content && has_xml_entity(data);
    // Value by value, into a new buffer.
    let mut text = String::with_capacity(data.len() + data.len() / 8);
    let mut decoded: Vec<(Tag, Content)> = Vec::with_capacity(shapes.len());
    let mut kept = 0usize;
    for (tag, content) in shapes {
        let mut decode = |p: &mut Parser<'_>, start: u32, end: u32| -> Result<(u32, u32)> {
            let before = p.warnings.len();
            let bytes = &data[start as usize..end as usize];
            let at = (base + start as usize) as u64;
            let mut value = match marc8_in_utf8(bytes, charset, p) {
                Some(v) => v.into(),
                None => decode_text(bytes, charset, p.options, p.warnings).map_err(|e| {
                    let mut e = e.with_offset(at);
                    e.message = format!("field {tag}: {}", e.message);
                    e
                })?,
            };
            if entities {
                if let std::borrow::Cow::Owned(u) = unescape_xml_entities(&value) {
                    p.warnings.push(
                        Error::new(
                            ErrorKind::Encoding,
                            "XML character entities replaced by the characters they stand for",
                        )
                        .into(),
                    );
                    value = u.into();
                }
            }
            for w in &mut p.warnings[before..] {
                w.position.byte_offset.get_or_insert(at);
                w.message = format!("field {tag}: {}", w.message);
            }
            let s = text.len() as u32;
            text.push_str(&value);
            Ok((s, text.len() as u32))
        };
        let new_content = match content {
            Content::Control { start, end } => {
                let (start, end) = decode(p, start, end)?;
                Content::Control { start, end }
            }
            Content::Data {
                indicators,
                first,
                count,
            } => {
                // Spans are compacted in place (`kept` never passes the span
                // read): lenient repair drops a value that decodes to nothing
                // (unmappable MARC-8 bytes, say) as it drops an empty one, so
                // that what it returns reads back the same once written.
                let kept_first = kept;
                for i in first as usize..(first + count) as usize {
                    let s = spans[i];
                    let (start, end) = decode(p, s.start, s.end)?;
                    if p.repair_content && start == end && s.start != s.end {
                        p.warn(Error::new(
                            ErrorKind::Subfield,
                            format!(
                                "field {tag} has a ${} with nothing readable; dropped",
                                s.code
                            ),
                        ));
                        continue;
                    }
                    spans[kept] = Span { start, end, ..s };
                    kept += 1;
                }
                Content::Data {
                    indicators,
                    first: kept_first as u32,
                    count: (kept - kept_first) as u32,
                }
            }
        };
        decoded.push((tag, new_content));
    }
    spans.truncate(kept);
    let mut shared = SharedMany::new(
        SharedText {
            text: text.into_boxed_str(),
            spans,
        },
        decoded.len(),
    );
    Ok(Fields::over(&mut shared, decoded))
}

/// Lenient mode: a value of a UTF-8 record that is not UTF-8 but reads as
/// MARC-8 without complaint (records converted halfway) is taken as MARC-8.
fn marc8_in_utf8(bytes: &[u8], charset: Charset, p: &mut Parser<'_>) -> Option<String> {
    if !p.repair_content || charset != Charset::Utf8 || std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    let mut scratch = Vec::new();
    let text = decode_text(bytes, Charset::Marc8, p.options, &mut scratch).ok()?;
    if !scratch.is_empty() {
        return None;
    }
    p.warnings.push(
        Error::new(
            ErrorKind::Encoding,
            "invalid UTF-8; the value reads as MARC-8 and was taken as such",
        )
        .into(),
    );
    Some(text.into_owned())
}

const XML_ENTITIES: [(&str, &str); 5] = [
    ("&amp;", "&"),
    ("&apos;", "'"),
    ("&quot;", "\""),
    ("&lt;", "<"),
    ("&gt;", ">"),
];

fn has_xml_entity(data: &[u8]) -> bool {
    memchr::memchr_iter(b'&', data).any(|i| {
        XML_ENTITIES
            .iter()
            .any(|(e, _)| data[i..].starts_with(e.as_bytes()))
    })
}

/// Lenient mode: XML's predefined entities left in data that went through XML
/// without being unescaped (`&amp;` for `&`), as marc4j's permissive reader
/// repairs them.
fn unescape_xml_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_xml_entity(text.as_bytes()) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match XML_ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push_str(c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn spans_on_boundaries(text: &str, content: &Content, spans: &[Span]) -> bool {
    let ok = |s: u32, e: u32| {
        s <= e && text.is_char_boundary(s as usize) && text.is_char_boundary(e as usize)
    };
    match *content {
        Content::Control { start, end } => ok(start, end),
        Content::Data { first, count, .. } => spans[first as usize..(first + count) as usize]
            .iter()
            .all(|s| ok(s.start, s.end)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_codes_like_pymarc() {
        assert_eq!(normalize_subfield_code("áActive".as_bytes()), ('a', 2));
        // U+FFFD has no ASCII decomposition: pymarc takes the next ASCII letter.
        assert_eq!(
            normalize_subfield_code("\u{FFFD}bAssoc".as_bytes()),
            ('b', 3)
        );
        assert_eq!(normalize_subfield_code(&[0xE9, b'x']), ('e', 1));
    }

    #[test]
    fn control_tags_are_000_to_009() {
        for tag in [&b"001"[..], b"008", b"009", b"000"] {
            assert!(is_control_tag(tag), "{tag:?}");
        }
        for tag in [&b"010"[..], b"00A", b"0 1", b"01", b"0011", b"100", b"A01"] {
            assert!(!is_control_tag(tag), "{tag:?}");
        }
    }

    #[test]
    fn entry_numbers_match_digit_by_digit_parsing() {
        let mut entries: Vec<[u8; 12]> = vec![
            *b"245001200000",
            *b"245999999999",
            *b"245012300456",
            *b"245000000001",
            *b"24590000900a",
        ];
        // Every byte value in every digit position of an entry.
        for pos in 3..12 {
            for b in 0..=255u8 {
                let mut e = *b"100123498765";
                e[pos] = b;
                entries.push(e);
            }
        }
        for e in entries {
            let expected = entry_number(&e[3..7]).zip(entry_number(&e[7..12]));
            assert_eq!(marc21_entry_numbers(&e), expected, "{e:?}");
        }
    }

    #[test]
    fn delimiter_masks_mark_each_delimiter_of_the_64_bytes_from_any_byte() {
        let mut masks = Vec::new();
        for len in [0usize, 1, 63, 64, 65, 128, 150] {
            let data: Vec<u8> = (0..len as u32)
                .map(|i| {
                    if i % 7 == 3 || i == 64 || i + 1 == len as u32 {
                        SUBFIELD_DELIMITER
                    } else {
                        b'a' + (i % 26) as u8
                    }
                })
                .collect();
            delimiter_masks(&data, &mut masks);
            assert_eq!(masks.len(), len.div_ceil(64) + 1);
            for at in 0..len {
                let expected = (0..64)
                    .filter(|&i| data.get(at + i) == Some(&SUBFIELD_DELIMITER))
                    .fold(0u64, |m, i| m | 1 << i);
                assert_eq!(mask_at(&masks, at), expected, "len {len} at {at}");
            }
        }
    }

    /// The one-pass path gives exactly what the general path gives (record,
    /// error and warnings) on every ISO 2709 fixture, good and bad, in every
    /// mode, taking the fixtures' records as framed and also cut short or
    /// with a byte changed.
    #[test]
    fn clean_path_matches_the_general_path() {
        use crate::options::Charset;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "mrc"))
            .collect();
        files.sort();
        assert!(files.len() > 50, "fixtures in {}", dir.display());
        let modes = [
            ReadOptions::strict(),
            ReadOptions::lenient(),
            ReadOptions {
                charset: Charset::Utf8,
                ..ReadOptions::strict()
            },
            ReadOptions {
                charset: Charset::Raw,
                ..ReadOptions::lenient()
            },
        ];
        let run = |rec: &[u8], options: &ReadOptions, general_only: bool| {
            let mut warnings = Vec::new();
            let ctx = Context {
                general_only,
                ..Context::default()
            };
            let result = parse(rec, options, &mut warnings, ctx, None);
            format!("{result:?} {warnings:?}")
        };
        let (mut records, mut clean) = (0, 0);
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            for range in crate::parallel::split_records(&bytes) {
                let rec = &bytes[range];
                let mut variants = vec![rec.to_vec(), rec[..rec.len() * 2 / 3].to_vec()];
                // A changed byte in the directory and in the data area.
                for at in [LEADER_LEN + 5, rec.len() / 2] {
                    if at < rec.len() {
                        let mut v = rec.to_vec();
                        v[at] ^= 0x1F;
                        variants.push(v);
                    }
                }
                // The second field's entry moved one byte into its field (it
                // still ends on its terminator).
                if let Some(e) = rec.get(LEADER_LEN + 12..LEADER_LEN + 24) {
                    if let (Some(l), Some(s)) = (entry_number(&e[3..7]), entry_number(&e[7..12])) {
                        let moved = format!("{:04}{:05}", l.saturating_sub(1), s + 1);
                        let mut v = rec.to_vec();
                        v[LEADER_LEN + 15..LEADER_LEN + 24].copy_from_slice(moved.as_bytes());
                        variants.push(v);
                    }
                }
                for v in &variants {
                    for options in &modes {
                        let general = run(v, options, true);
                        assert_eq!(run(v, options, false), general, "{}", file.display());
                        records += 1;
                        clean += usize::from(general.starts_with("Ok"));
                    }
                }
            }
        }
        assert!(records > 10_000 && clean > 1_000, "{records} {clean}");
    }
}
