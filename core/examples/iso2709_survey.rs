//! Reads ISO 2709 files in both modes and prints what came back (a tool for
//! looking at data; the tests assert).
use std::collections::BTreeMap;

use mrrc_core::iso2709::MarcReader;
use mrrc_core::{Charset, ReadOptions};

fn main() {
    for path in std::env::args().skip(1) {
        for (name, mut opts) in [
            ("strict", ReadOptions::strict()),
            ("lenient", ReadOptions::lenient()),
        ] {
            if std::env::var("RAW").is_ok() {
                opts.charset = Charset::Raw;
            }
            let mut reader = MarcReader::open(&path, opts).expect("open");
            let (mut ok, mut warned) = (0, 0);
            let mut errs: BTreeMap<String, usize> = BTreeMap::new();
            let mut first = Vec::new();
            while let Some(r) = reader.next() {
                match r {
                    Ok(_) => {
                        ok += 1;
                        if !reader.warnings().is_empty() {
                            warned += 1;
                            if first.len() < 3 {
                                first.push(format!("W {}", reader.warnings()[0]));
                            }
                        }
                    }
                    Err(e) => {
                        *errs.entry(e.kind.name().to_string()).or_default() += 1;
                        if first.len() < 3 {
                            first.push(format!("E {e}"));
                        }
                    }
                }
            }
            let file = std::path::Path::new(&path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            println!("{file:55} {name:7} ok={ok} warned={warned} errs={errs:?}");
            if std::env::var("V").is_ok() {
                for f in &first {
                    println!("      {f}");
                }
            }
        }
    }
}
