//! Runs one reading workload of `mrrc_bench::workloads` N times over a file,
//! for a profiler or `/usr/bin/time` (user CPU time is steadier than wall
//! time on a shared machine): `workload_loop FILE ROUNDS core|peer-mrrc|peer-marc|view|parallel1|parallel2|par-records1|par-records2`.
use mrrc_bench::workloads;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("a file");
    let rounds: usize = args
        .next()
        .map_or(1, |r| r.parse().expect("a number of rounds"));
    let which = args.next().unwrap_or_else(|| "core".into());
    let bytes = std::fs::read(path).expect("a readable file");
    let run = match which.as_str() {
        "core" => workloads::core_reader,
        "peer-mrrc" => workloads::peer_mrrc_read_record,
        "peer-marc" => workloads::peer_marc_parse,
        "view" => workloads::core_view,
        "parallel1" => |b: &[u8]| workloads::core_parallel_reader(b, 1),
        "parallel2" => |b: &[u8]| workloads::core_parallel_reader(b, 2),
        "par-records1" => |b: &[u8]| workloads::core_par_records(&workloads::pool(1), b),
        "par-records2" => |b: &[u8]| workloads::core_par_records(&workloads::pool(2), b),
        other => panic!("unknown workload {other}"),
    };
    let mut records = 0;
    for _ in 0..rounds {
        records += run(&bytes).records;
    }
    println!("{records}");
}
