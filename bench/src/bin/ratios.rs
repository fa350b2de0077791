//! Runs the reading workloads several times on one file, interleaved, and
//! prints a Markdown table of medians and the ratios the targets are set in.
//!
//! `ratios [--file PATH | --sample N] [--runs K] [--min-seconds S] [--layout phased|mixed]
//!  [--order shuffled|rotated] [--in-process] [--trace]`
//!
//! Without `--file` or `--sample` it uses the LoC file when present
//! (`data/loc/BooksAll.2016.part01.utf8`), else 10,000 sample records.
//! One warm-up round is run and not counted. In each counted round every
//! workload runs once, in a new order each round (a seeded shuffle), so
//! that none always runs first or last or next to the same workload: a
//! workload's time depends on the one before it (session 10 measured the
//! full parse 5-10% slower after the two-thread CPU control than after the
//! scan, which a rotated order always put before it); `--order rotated`
//! keeps the old order, rotated by one each round. A workload shorter than
//! `--min-seconds` (default 0.3) is repeated within its measurement and the
//! time divided.
//!
//! The default layout runs in two phases: first the single-threaded rows
//! (all reading the same file's bytes), then the threaded rows,
//! with the two copies of the input the independent-thread rows need
//! allocated only then, and the full parse and mrrc 0.9.2 run again among
//! them (so every run shows what the threaded rows do to a single-threaded
//! row next to them). `--layout mixed` runs every row in one phase, the
//! copies allocated first (the layout before session 10). Besides wall time
//! each row reports the main thread's CPU time and the process's minor page
//! faults per pass. `--trace` prints each counted measurement to stderr with
//! the workload run before it.
//!
//! Each phase-1 measurement (and its warm-up) runs in a fresh process: this
//! binary again, with `--child NAME --repeat R`, which reads the input,
//! runs the workload once untimed, then times it. In one long-lived process
//! every single-threaded workload ran slower than alone, mrrc 0.9.2 (about
//! 40% malloc) by 13-22% and the full parse by 4-19%, which raised the full
//! parse's ratio to mrrc 0.9.2 above what each parser alone gives (session
//! 10, bench/README.md). `--in-process` runs phase 1 in this process, as
//! before.

use std::ops::Range;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mrrc_bench::cpu_time;
use mrrc_bench::rng::SplitMix64;
use mrrc_bench::workloads::{self, Tally};

/// Seeds the order of each counted round (`--order shuffled`).
const ORDER_SEED: u64 = 2016;

/// What a run leaves to drop after its timer stops (parsed records).
type Leftover = Box<dyn std::any::Any>;

struct Workload<'a> {
    name: &'static str,
    run: Box<dyn FnMut() -> (Tally, Leftover) + 'a>,
    repeat: u32,
    /// Wall time per pass, one entry per counted round.
    times: Vec<f64>,
    /// The calling (main) thread's CPU time per pass.
    cpu: Vec<f64>,
    /// Minor page faults of the whole process per pass.
    minflt: Vec<f64>,
    tally: Tally,
    phase: usize,
}

fn workload<'a>(name: &'static str, mut run: impl FnMut() -> Tally + 'a) -> Workload<'a> {
    Workload {
        name,
        run: Box::new(move || (run(), Box::new(()))),
        repeat: 1,
        times: Vec::new(),
        cpu: Vec::new(),
        minflt: Vec::new(),
        tally: Tally::default(),
        phase: 1,
    }
}

/// A workload whose results are dropped outside the timed region.
fn workload_keeping<'a, T: 'static>(
    name: &'static str,
    mut run: impl FnMut() -> (Tally, T) + 'a,
) -> Workload<'a> {
    Workload {
        name,
        run: Box::new(move || {
            let (tally, kept) = run();
            (tally, Box::new(kept))
        }),
        repeat: 1,
        times: Vec::new(),
        cpu: Vec::new(),
        minflt: Vec::new(),
        tally: Tally::default(),
        phase: 1,
    }
}

