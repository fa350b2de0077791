//! A deterministic sample corpus that looks like the Library of Congress file:
//! the same tags per record, indicators, subfield code sequences, value
//! lengths, frequent values, trailing punctuation and share of non-ASCII text
//! (diacritics in Latin fields; Han, Hangul, Arabic, Hebrew and Cyrillic in
//! 880 fields), all drawn from the embedded profile with a seeded PRNG.
//!
//! Tags are drawn independently of each other, so correlations between
//! fields (a record with 880s also having 066, say) are not kept.

use std::collections::BTreeMap;

use mrrc_core::iso2709::{write_record, WriteOptions};
use mrrc_core::{Field, Indicators, Leader, Record};

use crate::profile::{loc_profile, Counted, Profile, SubfieldProfile, TagProfile};
use crate::rng::SplitMix64;

/// `records` UTF-8 MARC 21 bibliographic records as ISO 2709 bytes; the
/// same `(records, seed)` always gives the same bytes.
pub fn sample_corpus(records: usize, seed: u64) -> Vec<u8> {
    let generator = Generator::new(loc_profile());
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::with_capacity(records * 1000);
    for _ in 0..records {
        let record = generator.record(&mut rng);
        write_record(&record, &WriteOptions::default(), &mut out)
            .expect("generated records fit ISO 2709");
    }
    out
}

/// Sample records as [`Record`]s (what [`sample_corpus`] writes).
pub fn sample_records(records: usize, seed: u64) -> Vec<Record> {
    let generator = Generator::new(loc_profile());
    let mut rng = SplitMix64::new(seed);
    (0..records).map(|_| generator.record(&mut rng)).collect()
}

/// Picks items in proportion to their weights.
struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    fn new(pairs: impl IntoIterator<Item = (T, u64)>) -> Self {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for (item, weight) in pairs {
            if weight == 0 {
                continue;
            }
            total += weight;
            items.push(item);
            cumulative.push(total);
        }
        Weighted { items, cumulative }
    }

    fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn pick(&self, rng: &mut SplitMix64) -> &T {
        let total = *self.cumulative.last().expect("non-empty table");
        let r = rng.below(total);
        let i = self.cumulative.partition_point(|&c| c <= r);
        &self.items[i]
    }
}

fn weighted_strings(list: &Counted<String>) -> Weighted<String> {
    Weighted::new(list.iter().cloned())
}

/// The scripts of 880 fields and how their text is made.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Script {
    Han,
    Hangul,
    Arabic,
    Hebrew,
    Cyrillic,
    Latin,
}

impl Script {
    fn from_name(name: &str) -> Script {
        match name {
            "han" => Script::Han,
            "hangul" => Script::Hangul,
            "arabic" => Script::Arabic,
            "hebrew" => Script::Hebrew,
            "cyrillic" => Script::Cyrillic,
            _ => Script::Latin,
        }
    }

    /// The script identification part of `$6` (MARC 21 linkage).
    fn linkage_suffix(self) -> &'static str {
        match self {
            Script::Han | Script::Hangul => "/$1",
            Script::Arabic => "/(3/r",
            Script::Hebrew => "/(2/r",
            Script::Cyrillic => "/(N",
            Script::Latin => "",
        }
    }
}

struct SubfieldGen {
    literal_share: f64,
    literals: Weighted<String>,
    shape_share: f64,
    shapes: Weighted<String>,
    text_lengths: Vec<u32>,
    endings: Weighted<String>,
}

impl SubfieldGen {
    fn new(p: &SubfieldProfile) -> Self {
        SubfieldGen {
            literal_share: p.literal_share,
            literals: weighted_strings(&p.literals),
            shape_share: p.shape_share,
            shapes: weighted_strings(&p.shapes),
            text_lengths: p.text_lengths.clone(),
            endings: weighted_strings(&p.endings),
        }
    }

