"""Reading speed of mrrc (PyO3) and mrrc_cffi (cffi over libmrrc, when
installed) against pymarc 5.4.0 and the PyPI `mrrc` 0.9.2 (another project
with the same import name), in one run.

    PYMARC_SRC=/tmp/pymarc/pymarc-5.4.0 .venv/bin/python bench/python/read.py \\
        /tmp/pymarc/pymarc-5.4.0/BooksAll.2016.part01.utf8 --records 20000 --repeat 3

The first N records of the file are copied to a temporary file (pymarc needs
minutes for all 250,000). Each implementation runs in its own subprocess:
pymarc and this mrrc with this interpreter, the PyPI mrrc 0.9.2 with
--peer-python (a throwaway venv, default /tmp/venv-peer-mrrc/bin/python;
skipped when missing). Times are the best of --repeat runs of every
implementation, in process CPU time (time.process_time) for the
single-threaded cases and wall time for threads. The floor rows time the
same loops over Python objects that already exist (plus mrrc's reading):
what any implementation handing out those objects could at best reach.
The thread rows are medians of interleaved rounds, each round with its own
sha256 control (see threads_report).
`--batches` prints records/s against the reader's batch size (records parsed
per GIL release) with one and two threads.
"""

import argparse
import hashlib
import importlib
import json
import statistics
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.abspath(__file__)


def load(impl):
    if impl == "pymarc":
        sys.path.insert(0, os.environ.get("PYMARC_SRC", "/tmp/pymarc/pymarc-5.4.0"))
        try:
            return importlib.import_module("pymarc")
        finally:
            sys.path.pop(0)
    return importlib.import_module("mrrc_cffi" if impl == "mrrc_cffi" else "mrrc")


def iterate(m, impl, path, **kw):
    with open(path, "rb") as fh:
        return sum(1 for _ in m.MARCReader(fh, **kw))


def titles(m, impl, path):
    with open(path, "rb") as fh:
        return sum(1 for r in m.MARCReader(fh) if r.title is not None)


def every_value_loop(records):
    """pymarc 5.4.0's spelling of the every-value loop (also timed over
    ready-made objects by `floor_every`)."""
    n = 0
    for r in records:
        for f in r.get_fields():
            n += len(f.value())
            if not f.control_field:
                for sf in f:
                    n += len(sf.value)
    return n


def every_value(m, impl, path):
    # One loop per spelling, so that no helper call per field is timed.
    with open(path, "rb") as fh:
        if impl != "peer":
            return every_value_loop(m.MARCReader(fh))
        n = 0
        for r in m.MARCReader(fh):
            for f in r.get_fields():
                n += len(f.value())
                if not f.is_control_field():
                    for sf in f.subfields():
                        n += len(sf.value)
        return n


def as_dict(m, impl, path):
    with open(path, "rb") as fh:
        return sum(len(r.as_dict()["fields"]) for r in m.MARCReader(fh))


def ormsgpack_of_dict(m, impl, path):
    import ormsgpack

    with open(path, "rb") as fh:
        return sum(len(ormsgpack.packb(r.as_dict())) for r in m.MARCReader(fh))


def as_msgpack(m, impl, path):
    with open(path, "rb") as fh:
        return sum(len(r.as_msgpack()) for r in m.MARCReader(fh))


def bulk_values(m, impl, path):
    n = 0
    for r in m.MARCReader(path):
        n += len(r.get_values("650", "a")) + len(r.get_values("245", "a"))
    return n


def path_iterate(m, impl, path):
    return sum(1 for _ in m.MARCReader(path))


def path_threads2(m, impl, path):
    return sum(1 for _ in m.MARCReader(path, threads=2))


class _PlainField:
    """A field as plain Python objects, built before timing (floor rows)."""

    __slots__ = ("control_field", "_subfields", "_value")

    def __init__(self, control_field, subfields, value):
        self.control_field, self._subfields, self._value = control_field, subfields, value

    def value(self):
        return self._value

    def __iter__(self):
        return iter(self._subfields)


