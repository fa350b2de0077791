//! Records out: one record to each format, and `NativeWriter` for streams of
//! records to a file or to memory.

use std::fs::File;
use std::io::{BufWriter, Write};

use mrrc_core::iso2709::{write_record, MarcWriter, WriteCharset, WriteOptions};
use mrrc_core::json::{record_to_json, JsonWriter};
use mrrc_core::marcxml::{record_to_xml, XmlWriter};
use mrrc_core::mrk::{record_to_mrk, MrkWriter};
use mrrc_core::msgpack::{record_to_msgpack, MsgpackWriter};
use mrrc_core::{Error as CoreError, Result as CoreResult};
use napi::bindgen_prelude::Buffer;
use napi::Env;
use napi_derive::napi;

use crate::error::{invalid, throw};
use crate::object::{format_from, Format};
use crate::store::RecordStore;

/// `"utf8"` (default: leader/09 becomes `a`), `"marc8"` or `"raw"`.
fn write_options(encoding: Option<&str>) -> CoreResult<WriteOptions> {
    let charset = match encoding.unwrap_or("utf8").to_ascii_lowercase().as_str() {
        "utf8" | "utf-8" => WriteCharset::Utf8,
        "marc8" | "marc-8" => WriteCharset::Marc8,
        "raw" | "latin1" | "iso-8859-1" => WriteCharset::Raw,
        other => return Err(invalid(format!("unknown output encoding {other:?}"))),
    };
    Ok(WriteOptions { charset })
}

#[napi]
impl RecordStore {
    /// ISO 2709 bytes of one record.
    #[napi]
    pub fn to_iso2709(&self, env: Env, index: u32, encoding: Option<String>) -> napi::Result<Buffer> {
        let options = write_options(encoding.as_deref()).map_err(|e| throw(&env, &e))?;
        let mut out = Vec::new();
        write_record(self.get(&env, index)?, &options, &mut out).map_err(|e| throw(&env, &e))?;
        Ok(out.into())
    }

    /// One `<record>` element (pymarc `record_to_xml`).
    #[napi]
    pub fn to_marc_xml(&self, env: Env, index: u32) -> napi::Result<String> {
        Ok(record_to_xml(self.get(&env, index)?))
    }

    /// MARC-in-JSON text (pymarc `as_json`).
    #[napi]
    pub fn to_json_string(&self, env: Env, index: u32) -> napi::Result<String> {
        Ok(record_to_json(self.get(&env, index)?))
    }

    #[napi]
    pub fn to_msgpack(&self, env: Env, index: u32) -> napi::Result<Buffer> {
        Ok(record_to_msgpack(self.get(&env, index)?).into())
    }

    /// MARCMaker text.
    #[napi]
    pub fn to_mrk(&self, env: Env, index: u32) -> napi::Result<String> {
        Ok(record_to_mrk(self.get(&env, index)?))
    }
}

/// A file, or memory handed back by `finish()`.
enum Sink {
    File(BufWriter<File>),
    Memory(Vec<u8>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Memory(v) => v.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Memory(_) => Ok(()),
        }
    }
}

enum AnyWriter {
    Iso2709(MarcWriter<Sink>),
    MarcXml(XmlWriter<Sink>),
    Json(JsonWriter<Sink>),
    Msgpack(MsgpackWriter<Sink>),
    Mrk(MrkWriter<Sink>),
}

/// Writes records in one format to a file (a path) or to memory (no path).
#[napi]
pub struct NativeWriter {
    writer: Option<AnyWriter>,
}

#[napi]
impl NativeWriter {
    #[napi(constructor)]
    pub fn new(env: Env, path: Option<String>, format: Option<String>, encoding: Option<String>) -> napi::Result<Self> {
        let build = || -> CoreResult<AnyWriter> {
            let sink = match &path {
                Some(p) => Sink::File(BufWriter::new(File::create(p).map_err(|e| {
                    let mut e = CoreError::from(e);
                    e.message = format!("{p}: {}", e.message);
                    e
                })?)),
                None => Sink::Memory(Vec::new()),
            };
            Ok(match format_from(format.as_deref())? {
                Format::Iso2709 => AnyWriter::Iso2709(MarcWriter::new(sink, write_options(encoding.as_deref())?)),
                Format::MarcXml => AnyWriter::MarcXml(XmlWriter::new(sink)),
                Format::Json => AnyWriter::Json(JsonWriter::new(sink)),
                Format::Msgpack => AnyWriter::Msgpack(MsgpackWriter::new(sink)),
                Format::Mrk => AnyWriter::Mrk(MrkWriter::new(sink)),
            })
        };
        let writer = build().map_err(|e| throw(&env, &e))?;
        Ok(NativeWriter { writer: Some(writer) })
    }

    /// Writes record `index` of `store`.
    #[napi]
    pub fn write(&mut self, env: Env, store: &RecordStore, index: u32) -> napi::Result<()> {
        let record = store.get(&env, index)?;
        let result = match self.writer.as_mut() {
            Some(AnyWriter::Iso2709(w)) => w.write(record),
            Some(AnyWriter::MarcXml(w)) => w.write(record),
            Some(AnyWriter::Json(w)) => w.write(record),
            Some(AnyWriter::Msgpack(w)) => w.write(record),
            Some(AnyWriter::Mrk(w)) => w.write(record),
            None => Err(invalid("the writer is finished")),
        };
        result.map_err(|e| throw(&env, &e))
    }

    /// Ends the output (closing element or bracket where the format has
    /// one); returns the bytes when writing to memory.
    #[napi]
    pub fn finish(&mut self, env: Env) -> napi::Result<Option<Buffer>> {
        let sink = match self.writer.take() {
            Some(AnyWriter::Iso2709(w)) => w.finish(),
            Some(AnyWriter::MarcXml(w)) => w.finish(),
            Some(AnyWriter::Json(w)) => w.finish(),
            Some(AnyWriter::Msgpack(w)) => w.finish(),
            Some(AnyWriter::Mrk(w)) => w.finish(),
            None => return Ok(None),
        };
        match sink.map_err(|e| throw(&env, &e))? {
            Sink::Memory(bytes) => Ok(Some(bytes.into())),
            Sink::File(mut f) => {
                f.flush().map_err(|e| throw(&env, &CoreError::from(e)))?;
                Ok(None)
            }
        }
    }
}
