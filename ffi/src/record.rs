//! `MrrcRecord`: a leader and an ordered list of fields, with pymarc's
//! editing operations and convenience accessors.

use std::ffi::c_char;

use mrrc_core::{Field, Leader, Record};

use crate::alloc::{owned_indexes, owned_string};
use crate::args::{borrow, borrow_mut, bytes, c_text, out_ptr, tag_list, write};
use crate::field::{field_ref, MrrcField};
use crate::status::{status_of, value_or, Failure, MrrcStatus, Outcome};

/// A MARC record, owned by the caller and freed with `mrrc_record_free`.
///
/// Threads: a record may be moved to another thread; it may be shared
/// between threads as long as none of them modifies it (calls taking
/// `const MrrcRecord *` only read).
pub struct MrrcRecord {
    _opaque: [u8; 0],
}

/// A raw handle for a boxed record (ownership passes to the caller).
pub(crate) fn into_handle(record: Record) -> *mut MrrcRecord {
    Box::into_raw(Box::new(record)).cast()
}

/// # Safety
/// A non-NULL `r` is a live record handle.
pub(crate) unsafe fn record_ref<'a>(r: *const MrrcRecord) -> Outcome<&'a Record> {
    // SAFETY: a record handle points to a boxed `Record`.
    unsafe { borrow(r.cast::<Record>(), "record") }
}

/// The handle array `records[0..count]` (`records` may be NULL when
/// `count` is 0).
///
/// # Safety
/// A non-NULL `records` holds `count` handles.
pub(crate) unsafe fn record_handles<'a>(
    records: *const *const MrrcRecord,
    count: usize,
) -> Outcome<&'a [*const MrrcRecord]> {
    if count == 0 {
        return Ok(&[]);
    }
    if records.is_null() {
        return Err(Failure::Null("records"));
    }
    // SAFETY: `records` is non-NULL and holds `count` handles.
    Ok(unsafe { std::slice::from_raw_parts(records, count) })
}

/// The records of the handle array `records[0..count]`, all resolved first
/// ([`record_handles`], then [`record_ref`] on each).
///
/// # Safety
/// As [`record_handles`]; each handle is NULL or a live record.
pub(crate) unsafe fn record_refs<'a>(
    records: *const *const MrrcRecord,
    count: usize,
) -> Outcome<Vec<&'a Record>> {
    // SAFETY: forwarded.
    unsafe { record_handles(records, count) }?
        .iter()
        // SAFETY: each entry is a live record handle per the contract.
        .map(|&h| unsafe { record_ref(h) })
        .collect()
}

/// # Safety
/// A non-NULL `r` is a live record handle not used elsewhere during the call.
pub(crate) unsafe fn record_mut<'a>(r: *mut MrrcRecord) -> Outcome<&'a mut Record> {
    // SAFETY: as for `record_ref`.
    unsafe { borrow_mut(r.cast::<Record>(), "record") }
}

/// A new empty record with pymarc's default leader
/// (`"          22        4500"`).
#[no_mangle]
pub extern "C" fn mrrc_record_new() -> *mut MrrcRecord {
    value_or(std::ptr::null_mut(), || Ok(into_handle(Record::new())))
}

/// A deep copy of a record; NULL if `record` is NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_clone(record: *const MrrcRecord) -> *mut MrrcRecord {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: pointer contract of the header.
        Ok(into_handle(unsafe { record_ref(record) }?.clone()))
    })
}

/// Frees a record (NULL is a no-op). Fields borrowed from it become invalid.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_free(record: *mut MrrcRecord) {
    if !record.is_null() {
        // SAFETY: a record handle came from `into_handle` (Box<Record>).
        drop(unsafe { Box::from_raw(record.cast::<Record>()) });
    }
}

/// Frees `records[0..count]` in one call (NULL entries are skipped; a NULL
/// `records` with a `count` of 0 is a no-op), so a binding that collects
/// dropped records pays one crossing per batch.
#[no_mangle]
pub unsafe extern "C" fn mrrc_records_free(records: *const *mut MrrcRecord, count: usize) {
    if records.is_null() || count == 0 {
        return;
    }
    // SAFETY: `records` holds `count` handles per the contract.
    for &record in unsafe { std::slice::from_raw_parts(records, count) } {
        // SAFETY: each is a record handle or NULL.
        unsafe { mrrc_record_free(record) };
    }
}

/// True when both records have the same leader and fields.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_equal(a: *const MrrcRecord, b: *const MrrcRecord) -> bool {
    // SAFETY: pointer contract of the header.
    value_or(false, || Ok(unsafe { record_ref(a)? == record_ref(b)? }))
}

