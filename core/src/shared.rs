//! The reference-counted text a record's fields share, counted in bulk.
//!
//! Every field of a parsed record points at the record's one text buffer.
//! With `std::sync::Arc` each of those pointers costs an atomic increment when
//! the record is built and an atomic decrement when it is dropped.
//! [`SharedMany`] sets the count once for all of a record's fields, and
//! [`Releaser`] gives them back with one atomic subtraction, so a record
//! costs two atomic operations instead of two per field. Measured against
//! the same code with `Arc`: 1.19 s vs 1.46 s of user time for six
//! `parse_record` passes over the LoC file (median of seven alternating
//! runs, `core/examples/iso2709_owned_loop.rs`). Cloning or dropping one
//! handle behaves exactly like `Arc`.
//!
//! A record's count, subfield spans and text are one allocation (a
//! block: header, then spans, then text), where they were three (the
//! counter box, the spans `Vec`, the text `Box<str>`). A group of records
//! (parallel parsing) and a decoded record keep the buffers they were built
//! in ([`SharedText`]) rather than copying them into a block. Measured:
//! `SliceReader` over the LoC file 153.8 vs 159.3 ms of CPU a pass (median
//! of seven alternating rounds of six passes of `workload_loop ... core`,
//! task-clock less start-up, session 8, machine shared).
//!
//! A record's fields as a reader made them, all over its one block, are
//! dropped together: one subtraction and no drop per field, until the
//! record is edited ([`Fields`]).
//!
//! This module and `prefetch` hold the crate's only `unsafe` code; here, a
//! pointer to a counted header and the text and spans it points to, with
//! `Arc`'s orderings (Relaxed increments, Release decrements and an
//! Acquire fence before the free).

#![allow(unsafe_code)]

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::marker::PhantomData;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

use crate::field::{Content, Field, SharedText, Span, Tag};

/// Beyond this many references the count could overflow; `Arc` aborts there
/// too.
const MAX_REFS: usize = isize::MAX as usize;

/// The counted header. `text` and `spans` point at what `owner` holds:
/// the rest of the header's own allocation, or the buffers of a
/// [`SharedText`]. Both are immutable for the header's whole life.
struct Inner {
    refs: AtomicUsize,
    text: NonNull<u8>,
    text_len: usize,
    spans: NonNull<Span>,
    spans_len: usize,
    owner: Owner,
}

