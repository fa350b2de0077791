"""Every kind of binary file object reads the same records: plain OS files
(which both readers read themselves, with positional reads and the GIL
released), files opened at an offset, pipes, BytesIO; the object's position
after reading, and a file closed by its user while it is read."""

import io
import os
import threading

import pytest

from conftest import CORPUS, corpus_files, loc_prefix

MRC = corpus_files(".mrc")
SAMPLE = CORPUS / "pymarc_test_camel.mrc"


def outcomes(reader):
    """Each record's text and raw bytes, or the failure's class and bytes."""
    out = []
    for record in reader:
        if record is None:
            out.append(("error", type(reader.current_exception).__name__, reader.current_chunk))
        else:
            out.append(("record", str(record), reader.current_chunk))
    return out


@pytest.mark.parametrize("path", MRC, ids=[p.name for p in MRC])
@pytest.mark.parametrize("opener", ["buffered", "unbuffered", "random"])
def test_os_files_read_like_bytesio(impl, path, opener, tmp_path):
    data = path.read_bytes()
    expected = outcomes(impl.MARCReader(io.BytesIO(data)))
    if opener == "random":
        # io.BufferedRandom needs a writable file: a copy.
        path = tmp_path / path.name
        path.write_bytes(data)
    mode, buffering = {"buffered": ("rb", -1), "unbuffered": ("rb", 0), "random": ("r+b", -1)}[opener]
    with open(path, mode, buffering=buffering) as fh:
        assert outcomes(impl.MARCReader(fh)) == expected
        # Read to the end: the object is at the end too (as pymarc leaves it).
        assert fh.tell() == len(data)
        assert fh.read() == b""


@pytest.mark.parametrize("permissive", [False, True])
@pytest.mark.parametrize("threads", [None, 2])
def test_many_batches_read_like_bytesio(impl, permissive, threads, tmp_path):
    data = loc_prefix(3000)
    path = tmp_path / "loc.mrc"
    path.write_bytes(data)
    kwargs = {"permissive": permissive}
    if threads and impl.__name__ == "mrrc":
        kwargs["threads"] = threads
    expected = outcomes(impl.MARCReader(io.BytesIO(data), **kwargs))
    assert len(expected) >= 1000
    with open(path, "rb") as fh:
        assert outcomes(impl.MARCReader(fh, **kwargs)) == expected
        assert fh.tell() == len(data)


@pytest.mark.parametrize("how", ["read", "seek", "read_unbuffered"])
def test_a_file_positioned_past_its_start_is_read_from_there(impl, how, tmp_path):
    data = SAMPLE.read_bytes()
    head = b"not a record; " * 7
    path = tmp_path / "x.mrc"
    path.write_bytes(head + data)
    expected = outcomes(impl.MARCReader(data))
    with open(path, "rb", buffering=0 if how == "read_unbuffered" else -1) as fh:
        if how == "seek":
            fh.seek(len(head))
        else:
            # A buffered object reads ahead: its OS offset is past `tell()`.
            assert fh.read(len(head)) == head
        assert outcomes(impl.MARCReader(fh)) == expected
        assert fh.tell() == len(head) + len(data)


def test_a_pipe_is_read_like_bytes(impl):
    data = loc_prefix(1500)
    r, w = os.pipe()

    def feed():
        with open(w, "wb") as out:
            out.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        with open(r, "rb") as fh:
            got = outcomes(impl.MARCReader(fh))
    finally:
        feeder.join()
    assert got == outcomes(impl.MARCReader(data))


def test_a_subclass_of_a_file_type_is_read_through_its_methods(impl, tmp_path):
    """A subclass may change what `read` returns: its methods are used."""

    class Upper(io.BufferedReader):
        def read(self, n=-1):
            return super().read(n).replace(b"Perl", b"PERL")

        def readinto(self, b):
            data = self.read(len(b))
            b[: len(data)] = data
            return len(data)

    path = tmp_path / "x.mrc"
    path.write_bytes(SAMPLE.read_bytes())
    with Upper(io.FileIO(path, "rb")) as fh:
        titles = [r.title for r in impl.MARCReader(fh)]
    assert titles[0] == "ActivePERL with ASP and ADO /"


