//! Chunks of a `readFile` / `parse` result built ahead of JS after the
//! promise settled, beside the main thread's work on the chunks before
//! them (see `README.md`, "Built after settling").
//!
//! The pool's read only checks each record (`SliceReader::next_checked`,
//! which finds what the full parse would, strict-mode errors included) and
//! keeps the input's bytes; it builds nothing else.
//! When JS asks a result for chunk `k` and the asks go in order, a thread
//! of the result's own (`mrrc-ahead`) reads the records of chunks
//! `k + 1 ..= k + WINDOW` again from those bytes (through views for
//! records checked clean, parsed for the others) and builds what JS has
//! asked this result for (field data, accessor values), while the main
//! thread turns chunk `k` into JS objects. When JS catches up with the
//! thread, the main thread builds the chunk itself (the thread skips it),
//! so neither waits for the other except for a chunk the thread is in the
//! middle of. The thread stops when the window is full (woken by the next
//! ask), when the last chunk is built, after [`IDLE`] without asks, and
//! when the result is freed.

use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use mrrc_core::ReadOptions;

use crate::layout::Encoder;
use crate::spare::Bytes;
use crate::store::{Accessor, Reread, Source, Wanted, CHUNK};

/// Chunks built ahead of the one JS asked for last.
const WINDOW: usize = 4;

/// How long the thread waits for an ask before it ends (the next ask in
/// order starts another): JS left the loop, or spends long on a chunk.
const IDLE: Duration = Duration::from_secs(1);

/// What one result shares with its builder thread.
pub(crate) struct Ahead {
    /// The input's bytes (shared with the store).
    raw: Arc<Bytes>,
    /// Where each record is in `raw`, and whether it was checked clean
    /// (its accessor values are then read from a view of its bytes);
    /// `None` for records held parsed (a chunk with one is left to the main
    /// thread).
    ranges: Vec<Option<(Range<usize>, bool)>>,
    options: ReadOptions,
    state: Mutex<State>,
    /// The thread waits here for asks.
    wake: Condvar,
    /// The main thread waits here for the chunk the thread is building.
    built: Condvar,
}

#[derive(Default)]
struct State {
    /// The chunks the thread may build (those after JS's last ask).
    window: Range<usize>,
    /// The next chunk the thread looks at.
    next: usize,
    /// The chunk the thread is building.
    building: Option<usize>,
    /// Built chunks not yet taken, by chunk number (at most `WINDOW + 1`).
    ready: Vec<(usize, Built)>,
    /// What JS asked this result for: what the thread builds.
    wanted: Wanted,
    /// The chunk JS asked for last.
    last_ask: Option<usize>,
    /// Chunks (field data or an accessor's values) handed to JS.
    taken: usize,
    running: bool,
    stop: bool,
}

/// One chunk's field data and accessor values.
#[derive(Default)]
struct Built {
    fields: Option<Encoder>,
    accessors: Vec<(Accessor, Encoder)>,
}

impl Built {
    fn is_empty(&self) -> bool {
        self.fields.is_none() && self.accessors.is_empty()
    }

    fn take(&mut self, what: Option<Accessor>) -> Option<Encoder> {
        match what {
            None => self.fields.take(),
            Some(a) => {
                let at = self.accessors.iter().position(|(x, _)| *x == a)?;
                Some(self.accessors.swap_remove(at).1)
            }
        }
    }
}

