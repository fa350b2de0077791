//! Conversions between Python values and the core's types: text (str, or
//! bytes for pymarc's `RawField`), tags, subfield codes and indicators.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple, PyType};

use mrrc_core::{Indicators, Tag};

/// An indicator or subfield code that pymarc allows to be the empty string.
/// The core keeps it as NUL, which the core's MARCMaker text leaves out.
pub const ABSENT: char = '\0';

static SUBFIELD_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INDICATORS_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

pub fn subfield_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    SUBFIELD_TYPE.import(py, "mrrc._types", "Subfield")
}

pub fn indicators_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    INDICATORS_TYPE.import(py, "mrrc._types", "Indicators")
}

/// Marks a tuple's cached hash as not yet computed. CPython 3.14 caches a
/// tuple's hash in the tuple (`ob_hash`, -1 until computed): a tuple made
/// through `tp_alloc` starts zero-filled, so without this its hash would
/// read as 0 (`tuple.__new__` resets it the same way), and a tuple whose
/// items are replaced in place would keep the old items' hash.
///
/// # Safety
/// `obj` is a live tuple (or tuple subclass instance) and the GIL is held.
#[inline(always)]
unsafe fn reset_tuple_hash(obj: *mut pyo3::ffi::PyObject) {
    #[cfg(all(Py_3_14, not(Py_LIMITED_API), not(PyPy), not(GraalPy)))]
    {
        (*obj.cast::<pyo3::ffi::PyTupleObject>()).ob_hash = -1;
    }
    #[cfg(not(all(Py_3_14, not(Py_LIMITED_API), not(PyPy), not(GraalPy))))]
    let _ = obj;
}

/// A two-item instance of a named tuple type (a `tuple` subclass), built the
/// way `tuple.__new__(cls, (a, b))` builds it (the type's `tp_alloc`, then
/// the items, then the hash cache reset), without the Python-level call and
/// the temporary tuple.
fn pair_of_type<'py>(
    py: Python<'py>,
    ty: &Bound<'py, PyType>,
    a: Bound<'py, PyAny>,
    b: Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::ffi;
    let tp = ty.as_type_ptr();
    // SAFETY: `ty` is a live type object. Its `tp_alloc` slot (inherited
    // from `tuple`: PyType_GenericAlloc) returns a new, GC-tracked tuple
    // instance of `ty` with `n` NULL items, or NULL with an exception set. The
    // two items are stored at once (no allocation in between); each
    // `into_ptr` hands over a strong reference that the tuple then owns.
    unsafe {
        let slot = ffi::PyType_GetSlot(tp, ffi::Py_tp_alloc);
        let alloc: ffi::allocfunc = if slot.is_null() {
            ffi::PyType_GenericAlloc
        } else {
            std::mem::transmute::<*mut std::ffi::c_void, ffi::allocfunc>(slot)
        };
        let obj = alloc(tp, 2);
        if obj.is_null() {
            return Err(PyErr::fetch(py));
        }
        ffi::PyTuple_SET_ITEM(obj, 0, a.into_ptr());
        ffi::PyTuple_SET_ITEM(obj, 1, b.into_ptr());
        reset_tuple_hash(obj);
        Ok(Bound::from_owned_ptr(py, obj))
    }
}

/// The subfields of `field` as a tuple of `Subfield` named tuples.
pub fn subfield_tuple<'py>(
    py: Python<'py>,
    field: &mrrc_core::Field,
    raw: bool,
) -> PyResult<Bound<'py, PyTuple>> {
    let ty = subfield_type(py)?;
    let n = field.subfield_count();
    let item = |i: usize| {
        let s = field.subfield(i).unwrap_or(mrrc_core::Subfield {
            code: ABSENT,
            value: "",
        });
        (code_out(py, s.code).into_any(), s.value)
    };
    #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
    if let Some(reused) = subfield_pool::reuse(py, ty, n, raw, item) {
        return reused;
    }
    let tuple = tuple_of(py, n, |i| {
        let (code, value) = item(i);
        pair_of_type(py, ty, code, text_out(py, value, raw))
    })?;
    #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
    subfield_pool::keep(&tuple, raw);
    Ok(tuple)
}

