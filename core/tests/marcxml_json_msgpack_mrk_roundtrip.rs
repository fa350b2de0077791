//! ISO 2709 -> MARCXML / JSON / msgpack / MARCMaker -> record equals the
//! record read, for every UTF-8 record in the ISO 2709 fixtures.

use std::fs;
use std::path::Path;

use mrrc_core::iso2709::MarcReader;
use mrrc_core::json::{record_from_json, record_to_json};
use mrrc_core::marcxml::{record_from_xml, record_to_xml};
use mrrc_core::mrk::{record_from_mrk, record_to_mrk, MrkReader, MrkWriter};
use mrrc_core::msgpack::{record_from_msgpack, record_to_msgpack};
use mrrc_core::{ReadOptions, Record};

/// Text XML 1.0 cannot carry (C0 controls; a CR becomes LF when parsed).
fn xml_safe(r: &Record) -> bool {
    let ok = |s: &str| !s.chars().any(|c| c < ' ' && c != '\t' && c != '\n');
    r.fields().iter().all(|f| {
        ok(f.tag().as_str())
            && f.control_value().is_none_or(ok)
            && f.subfields()
                .all(|s| ok(s.value) && ok(s.code.encode_utf8(&mut [0; 4])))
            && f.indicators()
                .is_none_or(|i| ok(&format!("{}{}", i.first, i.second)))
    })
}

/// MARCMaker has no escapes: no '$' or '\' in data, no line breaks, no
/// backslash indicators, tags of three characters.
fn mrk_safe(r: &Record) -> bool {
    let ok = |s: &str| !s.contains(['$', '\\', '\n', '\r']);
    r.fields().iter().all(|f| {
        f.tag().as_str().chars().count() == 3
            && ok(f.tag().as_str())
            && f.control_value().is_none_or(ok)
            && f.subfields()
                .all(|s| ok(s.value) && s.code != '$' && s.code != '\\')
            && f.indicators()
                .is_none_or(|i| i.first != '\\' && i.second != '\\')
    }) && !r.fields().is_empty()
}

/// With mnemonics only line breaks, tags of other lengths, and `$` or `\`
/// as an indicator or subfield code are out of MARCMaker's reach.
fn mrk_mnemonics_safe(r: &Record) -> bool {
    let ok = |s: &str| !s.contains(['\n', '\r']);
    let code_ok = |c: char| !matches!(c, '$' | '\\' | '{' | '\n' | '\r');
    r.fields().iter().all(|f| {
        f.tag().as_str().chars().count() == 3
            && ok(f.tag().as_str())
            && f.control_value().is_none_or(ok)
            && f.subfields().all(|s| ok(s.value) && code_ok(s.code))
            && f.indicators()
                .is_none_or(|i| i.first != '\\' && i.second != '\\')
    }) && !r.fields().is_empty()
}

/// Writes and reads records through MARCMaker text with mnemonics.
fn mrk_with_mnemonics(record: &Record) -> Result<Record, mrrc_core::Error> {
    let mut writer = MrkWriter::new(Vec::new()).with_mnemonics(true);
    writer.write(record)?;
    let text = writer.finish()?;
    MrkReader::new(&text[..], ReadOptions::strict())
        .with_mnemonics(true)
        .next()
        .expect("one record")
}

#[test]
fn every_utf8_iso2709_record_survives_every_format() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mrc" || e == "dat"))
        .collect();
    names.sort();
    let strict = ReadOptions::strict();
    let (mut records, mut xml, mut mrk, mut mnemonics, mut needed) = (0, 0, 0, 0, 0);
    for path in &names {
        let Ok(reader) = MarcReader::open(path, strict) else {
            continue;
        };
        for record in reader.take(20_000).flatten() {
            if !record.leader.is_unicode() || !record.leader.as_bytes().is_ascii() {
                continue;
            }
            let name = path.display();
            assert_eq!(
                record_from_json(&record_to_json(&record), &strict).as_ref(),
                Ok(&record),
                "{name}"
            );
            assert_eq!(
                record_from_msgpack(&record_to_msgpack(&record), &strict).as_ref(),
                Ok(&record),
                "{name}"
            );
            if xml_safe(&record) {
                assert_eq!(
                    record_from_xml(&record_to_xml(&record), &strict).as_ref(),
                    Ok(&record),
                    "{name}"
                );
                xml += 1;
            }
            if mrk_safe(&record) {
                assert_eq!(
                    record_from_mrk(&record_to_mrk(&record), &strict).as_ref(),
                    Ok(&record),
                    "{name}"
                );
                mrk += 1;
            }
            if mrk_mnemonics_safe(&record) {
                assert_eq!(mrk_with_mnemonics(&record).as_ref(), Ok(&record), "{name}");
                mnemonics += 1;
                needed += usize::from(!mrk_safe(&record));
            }
            records += 1;
        }
    }
    println!(
        "{records} records; {xml} through MARCXML; {mrk} through MARCMaker; \
         {mnemonics} with mnemonics, {needed} of which needed them"
    );
    assert!(records >= 1_000, "{records}");
    assert!(xml * 100 >= records * 95, "{xml} of {records}");
    assert!(mrk * 100 >= records * 80, "{mrk} of {records}");
    assert!(mnemonics * 100 >= records * 99, "{mnemonics} of {records}");
    assert!(needed > 0, "no record needed mnemonics");
}

/// The 250,000 LoC records from pymarc's sdist through every format and
/// back (`scripts/fetch-loc.sh` fetches them; `make loc-test` runs this in
/// release mode). Skipped, saying so, when the file is absent or in a debug
/// build (minutes there).
#[test]
fn books_all_survive_every_format() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/loc/BooksAll.2016.part01.utf8");
    if !path.exists() || cfg!(debug_assertions) {
        println!("skipped: needs {} and a release build", path.display());
        return;
    }
    let strict = ReadOptions::strict();
    let (mut count, mut xml, mut mrk) = (0, 0, 0);
    for record in MarcReader::open(&path, strict).expect("BooksAll in data/loc") {
        let record = record.unwrap();
        assert_eq!(
            record_from_json(&record_to_json(&record), &strict).unwrap(),
            record
        );
        assert_eq!(
            record_from_msgpack(&record_to_msgpack(&record), &strict).unwrap(),
            record
        );
        if xml_safe(&record) {
            assert_eq!(
                record_from_xml(&record_to_xml(&record), &strict).unwrap(),
                record
            );
            xml += 1;
        }
        if mrk_mnemonics_safe(&record) {
            assert_eq!(mrk_with_mnemonics(&record).unwrap(), record);
            mrk += 1;
        }
        count += 1;
    }
    println!("{count} LoC records; {xml} through MARCXML, {mrk} through MARCMaker");
    assert_eq!(count, 250_000);
    assert!(
        xml * 100 >= count * 99 && mrk * 100 >= count * 99,
        "{xml} {mrk}"
    );
}
