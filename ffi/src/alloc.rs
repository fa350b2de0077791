//! Strings, buffers and index arrays handed to the caller, and the functions
//! that free them.
//!
//! Each allocation carries its size in a 16-byte header in front of the
//! pointer the caller sees, so `*_free` needs only the pointer and strings
//! may hold NUL bytes (their length is given separately where it matters).

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ffi::c_char;

const HEADER: usize = 16;

fn layout_for(total: usize) -> Layout {
    // 16 is a power of two and `total` comes from a slice length plus a
    // constant, so this only fails past isize::MAX, where allocation would
    // have failed anyway.
    Layout::from_size_align(total, HEADER)
        .unwrap_or_else(|_| handle_alloc_error(Layout::new::<u128>()))
}

/// Copies `bytes` (and a terminating NUL when `nul`) into a new allocation.
fn alloc_copy(bytes: &[u8], nul: bool) -> *mut u8 {
    let total = HEADER + bytes.len() + usize::from(nul);
    let layout = layout_for(total);
    // SAFETY: the layout has a non-zero size (HEADER > 0).
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        handle_alloc_error(layout);
    }
    // SAFETY: `base` is a fresh allocation of `total` bytes aligned to 16:
    // the header holds a usize, and the payload after it has room for
    // `bytes` and the optional NUL.
    unsafe {
        base.cast::<usize>().write(total);
        let payload = base.add(HEADER);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), payload, bytes.len());
        if nul {
            payload.add(bytes.len()).write(0);
        }
        payload
    }
}

/// Frees what `alloc_copy` returned; NULL is a no-op.
///
/// # Safety
/// `payload` is NULL or came from `alloc_copy` and was not freed before.
unsafe fn free_payload(payload: *mut u8) {
    if payload.is_null() {
        return;
    }
    // SAFETY: per the contract the header sits HEADER bytes before the
    // payload and holds the allocation's total size.
    unsafe {
        let base = payload.sub(HEADER);
        let total = base.cast::<usize>().read();
        dealloc(base, layout_for(total));
    }
}

/// A caller-owned NUL-terminated copy of `text`.
pub(crate) fn owned_string(text: &str) -> *mut c_char {
    alloc_copy(text.as_bytes(), true).cast()
}

/// A caller-owned copy of `bytes` (NUL-terminated too, for convenience).
pub(crate) fn owned_buffer(bytes: &[u8]) -> *mut u8 {
    alloc_copy(bytes, true)
}

/// A caller-owned array of indexes.
pub(crate) fn owned_indexes(indexes: &[usize]) -> *mut usize {
    // SAFETY: any initialised usize slice may be viewed as its bytes.
    let bytes = unsafe {
        std::slice::from_raw_parts(
            indexes.as_ptr().cast::<u8>(),
            std::mem::size_of_val(indexes),
        )
    };
    alloc_copy(bytes, false).cast()
}

/// Frees a string returned by mrrc (NULL is a no-op). Never pass a string
/// that mrrc did not return, or a borrowed `MrrcStr`.
#[no_mangle]
pub unsafe extern "C" fn mrrc_string_free(string: *mut c_char) {
    // SAFETY: the caller passes NULL or a string mrrc returned, once.
    unsafe { free_payload(string.cast()) }
}

/// The length in bytes of a caller-owned string returned by mrrc (one for
/// `mrrc_string_free`; not `mrrc_version`), without its
/// terminating NUL: text can hold NUL characters (a MARC value may), which
/// `strlen` would stop at. 0 for NULL.
#[no_mangle]
pub unsafe extern "C" fn mrrc_string_len(string: *const c_char) -> usize {
    if string.is_null() {
        return 0;
    }
    // SAFETY: a string mrrc returned has its allocation's total size in the
    // header HEADER bytes before it: the header, the text and one NUL.
    unsafe {
        let base = string.cast::<u8>().sub(HEADER);
        base.cast::<usize>().read() - HEADER - 1
    }
}

/// Frees a byte buffer returned by mrrc (NULL is a no-op).
#[no_mangle]
pub unsafe extern "C" fn mrrc_buffer_free(buffer: *mut u8) {
    // SAFETY: the caller passes NULL or a buffer mrrc returned, once.
    unsafe { free_payload(buffer) }
}

/// Frees an index array returned by mrrc (NULL is a no-op).
#[no_mangle]
pub unsafe extern "C" fn mrrc_indexes_free(indexes: *mut usize) {
    // SAFETY: the caller passes NULL or an array mrrc returned, once.
    unsafe { free_payload(indexes.cast()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_keep_interior_nuls_and_are_terminated() {
        let s = owned_string("a\0b");
        // SAFETY: `s` holds 3 bytes and a NUL.
        let bytes = unsafe { std::slice::from_raw_parts(s.cast::<u8>(), 4) };
        assert_eq!(bytes, b"a\0b\0");
        // SAFETY: returned by owned_string.
        assert_eq!(unsafe { mrrc_string_len(s) }, 3);
        // SAFETY: returned by owned_string, freed once.
        unsafe { mrrc_string_free(s) };
        let idx = owned_indexes(&[3, 1, 4]);
        // SAFETY: three usizes were copied.
        assert_eq!(unsafe { std::slice::from_raw_parts(idx, 3) }, &[3, 1, 4]);
        // SAFETY: returned by owned_indexes, freed once.
        unsafe { mrrc_indexes_free(idx) };
    }
}
