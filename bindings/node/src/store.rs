//! `RecordStore`: many core records behind one JS object. Every record
//! method takes the record's index in the store; `index.js` hides that behind
//! a `Record` class.

use mrrc_core::record::{ADDED_ENTRY_TAGS, NOTE_TAGS, SERIES_TAGS, SUBJECT_TAGS};
use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use mrrc_core::accessors::{self, FieldSource};
use mrrc_core::iso2709::{parse_record, SliceReader};
use mrrc_core::view::RecordView;
use mrrc_core::{
    Error as CoreError, Field, Indicators, ReadOptions, Record, Result as CoreResult,
    SetSubfieldError, Warning,
};
use napi::bindgen_prelude::ObjectFinalize;
use napi::{Env, JsObject, JsString, JsTypedArray};
use napi_derive::napi;

use crate::ahead::{Ahead, AheadHandle};
use crate::error::{invalid, throw, warning_to_js};
use crate::layout::Encoder;
use crate::object::{
    field_from_object, leader_from_str, record_from_object, FieldObject, RecordObject,
};
use crate::spare::Bytes;

/// Records handed to JS together, with what was learned while reading them.
#[napi(custom_finalize)]
#[derive(Default)]
pub struct RecordStore {
    records: Vec<Slot>,
    /// Raw ISO 2709 bytes of records that may be compacted (see `compact`);
    /// a `readFile` / `parse` result shares them with its [`Ahead`].
    raw: Arc<Bytes>,
    /// How to parse `raw` again.
    options: ReadOptions,
    /// Lenient-mode repairs, per record (empty for most).
    pub(crate) warnings: Vec<Vec<Warning>>,
    /// Records that could not be read in lenient mode (readFile / parse).
    pub(crate) errors: Vec<CoreError>,
    /// When a worker thread started and finished this batch (ms since the
    /// Unix epoch); set by the async readers.
    pub(crate) timing: Option<(f64, f64)>,
    /// Bytes reported to V8 as held by this object (see `report_memory`).
    external: i64,
    /// `readFile` / `parse` results: the bytes not reported to V8 yet (see
    /// `defer_memory`), shared with [`DEFERRED`], which reports them at
    /// the next read; and this store's view of that figure when last seen
    /// (what the difference says was reported since goes to `external`).
    unreported: Option<Arc<AtomicI64>>,
    unreported_seen: i64,
    /// The length of `raw` when `compact` handed it to JS.
    raw_len: usize,
    /// `report_memory`'s figure when computed off the main thread.
    memory_estimate: Option<i64>,
    /// Chunks of field data and accessor values built ahead by the sync
    /// reader's thread (see [`Prepared`]); taken when JS asks for them.
    prepared: Prepared,
    /// Bytes of `prepared` counted in `report_memory`'s figure (async
    /// readers only): given back to V8 as JS takes the chunks.
    prepared_bytes: i64,
    /// Chunks `prepare_read` has built.
    prepared_chunks: usize,
    /// Made by `readFile` / `parse`: what JS asks it for goes to
    /// [`ASYNC_ASKS`].
    pub(crate) async_read: bool,
    /// What JS asked this store for (async results: told to
    /// [`ASYNC_ASKS`] when it is freed).
    asked: Cell<Wanted>,
    /// Where the sync reader learns what JS asks for (see [`ReaderLink`]).
    pub(crate) link: Option<Arc<ReaderLink>>,
    /// `readFile` / `parse` of ISO 2709: builds chunks ahead of JS after
    /// the promise settled (see `ahead.rs`); stopped when the store goes.
    ahead: Option<AheadHandle>,
}

/// One record: parsed, or (after `compact`) only its raw bytes.
struct Slot {
    record: OnceCell<Record>,
    /// Where the record's bytes are in `raw`, when it may be compacted: read
    /// from ISO 2709 without repairs, so parsing the bytes again gives it back.
    raw: Option<Range<usize>>,
    /// Checked clean by `SliceReader::next_checked` (not built when read):
    /// a view of its bytes gives the same data as the parsed record.
    checked: bool,
    edited: bool,
}

/// A record accessor values are built from.
pub(crate) enum Source<'a> {
    Parsed(&'a Record),
    /// Checked clean by `SliceReader::next_checked`: its view gives what
    /// its parsed record would (see `mrrc_core::accessors`).
    Checked(RecordView<'a>),
}

/// A record kept as bytes, read again to build a chunk (by the main thread
/// or the builder thread): parsed, or, when it was checked clean, read
/// through a view of its bytes (the same field data and accessor values,
/// no parse).
pub(crate) enum Reread<'a> {
    Parsed(Record),
    View(RecordView<'a>),
}

impl<'a> Reread<'a> {
    /// `raw[range]` read again: through a view when `checked`, else parsed
    /// with `options`; `None` when `range` is not inside `raw`.
    pub(crate) fn of(
        raw: &'a [u8],
        range: &Range<usize>,
        checked: bool,
        options: &ReadOptions,
    ) -> Option<CoreResult<Self>> {
        let bytes = raw.get(range.clone())?;
        Some(if checked {
            RecordView::parse(bytes).map(Reread::View)
        } else {
            parse_record(bytes, options).map(Reread::Parsed)
        })
    }

    pub(crate) fn source(&self) -> Source<'_> {
        match self {
            Reread::Parsed(record) => Source::Parsed(record),
            Reread::View(view) => Source::Checked(*view),
        }
    }
}

impl ObjectFinalize for RecordStore {
    fn finalize(mut self, mut env: Env) -> napi::Result<()> {
        if self.async_read {
            ASYNC_ASKS.result_freed(self.asked.get());
        }
        self.forget_unreported();
        if self.external > 0 {
            env.adjust_external_memory(-self.external)?;
        }
        if self.records.len() > FREE_ON_MAIN {
            free_off_main(std::mem::take(&mut self.records));
        }
        Ok(())
    }
}

