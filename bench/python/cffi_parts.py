"""Where mrrc_cffi's every-value loop spends its time, per record, next to
pymarc 5.4.0's whole loop in the same process (CPU time, best of --repeat):

    PYMARC_SRC=data/pymarc-5.4.0 .venv/bin/python bench/python/cffi_parts.py \\
        data/loc/BooksAll.2016.part01.utf8 --records 20000

Each part is timed over inputs made beforehand (the records, their split
views, their pieces), so the parts add up to about the whole loop. The C
call and the strings are timed as the reader makes them once a record's
fields were asked for: one `mrrc_records_split` a batch of 512 records,
then each record's bytes decoded and split (`BatchSplit.of`). The first
four parts (reading, the C call, making the strings, the loop over
ready-made objects) do not depend on how the binding builds its `Field`
and `Subfield` objects; with the `Subfield` tuples (made the cheapest way
CPython has) and bare `Field` objects (`object.__new__`, no state) they
are what any binding making pymarc's objects in Python pays: when they
reach pymarc's time / 6, the 6x target is out of reach for such a binding.
"""

import argparse
import gc
import itertools
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from read import every_value_loop, load, prefix  # noqa: E402


def best(fn, repeat):
    t = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        t = min(t, time.process_time() - start)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    import mrrc_cffi
    from mrrc_cffi import _lib
    from mrrc_cffi._lib import ffi
    from mrrc_cffi.field import fields_from_split
    from mrrc_cffi._types import Subfield

    with tempfile.NamedTemporaryFile(suffix=".mrc") as tmp:
        tmp.write(prefix(args.file, args.records))
        tmp.flush()
        path = tmp.name
        pymarc = load("pymarc")

        def whole():
            with open(path, "rb") as fh:
                every_value_loop(mrrc_cffi.MARCReader(fh))

        def pymarc_whole():
            with open(path, "rb") as fh:
                every_value_loop(pymarc.MARCReader(fh))

        # The whole loops first, with nothing else alive.
        us = {"whole": best(whole, args.repeat), "pymarc": best(pymarc_whole, max(1, args.repeat // 2))}
        records = list(mrrc_cffi.MARCReader(path))
        n = len(records)
        handles = [r._h for r in records]
        batches = []
        for i in range(0, n, 512):
            chunk = handles[i:i + 512]
            batches.append((ffi.new("MrrcRecord *[]", chunk), len(chunk)))
        batch_splits = [(_lib.split_batch(a, k), k) for a, k in batches]
        splits = [bs.of(i) for bs, k in batch_splits for i in range(k)]
        fields = [fields_from_split(s)[0] for s in splits]
        # The inputs stay out of the cyclic collector's passes, so that
        # timing a part does not mean traversing them all.
        gc.freeze()
        buffers = _lib._split_buffers
        tuple_new, repeat, new = tuple.__new__, itertools.repeat, object.__new__
        Field = mrrc_cffi.Field

        def iterate():
            for _ in mrrc_cffi.MARCReader(path):
                pass

        def c_split():
            b = buffers
            for a, k in batches:
                _lib._records_split(a, k, b.text, b.text_capacity, b.kinds, b.kinds_capacity,
                                    ffi.new("size_t[]", 2 * k), b.sizes)

        def split_records():
            for bs, k in batch_splits:
                of = bs.of
                for i in range(k):
                    of(i)

        def subfields():
            # The layout of `mrrc_record_split`: tags, values, the
            # indicators piece, the codes piece, subfield values.
            for pieces, kinds in splits:
                f = len(kinds)
                if f:
                    list(map(tuple_new, repeat(Subfield), zip(pieces[2 * f + 1], pieces[2 * f + 2:])))

        def bare_fields():
            for _, kinds in splits:
                list(map(new, repeat(Field, len(kinds))))

        def build():
            for s in splits:
                fields_from_split(s)

        def loop_over_ready_objects():
            k = 0
            for fs in fields:
                for f in fs:
                    k += len(f.value())
                    if not f.control_field:
                        for sf in f:
                            k += len(sf.value)

        us = {name: t / n * 1e6 for name, t in us.items()}
        us.update({name: best(fn, args.repeat) / n * 1e6 for name, fn in [
            ("iterate", iterate), ("c_split", c_split), ("split_record", split_records),
            ("subfields", subfields), ("bare_fields", bare_fields), ("build", build),
            ("loop", loop_over_ready_objects),
        ]})

    pieces = sum(len(p) for p, _ in splits) / n
    nfields = sum(len(k) for _, k in splits) / n
    rows = [
        ("`for r in MARCReader(path)`", us["iterate"]),
        ("`mrrc_records_split` (one C call a batch of 512)", us["c_split"]),
        (f"decoding each record's bytes and `str.split` into {pieces:.0f} strings", us["split_record"]),
        ("the every-value loop over ready-made objects", us["loop"]),
    ]
    floor = sum(t for _, t in rows)
    rows += [
        ("the `Subfield` named tuples (`tuple.__new__`, CPython's cheapest way)", us["subfields"]),
        (f"the {nfields:.0f} `Field` objects and their states", us["build"] - us["subfields"]),
    ]
    objects_floor = floor + us["subfields"] + us["bare_fields"]
    print(f"{n} records; us per record (CPU time, best of {args.repeat})\n")
    print("| part | us / record |")
    print("|---|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.2f} |")
    print(f"| sum of the parts | {sum(t for _, t in rows):.2f} |")
    print(f"| the whole every-value loop, mrrc_cffi | {us['whole']:.2f} |")
    print(f"| the whole every-value loop, pymarc 5.4.0 | {us['pymarc']:.2f} |")
    print(f"\nThe first four parts: {floor:.2f} us = {us['pymarc'] / floor:.1f}x pymarc; "
          f"6x pymarc is {us['pymarc'] / 6:.2f} us; mrrc_cffi: {us['pymarc'] / us['whole']:.1f}x pymarc.")
    print(f"With the `Subfield` tuples and {nfields:.0f} bare `object.__new__(Field)` "
          f"({us['bare_fields']:.2f} us), no state set: {objects_floor:.2f} us = "
          f"{us['pymarc'] / objects_floor:.1f}x pymarc, what any binding making these objects in Python pays.")
    title_share(args)


def title_share(args):
    """The title workload of the comparison's thread rows (`for r in
    MARCReader(data): r.title`): its C calls alone (reading batches, the
    batch's titles, freeing records; all with the GIL released) against the
    whole. With two threads, only the rest needs the GIL."""
    import mrrc_cffi
    from mrrc_cffi import _lib
    from mrrc_cffi._lib import ffi, lib

    data = prefix(args.file, args.records)

    def whole():
        for r in mrrc_cffi.MARCReader(data):
            r.title

    def c_calls_only():
        out = ffi.new("MrrcReader **")
        opts, _keep = _lib.read_options()
        _lib.check(lib.mrrc_reader_from_bytes(data, len(data), opts, out))
        reader = out[0]
        lib.mrrc_reader_set_pymarc_checks(reader, True)
        batch = ffi.new("MrrcRecord *[]", 512)
        ends, count = ffi.new("size_t[]", 512), ffi.new("size_t *")
        b = _lib._split_buffers
        present = ffi.new("uint8_t[]", 512)
        while True:
            _lib.check(lib.mrrc_reader_next_batch_chunks(reader, batch, ends, 512, count))
            n = count[0]
            if not n:
                break
            lib.mrrc_records_split_text(batch, n, lib.MRRC_TEXT_TITLE, b.text, b.text_capacity, present, b.sizes)
            lib.mrrc_records_free(batch, n)
        lib.mrrc_reader_free(reader)

    n = args.records
    total = best(whole, args.repeat) / n * 1e6
    c = best(c_calls_only, args.repeat) / n * 1e6
    print(f"\nTitle workload, us per record: whole {total:.2f}; its C calls alone {c:.2f}; "
          f"the rest (under the GIL) {total - c:.2f} = {100 * (total - c) / total:.0f}%: "
          f"two threads can reach at most {min(2.0, total / (total - c)):.2f}x.")


if __name__ == "__main__":
    main()
