"""The C library and the few conversions every module needs: owned strings
and buffers, errors raised as `mrrc_cffi.exceptions` classes, options, and
flat views decoded into Python values in one pass.

cffi releases the GIL around every C call; the costly ones (parsing,
flattening, encoding) each handle a whole record or a batch of records.
"""

import threading

from mrrc_cffi import exceptions as _exc
from mrrc_cffi._native import ffi, lib

NULL = ffi.NULL
_string = ffi.string
_unpack = ffi.unpack
_string_free = lib.mrrc_string_free
_buffer_free = lib.mrrc_buffer_free
_string_len = lib.mrrc_string_len

#: Subfield codes and indicators for the flat views' code points (0 is the
#: empty code pymarc allows, kept as NUL by the core).
_CHARS = [""] + [chr(i) for i in range(1, 256)]


def code_str(cp):
    return _CHARS[cp] if cp < 256 else chr(cp)


def code_point(c):
    """A code or indicator as the C ABI takes it: its first character, or 0."""
    return ord(c[0]) if c else 0


def take_string(p):
    """A caller-owned `char *` as `str` (None for NULL), freed."""
    if p == NULL:
        return None
    try:
        return _unpack(p, _string_len(p)).decode("utf-8")
    finally:
        _string_free(p)


def take_buffer(p, n):
    """A caller-owned buffer of `n` bytes as `bytes`, freed."""
    try:
        return _unpack(ffi.cast("char *", p), n)
    finally:
        _buffer_free(p)


def status_name(status):
    return _string(lib.mrrc_status_name(status)).decode()


def last_error():
    """(status, message, record_index, byte_offset, line, column) of this
    thread's last failure."""
    n = ffi.new("uint64_t *")
    pos = []
    for get in (
        lib.mrrc_last_error_record_index,
        lib.mrrc_last_error_byte_offset,
        lib.mrrc_last_error_line,
        lib.mrrc_last_error_column,
    ):
        pos.append(n[0] if get(n) else None)
    return (lib.mrrc_last_error_status(), take_string(lib.mrrc_last_error_message()) or "", *pos)


def annotate(e, status, index=None, offset=None, line=None, column=None):
    """The attributes the bindings put on every exception they raise."""
    for name, value in (
        ("kind", status_name(status) if status else None),
        ("record_index", index),
        ("byte_offset", offset),
        ("line", line),
        ("column", column),
    ):
        try:
            setattr(e, name, value)
        except AttributeError:
            pass
    return e


def error(class_name=None, status=None):
    """The last error as an exception of `mrrc_cffi.exceptions` (`MarcError`
    unless named), with mrrc's message and position."""
    st, message, index, offset, line, column = last_error()
    if status is None:
        status = st
    if class_name is None:
        class_name = "MarcError"
    if class_name == "ValueError":
        e = ValueError(message)
    elif class_name == "UnicodeDecodeError":
        e = UnicodeDecodeError("ascii", b"", 0, 0, message)
    elif class_name == "KeyError":
        e = KeyError(message)
    else:
        e = getattr(_exc, class_name)(message)
    return annotate(e, status, index, offset, line, column)


def check(status, class_name=None):
    if status != 0:
        raise error(class_name, status)


def pymarc_class(chunk, status, framed):
    """pymarc's exception class name for a record the core rejected."""
    name = lib.mrrc_pymarc_error_name(chunk, len(chunk), status, framed)
    return _string(name).decode() if name != NULL else "MarcError"


def pymarc_error(chunk, status, framed):
    """The exception pymarc raises for `chunk`, carrying mrrc's message."""
    return error(pymarc_class(chunk, status, framed), status)


# -- options ---------------------------------------------------------------

_CHARSET_FROM_LEADER = ("iso8859-1", "iso-8859-1", "marc8", "marc-8")


def read_options(fmt=None, lenient=True, to_unicode=True, force_utf8=False,
                 utf8_handling="strict", file_encoding="iso8859-1"):
    """pymarc's keyword arguments as `MrrcReadOptions` (the returned tuple
    keeps the encoding label alive with the struct)."""
    opts = ffi.new("MrrcReadOptions *", lib.mrrc_read_options_default())
    keep = None
    if fmt is not None:
        opts.format = fmt
    # pymarc keeps empty subfields, upper-case codes and entities.
    opts.mode = lib.MRRC_MODE_LENIENT_KEEP_CONTENT if lenient else lib.MRRC_MODE_STRICT
    if not to_unicode:
        opts.charset = lib.MRRC_CHARSET_RAW
    elif force_utf8:
        opts.charset = lib.MRRC_CHARSET_UTF8
    else:
        label = file_encoding.strip().lower()
        if label in _CHARSET_FROM_LEADER:
            opts.charset = lib.MRRC_CHARSET_FROM_LEADER
        else:
            opts.charset = lib.MRRC_CHARSET_LEGACY
            keep = ffi.new("char[]", label.encode())
            opts.encoding = keep
    opts.utf8_handling = {
        "strict": lib.MRRC_UTF8_STRICT,
        "ignore": lib.MRRC_UTF8_IGNORE,
    }.get(utf8_handling, lib.MRRC_UTF8_REPLACE)
    return opts, keep


