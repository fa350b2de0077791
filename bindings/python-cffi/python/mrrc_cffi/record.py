"""Records (as pymarc.record) over a C record handle.

A record read from a file holds the parsed C record and creates `Field`
objects only when asked for one (from a flat view of the record, one C
call). From then on that object is the truth for its position. Once someone
asks for `record.fields` (a plain, mutable list, as in pymarc) the list is
the truth. Before the core computes anything (title, as_marc, ...), `_sync`
sends what changed in those objects back to the C record.
"""

import threading

from mrrc_cffi import _lib
from mrrc_cffi import field as _field
from mrrc_cffi._lib import ffi, lib, take_string
from mrrc_cffi.exceptions import FieldNotFound, MissingLinkedFields
from mrrc_cffi.field import FIELD_LOCK, Field
from mrrc_cffi.leader import Leader, leader_text
from mrrc_cffi._record_helpers import map_marc8_record, normalize_subfield_code  # noqa: F401

#: Records share a pool of locks (chosen by the record's address) rather
#: than each making one: every C call on a record holds its lock, since
#: cffi releases the GIL and a record may be used by several threads.
_LOCKS = [threading.RLock() for _ in range(64)]
_gc = ffi.gc
_record_free = lib.mrrc_record_free
_LAST_EDIT = _field._LAST_EDIT
_field_from_flat = _field.field_from_flat
_fields_from_flat = _field.fields_from_flat
_fields_from_split = _field.fields_from_split
_split_record = _lib.split_record
_state_of = __import__("operator").attrgetter("_s")
_is = __import__("operator").is_
_new = object.__new__
_DEFAULT_LEADER = " " * 24


class BatchRequest:
    """A reader's note that its records asked, one record at a time, for
    something it can compute per batch instead (their titles): set
    `wanted`, and the reader does so from its next batch on (one C call
    rather than one per record: fewer GIL hand-overs between threads)."""

    __slots__ = ("wanted",)

    def __init__(self):
        self.wanted = False


def _owned(h):
    return _gc(h, _record_free)


def _tags(tags):
    """`(const char *const *, count, keep-alive)` for tag-list calls."""
    keep = [ffi.new("char[]", str(t).encode("utf-8")) for t in tags]
    return ffi.new("const char *[]", keep), len(keep), keep


def _initial_leader(leader):
    """pymarc's default leader, with `[10:12] = "22"` and `[20:24] = "4500"`."""
    return leader_text(leader[0:10] + "22" + leader[12:20] + "4500")


