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

use rayon::prelude::*;

use crate::error::{Error, ErrorKind, Result, Warning};
use crate::iso2709::{frame, parse_frame, Frame, Framing};
use crate::options::ReadOptions;
use crate::record::Record;

/// Frames every record in `bytes` (`eof` says whether more input follows).
/// Returns the frames and where framing stopped.
fn frames(bytes: &[u8], eof: bool) -> (Vec<Frame>, usize) {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        match frame(bytes, pos, eof) {
            Framing::Frame(f) => {
                pos = f.range.end;
                out.push(f);
            }
            Framing::End => return (out, bytes.len()),
            Framing::NeedMore => return (out, pos),
        }
    }
}

/// The byte ranges of the records in `bytes`, bad ones included (each range
/// is what the streaming reader would return as one record or one error).
pub fn split_records(bytes: &[u8]) -> Vec<Range<usize>> {
    frames(bytes, true).0.into_iter().map(|f| f.range).collect()
}

fn parse_frames(
    bytes: &[u8],
    frames: &[Frame],
    options: &ReadOptions,
    first_index: u64,
    offset: u64,
) -> Vec<(Result<Record>, Vec<Warning>)> {
    frames
        .par_iter()
        .enumerate()
        .map(|(i, f)| {
            let index = first_index + i as u64;
            let start = offset + f.range.start as u64;
            let mut warnings = Vec::new();
            let result = parse_frame(&bytes[f.range.clone()], f.defect, options, &mut warnings)
                .map_err(|e| e.with_record(index).shifted(start));
            for w in &mut warnings {
                w.position.record_index.get_or_insert(index);
                w.position.byte_offset = Some(w.position.byte_offset.unwrap_or(0) + start);
            }
            (result, warnings)
        })
        .collect()
}

/// Parses every record in `bytes` on rayon's global pool, in input order.
pub fn parse_all(bytes: &[u8], options: &ReadOptions) -> Vec<Result<Record>> {
    let (frames, _) = frames(bytes, true);
    parse_frames(bytes, &frames, options, 0, 0)
        .into_iter()
        .map(|(r, _)| r)
        .collect()
}

/// Reads a stream in large chunks, splits each at record boundaries, parses
/// the records of a chunk in parallel and yields them in order.
pub struct ParallelReader<R: Read> {
    inner: R,
    options: ReadOptions,
    pool: rayon::ThreadPool,
    chunk_size: usize,
    buf: Vec<u8>,
    buf_offset: u64,
    eof: bool,
    failed: bool,
    pending: VecDeque<(Result<Record>, Vec<Warning>)>,
    warnings: Vec<Warning>,
    records_read: u64,
    records_framed: u64,
}

const DEFAULT_CHUNK: usize = 8 << 20;

impl ParallelReader<File> {
    /// Opens a file; `threads` = 0 means one per core.
    pub fn open(path: impl AsRef<Path>, options: ReadOptions, threads: usize) -> Result<Self> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| {
            Error::new(
                ErrorKind::Io,
                format!("cannot open {}: {e}", path.display()),
            )
        })?;
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
            buf: Vec::new(),
            buf_offset: 0,
            eof: false,
            failed: false,
            pending: VecDeque::new(),
            warnings: Vec::new(),
            records_read: 0,
            records_framed: 0,
        })
    }

    /// Bytes read per batch (default 8 MiB; at least 64 KiB).
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(64 << 10);
        self
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

    /// Reads until the buffer holds `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while self.buf.len() < want && !self.eof {
            let old = self.buf.len();
            self.buf.resize(want, 0);
            match self.inner.read(&mut self.buf[old..]) {
                Ok(0) => {
                    self.buf.truncate(old);
                    self.eof = true;
                }
                Ok(n) => self.buf.truncate(old + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => self.buf.truncate(old),
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Reads and parses the next batch into `pending`.
    fn next_batch(&mut self) -> std::io::Result<()> {
        let mut want = self.chunk_size;
        loop {
            self.fill(want)?;
            let (frames, used) = frames(&self.buf, self.eof);
            if frames.is_empty() && !self.eof {
                // A record larger than the chunk: read more.
                want = self.buf.len() * 2;
                continue;
            }
            let results = {
                let (buf, options) = (&self.buf, &self.options);
                let (first, offset) = (self.records_framed, self.buf_offset);
                self.pool
                    .install(|| parse_frames(buf, &frames, options, first, offset))
            };
            self.records_framed += frames.len() as u64;
            self.pending.extend(results);
            self.buf.drain(..used);
            self.buf_offset += used as u64;
            return Ok(());
        }
    }
}

impl<R: Read> Iterator for ParallelReader<R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        while self.pending.is_empty() {
            if self.failed || (self.eof && self.buf.is_empty()) {
                return None;
            }
            if let Err(e) = self.next_batch() {
                self.failed = true;
                return Some(Err(Error::from(e)
                    .with_record(self.records_framed)
                    .with_offset(self.buf_offset)));
            }
            if self.eof && self.pending.is_empty() {
                self.buf.clear();
                return None;
            }
        }
        let (result, warnings) = self.pending.pop_front()?;
        self.warnings = warnings;
        self.records_read += 1;
        Some(result)
    }
}
