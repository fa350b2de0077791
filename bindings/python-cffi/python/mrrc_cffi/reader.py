"""Readers (as pymarc.reader). `MARCReader` reads and parses records in
batches in one C call each (cffi releases the GIL around it) and hands out
records from the batch. Once one of its records is asked for its title,
the titles of each later batch come from one more call, so that reading
titles costs no C call (no GIL hand-over) per record; once one is asked for
its fields, each later batch is split (`mrrc_records_split`) in one more
call the same way. Plain OS files are read by the library itself, with the
GIL released (`_plain_os_file`)."""

import io
import itertools
import os
import stat
import sys
import threading

from mrrc_cffi import _lib
from mrrc_cffi._lib import ffi, lib
from mrrc_cffi.exceptions import FatalReaderError, PymarcException
from mrrc_cffi._text_readers import JSONReader, MARCMakerReader, Reader, map_records
from mrrc_cffi.record import BatchRequest, Record, record_from_flat_builder

#: Records parsed per C call. The per-record cost stops falling at a few
#: hundred (bench/python/README.md).
BATCH = 512

_gc = ffi.gc
_record_free = lib.mrrc_record_free
_wrap = Record._wrap
_split_batch = _lib.split_batch
_new = object.__new__

#: The `_records` loop runs without the reader's lock where the GIL makes
#: `next()` of an `itertools.count` atomic.
_GIL = getattr(sys, "_is_gil_enabled", lambda: True)()
_count = itertools.count


def _no_batch():
    return ((), _count(), None, None)


#: `MARCReader._chunk` when `current_chunk` is the last record returned
#: (whose index in the batch is `_last`).
_LAST_RETURNED = object()


@ffi.def_extern()
def _mrrc_read_file(userdata, buf, size, nread):
    """The read callback of readers over Python file objects other than
    plain OS files (those are read by the library, `_plain_os_file`). Each call
    takes the GIL inside a C call that had released it (the library asks
    for megabytes at a time, so this is rare); `readinto` reads straight
    into the library's buffer."""
    reader = ffi.from_handle(userdata)
    try:
        f = reader.file_handle
        n = None
        if reader._readinto:
            try:
                n = f.readinto(ffi.buffer(buf, size)) or 0
            except NotImplementedError:  # a RawIOBase with only read()
                reader._readinto = False
        if n is None:
            data = f.read(size)
            if data is None:
                data = b""
            if isinstance(data, str):
                raise TypeError("MARCReader needs a file opened in binary mode ('rb')")
            n = len(data)
            if n > size:
                raise ValueError("read() returned more bytes than asked for")
            ffi.memmove(buf, data, n)
        nread[0] = n
        return 0
    except BaseException as e:  # reported through the reader
        reader._callback_error = e
        return 1


def _plain_os_file(target):
    """(descriptor, offset) for the library to read `target` by itself with
    positional reads and the GIL released (a duplicate of its descriptor,
    and its logical position), when it is a plain binary OS file: exactly an
    `io.FileIO`, or an `io.BufferedReader` / `io.BufferedRandom` over one,
    open, readable and seekable, on a regular file. None for anything else
    (subclasses, whose methods may change what is read; BytesIO, pipes,
    sockets), which is read through its methods. With one `readinto` call
    per few megabytes under the GIL, two threads reading a file each
    waited on each other's copies (the PyO3 binding reads such files the
    same way)."""
    if os.name != "posix":
        return None  # mrrc_reader_from_fd is Unix only
    ty = type(target)
    if ty is io.FileIO:
        raw = target
    elif ty is io.BufferedReader or ty is io.BufferedRandom:
        raw = target.raw
        if type(raw) is not io.FileIO:
            return None
    else:
        return None
    try:
        if raw.closed or not target.readable() or not target.seekable():
            return None
        fd = raw.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        # The logical position: a buffered object's `tell` counts what it
        # has buffered and not handed out.
        offset = target.tell()
        return os.dup(fd), offset
    except (OSError, ValueError):
        return None


