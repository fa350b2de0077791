//! Where the CPU time of the parallel readers goes, measured in CPU time so
//! that it holds on a shared machine: the caller's thread against the whole
//! process, per record, next to the single-threaded `SliceReader`. With two
//! cores the wall-clock speedup over `SliceReader` can be at most
//! `M / max(caller, total / 2)`: `parallel_cpu FILE [ROUNDS]`.
use mrrc_bench::cpu_time::{process_seconds as process_cpu, thread_seconds as thread_cpu};
use mrrc_bench::workloads;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds: usize = args.next().map_or(3, |r| r.parse().expect("rounds"));
    let bytes = std::fs::read(path).expect("a readable file");
    let n = workloads::core_reader(&bytes).records as f64 * rounds as f64;
    type Run<'a> = Box<dyn Fn() -> usize + 'a>;
    let (pool1, pool2) = (workloads::pool(1), workloads::pool(2));
    let cases: Vec<(&str, Run)> = vec![
        (
            "SliceReader",
            Box::new(|| workloads::core_reader(&bytes).records),
        ),
        (
            "ParallelReader, 2 threads",
            Box::new(|| workloads::core_parallel_reader(&bytes, 2).records),
        ),
        (
            "ParallelReader, 1 thread",
            Box::new(|| workloads::core_parallel_reader(&bytes, 1).records),
        ),
        (
            "parse_all, 2 threads (records dropped after)",
            Box::new(|| workloads::core_parse_all(&pool2, &bytes).0.records),
        ),
        (
            "parse_all, 1 thread (records dropped after)",
            Box::new(|| workloads::core_parse_all(&pool1, &bytes).0.records),
        ),
    ];
    println!("| reader | caller thread ns/record | whole process ns/record |");
    println!("|---|---:|---:|");
    for (name, run) in cases {
        let (t0, p0) = (thread_cpu(), process_cpu());
        for _ in 0..rounds {
            std::hint::black_box(run());
        }
        let (t1, p1) = (thread_cpu(), process_cpu());
        println!(
            "| {name} | {:.0} | {:.0} |",
            (t1 - t0) / n * 1e9,
            (p1 - p0) / n * 1e9
        );
    }
}
