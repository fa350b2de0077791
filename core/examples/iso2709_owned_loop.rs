//! Parses every record of a file N times (a target for a profiler):
//! `iso2709_owned_loop FILE [ROUNDS] [slices|reader]`. `slices` (the default)
//! calls `parse_record` on each record's bytes; `reader` streams the file's
//! bytes through `MarcReader`, as the `ratios` bench does.
use mrrc_core::iso2709::{parse_record, MarcReader};
use mrrc_core::parallel::split_records;
use mrrc_core::ReadOptions;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds = args
        .next()
        .map_or(2, |r| r.parse().expect("a number of rounds"));
    let streaming = args.next().as_deref() == Some("reader");
    let bytes = std::fs::read(path).expect("a readable file");
    let ranges = split_records(&bytes);
    let mut ok = 0;
    for _ in 0..rounds {
        if streaming {
            ok += MarcReader::new(&bytes[..], ReadOptions::strict())
                .filter(|r| r.is_ok())
                .count();
        } else {
            for r in &ranges {
                ok += parse_record(&bytes[r.clone()], &ReadOptions::strict()).is_ok() as usize;
            }
        }
    }
    println!("{ok}");
}