class MARCReader(Reader):
    """Reads MARC 21 (ISO 2709) records from a binary file object, bytes, or
    a path (read by the C library). Yields `Record`s; a record that cannot
    be read yields `None`, with `current_exception` and `current_chunk` set
    (as pymarc).

    mrrc's own keywords: `threads=N` parses with N threads of the C library
    (0: one per core), records still in file order; `batch_size` is how many
    records each C call returns (the GIL is released around each call)."""

    def __init__(self, marc_target, to_unicode=True, force_utf8=False, hide_utf8_warnings=False,
                 utf8_handling="strict", file_encoding="iso8859-1", permissive=False, *,
                 threads=None, batch_size=BATCH):
        self.file_handle = None
        self.to_unicode = to_unicode
        self.force_utf8 = force_utf8
        self.hide_utf8_warnings = hide_utf8_warnings
        self.utf8_handling = utf8_handling
        self.file_encoding = file_encoding
        self.permissive = permissive
        self._callback_error = None
        self._self_handle = None
        # Set when the library reads the file object's OS file itself.
        self._reads_os_file = False
        opts, keep = _lib.read_options(
            to_unicode=to_unicode, force_utf8=force_utf8,
            utf8_handling=utf8_handling, file_encoding=file_encoding,
        )
        batch_size = max(1, int(batch_size))
        out = ffi.new("MrrcReader **")
        if threads is None:
            # The reader keeps `data` (immutable bytes) as long as it lives,
            # so the library reads it in place instead of copying it.
            def from_bytes(data, size, opts, out):
                self._borrowed = data
                return lib.mrrc_reader_from_borrowed_bytes(data, size, opts, out)

            open_path = lib.mrrc_reader_open_path
            from_callback = lib.mrrc_reader_from_callback
            from_fd = lib.mrrc_reader_from_fd
        else:
            n = int(threads)
            if n < 0:
                raise ValueError("threads must be 0 (one per core) or more")

            def from_bytes(data, size, opts, out):
                return lib.mrrc_reader_from_bytes_parallel(data, size, opts, n, out)

            def open_path(path, opts, out):
                return lib.mrrc_reader_open_path_parallel(path, opts, n, out)

            def from_callback(callback, userdata, opts, out):
                return lib.mrrc_reader_from_callback_parallel(callback, userdata, opts, n, out)

            def from_fd(fd, offset, opts, out):
                return lib.mrrc_reader_from_fd_parallel(fd, offset, opts, n, out)

        if isinstance(marc_target, (bytes, bytearray, memoryview)):
            data = bytes(marc_target)
            _lib.check(from_bytes(data, len(data), opts, out))
        elif isinstance(marc_target, (str, os.PathLike)):
            path = os.fsencode(marc_target)
            status = open_path(path, opts, out)
            if status != 0:
                raise OSError(_lib.last_error()[1])
        elif hasattr(marc_target, "read"):
            self.file_handle = marc_target
            direct = _plain_os_file(marc_target)
            if direct is not None:
                # The library owns the duplicate from here on.
                _lib.check(from_fd(direct[0], direct[1], opts, out))
                self._reads_os_file = True
                self._synced_offset = direct[1]
            else:
                self._readinto = hasattr(marc_target, "readinto")
                self._self_handle = ffi.new_handle(self)
                _lib.check(from_callback(lib._mrrc_read_file, self._self_handle, opts, out))
        else:
            try:
                data = bytes(marc_target)
            except TypeError:
                raise TypeError("MARCReader reads bytes, a binary file object or a path") from None
            _lib.check(from_bytes(data, len(data), opts, out))
        self._r = _gc(out[0], lib.mrrc_reader_free)
        if self._reads_os_file:
            self._offset = ffi.new("uint64_t *")
        if not permissive:
            _lib.check(lib.mrrc_reader_set_pymarc_checks(self._r, utf8_handling == "strict"))
        self._raw = not to_unicode
        # Records need no more than a handle and a title (not raw,
        # not force_utf8): `_records` makes them inline, without taking the
        # reader's lock (see `_records`), when the GIL is on.
        self._plain = not self._raw and not force_utf8 and _GIL
        self._lock = threading.Lock()
        self._frees = _lib.FreeQueue()
        self._batch_size = batch_size
        self._slots = ffi.new("MrrcRecord *[]", batch_size)
        self._ends = ffi.new("size_t[]", batch_size)
        self._count = ffi.new("size_t *")
        # (records of the batch, the index of the next one to hand out,
        # their titles once wanted): replaced as a whole, so one read of it
        # sees a consistent batch.
        self._state = _no_batch()
        self._last = 0  # index in the batch of the record last returned
        self._title_request = BatchRequest()
        # Set when a record's fields are first split one record at a time.
        self._split_request = BatchRequest()
        # A batch's titles when nobody asked for them yet: each record gets
        # the request, which fetches its title if asked.
        self._no_titles = [self._title_request] * batch_size
        self._chunk = None
        self._current_exception = None
        self._stopped = False
        # Set by `close()`: reading on raises ValueError, as pymarc's.
        self._closed = False

    def __iter__(self):
        # A generator: `for` resumes it per record, cheaper than calling
        # `__next__`; `next(reader)` and the generator share the state.
        return self._records()

    def _records(self):
        if not self._plain:
            while True:
                try:
                    record = self.__next__()
                except StopIteration:
                    return
                yield record
        while True:
            # What `__next__` does for a batch's later records, with
            # `Record._wrap` inlined and no lock: this runs per record.
            # `for i in taken` takes the next index from the batch's shared
            # `itertools.count` (one C call, atomic under the GIL), so each
            # index goes to one caller even when threads share the reader
            # (the lock cost 180 ns per record, a third of the time this
            # loop held the GIL). A batch is replaced only once its count
            # has passed its end, so a count this loop still holds after
            # that only gives indices past the end.
            batch, taken, titles, splits = self._state
            n = len(batch)
            for i in taken:
                if i >= n:
                    break
                self._last = i
                record = _new(Record)
                record._h = batch[i]
                record._title_ahead = titles[i]
                record._split_ahead = splits
                record._split_index = i
                yield record
            try:
                record = self.__next__()
            except StopIteration:
                return
            yield record

    def _fill(self):
        """Reads the next batch; returns False at the end of the input, None
        after a failed record (current_exception set)."""
        r = self._r
        # Frees the records dropped since (256 or more at a time).
        self._frees.collect()
        if self._reads_os_file and self.file_handle.closed:
            # Closed by its user: the reading stops as a read through the
            # object would have.
            self._stopped = True
            raise ValueError("I/O operation on closed file.")
        status = lib.mrrc_reader_next_batch_chunks(r, self._slots, self._ends, self._batch_size, self._count)
        if self._reads_os_file:
            self._follow_offset()
        if status != 0:
            self._fail(status)
            return None
        n = self._count[0]
        if n == 0:
            return False
        # Owned (and freed exactly once) by cffi from here on; `map` rather
        # than a list comprehension: a little less time under the GIL.
        batch = list(map(_gc, ffi.unpack(self._slots, n), itertools.repeat(self._frees.drop, n)))
        titles = self._no_titles
        if self._title_request.wanted:
            titles = _lib.records_text(self._slots, n, lib.MRRC_TEXT_TITLE, self._raw)
        splits = self._split_request
        if splits.wanted:
            # Once a record's fields were asked for, every batch is split
            # in one call (one crossing and one decode a batch, not a record).
            splits = _split_batch(self._slots, n) or splits
        # The caller returns record 0.
        self._state = (batch, _count(1), titles, splits)
        self._last = 0
        return True

    def _follow_offset(self):
        """Seeks the file object to where the library has read to, so that
        its position moves as it does when read through its methods."""
        # One C call a batch (the offset is the library's: a parallel
        # reader's input thread moves it while Python runs).
        if lib.mrrc_reader_input_offset(self._r, self._offset) != 0:
            return
        offset = self._offset[0]
        if offset != self._synced_offset:
            try:
                self.file_handle.seek(offset)
            except (OSError, ValueError):
                return
            self._synced_offset = offset

    def _fail(self, status):
        if self._callback_error is not None:
            e, self._callback_error = self._callback_error, None
            self._stopped = True
            raise e
        b = lib.mrrc_reader_last_record_bytes(self._r)
        chunk = ffi.unpack(ffi.cast("char *", b.ptr), b.len) if b.len else b""
        self._chunk = chunk
        e = _lib.pymarc_error(chunk, status, True)
        self._current_exception = e
        fatal = isinstance(e, FatalReaderError)
        if (fatal and not self.permissive) or status == lib.MRRC_IO:
            self._stopped = True

    def __next__(self):
        with self._lock:
            batch, taken, titles, splits = self._state
            i = next(taken)
            if i < len(batch):
                # The usual case: the batch's next record. The call before
                # returned one from this batch, so `current_chunk` and
                # `current_exception` need no update.
                self._last = i
                return _wrap(batch[i], self._raw, self.force_utf8, titles[i], splits, i)
            return self._first_of_next_batch()

    def _first_of_next_batch(self):
        if self._closed and not (self._stopped and self._current_exception is not None):
            # pymarc's next read of its closed file raises (a fatal error
            # before it ends the reading first: StopIteration below).
            self._chunk = None
            self._current_exception = None
            raise ValueError("I/O operation on closed file.")
        if self._stopped:
            raise StopIteration
        self._current_exception = None
        self._state = _no_batch()
        filled = self._fill()
        if filled is None:
            return None
        if not filled:
            self._stopped = True
            self._chunk = None
            raise StopIteration
        self._chunk = _LAST_RETURNED
        batch, _, titles, splits = self._state
        return _wrap(batch[0], self._raw, self.force_utf8, titles[0], splits, 0)

    @property
    def current_chunk(self):
        """The raw bytes of the record last returned (or that failed)."""
        with self._lock:
            c = self._chunk
            if c is not _LAST_RETURNED:
                return c  # None, or the bytes of a record that failed
            c = self._last
            ends = self._ends
            # The batch's raw bytes stay in the C reader until the next
            # batch; asked for here rather than per batch (one C call less
            # per batch, that is one GIL hand-over less).
            batch_bytes = lib.mrrc_reader_batch_bytes(self._r)
            # `_last` is written without the lock by the per-record loop: a
            # thread sharing the reader may have set it for an older batch.
            if c >= self._count[0] or ends[c] > batch_bytes.len:
                return None
            start = ends[c - 1] if c else 0
            return ffi.unpack(ffi.cast("char *", batch_bytes.ptr) + start, ends[c] - start)

    @property
    def current_exception(self):
        """The exception for the record last returned as `None`."""
        return self._current_exception

    def close(self):
        """Closes the file object given to the reader (pymarc `close`). As
        with pymarc, reading on raises ValueError ("I/O operation on closed
        file."), also when records were parsed ahead or the input is bytes
        or a path."""
        with self._lock:
            self._closed = True
            # Runs the batch's count past its end: a `for` loop over the
            # reader that holds it then reads on (and raises) rather than
            # finish the batch.
            batch, taken, _, _ = self._state
            n = len(batch)
            for i in taken:
                if i >= n:
                    break
            self._state = _no_batch()
        if self.file_handle is not None:
            self.file_handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def record_from_dict(obj):
    """A record from one MARC-in-JSON object already loaded by `json`:
    `{"leader": ..., "fields": [{tag: data} or {tag: {"ind1", "ind2",
    "subfields": [{code: value}]}}]}`, built by the core in one call."""
    from mrrc_cffi.field import char_in, is_control_tag, tag_in, text_in
    from mrrc_cffi.leader import leader_text

    fb = _lib.FlatBuilder()
    entries = []
    for entry in obj["fields"]:
        if not isinstance(entry, dict):
            raise TypeError("each MARC-in-JSON field is an object")
        for tag, body in entry.items():
            entries.append((tag_in(tag), body))
            break
    fb.record(leader_text(text_in(obj["leader"])), len(entries))
    for tag, body in entries:
        has_subfields = isinstance(body, dict) and "subfields" in body
        if has_subfields and not is_control_tag(tag):
            subs = []
            for sub in body["subfields"]:
                for code, value in sub.items():
                    subs.append((char_in(code), text_in(value)))
            fb.data(tag, char_in(body["ind1"]), char_in(body["ind2"]), subs)
        elif has_subfields:
            fb.control(tag, "")
        elif is_control_tag(tag):
            fb.control(tag, text_in(body))
        else:
            fb.data(tag, " ", " ", [])
    return record_from_flat_builder(fb)


