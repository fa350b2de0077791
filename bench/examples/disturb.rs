//! Does a threaded workload disturb the single-threaded full parse or
//! mrrc 0.9.2 run right after it? For `ROUNDS` rounds, each of the
//! disturbers in turn (none, the threaded workloads of `ratios`) runs once,
//! then the full parse and mrrc 0.9.2 (alternating which goes first) are
//! timed in thread CPU time and wall time. Prints the medians per disturber:
//! `disturb FILE ROUNDS [copies]` (`copies`: hold the two copies of the
//! input the `ratios` independent rows use).
use std::time::Instant;

use mrrc_bench::{cpu_time, workloads};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds: usize = args.next().map_or(5, |r| r.parse().expect("rounds"));
    let hold_copies = args.next().as_deref() == Some("copies");
    let bytes = std::fs::read(path).expect("a readable file");
    let copies = if hold_copies {
        vec![bytes.clone(), bytes.clone()]
    } else {
        Vec::new()
    };
    let (pool1, pool2) = (workloads::pool(1), workloads::pool(2));
    let names = [
        "none",
        "parse_all 1",
        "parse_all 2",
        "par_records 2",
        "ParallelReader 2",
        "independent 2",
        "1 GB read (one thread)",
    ];
    // A buffer as large as the kept records and copies the threaded rows
    // touch, read once with memchr: evicts the input from the caches.
    let other = vec![1u8; 1 << 30];
    let disturb = |i: usize| match i {
        0 => {}
        1 => drop(std::hint::black_box(workloads::core_parse_all(
            &pool1, &bytes,
        ))),
        2 => drop(std::hint::black_box(workloads::core_parse_all(
            &pool2, &bytes,
        ))),
        3 => {
            std::hint::black_box(workloads::core_par_records(&pool2, &bytes));
        }
        4 => {
            std::hint::black_box(workloads::core_parallel_reader(&bytes, 2));
        }
        6 => {
            std::hint::black_box(memchr::memchr(0, &other));
        }
        _ => {
            let owned;
            let c = if copies.is_empty() {
                owned = vec![bytes.clone(), bytes.clone()];
                &owned
            } else {
                &copies
            };
            std::hint::black_box(workloads::core_reader_independent(c));
        }
    };
    let time = |f: &dyn Fn(&[u8]) -> workloads::Tally| {
        let (c0, w0) = (cpu_time::thread_ns(), Instant::now());
        std::hint::black_box(f(&bytes));
        (
            cpu_time::thread_ns().saturating_sub(c0) as f64 / 1e6,
            w0.elapsed().as_secs_f64() * 1e3,
        )
    };
    let n = names.len();
    let mut core = vec![Vec::new(); n];
    let mut peer = vec![Vec::new(); n];
    for round in 0..rounds {
        for k in 0..n {
            let d = (k + round) % n;
            disturb(d);
            if (round + k) % 2 == 0 {
                core[d].push(time(&workloads::core_reader));
                disturb(d);
                peer[d].push(time(&workloads::peer_mrrc_read_record));
            } else {
                peer[d].push(time(&workloads::peer_mrrc_read_record));
                disturb(d);
                core[d].push(time(&workloads::core_reader));
            }
        }
    }
    let median = |v: &[(f64, f64)], wall: bool| {
        let mut s: Vec<f64> = v.iter().map(|&(c, w)| if wall { w } else { c }).collect();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    println!("| after | core CPU | core wall | peer CPU | peer wall | ratio CPU | ratio wall |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for d in 0..n {
        let (cc, cw) = (median(&core[d], false), median(&core[d], true));
        let (pc, pw) = (median(&peer[d], false), median(&peer[d], true));
        println!(
            "| {} | {cc:.1} ms | {cw:.1} ms | {pc:.1} ms | {pw:.1} ms | {:.2}x | {:.2}x |",
            names[d],
            pc / cc,
            pw / cw
        );
    }
}