/// Tuples of `Subfield`s that Python has let go of, refilled in place.
///
/// `for sf in field: ...` makes and frees a tuple, one named tuple per
/// subfield and an iterator; allocating, tracking and freeing them costs
/// more than filling them. This thread keeps a reference to the last few
/// tuples it made of each length. One whose reference count has fallen
/// back to 1 is held by nobody else (tuples take no weak references), so
/// nothing can observe it: its `Subfield`s that it alone holds get the new
/// codes and values, any other is replaced by a new one, and it is handed
/// out again (as CPython's own `zip` and `enumerate` reuse their result
/// tuple). Only with the GIL, which makes the check and the refill one step.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
mod subfield_pool {
    use super::{pair_of_type, reset_tuple_hash};
    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::types::{PyTuple, PyType};
    use std::cell::RefCell;

    /// Lengths kept (fields with more subfields are rare).
    const LONGEST: usize = 8;
    /// Tuples kept per length.
    const PER_LENGTH: usize = 4;

    /// A kept tuple, and for each of its items the value string it holds
    /// and the room that string was made with, when this pool made it
    /// (else NULL): a value rewritten to a shorter text keeps its room for
    /// a longer one later. The tuple's items change only here (tuples are
    /// immutable), so the record stays true; the string is compared too.
    struct Kept {
        tuple: Py<PyTuple>,
        rooms: Rooms,
    }

    type Rooms = [(*mut ffi::PyObject, usize); LONGEST];

    const NO_ROOMS: Rooms = [(std::ptr::null_mut(), 0); LONGEST];

    struct Pool {
        /// By length - 1: a ring of tuples and its cursor.
        rings: [(Vec<Kept>, usize); LONGEST],
    }

    thread_local! {
        static POOL: RefCell<Pool> =
            const { RefCell::new(Pool { rings: [const { (Vec::new(), 0) }; LONGEST] }) };
    }

    /// The room of a value `text_out` just made: the length it was made
    /// with (`rewrite_str_in` only uses it for a compact ASCII string, the
    /// one kind whose length is its room); 0 for `bytes` (`raw`).
    ///
    /// # Safety
    /// `value` is a live `str` unless `raw`.
    #[inline(always)]
    unsafe fn room_of(value: *mut ffi::PyObject, raw: bool) -> usize {
        if raw {
            0
        } else {
            // SAFETY: a live `str` (caller).
            usize::try_from(unsafe { ffi::PyUnicode_GetLength(value) }).unwrap_or(0)
        }
    }

