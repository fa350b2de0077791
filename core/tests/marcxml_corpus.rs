//! MARCXML over every XML fixture, checked against what pymarc 5.4.0 makes of
//! the same files (`data/expected/*.json`, see its `generate.py`).

use std::fs;

use mrrc_core::json::record_to_json;
use mrrc_core::marcxml::{record_to_xml, record_to_xml_with, XmlOptions, XmlReader, XmlWriter};
use mrrc_core::{Error, ErrorKind, ReadOptions, Record, Result};

mod common;
use common::{data, expected, strings};

fn read_all(name: &str, options: ReadOptions) -> Vec<Result<Record>> {
    XmlReader::open(data(name), options).unwrap().collect()
}

fn xml_fixtures() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        // Fixtures of this format are the ones generate.py has expectations for.
        .filter(|n| data(&format!("expected/{n}.json")).exists())
        .collect();
    names.sort();
    names
}

/// Files whose expected output needs the lenient reader: with the defect
/// each has, strict mode rejects the record.
const LENIENT_ONLY: &[(&str, ErrorKind)] = &[
    ("marc4j_chabon_bad_subfields_element.xml", ErrorKind::Xml),
    (
        "marc4j_cruel_cruel_indicatorless_summerland.xml",
        ErrorKind::Indicator,
    ),
];

