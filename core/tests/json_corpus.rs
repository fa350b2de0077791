//! MARC-in-JSON over every JSON fixture, checked against what pymarc 5.4.0
//! makes of the same files (`data/expected/*.json`, see its `generate.py`).

use std::fs;

use mrrc_core::json::{record_from_json, record_to_json, JsonLayout, JsonReader, JsonWriter};
use mrrc_core::{ErrorKind, ReadOptions, Record, Result};

mod common;
use common::{data, expected, strings};

fn read_all(name: &str, options: ReadOptions) -> Vec<Result<Record>> {
    let bytes = fs::read(data(name)).unwrap();
    JsonReader::new(&bytes[..], options).collect()
}

fn json_fixtures() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".json") || n.ends_with(".ndjson"))
        // Fixtures of this format are the ones generate.py has expectations for.
        .filter(|n| data(&format!("expected/{n}.json")).exists())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    names
}

/// Files pymarc reads only because it parses JSON with `strict=False`.
const RAW_CONTROL_CHARS: &[&str] = &["marc4j_illegal_marc_in_json.json", "pymarc_test.json"];

#[test]
fn every_json_fixture_reads_as_pymarc_reads_it() {
    let mut checked = 0;
    for name in json_fixtures() {
        let exp = expected(&name);
        if exp.get("error").is_some() {
            continue;
        }
        let options = if RAW_CONTROL_CHARS.contains(&name.as_str()) {
            ReadOptions::lenient()
        } else {
            ReadOptions::strict()
        };
        let records: Vec<Record> = read_all(&name, options)
            .into_iter()
            .collect::<Result<_>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours: Vec<String> = records.iter().map(record_to_json).collect();
        assert_eq!(ours, strings(&exp, "as_json"), "{name}");

        // pymarc JSONWriter's bytes, and str(record).
        let mut w = JsonWriter::new(Vec::new());
        for r in &records {
            w.write(r).unwrap();
        }
        let written = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(written, exp["json_writer"].as_str().unwrap(), "{name}");
        let text: Vec<String> = records.iter().map(|r| r.to_string()).collect();
        assert_eq!(text, strings(&exp, "str"), "{name}");
        checked += 1;
    }
    assert_eq!(checked, 9);
}

#[test]
fn counts_per_file() {
    let count = |name: &str| read_all(name, ReadOptions::lenient()).len();
    assert_eq!(count("pymarc_batch.json"), 2);
    assert_eq!(count("pymarc_one.json"), 1);
    assert_eq!(count("marcfilemij_test.ndjson"), 9);
    assert_eq!(count("marc4j_summerland_marc_in_json_indented.json"), 1);
}

#[test]
fn raw_newlines_in_strings_are_errors_in_strict_mode_and_kept_in_lenient() {
    for name in RAW_CONTROL_CHARS {
        let results = read_all(name, ReadOptions::strict());
        assert_eq!(results.len(), 1, "{name}");
        let err = results[0].as_ref().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Json, "{name}");
        assert_eq!(err.record_index(), Some(0));
        assert_eq!(
            (err.position.line, err.position.column),
            (Some(170), Some(36)),
            "{name}: {err}"
        );
        assert!(err.message.contains("raw control character 0x0a"), "{err}");

        let bytes = fs::read(data(name)).unwrap();
        let mut reader = JsonReader::new(&bytes[..], ReadOptions::lenient());
        let record = reader.next().unwrap().unwrap();
        assert_eq!(reader.warnings().len(), 21, "{name}");
        assert_eq!(
            record.get("100").unwrap().get('a'),
            Some("Dylan,\n                         Bob,\n                        ")
        );
    }
}

#[test]
fn truncated_json_is_an_error_with_its_position() {
    for options in [ReadOptions::strict(), ReadOptions::lenient()] {
        let results = read_all("mrrc_err_e402_malformed_marcjson.json", options);
        assert_eq!(results.len(), 1);
        let err = results[0].as_ref().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Json);
        assert_eq!(err.record_index(), Some(0));
        // The file is one 112-byte line with no newline: the end is column 113.
        assert_eq!(
            (err.position.line, err.position.column),
            (Some(1), Some(113))
        );
        assert!(
            err.message.contains("ends inside the record object"),
            "{err}"
        );
    }
}