enum Owner {
    /// Spans and text follow the header in one allocation of this layout
    /// (made by [`allocate_block`]).
    Block(Layout),
    /// The header is a `Box<Inner>` and the text and spans are these
    /// buffers (their heap data does not move when the header does).
    Parts(#[allow(dead_code)] SharedText), // held for its drop
}

/// The layout of a block of `spans` spans and `text` bytes, and where the
/// spans and the text start in it.
fn block_layout(spans: usize, text: usize) -> (Layout, usize, usize) {
    let too_big = "a shared text is under isize::MAX bytes";
    let (layout, spans_at) = Layout::new::<Inner>()
        .extend(Layout::array::<Span>(spans).expect(too_big))
        .expect(too_big);
    let (layout, text_at) = layout
        .extend(Layout::array::<u8>(text).expect(too_big))
        .expect(too_big);
    (layout.pad_to_align(), spans_at, text_at)
}

/// One allocation holding a header counting `refs`, a copy of `spans` and
/// a copy of `text`.
fn allocate_block(text: &str, spans: &[Span], refs: usize) -> NonNull<Inner> {
    let (needed, spans_at, text_at) = block_layout(spans.len(), text.len());
    let (block, layout) = match take_spare_block(needed) {
        Some(spare) => spare,
        None => {
            // SAFETY: the layout is not zero-sized (it holds the header).
            let block = unsafe { alloc(needed) };
            let Some(block) = NonNull::new(block) else {
                handle_alloc_error(needed)
            };
            (block, needed)
        }
    };
    // SAFETY: `spans_at` and `text_at` come from `needed`, which fits in
    // the block's `layout` (at least as large, same alignment), so both
    // ranges lie inside it, are suitably aligned (`Layout::extend`) and do
    // not overlap each other, the header or the sources (the block is a
    // fresh allocation, or a spare nothing refers to any more).
    unsafe {
        let spans_ptr = block.add(spans_at).cast::<Span>();
        std::ptr::copy_nonoverlapping(spans.as_ptr(), spans_ptr.as_ptr(), spans.len());
        let text_ptr = block.add(text_at);
        std::ptr::copy_nonoverlapping(text.as_ptr(), text_ptr.as_ptr(), text.len());
        let inner = block.cast::<Inner>();
        inner.write(Inner {
            refs: AtomicUsize::new(refs),
            text: text_ptr,
            text_len: text.len(),
            spans: spans_ptr,
            spans_len: spans.len(),
            owner: Owner::Block(layout),
        });
        inner
    }
}

/// The largest block kept for reuse: a record of a few kilobytes is usual,
/// one of 64 KiB rare.
const MAX_SPARE_BLOCK: usize = 64 * 1024;

/// The block this thread freed last, kept for the next record it reads:
/// a reader's records are mostly dropped one by one as the next is read,
/// so the next record's block is usually this one, with no malloc or
/// free (glibc's thread cache holds nothing over 1,032 bytes, so a
/// record's block took its slower paths). With `SPARE_FIELDS`, measured
/// on the full parse (session 12): 77% of the LoC records' blocks reused
/// (4,756 allocations for 20,723 records), 142.3 M -> 140.6 M instructions
/// (callgrind, the first 20 MB of the LoC file); a time difference was not
/// resolvable on that session's machine (pass-to-pass spread over 30%).
struct SpareBlock(std::cell::Cell<Option<(NonNull<u8>, Layout)>>);

impl Drop for SpareBlock {
    fn drop(&mut self) {
        if let Some((block, layout)) = self.0.take() {
            // SAFETY: a spare block is an unused allocation of this layout.
            unsafe { dealloc(block.as_ptr(), layout) }
        }
    }
}

thread_local! {
    static SPARE_BLOCK: SpareBlock = const { SpareBlock(std::cell::Cell::new(None)) };
}

/// Whether a spare of `capacity` serves a need of `needed`: it holds it and
/// is at most twice as large (so a record kept for long wastes at most what
/// a doubling `Vec` might).
fn spare_fits(capacity: usize, needed: usize) -> bool {
    capacity >= needed && capacity / 2 <= needed
}

/// This thread's spare block, when it fits `needed` (`spare_fits`), with
/// the layout it was allocated with.
fn take_spare_block(needed: Layout) -> Option<(NonNull<u8>, Layout)> {
    SPARE_BLOCK
        .try_with(|spare| {
            let (block, layout) = spare.0.get()?;
            let fits = layout.align() == needed.align() && spare_fits(layout.size(), needed.size());
            fits.then(|| {
                spare.0.set(None);
                (block, layout)
            })
        })
        .ok()
        .flatten()
}

/// Frees a block, or keeps it as this thread's spare (freeing the spare it
/// replaces).
///
/// # Safety
/// `block` was allocated with `layout` and is no longer used.
unsafe fn give_back_block(block: NonNull<u8>, layout: Layout) {
    let replaced = if layout.size() <= MAX_SPARE_BLOCK {
        SPARE_BLOCK
            .try_with(|spare| spare.0.replace(Some((block, layout))))
            // This thread's spare is gone (thread exit): free this one.
            .unwrap_or(Some((block, layout)))
    } else {
        Some((block, layout))
    };
    if let Some((block, layout)) = replaced {
        // SAFETY: the caller's guarantee, or a spare block: unused, of
        // this layout.
        unsafe { dealloc(block.as_ptr(), layout) }
    }
}

/// A header counting `refs` over the buffers of `parts`, which it keeps.
fn allocate_parts(parts: SharedText, refs: usize) -> NonNull<Inner> {
    let text = NonNull::from(&*parts.text).cast::<u8>();
    let spans = NonNull::from(&parts.spans[..]).cast::<Span>();
    let inner = Box::new(Inner {
        refs: AtomicUsize::new(refs),
        text,
        text_len: parts.text.len(),
        spans,
        spans_len: parts.spans.len(),
        owner: Owner::Parts(parts),
    });
    NonNull::from(Box::leak(inner))
}

/// Frees a header whose count reached zero, and what it owns.
///
/// # Safety
/// `inner` came from [`allocate_block`] or [`allocate_parts`] and no
/// reference to it is used afterwards.
#[inline(never)]
unsafe fn free(inner: NonNull<Inner>) {
    // SAFETY: the caller's guarantee; the header is still initialised.
    let block = match unsafe { &inner.as_ref().owner } {
        Owner::Block(layout) => Some(*layout),
        Owner::Parts(_) => None,
    };
    match block {
        // SAFETY: the block was allocated with this layout; the header's
        // fields own nothing that needs dropping (`Owner::Block`).
        Some(layout) => unsafe { give_back_block(inner.cast::<u8>(), layout) },
        // SAFETY: the header came from `Box::leak` in `allocate_parts`.
        None => drop(unsafe { Box::from_raw(inner.as_ptr()) }),
    }
}

/// Gives back `n` references held by the caller; frees at zero.
///
/// # Safety
/// The caller holds `n` live references to `inner` and uses none of them
/// afterwards.
unsafe fn release(inner: NonNull<Inner>, n: usize) {
    if n == 0 {
        return;
    }
    // SAFETY: the caller's references keep `inner` alive until this returns.
    let refs = unsafe { &inner.as_ref().refs };
    if refs.fetch_sub(n, Ordering::Release) != n {
        return;
    }
    // Every other holder's last use happens before this free.
    fence(Ordering::Acquire);
    // SAFETY: the count reached zero, so this was the last reference.
    unsafe { free(inner) }
}

/// One more reference to `inner` (an atomic increment, as `Arc::clone`),
/// as a new handle.
///
/// # Safety
/// The caller holds a reference that keeps `inner` alive.
#[inline]
unsafe fn acquire(inner: NonNull<Inner>) -> Shared {
    // SAFETY: the caller's reference keeps `inner` alive.
    let refs = unsafe { &inner.as_ref().refs };
    if refs.fetch_add(1, Ordering::Relaxed) > MAX_REFS {
        std::process::abort();
    }
    Shared {
        inner,
        _owns: PhantomData,
    }
}

/// One counted reference to a text and its spans (what `Arc<SharedText>`
/// was).
pub(crate) struct Shared {
    inner: NonNull<Inner>,
    _owns: PhantomData<Inner>,
}

// SAFETY: as for `Arc<T>` with `T: Send + Sync`: the text is immutable while
// shared and the count is atomic.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

/// The header [`Shared::placeholder`] handles point at: empty, never freed.
struct Static(Inner);

// SAFETY: the header is never written but for its atomic count; its
// pointers are dangling with zero lengths (nothing is read through them).
unsafe impl Sync for Static {}

/// Placeholders are not counted when made, so each one dropped takes one
/// from this; starting at half of `MAX_REFS`, it would take 2^62 drops to
/// reach zero (and a free of a static).
static PLACEHOLDER: Static = Static(Inner {
    refs: AtomicUsize::new(MAX_REFS / 2),
    text: NonNull::dangling(),
    text_len: 0,
    spans: NonNull::dangling(),
    spans_len: 0,
    owner: Owner::Block(Layout::new::<Inner>()),
});

impl Shared {
    /// A handle to an empty text, made without an atomic operation: a
    /// reader writes each field with one while it walks a record and
    /// replaces it ([`Shared::replace_placeholder`]) once the record's
    /// block exists.
    #[inline]
    pub(crate) fn placeholder() -> Shared {
        Shared {
            inner: NonNull::from(&PLACEHOLDER.0),
            _owns: PhantomData,
        }
    }

