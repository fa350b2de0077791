//! `mrrc.Leader`: pymarc's mutable leader over the core's 24-byte leader.

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PySlice, PyString};

use crate::convert::{latin1_to_string, string_to_latin1};
use crate::errors::{bad_leader_value, record_leader_invalid};
use crate::gil_lock::{GilGuard, GilLock};
use mrrc_core::leader::LEADER_LEN;

/// The record leader. Positions can be read and written by index, slice or
/// name (`leader[5]`, `leader[0:5]`, `leader.record_status`).
#[pyclass(module = "mrrc.leader", name = "Leader", frozen)]
pub struct Leader {
    inner: GilLock<mrrc_core::Leader>,
}

impl Leader {
    pub fn from_core(leader: mrrc_core::Leader) -> Self {
        Leader {
            inner: GilLock::new(leader),
        }
    }

    pub fn lock(&self, py: Python<'_>) -> GilGuard<'_, mrrc_core::Leader> {
        self.inner.lock(py)
    }

    pub fn get_core(&self, py: Python<'_>) -> mrrc_core::Leader {
        *self.lock(py)
    }

    fn text(&self, py: Python<'_>) -> String {
        latin1_to_string(self.lock(py).as_bytes())
    }

    /// pymarc `_replace_values`: writes `value` from `position` on.
    fn replace(&self, py: Python<'_>, position: isize, value: &str) -> PyResult<()> {
        if position < 0 {
            return Err(PyIndexError::new_err("Position must be positive"));
        }
        let bytes = string_to_latin1(value);
        let position = position as usize;
        if position + bytes.len() > LEADER_LEN {
            return Err(bad_leader_value(
                py,
                format!("{value} is too long to be inserted at {position}"),
            ));
        }
        let mut leader = self.lock(py);
        leader.as_bytes_mut()[position..position + bytes.len()].copy_from_slice(&bytes);
        Ok(())
    }

    fn get_range(&self, py: Python<'_>, start: usize, end: usize) -> String {
        latin1_to_string(&self.lock(py).as_bytes()[start..end])
    }

    fn set_checked(
        &self,
        py: Python<'_>,
        start: usize,
        width: usize,
        what: &str,
        value: &str,
    ) -> PyResult<()> {
        if value.chars().count() != width {
            let unit = if width == 1 { "char" } else { "chars" };
            return Err(bad_leader_value(
                py,
                format!("{what} is {width} {unit} field, got {value}"),
            ));
        }
        self.replace(py, start as isize, value)
    }
}

/// Leader text from a Python `str` of 24 characters.
pub fn leader_from_text(py: Python<'_>, text: &str) -> PyResult<mrrc_core::Leader> {
    if text.chars().count() != LEADER_LEN {
        return Err(record_leader_invalid(py));
    }
    mrrc_core::Leader::from_bytes(&string_to_latin1(text)).map_err(|_| record_leader_invalid(py))
}

macro_rules! positions {
    ($( $get:ident, $set:ident, $start:expr, $width:expr, $what:expr; )*) => {
        #[pymethods]
        impl Leader {
            $(
                #[getter]
                fn $get(&self, py: Python<'_>) -> String {
                    self.get_range(py, $start, $start + $width)
                }
                #[setter]
                fn $set(&self, py: Python<'_>, value: &str) -> PyResult<()> {
                    self.set_checked(py, $start, $width, $what, value)
                }
            )*
        }
    };
}

positions! {
    record_length, set_record_length, 0, 5, "Record length";
    record_status, set_record_status, 5, 1, "Record status";
    type_of_record, set_type_of_record, 6, 1, "Type of record";
    bibliographic_level, set_bibliographic_level, 7, 1, "Bibliographic level";
    type_of_control, set_type_of_control, 8, 1, "Type of control";
    coding_scheme, set_coding_scheme, 9, 1, "Character coding scheme";
    indicator_count, set_indicator_count, 10, 1, "Indicator count";
    subfield_code_count, set_subfield_code_count, 11, 1, "Subfield code count";
    base_address, set_base_address, 12, 5, "Base address of data";
    encoding_level, set_encoding_level, 17, 1, "Encoding level";
    cataloging_form, set_cataloging_form, 18, 1, "Descriptive cataloging form";
    multipart_ressource, set_multipart_ressource, 19, 1, "Multipart resource record level";
    length_of_field_length, set_length_of_field_length, 20, 1, "Length of the length-of-field portion";
    starting_character_position_length, set_starting_character_position_length, 21, 1, "Length of the starting-character-position portion";
    implementation_defined_length, set_implementation_defined_length, 22, 1, "Length of the implementation-defined portion";
}

#[pymethods]
impl Leader {
    #[new]
    fn py_new(py: Python<'_>, leader: &str) -> PyResult<Self> {
        Ok(Leader::from_core(leader_from_text(py, leader)?))
    }

    /// The leader as a 24-character string.
    #[getter]
    fn leader(&self, py: Python<'_>) -> String {
        self.text(py)
    }

    #[setter]
    fn set_leader(&self, py: Python<'_>, value: &str) -> PyResult<()> {
        let new = leader_from_text(py, value)?;
        *self.lock(py) = new;
        Ok(())
    }

    fn __str__(&self, py: Python<'_>) -> String {
        self.text(py)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!("Leader({:?})", self.text(py))
    }

    fn __getitem__<'py>(
        slf: &Bound<'py, Self>,
        item: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if item.cast::<PySlice>().is_ok() || item.extract::<isize>().is_ok() {
            let text = PyString::new(py, &slf.get().text(py));
            return text.get_item(item);
        }
        if let Ok(name) = item.cast::<PyString>() {
            return slf.getattr(name);
        }
        Err(PyTypeError::new_err(
            "leader indices must be integers, slices or names",
        ))
    }

    fn __setitem__(
        slf: &Bound<'_, Self>,
        item: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let py = slf.py();
        if let Ok(slice) = item.cast::<PySlice>() {
            let start: Option<isize> = slice.getattr("start")?.extract()?;
            return slf
                .get()
                .replace(py, start.unwrap_or(0), &value.extract::<String>()?);
        }
        if let Ok(position) = item.extract::<isize>() {
            return slf.get().replace(py, position, &value.extract::<String>()?);
        }
        slf.setattr(item.cast::<PyString>()?, value)
    }

    fn __copy__(&self, py: Python<'_>) -> Self {
        Leader::from_core(self.get_core(py))
    }

    fn __deepcopy__(&self, py: Python<'_>, _memo: &Bound<'_, PyAny>) -> Self {
        self.__copy__(py)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let py = slf.py();
        Ok((slf.get_type().into_any(), (slf.get().text(py),)))
    }
}
