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

/// A two-item instance of a named tuple type (a `tuple` subclass), built the
/// way `tuple.__new__(cls, (a, b))` builds it (the type's `tp_alloc`, then
/// the items), without the Python-level call and the temporary tuple.
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
        Ok(Bound::from_owned_ptr(py, obj))
    }
}

pub fn subfield_obj<'py>(
    py: Python<'py>,
    code: char,
    value: &str,
    raw: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let code = code_out(py, code).into_any();
    let value = text_out(py, value, raw);
    #[cfg(not(Py_GIL_DISABLED))]
    if let Some(reused) = subfield_pool::reuse(py, &code, &value) {
        return Ok(reused);
    }
    let made = pair_of_type(py, subfield_type(py)?, code, value)?;
    #[cfg(not(Py_GIL_DISABLED))]
    subfield_pool::keep(py, &made);
    Ok(made)
}

/// `Subfield` named tuples that Python has let go of, reused in place.
///
/// A loop such as `for sf in field: ...` makes and frees one named tuple per
/// subfield; allocating, tracking and freeing it costs more than filling it.
/// This thread keeps a reference to the last `Subfield`s it made. One whose
/// reference count has fallen back to 1 is held by nobody else (tuples take
/// no weak references), so nothing can observe it: it gets the new code and
/// value and is handed out again, as CPython's own `zip` and `enumerate`
/// reuse their result tuple. Only with the GIL: it makes the check and the
/// refill one step, which a free-threaded build would not.
#[cfg(not(Py_GIL_DISABLED))]
mod subfield_pool {
    use pyo3::ffi;
    use pyo3::prelude::*;
    use std::cell::RefCell;

    /// Kept named tuples per thread: more than the subfields of nearly any
    /// field, few enough to scan.
    const SIZE: usize = 64;
    /// Slots looked at before giving up and allocating.
    const PROBES: usize = 4;

    struct Pool {
        slots: Vec<Py<PyAny>>,
        next: usize,
    }

    thread_local! {
        static POOL: RefCell<Pool> = const { RefCell::new(Pool { slots: Vec::new(), next: 0 }) };
    }

    /// A kept `Subfield` nobody else holds, refilled with `code` and `value`.
    pub fn reuse<'py>(
        py: Python<'py>,
        code: &Bound<'py, PyAny>,
        value: &Bound<'py, PyAny>,
    ) -> Option<Bound<'py, PyAny>> {
        POOL.try_with(|pool| {
            let mut pool = pool.try_borrow_mut().ok()?;
            let n = pool.slots.len();
            if n < SIZE {
                return None;
            }
            for _ in 0..PROBES {
                let i = pool.next;
                pool.next = (i + 1) % n;
                let obj = pool.slots[i].as_ptr();
                // SAFETY: the GIL is held, so no other thread can take a
                // reference between the count check and the refill. With a
                // count of 1 the only reference is this slot's, so no one
                // can see the tuple change. Its items are a code and a value
                // (`str` or `bytes`), whose release runs no Python code. The
                // tuple keeps its size and type; the new items are owned
                // references moved in, the old ones released after.
                unsafe {
                    if ffi::Py_REFCNT(obj) != 1 {
                        continue;
                    }
                    let old_code = ffi::PyTuple_GET_ITEM(obj, 0);
                    let old_value = ffi::PyTuple_GET_ITEM(obj, 1);
                    ffi::PyTuple_SET_ITEM(obj, 0, code.clone().into_ptr());
                    ffi::PyTuple_SET_ITEM(obj, 1, value.clone().into_ptr());
                    ffi::Py_DECREF(old_code);
                    ffi::Py_DECREF(old_value);
                    return Some(pool.slots[i].bind(py).clone());
                }
            }
            None
        })
        .ok()
        .flatten()
    }

    /// Keeps a new `Subfield` for reuse, in place of the slot at the cursor
    /// (which is still held elsewhere, or the pool is filling up).
    pub fn keep(py: Python<'_>, made: &Bound<'_, PyAny>) {
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                if pool.slots.len() < SIZE {
                    pool.slots.push(made.clone().unbind());
                } else {
                    let i = pool.next;
                    pool.next = (i + 1) % SIZE;
                    pool.slots[i] = made.clone().unbind();
                }
            }
        });
        let _ = py;
    }
}

/// A tuple of `n` items made by `item(i)`, filled in place (no intermediate
/// `Vec`). `item` must not fail after the first error.
pub fn tuple_of<'py>(
    py: Python<'py>,
    n: usize,
    mut item: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyTuple>> {
    use pyo3::ffi;
    let size = ffi::Py_ssize_t::try_from(n)
        .map_err(|_| pyo3::exceptions::PyMemoryError::new_err("too many items"))?;
    // SAFETY: `PyTuple_New(size)` returns a new tuple of `size` NULL items (or
    // NULL with an exception set). Each slot is set once with a strong
    // reference the tuple then owns; on an error the tuple, whose remaining
    // items are NULL (which tuple dealloc skips), is dropped.
    unsafe {
        let tuple = Bound::from_owned_ptr_or_err(py, ffi::PyTuple_New(size))?;
        for i in 0..n {
            let obj = item(i)?;
            ffi::PyTuple_SET_ITEM(tuple.as_ptr(), i as ffi::Py_ssize_t, obj.into_ptr());
        }
        Ok(tuple.cast_into_unchecked())
    }
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

/// A tag as a Python string (shared for the 1,000 numeric tags).
pub fn tag_out<'py>(py: Python<'py>, tag: &str) -> Bound<'py, PyString> {
    let b = tag.as_bytes();
    if b.len() == 3 && b.iter().all(u8::is_ascii_digit) {
        let n = usize::from(b[0] - b'0') * 100
            + usize::from(b[1] - b'0') * 10
            + usize::from(b[2] - b'0');
        return DIGIT_TAGS[n]
            .get_or_init(py, || PyString::intern(py, tag).unbind())
            .bind(py)
            .clone();
    }
    PyString::new(py, tag)
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
