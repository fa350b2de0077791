"""Two threads against one, for each binding and each way records come in
(a file object or bytes; iterate or read + title), next to the sha256
control in the same rounds (it releases the GIL: a second core's worth).

    .venv/bin/python bench/python/thread_inputs.py data/loc/BooksAll.2016.part01.utf8 \\
        [--records 20000] [--rounds 5] [--passes 3]

Each round times one thread over one copy, then two threads over two
copies at once, for every case and the control; the table shows the
medians of (2 x one / two) and of its share of the control's speedup in
the same round. `read.py --threads-only` runs the file + iterate case."""

import argparse
import hashlib
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read import in_threads, prefix, timed  # noqa: E402


def reading(m, source, title, passes):
    def run(arg):
        for _ in range(passes):
            reader = m.MARCReader(open(arg, "rb") if source == "file" else arg)
            for r in reader:
                if title:
                    r.title
            if source == "file":
                reader.file_handle.close()

    return run


def two(fn, args):
    return in_threads(fn, [(a,) for a in args])


def one(fn, arg):
    return timed(lambda: fn(arg))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--passes", type=int, default=3)
    a = ap.parse_args()
    import mrrc
    import mrrc_cffi

    data = prefix(a.file, a.records)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [os.path.join(tmp, f"{i}.mrc") for i in (1, 2)]
        for p in paths:
            with open(p, "wb") as fh:
                fh.write(data)
        blob = os.urandom(1 << 20)

        def sha(_):
            for _ in range(64 * a.passes):
                hashlib.sha256(blob).digest()

        cases = []
        for name, m in [("mrrc", mrrc), ("mrrc_cffi", mrrc_cffi)]:
            for source in ["file", "bytes"]:
                for title in [False, True]:
                    args = paths if source == "file" else [data, bytes(bytearray(data))]  # two buffers
                    label = f"{name}, {source}, {'read + title' if title else 'iterate'}"
                    cases.append((label, reading(m, source, title, a.passes), args))
        results = {label: [] for label, _, _ in cases}
        control = []
        for _ in range(a.rounds):
            c = 2 * one(sha, None) / two(sha, [None, None])
            control.append(c)
            for label, fn, args in cases:
                s = 2 * one(fn, args[0]) / two(fn, args)
                results[label].append((s, s / c))
    print(f"| two threads / one ({a.records} records, {a.passes} passes, medians of {a.rounds} rounds) | speedup | / sha256 control |")
    print("|---|---:|---:|")
    for label, rs in results.items():
        print(f"| {label} | {statistics.median(s for s, _ in rs):.2f}x | {100 * statistics.median(f for _, f in rs):.0f}% |")
    print(f"| sha256 of 1 MiB x 64 (control) | {statistics.median(control):.2f}x | |")


if __name__ == "__main__":
    main()
