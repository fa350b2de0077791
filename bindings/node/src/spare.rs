//! The input buffers of freed `readFile` results, reused by the next reads
//! for a short while. A `readFile` of ISO 2709 keeps its input's bytes
//! (see `RecordStore::read_iso2709`); for a large file (the 50,000 LoC
//! records: 48 MB) glibc maps fresh memory for each read and unmaps it
//! when the result is freed, so each read paid a page fault and the
//! kernel's zeroing for every 4 KB before copying the file into it.

use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Buffers smaller than this are freed as usual (the sync reader's
/// batches, small files).
const MIN: usize = 4 << 20;
/// Buffers kept at most (two: `Promise.all` over two files).
const KEEP: usize = 2;
/// Kept buffers are freed once no read took or gave one for this long.
const LINGER: Duration = Duration::from_secs(2);

struct Spares {
    buffers: Vec<Vec<u8>>,
    last_use: Option<Instant>,
    janitor: bool,
}

static SPARES: Mutex<Spares> = Mutex::new(Spares {
    buffers: Vec::new(),
    last_use: None,
    janitor: false,
});

fn lock() -> MutexGuard<'static, Spares> {
    SPARES.lock().unwrap_or_else(|p| p.into_inner())
}

/// An empty buffer with room for at least `len` bytes: a kept one when
/// one is large enough and at most twice that (the smallest such), else a
/// new one (always for less than [`MIN`]).
pub(crate) fn take(len: usize) -> Vec<u8> {
    if len < MIN {
        return Vec::with_capacity(len);
    }
    let mut spares = lock();
    spares.last_use = Some(Instant::now());
    let fits = |capacity: usize| capacity >= len && capacity / 2 <= len;
    let best = (0..spares.buffers.len())
        .filter(|&i| fits(spares.buffers[i].capacity()))
        .min_by_key(|&i| spares.buffers[i].capacity());
    match best {
        Some(i) => {
            let mut buffer = spares.buffers.swap_remove(i);
            buffer.clear();
            buffer
        }
        None => Vec::with_capacity(len),
    }
}

/// Keeps `buffer` for the next reads (the largest [`KEEP`]), for
/// [`LINGER`] after the last use.
fn give(buffer: Vec<u8>) {
    let dropped = {
        let mut spares = lock();
        spares.last_use = Some(Instant::now());
        spares.buffers.push(buffer);
        let dropped = (spares.buffers.len() > KEEP).then(|| {
            let smallest = (0..spares.buffers.len())
                .min_by_key(|&i| spares.buffers[i].capacity())
                .unwrap_or(0);
            spares.buffers.swap_remove(smallest)
        });
        if !spares.janitor {
            spares.janitor = std::thread::Builder::new()
                .name("mrrc-spare".into())
                .spawn(janitor)
                .is_ok();
            if !spares.janitor {
                spares.buffers.clear();
            }
        }
        dropped
    };
    drop(dropped);
}

/// Frees the kept buffers once unused for [`LINGER`], then ends.
fn janitor() {
    loop {
        std::thread::sleep(LINGER);
        let freed = {
            let mut spares = lock();
            if spares.last_use.is_some_and(|t| t.elapsed() < LINGER) {
                continue;
            }
            spares.janitor = false;
            std::mem::take(&mut spares.buffers)
        };
        drop(freed);
        return;
    }
}

/// Bytes that go back to [`take`]'s buffers when freed (when large).
#[derive(Clone, Default)]
pub(crate) struct Bytes(pub(crate) Vec<u8>);

impl Deref for Bytes {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for Bytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        if self.0.capacity() >= MIN {
            give(std::mem::take(&mut self.0));
        }
    }
}
