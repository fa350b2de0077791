"""The Python runner of the comparison (bench/compare/run.py drives it).

One runner for every module with pymarc 5.4.0's API: pymarc itself, our
`mrrc` (PyO3), our `mrrc_cffi` and the PyPI package `mrrc` 0.9.2 (another
project; it lives in its own virtual environment because it has the same
import name). Usage: `python py_runner.py CONFIG.json`; prints one JSON
object (see bench/compare/README.md for the protocol).

Every timer starts with the file's bytes already in memory (`bytes` passed
to `MARCReader`) and covers the same work as the other runners.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK = 0xFFFFFFFFFFFFFFFF


def fnv1a(h: int, data: bytes) -> int:
    for b in data:
        h = ((h ^ b) * FNV_PRIME) & MASK
    return h


def load_module(impl: str):
    """The module under test, refusing the wrong `mrrc`."""
    if impl == "pymarc":
        return importlib.import_module("pymarc")
    if impl == "mrrc":
        mod = importlib.import_module("mrrc")
        if not getattr(mod, "__mrrc_local__", False):
            raise SystemExit("the `mrrc` in this environment is not the local build")
        return mod
    if impl == "mrrc_cffi":
        return importlib.import_module("mrrc_cffi")
    if impl == "mrrc-0.9.2":
        mod = importlib.import_module("mrrc")
        if getattr(mod, "__mrrc_local__", False) or mod.__version__ != "0.9.2":
            raise SystemExit("expected the PyPI package mrrc 0.9.2 here")
        return mod
    raise SystemExit(f"unknown implementation {impl}")


def module_version(mod) -> str:
    version = getattr(mod, "__version__", None)
    if version is None:
        try:
            version = importlib.metadata.version(mod.__name__)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
    return str(version)


class Impl:
    """The calls each workload makes, adapted once per module (pymarc has
    `field.subfields` as a list; mrrc 0.9.2 as a method)."""

    def __init__(self, name: str, mod):
        self.name = name
        self.mod = mod
        self.reader = mod.MARCReader
        self.record_to_xml = getattr(mod, "record_to_xml", None)
        probe = self.records(minimal_record_bytes(mod))[0]
        field = next(f for f in probe.get_fields() if not f.is_control_field())
        self.subfields_is_method = callable(field.subfields)
        self.msgpack_decoder = find_msgpack_decoder(mod)
        # mrrc 0.9.2's `title` is 245 $a only: its check pass applies pymarc's rule.
        self.check_title = pymarc_title if name == "mrrc-0.9.2" else (lambda r: r.title)

    def records(self, data: bytes) -> list:
        return list(self.reader(data))

    def count_values(self, record) -> int:
        n = 0
        if self.subfields_is_method:
            for f in record.get_fields():
                if f.is_control_field():
                    f.data
                    n += 1
                else:
                    for s in f.subfields():
                        s.code
                        s.value
                        n += 1
        else:
            for f in record.get_fields():
                if f.is_control_field():
                    f.data
                    n += 1
                else:
                    for s in f.subfields:
                        s.code
                        s.value
                        n += 1
        return n


def pymarc_title(record):
    """pymarc 5.4.0's `Record.title`: 245 $a, then a space and $b if both are non-empty."""
    f = record.get("245")
    if not f:
        return None
    a = f.get("a")
    if not a:
        return None
    b = f.get("b")
    return f"{a} {b}" if b else a


def minimal_record_bytes(mod) -> bytes:
    """A tiny record with one control and one data field (for API probing)."""
    fields = [("001", b"x"), ("245", b"00\x1faT")]
    directory = b""
    body = b""
    for tag, data in fields:
        data += b"\x1e"
        directory += tag.encode() + b"%04d%05d" % (len(data), len(body))
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = b"%05dnam a22%05d   4500" % (length, base)
    return leader + directory + b"\x1e" + body + b"\x1d"


def find_msgpack_decoder(mod):
    """Our bindings' msgpack-to-Record call, under the names it may have."""
    record = getattr(mod, "Record", None)
    for owner, name in ((record, "from_msgpack"), (mod, "msgpack_to_record"), (mod, "parse_msgpack")):
        fn = getattr(owner, name, None) if owner is not None else None
        if callable(fn):
            return fn
    reader = getattr(mod, "MsgpackReader", None)
    if reader is not None:
        return lambda b: next(iter(reader(b)))
    return None


def check(impl: Impl, data: bytes) -> dict:
    h = FNV_OFFSET
    values = 0
    records = impl.records(data)
    for r in records:
        t = impl.check_title(r)
        h = fnv1a(h, t.encode("utf-8") if t is not None else b"\x00")
        h = fnv1a(h, b"\n")
        values += impl.count_values(r)
    return {"records": len(records), "titles": f"{h:016x}", "values": values}