def _mrk_options():
    opts, _ = _lib.read_options(fmt=lib.MRRC_FORMAT_MRK, lenient=False)
    return opts


def _mrk_parse(text):
    data = text.encode("utf-8")
    out = ffi.new("MrrcRecord **")
    status = lib.mrrc_record_from_bytes(data, len(data), _mrk_options(), out)
    return status, (out[0] if status == 0 else None)


def parse_mrk_line(line):
    """One MARCMaker line (pymarc `MARCMakerReader._parse_line`): a `Leader`
    for `=LDR`, else a `Field`."""
    status, h = _mrk_parse(line)
    if status != 0:
        st, message, _, _, _, column = _lib.last_error()
        if status == lib.MRRC_MRK and column == 1:
            message = 'Line should start with a "=".'
        elif status == lib.MRRC_MRK and column == 5:
            message = "Tag should be separated from the rest of the field by two spaces."
        raise ValueError(message)
    record = Record._wrap(_gc(h, _record_free))
    if line[1:4] == "LDR":
        return record.leader
    fields = record.fields
    if not fields:
        raise ValueError("no field on the line")
    return fields[0]


def parse_mrk_record(text):
    """One record of MARCMaker text; an error names the line it is on."""
    if not text.strip():
        return Record()
    status, h = _mrk_parse(text)
    if status != 0:
        line = _lib.last_error()[4] or 1
        lines = text.splitlines()
        line_text = lines[line - 1] if 0 < line <= len(lines) else text
        raise PymarcException(f'Unable to parse line "{line_text}"')
    return Record._wrap(_gc(h, _record_free))



__all__ = ["Reader", "MARCReader", "MARCMakerReader", "map_records", "JSONReader"]
