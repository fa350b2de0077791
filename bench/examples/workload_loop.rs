//! Runs one reading workload of `mrrc_bench::workloads` N times over a file,
//! for a profiler or A/B comparisons of builds; prints to stderr the median
//! per round of the calling thread's CPU time, the whole process's CPU time
//! (a pool's threads included) and wall time (CPU time is steadier than wall
//! time on a shared machine: waiting for a core is not counted):
//! `workload_loop FILE ROUNDS core|core-stream|check|parse-record|split|peer-mrrc|peer-marc|view|view-parse-loop|view-every-value|parallel1|parallel2|par-records1|par-records2`.
use std::time::Instant;

use mrrc_bench::cpu_time;
use mrrc_bench::workloads;

/// A workload over the file's bytes.
type Run<'a> = Box<dyn Fn(&[u8]) -> workloads::Tally + 'a>;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds: usize = args
        .next()
        .map_or(1, |r| r.parse().expect("a number of rounds"));
    let which = args.next().unwrap_or_else(|| "core".into());
    let bytes = std::fs::read(path).expect("a readable file");
    let ranges = workloads::record_ranges(&bytes);
    let (pool1, pool2) = (workloads::pool(1), workloads::pool(2));
    let run: Run = match which.as_str() {
        "core" => Box::new(workloads::core_reader),
        "core-stream" => Box::new(workloads::core_stream_reader),
        "check" => Box::new(workloads::core_check),
        "parse-record" => Box::new(|b| workloads::core_parse_record(b, &ranges)),
        "split" => Box::new(workloads::core_split_records),
        "peer-mrrc" => Box::new(workloads::peer_mrrc_read_record),
        "peer-marc" => Box::new(workloads::peer_marc_parse),
        "view" => Box::new(workloads::core_view),
        "view-parse-loop" => Box::new(workloads::core_view_parse_loop),
        "view-every-value" => Box::new(workloads::core_view_every_value),
        "parallel1" => Box::new(|b| workloads::core_parallel_reader(b, 1)),
        "parallel2" => Box::new(|b| workloads::core_parallel_reader(b, 2)),
        "par-records1" => Box::new(|b| workloads::core_par_records(&pool1, b)),
        "par-records2" => Box::new(|b| workloads::core_par_records(&pool2, b)),
        other => panic!("unknown workload {other}"),
    };
    let mut records = 0;
    let (mut thread, mut process, mut wall) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (t0, p0, w0) = (
            cpu_time::thread_ns(),
            cpu_time::process_ns(),
            Instant::now(),
        );
        records += run(&bytes).records;
        wall.push(w0.elapsed().as_secs_f64() * 1e3);
        thread.push(cpu_time::thread_ns().saturating_sub(t0) as f64 / 1e6);
        process.push(cpu_time::process_ns().saturating_sub(p0) as f64 / 1e6);
    }
    println!("{records}");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    eprintln!(
        "{which}: median per round: thread CPU {:.1} ms, process CPU {:.1} ms, wall {:.1} ms",
        median(&mut thread),
        median(&mut process),
        median(&mut wall)
    );
}
