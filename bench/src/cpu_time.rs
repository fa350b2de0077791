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