class Record:
    """A MARC record: a leader and a list of fields."""

    # `_h`: the C record. A record from a reader holds the raw pointer its
    # batch owns: the batch frees the C records of the batch together, and
    # gives records still held their own ownership first (`_own`, an
    # `ffi.gc` handle of the same pointer; `_h` itself never changes). See
    # `reader._Batch`.
    # `_b`: the record's batch (its title and split view at index `_i`)
    # until anything but `title` looks at the record (`_unbatch`); None
    # for records not from a reader.
    # No `__weakref__` (as the PyO3 binding's records): a record that only
    # its batch holds must stay unreachable while the batch frees its C
    # record (a weak reference could be turned into a new holder then).
    __slots__ = ("_h", "_b", "_i", "_own", "_lock", "__dict__")

    def __getattr__(self, name):
        # `_lock` is set on first use, not when the reader makes the record
        # (its per-record loop took 212 ns instead of 234 without storing
        # one); later uses read the slot.
        if name == "_lock":
            lock = self._lock = _LOCKS[(id(self) >> 4) & 63]
            return lock
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # Until a record is edited or its fields are asked for, only `_h`, `_b`
    # and `_i` are set; the rest read these class defaults.
    _objs = None  # handed-out Field objects by position (objects mode)
    _gens = None  # their generation when last sent to the C record
    _list = None  # `record.fields`, once asked for (list mode): the truth
    _shadow = None  # the fields the C record holds in list mode, by position
    _shadow_gens = None  # and their `_s` when sent
    _leader_obj = None
    _leader_gen = 0
    _flat = None  # decoded flat view of the C record, while it is current
    _synced = -1  # field._LAST_EDIT when last synced
    _raw = False
    to_unicode = True
    force_utf8 = False

    def __init__(self, data=None, fields=None, to_unicode=True, force_utf8=False,
                 hide_utf8_warnings=False, utf8_handling="strict",
                 leader=_DEFAULT_LEADER, file_encoding="iso8859-1"):
        h = lib.mrrc_record_new()
        self._init(_owned(h), False)
        self.to_unicode = to_unicode
        self.force_utf8 = force_utf8
        with self._lock:
            _lib.check(lib.mrrc_record_set_leader(h, _latin1(_initial_leader(leader)), 24),
                       "RecordLeaderInvalid")
            if fields:
                self._list = fields if isinstance(fields, list) else list(fields)
                self._shadow = []
                self._shadow_gens = []
                self._synced = -1
            elif data is not None and len(data) > 0:
                self._decode(data, to_unicode, force_utf8, utf8_handling, file_encoding)
            elif force_utf8:
                lib.mrrc_record_set_leader_byte(h, 9, ord("a"))

    def _init(self, h, raw):
        self._h = h
        self._b = None
        if raw:
            self._raw = True

    @classmethod
    def _wrap(cls, h, raw=False, force_utf8=False):
        """A record over an owned handle (already under `ffi.gc`)."""
        self = _new(cls)
        self._h = h
        self._b = None
        if raw:
            self._raw = True
            self.to_unicode = False
        if force_utf8:
            self.force_utf8 = True
        return self

    # -- keeping the C record in step (call with self._lock held) -------

    def _flat_view(self):
        flat = self._flat
        if flat is None:
            flat = self._flat = _lib.flatten_record(self._h)
        return flat

    def _count(self):
        if self._list is not None:
            return len(self._list)
        return lib.mrrc_record_field_count(self._h)

    def _obj(self, i):
        """The Python object for the field at `i` (created on first use)."""
        if self._list is not None:
            return self._list[i]
        objs = self._objs
        if objs is None:
            n = lib.mrrc_record_field_count(self._h)
            objs = self._objs = [None] * n
            self._gens = [None] * n
        f = objs[i]
        if f is None:
            f = objs[i] = _field_from_flat(self._flat_view(), i, self._raw)
            self._gens[i] = f._s
        return f

    def _fields_list(self):
        """Switches to list mode and returns the list."""
        lst = self._list
        if lst is not None:
            return lst
        objs = self._objs
        split = None
        if objs is None and self._leader_obj is None:
            # Nothing handed out, so nothing to send (what `_sync` does
            # then): the fields are as the C record holds them, split
            # through the batch while the record is in it.
            b = self._b
            if b is not None:
                split = b.split_of(self._i)
                self._unbatch()
        else:
            self._sync()
        states = None
        if objs is None:
            if split is None:
                split = _split_record(self._h)
            if split is None:
                lst = _fields_from_flat(self._flat_view(), self._raw)
            else:
                lst, states = _fields_from_split(split, self._raw)
        else:
            lst = [self._obj(i) for i in range(len(objs))]
            self._objs = self._gens = None
        self._shadow = lst[:]
        self._shadow_gens = list(map(_state_of, lst)) if states is None else states
        self._list = lst
        return lst

    def _unbatch(self):
        """Leaves the batch the record was read in (`reader._Batch.detach`):
        from now on it keeps state of its own, which is to die with it."""
        b = self._b
        if b is not None:  # (another thread may have been first)
            self._b = None
            b.detach(self._i, self)

    def _sync(self):
        """Sends edited leader and fields to the C record."""
        # Every call but `title` passes here first (to read, hand out
        # fields or change the record): a title read ahead may be stale,
        # and so may the fields split ahead.
        if self._b is not None:
            self._unbatch()
        lo = self._leader_obj
        if lo is not None and lo._gen != self._leader_gen:
            _lib.check(lib.mrrc_record_set_leader(self._h, _latin1(lo._text), 24), "RecordLeaderInvalid")
            self._leader_gen = lo._gen
        lst = self._list
        if lst is not None:
            self._sync_list(lst)
            return
        objs = self._objs
        if objs is None:
            return  # no field handed out: the C record is the truth
        last = _LAST_EDIT[0]
        if last == self._synced:
            return
        gens = self._gens
        h = self._h
        with FIELD_LOCK:
            for i, f in enumerate(objs):
                if f is not None and f._s is not gens[i]:
                    s = f._s
                    _lib.check(lib.mrrc_record_set_field(h, i, f._handle()))
                    gens[i] = s
                    self._flat = None
        self._synced = last

    def _sync_list(self, lst):
        shadow = self._shadow
        gens = self._shadow_gens
        same_length = shadow is not None and len(lst) == len(shadow)
        if same_length:
            # Nothing replaced or edited (the usual case), checked in C loops.
            try:
                if shadow == lst and all(map(_is, gens, map(_state_of, lst))):
                    return
            except AttributeError:  # not a field: reported below
                pass
        h = self._h
        with FIELD_LOCK:
            if same_length:
                for i, f in enumerate(lst):
                    if shadow[i] is not f or gens[i] is not getattr(f, "_s", None):
                        _check_field(f)
                        s = f._s
                        _lib.check(lib.mrrc_record_set_field(h, i, f._handle()))
                        shadow[i] = f
                        gens[i] = s
                        self._flat = None
                return
            for f in lst:
                _check_field(f)
            _lib.check(lib.mrrc_record_clear_fields(h))
            for f in lst:
                _lib.check(lib.mrrc_record_add_field(h, f._handle()))
            self._shadow = lst[:]
            self._shadow_gens = list(map(_state_of, lst))
            self._flat = None

    def _synced_handle(self):
        self._sync()
        return self._h

    def _core_text(self, fn):
        with self._lock:
            return take_string(fn(self._synced_handle()))

    def _opt(self, fn):
        v = self._core_text(fn)
        if v is not None and self._raw:
            return _latin1(v)
        return v

    def _objects_at(self, indexes):
        return [self._obj(i) for i in indexes]

    def _indexes(self, status_and_call):
        idx = ffi.new("size_t **")
        n = ffi.new("size_t *")
        _lib.check(status_and_call(idx, n))
        if n[0] == 0:
            return []
        try:
            return ffi.unpack(idx[0], n[0])
        finally:
            lib.mrrc_indexes_free(idx[0])

    def _by_tags(self, tags):
        with self._lock:
            h = self._synced_handle()
            arr, count, keep = _tags(tags)
            idx = self._indexes(lambda i, n: lib.mrrc_record_field_indexes(h, arr, count, i, n))
            return self._objects_at(idx)

    def _by_group(self, group):
        with self._lock:
            h = self._synced_handle()
            idx = self._indexes(lambda i, n: lib.mrrc_record_group_indexes(h, group, i, n))
            return self._objects_at(idx)

    def _insert_obj(self, i, f):
        """Notes that the C record got `f` at `i` (already inserted there)."""
        self._flat = None
        if self._list is not None:
            self._list.insert(i, f)
            self._shadow.insert(i, f)
            self._shadow_gens.insert(i, f._s)
            return
        objs = self._objs
        if objs is None:
            n = lib.mrrc_record_field_count(self._h)
            objs = self._objs = [None] * (n - 1)
            self._gens = [None] * (n - 1)
        objs.insert(i, f)
        self._gens.insert(i, f._s)

    # -- pymarc's API ---------------------------------------------------

    @property
    def leader(self):
        with self._lock:
            lo = self._leader_obj
            if lo is None:
                if self._b is not None:
                    self._unbatch()
                buf = ffi.new("uint8_t[24]")
                _lib.check(lib.mrrc_record_leader(self._h, buf))
                lo = self._leader_obj = Leader._of(ffi.unpack(ffi.cast("char *", buf), 24).decode("latin-1"))
                self._leader_gen = lo._gen
            return lo

    @leader.setter
    def leader(self, value):
        if not isinstance(value, Leader):
            value = Leader(value if isinstance(value, str) else str(value))
        with self._lock:
            if self._b is not None:
                self._unbatch()
            _lib.check(lib.mrrc_record_set_leader(self._h, _latin1(value._text), 24), "RecordLeaderInvalid")
            self._leader_obj = value
            self._leader_gen = value._gen

    @property
    def fields(self):
        """The fields, as a mutable list (pymarc `record.fields`)."""
        lst = self._list
        if lst is not None:
            return lst
        with _LOCKS[(id(self) >> 4) & 63]:
            return self._fields_list()

    @fields.setter
    def fields(self, value):
        lst = value if isinstance(value, list) else list(value)
        with self._lock:
            if self._b is not None:
                self._unbatch()
            self._list = lst
            # What the C record holds is not known here: `_sync` rebuilds it.
            self._shadow = None
            self._shadow_gens = None
            self._objs = self._gens = None
            self._flat = None

    @property
    def pos(self):
        return 0

    def __str__(self):
        return self._core_text(lib.mrrc_record_to_string)

    def get(self, tag, default=None):
        with self._lock:
            self._sync()
            idx = self._indexes_of_tag(tag)
            return self._obj(idx[0]) if idx else default

    def _indexes_of_tag(self, tag):
        h = self._h
        arr, count, keep = _tags([tag])
        return self._indexes(lambda i, n: lib.mrrc_record_field_indexes(h, arr, count, i, n))

    def __getitem__(self, tag):
        f = self.get(tag)
        if f is None:
            raise KeyError(tag)
        return f

    def __contains__(self, tag):
        with self._lock:
            h = self._synced_handle()
            return lib.mrrc_record_get_field(h, str(tag).encode("utf-8")) != ffi.NULL

    def __iter__(self):
        lst = self._list
        if lst is None:
            with _LOCKS[(id(self) >> 4) & 63]:
                lst = self._fields_list()
        return iter(lst)

    def add_field(self, *fields):
        with self._lock:
            h = self._synced_handle()
            for f in fields:
                _check_field(f)
                n = self._count()
                with FIELD_LOCK:
                    _lib.check(lib.mrrc_record_add_field(h, f._handle()))
                self._insert_obj(n, f)

    def _add_sorted(self, fields, grouped):
        call = lib.mrrc_record_add_grouped_field if grouped else lib.mrrc_record_add_ordered_field
        at = ffi.new("size_t *")
        with self._lock:
            for f in fields:
                _check_field(f)
                h = self._synced_handle()
                with FIELD_LOCK:
                    _lib.check(call(h, f._handle(), at))
                self._insert_obj(at[0], f)

    def add_grouped_field(self, *fields):
        self._add_sorted(fields, True)

    def add_ordered_field(self, *fields):
        self._add_sorted(fields, False)

    def remove_field(self, *fields):
        with self._lock:
            self._sync()
            for f in fields:
                if self._list is not None:
                    lst = self._list
                    for i, x in enumerate(lst):
                        if x is f:
                            break
                    else:
                        raise FieldNotFound
                    del lst[i]
                    del self._shadow[i]
                    del self._shadow_gens[i]
                else:
                    objs = self._objs or []
                    for i, x in enumerate(objs):
                        if x is f:
                            break
                    else:
                        raise FieldNotFound
                    del objs[i]
                    del self._gens[i]
                _lib.check(lib.mrrc_record_remove_field_at(self._h, i))
                self._flat = None

    def remove_fields(self, *tags):
        with self._lock:
            self._sync()
            doomed = self._indexes_of_many(tags)
            for i in reversed(doomed):
                if self._list is not None:
                    del self._list[i]
                    del self._shadow[i]
                    del self._shadow_gens[i]
                elif self._objs is not None:
                    del self._objs[i]
                    del self._gens[i]
            arr, count, keep = _tags(tags)
            _lib.check(lib.mrrc_record_remove_fields(self._h, arr, count, ffi.NULL))
            self._flat = None

    def _indexes_of_many(self, tags):
        if not tags:
            return []
        h = self._h
        arr, count, keep = _tags(tags)
        return self._indexes(lambda i, n: lib.mrrc_record_field_indexes(h, arr, count, i, n))

    def get_fields(self, *args):
        """The fields with any of these tags, in record order; with no tags,
        the `fields` list itself."""
        if not args:
            lst = self._list
            if lst is not None:
                return lst
            # The lock `self._lock` names, without `__getattr__` (its
            # AttributeError cost 640 ns on a record's first call).
            with _LOCKS[(id(self) >> 4) & 63]:
                return self._fields_list()
        return self._by_tags(args)

    def get_linked_fields(self, field):
        _check_field(field)
        with self._lock:
            h = self._synced_handle()
            # Where the field sits, or a temporary copy at the end.
            pos = None
            objs = self._list if self._list is not None else (self._objs or [])
            for i, x in enumerate(objs):
                if x is field:
                    pos = i
                    break
            if pos is None:
                tmp = ffi.gc(lib.mrrc_record_clone(h), _record_free)
                with FIELD_LOCK:
                    _lib.check(lib.mrrc_record_add_field(tmp, field._handle()))
                at, src = lib.mrrc_record_field_count(tmp) - 1, tmp
            else:
                at, src = pos, h
            idx = ffi.new("size_t **")
            n = ffi.new("size_t *")
            status = lib.mrrc_record_linked_field_indexes(src, at, idx, n)
            if status == lib.MRRC_MISSING_LINKED_FIELDS:
                raise MissingLinkedFields(field)
            _lib.check(status)
            if n[0] == 0:
                return []
            try:
                found = ffi.unpack(idx[0], n[0])
            finally:
                lib.mrrc_indexes_free(idx[0])
            return self._objects_at(found)

    def get_values(self, tag, code=None):
        """Values of subfield `code` of every field tagged `tag`, from one
        C call (mrrc extension; a field contributes its `value()` when
        `code` is omitted)."""
        tag_bytes = tag.encode("utf-8", "surrogatepass") if isinstance(tag, str) else None
        if tag_bytes is not None and b"\0" not in tag_bytes:
            cp = _lib.code_point(code) if code else None
            with self._lock:
                out = _lib.split_values(self._synced_handle(), tag_bytes, cp)
            if out is not None:
                return [_latin1(v) for v in out] if self._raw else out
        # A tag C cannot take, or values that leave no separator free.
        with self._lock:
            self._sync()
            text, _, fields, subs = self._flat_view()
        out = []
        code_cp = _lib.code_point(code) if code else None
        for b in range(0, len(fields), 9):
            o = fields[b]
            if text[o:o + fields[b + 1]] != tag:
                continue
            if code_cp is None:
                o = fields[b + 5]
                out.append(text[o:o + fields[b + 6]])
            elif not fields[b + 2]:
                first = 3 * fields[b + 7]
                for k in range(first, first + 3 * fields[b + 8], 3):
                    if subs[k] == code_cp:
                        o = subs[k + 1]
                        out.append(text[o:o + subs[k + 2]])
        if self._raw:
            out = [_latin1(v) for v in out]
        return out

    def as_dict(self):
        """MARC-in-JSON as Python objects (pymarc `as_dict`), from one flat
        view."""
        with self._lock:
            self._sync()
            text, records, fields, subs = self._flat_view()
            lead = ffi.new("uint8_t[24]")
            _lib.check(lib.mrrc_record_leader(self._h, lead))
        conv = _latin1 if self._raw else None
        code = _lib.code_str
        out_fields = []
        for b in range(0, len(fields), 9):
            o = fields[b]
            tag = text[o:o + fields[b + 1]]
            if fields[b + 2]:
                o = fields[b + 5]
                v = text[o:o + fields[b + 6]]
                out_fields.append({tag: conv(v) if conv else v})
            else:
                first = 3 * fields[b + 7]
                sl = []
                for k in range(first, first + 3 * fields[b + 8], 3):
                    o = subs[k + 1]
                    v = text[o:o + subs[k + 2]]
                    sl.append({code(subs[k]): conv(v) if conv else v})
                out_fields.append({tag: {"ind1": code(fields[b + 3]), "ind2": code(fields[b + 4]), "subfields": sl}})
        return {"leader": ffi.unpack(ffi.cast("char *", lead), 24).decode("latin-1"), "fields": out_fields}

    def as_json(self, **kwargs):
        import json

        return json.dumps(self.as_dict(), **kwargs)

    def as_msgpack(self):
        """The record as msgpack bytes (the bytes of
        `msgpack.packb(record.as_dict())`), made by the core in one call."""
        n = ffi.new("size_t *")
        with self._lock:
            p = lib.mrrc_record_to_msgpack(self._synced_handle(), n)
        return _lib.take_buffer(p, n[0])

    @property
    def title(self):
        b = self._b
        if b is not None:
            titles = b.titles
            if titles.__class__ is list:
                return titles[self._i]
            titles.wanted = True  # the reader reads the next batches' titles
        return self._opt(lib.mrrc_record_title)

    # The core's accessors.
    issn_title = property(lambda self: self._opt(lib.mrrc_record_issn_title))
    isbn = property(lambda self: self._opt(lib.mrrc_record_isbn))
    issn = property(lambda self: self._opt(lib.mrrc_record_issn))
    issnl = property(lambda self: self._opt(lib.mrrc_record_issnl))
    sudoc = property(lambda self: self._opt(lib.mrrc_record_sudoc))
    author = property(lambda self: self._opt(lib.mrrc_record_author))
    uniformtitle = property(lambda self: self._opt(lib.mrrc_record_uniform_title))
    publisher = property(lambda self: self._opt(lib.mrrc_record_publisher))
    pubyear = property(lambda self: self._opt(lib.mrrc_record_pubyear))
    series = property(lambda self: self._by_group(lib.MRRC_GROUP_SERIES))
    subjects = property(lambda self: self._by_group(lib.MRRC_GROUP_SUBJECTS))
    addedentries = property(lambda self: self._by_group(lib.MRRC_GROUP_ADDED_ENTRIES))
    location = property(lambda self: self._by_group(lib.MRRC_GROUP_LOCATION))
    notes = property(lambda self: self._by_group(lib.MRRC_GROUP_NOTES))
    physicaldescription = property(lambda self: self._by_group(lib.MRRC_GROUP_PHYSICAL_DESCRIPTION))

    # -- ISO 2709 -------------------------------------------------------

    def _charset(self):
        """The charset pymarc's `as_marc` encodes with; with `to_unicode` it
        also marks the record's own leader as UTF-8, as pymarc does."""
        if self.to_unicode and not self._raw:
            lo = self._leader_obj
            if lo is not None:
                lo._text = lo._text[:9] + "a" + lo._text[10:]
                self._leader_gen = lo._gen
            lib.mrrc_record_set_leader_byte(self._h, 9, ord("a"))
            return lib.MRRC_WRITE_UTF8
        self._sync()
        buf = ffi.new("uint8_t[24]")
        _lib.check(lib.mrrc_record_leader(self._h, buf))
        if buf[9] == ord("a") or self.force_utf8:
            return lib.MRRC_WRITE_UTF8
        return lib.MRRC_WRITE_RAW

    def as_marc(self):
        """The record in ISO 2709 (UTF-8 unless `to_unicode` is off)."""
        opts = ffi.new("MrrcWriteOptions *", lib.mrrc_write_options_default())
        out = ffi.new("uint8_t **")
        n = ffi.new("size_t *")
        with self._lock:
            opts.charset = self._charset()
            _lib.check(lib.mrrc_record_to_marc(self._synced_handle(), opts, out, n))
        return _lib.take_buffer(out[0], n[0])

    as_marc21 = as_marc

    def decode_marc(self, marc, to_unicode=True, force_utf8=False, hide_utf8_warnings=False,
                    utf8_handling="strict", encoding="iso8859-1"):
        with self._lock:
            if self._b is not None:
                self._unbatch()
            self._decode(marc, to_unicode, force_utf8, utf8_handling, encoding)

    def _decode(self, data, to_unicode, force_utf8, utf8_handling, file_encoding):
        """pymarc `decode_marc`: parses `data`, takes its leader and appends
        its fields."""
        data = _bytes_of(data)
        opts, keep = _lib.read_options(
            to_unicode=to_unicode, force_utf8=force_utf8,
            utf8_handling=utf8_handling, file_encoding=file_encoding,
        )
        out = ffi.new("MrrcRecord **")
        status = lib.mrrc_record_decode_pymarc(data, len(data), opts, utf8_handling == "strict", out)
        if status != 0:
            raise _lib.pymarc_error(data, status, False)
        parsed = _owned(out[0])
        raw = not to_unicode
        self._raw = raw
        buf = ffi.new("uint8_t[24]")
        _lib.check(lib.mrrc_record_leader(parsed, buf))
        lead = ffi.unpack(ffi.cast("char *", buf), 24)
        if self._leader_obj is not None:
            self._leader_obj._text = lead.decode("latin-1")
            self._leader_gen = self._leader_obj._gen
        _lib.check(lib.mrrc_record_set_leader(self._h, lead, 24))
        n = lib.mrrc_record_field_count(parsed)
        if self._list is not None:
            self._list.extend(_fields_from_flat(_lib.flatten_record(parsed), raw))
            return
        self._sync()
        for i in range(n):
            _lib.check(lib.mrrc_record_add_field(self._h, lib.mrrc_record_field(parsed, i)))
        if self._objs is not None:
            self._objs.extend([None] * n)
            self._gens.extend([None] * n)
        self._flat = None

    # -- copies ---------------------------------------------------------

    def __copy__(self):
        with self._lock:
            h = lib.mrrc_record_clone(self._synced_handle())
            copy = Record._wrap(_owned(h), self._raw, self.force_utf8)
            copy.to_unicode = self.to_unicode
        return copy

    def __deepcopy__(self, memo):
        return self.__copy__()


def _check_field(f):
    if not isinstance(f, Field):
        raise TypeError(f"record.fields may only hold Field objects, not {type(f).__name__}")


def _latin1(text):
    return text.encode("latin-1", "replace")


def _bytes_of(data):
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, str):
        return _latin1(data)
    return bytes(data)


def record_from_flat_builder(fb):
    flat, keep = fb.build()
    out = ffi.new("MrrcRecord **")
    _lib.check(lib.mrrc_record_from_flat(flat, 0, out), "RecordLeaderInvalid")
    return Record._wrap(_owned(out[0]))


__all__ = ["Record", "map_marc8_record", "normalize_subfield_code"]
