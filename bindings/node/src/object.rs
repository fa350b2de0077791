//! Plain JS objects in, core types out: fields and records in the
//! @natlibfi/marc-record shape, and reader options.

use mrrc_core::format::Format;
use mrrc_core::{
    Charset, Error as CoreError, Field, Indicators, Leader, Mode, ReadOptions, Record,
};
use napi_derive::napi;

use crate::error::invalid;

/// `{code, value}`.
#[napi(object)]
pub struct SubfieldObject {
    pub code: String,
    pub value: String,
}

/// `{tag, value}` for a control field or `{tag, ind1, ind2, subfields}`.
#[napi(object)]
pub struct FieldObject {
    pub tag: String,
    pub value: Option<String>,
    pub ind1: Option<String>,
    pub ind2: Option<String>,
    pub subfields: Option<Vec<SubfieldObject>>,
}

/// `{leader, fields}`.
#[napi(object)]
pub struct RecordObject {
    pub leader: Option<String>,
    pub fields: Vec<FieldObject>,
}

/// `{format, lenient, encoding}` of `MarcReader`, `readFile` and `parse`.
#[napi(object)]
#[derive(Default)]
pub struct ReadOptionsObject {
    pub format: Option<String>,
    pub lenient: Option<bool>,
    pub encoding: Option<String>,
    /// `readFile` / `parse` of ISO 2709: parse on this many threads (the
    /// core's `ParallelReader`); 1 or absent: the streaming reader.
    pub threads: Option<u32>,
}

fn one_char(s: Option<&str>, what: &str) -> Result<char, CoreError> {
    let s = s.unwrap_or(" ");
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        (None, _) => Ok(' '),
        _ => Err(invalid(format!("{what} must be one character, got {s:?}"))),
    }
}

pub fn field_from_object(f: &FieldObject) -> Result<Field, CoreError> {
    if f.tag.is_empty() {
        return Err(invalid("a field needs a tag"));
    }
    match (&f.value, &f.subfields) {
        (Some(value), None) => Ok(Field::control(f.tag.as_str(), value.as_str())),
        (None, Some(subfields)) => {
            let ind = Indicators::new(
                one_char(f.ind1.as_deref(), "ind1")?,
                one_char(f.ind2.as_deref(), "ind2")?,
            );
            let mut pairs = Vec::with_capacity(subfields.len());
            for s in subfields {
                let mut chars = s.code.chars();
                let code = match (chars.next(), chars.next()) {
                    (Some(c), None) => c,
                    _ => {
                        return Err(invalid(format!(
                            "field {}: a subfield code is one character, got {:?}",
                            f.tag, s.code
                        )))
                    }
                };
                pairs.push((code, s.value.as_str()));
            }
            Ok(Field::data(f.tag.as_str(), ind, pairs))
        }
        (Some(_), Some(_)) => Err(invalid(format!(
            "field {} has both a value and subfields",
            f.tag
        ))),
        (None, None) => Err(invalid(format!(
            "field {} has neither a value nor subfields",
            f.tag
        ))),
    }
}

pub fn leader_from_str(s: &str) -> Result<Leader, CoreError> {
    Leader::from_bytes(s.as_bytes())
}

pub fn record_from_object(o: &RecordObject) -> Result<Record, CoreError> {
    let leader = match &o.leader {
        Some(l) => leader_from_str(l)?,
        None => Leader::default(),
    };
    let fields = o
        .fields
        .iter()
        .map(field_from_object)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Record::from_parts(leader, fields))
}

/// A format by name (`iso2709` when absent); core's names and aliases.
pub fn format_from(name: Option<&str>) -> Result<Format, CoreError> {
    name.unwrap_or("iso2709").parse()
}

/// Reader options from JS; `encoding` is `"leader"` (default: leader/09
/// decides), `"utf8"`, `"marc8"`, `"raw"` or a legacy label such as
/// `"cp1251"`.
pub fn read_options(o: Option<&ReadOptionsObject>) -> Result<(Format, ReadOptions), CoreError> {
    let default = ReadOptionsObject::default();
    let o = o.unwrap_or(&default);
    let mut options = ReadOptions::strict();
    if o.lenient == Some(true) {
        options.mode = Mode::Lenient;
    }
    options.charset = match o.encoding.as_deref() {
        None | Some("leader") | Some("auto") => Charset::FromLeader,
        Some("raw") => Charset::Raw,
        Some(label) => {
            Charset::legacy(label).ok_or_else(|| invalid(format!("unknown encoding {label:?}")))?
        }
    };
    Ok((format_from(o.format.as_deref())?, options))
}