const SCAN: &str = "scan limit (memchr 0x1D)";
/// The full owned parse a user with the bytes in memory gets.
const FULL_PARSE: &str = "mrrc-core SliceReader (owned, in place)";
const STREAMED: &str = "mrrc-core MarcReader over a Read stream (owned)";
const PARSE_RECORD: &str = "mrrc-core parse_record (owned)";
const PEER_MRRC: &str = "mrrc 0.9.2 read_record";
const VIEW: &str = "mrrc-core SliceReader::next_view (borrowed)";
const PEER_MARC: &str = "marc 3 Record::parse";
/// The full parse and mrrc 0.9.2 again among the threaded rows.
const FULL_PARSE_THREADED: &str = "mrrc-core SliceReader, among the threaded rows";
const PEER_MRRC_THREADED: &str = "mrrc 0.9.2 read_record, among the threaded rows";
const INDEPENDENT_1: &str = "SliceReader on 1 thread, own copy";
const INDEPENDENT_2: &str = "SliceReader on 2 threads, own copy each (per file)";

fn usage() -> ExitCode {
    eprintln!(
        "usage: ratios [--file PATH | --sample N] [--runs K] [--min-seconds S] \
         [--layout phased|mixed] [--order shuffled|rotated] [--in-process] [--trace]"
    );
    ExitCode::from(2)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// (max - min) / median.
fn spread(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::MIN, f64::max);
    let min = v.iter().copied().fold(f64::MAX, f64::min);
    (max - min) / median(v)
}

/// UTC date and time from the system clock (days-to-civil, H. Hinnant).
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

fn time_once(w: &mut Workload) -> f64 {
    let mut leftovers = Vec::with_capacity(w.repeat as usize);
    let (faults0, _) = cpu_time::page_faults();
    let cpu0 = cpu_time::thread_ns();
    let start = Instant::now();
    let mut tally = Tally::default();
    for _ in 0..w.repeat {
        let (t, leftover) = std::hint::black_box((w.run)());
        tally = t;
        leftovers.push(leftover);
    }
    let seconds = start.elapsed().as_secs_f64() / f64::from(w.repeat);
    let cpu = cpu_time::thread_ns().saturating_sub(cpu0) as f64 / 1e9 / f64::from(w.repeat);
    let (faults1, _) = cpu_time::page_faults();
    drop(leftovers);
    w.tally = tally;
    w.cpu.push(cpu);
    w.minflt
        .push(faults1.saturating_sub(faults0) as f64 / f64::from(w.repeat));
    seconds
}

/// One warm-up round (not counted, sets each workload's repeat count), then
/// `runs` counted rounds, each running every workload once in this
/// process, in the order [`Orders`] gives. Returns the counted rounds' time.
fn run_phase(
    list: &mut [Workload],
    runs: usize,
    min_seconds: f64,
    shuffled: bool,
    trace: bool,
) -> Duration {
    let in_process = |w: &mut Workload| Ok(time_once(w));
    run_rounds(list, runs, min_seconds, shuffled, trace, false, in_process)
        .expect("measuring in this process does not fail")
}

/// The rounds of a phase: a warm-up round through `measure` (not counted;
/// it sets each workload's repeat count), then `runs` counted rounds in the
/// order [`Orders`] gives. `measure` times one pass of a workload `repeat`
/// times and records its CPU time and faults; `in_child` says where, for
/// `--trace`.
fn run_rounds(
    list: &mut [Workload],
    runs: usize,
    min_seconds: f64,
    shuffled: bool,
    trace: bool,
    in_child: bool,
    mut measure: impl FnMut(&mut Workload) -> Result<f64, String>,
) -> Result<Duration, String> {
    for w in list.iter_mut() {
        let t = measure(w)?.max(1e-9);
        w.repeat = ((min_seconds / t).ceil() as u32).clamp(1, 10_000);
        w.cpu.clear();
        w.minflt.clear();
    }
    let started = Instant::now();
    let mut before = "";
    let mut orders = Orders::new(list.len(), shuffled);
    for round in 0..runs {
        for i in orders.next(round) {
            let w = &mut list[i];
            let t = measure(w)?;
            w.times.push(t);
            if trace {
                let place = if in_child {
                    "in its own process".to_string()
                } else {
                    format!("after {before}")
                };
                eprintln!(
                    "trace: round {round}: {} {place}: {:.2} ms, main thread CPU {:.2} ms",
                    w.name,
                    t * 1e3,
                    w.cpu.last().copied().unwrap_or(f64::NAN) * 1e3
                );
            }
            before = w.name;
        }
    }
    Ok(started.elapsed())
}

/// The order of each counted round: a seeded shuffle (Fisher-Yates), new
/// each round so that no workload always runs next to the same ones, or the
/// first order rotated by `round`.
struct Orders {
    rng: SplitMix64,
    order: Vec<usize>,
    shuffled: bool,
}

