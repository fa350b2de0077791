"""mrrc_cffi frees each record a reader hands out exactly once, in batches
(a reader's batch frees the C records nobody holds when it moves on; the
others through `_lib.FreeQueue` when dropped), also when records outlive
their reader."""

import gc

import pytest

from conftest import CORPUS

SAMPLE = CORPUS / "pymarc_test_camel.mrc"


@pytest.fixture
def frees(impl, monkeypatch):
    """The addresses `mrrc_records_free` gets, call by call."""
    if impl.__name__ != "mrrc_cffi":
        pytest.skip("mrrc_cffi's batch frees")
    from mrrc_cffi import _lib

    calls = []
    real = _lib._records_free

    def records_free(batch, n):
        calls.append([int(_lib.ffi.cast("uintptr_t", batch[i])) for i in range(n)])
        real(batch, n)

    real_read = _lib._next_batch_freeing

    def next_batch_freeing(reader, batch, n, *rest):
        calls.append([int(_lib.ffi.cast("uintptr_t", batch[i])) for i in range(n)])
        return real_read(reader, batch, n, *rest)

    monkeypatch.setattr(_lib, "_records_free", records_free)
    monkeypatch.setattr(_lib, "_next_batch_freeing", next_batch_freeing)
    return calls


def address(record):
    from mrrc_cffi import _lib

    return int(_lib.ffi.cast("uintptr_t", record._h))


def freed(calls):
    # NULL: a record a batch passed to its holder (freed when it goes).
    return [a for call in calls for a in call if a]


def test_records_dropped_while_reading_are_freed_in_batches(impl, frees):
    data = SAMPLE.read_bytes() * 200  # 2,000 records: several batches
    seen = []
    freed_while_reading = 0
    reader = impl.MARCReader(data)
    for record in reader:
        seen.append(address(record))
        if len(seen) == 1500:
            freed_while_reading = len(freed(frees))
    del record, reader
    gc.collect()
    assert sorted(freed(frees)) == sorted(seen)
    # Freed a batch at a time while reading (before the reader goes), the
    # rest at the end; a call's NULL entries are records it did not free.
    assert freed_while_reading >= 256
    assert max(len([a for a in call if a]) for call in frees) >= 256


def test_records_kept_past_their_reader_are_freed_once_when_dropped(impl, frees):
    data = SAMPLE.read_bytes() * 20
    reader = impl.MARCReader(data)
    kept = list(reader)
    addresses = [address(r) for r in kept]
    del reader
    gc.collect()
    assert freed(frees) == []
    # Dropped after the reader is gone: freed when the last one goes, each
    # once.
    del kept[: len(kept) // 2]
    gc.collect()
    del kept
    gc.collect()
    assert sorted(freed(frees)) == sorted(addresses)
