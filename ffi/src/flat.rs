//! Flat views: every leader, field and subfield of one or many records in
//! three arrays of 32-bit integers over one UTF-8 text, built in one call
//! (and read back into a record in one call), so a binding pays one crossing
//! per batch of records instead of one per value.

use std::ffi::c_char;

use mrrc_core::{Field, Indicators, Leader, Record};

use crate::args::{borrow, code_point, out_ptr, write};
use crate::field::{field_ref, into_handle as field_into_handle, MrrcField};
use crate::record::{into_handle, record_refs, MrrcRecord};
use crate::status::{status_of, Failure, Outcome};

/// How offsets and lengths into `MrrcFlat.text` are counted.
pub type MrrcOffsetUnit = u32;
/// In UTF-8 bytes (for C).
pub const MRRC_OFFSETS_BYTES: MrrcOffsetUnit = 0;
/// In Unicode code points, so a binding can decode the whole text once and
/// slice the decoded string (Python `str`).
pub const MRRC_OFFSETS_CHARS: MrrcOffsetUnit = 1;
/// Added to the unit (`MRRC_OFFSETS_CHARS | MRRC_FLAT_VALUES`) when
/// flattening: each data field's `value_offset`/`value_len` then hold its
/// pymarc `value()` (the subfield values stripped and joined by spaces),
/// so a binding can serve it without another call.
pub const MRRC_FLAT_VALUES: MrrcOffsetUnit = 0x100;

/// One record of a flat view: its leader's text and its run of fields.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MrrcFlatRecord {
    pub leader_offset: u32,
    pub leader_len: u32,
    /// Index of the record's first field in `MrrcFlat.fields`.
    pub first_field: u32,
    pub field_count: u32,
}

/// One field of a flat view.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MrrcFlatField {
    pub tag_offset: u32,
    pub tag_len: u32,
    /// 1 for a control field (value in `value_offset`/`value_len`), 0 for a
    /// data field (indicators and subfields).
    pub is_control: u32,
    /// Indicators as Unicode scalar values (0 for a control field).
    pub indicator1: u32,
    pub indicator2: u32,
    pub value_offset: u32,
    pub value_len: u32,
    /// Index of the field's first subfield in `MrrcFlat.subfields`.
    pub first_subfield: u32,
    pub subfield_count: u32,
}

/// One subfield of a flat view.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MrrcFlatSubfield {
    /// The code as a Unicode scalar value.
    pub code: u32,
    pub value_offset: u32,
    pub value_len: u32,
}

/// A flat view of records. Every struct above is made of `uint32_t` only,
/// so a binding may also read the arrays as plain `uint32_t` arrays with a
/// stride of 4, 9 and 3. Views from `mrrc_flatten_records` are owned by the
/// caller and freed with `mrrc_flat_free`; a view built by the caller for
/// `mrrc_record_from_flat` stays the caller's.
///
/// Threads: a view is plain data; it may be moved and shared freely.
#[repr(C)]
pub struct MrrcFlat {
    /// UTF-8 text holding every leader, tag and value (not NUL-terminated).
    pub text: *const c_char,
    /// Length of `text` in bytes.
    pub text_len: usize,
    /// `MRRC_OFFSETS_BYTES` or `MRRC_OFFSETS_CHARS`.
    pub offset_unit: MrrcOffsetUnit,
    pub records: *const MrrcFlatRecord,
    pub record_count: usize,
    pub fields: *const MrrcFlatField,
    pub field_count: usize,
    pub subfields: *const MrrcFlatSubfield,
    pub subfield_count: usize,
}

/// The allocation behind a view handed out: the view first, so the pointer
/// to the view is the pointer to the owner.
#[repr(C)]
struct FlatOwner {
    view: MrrcFlat,
    text: String,
    records: Vec<MrrcFlatRecord>,
    fields: Vec<MrrcFlatField>,
    subfields: Vec<MrrcFlatSubfield>,
}

/// Appends text and returns its (offset, length) in the chosen unit.
struct TextBuilder {
    text: String,
    chars: bool,
    /// Length of `text` in the chosen unit.
    position: u64,
}