def title_pass(impl: Impl, data: bytes) -> int:
    n = 0
    for r in impl.reader(data):
        r.title
        n += 1
    return n


def make_workloads(impl: Impl, utf8: bytes, marc8: bytes, peer: bool):
    """name -> (setup() -> state, run(state) -> (records, output size))."""
    import msgpack
    import ormsgpack

    mod = impl.mod
    w = {}

    def parse(_):
        n = 0
        for _r in impl.reader(utf8):
            n += 1
        return n, 0

    def fields_of(data):
        def run(_):
            n = v = 0
            for r in impl.reader(data):
                v += impl.count_values(r)
                n += 1
            return n, v

        return run

    def parsed():
        return impl.records(utf8)

    def each(fn):
        def run(records):
            out = 0
            for r in records:
                out += len(fn(r))
            return len(records), out

        return run

    w["parse"] = (None, parse)
    w["title"] = (None, lambda _: (title_pass(impl, utf8), 0))
    w["fields"] = (None, fields_of(utf8))
    w["marc8"] = (None, fields_of(marc8))
    w["write_iso"] = (parsed, each(lambda r: r.as_marc()))
    w["to_json"] = (parsed, each(lambda r: r.as_json()))
    if impl.record_to_xml is not None:
        w["to_xml"] = (parsed, each(impl.record_to_xml))
    w["as_dict"] = (parsed, each(lambda r: r.as_dict()))

    def packed_with(packb):
        return lambda: [packb(r.as_dict()) for r in impl.records(utf8)]

    def decode_with(unpackb):
        def run(blobs):
            for b in blobs:
                unpackb(b)
            return len(blobs), 0

        return run

    native_encode = getattr(mod.Record, "as_msgpack", None) if not peer else None
    if native_encode is not None:
        w["msgpack_encode"] = (parsed, each(lambda r: r.as_msgpack()))
        w["msgpack_encode@msgpack"] = (parsed, each(lambda r: msgpack.packb(r.as_dict())))
        w["msgpack_encode@ormsgpack"] = (parsed, each(lambda r: ormsgpack.packb(r.as_dict())))
    else:
        w["msgpack_encode"] = (parsed, each(lambda r: msgpack.packb(r.as_dict())))
        w["msgpack_encode@ormsgpack"] = (parsed, each(lambda r: ormsgpack.packb(r.as_dict())))
    if impl.msgpack_decoder is not None and not peer:
        w["msgpack_decode"] = (packed_with(msgpack.packb), decode_with(impl.msgpack_decoder))
    elif peer:
        # The peers have no msgpack reader: unpacking gives a dict, not a Record.
        w["msgpack_decode"] = (packed_with(msgpack.packb), decode_with(msgpack.unpackb))
        w["msgpack_decode@ormsgpack"] = (packed_with(msgpack.packb), decode_with(ormsgpack.unpackb))
    return w


def timed(reps: int, warmup: int, fn) -> dict:
    times = []
    records = out = 0
    for i in range(warmup + reps):
        start = time.perf_counter()
        records, out = fn()
        elapsed = time.perf_counter() - start
        if i >= warmup:
            times.append(elapsed)
    return {"records": records, "times_s": times, "out": out}


# ---- threads -----------------------------------------------------------

def sha_task(args):
    buf, rounds = args
    for _ in range(rounds):
        hashlib.sha256(buf).digest()
    return rounds


NOTES: list[str] = []
_WORKER_DATA = None
_WORKER_IMPL = None


def _worker_init(impl_name: str, path: str):
    global _WORKER_DATA, _WORKER_IMPL
    with open(path, "rb") as f:
        _WORKER_DATA = f.read()
    _WORKER_IMPL = Impl(impl_name, load_module(impl_name))


def _worker_title(_):
    return title_pass(_WORKER_IMPL, _WORKER_DATA)


def interleaved(reps: int, warmup: int, passes: list) -> list[dict]:
    """Timed passes of several jobs taken in turn (A B C A B C ...), so a job
    and its control see the same load on a shared machine."""
    times = [[] for _ in passes]
    last = [(0, 0)] * len(passes)
    for i in range(warmup + reps):
        for k, fn in enumerate(passes):
            start = time.perf_counter()
            last[k] = fn()
            elapsed = time.perf_counter() - start
            if i >= warmup:
                times[k].append(elapsed)
    return [{"records": n, "times_s": t, "out": o} for t, (n, o) in zip(times, last)]