    /// A kept tuple of `n` subfields nobody else holds, refilled with
    /// `item(0..n)`; `None` when there is none (then `item` was not called).
    #[inline(always)]
    pub fn reuse<'py, 'a>(
        py: Python<'py>,
        ty: &Bound<'py, PyType>,
        n: usize,
        raw: bool,
        mut item: impl FnMut(usize) -> (Bound<'py, PyAny>, &'a str),
    ) -> Option<PyResult<Bound<'py, PyTuple>>> {
        if n == 0 || n > LONGEST {
            return None;
        }
        let (found, mut rooms) = POOL
            .try_with(|pool| {
                let pool = pool.try_borrow().ok()?;
                let ring = &pool.rings[n - 1].0;
                // SAFETY: reading the reference count of live objects (a
                // kept tuple's items are never NULL).
                let free = |k: &&Kept| unsafe { ffi::Py_REFCNT(k.tuple.as_ptr()) } == 1;
                let all_free = |k: &&Kept| {
                    free(k)
                        && (0..n).all(|i| unsafe {
                            ffi::Py_REFCNT(ffi::PyTuple_GET_ITEM(
                                k.tuple.as_ptr(),
                                i as ffi::Py_ssize_t,
                            )) == 1
                        })
                };
                // After `for sf in field`, `sf` still holds the last item of
                // the last tuple: prefer a tuple whose items are all free
                // (refilled in place). While the ring has room, a new tuple
                // (kept) beats one that needs a new `Subfield`: two fields in
                // a row with as many subfields then alternate between two
                // tuples instead of making a `Subfield` each time.
                let k = match ring.iter().find(all_free) {
                    Some(k) => k,
                    None if ring.len() < PER_LENGTH => return None,
                    None => ring.iter().find(free)?,
                };
                Some((k.tuple.bind(py).clone(), k.rooms))
            })
            .ok()
            .flatten()?;
        let tuple = found.as_ptr();
        for (i, slot) in rooms.iter_mut().enumerate().take(n) {
            let (code, text) = item(i);
            // SAFETY: `tuple` has `n` items and (see above) only the pool and
            // `found` hold it, with the GIL held, so nobody can see it
            // change. An item whose count is 1 is held by this tuple alone:
            // its value string, if it alone holds that too, is rewritten
            // (`rewrite_str_in`, with the room it was made with when the
            // pool knows it), or else both items are replaced (the new ones
            // owned references moved in, the old ones, a code and a value
            // whose release runs no Python code, released after). Any other
            // item is replaced by a new `Subfield`, the tuple's reference to
            // the old one released.
            unsafe {
                let sub = ffi::PyTuple_GET_ITEM(tuple, i as ffi::Py_ssize_t);
                if ffi::Py_REFCNT(sub) == 1 {
                    let old_code = ffi::PyTuple_GET_ITEM(sub, 0);
                    let old_value = ffi::PyTuple_GET_ITEM(sub, 1);
                    ffi::PyTuple_SET_ITEM(sub, 0, code.into_ptr());
                    ffi::Py_DECREF(old_code);
                    let (made, room) = *slot;
                    let room = if made == old_value { room } else { 0 };
                    if raw || !super::rewrite_str_in(old_value, text, room) {
                        let value = super::text_out(py, text, raw);
                        *slot = (value.as_ptr(), room_of(value.as_ptr(), raw));
                        ffi::PyTuple_SET_ITEM(sub, 1, value.into_ptr());
                        ffi::Py_DECREF(old_value);
                    }
                    reset_tuple_hash(sub);
                } else {
                    let value = super::text_out(py, text, raw);
                    *slot = (value.as_ptr(), room_of(value.as_ptr(), raw));
                    let made = match pair_of_type(py, ty, code, value) {
                        Ok(made) => made,
                        Err(e) => {
                            forget_rooms(tuple, n);
                            return Some(Err(e));
                        }
                    };
                    ffi::PyTuple_SET_ITEM(tuple, i as ffi::Py_ssize_t, made.into_ptr());
                    ffi::Py_DECREF(sub);
                }
            }
        }
        // SAFETY: as above; the refilled tuple's cached hash (3.14) is stale.
        unsafe { reset_tuple_hash(tuple) };
        set_rooms(tuple, n, rooms);
        Some(Ok(found))
    }

    /// Records `rooms` for the kept tuple `tuple` (if it is still kept).
    fn set_rooms(tuple: *mut ffi::PyObject, n: usize, rooms: Rooms) {
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                if let Some(k) = pool.rings[n - 1]
                    .0
                    .iter_mut()
                    .find(|k| k.tuple.as_ptr() == tuple)
                {
                    k.rooms = rooms;
                }
            }
        });
    }

    /// Forgets the rooms of the kept tuple `tuple` (its items are in
    /// doubt after an error).
    fn forget_rooms(tuple: *mut ffi::PyObject, n: usize) {
        set_rooms(tuple, n, NO_ROOMS);
    }

    /// Keeps a new tuple for reuse, in place of the oldest one of its length.
    /// `raw`: its values are `bytes`.
    pub fn keep(tuple: &Bound<'_, PyTuple>, raw: bool) {
        let n = tuple.len();
        if n == 0 || n > LONGEST {
            return;
        }
        let mut rooms = NO_ROOMS;
        for (i, r) in rooms.iter_mut().enumerate().take(n) {
            // SAFETY: a new tuple of `n` `Subfield`s (two-item tuples) whose
            // values `text_out` made (`str` unless `raw`).
            unsafe {
                let value = ffi::PyTuple_GET_ITEM(
                    ffi::PyTuple_GET_ITEM(tuple.as_ptr(), i as ffi::Py_ssize_t),
                    1,
                );
                *r = (value, room_of(value, raw));
            }
        }
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                let (ring, next) = &mut pool.rings[n - 1];
                let kept = Kept {
                    tuple: tuple.clone().unbind(),
                    rooms,
                };
                if ring.len() < PER_LENGTH {
                    ring.push(kept);
                } else {
                    ring[*next] = kept;
                    *next = (*next + 1) % PER_LENGTH;
                }
            }
        });
    }
}