/// Copies the 24 leader bytes to `out` (which must hold 24 bytes; no NUL is
/// written).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_leader(record: *const MrrcRecord, out: *mut u8) -> MrrcStatus {
    status_of(|| {
        let out = out_ptr(out, "out")?;
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_ref(record) }?;
        let leader = record.leader.as_bytes();
        // SAFETY: `out` is non-NULL and holds 24 bytes per the documentation.
        unsafe { std::ptr::copy_nonoverlapping(leader.as_ptr(), out, leader.len()) };
        Ok(())
    })
}

/// Replaces the leader; `MRRC_LEADER` unless `len` is 24.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_set_leader(
    record: *mut MrrcRecord,
    leader: *const u8,
    len: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, leader) = unsafe { (record_mut(record)?, bytes(leader, len, "leader")?) };
        record.leader = Leader::from_bytes(leader)?;
        Ok(())
    })
}

/// Sets one leader byte (position 0-23).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_set_leader_byte(
    record: *mut MrrcRecord,
    position: usize,
    value: u8,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_mut(record) }?;
        if position >= 24 {
            return Err(Failure::out_of_range("leader position", position, 24));
        }
        record.leader.set(position, value);
        Ok(())
    })
}

/// Number of fields (0 if `record` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_field_count(record: *const MrrcRecord) -> usize {
    // SAFETY: pointer contract of the header.
    value_or(0, || Ok(unsafe { record_ref(record) }?.fields().len()))
}

/// The field at `index`, borrowed from the record (do not free it), or NULL
/// when out of range. Valid until the record's list of fields changes (add,
/// insert, remove, set) or the record is freed.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_field(
    record: *const MrrcRecord,
    index: usize,
) -> *const MrrcField {
    value_or(std::ptr::null(), || {
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_ref(record) }?;
        Ok(record
            .fields()
            .get(index)
            .map_or(std::ptr::null(), |f| std::ptr::from_ref(f).cast()))
    })
}

/// The field at `index` for in-place editing with the `mrrc_field_set_*`,
/// `*_add_*` and `*_delete_*` calls, borrowed as for `mrrc_record_field`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_field_mut(
    record: *mut MrrcRecord,
    index: usize,
) -> *mut MrrcField {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_mut(record) }?;
        Ok(record
            .fields_mut()
            .get_mut(index)
            .map_or(std::ptr::null_mut(), |f| std::ptr::from_mut(f).cast()))
    })
}

/// The first field with this tag (pymarc `record[tag]` / `record.get(tag)`),
/// borrowed as for `mrrc_record_field`; NULL when there is none.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_get_field(
    record: *const MrrcRecord,
    tag: *const c_char,
) -> *const MrrcField {
    value_or(std::ptr::null(), || {
        // SAFETY: pointer contract of the header.
        let (record, tag) = unsafe { (record_ref(record)?, c_text(tag, "tag")?) };
        Ok(record
            .get(tag)
            .map_or(std::ptr::null(), |f| std::ptr::from_ref(f).cast()))
    })
}

unsafe fn write_indexes(found: &[usize], indexes: *mut *mut usize, count: *mut usize) {
    let ptr = if found.is_empty() {
        std::ptr::null_mut()
    } else {
        owned_indexes(found)
    };
    // SAFETY: the caller checked both pointers with out_ptr.
    unsafe {
        write(indexes, ptr);
        write(count, found.len());
    }
}

/// The indexes of the fields whose tag is one of `tags[0..tag_count]`, in
/// record order; every field when `tag_count` is 0 (pymarc `get_fields`).
/// `*indexes` is caller-owned (`mrrc_indexes_free`); NULL when `*count` is 0.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_field_indexes(
    record: *const MrrcRecord,
    tags: *const *const c_char,
    tag_count: usize,
    indexes: *mut *mut usize,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (indexes, count) = (out_ptr(indexes, "indexes")?, out_ptr(count, "count")?);
        // SAFETY: pointer contract of the header.
        let (record, tags) = unsafe { (record_ref(record)?, tag_list(tags, tag_count, "tags")?) };
        let found = record.field_indexes(&tags);
        // SAFETY: both checked by out_ptr.
        unsafe { write_indexes(&found, indexes, count) };
        Ok(())
    })
}

