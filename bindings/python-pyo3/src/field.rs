//! `mrrc.Field` and `mrrc.RawField`: pymarc's field API over one core field.
//!
//! A field object owns its core field behind a lock (`gil_lock`), so it can
//! be shared by several records and threads; records read in a field's
//! current state whenever the core needs it.

use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString, PyTuple, PyType};

use crate::convert::{
    char_in, code_out, indicators_in, indicators_obj, subfields_in, tag_in, text_in, text_out,
    ABSENT,
};
use crate::gil_lock::{GilGuard, GilLock};
use mrrc_core::{Indicators, SetSubfieldError};

pub struct FieldState {
    pub field: mrrc_core::Field,
    /// Values are bytes (pymarc `RawField`, from `to_unicode=False`).
    pub raw: bool,
}

/// A MARC field: a control field (`tag`, `data`) or a data field (`tag`,
/// `indicators`, `subfields`).
#[pyclass(module = "mrrc.field", name = "Field", subclass, frozen)]
pub struct Field {
    state: GilLock<FieldState>,
    /// Fixed when the field is made, as in pymarc. A `Py` member on a frozen
    /// class, so Python reads it as a plain slot (no call into Rust).
    #[pyo3(get)]
    control_field: Py<PyBool>,
}

/// A field whose values are the undecoded bytes (pymarc `RawField`).
#[pyclass(module = "mrrc.field", name = "RawField", extends = Field, frozen)]
pub struct RawField;

/// The one-character subfield code a Python string names, if it can name one.
fn code_key(code: &str) -> Option<char> {
    let mut chars = code.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Some(ABSENT),
        (Some(c), None) => Some(c),
        _ => None,
    }
}

impl Field {
    fn from_state(py: Python<'_>, field: mrrc_core::Field, raw: bool) -> Self {
        let control_field = PyBool::new(py, field.is_control()).to_owned().unbind();
        Field {
            state: GilLock::new(FieldState { field, raw }),
            control_field,
        }
    }

    pub fn lock(&self, py: Python<'_>) -> GilGuard<'_, FieldState> {
        self.state.lock(py)
    }

    pub fn core(&self, py: Python<'_>) -> mrrc_core::Field {
        self.lock(py).field.clone()
    }

    /// A new Python field object (a `RawField` when `raw`).
    pub fn new_object(py: Python<'_>, field: mrrc_core::Field, raw: bool) -> PyResult<Py<Field>> {
        if raw {
            let init =
                PyClassInitializer::from(Field::from_state(py, field, true)).add_subclass(RawField);
            return Ok(Bound::new(py, init)?.into_super().unbind());
        }
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        let field = match field_pool::reuse(py, field) {
            Ok(obj) => return Ok(obj),
            Err(field) => field,
        };
        let obj = Py::new(py, Field::from_state(py, field, false))?;
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        field_pool::keep(py, &obj);
        Ok(obj)
    }

    /// A Python field object for a record's field that the record will not
    /// read again before replacing it (`record.fields` has become the
    /// truth): a kept `Field` swaps its old core field for it, which the
    /// record then drops with its own. No reference count changes: cloning
    /// the field and dropping the kept one's old field were two atomic
    /// operations per field.
    pub fn take_object(
        py: Python<'_>,
        field: &mut mrrc_core::Field,
        raw: bool,
    ) -> PyResult<Py<Field>> {
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        if !raw {
            let swapped = field_pool::reuse_with(py, field.is_control(), |state| {
                std::mem::swap(&mut state.field, field);
                state.raw = false;
            });
            if let Some(obj) = swapped {
                return Ok(obj);
            }
        }
        Field::new_object(py, field.clone(), raw)
    }

    fn build(
        py: Python<'_>,
        tag: &Bound<'_, PyAny>,
        indicators: Option<&Bound<'_, PyAny>>,
        subfields: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
        raw: bool,
    ) -> PyResult<Self> {
        let tag = tag_in(tag)?;
        let subs = match subfields {
            Some(s) if !s.is_none() => subfields_in(s)?,
            _ => Vec::new(),
        };
        let field = if tag.is_control() {
            let value = match data {
                Some(d) => text_in(d)?,
                None => String::new(),
            };
            mrrc_core::Field::control(tag, value)
        } else {
            let ind = indicators_in(indicators)?;
            mrrc_core::Field::data(tag, ind, subs.iter().map(|(c, v)| (*c, v.as_str())))
        };
        Ok(Field::from_state(py, field, raw))
    }

    fn subfield_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let state = self.lock(py);
        let tuple = crate::convert::subfield_tuple(py, &state.field, state.raw)?;
        drop(state);
        PyList::new(py, tuple)
    }
}