impl TextBuilder {
    fn push(&mut self, s: &str) -> Outcome<(u32, u32)> {
        let len = if self.chars {
            s.chars().count() as u64
        } else {
            s.len() as u64
        };
        let offset = self.position;
        self.text.push_str(s);
        self.position += len;
        Ok((to_u32(offset)?, to_u32(len)?))
    }
}

fn to_u32(n: u64) -> Outcome<u32> {
    u32::try_from(n).map_err(|_| {
        Failure::invalid(
            "a flat view is limited to 4 GiB of text and 2^32 items; use smaller batches",
        )
    })
}

fn len_u32(n: usize) -> Outcome<u32> {
    to_u32(n as u64)
}

/// The records and fields of a view being built.
struct FlatBuilder {
    text: TextBuilder,
    with_values: bool,
    records: Vec<MrrcFlatRecord>,
    fields: Vec<MrrcFlatField>,
    subfields: Vec<MrrcFlatSubfield>,
}

impl FlatBuilder {
    fn new(unit: MrrcOffsetUnit, records: usize, fields: usize) -> Outcome<Self> {
        let chars = match unit & !MRRC_FLAT_VALUES {
            MRRC_OFFSETS_BYTES => false,
            MRRC_OFFSETS_CHARS => true,
            other => return Err(Failure::invalid(format!("unknown offset unit {other}"))),
        };
        Ok(FlatBuilder {
            text: TextBuilder {
                text: String::with_capacity(records.max(1) * 1024),
                chars,
                position: 0,
            },
            with_values: unit & MRRC_FLAT_VALUES != 0,
            records: Vec::with_capacity(records),
            fields: Vec::with_capacity(fields),
            subfields: Vec::with_capacity(fields * 3),
        })
    }

    fn push_field(&mut self, field: &Field) -> Outcome<()> {
        let (tag_offset, tag_len) = self.text.push(field.tag().as_str())?;
        let mut flat = MrrcFlatField {
            tag_offset,
            tag_len,
            first_subfield: len_u32(self.subfields.len())?,
            ..MrrcFlatField::default()
        };
        if let Some(value) = field.control_value() {
            flat.is_control = 1;
            (flat.value_offset, flat.value_len) = self.text.push(value)?;
        } else {
            let ind = field.indicators().unwrap_or_default();
            flat.indicator1 = u32::from(ind.first);
            flat.indicator2 = u32::from(ind.second);
            flat.subfield_count = len_u32(field.subfield_count())?;
            for sub in field.subfields() {
                let (value_offset, value_len) = self.text.push(sub.value)?;
                self.subfields.push(MrrcFlatSubfield {
                    code: u32::from(sub.code),
                    value_offset,
                    value_len,
                });
            }
            if self.with_values {
                (flat.value_offset, flat.value_len) = self.text.push(&field.value())?;
            }
        }
        self.fields.push(flat);
        Ok(())
    }

    fn push_record(&mut self, record: &Record) -> Outcome<()> {
        let (leader_offset, leader_len) = self.text.push(&record.leader.as_str())?;
        self.records.push(MrrcFlatRecord {
            leader_offset,
            leader_len,
            first_field: len_u32(self.fields.len())?,
            field_count: len_u32(record.fields().len())?,
        });
        for field in record.fields() {
            self.push_field(field)?;
        }
        Ok(())
    }

    fn finish(self, unit: MrrcOffsetUnit) -> Box<FlatOwner> {
        let mut owner = Box::new(FlatOwner {
            view: MrrcFlat {
                text: std::ptr::null(),
                text_len: 0,
                offset_unit: unit & !MRRC_FLAT_VALUES,
                records: std::ptr::null(),
                record_count: 0,
                fields: std::ptr::null(),
                field_count: 0,
                subfields: std::ptr::null(),
                subfield_count: 0,
            },
            text: self.text.text,
            records: self.records,
            fields: self.fields,
            subfields: self.subfields,
        });
        // The vectors' heap buffers do not move with the box, so the view
        // may point into them.
        let o = &mut *owner;
        o.view.text = o.text.as_ptr().cast();
        o.view.text_len = o.text.len();
        o.view.records = o.records.as_ptr();
        o.view.record_count = o.records.len();
        o.view.fields = o.fields.as_ptr();
        o.view.field_count = o.fields.len();
        o.view.subfields = o.subfields.as_ptr();
        o.view.subfield_count = o.subfields.len();
        owner
    }
}

