//! Parsing many ISO 2709 records on several threads.
//!
//! Records are framed first (a cheap sequential pass: one byte compared per
//! record, memchr where lengths lie), then parsed with rayon. Results keep
//! input order, and errors carry the same record index and absolute byte
//! offset the streaming [`MarcReader`](crate::iso2709::MarcReader) gives.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result, Warning};
use crate::iso2709::{frame, parse_frame_at, Frame, Framing, Group};
use crate::options::ReadOptions;
use crate::record::Record;

/// Frames every record in `bytes` (`eof` says whether more input follows).
/// Returns the frames and where framing stopped.
fn frames(bytes: &[u8], eof: bool) -> (Vec<Frame>, usize) {
    let mut out = Vec::new();
    let pos = frame_from(bytes, 0, usize::MAX, eof, &mut out);
    (out, pos)
}

/// Frames records from `pos` into `out` until one ends at or past `stop` (or
/// the input does); returns where framing stopped.
fn frame_from(bytes: &[u8], mut pos: usize, stop: usize, eof: bool, out: &mut Vec<Frame>) -> usize {
    while pos < stop {
        match frame(bytes, pos, eof) {
            Framing::Frame(f) => {
                pos = f.range.end;
                out.push(f);
            }
            Framing::End => return bytes.len(),
            Framing::NeedMore => return pos,
        }
    }
    pos
}

/// Pieces a thread frames at once (see [`frame_interleaved`]): 16 framed
/// the LoC file no slower than 8 without the prefetch, and faster with it.
const LANES: usize = 16;

/// Below this many bytes a piece is not worth a lane of its own.
const MIN_PIECE: usize = 64 << 10;

/// [`frame_from`] on several pieces of a whole buffer at once, one record of
/// each in turn. Framing a record reads its leader and the byte its length
/// points at, about a kilobyte on, so a single framing walk waits on memory
/// once per record, each wait depending on the last; walks over separate
/// pieces do not depend on one another, so their waits overlap. Measured on
/// the LoC file (`split_records`, CPU time per pass, `workload_loop ...
/// split`, medians of seven): one walk 43-52 ms, sixteen at once 28-31 ms,
/// and 18-24 ms with each walk prefetching the last byte of its next record
/// a round ahead (a memchr pass over every byte, as before, took 31 ms).
fn frame_interleaved(bytes: &[u8], pieces: &[(usize, usize)]) -> Vec<Vec<Frame>> {
    // Room for records of 512 bytes (MARC 21 bibliographic ones average
    // about a kilobyte), so that few lanes grow and copy their frames.
    let mut out: Vec<Vec<Frame>> = pieces
        .iter()
        .map(|&(start, stop)| Vec::with_capacity(stop.saturating_sub(start) / 512))
        .collect();
    let mut pos: Vec<usize> = pieces.iter().map(|&(start, _)| start).collect();
    let mut busy = true;
    while busy {
        busy = false;
        for ((&(_, stop), at), frames) in pieces.iter().zip(&mut pos).zip(&mut out) {
            if *at >= stop {
                continue;
            }
            // The whole input is here: framing never asks for more.
            match frame(bytes, *at, true) {
                Framing::Frame(f) => {
                    *at = f.range.end;
                    frames.push(f);
                    busy = true;
                    // The next record's last byte, wanted next round.
                    crate::prefetch::prefetch_record_end(bytes, *at);
                }
                _ => *at = stop,
            }
        }
    }
    out
}

