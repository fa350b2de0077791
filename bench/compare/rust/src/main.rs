//! The Rust runner of the comparison (`bench/compare/run.py` drives it).
//!
//! `mrrc-compare run CONFIG.json` measures the Rust core on the workloads the
//! config names and prints one JSON object (the protocol every runner shares;
//! see `bench/compare/README.md`). `mrrc-compare marc8 IN OUT` writes IN's
//! records again as MARC-8, the input of the MARC-8 workload.
//!
//! Every timer starts with the file's bytes already in memory and covers the
//! same work as the other languages' runners: see `workload` below.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use mrrc_core::iso2709::{write_record, MarcWriter, SliceReader, WriteCharset, WriteOptions};
use mrrc_core::parallel::par_records;
use mrrc_core::view::RecordView;
use mrrc_core::{ReadOptions, Record};
use serde_json::{json, Map, Value};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["run", config] => run(config),
        ["marc8", input, output] => to_marc8(input, output),
        _ => Err("usage: mrrc-compare run CONFIG.json | mrrc-compare marc8 IN OUT".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mrrc-compare: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res<T> = Result<T, String>;

fn read(path: &str) -> Res<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))
}

/// Every record of `bytes` (strict mode); the first error fails the run.
fn parse_all(bytes: &[u8]) -> Res<Vec<Record>> {
    SliceReader::new(bytes, ReadOptions::default())
        .enumerate()
        .map(|(i, r)| r.map_err(|e| format!("record {i}: {e}")))
        .collect()
}

/// Writes `input`'s records as MARC-8. The values go through the core's
/// `unicode_to_marc8` and out as raw bytes (`WriteCharset::Raw` writes each
/// char as the byte of the same value), with leader/09 blank: the same bytes
/// `WriteCharset::Marc8` gives, which does not yet encode non-ASCII text.
fn to_marc8(input: &str, output: &str) -> Res<()> {
    use mrrc_core::marc8::unicode_to_marc8;
    use mrrc_core::Field;
    let as_latin1 =
        |text: &str| -> String { unicode_to_marc8(text).into_iter().map(char::from).collect() };
    let records = parse_all(&read(input)?)?;
    let file = std::fs::File::create(output).map_err(|e| format!("{output}: {e}"))?;
    let mut writer = MarcWriter::new(
        std::io::BufWriter::new(file),
        WriteOptions {
            charset: WriteCharset::Raw,
        },
    );
    for r in &records {
        let mut leader = r.leader;
        leader.set(9, b' ');
        let fields = r
            .fields()
            .iter()
            .map(|f| match f.control_value() {
                Some(v) => Field::control(f.tag().clone(), as_latin1(v)),
                None => Field::data(
                    f.tag().clone(),
                    f.indicators().unwrap_or_default(),
                    f.subfields().map(|s| (s.code, as_latin1(s.value))),
                ),
            })
            .collect();
        writer
            .write(&Record::from_parts(leader, fields))
            .map_err(|e| e.to_string())?;
    }
    writer.finish().map_err(|e| e.to_string())?;
    Ok(())
}

/// FNV-1a (64 bit): the checksum every runner computes the same way.
struct Fnv(u64);
impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// Control field values plus subfield values: the "every value" count.
fn count_values(r: &Record) -> u64 {
    let mut n = 0u64;
    for f in r.fields() {
        if let Some(v) = f.control_value() {
            std::hint::black_box(v);
            n += 1;
        } else {
            for s in f.subfields() {
                std::hint::black_box((s.code, s.value));
                n += 1;
            }
        }
    }
    n
}

/// The untimed correctness pass: records, FNV of the titles, values.
fn check(bytes: &[u8]) -> Res<Value> {
    let records = parse_all(bytes)?;
    let mut fnv = Fnv::new();
    let mut values = 0;
    for r in &records {
        match r.title() {
            Some(t) => fnv.update(t.as_bytes()),
            None => fnv.update(b"\0"),
        }
        fnv.update(b"\n");
        values += count_values(r);
    }
    Ok(json!({"records": records.len(), "titles": format!("{:016x}", fnv.0), "values": values}))
}