/// Which of pymarc's field-list properties `mrrc_record_group_indexes`
/// returns.
pub type MrrcFieldGroup = u32;
/// 440, 490, 800, 810, 811, 830 (pymarc `series`).
pub const MRRC_GROUP_SERIES: MrrcFieldGroup = 0;
/// 6XX subject tags (pymarc `subjects`).
pub const MRRC_GROUP_SUBJECTS: MrrcFieldGroup = 1;
/// 7XX added entries (pymarc `addedentries`).
pub const MRRC_GROUP_ADDED_ENTRIES: MrrcFieldGroup = 2;
/// 852 (pymarc `location`).
pub const MRRC_GROUP_LOCATION: MrrcFieldGroup = 3;
/// 5XX notes (pymarc `notes`).
pub const MRRC_GROUP_NOTES: MrrcFieldGroup = 4;
/// 300 (pymarc `physicaldescription`).
pub const MRRC_GROUP_PHYSICAL_DESCRIPTION: MrrcFieldGroup = 5;

/// The indexes of the fields of one of pymarc's field-list properties
/// (`MRRC_GROUP_*`), in record order. Caller-owned as for
/// `mrrc_record_field_indexes`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_group_indexes(
    record: *const MrrcRecord,
    group: MrrcFieldGroup,
    indexes: *mut *mut usize,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (indexes, count) = (out_ptr(indexes, "indexes")?, out_ptr(count, "count")?);
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_ref(record) }?;
        let fields: Vec<&Field> = match group {
            MRRC_GROUP_SERIES => record.series().collect(),
            MRRC_GROUP_SUBJECTS => record.subjects().collect(),
            MRRC_GROUP_ADDED_ENTRIES => record.added_entries().collect(),
            MRRC_GROUP_LOCATION => record.location().collect(),
            MRRC_GROUP_NOTES => record.notes().collect(),
            MRRC_GROUP_PHYSICAL_DESCRIPTION => record.physical_description().collect(),
            other => return Err(Failure::invalid(format!("unknown field group {other}"))),
        };
        let found = positions(record, &fields);
        // SAFETY: both checked by out_ptr.
        unsafe { write_indexes(&found, indexes, count) };
        Ok(())
    })
}

/// Positions of `wanted` (references into `record`) in the record.
fn positions(record: &Record, wanted: &[&Field]) -> Vec<usize> {
    record
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| wanted.iter().any(|w| std::ptr::eq(*w, *f)))
        .map(|(i, _)| i)
        .collect()
}

/// The indexes of the 880 fields linked to the field at `field_index`
/// through its `$6` (pymarc `get_linked_fields`);
/// `MRRC_MISSING_LINKED_FIELDS` when it names an occurrence no 880 carries.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_linked_field_indexes(
    record: *const MrrcRecord,
    field_index: usize,
    indexes: *mut *mut usize,
    count: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        let (indexes, count) = (out_ptr(indexes, "indexes")?, out_ptr(count, "count")?);
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_ref(record) }?;
        let field = record
            .fields()
            .get(field_index)
            .ok_or_else(|| Failure::out_of_range("field", field_index, record.fields().len()))?;
        let linked = record.get_linked_fields(field).map_err(|_| {
            Failure::new(
                MrrcStatus::MRRC_MISSING_LINKED_FIELDS,
                format!(
                    "field {} links to 880 occurrence {} but no 880 field carries it",
                    field.tag(),
                    field.linkage_occurrence_num().unwrap_or_default()
                ),
            )
        })?;
        let found = positions(record, &linked);
        // SAFETY: both checked by out_ptr.
        unsafe { write_indexes(&found, indexes, count) };
        Ok(())
    })
}

/// Appends a copy of `field` (pymarc `add_field`); the caller keeps `field`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_add_field(
    record: *mut MrrcRecord,
    field: *const MrrcField,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, field) = unsafe { (record_mut(record)?, field_ref(field)?.clone()) };
        record.add_field(field);
        Ok(())
    })
}

/// Inserts a copy of `field` at `index` (clamped to the end).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_insert_field(
    record: *mut MrrcRecord,
    index: usize,
    field: *const MrrcField,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, field) = unsafe { (record_mut(record)?, field_ref(field)?.clone()) };
        record.insert_field(index, field);
        Ok(())
    })
}

/// Inserts a copy of `field` in numeric tag order (pymarc
/// `add_ordered_field`); its index goes to `*index` unless NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_add_ordered_field(
    record: *mut MrrcRecord,
    field: *const MrrcField,
    index: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, field) = unsafe { (record_mut(record)?, field_ref(field)?.clone()) };
        let at = record.add_ordered_field(field);
        // SAFETY: NULL or writable per the contract.
        unsafe { crate::args::write_opt(index, at) };
        Ok(())
    })
}