/// Rewrites `obj`, a `str` that only the caller holds, to `text` in place:
/// true when it could (a plain, compact ASCII, not interned string at
/// least as long, `text` ASCII and longer than one character); false, and
/// `obj` unchanged, otherwise. Making a string and freeing the old one
/// costs about 200 instructions (`PyUnicode_New`, `unicode_dealloc`,
/// `PyObject_Free`); this is a copy. CPython resizes strings in place on
/// the same conditions (`unicode_modifiable`); nobody can have seen a hash
/// or a UTF-8 form of it that would now be stale, as nobody else holds it.
///
/// # Safety
/// `obj` is a live object, the GIL is held, and the caller holds the only
/// reference (its count is checked here too).
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy, Py_3_14)))]
pub unsafe fn rewrite_str(obj: *mut pyo3::ffi::PyObject, text: &str) -> bool {
    // SAFETY: as the caller's.
    unsafe { rewrite_str_in(obj, text, 0) }
}

/// [`rewrite_str`] for a string known to have been made with room for
/// `room` characters (more than it may hold now, after an earlier rewrite
/// to a shorter text): `text` may be as long as that.
///
/// # Safety
/// As [`rewrite_str`]; and `obj` was made (by `PyUnicode_New`) with at
/// least `room` characters, or `room` is 0.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy, Py_3_14)))]
pub unsafe fn rewrite_str_in(obj: *mut pyo3::ffi::PyObject, text: &str, room: usize) -> bool {
    use pyo3::ffi;
    let len = text.len();
    if len < 2 || !text.is_ascii() {
        // Empty and one-character strings are CPython's cached singletons.
        return false;
    }
    // SAFETY: `obj` is live (caller); its type is checked before anything
    // `str`-specific is read, and a compact ASCII string's characters start
    // right after its `PyASCIIObject` header, with room for its length and
    // a NUL (so for `len` <= that length).
    unsafe {
        if ffi::Py_REFCNT(obj) != 1
            || ffi::Py_TYPE(obj) != std::ptr::addr_of_mut!(ffi::PyUnicode_Type)
        {
            return false;
        }
        if ffi::PyUnicode_IS_COMPACT_ASCII(obj) == 0 {
            return false;
        }
        let fits = ffi::Py_ssize_t::try_from(len)
            .is_ok_and(|size| size <= (*obj.cast::<ffi::PyASCIIObject>()).length || len <= room);
        fits && fill_ascii_in_place(obj, len, |data| {
            std::ptr::copy_nonoverlapping(text.as_ptr(), data, len)
        })
    }
}

/// Writes `len` characters into `obj` in place with `fill` (which writes
/// exactly `len` bytes), then its NUL, length and unset hash: false, and
/// `obj` unchanged, when it is interned (or, before 3.12, has a wide
/// form). The one writer of a string's header for both rewrites
/// ([`rewrite_str_in`] and the `value()` pool).
///
/// # Safety
/// `obj` is a compact ASCII `str` only the caller holds (and a pool), made
/// with room for at least `len` characters, the GIL held.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy, Py_3_14)))]
unsafe fn fill_ascii_in_place(
    obj: *mut pyo3::ffi::PyObject,
    len: usize,
    fill: impl FnOnce(*mut u8),
) -> bool {
    use pyo3::ffi;
    let Ok(size) = ffi::Py_ssize_t::try_from(len) else {
        return false;
    };
    // SAFETY: the caller's contract; a compact ASCII string's characters
    // start right after its `PyASCIIObject` header, with room for `len`
    // and a NUL.
    unsafe {
        let head = obj.cast::<ffi::PyASCIIObject>();
        if (*head).interned() != 0 {
            return false;
        }
        #[cfg(not(Py_3_12))]
        if !(*head).wstr.is_null() {
            return false;
        }
        let data = ffi::PyUnicode_1BYTE_DATA(obj);
        fill(data);
        *data.add(len) = 0;
        (*head).length = size;
        (*head).hash = -1;
        true
    }
}

/// Without the string header's layout (CPython 3.14+, where PyO3 does not
/// describe it): never. (Free-threaded builds, PyPy and GraalPy keep no
/// pools.)
///
/// # Safety
/// None needed; `unsafe` to match the other definition.
#[cfg(all(Py_3_14, not(any(Py_GIL_DISABLED, PyPy, GraalPy))))]
pub unsafe fn rewrite_str(_obj: *mut pyo3::ffi::PyObject, _text: &str) -> bool {
    false
}

