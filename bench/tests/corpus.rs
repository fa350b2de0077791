//! The sample corpus matches the profile it is drawn from, and a seed always
//! gives the same bytes.

use mrrc_bench::profile::loc_profile;
use mrrc_bench::sample_corpus;
use mrrc_bench::stats::measure;

const RECORDS: usize = 5000;
const SEED: u64 = 2016;

fn relative_gap(measured: f64, expected: f64) -> f64 {
    (measured - expected).abs() / expected
}

#[test]
fn distributions_are_within_tolerance_of_the_profile() {
    let profile = loc_profile();
    let bytes = sample_corpus(RECORDS, SEED);
    let stats = measure(&bytes).expect("well-formed ISO 2709");
    assert_eq!(stats.records, RECORDS);
    let s = &profile.summary;
    let checks = [
        (
            "fields per record",
            stats.fields_per_record_mean,
            s.fields_per_record_mean,
            0.03,
        ),
        (
            "record length mean",
            stats.record_length_mean,
            s.record_length_mean,
            0.05,
        ),
        (
            "record length median",
            stats.record_length_median,
            s.record_length_median,
            0.05,
        ),
        // Text is words drawn from lists, so only the rough share is kept.
        (
            "non-ASCII share outside 880",
            stats.non_ascii_char_share_other,
            s.non_ascii_char_share_other,
            0.35,
        ),
        (
            "non-ASCII share in 880",
            stats.non_ascii_char_share_880,
            s.non_ascii_char_share_880,
            0.25,
        ),
    ];
    for (what, measured, expected, tolerance) in checks {
        let gap = relative_gap(measured, expected);
        assert!(
            gap <= tolerance,
            "{what}: generated {measured:.4}, profile {expected:.4} (off by {:.1}%, allowed {:.0}%)",
            gap * 100.0,
            tolerance * 100.0
        );
    }
    // Every tag at least one record in five has.
    let mut checked = 0;
    for (tag, t) in &profile.tags {
        if t.per_record < 0.2 {
            continue;
        }
        checked += 1;
        let measured = stats.tag_per_record.get(tag).copied().unwrap_or(0.0);
        let gap = relative_gap(measured, t.per_record);
        assert!(
            gap <= 0.08,
            "tag {tag}: {measured:.3} per record, profile {:.3}",
            t.per_record
        );
    }
    assert!(checked >= 20, "only {checked} frequent tags in the profile");
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    let a = sample_corpus(300, 42);
    let b = sample_corpus(300, 42);
    assert_eq!(a, b);
    let c = sample_corpus(300, 43);
    assert_ne!(a, c);
    // A longer corpus starts with the shorter one.
    let longer = sample_corpus(400, 42);
    assert_eq!(&longer[..a.len()], &a[..]);
}

#[test]
fn records_carry_well_formed_control_fields() {
    let records = mrrc_bench::sample_records(200, 7);
    for r in &records {
        let f001 = r.get("001").and_then(|f| f.control_value()).unwrap();
        assert_eq!(f001.len(), 12, "001 {f001:?}");
        let f005 = r.get("005").and_then(|f| f.control_value()).unwrap();
        assert_eq!(f005.len(), 16, "005 {f005:?}");
        assert!(f005[..14].bytes().all(|b| b.is_ascii_digit()) && &f005[14..15] == ".");
        let f008 = r.get("008").and_then(|f| f.control_value()).unwrap();
        assert_eq!(f008.chars().count(), 40, "008 {f008:?}");
        assert!(r.title().is_some());
        assert_eq!(r.leader.type_of_record(), b'a');
    }
}

#[test]
fn every_record_parses_strictly_and_round_trips() {
    use mrrc_core::iso2709::{write_record, MarcReader, WriteOptions};
    use mrrc_core::ReadOptions;

    let bytes = sample_corpus(2000, 99);
    let reader = MarcReader::new(&bytes[..], ReadOptions::strict());
    let mut rewritten = Vec::with_capacity(bytes.len());
    let mut count = 0;
    for record in reader {
        let record = record.expect("strictly valid");
        write_record(&record, &WriteOptions::default(), &mut rewritten).unwrap();
        count += 1;
    }
    assert_eq!(count, 2000);
    assert_eq!(rewritten, bytes);
}
