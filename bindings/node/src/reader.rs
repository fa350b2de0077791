//! Readers for JS: `NativeReader` (hands out batches: read ahead by a
//! thread of its own for a sync iteration, or by napi `AsyncTask`s on the
//! libuv pool for `for await`) and the `readFile` / `parse` tasks that read
//! a whole input on the libuv pool.

use std::fs::File;
use std::io::{BufReader, Cursor};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver, TrySendError};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use mrrc_core::format::{Format, RecordReader};
use mrrc_core::parallel::ParallelReader;
use mrrc_core::{Error as CoreError, ErrorKind, ReadOptions, Result as CoreResult};
use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, JsObject, Task};
use napi_derive::napi;

use crate::error::{invalid, throw, to_js};
use crate::object::{read_options, ReadOptionsObject};
use crate::store::{report_deferred, ReaderLink, RecordStore, Wanted};

/// Where records come from.
pub enum Input {
    Path(String),
    Bytes(Vec<u8>),
}

type Source = Box<dyn RecordReader>;

fn open(input: Input, format: Format, options: ReadOptions) -> CoreResult<Source> {
    Ok(match input {
        Input::Path(path) => {
            let file =
                File::open(&path).map_err(|e| CoreError::from(e).with_message_prefix(&path))?;
            format.reader(BufReader::with_capacity(1 << 16, file), options)
        }
        Input::Bytes(bytes) => format.bytes_reader(bytes, options),
    })
}

/// A whole file, read into a buffer a freed result gave back when one is
/// large enough (see `spare.rs`).
fn read_whole(path: &str) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = File::open(path)?;
    let len = file.metadata().map_or(0, |m| m.len() as usize);
    // Room for the probe read that finds the end without growing.
    let mut bytes = crate::spare::take(len + 64);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

