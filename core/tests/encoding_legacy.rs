//! Legacy character sets (pymarc `file_encoding`) and encoding back for the
//! writer, checked against Python's codecs (the values below were produced
//! with `bytes.decode(...)` / `str.encode(...)` in CPython 3).

use std::borrow::Cow;

use mrrc_core::encoding::{decode_text, encode_text};
use mrrc_core::{Charset, ErrorKind, ReadOptions, Utf8Handling};

fn decode(bytes: &[u8], charset: Charset) -> String {
    decode_text(bytes, charset, &ReadOptions::strict(), &mut Vec::new())
        .unwrap()
        .into_owned()
}

#[test]
fn labels_as_pymarc_users_spell_them() {
    assert_eq!(Charset::legacy("iso8859-1"), Some(Charset::Marc8));
    assert_eq!(Charset::legacy("UTF-8"), Some(Charset::Utf8));
    assert_eq!(Charset::legacy("latin-1"), Some(Charset::Raw));
    assert_eq!(Charset::legacy("iso-8859-1"), Some(Charset::Raw));
    assert_eq!(
        Charset::legacy("cp1251"),
        Some(Charset::Legacy(encoding_rs::WINDOWS_1251))
    );
    assert_eq!(
        Charset::legacy("koi8_r"),
        Some(Charset::Legacy(encoding_rs::KOI8_R))
    );
    assert_eq!(
        Charset::legacy("iso8859_5"),
        Some(Charset::Legacy(encoding_rs::ISO_8859_5))
    );
    assert_eq!(
        Charset::legacy("cp866"),
        Some(Charset::Legacy(encoding_rs::IBM866))
    );
    assert_eq!(Charset::legacy("no-such-charset"), None);
}

#[test]
fn legacy_sets_decode_like_python() {
    // "Основы" in cp1251, koi8-r and cp866 (Python: "Основы".encode(...)).
    let cp1251 = b"\xce\xf1\xed\xee\xe2\xfb";
    let koi8 = b"\xef\xd3\xce\xcf\xd7\xd9";
    let cp866 = b"\x8e\xe1\xad\xae\xa2\xeb";
    assert_eq!(decode(cp1251, Charset::legacy("cp1251").unwrap()), "Основы");
    assert_eq!(decode(koi8, Charset::legacy("koi8-r").unwrap()), "Основы");
    assert_eq!(decode(cp866, Charset::legacy("cp866").unwrap()), "Основы");
    // Python latin-1 keeps 0x80-0x9F as C1 controls (windows-1252 would not).
    assert_eq!(
        decode(b"\x80\xe9", Charset::legacy("latin-1").unwrap()),
        "\u{80}\u{e9}"
    );
}

#[test]
fn undefined_legacy_byte_is_an_error_with_its_offset() {
    // A Shift_JIS lead byte with nothing after it.
    let sjis = Charset::legacy("shift_jis").unwrap();
    let err = decode_text(b"ab\x82", sjis, &ReadOptions::strict(), &mut Vec::new()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Encoding);
    assert_eq!(err.byte_offset(), Some(2));
    let mut warnings = Vec::new();
    let text = decode_text(b"ab\x82", sjis, &ReadOptions::lenient(), &mut warnings).unwrap();
    assert_eq!(text, "ab\u{FFFD}");
    assert_eq!(warnings.len(), 1);
}

#[test]
fn utf8_handling_like_python_errors_argument() {
    let bad = b"a\xffb\xef\xbf\xbd";
    let options = |h| ReadOptions {
        utf8_handling: h,
        ..ReadOptions::strict()
    };
    let err = decode_text(
        bad,
        Charset::Utf8,
        &options(Utf8Handling::Strict),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert_eq!(err.byte_offset(), Some(1));
    // Python: b"a\xffb\xef\xbf\xbd".decode("utf-8", "replace") == "a\ufffdb\ufffd"
    let replaced = decode_text(
        bad,
        Charset::Utf8,
        &options(Utf8Handling::Replace),
        &mut Vec::new(),
    );
    assert_eq!(replaced.unwrap(), "a\u{FFFD}b\u{FFFD}");
    // "ignore" drops the bad byte but keeps a genuine U+FFFD.
    let ignored = decode_text(
        bad,
        Charset::Utf8,
        &options(Utf8Handling::Ignore),
        &mut Vec::new(),
    );
    assert_eq!(ignored.unwrap(), "ab\u{FFFD}");
}

#[test]
fn encode_back_for_the_writer() {
    assert!(matches!(
        encode_text("plain", Charset::Marc8).unwrap(),
        Cow::Borrowed(b"plain")
    ));
    assert_eq!(
        &*encode_text("Основы", Charset::Utf8).unwrap(),
        "Основы".as_bytes()
    );
    assert_eq!(
        &*encode_text("Основы", Charset::legacy("cp1251").unwrap()).unwrap(),
        b"\xce\xf1\xed\xee\xe2\xfb"
    );
    assert_eq!(
        &*encode_text("Основы", Charset::legacy("koi8-r").unwrap()).unwrap(),
        b"\xef\xd3\xce\xcf\xd7\xd9"
    );
    let err = encode_text("ab\u{4E00}", Charset::legacy("cp1251").unwrap()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Encoding);
    assert_eq!(err.byte_offset(), Some(2));
    assert_eq!(
        &*encode_text("caf\u{e9}", Charset::Raw).unwrap(),
        b"caf\xe9"
    );
    let err = encode_text("\u{e9}\u{100}", Charset::Raw).unwrap_err();
    assert_eq!(err.byte_offset(), Some(2));
    // MARC-8: combining mark before its base, unmappable as a reference.
    assert_eq!(
        &*encode_text("caf\u{e9} \u{2122}", Charset::Marc8).unwrap(),
        b"caf\xe2e &#x2122;"
    );
}
