//! Read and write options as C structs of plain integers (validated here, so
//! a binding passing a bad value gets `MRRC_INVALID_ARGUMENT`, never UB).

use std::ffi::c_char;

use mrrc_core::marcxml::XmlNamespaces;
use mrrc_core::{Charset, LenientContent, Mode, Normalization, ReadOptions, Utf8Handling};

use crate::args::c_text;
use crate::status::{Failure, Outcome};

/// A serialization format.
pub type MrrcFormat = u32;
/// ISO 2709 (`.mrc`, `.dat`): binary MARC.
pub const MRRC_FORMAT_ISO2709: MrrcFormat = 0;
/// MARCXML (a `<collection>` or a single `<record>`).
pub const MRRC_FORMAT_MARCXML: MrrcFormat = 1;
/// MARC-in-JSON: one record object, or an array of them.
pub const MRRC_FORMAT_JSON: MrrcFormat = 2;
/// MARC-in-JSON, one record object per line.
pub const MRRC_FORMAT_NDJSON: MrrcFormat = 3;
/// msgpack, one record map after another.
pub const MRRC_FORMAT_MSGPACK: MrrcFormat = 4;
/// MARCMaker / MARCBreaker text (`.mrk`).
pub const MRRC_FORMAT_MRK: MrrcFormat = 5;

/// How a reader treats defects.
pub type MrrcMode = u32;
/// The first defect in a record makes that record an error.
pub const MRRC_MODE_STRICT: MrrcMode = 0;
/// Repair what can be repaired (reported as warnings), skip what cannot.
pub const MRRC_MODE_LENIENT: MrrcMode = 1;
/// Lenient about structure, but field content is kept as the bytes say
/// (empty subfields, upper-case subfield codes, XML entities), as pymarc
/// 5.4.0 reads it.
pub const MRRC_MODE_LENIENT_KEEP_CONTENT: MrrcMode = 2;

/// Which character set field bytes are in (ISO 2709).
pub type MrrcCharset = u32;
/// Leader/09: `a` is UTF-8, anything else MARC-8 (pymarc's default).
pub const MRRC_CHARSET_FROM_LEADER: MrrcCharset = 0;
/// Always UTF-8 (pymarc `force_utf8=True`).
pub const MRRC_CHARSET_UTF8: MrrcCharset = 1;
/// Always MARC-8.
pub const MRRC_CHARSET_MARC8: MrrcCharset = 2;
/// The legacy encoding named by `MrrcReadOptions.encoding` when leader/09
/// is not `a` (pymarc `file_encoding`), e.g. `"cp1251"`.
pub const MRRC_CHARSET_LEGACY: MrrcCharset = 3;
/// No conversion: each byte becomes the code point of the same value
/// (pymarc `to_unicode=False`).
pub const MRRC_CHARSET_RAW: MrrcCharset = 4;

/// What to do with invalid UTF-8 in a UTF-8 record (pymarc
/// `utf8_handling`).
pub type MrrcUtf8Handling = u32;
pub const MRRC_UTF8_STRICT: MrrcUtf8Handling = 0;
pub const MRRC_UTF8_REPLACE: MrrcUtf8Handling = 1;
pub const MRRC_UTF8_IGNORE: MrrcUtf8Handling = 2;

/// Unicode normalization of text decoded from MARC-8.
pub type MrrcNormalization = u32;
pub const MRRC_NORMALIZE_NFC: MrrcNormalization = 0;
pub const MRRC_NORMALIZE_NFD: MrrcNormalization = 1;
pub const MRRC_NORMALIZE_NONE: MrrcNormalization = 2;

/// Options of a reader. Start from `mrrc_read_options_default()` and change
/// what you need. `encoding` is borrowed for the call that takes the options.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct MrrcReadOptions {
    /// `MRRC_FORMAT_*`.
    pub format: MrrcFormat,
    /// `MRRC_MODE_*`.
    pub mode: MrrcMode,
    /// `MRRC_CHARSET_*`.
    pub charset: MrrcCharset,
    /// A WHATWG label (`"cp1251"`, `"koi8-r"`...) for `MRRC_CHARSET_LEGACY`;
    /// NULL otherwise.
    pub encoding: *const c_char,
    /// `MRRC_UTF8_*`.
    pub utf8_handling: MrrcUtf8Handling,
    /// `MRRC_NORMALIZE_*`.
    pub normalization: MrrcNormalization,
    /// MARCXML readers: read only elements in the MARC 21 slim namespace
    /// (pymarc's `strict`); false reads that namespace or none.
    pub xml_marc_namespace_only: bool,
}

