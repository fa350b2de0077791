//! `Record.as_dict()`: pymarc's MARC-in-JSON as Python objects,
//! `{"leader": str, "fields": [{tag: data} or {tag: {"ind1": c, "ind2": c,
//! "subfields": [{code: value}, ...]}}, ...]}`.
//!
//! A LoC record's dict is some 90 dicts and lists and as many strings:
//! making, tracking and freeing them is most of the call's cost (building
//! the same objects with CPython's own `marshal.loads` is slower still:
//! 9.3x-9.6x pymarc in bench/python/read.py's floor row, against 17.4x-17.6x
//! for this, 12.3x-13.5x before it refilled).
//! So, with the GIL, this thread keeps the last two dicts it returned and
//! refills one that nobody else holds any more in place (`pool`): the
//! common `for r in reader: d = r.as_dict() ...` gets each time the dict
//! of the record before last back, its nested dicts, lists and strings
//! rewritten where only that dict holds them, and new ones wherever anybody
//! else still holds one (a reference count above 1). Nothing a caller can
//! reach is ever changed.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::convert::{code_out, latin1_to_string, list_of, str_out, tag_out, text_out, ABSENT};

/// The dict keys, interned once.
struct Keys<'py> {
    leader: &'py Bound<'py, PyString>,
    fields: &'py Bound<'py, PyString>,
    ind1: &'py Bound<'py, PyString>,
    ind2: &'py Bound<'py, PyString>,
    subfields: &'py Bound<'py, PyString>,
}

/// `record.as_dict()` of a synced core record; `raw`: values as `bytes`
/// (pymarc's `RawField`s, `to_unicode=False`).
pub fn as_dict<'py>(
    py: Python<'py>,
    r: &mrrc_core::Record,
    raw: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let keys = Keys {
        leader: pyo3::intern!(py, "leader"),
        fields: pyo3::intern!(py, "fields"),
        ind1: pyo3::intern!(py, "ind1"),
        ind2: pyo3::intern!(py, "ind2"),
        subfields: pyo3::intern!(py, "subfields"),
    };
    #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
    if let Some(d) = pool::take(py) {
        // SAFETY: `take` hands out a dict only the pool (and now `d`) holds.
        if unsafe { pool::refill(py, &d, r, raw, &keys)? } {
            return Ok(d);
        }
    }
    let d = new_dict(py, r, raw, &keys)?;
    #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
    pool::keep(&d);
    Ok(d)
}

fn leader_str<'py>(py: Python<'py>, r: &mrrc_core::Record) -> Bound<'py, PyString> {
    let bytes = r.leader.as_bytes();
    match std::str::from_utf8(bytes) {
        Ok(text) if text.is_ascii() => str_out(py, text),
        _ => str_out(py, &latin1_to_string(bytes)),
    }
}

/// `dict[key] = value`.
fn set<'py>(
    dict: &Bound<'py, PyAny>,
    key: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<()> {
    // SAFETY: live objects, the GIL held (`Bound`); `dict` is a dict.
    if unsafe { ffi::PyDict_SetItem(dict.as_ptr(), key.as_ptr(), value.as_ptr()) } < 0 {
        return Err(PyErr::fetch(dict.py()));
    }
    Ok(())
}

fn empty_dict(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    // SAFETY: a new dict, or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyDict_New()) }
}

/// A new dict of these items (already Python objects).
fn dict_of<'py>(
    py: Python<'py>,
    items: &[(&Bound<'py, PyAny>, &Bound<'py, PyAny>)],
) -> PyResult<Bound<'py, PyAny>> {
    let d = empty_dict(py)?;
    for (key, value) in items {
        set(&d, key, value)?;
    }
    Ok(d)
}

