//! One name per serialisation, and a reader or writer for any of them behind
//! one interface, so the CLI, the C ABI and the bindings pick a format by
//! name instead of each matching on it.

use std::fmt;
use std::io::{BufRead, Write};
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};
use crate::iso2709::{MarcReader, MarcWriter, WriteCharset, WriteOptions};
use crate::json::{JsonLayout, JsonReader, JsonWriter};
use crate::marcxml::{XmlReader, XmlWriter};
use crate::mrk::{MrkReader, MrkWriter};
use crate::msgpack::{MsgpackReader, MsgpackWriter};
use crate::options::ReadOptions;
use crate::record::Record;

/// A MARC serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ISO 2709 / MARC 21 transmission format (`.mrc`, `.marc`, `.dat`).
    Iso2709,
    /// MARCXML, MARC21 slim (`.xml`).
    MarcXml,
    /// MARC-in-JSON: one object or an array (`.json`). Reading also accepts
    /// newline-delimited records.
    Json,
    /// MARC-in-JSON, one record per line (`.ndjson`, `.jsonl`).
    Ndjson,
    /// The MARC-in-JSON structure as msgpack maps, concatenated (`.msgpack`).
    Msgpack,
    /// MARCMaker / MARCBreaker text (`.mrk`, `.txt`).
    Mrk,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Iso2709,
        Format::MarcXml,
        Format::Json,
        Format::Ndjson,
        Format::Msgpack,
        Format::Mrk,
    ];

    /// The name used on the command line and in the bindings.
    pub fn name(self) -> &'static str {
        match self {
            Format::Iso2709 => "iso2709",
            Format::MarcXml => "marcxml",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Msgpack => "msgpack",
            Format::Mrk => "mrk",
        }
    }

    /// Guesses the format from a file extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "mrc" | "marc" | "dat" | "iso" | "iso2709" | "utf8" => Format::Iso2709,
            "xml" | "marcxml" => Format::MarcXml,
            "json" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "msgpack" | "mpk" => Format::Msgpack,
            "mrk" | "mrk8" | "txt" => Format::Mrk,
            _ => return None,
        })
    }

    /// A streaming reader of this format.
    pub fn reader<'a, R>(self, input: R, options: ReadOptions) -> Box<dyn RecordReader + 'a>
    where
        R: BufRead + Send + 'a,
    {
        match self {
            Format::Iso2709 => Box::new(MarcReader::new(input, options)),
            Format::MarcXml => Box::new(XmlReader::new(input, options)),
            Format::Json | Format::Ndjson => Box::new(JsonReader::new(input, options)),
            Format::Msgpack => Box::new(MsgpackReader::new(input, options)),
            Format::Mrk => Box::new(MrkReader::new(input, options).with_mnemonics(true)),
        }
    }

    /// A reader of this format over bytes already in memory: ISO 2709 is
    /// parsed in place ([`SliceReader`](crate::iso2709::SliceReader), no
    /// copy into a read buffer), the other formats read from the bytes.
    pub fn bytes_reader<'a, B>(self, bytes: B, options: ReadOptions) -> Box<dyn RecordReader + 'a>
    where
        B: AsRef<[u8]> + Send + 'a,
    {
        match self {
            Format::Iso2709 => Box::new(crate::iso2709::SliceReader::new(bytes, options)),
            _ => self.reader(std::io::Cursor::new(bytes), options),
        }
    }

    /// A streaming writer of this format. `options.charset` other than UTF-8
    /// is only meaningful for ISO 2709 and is refused elsewhere.
    pub fn writer<'a, W>(
        self,
        output: W,
        options: WriteOptions,
    ) -> Result<Box<dyn RecordWriter + 'a>>
    where
        W: Write + Send + 'a,
    {
        if self != Format::Iso2709 && options.charset != WriteCharset::Utf8 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{} is always written as UTF-8", self.name()),
            ));
        }
        Ok(match self {
            Format::Iso2709 => Box::new(MarcWriter::new(output, options)),
            Format::MarcXml => Box::new(XmlWriter::new(output)),
            Format::Json => Box::new(JsonWriter::new(output)),
            Format::Ndjson => Box::new(JsonWriter::with_layout(output, JsonLayout::Lines)),
            Format::Msgpack => Box::new(MsgpackWriter::new(output)),
            Format::Mrk => Box::new(MrkWriter::new(output).with_mnemonics(true)),
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "iso2709" | "marc" | "mrc" | "marc21" | "binary" => Format::Iso2709,
            "marcxml" | "xml" => Format::MarcXml,
            "json" | "marc-in-json" | "mij" => Format::Json,
            "ndjson" | "jsonl" => Format::Ndjson,
            "msgpack" => Format::Msgpack,
            "mrk" | "marcmaker" | "marcbreaker" | "text" => Format::Mrk,
            other => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!(
                        "unknown format '{other}' (iso2709, marcxml, json, ndjson, msgpack, mrk)"
                    ),
                ))
            }
        })
    }
}

/// Any streaming record reader.
pub trait RecordReader: Iterator<Item = Result<Record>> + Send {
    /// Warnings about the record last returned (lenient repairs).
    fn warnings(&self) -> &[crate::Warning];

    /// The raw bytes of the record (or bad chunk) last returned, for the
    /// ISO 2709 readers; `None` for the other formats.
    fn last_record_bytes(&self) -> Option<&[u8]> {
        None
    }
}