/// ISO 2709, strict, charset from the leader, strict UTF-8, NFC.
#[no_mangle]
pub extern "C" fn mrrc_read_options_default() -> MrrcReadOptions {
    MrrcReadOptions {
        format: MRRC_FORMAT_ISO2709,
        mode: MRRC_MODE_STRICT,
        charset: MRRC_CHARSET_FROM_LEADER,
        encoding: std::ptr::null(),
        utf8_handling: MRRC_UTF8_STRICT,
        normalization: MRRC_NORMALIZE_NFC,
        xml_marc_namespace_only: false,
    }
}

pub(crate) fn check_format(format: MrrcFormat) -> Outcome<MrrcFormat> {
    if format <= MRRC_FORMAT_MRK {
        Ok(format)
    } else {
        Err(Failure::invalid(format!("unknown format {format}")))
    }
}

/// The core's options from the C struct (NULL means the defaults).
///
/// # Safety
/// `options` is NULL or points to a valid struct whose `encoding` is NULL or
/// a NUL-terminated string.
pub(crate) unsafe fn read_options(
    options: *const MrrcReadOptions,
) -> Outcome<(MrrcFormat, ReadOptions)> {
    // SAFETY: forwarded from the caller.
    let o = unsafe { options.as_ref() }
        .copied()
        .unwrap_or_else(|| mrrc_read_options_default());
    let (mode, lenient_content) = match o.mode {
        MRRC_MODE_STRICT => (Mode::Strict, LenientContent::Repair),
        MRRC_MODE_LENIENT => (Mode::Lenient, LenientContent::Repair),
        MRRC_MODE_LENIENT_KEEP_CONTENT => (Mode::Lenient, LenientContent::Keep),
        other => return Err(Failure::invalid(format!("unknown mode {other}"))),
    };
    let charset = match o.charset {
        MRRC_CHARSET_FROM_LEADER => Charset::FromLeader,
        MRRC_CHARSET_UTF8 => Charset::Utf8,
        MRRC_CHARSET_MARC8 => Charset::Marc8,
        MRRC_CHARSET_RAW => Charset::Raw,
        MRRC_CHARSET_LEGACY => {
            // SAFETY: forwarded from the caller.
            let label = unsafe { c_text(o.encoding, "options.encoding") }?;
            Charset::legacy(label)
                .ok_or_else(|| Failure::invalid(format!("unknown encoding {label:?}")))?
        }
        other => return Err(Failure::invalid(format!("unknown charset {other}"))),
    };
    let utf8_handling = match o.utf8_handling {
        MRRC_UTF8_STRICT => Utf8Handling::Strict,
        MRRC_UTF8_REPLACE => Utf8Handling::Replace,
        MRRC_UTF8_IGNORE => Utf8Handling::Ignore,
        other => return Err(Failure::invalid(format!("unknown utf8_handling {other}"))),
    };
    let normalization = match o.normalization {
        MRRC_NORMALIZE_NFC => Normalization::Nfc,
        MRRC_NORMALIZE_NFD => Normalization::Nfd,
        MRRC_NORMALIZE_NONE => Normalization::None,
        other => return Err(Failure::invalid(format!("unknown normalization {other}"))),
    };
    Ok((
        check_format(o.format)?,
        ReadOptions {
            mode,
            charset,
            utf8_handling,
            normalization,
            lenient_content,
        },
    ))
}

/// Which namespaces a MARCXML reader reads (NULL means the default).
///
/// # Safety
/// As for [`read_options`].
pub(crate) unsafe fn xml_namespaces(options: *const MrrcReadOptions) -> XmlNamespaces {
    // SAFETY: forwarded from the caller.
    match unsafe { options.as_ref() } {
        Some(o) if o.xml_marc_namespace_only => XmlNamespaces::MarcOnly,
        _ => XmlNamespaces::MarcOrNone,
    }
}