# -- flat views ------------------------------------------------------------

_FLAT_UNIT = lib.MRRC_OFFSETS_CHARS | lib.MRRC_FLAT_VALUES


def _u32s(ptr, count, stride):
    if count == 0:
        return []
    return memoryview(ffi.buffer(ptr, count * stride * 4)).cast("I").tolist()


def take_flat(pp):
    """A flat view returned through `pp` as (text, records, fields,
    subfields): the decoded text and three lists of ints (strides 4, 9, 3),
    the view freed."""
    flat = pp[0]
    try:
        text = _unpack(flat.text, flat.text_len).decode("utf-8") if flat.text_len else ""
        return (
            text,
            _u32s(flat.records, flat.record_count, 4),
            _u32s(flat.fields, flat.field_count, 9),
            _u32s(flat.subfields, flat.subfield_count, 3),
        )
    finally:
        lib.mrrc_flat_free(flat)


def flatten_record(h):
    pp = ffi.new("MrrcFlat **")
    check(lib.mrrc_record_flatten(h, _FLAT_UNIT, pp))
    return take_flat(pp)


def flatten_field(c):
    pp = ffi.new("MrrcFlat **")
    check(lib.mrrc_field_flatten(c, _FLAT_UNIT, pp))
    return take_flat(pp)


# -- records freed in batches -----------------------------------------------
#
# Every C call releases the GIL; with one free per dropped record, two
# threads reading records hand the GIL to each other once per record. A
# reader's batch owns its records' C records and frees them together (see
# `reader._Batch`); a record that leaves its batch (it keeps state of its
# own, or is still held when the reader moves on) owns its C record through
# `ffi.gc`, and is queued here when dropped. The queue is freed by the call
# that reads the reader's next batch (`mrrc_reader_next_batch_chunks_freeing`,
# one C call a batch, with the GIL released). Each reader has its own
# queue: the thread that reads records is usually the one that drops them,
# so each thread frees what its own parses allocated (one queue shared by
# two threads freed the other thread's records half the time, which made
# the allocator hand memory between the threads).

_records_free = lib.mrrc_records_free
_next_batch_freeing = lib.mrrc_reader_next_batch_chunks_freeing
_POINTER_SIZE = ffi.sizeof("MrrcRecord *")
_free_queues = __import__("weakref").WeakSet()


def _take(pending):
    """The handles waiting in `pending`, taken off it; none while another
    thread takes them."""
    lock = pending.lock
    if not lock.acquire(blocking=False):
        return []
    try:
        # Only this thread removes; others append after index n.
        n = len(pending)
        taken = pending[:n]
        del pending[:n]
        return taken
    finally:
        lock.release()


def _free_handles(pending):
    """Frees the handles in `pending` (one C call), unless another thread is
    at it."""
    taken = _take(pending)
    if taken:
        _records_free(ffi.new("MrrcRecord *[]", taken), len(taken))


class _Pending(list):
    """The handles of a reader's dropped records, not yet freed. Its
    `append` is the records' `ffi.gc` destructor: C, so dropping a record
    runs no Python code (a Python destructor cost about 100 ns of the GIL
    per record). What is left when the last record that could append is
    gone is freed with the list."""

    __slots__ = ("lock",)

    def __del__(self):
        _free_handles(self)


class FreeQueue:
    """Dropped records of one reader, freed in batches: `drop` is the
    `ffi.gc` destructor of its records, and the reader takes what waits
    (`with_pending`) into the C call that reads its next batch; `flush`
    frees them all. The queue also flushes when it goes (and at interpreter
    exit); records dropped after that are freed when the last of them is."""

    __slots__ = ("_pending", "drop", "__weakref__")

    def __init__(self):
        pending = self._pending = _Pending()
        pending.lock = threading.Lock()
        self.drop = pending.append
        _free_queues.add(self)

    def with_pending(self, batch):
        """(array, count) for a C call to free: `batch` (an (array, count)
        or None) and every handle waiting here (taken off the queue), or
        (NULL, 0). Nothing is taken while another thread frees."""
        pending = self._pending
        taken = _take(pending) if pending else ()
        if not taken:
            return batch if batch is not None else (NULL, 0)
        k = len(taken)
        if batch is None:
            return ffi.new("MrrcRecord *[]", taken), k
        array, n = batch
        both = ffi.new("MrrcRecord *[]", n + k)
        ffi.memmove(both, array, n * _POINTER_SIZE)
        both[n:n + k] = taken
        return both, n + k

    def flush(self):
        pending = self._pending
        _free_handles(pending)

    def __del__(self):
        self.flush()


