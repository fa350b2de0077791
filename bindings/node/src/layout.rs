//! Field data for JS in two parts: one string with every piece of text (tag,
//! indicators, subfield codes and values) back to back, and a layout of
//! where each piece ends, in UTF-16 code units, so JS can `slice` the string
//! instead of receiving one native string per value.
//!
//! Per field the layout holds: the subfield count (`CONTROL` for a control
//! field), the end of the tag, then for a control field the end of its value,
//! and for a data field the ends of ind1 and ind2 and of each code and value.

use mrrc_core::Field;
use napi::{sys, Env, JsTypedArray, NapiRaw};

pub const CONTROL: u32 = u32::MAX;

fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        s.len() as u32
    } else {
        s.chars().map(|c| c.len_utf16() as u32).sum()
    }
}

/// Appends fields to `text` and their piece ends to `layout`.
pub struct Encoder<'a> {
    text: &'a mut String,
    layout: &'a mut Vec<u32>,
    units: u32,
}

impl<'a> Encoder<'a> {
    pub fn new(text: &'a mut String, layout: &'a mut Vec<u32>) -> Self {
        text.clear();
        layout.clear();
        Encoder {
            text,
            layout,
            units: 0,
        }
    }

    fn piece(&mut self, s: &str) {
        self.text.push_str(s);
        self.units += utf16_len(s);
        self.layout.push(self.units);
    }

    fn char_piece(&mut self, c: char) {
        self.text.push(c);
        self.units += c.len_utf16() as u32;
        self.layout.push(self.units);
    }

    pub fn field(&mut self, field: &Field) {
        if let Some(value) = field.control_value() {
            self.layout.push(CONTROL);
            self.piece(field.tag().as_str());
            self.piece(value);
            return;
        }
        self.layout.push(field.subfield_count() as u32);
        self.piece(field.tag().as_str());
        let ind = field.indicators().unwrap_or_default();
        self.char_piece(ind.first);
        self.char_piece(ind.second);
        for s in field.subfields() {
            self.char_piece(s.code);
            self.piece(s.value);
        }
    }
}

/// Copies `layout` into the caller's `Uint32Array`: element 0 gets the
/// number of entries, the rest the entries. When the array is too small only
/// element 0 is written and the caller retries with a larger one.
pub fn copy_out(env: &Env, layout: &[u32], target: &JsTypedArray) -> napi::Result<()> {
    let mut kind = 0;
    let mut len = 0;
    let mut data = std::ptr::null_mut();
    let mut buffer = std::ptr::null_mut();
    let mut byte_offset = 0;
    // SAFETY: plain Node-API call on a value of this callback; one call
    // instead of the three napi-rs' typed-array wrappers make.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env.raw(),
            target.raw(),
            &mut kind,
            &mut len,
            &mut data,
            &mut buffer,
            &mut byte_offset,
        )
    };
    if status != sys::Status::napi_ok || kind != sys::TypedarrayType::uint32_array || len == 0 {
        return Err(napi::Error::new(
            napi::Status::InvalidArg,
            "the layout buffer must be a non-empty Uint32Array",
        ));
    }
    // SAFETY: `data` points at `len` u32 of a live Uint32Array (its data
    // pointer already includes the byte offset) that JS cannot touch during
    // this synchronous call.
    let out: &mut [u32] = unsafe { std::slice::from_raw_parts_mut(data.cast::<u32>(), len) };
    out[0] = layout.len() as u32;
    if layout.len() < len {
        out[1..=layout.len()].copy_from_slice(layout);
    }
    Ok(())
}
