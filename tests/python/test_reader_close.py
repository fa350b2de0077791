"""`MARCReader.close()` as pymarc 5.4.0's: it closes the file object, and
reading on raises the ValueError of a read of a closed file (pymarc's next
`file_handle.read(5)`), whatever the reader had parsed ahead. Each scenario
is also run on pymarc itself when its source is around."""

import io

import pytest

from conftest import CORPUS, _real_pymarc

SAMPLE = CORPUS / "pymarc_test_camel.mrc"

PYMARC = _real_pymarc()


@pytest.fixture(params=["impl", "pymarc"])
def any_impl(request, impl):
    """Each binding, and pymarc 5.4.0 (once: it does not depend on `impl`)."""
    if request.param == "impl":
        return impl
    if PYMARC is None:
        pytest.skip("pymarc 5.4.0 source not found")
    if impl.__name__ != "mrrc":
        pytest.skip("pymarc runs once")
    return PYMARC


def outcome(reader):
    """What `next(reader)` does: 'record', 'None', 'stop' or the exception."""
    try:
        r = next(reader)
    except StopIteration:
        return "stop"
    except ValueError as e:
        return f"ValueError: {e}"
    return "None" if r is None else "record"


def data():
    return SAMPLE.read_bytes()


def test_close_closes_the_file_and_reading_on_raises(any_impl):
    with open(SAMPLE, "rb") as fh:
        reader = any_impl.MARCReader(fh)
        assert outcome(reader) == "record"
        reader.close()
        assert fh.closed
        with pytest.raises(ValueError):
            next(reader)
        # Still closed, still raising; a second close is harmless.
        reader.close()
        with pytest.raises(ValueError):
            next(reader)


def test_close_over_a_file_object_with_records_parsed_ahead(any_impl):
    # The bindings parse a batch at a time; the rest of the batch must not
    # be handed out after close().
    reader = any_impl.MARCReader(io.BytesIO(data() * 10))
    assert [outcome(reader) for _ in range(3)] == ["record"] * 3
    reader.close()
    assert reader.file_handle.closed
    with pytest.raises(ValueError, match="closed file"):
        next(reader)
    assert reader.current_chunk is None
    assert reader.current_exception is None


def test_close_over_bytes(any_impl):
    reader = any_impl.MARCReader(data() * 3)
    assert outcome(reader) == "record"
    reader.close()
    with pytest.raises(ValueError, match="closed file"):
        next(reader)


def test_close_after_the_end(any_impl):
    reader = any_impl.MARCReader(io.BytesIO(data()))
    assert all(r is not None for r in reader)
    assert outcome(reader) == "stop"
    reader.close()
    assert outcome(reader).startswith("ValueError")


def test_close_during_a_for_loop_raises_at_the_next_record(any_impl):
    reader = any_impl.MARCReader(io.BytesIO(data() * 10))
    got = 0
    with pytest.raises(ValueError, match="closed file"):
        for _ in reader:
            got += 1
            if got == 5:
                reader.close()
    assert got == 5


def test_close_after_a_fatal_error_keeps_the_end(any_impl):
    # A record length that is no number is fatal: pymarc ends the reading
    # (StopIteration) before it reads again, closed or not.
    reader = any_impl.MARCReader(io.BytesIO(data() + b"abcde" + data()))
    seen = []
    while not seen or seen[-1] != "stop":
        seen.append(outcome(reader))
    assert seen[-2:] == ["None", "stop"] and set(seen[:-2]) == {"record"}
    assert type(reader.current_exception).__name__ == "RecordLengthInvalid"
    reader.close()
    assert outcome(reader) == "stop"


def test_close_after_a_record_that_failed_but_not_fatally(any_impl):
    # A leader whose base address is no number fails that record only; the
    # reader reads on, so after close() the next read raises.
    good = data()
    first = good[: good.index(b"\x1d") + 1]
    bad = first[:12] + b"abcde" + first[17:]
    reader = any_impl.MARCReader(io.BytesIO(bad + first + first))
    assert outcome(reader) == "None"
    assert reader.current_exception is not None
    reader.close()
    assert outcome(reader).startswith("ValueError")


def test_close_over_a_path(impl):
    # mrrc reads a path itself (pymarc does not take one).
    reader = impl.MARCReader(str(SAMPLE))
    assert outcome(reader) == "record"
    reader.close()
    with pytest.raises(ValueError, match="closed file"):
        next(reader)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("source", ["bytes", "BytesIO", "file"])
def test_close_of_a_parallel_reader(impl, threads, source, tmp_path):
    # Parser threads may be waiting for the file object: close() must not
    # hang, and reading on raises.
    payload = data() * 200
    if source == "bytes":
        target = payload
    elif source == "BytesIO":
        target = io.BytesIO(payload)
    else:
        path = tmp_path / "many.mrc"
        path.write_bytes(payload)
        target = open(path, "rb")
    reader = impl.MARCReader(target, threads=threads)
    assert outcome(reader) == "record"
    reader.close()
    with pytest.raises(ValueError, match="closed file"):
        next(reader)
    if source != "bytes":
        assert target.closed


def test_leaving_a_with_block_closes(impl):
    # mrrc's readers are context managers (pymarc 5.4.0's is not).
    fh = open(SAMPLE, "rb")
    with impl.MARCReader(fh) as reader:
        assert outcome(reader) == "record"
    assert fh.closed
    with pytest.raises(ValueError, match="closed file"):
        next(reader)
