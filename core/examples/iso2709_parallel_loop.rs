//! Reads a file with ParallelReader N times (a target for a profiler):
//! `iso2709_parallel_loop FILE [THREADS] [ROUNDS]`.
use mrrc_core::parallel::ParallelReader;
use mrrc_core::ReadOptions;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let threads = args.next().map_or(2, |t| t.parse().unwrap());
    let rounds = args.next().map_or(3, |t| t.parse().unwrap());
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let n = ParallelReader::open(&path, ReadOptions::strict(), threads)
            .unwrap()
            .filter(|r| r.is_ok())
            .count();
        println!("{n} records in {:.3} s", t.elapsed().as_secs_f64());
    }
}
