//! Field data for JS in three parts: two strings holding the values of many
//! records back to back (`narrow`: the values that are all ASCII, made by V8
//! with a plain copy into a one-byte string; `wide`: the others, as UTF-16,
//! also a plain copy), and a `Uint32Array` layout saying where each value
//! ends, in code units, so JS `slice`s a string instead of receiving one
//! native string per value and V8 never decodes UTF-8. Each value goes to
//! one text or the other on its own: in the LoC file 46% of the records
//! have some non-ASCII text, but most of their values are ASCII. Tags of
//! three digits, indicators and subfield codes travel as numbers, which JS
//! maps to interned strings.
//!
//! Layout: `[0]` the number of entries after it; `[1 + k]` where record `k`
//! starts in the layout. Per record: where its text starts in `narrow` and
//! in `wide`, its field count, then per field a tag word (the tag as a
//! number 0-999, or [`TAG_TEXT`] followed by the end of the tag's text) and
//! either [`CONTROL`] and the end of the value, or the subfield count, ind1,
//! ind2 (char codes) and per subfield its code (char code) and the end of
//! its value. An end is in `narrow`, or in `wide` when it has [`WIDE`] set.

use std::borrow::Cow;

use mrrc_core::view::{FieldView, RecordView};
use mrrc_core::Field;
use napi::{sys, Env, JsObject, JsTypedArray, NapiRaw, TypedArrayType};

pub const CONTROL: u32 = u32::MAX;
/// A tag word for a tag that is not three digits (above any 0-999 tag).
pub const TAG_TEXT: u32 = 1 << 31;
pub const WIDE: u32 = 1 << 31;
/// An accessor's "no value" in [`Encoder::optional`]'s layout.
pub const NONE: u32 = u32::MAX;

fn numeric_tag(tag: &[u8]) -> Option<u32> {
    match tag {
        [a, b, c] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 100 + u32::from(b - b'0') * 10 + u32::from(c - b'0'))
        }
        _ => None,
    }
}

/// Appends `s` as UTF-16, written into reserved room: `extend(s.encode_utf16())`
/// checks the capacity for every unit, which a perf profile of read + every
/// field over the LoC file showed (its share was not recorded).
fn push_utf16(out: &mut Vec<u16>, s: &str) {
    // UTF-16 never takes more units than UTF-8 takes bytes.
    out.reserve(s.len());
    let start = out.len();
    let spare = &mut out.spare_capacity_mut()[..s.len()];
    let mut written = 0;
    for (slot, unit) in spare.iter_mut().zip(s.encode_utf16()) {
        slot.write(unit);
        written += 1;
    }
    // SAFETY: the first `written` spare slots were initialized just above.
    unsafe { out.set_len(start + written) };
}

/// Builds the texts and the layout of a run of records.
#[derive(Default)]
pub struct Encoder {
    narrow: Vec<u8>,
    wide: Vec<u16>,
    pub layout: Vec<u32>,
}

impl Encoder {
    /// An encoder for `records` records (their start slots are reserved).
    pub fn for_records(records: usize) -> Self {
        // A LoC record takes about 150 entries and 600 bytes of text.
        let mut layout = Vec::with_capacity(records * 192 + 1);
        layout.resize(records + 1, 0);
        Encoder {
            narrow: Vec::with_capacity(records * 1024),
            wide: Vec::new(),
            layout,
        }
    }

    /// An encoder for one optional value for each of `records` records
    /// (see [`Encoder::optional`]), sized once for values of up to 128 bytes.
    pub fn for_values(records: usize) -> Self {
        let mut layout = Vec::with_capacity(2 * records + 1);
        layout.push(0);
        Encoder {
            narrow: Vec::with_capacity(records * 128),
            wide: Vec::new(),
            layout,
        }
    }