fn new_dict<'py>(
    py: Python<'py>,
    r: &mrrc_core::Record,
    raw: bool,
    keys: &Keys<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let fields = list_of(py, r.fields().len(), |i| {
        new_field(py, &r.fields()[i], raw, keys)
    })?;
    let d = dict_of(
        py,
        &[
            (keys.leader.as_any(), leader_str(py, r).as_any()),
            (keys.fields.as_any(), fields.as_any()),
        ],
    )?;
    // SAFETY: made by `PyDict_New`.
    Ok(unsafe { d.cast_into_unchecked() })
}

/// `{tag: data}` or `{tag: {"ind1", "ind2", "subfields"}}`.
fn new_field<'py>(
    py: Python<'py>,
    f: &mrrc_core::Field,
    raw: bool,
    keys: &Keys<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let body = match f.control_value() {
        Some(v) => text_out(py, v, raw),
        None => new_body(py, f, raw, keys)?,
    };
    dict_of(py, &[(tag_out(py, f.tag().as_str()).as_any(), &body)])
}

fn subfield(f: &mrrc_core::Field, j: usize) -> mrrc_core::Subfield<'_> {
    f.subfield(j).unwrap_or(mrrc_core::Subfield {
        code: ABSENT,
        value: "",
    })
}

fn new_body<'py>(
    py: Python<'py>,
    f: &mrrc_core::Field,
    raw: bool,
    keys: &Keys<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    let ind = f.indicators().unwrap_or_default();
    let subs = new_subfields(py, f, raw)?;
    dict_of(
        py,
        &[
            (keys.ind1.as_any(), code_out(py, ind.first).as_any()),
            (keys.ind2.as_any(), code_out(py, ind.second).as_any()),
            (keys.subfields.as_any(), &subs),
        ],
    )
}

fn new_subfields<'py>(
    py: Python<'py>,
    f: &mrrc_core::Field,
    raw: bool,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(list_of(py, f.subfield_count(), |j| {
        let sf = subfield(f, j);
        new_subfield(py, sf, raw)
    })?
    .into_any())
}

fn new_subfield<'py>(
    py: Python<'py>,
    sf: mrrc_core::Subfield<'_>,
    raw: bool,
) -> PyResult<Bound<'py, PyAny>> {
    dict_of(
        py,
        &[(code_out(py, sf.code).as_any(), &text_out(py, sf.value, raw))],
    )
}

/// The dicts kept for reuse, and their refilling. Only with the GIL (off
/// for free-threaded builds, PyPy and GraalPy, like the binding's other
/// object pools): it makes a reference count check and what follows one
/// step that no other thread can come between.
///
/// Each object is refilled only when its reference count says that its
/// one container (the kept dict, or a list or dict inside it that is
/// itself being refilled) is the only holder; anything else is replaced by
/// a new object and left as it is. Dicts and lists take no weak
/// references, so a count of 1 means nobody can observe the change. Every
/// shape is checked (exact types, sizes, keys), so a dict its user edited
/// before letting go of it is refilled or replaced all the same.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
mod pool {
    use super::*;
    use crate::convert::{code_key, rewrite_str, tag_key};
    use pyo3::types::PyDict;
    use std::cell::RefCell;
    use std::mem::MaybeUninit;

    /// Dicts kept: `d = r.as_dict()` in a loop still holds the last one
    /// while the next is made, so the one before it is free.
    const KEPT: usize = 2;

    thread_local! {
        static POOL: RefCell<(Vec<Py<PyDict>>, usize)> = const { RefCell::new((Vec::new(), 0)) };
    }

