//! Options shared by every reader: strict or lenient, and how field bytes
//! become text (pymarc's `to_unicode`, `force_utf8`, `utf8_handling`,
//! `file_encoding`, and `normalize_form`).

/// How a reader treats defects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The first defect in a record makes that record an error.
    #[default]
    Strict,
    /// Repair what can be repaired (and report it as a warning), skip what
    /// cannot, and carry on with the next record.
    Lenient,
}

/// What lenient reading does with field content that breaks MARC 21's rules
/// but not the record's structure (structure is always repaired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LenientContent {
    /// As marc4j's permissive reader: drop empty subfields, read upper-case
    /// subfield codes as lower case, replace XML character entities, and
    /// read a UTF-8 record's value that is not UTF-8 but is MARC-8 as
    /// MARC-8; each repair is reported as a warning.
    #[default]
    Repair,
    /// Keep field content as the bytes say, as pymarc 5.4.0 reads it (the
    /// Python bindings' choice).
    Keep,
}

/// Which character set field bytes are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Charset {
    /// Leader/09: `a` is UTF-8, anything else MARC-8 (pymarc's default).
    #[default]
    FromLeader,
    /// Always UTF-8 whatever leader/09 says (pymarc `force_utf8=True`).
    Utf8,
    /// Always MARC-8.
    Marc8,
    /// A legacy 8-bit or multi-byte set named by the caller, used when
    /// leader/09 is not `a` (pymarc `file_encoding`), e.g. `windows-1251`.
    Legacy(&'static encoding_rs::Encoding),
    /// No conversion: each byte becomes the code point of the same value
    /// (ISO 8859-1), so the bytes can be recovered exactly (pymarc
    /// `to_unicode=False`, which keeps raw bytes).
    Raw,
}

impl Charset {
    /// A legacy encoding by its WHATWG or Python label (`"cp1251"`,
    /// `"koi8_r"`, `"iso8859_5"`, ...). `"iso8859-1"`, pymarc's default,
    /// means MARC-8; Python's other Latin-1 names mean [`Charset::Raw`].
    pub fn legacy(label: &str) -> Option<Charset> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "iso8859-1" | "marc8" | "marc-8" => Some(Charset::Marc8),
            "utf8" | "utf-8" | "utf_8" | "u8" => Some(Charset::Utf8),
            "cp866" | "ibm866" => Some(Charset::Legacy(encoding_rs::IBM866)),
            // Python's latin-1 is true ISO 8859-1 (bytes 0x80-0x9F are C1
            // controls), which WHATWG labels would turn into windows-1252.
            "latin-1" | "latin1" | "latin_1" | "iso-8859-1" | "iso8859_1" | "iso_8859_1" | "l1"
            | "8859" | "cp819" => Some(Charset::Raw),
            _ => encoding_rs::Encoding::for_label(l.as_bytes())
                // Python spells labels with underscores (iso8859_5, mac_cyrillic).
                .or_else(|| encoding_rs::Encoding::for_label(l.replace('_', "-").as_bytes()))
                .map(Charset::Legacy),
        }
    }
}

/// What to do with bytes that are not valid UTF-8 in a UTF-8 record
/// (pymarc `utf8_handling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Utf8Handling {
    /// An error (in lenient mode: replaced and reported).
    #[default]
    Strict,
    /// Replace with U+FFFD.
    Replace,
    /// Drop the bad bytes.
    Ignore,
}

/// Unicode normalization applied to text decoded from MARC-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Normalization {
    #[default]
    Nfc,
    Nfd,
    /// Leave text as the conversion produced it.
    None,
}

/// Everything a reader needs to know about how to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    pub mode: Mode,
    pub charset: Charset,
    pub utf8_handling: Utf8Handling,
    pub normalization: Normalization,
    /// Only read in lenient mode.
    pub lenient_content: LenientContent,
}

impl ReadOptions {
    pub fn strict() -> Self {
        ReadOptions::default()
    }
    pub fn lenient() -> Self {
        ReadOptions {
            mode: Mode::Lenient,
            ..ReadOptions::default()
        }
    }
    pub fn is_lenient(&self) -> bool {
        self.mode == Mode::Lenient
    }
}
