//! Prints the records of an ISO 2709 file as MARCMaker text, with warnings.
use mrrc_core::iso2709::MarcReader;
use mrrc_core::{Charset, ReadOptions};

fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let mut opts = if std::env::var("STRICT").is_ok() {
        ReadOptions::strict()
    } else {
        ReadOptions::lenient()
    };
    if std::env::var("RAW").is_ok() {
        opts.charset = Charset::Raw;
    }
    let mut reader = MarcReader::open(path, opts).expect("open");
    while let Some(r) = reader.next() {
        match r {
            Ok(r) => print!("{r}"),
            Err(e) => println!("ERROR {e}"),
        }
        for w in reader.warnings() {
            println!("  warning: {w}");
        }
        println!();
    }
}