    /// Puts `new` in place of this handle, which must be a
    /// [`Shared::placeholder`] (it is forgotten: placeholders are not
    /// counted). Debug builds check.
    #[inline]
    pub(crate) fn replace_placeholder(&mut self, new: Shared) {
        debug_assert!(self.is_placeholder());
        std::mem::forget(std::mem::replace(self, new));
    }

    /// True for a [`Shared::placeholder`].
    pub(crate) fn is_placeholder(&self) -> bool {
        std::ptr::eq(self.inner.as_ptr(), &PLACEHOLDER.0)
    }

    /// A copy of `text` and `spans`, in one allocation.
    pub(crate) fn copied(text: &str, spans: &[Span]) -> Shared {
        Shared {
            inner: allocate_block(text, spans, 1),
            _owns: PhantomData,
        }
    }

    #[inline]
    fn inner(&self) -> &Inner {
        // SAFETY: this handle's reference keeps the allocation alive.
        unsafe { self.inner.as_ref() }
    }

    /// The shared text.
    #[inline]
    pub(crate) fn text(&self) -> &str {
        let inner = self.inner();
        // SAFETY: `text` points at `text_len` bytes copied from a `str` (or
        // a `Box<str>` the header owns), alive and unchanged while the
        // header is.
        unsafe {
            std::str::from_utf8_unchecked(std::slice::from_raw_parts(
                inner.text.as_ptr(),
                inner.text_len,
            ))
        }
    }

