//! Distributions measured from ISO 2709 bytes, to compare a generated corpus
//! with the profile it was drawn from.

use std::collections::BTreeMap;

/// What [`measure`] finds in a buffer of records.
#[derive(Debug, Default, Clone)]
pub struct CorpusStats {
    pub records: usize,
    pub fields_per_record_mean: f64,
    pub record_length_mean: f64,
    pub record_length_median: f64,
    /// Mean occurrences of each tag per record.
    pub tag_per_record: BTreeMap<String, f64>,
    /// Non-ASCII characters over all characters of 880 subfield text.
    pub non_ascii_char_share_880: f64,
    /// The same for every other data field.
    pub non_ascii_char_share_other: f64,
}

/// Walks each record's leader and directory (the bytes are trusted to be
/// well formed; a malformed record is an `Err` naming its index).
pub fn measure(bytes: &[u8]) -> Result<CorpusStats, String> {
    let mut lengths = Vec::new();
    let mut fields = 0usize;
    let mut tags: BTreeMap<String, usize> = BTreeMap::new();
    let (mut chars_880, mut non_ascii_880, mut chars_other, mut non_ascii_other) = (0, 0, 0, 0);
    let mut rest = bytes;
    while !rest.is_empty() {
        let index = lengths.len();
        let bad = |what: &str| format!("record {index}: {what}");
        let number = |b: &[u8]| -> Option<usize> { std::str::from_utf8(b).ok()?.parse().ok() };
        if rest.len() < 24 {
            return Err(bad("shorter than a leader"));
        }
        let len = number(&rest[0..5]).ok_or_else(|| bad("record length not numeric"))?;
        let base = number(&rest[12..17]).ok_or_else(|| bad("base address not numeric"))?;
        if len > rest.len() || base >= len || rest[len - 1] != 0x1D || rest[base - 1] != 0x1E {
            return Err(bad("length, base address or terminators wrong"));
        }
        let record = &rest[..len];
        for entry in record[24..base - 1].chunks(12) {
            let tag = std::str::from_utf8(&entry[..3]).map_err(|_| bad("tag"))?;
            let flen = number(&entry[3..7]).ok_or_else(|| bad("field length"))?;
            let start = base + number(&entry[7..12]).ok_or_else(|| bad("field start"))?;
            let data = record
                .get(start..start + flen)
                .ok_or_else(|| bad("field range"))?;
            if data.last() != Some(&0x1E) {
                return Err(bad("field terminator"));
            }
            let text = std::str::from_utf8(data).map_err(|_| bad("invalid UTF-8"))?;
            fields += 1;
            *tags.entry(tag.to_string()).or_default() += 1;
            if tag < "010" {
                continue;
            }
            // Subfield text: everything after the indicators but the
            // delimiters, codes and terminator.
            let mut n = 0;
            let mut non_ascii = 0;
            for part in text[2..text.len() - 1].split('\u{1F}').skip(1) {
                for c in part.chars().skip(1) {
                    n += 1;
                    non_ascii += usize::from(!c.is_ascii());
                }
            }
            if tag == "880" {
                chars_880 += n;
                non_ascii_880 += non_ascii;
            } else {
                chars_other += n;
                non_ascii_other += non_ascii;
            }
        }
        lengths.push(len);
        rest = &rest[len..];
    }
    let records = lengths.len();
    if records == 0 {
        return Ok(CorpusStats::default());
    }
    let per = |n: usize| n as f64 / records as f64;
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let mut sorted = lengths.clone();
    sorted.sort_unstable();
    let median = if records % 2 == 1 {
        sorted[records / 2] as f64
    } else {
        (sorted[records / 2 - 1] + sorted[records / 2]) as f64 / 2.0
    };
    Ok(CorpusStats {
        records,
        fields_per_record_mean: per(fields),
        record_length_mean: per(lengths.iter().sum()),
        record_length_median: median,
        tag_per_record: tags.into_iter().map(|(t, n)| (t, per(n))).collect(),
        non_ascii_char_share_880: share(non_ascii_880, chars_880),
        non_ascii_char_share_other: share(non_ascii_other, chars_other),
    })
}
