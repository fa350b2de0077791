//! `MrrcField`: a field, either owned by the caller (from `mrrc_field_new_*`
//! or `mrrc_field_clone`, freed with `mrrc_field_free`) or borrowed from a
//! record (`mrrc_record_field`, never freed by the caller).

use std::ffi::c_char;

use mrrc_core::{Field, Indicators, SetSubfieldError};

use crate::alloc::{owned_indexes, owned_string};
use crate::args::{borrow, borrow_mut, c_text, code_point, out_ptr, text, write, write_opt};
use crate::status::{status_of, value_or, Failure, MrrcStatus, Outcome};

/// A MARC field: a tag and either a control value or two indicators and
/// subfields.
///
/// Threads: an owned field may be moved to another thread; it may be shared
/// between threads as long as none of them modifies it. A borrowed field
/// follows the record it belongs to.
pub struct MrrcField {
    _opaque: [u8; 0],
}

/// A borrowed run of UTF-8 text: `len` bytes at `ptr`, NOT NUL-terminated.
/// `ptr` is NULL when there is no value. Valid until the field or record it
/// came from is modified or freed; never freed by the caller.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MrrcStr {
    pub ptr: *const c_char,
    pub len: usize,
}

impl MrrcStr {
    pub(crate) const NONE: MrrcStr = MrrcStr {
        ptr: std::ptr::null(),
        len: 0,
    };
    pub(crate) fn of(s: &str) -> MrrcStr {
        MrrcStr {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }
    fn of_opt(s: Option<&str>) -> MrrcStr {
        s.map_or(MrrcStr::NONE, MrrcStr::of)
    }
}

/// A raw handle for a boxed field (ownership passes to the caller).
pub(crate) fn into_handle(field: Field) -> *mut MrrcField {
    Box::into_raw(Box::new(field)).cast()
}

/// # Safety
/// A non-NULL `f` is a live field handle.
pub(crate) unsafe fn field_ref<'a>(f: *const MrrcField) -> Outcome<&'a Field> {
    // SAFETY: a field handle points to a `Field` (owned or in a record).
    unsafe { borrow(f.cast::<Field>(), "field") }
}

/// # Safety
/// A non-NULL `f` is a live field handle not used elsewhere during the call.
unsafe fn field_mut<'a>(f: *mut MrrcField) -> Outcome<&'a mut Field> {
    // SAFETY: as for `field_ref`.
    unsafe { borrow_mut(f.cast::<Field>(), "field") }
}

fn data_only(field: &Field) -> Outcome<()> {
    if field.is_control() {
        Err(Failure::new(
            MrrcStatus::MRRC_WRONG_FIELD_KIND,
            format!(
                "field {} is a control field and has no indicators or subfields",
                field.tag()
            ),
        ))
    } else {
        Ok(())
    }
}

/// Creates a control field (`001`-`009`) with a UTF-8 value. A numeric tag
/// of one or two digits is zero-padded, as in pymarc.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_new_control(
    tag: *const c_char,
    value: *const u8,
    value_len: usize,
    out: *mut *mut MrrcField,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let (tag, value) = unsafe { (c_text(tag, "tag")?, text(value, value_len, "value")?) };
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, into_handle(Field::control(tag, value))) };
        Ok(())
    })
}

/// Creates a data field with two indicators (Unicode scalar values, usually
/// ASCII: `' '`, `'0'`...) and no subfields.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_new_data(
    tag: *const c_char,
    indicator1: u32,
    indicator2: u32,
    out: *mut *mut MrrcField,
) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let tag = unsafe { c_text(tag, "tag")? };
        let ind = Indicators::new(
            code_point(indicator1, "indicator1")?,
            code_point(indicator2, "indicator2")?,
        );
        let field = Field::data(tag, ind, std::iter::empty::<(char, &str)>());
        // SAFETY: checked non-NULL by out_ptr.
        unsafe { write(out, into_handle(field)) };
        Ok(())
    })
}