/// Inserts a copy of `field` after the last field of the same hundred
/// (pymarc `add_grouped_field`); its index goes to `*index` unless NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_add_grouped_field(
    record: *mut MrrcRecord,
    field: *const MrrcField,
    index: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, field) = unsafe { (record_mut(record)?, field_ref(field)?.clone()) };
        let at = record.add_grouped_field(field);
        // SAFETY: NULL or writable per the contract.
        unsafe { crate::args::write_opt(index, at) };
        Ok(())
    })
}

/// Replaces the field at `index` with a copy of `field`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_set_field(
    record: *mut MrrcRecord,
    index: usize,
    field: *const MrrcField,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, field) = unsafe { (record_mut(record)?, field_ref(field)?.clone()) };
        let len = record.fields().len();
        let slot = record
            .fields_mut()
            .get_mut(index)
            .ok_or_else(|| Failure::out_of_range("field", index, len))?;
        *slot = field;
        Ok(())
    })
}

/// Removes the field at `index` (pymarc `remove_field` on the field at that
/// position).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_remove_field_at(
    record: *mut MrrcRecord,
    index: usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let record = unsafe { record_mut(record) }?;
        let len = record.fields().len();
        record
            .remove_field_at(index)
            .map(drop)
            .ok_or_else(|| Failure::out_of_range("field", index, len))
    })
}

/// Removes every field whose tag is one of `tags[0..tag_count]` (pymarc
/// `remove_fields`); how many goes to `*removed` unless NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_remove_fields(
    record: *mut MrrcRecord,
    tags: *const *const c_char,
    tag_count: usize,
    removed: *mut usize,
) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        let (record, tags) = unsafe { (record_mut(record)?, tag_list(tags, tag_count, "tags")?) };
        let n = record.remove_fields(&tags);
        // SAFETY: NULL or writable per the contract.
        unsafe { crate::args::write_opt(removed, n) };
        Ok(())
    })
}

/// Removes every field.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_clear_fields(record: *mut MrrcRecord) -> MrrcStatus {
    status_of(|| {
        // SAFETY: pointer contract of the header.
        unsafe { record_mut(record) }?.fields_mut().clear();
        Ok(())
    })
}

fn owned_opt(text: Option<impl AsRef<str>>) -> *mut c_char {
    text.map_or(std::ptr::null_mut(), |t| owned_string(t.as_ref()))
}

/// Runs a text accessor on a record: its result as a caller-owned string.
///
/// # Safety
/// A non-NULL `record` is a live record handle.
unsafe fn record_text(
    record: *const MrrcRecord,
    body: impl FnOnce(&Record) -> *mut c_char,
) -> *mut c_char {
    value_or(std::ptr::null_mut(), || {
        // SAFETY: forwarded from the caller.
        Ok(body(unsafe { record_ref(record) }?))
    })
}

/// 245 `$a`, and `$b` after a space (pymarc `title`): caller-owned UTF-8,
/// or NULL when the record has no 245 `$a` (or `record` is NULL).
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_title(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.title())) }
}

/// 222 `$a` `$b` (pymarc `issn_title`), caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_issn_title(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.issn_title())) }
}

/// The ISBN of the first 020 `$a` without dashes (pymarc `isbn`),
/// caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_isbn(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.isbn())) }
}

/// 022 `$a` (pymarc `issn`), caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_issn(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.issn())) }
}

/// 022 `$l` (pymarc `issnl`), caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_issnl(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.issnl())) }
}

/// 086 formatted (pymarc `sudoc`), caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_sudoc(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.sudoc())) }
}

/// The first of 100, 110, 111 formatted (pymarc `author`), caller-owned
/// or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_author(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.author())) }
}

/// The first of 130, 240 formatted (pymarc `uniformtitle`), caller-owned
/// or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_uniform_title(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.uniform_title())) }
}

/// 260 `$b`, or 264 `$b` with second indicator 1 (pymarc `publisher`),
/// caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_publisher(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.publisher())) }
}

/// 260 `$c`, or 264 `$c` with second indicator 1 (pymarc `pubyear`),
/// caller-owned or NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_pubyear(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(r.pubyear())) }
}

/// pymarc `str(record)`: `=LDR  ` and the leader, then one MARCMaker line
/// per field, each ended by a newline. Caller-owned.
#[no_mangle]
pub unsafe extern "C" fn mrrc_record_to_string(record: *const MrrcRecord) -> *mut c_char {
    // SAFETY: pointer contract of the header.
    unsafe { record_text(record, |r| owned_opt(Some(r.to_string()))) }
}
