"""How much two threads can gain, from one thread's GIL trace: when a
binding's thread holds the GIL, for how long at a time, and what two such
threads would reach on two free cores under CPython's GIL rules. Measured
on a loaded machine too (the trace is one thread's; only its segments'
lengths move with the load), where wall-clock thread rows say little.

Needs root and perf with uprobes on libpython's GIL functions, once:

    L=$(.venv/bin/python -c 'import sysconfig,os; print(os.path.join(sysconfig.get_config_var("LIBDIR"), sysconfig.get_config_var("INSTSONAME")))')
    perf probe -x $L take_gil && perf probe -x $L 'take_gil_ret=take_gil%return' && perf probe -x $L drop_gil

then, for each binding and input (file object, path, bytes):

    .venv/bin/python bench/python/gil_sim.py data/loc/BooksAll.2016.part01.utf8 \\
        --impl mrrc_cffi --input file --traces 5

Each trace runs `for r in MARCReader(x): pass` over the first --records
records three times in a worker thread of a fresh process under `perf
record`. From the worker's take_gil return (holds) and drop_gil (lets go)
events come its segments: held (Python) and free (C with the GIL
released). The simulation runs two threads replaying that sequence on two
cores: a thread that wants the GIL while the other holds it waits until the
holder lets go (the waiter then takes it after a wake-up latency, unless
the holder comes back first) or, after 5 ms, forces a switch. It leaves out
what two threads cost each other besides the GIL (caches, memory, the
allocator), which the sha256 control of read.py's thread rows shows.
"""

import argparse
import collections
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = ["probe_libpython3:take_gil", "probe_libpython3:take_gil_ret__return", "probe_libpython3:drop_gil"]
INTERVAL = 5e-3  # sys.getswitchinterval()


def worker(impl, mode, path):
    """The traced process: one worker thread reading three times."""
    import importlib
    import threading

    m = importlib.import_module(impl)
    data = open(path, "rb").read() if mode == "bytes" else None

    def run():
        for _ in range(3):
            if mode == "file":
                with open(path, "rb") as fh:
                    for _ in m.MARCReader(fh):
                        pass
            else:
                for _ in m.MARCReader(path if mode == "path" else data):
                    pass

    t = threading.Thread(target=run)
    t.start()
    t.join()


def segments(script_out):
    """The worker's (held, seconds) segments, alternating, from `perf
    script -F tid,time,event` output (the worker: the last thread seen)."""
    events = collections.defaultdict(list)
    for line in script_out.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            events[int(parts[0])].append((float(parts[1].rstrip(":")), parts[2]))
    tid = list(events)[-1]
    segs, held_since, free_since = [], None, None
    for t, name in events[tid]:
        if "take_gil_ret" in name:
            if free_since is not None:
                segs.append((False, t - free_since))
                free_since = None
            held_since = t
        elif "drop_gil" in name and held_since is not None:
            segs.append((True, t - held_since))
            held_since, free_since = None, t
    return segs


def simulate(segs, latency):
    """Wall time of two threads each replaying `segs` on two cores."""
    idx, rem = [0, 0], [0.0, 0.0]
    running = {}  # thread -> when its free segment ends
    waiting = {}  # thread -> since when it waits for the GIL
    holder, hold_end, transit = None, 0.0, None  # transit: (thread, arrives)
    ends = [None, None]
    for k in (0, 1):
        held, d = segs[0]
        rem[k] = d
        if held:
            waiting[k] = 0.0
        else:
            running[k] = d
    now = 0.0

    def advance(k):
        idx[k] += 1
        if idx[k] >= len(segs):
            ends[k] = now
            return None
        return segs[idx[k]]

    while None in ends:
        cands = []
        if holder is not None:
            cands.append((hold_end, 0, holder))
            cands += [(since + INTERVAL, 3, k) for k, since in waiting.items()]
        cands += [(e, 1, k) for k, e in running.items()]
        if transit is not None:
            cands.append((transit[1], 2, transit[0]))
        if not cands:
            k = min(waiting, key=waiting.get)
            del waiting[k]
            holder, hold_end = k, now + rem[k]
            continue
        t, kind, k = min(cands)
        now = max(now, t)
        if kind == 0:  # the holder lets go at the end of its segment
            holder = None
            seg = advance(k)
            if seg is not None:
                running[k] = now + seg[1]
            if waiting and transit is None:
                w = min(waiting, key=waiting.get)
                del waiting[w]
                transit = (w, now + latency)
        elif kind == 1:  # back from C, wants the GIL
            del running[k]
            seg = advance(k)
            if seg is None:
                continue
            rem[k] = seg[1]
            if holder is None and (transit is None or transit[0] == k):
                holder, hold_end = k, now + rem[k]
            elif holder is None:  # takes it before the woken thread arrives
                waiting[transit[0]] = now
                transit = None
                holder, hold_end = k, now + rem[k]
            else:
                waiting[k] = now
        elif kind == 2:  # a woken thread arrives
            transit = None
            if holder is None:
                holder, hold_end = k, now + rem[k]
            else:
                waiting[k] = now
        else:  # a waiter forces a switch
            h = holder
            rem[h] = hold_end - now
            holder = None
            waiting[h] = now
            del waiting[k]
            transit = (k, now + latency)
    return max(ends)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--impl", default="mrrc_cffi")
    ap.add_argument("--input", choices=["file", "path", "bytes"], default="file")
    ap.add_argument("--traces", type=int, default=5)
    ap.add_argument("--latency-us", type=float, default=10.0, help="GIL hand-over wake-up latency")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        return worker(*a.worker)
    sys.path.insert(0, HERE)
    from read import prefix

    tmp = tempfile.mkdtemp()
    path, data_out = os.path.join(tmp, "records.mrc"), os.path.join(tmp, "perf.data")
    with open(path, "wb") as fh:
        fh.write(prefix(a.file, a.records))
    rows = []
    for _ in range(a.traces):
        cmd = ["perf", "record", "-q", "-o", data_out]
        for e in EVENTS:
            cmd += ["-e", e]
        cmd += ["--", sys.executable, os.path.abspath(__file__), a.file, "--worker", a.impl, a.input, path]
        subprocess.run(cmd, check=True, capture_output=True)
        out = subprocess.run(["perf", "script", "-i", data_out, "-F", "tid,time,event"],
                             check=True, capture_output=True, text=True).stdout
        segs = segments(out)
        total = sum(d for _, d in segs)
        held = sum(d for h, d in segs if h)
        takes = sum(1 for h, _ in segs if h)
        rows.append((takes / (3 * a.records) * 512, 100 * held / total, held / takes * 1e6,
                     2 * total / simulate(segs, a.latency_us * 1e-6)))
    med = [statistics.median(r[i] for r in rows) for i in range(4)]
    print(f"{a.impl}, {a.input}: GIL taken {med[0]:.1f} times per 512 records, held {med[1]:.0f}% of the "
          f"thread's time, {med[2]:.0f} us at a time; two threads (simulated): {med[3]:.2f}x "
          f"(medians of {a.traces} traces; held {min(r[1] for r in rows):.0f}-{max(r[1] for r in rows):.0f}%, "
          f"{min(r[3] for r in rows):.2f}x-{max(r[3] for r in rows):.2f}x)")


if __name__ == "__main__":
    main()