def flush_frees():
    """Frees the queued records of every reader (also at interpreter exit)."""
    for queue in list(_free_queues):
        queue.flush()


__import__("atexit").register(flush_frees)


class _SplitBuffers(threading.local):
    """Each thread's buffers for `mrrc_record_split` (grown on demand)."""

    def __init__(self):
        self.sizes = ffi.new("MrrcSplit *")
        self.grow(1 << 16, 256)

    def grow(self, text_capacity, kinds_capacity):
        self.text_capacity = text_capacity
        self.text = ffi.new("uint8_t[]", text_capacity)
        self.kinds_capacity = kinds_capacity
        self.kinds = ffi.new("int32_t[]", kinds_capacity)
        # `mrrc_record_split`'s buffer arguments in one attribute: each
        # attribute of a `threading.local` costs a lookup of the thread's
        # dict (five of them took 180 ns a record, one 40).
        self.split_args = (self.text, text_capacity, self.kinds, kinds_capacity, self.sizes)


_split_buffers = _SplitBuffers()
_split = lib.mrrc_record_split
_buffer = ffi.buffer
_BUFFER_TOO_SMALL = lib.MRRC_BUFFER_TOO_SMALL
_INVALID_ARGUMENT = lib.MRRC_INVALID_ARGUMENT


def split_record(h):
    """A record's split view (`mrrc_record_split`, one C call) as (pieces,
    kinds): the decoded text split at the separator (tags, values, the
    indicators piece, the codes piece, subfield values), and per field -1
    (control) or its subfield count. None when the record's text leaves no
    separator free (then use `flatten_record`)."""
    args = _split_buffers.split_args
    status = _split(h, *args)
    text, text_capacity, kinds, kinds_capacity, sizes = args
    if status:
        if status == _BUFFER_TOO_SMALL:
            _split_buffers.grow(max(2 * sizes.text_len, text_capacity), max(2 * sizes.field_count, kinds_capacity))
            return split_record(h)
        if status == _INVALID_ARGUMENT:
            return None
        check(status)
    n = sizes.field_count
    if n == 0:
        return [], []
    return str(_buffer(text, sizes.text_len), "utf-8").split(_CHARS[sizes.separator] or "\0"), _unpack(kinds, n)


_records_split = lib.mrrc_records_split


class BatchSplit:
    """The split views of a batch of records from one C call
    (`mrrc_records_split`): the batch's text (UTF-8 bytes, copied out of
    the thread's buffer once), every record's kinds, and where each
    record's bytes and kinds end. `of(i)` is record `i`'s split view as
    `split_record` gives it: its bytes decoded and split (Python's slicing,
    decoding and splitting run at C speed). Decoding each record's bytes,
    rather than the batch's text once and slicing it, keeps a record of
    ASCII text on CPython's ASCII paths when another record of the batch
    is wider (whole-batch decode and slices: 3.9 us a record, LoC; per
    record: 2.9 us; session 9, bench/python/README.md)."""

    __slots__ = ("data", "kinds", "ends", "separator")

    def __init__(self, data, kinds, ends, separator):
        self.data = data
        self.kinds = kinds
        self.ends = ends
        self.separator = separator

    def of(self, i):
        ends = self.ends
        j = 2 * i
        end = ends[j]
        start = ends[j - 2] if i else 0
        if start == end:
            return [], []
        return (
            str(self.data[start:end], "utf-8").split(self.separator),
            self.kinds[ends[j - 1] if i else 0:ends[j + 1]],
        )


def split_batch(handles, count):
    """The split views of `count` records (an `MrrcRecord *[]`) as a
    `BatchSplit`, or None when a record's text holds the batch separator
    (then split it alone with `split_record`)."""
    b = _split_buffers
    sizes = b.sizes
    ends = ffi.new("size_t[]", 2 * count)
    while True:
        status = _records_split(handles, count, b.text, b.text_capacity, b.kinds, b.kinds_capacity, ends, sizes)
        if status != _BUFFER_TOO_SMALL:
            break
        b.grow(max(2 * sizes.text_len, b.text_capacity), max(2 * sizes.field_count, b.kinds_capacity))
    if status == _INVALID_ARGUMENT:
        return None
    check(status)
    data = _buffer(b.text, sizes.text_len)[:] if sizes.text_len else b""
    kinds = _unpack(b.kinds, sizes.field_count) if sizes.field_count else []
    return BatchSplit(data, kinds, _unpack(ends, 2 * count), _CHARS[sizes.separator])