    /// A byte length drawn from the quantiles (at the probabilities of
    /// `grid`), interpolating linearly between them.
    fn text_length(&self, grid: &[f64], rng: &mut SplitMix64) -> usize {
        let q = &self.text_lengths;
        if q.len() < 2 || q.len() != grid.len() {
            return q.first().copied().unwrap_or(12) as usize;
        }
        let u = rng.unit();
        let i = grid.partition_point(|&p| p <= u).clamp(1, grid.len() - 1) - 1;
        let t = ((u - grid[i]) / (grid[i + 1] - grid[i])).clamp(0.0, 1.0);
        let (lo, hi) = (f64::from(q[i]), f64::from(q[i + 1]));
        (lo + (hi - lo) * t).round() as usize
    }
}

struct TagGen {
    tag: String,
    counts: Weighted<u32>,
    control_shapes: Weighted<String>,
    control_lengths: Weighted<u32>,
    indicators: Weighted<[char; 2]>,
    sequences: Weighted<Vec<char>>,
    subfields: BTreeMap<char, SubfieldGen>,
}

impl TagGen {
    fn new(tag: &str, p: &TagProfile, records: u64) -> Self {
        let present: u64 = p.counts.iter().map(|(_, n)| n).sum();
        let counts = Weighted::new(
            std::iter::once((0, records.saturating_sub(present))).chain(p.counts.iter().cloned()),
        );
        let indicators = Weighted::new(p.indicators.iter().filter_map(|(s, n)| {
            let mut c = s.chars();
            Some(([c.next()?, c.next()?], *n))
        }));
        TagGen {
            tag: tag.to_string(),
            counts,
            control_shapes: weighted_strings(&p.shapes),
            control_lengths: Weighted::new(p.lengths.iter().cloned()),
            indicators,
            sequences: Weighted::new(p.sequences.iter().map(|(s, n)| (s.chars().collect(), *n))),
            subfields: p
                .subfields
                .iter()
                .filter_map(|(code, s)| Some((code.chars().next()?, SubfieldGen::new(s))))
                .collect(),
        }
    }
}

/// Words and characters text is made of.
struct Vocabulary {
    words: Weighted<String>,
    non_ascii_word_share: f64,
    non_ascii_words: Weighted<String>,
    han: Weighted<char>,
    han_token_chars_mean: f64,
    ascii_token_share_880: BTreeMap<&'static str, f64>,
    script_words: BTreeMap<&'static str, Weighted<String>>,
}

struct Generator {
    text_length_grid: Vec<f64>,
    leaders: Weighted<String>,
    control_008: Vec<(usize, Weighted<String>)>,
    timestamp_years: Weighted<String>,
    tags: Vec<TagGen>,
    vocabulary: Vocabulary,
    scripts_880: Weighted<Script>,
    linked_tags_880: Weighted<String>,
}

impl Generator {
    fn new(p: &Profile) -> Self {
        let control_008 = p
            .control_008_slices
            .iter()
            .zip(&p.control_008)
            .map(|(&(start, end), values)| {
                let width = end - start;
                let table = Weighted::new(
                    values
                        .iter()
                        .filter(|(v, _)| v.len() == width && v.is_ascii())
                        .cloned(),
                );
                (width, table)
            })
            .collect();
        let mut script_words = BTreeMap::new();
        let mut ascii_token_share_880 = BTreeMap::new();
        for name in ["han", "hangul", "arabic", "hebrew", "cyrillic"] {
            if let Some(list) = p.script_words.get(name) {
                script_words.insert(name, weighted_strings(list));
            }
            if let Some(&share) = p.ascii_token_share_880.get(name) {
                ascii_token_share_880.insert(name, share);
            }
        }
        Generator {
            text_length_grid: p.text_length_grid.clone(),
            leaders: weighted_strings(&p.leaders),
            control_008,
            timestamp_years: weighted_strings(&p.timestamp_years),
            tags: p
                .tags
                .iter()
                .map(|(tag, t)| TagGen::new(tag, t, p.records))
                .collect(),
            vocabulary: Vocabulary {
                words: weighted_strings(&p.words),
                non_ascii_word_share: p.non_ascii_word_share,
                non_ascii_words: weighted_strings(&p.non_ascii_words),
                han: Weighted::new(p.han_chars.chars().zip(p.han_char_counts.iter().copied())),
                han_token_chars_mean: p.han_token_chars_mean,
                ascii_token_share_880,
                script_words,
            },
            scripts_880: Weighted::new(
                p.scripts_880
                    .iter()
                    .map(|(s, n)| (Script::from_name(s), *n)),
            ),
            linked_tags_880: weighted_strings(&p.linked_tags_880),
        }
    }