#[test]
fn records_before_a_bad_one_are_kept_and_reading_goes_on() {
    let good = record_to_json(
        &read_all("pymarc_one.json", ReadOptions::strict())[0]
            .clone()
            .unwrap(),
    );
    // The second record's leader is a number: a shape error inside a
    // complete object, so the third record is still read.
    let text = format!("[{good},\n{{\"leader\": 5, \"fields\": []}},\n{good}]");
    let results: Vec<_> = JsonReader::new(text.as_bytes(), ReadOptions::strict()).collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[2].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Json);
    assert_eq!(err.record_index(), Some(1));
    assert_eq!(err.position.line, Some(2));
    assert!(err.message.contains("invalid type"), "{err}");
}

#[test]
fn shape_defects_have_their_own_kinds() {
    let strict = ReadOptions::strict();
    let lenient = ReadOptions::lenient();
    let cases: &[(&str, ErrorKind)] = &[
        (r#"{"leader": "short", "fields": []}"#, ErrorKind::Leader),
        (r#"{"fields": []}"#, ErrorKind::Leader),
        (r#"{"leader": "00000nam a2200000   4500"}"#, ErrorKind::Json),
        (
            r#"{"leader": "00000nam a2200000   4500", "fields": [{"245": {"ind1": "10", "ind2": " ", "subfields": []}}]}"#,
            ErrorKind::Indicator,
        ),
        (
            r#"{"leader": "00000nam a2200000   4500", "fields": [{"245": {"ind2": " ", "subfields": []}}]}"#,
            ErrorKind::Indicator,
        ),
        (
            r#"{"leader": "00000nam a2200000   4500", "fields": [{"245": {"ind1": " ", "ind2": " ", "subfields": [{"ab": "x"}]}}]}"#,
            ErrorKind::Subfield,
        ),
        (
            r#"{"leader": "00000nam a2200000   4500", "fields": [{"2450": "x"}]}"#,
            ErrorKind::Tag,
        ),
        (
            r#"{"leader": "00000nam a2200000   4500", "fields": [{"001": "x", "002": "y"}]}"#,
            ErrorKind::Json,
        ),
    ];
    for (text, kind) in cases {
        let err = record_from_json(text, &strict).unwrap_err();
        assert_eq!(err.kind, *kind, "{text}: {err}");
        assert!(err.position.line.is_some(), "{err}");
        let mut reader = JsonReader::new(text.as_bytes(), lenient);
        let record = reader.next().unwrap();
        assert!(record.is_ok(), "{text}: {record:?}");
        assert_eq!(reader.warnings()[0].kind, *kind, "{text}");
    }
    // Lenient repairs: the leader padded, the indicator cut, the code cut.
    let r = record_from_json(
        r#"{"leader": "00000nam", "fields": [{"245": {"ind1": "10", "subfields": [{"ab": "x"}]}}]}"#,
        &lenient,
    )
    .unwrap();
    assert_eq!(r.leader.as_str(), "00000nam                ");
    let f = r.get("245").unwrap();
    assert_eq!(
        f.indicators().map(|i| (i.first, i.second)),
        Some(('1', ' '))
    );
    assert_eq!(f.get('a'), Some("x"));
}

#[test]
fn syntax_errors_point_at_the_offending_line_and_column() {
    let text = "[\n{\"leader\": \"00000nam a2200000   4500\",\n \"fields\": [{\"001\": x}]}\n]";
    let results: Vec<_> = JsonReader::new(text.as_bytes(), ReadOptions::strict()).collect();
    let err = results[0].as_ref().unwrap_err();
    assert_eq!(err.kind, ErrorKind::Json);
    assert_eq!(
        (err.position.line, err.position.column),
        (Some(3), Some(21)),
        "{err}"
    );
    // Junk between records ends the stream with an error.
    let results: Vec<_> = JsonReader::new(
        &b"[{\"leader\": \"00000nam a2200000   4500\", \"fields\": []} x]"[..],
        ReadOptions::strict(),
    )
    .collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert!(err.message.contains("expected ',' or ']'"), "{err}");
}

#[test]
fn one_object_array_and_ndjson_layouts_all_read() {
    let records: Vec<Record> = read_all("marcfilemij_test.ndjson", ReadOptions::strict())
        .into_iter()
        .collect::<Result<_>>()
        .unwrap();
    for layout in [JsonLayout::Array, JsonLayout::Lines] {
        let mut w = JsonWriter::with_layout(Vec::new(), layout);
        for r in &records {
            w.write(r).unwrap();
        }
        let bytes = w.finish().unwrap();
        let back: Vec<Record> = JsonReader::new(&bytes[..], ReadOptions::strict())
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(back, records);
    }
    let one = record_to_json(&records[3]);
    assert_eq!(
        record_from_json(&one, &ReadOptions::strict()).unwrap(),
        records[3]
    );
    assert!(record_from_json(&format!("[{one}]"), &ReadOptions::strict()).is_err());
}