_split_values = lib.mrrc_record_split_values


def split_values(h, tag, code_point_or_none):
    """mrrc's `get_values` from the core in one C call: the values of
    subfield `code_point_or_none` (a code point) of every field tagged `tag`
    (bytes), or each such field's `value()` for None. None when the values
    leave no separator free."""
    b = _split_buffers
    sizes = b.sizes
    code = lib.MRRC_NO_CODE if code_point_or_none is None else code_point_or_none
    status = _split_values(h, tag, code, b.text, b.text_capacity, sizes)
    if status:
        if status == _BUFFER_TOO_SMALL:
            b.grow(max(2 * sizes.text_len, b.text_capacity), b.kinds_capacity)
            return split_values(h, tag, code_point_or_none)
        if status == _INVALID_ARGUMENT:
            return None
        check(status)
    if sizes.piece_count == 0:
        return []
    text = str(_buffer(b.text, sizes.text_len), "utf-8")
    return text.split(_CHARS[sizes.separator] or "\0")


_split_text = lib.mrrc_records_split_text


def records_text(handles, count, which, raw=False):
    """One text property (`lib.MRRC_TEXT_*`) of `count` records (an
    `MrrcRecord *[]`) from one C call: a list with None for a record that
    has none (bytes in ISO 8859-1 when `raw`). None when the texts leave no
    separator free."""
    b = _split_buffers
    sizes = b.sizes
    present = ffi.new("uint8_t[]", count)
    while True:
        status = _split_text(handles, count, which, b.text, b.text_capacity, present, sizes)
        if status != _BUFFER_TOO_SMALL:
            break
        b.grow(max(2 * sizes.text_len, b.text_capacity), b.kinds_capacity)
    if status == _INVALID_ARGUMENT:
        return None
    check(status)
    if count == 0:
        return []
    pieces = str(_buffer(b.text, sizes.text_len), "utf-8").split(_CHARS[sizes.separator] or "\0")
    if raw:
        pieces = [p.encode("latin-1", "replace") for p in pieces]
    return [p if has else None for p, has in zip(pieces, _unpack(present, count))]


class FlatBuilder:
    """A flat view built from Python values, for `mrrc_record_from_flat` and
    `mrrc_field_from_flat` (offsets in code points)."""

    __slots__ = ("parts", "pos", "records", "fields", "subfields")

    def __init__(self):
        self.parts = []
        self.pos = 0
        self.records = []
        self.fields = []
        self.subfields = []

    def text(self, s):
        start = self.pos
        self.parts.append(s)
        self.pos += len(s)
        return start, len(s)

    def record(self, leader, field_count):
        off, n = self.text(leader)
        self.records += (off, n, len(self.fields) // 9, field_count)

    def control(self, tag, value):
        t_off, t_len = self.text(tag)
        v_off, v_len = self.text(value)
        self.fields += (t_off, t_len, 1, 0, 0, v_off, v_len, len(self.subfields) // 3, 0)

    def data(self, tag, ind1, ind2, subfields):
        t_off, t_len = self.text(tag)
        self.fields += (
            t_off, t_len, 0, code_point(ind1), code_point(ind2), 0, 0,
            len(self.subfields) // 3, len(subfields),
        )
        for code, value in subfields:
            off, n = self.text(value)
            self.subfields += (code_point(code), off, n)

    def build(self):
        """(`MrrcFlat *`, keep-alive) for the C calls."""
        text = "".join(self.parts).encode("utf-8", "surrogatepass")
        flat = ffi.new("MrrcFlat *")
        keep = [ffi.from_buffer(text)]
        flat.text = ffi.cast("const char *", keep[0])
        flat.text_len = len(text)
        flat.offset_unit = lib.MRRC_OFFSETS_CHARS
        for name, items, ctype in (
            ("records", self.records, "MrrcFlatRecord *"),
            ("fields", self.fields, "MrrcFlatField *"),
            ("subfields", self.subfields, "MrrcFlatSubfield *"),
        ):
            if items:
                arr = ffi.new("uint32_t[]", items)
                keep.append(arr)
                setattr(flat, name, ffi.cast(ctype, arr))
            stride = {"records": 4, "fields": 9, "subfields": 3}[name]
            setattr(flat, name[:-1] + "_count", len(items) // stride)
        return flat, keep