/// [`frames`] of a whole buffer, on the current pool's threads: the buffer
/// is cut into pieces, each starting just after the first record terminator
/// past its nominal start, and each thread frames [`LANES`] pieces at once
/// ([`frame_interleaved`]). Framing from a position depends on the bytes from
/// there on only, so a piece whose start is where the frames before it end
/// gives exactly the frames one walk would; where a record straddles the
/// guess (a lying length, a stray terminator) the frames from the true
/// position are made again on this thread. Framed on one thread up front,
/// `par_records` on 2 threads reached 1.60x `MarcReader` on the LoC file;
/// framed in pieces (one walk per thread, session 3), 1.80x; framed by
/// interleaved walks, 1.85x `SliceReader` (`ratios`, session 5).
fn frames_whole(bytes: &[u8], threads: usize) -> Vec<Frame> {
    let pieces = (threads * LANES).min(bytes.len() / MIN_PIECE);
    if pieces < 2 {
        return frames(bytes, true).0;
    }
    let mut starts = vec![0];
    for k in 1..pieces {
        let from = (bytes.len() / pieces * k).max(*starts.last().unwrap_or(&0));
        match memchr::memchr(crate::iso2709::RECORD_TERMINATOR, &bytes[from..]) {
            Some(t) if from + t + 1 < bytes.len() => starts.push(from + t + 1),
            _ => break,
        }
    }
    starts.dedup();
    let stops: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain([bytes.len()])
        .collect();
    let spans: Vec<(usize, usize)> = starts.iter().copied().zip(stops).collect();
    let guessed: Vec<Vec<Frame>> = if threads > 1 {
        spans
            .par_chunks(spans.len().div_ceil(threads))
            .flat_map_iter(|lanes| frame_interleaved(bytes, lanes))
            .collect()
    } else {
        frame_interleaved(bytes, &spans)
    };
    let mut out = Vec::with_capacity(guessed.iter().map(Vec::len).sum());
    let mut pos = 0;
    for (&(start, stop), piece) in spans.iter().zip(guessed) {
        if pos == start {
            out.extend(piece);
            pos = out.last().map_or(pos, |f| f.range.end);
        } else if pos < stop {
            pos = frame_from(bytes, pos, stop, true, &mut out);
        }
    }
    out
}

/// The byte ranges of the records in `bytes`, bad ones included (each range
/// is what the streaming reader would return as one record or one error).
/// Framed on the calling thread: unlike `par_records` and `parse_all`, this
/// takes no pool.
pub fn split_records(bytes: &[u8]) -> Vec<Range<usize>> {
    frames_whole(bytes, 1)
        .into_iter()
        .map(|f| f.range)
        .collect()
}

/// One parsed record of a batch, with its warnings and where it lay.
struct Parsed {
    result: Result<Record>,
    warnings: Vec<Warning>,
    /// Absolute offset of the record's first byte.
    offset: u64,
    /// The record's raw bytes, when the reader keeps them.
    bytes: Vec<u8>,
}

/// Records parsed together: clean ones share one text buffer (see
/// `Group`), so a pool thread makes a few allocations per group instead of
/// three per record: freeing them falls to the caller's thread, and glibc's
/// malloc is slow with memory freed on another thread than the one that
/// took it (measured: parsing each record alone cost 26% to 44% more CPU). Each
/// record's field list is made on the pool thread too: handing the group's
/// fields over in one list for the caller to split cost more (about 60 ns
/// per record of CPU, most of it on the caller's thread). A record kept alone
/// keeps its group's text (about 16 KB) alive.
const GROUP: usize = 16;

fn parse_frames(
    bytes: &[u8],
    frames: &[Frame],
    options: &ReadOptions,
    first_index: u64,
    offset: u64,
    keep_bytes: bool,
) -> Vec<Vec<Parsed>> {
    // One Vec per group, collected in place (a flattening collect would
    // copy every result once more).
    frames
        .par_chunks(GROUP)
        .enumerate()
        .map(|(k, chunk)| {
            let chunk_bytes = chunk.iter().map(|f| f.range.len()).sum();
            let mut group = Group::with_capacity(chunk_bytes);
            let mut in_group = Vec::with_capacity(chunk.len());
            let mut parsed: Vec<Parsed> = chunk
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let index = first_index + (k * GROUP + i) as u64;
                    let start = offset + f.range.start as u64;
                    let mut warnings = Vec::new();
                    let before = group.len();
                    let rec = &bytes[f.range.clone()];
                    let result = parse_frame_at(
                        rec,
                        f.defect,
                        options,
                        &mut warnings,
                        Some(&mut group),
                        index,
                        start,
                    );
                    in_group.push(group.len() > before);
                    Parsed {
                        result,
                        warnings,
                        offset: start,
                        bytes: if keep_bytes { rec.to_vec() } else { Vec::new() },
                    }
                })
                .collect();
            if group.len() > 0 {
                let waiting = parsed.iter_mut().zip(in_group).filter(|(_, g)| *g);
                for ((p, _), record_fields) in waiting.zip(group.finish()) {
                    if let Ok(record) = &mut p.result {
                        record.set_fields(record_fields);
                    }
                }
            }
            parsed
        })
        .collect()
}

