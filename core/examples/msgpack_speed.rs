//! Records per second of msgpack decoding and encoding, best of five runs.
//!
//! `cargo run --release -p mrrc-core --example msgpack_speed -- FILE.mpk`
//! where FILE.mpk holds concatenated `as_dict()` maps (e.g. made with
//! Python: `msgpack.packb(record.as_dict())` for each pymarc record).

use std::time::Instant;

use mrrc_core::msgpack::{write_msgpack, MsgpackReader};
use mrrc_core::{ReadOptions, Record};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: msgpack_speed FILE.mpk");
    let bytes = std::fs::read(&path).expect("read the file");
    let mut best_decode = f64::MAX;
    let mut records: Vec<Record> = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        records = MsgpackReader::new(&bytes[..], ReadOptions::strict())
            .collect::<Result<_, _>>()
            .expect("valid msgpack records");
        best_decode = best_decode.min(start.elapsed().as_secs_f64());
    }
    let mut best_encode = f64::MAX;
    let mut out = Vec::with_capacity(bytes.len());
    for _ in 0..5 {
        out.clear();
        let start = Instant::now();
        for r in &records {
            write_msgpack(r, &mut out);
        }
        best_encode = best_encode.min(start.elapsed().as_secs_f64());
    }
    assert_eq!(out, bytes, "re-encoding gives the input bytes");
    let n = records.len() as f64;
    println!(
        "mrrc: {} records; encode {:.0} records/s; decode {:.0} records/s",
        records.len(),
        n / best_encode,
        n / best_decode
    );
}