    /// Record number `slot` of the run, made of `fields`.
    pub fn record<'f>(&mut self, slot: usize, fields: impl Iterator<Item = &'f Field>) {
        self.record_with(slot, |text, layout| {
            let mut count = 0;
            for f in fields {
                field(text, layout, f);
                count += 1;
            }
            count
        });
    }

    /// Record number `slot` of the run from a view of its bytes: for a
    /// record checked clean (`SliceReader::next_checked`), exactly what
    /// [`Encoder::record`] gives for its parsed record, without the parse
    /// (no allocation, no copy of its text, ASCII values copied as bytes).
    pub fn record_view(&mut self, slot: usize, view: &RecordView) {
        // One check for the whole record instead of one per value when it
        // is all ASCII (as most records are).
        let ascii = view.as_bytes().is_ascii();
        self.record_with(slot, |text, layout| {
            let mut count = 0;
            // A record checked clean has every entry in place (so no `Err`).
            for f in view.fields().flatten() {
                field_view(text, layout, &f, ascii);
                count += 1;
            }
            count
        });
    }

    /// Record number `slot`: where it starts in the layout and the texts,
    /// then its field count and what `fields` writes (returning the count).
    fn record_with(&mut self, slot: usize, fields: impl FnOnce(&mut Texts, &mut Vec<u32>) -> u32) {
        let Encoder {
            narrow,
            wide,
            layout,
        } = self;
        layout[1 + slot] = layout.len() as u32;
        layout.extend([narrow.len() as u32, wide.len() as u32]);
        let count_at = layout.len();
        layout.push(0);
        layout[count_at] = fields(&mut Texts { narrow, wide }, layout);
    }

    /// One optional string per record: `start, end` pairs in the layout,
    /// the start | [`WIDE`] for text in `wide`, `NONE, NONE` for no value.
    pub fn optional(&mut self, value: Option<&str>) {
        match value {
            Some(v) if v.is_ascii() => {
                self.layout.push(self.narrow.len() as u32);
                self.narrow.extend_from_slice(v.as_bytes());
                self.layout.push(self.narrow.len() as u32);
            }
            Some(v) => {
                self.layout.push(WIDE | self.wide.len() as u32);
                push_utf16(&mut self.wide, v);
                self.layout.push(self.wide.len() as u32);
            }
            None => self.layout.extend([NONE, NONE]),
        }
    }

    /// `{narrow, wide, layout}` for JS, with the entry count in front of
    /// the layout.
    pub fn into_js(mut self, env: &Env) -> napi::Result<JsObject> {
        self.finish_layout();
        let mut chunk = env.create_object()?;
        chunk.set_named_property("narrow", env.create_string_latin1(&self.narrow)?)?;
        chunk.set_named_property("wide", env.create_string_utf16(&self.wide)?)?;
        chunk.set_named_property("layout", uint32_array(env, &self.layout)?)?;
        Ok(chunk)
    }

    /// Copies texts and layout out for one record: the layout into the
    /// caller's reused buffer (see [`copy_out`]), the texts as JS strings.
    pub fn into_js_reused(mut self, env: &Env, target: &JsTypedArray) -> napi::Result<JsObject> {
        self.finish_layout();
        copy_out(env, &self.layout, target)?;
        let mut texts = env.create_object()?;
        texts.set_named_property("narrow", env.create_string_latin1(&self.narrow)?)?;
        texts.set_named_property("wide", env.create_string_utf16(&self.wide)?)?;
        Ok(texts)
    }

    /// Frees the unused room of its buffers.
    pub fn shrink_to_fit(&mut self) {
        self.narrow.shrink_to_fit();
        self.wide.shrink_to_fit();
        self.layout.shrink_to_fit();
    }

    /// The bytes this encoder holds (its buffers' capacities).
    pub fn heap_bytes(&self) -> i64 {
        (self.narrow.capacity() + 2 * self.wide.capacity() + 4 * self.layout.capacity()) as i64
    }

    fn finish_layout(&mut self) {
        if !self.layout.is_empty() {
            self.layout[0] = self.layout.len() as u32 - 1;
        }
    }
}

/// The two texts of a run of records.
struct Texts<'a> {
    narrow: &'a mut Vec<u8>,
    wide: &'a mut Vec<u16>,
}

impl Texts<'_> {
    /// Appends `v` to `narrow` when it is ASCII (known for the whole record
    /// when `ascii`), else to `wide` as UTF-16; returns the end, | [`WIDE`]
    /// for `wide`.
    #[inline]
    fn push<'v>(&mut self, v: impl Value<'v>, ascii: bool) -> u32 {
        if ascii || v.bytes().is_ascii() {
            self.narrow.extend_from_slice(v.bytes());
            self.narrow.len() as u32
        } else {
            push_utf16(self.wide, &v.text());
            WIDE | self.wide.len() as u32
        }
    }
}