trait MessagePrefix {
    fn with_message_prefix(self, prefix: &str) -> Self;
}
impl MessagePrefix for CoreError {
    fn with_message_prefix(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

fn input_from(env: &Env, input: Either<String, Buffer>) -> Input {
    let _ = env;
    match input {
        Either::A(path) => Input::Path(path),
        Either::B(buffer) => Input::Bytes(buffer.to_vec()),
    }
}

/// Records per batch of a `NativeReader`.
const BATCH: usize = 256;

/// Batches the sync reader's thread may have ready before JS takes them.
/// More than one, so that on a busy machine neither side waits for the
/// other to be scheduled at every batch.
const AHEAD: usize = 4;

/// One batch as the reading thread or a pool task hands it over.
pub struct ReadBatch {
    store: RecordStore,
    /// Records lenient mode could not read while filling `store`.
    errors: Vec<CoreError>,
    /// A strict-mode error met after the records of `store`.
    stop: Option<CoreError>,
    /// The input is finished.
    end: bool,
}

impl ReadBatch {
    /// No records: the input is finished (or the reader closed).
    fn finished() -> Self {
        ReadBatch {
            store: RecordStore::default(),
            errors: Vec::new(),
            stop: None,
            end: true,
        }
    }
}

/// A `NativeReader`'s source, read a batch at a time.
struct BatchSource(Source);

impl BatchSource {
    fn open(input: Input, format: Format, options: ReadOptions) -> CoreResult<Self> {
        Ok(BatchSource(open(input, format, options)?))
    }

    /// Reads up to `max` records. A strict-mode error ends the batch (the
    /// next batch carries on after the bad record); lenient-mode errors are
    /// collected.
    fn fill(&mut self, options: ReadOptions, max: usize) -> ReadBatch {
        let mut p = ReadBatch {
            store: RecordStore::with_capacity(max),
            errors: Vec::new(),
            stop: None,
            end: false,
        };
        while p.store.len() < max {
            let reader = &mut self.0;
            let next = match reader.next() {
                Some(Ok(record)) => {
                    // ISO 2709 records without repairs keep their raw bytes
                    // (see `RecordStore::compact`).
                    match reader.last_record_bytes() {
                        Some(raw) if reader.warnings().is_empty() => {
                            p.store.push_iso2709(record, raw, options)
                        }
                        _ => p.store.push(record, reader.warnings().to_vec()),
                    }
                    continue;
                }
                other => other,
            };
            match next {
                Some(Ok(_)) => {}
                Some(Err(e)) if options.is_lenient() => p.errors.push(e),
                Some(Err(e)) => {
                    p.stop = Some(e);
                    break;
                }
                None => {
                    p.end = true;
                    break;
                }
            }
        }
        p
    }

    /// The next batch as a reader's thread or pool task hands it over:
    /// first frees what JS compacted (so this thread's arena reuses it),
    /// then reads, counts the batch and notes when the work ran.
    fn read_batch(&mut self, options: ReadOptions, link: &ReaderLink) -> ReadBatch {
        let start = now_ms();
        link.free_garbage();
        let mut batch = self.fill(options, BATCH);
        batch.store.estimate_memory_ahead();
        batch.store.timing = Some((start, now_ms()));
        link.batches_read.fetch_add(1, Ordering::Relaxed);
        batch
    }
}

/// A streaming reader; `index.js` iterates it batch by batch, in one of
/// two ways. Sync (`nextBatch`): a thread of its own reads and parses the
/// next batches while JS works on the current one (at most `AHEAD`
/// batches ahead), so on two cores the parsing is off the main thread;
/// when JS is the slower side, the thread also builds the chunks JS asked
/// earlier batches for. Async (`nextBatchAsync`): each batch is read,
/// parsed and its chunks built by a napi `AsyncTask` on the libuv pool;
/// `index.js` keeps two asked for ahead of the batch it works on, so the
/// pool reads while JS works.
#[napi]
pub struct NativeReader {
    /// The opened input until the first `nextBatch` or `nextBatchAsync`.
    unstarted: Option<(BatchSource, ReadOptions)>,
    /// Sync iteration: the batches the reader's thread fills.
    batches: Option<Receiver<ReadBatch>>,
    /// Async iteration: the source the pool tasks read from.
    pooled: Option<Arc<PooledSource>>,
    /// Batches asked of the pool so far.
    turns: u64,
    link: Arc<ReaderLink>,
    /// A strict-mode error met after some records of a batch: thrown by the
    /// next call, once the records before it have been handed out.
    pending: Option<CoreError>,
    errors: Vec<CoreError>,
    done: bool,
}

/// Starts the thread that fills batches from `source`. It ends at the end
/// of the input or when the reader is dropped (its send fails).
fn spawn_reader(
    mut source: BatchSource,
    options: ReadOptions,
    link: Arc<ReaderLink>,
) -> std::io::Result<Receiver<ReadBatch>> {
    let (sender, batches) = sync_channel(AHEAD);
    std::thread::Builder::new()
        .name("mrrc-reader".into())
        .spawn(move || loop {
            let batch = source.read_batch(options, &link);
            let end = batch.end;
            // JS waiting for this batch: hand it over now and let the main
            // thread build its chunks on demand. JS still busy with the
            // previous one: use the wait to build them here.
            let batch = match sender.try_send(batch) {
                Ok(()) => None,
                Err(TrySendError::Full(mut batch)) => {
                    batch.store.prepare(&link);
                    Some(batch)
                }
                Err(TrySendError::Disconnected(_)) => break,
            };
            if batch.is_some_and(|b| sender.send(b).is_err()) || end {
                break;
            }
        })?;
    Ok(batches)
}

#[napi]
impl NativeReader {
    /// Opens the input (errors such as a missing file are thrown here); the
    /// reading thread starts with the first `nextBatch`.
    #[napi(constructor)]
    pub fn new(
        mut env: Env,
        input: Either<String, Buffer>,
        options: Option<ReadOptionsObject>,
    ) -> napi::Result<Self> {
        report_deferred(&mut env)?;
        let (format, opts) = read_options(options.as_ref()).map_err(|e| throw(&env, &e))?;
        let source = BatchSource::open(input_from(&env, input), format, opts)
            .map_err(|e| throw(&env, &e))?;
        Ok(NativeReader {
            unstarted: Some((source, opts)),
            batches: None,
            pooled: None,
            turns: 0,
            link: Arc::new(ReaderLink::default()),
            pending: None,
            errors: Vec::new(),
            done: false,
        })
    }

    /// The next batch (up to 256 records); `null` at the end. In strict
    /// mode a bad record throws (after the good records before it were
    /// returned) and reading can go on with the next record. In lenient
    /// mode records that cannot be repaired are skipped and kept in
    /// `errors()`.
    #[napi]
    pub fn next_batch(&mut self, mut env: Env) -> napi::Result<Option<RecordStore>> {
        if let Some(e) = self.pending.take() {
            return Err(throw(&env, &e));
        }
        if self.pooled.is_some() {
            return Err(throw(
                &env,
                &invalid("this reader is iterated with for await"),
            ));
        }
        if let Some((source, options)) = self.unstarted.take() {
            let batches = spawn_reader(source, options, Arc::clone(&self.link))
                .map_err(|e| throw(&env, &CoreError::from(e)))?;
            self.batches = Some(batches);
        }
        while !self.done {
            let Some(Ok(batch)) = self.batches.as_ref().map(Receiver::recv) else {
                // The thread ended without saying the input was finished.
                self.done = true;
                return Err(throw(
                    &env,
                    &CoreError::new(ErrorKind::Io, "the reading thread stopped"),
                ));
            };
            self.errors.extend(batch.errors);
            self.done = batch.end;
            let mut store = batch.store;
            if store.len() == 0 {
                match batch.stop {
                    Some(e) => return Err(throw(&env, &e)),
                    None => continue,
                }
            }
            self.pending = batch.stop;
            store.link = Some(Arc::clone(&self.link));
            store.report_memory(&mut env)?;
            return Ok(Some(store));
        }
        Ok(None)
    }

    /// Records skipped so far in lenient mode, as JS errors.
    #[napi]
    pub fn errors(&self, env: Env) -> napi::Result<Vec<JsObject>> {
        self.errors.iter().map(|e| to_js(&env, e)).collect()
    }

    /// Reads the next batch (up to 256 records) on the libuv pool: a
    /// Promise of `{store, errors, stop, end}` (see [`PooledBatch`]).
    /// Calls made before earlier ones settle get the batches after
    /// theirs, in the order of the calls.
    #[napi(ts_return_type = "Promise<object>")]
    pub fn next_batch_async(&mut self, env: Env) -> napi::Result<AsyncTask<PooledBatch>> {
        if self.batches.is_some() {
            return Err(throw(
                &env,
                &invalid("this reader is iterated synchronously"),
            ));
        }
        if let Some((source, options)) = self.unstarted.take() {
            self.pooled = Some(Arc::new(PooledSource {
                state: Mutex::new(PooledState {
                    source: Some(source),
                    next_turn: 0,
                }),
                turn_over: Condvar::new(),
                options,
            }));
        }
        let turn = self.turns;
        self.turns += 1;
        // None once closed: the task reports the end.
        Ok(AsyncTask::new(PooledBatch {
            source: self.pooled.clone(),
            turn,
            link: Arc::clone(&self.link),
        }))
    }

    /// Closes the input and ends the reading: the sync reader's thread
    /// stops at its next batch, an async one reads nothing more.
    #[napi]
    pub fn close(&mut self) {
        self.unstarted = None;
        self.batches = None;
        if let Some(pooled) = &self.pooled {
            pooled.lock().source = None;
        }
        self.done = true;
    }

    /// Batches read so far by the reader's thread or the pool tasks.
    #[napi(getter)]
    pub fn batches_read(&self) -> u32 {
        self.link.batches_read.load(Ordering::Relaxed)
    }
}

/// The source of an async-iterated `NativeReader`, shared with its pool
/// tasks, which read from it in turns: the order `nextBatchAsync` was
/// called in.
struct PooledSource {
    state: Mutex<PooledState>,
    /// Signalled at the end of each turn.
    turn_over: Condvar,
    options: ReadOptions,
}

struct PooledState {
    /// `None` once finished or closed.
    source: Option<BatchSource>,
    next_turn: u64,
}

impl PooledSource {
    fn lock(&self) -> MutexGuard<'_, PooledState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A task's hold on the source; ends its turn when dropped, also when
/// reading panics, so the next turn never waits for ever.
struct Turn<'a> {
    state: MutexGuard<'a, PooledState>,
    turn_over: &'a Condvar,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.state.next_turn += 1;
        self.turn_over.notify_all();
    }
}

/// Reads one batch of an async-iterated `NativeReader` on a libuv pool
/// thread: parses it and builds the chunks JS asked earlier batches for,
/// so the main thread only turns them into JS values.
pub struct PooledBatch {
    source: Option<Arc<PooledSource>>,
    /// Which batch, counted from 0: the task waits for the tasks of the
    /// batches before it to have read theirs. libuv starts tasks in the
    /// order they were queued, so it only ever waits for running ones.
    turn: u64,
    link: Arc<ReaderLink>,
}

impl Task for PooledBatch {
    type Output = ReadBatch;
    type JsValue = JsObject;