fn flatten(records: &[&Record], unit: MrrcOffsetUnit) -> Outcome<Box<FlatOwner>> {
    let field_total: usize = records.iter().map(|r| r.fields().len()).sum();
    let mut builder = FlatBuilder::new(unit, records.len(), field_total)?;
    for record in records {
        builder.push_record(record)?;
    }
    Ok(builder.finish(unit))
}

/// Flattens `records[0..count]` into one caller-owned view
/// (`mrrc_flat_free`). Offsets count bytes or code points as `unit` says.
#[no_mangle]
pub unsafe extern "C" fn mrrc_flatten_records(
    records: *const *const MrrcRecord,
    count: usize,
    unit: MrrcOffsetUnit,
    out: *mut *mut MrrcFlat,
) -> crate::MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let refs = unsafe { record_refs(records, count) }?;
        let owner = flatten(&refs, unit)?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, Box::into_raw(owner).cast::<MrrcFlat>()) };
        Ok(())
    })
}

/// Flattens one record (`mrrc_flatten_records` with a count of 1).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_flatten(
    record: *const MrrcRecord,
    unit: MrrcOffsetUnit,
    out: *mut *mut MrrcFlat,
) -> crate::MrrcStatus {
    let one = [record];
    // SAFETY: `one` holds one pointer, checked by the callee.
    unsafe { mrrc_flatten_records(one.as_ptr(), 1, unit, out) }
}

/// Frees a view returned by `mrrc_flatten_records` / `mrrc_record_flatten`
/// (NULL is a no-op). Never pass a view the caller built.
#[no_mangle]
pub unsafe extern "C" fn mrrc_flat_free(flat: *mut MrrcFlat) {
    if !flat.is_null() {
        // SAFETY: views handed out are the first member of a boxed FlatOwner.
        drop(unsafe { Box::from_raw(flat.cast::<FlatOwner>()) });
    }
}

/// Resolves (offset, len) in the view's unit to a `&str` of its text.
struct TextIndex<'a> {
    text: &'a str,
    /// Byte position of each code point, and the end, when counting chars.
    char_starts: Option<Vec<usize>>,
}

impl<'a> TextIndex<'a> {
    fn slice(&self, offset: u32, len: u32, what: &str) -> Outcome<&'a str> {
        let (start, end) = (offset as usize, offset as usize + len as usize);
        let (b0, b1) = match &self.char_starts {
            Some(starts) => match (starts.get(start), starts.get(end)) {
                (Some(&a), Some(&b)) => (a, b),
                _ => return Err(out_of_text(what)),
            },
            None => (start, end),
        };
        self.text.get(b0..b1).ok_or_else(|| out_of_text(what))
    }
}

fn out_of_text(what: &str) -> Failure {
    Failure::invalid(format!(
        "the {what} offset and length fall outside the text or inside a UTF-8 sequence"
    ))
}

/// # Safety
/// `ptr` is valid for `len` items when non-NULL.
unsafe fn view_slice<'a, T>(ptr: *const T, len: usize, name: &'static str) -> Outcome<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: forwarded from the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

fn range<'a, T>(items: &'a [T], first: u32, count: u32, what: &str) -> Outcome<&'a [T]> {
    let start = first as usize;
    items.get(start..start + count as usize).ok_or_else(|| {
        Failure::invalid(format!(
            "the record's {what} run lies outside the view's {what} array"
        ))
    })
}

/// A caller's view, checked: its arrays as slices and its text indexed.
struct ViewParts<'a> {
    text: TextIndex<'a>,
    records: &'a [MrrcFlatRecord],
    fields: &'a [MrrcFlatField],
    subfields: &'a [MrrcFlatSubfield],
}