thread_local! {
    /// The unreported bytes of the `readFile` / `parse` results handed to
    /// JS on this thread since its last [`report_deferred`] (see
    /// `RecordStore::defer_memory`). Per thread: each JS thread (the main
    /// one, each worker) has its own V8 heap, told only about its own
    /// results, and both calls run on the JS thread.
    static DEFERRED: std::cell::RefCell<Vec<Weak<AtomicI64>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Tells V8 the bytes of the `readFile` / `parse` results this JS thread
/// was handed before this call and has not freed since (called when a
/// read starts): if they are garbage by now, the collection V8 may start
/// frees them.
pub(crate) fn report_deferred(env: &mut Env) -> napi::Result<()> {
    let bytes: i64 = DEFERRED
        .with_borrow_mut(std::mem::take)
        .iter()
        .filter_map(Weak::upgrade)
        .map(|unreported| unreported.swap(0, Ordering::Relaxed))
        .sum();
    if bytes > 0 {
        env.adjust_external_memory(bytes)?;
    }
    Ok(())
}

/// Stores of more records than this are freed on a thread of their own.
const FREE_ON_MAIN: usize = 1024;

/// Frees records on a background thread: a `readFile` result of 50,000
/// records is some 200,000 allocations, which would otherwise hold up the
/// event loop (finalizers run on it) for milliseconds.
fn free_off_main(records: Vec<Slot>) {
    static FREER: OnceLock<Option<Sender<Vec<Slot>>>> = OnceLock::new();
    let sender = FREER.get_or_init(|| {
        let (sender, receiver) = channel::<Vec<Slot>>();
        std::thread::Builder::new()
            .name("mrrc-free".into())
            .spawn(move || receiver.into_iter().for_each(drop))
            .ok()
            .map(|_| sender)
    });
    match sender {
        Some(s) => {
            // On failure the records come back in the error and drop here.
            let _ = s.send(records);
        }
        None => drop(records),
    }
}

fn one_char(env: &Env, s: &str, what: &str) -> napi::Result<char> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(throw(
            env,
            &invalid(format!("{what} must be one character, got {s:?}")),
        )),
    }
}

fn split_tags(tags: &Option<String>) -> Vec<&str> {
    match tags {
        Some(t) if !t.is_empty() => t.split(',').collect(),
        _ => Vec::new(),
    }
}

impl RecordStore {
    /// Tells V8 roughly how much native memory this store holds, so that it
    /// collects finished batches soon: otherwise it sees only small JS
    /// objects, collects them late, and the process keeps touching fresh
    /// pages for new records (a third of the reading time was page faults).
    pub(crate) fn report_memory(&mut self, env: &mut Env) -> napi::Result<()> {
        let bytes = self
            .memory_estimate
            .take()
            .unwrap_or_else(|| self.estimate_memory());
        env.adjust_external_memory(bytes)?;
        self.external += bytes;
        Ok(())
    }

    /// Like `report_memory`, for a `readFile` / `parse` result: the bytes
    /// are told to V8 at the start of the next read (see
    /// [`report_deferred`]), or never when the result is freed first.
    /// Telling V8 now could start a major collection (the figure for
    /// 50,000 LoC records: some 100 MB kept parsed, 44-62 MB kept as
    /// bytes; V8's step is 64 MB) that can free nothing: the result is about to be handed to JS. At the next
    /// read it may be garbage, and the collection worth its cost.
    pub(crate) fn defer_memory(&mut self) {
        let bytes = self
            .memory_estimate
            .take()
            .unwrap_or_else(|| self.estimate_memory());
        let unreported = Arc::new(AtomicI64::new(bytes));
        DEFERRED.with_borrow_mut(|deferred| deferred.push(Arc::downgrade(&unreported)));
        self.unreported = Some(unreported);
        self.unreported_seen = bytes;
    }

    /// Counts in `external` what [`report_deferred`] told V8 since last seen.
    fn sync_unreported(&mut self) {
        if let Some(u) = &self.unreported {
            let now = u.load(Ordering::Relaxed);
            self.external += self.unreported_seen - now;
            self.unreported_seen = now;
        }
    }

    /// Takes up to `bytes` off the figure not told to V8 yet; returns what
    /// is left to take off `external`.
    fn take_unreported(&mut self, bytes: i64) -> i64 {
        self.sync_unreported();
        let Some(u) = &self.unreported else {
            return bytes;
        };
        let taken = bytes.min(self.unreported_seen);
        self.unreported_seen -= taken;
        u.store(self.unreported_seen, Ordering::Relaxed);
        bytes - taken
    }

    /// Withdraws what was not told to V8 yet (the store is freed or
    /// compacted); what was told is in `external`.
    fn forget_unreported(&mut self) {
        self.sync_unreported();
        if let Some(u) = self.unreported.take() {
            u.store(0, Ordering::Relaxed);
        }
        self.unreported_seen = 0;
    }

    /// Roughly the native bytes the parsed records hold.
    fn estimate_memory(&self) -> i64 {
        let per_field = std::mem::size_of::<Field>() as i64 + 48;
        self.records
            .iter()
            .filter_map(|slot| slot.record.get())
            .map(|r| std::mem::size_of::<Record>() as i64 + r.fields().len() as i64 * per_field)
            .sum()
    }

    /// Computes `report_memory`'s figure now (on a worker thread), so the
    /// main thread does not walk the records again.
    pub(crate) fn estimate_memory_ahead(&mut self) {
        self.memory_estimate = Some(self.estimate_memory() + self.prepared_bytes);
    }

    /// Takes `encoder`'s bytes off the figure reported to V8 when it was
    /// counted there (see `prepare_read`).
    fn give_back_prepared(&mut self, env: &mut Env, encoder: &Encoder) -> napi::Result<()> {
        if self.prepared_bytes <= 0 {
            return Ok(());
        }
        let bytes = encoder.heap_bytes().min(self.prepared_bytes);
        self.prepared_bytes -= bytes;
        let told = self.take_unreported(bytes).min(self.external);
        if told > 0 {
            env.adjust_external_memory(-told)?;
            self.external -= told;
        }
        Ok(())
    }

    /// An empty store with room for `records` records (and their bytes,
    /// at about 1 KB each, as in the LoC file).
    pub(crate) fn with_capacity(records: usize) -> Self {
        RecordStore {
            records: Vec::with_capacity(records),
            raw: Arc::new(Bytes(Vec::with_capacity(records * 1024))),
            warnings: Vec::with_capacity(records),
            ..RecordStore::default()
        }
    }

    /// An empty store with room for `records` records and no raw bytes
    /// (the async readers keep the parsed records only).
    pub(crate) fn for_records(records: usize) -> Self {
        RecordStore {
            records: Vec::with_capacity(records),
            warnings: Vec::with_capacity(records),
            ..RecordStore::default()
        }
    }