/// A value as the encoder takes it: a parsed field's `&str`, or a view's
/// bytes (UTF-8 for a record checked clean; read lossily otherwise).
trait Value<'v>: Copy {
    fn bytes(self) -> &'v [u8];
    fn text(self) -> Cow<'v, str>;
}

impl<'v> Value<'v> for &'v str {
    fn bytes(self) -> &'v [u8] {
        self.as_bytes()
    }
    fn text(self) -> Cow<'v, str> {
        Cow::Borrowed(self)
    }
}

impl<'v> Value<'v> for &'v [u8] {
    fn bytes(self) -> &'v [u8] {
        self
    }
    fn text(self) -> Cow<'v, str> {
        String::from_utf8_lossy(self)
    }
}

/// A field's content as the encoder takes it, from a parsed `Field` or a
/// view: a control field's value, or a data field's indicators and
/// subfields (code, value).
enum Body<V, S: Iterator<Item = (u32, V)>> {
    Control(V),
    Data { indicators: [u32; 2], subfields: S },
}

/// One field: its tag word (and the tag's text, for a tag that is not
/// three digits), then [`CONTROL`] and the value's end, or the subfield
/// count, the indicators and each subfield's code and value end. `ascii`:
/// the whole record is, so values need no check.
#[inline]
fn encode_field<'v, V: Value<'v>, S: Iterator<Item = (u32, V)>>(
    text: &mut Texts,
    layout: &mut Vec<u32>,
    tag: &[u8],
    body: Body<V, S>,
    ascii: bool,
) {
    match numeric_tag(tag) {
        Some(n) => layout.push(n),
        None => {
            let end = text.push(tag, ascii);
            layout.extend([TAG_TEXT, end]);
        }
    }
    match body {
        Body::Control(value) => {
            let end = text.push(value, ascii);
            layout.extend([CONTROL, end]);
        }
        Body::Data {
            indicators: [first, second],
            subfields,
        } => {
            let count_at = layout.len();
            layout.extend([0, first, second]);
            let mut count = 0;
            for (code, value) in subfields {
                let end = text.push(value, ascii);
                layout.extend([code, end]);
                count += 1;
            }
            layout[count_at] = count;
        }
    }
}

/// [`encode_field`] for a parsed field.
#[inline]
fn field(text: &mut Texts, layout: &mut Vec<u32>, field: &Field) {
    let body = match field.control_value() {
        Some(value) => Body::Control(value),
        None => {
            let ind = field.indicators().unwrap_or_default();
            Body::Data {
                indicators: [ind.first as u32, ind.second as u32],
                subfields: field.subfields().map(|s| (s.code as u32, s.value)),
            }
        }
    };
    encode_field(text, layout, field.tag().as_bytes(), body, false);
}

/// [`encode_field`] for a view of a field of a record checked clean;
/// `ascii` when the whole record is.
#[inline]
fn field_view(text: &mut Texts, layout: &mut Vec<u32>, field: &FieldView, ascii: bool) {
    let body = match field.indicators() {
        None => Body::Control(field.data()),
        Some((first, second)) => Body::Data {
            indicators: [u32::from(first), u32::from(second)],
            subfields: field.subfields().map(|s| (u32::from(s.code), s.value)),
        },
    };
    encode_field(text, layout, field.tag_bytes(), body, ascii);
}

/// A `Uint32Array` with a copy of `values` in memory V8 allocates and frees
/// in its garbage collection. An external array over the `Vec` would be
/// freed only by a finalizer, which Node runs from the event loop: in a
/// synchronous loop every chunk's layout would be fresh memory.
fn uint32_array(env: &Env, values: &[u32]) -> napi::Result<JsTypedArray> {
    let mut buffer = env.create_arraybuffer(values.len() * 4)?;
    // SAFETY: the bytes of a `[u32]` (no padding) read as `[u8]`; one
    // memcpy rather than a store per element.
    let bytes =
        unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), values.len() * 4) };
    buffer.copy_from_slice(bytes);
    buffer
        .into_raw()
        .into_typedarray(TypedArrayType::Uint32, values.len(), 0)
}

/// Copies `layout` (as [`Encoder::finish`] gives it) into the caller's
/// reused `Uint32Array`. When the array is too small only element 0 (the
/// entry count) is written and the caller retries with a larger one: one
/// typed-array lookup per call instead of a new array.
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
    if layout.len() <= len {
        out[..layout.len()].copy_from_slice(layout);
    } else {
        out[0] = layout[0];
    }
    Ok(())
}