@pytest.mark.parametrize("opener", ["buffered", "raw", "bytesio"])
def test_a_file_closed_while_read_raises_after_the_records_read(impl, opener, tmp_path):
    # pymarc's next read of the closed file raises ValueError; so do both
    # readers, once they have handed out what they had read before.
    data = loc_prefix(3000)
    expected = [r.as_marc() for r in impl.MARCReader(data)]
    path = tmp_path / "x.mrc"
    path.write_bytes(data)
    fh = {
        "buffered": lambda: open(path, "rb"),
        "raw": lambda: open(path, "rb", buffering=0),
        "bytesio": lambda: io.BytesIO(data),
    }[opener]()
    reader = impl.MARCReader(fh)
    got = [next(reader).as_marc()]
    fh.close()
    with pytest.raises(ValueError, match="closed file"):
        for record in reader:
            assert record is not None, reader.current_exception
            got.append(record.as_marc())
    # (Reading ahead may have read the whole of a small file already.)
    assert got == expected[: len(got)]


def test_a_file_closed_before_reading_raises(impl, tmp_path):
    path = tmp_path / "x.mrc"
    path.write_bytes(SAMPLE.read_bytes())
    fh = open(path, "rb")
    reader = impl.MARCReader(fh)
    fh.close()
    with pytest.raises(ValueError, match="closed file"):
        next(reader)


class Failing(io.RawIOBase):
    """A file object whose reads fail with the user's own error after
    `good` bytes."""

    def __init__(self, data, good):
        self.data, self.good, self.at = data, good, 0

    def readable(self):
        return True

    def readinto(self, out):
        if self.at >= self.good:
            raise ConnectionResetError("the share went away")
        n = min(len(out), self.good - self.at)
        out[:n] = self.data[self.at : self.at + n]
        self.at += n
        return n


def test_what_a_file_object_raises_is_raised_after_the_records_before_it(impl):
    data = loc_prefix(2000)
    expected = [r.as_marc() for r in impl.MARCReader(data)]
    got = []
    with pytest.raises(ConnectionResetError, match="the share went away"):
        for record in impl.MARCReader(Failing(data, len(data) // 2)):
            assert record is not None, record
            got.append(record.as_marc())
    # Every whole record before the failing read is handed out first.
    whole = sum(1 for _ in impl.MARCReader(data[: len(data) // 2], permissive=True))
    assert got == expected[: len(got)]
    assert len(got) >= whole - 1 and len(got) > 100


def test_a_reader_dropped_early_leaves_its_file_usable(impl, tmp_path):
    data = SAMPLE.read_bytes()
    path = tmp_path / "x.mrc"
    path.write_bytes(data * 2)
    with open(path, "rb") as fh:
        first = next(iter(impl.MARCReader(fh)))
        assert first is not None
        # Wherever the reader left it, the object still seeks and reads.
        fh.seek(0)
        assert [r.as_marc() for r in impl.MARCReader(fh)] == [r.as_marc() for r in impl.MARCReader(data * 2)]


def test_only_plain_os_files_take_the_positional_read_path(impl, tmp_path):
    # The readers' own path for OS files (the library reads them with
    # positional reads): taken for exactly the plain file types, so the
    # tests above compare it with the methods path.
    path = tmp_path / "a.mrc"
    path.write_bytes(SAMPLE.read_bytes())
    for mode, buffering in [("rb", -1), ("rb", 0), ("r+b", -1)]:
        with open(path, mode, buffering=buffering) as fh:
            assert impl.MARCReader(fh)._reads_os_file, (mode, buffering)

    class Subclass(io.BufferedReader):
        pass

    with open(path, "rb", buffering=0) as raw:
        assert not impl.MARCReader(Subclass(raw))._reads_os_file
    assert not impl.MARCReader(io.BytesIO(SAMPLE.read_bytes()))._reads_os_file
    r, w = os.pipe()
    with os.fdopen(r, "rb") as pipe:
        os.close(w)
        assert not impl.MARCReader(pipe)._reads_os_file
