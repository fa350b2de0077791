//! Parses every record of a file N times (a target for a profiler).
use mrrc_core::iso2709::parse_record;
use mrrc_core::parallel::split_records;
use mrrc_core::ReadOptions;

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let rounds = std::env::args().nth(2).map_or(2, |r| r.parse().unwrap());
    let bytes = std::fs::read(path).unwrap();
    let ranges = split_records(&bytes);
    let mut ok = 0;
    for _ in 0..rounds {
        for r in &ranges {
            ok += parse_record(&bytes[r.clone()], &ReadOptions::strict()).is_ok() as usize;
        }
    }
    println!("{ok}");
}
