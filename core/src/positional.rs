//! Reading a file with positional reads (`pread`) from an offset of its
//! own, so that whoever else holds the file's open description (a caller's
//! file object sharing it through `dup`) keeps its offset and buffer while
//! the reader runs. The bindings use it for a file object the user passed
//! in; the offset handle tells them how far reading got, so they can move
//! the object along.

#[cfg(unix)]
use std::fs::File;
#[cfg(unix)]
use std::io::Read;
#[cfg(unix)]
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A file read with positional reads from an offset kept here (Unix).
#[cfg(unix)]
pub struct PositionalFile {
    file: File,
    offset: ReadOffset,
}

/// The offset in its file of the next byte a [`PositionalFile`] will read
/// (its start plus everything read so far, read-ahead included). Cheap to
/// clone; readable from any thread while the reader runs.
#[derive(Clone, Debug)]
pub struct ReadOffset(Arc<AtomicU64>);

impl ReadOffset {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(unix)]
impl PositionalFile {
    /// Reads `file` from byte `offset` on (its own offset is not used).
    pub fn new(file: File, offset: u64) -> Self {
        PositionalFile {
            file,
            offset: ReadOffset(Arc::new(AtomicU64::new(offset))),
        }
    }

    /// A handle on how far this reader has read.
    pub fn offset(&self) -> ReadOffset {
        self.offset.clone()
    }
}

#[cfg(unix)]
impl Read for PositionalFile {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let at = self.offset.get();
        let n = self.file.read_at(out, at)?;
        self.offset.0.store(at + n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::{Seek, SeekFrom, Write};

    #[test]
    fn reads_from_its_offset_and_leaves_the_files_own_alone() {
        let path = std::env::temp_dir().join(format!("mrrc-positional-{}", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(b"0123456789")
            .unwrap();
        let mut own = std::fs::File::open(&path).unwrap();
        own.seek(SeekFrom::Start(2)).unwrap();
        let mut reader = PositionalFile::new(own.try_clone().unwrap(), 5);
        let offset = reader.offset();
        let mut got = String::new();
        reader.read_to_string(&mut got).unwrap();
        assert_eq!(got, "56789");
        assert_eq!(offset.get(), 10);
        // The descriptor's own offset (shared through the clone) is unmoved.
        assert_eq!(own.stream_position().unwrap(), 2);
        std::fs::remove_file(&path).unwrap();
    }
}