/// One record of [`par_records`]: where it lay, and what parsing gave.
#[derive(Debug)]
pub struct ParsedRecord {
    /// The record's position in the input, from 0.
    pub index: u64,
    /// Offset of the record's first byte in the input.
    pub offset: u64,
    /// The record, or the error (with `index` and `offset` in it).
    pub result: Result<Record>,
    /// What lenient mode repaired, with positions in the input.
    pub warnings: Vec<Warning>,
}

/// Every record of `bytes` as a rayon parallel iterator: framed in pieces
/// on the current pool (see `frames_whole`), then parsed on it, in input
/// order (the iterator is indexed, so `collect` keeps the order and each item
/// knows its index).
///
/// Work done on the records in the same pipeline (`for_each`, `map`, `fold`)
/// runs on the thread that parsed them, where they are also dropped: nothing
/// crosses threads but the record's bytes, which is why this scales with the
/// cores (measured: `ratios`, "par_records"), where a reader that hands every
/// record to one consuming thread cannot.
///
/// ```
/// use mrrc_core::iso2709::MarcReader;
/// use mrrc_core::parallel::par_records;
/// use mrrc_core::ReadOptions;
/// use rayon::prelude::*;
///
/// let bytes = std::fs::read("tests/data/marc4j_pride_and_prejudice_fixed.mrc").unwrap();
/// let options = ReadOptions::strict();
/// let titles: Vec<Option<String>> = par_records(&bytes, &options)
///     .map(|p| p.result.ok().and_then(|r| r.title()))
///     .collect();
/// let one_by_one: Vec<Option<String>> = MarcReader::new(&bytes[..], options)
///     .map(|r| r.ok().and_then(|r| r.title()))
///     .collect();
/// assert!(titles.len() > 1);
/// assert_eq!(titles, one_by_one);
/// ```
pub fn par_records<'a>(
    bytes: &'a [u8],
    options: &'a ReadOptions,
) -> impl IndexedParallelIterator<Item = ParsedRecord> + 'a {
    let frames = frames_whole(bytes, rayon::current_num_threads());
    (0..frames.len())
        .into_par_iter()
        // Enough records per task that the pool's bookkeeping stays small.
        .with_min_len(64)
        .map(move |index| {
            let f = &frames[index];
            // A task parses a run of consecutive frames: the bytes ahead are
            // its next records (see `prefetch`), and parsing reads a
            // record's last byte first.
            crate::prefetch::prefetch_ahead(bytes, f.range.clone());
            if let Some(after_next) = frames.get(index + 2) {
                let end = after_next.range.end;
                crate::prefetch::prefetch(&bytes[end - 1..end]);
            }
            let offset = f.range.start as u64;
            let index = index as u64;
            let mut warnings = Vec::new();
            let result = parse_frame_at(
                &bytes[f.range.clone()],
                f.defect,
                options,
                &mut warnings,
                None,
                index,
                offset,
            );
            ParsedRecord {
                index,
                offset,
                result,
                warnings,
            }
        })
}

