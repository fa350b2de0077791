"""A/B of two mrrc_cffi builds: CPU time per record of a few loops, each
build in its own subprocess, alternating, the order swapped every round
(a place in the round favours neither), medians of the rounds.

    # a copy of the installed build, with the libmrrc it was built with:
    mkdir -p /tmp/ab-old && cp -r .venv/lib/python3.11/site-packages/mrrc_cffi /tmp/ab-old/ \\
        && cp -a target/prefix/lib /tmp/ab-old/lib
    # ... change, `make install`, reinstall the cffi package ...
    .venv/bin/python bench/python/cffi_ab.py data/loc/BooksAll.2016.part01.utf8 /tmp/ab-old - --rounds 9

A build is a directory holding an `mrrc_cffi` package (put first on
PYTHONPATH) and, when it has one, a `lib` directory with its libmrrc (put
on LD_LIBRARY_PATH, which comes before the extension's RUNPATH); `-` is
the build installed in this interpreter's environment.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read import prefix  # noqa: E402

CHILD = r'''
import json, sys, time
sys.path.insert(0, sys.argv[2])
import read
import mrrc_cffi

path = sys.argv[1]


def every():
    read.every_value(mrrc_cffi, "mrrc_cffi", path)


def iterate():
    read.iterate(mrrc_cffi, "mrrc_cffi", path)


def get_fields():
    with open(path, "rb") as fh:
        for r in mrrc_cffi.MARCReader(fh):
            r.get_fields()


def sparse():
    # One record's fields in about every batch.
    with open(path, "rb") as fh:
        for i, r in enumerate(mrrc_cffi.MARCReader(fh)):
            if i % 600 == 0:
                r.get_fields()


out = {}
for name, fn in [("every value", every), ("iterate", iterate), ("get_fields", get_fields),
                 ("fields of every 600th record", sparse)]:
    best = float("inf")
    for _ in range(2):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    out[name] = best
print(json.dumps(out))
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=9)
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.NamedTemporaryFile(suffix=".mrc") as tmp:
        tmp.write(prefix(a.file, a.records))
        tmp.flush()
        builds = [("old", a.old), ("new", a.new)]
        runs = {name: [] for name, _ in builds}
        for r in range(a.rounds):
            for name, d in builds if r % 2 == 0 else builds[::-1]:
                env = dict(os.environ)
                if d != "-":
                    env["PYTHONPATH"] = d
                    if os.path.isdir(os.path.join(d, "lib")):
                        env["LD_LIBRARY_PATH"] = os.path.join(d, "lib")
                done = subprocess.run([sys.executable, "-c", CHILD, tmp.name, here], env=env,
                                      capture_output=True, text=True, check=True)
                runs[name].append(json.loads(done.stdout))
    print(f"CPU us per record, median of {a.rounds} rounds (best of 2 in each)\n")
    print("| loop | old | new | old / new |")
    print("|---|---:|---:|---:|")
    for case in runs["old"][0]:
        o, n = (statistics.median(r[case] for r in runs[k]) / a.records * 1e6 for k in ("old", "new"))
        print(f"| {case} | {o:.2f} | {n:.2f} | {o / n:.3f}x |")


if __name__ == "__main__":
    main()