/// As [`rewrite_str`]: never.
///
/// # Safety
/// None needed; `unsafe` to match the other definition.
#[cfg(all(Py_3_14, not(any(Py_GIL_DISABLED, PyPy, GraalPy))))]
pub unsafe fn rewrite_str_in(_obj: *mut pyo3::ffi::PyObject, _text: &str, _room: usize) -> bool {
    false
}

/// A new sequence of `n` items made by `item(i)`, filled in place (no
/// intermediate `Vec`) by `new(n)` and `set(seq, i, item)`: CPython's tuple
/// or list constructor and slot setter. `item` must not fail after the first
/// error.
#[inline(always)]
fn sequence_of<'py>(
    py: Python<'py>,
    n: usize,
    new: unsafe extern "C" fn(pyo3::ffi::Py_ssize_t) -> *mut pyo3::ffi::PyObject,
    set: unsafe fn(*mut pyo3::ffi::PyObject, pyo3::ffi::Py_ssize_t, *mut pyo3::ffi::PyObject),
    mut item: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::ffi;
    let size = ffi::Py_ssize_t::try_from(n)
        .map_err(|_| pyo3::exceptions::PyMemoryError::new_err("too many items"))?;
    // SAFETY: `new(size)` returns a new tuple or list of `size` NULL items
    // (or NULL with an exception set). Each slot is set once with a strong
    // reference the sequence then owns. `item` runs no Python code that could
    // see the sequence (it is not reachable yet); on an error the sequence,
    // whose remaining items are NULL (which its dealloc skips), is dropped.
    unsafe {
        let seq = Bound::from_owned_ptr_or_err(py, new(size))?;
        for i in 0..n {
            let obj = item(i)?;
            set(seq.as_ptr(), i as ffi::Py_ssize_t, obj.into_ptr());
        }
        Ok(seq)
    }
}

/// A tuple of `n` items made by `item(i)` (see [`sequence_of`]).
pub fn tuple_of<'py>(
    py: Python<'py>,
    n: usize,
    item: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    use pyo3::ffi;
    let tuple = sequence_of(py, n, ffi::PyTuple_New, ffi::PyTuple_SET_ITEM, item)?;
    // SAFETY: made by `PyTuple_New`.
    Ok(unsafe { tuple.cast_into_unchecked() })
}

/// A list of `n` items made by `item(i)` (see [`sequence_of`]).
pub fn list_of<'py>(
    py: Python<'py>,
    n: usize,
    item: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyList>> {
    use pyo3::ffi;
    let list = sequence_of(py, n, ffi::PyList_New, ffi::PyList_SET_ITEM, item)?;
    // SAFETY: made by `PyList_New`.
    Ok(unsafe { list.cast_into_unchecked() })
}

pub fn indicators_obj(py: Python<'_>, ind: Indicators) -> PyResult<Bound<'_, PyAny>> {
    pair_of_type(
        py,
        indicators_type(py)?,
        code_out(py, ind.first).into_any(),
        code_out(py, ind.second).into_any(),
    )
}

/// One interned Python string per three-digit tag, made on first use.
static DIGIT_TAGS: [PyOnceLock<Py<PyString>>; 1000] = [const { PyOnceLock::new() }; 1000];

/// The shared string of a numeric tag.
fn digit_tag<'a>(py: Python<'_>, tag: &str) -> Option<&'a Py<PyString>> {
    let b = tag.as_bytes();
    if b.len() == 3 && b.iter().all(u8::is_ascii_digit) {
        let n = usize::from(b[0] - b'0') * 100
            + usize::from(b[1] - b'0') * 10
            + usize::from(b[2] - b'0');
        return Some(DIGIT_TAGS[n].get_or_init(py, || PyString::intern(py, tag).unbind()));
    }
    None
}

/// A tag as a Python string (shared for the 1,000 numeric tags).
pub fn tag_out<'py>(py: Python<'py>, tag: &str) -> Bound<'py, PyString> {
    match digit_tag(py, tag) {
        Some(s) => s.bind(py).clone(),
        None => PyString::new(py, tag),
    }
}