    /// `readFile` / `parse` of ISO 2709 with one thread: every record of
    /// `bytes` (the whole input), read on a libuv pool thread. The store
    /// keeps `bytes` and each record's place in them. Each record is checked
    /// (a strict-mode error ends the read, lenient-mode ones are collected):
    /// one that reads cleanly is not built (`SliceReader::next_checked`),
    /// others are parsed and their parsed form dropped unless repaired.
    /// Nothing else is built here, so the promise settles as soon as the
    /// input is known good: field data and accessor values are built after
    /// it settled, by the result's builder thread ahead of JS or by the
    /// main thread (see `ahead.rs`), accessor values of clean records from
    /// views of their bytes; `rec` parses a record again from its bytes if
    /// JS asks for it alone. Kept
    /// parsed, 50,000 LoC records were some 100 MB of memory, fresh in a
    /// new process (the read then took twice the core's own loop). Records
    /// that lenient mode repaired stay parsed. Once JS asked earlier
    /// results for parsed records ([`Wanted::keeps_parsed`]) reads go the
    /// other way (see `ReadTask::read_all`).
    pub(crate) fn read_iso2709(bytes: Vec<u8>, options: ReadOptions) -> CoreResult<Self> {
        // Room for records of 512 bytes on average (LoC's are 967, so
        // 1 KB made the list grow once per read); room never touched costs
        // no memory. builds.js, 9 alternating rounds: read + title 61 ->
        // 57 ms, two files read alone 55 -> 52 (session 10).
        let mut store = RecordStore::for_records(bytes.len() / 512 + 1);
        store.async_read = true;
        store.options = options;
        {
            let mut reader = SliceReader::new(&bytes[..], options);
            while let Some(next) = reader.next_checked() {
                let start = reader.last_record_offset() as usize;
                let range = start..start + reader.last_record_bytes().len();
                match next {
                    // Clean: checked, not built (about 80% of the full
                    // parse's cost).
                    Ok(None) => store.push_checked(range),
                    // Parsed again from its bytes when asked for.
                    Ok(Some(_)) if reader.warnings().is_empty() => store.push_unbuilt(range),
                    Ok(Some(record)) => store.push(record, reader.warnings().to_vec()),
                    Err(e) if options.is_lenient() => {
                        store.errors.push(e);
                        continue;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        store.raw = Arc::new(Bytes(bytes));
        let ranges = store
            .records
            .iter()
            .map(|s| {
                let range = s.raw.clone().filter(|_| s.record.get().is_none())?;
                Some((range, s.checked))
            })
            .collect();
        store.ahead = Some(AheadHandle(Arc::new(Ahead::new(
            Arc::clone(&store.raw),
            ranges,
            options,
        ))));
        store.estimate_memory_ahead();
        store.memory_estimate = store
            .memory_estimate
            .map(|m| m + store.raw.capacity() as i64);
        Ok(store)
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Builds ahead, per chunk of [`CHUNK`] records, what `link` says JS
    /// asked for in earlier batches (on the sync reader's thread).
    pub(crate) fn prepare(&mut self, link: &ReaderLink) {
        let fields = link.fields.load(Ordering::Relaxed);
        let bits = link.accessors.load(Ordering::Relaxed);
        if !fields && bits == 0 {
            return;
        }
        let records: Vec<&Record> = self.records.iter().filter_map(|s| s.record.get()).collect();
        if records.len() != self.records.len() {
            return;
        }
        let wanted = Wanted {
            fields,
            accessors: bits,
        };
        let mut prepared = Prepared::default();
        for chunk in records.chunks(CHUNK) {
            for (what, encoder) in wanted.build(chunk) {
                prepared.push(what, encoder);
            }
        }
        self.prepared = prepared;
    }

    /// Builds, per chunk of [`CHUNK`] records read so far (all of them once
    /// `finished`, otherwise whole chunks only), what JS asked earlier
    /// `readFile` / `parse` results for ([`ASYNC_ASKS`]): on the libuv pool
    /// thread, while the records are fresh in its cache, so that JS's
    /// `fields()` or `title` only copy a chunk into V8. Their bytes are
    /// counted in `report_memory`'s figure and given back as JS takes them.
    pub(crate) fn prepare_read(&mut self, wanted: Wanted, finished: bool) {
        if !wanted.builds() {
            return;
        }
        loop {
            let start = self.prepared_chunks * CHUNK;
            let end = self.records.len().min(start + CHUNK);
            if start >= end || (end - start < CHUNK && !finished) {
                return;
            }
            let records: Option<Vec<Source>> = self.records[start..end]
                .iter()
                .map(|s| s.record.get().map(Source::Parsed))
                .collect();
            let Some(records) = records else { return };
            for (what, mut encoder) in wanted.build_from(&records) {
                // Kept until JS asks: give back the room reserved for larger
                // records (glibc shrinks in place, no copy).
                encoder.shrink_to_fit();
                self.prepared_bytes += encoder.heap_bytes();
                self.prepared.push(what, encoder);
            }
            self.prepared_chunks += 1;
        }
    }

    /// What the builder thread built ahead of `what` for chunk `chunk`
    /// (see `ahead.rs`), unless a record of the chunk was edited since.
    fn ask_ahead(&self, chunk: usize, what: Option<Accessor>) -> Option<Encoder> {
        let ahead = self.ahead.as_ref()?;
        let end = self.records.len().min((chunk + 1) * CHUNK);
        let edited = self.records[chunk * CHUNK..end].iter().any(|s| s.edited);
        // An edited chunk still moves the thread's window on, but takes
        // nothing (the main thread builds it from the edited records).
        ahead.0.ask(chunk, what, !edited)
    }

    /// What JS asked this store for, for the reader that made it (its
    /// sync reader's link, or [`ASYNC_ASKS`] for `readFile` / `parse`).
    fn asks(&self) -> Option<&ReaderLink> {
        match &self.link {
            Some(link) => Some(link),
            None => self.async_read.then_some(&ASYNC_ASKS),
        }
    }

    pub(crate) fn push(&mut self, record: Record, warnings: Vec<Warning>) {
        self.records.push(Slot {
            record: OnceCell::from(record),
            raw: None,
            checked: false,
            edited: false,
        });
        self.warnings.push(warnings);
    }

    /// Like `push` for a record read from ISO 2709 `bytes` with `options`
    /// and no repairs: `compact` may drop it and parse `bytes` again.
    pub(crate) fn push_iso2709(&mut self, record: Record, bytes: &[u8], options: ReadOptions) {
        let start = self.raw.len();
        Arc::make_mut(&mut self.raw).extend_from_slice(bytes);
        self.options = options;
        self.push_raw(record, start..self.raw.len());
    }

    /// A record checked clean, not built, at `raw[range]` (parsed from
    /// there when asked for, or read through a view).
    fn push_checked(&mut self, range: Range<usize>) {
        self.push_bytes(range, true);
    }

    /// A record read with no repairs from `raw[range]` whose parsed form
    /// was dropped (parsed from there again when asked for).
    fn push_unbuilt(&mut self, range: Range<usize>) {
        self.push_bytes(range, false);
    }

    fn push_bytes(&mut self, range: Range<usize>, checked: bool) {
        self.records.push(Slot {
            record: OnceCell::new(),
            raw: Some(range),
            checked,
            edited: false,
        });
        self.warnings.push(Vec::new());
    }

    /// A record read with no repairs from `raw[range]` (parsed again from
    /// there once dropped).
    fn push_raw(&mut self, record: Record, range: Range<usize>) {
        self.records.push(Slot {
            record: OnceCell::from(record),
            raw: Some(range),
            checked: false,
            edited: false,
        });
        self.warnings.push(Vec::new());
    }

    pub(crate) fn get(&self, env: &Env, index: u32) -> napi::Result<&Record> {
        self.rec(env, index)
    }

    fn rec(&self, env: &Env, index: u32) -> napi::Result<&Record> {
        let slot = self
            .records
            .get(index as usize)
            .ok_or_else(|| throw(env, &invalid(format!("no record {index} in this batch"))))?;
        // A `readFile` / `parse` result asked for a parsed record: later
        // reads keep theirs parsed (see `KEEP_PARSED`).
        let asked = self.asked.get();
        if self.async_read && asked.accessors & KEEP_PARSED == 0 {
            self.asked.set(Wanted {
                accessors: asked.accessors | KEEP_PARSED,
                ..asked
            });
            ASYNC_ASKS.ask(Wanted {
                fields: false,
                accessors: KEEP_PARSED,
            });
        }
        if let Some(record) = slot.record.get() {
            return Ok(record);
        }
        let bytes = slot
            .raw
            .clone()
            .and_then(|range| self.raw.get(range))
            .unwrap_or_default();
        let record = parse_record(bytes, &self.options).map_err(|e| throw(env, &e))?;
        Ok(slot.record.get_or_init(|| record))
    }

    fn rec_mut(&mut self, env: &Env, index: u32) -> napi::Result<&mut Record> {
        self.rec(env, index)?;
        self.prepared.drop_chunk(index as usize / CHUNK);
        let slot = &mut self.records[index as usize];
        slot.edited = true;
        slot.record
            .get_mut()
            .ok_or_else(|| throw(env, &invalid(format!("no record {index} in this batch"))))
    }

    fn field_mut(&mut self, env: &Env, index: u32, pos: u32) -> napi::Result<&mut Field> {
        let record = self.rec_mut(env, index)?;
        let count = record.fields().len();
        record.fields_mut().get_mut(pos as usize).ok_or_else(|| {
            throw(
                env,
                &invalid(format!(
                    "no field at position {pos} (the record has {count})"
                )),
            )
        })
    }

    /// Encodes the fields `select` picks from record `index` and copies
    /// the layout into the caller's reused buffer.
    fn encode<'r>(
        &'r self,
        env: &Env,
        index: u32,
        layout: &JsTypedArray,
        select: impl FnOnce(&'r Record) -> Vec<&'r Field>,
    ) -> napi::Result<JsObject> {
        let record = self.rec(env, index)?;
        let mut encoder = Encoder::for_records(1);
        encoder.record(0, select(record).into_iter());
        encoder.into_js_reused(env, layout)
    }

    /// `build` over records `start..end`. A `readFile` / `parse` result
    /// parses the records it does not hold parsed for this only, without
    /// keeping them (they would be the 100 MB `read_iso2709` avoids).
    /// A record checked clean and not held parsed is read through a view
    /// of its bytes instead of being parsed.
    fn build_chunk(
        &self,
        env: &Env,
        start: u32,
        end: u32,
        build: impl FnOnce(&[Source]) -> Encoder,
    ) -> napi::Result<Encoder> {
        if start > end || end as usize > self.records.len() {
            return Err(throw(
                env,
                &invalid(format!("no records {start}..{end} in this batch")),
            ));
        }
        if !self.async_read {
            let records = (start..end)
                .map(|i| self.rec(env, i).map(Source::Parsed))
                .collect::<napi::Result<Vec<_>>>()?;
            return Ok(build(&records));
        }
        let slots = &self.records[start as usize..end as usize];
        let reread = slots
            .iter()
            .map(|slot| match (slot.record.get(), &slot.raw) {
                (None, Some(range)) => {
                    Reread::of(&self.raw, range, slot.checked, &self.options).transpose()
                }
                _ => Ok(None),
            })
            .collect::<CoreResult<Vec<Option<Reread>>>>()
            .map_err(|e| throw(env, &e))?;
        let records = slots
            .iter()
            .zip(&reread)
            .map(|(slot, again)| match again {
                Some(again) => Some(again.source()),
                None => slot.record.get().map(Source::Parsed),
            })
            .collect::<Option<Vec<Source>>>()
            .ok_or_else(|| throw(env, &invalid("a record of this batch is missing")))?;
        Ok(build(&records))
    }
}

/// Records per chunk of field data or accessor values (`CHUNK` in index.js).
pub(crate) const CHUNK: usize = 64;

/// What the batches of one sync reader share with its thread: what JS has
/// asked them for, so the thread builds the same for the next batches
/// while JS works, and the records `compact` drops, so the thread that
/// allocated them frees them (off the main thread, in its own malloc arena).
pub struct ReaderLink {
    fields: AtomicBool,
    /// One bit per [`Accessor`], and [`KEEP_PARSED`].
    accessors: AtomicU32,
    garbage: Mutex<Vec<Record>>,
    /// Batches the reader has read (its thread or its pool tasks).
    pub(crate) batches_read: AtomicU32,
    /// [`ASYNC_ASKS`] only: per ask (field data, then each accessor's
    /// bit), how many async results in a row were freed without JS asking
    /// them for it. At [`FORGET_AFTER`] the ask is forgotten.
    unasked: Mutex<[u8; 33]>,
}

/// Async results in a row freed without an ask before later reads stop
/// building it: a program that moved on from `fields()` to titles stops
/// paying for field chunks, while one that mixes uses (bench.js has at
/// most two results between two every-field ones) keeps them.
const FORGET_AFTER: u8 = 8;

/// What JS has asked the results of `readFile` / `parse` for in this
/// process: later async reads build the same on the pool thread (as the
/// sync reader's thread does for its next batches), and reads whose
/// records are only counted or filtered build nothing.
pub(crate) static ASYNC_ASKS: ReaderLink = ReaderLink::new();

/// What [`RecordStore::prepare_read`] builds; what JS asked a store for.
#[derive(Clone, Copy, Default)]
pub(crate) struct Wanted {
    fields: bool,
    accessors: u32,
}

/// An ask in [`Wanted::accessors`] beside the accessors' bits: JS asked
/// an async result for something that needed a record parsed (`rec`), so
/// later reads keep their records parsed (as before session 8) rather than
/// have the main thread parse them again one by one (each ask expires as
/// the others do).
const KEEP_PARSED: u32 = 1 << 31;

impl Wanted {
    /// Adds an ask: field data (`None`) or an accessor's values.
    pub(crate) fn add(&mut self, what: Option<Accessor>) {
        match what {
            None => self.fields = true,
            Some(a) => self.accessors |= 1 << a as u32,
        }
    }

    /// `accessor`'s values asked.
    pub(crate) fn has_accessor(&self, accessor: Accessor) -> bool {
        self.accessors & (1 << accessor as u32) != 0
    }

    /// JS asked earlier async results for parsed records.
    pub(crate) fn keeps_parsed(&self) -> bool {
        self.accessors & KEEP_PARSED != 0
    }

    /// What is asked of `records` (one chunk), built: field data (`None`)
    /// and each asked accessor's values.
    pub(crate) fn build(&self, records: &[&Record]) -> Vec<(Option<Accessor>, Encoder)> {
        let sources: Vec<Source> = records.iter().map(|r| Source::Parsed(r)).collect();
        self.build_from(&sources)
    }

    /// [`Wanted::build`] over records that may not be built; field data
    /// only from records that are (the caller's to check).
    pub(crate) fn build_from(&self, records: &[Source]) -> Vec<(Option<Accessor>, Encoder)> {
        let mut built = Vec::new();
        if self.fields {
            built.push((None, sources_fields_encoder(records)));
        }
        for accessor in Accessor::ALL {
            if self.has_accessor(accessor) {
                built.push((Some(accessor), values_encoder(accessor, records)));
            }
        }
        built
    }

    /// Chunks to build (field data or an accessor's values).
    fn builds(&self) -> bool {
        self.fields || self.accessors & !KEEP_PARSED != 0
    }

    /// Bit 0: field data; bit 1 + k: accessor k (never [`KEEP_PARSED`]).
    fn has(&self, bit: usize) -> bool {
        match bit {
            0 => self.fields,
            _ => self.accessors & (1 << (bit - 1)) != 0,
        }
    }

    /// What JS has asked earlier async results for.
    pub(crate) fn by_async_reads() -> Self {
        Wanted {
            fields: ASYNC_ASKS.fields.load(Ordering::Relaxed),
            accessors: ASYNC_ASKS.accessors.load(Ordering::Relaxed),
        }
    }
}

impl Default for ReaderLink {
    fn default() -> Self {
        ReaderLink::new()
    }
}

impl ReaderLink {
    const fn new() -> Self {
        ReaderLink {
            fields: AtomicBool::new(false),
            accessors: AtomicU32::new(0),
            garbage: Mutex::new(Vec::new()),
            batches_read: AtomicU32::new(0),
            unasked: Mutex::new([0; 33]),
        }
    }

    /// JS asked a store of this reader (or an async result) for `wanted`.
    fn ask(&self, wanted: Wanted) {
        if wanted.fields {
            self.fields.store(true, Ordering::Relaxed);
        }
        self.accessors.fetch_or(wanted.accessors, Ordering::Relaxed);
        let mut unasked = self.unasked.lock().unwrap_or_else(|p| p.into_inner());
        for (bit, count) in unasked.iter_mut().enumerate() {
            if wanted.has(bit) {
                *count = 0;
            }
        }
    }

    /// An async result that JS asked for `asked` was freed: counts the
    /// asks it did not make, and forgets those not made [`FORGET_AFTER`]
    /// times in a row.
    fn result_freed(&self, asked: Wanted) {
        let mut unasked = self.unasked.lock().unwrap_or_else(|p| p.into_inner());
        for (bit, count) in unasked.iter_mut().enumerate() {
            if asked.has(bit) {
                *count = 0;
                continue;
            }
            *count = count.saturating_add(1);
            if *count >= FORGET_AFTER {
                if bit == 0 {
                    self.fields.store(false, Ordering::Relaxed);
                } else {
                    self.accessors
                        .fetch_and(!(1 << (bit - 1)), Ordering::Relaxed);
                }
            }
        }
    }

    /// Frees what `compact` left (on the reader's thread).
    pub(crate) fn free_garbage(&self) {
        let garbage = std::mem::take(&mut *self.garbage.lock().unwrap_or_else(|p| p.into_inner()));
        drop(garbage);
    }
}

/// Chunks built ahead, indexed by chunk number (`start / CHUNK`): field
/// data, and per accessor its values.
#[derive(Default)]
struct Prepared {
    fields: Vec<Option<Encoder>>,
    accessors: Vec<(Accessor, Vec<Option<Encoder>>)>,
}

/// The chunk number of records `start..end` of a store of `len` records,
/// when that is how `index.js` cuts chunks.
fn chunk_number(start: u32, end: u32, len: usize) -> Option<usize> {
    let (start, end) = (start as usize, end as usize);
    (start % CHUNK == 0 && end == len.min(start + CHUNK)).then_some(start / CHUNK)
}

impl Prepared {
    /// Adds the next chunk's field data (`None`) or an accessor's values.
    fn push(&mut self, what: Option<Accessor>, encoder: Encoder) {
        match what {
            None => self.fields.push(Some(encoder)),
            Some(a) => match self.accessors.iter_mut().find(|(x, _)| *x == a) {
                Some((_, chunks)) => chunks.push(Some(encoder)),
                None => self.accessors.push((a, vec![Some(encoder)])),
            },
        }
    }

    /// Forgets what was built for one chunk (a record of it is edited).
    fn drop_chunk(&mut self, chunk: usize) {
        let accessors = self.accessors.iter_mut().map(|(_, chunks)| chunks);
        for chunks in std::iter::once(&mut self.fields).chain(accessors) {
            if let Some(c) = chunks.get_mut(chunk) {
                *c = None;
            }
        }
    }

    fn take_fields(&mut self, chunk: usize) -> Option<Encoder> {
        self.fields.get_mut(chunk)?.take()
    }

    fn take_accessor(&mut self, accessor: Accessor, chunk: usize) -> Option<Encoder> {
        let (_, chunks) = self.accessors.iter_mut().find(|(a, _)| *a == accessor)?;
        chunks.get_mut(chunk)?.take()
    }
}

/// The accessors `accessorChunk` computes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accessor {
    Leader,
    Title,
    IssnTitle,
    Author,
    UniformTitle,
    Isbn,
    Issn,
    Issnl,
    Sudoc,
    Publisher,
    Pubyear,
}

impl Accessor {
    pub(crate) const ALL: [Accessor; 11] = [
        Accessor::Leader,
        Accessor::Title,
        Accessor::IssnTitle,
        Accessor::Author,
        Accessor::UniformTitle,
        Accessor::Isbn,
        Accessor::Issn,
        Accessor::Issnl,
        Accessor::Sudoc,
        Accessor::Publisher,
        Accessor::Pubyear,
    ];

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "leader" => Accessor::Leader,
            "title" => Accessor::Title,
            "issnTitle" => Accessor::IssnTitle,
            "author" => Accessor::Author,
            "uniformTitle" => Accessor::UniformTitle,
            "isbn" => Accessor::Isbn,
            "issn" => Accessor::Issn,
            "issnl" => Accessor::Issnl,
            "sudoc" => Accessor::Sudoc,
            "publisher" => Accessor::Publisher,
            "pubyear" => Accessor::Pubyear,
            _ => return None,
        })
    }

    fn get(self, r: &Record) -> Option<Cow<'_, str>> {
        match self {
            Accessor::Leader => Some(r.leader.as_str()),
            _ => self.of(r),
        }
    }

