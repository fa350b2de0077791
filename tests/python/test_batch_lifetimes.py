"""Records and fields outlive the batch they were read in: records kept
while the reader moves on (many batches), fields kept after their record is
dropped, readers dropped or closed in the middle of a batch, threads
sharing a reader. The readers read records in batches, and mrrc_cffi's
batch owns its records' C records until it hands the ones still held their
own; whatever the reader does afterwards, a kept record or field reads as
it did."""

import gc
import io
import threading
import weakref

import pytest

from conftest import loc_prefix

DATA = loc_prefix(3000)
OTHER = loc_prefix(1000)


def view(record):
    """Everything about a record, from several of its entry points."""
    return (
        record.title,
        str(record.leader),
        [(f.tag, f.value()) for f in record.get_fields()],
        record.as_marc(),
    )


def expected(impl):
    return [view(r) for r in impl.MARCReader(DATA)]


def churn(impl):
    """Reads and drops other records, so that freed memory is reused."""
    n = 0
    for r in impl.MARCReader(OTHER):
        n += len(r.get_fields()) + len(r.title or "")
    return n


def test_records_kept_across_batches_read_as_they_did(impl):
    want = expected(impl)
    kept = {}
    for i, r in enumerate(impl.MARCReader(DATA, batch_size=7)):
        if i % 5 == 0:
            kept[i] = r  # untouched until the end
        elif i % 5 == 1:
            r.title  # (titles read ahead per batch)
            kept[i] = r
        elif i % 5 == 2:
            r.get_fields()
            kept[i] = r
    churn(impl)
    gc.collect()
    assert len(kept) == 3 * len(want) // 5
    for i, r in kept.items():
        assert view(r) == want[i]


def test_a_record_kept_while_the_reader_moves_on_many_batches(impl):
    want = expected(impl)
    reader = impl.MARCReader(io.BytesIO(DATA), batch_size=16)
    it = iter(reader)
    next(it)
    first = next(it)  # record 1, the second of its batch
    titled = next(it)
    titled.title
    n = 3
    for r in it:  # more than 180 batches
        n += 1
        r.title
    assert n == len(want)
    churn(impl)
    assert view(first) == want[1]
    assert view(titled) == want[2]


def test_fields_kept_after_their_record_is_dropped(impl):
    want = expected(impl)
    kept = []
    for i, r in enumerate(impl.MARCReader(DATA, batch_size=9)):
        if i % 3 == 0:
            kept.append((i, r.get_fields()))
        elif i % 3 == 1:
            fields = r.get_fields()
            kept.append((i, [fields[0], fields[-1]]))
    churn(impl)
    gc.collect()
    for i, fields in kept:
        got = [(f.tag, f.value()) for f in fields]
        if len(fields) == 2 and len(want[i][2]) != 2:
            assert got == [want[i][2][0], want[i][2][-1]]
        else:
            assert got == want[i][2]


def test_a_reader_dropped_in_the_middle_of_a_batch(impl):
    want = expected(impl)
    for how in ("iter", "next"):
        reader = impl.MARCReader(DATA, batch_size=64)
        it = iter(reader) if how == "iter" else None
        records = [next(it) if it else next(reader) for _ in range(70)]
        kept = records[66]  # in the second batch, with more of it unread
        kept_first = records[0]
        del records, it, reader
        gc.collect()
        churn(impl)
        assert view(kept) == want[66]
        assert view(kept_first) == want[0]


def test_a_reader_closed_in_the_middle_of_a_batch(impl):
    want = expected(impl)
    reader = impl.MARCReader(io.BytesIO(DATA), batch_size=64)
    it = iter(reader)
    kept = [next(it) for _ in range(3)]
    reader.close()
    gc.collect()
    churn(impl)
    assert [view(r) for r in kept] == want[:3]


def test_threads_sharing_a_reader_keep_every_record(impl):
    want = expected(impl)
    reader = impl.MARCReader(DATA, batch_size=32)
    got = [[], []]

    def run(out):
        for r in reader:
            out.append(r)

    threads = [threading.Thread(target=run, args=(out,)) for out in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = got[0] + got[1]
    assert len(records) == len(want)
    churn(impl)
    assert sorted(view(r)[3] for r in records) == sorted(w[3] for w in want)


def test_records_from_a_reader_cannot_be_weakly_referenced(impl):
    # (Nor could a weak reference make a record its batch freed reachable
    # again.)
    record = next(iter(impl.MARCReader(DATA)))
    with pytest.raises(TypeError):
        weakref.ref(record)


def full(record):
    """Every field's tag, indicators and subfields (or data)."""
    return [
        (f.tag, f.data) if f.control_field else (f.tag, tuple(f.indicators), [tuple(s) for s in f])
        for f in record.get_fields()
    ]


def test_fields_asked_in_any_order_in_a_batch_with_edits_between(impl):
    # mrrc_cffi splits the first record of a batch asked for its fields
    # alone and the records its batch still holds at the second ask; a
    # record edited (or dropped) in between has left the batch or is
    # skipped, and reads as its edit made it. The third batch is asked
    # after the reader moved on (its records then split alone).
    want = [full(r) for r in impl.MARCReader(DATA)][:48]
    reader = impl.MARCReader(DATA, batch_size=16)
    added = impl.Field(tag="500", indicators=[" ", " "], subfields=[impl.Subfield("a", "added")])
    records, got = [], {}
    for batch in (0, 16, 32):
        records += [next(reader) for _ in range(16)]  # the whole batch
        if batch == 32:
            next(reader)  # the reader moves on
        got[batch + 5] = full(records[batch + 5])  # the first to ask: alone
        records[batch + 3].add_field(added)  # leaves the batch, changed
        records[batch + 7] = None  # dropped: its batch still holds it
        gc.collect()
        for i in (9, 3, 0, 15, 5, 14):  # 9 splits the batch
            got[batch + i] = full(records[batch + i])
    churn(impl)
    for i, fields in got.items():
        w = want[i] + [("500", (" ", " "), [("a", "added")])] if i % 16 == 3 else want[i]
        assert fields == w, i
    for i, r in enumerate(records):
        if r is not None and i not in got:
            assert full(r) == want[i], i


def test_fields_of_one_record_a_batch_then_of_every_record(impl):
    want = [full(r) for r in impl.MARCReader(DATA)]
    for step in (5, 2):
        got = []
        for i, r in enumerate(impl.MARCReader(DATA, batch_size=5)):
            if i % step == 0:
                got.append((i, full(r)))
        assert got == [(i, want[i]) for i in range(0, len(want), step)]
