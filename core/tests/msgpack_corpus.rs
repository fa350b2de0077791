//! msgpack: byte-equal to Python's `msgpack.packb(record.as_dict())` for the
//! records of every JSON fixture (`data/expected/*.json`, made by
//! `generate.py`), round trips, and defects in the input.

use std::fs;

use mrrc_core::json::JsonReader;
use mrrc_core::msgpack::{record_from_msgpack, record_to_msgpack, MsgpackReader, MsgpackWriter};
use mrrc_core::{ErrorKind, Field, Indicators, ReadOptions, Record, Result};

mod common;
use common::data;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn json_records(name: &str) -> Vec<Record> {
    let bytes = fs::read(data(name)).unwrap();
    JsonReader::new(&bytes[..], ReadOptions::lenient())
        .collect::<Result<_>>()
        .unwrap()
}

const JSON_FIXTURES: &[&str] = &[
    "pymarc_batch.json",
    "pymarc_one.json",
    "pymarc_test.json",
    "marc4j_marc_in_json.json",
    "marc4j_summerland_marc_in_json.json",
    "marcfilemij_test.ndjson",
];

#[test]
fn bytes_equal_python_msgpack_of_as_dict() {
    let mut checked = 0;
    for name in JSON_FIXTURES {
        let text = fs::read_to_string(data(&format!("expected/{name}.json"))).unwrap();
        let exp: serde_json::Value = serde_json::from_str(&text).unwrap();
        let expected: Vec<&str> = exp["msgpack_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let ours: Vec<String> = json_records(name)
            .iter()
            .map(|r| hex(&record_to_msgpack(r)))
            .collect();
        assert_eq!(ours, expected, "{name}");
        checked += ours.len();
    }
    assert_eq!(checked, 2 + 1 + 1 + 1 + 1 + 9);
}

#[test]
fn stream_round_trip_through_small_reads() {
    let records: Vec<Record> = JSON_FIXTURES.iter().flat_map(|n| json_records(n)).collect();
    let mut w = MsgpackWriter::new(Vec::new());
    for r in &records {
        w.write(r).unwrap();
    }
    let bytes = w.finish().unwrap();

    /// Hands out at most 7 bytes per read, to cut records at every place.
    struct Trickle<'a>(&'a [u8]);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(7).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let back: Vec<Record> = MsgpackReader::new(Trickle(&bytes), ReadOptions::strict())
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(back, records);
    for r in &records {
        assert_eq!(
            &record_from_msgpack(&record_to_msgpack(r), &ReadOptions::strict()).unwrap(),
            r
        );
    }
}

fn sample() -> Record {
    let mut r = Record::new();
    r.add_field(Field::control("001", "x1"));
    r.add_field(Field::data(
        "245",
        Indicators::new('1', '0'),
        [('a', "T\u{e9}st"), ('c', "")],
    ));
    r
}

#[test]
fn truncated_input_is_an_error_at_every_cut() {
    let bytes = record_to_msgpack(&sample());
    for cut in 1..bytes.len() {
        let results: Vec<_> = MsgpackReader::new(&bytes[..cut], ReadOptions::lenient()).collect();
        assert_eq!(results.len(), 1, "cut {cut}");
        let err = results[0].as_ref().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Truncated, "cut {cut}: {err}");
        assert_eq!(err.record_index(), Some(0));
        assert_eq!(
            record_from_msgpack(&bytes[..cut], &ReadOptions::strict())
                .unwrap_err()
                .kind,
            ErrorKind::Truncated
        );
    }
}

#[test]
fn a_lying_length_does_not_allocate_and_reports_truncation() {
    // map(2) "leader" str32 of 4 GiB - 1 bytes, then nothing.
    let mut bytes = vec![0x82, 0xa6];
    bytes.extend_from_slice(b"leader");
    bytes.extend_from_slice(&[0xdb, 0xff, 0xff, 0xff, 0xff]);
    let err = record_from_msgpack(&bytes, &ReadOptions::strict()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Truncated);
    // "fields": array32 of 4 billion entries.
    let mut bytes = vec![0x81, 0xa6];
    bytes.extend_from_slice(b"fields");
    bytes.extend_from_slice(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x80]);
    let results: Vec<_> = MsgpackReader::new(&bytes[..], ReadOptions::strict()).collect();
    assert_eq!(results.len(), 1);
    assert!(results[0].is_err());
}

#[test]
fn a_record_of_the_wrong_shape_is_skipped_and_the_next_is_read() {
    let good = record_to_msgpack(&sample());
    // {"leader": 5, "fields": []}: a valid msgpack value of the wrong shape.
    let mut bad = vec![0x82, 0xa6];
    bad.extend_from_slice(b"leader");
    bad.push(0x05);
    bad.push(0xa6);
    bad.extend_from_slice(b"fields");
    bad.push(0x90);
    let mut input = good.clone();
    input.extend_from_slice(&bad);
    input.extend_from_slice(&good);
    let results: Vec<_> = MsgpackReader::new(&input[..], ReadOptions::strict()).collect();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap(), &sample());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Msgpack);
    assert_eq!(err.record_index(), Some(1));
    // The offending byte (0x05) is the 8th of the second record.
    assert_eq!(err.byte_offset(), Some(good.len() as u64 + 8));
    assert_eq!(results[2].as_ref().unwrap(), &sample());
}

#[test]
fn shape_defects_strict_and_lenient() {
    // {"leader": "short", "fields": [{"245": {"ind1": "12", "subfields": [{"ab": "v"}]}}]}
    let mut b = vec![0x82, 0xa6];
    b.extend_from_slice(b"leader");
    b.push(0xa5);
    b.extend_from_slice(b"short");
    b.push(0xa6);
    b.extend_from_slice(b"fields");
    b.extend_from_slice(&[0x91, 0x81, 0xa3]);
    b.extend_from_slice(b"245");
    b.extend_from_slice(&[0x82, 0xa4]);
    b.extend_from_slice(b"ind1");
    b.push(0xa2);
    b.extend_from_slice(b"12");
    b.push(0xa9);
    b.extend_from_slice(b"subfields");
    b.extend_from_slice(&[0x91, 0x81, 0xa2]);
    b.extend_from_slice(b"ab");
    b.push(0xa1);
    b.extend_from_slice(b"v");
    // Fields come before the leader is checked: the indicator is first.
    assert_eq!(
        record_from_msgpack(&b, &ReadOptions::strict())
            .unwrap_err()
            .kind,
        ErrorKind::Indicator
    );
    let mut reader = MsgpackReader::new(&b[..], ReadOptions::lenient());
    let r = reader.next().unwrap().unwrap();
    let kinds: Vec<ErrorKind> = reader.warnings().iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Indicator,
            ErrorKind::Subfield,
            ErrorKind::Indicator,
            ErrorKind::Leader
        ]
    );
    let f = r.get("245").unwrap();
    assert_eq!(f.indicators(), Some(Indicators::new('1', ' ')));
    assert_eq!(f.get('a'), Some("v"));
    assert_eq!(r.leader.as_str(), "short                   ");
}

#[test]
fn invalid_utf8_follows_the_utf8_policy() {
    let mut bytes = record_to_msgpack(&sample());
    let at = bytes.windows(2).position(|w| w == [0xc3, 0xa9]).unwrap();
    bytes[at] = 0xff;
    let err = record_from_msgpack(&bytes, &ReadOptions::strict()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Encoding);
    let r = record_from_msgpack(&bytes, &ReadOptions::lenient()).unwrap();
    assert_eq!(r.get("245").unwrap().get('a'), Some("T\u{fffd}\u{fffd}st"));
}