    fn get_in_view<'a>(self, v: &'a RecordView) -> Option<Cow<'a, str>> {
        match self {
            Accessor::Leader => Some(Cow::Owned(v.leader().as_str().into_owned())),
            _ => self.of(v),
        }
    }

    /// Every accessor but the leader, from either kind of record.
    fn of<S: FieldSource>(self, r: &S) -> Option<Cow<'_, str>> {
        match self {
            Accessor::Leader => None,
            Accessor::Title => accessors::title(r).map(Into::into),
            Accessor::IssnTitle => accessors::issn_title(r).map(Into::into),
            Accessor::Author => accessors::author(r).map(Into::into),
            Accessor::UniformTitle => accessors::uniform_title(r).map(Into::into),
            Accessor::Isbn => accessors::isbn(r).map(Into::into),
            Accessor::Issn => accessors::issn(r).map(Into::into),
            Accessor::Issnl => accessors::issnl(r).map(Into::into),
            Accessor::Sudoc => accessors::sudoc(r).map(Into::into),
            Accessor::Publisher => accessors::publisher(r).map(Into::into),
            Accessor::Pubyear => accessors::pubyear(r).map(Into::into),
        }
    }
}

/// Field data of records parsed or checked clean (from their views).
fn sources_fields_encoder(records: &[Source]) -> Encoder {
    let mut encoder = Encoder::for_records(records.len());
    for (slot, record) in records.iter().enumerate() {
        match record {
            Source::Parsed(r) => encoder.record(slot, r.fields().iter()),
            Source::Checked(view) => encoder.record_view(slot, view),
        }
    }
    encoder
}

