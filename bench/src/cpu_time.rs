//! Time on the CPU, from Linux's schedstat: steadier than wall time on a
//! shared machine, as time spent waiting for a core is not counted. Zero (or
//! NaN in seconds) where /proc is not available.

/// Nanoseconds the calling thread has run.
pub fn thread_ns() -> u64 {
    schedstat_ns("/proc/thread-self/schedstat").unwrap_or(0)
}

/// Nanoseconds all of this process's threads (live ones) have run: with a
/// rayon pool, the pool's threads included.
pub fn process_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| schedstat_ns(t.ok()?.path().join("schedstat")))
        .sum()
}

/// [`thread_ns`] in seconds.
pub fn thread_seconds() -> f64 {
    match thread_ns() {
        0 => f64::NAN,
        ns => ns as f64 / 1e9,
    }
}

/// [`process_ns`] in seconds.
pub fn process_seconds() -> f64 {
    match process_ns() {
        0 => f64::NAN,
        ns => ns as f64 / 1e9,
    }
}

/// The first number of a schedstat file: time on the CPU in nanoseconds.
fn schedstat_ns(path: impl AsRef<std::path::Path>) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Page faults of the whole process so far (every thread, live or ended),
/// minor and major, from /proc/self/stat; `(0, 0)` where /proc is not
/// available.
pub fn page_faults() -> (u64, u64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0, 0);
    };
    // The fields after the command name (which may hold spaces): state is
    // the first, minflt the eighth, majflt the tenth.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return (0, 0);
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let at = |i: usize| fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0);
    (at(7), at(9))
}