impl Orders {
    fn new(n: usize, shuffled: bool) -> Self {
        Orders {
            rng: SplitMix64::new(ORDER_SEED),
            order: (0..n).collect(),
            shuffled,
        }
    }

    fn next(&mut self, round: usize) -> Vec<usize> {
        let n = self.order.len();
        if self.shuffled {
            for i in (1..n).rev() {
                self.order.swap(i, self.rng.below(i as u64 + 1) as usize);
            }
            self.order.clone()
        } else {
            (0..n).map(|k| (k + round) % n).collect()
        }
    }
}

/// One measurement of the single-threaded workload `name` in a process of
/// its own (phase 1 unless `--in-process`): this binary run again with
/// `--child`, which
/// reads the input, runs the workload once untimed and then `repeat` times
/// timed, and prints the time and CPU time per pass, the minor faults per
/// pass and the records seen.
fn measure_in_child(
    name: &str,
    repeat: u32,
    input: &[String],
) -> Result<(f64, f64, f64, usize), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = std::process::Command::new(exe)
        .args(input)
        .args(["--child", name, "--repeat", &repeat.to_string()])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Vec<&str> = text.split_whitespace().collect();
    match (out.status.success(), v.as_slice()) {
        (true, [t, c, f, r]) => Ok((
            t.parse().map_err(|_| text.to_string())?,
            c.parse().map_err(|_| text.to_string())?,
            f.parse().map_err(|_| text.to_string())?,
            r.parse().map_err(|_| text.to_string())?,
        )),
        _ => Err(format!("child for {name} failed: {text}")),
    }
}

/// [`run_phase`] with every measurement (warm-up included) in a fresh
/// process, so no workload's after-effects reach another's.
fn run_phase_in_processes(
    list: &mut [Workload],
    runs: usize,
    min_seconds: f64,
    shuffled: bool,
    trace: bool,
    input: &[String],
) -> Result<Duration, String> {
    let in_child = |w: &mut Workload| {
        let (t, cpu, faults, records) = measure_in_child(w.name, w.repeat, input)?;
        w.cpu.push(cpu);
        w.minflt.push(faults);
        w.tally.records = records;
        Ok(t)
    };
    run_rounds(list, runs, min_seconds, shuffled, trace, true, in_child)
}

/// The single-threaded workloads, over the one buffer.
fn single_threaded<'a>(bytes: &'a [u8], ranges: &'a [Range<usize>]) -> Vec<Workload<'a>> {
    vec![
        workload(SCAN, || workloads::scan_terminators(bytes)),
        workload(FULL_PARSE, || workloads::core_reader(bytes)),
        workload(STREAMED, || workloads::core_stream_reader(bytes)),
        workload(PARSE_RECORD, || workloads::core_parse_record(bytes, ranges)),
        workload(PEER_MRRC, || workloads::peer_mrrc_read_record(bytes)),
        workload(VIEW, || workloads::core_view(bytes)),
        workload(PEER_MARC, || workloads::peer_marc_parse(bytes)),
    ]
}

/// The workloads on a pool or threads of their own (and, with `controls`,
/// the full parse and mrrc 0.9.2 again, to show what running among them
/// does to single-threaded rows).
fn threaded<'a>(
    bytes: &'a [u8],
    pools: &'a [rayon::ThreadPool; 2],
    copies: &'a [Vec<u8>],
    controls: bool,
) -> Vec<Workload<'a>> {
    // Enough control work for a few tenths of a second on one thread.
    let control_units = 512;
    let [pool1, pool2] = pools;
    let mut list = Vec::new();
    if controls {
        list.push(workload(FULL_PARSE_THREADED, || {
            workloads::core_reader(bytes)
        }));
        list.push(workload(PEER_MRRC_THREADED, || {
            workloads::peer_mrrc_read_record(bytes)
        }));
    }
    list.extend([
        workload_keeping("mrrc-core parallel::parse_all, 1 thread", || {
            workloads::core_parse_all(pool1, bytes)
        }),
        workload_keeping("mrrc-core parallel::parse_all, 2 threads", || {
            workloads::core_parse_all(pool2, bytes)
        }),
        workload("mrrc-core par_records, 1 thread", || {
            workloads::core_par_records(pool1, bytes)
        }),
        workload("mrrc-core par_records, 2 threads", || {
            workloads::core_par_records(pool2, bytes)
        }),
        workload("mrrc-core ParallelReader, 1 thread", || {
            workloads::core_parallel_reader(bytes, 1)
        }),
        workload("mrrc-core ParallelReader, 2 threads", || {
            workloads::core_parallel_reader(bytes, 2)
        }),
        workload(INDEPENDENT_1, || {
            workloads::core_reader_independent(&copies[..1])
        }),
        // Parses the file twice per pass (its records/s column is per file;
        // the speedup row below counts both).
        workload(INDEPENDENT_2, || {
            let mut t = workloads::core_reader_independent(copies);
            t.records /= 2;
            t
        }),
        workload("CPU control, 1 thread", move || {
            std::hint::black_box(workloads::cpu_control(pool1, control_units));
            Tally::default()
        }),
        workload("CPU control, 2 threads", move || {
            std::hint::black_box(workloads::cpu_control(pool2, control_units));
            Tally::default()
        }),
    ]);
    for w in &mut list {
        w.phase = 2;
    }
    list
}