/// Parses every record in `bytes` on rayon's global pool, in input order.
///
/// Records are parsed in groups of 16 whose text is one buffer: a record
/// kept after the others are dropped keeps its group's text (about 16 KB
/// for MARC 21 bibliographic records) alive. The same holds for
/// [`ParallelReader`].
pub fn parse_all(bytes: &[u8], options: &ReadOptions) -> Vec<Result<Record>> {
    let frames = frames_whole(bytes, rayon::current_num_threads());
    parse_frames(bytes, &frames, options, 0, 0, false)
        .into_iter()
        .flatten()
        .map(|p| p.result)
        .collect()
}

/// One chunk's records, parsed, with the chunk's buffer (to be reused).
struct Batch {
    results: Vec<Vec<Parsed>>,
    buffer: Vec<u8>,
}

/// Reads a stream in large chunks, splits each at record boundaries, parses
/// the records of a chunk in parallel and yields them in order.
///
/// Reading and framing happen on the caller's thread, which then hands the
/// chunk to the pool and goes on reading the next one (a few chunks are in
/// flight at once), so reading, parsing and the caller's own work on the
/// records overlap. Records share their text in groups of 16, as with
/// [`parse_all`].
pub struct ParallelReader<R: Read> {
    inner: R,
    options: ReadOptions,
    pool: rayon::ThreadPool,
    chunk_size: usize,
    /// The start of a record cut by the end of the last chunk.
    carry: Vec<u8>,
    /// Absolute offset of `carry[0]`.
    carry_offset: u64,
    eof: bool,
    /// No more chunks will be read (end of input or an I/O error).
    input_done: bool,
    /// An I/O error, returned once the records read before it are.
    io_error: Option<Error>,
    failed: bool,
    in_flight: VecDeque<mpsc::Receiver<Batch>>,
    groups: std::vec::IntoIter<Vec<Parsed>>,
    current: std::vec::IntoIter<Parsed>,
    spare_buffers: Vec<Vec<u8>>,
    warnings: Vec<Warning>,
    keep_bytes: bool,
    last_bytes: Vec<u8>,
    last_offset: u64,
    records_read: u64,
    records_framed: u64,
}

/// Small enough that a chunk read on the caller's thread is still in the
/// shared cache when a pool thread parses it, and its records when the
/// caller takes them (4 MiB chunks cost about a third more CPU time).
const DEFAULT_CHUNK: usize = 512 << 10;

impl ParallelReader<File> {
    /// Opens a file; `threads` = 0 means one per core.
    pub fn open(path: impl AsRef<Path>, options: ReadOptions, threads: usize) -> Result<Self> {
        let file = crate::error::open_file(path.as_ref())?;
        ParallelReader::new(file, options, threads)
    }
}