    fn record(&self, rng: &mut SplitMix64) -> Record {
        let mut leader = Leader::default();
        let variant = self.leaders.pick(rng).as_bytes();
        if variant.len() == 8 {
            leader.as_bytes_mut()[5..10].copy_from_slice(&variant[..5]);
            leader.as_bytes_mut()[17..20].copy_from_slice(&variant[5..]);
        }
        let mut fields = Vec::with_capacity(24);
        let mut occurrence_880 = 0;
        for tag in &self.tags {
            let count = *tag.counts.pick(rng);
            for _ in 0..count {
                let field = match tag.tag.as_str() {
                    "001" => Field::control("001", fill_shape(tag.control_shapes.pick(rng), rng)),
                    "005" => Field::control("005", self.timestamp(rng)),
                    "008" => Field::control("008", self.fixed_008(rng)),
                    t if t < "010" => Field::control(t, self.control_value(tag, rng)),
                    "880" => {
                        occurrence_880 += 1;
                        self.field_880(tag, occurrence_880, rng)
                    }
                    _ => self.data_field(tag, rng),
                };
                fields.push(field);
            }
        }
        Record::from_parts(leader, fields)
    }

    fn control_value(&self, tag: &TagGen, rng: &mut SplitMix64) -> String {
        if !tag.control_shapes.is_empty() {
            return fill_shape(tag.control_shapes.pick(rng), rng);
        }
        let len = if tag.control_lengths.is_empty() {
            10
        } else {
            *tag.control_lengths.pick(rng) as usize
        };
        (0..len)
            .map(|_| char::from(b'a' + rng.below(26) as u8))
            .collect()
    }

    /// 005: `yyyymmddhhmmss.f`.
    fn timestamp(&self, rng: &mut SplitMix64) -> String {
        format!(
            "{}{:02}{:02}{:02}{:02}{:02}.{}",
            self.timestamp_years.pick(rng),
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(10)
        )
    }

    /// 008: date entered (yymmdd), then each measured slice.
    fn fixed_008(&self, rng: &mut SplitMix64) -> String {
        let mut s = format!(
            "{:02}{:02}{:02}",
            (70 + rng.below(47)) % 100,
            1 + rng.below(12),
            1 + rng.below(28)
        );
        for (width, table) in self.control_008.iter().skip(1) {
            if table.is_empty() {
                s.extend(std::iter::repeat_n(' ', *width));
            } else {
                s.push_str(table.pick(rng));
            }
        }
        s
    }

    fn indicators(tag: &TagGen, rng: &mut SplitMix64) -> Indicators {
        if tag.indicators.is_empty() {
            return Indicators::BLANK;
        }
        let [a, b] = *tag.indicators.pick(rng);
        Indicators::new(a, b)
    }

    fn data_field(&self, tag: &TagGen, rng: &mut SplitMix64) -> Field {
        let indicators = Self::indicators(tag, rng);
        let codes: &[char] = if tag.sequences.is_empty() {
            &['a']
        } else {
            tag.sequences.pick(rng)
        };
        let subfields: Vec<(char, String)> = codes
            .iter()
            .map(|&code| {
                (
                    code,
                    self.value(tag.subfields.get(&code), Script::Latin, rng),
                )
            })
            .collect();
        Field::data(tag.tag.as_str(), indicators, subfields)
    }

    /// An 880 field: `$6` links it to a tag, the rest is in one script.
    fn field_880(&self, tag: &TagGen, occurrence: u32, rng: &mut SplitMix64) -> Field {
        let indicators = Self::indicators(tag, rng);
        let script = *self.scripts_880.pick(rng);
        let codes: &[char] = tag.sequences.pick(rng);
        let subfields: Vec<(char, String)> = codes
            .iter()
            .map(|&code| {
                let value = if code == '6' {
                    format!(
                        "{}-{:02}{}",
                        self.linked_tags_880.pick(rng),
                        occurrence.min(99),
                        script.linkage_suffix()
                    )
                } else {
                    // Literal values of 880s belong to one script or
                    // another, so only the lengths are taken from them.
                    let gen = tag.subfields.get(&code);
                    let len = gen.map_or(16, |g| g.text_length(&self.text_length_grid, rng));
                    let ending = gen.filter(|g| !g.endings.is_empty());
                    let ending = ending.map_or("", |g| g.endings.pick(rng).as_str());
                    let mut v = self.text(len.saturating_sub(ending.len()), script, rng);
                    v.push_str(ending);
                    v
                };
                (code, value)
            })
            .collect();
        Field::data("880", indicators, subfields)
    }