    /// The subfield spans.
    #[inline]
    pub(crate) fn spans(&self) -> &[Span] {
        let inner = self.inner();
        // SAFETY: `spans` points at `spans_len` initialised spans, alive and
        // unchanged while the header is.
        unsafe { std::slice::from_raw_parts(inner.spans.as_ptr(), inner.spans_len) }
    }
}

impl Clone for Shared {
    fn clone(&self) -> Self {
        // SAFETY: this handle's reference keeps the allocation alive.
        unsafe { acquire(self.inner) }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: this handle holds one reference and is never used again.
        unsafe { release(self.inner, 1) }
    }
}

/// References made in advance: a reader that will build `n` fields over one
/// text makes them here with one count instead of `n` increments.
pub(crate) struct SharedMany {
    inner: NonNull<Inner>,
    /// References this holds; always at least one, so `inner` stays alive.
    held: usize,
}

// SAFETY: as for `Shared`.
unsafe impl Send for SharedMany {}
// SAFETY: as for `Shared`.
unsafe impl Sync for SharedMany {}

impl SharedMany {
    /// Room for `n` handles taken without atomic operations, over the
    /// buffers of `text` (kept as they are: no copy).
    pub(crate) fn new(text: SharedText, n: usize) -> SharedMany {
        let held = n.saturating_add(1).min(MAX_REFS);
        SharedMany {
            inner: allocate_parts(text, held),
            held,
        }
    }

    /// Room for `n` handles, over a copy of `text` and `spans` made in one
    /// allocation with the count (a record's usual text).
    pub(crate) fn copied(text: &str, spans: &[Span], n: usize) -> SharedMany {
        let held = n.saturating_add(1).min(MAX_REFS);
        SharedMany {
            inner: allocate_block(text, spans, held),
            held,
        }
    }