class _PlainRecord:
    __slots__ = ("_fields",)

    def __init__(self, fields):
        self._fields = fields

    def get_fields(self):
        return self._fields


def floor_every(m, impl, path):
    """The every-value loop over objects that already exist (no library in
    the timed part), plus reading with this library: no implementation that
    hands out the same objects can be faster."""
    recs = [
        _PlainRecord(
            [
                _PlainField(f.control_field, tuple(m.Subfield(c, v) for c, v in f) if not f.control_field else (), f.value())
                for f in r.get_fields()
            ]
        )
        for r in m.MARCReader(path)
    ]

    return lambda: every_value_loop(recs)


def floor_as_dict(m, impl, path):
    """`marshal.loads` (CPython's own C builder) of the `as_dict()` objects,
    plus reading with this library."""
    import marshal

    blobs = [marshal.dumps(r.as_dict()) for r in m.MARCReader(path)]

    def loop():
        return sum(len(marshal.loads(b)["fields"]) for b in blobs)

    return loop


# Floors: (setup returning the timed loop, case whose reading time is added).
FLOORS = {
    "floor_every": ("floor: iterate + the every-value loop over ready-made objects", floor_every, "iterate"),
    "floor_as_dict": ("floor: iterate + `marshal.loads` of the `as_dict()` objects", floor_as_dict, "iterate"),
}

CASES = {
    "iterate": ("`for r in MARCReader(f)`", iterate),
    "title": ("+ `r.title`", titles),
    "every": ("+ every field's `value()` and every subfield", every_value),
    "as_dict": ("`r.as_dict()`", as_dict),
    "ormsgpack": ("`ormsgpack.packb(r.as_dict())`", ormsgpack_of_dict),
    "as_msgpack": ("`r.as_msgpack()` (mrrc only)", as_msgpack),
    "bulk": ("bulk `r.get_values(tag, code)` x2 (mrrc only)", bulk_values),
    "path": ("`for r in MARCReader(path)` (mrrc only)", path_iterate),
    "path_threads2": ("`MARCReader(path, threads=2)` (mrrc only; wall time)", path_threads2),
}
COMMON = ["iterate", "title", "every", "as_dict", "ormsgpack"]
MRRC_ONLY = ["as_msgpack", "bulk", "path", "path_threads2"]


def timed(fn, clock=time.perf_counter):
    t = clock()
    fn()
    return clock() - t


def best(fn, repeat, clock=time.perf_counter):
    """The median time of `repeat` runs (the machine is shared: a median
    moves less than a minimum with the other load)."""
    return statistics.median(timed(fn, clock) for _ in range(repeat))


def in_threads(fn, args_list):
    threads = [threading.Thread(target=fn, args=a) for a in args_list]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t


def worker(impl, path, repeat):
    m = load(impl)
    names = COMMON + (MRRC_ONLY if impl in ("mrrc", "mrrc_cffi") else [])
    out = {}
    for name in names:
        fn = CASES[name][1]
        try:
            # Single-threaded cases: the process's CPU time, so that other
            # load on the machine does not skew the ratios.
            clock = time.perf_counter if name == "path_threads2" else time.process_time
            out[name] = best(lambda: fn(m, impl, path), repeat, clock)
        except Exception as e:  # a case an implementation lacks
            out[name] = None
            print(f"{impl} {name}: {type(e).__name__}: {e}", file=sys.stderr)
    if impl == "mrrc":
        for name, (_, setup, reading) in FLOORS.items():
            loop = setup(m, impl, path)
            t = best(loop, repeat, time.process_time)
            out[name] = t + out[reading] if out.get(reading) else None
    print(json.dumps(out))


