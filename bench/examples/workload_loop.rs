//! Runs one reading workload of `mrrc_bench::workloads` N times over a file,
//! for a profiler or `/usr/bin/time` (user CPU time is steadier than wall
//! time on a shared machine); prints the per-round minimum and median CPU time to stderr: `workload_loop FILE ROUNDS core|peer-mrrc|peer-marc|view|parallel1|parallel2|par-records1|par-records2`.
use mrrc_bench::workloads;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds: usize = args
        .next()
        .map_or(1, |r| r.parse().expect("a number of rounds"));
    let which = args.next().unwrap_or_else(|| "core".into());
    let bytes = std::fs::read(path).expect("a readable file");
    let ranges = workloads::record_ranges(&bytes);
    let parse_record = |b: &[u8]| workloads::core_parse_record(b, &ranges);
    let run: &dyn Fn(&[u8]) -> workloads::Tally = match which.as_str() {
        "core" => &workloads::core_reader,
        "core-stream" => &workloads::core_stream_reader,
        "parse-record" => &parse_record,
        "touch2" => &|b: &[u8]| workloads::core_parse_record_touch(b, &ranges, 2),
        "touch4" => &|b: &[u8]| workloads::core_parse_record_touch(b, &ranges, 4),
        "pf1" => &|b: &[u8]| workloads::core_parse_record_prefetch(b, &ranges, 1),
        "pf2" => &|b: &[u8]| workloads::core_parse_record_prefetch(b, &ranges, 2),
        "pf4" => &|b: &[u8]| workloads::core_parse_record_prefetch(b, &ranges, 4),
        "peer-mrrc" => &workloads::peer_mrrc_read_record,
        "peer-marc" => &workloads::peer_marc_parse,
        "view" => &workloads::core_view,
        "parallel1" => &|b: &[u8]| workloads::core_parallel_reader(b, 1),
        "parallel2" => &|b: &[u8]| workloads::core_parallel_reader(b, 2),
        "par-records1" => &|b: &[u8]| workloads::core_par_records(&workloads::pool(1), b),
        "par-records2" => &|b: &[u8]| workloads::core_par_records(&workloads::pool(2), b),
        other => panic!("unknown workload {other}"),
    };
    let mut records = 0;
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let started = cpu_time_ns();
        records += run(&bytes).records;
        times.push((cpu_time_ns() - started) as f64 / 1e6);
    }
    println!("{records}");
    // Per-round CPU times without the file read, for A/B comparisons of
    // builds (time on the CPU is steadier than wall time when the machine is
    // shared: waiting for it is not counted).
    times.sort_by(f64::total_cmp);
    if let (Some(min), Some(median)) = (times.first(), times.get(times.len() / 2)) {
        eprintln!("{which}: min {min:.1} ms, median {median:.1} ms per round");
    }
}

/// This thread's time on the CPU so far, in nanoseconds (Linux schedstat;
/// 0 where it is not available).
fn cpu_time_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}
