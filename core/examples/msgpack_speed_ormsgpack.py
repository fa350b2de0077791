"""The Python side of the msgpack comparison (see msgpack_speed.rs).

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install msgpack ormsgpack
    PYTHONPATH=data/pymarc-5.4.0 /tmp/venv/bin/python core/examples/msgpack_speed_ormsgpack.py \
        data/pymarc-5.4.0/BooksAll.2016.part01.utf8 /tmp/books.mpk 50000 [--no-gc]
    cargo run --release -p mrrc-core --example msgpack_speed -- /tmp/books.mpk

Writes the first N records of the MARC file as msgpack.packb(record.as_dict())
(if OUT does not exist yet), then times ormsgpack packing those dicts and
unpacking their bytes, best of five.
"""

import gc
import os
import sys
import time

import msgpack
import ormsgpack

marc_path, out_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if "--no-gc" in sys.argv:
    gc.disable()
if not os.path.exists(out_path):
    import pymarc

    with open(marc_path, "rb") as fh, open(out_path, "wb") as out:
        for i, record in enumerate(pymarc.MARCReader(fh)):
            if i >= n:
                break
            out.write(msgpack.packb(record.as_dict()))

unpacker = msgpack.Unpacker(raw=False)
with open(out_path, "rb") as fh:
    unpacker.feed(fh.read())
dicts = list(unpacker)
blobs = [ormsgpack.packb(d) for d in dicts]
best_pack = best_unpack = float("inf")
for _ in range(5):
    t = time.perf_counter()
    [ormsgpack.packb(d) for d in dicts]
    best_pack = min(best_pack, time.perf_counter() - t)
    t = time.perf_counter()
    [ormsgpack.unpackb(b) for b in blobs]
    best_unpack = min(best_unpack, time.perf_counter() - t)
count = len(dicts)
print(
    f"ormsgpack {ormsgpack.__version__}: {count} records; "
    f"packb {count / best_pack:,.0f} records/s; unpackb {count / best_unpack:,.0f} records/s"
)