/// pymarc keeps `ind1=""` and `ind1="0 "` as strings; an indicator here is
/// one character, and those read as blank and `0`.
fn pymarc_indicators_as_chars(json: &str) -> String {
    json.replace(r#""ind1": """#, r#""ind1": " ""#)
        .replace(r#""ind2": """#, r#""ind2": " ""#)
        .replace(r#""ind1": "0 ""#, r#""ind1": "0""#)
}

#[test]
fn every_xml_fixture_pymarc_reads_gives_pymarcs_records() {
    let mut files = 0;
    let mut records_checked = 0;
    for name in xml_fixtures() {
        let exp = expected(&name);
        if exp.get("error").is_some() {
            continue;
        }
        let lenient_kind = LENIENT_ONLY
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k);
        let options = if let Some(kind) = lenient_kind {
            let strict = read_all(&name, ReadOptions::strict());
            let err = strict.iter().find_map(|r| r.as_ref().err()).expect(&name);
            assert_eq!(err.kind, kind, "{name}: {err}");
            ReadOptions::lenient()
        } else {
            ReadOptions::strict()
        };
        let results = read_all(&name, options);
        let want: Vec<String> = strings(&exp, "as_json")
            .iter()
            .map(|j| pymarc_indicators_as_chars(j))
            .collect();
        if name == "marcfilexml_invalid.xml" || name == "mrrc_err_e401_no_record_element.xml" {
            // No records, for pymarc too; strict mode says why.
            assert!(want.is_empty());
            assert_eq!(results.len(), 1, "{name}");
            assert_eq!(results[0].as_ref().unwrap_err().kind, ErrorKind::Xml);
            assert!(read_all(&name, ReadOptions::lenient()).is_empty());
            continue;
        }
        let records: Vec<Record> = results
            .into_iter()
            .collect::<Result<_>>()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours: Vec<String> = records.iter().map(record_to_json).collect();
        assert_eq!(ours, want, "{name}");

        if want == strings(&exp, "as_json") {
            // Writers: pymarc's bytes exactly.
            let xml: Vec<String> = records.iter().map(record_to_xml).collect();
            assert_eq!(xml, strings(&exp, "record_to_xml"), "{name}");
            let ns = XmlOptions {
                namespace: true,
                ascii: true,
            };
            let xml: Vec<String> = records.iter().map(|r| record_to_xml_with(r, &ns)).collect();
            assert_eq!(xml, strings(&exp, "record_to_xml_namespace"), "{name}");
            let mut w = XmlWriter::new(Vec::new());
            for r in &records {
                w.write(r).unwrap();
            }
            let bytes = w.finish().unwrap();
            assert_eq!(
                String::from_utf8(bytes).unwrap(),
                exp["xml_writer"].as_str().unwrap(),
                "{name}"
            );
        }
        // And back: what we write reads as the same records.
        for r in &records {
            let again =
                mrrc_core::marcxml::record_from_xml(&record_to_xml(r), &ReadOptions::strict())
                    .unwrap();
            assert_eq!(&again, r, "{name}");
        }
        files += 1;
        records_checked += records.len();
    }
    assert_eq!(files, 49);
    assert_eq!(records_checked, 211);
}

fn first_error(name: &str, options: ReadOptions) -> Error {
    read_all(name, options)
        .into_iter()
        .find_map(|r| r.err())
        .unwrap_or_else(|| panic!("{name}: no error"))
}

#[test]
fn malformed_files_give_exact_kinds_and_positions() {
    // (file, kind, line, column, message part) in strict mode.
    let cases: &[(&str, ErrorKind, u64, u64, &str)] = &[
        (
            "mrrc_err_e401_bad_char_reference.xml",
            ErrorKind::Xml,
            5,
            24,
            "invalid character reference",
        ),
        (
            "mrrc_err_e401_malformed_marcxml.xml",
            ErrorKind::Xml,
            5,
            40,
            "</WRONG>",
        ),
        (
            "mrrc_err_e401_no_record_element.xml",
            ErrorKind::Xml,
            3,
            3,
            "<notarecord> outside a record",
        ),
        (
            "mrrc_err_e401_unexpected_eof_in_subfield.xml",
            ErrorKind::Truncated,
            5,
            40,
            "ends inside a <record>",
        ),
        (
            "marc4j_chabon_missing_controlfield_tag.xml",
            ErrorKind::Tag,
            5,
            5,
            "without a tag",
        ),
        (
            "marc4j_chabon_missing_datafield_tag.xml",
            ErrorKind::Xml,
            8,
            7,
            "<subfields>",
        ),
        (
            "marc4j_chabon_missing_subfield_code.xml",
            ErrorKind::Subfield,
            8,
            7,
            "without a code",
        ),
        (
            "marc4j_chabon_bad_subfields_element.xml",
            ErrorKind::Xml,
            8,
            7,
            "unexpected <subfields> in <datafield>",
        ),
        (
            "idzebra_marc_missing_ns.xml",
            ErrorKind::Xml,
            32,
            5,
            "prefix \"e\" is not bound",
        ),
        (
            "marcfilexml_invalid.xml",
            ErrorKind::Xml,
            6,
            1,
            "<datafield> outside a record",
        ),
        (
            "natlibfi_marcxml_erroneous.xml",
            ErrorKind::Xml,
            2,
            9,
            "text \"asdsadsda\" in <record>",
        ),
        (
            "natlibfi_marcxml_from3.xml",
            ErrorKind::Leader,
            1,
            39,
            "0 bytes, expected 24",
        ),
        (
            "pymarc_bad_tag.xml",
            ErrorKind::Leader,
            2,
            1,
            "17 bytes, expected 24",
        ),
    ];
    for (name, kind, line, column, part) in cases {
        let e = first_error(name, ReadOptions::strict());
        assert_eq!(e.kind, *kind, "{name}: {e}");
        assert_eq!(
            (e.position.line, e.position.column),
            (Some(*line), Some(*column)),
            "{name}: {e}"
        );
        assert_eq!(e.record_index(), Some(0), "{name}");
        assert!(e.message.contains(part), "{name}: {e}");
    }
}

#[test]
fn lenient_mode_repairs_and_reports() {
    // Missing tag: the field is dropped; missing code: the subfield is.
    let lenient = ReadOptions::lenient();
    let mut reader =
        XmlReader::open(data("marc4j_chabon_missing_controlfield_tag.xml"), lenient).unwrap();
    let r = reader.next().unwrap().unwrap();
    // This file also lacks the tag of its 655 datafield.
    let kinds: Vec<ErrorKind> = reader.warnings().iter().map(|w| w.kind).collect();
    assert_eq!(kinds, [ErrorKind::Tag, ErrorKind::Tag]);
    let lines: Vec<Option<u64>> = reader.warnings().iter().map(|w| w.position.line).collect();
    assert_eq!(lines, [Some(5), Some(61)]);
    let strict_ok = read_all("marc4j_chabon.xml", ReadOptions::strict());
    let full = strict_ok[0].as_ref().unwrap();
    assert_eq!(r.fields().len(), full.fields().len() - 2);
    assert!(r.get("005").is_none());
    assert_eq!(
        r.get_fields(&["655"]).count() + 1,
        full.get_fields(&["655"]).count()
    );

    // A 17-character leader is padded with blanks, the 2-digit tag padded.
    let mut reader = XmlReader::open(data("pymarc_bad_tag.xml"), lenient).unwrap();
    let r = reader.next().unwrap().unwrap();
    assert_eq!(r.leader.as_str(), "      Z   22 4500       ");
    assert!(r.get("042").is_some());
    assert_eq!(reader.warnings().last().unwrap().kind, ErrorKind::Leader);

    // The unbound prefix is read as MARC, with a warning.
    let mut reader = XmlReader::open(data("idzebra_marc_missing_ns.xml"), lenient).unwrap();
    let r = reader.next().unwrap().unwrap();
    assert!(!r.fields().is_empty());
    assert!(reader
        .warnings()
        .iter()
        .any(|w| w.message.contains("not bound")));

    // The bad character reference is kept as written.
    let r = read_all("mrrc_err_e401_bad_char_reference.xml", lenient)
        .remove(0)
        .unwrap();
    assert!(r
        .get("245")
        .unwrap()
        .get('a')
        .unwrap()
        .contains("&#xFFFFFFF;"));

    // Indicator-less fields get blanks.
    let r = read_all("marc4j_cruel_cruel_indicatorless_summerland.xml", lenient)
        .remove(0)
        .unwrap();
    let f = r.get("911").unwrap();
    assert_eq!(
        (
            f.indicators().unwrap().first,
            f.indicators().unwrap().second
        ),
        (' ', ' ')
    );
}

#[test]
fn records_before_an_error_are_kept_and_strict_errors_skip_one_record() {
    let text = format!(
        "<collection xmlns=\"{ns}\">\n<record><leader>00000nam a2200000   4500</leader><controlfield tag=\"001\">a</controlfield></record>\n<record><leader>short</leader></record>\n<record><datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\">T &amp; &#233;</subfield></datafield></record>\n</collection>",
        ns = mrrc_core::marcxml::MARC_XML_NS
    );
    let results: Vec<_> = XmlReader::new(text.as_bytes(), ReadOptions::strict()).collect();
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0]
            .as_ref()
            .unwrap()
            .get("001")
            .unwrap()
            .control_value(),
        Some("a")
    );
    let e = results[1].as_ref().unwrap_err();
    assert_eq!(
        (e.kind, e.record_index(), e.position.line),
        (ErrorKind::Leader, Some(1), Some(3))
    );
    let r = results[2].as_ref().unwrap();
    assert_eq!(r.get("245").unwrap().get('a'), Some("T & \u{e9}"));
    assert_eq!(r.leader, mrrc_core::Leader::default());
}