impl<'a> ViewParts<'a> {
    fn of(view: &'a MrrcFlat) -> Outcome<Self> {
        // SAFETY: the caller's view describes arrays of the stated lengths.
        let (text, records, fields, subfields) = unsafe {
            (
                view_slice(view.text.cast::<u8>(), view.text_len, "text")?,
                view_slice(view.records, view.record_count, "records")?,
                view_slice(view.fields, view.field_count, "fields")?,
                view_slice(view.subfields, view.subfield_count, "subfields")?,
            )
        };
        let text = std::str::from_utf8(text).map_err(|e| {
            Failure::invalid(format!(
                "the view's text is not UTF-8 (at byte {})",
                e.valid_up_to()
            ))
        })?;
        let char_starts = match view.offset_unit {
            MRRC_OFFSETS_BYTES => None,
            MRRC_OFFSETS_CHARS => Some(
                text.char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(text.len()))
                    .collect(),
            ),
            other => return Err(Failure::invalid(format!("unknown offset unit {other}"))),
        };
        Ok(ViewParts {
            text: TextIndex { text, char_starts },
            records,
            fields,
            subfields,
        })
    }

    fn field(&self, f: &MrrcFlatField) -> Outcome<Field> {
        let tag = self.text.slice(f.tag_offset, f.tag_len, "tag")?;
        Ok(if f.is_control != 0 {
            Field::control(tag, self.text.slice(f.value_offset, f.value_len, "value")?)
        } else {
            let ind = Indicators::new(
                code_point(f.indicator1, "indicator1")?,
                code_point(f.indicator2, "indicator2")?,
            );
            let subs = range(
                self.subfields,
                f.first_subfield,
                f.subfield_count,
                "subfield",
            )?
            .iter()
            .map(|s| {
                Ok((
                    code_point(s.code, "code")?,
                    self.text
                        .slice(s.value_offset, s.value_len, "subfield value")?,
                ))
            })
            .collect::<Outcome<Vec<(char, &str)>>>()?;
            Field::data(tag, ind, subs)
        })
    }

    fn record(&self, index: usize) -> Outcome<Record> {
        let flat_record = self
            .records
            .get(index)
            .ok_or_else(|| Failure::out_of_range("record", index, self.records.len()))?;
        let leader_text =
            self.text
                .slice(flat_record.leader_offset, flat_record.leader_len, "leader")?;
        let leader = Leader::from_bytes(leader_text.as_bytes())?;
        let mut record = Record::with_leader(leader);
        for f in range(
            self.fields,
            flat_record.first_field,
            flat_record.field_count,
            "field",
        )? {
            record.add_field(self.field(f)?);
        }
        Ok(record)
    }
}

/// Builds a record from record `index` of a flat view, typically one the
/// caller filled (a binding's edited fields sent back in one call). Every
/// offset is checked; `MRRC_INVALID_ARGUMENT` when one is out of place,
/// `MRRC_LEADER` when the leader is not 24 bytes.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_from_flat(
    flat: *const MrrcFlat,
    index: usize,
    out: *mut *mut MrrcRecord,
) -> crate::MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let view = unsafe { borrow(flat, "flat") }?;
        let record = ViewParts::of(view)?.record(index)?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, into_handle(record)) };
        Ok(())
    })
}

/// Flattens one field into a caller-owned view (`mrrc_flat_free`) with no
/// records and one field (and its subfields); `unit` as for
/// `mrrc_flatten_records`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_flatten(
    field: *const MrrcField,
    unit: MrrcOffsetUnit,
    out: *mut *mut MrrcFlat,
) -> crate::MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_ref(field) }?;
        let mut builder = FlatBuilder::new(unit, 0, 1)?;
        builder.push_field(field)?;
        let owner = builder.finish(unit);
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, Box::into_raw(owner).cast::<MrrcFlat>()) };
        Ok(())
    })
}

/// Builds an owned field (`mrrc_field_free`) from field `index` of a flat
/// view's `fields` array, checked as for `mrrc_record_from_flat` (the
/// view's `records` may be empty).
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_from_flat(
    flat: *const MrrcFlat,
    index: usize,
    out: *mut *mut MrrcField,
) -> crate::MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let view = unsafe { borrow(flat, "flat") }?;
        let parts = ViewParts::of(view)?;
        let f = parts
            .fields
            .get(index)
            .ok_or_else(|| Failure::out_of_range("field", index, parts.fields.len()))?;
        let field = parts.field(f)?;
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, field_into_handle(field)) };
        Ok(())
    })
}
