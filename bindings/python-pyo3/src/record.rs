//! `mrrc.Record`: pymarc's record API over a parsed core record.
//!
//! A record read from a file keeps the core record and creates `Field`
//! objects only when asked for one. From then on that object is the truth for
//! its position. Once someone asks for `record.fields` (a plain, mutable
//! Python list, as in pymarc) the list is the truth. Before the core computes
//! anything (title, as_marc, ...), `sync` copies the current state of every
//! handed-out object back into the core record.

use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyIterator, PyList, PyString, PyTuple};

use crate::convert::text_out;
use crate::errors::{field_not_found, missing_linked_fields};
use crate::field::Field;
use crate::gil_lock::{GilGuard, GilLock};
use crate::leader::{leader_from_text, Leader};
use mrrc_core::record as core_record;

pub struct RecordState {
    pub core: mrrc_core::Record,
    /// Field objects handed out, by position; empty until the first one.
    objs: Vec<Option<Py<Field>>>,
    /// Set once `record.fields` was asked for: from then on the truth.
    list: Option<Py<PyList>>,
    leader_obj: Option<Py<Leader>>,
    /// Fields read with `to_unicode=False` (pymarc `RawField`).
    pub raw: bool,
    pub to_unicode: bool,
    pub force_utf8: bool,
}

impl RecordState {
    pub fn new(core: mrrc_core::Record, raw: bool) -> Self {
        RecordState {
            core,
            objs: Vec::new(),
            list: None,
            leader_obj: None,
            raw,
            to_unicode: !raw,
            force_utf8: false,
        }
    }

    /// Copies handed-out objects back into `core`.
    pub fn sync(&mut self, py: Python<'_>) -> PyResult<()> {
        if let Some(l) = &self.leader_obj {
            self.core.leader = l.get().get_core(py);
        }
        if let Some(list) = &self.list {
            let list = list.bind(py);
            let mut fields = Vec::with_capacity(list.len());
            for item in list.iter() {
                let field = item.cast::<Field>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "record.fields may only hold Field objects, not {}",
                        item.get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    ))
                })?;
                fields.push(field.get().core(py));
            }
            *self.core.fields_mut() = fields;
        } else {
            let fields = self.core.fields_mut();
            for (slot, obj) in fields.iter_mut().zip(&self.objs) {
                if let Some(obj) = obj {
                    *slot = obj.get().core(py);
                }
            }
        }
        Ok(())
    }

    fn field_count(&self, py: Python<'_>) -> usize {
        match &self.list {
            Some(l) => l.bind(py).len(),
            None => self.core.fields().len(),
        }
    }

    /// The Python object for the field at `index` (created on first use).
    fn field_obj(&mut self, py: Python<'_>, index: usize) -> PyResult<Py<PyAny>> {
        if let Some(list) = &self.list {
            return Ok(list.bind(py).get_item(index)?.unbind());
        }
        if self.objs.is_empty() {
            self.objs.resize_with(self.core.fields().len(), || None);
        }
        if let Some(obj) = &self.objs[index] {
            return Ok(obj.clone_ref(py).into_any());
        }
        let obj = Field::new_object(py, self.core.fields()[index].clone(), self.raw)?;
        self.objs[index] = Some(obj.clone_ref(py));
        Ok(obj.into_any())
    }

    /// Switches to list mode and returns the list.
    fn fields_list<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        if let Some(list) = &self.list {
            return Ok(list.bind(py).clone());
        }
        let list = if self.objs.is_empty() {
            // Nothing handed out yet: one new object per field, straight
            // into the list. From here on the list is the truth and `sync`
            // replaces the core's fields from it, so each core field moves
            // into its object (what takes its place is never read).
            let raw = self.raw;
            let fields = self.core.fields_mut();
            let (mut moved, mut failed) = (0, None);
            let list = crate::convert::list_of(py, fields.len(), |i| {
                if failed.is_none() {
                    match Field::take_object(py, &mut fields[i], raw) {
                        Ok(obj) => {
                            moved = i + 1;
                            return Ok(obj.into_bound(py).into_any());
                        }
                        Err(e) => failed = Some(e),
                    }
                }
                Ok(py.None().into_bound(py))
            })?;
            if let Some(e) = failed {
                // Not in list mode after all: the fields moved so far go
                // back into the core before their objects are dropped.
                for (j, field) in fields.iter_mut().enumerate().take(moved) {
                    *field = list.get_item(j)?.cast::<Field>()?.get().core(py);
                }
                return Err(e);
            }
            list
        } else {
            let n = self.core.fields().len();
            let items = (0..n)
                .map(|i| self.field_obj(py, i))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?
        };
        self.list = Some(list.clone().unbind());
        self.objs = Vec::new();
        Ok(list)
    }

    fn objects_at(&mut self, py: Python<'_>, indexes: &[usize]) -> PyResult<Vec<Py<PyAny>>> {
        indexes.iter().map(|&i| self.field_obj(py, i)).collect()
    }

    fn leader_obj(&mut self, py: Python<'_>) -> PyResult<Py<Leader>> {
        if let Some(l) = &self.leader_obj {
            return Ok(l.clone_ref(py));
        }
        let l = Py::new(py, Leader::from_core(self.core.leader))?;
        self.leader_obj = Some(l.clone_ref(py));
        Ok(l)
    }

    pub fn set_leader_byte(&mut self, py: Python<'_>, pos: usize, value: u8) {
        if let Some(l) = &self.leader_obj {
            l.get().lock(py).set(pos, value);
        }
        self.core.leader.set(pos, value);
    }

    fn insert_obj(&mut self, py: Python<'_>, index: usize, obj: &Bound<'_, Field>) -> PyResult<()> {
        if let Some(list) = &self.list {
            return list.bind(py).insert(index, obj);
        }
        if self.objs.is_empty() {
            self.objs.resize_with(self.core.fields().len() - 1, || None);
        }
        self.objs.insert(index, Some(obj.clone().unbind()));
        Ok(())
    }
}