    fn compute(&mut self) -> napi::Result<ReadBatch> {
        let Some(pooled) = &self.source else {
            return Ok(ReadBatch::finished());
        };
        let mut state = pooled.lock();
        while state.next_turn < self.turn {
            state = pooled
                .turn_over
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
        let mut turn = Turn {
            state,
            turn_over: &pooled.turn_over,
        };
        let Some(source) = turn.state.source.as_mut() else {
            return Ok(ReadBatch::finished());
        };
        let mut batch = source.read_batch(pooled.options, &self.link);
        if batch.end {
            // Close the input now rather than when JS lets the reader go.
            turn.state.source = None;
        }
        // The next turn reads while this one builds its chunks.
        drop(turn);
        batch.store.prepare(&self.link);
        if let Some((start, _)) = batch.store.timing {
            batch.store.timing = Some((start, now_ms()));
        }
        Ok(batch)
    }

    /// `{store, errors, stop, end}`: the records (`null` when none), the
    /// records lenient mode skipped among them, the strict-mode error met
    /// after them (`null` when none), and whether the input is finished.
    fn resolve(&mut self, mut env: Env, batch: ReadBatch) -> napi::Result<JsObject> {
        let mut result = env.create_object()?;
        let errors = batch
            .errors
            .iter()
            .map(|e| to_js(&env, e))
            .collect::<napi::Result<Vec<_>>>()?;
        result.set_named_property("errors", errors)?;
        match &batch.stop {
            Some(e) => result.set_named_property("stop", to_js(&env, e)?)?,
            None => result.set_named_property("stop", env.get_null()?)?,
        }
        result.set_named_property("end", batch.end)?;
        let mut store = batch.store;
        if store.len() == 0 {
            result.set_named_property("store", env.get_null()?)?;
        } else {
            store.link = Some(Arc::clone(&self.link));
            store.report_memory(&mut env)?;
            result.set_named_property("store", store)?;
        }
        Ok(result)
    }
}

/// The core's parallel ISO 2709 reader as a `RecordReader`.
struct Parallel<R: std::io::Read>(ParallelReader<R>);

impl<R: std::io::Read> Iterator for Parallel<R> {
    type Item = CoreResult<mrrc_core::Record>;
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next()
    }
}

impl<R: std::io::Read + Send> RecordReader for Parallel<R> {
    fn warnings(&self) -> &[mrrc_core::Warning] {
        self.0.warnings()
    }
}

fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Reads a whole input on a libuv worker thread.
pub struct ReadTask {
    input: Option<Input>,
    format: Format,
    /// More than 1: ISO 2709 parsed by the core's `ParallelReader`.
    threads: usize,
    options: ReadOptions,
    failure: Option<CoreError>,
}

impl ReadTask {
    fn read_all(&mut self) -> CoreResult<RecordStore> {
        let start = now_ms();
        let input = self.input.take().unwrap_or(Input::Bytes(Vec::new()));
        let wanted = Wanted::by_async_reads();
        // Records kept as bytes (parsed again on demand), unless programs
        // here ask results for parsed records (see `KEEP_PARSED`).
        if self.threads == 1 && self.format == Format::Iso2709 && !wanted.keeps_parsed() {
            let bytes = match input {
                Input::Path(path) => {
                    read_whole(&path).map_err(|e| CoreError::from(e).with_message_prefix(&path))?
                }
                Input::Bytes(bytes) => bytes,
            };
            let mut store = RecordStore::read_iso2709(bytes, self.options)?;
            store.timing = Some((start, now_ms()));
            return Ok(store);
        }
        let input_bytes = match &input {
            Input::Path(path) => std::fs::metadata(path).map_or(0, |m| m.len() as usize),
            Input::Bytes(bytes) => bytes.len(),
        };
        let mut source: Source = if self.threads > 1 {
            match input {
                Input::Path(path) => Box::new(Parallel(ParallelReader::open(
                    &path,
                    self.options,
                    self.threads,
                )?)),
                Input::Bytes(bytes) => Box::new(Parallel(ParallelReader::new(
                    Cursor::new(bytes),
                    self.options,
                    self.threads,
                )?)),
            }
        } else {
            open(input, self.format, self.options)?
        };
        // Sized once for the input (records of about 1 KB, as in the LoC
        // file): growing the record list by doubling is a realloc per step
        // on each pool thread.
        let mut store = RecordStore::for_records(input_bytes / 1024 + 1);
        store.async_read = true;
        while let Some(next) = source.next() {
            match next {
                Ok(record) => {
                    let warnings = source.warnings().to_vec();
                    store.push(record, warnings);
                    store.prepare_read(wanted, false);
                }
                Err(e) if self.options.is_lenient() => store.errors.push(e),
                Err(e) => return Err(e),
            }
        }
        store.prepare_read(wanted, true);
        store.estimate_memory_ahead();
        store.timing = Some((start, now_ms()));
        Ok(store)
    }
}

impl Task for ReadTask {
    type Output = RecordStore;
    type JsValue = RecordStore;