/// An owned copy of a field (owned or borrowed); NULL if `field` is NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_clone(field: *const MrrcField) -> *mut MrrcField {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: pointer contract of the header.
        Ok(into_handle(unsafe { field_ref(field) }?.clone()))
    })
}

/// Frees an owned field (NULL is a no-op). Never pass a field borrowed from
/// a record.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_free(field: *mut MrrcField) {
    if !field.is_null() {
        // SAFETY: an owned handle came from `into_handle` (Box<Field>).
        drop(unsafe { Box::from_raw(field.cast::<Field>()) });
    }
}

/// True when both fields have the same tag, indicators, value and
/// subfields; false if either is NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_equal(a: *const MrrcField, b: *const MrrcField) -> bool {
    value_or(false, || {
        // SAFETY: pointer contract of the header.
        Ok(unsafe { field_ref(a)? == field_ref(b)? })
    })
}

/// The tag (borrowed).
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_tag(field: *const MrrcField) -> MrrcStr {
    value_or(MrrcStr::NONE, || {
        // SAFETY: pointer contract of the header.
        Ok(MrrcStr::of(unsafe { field_ref(field) }?.tag().as_str()))
    })
}

/// Replaces the tag.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_set_tag(
    field: *mut MrrcField,
    tag: *const c_char,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (field, tag) = unsafe { (field_mut(field)?, c_text(tag, "tag")?) };
        field.set_tag(tag);
        Ok(())
    })
}

/// True for a control field (no indicators, no subfields).
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_is_control(field: *const MrrcField) -> bool {
    // SAFETY: pointer contract of the header.
    value_or(false, || Ok(unsafe { field_ref(field) }?.is_control()))
}

/// The value of a control field (borrowed); `ptr` is NULL for a data field.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_control_value(field: *const MrrcField) -> MrrcStr {
    value_or(MrrcStr::NONE, || {
        // SAFETY: pointer contract of the header.
        Ok(MrrcStr::of_opt(
            unsafe { field_ref(field) }?.control_value(),
        ))
    })
}

/// Replaces the value of a control field (`MRRC_WRONG_FIELD_KIND` on a data
/// field).
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_set_control_value(
    field: *mut MrrcField,
    value: *const u8,
    value_len: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (field, value) = unsafe { (field_mut(field)?, text(value, value_len, "value")?) };
        if !field.is_control() {
            return Err(Failure::new(
                MrrcStatus::MRRC_WRONG_FIELD_KIND,
                format!(
                    "field {} is a data field and has no control value",
                    field.tag()
                ),
            ));
        }
        field.set_control_value(value);
        Ok(())
    })
}

/// The two indicators as Unicode scalar values (`MRRC_WRONG_FIELD_KIND` on a
/// control field).
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_indicators(
    field: *const MrrcField,
    indicator1: *mut u32,
    indicator2: *mut u32,
) -> MrrcStatus {
    status_of(|| {
        let (o1, o2) = (
            out_ptr(indicator1, "indicator1")?,
            out_ptr(indicator2, "indicator2")?,
        );
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_ref(field) }?;
        data_only(field)?;
        let ind = field.indicators().unwrap_or_default();
        // SAFETY: both checked non-NULL by out_ptr.
        unsafe {
            write(o1, u32::from(ind.first));
            write(o2, u32::from(ind.second));
        }
        Ok(())
    })
}

/// Sets both indicators of a data field.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_set_indicators(
    field: *mut MrrcField,
    indicator1: u32,
    indicator2: u32,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_mut(field) }?;
        data_only(field)?;
        field.set_indicators(Indicators::new(
            code_point(indicator1, "indicator1")?,
            code_point(indicator2, "indicator2")?,
        ));
        Ok(())
    })
}

