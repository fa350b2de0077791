"""Readers (as pymarc.reader). `MARCReader` reads and parses records in
batches in one C call each (cffi releases the GIL around it) and hands out
records from the batch; the same call frees the records of the batch
before that nobody holds any more (`_Batch`: the batch owns its records'
C records). Once one of its records is asked for its title,
the titles of each later batch come from one more call, so that reading
titles costs no C call (no GIL hand-over) per record. The first record of
a batch asked for its fields is split alone; the second splits the records
the batch still holds in one call (`mrrc_records_split`), and each record
of the batch asked later takes its own view from there: a reader whose
user looks at one record's fields a batch pays for that record only. Plain OS files are read by the library itself, with the
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
_NULL = ffi.NULL
_unpack = ffi.unpack
_record_free = lib.mrrc_record_free
_split_batch = _lib.split_batch
_new = object.__new__
_repeat = itertools.repeat
_setattr = setattr
_consume = __import__("collections").deque(maxlen=0).extend
_chain = itertools.chain.from_iterable

#: Where the GIL makes `next()` of a batch's list iterator atomic, `for`
#: takes records through a `chain` over the batches' iterators without the
#: reader's lock (`__iter__`); elsewhere each goes through `__next__`.
_GIL = getattr(sys, "_is_gil_enabled", lambda: True)()

_getrefcount = getattr(sys, "getrefcount", None)
#: What `sys.getrefcount` gives, through `map` over a list, for an object
#: only that list holds.
_ALONE = next(map(_getrefcount, [object()])) if _getrefcount is not None else None
#: Whether a batch owns its C records (see `_Batch`): on CPython with the
#: GIL, where reference counts tell which records are still held. Elsewhere
#: each record owns its C record (`ffi.gc`).
_BATCH_OWNS = _GIL and _getrefcount is not None and sys.implementation.name == "cpython"


class _Batch:
    """The records of one batch, made together (attributes set by C loops)
    and handed out through `taken`, an iterator over them shared by
    everything reading the reader (its `next()` is atomic under the GIL,
    so each record goes to one caller). Also what the reader computed for
    the whole batch ahead of its records' asking: `titles` (a list, one
    title or None per record; else the reader's `BatchRequest` for them)
    and `splits` (see `split_of`); a record finds its own at its index `_i`
    while its `_b` is the batch.

    Where `_BATCH_OWNS`, the batch owns the batch's C records: its records
    hold raw pointers (no `ffi.gc` object per record, no destructor call
    when a record dies, nothing freed one record at a time) and `release`
    frees them in one C call (the GIL released) when the reader moves on,
    is closed or goes. Before that it gives each record still held by
    anyone but the batch (a reference count above `_ALONE`) its own
    ownership of its C record (`_own`, an `ffi.gc` handle, as records made
    elsewhere have), which frees it when that record dies. The records
    nobody held die with the batch's list: nothing else refers to them, so
    nothing can reach them once their C records are freed. A thread
    between taking a record from `taken` and using it holds a reference, so
    its record is kept; a record kept only by a cycle, or the last one a
    frame saw last, is kept too: a spare `ffi.gc` at worst.

    A record that keeps Python state of its own (fields, a flat view, a
    leader: anything but its title) leaves the batch first (`detach`),
    so that the state dies with the record rather than with the batch (the
    fields of 512 records kept alive per batch made the cyclic GC walk
    them: every value read 40 us a record instead of 23: session 8,
    bench/python/README.md)."""

    __slots__ = ("recs", "taken", "handles", "slots", "count", "drop", "lock", "titles", "splits", "__weakref__")

    def __init__(self, slots, n, raw, force_utf8, titles, drop):
        handles = _unpack(slots, n)
        self.slots = slots
        self.count = n
        self.drop = drop
        self.titles = titles
        self.splits = None
        self.lock = threading.Lock()
        if not _BATCH_OWNS:
            # Each record owns its C record.
            handles = list(map(_gc, handles, _repeat(drop, n)))
            self.slots = None
        self.handles = handles
        recs = list(map(_new, _repeat(Record, n)))
        # Made here, all at once, rather than in the per-record loop: the
        # loop only hands them out (from an iterator, atomically), so a
        # record exists, and counts as held, from the moment a thread has
        # it. `setattr` over the list runs in C (26 ns an attribute: a
        # session 8 scratch measurement).
        _consume(map(_setattr, recs, _repeat("_h"), handles))
        _consume(map(_setattr, recs, _repeat("_b", n), _repeat(self, n)))
        _consume(map(_setattr, recs, _repeat("_i", n), range(n)))
        if raw:
            _consume(map(_setattr, recs, _repeat("_raw", n), _repeat(True, n)))
            _consume(map(_setattr, recs, _repeat("to_unicode", n), _repeat(False, n)))
        if force_utf8:
            _consume(map(_setattr, recs, _repeat("force_utf8", n), _repeat(True, n)))
        self.recs = recs
        self.taken = iter(recs)

    def split_of(self, i):
        """The split view of record `i` (still in the batch) from the
        batch's split, or None for the record to split alone. `splits` is
        None until a record asks, then `_ASKED`; the second record to ask
        splits the records the batch still holds in one call (under the
        batch's lock: no record leaves the batch, nor is its C record freed
        or changed, during the call), and from then on it is the
        `_lib.BatchSplit` (or `_NO_SPLIT` when the batch could not be split
        at once)."""
        s = self.splits
        if s.__class__ is not _BatchSplit:
            if s is _NO_SPLIT:
                return None
            with self.lock:
                s = self.splits
                if s is None:
                    self.splits = _ASKED
                    return None
                if s is _ASKED:
                    s = self.splits = self._split_held()
            if s.__class__ is not _BatchSplit:
                return None
        return s.of(i)

    def _split_held(self):
        """The split of the records still in the batch (a record that left
        it is a NULL entry: its C record is its own, maybe edited or
        freed). Called with the lock held."""
        recs = self.recs
        if recs is None:
            return _NO_SPLIT  # released
        slots = self.slots
        if slots is None:
            # The records own their C records; the batch's handles keep
            # them alive.
            slots = ffi.new("MrrcRecord *[]", [
                h if r is not None else _NULL for h, r in zip(self.handles, recs)
            ])
        return _split_batch(slots, self.count) or _NO_SPLIT

    def detach(self, i, record):
        """Record `i` (`record`) leaves the batch: it owns its C record from
        here on, and dies when its last holder lets go of it."""
        with self.lock:
            recs = self.recs
            if recs is None or recs[i] is not record:
                return  # already passed its C record by `release`
            slots = self.slots
            if slots is not None:
                record._own = _gc(self.handles[i], self.drop)
                slots[i] = _NULL
            recs[i] = None

    def release(self, free=True):
        """Ends the batch: no record is handed out from here on; where the
        batch owns the C records, those of records still held pass to them
        and the others are freed (one C call), or with `free` false,
        returned as (array, count) for the caller to free (None if none)."""
        with self.lock:
            recs = self.recs
            if recs is None:
                return None
            self.recs = None
            _consume(self.taken)
            self.taken = _EXHAUSTED
            slots = self.slots
            if slots is None:
                # The records own their C records: a record still held no
                # longer keeps the others' alive through the batch.
                self.handles = None
                return None
            self.slots = None
            n = self.count
            counts = list(map(_getrefcount, recs))
            r = None
            if counts.count(_ALONE) != n:
                handles = self.handles
                drop = self.drop
                for i, c in enumerate(counts):
                    if c != _ALONE:
                        r = recs[i]
                        if r is None:
                            continue  # detached
                        r._own = _gc(handles[i], drop)
                        r._b = None  # its batch's text and titles may go
                        slots[i] = _NULL
            # The records nobody holds die here (the batch's iterator is
            # exhausted and has let go of the list).
            del recs, counts, r
            self.handles = None
        if not free:
            return slots, n
        _lib._records_free(slots, n)
        return None

    def __del__(self):
        try:
            self.release()
        except Exception:  # interpreter exit: the C records are left
            pass


_EXHAUSTED = iter(())
_BatchSplit = _lib.BatchSplit
#: `_Batch.splits` once one record asked for its fields; `_NO_SPLIT` when
#: the batch could not be split at once (its records are split alone).
_ASKED = object()
_NO_SPLIT = object()


class _NoBatch:
    """The batch before the first and after the last."""

    __slots__ = ()
    taken = _EXHAUSTED

    def release(self, free=True):
        return None


_NO_BATCH = _NoBatch()


#: `MARCReader._chunk` when `current_chunk` is the last record returned
#: (whose index in the batch is `_last_index()`).
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
        self._offset = ffi.new("uint64_t *") if self._reads_os_file else _NULL
        if not permissive:
            _lib.check(lib.mrrc_reader_set_pymarc_checks(self._r, utf8_handling == "strict"))
        self._raw = not to_unicode
        self._lock = threading.Lock()
        self._frees = _lib.FreeQueue()
        self._batch_size = batch_size
        self._ends = ffi.new("size_t[]", batch_size)
        self._count = ffi.new("size_t *")
        # The current batch (`_Batch`): replaced as a whole, so one read of
        # it sees a consistent batch.
        self._batch = _NO_BATCH
        self._last = -1  # `_last_index()` once the batch is gone
        # Set when a record's title is first read one record at a time.
        self._title_request = BatchRequest()
        self._chunk = None
        self._current_exception = None
        self._stopped = False
        # Set by `close()`: reading on raises ValueError, as pymarc's.
        self._closed = False

    def __iter__(self):
        # Where the GIL makes a list iterator's `next()` atomic: a
        # `chain` over the batches' shared iterators, so that `for` takes
        # each record from C (`chain` and the list iterator) without
        # resuming Python code; Python runs once a batch (`_batches`).
        # `next(reader)` and the iterator share the state.
        if not _GIL:
            return self._records()
        return _chain(self._batches())

    def _records(self):
        while True:
            try:
                record = self.__next__()
            except StopIteration:
                return
            yield record

    def _batches(self):
        """The iterables `__iter__` chains: the current batch's remaining
        records (its list iterator, shared by everything reading the
        reader: each `next()` is one C call, atomic under the GIL, so each
        record goes to one caller even when threads share the reader; the
        reader's lock cost 180 ns a record, a third of the time the loop
        held the GIL), then the next batch's first record (`__next__`, which
        reads the batch, or None for a record that failed), and so on. A
        batch is replaced only once its iterator is exhausted, or by
        `close()`, which exhausts it."""
        while True:
            yield self._batch.taken
            try:
                first = (self.__next__(),)
            except StopIteration:
                return
            yield first
            # Not held past the batch: the batch frees what nobody holds.
            first = None

    def _fill(self):
        """Reads the next batch; returns its first record, False at the end
        of the input, None after a failed record (current_exception set).
        The first record is taken before the batch is published, so that no
        other thread sharing the reader can take it first."""
        r = self._r
        # The C records of the batch before that nobody holds, and those of
        # records dropped since, are freed by the same C call that reads
        # the next batch (and gives the descriptor reader's offset): one
        # GIL hand-over a batch. A small C call for each of these (the
        # frees, the offset) was a hand-over each: when the other thread
        # held the GIL, a wait for its whole turn.
        batch = self._batch
        self._batch = _NO_BATCH
        free, free_count = self._frees.with_pending(batch.release(False))
        if self._reads_os_file and self.file_handle.closed:
            # Closed by its user: the reading stops as a read through the
            # object would have.
            _lib._records_free(free, free_count)
            self._stopped = True
            raise ValueError("I/O operation on closed file.")
        # Each batch its own array: the batch frees its C records from it.
        slots = ffi.new("MrrcRecord *[]", self._batch_size)
        status = _lib._next_batch_freeing(r, free, free_count, slots, self._ends, self._batch_size, self._count,
                                          self._offset)
        if self._reads_os_file:
            self._follow_offset()
        if status != 0:
            self._fail(status)
            return None
        n = self._count[0]
        if n == 0:
            return False
        titles = self._title_request
        if titles.wanted:
            titles = _lib.records_text(slots, n, lib.MRRC_TEXT_TITLE, self._raw) or titles
        batch = _Batch(slots, n, self._raw, self.force_utf8, titles, self._frees.drop)
        first = next(batch.taken)
        self._batch = batch
        return first

    def _follow_offset(self):
        """Seeks the file object to where the library has read to, so that
        its position moves as it does when read through its methods."""
        # Given by the call that read the batch (the offset is the
        # library's: a parallel reader's input thread moves it while Python
        # runs).
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
            for record in self._batch.taken:
                # The usual case: the batch's next record. The call before
                # returned one from this batch, so `current_chunk` and
                # `current_exception` need no update.
                return record
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
        first = self._fill()
        if first is None:
            return None
        if first is False:
            self._stopped = True
            self._chunk = None
            raise StopIteration
        self._chunk = _LAST_RETURNED
        return first

    def _last_index(self):
        """The index in the batch of the record last returned: where the
        batch's iterator is (not stored per record: one store less in the
        per-record loop), or where `close()` left it."""
        batch = self._batch
        if batch is _NO_BATCH:
            return self._last
        state = batch.taken.__reduce__()
        # An exhausted list iterator has given the whole batch.
        return state[2] - 1 if len(state) > 2 else batch.count - 1

    @property
    def current_chunk(self):
        """The raw bytes of the record last returned (or that failed)."""
        with self._lock:
            c = self._chunk
            if c is not _LAST_RETURNED:
                return c  # None, or the bytes of a record that failed
            c = self._last_index()
            ends = self._ends
            # The batch's raw bytes stay in the C reader until the next
            # batch; asked for here rather than per batch (one C call less
            # per batch, that is one GIL hand-over less).
            batch_bytes = lib.mrrc_reader_batch_bytes(self._r)
            if c < 0 or c >= self._count[0] or ends[c] > batch_bytes.len:
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
            self._last = self._last_index()
            # Exhausts the batch's iterator: a `for` loop over the reader
            # that holds it then reads on (and raises) rather than finish
            # the batch; the C records nobody holds are freed.
            self._batch.release()
            self._batch = _NO_BATCH
        if self.file_handle is not None:
            self.file_handle.close()

    def __del__(self):
        # A reader dropped mid-batch: the batch's C records nobody holds
        # are freed now (the batch and its records form a cycle until then).
        batch = getattr(self, "_batch", None)
        if batch is not None:
            try:
                batch.release()
            except Exception:  # interpreter exit: the C records are left
                pass

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
