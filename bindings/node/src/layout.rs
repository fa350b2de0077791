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
        let Encoder {
            narrow,
            wide,
            layout,
        } = self;
        layout[1 + slot] = layout.len() as u32;
        layout.extend([narrow.len() as u32, wide.len() as u32]);
        let mut text = Texts { narrow, wide };
        let count_at = layout.len();
        layout.push(0);
        let mut count = 0;
        for f in fields {
            field(&mut text, layout, f);
            count += 1;
        }
        layout[count_at] = count;
    }

    /// Record number `slot` of the run from a view of its bytes: for a
    /// record checked clean (`SliceReader::next_checked`), exactly what
    /// [`Encoder::record`] gives for its parsed record, without the parse
    /// (no allocation, no copy of its text, ASCII values copied as bytes).
    pub fn record_view(&mut self, slot: usize, view: &RecordView) {
        let Encoder {
            narrow,
            wide,
            layout,
        } = self;
        layout[1 + slot] = layout.len() as u32;
        layout.extend([narrow.len() as u32, wide.len() as u32]);
        let mut text = Texts { narrow, wide };
        let count_at = layout.len();
        layout.push(0);
        let mut count = 0;
        // One check for the whole record instead of one per value when it
        // is all ASCII (as most records are).
        let ascii = view.as_bytes().is_ascii();
        // A record checked clean has every entry in place (so no `Err`).
        for f in view.fields().flatten() {
            field_view(&mut text, layout, &f, ascii);
            count += 1;
        }
        layout[count_at] = count;
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
    /// Appends `s` to `narrow` when it is ASCII, else to `wide`; returns
    /// the end, | [`WIDE`] for `wide`.
    #[inline]
    fn push(&mut self, s: &str) -> u32 {
        if s.is_ascii() {
            self.narrow.extend_from_slice(s.as_bytes());
            self.narrow.len() as u32
        } else {
            push_utf16(self.wide, s);
            WIDE | self.wide.len() as u32
        }
    }

    /// [`Texts::push`] for bytes: ASCII as they are, others as UTF-8
    /// (always, for a record checked clean; lossily otherwise).
    #[inline]
    fn push_bytes(&mut self, b: &[u8]) -> u32 {
        if b.is_ascii() {
            self.narrow.extend_from_slice(b);
            self.narrow.len() as u32
        } else {
            push_utf16(self.wide, &String::from_utf8_lossy(b));
            WIDE | self.wide.len() as u32
        }
    }
}

/// A field's tag word (and its text, for a tag that is not three digits).
#[inline]
fn tag_word(text: &mut Texts, layout: &mut Vec<u32>, tag: &[u8]) {
    match numeric_tag(tag) {
        Some(n) => layout.push(n),
        None => {
            let end = text.push_bytes(tag);
            layout.extend([TAG_TEXT, end]);
        }
    }
}

/// [`field`] from a view of a field of a record checked clean; `ascii`
/// when the whole record is.
#[inline]
fn field_view(text: &mut Texts, layout: &mut Vec<u32>, field: &FieldView, ascii: bool) {
    tag_word(text, layout, field.tag_bytes());
    let mut push = |b: &[u8]| {
        if ascii {
            text.narrow.extend_from_slice(b);
            text.narrow.len() as u32
        } else {
            text.push_bytes(b)
        }
    };
    let Some((first, second)) = field.indicators() else {
        let end = push(field.data());
        layout.extend([CONTROL, end]);
        return;
    };
    let count_at = layout.len();
    layout.extend([0, u32::from(first), u32::from(second)]);
    let mut count = 0;
    for s in field.subfields() {
        let end = push(s.value);
        layout.extend([u32::from(s.code), end]);
        count += 1;
    }
    layout[count_at] = count;
}

#[inline]
fn field(text: &mut Texts, layout: &mut Vec<u32>, field: &Field) {
    tag_word(text, layout, field.tag().as_bytes());
    if let Some(value) = field.control_value() {
        let end = text.push(value);
        layout.extend([CONTROL, end]);
        return;
    }
    let ind = field.indicators().unwrap_or_default();
    let count = field.subfield_count();
    layout.reserve(3 + 2 * count);
    layout.extend([count as u32, ind.first as u32, ind.second as u32]);
    for s in field.subfields() {
        let end = text.push(s.value);
        layout.extend([s.code as u32, end]);
    }
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
