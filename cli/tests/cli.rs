//! The `mrrc` binary run as a user runs it, on corpus files the core tests
//! already hold (core/tests/data, see its SOURCES.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use unicode_normalization::UnicodeNormalization;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/data")
        .join(name)
}

fn mrrc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mrrc"))
        .args(args)
        .output()
        .expect("mrrc runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn count_and_titles_match_pymarc() {
    let camel = data("pymarc_test_camel.mrc");
    let o = mrrc(&["count", path(&camel)]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "10\n");
    let o = mrrc(&["titles", path(&camel)]);
    let titles = stdout(&o);
    // pymarc 5.4.0: [r.title for r in MARCReader(open('test/test.dat','rb'))][:2]
    assert!(titles.starts_with("ActivePerl with ASP and ADO /\nProgramming the Perl DBI /\n"));
    assert_eq!(titles.lines().count(), 10);
    let two = mrrc(&["count", path(&camel), path(&data("pymarc_one.mrc"))]);
    assert!(stdout(&two).ends_with("11\ttotal\n"));
    let threaded = mrrc(&["count", "--threads", "2", path(&camel)]);
    assert_eq!(stdout(&threaded), "10\n");
}

#[test]
fn dump_prints_pymarc_str_record() {
    let o = mrrc(&["dump", path(&data("pymarc_one.mrc"))]);
    assert!(o.status.success());
    let text = stdout(&o);
    // pymarc 5.4.0: str(next(MARCReader(open('test/one.dat', 'rb'))))
    assert!(
        text.starts_with(
            "=LDR  00755cam a22002414a 4500\n=001  fol05731351\\\n=003  IMchF\n\
             =005  20000613133448.0\n=008  000107s2000\\\\\\\\nyua\\\\\\\\\\\\\\\\\\\\001\\0\\eng\\\\\n\
             =010  \\\\$a   00020737 \n"
        ),
        "{text}"
    );
}

#[test]
fn validate_reports_every_defect_with_position() {
    let o = mrrc(&["validate", path(&data("pymarc_bad_records.mrc"))]);
    assert_eq!(o.status.code(), Some(1));
    let report = stdout(&o);
    // pymarc's verdicts on its damaged file: seven of nine records are bad.
    assert_eq!(report.lines().count(), 7, "{report}");
    assert!(
        report.contains("record 1, byte offset 139: base address"),
        "{report}"
    );
    assert!(
        report.contains("record 8, byte offset 1017: truncated record"),
        "{report}"
    );
    let clean = mrrc(&["validate", path(&data("pymarc_test_camel.mrc"))]);
    assert!(clean.status.success());
}

#[test]
fn lenient_reading_carries_on_after_bad_records() {
    let bad = data("pymarc_bad_records.mrc");
    let strict = mrrc(&["count", path(&bad)]);
    assert_eq!(strict.status.code(), Some(1));
    let lenient = mrrc(&["count", "--lenient", path(&bad)]);
    assert_eq!(stdout(&lenient), "7\n");
}

#[test]
fn convert_round_trips_through_every_format() {
    let dir = std::env::temp_dir().join(format!("mrrc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // UTF-8 records (leader/09 = a): ISO 2709 comes back byte for byte.
    let source = data("marc4j_brkrtest_utf8.mrc");
    let original = stdout(&mrrc(&["dump", path(&source)]));
    // `dump` is pymarc's str(record): a price stays `$35.99`.
    assert!(original.contains("$c$35.99"), "{original}");
    for ext in ["xml", "json", "ndjson", "msgpack", "mrk"] {
        let converted = dir.join(format!("camel.{ext}"));
        let o = mrrc(&["convert", "--to", ext, path(&source), path(&converted)]);
        assert!(
            o.status.success(),
            "{ext}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let back = dir.join(format!("camel-{ext}.mrc"));
        let o = mrrc(&["convert", "--to", "iso2709", path(&converted), path(&back)]);
        assert!(o.status.success(), "{ext}");
        // Every format is lossless on these records, MARCMaker too (it
        // writes `$` in values as `{dollar}`: record 8 has prices).
        let same = std::fs::read(&back).unwrap() == std::fs::read(&source).unwrap();
        assert!(
            same,
            "{ext}: ISO 2709 -> {ext} -> ISO 2709 changed the bytes"
        );
        assert_eq!(
            stdout(&mrrc(&["dump", path(&converted)])),
            original,
            "{ext}"
        );
        assert_eq!(
            stdout(&mrrc(&["titles", path(&back)])),
            stdout(&mrrc(&["titles", path(&source)])),
            "{ext}"
        );
    }
    // MARC-8 out and back in gives the same text: ASCII records, and UTF-8
    // records with non-Latin and combining characters.
    for (name, ansel_expected) in [
        ("pymarc_test_camel.mrc", false),
        ("marc4j_brkrtest_utf8.mrc", true),
    ] {
        let source = data(name);
        let marc8 = dir.join(format!("{name}.marc8"));
        assert!(mrrc(&[
            "convert",
            "--to-marc8",
            "--to",
            "iso2709",
            path(&source),
            path(&marc8)
        ])
        .status
        .success());
        let bytes = std::fs::read(&marc8).unwrap();
        assert_eq!(bytes[9], b' ', "{name}: leader/09 of a MARC-8 record");
        if ansel_expected {
            assert!(
                bytes.iter().any(|&b| b >= 0x80),
                "{name}: ANSEL bytes expected"
            );
        }
        assert_eq!(
            stdout(&mrrc(&["titles", path(&marc8)])),
            stdout(&mrrc(&["titles", path(&source)])),
            "{name}"
        );
        // Leaders differ (length, leader/09); every field must be the same,
        // up to normalisation (brkrtest is NFD; MARC-8 decodes to NFC).
        let fields = |dump: String| -> Vec<String> {
            dump.lines()
                .filter(|l| !l.starts_with("=LDR"))
                .map(|l| l.nfc().collect())
                .collect()
        };
        let (written, read) = (
            fields(stdout(&mrrc(&["dump", path(&marc8)]))),
            fields(stdout(&mrrc(&["dump", path(&source)]))),
        );
        assert!(read.len() > 20, "{name}: {read:?}");
        assert_eq!(written, read, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_conversion_leaves_no_output() {
    let dir = std::env::temp_dir().join(format!("mrrc-cli-fail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.xml");
    let o = mrrc(&[
        "convert",
        "--to",
        "marcxml",
        path(&data("pymarc_bad_records.mrc")),
        path(&out),
    ]);
    assert!(!o.status.success());
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no partial file left behind"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_files_and_bad_arguments_are_clear_errors() {
    let o = mrrc(&["count", "/nonexistent/records.mrc"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot open /nonexistent/records.mrc"),
        "{err}"
    );
    let o = mrrc(&[
        "count",
        "--input-encoding",
        "klingon",
        path(&data("pymarc_one.mrc")),
    ]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown character set 'klingon'"));
    let o = mrrc(&["convert", "--to", "pdf", "a", "b"]);
    assert!(!o.status.success());
}
