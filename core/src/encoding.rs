//! Turning field bytes into text and back: UTF-8 (validated), MARC-8, legacy
//! 8-bit sets through encoding_rs, and raw bytes (ISO 8859-1 code points).
//!
//! Readers call [`decode_text`] once per value (or once per record for UTF-8)
//! after resolving [`Charset::FromLeader`] with [`resolve_charset`].

use std::borrow::Cow;

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
        Charset::Raw => Ok(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
        Charset::Legacy(enc) => {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if had_errors {
                let e = Error::new(
                    ErrorKind::Encoding,
                    format!("bytes not valid in {}", enc.name()),
                );
                if options.mode == Mode::Strict {
                    return Err(e);
                }
                warnings.push(e.into());
            }
            Ok(text)
        }
        Charset::Marc8 => crate::marc8::decode(bytes, options, warnings),
    }
}

/// Validates UTF-8, handling bad bytes as `utf8_handling` and the mode say.
pub fn decode_utf8<'a>(
    bytes: &'a [u8],
    options: &ReadOptions,
    warnings: &mut Vec<Warning>,
) -> Result<Cow<'a, str>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(e) => {
            let err = Error::new(
                ErrorKind::Encoding,
                format!("invalid UTF-8 at byte {} of the value", e.valid_up_to()),
            );
            match (options.utf8_handling, options.mode) {
                (Utf8Handling::Strict, Mode::Strict) => Err(err),
                (Utf8Handling::Ignore, _) => {
                    warnings.push(err.into());
                    Ok(Cow::Owned(
                        String::from_utf8_lossy(bytes).replace('\u{FFFD}', ""),
                    ))
                }
                _ => {
                    warnings.push(err.into());
                    Ok(String::from_utf8_lossy(bytes))
                }
            }
        }
    }
}