impl<R: Read> ParallelReader<R> {
    /// `threads` = 0 means one per core.
    pub fn new(inner: R, options: ReadOptions, threads: usize) -> Result<Self> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::new(ErrorKind::InvalidArgument, format!("thread pool: {e}")))?;
        Ok(ParallelReader {
            inner,
            options,
            pool,
            chunk_size: DEFAULT_CHUNK,
            carry: Vec::new(),
            carry_offset: 0,
            eof: false,
            input_done: false,
            io_error: None,
            failed: false,
            in_flight: VecDeque::new(),
            groups: Vec::new().into_iter(),
            current: Vec::new().into_iter(),
            spare_buffers: Vec::new(),
            warnings: Vec::new(),
            keep_bytes: false,
            last_bytes: Vec::new(),
            last_offset: 0,
            records_read: 0,
            records_framed: 0,
        })
    }

    /// Bytes read per batch (default 512 KiB; at least 64 KiB).
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(64 << 10);
        self
    }

    /// Keep each record's raw bytes for [`last_record_bytes`](Self::last_record_bytes)
    /// (copied on the pool's threads; off by default).
    pub fn with_record_bytes(mut self, keep: bool) -> Self {
        self.keep_bytes = keep;
        self
    }

    /// The raw bytes of the record (or bad chunk) last returned; empty unless
    /// [`with_record_bytes`](Self::with_record_bytes) asked for them.
    pub fn last_record_bytes(&self) -> &[u8] {
        &self.last_bytes
    }

    /// Input offset of the record (or bad chunk) last returned.
    pub fn last_record_offset(&self) -> u64 {
        self.last_offset
    }

    /// Threads in the pool.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Warnings of the record last returned.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Records, good or bad, returned so far.
    pub fn records_read(&self) -> u64 {
        self.records_read
    }

    /// Reads into `buf` until it holds `want` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        if buf.len() >= want || self.eof {
            return Ok(());
        }
        let limit = want - buf.len();
        buf.reserve(limit);
        // `read_to_end` reads files and slices straight into the spare
        // capacity (no zeroing of the chunk first) and keeps what it read
        // before an error.
        let n = (&mut self.inner).take(limit as u64).read_to_end(buf)?;
        if n < limit {
            self.eof = true;
        }
        Ok(())
    }

    /// Reads and frames the next chunk and hands it to the pool.
    fn submit(&mut self) -> std::io::Result<()> {
        let mut buf = self.spare_buffers.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&self.carry);
        self.carry.clear();
        let mut want = self.chunk_size.max(buf.len());
        let (frames, used) = loop {
            if let Err(e) = self.fill(&mut buf, want) {
                // Keep what was read for a caller that retries.
                self.carry = buf;
                return Err(e);
            }
            let (frames, used) = frames(&buf, self.eof);
            if frames.is_empty() && !self.eof {
                // A record larger than the chunk: read more.
                want = buf.len() * 2;
                continue;
            }
            break (frames, used);
        };
        self.carry.extend_from_slice(&buf[used..]);
        if self.eof {
            // Framing at the end of input takes every byte.
            self.carry.clear();
            self.input_done = true;
        }
        if frames.is_empty() {
            self.spare_buffers.push(buf);
            return Ok(());
        }
        let (first, offset) = (self.records_framed, self.carry_offset);
        self.records_framed += frames.len() as u64;
        self.carry_offset += used as u64;
        let options = self.options;
        let keep = self.keep_bytes;
        let (tx, rx) = mpsc::sync_channel(1);
        self.pool.spawn(move || {
            let results = parse_frames(&buf, &frames, &options, first, offset, keep);
            // The reader may have been dropped: nothing to do then.
            let _ = tx.send(Batch {
                results,
                buffer: buf,
            });
        });
        self.in_flight.push_back(rx);
        Ok(())
    }

    /// Keeps a few chunks in flight.
    fn top_up(&mut self) {
        let depth = self.pool.current_num_threads() + 1;
        while !self.input_done && self.in_flight.len() < depth {
            if let Err(e) = self.submit() {
                self.input_done = true;
                self.io_error = Some(
                    Error::from(e)
                        .with_record(self.records_framed)
                        .with_offset(self.carry_offset),
                );
            }
        }
    }
}

impl<R: Read> Iterator for ParallelReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        loop {
            if let Some(parsed) = self.current.next() {
                self.warnings = parsed.warnings;
                self.last_bytes = parsed.bytes;
                self.last_offset = parsed.offset;
                self.records_read += 1;
                return Some(parsed.result);
            }
            if let Some(group) = self.groups.next() {
                self.current = group.into_iter();
                continue;
            }
            if self.failed {
                return None;
            }
            self.top_up();
            let Some(rx) = self.in_flight.pop_front() else {
                self.failed = true;
                return self.io_error.take().map(Err);
            };
            match rx.recv() {
                Ok(batch) => {
                    self.groups = batch.results.into_iter();
                    self.spare_buffers.push(batch.buffer);
                    // Start the next chunk before handing out this one.
                    self.top_up();
                }
                Err(_) => {
                    self.failed = true;
                    return Some(Err(Error::new(
                        ErrorKind::Io,
                        "a parsing thread stopped without a result",
                    )
                    .with_record(self.records_read)));
                }
            }
        }
    }
}
