"""Reading speed of the two bindings, mrrc (PyO3) and mrrc_cffi (cffi over
libmrrc), against pymarc 5.4.0, in one run.

    PYMARC_SRC=/tmp/pymarc/pymarc-5.4.0 .venv/bin/python bench/python/read.py \
        /tmp/pymarc/pymarc-5.4.0/BooksAll.2016.part01.utf8 --records 20000

The first N records of the file are copied to a temporary file (pymarc needs
minutes for all 250,000). Each case is timed best of --repeat runs. The
cffi columns are left out when mrrc_cffi is not installed. The last lines
give each binding's cost per call, in ns: a trivial native call and one
record's `title`.
"""

import argparse
import hashlib
import importlib
import os
import sys
import tempfile
import threading
import time


def load_pymarc():
    sys.path.insert(0, os.environ.get("PYMARC_SRC", "/tmp/pymarc/pymarc-5.4.0"))
    try:
        return importlib.import_module("pymarc")
    finally:
        sys.path.pop(0)


def prefix(path, n):
    out = bytearray()
    with open(path, "rb") as fh:
        for _ in range(n):
            head = fh.read(5)
            if len(head) < 5:
                break
            out += head + fh.read(int(head) - 5)
    return bytes(out)


def iterate(m, path):
    with open(path, "rb") as fh:
        return sum(1 for _ in m.MARCReader(fh))


def titles(m, path):
    with open(path, "rb") as fh:
        return sum(1 for r in m.MARCReader(fh) if r.title is not None)


def every_value(m, path):
    n = 0
    with open(path, "rb") as fh:
        for r in m.MARCReader(fh):
            for f in r.get_fields():
                n += len(f.value())
                if not f.control_field:
                    for sf in f:
                        n += len(sf.value)
    return n


def bulk_values(m, path):
    n = 0
    for r in m.MARCReader(path):
        n += len(r.get_values("650", "a")) + len(r.get_values("245", "a"))
    return n


def as_dict(m, path):
    with open(path, "rb") as fh:
        return sum(len(r.as_dict()["fields"]) for r in m.MARCReader(fh))


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def in_threads(fn, args_list):
    threads = [threading.Thread(target=fn, args=a) for a in args_list]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t


def per_call_ns(fn, n=200_000):
    """ns per call of `fn` (best of 5 rounds), less the cost of the loop."""
    def loop(f):
        t = time.perf_counter()
        for _ in range(n):
            f()
        return time.perf_counter() - t

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


def thread_speedup(fn, bindings, p1, p2, repeat):
    out = []
    for name, m in bindings:
        one = best(lambda: fn(m, p1), repeat)
        two = min(in_threads(fn, [(m, p1), (m, p2)]) for _ in range(repeat))
        out.append((name, 2 * one / two))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    import mrrc

    bindings = [("mrrc", mrrc)]
    try:
        import mrrc_cffi

        bindings.append(("mrrc_cffi", mrrc_cffi))
    except ImportError:
        pass
    pymarc = load_pymarc()
    data = prefix(a.file, a.records)
    tmp = tempfile.mkdtemp()
    p1, p2 = os.path.join(tmp, "a.mrc"), os.path.join(tmp, "b.mrc")
    for p in (p1, p2):
        with open(p, "wb") as fh:
            fh.write(data)
    n = iterate(mrrc, p1)
    print(f"{n} records, {len(data) / 1e6:.1f} MB; best of {a.repeat}")
    names = [name for name, _ in bindings]
    head = f"{'case':36} {'pymarc rec/s':>13}" + "".join(f" {b + ' rec/s':>16} {'x pymarc':>9}" for b in names)
    if len(names) > 1:
        head += f" {'cffi/pyo3':>10}"
    print(head)
    for name, fn in [("iterate", iterate), ("+ title", titles), ("+ every field value and subfield", every_value), ("as_dict()", as_dict)]:
        rp = n / best(lambda: fn(pymarc, p1), 1)
        rates = [n / best(lambda: fn(m, p1), a.repeat) for _, m in bindings]
        line = f"{name:36} {rp:13,.0f}" + "".join(f" {r:16,.0f} {r / rp:8.1f}x" for r in rates)
        if len(rates) > 1:
            line += f" {rates[1] / rates[0]:9.2f}x"
        print(line)
    for name, m in bindings:
        t_b = best(lambda: bulk_values(m, p1), a.repeat)
        print(f"bulk get_values ({name}): {n / t_b:,.0f} rec/s")
    # Two threads over two files against one thread over one file, with a
    # control that is known to scale (sha256 releases the GIL) in the same run.
    blob = os.urandom(64 << 20)

    def sha():
        hashlib.sha256(blob).digest()

    one_s = best(sha, a.repeat)
    two_s = min(in_threads(sha, [(), ()]) for _ in range(a.repeat))
    for label, fn in (("iterate", iterate), ("every value", every_value)):
        for name, speedup in thread_speedup(fn, bindings, p1, p2, a.repeat):
            print(f"two threads / one thread, {label} ({name}): {speedup:.2f}x")
    print(f"two threads / one thread, sha256 control: {2 * one_s / two_s:.2f}x")
    for name, trivial, title in call_costs(bindings, p1):
        print(f"per call ({name}): trivial {trivial:,.0f} ns, record.title {title:,.0f} ns")


if __name__ == "__main__":
    main()
