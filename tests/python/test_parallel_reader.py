"""`MARCReader(path, threads=N)` (the core's parallel reader) yields what the
streaming reader yields, in file order: records, Nones, exceptions, chunks.
Also the batch size (records parsed per GIL release) changes nothing."""

import pytest

from conftest import LOC, corpus_files

MRC = corpus_files(".mrc")


def outcome(reader):
    out = []
    for record in reader:
        if record is None:
            exc = reader.current_exception
            out.append(("error", type(exc).__name__, str(exc), reader.current_chunk))
        else:
            out.append(("record", str(record.leader), str(record), reader.current_chunk))
    return out


def threaded(impl, path, **kwargs):
    # Both bindings take `threads` and `batch_size`: no skip.
    return impl.MARCReader(str(path), **kwargs)


@pytest.mark.parametrize("permissive", [False, True], ids=["strict", "permissive"])
@pytest.mark.parametrize("path", MRC, ids=[p.name for p in MRC])
def test_threads_yield_what_one_thread_yields(impl, path, permissive):
    one = outcome(impl.MARCReader(str(path), permissive=permissive))
    for n in (1, 2, 3):
        assert outcome(threaded(impl, path, threads=n, permissive=permissive)) == one


@pytest.mark.parametrize("size", [1, 7, 4096])
def test_batch_size_changes_nothing(impl, size):
    path = max(MRC, key=lambda p: p.stat().st_size)
    assert outcome(threaded(impl, path, batch_size=size)) == outcome(impl.MARCReader(str(path)))


def test_threads_on_a_file_object_and_bytes(impl):
    path = max(MRC, key=lambda p: p.stat().st_size)
    want = outcome(impl.MARCReader(str(path)))
    data = path.read_bytes()
    assert outcome(impl.MARCReader(data, threads=2)) == want
    with open(path, "rb") as fh:
        assert outcome(impl.MARCReader(fh, threads=2)) == want


@pytest.mark.skipif(not LOC.exists(), reason="data/loc not fetched")
def test_threads_on_the_loc_file(impl):
    n = 0
    streamed = iter(impl.MARCReader(str(LOC)))
    for got in threaded(impl, LOC, threads=2):
        want = next(streamed)
        assert got.as_marc() == want.as_marc()
        n += 1
    assert next(streamed, None) is None
    assert n == 250_000