def threads_report(bindings, p1, p2, repeat, passes):
    """Two threads, each reading its own file `passes` times, against one
    thread reading one file as often; next to a control known to scale
    (sha256 of a 1 MiB buffer, 64 times: it releases the GIL and stays in
    each core's L2 cache; a 64 MiB buffer read by two threads at once streams
    from memory and shares what it fetches, which read 2.2x to 2.6x on 2
    cores). Rounds interleave the
    control and every case, each round gives a speedup (2 x one / two) per
    case and its share of the control's speedup in that round; the table
    shows the medians, so load from elsewhere on the machine hits the case
    and its control alike."""
    blob = os.urandom(1 << 20)

    def sha():
        for _ in range(passes * 64):
            hashlib.sha256(blob).digest()

    def many(fn):
        def run(m, impl, p):
            for _ in range(passes):
                fn(m, impl, p)

        return run

    cases = [
        (f"{impl}, {name}", many(fn), m, impl)
        for name, fn in [("iterate", iterate), ("every value", every_value)]
        for impl, m in bindings
    ]
    control, speedups, shares = [], {c[0]: [] for c in cases}, {c[0]: [] for c in cases}
    for _ in range(max(repeat, 3)):
        one = best(sha, 1)
        c = 2 * one / in_threads(sha, [(), ()])
        control.append(c)
        for name, fn, m, impl in cases:
            one = best(lambda: fn(m, impl, p1), 1)
            s = 2 * one / in_threads(fn, [(m, impl, p1), (m, impl, p2)])
            speedups[name].append(s)
            shares[name].append(s / c)
    print(f"\n| two threads, two files / one thread, one file (median of {max(repeat, 3)} interleaved rounds, {passes} passes) | speedup | / sha256 control (same round) |")
    print("|---|---:|---:|")
    for name, *_ in cases:
        print(f"| {name} | {statistics.median(speedups[name]):.2f}x | {100 * statistics.median(shares[name]):.0f}% |")
    print(f"| sha256 of 1 MiB x 64 in threads (control) | {statistics.median(control):.2f}x | |")


def batches_report(p1, p2, n, repeat):
    import mrrc

    print("\n| batch size | 1 thread rec/s | 2 threads rec/s (total) | 2 / 1 |")
    print("|---:|---:|---:|---:|")
    for size in [1, 8, 32, 128, 512, 2048, 8192]:
        one = best(lambda: iterate(mrrc, "mrrc", p1, batch_size=size), repeat)
        def one_file(p):
            iterate(mrrc, "mrrc", p, batch_size=size)

        two = min(in_threads(one_file, [(p1,), (p2,)]) for _ in range(repeat))
        print(f"| {size} | {n / one:,.0f} | {2 * n / two:,.0f} | {2 * one / two:.2f}x |")


def per_call_ns(fn, n=200_000):
    """ns of CPU per call of `fn` (best of 5 rounds), less the cost of the
    loop."""
    def loop(f):
        t = time.process_time()
        for _ in range(n):
            f()
        return time.process_time() - t

    empty = min(loop(lambda: None) for _ in range(5))
    return (min(loop(fn) for _ in range(5)) - empty) / n * 1e9


def call_costs(bindings, path):
    """(name, trivial call ns, title ns) of each binding."""
    rows = []
    for name, m in bindings:
        record = next(iter(m.MARCReader(path)))
        if name == "mrrc_cffi":
            # The cheapest C call: a count, no allocation, GIL released.
            native = m._lib_native
            handle = record._h
            trivial = lambda: native.mrrc_record_field_count(handle)  # noqa: E731
        else:
            # The cheapest native method: a getter that returns 0.
            trivial = lambda: record.pos  # noqa: E731
        rows.append((name, per_call_ns(trivial), per_call_ns(lambda: record.title)))
    return rows