    /// A handle: one of the references made in advance, or a new one (an
    /// atomic increment, like `Arc::clone`) when they are used up.
    #[inline]
    pub(crate) fn take(&mut self) -> Shared {
        if self.held == 1 {
            // SAFETY: `held` >= 1 keeps the allocation alive.
            return unsafe { acquire(self.inner) };
        }
        self.held -= 1;
        Shared {
            inner: self.inner,
            _owns: PhantomData,
        }
    }
}

impl Drop for SharedMany {
    fn drop(&mut self) {
        // SAFETY: this holds `held` references and is never used again.
        unsafe { release(self.inner, self.held) }
    }
}

/// A record's fields, and whether they are still as a reader made them:
/// every one over the same shared text, with an inline tag, holding one
/// reference each. Only [`Fields::as_read`] and [`Fields::over`] make
/// fields that say so, and they give every field its handle themselves;
/// the only way to change the fields ([`Fields::edit`]) clears the flag.
/// Fields as read are dropped with one subtraction and nothing else;
/// others through [`Releaser`]. Measured on the full parse (session 11):
/// dropping as read against `Releaser`, 153.4 M -> 150.0 M instructions
/// with a check of each field at drop instead of the flag (callgrind, the
/// first 20 MB of the LoC file; LoC 148 vs 152 ms of thread CPU a pass,
/// medians of ten alternating rounds), and the flag against that check
/// 142.5 M against 143.9 M (LoC 166 vs 168 ms, machine busy; 2,000 records
/// in cache 1.18 vs 1.205 s of user time, six rounds).
#[derive(Default)]
pub(crate) struct Fields {
    fields: Vec<Field>,
    as_read: bool,
}

impl Fields {
    /// Fields of any kind (built, decoded, edited): checked when dropped.
    pub(crate) fn new(fields: Vec<Field>) -> Self {
        Fields {
            fields,
            as_read: false,
        }
    }

    /// A reader's fields made from their tags and contents over
    /// `shared`'s text (see [`Fields::as_read`]).
    pub(crate) fn over(
        shared: &mut SharedMany,
        shapes: impl IntoIterator<Item = (Tag, Content)>,
    ) -> Self {
        let fields = shapes
            .into_iter()
            .map(|(tag, content)| Field::placeholder(tag, content))
            .collect();
        Fields::as_read(fields, shared)
    }

    /// A reader's fields, each made with [`Field::placeholder`]: each is
    /// given a handle on `shared`'s text here. As read when every tag is
    /// inline (a reader's always are).
    pub(crate) fn as_read(mut fields: Vec<Field>, shared: &mut SharedMany) -> Self {
        let mut inline = true;
        for field in &mut fields {
            field.set_placeholder_shared(shared);
            inline &= field.has_inline_tag();
        }
        Fields {
            fields,
            as_read: inline,
        }
    }

    pub(crate) fn as_slice(&self) -> &[Field] {
        &self.fields
    }

    /// The fields to change: no longer as read.
    pub(crate) fn edit(&mut self) -> &mut Vec<Field> {
        self.as_read = false;
        &mut self.fields
    }
}

impl Clone for Fields {
    /// A clone's fields are over the same text, with the same tags, and
    /// hold a reference each: as read when these are.
    fn clone(&self) -> Self {
        Fields {
            fields: self.fields.clone(),
            as_read: self.as_read,
        }
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Self) -> bool {
        self.fields == other.fields
    }
}

impl Eq for Fields {}

impl Drop for Fields {
    fn drop(&mut self) {
        if self.as_read {
            if let Some(first) = self.fields.first() {
                let inner = first.shared().inner;
                let n = self.fields.len();
                // SAFETY: fields as read each hold one reference to the
                // same text (`Fields::as_read` gave them, and nothing
                // changed them since: `edit` clears the flag), and their
                // tags are inline, so they own nothing else; none of them
                // is used or dropped after this.
                unsafe {
                    release(inner, n);
                    self.fields.set_len(0);
                }
            }
            keep_spare_fields(std::mem::take(&mut self.fields));
            return;
        }
        let mut releaser = Releaser::default();
        for field in self.fields.drain(..) {
            field.release_into(&mut releaser);
        }
    }
}

thread_local! {
    /// The (empty) field buffer of the record as read this thread dropped
    /// last, for the next record it reads (as `SPARE_BLOCK` for the text).
    static SPARE_FIELDS: std::cell::Cell<Vec<Field>> = const { std::cell::Cell::new(Vec::new()) };
}

/// An empty buffer for `n` fields: this thread's spare when it fits
/// (`spare_fits`), else a new one.
pub(crate) fn field_buffer(n: usize) -> Vec<Field> {
    let spare = SPARE_FIELDS
        .try_with(|spare| spare.take())
        .unwrap_or_default();
    if spare_fits(spare.capacity(), n) {
        spare
    } else {
        // The spare stays for a record it fits.
        let _ = SPARE_FIELDS.try_with(|slot| slot.set(spare));
        Vec::with_capacity(n)
    }
}

/// Keeps an emptied field buffer as this thread's spare, unless it is
/// large (a record of over 1,024 fields is rare).
fn keep_spare_fields(buffer: Vec<Field>) {
    debug_assert!(buffer.is_empty());
    if buffer.capacity() <= 1024 {
        let _ = SPARE_FIELDS.try_with(|spare| spare.set(buffer));
    }
}

/// Takes handles back and gives each run of handles to the same text back
/// with one atomic subtraction (a record's fields, when it is dropped).
#[derive(Default)]
pub(crate) struct Releaser {
    current: Option<NonNull<Inner>>,
    count: usize,
}

impl Releaser {
    pub(crate) fn add(&mut self, shared: Shared) {
        let inner = shared.inner;
        // Its reference now belongs to this releaser.
        std::mem::forget(shared);
        if self.current != Some(inner) {
            self.flush();
            self.current = Some(inner);
        }
        self.count += 1;
    }