/// pymarc's title from a borrowed view: 245 $a, a space and $b when both are
/// non-empty.
fn view_title(v: &RecordView<'_>) -> Res<Option<String>> {
    let Some(f) = v.get("245").map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let text = |code| -> Res<Option<&str>> {
        f.get(code)
            .map(|s| s.value_str().map_err(|e| e.to_string()))
            .transpose()
    };
    let Some(a) = text(b'a')?.filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(match text(b'b')?.filter(|b| !b.is_empty()) {
        Some(b) => format!("{a} {b}"),
        None => a.to_string(),
    }))
}

/// Every control value and subfield value of a view, each checked as UTF-8.
fn view_values(v: &RecordView<'_>) -> Res<u64> {
    let mut n = 0;
    for f in v.fields() {
        let f = f.map_err(|e| e.to_string())?;
        if f.is_control() {
            std::hint::black_box(f.value().map_err(|e| e.to_string())?);
            n += 1;
        } else {
            for s in f.subfields() {
                std::hint::black_box((s.code, s.value_str().map_err(|e| e.to_string())?));
                n += 1;
            }
        }
    }
    Ok(n)
}

/// Each record as a borrowed view, as a user walks a buffer
/// (`SliceReader::next_view`: framed like the reader, records ahead
/// prefetched).
fn views(bytes: &[u8]) -> impl Iterator<Item = Res<RecordView<'_>>> {
    let mut reader = SliceReader::new(bytes, ReadOptions::strict());
    std::iter::from_fn(move || reader.next_view().map(|v| v.map_err(|e| e.to_string())))
}

fn check_borrowed(bytes: &[u8]) -> Res<Value> {
    let mut fnv = Fnv::new();
    let mut values = 0;
    let mut records = 0;
    for v in views(bytes) {
        let v = v?;
        match view_title(&v)? {
            Some(t) => fnv.update(t.as_bytes()),
            None => fnv.update(b"\0"),
        }
        fnv.update(b"\n");
        values += view_values(&v)?;
        records += 1;
    }
    Ok(json!({"records": records, "titles": format!("{:016x}", fnv.0), "values": values}))
}

/// One pass of a borrowed-view workload; None when the view does not offer it.
fn borrowed_workload(name: &str, bytes: &[u8]) -> Option<Res<(u64, u64)>> {
    let pass = |per: &dyn Fn(&RecordView<'_>) -> Res<u64>| -> Res<(u64, u64)> {
        let (mut n, mut out) = (0, 0);
        for v in views(bytes) {
            out += per(&v?)?;
            n += 1;
        }
        Ok((n, out))
    };
    match name {
        "parse" => Some(pass(&|v| {
            std::hint::black_box(v.len());
            Ok(0)
        })),
        "title" => Some(pass(&|v| {
            std::hint::black_box(view_title(v)?);
            Ok(0)
        })),
        "fields" => Some(pass(&view_values)),
        _ => None,
    }
}