    /// A kept dict nobody else holds.
    pub fn take(py: Python<'_>) -> Option<Bound<'_, PyDict>> {
        POOL.try_with(|pool| {
            let pool = pool.try_borrow().ok()?;
            pool.0
                .iter()
                // SAFETY: reading the reference count of a live object.
                .find(|d| unsafe { ffi::Py_REFCNT(d.as_ptr()) } == 1)
                .map(|d| d.bind(py).clone())
        })
        .ok()
        .flatten()
    }

    /// Keeps a new dict, in place of the oldest kept one.
    pub fn keep(d: &Bound<'_, PyDict>) {
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                let (kept, next) = &mut *pool;
                if kept.len() < KEPT {
                    kept.push(d.clone().unbind());
                } else {
                    // A free one first (one that could not be refilled),
                    // else the oldest. It is released after the borrow (its
                    // release may run Python code).
                    // SAFETY: reading the reference counts of live objects.
                    let at = kept
                        .iter()
                        .position(|k| unsafe { ffi::Py_REFCNT(k.as_ptr()) } == 1)
                        .unwrap_or(*next);
                    let old = std::mem::replace(&mut kept[at], d.clone().unbind());
                    if at == *next {
                        *next = (*next + 1) % KEPT;
                    }
                    drop(pool);
                    drop(old);
                }
            }
        });
    }

    /// `obj` has exactly type `tp` and only its container holds it.
    #[inline(always)]
    unsafe fn sole(obj: *mut ffi::PyObject, tp: *mut ffi::PyTypeObject) -> bool {
        // SAFETY: `obj` is live (caller).
        unsafe { ffi::Py_REFCNT(obj) == 1 && ffi::Py_TYPE(obj) == tp }
    }

    fn dict_type() -> *mut ffi::PyTypeObject {
        std::ptr::addr_of_mut!(ffi::PyDict_Type)
    }

    fn list_type() -> *mut ffi::PyTypeObject {
        std::ptr::addr_of_mut!(ffi::PyList_Type)
    }

    /// Borrowed `dict[key]`, or NULL.
    unsafe fn get(dict: *mut ffi::PyObject, key: &Bound<'_, PyString>) -> *mut ffi::PyObject {
        // SAFETY: `dict` is a live dict; `key` an exact `str`, whose
        // comparisons run no Python code.
        unsafe { ffi::PyDict_GetItem(dict, key.as_ptr()) }
    }

    /// `dict[key] = value` on a borrowed dict.
    unsafe fn put(
        py: Python<'_>,
        dict: *mut ffi::PyObject,
        key: *mut ffi::PyObject,
        value: *mut ffi::PyObject,
    ) -> PyResult<()> {
        // SAFETY: live objects (caller); `dict` is a dict.
        if unsafe { ffi::PyDict_SetItem(dict, key, value) } < 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(())
    }

    /// The one entry of a one-entry dict (borrowed), or None.
    unsafe fn only_entry(
        dict: *mut ffi::PyObject,
    ) -> Option<(*mut ffi::PyObject, *mut ffi::PyObject)> {
        // SAFETY: `dict` is a live dict (caller).
        unsafe {
            if ffi::PyDict_Size(dict) != 1 {
                return None;
            }
            let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
            (ffi::PyDict_Next(dict, &mut pos, &mut k, &mut v) != 0).then_some((k, v))
        }
    }

    /// `dict`, a one-entry dict only its container holds, becomes
    /// `{key: value}`, where `value` is its current value (`keep_value`,
    /// already refilled) or `new`.
    unsafe fn set_only_entry(
        py: Python<'_>,
        dict: *mut ffi::PyObject,
        old_key: *mut ffi::PyObject,
        key: &Bound<'_, PyAny>,
        old_value: *mut ffi::PyObject,
        new: Option<Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        // SAFETY: `dict` is live and (caller) only its container holds it;
        // `old_key` and `old_value` are its entry (borrowed).
        unsafe {
            match new {
                None if old_key == key.as_ptr() => Ok(()),
                Some(value) if old_key == key.as_ptr() => {
                    put(py, dict, key.as_ptr(), value.as_ptr())
                }
                keep_or_new => {
                    // Another key: the entry goes and the new one comes.
                    // The kept value is held across the clear.
                    let value = match keep_or_new {
                        Some(v) => v,
                        None => Bound::from_borrowed_ptr(py, old_value),
                    };
                    ffi::PyDict_Clear(dict);
                    put(py, dict, key.as_ptr(), value.as_ptr())
                }
            }
        }
    }

    /// Rewrites `old`, a `str` only its container holds, to `text`; false
    /// when it cannot be (see `rewrite_str`).
    #[inline(always)]
    unsafe fn rewrite(old: *mut ffi::PyObject, text: &str, raw: bool) -> bool {
        // SAFETY: `old` is live (caller); `rewrite_str` checks the rest
        // (only this holder, exactly `str`).
        !raw && unsafe { rewrite_str(old, text) }
    }

    /// The (key, value) of a one-entry dict only its container holds
    /// (borrowed), or None.
    type Entry = Option<(*mut ffi::PyObject, *mut ffi::PyObject)>;

    /// `item`'s [`Entry`].
    unsafe fn entry_of(item: *mut ffi::PyObject) -> Entry {
        // SAFETY: `item` is live (caller).
        unsafe {
            if sole(item, dict_type()) {
                only_entry(item)
            } else {
                None
            }
        }
    }

    /// Longest list whose items are matched by key (longer: by position).
    const MATCHED: usize = 64;

    /// `list`, a list only its container holds, gets `n` items, one-entry
    /// dicts whose keys are `key(i)` (an address from `tag_key` or
    /// `code_key`, or NULL). First its items are reordered so that each
    /// new item `i` gets an old one of the same key where there is one
    /// (a refilled one-entry dict whose key changes loses its keys table
    /// and has to make another), the others in their order. Then item `i` is
    /// refilled in place by `refill(i, old, entry)` (true when it could
    /// be) or replaced by (or appended as) `new(i)`.
    unsafe fn refill_list<'py>(
        py: Python<'py>,
        list: *mut ffi::PyObject,
        n: usize,
        key: impl Fn(usize) -> *mut ffi::PyObject,
        mut refill: impl FnMut(usize, *mut ffi::PyObject, Entry) -> PyResult<bool>,
        mut new: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
    ) -> PyResult<()> {
        let n_ = ffi::Py_ssize_t::try_from(n)
            .map_err(|_| pyo3::exceptions::PyMemoryError::new_err("too many items"))?;
        // SAFETY: `list` is a live list (caller) only its container holds.
        // Reordering its items keeps every reference; nothing runs between
        // reading them and writing them back. The entries read are those of
        // items only this list holds, each used before its item is changed.
        // The size is read again for each item: releasing a replaced item
        // may run Python code.
        unsafe {
            let len = ffi::PyList_GET_SIZE(list);
            let m = len as usize;
            let scanned = m <= MATCHED;
            // Not zeroed (a kilobyte and a half per list): only `..m` is
            // read.
            let mut items = [const { MaybeUninit::<*mut ffi::PyObject>::uninit() }; MATCHED];
            let mut entries = [const { MaybeUninit::<Entry>::uninit() }; MATCHED];
            // Old position of the item at each new position.
            let mut at = [0u8; MATCHED];
            if scanned {
                let mut in_place = true;
                for i in 0..m {
                    let item = ffi::PyList_GET_ITEM(list, i as ffi::Py_ssize_t);
                    items[i].write(item);
                    let entry = entry_of(item);
                    entries[i].write(entry);
                    at[i] = i as u8;
                    in_place &= i >= n || entry.map_or(std::ptr::null_mut(), |e| e.0) == key(i);
                }
                if !in_place && m > 1 {
                    let key_at = |i: usize| entries[i].assume_init().map(|e| e.0);
                    // Bit i: old item i has a place.
                    let mut used = 0u64;
                    let mut placed = [false; MATCHED];
                    // Both lists are mostly in tag (or code) order: each
                    // search starts after the last match.
                    let mut from = 0;
                    for j in 0..n.min(m) {
                        let k = key(j);
                        if k.is_null() {
                            continue;
                        }
                        let found = (from..m)
                            .chain(0..from)
                            .find(|&i| used & (1 << i) == 0 && key_at(i) == Some(k));
                        if let Some(i) = found {
                            used |= 1 << i;
                            at[j] = i as u8;
                            placed[j] = true;
                            from = i + 1;
                        }
                    }
                    // The rest in their order: first to the new items
                    // without a match, then (cut off below) after the `n`th.
                    let mut rest = (0..m).filter(|&i| used & (1 << i) == 0);
                    for j in 0..m {
                        if !placed[j] {
                            at[j] = rest.next().unwrap_or_default() as u8;
                        }
                    }
                    for (j, &i) in at.iter().enumerate().take(m) {
                        ffi::PyList_SET_ITEM(
                            list,
                            j as ffi::Py_ssize_t,
                            items[usize::from(i)].assume_init(),
                        );
                    }
                }
            }
            if len > n_ && ffi::PyList_SetSlice(list, n_, len, std::ptr::null_mut()) < 0 {
                return Err(PyErr::fetch(py));
            }
            for i in 0..n {
                let pos = i as ffi::Py_ssize_t;
                if pos < ffi::PyList_GET_SIZE(list) {
                    let old = ffi::PyList_GET_ITEM(list, pos);
                    let entry = if scanned && i < m {
                        entries[usize::from(at[i])].assume_init()
                    } else {
                        entry_of(old)
                    };
                    if !refill(i, old, entry)? {
                        // `PyList_SetItem` takes the new item's reference
                        // and releases the old one.
                        if ffi::PyList_SetItem(list, pos, new(i)?.into_ptr()) < 0 {
                            return Err(PyErr::fetch(py));
                        }
                    }
                } else if ffi::PyList_Append(list, new(i)?.as_ptr()) < 0 {
                    return Err(PyErr::fetch(py));
                }
            }
        }
        Ok(())
    }

    /// Refills `d`, a kept dict that only the pool and the caller hold,
    /// as `as_dict` of `r`; false (and `d` to be let go of) when it does not
    /// have the shape of one.
    ///
    /// # Safety
    /// `d` is held by the pool and the caller alone; the GIL is held.
    pub unsafe fn refill<'py>(
        py: Python<'py>,
        d: &Bound<'py, PyDict>,
        r: &mrrc_core::Record,
        raw: bool,
        keys: &Keys<'py>,
    ) -> PyResult<bool> {
        let d = d.as_ptr();
        // SAFETY: `d` is a live dict; what is read from it is borrowed.
        // `fields` stays alive across the leader's `put`: `d` keeps holding
        // it, and only code holding `d` could remove it, while the pool
        // and the caller are `d`'s only holders (the old leader's
        // destructor that `put` may run holds no reference to `d`).
        unsafe {
            let (leader, fields) = (get(d, keys.leader), get(d, keys.fields));
            if ffi::PyDict_Size(d) != 2 || leader.is_null() || fields.is_null() {
                return Ok(false);
            }
            let text = r.leader.as_bytes();
            let ascii = std::str::from_utf8(text).ok().filter(|t| t.is_ascii());
            if !ascii.is_some_and(|t| rewrite(leader, t, false)) {
                put(py, d, keys.leader.as_ptr(), leader_str(py, r).as_ptr())?;
            }
            let all = r.fields();
            if sole(fields, list_type()) {
                refill_list(
                    py,
                    fields,
                    all.len(),
                    |i| tag_key(py, all[i].tag().as_str()),
                    |i, old, entry| refill_field(py, old, entry, &all[i], raw, keys),
                    |i| new_field(py, &all[i], raw, keys),
                )?;
            } else {
                let new = list_of(py, all.len(), |i| new_field(py, &all[i], raw, keys))?;
                put(py, d, keys.fields.as_ptr(), new.as_ptr())?;
            }
        }
        Ok(true)
    }

    /// `old` (a list item, whose [`Entry`] is `entry`) as `{tag: data}` of
    /// `f`, if it can be.
    fn refill_field<'py>(
        py: Python<'py>,
        old: *mut ffi::PyObject,
        entry: Entry,
        f: &mrrc_core::Field,
        raw: bool,
        keys: &Keys<'py>,
    ) -> PyResult<bool> {
        // SAFETY: `old` is a live item of a list only the pool reaches, and
        // `entry` its one entry if it is a one-entry dict only that list
        // holds.
        unsafe {
            let Some((old_tag, body)) = entry else {
                return Ok(false);
            };
            let new = match f.control_value() {
                Some(v) => (!rewrite(body, v, raw)).then(|| text_out(py, v, raw)),
                None => {
                    if sole(body, dict_type()) && refill_body(py, body, f, raw, keys)? {
                        None
                    } else {
                        Some(new_body(py, f, raw, keys)?)
                    }
                }
            };
            let tag = tag_out(py, f.tag().as_str()).into_any();
            set_only_entry(py, old, old_tag, &tag, body, new)?;
        }
        Ok(true)
    }

    /// `old` (a field's dict's value) as `{"ind1", "ind2", "subfields"}` of
    /// `f`, if it can be.
    unsafe fn refill_body<'py>(
        py: Python<'py>,
        old: *mut ffi::PyObject,
        f: &mrrc_core::Field,
        raw: bool,
        keys: &Keys<'py>,
    ) -> PyResult<bool> {
        // SAFETY: `old` is a live dict only its container holds; its
        // entries are read in place (borrowed) and used before anything
        // that could release them, or read again.
        unsafe {
            // Its keys in the order they were inserted (three dict lookups
            // less than asking for each).
            if ffi::PyDict_Size(old) != 3 {
                return Ok(false);
            }
            let mut entries = [(std::ptr::null_mut(), std::ptr::null_mut()); 3];
            let mut pos = 0;
            for (k, v) in entries.iter_mut() {
                if ffi::PyDict_Next(old, &mut pos, k, v) == 0 {
                    return Ok(false);
                }
            }
            let [(k1, v1), (k2, v2), (k3, mut subs)] = entries;
            if k1 != keys.ind1.as_ptr() || k2 != keys.ind2.as_ptr() || k3 != keys.subfields.as_ptr()
            {
                return Ok(false);
            }
            let ind = f.indicators().unwrap_or_default();
            let (c1, c2) = (code_out(py, ind.first), code_out(py, ind.second));
            if v1 != c1.as_ptr() || v2 != c2.as_ptr() {
                put(py, old, k1, c1.as_ptr())?;
                put(py, old, k2, c2.as_ptr())?;
                subs = get(old, keys.subfields);
                if subs.is_null() {
                    return Ok(false);
                }
            }
            if sole(subs, list_type()) {
                refill_list(
                    py,
                    subs,
                    f.subfield_count(),
                    |j| code_key(py, subfield(f, j).code),
                    |j, sub, entry| refill_subfield(py, sub, entry, subfield(f, j), raw),
                    |j| new_subfield(py, subfield(f, j), raw),
                )?;
            } else {
                put(
                    py,
                    old,
                    keys.subfields.as_ptr(),
                    new_subfields(py, f, raw)?.as_ptr(),
                )?;
            }
        }
        Ok(true)
    }

    /// `old` (a list item, whose [`Entry`] is `entry`) as `{code: value}`,
    /// if it can be.
    fn refill_subfield(
        py: Python<'_>,
        old: *mut ffi::PyObject,
        entry: Entry,
        sf: mrrc_core::Subfield<'_>,
        raw: bool,
    ) -> PyResult<bool> {
        // SAFETY: as in `refill_field`.
        unsafe {
            let Some((old_code, value)) = entry else {
                return Ok(false);
            };
            let new = (!rewrite(value, sf.value, raw)).then(|| text_out(py, sf.value, raw));
            let code = code_out(py, sf.code).into_any();
            set_only_entry(py, old, old_code, &code, value, new)?;
        }
        Ok(true)
    }
}