/// `Field` objects that Python has let go of, reused for new fields.
///
/// Reading every field of a record makes and frees about 20 `Field`s;
/// making one (allocation, GC tracking, initialisation) and freeing it cost
/// more than giving a kept one a new core field. As with `Subfield`s
/// (`convert::subfield_pool`), this thread keeps a reference to the last
/// `Field`s it made, and one whose reference count has fallen back to 1 is
/// held by nobody else (`Field` takes no weak references): it gets the new
/// state and is handed out again. Only a plain `Field` (not `RawField`, not a
/// Python subclass) of the same kind (`control_field` never changes) is
/// reused. Only with the GIL, which makes the check and the refill one step.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
mod field_pool {
    use super::{Field, FieldState};
    use pyo3::ffi;
    use pyo3::prelude::*;
    use std::cell::RefCell;

    /// Kept fields per thread: the fields of two or three records.
    const SIZE: usize = 64;
    /// Slots looked at before giving up and allocating.
    const PROBES: usize = 4;

    struct Pool {
        slots: Vec<Py<Field>>,
        next: usize,
    }

    thread_local! {
        static POOL: RefCell<Pool> = const { RefCell::new(Pool { slots: Vec::new(), next: 0 }) };
    }

    /// A kept `Field` nobody else holds, now holding `field`; `field` back
    /// when there is none.
    pub fn reuse(py: Python<'_>, field: mrrc_core::Field) -> Result<Py<Field>, mrrc_core::Field> {
        let mut field = Some(field);
        let found = reuse_with(
            py,
            field.as_ref().is_some_and(|f| f.is_control()),
            |state| {
                if let Some(field) = field.take() {
                    *state = FieldState { field, raw: false };
                }
            },
        );
        match (found, field) {
            (Some(obj), _) => Ok(obj),
            (None, Some(field)) => Err(field),
            // Unreachable: the field is only taken on success.
            (None, None) => Err(mrrc_core::Field::control("", "")),
        }
    }

    /// A kept `Field` nobody else holds (of the kind `control` says),
    /// refilled by `fill`; `None` (and `fill` not called) when there is none.
    pub fn reuse_with(
        py: Python<'_>,
        control: bool,
        fill: impl FnOnce(&mut FieldState),
    ) -> Option<Py<Field>> {
        POOL.try_with(|pool| {
            let mut pool = pool.try_borrow_mut().ok()?;
            let n = pool.slots.len();
            if n < SIZE {
                return None;
            }
            for _ in 0..PROBES {
                let i = pool.next;
                pool.next = (i + 1) % n;
                let slot = &pool.slots[i];
                // SAFETY: reading the reference count of a live object.
                // With the GIL held nobody can take a new reference
                // before the refill below; a count of 1 is this slot's
                // own, so no one else can see the field change.
                if unsafe { ffi::Py_REFCNT(slot.as_ptr()) } != 1 {
                    continue;
                }
                let kept = slot.get();
                if kept.control_field.bind(py).is_true() != control {
                    continue;
                }
                fill(&mut kept.lock(py));
                return Some(slot.clone_ref(py));
            }
            None
        })
        .ok()
        .flatten()
    }

    /// Keeps a new `Field` for reuse, in place of the slot at the cursor
    /// (still held elsewhere, or the pool is filling up).
    pub fn keep(py: Python<'_>, made: &Py<Field>) {
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                if pool.slots.len() < SIZE {
                    pool.slots.push(made.clone_ref(py));
                } else {
                    let i = pool.next;
                    pool.next = (i + 1) % SIZE;
                    pool.slots[i] = made.clone_ref(py);
                }
            }
        });
    }
}

/// Tuple iterators that Python has let go of, pointed at a new tuple.
///
/// `for sf in field` makes, tracks and frees a tuple iterator per field
/// (about 190 instructions, 16 per LoC record). As with the `Field` and
/// `Subfield` pools, this thread keeps the last few it made; one whose
/// reference count is back to 1 is held by nobody else and gets the new
/// tuple and index 0. A tuple iterator's layout (`it_index`, `it_seq` after
/// the object header) is CPython's, not its API: it is checked once on a
/// real tuple iterator, and the pool stays unused if it does not match.
/// Only with the GIL, which makes the check and the refill one step.
#[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
mod tuple_iter_pool {
    use pyo3::ffi;
    use pyo3::prelude::*;
    use pyo3::sync::PyOnceLock;
    use pyo3::types::PyTuple;
    use std::cell::RefCell;