/// One pass of a workload; returns (records, output bytes).
fn workload(name: &str, bytes: &[u8], parsed: &[Record], packed: &[Vec<u8>]) -> Res<(u64, u64)> {
    let opts = ReadOptions::default();
    let mut n = 0u64;
    let mut out_bytes = 0u64;
    match name {
        "parse" => {
            for r in SliceReader::new(bytes, opts) {
                std::hint::black_box(r.map_err(|e| e.to_string())?);
                n += 1;
            }
        }
        "title" => {
            for r in SliceReader::new(bytes, opts) {
                let r = r.map_err(|e| e.to_string())?;
                std::hint::black_box(r.title());
                n += 1;
            }
        }
        "fields" | "marc8" => {
            for r in SliceReader::new(bytes, opts) {
                let r = r.map_err(|e| e.to_string())?;
                out_bytes += count_values(&r);
                n += 1;
            }
        }
        "write_iso" => {
            let mut buf = Vec::new();
            for r in parsed {
                buf.clear();
                write_record(r, &WriteOptions::default(), &mut buf).map_err(|e| e.to_string())?;
                out_bytes += buf.len() as u64;
                n += 1;
            }
        }
        "to_json" => {
            for r in parsed {
                out_bytes += mrrc_core::json::record_to_json(r).len() as u64;
                n += 1;
            }
        }
        "to_xml" => {
            for r in parsed {
                out_bytes += mrrc_core::marcxml::record_to_xml(r).len() as u64;
                n += 1;
            }
        }
        "msgpack_encode" => {
            for r in parsed {
                out_bytes += mrrc_core::msgpack::record_to_msgpack(r).len() as u64;
                n += 1;
            }
        }
        "msgpack_decode" => {
            for p in packed {
                let r =
                    mrrc_core::msgpack::record_from_msgpack(p, &opts).map_err(|e| e.to_string())?;
                std::hint::black_box(r);
                n += 1;
            }
        }
        other => return Err(format!("unknown workload {other}")),
    }
    Ok((n, out_bytes))
}

fn times_of(reps: usize, warmup: usize, mut pass: impl FnMut() -> Res<(u64, u64)>) -> Res<Value> {
    let mut times = Vec::new();
    let mut records = 0;
    let mut out = 0;
    for i in 0..warmup + reps {
        let start = Instant::now();
        let (n, o) = pass()?;
        let elapsed = start.elapsed().as_secs_f64();
        if i >= warmup {
            times.push(elapsed);
        }
        records = n;
        out = o;
    }
    Ok(json!({"records": records, "times_s": times, "out": out}))
}

type Pass<'a> = &'a mut dyn FnMut() -> Res<(u64, u64)>;

/// Timed passes of several jobs taken in turn (A B C A B C ...), so a job and
/// its control see the same load on a shared machine.
fn interleaved(reps: usize, warmup: usize, passes: &mut [Pass<'_>]) -> Res<Vec<Value>> {
    let mut times = vec![Vec::new(); passes.len()];
    let mut last = vec![(0, 0); passes.len()];
    for i in 0..warmup + reps {
        for (k, pass) in passes.iter_mut().enumerate() {
            let start = Instant::now();
            last[k] = pass()?;
            if i >= warmup {
                times[k].push(start.elapsed().as_secs_f64());
            }
        }
    }
    Ok(times
        .into_iter()
        .zip(last)
        .map(|(t, (n, o))| json!({"records": n, "times_s": t, "out": o}))
        .collect())
}

fn str_of<'a>(v: &'a Value, key: &str) -> Res<&'a str> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("config: missing {key}"))
}

fn usize_of(v: &Value, key: &str, default: usize) -> usize {
    v.get(key)
        .and_then(Value::as_u64)
        .map_or(default, |n| n as usize)
}