def prefix(path, n):
    out = bytearray()
    with open(path, "rb") as fh:
        for _ in range(n):
            head = fh.read(5)
            if len(head) < 5:
                break
            out += head + fh.read(int(head) - 5)
    return bytes(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer-python", default="/tmp/venv-peer-mrrc/bin/python")
    ap.add_argument("--worker", choices=["pymarc", "mrrc", "mrrc_cffi", "peer"])
    ap.add_argument("--batches", action="store_true")
    ap.add_argument("--no-threads", action="store_true")
    ap.add_argument("--threads-only", action="store_true", help="only the two-thread rows")
    ap.add_argument("--thread-passes", type=int, default=3, help="reads of the file per thread in the thread rows")
    a = ap.parse_args()
    if a.worker:
        return worker(a.worker, a.file, a.repeat)

    data = prefix(a.file, a.records)
    tmp = tempfile.mkdtemp()
    p1, p2 = os.path.join(tmp, "a.mrc"), os.path.join(tmp, "b.mrc")
    for p in (p1, p2):
        with open(p, "wb") as fh:
            fh.write(data)
    import mrrc

    bindings = [("mrrc", mrrc)]
    try:
        import mrrc_cffi

        bindings.append(("mrrc_cffi", mrrc_cffi))
    except ImportError:
        pass
    n = iterate(mrrc, "mrrc", p1)
    print(f"{n} records, {len(data) / 1e6:.1f} MB; best of {a.repeat} for every implementation")
    if a.batches:
        return batches_report(p1, p2, n, a.repeat)
    if a.threads_only:
        return threads_report(bindings, p1, p2, a.repeat, a.thread_passes)

    def run(python, impl, repeat):
        cmd = [python, HERE, p1, "--worker", impl, "--repeat", str(repeat)]
        return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)

    res = {"pymarc": run(sys.executable, "pymarc", a.repeat), "mrrc": run(sys.executable, "mrrc", a.repeat)}
    have_peer = os.path.exists(a.peer_python)
    res["peer"] = run(a.peer_python, "peer", a.repeat) if have_peer else {}
    cffi = len(bindings) > 1
    workers = [("pymarc", sys.executable), ("mrrc", sys.executable)]
    if os.path.exists(a.peer_python):
        workers.append(("peer", a.peer_python))
    if cffi:
        workers.append(("mrrc_cffi", sys.executable))
    rounds = {impl: [] for impl, _ in workers}
    for _ in range(a.repeat):
        for impl, python in workers:
            rounds[impl].append(run(python, impl, 1))
    res = {"peer": {}, "mrrc_cffi": {}}
    for impl, runs in rounds.items():
        cases = {case for r in runs for case in r}
        res[impl] = {
            case: statistics.median([r[case] for r in runs if r.get(case)] or [0]) or None
            for case in cases
        }

    def rate(impl, case):
        t = res[impl].get(case)
        return n / t if t else None

    def cell(v):
        return f"{v:,.0f}" if v else ""

    def ratio(a_, b_):
        return f"{a_ / b_:.1f}x" if a_ and b_ else ""

    extra = " mrrc_cffi rec/s | cffi / pymarc | cffi / mrrc |" if cffi else ""
    print(f"\n| case | pymarc 5.4.0 rec/s | mrrc 0.9.2 (PyPI) rec/s | mrrc rec/s | mrrc / pymarc | mrrc / mrrc 0.9.2 |{extra}")
    print("|---|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if cffi else ""))
    for case in COMMON + MRRC_ONLY:
        p, q, m = rate("pymarc", case), rate("peer", case), rate("mrrc", case)
        line = f"| {CASES[case][0]} | {cell(p)} | {cell(q)} | {cell(m)} | {ratio(m, p)} | {ratio(m, q)} |"
        if cffi:
            c = rate("mrrc_cffi", case)
            line += f" {cell(c)} | {ratio(c, p)} | {f'{c / m:.2f}x' if c and m else ''} |"
        print(line)
    for case, (label, *_rest) in FLOORS.items():
        p, f = rate("pymarc", case.replace("floor_", "")), rate("mrrc", case)
        print(f"| {label} | | | {cell(f)} | {ratio(f, p)} | |" + (" | |" if cffi else ""))
    m, o = rate("mrrc", "as_msgpack"), rate("mrrc", "ormsgpack")
    if m and o:
        print(f"\n`as_msgpack()` / `ormsgpack.packb(as_dict())` (mrrc records): {m / o:.1f}x")
    print("\n| binding | trivial native call | `record.title` |\n|---|---:|---:|")
    for name, trivial, title in call_costs(bindings, p1):
        print(f"| {name} | {trivial:,.0f} ns | {title:,.0f} ns |")
    if not a.no_threads:
        threads_report(bindings, p1, p2, a.repeat, a.thread_passes)


if __name__ == "__main__":
    main()