impl Ahead {
    pub(crate) fn new(
        raw: Arc<Bytes>,
        ranges: Vec<Option<(Range<usize>, bool)>>,
        options: ReadOptions,
    ) -> Self {
        Ahead {
            raw,
            ranges,
            options,
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            built: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn chunks(&self) -> usize {
        self.ranges.len().div_ceil(CHUNK)
    }

    /// JS asks for `what` (field data, or an accessor's values) of chunk
    /// `chunk`: returns it when the thread built it (waiting only for a
    /// chunk being built), `None` when the caller is to build it. An ask
    /// in order moves the thread's window on, starting the thread when
    /// needed; other asks (JS jumping about) build nothing ahead.
    /// With `take` false, nothing is taken (and counted) but the window
    /// moves as for any ask.
    pub(crate) fn ask(
        self: &Arc<Self>,
        chunk: usize,
        what: Option<Accessor>,
        take: bool,
    ) -> Option<Encoder> {
        let mut state = self.lock();
        // In order: the same chunk as last time or the next, or chunk 0
        // starting a loop (not reached from chunk 1: a loop going
        // backwards). A new loop builds only what it asks for.
        let in_order = state.last_ask.map_or(chunk == 0, |last| {
            chunk == last || chunk == last + 1 || (chunk == 0 && last != 1)
        });
        if chunk == 0 && state.last_ask.is_some_and(|last| last > 0) {
            state.wanted = Wanted::default();
        }
        state.wanted.add(what);
        state.last_ask = Some(chunk);
        while state.building == Some(chunk) {
            state = self.built.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        let found = state
            .ready
            .iter_mut()
            .find(|(c, _)| *c == chunk && take)
            .and_then(|(_, built)| built.take(what));
        state.taken += usize::from(found.is_some());
        if in_order {
            let window = chunk + 1..(chunk + 1 + WINDOW).min(self.chunks());
            state
                .ready
                .retain(|(c, _)| *c == chunk || window.contains(c));
            if !window.contains(&state.next) {
                state.next = window.start;
            }
            state.window = window;
            if state.next < state.window.end {
                if state.running {
                    self.wake.notify_one();
                } else {
                    state.running = true;
                    let ahead = Arc::clone(self);
                    let spawned = std::thread::Builder::new()
                        .name("mrrc-ahead".into())
                        .spawn(move || ahead.run());
                    if spawned.is_err() {
                        state.running = false;
                    }
                }
            }
        }
        found
    }

    /// Chunks the thread built that JS took.
    pub(crate) fn taken(&self) -> usize {
        self.lock().taken
    }

    /// Chunks built and not taken yet.
    pub(crate) fn ready(&self) -> usize {
        let state = self.lock();
        state.ready.iter().filter(|(_, b)| !b.is_empty()).count()
    }

    /// The result was freed (or edited in a way the thread cannot know):
    /// the thread ends.
    pub(crate) fn stop(&self) {
        let mut state = self.lock();
        state.stop = true;
        state.ready.clear();
        self.wake.notify_one();
    }

    /// The builder thread's loop.
    fn run(&self) {
        let mut state = self.lock();
        loop {
            if state.stop {
                break;
            }
            let c = state.next;
            if c >= self.chunks() {
                // The last chunk is built (a loop starting again from
                // chunk 0 starts another thread).
                break;
            }
            if !state.window.contains(&c) {
                let (s, wait) = self
                    .wake
                    .wait_timeout(state, IDLE)
                    .unwrap_or_else(|p| p.into_inner());
                state = s;
                if wait.timed_out() && !state.window.contains(&state.next) {
                    break;
                }
                continue;
            }
            state.next += 1;
            if state.ready.iter().any(|(r, _)| *r == c) {
                continue;
            }
            state.building = Some(c);
            let wanted = state.wanted;
            drop(state);
            // A panic must not leave `building` set: JS would wait for
            // the chunk for ever.
            let built =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.build(c, wanted)))
                    .ok()
                    .flatten();
            state = self.lock();
            state.building = None;
            if let Some(built) = built {
                if state.window.contains(&c) && !state.stop {
                    state.ready.push((c, built));
                }
            }
            self.built.notify_all();
        }
        state.running = false;
    }

    /// Builds `wanted` of chunk `c`'s records from their bytes: through a
    /// view when checked clean, else parsed again; `None` when a record is
    /// not kept as bytes.
    fn build(&self, c: usize, wanted: Wanted) -> Option<Built> {
        let end = self.ranges.len().min((c + 1) * CHUNK);
        let reread = self.ranges[c * CHUNK..end]
            .iter()
            .map(|kept| {
                let (range, checked) = kept.as_ref()?;
                Reread::of(&self.raw, range, *checked, &self.options)?.ok()
            })
            .collect::<Option<Vec<Reread>>>()?;
        let records: Vec<Source> = reread.iter().map(Reread::source).collect();
        let mut built = Built::default();
        for (what, encoder) in wanted.build_from(&records) {
            match what {
                None => built.fields = Some(encoder),
                Some(a) => built.accessors.push((a, encoder)),
            }
        }
        Some(built)
    }
}

/// The store's handle: stops the thread when the store goes.
pub(crate) struct AheadHandle(pub(crate) Arc<Ahead>);

impl Drop for AheadHandle {
    fn drop(&mut self) {
        self.0.stop();
    }
}
