//! Raising the exception classes of `mrrc.exceptions` (pymarc's) from Rust.

use pyo3::call::PyCallArgs;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn exceptions(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    EXCEPTIONS
        .get_or_try_init(py, || -> PyResult<Py<PyModule>> {
            Ok(py.import("mrrc.exceptions")?.unbind())
        })
        .map(|m| m.bind(py))
}

/// An instance of `mrrc.exceptions.<name>` built with `args`, as a `PyErr`.
pub fn raise<'py>(py: Python<'py>, name: &str, args: impl PyCallArgs<'py>) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = exceptions(py)?.getattr(name)?;
        Ok(PyErr::from_value(class.call1(args)?))
    };
    build().unwrap_or_else(|e| e)
}

pub fn bad_leader_value(py: Python<'_>, message: String) -> PyErr {
    raise(py, "BadLeaderValue", (message,))
}

pub fn record_leader_invalid(py: Python<'_>) -> PyErr {
    raise(py, "RecordLeaderInvalid", ())
}

pub fn field_not_found(py: Python<'_>) -> PyErr {
    raise(py, "FieldNotFound", ())
}

pub fn missing_linked_fields(py: Python<'_>, field: &Bound<'_, PyAny>) -> PyErr {
    raise(py, "MissingLinkedFields", (field.clone(),))
}

/// The exception class pymarc raises for a core error, with mrrc's message
/// (kind, record index and byte offset) and the position as attributes.
pub fn core_error(py: Python<'_>, class: &str, err: &mrrc_core::Error) -> PyErr {
    let e = raise(py, class, (err.to_string(),));
    annotate(py, &e, err);
    e
}

/// Sets `kind`, `record_index` and `byte_offset` on a raised exception.
pub fn annotate(py: Python<'_>, e: &PyErr, err: &mrrc_core::Error) {
    let value = e.value(py);
    let _ = value.setattr("kind", err.kind.name());
    let _ = value.setattr("record_index", err.position.record_index);
    let _ = value.setattr("byte_offset", err.position.byte_offset);
    let _ = value.setattr("line", err.position.line);
    let _ = value.setattr("column", err.position.column);
}