/// Number of subfields (0 for a control field or NULL).
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_subfield_count(field: *const MrrcField) -> usize {
    // SAFETY: pointer contract of the header.
    value_or(0, || Ok(unsafe { field_ref(field) }?.subfield_count()))
}

/// The code (a Unicode scalar value) and the borrowed value of the subfield
/// at `index`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_subfield(
    field: *const MrrcField,
    index: usize,
    code: *mut u32,
    value: *mut MrrcStr,
) -> MrrcStatus {
    status_of(|| {
        let (code_out, value_out) = (out_ptr(code, "code")?, out_ptr(value, "value")?);
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_ref(field) }?;
        let sub = field
            .subfield(index)
            .ok_or_else(|| Failure::out_of_range("subfield", index, field.subfield_count()))?;
        // SAFETY: both checked non-NULL by out_ptr.
        unsafe {
            write(code_out, u32::from(sub.code));
            write(value_out, MrrcStr::of(sub.value));
        }
        Ok(())
    })
}

/// The value of the first subfield with this code (pymarc `field.get(code)`),
/// borrowed; `ptr` is NULL when there is none.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_get(field: *const MrrcField, code: u32) -> MrrcStr {
    value_or(MrrcStr::NONE, || {
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_ref(field) }?;
        Ok(MrrcStr::of_opt(field.get(code_point(code, "code")?)))
    })
}

/// The indexes of the subfields whose code is one of `codes[0..code_count]`,
/// in field order (pymarc `get_subfields`); every subfield when `code_count`
/// is 0. `*indexes` is caller-owned (`mrrc_indexes_free`); NULL when `*count`
/// is 0.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_subfield_indexes(
    field: *const MrrcField,
    codes: *const u32,
    code_count: usize,
    indexes: *mut *mut usize,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (idx_out, count_out) = (out_ptr(indexes, "indexes")?, out_ptr(count, "count")?);
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_ref(field) }?;
        let codes: Vec<char> = if code_count == 0 {
            Vec::new()
        } else {
            if codes.is_null() {
                return Err(Failure::Null("codes"));
            }
            // SAFETY: `codes` is non-NULL and holds `code_count` values.
            let raw = unsafe { std::slice::from_raw_parts(codes, code_count) };
            raw.iter()
                .map(|&c| code_point(c, "codes"))
                .collect::<Outcome<_>>()?
        };
        let found: Vec<usize> = field
            .subfields()
            .enumerate()
            .filter(|(_, s)| codes.is_empty() || codes.contains(&s.code))
            .map(|(i, _)| i)
            .collect();
        let ptr = if found.is_empty() {
            std::ptr::null_mut()
        } else {
            owned_indexes(&found)
        };
        // SAFETY: both checked non-NULL by out_ptr.
        unsafe {
            write(idx_out, ptr);
            write(count_out, found.len());
        }
        Ok(())
    })
}

/// Inserts a subfield at `position`, or appends it when `position` is past
/// the end (pass `SIZE_MAX` to append), as pymarc's `add_subfield`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_add_subfield(
    field: *mut MrrcField,
    code: u32,
    value: *const u8,
    value_len: usize,
    position: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (field, value) = unsafe { (field_mut(field)?, text(value, value_len, "value")?) };
        data_only(field)?;
        field.add_subfield(code_point(code, "code")?, value, Some(position));
        Ok(())
    })
}

/// Removes the first subfield with this code (pymarc `delete_subfield`).
/// Its value goes to `*removed` (caller-owned) unless `removed` is NULL.
/// `MRRC_KEY_NOT_FOUND` when there is none.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_delete_subfield(
    field: *mut MrrcField,
    code: u32,
    removed: *mut *mut c_char,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_mut(field) }?;
        let code = code_point(code, "code")?;
        let value = field.delete_subfield(code).ok_or_else(|| {
            Failure::new(
                MrrcStatus::MRRC_KEY_NOT_FOUND,
                format!("field {} has no subfield {code}", field.tag()),
            )
        })?;
        // SAFETY: `removed` is NULL or writable per the contract.
        unsafe { write_opt(removed, owned_string(&value)) };
        Ok(())
    })
}