    fn flush(&mut self) {
        if let Some(inner) = self.current.take() {
            // SAFETY: `count` handles to `inner` were forgotten into this
            // releaser, so it holds that many references.
            unsafe { release(inner, self.count) }
        }
        self.count = 0;
    }
}

impl Drop for Releaser {
    fn drop(&mut self) {
        self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A one-span text. (These tests check the counts; that the last
    /// release frees exactly once is left to the AddressSanitizer fuzz runs,
    /// fuzz/README.md.)
    fn text(tag: &str) -> SharedText {
        SharedText {
            text: tag.into(),
            spans: vec![Span {
                code: 'a',
                start: 0,
                end: tag.len() as u32,
            }],
        }
    }

    fn refs(s: &Shared) -> usize {
        s.inner().refs.load(Ordering::SeqCst)
    }

    #[test]
    fn many_hands_out_counted_references_and_frees_once() {
        let mut many = SharedMany::new(text("abc"), 3);
        let handles: Vec<Shared> = (0..5).map(|_| many.take()).collect();
        // Three made in advance, two more by increment, one held by `many`.
        assert_eq!(refs(&handles[0]), 6);
        drop(many);
        assert_eq!(refs(&handles[0]), 5);
        let mut releaser = Releaser::default();
        let mut handles = handles.into_iter();
        releaser.add(handles.next().unwrap());
        releaser.add(handles.next().unwrap());
        let rest: Vec<Shared> = handles.collect();
        drop(releaser);
        assert_eq!(refs(&rest[0]), 3);
        let clone = rest[0].clone();
        assert_eq!(refs(&clone), 4);
        assert_eq!(clone.text(), "abc");
        drop(rest);
        assert_eq!(refs(&clone), 1);
    }

    #[test]
    fn fields_over_one_text_go_back_at_once_and_others_field_by_field() {
        let control = Content::Control { start: 0, end: 1 };
        let shapes = |tags: &[&str]| -> Vec<(Tag, Content)> {
            tags.iter().map(|t| (Tag::new(t), control)).collect()
        };
        // A reader's fields: one text, inline tags.
        let mut many = SharedMany::new(text("abc"), 3);
        let observer = many.take();
        let fields = Fields::over(&mut many, shapes(&["001", "005", "008"]));
        drop(many);
        assert!(fields.as_read);
        assert_eq!(fields.as_slice().len(), 3);
        assert_eq!(refs(&observer), 4);
        drop(fields);
        assert_eq!(refs(&observer), 1);

        // A tag that is not held inline: dropped field by field, every
        // reference given back.
        let mut many = SharedMany::new(text("abc"), 2);
        let observer = many.take();
        let long_tag = Fields::over(&mut many, shapes(&["001", "LONGTAG"]));
        drop(many);
        assert!(!long_tag.as_read);
        assert_eq!(refs(&observer), 3);
        drop(long_tag);
        assert_eq!(refs(&observer), 1);
        drop(Fields::over(&mut SharedMany::new(text(""), 0), shapes(&[])));
    }

    #[test]
    fn fields_as_read_go_back_at_once_and_edits_fall_back_to_the_releaser() {
        let control = Content::Control { start: 0, end: 1 };
        let placeholders = |tags: &[&str]| -> Vec<Field> {
            tags.iter()
                .map(|t| Field::placeholder(Tag::new(t), control))
                .collect()
        };
        // As read: every field gets a handle here; a clone is as read too.
        let mut many = SharedMany::new(text("abc"), 3);
        let observer = many.take();
        let fields = Fields::as_read(placeholders(&["001", "005", "008"]), &mut many);
        drop(many);
        assert!(fields.as_read);
        assert_eq!(refs(&observer), 4);
        let copy = fields.clone();
        assert!(copy.as_read);
        assert_eq!(refs(&observer), 7);
        drop(fields);
        assert_eq!(refs(&observer), 4);
        drop(copy);
        assert_eq!(refs(&observer), 1);

        // A long tag is never as read.
        let mut many = SharedMany::new(text("abc"), 2);
        let observer = many.take();
        let fields = Fields::as_read(placeholders(&["001", "LONGTAG"]), &mut many);
        drop(many);
        assert!(!fields.as_read);
        drop(fields);
        assert_eq!(refs(&observer), 1);

        // Edited (a field over another text added): no longer as read, and
        // dropped through the releaser.
        let mut many = SharedMany::new(text("abc"), 2);
        let mut other = SharedMany::new(text("xyz"), 1);
        let observer = many.take();
        let other_observer = other.take();
        let mut fields = Fields::as_read(placeholders(&["001", "245"]), &mut many);
        let mut added = Field::placeholder(Tag::new("500"), control);
        added.set_placeholder_shared(&mut other);
        fields.edit().push(added);
        drop((many, other));
        assert!(!fields.as_read);
        assert_eq!((refs(&observer), refs(&other_observer)), (3, 2));
        drop(fields);
        assert_eq!((refs(&observer), refs(&other_observer)), (1, 1));
    }

    #[test]
    fn releaser_handles_runs_of_different_texts() {
        let mut a = SharedMany::new(text("a"), 2);
        let mut b = SharedMany::new(text("b"), 1);
        let keep = a.take();
        let mut releaser = Releaser::default();
        releaser.add(a.take());
        releaser.add(b.take());
        releaser.add(keep.clone());
        drop((a, b, releaser));
        assert_eq!(refs(&keep), 1);
        assert_eq!(keep.text(), "a");
    }

    #[test]
    fn blocks_hold_copies_of_text_and_spans() {
        let spans: Vec<Span> = (0..5)
            .map(|i| Span {
                code: char::from(b'a' + i as u8),
                start: i,
                end: i + 1,
            })
            .collect();
        for (text, spans) in [
            ("", &[][..]),
            ("x", &[][..]),
            ("", &spans[..1]),
            ("abcdé", &spans[..]),
        ] {
            let mut many = SharedMany::copied(text, spans, 2);
            let (a, b, c) = (many.take(), many.take(), many.take());
            drop(many);
            assert_eq!(refs(&a), 3);
            assert_eq!((a.text(), a.spans()), (text, spans));
            let mut releaser = Releaser::default();
            releaser.add(a);
            releaser.add(b);
            drop(releaser);
            assert_eq!(refs(&c), 1);
            assert_eq!((c.text(), c.spans()), (text, spans));
            let one = Shared::copied(text, spans);
            assert_eq!((one.text(), one.spans(), refs(&one)), (text, spans, 1));
        }
    }

    /// The address of a block (its header).
    fn block_of(s: &Shared) -> *const Inner {
        s.inner.as_ptr()
    }

    #[test]
    fn a_freed_block_is_reused_for_a_text_it_fits() {
        let spans = [Span {
            code: 'a',
            start: 0,
            end: 3,
        }];
        // Each test runs on its own thread: its spare starts empty.
        let first = Shared::copied(&"x".repeat(1000), &spans);
        let at = block_of(&first);
        drop(first);
        // A text of 600 bytes fits a block made for 1,000 (and is over
        // half of it): the same block, with the new text and spans.
        let second = Shared::copied(&"y".repeat(600), &spans[..0]);
        assert_eq!(block_of(&second), at);
        assert_eq!(
            (second.text(), second.spans()),
            ("y".repeat(600).as_str(), &[][..])
        );
        // The spare is taken: a text made now gets a block of its own.
        let third = Shared::copied(&"z".repeat(600), &spans);
        let third_at = block_of(&third);
        assert_ne!(third_at, at);
        drop(third);
        // The last block freed is the spare: too small for 2,000 bytes and
        // over twice the size of a 1-byte text, so neither gets it.
        let big = Shared::copied(&"b".repeat(2000), &spans);
        let small = Shared::copied("s", &spans);
        assert_ne!(block_of(&big), third_at);
        assert_ne!(block_of(&small), third_at);
        assert_eq!(
            (big.text().len(), small.text(), small.spans()),
            (2000, "s", &spans[..])
        );
        // It stayed: 500 bytes get it.
        let taken = Shared::copied(&"t".repeat(500), &spans);
        assert_eq!(block_of(&taken), third_at);
        assert_eq!(taken.text(), "t".repeat(500));
        drop((second, big, small, taken));
    }

    #[test]
    fn a_block_over_the_limit_is_not_kept() {
        let big = Shared::copied(&"x".repeat(MAX_SPARE_BLOCK + 1), &[]);
        drop(big);
        assert!(SPARE_BLOCK.with(|spare| spare.0.get()).is_none());
        let small = Shared::copied("x", &[]);
        drop(small);
        assert!(SPARE_BLOCK.with(|spare| spare.0.get()).is_some());
    }

    #[test]
    fn the_field_buffer_of_a_record_as_read_is_reused() {
        let control = Content::Control { start: 0, end: 1 };
        let read = |n: usize| {
            let mut buffer = field_buffer(n);
            buffer.extend((0..n).map(|_| Field::placeholder(Tag::new("001"), control)));
            let mut many = SharedMany::new(text("abc"), n);
            Fields::as_read(buffer, &mut many)
        };
        let fields = read(40);
        let at = fields.as_slice().as_ptr();
        drop(fields);
        // 30 fields fit the 40-field buffer (and are over half of it).
        let fields = read(30);
        assert_eq!(fields.as_slice().as_ptr(), at);
        assert_eq!(fields.as_slice().len(), 30);
        drop(fields);
        // 10 are not: a buffer of their own; the spare stays for later.
        let fields = read(10);
        assert_ne!(fields.as_slice().as_ptr(), at);
        let again = read(25);
        assert_eq!(again.as_slice().as_ptr(), at);
        // Edited fields are not given back (the spare stays empty); fields
        // as read are.
        let spare_capacity = || {
            SPARE_FIELDS.with(|spare| {
                let buffer = spare.take();
                let capacity = buffer.capacity();
                spare.set(buffer);
                capacity
            })
        };
        let mut edited = again;
        edited.edit().pop();
        drop(edited);
        assert_eq!(spare_capacity(), 0);
        drop(fields);
        assert_eq!(spare_capacity(), 10);
    }

    #[test]
    fn handles_cross_threads() {
        let mut many = SharedMany::new(text("shared"), 64);
        let handles: Vec<Shared> = (0..64).map(|_| many.take()).collect();
        drop(many);
        let seen = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| {
            for chunk in handles.chunks(16) {
                let chunk = chunk.to_vec();
                let seen = Arc::clone(&seen);
                s.spawn(move || {
                    for h in chunk {
                        seen.fetch_add(h.text().len() + h.spans().len(), Ordering::Relaxed);
                    }
                });
            }
        });
        assert_eq!(seen.load(Ordering::Relaxed), 64 * 7);
        assert_eq!(refs(&handles[0]), 64);
    }
}