impl<R: std::io::Read + Send> RecordReader for MarcReader<R> {
    fn warnings(&self) -> &[crate::Warning] {
        MarcReader::warnings(self)
    }
    fn last_record_bytes(&self) -> Option<&[u8]> {
        Some(MarcReader::last_record_bytes(self))
    }
}
impl<B: AsRef<[u8]> + Send> RecordReader for crate::iso2709::SliceReader<B> {
    fn warnings(&self) -> &[crate::Warning] {
        crate::iso2709::SliceReader::warnings(self)
    }
    fn last_record_bytes(&self) -> Option<&[u8]> {
        Some(crate::iso2709::SliceReader::last_record_bytes(self))
    }
}
impl<R: BufRead + Send> RecordReader for XmlReader<R> {
    fn warnings(&self) -> &[crate::Warning] {
        XmlReader::warnings(self)
    }
}
impl<R: BufRead + Send> RecordReader for JsonReader<R> {
    fn warnings(&self) -> &[crate::Warning] {
        JsonReader::warnings(self)
    }
}
impl<R: std::io::Read + Send> RecordReader for MsgpackReader<R> {
    fn warnings(&self) -> &[crate::Warning] {
        MsgpackReader::warnings(self)
    }
}
impl<R: BufRead + Send> RecordReader for MrkReader<R> {
    fn warnings(&self) -> &[crate::Warning] {
        MrkReader::warnings(self)
    }
}

/// Any streaming record writer.
pub trait RecordWriter: Send {
    fn write_record(&mut self, record: &Record) -> Result<()>;
    /// Writes what the format needs at the end (closing tags) and flushes.
    fn finish(self: Box<Self>) -> Result<()>;
}

macro_rules! record_writer {
    ($ty:ident) => {
        impl<W: Write + Send> RecordWriter for $ty<W> {
            fn write_record(&mut self, record: &Record) -> Result<()> {
                self.write(record)
            }
            fn finish(self: Box<Self>) -> Result<()> {
                (*self).finish().map(drop)
            }
        }
    };
}
record_writer!(MarcWriter);
record_writer!(XmlWriter);
record_writer!(JsonWriter);
record_writer!(MsgpackWriter);
record_writer!(MrkWriter);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Field, Indicators};

    fn sample() -> Record {
        let mut r = Record::new();
        r.leader = crate::Leader::from_bytes(b"00000nam a2200000   4500").unwrap();
        r.add_field(Field::control("001", "ocm123"));
        r.add_field(Field::data(
            "245",
            Indicators::new('1', '0'),
            [('a', "Les misérables /"), ('c', "Victor Hugo.")],
        ));
        r
    }

    #[test]
    fn every_format_writes_what_its_reader_reads_back() {
        for format in Format::ALL {
            let mut out = Vec::new();
            let mut w = format.writer(&mut out, WriteOptions::default()).unwrap();
            w.write_record(&sample()).unwrap();
            w.write_record(&sample()).unwrap();
            w.finish().unwrap();
            let back: Vec<Record> = format
                .reader(out.as_slice(), ReadOptions::strict())
                .collect::<Result<_>>()
                .unwrap_or_else(|e| panic!("{format}: {e}"));
            assert_eq!(back.len(), 2, "{format}");
            assert_eq!(back[0].fields(), sample().fields(), "{format}");
            assert_eq!(
                back[1].title().as_deref(),
                Some("Les misérables /"),
                "{format}"
            );
        }
    }

    #[test]
    fn bytes_readers_read_what_streaming_readers_read() {
        // ISO 2709 bytes held by the reader (parsed in place), against the
        // streaming reader: written records, and the damaged pymarc file in
        // both modes. (The other formats' bytes readers are their streaming
        // readers over a Cursor.)
        let damaged = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/pymarc_bad_records.mrc"),
        )
        .unwrap();
        let mut written = Vec::new();
        let mut w = Format::Iso2709
            .writer(&mut written, WriteOptions::default())
            .unwrap();
        w.write_record(&sample()).unwrap();
        w.write_record(&sample()).unwrap();
        w.finish().unwrap();
        let inputs = [
            (Format::Iso2709, damaged.clone(), ReadOptions::lenient()),
            (Format::Iso2709, damaged, ReadOptions::strict()),
            (Format::Iso2709, written, ReadOptions::strict()),
        ];
        for (format, bytes, options) in inputs {
            let streamed: Vec<_> = format.reader(bytes.as_slice(), options).collect();
            let mut held = format.bytes_reader(bytes, options);
            let mut count = 0;
            for want in &streamed {
                assert_eq!(held.next().as_ref(), Some(want), "{format}");
                count += 1;
            }
            assert!(held.next().is_none(), "{format}");
            assert!(count >= 1, "{format}");
        }
    }

    #[test]
    fn names_and_extensions() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>().unwrap(), format);
        }
        assert_eq!(
            Format::from_path(Path::new("a/b.XML")),
            Some(Format::MarcXml)
        );
        assert_eq!(
            Format::from_path(Path::new("x.jsonl")),
            Some(Format::Ndjson)
        );
        assert!("pdf".parse::<Format>().is_err());
        assert!(Format::Json
            .writer(
                Vec::new(),
                WriteOptions {
                    charset: WriteCharset::Marc8
                }
            )
            .is_err());
    }
}