/// The address of the string `tag_out` gives for `tag` when it is a shared
/// one (which lives as long as the module), else NULL: to recognise it
/// among other objects by identity.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
pub fn tag_key(py: Python<'_>, tag: &str) -> *mut pyo3::ffi::PyObject {
    digit_tag(py, tag).map_or(std::ptr::null_mut(), |s| s.as_ptr())
}

/// As [`tag_key`], for `code_out`.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
pub fn code_key(py: Python<'_>, code: char) -> *mut pyo3::ffi::PyObject {
    if code != ABSENT && code.is_ascii() {
        code_out(py, code).as_ptr()
    } else {
        std::ptr::null_mut()
    }
}

/// ISO 8859-1: each byte is the code point of the same value. This is how the
/// core keeps undecoded bytes (`Charset::Raw`).
pub fn latin1_to_string(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The inverse of [`latin1_to_string`]; characters above U+00FF become `?`.
pub fn string_to_latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

/// A text value for Python: `str`, or `bytes` for a raw field.
pub fn text_out<'py>(py: Python<'py>, text: &str, raw: bool) -> Bound<'py, PyAny> {
    if raw {
        PyBytes::new(py, &string_to_latin1(text)).into_any()
    } else {
        str_out(py, text).into_any()
    }
}

/// A Python `str`. ASCII text (nearly all MARC text) is copied straight
/// into a new compact string, skipping CPython's UTF-8 decoder.
pub fn str_out<'py>(py: Python<'py>, text: &str) -> Bound<'py, PyString> {
    use pyo3::ffi;
    if text.len() > 1 && text.is_ascii() {
        if let Ok(size) = ffi::Py_ssize_t::try_from(text.len()) {
            // SAFETY: `PyUnicode_New(size, 127)` returns a new compact ASCII
            // string with room for exactly `size` bytes (it writes the NUL
            // after them), or NULL with an exception set. We fill it with
            // `size` ASCII bytes before anyone else sees it.
            unsafe {
                let obj = ffi::PyUnicode_New(size, 127);
                if !obj.is_null() {
                    let dst = ffi::PyUnicode_1BYTE_DATA(obj);
                    std::ptr::copy_nonoverlapping(text.as_ptr(), dst, text.len());
                    return Bound::from_owned_ptr(py, obj).cast_into_unchecked();
                }
                ffi::PyErr_Clear();
            }
        }
    }
    // Empty and one-character strings are CPython's cached singletons.
    PyString::new(py, text)
}

thread_local! {
    /// A buffer reused for values built in Rust before they become Python
    /// strings (pymarc `value()`).
    static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// A Python `str` written by `write` into a reused buffer (no allocation
/// per call once the buffer has grown).
pub fn str_written<'py>(py: Python<'py>, write: impl Fn(&mut String)) -> Bound<'py, PyString> {
    let reused = SCRATCH.try_with(|cell| {
        let write = &write;
        let mut buf = cell.try_borrow_mut().ok()?;
        buf.clear();
        write(&mut buf);
        let out = str_out(py, &buf);
        if buf.capacity() > 1 << 16 {
            *buf = String::new();
        }
        Some(out)
    });
    match reused {
        Ok(Some(s)) => s,
        _ => {
            // Only when re-entered or during thread teardown.
            let mut own = String::new();
            write(&mut own);
            str_out(py, &own)
        }
    }
}