/// A MARC record: a leader and a list of fields.
#[pyclass(module = "mrrc.record", name = "Record", frozen, subclass)]
pub struct Record {
    state: GilLock<RecordState>,
}

/// Records dropped on this thread but not yet freed (at most this many).
const GRAVE_SIZE: usize = 1024;

thread_local! {
    /// Freeing a record (its fields, spans and text) costs about as much as
    /// handing it out. A record dropped by Python leaves its core record
    /// here, and the reader frees these with the GIL released, in parallel
    /// with other threads.
    static GRAVE: std::cell::RefCell<Vec<mrrc_core::Record>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The core records dropped on this thread since the last call, to be freed
/// by the caller (with the GIL released).
pub fn take_dropped() -> Vec<mrrc_core::Record> {
    GRAVE
        .try_with(|g| {
            g.try_borrow_mut()
                .map(|mut g| std::mem::take(&mut *g))
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

impl Drop for Record {
    fn drop(&mut self) {
        let state = self.state.get_mut();
        if state.core.fields().is_empty() {
            return;
        }
        let core = std::mem::take(&mut state.core);
        let _ = GRAVE.try_with(|g| {
            if let Ok(mut g) = g.try_borrow_mut() {
                if g.len() < GRAVE_SIZE {
                    g.push(core);
                }
            }
        });
    }
}

fn tags_of(args: &Bound<'_, PyTuple>) -> PyResult<Vec<String>> {
    args.iter().map(|a| a.extract::<String>()).collect()
}

impl Record {
    pub fn from_core(core: mrrc_core::Record, raw: bool) -> Self {
        Record {
            state: GilLock::new(RecordState::new(core, raw)),
        }
    }

    /// A record as the reader hands it out.
    pub fn from_reader(core: mrrc_core::Record, raw: bool, force_utf8: bool) -> Self {
        let mut state = RecordState::new(core, raw);
        state.force_utf8 = force_utf8;
        Record {
            state: GilLock::new(state),
        }
    }

    pub fn lock(&self, py: Python<'_>) -> GilGuard<'_, RecordState> {
        self.state.lock(py)
    }

    /// The record's current state as a core record.
    pub fn snapshot(&self, py: Python<'_>) -> PyResult<mrrc_core::Record> {
        let mut s = self.lock(py);
        s.sync(py)?;
        Ok(s.core.clone())
    }

    /// Runs `f` over the synced core record.
    pub fn with_core<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mrrc_core::Record, bool) -> R,
    ) -> PyResult<R> {
        let mut s = self.lock(py);
        s.sync(py)?;
        Ok(f(&s.core, s.raw))
    }

    fn field_list<'py>(
        &self,
        py: Python<'py>,
        indexes: impl FnOnce(&mrrc_core::Record) -> Vec<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut s = self.lock(py);
        s.sync(py)?;
        let idx = indexes(&s.core);
        let objs = s.objects_at(py, &idx)?;
        PyList::new(py, objs)
    }

    fn by_tags<'py>(&self, py: Python<'py>, tags: &[&str]) -> PyResult<Bound<'py, PyList>> {
        self.field_list(py, |r| r.field_indexes(tags))
    }

    fn add_sorted(
        &self,
        py: Python<'_>,
        fields: &Bound<'_, PyTuple>,
        grouped: bool,
    ) -> PyResult<()> {
        for f in fields.iter() {
            let f = f.cast::<Field>()?;
            let core = f.get().core(py);
            let mut s = self.lock(py);
            s.sync(py)?;
            let at = if grouped {
                s.core.add_grouped_field(core)
            } else {
                s.core.add_ordered_field(core)
            };
            s.insert_obj(py, at, f)?;
        }
        Ok(())
    }

    /// Takes a parsed record's leader and appends its fields (pymarc
    /// `decode_marc` on an existing record).
    pub fn absorb(&self, py: Python<'_>, parsed: mrrc_core::Record, raw: bool) -> PyResult<()> {
        let mut s = self.lock(py);
        s.raw = raw;
        let leader = parsed.leader;
        if let Some(l) = &s.leader_obj {
            *l.get().lock(py) = leader;
        }
        s.core.leader = leader;
        let fields = parsed.into_fields();
        if let Some(list) = &s.list {
            let list = list.bind(py).clone();
            for f in fields {
                list.append(Field::new_object(py, f, raw)?)?;
            }
        } else {
            if !s.objs.is_empty() {
                let n = s.objs.len() + fields.len();
                s.objs.resize_with(n, || None);
            }
            s.core.fields_mut().extend(fields);
        }
        Ok(())
    }

    fn opt_text<'py>(py: Python<'py>, v: Option<&str>, raw: bool) -> Option<Bound<'py, PyAny>> {
        v.map(|v| text_out(py, v, raw))
    }
}