/// A CPU loop with no memory traffic: the control whose scaling is ideal.
fn spin(iterations: u64) -> u64 {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..iterations {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn run(config_path: &str) -> Res<()> {
    let config: Value =
        serde_json::from_slice(&read(config_path)?).map_err(|e| format!("{config_path}: {e}"))?;
    let approach = str_of(&config, "approach")?;
    let borrowed = match approach {
        "rust-owned" => false,
        "rust-borrowed" => true,
        _ => return Err(format!("unknown approach {approach}")),
    };
    let files = config.get("files").ok_or("config: missing files")?;
    let reps = usize_of(&config, "reps", 5);
    let warmup = usize_of(&config, "warmup", 1);

    let mut checks = Map::new();
    if borrowed {
        // A view hands out bytes: it does not decode MARC-8.
        checks.insert(
            "utf8".into(),
            check_borrowed(&read(str_of(files, "check")?)?)?,
        );
    } else {
        checks.insert("utf8".into(), check(&read(str_of(files, "check")?)?)?);
        checks.insert(
            "marc8".into(),
            check(&read(str_of(files, "check_marc8")?)?)?,
        );
    }

    let utf8 = read(str_of(files, "utf8")?)?;
    let marc8 = read(str_of(files, "marc8")?)?;
    let parsed = parse_all(&utf8)?;
    let packed: Vec<Vec<u8>> = parsed
        .iter()
        .map(mrrc_core::msgpack::record_to_msgpack)
        .collect();

    let mut results = Map::new();
    for w in config
        .get("workloads")
        .and_then(Value::as_array)
        .ok_or("config: missing workloads")?
    {
        let w = w.as_str().ok_or("config: workload names are strings")?;
        if w == "as_dict" {
            results.insert(w.into(), json!({"skipped": "a Python call"}));
            continue;
        }
        if borrowed {
            let r = match borrowed_workload(w, &utf8) {
                Some(_) => times_of(reps, warmup, || {
                    borrowed_workload(w, &utf8).expect("offered")
                })?,
                None => json!({"skipped": "the borrowed view reads ISO 2709 bytes only: \
                    MARC-8 decoding and output start from an owned Record"}),
            };
            results.insert(w.to_string(), r);
            continue;
        }
        let bytes = if w == "marc8" { &marc8 } else { &utf8 };
        let r = times_of(reps, warmup, || workload(w, bytes, &parsed, &packed))?;
        results.insert(w.to_string(), r);
    }

    let mut threads = Map::new();
    if let Some(t) = config.get("threads").filter(|t| !t.is_null() && !borrowed) {
        let counts: Vec<usize> = t
            .get("counts")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_u64())
                    .map(|c| c as usize)
                    .collect()
            })
            .unwrap_or_default();
        let treps = usize_of(t, "reps", 3);
        let iterations = t.get("spin").and_then(Value::as_u64).unwrap_or(200_000_000);
        let mut files_mode = BTreeMap::new();
        let mut single_mode = BTreeMap::new();
        let mut control = BTreeMap::new();
        for &n in &counts {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| e.to_string())?;
            // One copy of the file per thread, as the other languages read one file each.
            let copies: Vec<Vec<u8>> = (0..n).map(|_| utf8.clone()).collect();
            use rayon::prelude::*;
            let mut files_pass = || {
                pool.install(|| {
                    copies
                        .par_iter()
                        .map(|c| workload("title", c, &[], &[]))
                        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
                })
            };
            // One buffer split at record boundaries and parsed on N threads,
            // each record used and dropped on the thread that parsed it.
            let options = ReadOptions::default();
            let mut single_pass = || {
                pool.install(|| {
                    par_records(&utf8, &options)
                        .map(|p| {
                            let r = p.result.map_err(|e| e.to_string())?;
                            std::hint::black_box(r.title());
                            Ok((1, 0))
                        })
                        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
                })
            };
            let mut control_pass = || {
                pool.install(|| {
                    let x: u64 = (0..n).into_par_iter().map(|_| spin(iterations)).sum();
                    std::hint::black_box(x);
                });
                Ok((n as u64, 0))
            };
            let mut r = interleaved(
                treps,
                1,
                &mut [&mut files_pass, &mut single_pass, &mut control_pass],
            )?
            .into_iter();
            files_mode.insert(n.to_string(), r.next().expect("three results"));
            single_mode.insert(n.to_string(), r.next().expect("three results"));
            control.insert(n.to_string(), r.next().expect("three results"));
        }
        threads.insert("files".into(), json!(files_mode));
        threads.insert("single".into(), json!(single_mode));
        threads.insert("control".into(), json!(control));
    }

    let report = json!({
        "approach": approach,
        "versions": {"mrrc-core": env!("CARGO_PKG_VERSION")},
        "data": "file bytes in memory; records parsed from a byte slice",
        "check": checks,
        "workloads": results,
        "threads": threads,
    });
    println!("{report}");
    Ok(())
}