    /// Iterators kept per thread (two nested loops over fields need two).
    const SIZE: usize = 4;

    #[repr(C)]
    struct TupleIter {
        ob_base: ffi::PyObject,
        it_index: ffi::Py_ssize_t,
        it_seq: *mut ffi::PyObject,
    }

    thread_local! {
        static POOL: RefCell<Vec<Py<PyAny>>> = const { RefCell::new(Vec::new()) };
    }

    /// Whether tuple iterators look as `TupleIter` says, on a real one.
    fn layout_matches(py: Python<'_>) -> bool {
        static MATCHES: PyOnceLock<bool> = PyOnceLock::new();
        *MATCHES.get_or_init(py, || {
            let check = || -> PyResult<bool> {
                let tuple = PyTuple::new(py, [1, 2])?;
                let it = tuple.try_iter()?;
                let p = it.as_ptr().cast::<TupleIter>();
                // SAFETY: reads within the object only after its type is
                // checked to be the tuple iterator type, whose objects are
                // at least as large as a header, an index and a pointer
                // (`tp_basicsize`).
                unsafe {
                    let ty = ffi::Py_TYPE(it.as_ptr());
                    if ty != std::ptr::addr_of_mut!(ffi::PyTupleIter_Type)
                        || ((*ty).tp_basicsize as usize) < std::mem::size_of::<TupleIter>()
                    {
                        return Ok(false);
                    }
                    let start = (*p).it_index == 0 && (*p).it_seq == tuple.as_ptr();
                    let mut it = it;
                    it.next();
                    Ok(start && (*p).it_index == 1 && (*p).it_seq == tuple.as_ptr())
                }
            };
            check().unwrap_or(false)
        })
    }

    /// A kept tuple iterator nobody else holds, now over `tuple` from its
    /// start; `None` when there is none.
    pub fn reuse<'py>(py: Python<'py>, tuple: &Bound<'py, PyTuple>) -> Option<Bound<'py, PyAny>> {
        if !layout_matches(py) {
            return None;
        }
        POOL.try_with(|pool| {
            let pool = pool.try_borrow().ok()?;
            // SAFETY: reading the reference count of live objects.
            let it = pool
                .iter()
                .find(|it| unsafe { ffi::Py_REFCNT(it.as_ptr()) } == 1)?;
            let p = it.as_ptr().cast::<TupleIter>();
            // SAFETY: `it` is a tuple iterator (only those are kept) whose
            // layout was checked; only the pool holds it and the GIL is
            // held, so nobody sees it change. It takes a new reference to
            // `tuple` and releases its old tuple (set to NULL when it ran
            // out), a tuple of `Subfield`s whose release runs no Python code.
            unsafe {
                let old = (*p).it_seq;
                (*p).it_seq = tuple.clone().into_ptr();
                (*p).it_index = 0;
                if !old.is_null() {
                    ffi::Py_DECREF(old);
                }
            }
            Some(it.bind(py).clone())
        })
        .ok()
        .flatten()
    }

    /// Keeps a new tuple iterator for reuse, in place of one still held
    /// elsewhere (or while the pool is filling up).
    pub fn keep(py: Python<'_>, it: &Bound<'_, PyAny>) {
        if !layout_matches(py) {
            return;
        }
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                if pool.len() < SIZE {
                    pool.push(it.clone().unbind());
                } else if let Some(slot) = pool
                    .iter_mut()
                    // SAFETY: reading the reference count of live objects.
                    .find(|slot| unsafe { ffi::Py_REFCNT(slot.as_ptr()) } > 1)
                {
                    *slot = it.clone().unbind();
                }
            }
        });
    }
}

#[pymethods]
impl Field {
    #[new]
    #[pyo3(signature = (tag, indicators=None, subfields=None, data=None))]
    fn py_new(
        py: Python<'_>,
        tag: &Bound<'_, PyAny>,
        indicators: Option<&Bound<'_, PyAny>>,
        subfields: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Field::build(py, tag, indicators, subfields, data, false)
    }

