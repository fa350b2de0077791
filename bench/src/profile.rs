//! The measured profile of the Library of Congress file that the sample
//! corpus mimics (`bench/profile/loc_profile.json`, written by
//! `bench/profile/extract_profile.py`). Lists of `[value, count]` pairs are
//! the most frequent values with how often each occurred.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const PROFILE_JSON: &str = include_str!("../profile/loc_profile.json");

/// `(value, count)`.
pub type Counted<T> = Vec<(T, u64)>;

#[derive(Debug, Deserialize)]
pub struct Profile {
    /// Records measured.
    pub records: u64,
    pub summary: Summary,
    /// Leader/05-09 followed by leader/17-19.
    pub leaders: Counted<String>,
    /// For each slice of 008 in `control_008_slices`, its frequent values.
    pub control_008: Vec<Counted<String>>,
    pub control_008_slices: Vec<(usize, usize)>,
    /// Years of the 005 timestamps.
    pub timestamp_years: Counted<String>,
    pub tags: BTreeMap<String, TagProfile>,
    /// The most common ASCII words of 245, 650 and 500 values.
    pub words: Counted<String>,
    /// Share of the words outside 880 fields that hold a non-ASCII character.
    pub non_ascii_word_share: f64,
    pub non_ascii_words: Counted<String>,
    /// Main script of each 880 field (han, arabic, hebrew, hangul, ...).
    pub scripts_880: Counted<String>,
    /// Share of whitespace-separated words of 880 text that are plain ASCII
    /// (numbers, punctuation, Latin), by script.
    pub ascii_token_share_880: BTreeMap<String, f64>,
    /// Mean Han characters per word of Han 880 text.
    pub han_token_chars_mean: f64,
    /// The probabilities at which `SubfieldProfile::text_lengths` are given.
    pub text_length_grid: Vec<f64>,
    /// The tags 880 fields link to through `$6`.
    pub linked_tags_880: Counted<String>,
    pub script_words: BTreeMap<String, Counted<String>>,
    /// The most common Han and kana characters, with their counts.
    pub han_chars: String,
    pub han_char_counts: Vec<u64>,
}

#[derive(Debug, Deserialize)]
pub struct Summary {
    pub fields_per_record_mean: f64,
    pub record_length_mean: f64,
    pub record_length_median: f64,
    pub record_length_p90: f64,
    /// Non-ASCII characters over all characters of 880 subfield values.
    pub non_ascii_char_share_880: f64,
    /// The same for every other data field.
    pub non_ascii_char_share_other: f64,
}

#[derive(Debug, Deserialize)]
pub struct TagProfile {
    /// Mean occurrences per record.
    pub per_record: f64,
    /// `(occurrences in a record, records)`; records without the tag are the rest.
    pub counts: Counted<u32>,
    /// Control fields: value lengths in bytes.
    #[serde(default)]
    pub lengths: Counted<u32>,
    /// Control fields: values with digits replaced by `#`.
    #[serde(default)]
    pub shapes: Counted<String>,
    /// Data fields: the two indicators.
    #[serde(default)]
    pub indicators: Counted<String>,
    /// Data fields: subfield codes in order, e.g. `"abc"`.
    #[serde(default)]
    pub sequences: Counted<String>,
    #[serde(default)]
    pub subfields: BTreeMap<String, SubfieldProfile>,
}

/// How values of one subfield are made: a frequent literal, a frequent
/// shape (digits as `#`), or text of words with a measured length and ending.
#[derive(Debug, Deserialize)]
pub struct SubfieldProfile {
    pub n: u64,
    pub literal_share: f64,
    pub literals: Counted<String>,
    pub shape_share: f64,
    pub shapes: Counted<String>,
    /// Quantiles, at the probabilities of `Profile::text_length_grid`, of
    /// the byte length of the other values.
    #[serde(default)]
    pub text_lengths: Vec<u32>,
    /// Trailing punctuation of the other values (`" :"`, `"."`, `""`, ...).
    #[serde(default)]
    pub endings: Counted<String>,
}

/// The embedded profile, parsed once.
pub fn loc_profile() -> &'static Profile {
    static PROFILE: OnceLock<Profile> = OnceLock::new();
    PROFILE.get_or_init(|| {
        serde_json::from_str(PROFILE_JSON).expect("bench/profile/loc_profile.json is valid")
    })
}