fn values_encoder(accessor: Accessor, records: &[Source]) -> Encoder {
    let mut encoder = Encoder::for_values(records.len());
    for record in records {
        let value = match record {
            Source::Parsed(r) => accessor.get(r),
            Source::Checked(v) => accessor.get_in_view(v),
        };
        encoder.optional(value.as_deref());
    }
    encoder
}

#[napi]
impl RecordStore {
    #[napi(constructor)]
    pub fn new() -> Self {
        RecordStore::default()
    }

    /// A store of one record built from `{leader, fields}`.
    #[napi(factory)]
    pub fn from_object(env: Env, object: RecordObject) -> napi::Result<Self> {
        let record = record_from_object(&object).map_err(|e| throw(&env, &e))?;
        let mut store = RecordStore::default();
        store.push(record, Vec::new());
        Ok(store)
    }

    /// A store of one empty record with the given (or pymarc's) leader.
    #[napi(factory)]
    pub fn with_new_record(env: Env, leader: Option<String>) -> napi::Result<Self> {
        let mut record = Record::new();
        if let Some(l) = leader {
            record.leader = leader_from_str(&l).map_err(|e| throw(&env, &e))?;
        }
        let mut store = RecordStore::default();
        store.push(record, Vec::new());
        Ok(store)
    }