#[test]
fn empty_records_doctype_entities_and_line_ends() {
    for name in [
        "marcfilexml_empty_record.xml",
        "marcfilexml_empty_record_prefixed.xml",
    ] {
        let records: Vec<Record> = read_all(name, ReadOptions::strict())
            .into_iter()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(records, vec![Record::new()], "{name}");
    }
    let records: Vec<Record> = read_all("idzebra_marc_col.xml", ReadOptions::strict())
        .into_iter()
        .collect::<Result<_>>()
        .unwrap();
    assert!(records.iter().any(|r| r
        .fields()
        .iter()
        .any(|f| f.get('a') == Some("How to program a computer"))));
    let text = "<record><controlfield tag=\"001\">a\r\nb\rc</controlfield><datafield tag=\"500\" ind1=\" \" ind2=\" \"><subfield code=\"a\"><![CDATA[x<y]]> &amp; z</subfield><subfield code=\"b\"/></datafield></record>";
    let r = mrrc_core::marcxml::record_from_xml(text, &ReadOptions::strict()).unwrap();
    assert_eq!(r.get("001").unwrap().control_value(), Some("a\nb\nc"));
    assert_eq!(r.get("500").unwrap().get('a'), Some("x<y & z"));
    assert_eq!(r.get("500").unwrap().get('b'), Some(""));
}