def supports_threads_argument(impl: Impl, path: str) -> bool:
    """Whether `MARCReader(path, threads=N)` (one file, N Rust threads) exists."""
    try:
        if "threads" in inspect.signature(impl.reader).parameters:
            return True
    except (TypeError, ValueError):
        pass
    try:
        impl.reader(path, threads=1)
        return True
    except TypeError:
        return False


def thread_runs(impl: Impl, cfg: dict, path: str, data: bytes, multiprocess: bool) -> dict:
    counts = cfg["counts"]
    reps = cfg.get("reps", 3)
    # The control: sha256 releases the GIL, so it scales. 1 MiB stays in each
    # core's L2 cache; the 16 MiB buffer used before streamed from memory, and
    # two threads hashing it at once shared what they fetched (2.2x-2.6x on 2
    # cores: not a control).
    buf = os.urandom(1 << 20)
    start = time.perf_counter()
    hashlib.sha256(buf).digest()
    one = time.perf_counter() - start
    rounds = max(1, round(cfg.get("control_seconds", 0.3) / max(one, 1e-6)))
    single = not multiprocess and supports_threads_argument(impl, path)
    if not multiprocess and not single and impl.name in ("mrrc", "mrrc_cffi"):
        NOTES.append("no single-file parallel reader: MARCReader(path, threads=N) is not accepted")

    main_mode = "processes" if multiprocess else "files"
    out = {main_mode: {}, "control": {}}
    if single:
        out["single"] = {}
    ctx = multiprocessing.get_context("fork")
    for n in counts:
        with ThreadPoolExecutor(n) as ex:
            control = lambda: (sum(ex.map(sha_task, [(buf, rounds)] * n)), 0)  # noqa: E731
            if multiprocess:
                with ctx.Pool(n, initializer=_worker_init, initargs=(impl.name, path)) as pool:
                    work = lambda: (sum(pool.map(_worker_title, range(n), chunksize=1)), 0)  # noqa: E731
                    res = interleaved(reps, 1, [work, control])
            else:
                copies = [bytes(data) for _ in range(n)]
                work = lambda: (sum(ex.map(lambda d: title_pass(impl, d), copies)), 0)  # noqa: E731
                passes = [work, control]
                if single:
                    def single_pass():
                        k = 0
                        for r in impl.reader(path, threads=n):
                            r.title
                            k += 1
                        return k, 0

                    passes.append(single_pass)
                res = interleaved(reps, 1, passes)
        out[main_mode][str(n)] = res[0]
        out["control"][str(n)] = res[1]
        if single:
            out["single"][str(n)] = res[2]
    return out


def main() -> None:
    cfg = json.load(open(sys.argv[1]))
    approach = cfg["approach"]
    impl_name = cfg["impl"]
    peer = impl_name in ("pymarc", "mrrc-0.9.2")
    mod = load_module(impl_name)
    impl = Impl(impl_name, mod)
    files = cfg["files"]

    def read(key):
        with open(files[key], "rb") as f:
            return f.read()

    result = {
        "approach": approach,
        "versions": {impl_name: module_version(mod), "python": sys.version.split()[0]},
        "data": "file bytes in memory (bytes passed to MARCReader)",
        "check": {"utf8": check(impl, read("check")), "marc8": check(impl, read("check_marc8"))},
    }
    for extra in ("msgpack", "ormsgpack"):
        try:
            result["versions"][extra] = importlib.metadata.version(extra)
        except Exception:
            pass

    utf8, marc8 = read("utf8"), read("marc8")
    workloads = make_workloads(impl, utf8, marc8, peer)
    reps, warmup = cfg.get("reps", 5), cfg.get("warmup", 1)
    results = {}
    for name in cfg["workloads"]:
        for key in [k for k in workloads if k == name or k.startswith(name + "@")]:
            setup, run = workloads[key]
            state = setup() if setup else None
            results[key] = timed(reps, warmup, lambda: run(state))
            del state
        if name not in workloads:
            results[name] = {"skipped": skip_reason(name, impl)}
    result["workloads"] = results

    if cfg.get("threads"):
        result["threads"] = thread_runs(impl, cfg["threads"], files["utf8"], utf8, multiprocess=(impl_name == "pymarc"))
    result["notes"] = NOTES
    json.dump(result, sys.stdout)


def skip_reason(name: str, impl: Impl) -> str:
    if name == "msgpack_decode":
        return "no msgpack-to-Record call in this module (looked for Record.from_msgpack, msgpack_to_record, parse_msgpack, MsgpackReader)"
    if name == "to_xml":
        return "no record_to_xml in this module"
    return "not offered by this module"


if __name__ == "__main__":
    main()