/// pymarc's default leader, with `leader[10:12] = "22"` and `[20:24] = "4500"`.
fn initial_leader(py: Python<'_>, leader: &str) -> PyResult<mrrc_core::Leader> {
    let chars: Vec<char> = leader.chars().collect();
    let slice = |a: usize, b: usize| -> String {
        chars
            .get(a.min(chars.len())..b.min(chars.len()))
            .unwrap_or_default()
            .iter()
            .collect()
    };
    let text = format!("{}22{}4500", slice(0, 10), slice(12, 20));
    leader_from_text(py, &text)
}

#[pymethods]
impl Record {
    #[new]
    #[pyo3(signature = (data=None, fields=None, to_unicode=true, force_utf8=false,
        hide_utf8_warnings=false, utf8_handling="strict",
        leader="                        ", file_encoding="iso8859-1"))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        data: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyAny>>,
        to_unicode: bool,
        force_utf8: bool,
        hide_utf8_warnings: bool,
        utf8_handling: &str,
        leader: &str,
        file_encoding: &str,
    ) -> PyResult<Self> {
        let mut core = mrrc_core::Record::with_leader(initial_leader(py, leader)?);
        let record = Record::from_core(std::mem::take(&mut core), false);
        {
            let mut s = record.lock(py);
            s.to_unicode = to_unicode;
            s.force_utf8 = force_utf8;
            let fields = fields.filter(|f| f.is_truthy().unwrap_or(false));
            if let Some(fields) = fields {
                let list = match fields.cast::<PyList>() {
                    Ok(l) => l.clone(),
                    Err(_) => PyList::new(py, fields.try_iter()?.collect::<PyResult<Vec<_>>>()?)?,
                };
                s.list = Some(list.unbind());
            } else if let Some(data) = data.filter(|d| d.len().unwrap_or(0) > 0) {
                drop(s);
                crate::iso::decode_into(
                    py,
                    &record,
                    data,
                    crate::iso::DecodeArgs {
                        to_unicode,
                        force_utf8,
                        hide_utf8_warnings,
                        utf8_handling,
                        file_encoding,
                    },
                )?;
            } else if force_utf8 {
                s.core.leader.set(9, b'a');
            }
        }
        Ok(record)
    }

    #[getter]
    fn leader(&self, py: Python<'_>) -> PyResult<Py<Leader>> {
        self.lock(py).leader_obj(py)
    }

    #[setter]
    fn set_leader(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let obj = if let Ok(l) = value.cast::<Leader>() {
            l.clone().unbind()
        } else if let Ok(s) = value.cast::<PyString>() {
            Py::new(py, Leader::from_core(leader_from_text(py, s.to_str()?)?))?
        } else {
            let text = value.str()?;
            Py::new(py, Leader::from_core(leader_from_text(py, text.to_str()?)?))?
        };
        let mut s = self.lock(py);
        s.core.leader = obj.get().get_core(py);
        s.leader_obj = Some(obj);
        Ok(())
    }

    /// The fields, as a mutable list (pymarc `record.fields`).
    #[getter(fields)]
    fn fields_getter<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.lock(py).fields_list(py)
    }

    #[setter]
    fn set_fields(&self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let list = match value.cast::<PyList>() {
            Ok(l) => l.clone(),
            Err(_) => PyList::new(py, value.try_iter()?.collect::<PyResult<Vec<_>>>()?)?,
        };
        let mut s = self.lock(py);
        s.list = Some(list.unbind());
        s.objs = Vec::new();
        Ok(())
    }

    #[getter]
    fn to_unicode(&self, py: Python<'_>) -> bool {
        self.lock(py).to_unicode
    }
    #[setter]
    fn set_to_unicode(&self, py: Python<'_>, v: bool) {
        self.lock(py).to_unicode = v;
    }
    #[getter]
    fn force_utf8(&self, py: Python<'_>) -> bool {
        self.lock(py).force_utf8
    }
    #[setter]
    fn set_force_utf8(&self, py: Python<'_>, v: bool) {
        self.lock(py).force_utf8 = v;
    }
    #[getter]
    fn pos(&self) -> usize {
        0
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        self.with_core(py, |r, _| r.to_string())
    }

    #[pyo3(signature = (tag, default=None))]
    fn get(
        &self,
        py: Python<'_>,
        tag: &str,
        default: Option<Py<PyAny>>,
    ) -> PyResult<Option<Py<PyAny>>> {
        let mut s = self.lock(py);
        s.sync(py)?;
        match s.core.fields().iter().position(|f| f.tag() == tag) {
            Some(i) => Ok(Some(s.field_obj(py, i)?)),
            None => Ok(default),
        }
    }

    fn __getitem__(&self, py: Python<'_>, tag: &str) -> PyResult<Py<PyAny>> {
        self.get(py, tag, None)?
            .ok_or_else(|| PyKeyError::new_err(tag.to_owned()))
    }

    fn __contains__(&self, py: Python<'_>, tag: &str) -> PyResult<bool> {
        self.with_core(py, |r, _| r.contains(tag))
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyIterator>> {
        self.lock(py).fields_list(py)?.try_iter()
    }

    #[pyo3(signature = (*fields))]
    fn add_field(&self, py: Python<'_>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        let mut s = self.lock(py);
        for f in fields.iter() {
            let f = f.cast::<Field>()?;
            let n = s.field_count(py);
            s.core.add_field(f.get().core(py));
            s.insert_obj(py, n, f)?;
        }
        Ok(())
    }

    #[pyo3(signature = (*fields))]
    fn add_grouped_field(&self, py: Python<'_>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.add_sorted(py, fields, true)
    }

    #[pyo3(signature = (*fields))]
    fn add_ordered_field(&self, py: Python<'_>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.add_sorted(py, fields, false)
    }

    #[pyo3(signature = (*fields))]
    fn remove_field(&self, py: Python<'_>, fields: &Bound<'_, PyTuple>) -> PyResult<()> {
        let mut s = self.lock(py);
        for f in fields.iter() {
            if let Some(list) = &s.list {
                let list = list.bind(py);
                match list.iter().position(|x| x.is(&f)) {
                    Some(i) => list.del_item(i)?,
                    None => return Err(field_not_found(py)),
                }
                continue;
            }
            let at = s
                .objs
                .iter()
                .position(|o| o.as_ref().is_some_and(|o| o.bind(py).is(&f)));
            match at {
                Some(i) => {
                    s.objs.remove(i);
                    s.core.remove_field_at(i);
                }
                None => return Err(field_not_found(py)),
            }
        }
        Ok(())
    }

    #[pyo3(signature = (*tags))]
    fn remove_fields(&self, py: Python<'_>, tags: &Bound<'_, PyTuple>) -> PyResult<()> {
        let tags = tags_of(tags)?;
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        let mut s = self.lock(py);
        s.sync(py)?;
        let doomed = s.core.field_indexes(&tags);
        for &i in doomed.iter().rev() {
            if let Some(list) = &s.list {
                list.bind(py).del_item(i)?;
            } else if !s.objs.is_empty() {
                s.objs.remove(i);
            }
        }
        s.core.remove_fields(&tags);
        Ok(())
    }

    /// The fields with any of these tags, in record order; with no tags, the
    /// `fields` list itself.
    #[pyo3(signature = (*args))]
    fn get_fields<'py>(
        &self,
        py: Python<'py>,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyList>> {
        if args.is_empty() {
            return self.lock(py).fields_list(py);
        }
        let tags = tags_of(args)?;
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        self.by_tags(py, &tags)
    }

    fn get_linked_fields<'py>(
        &self,
        py: Python<'py>,
        field: &Bound<'py, Field>,
    ) -> PyResult<Bound<'py, PyList>> {
        let target = field.get().core(py);
        let mut s = self.lock(py);
        s.sync(py)?;
        let linked = s.core.get_linked_fields(&target);
        let indexes = match linked {
            Ok(found) => {
                let all = s.core.fields();
                found
                    .iter()
                    .filter_map(|f| all.iter().position(|x| std::ptr::eq(x, *f)))
                    .collect::<Vec<_>>()
            }
            Err(core_record::MissingLinkedFields) => {
                drop(s);
                return Err(missing_linked_fields(py, field.as_any()));
            }
        };
        let objs = s.objects_at(py, &indexes)?;
        PyList::new(py, objs)
    }

    /// Values of subfield `code` of every field tagged `tag`, in one call
    /// (mrrc extension; a control field contributes its data when `code` is
    /// omitted).
    #[pyo3(signature = (tag, code=None))]
    fn get_values<'py>(
        &self,
        py: Python<'py>,
        tag: &str,
        code: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let code = code.and_then(|c| c.chars().next());
        let values: Vec<Bound<'py, PyAny>> = self.with_core(py, |r, raw| {
            let mut out = Vec::new();
            for f in r.get_fields(&[tag]) {
                match code {
                    Some(c) => out.extend(
                        f.subfields()
                            .filter(|s| s.code == c)
                            .map(|s| text_out(py, s.value, raw)),
                    ),
                    None => out.push(text_out(py, &f.value(), raw)),
                }
            }
            out
        })?;
        PyList::new(py, values)
    }

    /// MARC-in-JSON as Python objects (pymarc `as_dict`).
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut s = self.lock(py);
        s.sync(py)?;
        crate::marc_dict::as_dict(py, &s.core, s.raw)
    }

    /// `json.dumps(record.as_dict(), **kwargs)`, as pymarc.
    #[pyo3(signature = (**kwargs))]
    fn as_json(&self, py: Python<'_>, kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<String> {
        let d = self.as_dict(py)?;
        py.import("json")?
            .getattr("dumps")?
            .call((d,), kwargs)?
            .extract()
    }

    #[getter]
    fn title<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.title().as_deref(), raw))
    }
    #[getter]
    fn issn_title<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| {
            Record::opt_text(py, r.issn_title().as_deref(), raw)
        })
    }
    #[getter]
    fn isbn<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.isbn().as_deref(), raw))
    }
    #[getter]
    fn issn<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.issn(), raw))
    }
    #[getter]
    fn issnl<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.issnl(), raw))
    }
    #[getter]
    fn sudoc<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.sudoc().as_deref(), raw))
    }
    #[getter]
    fn author<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| {
            Record::opt_text(py, r.author().as_deref(), raw)
        })
    }
    #[getter]
    fn uniformtitle<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| {
            Record::opt_text(py, r.uniform_title().as_deref(), raw)
        })
    }
    #[getter]
    fn publisher<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.publisher(), raw))
    }
    #[getter]
    fn pubyear<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.with_core(py, |r, raw| Record::opt_text(py, r.pubyear(), raw))
    }
    #[getter]
    fn series<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.by_tags(py, core_record::SERIES_TAGS)
    }
    #[getter]
    fn subjects<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.by_tags(py, core_record::SUBJECT_TAGS)
    }
    #[getter]
    fn addedentries<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.by_tags(py, core_record::ADDED_ENTRY_TAGS)
    }
    #[getter]
    fn location<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.by_tags(py, &["852"])
    }
    #[getter]
    fn notes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.by_tags(py, core_record::NOTE_TAGS)
    }
    #[getter]
    fn physicaldescription<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        self.by_tags(py, &["300"])
    }

    fn __copy__(&self, py: Python<'_>) -> PyResult<Record> {
        let s = {
            let mut s = self.lock(py);
            s.sync(py)?;
            (s.core.clone(), s.raw, s.to_unicode, s.force_utf8)
        };
        let copy = Record::from_core(s.0, s.1);
        {
            let mut c = copy.lock(py);
            c.to_unicode = s.2;
            c.force_utf8 = s.3;
        }
        Ok(copy)
    }

    fn __deepcopy__(&self, py: Python<'_>, _memo: &Bound<'_, PyAny>) -> PyResult<Record> {
        self.__copy__(py)
    }
}