    /// A store holding a copy of one record.
    #[napi]
    pub fn copy_record(&self, env: Env, index: u32) -> napi::Result<RecordStore> {
        let mut store = RecordStore::default();
        store.push(self.rec(&env, index)?.clone(), Vec::new());
        Ok(store)
    }

    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.records.len() as u32
    }

    /// Frees the parsed form of the records that can be parsed again from
    /// their bytes (unedited, read without repairs), and hands those bytes
    /// to JS as one-byte strings of up to about 64 KB (`null` when there
    /// are none); `restore` takes them back before the records are used
    /// again. The sync reader calls this on a batch when it moves to the
    /// next one: Node frees native objects only from the event loop, so in
    /// a `for` loop over a file every batch's native memory would stay, and
    /// each new batch would touch fresh pages. Small strings live in V8's
    /// young generation, which is reused.
    #[napi]
    pub fn compact(&mut self, mut env: Env) -> napi::Result<Option<JsObject>> {
        self.prepared = Prepared::default();
        let dropped = self
            .records
            .iter_mut()
            .filter(|slot| slot.raw.is_some() && !slot.edited)
            .filter_map(|slot| slot.record.take());
        match &self.link {
            Some(link) => link
                .garbage
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(dropped),
            None => dropped.for_each(drop),
        }
        self.forget_unreported();
        if self.external > 0 {
            env.adjust_external_memory(-self.external)?;
            self.external = 0;
        }
        if self.raw.is_empty() {
            return Ok(None);
        }
        const PIECE: usize = 60 * 1024;
        let mut pieces = env.create_array(0)?;
        let mut start = 0;
        let mut count = 0;
        for end in self
            .records
            .iter()
            .filter_map(|slot| slot.raw.as_ref().map(|r| r.end))
        {
            if end - start >= PIECE || end == self.raw.len() {
                pieces.set(count, env.create_string_latin1(&self.raw[start..end])?)?;
                count += 1;
                start = end;
            }
        }
        self.raw_len = self.raw.len();
        self.raw = Arc::default();
        Ok(Some(pieces.coerce_to_object()?))
    }

    /// Records held parsed (for the tests of `readFile` / `parse`
    /// keeping bytes; not part of the API in `index.js`).
    #[napi(getter)]
    pub fn records_parsed(&self) -> u32 {
        self.records
            .iter()
            .filter(|s| s.record.get().is_some())
            .count() as u32
    }

    /// Chunks of records the pool built something for ahead of JS (async
    /// results: what earlier results were asked for).
    #[napi(getter)]
    pub fn chunks_built_ahead(&self) -> u32 {
        self.prepared_chunks as u32
    }

    /// Chunks (field data or an accessor's values) the builder thread of a
    /// `readFile` / `parse` result built and JS took (see `ahead.rs`).
    #[napi(getter)]
    pub fn chunks_taken_from_thread(&self) -> u32 {
        self.ahead.as_ref().map_or(0, |a| a.0.taken() as u32)
    }

    /// Chunks the builder thread built that wait for JS (for the tests).
    #[napi(getter)]
    pub fn chunks_ready_on_thread(&self) -> u32 {
        self.ahead.as_ref().map_or(0, |a| a.0.ready() as u32)
    }

    /// Takes back the strings `compact` gave out.
    #[napi]
    pub fn restore(&mut self, env: Env, pieces: Vec<JsString>) -> napi::Result<()> {
        let mut raw = Vec::with_capacity(self.raw_len);
        for piece in pieces {
            raw.extend_from_slice(piece.into_latin1()?.as_slice());
        }
        if raw.len() != self.raw_len {
            return Err(throw(
                &env,
                &invalid("restore() takes the strings compact() returned"),
            ));
        }
        self.raw = Arc::new(Bytes(raw));
        Ok(())
    }

    /// Every field of records `start..end` in one text and layout, so JS
    /// builds `fields()` of each without another native call.
    #[napi]
    pub fn fields_chunk(&mut self, mut env: Env, start: u32, end: u32) -> napi::Result<JsObject> {
        let mut asked = self.asked.get();
        asked.add(None);
        self.asked.set(asked);
        if let Some(w) = self.asks() {
            w.ask(Wanted {
                fields: true,
                accessors: 0,
            });
        }
        let chunk = chunk_number(start, end, self.records.len());
        if let Some(encoder) = chunk.and_then(|c| self.prepared.take_fields(c)) {
            self.give_back_prepared(&mut env, &encoder)?;
            return encoder.into_js(&env);
        }
        if let Some(encoder) = chunk.and_then(|c| self.ask_ahead(c, None)) {
            return encoder.into_js(&env);
        }
        self.build_chunk(&env, start, end, sources_fields_encoder)?
            .into_js(&env)
    }

    /// One accessor (`title`, `author`, `leader`, ... as named in `index.js`)
    /// of records `start..end`: one text and `[count, start, end, ...]`.
    #[napi]
    pub fn accessor_chunk(
        &mut self,
        mut env: Env,
        name: String,
        start: u32,
        end: u32,
    ) -> napi::Result<JsObject> {
        let Some(accessor) = Accessor::from_name(&name) else {
            return Err(throw(&env, &invalid(format!("unknown accessor {name:?}"))));
        };
        let mut asked = self.asked.get();
        asked.add(Some(accessor));
        self.asked.set(asked);
        if let Some(w) = self.asks() {
            w.ask(Wanted {
                fields: false,
                accessors: 1 << accessor as u32,
            });
        }
        let chunk = chunk_number(start, end, self.records.len());
        if let Some(encoder) = chunk.and_then(|c| self.prepared.take_accessor(accessor, c)) {
            self.give_back_prepared(&mut env, &encoder)?;
            return encoder.into_js(&env);
        }
        if let Some(encoder) = chunk.and_then(|c| self.ask_ahead(c, Some(accessor))) {
            return encoder.into_js(&env);
        }
        self.build_chunk(&env, start, end, |records| {
            values_encoder(accessor, records)
        })?
        .into_js(&env)
    }

    #[napi]
    pub fn leader(&self, env: Env, index: u32) -> napi::Result<String> {
        Ok(self.rec(&env, index)?.leader.as_str().into_owned())
    }

    #[napi]
    pub fn set_leader(&mut self, env: Env, index: u32, leader: String) -> napi::Result<()> {
        let l = leader_from_str(&leader).map_err(|e| throw(&env, &e))?;
        self.rec_mut(&env, index)?.leader = l;
        Ok(())
    }

    #[napi]
    pub fn field_count(&self, env: Env, index: u32) -> napi::Result<u32> {
        Ok(self.rec(&env, index)?.fields().len() as u32)
    }

    /// Text and layout (see `layout.rs`) of the fields whose tag is in the
    /// comma-separated `tags` (all when absent), at most `limit` of them
    /// (0 = no limit).
    #[napi]
    pub fn field_data(
        &mut self,
        env: Env,
        index: u32,
        tags: Option<String>,
        limit: u32,
        layout: JsTypedArray,
    ) -> napi::Result<JsObject> {
        let limit = if limit == 0 {
            usize::MAX
        } else {
            limit as usize
        };
        let tags = split_tags(&tags);
        self.encode(&env, index, &layout, |record| {
            record.get_fields(&tags).take(limit).collect()
        })
    }

    /// Like `fieldData` for one of pymarc's field groups: `subjects`,
    /// `addedEntries`, `series`, `notes`, `location`, `physicalDescription`.
    #[napi]
    pub fn group_data(
        &mut self,
        env: Env,
        index: u32,
        group: String,
        layout: JsTypedArray,
    ) -> napi::Result<JsObject> {
        let tags: &[&str] = match group.as_str() {
            "subjects" => SUBJECT_TAGS,
            "addedEntries" => ADDED_ENTRY_TAGS,
            "series" => SERIES_TAGS,
            "notes" => NOTE_TAGS,
            "location" => &["852"],
            "physicalDescription" => &["300"],
            other => {
                return Err(throw(
                    &env,
                    &invalid(format!("unknown field group {other:?}")),
                ))
            }
        };
        self.encode(&env, index, &layout, |record| {
            record.get_fields(tags).collect()
        })
    }

    /// Positions of the fields with one of the comma-separated tags.
    #[napi]
    pub fn field_indexes(
        &self,
        env: Env,
        index: u32,
        tags: Option<String>,
    ) -> napi::Result<Vec<u32>> {
        let tags = split_tags(&tags);
        Ok(self
            .rec(&env, index)?
            .field_indexes(&tags)
            .into_iter()
            .map(|i| i as u32)
            .collect())
    }

    /// The first value of subfield `code` in the first field tagged `tag`;
    /// for a control field, its value.
    #[napi]
    pub fn subfield(
        &self,
        env: Env,
        index: u32,
        tag: String,
        code: Option<String>,
    ) -> napi::Result<Option<String>> {
        let Some(field) = self.rec(&env, index)?.get(&tag) else {
            return Ok(None);
        };
        if let Some(v) = field.control_value() {
            return Ok(Some(v.to_string()));
        }
        let code = one_char(&env, code.as_deref().unwrap_or(""), "a subfield code")?;
        Ok(field.get(code).map(str::to_string))
    }

    /// Every value of subfield `code` in every field tagged `tag`.
    #[napi]
    pub fn subfields(
        &self,
        env: Env,
        index: u32,
        tag: String,
        code: String,
    ) -> napi::Result<Vec<String>> {
        let code = one_char(&env, &code, "a subfield code")?;
        let record = self.rec(&env, index)?;
        Ok(record
            .get_fields(&[tag.as_str()])
            .flat_map(|f| {
                f.subfields()
                    .filter(|s| s.code == code)
                    .map(|s| s.value.to_string())
            })
            .collect())
    }

    /// pymarc `value()` of the first field tagged `tag`.
    #[napi]
    pub fn value(&self, env: Env, index: u32, tag: String) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.get(&tag).map(Field::value))
    }

    /// pymarc `format_field()` of the field at a position.
    #[napi]
    pub fn format_field(&self, env: Env, index: u32, pos: u32) -> napi::Result<Option<String>> {
        Ok(self
            .rec(&env, index)?
            .fields()
            .get(pos as usize)
            .map(Field::format_field))
    }

    #[napi]
    pub fn title(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.title())
    }
    #[napi]
    pub fn issn_title(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.issn_title())
    }
    #[napi]
    pub fn author(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.author())
    }
    #[napi]
    pub fn uniform_title(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.uniform_title())
    }
    #[napi]
    pub fn isbn(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.isbn())
    }
    #[napi]
    pub fn issn(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.issn().map(str::to_string))
    }
    #[napi]
    pub fn issnl(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.issnl().map(str::to_string))
    }
    #[napi]
    pub fn sudoc(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.sudoc())
    }
    #[napi]
    pub fn publisher(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.publisher().map(str::to_string))
    }
    #[napi]
    pub fn pubyear(&self, env: Env, index: u32) -> napi::Result<Option<String>> {
        Ok(self.rec(&env, index)?.pubyear().map(str::to_string))
    }

    /// Appends a field.
    #[napi]
    pub fn add_field(&mut self, env: Env, index: u32, field: FieldObject) -> napi::Result<u32> {
        let f = field_from_object(&field).map_err(|e| throw(&env, &e))?;
        let record = self.rec_mut(&env, index)?;
        record.add_field(f);
        Ok(record.fields().len() as u32 - 1)
    }

    /// Inserts in tag order (pymarc `add_ordered_field`); returns the position.
    #[napi]
    pub fn add_ordered_field(
        &mut self,
        env: Env,
        index: u32,
        field: FieldObject,
    ) -> napi::Result<u32> {
        let f = field_from_object(&field).map_err(|e| throw(&env, &e))?;
        Ok(self.rec_mut(&env, index)?.add_ordered_field(f) as u32)
    }

    /// Inserts after the last field of the same hundred (pymarc
    /// `add_grouped_field`); returns the position.
    #[napi]
    pub fn add_grouped_field(
        &mut self,
        env: Env,
        index: u32,
        field: FieldObject,
    ) -> napi::Result<u32> {
        let f = field_from_object(&field).map_err(|e| throw(&env, &e))?;
        Ok(self.rec_mut(&env, index)?.add_grouped_field(f) as u32)
    }

    #[napi]
    pub fn insert_field(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        field: FieldObject,
    ) -> napi::Result<()> {
        let f = field_from_object(&field).map_err(|e| throw(&env, &e))?;
        self.rec_mut(&env, index)?.insert_field(pos as usize, f);
        Ok(())
    }

    /// Replaces the field at a position.
    #[napi]
    pub fn set_field(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        field: FieldObject,
    ) -> napi::Result<()> {
        let f = field_from_object(&field).map_err(|e| throw(&env, &e))?;
        *self.field_mut(&env, index, pos)? = f;
        Ok(())
    }

    #[napi]
    pub fn remove_field_at(&mut self, env: Env, index: u32, pos: u32) -> napi::Result<bool> {
        Ok(self
            .rec_mut(&env, index)?
            .remove_field_at(pos as usize)
            .is_some())
    }

    /// Removes every field with one of the comma-separated tags; returns how
    /// many.
    #[napi]
    pub fn remove_fields(&mut self, env: Env, index: u32, tags: String) -> napi::Result<u32> {
        let tags: Vec<&str> = tags.split(',').collect();
        Ok(self.rec_mut(&env, index)?.remove_fields(&tags) as u32)
    }

    #[napi]
    pub fn add_subfield(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        code: String,
        value: String,
        at: Option<u32>,
    ) -> napi::Result<()> {
        let code = one_char(&env, &code, "a subfield code")?;
        let field = self.field_mut(&env, index, pos)?;
        if field.is_control() {
            return Err(throw(&env, &invalid("a control field has no subfields")));
        }
        field.add_subfield(code, &value, at.map(|a| a as usize));
        Ok(())
    }

    /// Removes the first subfield `code`; returns its value.
    #[napi]
    pub fn delete_subfield(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        code: String,
    ) -> napi::Result<Option<String>> {
        let code = one_char(&env, &code, "a subfield code")?;
        Ok(self.field_mut(&env, index, pos)?.delete_subfield(code))
    }

    /// Sets the one subfield `code` (pymarc `field[code] = value`).
    #[napi]
    pub fn set_subfield(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        code: String,
        value: String,
    ) -> napi::Result<()> {
        let c = one_char(&env, &code, "a subfield code")?;
        let field = self.field_mut(&env, index, pos)?;
        field.set_unique_subfield(c, &value).map_err(|e| {
            let why = match e {
                SetSubfieldError::ControlField => "a control field has no subfields".to_string(),
                SetSubfieldError::Missing => format!("the field has no subfield {code}"),
                SetSubfieldError::MoreThanOne => {
                    format!("the field has more than one subfield {code}")
                }
            };
            throw(&env, &invalid(why))
        })
    }

    #[napi]
    pub fn set_indicators(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        ind1: String,
        ind2: String,
    ) -> napi::Result<()> {
        let ind = Indicators::new(
            one_char(&env, &ind1, "ind1")?,
            one_char(&env, &ind2, "ind2")?,
        );
        let field = self.field_mut(&env, index, pos)?;
        if field.is_control() {
            return Err(throw(&env, &invalid("a control field has no indicators")));
        }
        field.set_indicators(ind);
        Ok(())
    }

    #[napi]
    pub fn set_control_value(
        &mut self,
        env: Env,
        index: u32,
        pos: u32,
        value: String,
    ) -> napi::Result<()> {
        let field = self.field_mut(&env, index, pos)?;
        if !field.is_control() {
            return Err(throw(
                &env,
                &invalid("a data field has subfields, not a value"),
            ));
        }
        field.set_control_value(value);
        Ok(())
    }

    #[napi]
    pub fn set_tag(&mut self, env: Env, index: u32, pos: u32, tag: String) -> napi::Result<()> {
        self.field_mut(&env, index, pos)?.set_tag(tag.as_str());
        Ok(())
    }

    /// The repairs lenient mode made to this record.
    #[napi]
    pub fn warnings(&self, env: Env, index: u32) -> napi::Result<Vec<JsObject>> {
        self.rec(&env, index)?;
        self.warnings
            .get(index as usize)
            .map(|ws| ws.iter().map(|w| warning_to_js(&env, w)).collect())
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// Records skipped in lenient mode, as JS errors.
    #[napi]
    pub fn errors(&self, env: Env) -> napi::Result<Vec<JsObject>> {
        self.errors
            .iter()
            .map(|e| crate::error::to_js(&env, e))
            .collect()
    }

    /// `[start, end]` of the worker thread's work in ms since the Unix epoch.
    #[napi(getter)]
    pub fn timing(&self) -> Option<Vec<f64>> {
        self.timing.map(|(a, b)| vec![a, b])
    }

    #[napi]
    pub fn equals(
        &self,
        env: Env,
        index: u32,
        other: &RecordStore,
        other_index: u32,
    ) -> napi::Result<bool> {
        Ok(self.rec(&env, index)? == other.rec(&env, other_index)?)
    }

    /// pymarc `str(record)`: MARCMaker-style lines.
    #[napi]
    pub fn to_text(&self, env: Env, index: u32) -> napi::Result<String> {
        Ok(self.rec(&env, index)?.to_string())
    }
}