/// A field's `value()` as a Python `str`, from the core's pieces
/// (`Field::value_pieces`). Pieces of ASCII text (nearly all MARC text) are
/// gathered first and copied straight into a new string of the right size;
/// anything else goes through [`str_written`]. The pieces are visited by a
/// closure the compiler sees (not a `dyn` callback per piece: 8% of the
/// every-value loop's time went to the pieces' calls).
pub fn value_str<'py>(py: Python<'py>, field: &mrrc_core::Field) -> Bound<'py, PyString> {
    use pyo3::ffi;
    /// Pieces kept on the stack; a value of more goes the slow way.
    const MAX: usize = 32;
    // Uninitialised: zeroing 32 slices per call would cost more than the
    // copies; only `kept[..n]` is ever read, after being written.
    let mut kept = [std::mem::MaybeUninit::<&str>::uninit(); MAX];
    let (mut n, mut len, mut ascii) = (0usize, 0usize, true);
    field.value_pieces(|p| {
        if n < MAX {
            kept[n].write(p);
        }
        n += 1;
        len += p.len();
        ascii &= p.is_ascii();
    });
    if n <= MAX && ascii && len > 1 {
        // SAFETY: only `kept[..n]` was written (`n` <= MAX).
        let pieces = unsafe { std::slice::from_raw_parts(kept.as_ptr().cast::<&str>(), n) };
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy, Py_3_14)))]
        // SAFETY: `reuse` gives room for `len` bytes, the pieces' total.
        if let Some(s) = value_pool::reuse(py, len, |dst| unsafe { copy_pieces(pieces, dst) }) {
            return s;
        }
        if let Ok(size) = ffi::Py_ssize_t::try_from(len) {
            // SAFETY: as in `str_out`: a new compact ASCII string of exactly
            // `len` bytes, filled with the `len` ASCII bytes of the kept
            // pieces before anyone sees it.
            unsafe {
                let obj = ffi::PyUnicode_New(size, 127);
                if !obj.is_null() {
                    copy_pieces(pieces, ffi::PyUnicode_1BYTE_DATA(obj));
                    let s = Bound::from_owned_ptr(py, obj).cast_into_unchecked();
                    #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy, Py_3_14)))]
                    value_pool::keep(&s, len);
                    return s;
                }
                ffi::PyErr_Clear();
            }
        }
    }
    str_written(py, |buf| field.value_pieces(|p| buf.push_str(p)))
}

/// Copies `pieces` to `dst`, back to back.
///
/// # Safety
/// `dst` has room for their total length.
#[inline(always)]
unsafe fn copy_pieces(pieces: &[&str], mut dst: *mut u8) {
    for p in pieces {
        let p = p.as_bytes();
        // SAFETY: within the room the caller gave.
        unsafe {
            // The separating spaces: one byte, no `memcpy` call.
            if let [only] = p {
                *dst = *only;
            } else {
                std::ptr::copy_nonoverlapping(p.as_ptr(), dst, p.len());
            }
            dst = dst.add(p.len());
        }
    }
}

/// `value()` strings that Python has let go of, rewritten in place.
///
/// `for f in record.get_fields(): f.value()` makes a string per field and
/// drops it at once. This thread keeps the last few `value()` strings it
/// made, each with the length it was made with (its room; a new one takes
/// the place of the free one with least room, so they grow to fit). One
/// whose reference count has fallen back to 1 is held by nobody else, so nobody
/// can see it change: it gets the new value (if it has room) and is handed
/// out again, as `rewrite_str` does for the values of refilled `Subfield`s.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy, Py_3_14)))]
mod value_pool {
    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::types::PyString;
    use std::cell::RefCell;

    /// Strings kept.
    const KEPT: usize = 4;

    /// Kept strings with their room, and the oldest one's index.
    type Kept = (Vec<(Py<PyString>, usize)>, usize);

    thread_local! {
        static POOL: RefCell<Kept> = const { RefCell::new((Vec::new(), 0)) };
    }

    /// A kept string nobody else holds with room for `len` ASCII bytes,
    /// refilled by `fill` (which writes exactly `len` bytes).
    #[inline(always)]
    pub fn reuse<'py>(
        py: Python<'py>,
        len: usize,
        fill: impl FnOnce(*mut u8),
    ) -> Option<Bound<'py, PyString>> {
        let s = POOL
            .try_with(|pool| {
                let pool = pool.try_borrow().ok()?;
                pool.0
                    .iter()
                    // SAFETY: reading the reference count of live objects.
                    .find(|(s, room)| *room >= len && unsafe { ffi::Py_REFCNT(s.as_ptr()) } == 1)
                    .map(|(s, _)| s.bind(py).clone())
            })
            .ok()
            .flatten()?;
        // SAFETY: a plain compact ASCII string this pool made with room for
        // `room` >= `len` bytes (and a NUL), held only by the pool and `s`
        // (so nobody can have its hash or see it change).
        unsafe { super::fill_ascii_in_place(s.as_ptr(), len, fill) }.then_some(s)
    }

    /// Keeps a new `value()` string of `len` bytes, in place of the oldest.
    pub fn keep(s: &Bound<'_, PyString>, len: usize) {
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                let (kept, next) = &mut *pool;
                let entry = (s.clone().unbind(), len);
                if kept.len() < KEPT {
                    kept.push(entry);
                    return;
                }
                // In place of the free one with least room (it had too
                // little for this one: the kept strings grow to fit most
                // values), else of the oldest. A string: its release runs
                // no Python code.
                // SAFETY: reading the reference counts of live objects.
                let free = (0..KEPT)
                    .filter(|&i| unsafe { ffi::Py_REFCNT(kept[i].0.as_ptr()) } == 1)
                    .min_by_key(|&i| kept[i].1);
                match free {
                    Some(i) => kept[i] = entry,
                    None => {
                        kept[*next] = entry;
                        *next = (*next + 1) % KEPT;
                    }
                }
            }
        });
    }
}

