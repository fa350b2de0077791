fn main() {
    // Sets the interpreter's cfgs (such as `Py_GIL_DISABLED`) for this crate.
    pyo3_build_config::use_pyo3_cfgs();
}