/// A record from one MARC-in-JSON object already loaded by `json` (pymarc
/// `JSONReader`): `{"leader": ..., "fields": [{tag: data} or {tag: {"ind1",
/// "ind2", "subfields": [{code: value}]}}]}`.
#[pyfunction]
pub fn record_from_dict(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Record> {
    use crate::convert::{char_in, tag_in, text_in};
    let leader = leader_from_text(py, &text_in(&obj.get_item("leader")?)?)?;
    let mut fields = Vec::new();
    for entry in obj.get_item("fields")?.try_iter()? {
        let entry = entry?.cast_into::<PyDict>()?;
        let Some((tag, body)) = entry.iter().next() else {
            continue;
        };
        let tag = tag_in(&tag)?;
        let body_dict = body
            .cast::<PyDict>()
            .ok()
            .filter(|d| d.contains("subfields").unwrap_or(false));
        let field = match body_dict {
            Some(d) if !tag.is_control() => {
                let ind = mrrc_core::Indicators::new(
                    char_in(&d.as_any().get_item("ind1")?)?,
                    char_in(&d.as_any().get_item("ind2")?)?,
                );
                let mut subs = Vec::new();
                for sub in d.as_any().get_item("subfields")?.try_iter()? {
                    for (code, value) in sub?.cast_into::<PyDict>()?.iter() {
                        subs.push((char_in(&code)?, text_in(&value)?));
                    }
                }
                mrrc_core::Field::data(tag, ind, subs.iter().map(|(c, v)| (*c, v.as_str())))
            }
            Some(_) => mrrc_core::Field::control(tag, String::new()),
            None if tag.is_control() => mrrc_core::Field::control(tag, text_in(&body)?),
            None => mrrc_core::Field::data(
                tag,
                mrrc_core::Indicators::BLANK,
                std::iter::empty::<(char, &str)>(),
            ),
        };
        fields.push(field);
    }
    Ok(Record::from_core(
        mrrc_core::Record::from_parts(leader, fields),
        false,
    ))
}