fn main() -> ExitCode {
    let mut file = None;
    let mut sample = None;
    let mut runs = 5usize;
    let mut min_seconds = 0.3f64;
    let mut phased = true;
    let mut trace = false;
    let mut shuffled = true;
    let mut processes = true;
    let mut child: Option<String> = None;
    let mut child_repeat = 1u32;
    // How the input was named, for `--processes`' children.
    let mut input: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let ok = match arg.as_str() {
            "--file" => args.next().map(|v| {
                input.extend(["--file".to_string(), v.clone()]);
                file = Some(v)
            }),
            "--sample" => args.next().and_then(|v| v.parse().ok()).map(|v: usize| {
                input.extend(["--sample".to_string(), v.to_string()]);
                sample = Some(v)
            }),
            "--in-process" => {
                processes = false;
                Some(())
            }
            "--child" => args.next().map(|v| child = Some(v)),
            "--repeat" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|v| child_repeat = v),
            "--runs" => args.next().and_then(|v| v.parse().ok()).map(|v| runs = v),
            "--min-seconds" => args
                .next()
                .and_then(|v| v.parse().ok())
                .map(|v| min_seconds = v),
            "--trace" => {
                trace = true;
                Some(())
            }
            "--order" => match args.next().as_deref() {
                Some("shuffled") => Some(true),
                Some("rotated") => Some(false),
                _ => None,
            }
            .map(|o| shuffled = o),
            "--layout" => match args.next().as_deref() {
                Some("phased") => Some(true),
                Some("mixed") => Some(false),
                _ => None,
            }
            .map(|p| phased = p),
            _ => None,
        };
        if ok.is_none() || runs == 0 {
            return usage();
        }
    }
    let (label, bytes) = match (file, sample) {
        (Some(_), Some(_)) => return usage(),
        (Some(path), None) => match std::fs::read(&path) {
            Ok(b) => (path, b),
            Err(e) => {
                eprintln!("ratios: cannot read {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        (None, n) => match (n, mrrc_bench::loc_path()) {
            (None, Some(path)) => (
                path.display().to_string(),
                std::fs::read(&path).expect("readable LoC file"),
            ),
            (n, _) => {
                let n = n.unwrap_or(mrrc_bench::SAMPLE_RECORDS);
                (
                    format!(
                        "sample corpus ({n} records, seed {})",
                        mrrc_bench::SAMPLE_SEED
                    ),
                    mrrc_bench::sample_corpus(n, mrrc_bench::SAMPLE_SEED),
                )
            }
        },
    };
    let bytes = &bytes[..];
    let ranges = workloads::record_ranges(bytes);
    if let Some(name) = child {
        let mut list = single_threaded(bytes, &ranges);
        let Some(w) = list.iter_mut().find(|w| w.name == name) else {
            eprintln!("ratios: no single-threaded workload {name}");
            return ExitCode::FAILURE;
        };
        time_once(w);
        w.repeat = child_repeat.max(1);
        let t = time_once(w);
        println!(
            "{t} {} {} {}",
            w.cpu.last().copied().unwrap_or(f64::NAN),
            w.minflt.last().copied().unwrap_or(f64::NAN),
            w.tally.records
        );
        return ExitCode::SUCCESS;
    }
    let pools = [workloads::pool(1), workloads::pool(2)];
    let copies: Vec<Vec<u8>>;
    let mut first = single_threaded(bytes, &ranges);
    let mut second = Vec::new();
    let elapsed = if phased {
        // The single-threaded rows first, before the threaded rows allocate
        // their copies of the input and their kept records.
        let one = if processes {
            match run_phase_in_processes(&mut first, runs, min_seconds, shuffled, trace, &input) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("ratios: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            run_phase(&mut first, runs, min_seconds, shuffled, trace)
        };
        copies = vec![bytes.to_vec(), bytes.to_vec()];
        second = threaded(bytes, &pools, &copies, true);
        one + run_phase(&mut second, runs, min_seconds, shuffled, trace)
    } else {
        copies = vec![bytes.to_vec(), bytes.to_vec()];
        first.extend(threaded(bytes, &pools, &copies, false));
        for w in &mut first {
            w.phase = 1;
        }
        run_phase(&mut first, runs, min_seconds, shuffled, trace)
    };
    let list: Vec<Workload> = first.into_iter().chain(second).collect();
    let scanned = list[0].tally.records;
    for w in list.iter().skip(1) {
        if w.tally.records != scanned && !w.name.starts_with("CPU") {
            eprintln!(
                "ratios: {} saw {} records, the scan {scanned}",
                w.name, w.tally.records
            );
            return ExitCode::FAILURE;
        }
    }

    print_report(
        &label,
        bytes.len(),
        scanned,
        runs,
        elapsed,
        (phased, shuffled, processes && phased),
        &list,
    );
    ExitCode::SUCCESS
}

fn find<'a>(list: &'a [Workload], name: &str) -> Option<&'a Workload<'a>> {
    list.iter().find(|w| w.name == name)
}

fn print_report(
    label: &str,
    size: usize,
    records: usize,
    runs: usize,
    elapsed: Duration,
    (phased, shuffled, processes): (bool, bool, bool),
    list: &[Workload],
) {
    println!(
        "Input: {label}: {records} records, {:.1} MB.",
        size as f64 / 1e6
    );
    let layout = if phased {
        "in two phases: 1, the single-threaded rows; 2, the threaded rows (with the \
         input's two copies they use, allocated after phase 1) and the full parse and \
         mrrc 0.9.2 again among them"
    } else {
        "in one phase (every row, the input's two copies allocated first)"
    };
    let layout = if processes {
        format!(
            "{layout}; every phase-1 measurement (and its warm-up) in a fresh process \
             (--in-process runs them in this one)"
        )
    } else {
        layout.to_string()
    };
    let order = if shuffled {
        "each round in a new order (seeded shuffle)"
    } else {
        "each round's order rotated by one"
    };
    println!(
        "{runs} counted rounds after one warm-up, interleaved ({order}), {layout}; {} ({} hardware threads); took {:.0} s.",
        utc_now(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        elapsed.as_secs_f64()
    );
    println!();
    println!(
        "| phase | workload | median per pass | spread (max-min)/median | records/s | MB/s | main thread CPU per pass | minor faults per pass |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    for w in list {
        let m = median(&w.times);
        let (rps, mbps) = if w.name.starts_with("CPU") {
            ("-".to_string(), "-".to_string())
        } else {
            (
                format!("{:.0}", records as f64 / m),
                format!("{:.0}", size as f64 / 1e6 / m),
            )
        };
        println!(
            "| {} | {} | {:.2} ms | {:.0}% | {rps} | {mbps} | {:.2} ms | {:.0} |",
            w.phase,
            w.name,
            m * 1e3,
            spread(&w.times) * 100.0,
            median(&w.cpu) * 1e3,
            median(&w.minflt)
        );
    }
    println!();
    println!("| ratio (of records/s, from medians) | measured | target |");
    println!("|---|---:|---:|");
    // A ratio of throughputs is the inverse ratio of the median times.
    let ratio = |a: &str, b: &str| -> Option<f64> {
        Some(median(&find(list, b)?.times) / median(&find(list, a)?.times))
    };
    // The threaded rows are set against the full parse run among them when
    // it was (phased layout), so both sides of such a ratio ran in one phase.
    let slice = if find(list, FULL_PARSE_THREADED).is_some() {
        FULL_PARSE_THREADED
    } else {
        FULL_PARSE
    };
    let rows: [(&str, &str, &str, &str); 14] = [
        (
            "full parse (SliceReader) / mrrc 0.9.2 read_record",
            FULL_PARSE,
            "mrrc 0.9.2 read_record",
            ">= 10x",
        ),
        (
            "full parse / mrrc 0.9.2, both among the threaded rows",
            FULL_PARSE_THREADED,
            PEER_MRRC_THREADED,
            "",
        ),
        (
            "full parse streamed (MarcReader over Read) / mrrc 0.9.2 read_record",
            "mrrc-core MarcReader over a Read stream (owned)",
            "mrrc 0.9.2 read_record",
            "",
        ),
        (
            "full parse (SliceReader) / scan limit",
            FULL_PARSE,
            "scan limit (memchr 0x1D)",
            ">= 0.1x",
        ),
        (
            "parse_record per record / mrrc 0.9.2 read_record",
            "mrrc-core parse_record (owned)",
            "mrrc 0.9.2 read_record",
            "",
        ),
        (
            "view (next_view) / marc 3 Record::parse",
            VIEW,
            "marc 3 Record::parse",
            ">= 1.3x",
        ),
        (
            "view (next_view) / scan limit",
            VIEW,
            "scan limit (memchr 0x1D)",
            ">= 0.5x",
        ),
        (
            "parse_all: 2 threads / 1 thread",
            "mrrc-core parallel::parse_all, 2 threads",
            "mrrc-core parallel::parse_all, 1 thread",
            ">= 1.8x",
        ),
        (
            "ParallelReader: 2 threads / 1 thread",
            "mrrc-core ParallelReader, 2 threads",
            "mrrc-core ParallelReader, 1 thread",
            "",
        ),
        (
            "par_records: 2 threads / 1 thread",
            "mrrc-core par_records, 2 threads",
            "mrrc-core par_records, 1 thread",
            ">= 1.8x (next to the control's)",
        ),
        (
            "par_records 2 threads / SliceReader",
            "mrrc-core par_records, 2 threads",
            slice,
            ">= 1.8x",
        ),
        (
            "ParallelReader 2 threads / SliceReader",
            "mrrc-core ParallelReader, 2 threads",
            slice,
            ">= 1.8x",
        ),
        (
            "parse_all 2 threads / SliceReader",
            "mrrc-core parallel::parse_all, 2 threads",
            slice,
            ">= 1.8x",
        ),
        (
            "CPU control: 2 threads / 1 thread",
            "CPU control, 2 threads",
            "CPU control, 1 thread",
            "2x if 2 cores are free",
        ),
    ];
    for (what, a, b, target) in rows {
        if let Some(r) = ratio(a, b) {
            println!("| {what} | {r:.2}x | {target} |");
        }
    }
    // The same single-threaded ratios in CPU time of the main thread (time
    // spent waiting for a core, on a shared machine, not counted).
    let cpu_ratio = |a: &str, b: &str| -> Option<f64> {
        Some(median(&find(list, b)?.cpu) / median(&find(list, a)?.cpu))
    };
    for (what, a, b) in [
        (
            "full parse / mrrc 0.9.2, in main thread CPU time",
            FULL_PARSE,
            PEER_MRRC,
        ),
        ("view / marc 3, in main thread CPU time", VIEW, PEER_MARC),
    ] {
        if let Some(r) = cpu_ratio(a, b) {
            println!("| {what} | {r:.2}x | |");
        }
    }
    // Two files parsed in the time of one pass: twice the per-file rate.
    let ceiling = ratio(INDEPENDENT_2, INDEPENDENT_1).map(|r| 2.0 * r);
    if let Some(c) = ceiling {
        println!(
            "| SliceReader on 2 threads, nothing shared / 1 thread (the ceiling) | {c:.2}x | |"
        );
        for (name, parallel) in [
            ("par_records", "mrrc-core par_records, 2 threads"),
            ("ParallelReader", "mrrc-core ParallelReader, 2 threads"),
            ("parse_all", "mrrc-core parallel::parse_all, 2 threads"),
        ] {
            if let Some(r) = ratio(parallel, slice) {
                println!(
                    "| {name} 2 threads / SliceReader, share of the ceiling | {:.0}% | |",
                    100.0 * r / c
                );
            }
        }
    }
    let control = ratio("CPU control, 2 threads", "CPU control, 1 thread");
    for name in ["par_records", "parallel::parse_all", "ParallelReader"] {
        let speedup = ratio(
            &format!("mrrc-core {name}, 2 threads"),
            &format!("mrrc-core {name}, 1 thread"),
        );
        if let (Some(p), Some(c)) = (speedup, control) {
            println!(
                "| {name} speedup / the control's speedup | {:.0}% | |",
                100.0 * p / c
            );
        }
    }
}
