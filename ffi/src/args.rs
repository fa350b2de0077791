//! Checked conversions of the caller's pointers. Each helper is `unsafe`
//! because it trusts that a non-NULL pointer is valid for the call, which is
//! the contract stated at the top of the header; NULL is always checked.

use std::ffi::{c_char, CStr};

use crate::status::{Failure, Outcome};

/// A shared reference from a pointer that must not be NULL.
///
/// # Safety
/// A non-NULL `ptr` points to a live `T` not mutated during the call.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, name: &'static str) -> Outcome<&'a T> {
    // SAFETY: forwarded from the caller.
    unsafe { ptr.as_ref() }.ok_or(Failure::Null(name))
}

/// A unique reference from a pointer that must not be NULL.
///
/// # Safety
/// A non-NULL `ptr` points to a live `T` used by no one else during the call.
pub(crate) unsafe fn borrow_mut<'a, T>(ptr: *mut T, name: &'static str) -> Outcome<&'a mut T> {
    // SAFETY: forwarded from the caller.
    unsafe { ptr.as_mut() }.ok_or(Failure::Null(name))
}

/// The bytes of a `(pointer, length)` pair; NULL is accepted when `len` is 0.
///
/// # Safety
/// A non-NULL `ptr` is valid for reads of `len` bytes during the call.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &'static str,
) -> Outcome<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::Null(name))
        };
    }
    // SAFETY: forwarded from the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// UTF-8 text from a `(pointer, length)` pair.
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(ptr: *const u8, len: usize, name: &'static str) -> Outcome<&'a str> {
    // SAFETY: forwarded from the caller.
    let b = unsafe { bytes(ptr, len, name) }?;
    std::str::from_utf8(b).map_err(|e| {
        Failure::invalid(format!(
            "argument `{name}` is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        ))
    })
}

/// UTF-8 text from a NUL-terminated string (tags, encoding labels).
///
/// # Safety
/// A non-NULL `ptr` points to a NUL-terminated string.
pub(crate) unsafe fn c_text<'a>(ptr: *const c_char, name: &'static str) -> Outcome<&'a str> {
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: forwarded from the caller.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map_err(|_| Failure::invalid(format!("argument `{name}` is not valid UTF-8")))
}

/// A NUL-terminated array of tags as `(char *const *, count)`.
///
/// # Safety
/// A non-NULL `tags` points to `count` NUL-terminated strings.
pub(crate) unsafe fn tag_list<'a>(
    tags: *const *const c_char,
    count: usize,
    name: &'static str,
) -> Outcome<Vec<&'a str>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if tags.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: forwarded from the caller.
    let ptrs = unsafe { std::slice::from_raw_parts(tags, count) };
    ptrs.iter()
        // SAFETY: each entry is a NUL-terminated string per the contract.
        .map(|&p| unsafe { c_text(p, name) })
        .collect()
}

/// A subfield code or indicator given as a Unicode scalar value.
pub(crate) fn code_point(value: u32, name: &'static str) -> Outcome<char> {
    char::from_u32(value).ok_or_else(|| {
        Failure::invalid(format!(
            "argument `{name}` ({value:#x}) is not a Unicode scalar value"
        ))
    })
}

/// Checks that an out-parameter is not NULL before any work is done.
pub(crate) fn out_ptr<T>(ptr: *mut T, name: &'static str) -> Outcome<*mut T> {
    if ptr.is_null() {
        Err(Failure::Null(name))
    } else {
        Ok(ptr)
    }
}

/// Writes a result to an out-parameter checked by [`out_ptr`].
///
/// # Safety
/// `ptr` is non-NULL and valid for a write of `T`.
pub(crate) unsafe fn write<T>(ptr: *mut T, value: T) {
    // SAFETY: forwarded from the caller.
    unsafe { ptr.write(value) }
}

/// Writes to an optional out-parameter (ignored when NULL).
///
/// # Safety
/// A non-NULL `ptr` is valid for a write of `T`.
pub(crate) unsafe fn write_opt<T>(ptr: *mut T, value: T) {
    if !ptr.is_null() {
        // SAFETY: forwarded from the caller.
        unsafe { ptr.write(value) }
    }
}