    fn compute(&mut self) -> napi::Result<RecordStore> {
        self.read_all().map_err(|e| {
            let message = e.to_string();
            self.failure = Some(e);
            napi::Error::new(napi::Status::GenericFailure, message)
        })
    }

    fn resolve(&mut self, _env: Env, mut output: RecordStore) -> napi::Result<RecordStore> {
        output.defer_memory();
        Ok(output)
    }

    fn reject(&mut self, env: Env, err: napi::Error) -> napi::Result<RecordStore> {
        match self.failure.take() {
            Some(e) => Err(throw(&env, &e)),
            None => Err(err),
        }
    }
}

fn task(
    env: &mut Env,
    input: Input,
    options: Option<ReadOptionsObject>,
) -> napi::Result<AsyncTask<ReadTask>> {
    report_deferred(env)?;
    let (format, opts) = read_options(options.as_ref()).map_err(|e| throw(env, &e))?;
    let threads = options.as_ref().and_then(|o| o.threads).unwrap_or(1);
    if threads == 0 {
        return Err(throw(env, &invalid("threads must be at least 1")));
    }
    if threads > 1 && format != Format::Iso2709 {
        return Err(throw(
            env,
            &invalid(format!(
                "threads applies to iso2709 only, not {}",
                format.name()
            )),
        ));
    }
    Ok(AsyncTask::new(ReadTask {
        input: Some(input),
        format,
        threads: threads as usize,
        options: opts,
        failure: None,
    }))
}

/// Reads every record of a file on the libuv thread pool.
#[napi(ts_return_type = "Promise<RecordStore>")]
pub fn read_file(
    mut env: Env,
    path: String,
    options: Option<ReadOptionsObject>,
) -> napi::Result<AsyncTask<ReadTask>> {
    task(&mut env, Input::Path(path), options)
}

/// Reads every record of a buffer (copied first) on the libuv thread pool.
#[napi(ts_return_type = "Promise<RecordStore>")]
pub fn parse(
    mut env: Env,
    buffer: Buffer,
    options: Option<ReadOptionsObject>,
) -> napi::Result<AsyncTask<ReadTask>> {
    // Into a freed result's buffer when one is large enough (see
    // `spare.rs`): no fresh pages to fault in on the main thread.
    let mut bytes = crate::spare::take(buffer.len());
    bytes.extend_from_slice(&buffer);
    task(&mut env, Input::Bytes(bytes), options)
}

/// A pure-CPU loop (xorshift) as an `AsyncTask`: the benchmark's control
/// for `Promise.all` scaling, through the same path as `readFile`.
pub struct CpuControl {
    rounds: u64,
}

impl Task for CpuControl {
    type Output = f64;
    type JsValue = f64;

    fn compute(&mut self) -> napi::Result<f64> {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..self.rounds {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }
        Ok(std::hint::black_box(x) as f64)
    }

    fn resolve(&mut self, _env: Env, output: f64) -> napi::Result<f64> {
        Ok(output)
    }
}

/// Runs `millions` million rounds of a CPU loop on the libuv pool (the
/// benchmark's control; not part of the API in `index.js`).
#[napi(ts_return_type = "Promise<number>")]
pub fn cpu_control(millions: u32) -> AsyncTask<CpuControl> {
    AsyncTask::new(CpuControl {
        rounds: u64::from(millions) * 1_000_000,
    })
}

/// The external memory V8 counts for this isolate (what addons told it
/// with `napi_adjust_external_memory`, and its array buffers): for the
/// tests of when `readFile` results are reported (not part of the API in
/// `index.js`).
#[napi]
pub fn external_memory(mut env: Env) -> napi::Result<i64> {
    env.adjust_external_memory(0)
}