    fn value(&self, gen: Option<&SubfieldGen>, script: Script, rng: &mut SplitMix64) -> String {
        let Some(gen) = gen else {
            return self.text(4 + rng.below(24) as usize, script, rng);
        };
        let r = rng.unit();
        if r < gen.literal_share && !gen.literals.is_empty() {
            return gen.literals.pick(rng).clone();
        }
        if r < gen.literal_share + gen.shape_share && !gen.shapes.is_empty() {
            return fill_shape(gen.shapes.pick(rng), rng);
        }
        let len = gen.text_length(&self.text_length_grid, rng);
        if len == 0 {
            return String::new();
        }
        let ending = if gen.endings.is_empty() {
            ""
        } else {
            gen.endings.pick(rng).as_str()
        };
        let mut v = self.text(len.saturating_sub(ending.len()).max(1), script, rng);
        v.push_str(ending);
        v
    }

    /// About `len` bytes of words in a script. 880 text mixes in plain
    /// ASCII words (numbers, Latin) in the measured share.
    fn text(&self, len: usize, script: Script, rng: &mut SplitMix64) -> String {
        let voc = &self.vocabulary;
        let name = match script {
            Script::Han => "han",
            Script::Hangul => "hangul",
            Script::Arabic => "arabic",
            Script::Hebrew => "hebrew",
            Script::Cyrillic => "cyrillic",
            Script::Latin => "latin",
        };
        let ascii_share = voc.ascii_token_share_880.get(name).copied().unwrap_or(0.0);
        let script_words = voc.script_words.get(name).filter(|w| !w.is_empty());
        let mut out = String::with_capacity(len + 16);
        let mut han_word = String::new();
        loop {
            let word: &str = if script != Script::Latin && !rng.chance(ascii_share) {
                if script == Script::Han && !voc.han.is_empty() {
                    let mean = voc.han_token_chars_mean.max(1.0);
                    let chars = 1 + rng.below((2.0 * mean - 1.0).round().max(1.0) as u64);
                    han_word.clear();
                    han_word.extend((0..chars).map(|_| *voc.han.pick(rng)));
                    &han_word
                } else if let Some(words) = script_words {
                    words.pick(rng)
                } else {
                    voc.words.pick(rng)
                }
            } else if script == Script::Latin && rng.chance(voc.non_ascii_word_share) {
                voc.non_ascii_words.pick(rng)
            } else {
                voc.words.pick(rng)
            };
            if out.is_empty() {
                if word.len() > len {
                    // Short values: the word's first characters.
                    let cut = word
                        .char_indices()
                        .map(|(i, c)| i + c.len_utf8())
                        .take_while(|&end| end <= len.max(1))
                        .last()
                        .unwrap_or(word.len());
                    out.push_str(&word[..cut]);
                    return out;
                }
                out.push_str(word);
            } else {
                // Stop when the word would overshoot by more than it fills.
                let with = out.len() + 1 + word.len();
                if with > len && with - len > len - out.len() {
                    return out;
                }
                out.push(' ');
                out.push_str(word);
            }
            if out.len() >= len {
                return out;
            }
        }
    }
}

/// Replaces each `#` with a digit; a run of four becomes a year.
fn fill_shape(shape: &str, rng: &mut SplitMix64) -> String {
    let mut out = String::with_capacity(shape.len());
    let chars: Vec<char> = shape.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '#' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&c| c == '#').count();
        if run == 4 {
            out.push_str(&(1850 + rng.below(167)).to_string());
        } else {
            for _ in 0..run {
                out.push(char::from(b'0' + rng.below(10) as u8));
            }
        }
        i += run;
    }
    out
}
