"""Reading speed of mrrc (PyO3) against pymarc 5.4.0, in one run.

    PYMARC_SRC=/tmp/pymarc/pymarc-5.4.0 .venv/bin/python bench/python/read.py \
        /tmp/pymarc/pymarc-5.4.0/BooksAll.2016.part01.utf8 --records 20000

The first N records of the file are copied to a temporary file (pymarc needs
minutes for all 250,000). Each case is timed best of --repeat runs.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    import mrrc

    pymarc = load_pymarc()
    data = prefix(a.file, a.records)
    tmp = tempfile.mkdtemp()
    p1, p2 = os.path.join(tmp, "a.mrc"), os.path.join(tmp, "b.mrc")
    for p in (p1, p2):
        with open(p, "wb") as fh:
            fh.write(data)
    n = iterate(mrrc, p1)
    print(f"{n} records, {len(data) / 1e6:.1f} MB; best of {a.repeat}")
    rows = []
    for name, fn in [("iterate", iterate), ("+ title", titles), ("+ every field value and subfield", every_value), ("as_dict()", as_dict)]:
        t_m = best(lambda: fn(mrrc, p1), a.repeat)
        t_p = best(lambda: fn(pymarc, p1), 1)
        rows.append((name, n / t_p, n / t_m))
    t_b = best(lambda: bulk_values(mrrc, p1), a.repeat)
    print(f"{'case':36} {'pymarc rec/s':>14} {'mrrc rec/s':>14} {'ratio':>8}")
    for name, rp, rm in rows:
        print(f"{name:36} {rp:14,.0f} {rm:14,.0f} {rm / rp:8.1f}x")
    print(f"{'bulk get_values (mrrc only)':36} {'':14} {n / t_b:14,.0f}")
    # Two threads over two files against one thread over one file.
    one = best(lambda: every_value(mrrc, p1), a.repeat)
    two = min(in_threads(every_value, [(mrrc, p1), (mrrc, p2)]) for _ in range(a.repeat))
    one_i = best(lambda: iterate(mrrc, p1), a.repeat)
    two_i = min(in_threads(iterate, [(mrrc, p1), (mrrc, p2)]) for _ in range(a.repeat))
    blob = os.urandom(64 << 20)

    def sha():
        hashlib.sha256(blob).digest()

    one_s = best(sha, a.repeat)
    two_s = min(in_threads(sha, [(), ()]) for _ in range(a.repeat))
    print(f"two threads / one thread, iterate:       {2 * one_i / two_i:.2f}x")
    print(f"two threads / one thread, every value:   {2 * one / two:.2f}x")
    print(f"two threads / one thread, sha256 control: {2 * one_s / two_s:.2f}x")


if __name__ == "__main__":
    main()
