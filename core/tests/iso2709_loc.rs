//! The 250,000 Library of Congress records pymarc 5.4.0 ships, and the title
//! pymarc prints for each (`x.txt`). Fetch them with `scripts/fetch-loc.sh`;
//! without them this test says it skipped.

use std::io::BufRead;

use mrrc_core::iso2709::MarcReader;
use mrrc_core::ReadOptions;

#[test]
fn every_loc_record_reads_strictly_with_pymarcs_title() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/loc");
    let marc = dir.join("BooksAll.2016.part01.utf8");
    let titles = dir.join("x.txt");
    if !marc.exists() || !titles.exists() {
        println!(
            "skipped: {} not found (run scripts/fetch-loc.sh)",
            marc.display()
        );
        return;
    }
    let titles = std::io::BufReader::new(std::fs::File::open(titles).unwrap());
    let mut expected = titles.lines().map(Result::unwrap);
    let mut count = 0u64;
    let mut mismatches = Vec::new();
    for record in MarcReader::open(&marc, ReadOptions::strict()).unwrap() {
        let record = record.unwrap_or_else(|e| panic!("{e}"));
        let want = expected.next().expect("x.txt has a line per record");
        // pymarc prints None for a record without a 245 $a.
        let got = record.title().unwrap_or_else(|| "None".to_string());
        if got != want && mismatches.len() < 5 {
            mismatches.push(format!("record {count}: {got:?} != {want:?}"));
        }
        count += 1;
    }
    assert_eq!(count, 250_000);
    assert!(expected.next().is_none());
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