/// Removes the subfield at `index`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_remove_subfield_at(
    field: *mut MrrcField,
    index: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let field = unsafe { field_mut(field) }?;
        let len = field.subfield_count();
        field
            .remove_subfield_at(index)
            .map(drop)
            .ok_or_else(|| Failure::out_of_range("subfield", index, len))
    })
}

/// Replaces the code and value of the subfield at `index`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_set_subfield_at(
    field: *mut MrrcField,
    index: usize,
    code: u32,
    value: *const u8,
    value_len: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (field, value) = unsafe { (field_mut(field)?, text(value, value_len, "value")?) };
        let code = code_point(code, "code")?;
        let len = field.subfield_count();
        if field.set_subfield_at(index, code, value) {
            Ok(())
        } else {
            Err(Failure::out_of_range("subfield", index, len))
        }
    })
}

/// pymarc `field[code] = value`: sets the one subfield with this code;
/// `MRRC_KEY_NOT_FOUND` when there is none, `MRRC_KEY_NOT_UNIQUE` when there
/// are several, `MRRC_WRONG_FIELD_KIND` on a control field.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_set_unique_subfield(
    field: *mut MrrcField,
    code: u32,
    value: *const u8,
    value_len: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (field, value) = unsafe { (field_mut(field)?, text(value, value_len, "value")?) };
        let code = code_point(code, "code")?;
        field.set_unique_subfield(code, value).map_err(|e| {
            let tag = field.tag();
            match e {
                SetSubfieldError::ControlField => Failure::new(
                    MrrcStatus::MRRC_WRONG_FIELD_KIND,
                    format!("field {tag} is a control field"),
                ),
                SetSubfieldError::Missing => Failure::new(
                    MrrcStatus::MRRC_KEY_NOT_FOUND,
                    format!("field {tag} has no subfield {code}"),
                ),
                SetSubfieldError::MoreThanOne => Failure::new(
                    MrrcStatus::MRRC_KEY_NOT_UNIQUE,
                    format!("field {tag} has more than one subfield {code}"),
                ),
            }
        })
    })
}

/// # Safety
/// A non-NULL `field` is a live field handle.
unsafe fn field_text(field: *const MrrcField, body: impl FnOnce(&Field) -> String) -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        let field = unsafe { field_ref(field) }?;
        Ok(owned_string(&body(field)))
    })
}

/// pymarc `field.value()`: a control field's data, or the subfield values
/// stripped and joined by spaces. Caller-owned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_value(field: *const MrrcField) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { field_text(field, Field::value) }
}

/// pymarc `field.format_field()`. Caller-owned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_format(field: *const MrrcField) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { field_text(field, Field::format_field) }
}

/// pymarc `str(field)`: the MARCMaker line `=245  10$aTitle`. Caller-owned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_to_string(field: *const MrrcField) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { field_text(field, |f| f.to_string()) }
}

/// pymarc `is_subject_field()`: the tag starts with 6.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_is_subject(field: *const MrrcField) -> bool {
    // SAFETY: pointer contract of the header.
    value_or(
        false,
        || Ok(unsafe { field_ref(field) }?.is_subject_field()),
    )
}

/// pymarc `linkage_occurrence_num()`: `"04"` from `$6 880-04/r`, borrowed;
/// `ptr` is NULL when there is none.
#[no_mangle]
pub unsafe extern "C" fn mrrc_field_linkage_occurrence_num(field: *const MrrcField) -> MrrcStr {
    value_or(MrrcStr::NONE, || {
        // SAFETY: pointer contract of the header.
        Ok(MrrcStr::of_opt(
            unsafe { field_ref(field) }?.linkage_occurrence_num(),
        ))
    })
}