/// A text value from Python: `str`, `bytes` (ISO 8859-1, as pymarc's
/// `RawField` holds them), `None` (empty), or anything else through `str()`.
pub fn text_in(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_str()?.to_owned());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(latin1_to_string(b.as_bytes()));
    }
    if obj.is_none() {
        return Ok(String::new());
    }
    Ok(obj.str()?.to_str()?.to_owned())
}

/// One Python string per ASCII subfield code or indicator, made on first use.
static ASCII_CODES: [PyOnceLock<Py<PyString>>; 128] = [const { PyOnceLock::new() }; 128];

pub fn code_out(py: Python<'_>, code: char) -> Bound<'_, PyString> {
    if code == ABSENT {
        PyString::new(py, "")
    } else if code.is_ascii() {
        ASCII_CODES[code as usize]
            .get_or_init(py, || {
                let mut buf = [0u8; 4];
                PyString::new(py, code.encode_utf8(&mut buf)).unbind()
            })
            .bind(py)
            .clone()
    } else {
        let mut buf = [0u8; 4];
        PyString::new(py, code.encode_utf8(&mut buf))
    }
}

/// A subfield code or indicator: its first character, or [`ABSENT`] for "".
pub fn char_in(obj: &Bound<'_, PyAny>) -> PyResult<char> {
    let text = text_in(obj)?;
    Ok(text.chars().next().unwrap_or(ABSENT))
}

/// pymarc's tag rule: a numeric tag of other than three digits is rewritten
/// as a three-digit number, an integer becomes its three-digit form, anything
/// else is kept as text.
pub fn tag_in(obj: &Bound<'_, PyAny>) -> PyResult<Tag> {
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_str()?;
        if s.len() != 3 && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = s.parse::<u64>() {
                return Ok(Tag::new(&format!("{n:03}")));
            }
        }
        return Ok(Tag::new(s));
    }
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(Tag::new(&format!("{n:03}")));
    }
    Ok(Tag::new(obj.str()?.to_str()?))
}

/// pymarc's indicator rules: `None` or empty means two blanks; a list or tuple
/// must have exactly two items; any other sequence is unpacked.
pub fn indicators_in(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Indicators> {
    let Some(obj) = obj else {
        return Ok(Indicators::BLANK);
    };
    if obj.is_none() || !obj.is_truthy()? {
        return Ok(Indicators::BLANK);
    }
    let is_list_or_tuple = obj.cast::<PyList>().is_ok() || obj.cast::<PyTuple>().is_ok();
    let len = obj.len()?;
    if len != 2 {
        return Err(if is_list_or_tuple {
            PyValueError::new_err(
                "The indicators input no longer accepts an iterable of arbitrary length. Use \
                 the Indicators() named tuple instead.",
            )
        } else {
            PyTypeError::new_err(format!("Indicators takes 2 values, got {len}"))
        });
    }
    Ok(Indicators::new(
        char_in(&obj.get_item(0)?)?,
        char_in(&obj.get_item(1)?)?,
    ))
}

/// `(code, value)` pairs from a list of `Subfield`s (or any 2-sequences).
pub fn subfields_in(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(char, String)>> {
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        if item.cast::<PyString>().is_ok() {
            return Err(PyValueError::new_err(
                "The subfield input no longer accepts strings, and should use Subfield. \
                 Please consult the documentation for details.",
            ));
        }
        out.push((char_in(&item.get_item(0)?)?, text_in(&item.get_item(1)?)?));
    }
    Ok(out)
}
