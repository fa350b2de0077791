//! Times the streaming ISO 2709 reader on a file (records/s, best of 3), as the
//! Python binding uses it (lenient, charset from the leader), and the same plus
//! pymarc's verdict. A tool for measuring; the tests assert.
//!
//!     cargo run --release -p mrrc-core --example iso2709_speed -- FILE [RECORDS]
use std::time::Instant;

use mrrc_core::iso2709::MarcReader;
use mrrc_core::ReadOptions;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let limit: usize = args
        .next()
        .map_or(usize::MAX, |n| n.parse().expect("RECORDS"));
    let bytes = std::fs::read(&path).expect("read");
    for (name, checks) in [("read", false), ("read + pymarc verdict", true)] {
        let mut best = f64::MAX;
        let mut n = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let mut reader = MarcReader::new(&bytes[..], ReadOptions::lenient());
            n = 0;
            while n < limit {
                let Some(result) = reader.next() else { break };
                if checks {
                    let raw = reader.last_record_bytes();
                    let v = mrrc_core::pymarc::verdict(
                        raw,
                        result,
                        reader.warnings(),
                        true,
                        (0, 0),
                        true,
                    );
                    std::hint::black_box(&v);
                } else {
                    std::hint::black_box(&result);
                }
                n += 1;
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name:24} {n} records  {:.2} µs/record  {:.0} records/s",
            best * 1e6 / n as f64,
            n as f64 / best
        );
    }
}
