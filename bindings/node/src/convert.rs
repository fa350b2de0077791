//! Records out: one record to each format, and `NativeWriter` for streams of
//! records to a file or to memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Arc, Mutex};

use mrrc_core::format::RecordWriter;
use mrrc_core::iso2709::{write_record, WriteCharset, WriteOptions};
use mrrc_core::json::record_to_json;
use mrrc_core::marcxml::record_to_xml;
use mrrc_core::mrk::record_to_mrk;
use mrrc_core::msgpack::record_to_msgpack;
use mrrc_core::{Error as CoreError, Result as CoreResult};
use napi::bindgen_prelude::Buffer;
use napi::Env;
use napi_derive::napi;

use crate::error::{invalid, throw};
use crate::object::format_from;
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
    pub fn to_iso2709(
        &self,
        env: Env,
        index: u32,
        encoding: Option<String>,
    ) -> napi::Result<Buffer> {
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

/// Memory the writer fills and `finish()` hands back.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut v = self.0.lock().unwrap_or_else(|p| p.into_inner());
        v.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes records in one format to a file (a path) or to memory (no path).
#[napi]
pub struct NativeWriter {
    writer: Option<Box<dyn RecordWriter>>,
    memory: Option<SharedBuffer>,
}

#[napi]
impl NativeWriter {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        path: Option<String>,
        format: Option<String>,
        encoding: Option<String>,
    ) -> napi::Result<Self> {
        let memory = path.is_none().then(SharedBuffer::default);
        let build = || -> CoreResult<Box<dyn RecordWriter>> {
            let format = format_from(format.as_deref())?;
            let options = write_options(encoding.as_deref())?;
            match (&path, &memory) {
                (Some(p), _) => {
                    let file = File::create(p).map_err(|e| {
                        let mut e = CoreError::from(e);
                        e.message = format!("{p}: {}", e.message);
                        e
                    })?;
                    format.writer(BufWriter::new(file), options)
                }
                (None, Some(m)) => format.writer(m.clone(), options),
                (None, None) => unreachable!("memory is set when there is no path"),
            }
        };
        let writer = build().map_err(|e| throw(&env, &e))?;
        Ok(NativeWriter {
            writer: Some(writer),
            memory,
        })
    }

    /// Writes record `index` of `store`.
    #[napi]
    pub fn write(&mut self, env: Env, store: &RecordStore, index: u32) -> napi::Result<()> {
        let record = store.get(&env, index)?;
        let result = match self.writer.as_mut() {
            Some(w) => w.write_record(record),
            None => Err(invalid("the writer is finished")),
        };
        result.map_err(|e| throw(&env, &e))
    }

    /// Ends the output (closing element or bracket where the format has
    /// one); returns the bytes when writing to memory.
    #[napi]
    pub fn finish(&mut self, env: Env) -> napi::Result<Option<Buffer>> {
        let Some(writer) = self.writer.take() else {
            return Ok(None);
        };
        writer.finish().map_err(|e| throw(&env, &e))?;
        Ok(self.memory.take().map(|m| {
            let bytes = std::mem::take(&mut *m.0.lock().unwrap_or_else(|p| p.into_inner()));
            bytes.into()
        }))
    }
}
