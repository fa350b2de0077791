//! Turning field bytes into text and back: UTF-8 (validated), MARC-8, legacy
//! 8-bit sets through encoding_rs, and raw bytes (ISO 8859-1 code points).
//!
//! Readers call [`decode_text`] once per value (or once per record for UTF-8)
//! after resolving [`Charset::FromLeader`] with [`resolve_charset`].

use std::borrow::Cow;

use encoding_rs::{DecoderResult, EncoderResult, Encoding};

use crate::error::{Error, ErrorKind, Result, Warning};
use crate::leader::Leader;
use crate::options::{Charset, Mode, ReadOptions, Utf8Handling};

/// The character set a record's bytes are in, given the options and its
/// leader: never returns `FromLeader`.
pub fn resolve_charset(options: &ReadOptions, leader: &Leader) -> Charset {
    match options.charset {
        Charset::FromLeader if leader.is_unicode() => Charset::Utf8,
        Charset::FromLeader => Charset::Marc8,
        Charset::Legacy(_) if leader.is_unicode() => Charset::Utf8,
        other => other,
    }
}

/// Decodes one value. `charset` must be resolved. Lenient mode (or a
/// `utf8_handling` other than strict) replaces what cannot be decoded and
/// pushes a warning; strict mode returns an error of kind `Encoding` or
/// `Marc8`.
pub fn decode_text<'a>(
    bytes: &'a [u8],
    charset: Charset,
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Cow<'a, str>> {
    match charset {
        Charset::Utf8 | Charset::FromLeader => decode_utf8(bytes, options, warnings),
        Charset::Raw => match bytes.is_ascii() {
            true => Ok(Cow::Borrowed(
                std::str::from_utf8(bytes).unwrap_or_default(),
            )),
            false => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
        },
        Charset::Legacy(enc) => decode_legacy(bytes, enc, options, warnings),
        Charset::Marc8 => crate::marc8::decode(bytes, options, warnings),
    }
}

/// `std::str::from_utf8` with a SIMD fast path for valid input (the error,
/// with its position, comes from std).
#[inline]
pub fn validate_utf8(bytes: &[u8]) -> std::result::Result<&str, std::str::Utf8Error> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(_) => std::str::from_utf8(bytes),
    }
}

/// Validates UTF-8, handling bad bytes as `utf8_handling` and the mode say
/// (pymarc `utf8_handling`: "strict" raises, "replace" puts U+FFFD for each
/// bad sequence, "ignore" drops them).
pub fn decode_utf8<'a>(
    bytes: &'a [u8],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Cow<'a, str>> {
    match validate_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let err = Error::new(
                ErrorKind::Encoding,
                format!("invalid UTF-8 at byte {} of the value", e.valid_up_to()),
            )
            .with_offset(e.valid_up_to() as u64);
            match (options.utf8_handling, options.mode) {
                (Utf8Handling::Strict, Mode::Strict) => Err(err),
                (Utf8Handling::Ignore, _) => {
                    warnings.push(err.into());
                    Ok(Cow::Owned(bytes.utf8_chunks().map(|c| c.valid()).collect()))
                }
                _ => {
                    warnings.push(err.into());
                    Ok(String::from_utf8_lossy(bytes))
                }
            }
        }
    }
}

/// Decodes a legacy 8-bit (or CJK multi-byte) set. A byte sequence the set
/// does not define is an error (pymarc's `bytes.decode(file_encoding)`
/// raises); lenient mode puts U+FFFD and warns.
fn decode_legacy<'a>(
    bytes: &'a [u8],
    enc: &'static Encoding,
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Cow<'a, str>> {
    if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text);
    }
    let offset = first_malformed_offset(bytes, enc);
    let e = Error::new(
        ErrorKind::Encoding,
        format!(
            "byte 0x{:02X} at byte {offset} of the value is not valid in {}",
            bytes.get(offset).copied().unwrap_or(0),
            enc.name()
        ),
    )
    .with_offset(offset as u64);
    if options.mode == Mode::Strict {
        return Err(e);
    }
    warnings.push(e.into());
    Ok(enc.decode_without_bom_handling(bytes).0)
}

fn first_malformed_offset(bytes: &[u8], enc: &'static Encoding) -> usize {
    let mut decoder = enc.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        DecoderResult::Malformed(bad, extra) => {
            read.saturating_sub(usize::from(bad) + usize::from(extra))
        }
        _ => read,
    }
}

/// Encodes one value for writing: UTF-8 as is, MARC-8 through
/// [`crate::marc8::unicode_to_marc8`] (unmappable characters become `&#xXXXX;`),
/// a legacy set through encoding_rs (a character it cannot represent is an
/// error of kind `Encoding`), `Raw` as ISO 8859-1 (each character must be
/// U+0000-U+00FF). `FromLeader` is taken as UTF-8.
pub fn encode_text(text: &str, charset: Charset) -> Result<Cow<'_, [u8]>> {
    match charset {
        Charset::Utf8 | Charset::FromLeader => Ok(Cow::Borrowed(text.as_bytes())),
        Charset::Marc8 => {
            if crate::marc8::is_plain_text(text) {
                Ok(Cow::Borrowed(text.as_bytes()))
            } else {
                Ok(Cow::Owned(crate::marc8::unicode_to_marc8(text)))
            }
        }
        Charset::Raw => {
            if text.is_ascii() {
                return Ok(Cow::Borrowed(text.as_bytes()));
            }
            text.char_indices()
                .map(|(offset, c)| {
                    u8::try_from(u32::from(c)).map_err(|_| {
                        Error::new(
                            ErrorKind::Encoding,
                            format!(
                                "character U+{:04X} at byte {offset} of the value is not in ISO 8859-1",
                                u32::from(c)
                            ),
                        )
                        .with_offset(offset as u64)
                    })
                })
                .collect::<Result<Vec<u8>>>()
                .map(Cow::Owned)
        }
        Charset::Legacy(enc) => encode_legacy(text, enc),
    }
}

fn encode_legacy<'a>(text: &'a str, enc: &'static Encoding) -> Result<Cow<'a, [u8]>> {
    let output = enc.output_encoding();
    if output == encoding_rs::UTF_8 || (output.is_ascii_compatible() && text.is_ascii()) {
        return Ok(Cow::Borrowed(text.as_bytes()));
    }
    let mut encoder = output.new_encoder();
    let capacity = encoder
        .max_buffer_length_from_utf8_without_replacement(text.len())
        .unwrap_or(text.len().saturating_mul(4));
    let mut out = vec![0u8; capacity];
    let (result, read, written) =
        encoder.encode_from_utf8_without_replacement(text, &mut out, true);
    match result {
        EncoderResult::InputEmpty => {
            out.truncate(written);
            Ok(Cow::Owned(out))
        }
        EncoderResult::Unmappable(c) => {
            let offset = read - c.len_utf8();
            Err(Error::new(
                ErrorKind::Encoding,
                format!(
                    "character U+{:04X} at byte {offset} of the value cannot be encoded in {}",
                    u32::from(c),
                    output.name()
                ),
            )
            .with_offset(offset as u64))
        }
        EncoderResult::OutputFull => Err(Error::new(
            ErrorKind::Encoding,
            format!("encoding to {} overflowed its buffer", output.name()),
        )),
    }
}