    #[getter]
    fn tag<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        crate::convert::tag_out(py, self.lock(py).field.tag().as_str())
    }

    #[setter]
    fn set_tag(&self, py: Python<'_>, tag: &Bound<'_, PyAny>) -> PyResult<()> {
        let tag = tag_in(tag)?;
        self.lock(py).field.set_tag(tag);
        Ok(())
    }

    /// The value of a control field; `None` for a data field.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let state = self.lock(py);
        state
            .field
            .control_value()
            .map(|v| text_out(py, v, state.raw))
    }

    #[setter]
    fn set_data(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = text_in(value)?;
        self.lock(py).field.set_control_value(value);
        Ok(())
    }

    fn is_control_field(&self, py: Python<'_>) -> bool {
        self.control_field.bind(py).is_true()
    }

    #[getter]
    fn indicators<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let ind = self.lock(py).field.indicators();
        ind.map(|i| indicators_obj(py, i)).transpose()
    }

    #[setter]
    fn set_indicators(&self, py: Python<'_>, value: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        if value.is_none_or(|v| v.is_none()) {
            return Ok(());
        }
        let ind = indicators_in(value)?;
        self.lock(py).field.set_indicators(ind);
        Ok(())
    }

    #[getter]
    fn indicator1<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        let ind = self.lock(py).field.indicators();
        match ind {
            Some(i) => code_out(py, i.first).into_any(),
            None => code_out(py, ABSENT).into_any(),
        }
    }

    #[setter]
    fn set_indicator1(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let c = char_in(value)?;
        let mut state = self.lock(py);
        let ind = state.field.indicators().unwrap_or(Indicators::BLANK);
        state.field.set_indicators(Indicators::new(c, ind.second));
        Ok(())
    }

    #[getter]
    fn indicator2<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        let ind = self.lock(py).field.indicators();
        match ind {
            Some(i) => code_out(py, i.second).into_any(),
            None => code_out(py, ABSENT).into_any(),
        }
    }

    #[setter]
    fn set_indicator2(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let c = char_in(value)?;
        let mut state = self.lock(py);
        let ind = state.field.indicators().unwrap_or(Indicators::BLANK);
        state.field.set_indicators(Indicators::new(ind.first, c));
        Ok(())
    }

    /// The subfields as a new list of `Subfield(code, value)`; assign a list
    /// to replace them.
    #[getter(subfields)]
    fn subfields_getter<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.subfield_list(py)
    }

    #[setter]
    fn set_subfields(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let subs = subfields_in(value)?;
        self.lock(py)
            .field
            .set_subfields(subs.iter().map(|(c, v)| (*c, v.as_str())));
        Ok(())
    }

    #[pyo3(signature = (code, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        code: &str,
        default: Option<Bound<'py, PyAny>>,
    ) -> Option<Bound<'py, PyAny>> {
        let state = self.lock(py);
        code_key(code)
            .and_then(|c| state.field.get(c))
            .map(|v| text_out(py, v, state.raw))
            .or(default)
    }

    fn __getitem__<'py>(&self, py: Python<'py>, code: &str) -> PyResult<Bound<'py, PyAny>> {
        let state = self.lock(py);
        code_key(code)
            .and_then(|c| state.field.get(c))
            .map(|v| text_out(py, v, state.raw))
            .ok_or_else(|| PyKeyError::new_err(code.to_owned()))
    }

    fn __setitem__(&self, py: Python<'_>, code: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = text_in(value)?;
        let Some(c) = code_key(code) else {
            return Err(PyKeyError::new_err(format!("no code '{code}'")));
        };
        match self.lock(py).field.set_unique_subfield(c, &value) {
            Ok(()) => Ok(()),
            Err(SetSubfieldError::ControlField) => {
                Err(PyKeyError::new_err("field is a control field"))
            }
            Err(SetSubfieldError::Missing) => Err(PyKeyError::new_err(format!("no code '{code}'"))),
            Err(SetSubfieldError::MoreThanOne) => {
                Err(PyKeyError::new_err(format!("more than one code '{code}'")))
            }
        }
    }

    fn __contains__(&self, py: Python<'_>, code: &str) -> bool {
        code_key(code).is_some_and(|c| self.lock(py).field.contains(c))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        // A snapshot of the subfields (a tuple: one allocation).
        let state = self.lock(py);
        let tuple = crate::convert::subfield_tuple(py, &state.field, state.raw)?;
        drop(state);
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        if let Some(it) = tuple_iter_pool::reuse(py, &tuple) {
            return Ok(it);
        }
        let it = tuple.try_iter()?.into_any();
        #[cfg(not(any(Py_GIL_DISABLED, PyPy, GraalPy)))]
        tuple_iter_pool::keep(py, &it);
        Ok(it)
    }

    /// A control field's data, or the subfield values stripped and joined by
    /// spaces.
    fn value<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let state = self.lock(py);
        if state.raw {
            return Ok(text_out(py, &state.field.value(), true));
        }
        Ok(crate::convert::value_str(py, &state.field).into_any())
    }

    /// Values of the subfields whose code is one of `codes`, in field order.
    #[pyo3(signature = (*codes))]
    fn get_subfields<'py>(
        &self,
        py: Python<'py>,
        codes: Vec<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let keys: Vec<char> = codes.iter().filter_map(|c| code_key(c)).collect();
        let state = self.lock(py);
        let values = state
            .field
            .get_subfields(&keys)
            .into_iter()
            .map(|v| text_out(py, v, state.raw));
        PyList::new(py, values)
    }

    #[pyo3(signature = (code, value, pos=None))]
    fn add_subfield(
        &self,
        py: Python<'_>,
        code: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        pos: Option<usize>,
    ) -> PyResult<()> {
        let code = char_in(code)?;
        let value = text_in(value)?;
        self.lock(py).field.add_subfield(code, &value, pos);
        Ok(())
    }

    fn delete_subfield<'py>(&self, py: Python<'py>, code: &str) -> Option<Bound<'py, PyAny>> {
        let mut state = self.lock(py);
        let removed = code_key(code).and_then(|c| state.field.delete_subfield(c));
        removed.map(|v| text_out(py, &v, state.raw))
    }

    fn subfields_as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        let state = self.lock(py);
        for s in state.field.subfields() {
            let key = code_out(py, s.code);
            let value = text_out(py, s.value, state.raw);
            match dict.get_item(&key)? {
                Some(list) => list.cast::<PyList>()?.append(value)?,
                None => dict.set_item(key, PyList::new(py, [value])?)?,
            }
        }
        Ok(dict)
    }

    fn linkage_occurrence_num(&self, py: Python<'_>) -> Option<String> {
        self.lock(py)
            .field
            .linkage_occurrence_num()
            .map(str::to_owned)
    }

    fn format_field<'py>(&self, py: Python<'py>) -> Bound<'py, PyAny> {
        let state = self.lock(py);
        text_out(py, &state.field.format_field(), state.raw)
    }

    fn is_subject_field(&self, py: Python<'_>) -> bool {
        self.lock(py).field.is_subject_field()
    }

    /// Turns `['a', 'x', 'b', 'y']` into `[Subfield('a', 'x'), Subfield('b', 'y')]`.
    #[classmethod]
    fn convert_legacy_subfields<'py>(
        cls: &Bound<'py, PyType>,
        subfields: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let py = cls.py();
        if !subfields.len().is_multiple_of(2) {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "legacy subfields come in code, value pairs",
            ));
        }
        let sub = crate::convert::subfield_type(py)?;
        let items = subfields
            .chunks(2)
            .map(|pair| sub.call1((pair[0].clone(), pair[1].clone())))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    fn __str__(&self, py: Python<'_>) -> String {
        self.lock(py).field.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("<Field {}>", self.lock(py).field)
    }

    fn __copy__(slf: &Bound<'_, Self>) -> PyResult<Py<Field>> {
        let py = slf.py();
        let state = slf.get().lock(py);
        Field::new_object(py, state.field.clone(), state.raw)
    }

    fn __deepcopy__(slf: &Bound<'_, Self>, _memo: &Bound<'_, PyAny>) -> PyResult<Py<Field>> {
        Field::__copy__(slf)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let f = slf.get();
        let args = if f.is_control_field(py) {
            PyTuple::new(
                py,
                [
                    f.tag(py).into_pyobject(py)?.into_any(),
                    py.None().into_bound(py),
                    py.None().into_bound(py),
                    f.data(py).unwrap_or_else(|| py.None().into_bound(py)),
                ],
            )?
        } else {
            PyTuple::new(
                py,
                [
                    f.tag(py).into_pyobject(py)?.into_any(),
                    f.indicators(py)?
                        .unwrap_or_else(|| py.None().into_bound(py)),
                    f.subfields_getter(py)?.into_any(),
                    py.None().into_bound(py),
                ],
            )?
        };
        Ok((slf.get_type().into_any(), args))
    }
}

#[pymethods]
impl RawField {
    #[new]
    #[pyo3(signature = (tag, indicators=None, subfields=None, data=None))]
    fn py_new(
        py: Python<'_>,
        tag: &Bound<'_, PyAny>,
        indicators: Option<&Bound<'_, PyAny>>,
        subfields: Option<&Bound<'_, PyAny>>,
        data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        Ok(
            PyClassInitializer::from(Field::build(py, tag, indicators, subfields, data, true)?)
                .add_subclass(RawField),
        )
    }
}
