"""The comparison driver: every approach on the same bytes, in one run.

Runs each approach's runner as a subprocess with a JSON config, collects the
JSON it prints, checks that record counts, value counts and a checksum of
the titles agree across approaches (the run fails otherwise), and writes
bench/results/latest.md and PNG plots. `scripts/bench.sh` prepares the
machine and calls this; see bench/compare/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "bench" / "compare"
VENV_PY = ROOT / ".venv" / "bin" / "python"
PEER_PY = ROOT / ".venv-peer-mrrc" / "bin" / "python"
RUST_BIN = ROOT / "target" / "release" / "mrrc-compare"
C_BIN = ROOT / "target" / "compare" / "c_runner"

WORKLOADS = [
    ("parse", "parse only"),
    ("title", "parse + title"),
    ("fields", "parse + every field and subfield value"),
    ("marc8", "MARC-8 file: parse + every value (MARC-8 decoding)"),
    ("write_iso", "write ISO 2709"),
    ("to_json", "to MARC-in-JSON"),
    ("to_xml", "to MARCXML"),
    ("as_dict", "record.as_dict() (Python)"),
    ("msgpack_encode", "msgpack encode"),
    ("msgpack_decode", "msgpack decode"),
]
WORKLOAD_LABEL = dict(WORKLOADS)
SHORT = {
    "parse": "parse",
    "title": "+title",
    "fields": "+every value",
    "marc8": "MARC-8",
    "write_iso": "ISO 2709 out",
    "to_json": "JSON out",
    "to_xml": "XML out",
    "as_dict": "as_dict",
    "msgpack_encode": "msgpack enc",
    "msgpack_decode": "msgpack dec",
}


def sh(cmd, **kw) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def py_has(python: Path, code: str) -> tuple[bool, str]:
    if not python.exists():
        return False, f"{python.relative_to(ROOT)} does not exist"
    r = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=ROOT)
    if r.returncode == 0:
        return True, ""
    last = (r.stderr.strip().splitlines() or ["import failed"])[-1]
    return False, last


def node_has(module_path: Path) -> tuple[bool, str]:
    if shutil.which("node") is None:
        return False, "node is not installed"
    if not module_path.exists():
        return False, f"{module_path.relative_to(ROOT)} does not exist"
    r = subprocess.run(["node", "-e", f"require({json.dumps(str(module_path))})"], capture_output=True, text=True)
    if r.returncode == 0:
        return True, ""
    return False, (r.stderr.strip().splitlines() or ["require failed"])[0]


def approaches():
    """Every approach: name, label, whether it is ours, slice or full corpus,
    whether it runs the thread test, the command, and an availability check."""
    ours_py = "import mrrc, sys; sys.exit(0 if getattr(mrrc, '__mrrc_local__', False) else 1)"
    return [
        dict(name="rust-owned", label="Rust core (owned Record)", ours=True, size="full", threads=True,
             cmd=[str(RUST_BIN), "run"],
             available=lambda: (RUST_BIN.exists(), "cargo build --release -p mrrc-compare has not run")),
        dict(name="rust-borrowed", label="Rust core (borrowed RecordView)", ours=True, size="full", threads=False,
             cmd=[str(RUST_BIN), "run"],
             available=lambda: (RUST_BIN.exists(), "cargo build --release -p mrrc-compare has not run")),
        dict(name="c", label="C via libmrrc.so", ours=True, size="full", threads=False, argv=True,
             cmd=[str(C_BIN)],
             available=lambda: (C_BIN.exists(), "the C ABI (libmrrc.so, mrrc.h) is not built: bench.sh builds it once the ffi branch is in")),
        dict(name="py-mrrc", label="Python mrrc (PyO3)", ours=True, size="full", threads=True, impl="mrrc",
             cmd=[str(VENV_PY), str(HERE / "py_runner.py")],
             available=lambda: py_has(VENV_PY, ours_py)),
        dict(name="py-mrrc-cffi", label="Python mrrc_cffi (cffi)", ours=True, size="full", threads=True, impl="mrrc_cffi",
             cmd=[str(VENV_PY), str(HERE / "py_runner.py")],
             available=lambda: py_has(VENV_PY, "import mrrc_cffi")),
        dict(name="node-mrrc", label="Node mrrc (napi-rs)", ours=True, size="full", threads=True, impl="mrrc",
             cmd=["node", str(HERE / "node_runner.js")],
             available=lambda: node_has(ROOT / "bindings" / "node" / "index.js")),
        dict(name="py-pymarc", label="Python pymarc 5.4.0 (peer)", ours=False, size="slice", threads=True, impl="pymarc",
             cmd=[str(VENV_PY), str(HERE / "py_runner.py")],
             available=lambda: py_has(VENV_PY, "import pymarc")),
        dict(name="py-mrrc-0.9.2", label="Python mrrc 0.9.2 from PyPI (peer)", ours=False, size="slice", threads=True,
             impl="mrrc-0.9.2", cmd=[str(PEER_PY), str(HERE / "py_runner.py")],
             available=lambda: py_has(PEER_PY, "import mrrc, sys; sys.exit(0 if mrrc.__version__ == '0.9.2' else 1)")),
        dict(name="node-marcjs", label="Node marcjs 3.0.2 (peer)", ours=False, size="slice", threads=False, impl="marcjs",
             cmd=["node", str(HERE / "node_runner.js")],
             available=lambda: node_has(HERE / "node_modules" / "marcjs")),
    ]


# ---- data ---------------------------------------------------------------

def head_records(src: Path, dst: Path, n: int) -> int:
    """The first `n` records of an ISO 2709 file (split at record terminators)."""
    data = src.read_bytes()
    end = 0
    count = 0
    while count < n:
        i = data.find(b"\x1d", end)
        if i < 0:
            break
        end = i + 1
        count += 1
    if not dst.exists() or dst.read_bytes() != data[:end]:
        dst.write_bytes(data[:end])
    return count


def count_records(path: Path) -> int:
    return path.read_bytes().count(b"\x1d")


def prepare(corpus: Path, work: Path, full: int, slice_n: int) -> dict:
    """UTF-8 and MARC-8 files, the full set and the slice for slow peers."""
    work.mkdir(parents=True, exist_ok=True)
    stem = corpus.name.rsplit(".", 1)[0]
    files = {}
    utf8_full = work / f"{stem}.head-{full}.mrc"
    n_full = head_records(corpus, utf8_full, full)
    utf8_slice = work / f"{stem}.head-{slice_n}.mrc"
    n_slice = head_records(corpus, utf8_slice, min(slice_n, n_full))
    marc8_full = work / f"{stem}.head-{full}.marc8.mrc"
    if not marc8_full.exists() or marc8_full.stat().st_mtime < utf8_full.stat().st_mtime:
        subprocess.run([str(RUST_BIN), "marc8", str(utf8_full), str(marc8_full)], check=True)
    marc8_slice = work / f"{stem}.head-{slice_n}.marc8.mrc"
    head_records(marc8_full, marc8_slice, n_slice)
    files["full"] = {"utf8": str(utf8_full), "marc8": str(marc8_full), "records": n_full}
    files["slice"] = {"utf8": str(utf8_slice), "marc8": str(marc8_slice), "records": n_slice}
    files["check"] = {"check": str(utf8_slice), "check_marc8": str(marc8_slice)}
    return files


# ---- running --------------------------------------------------------------

def run_approach(a: dict, files: dict, args, raw: Path, thread_counts) -> dict:
    sized = files[a["size"]]
    config = {
        "approach": a["name"],
        "impl": a.get("impl"),
        "files": {"utf8": sized["utf8"], "marc8": sized["marc8"], **files["check"]},
        "workloads": [w for w, _ in WORKLOADS],
        "reps": args.reps,
        "warmup": args.warmup,
        "threads": ({"counts": thread_counts, "reps": args.thread_reps, "spin": args.spin,
                     "control_seconds": args.control_seconds} if a["threads"] and thread_counts else None),
    }
    cfg_path = raw / f"{a['name']}.config.json"
    cfg_path.write_text(json.dumps(config, indent=1))
    log = raw / f"{a['name']}.stderr.txt"
    start = time.perf_counter()
    if a.get("argv"):
        f = config["files"]
        argv = ["--utf8", f["utf8"], "--marc8", f["marc8"], "--check", f["check"], "--check-marc8",
                f["check_marc8"], "--reps", str(args.reps), "--warmup", str(args.warmup),
                "--workloads", ",".join(config["workloads"])]
    else:
        argv = [str(cfg_path)]
    with open(log, "w") as err:
        proc = subprocess.run(a["cmd"] + argv, stdout=subprocess.PIPE, stderr=err,
                              text=True, cwd=ROOT, timeout=args.timeout)
    elapsed = time.perf_counter() - start
    (raw / f"{a['name']}.json").write_text(proc.stdout)
    if proc.returncode != 0:
        tail = log.read_text().strip().splitlines()[-5:]
        return {"error": f"exit {proc.returncode}: " + " | ".join(tail), "elapsed": elapsed}
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        return {"error": f"bad JSON from the runner: {e}", "elapsed": elapsed}
    result["elapsed"] = elapsed
    result["size"] = a["size"]
    result["expected_records"] = sized["records"]
    return result


# ---- statistics -----------------------------------------------------------

def cell(w: dict) -> dict | None:
    """records/s and ns/record from the median time; spread as min..max."""
    if not w or "times_s" not in w or not w["times_s"] or not w["records"]:
        return None
    t = w["times_s"]
    med = statistics.median(t)
    n = w["records"]
    return {
        "records": n,
        "rps": n / med,
        "ns": med / n * 1e9,
        "ns_min": min(t) / n * 1e9,
        "ns_max": max(t) / n * 1e9,
        "runs": len(t),
        "spread": (max(t) - min(t)) / med if med else 0.0,
    }


PEERS = ("py-pymarc", "py-mrrc-0.9.2", "node-marcjs")


def verify(results: dict, files: dict, warnings: list | None = None) -> list[str]:
    """Record counts per workload; titles checksum, values and record counts
    of the check pass, equal across every approach that ran (pymarc's are
    the reference). A peer whose titles alone differ from pymarc's is a
    warning (its own decoding), not a failure; any of ours is a failure."""
    problems = []
    warnings = [] if warnings is None else warnings
    for name, r in results.items():
        if "error" in r:
            continue
        for w, v in r.get("workloads", {}).items():
            if "skipped" in v:
                continue
            if v.get("records") != r["expected_records"]:
                problems.append(f"{name} {w}: {v.get('records')} records, expected {r['expected_records']}")
        for mode, per_n in r.get("threads", {}).items():
            if mode == "control":
                continue
            for n, v in per_n.items():
                want = r["expected_records"] * (1 if mode == "single" else int(n))
                if v.get("records") != want:
                    problems.append(f"{name} threads {mode} {n}: {v.get('records')} records, expected {want}")
    for key in ("utf8", "marc8"):
        checks = {name: r["check"][key] for name, r in results.items() if r.get("check", {}).get(key)}
        reference = next((n for n in ("py-pymarc", "rust-owned") if n in checks), next(iter(checks), None))
        if reference is None:
            continue
        ref = checks[reference]
        for name, c in checks.items():
            if c == ref:
                continue
            detail = (f"check ({key}): {name} reports records={c['records']} values={c['values']} "
                      f"titles={c['titles']}, {reference} records={ref['records']} values={ref['values']} "
                      f"titles={ref['titles']}")
            same_records = (c["records"], c["values"]) == (ref["records"], ref["values"])
            if same_records and name in PEERS:
                warnings.append(detail + " (a peer's own decoding differs from pymarc's: the same records "
                                "and values were read, so its timings cover the same work)")
            else:
                problems.append(detail)
    return problems


# ---- report -----------------------------------------------------------------

def fmt_rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def fmt_ns(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f} ms"
    if x >= 1e3:
        return f"{x / 1e3:.2f} µs"
    return f"{x:.0f} ns"


def row_names(results: dict, order: list[str]) -> list[tuple[str, str]]:
    """(approach, workload key suffix) rows, including peer variants like @ormsgpack."""
    rows = []
    for name in order:
        r = results.get(name)
        if not r or "error" in r:
            continue
        variants = sorted({k.split("@", 1)[1] for k in r.get("workloads", {}) if "@" in k})
        rows.append((name, ""))
        rows.extend((name, v) for v in variants)
    return rows


def machine_info(load_before) -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "load_before": load_before,
        "load_after": open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else [],
        "kernel": platform.release(),
        "rustc": sh(["rustc", "--version"]),
        "python": sh([str(VENV_PY), "--version"]) if VENV_PY.exists() else sys.version.split()[0],
        "node": sh(["node", "--version"]),
    }


def targets(results: dict, thread_rows: list[dict]) -> list[tuple[str, str, str, str]]:
    """The speed targets the binding issues state, measured in this run."""
    def rps(name, w):
        r = results.get(name)
        c = cell(r.get("workloads", {}).get(w)) if r and "error" not in r else None
        return c["rps"] if c else None

    out = []

    def ratio(label, a, aw, b, bw, goal):
        x, y = rps(a, aw), rps(b, bw)
        if x is None or y is None:
            out.append((label, f"≥ {goal}x", "not measured", "—"))
            return
        v = x / y
        out.append((label, f"≥ {goal}x", f"{v:.2f}x", "met" if v >= goal else "missed"))

    ratio("PyO3 read vs pymarc", "py-mrrc", "parse", "py-pymarc", "parse", 25)
    ratio("PyO3 read vs mrrc 0.9.2", "py-mrrc", "parse", "py-mrrc-0.9.2", "parse", 3)
    ratio("PyO3 read + title vs pymarc", "py-mrrc", "title", "py-pymarc", "title", 25)
    ratio("PyO3 every value vs pymarc", "py-mrrc", "fields", "py-pymarc", "fields", 15)
    ratio("PyO3 every value vs mrrc 0.9.2", "py-mrrc", "fields", "py-mrrc-0.9.2", "fields", 8)
    ratio("PyO3 as_dict vs pymarc", "py-mrrc", "as_dict", "py-pymarc", "as_dict", 15)
    ratio("PyO3 as_msgpack vs ormsgpack.packb(as_dict())", "py-mrrc", "msgpack_encode", "py-mrrc",
          "msgpack_encode@ormsgpack", 2)
    ratio("cffi read vs PyO3", "py-mrrc-cffi", "parse", "py-mrrc", "parse", 0.67)
    ratio("cffi read vs pymarc", "py-mrrc-cffi", "parse", "py-pymarc", "parse", 15)
    ratio("cffi every value vs PyO3", "py-mrrc-cffi", "fields", "py-mrrc", "fields", 0.33)
    ratio("cffi every value vs pymarc", "py-mrrc-cffi", "fields", "py-pymarc", "fields", 6)
    ratio("Node read + title vs marcjs", "node-mrrc", "title", "node-marcjs", "title", 10)
    ratio("Node every value vs marcjs", "node-mrrc", "fields", "node-marcjs", "fields", 10)
    for t in thread_rows:
        if t["threads"] != 2 or t["mode"] == "control" or t["approach"] not in OURS:
            continue
        who = f"{t['approach']} {t['mode']}, 2 threads"
        out.append((who + ": speedup", "≥ 1.8x", f"{t['speedup']:.2f}x", "met" if t["speedup"] >= 1.8 else "missed"))
        if t.get("of_control") is not None:
            out.append((who + ": share of the control's speedup", "≥ 90%", f"{t['of_control'] * 100:.0f}%",
                        "met" if t["of_control"] >= 0.9 else "missed"))
    return out


OURS = ("rust-owned", "py-mrrc", "py-mrrc-cffi", "node-mrrc")


def thread_table(results: dict, order: list[str]) -> list[dict]:
    rows = []
    for name in order:
        r = results.get(name)
        if not r or "error" in r or not r.get("threads"):
            continue
        th = r["threads"]
        control = th.get("control", {})
        c1 = cell(control.get("1"))
        for mode, per_n in th.items():
            base = cell(per_n.get("1"))
            for n, v in sorted(per_n.items(), key=lambda kv: int(kv[0])):
                c = cell(v)
                if not c or not base:
                    continue
                speedup = c["rps"] / base["rps"]
                cn = cell(control.get(n))
                control_speedup = cn["rps"] / c1["rps"] if cn and c1 else None
                rows.append({
                    "approach": name, "mode": mode, "threads": int(n), "rps": c["rps"], "speedup": speedup,
                    "efficiency": speedup / int(n), "control_speedup": control_speedup,
                    "of_control": (speedup / control_speedup) if (control_speedup and mode != "control") else None,
                    "spread": c["spread"],
                })
    return rows


THREAD_MODE = {
    "files": "one file per thread",
    "single": "one buffer, N parser threads",
    "processes": "multiprocessing, one file per process",
    "control": "control",
}
CONTROL = {
    "rust-owned": "pure CPU loop (xorshift) on rayon threads",
    "py-mrrc": "hashlib.sha256 of a 1 MiB buffer in threads",
    "py-mrrc-cffi": "hashlib.sha256 of a 1 MiB buffer in threads",
    "py-pymarc": "hashlib.sha256 of a 1 MiB buffer in threads",
    "py-mrrc-0.9.2": "hashlib.sha256 of a 1 MiB buffer in threads",
    "node-mrrc": "crypto.pbkdf2 on the libuv pool",
}


def write_report(out: Path, results, skipped, files, args, info, problems, labels, order, started, elapsed,
                 check_warnings=()):
    thread_rows = thread_table(results, order)
    lines = []
    add = lines.append
    add("# mrrc comparison: every approach on the same records")
    add("")
    add(f"Written by `{args.command}` on {started} (took {elapsed:.0f} s). Regenerate with the same command.")
    add("")
    if problems:
        add("## RESULT CHECK FAILED")
        add("")
        for p in problems:
            add(f"- {p}")
        add("")
    add("## Machine")
    add("")
    add(f"- CPU: {info['cpu']}, `nproc` = {info['nproc']}, Linux {info['kernel']}")
    add(f"- load average (1, 5, 15 min) before the run: {' '.join(info['load_before'])}; "
        f"after: {' '.join(info['load_after'])}. This machine is shared: figures move with the load.")
    add(f"- {info['rustc']}; Python {info['python'].replace('Python ', '')}; Node {info['node']}")
    versions = {}
    for r in results.values():
        for k, v in r.get("versions", {}).items():
            if k not in ("python", "node"):
                versions[k] = v
    if versions:
        add("- packages: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())))
    add("")
    add("## Corpus and method")
    add("")
    add(f"- corpus: {args.corpus_label} (`{args.corpus_file}`); "
        f"{files['full']['records']:,} records for the fast approaches, the first "
        f"{files['slice']['records']:,} of them for the slow peers (pymarc, mrrc 0.9.2, marcjs): "
        "per-record figures are comparable, totals are not.")
    add("- MARC-8 workload: the same records written as MARC-8 by the Rust core "
        "(`unicode_to_marc8`, leader/09 blank), read back with MARC-8 decoding.")
    add("- Every timer starts with the file's bytes in memory (read before timing) and ends when the "
        "last record has been handled; output workloads start from records already parsed "
        "(a list in memory) and time only the conversion, one output object per record.")
    add(f"- {args.warmup} warm-up pass(es) not counted, then {args.reps} timed passes per cell: "
        "the median is reported, spread = (max − min) / median.")
    add("- Checks (the run fails otherwise): every pass returns the expected record count; on the "
        f"first {files['slice']['records']:,} records each approach reports the record count, the number "
        "of values (control fields + subfields) and an FNV-1a checksum of pymarc's `record.title` "
        "(245 $a, a space, $b), for the UTF-8 and the MARC-8 file, and they must be equal everywhere.")
    add("- Overhead = an approach's ns/record minus the Rust core's for the same workload: "
        "what the binding adds per record.")
    add("")
    ref = results.get("py-pymarc") or results.get("rust-owned") or {}
    checks = ref.get("check") or next((r["check"] for r in results.values() if "check" in r), {})
    add("Check values (pymarc's; every approach of ours reported the same): " + "; ".join(
        f"{k}: {v['records']} records, {v['values']} values, titles FNV-1a {v['titles']}"
        for k, v in sorted(checks.items())) + ".")
    for w in check_warnings:
        add("")
        add(f"Peer difference: {w}.")
    add("")

    # Summary matrix.
    rows = row_names(results, order)
    add("## Records per second (median)")
    add("")
    add("| approach | " + " | ".join(SHORT[w] for w, _ in WORKLOADS) + " |")
    add("|---|" + "---:|" * len(WORKLOADS))
    for name, variant in rows:
        r = results[name]
        cells = []
        for w, _ in WORKLOADS:
            key = f"{w}@{variant}" if variant else w
            c = cell(r["workloads"].get(key))
            cells.append(fmt_rate(c["rps"]) if c else "—")
        if variant and all(x == "—" for x in cells):
            continue
        label = labels[name] + (f" + {variant}" if variant else "")
        add(f"| {label} | " + " | ".join(cells) + " |")
    add("")
    add("— = not offered by that approach (see the notes under each table).")
    add("")
    add("![records per second](latest-rates.png)")
    add("")

    rust = results.get("rust-owned", {}).get("workloads", {}) if "error" not in results.get("rust-owned", {"error": 1}) else {}
    pymarc = results.get("py-pymarc", {}).get("workloads", {}) if "error" not in results.get("py-pymarc", {"error": 1}) else {}
    add("## Per workload")
    for w, label in WORKLOADS:
        add("")
        add(f"### {label}")
        add("")
        add("| approach | records | records/s | ns/record | spread | overhead over Rust core | vs pymarc |")
        add("|---|---:|---:|---:|---:|---:|---:|")
        rc = cell(rust.get(w))
        pc = cell(pymarc.get(w))
        notes = []
        for name, variant in rows:
            key = f"{w}@{variant}" if variant else w
            v = results[name]["workloads"].get(key)
            if v is None:
                continue
            label2 = labels[name] + (f" + {variant}" if variant else "")
            if "skipped" in v:
                notes.append(f"{label2}: {v['skipped']}")
                continue
            c = cell(v)
            if not c:
                continue
            over = "—"
            if rc and name != "rust-owned":
                over = f"+{fmt_ns(c['ns'] - rc['ns'])} ({c['ns'] / rc['ns']:.1f}x)" if c["ns"] >= rc["ns"] \
                    else f"−{fmt_ns(rc['ns'] - c['ns'])} ({c['ns'] / rc['ns']:.2f}x)"
            vs = f"{c['rps'] / pc['rps']:.1f}x" if pc else "—"
            add(f"| {label2} | {c['records']:,} | {fmt_rate(c['rps'])} | {fmt_ns(c['ns'])} | "
                f"{c['spread'] * 100:.0f}% | {over} | {vs} |")
        for n in notes:
            add(f"- {n}")
    add("")
    add("Notes: the PyPI `mrrc` 0.9.2's `record.title` is 245 $a only (pymarc adds $b), so its timed "
        "title pass does a little less work; its check pass computes pymarc's title from the fields. "
        "The peers have no msgpack reader: their msgpack decode row unpacks to a dict, ours to a Record. "
        "`+ msgpack` / `+ ormsgpack` rows encode `record.as_dict()` with that package.")
    add("")

    add("## Threads")
    add("")
    add("Speedup = records/s with N workers ÷ records/s with 1 (files mode: N files, one per worker, "
        "so N times the work). Each language's control (a job known to scale) runs in the same "
        "process, its passes taken in turn with the approach's (work, control, work, control, ...), so "
        "both see the same load; `share of control` = speedup ÷ control speedup: how much of the "
        "parallelism the machine really offered the approach used.")
    add("")
    add("| approach | mode | workers | records/s | speedup | efficiency | control speedup | share of control | spread |")
    add("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for t in thread_rows:
        if t["mode"] == "control":
            continue
        cs = f"{t['control_speedup']:.2f}x" if t["control_speedup"] else "—"
        of = f"{t['of_control'] * 100:.0f}%" if t["of_control"] is not None else "—"
        add(f"| {labels[t['approach']]} | {THREAD_MODE.get(t['mode'], t['mode'])} | {t['threads']} | "
            f"{fmt_rate(t['rps'])} | {t['speedup']:.2f}x | {t['efficiency'] * 100:.0f}% | {cs} | {of} | "
            f"{t['spread'] * 100:.0f}% |")
    add("")
    add("Controls: " + "; ".join(f"{labels[k]}: {v}" for k, v in CONTROL.items() if k in results and "error" not in results[k]) + ".")
    add("")
    add("![thread scaling](latest-threads.png)")
    add("")
    tg = targets(results, thread_rows)
    if tg:
        add("## Targets from the binding issues, measured in this run")
        add("")
        add("On this run's corpus and workloads: the thread rows read + title over copies in memory, and "
            "`as_dict` and every value are timed on the corpus above. The issues set their targets on the "
            "250,000 LoC records with each binding's own bench (`bench/README.md`, \"Per binding\"), "
            "whose figures are the ones the issues are judged by.")
        add("")
        add("| target | goal | measured | |")
        add("|---|---:|---:|---|")
        for label, goal, got, verdict in tg:
            add(f"| {label} | {goal} | {got} | {verdict} |")
        add("")
    add("## Approaches and parts not measured")
    add("")
    if not skipped and not any("error" in r or r.get("notes") for r in results.values()):
        add("None: every approach ran.")
    for name, why in skipped:
        add(f"- {labels[name]}: not built ({why})")
    for name in order:
        for note in results.get(name, {}).get("notes", []) or []:
            add(f"- {labels[name]}: {note}")
    for name, r in results.items():
        if "error" in r:
            add(f"- {labels[name]}: FAILED ({r['error']})")
    add("")
    add("Raw runner output: `bench/results/raw/` (not committed).")
    out.write_text("\n".join(lines) + "\n")
    return thread_rows


BEGIN, END = "<!-- compare:begin -->", "<!-- compare:end -->"


def update_readme_block(report: Path, readmes: list[Path]) -> None:
    """Copies the headline tables of the report into each README that holds
    the markers, so the committed README shows the latest figures."""
    text = report.read_text()

    def section(title: str) -> str:
        part = text.split(f"## {title}", 1)
        return part[1].split("\n## ", 1)[0].strip() if len(part) > 1 else ""

    first = text.splitlines()[2] if len(text.splitlines()) > 2 else ""
    machine = section("Machine")
    corpus = section("Corpus and method").splitlines()[0] if section("Corpus and method") else ""
    rates = section("Records per second (median)").replace("(latest-rates.png)", "(results/latest-rates.png)")
    threads = "\n".join(line for line in section("Threads").splitlines()
                        if line.startswith("|") or line.startswith("!["))
    threads = threads.replace("(latest-threads.png)", "(results/latest-threads.png)")
    targets = section("Targets from the binding issues, measured in this run")
    block = "\n\n".join(x for x in [
        first.replace("Regenerate with the same command.", "Full report: [results/latest.md](results/latest.md)."),
        machine, corpus, "#### Records per second (median)", rates, "#### Threads", threads,
        "#### Targets from the binding issues", targets] if x)
    for readme in readmes:
        if not readme.exists():
            continue
        body = readme.read_text()
        if BEGIN in body and END in body:
            head, rest = body.split(BEGIN, 1)
            tail = rest.split(END, 1)[1]
            readme.write_text(f"{head}{BEGIN}\n{block}\n{END}{tail}")


HEADLINE_BEGIN, HEADLINE_END = "<!-- headline:begin -->", "<!-- headline:end -->"


def _rate(cell: str) -> float | None:
    """'907.8 k' -> 907800.0; '—' -> None."""
    parts = cell.strip().split()
    if not parts or parts[0] in ("—", "-"):
        return None
    scale = {"k": 1e3, "M": 1e6}.get(parts[1], 1.0) if len(parts) > 1 else 1.0
    return float(parts[0]) * scale


def update_headline(report: Path, readme: Path) -> None:
    """Writes the project README's headline figures (a few columns of the
    report's records/s table, with ratios to pymarc, and the two-worker
    thread speedups next to their controls) between its markers."""
    text = report.read_text()
    lines = text.splitlines()
    rates = text.split("## Records per second (median)", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in rates.splitlines()
            if line.startswith("| ") and not line.startswith("| approach")]
    header = next(line for line in rates.splitlines() if line.startswith("| approach"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    want = ["parse", "+title", "+every value"]
    index = [columns.index(w) for w in want]
    pymarc = next((r for r in rows if r[0].startswith("Python pymarc")), None)
    table = ["| approach | read | read + title | read + every value |", "|---|---:|---:|---:|"]
    for r in rows:
        if " + " in r[0] or all(_rate(r[i]) is None for i in index):
            continue
        cells = []
        for i in index:
            rate, base = _rate(r[i]), _rate(pymarc[i]) if pymarc else None
            if rate is None:
                cells.append("—")
            elif base and not r[0].startswith("Python pymarc"):
                cells.append(f"{r[i]}/s ({rate / base:.0f}x pymarc)")
            else:
                cells.append(f"{r[i]}/s")
        table.append(f"| {r[0]} | " + " | ".join(cells) + " |")
    threads = []
    section = text.split("## Threads", 1)
    if len(section) > 1:
        for line in section[1].split("\n## ", 1)[0].splitlines():
            c = [x.strip() for x in line.strip("|").split("|")]
            if line.startswith("| ") and len(c) >= 8 and c[2] == "2":
                threads.append(f"| {c[0]} | {c[1]} | {c[4]} | {c[6]} | {c[7]} |")
    block = [lines[2].replace("Regenerate with the same command.", "").strip() if len(lines) > 2 else "",
             "", *table]
    if threads:
        block += ["", "Two workers on the 2-core machine (speedup over one, the ideal control's in the same run, "
                  "and the share of it):", "",
                  "| approach | mode | speedup | control | share of control |", "|---|---|---:|---:|---:|", *threads]
    block += ["", "Every workload, ns per record, the per-record overhead of each binding, plots: "
              "[bench/results/latest.md](bench/results/latest.md); how to read it: [bench/README.md](bench/README.md)."]
    body = readme.read_text()
    if HEADLINE_BEGIN in body and HEADLINE_END in body:
        head, rest = body.split(HEADLINE_BEGIN, 1)
        tail = rest.split(HEADLINE_END, 1)[1]
        readme.write_text(f"{head}{HEADLINE_BEGIN}\n" + "\n".join(block) + f"\n{HEADLINE_END}{tail}")


def plots(out_dir: Path, results, order, labels, thread_rows):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plots", file=sys.stderr)
        return
    rows = [(n, "") for n in order if n in results and "error" not in results[n]]
    ws = [w for w, _ in WORKLOADS if any(cell(results[n]["workloads"].get(w)) for n, _ in rows)]
    fig, ax = plt.subplots(figsize=(13, 6))
    width = 0.8 / max(1, len(rows))
    for i, (name, _) in enumerate(rows):
        xs, ys = [], []
        for j, w in enumerate(ws):
            c = cell(results[name]["workloads"].get(w))
            if c:
                xs.append(j + i * width)
                ys.append(c["rps"])
        ax.bar(xs, ys, width, label=labels[name])
    ax.set_yscale("log")
    ax.set_xticks([j + width * (len(rows) - 1) / 2 for j in range(len(ws))])
    ax.set_xticklabels([SHORT[w] for w in ws], rotation=20)
    ax.set_ylabel("records per second (log scale, median)")
    ax.set_title("mrrc: records/s per approach and workload (higher is better)")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(out_dir / "latest-rates.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 6))
    max_n = max([t["threads"] for t in thread_rows] or [1])
    ax.plot([1, max_n], [1, max_n], color="0.6", linewidth=3, alpha=0.5, label="ideal")
    series = {}
    for t in thread_rows:
        series.setdefault((t["approach"], t["mode"]), []).append((t["threads"], t["speedup"]))
    colors = {}
    styles = {"control": ":", "files": "-", "single": "-.", "processes": "--"}
    markers = {"control": "x", "files": "o", "single": "s", "processes": "^"}
    for (name, mode), pts in series.items():
        pts.sort()
        color = colors.setdefault(name, f"C{len(colors)}")
        ax.plot([p[0] for p in pts], [p[1] for p in pts], styles.get(mode, "-"), color=color,
                marker=markers.get(mode, "o"), label=f"{labels[name]}: {THREAD_MODE.get(mode, mode)}")
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup over 1 worker")
    ax.set_xticks(range(1, max_n + 1))
    ax.set_title("Thread scaling (dotted, x: each language's control in the same run)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out_dir / "latest-threads.png", dpi=110)
    plt.close(fig)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--corpus-file", required=True, type=Path)
    p.add_argument("--corpus-label", default="sample")
    p.add_argument("--records", type=int, default=20000, help="records for the fast approaches")
    p.add_argument("--slice", type=int, default=2000, help="records for the slow peers and the checks")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--thread-reps", type=int, default=5)
    p.add_argument("--threads", default="", help="comma list of worker counts (default 1..nproc)")
    p.add_argument("--spin", type=int, default=150_000_000, help="Rust control loop iterations per task")
    p.add_argument("--control-seconds", type=float, default=0.3)
    p.add_argument("--only", default="", help="comma list of approaches to run")
    p.add_argument("--timeout", type=int, default=1800)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    p.add_argument("--command", default="scripts/bench.sh sample")
    args = p.parse_args()

    load_before = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else []
    started = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    t0 = time.perf_counter()
    out = args.out.resolve()
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    files = prepare(args.corpus_file, ROOT / "data" / "compare", args.records, args.slice)
    thread_counts = [int(x) for x in args.threads.split(",") if x] or list(range(1, (os.cpu_count() or 1) + 1))
    if len(thread_counts) == 1 and thread_counts[0] == 1:
        thread_counts = [1, 2]

    all_a = approaches()
    labels = {a["name"]: a["label"] for a in all_a}
    order = [a["name"] for a in all_a]
    only = set(x for x in args.only.split(",") if x)
    results, skipped = {}, []
    for a in all_a:
        if only and a["name"] not in only:
            continue
        ok, why = a["available"]()
        if not ok:
            print(f"  {a['label']:<40} not built: {why}", flush=True)
            skipped.append((a["name"], why))
            continue
        print(f"  {a['label']:<40} running ...", end="", flush=True)
        r = run_approach(a, files, args, raw, thread_counts)
        results[a["name"]] = r
        print(f" {'FAILED: ' + r['error'] if 'error' in r else 'done'} ({r['elapsed']:.0f} s)", flush=True)

    check_warnings: list[str] = []
    problems = verify(results, files, check_warnings)
    problems += [f"{labels[n]} failed: {r['error']}" for n, r in results.items() if "error" in r]
    info = machine_info(load_before)
    elapsed = time.perf_counter() - t0
    thread_rows = write_report(out / "latest.md", results, skipped, files, args, info, problems, labels, order,
                               started, elapsed, check_warnings)
    plots(out, results, order, labels, thread_rows)
    if out == (ROOT / "bench" / "results").resolve() and not problems:
        update_readme_block(out / "latest.md", [ROOT / "bench" / "README.md"])
        update_headline(out / "latest.md", ROOT / "README.md")
    (raw / "summary.json").write_text(json.dumps({"info": info, "results": results, "skipped": skipped}, indent=1))
    print(f"report: {(out / 'latest.md').relative_to(ROOT)}")
    if problems:
        print("RESULT CHECK FAILED:", file=sys.stderr)
        for pr in problems:
            print(f"  {pr}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