#[test]
fn writer_escapes_like_elementtree() {
    let mut r = Record::new();
    r.add_field(mrrc_core::Field::control("001", ""));
    r.add_field(mrrc_core::Field::data(
        "245",
        mrrc_core::Indicators::new('"', '\t'),
        [('a', "<&>\"\u{e9}\u{1F600}\n"), ('b', "")],
    ));
    assert_eq!(
        record_to_xml(&r),
        "<record><leader>          22        4500</leader><controlfield tag=\"001\" /><datafield ind1=\"&quot;\" ind2=\"&#09;\" tag=\"245\"><subfield code=\"a\">&lt;&amp;&gt;\"&#233;&#128512;\n</subfield><subfield code=\"b\" /></datafield></record>"
    );
    assert_eq!(
        mrrc_core::marcxml::record_from_xml(&record_to_xml(&r), &ReadOptions::strict()).unwrap(),
        r
    );
    let utf8 = record_to_xml_with(&r, &XmlOptions::default());
    assert!(utf8.contains("\u{e9}\u{1F600}"));
}

#[test]
fn fuzz_regression_four_character_tag() {
    // Lenient reading keeps the tag "6u53"; strict reading rejects it; what
    // lenient reading gives writes and reads back (leniently) as itself.
    let name = "fuzz/marcxml_four_char_tag.xml";
    let e = first_error(name, ReadOptions::strict());
    assert_eq!(e.kind, ErrorKind::Tag);
    let r = read_all(name, ReadOptions::lenient()).remove(0).unwrap();
    assert!(r.get("6u53").is_some());
    let back =
        mrrc_core::marcxml::record_from_xml(&record_to_xml(&r), &ReadOptions::lenient()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn marc_only_namespaces_skip_elements_in_no_namespace() {
    use mrrc_core::marcxml::XmlNamespaces;
    let read = |xml: &str, ns: XmlNamespaces| -> Vec<Record> {
        XmlReader::new(xml.as_bytes(), ReadOptions::strict())
            .with_namespaces(ns)
            .collect::<Result<Vec<_>>>()
            .unwrap()
    };
    let plain = r#"<collection><record><leader>00000nam a2200000 a 4500</leader>
        <controlfield tag="001">x</controlfield></record></collection>"#;
    assert_eq!(read(plain, XmlNamespaces::MarcOrNone).len(), 1);
    assert!(read(plain, XmlNamespaces::MarcOnly).is_empty());

    // Namespaced records read the same either way; a field in no namespace
    // inside one is dropped only by MarcOnly.
    let mixed = r#"<m:collection xmlns:m="http://www.loc.gov/MARC21/slim"><m:record>
        <m:leader>00000nam a2200000 a 4500</m:leader>
        <m:controlfield tag="001">x</m:controlfield>
        <controlfield tag="003">y</controlfield></m:record></m:collection>"#;
    let tags =
        |r: &Record| -> Vec<String> { r.fields().iter().map(|f| f.tag().to_string()).collect() };
    assert_eq!(
        tags(&read(mixed, XmlNamespaces::MarcOrNone)[0]),
        ["001", "003"]
    );
    assert_eq!(tags(&read(mixed, XmlNamespaces::MarcOnly)[0]), ["001"]);
}
