"""Fields (as pymarc.field): `Field`, `RawField`, `Subfield`, `Indicators`.

A field keeps its content as Python values (read from a record's flat view
in one C call, or given by the caller) and builds its C handle only when the
core has to compute something (`value()`, `str()`, `format_field()`...) or
apply one of pymarc's edits (`field[code] = v`, `add_subfield`,
`delete_subfield`), after which its content is read back from the core.
"""

import threading

from mrrc_cffi import _lib
from mrrc_cffi._lib import NULL, ffi, lib, take_string
from mrrc_cffi._types import Indicators, Subfield
from mrrc_cffi.marc8 import marc8_to_unicode

_tuple_new = tuple.__new__
_code_str = _lib.code_str

#: Guards every C call on a field's handle: cffi releases the GIL around
#: them, and a field may be shared by threads and records.
FIELD_LOCK = threading.RLock()

#: The generation of the last edit of any field; records compare it with
#: the one they last synced at to skip looking at their fields.
_LAST_EDIT = [0]
_next_gen = iter(range(1, 1 << 62)).__next__

_SIZE_MAX = (1 << (8 * ffi.sizeof("size_t"))) - 1


# -- pymarc's argument rules (the same as the mrrc binding's) -------------

def text_in(obj):
    """A text value from Python: str, bytes (ISO 8859-1, as `RawField` holds
    them), None (empty), or anything else through `str()`."""
    if isinstance(obj, str):
        return obj
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).decode("latin-1")
    if obj is None:
        return ""
    return str(obj)


def char_in(obj):
    """A subfield code or indicator: its first character, or "" for none."""
    return text_in(obj)[:1]


def tag_in(obj):
    """pymarc's tag rule: a numeric tag of other than three digits becomes
    three digits, an integer its three-digit form, anything else text."""
    if isinstance(obj, str):
        if len(obj) != 3 and obj and obj.isascii() and obj.isdigit():
            return f"{int(obj):03d}"
        return obj
    if isinstance(obj, int) and not isinstance(obj, bool):
        return f"{obj:03d}"
    try:
        return f"{int(obj.__index__()):03d}"
    except (AttributeError, TypeError):
        return str(obj)


def is_control_tag(tag):
    """The core's rule (`Tag::is_control`): numeric tags below 010."""
    return len(tag) == 3 and tag.isascii() and tag.isdigit() and tag < "010"


def indicators_in(obj):
    if obj is None or not obj:
        return (" ", " ")
    is_list_or_tuple = isinstance(obj, (list, tuple))
    n = len(obj)
    if n != 2:
        if is_list_or_tuple:
            raise ValueError(
                "The indicators input no longer accepts an iterable of arbitrary length. Use "
                "the Indicators() named tuple instead."
            )
        raise TypeError(f"Indicators takes 2 values, got {n}")
    return (char_in(obj[0]), char_in(obj[1]))


def subfields_in(obj):
    out = []
    for item in obj:
        if isinstance(item, str):
            raise ValueError(
                "The subfield input no longer accepts strings, and should use Subfield. "
                "Please consult the documentation for details."
            )
        out.append((char_in(item[0]), text_in(item[1])))
    return out


def _code_key(code):
    """The code a Python string names ("" for the empty code), or None when
    it names none (more than one character)."""
    return code if len(code) <= 1 else None


def _latin1(text):
    return text.encode("latin-1", "replace")


class Field:
    """A MARC field: a control field (`tag`, `data`) or a data field (`tag`,
    `indicators`, `subfields`)."""

    # `_s` is the field's whole content, (tag, data, indicators, subfields,
    # value): data is None for a data field, indicators and subfields None
    # for a control field, value the core's `value()` or None until known.
    # Every edit replaces `_s`, so records see an edit as a new `_s`.
    # `_c` (set when first needed) is (C handle, the `_s` it was built from).
    # `control_field` is a plain slot, as in pymarc (a field never changes
    # kind), so reading it costs no Python call.
    __slots__ = ("_s", "_c", "control_field", "__weakref__")
    _raw = False

    def __init__(self, tag, indicators=None, subfields=None, data=None):
        tag = tag_in(tag)
        if is_control_tag(tag):
            self._s = (tag, "" if data is None else text_in(data), None, None, None)
            self.control_field = True
        else:
            subs = _subfield_objects(subfields_in(subfields)) if subfields is not None else []
            self._s = (tag, None, indicators_in(indicators), subs, None)
            self.control_field = False

    def _set(self, tag, data, ind, subs):
        """Replaces the content (an edit)."""
        self._s = (tag, data, ind, subs, None)
        _LAST_EDIT[0] = _next_gen()

    def _subfields(self):
        """The subfields (as `Subfield`s with str values)."""
        subs = self._s[3]
        return () if subs is None else subs

    def _handle(self):
        """The field as a C handle (built from its content when needed).
        Call with FIELD_LOCK held."""
        s = self._s
        c = getattr(self, "_c", None)
        if c is not None and c[1] is s:
            return c[0]
        fb = _lib.FlatBuilder()
        if s[1] is not None:
            fb.control(s[0], s[1])
        else:
            fb.data(s[0], s[2][0], s[2][1], s[3])
        flat, keep = fb.build()
        out = ffi.new("MrrcField **")
        _lib.check(lib.mrrc_field_from_flat(flat, 0, out))
        h = ffi.gc(out[0], lib.mrrc_field_free)
        self._c = (h, s)
        return h

    def _reload(self, h):
        """After the core edited the handle: its content becomes the field's."""
        other = field_from_flat(_lib.flatten_field(h), 0)
        self._s = other._s
        self._c = (h, other._s)
        _LAST_EDIT[0] = _next_gen()

    def _text(self, fn):
        with FIELD_LOCK:
            return take_string(fn(self._handle()))

    def _out(self, value):
        return _latin1(value) if self._raw else value

    # -- pymarc's API ---------------------------------------------------

    @property
    def tag(self):
        return self._s[0]

    @tag.setter
    def tag(self, value):
        s = self._s
        self._set(tag_in(value), s[1], s[2], s[3])

    @property
    def data(self):
        d = self._s[1]
        return None if d is None else self._out(d)

    @data.setter
    def data(self, value):
        value = text_in(value)
        s = self._s
        if s[1] is not None:
            self._set(s[0], value, None, None)

    def is_control_field(self):
        return self._s[1] is not None

    @property
    def indicators(self):
        ind = self._s[2]
        return None if ind is None else _tuple_new(Indicators, ind)

    @indicators.setter
    def indicators(self, value):
        if value is None:
            return
        ind = indicators_in(value)
        s = self._s
        if s[2] is not None:
            self._set(s[0], None, ind, s[3])

    @property
    def indicator1(self):
        ind = self._s[2]
        return "" if ind is None else ind[0]

    @indicator1.setter
    def indicator1(self, value):
        c = char_in(value)
        s = self._s
        if s[2] is not None:
            self._set(s[0], None, (c, s[2][1]), s[3])

    @property
    def indicator2(self):
        ind = self._s[2]
        return "" if ind is None else ind[1]

    @indicator2.setter
    def indicator2(self, value):
        c = char_in(value)
        s = self._s
        if s[2] is not None:
            self._set(s[0], None, (s[2][0], c), s[3])

    @property
    def subfields(self):
        """The subfields as a new list of `Subfield(code, value)`; assign a
        list to replace them."""
        if self._raw:
            return [_tuple_new(Subfield, (c, _latin1(v))) for c, v in self._subfields()]
        return list(self._subfields())

    @subfields.setter
    def subfields(self, value):
        subs = _subfield_objects(subfields_in(value))
        s = self._s
        if s[2] is not None:
            self._set(s[0], None, s[2], subs)

    def get(self, code, default=None):
        key = _code_key(code)
        if key is not None:
            for c, v in self._subfields():
                if c == key:
                    return self._out(v)
        return default

    def __getitem__(self, code):
        key = _code_key(code)
        if key is not None:
            for c, v in self._subfields():
                if c == key:
                    return self._out(v)
        raise KeyError(code)

    def __setitem__(self, code, value):
        value = text_in(value).encode("utf-8")
        key = _code_key(code)
        if key is None:
            raise KeyError(f"no code '{code}'")
        with FIELD_LOCK:
            h = self._handle()
            status = lib.mrrc_field_set_unique_subfield(h, _lib.code_point(key), value, len(value))
            if status == lib.MRRC_WRONG_FIELD_KIND:
                raise KeyError("field is a control field")
            if status == lib.MRRC_KEY_NOT_FOUND:
                raise KeyError(f"no code '{code}'")
            if status == lib.MRRC_KEY_NOT_UNIQUE:
                raise KeyError(f"more than one code '{code}'")
            _lib.check(status)
            self._reload(h)

    def __contains__(self, code):
        key = _code_key(code)
        return key is not None and any(c == key for c, _ in self._subfields())

    def __iter__(self):
        subs = self._s[3]
        return iter(() if subs is None else subs)

    def value(self):
        """A control field's data, or the subfield values stripped and
        joined by spaces (computed by the core)."""
        v = self._s[4]
        return self._computed_value() if v is None else v

    def _computed_value(self):
        s = self._s
        v = self._text(lib.mrrc_field_value)
        if self._s is s:
            # The same content, now with its value: no edit.
            new = s[:4] + (v,)
            c = getattr(self, "_c", None)
            self._s = new
            if c is not None and c[1] is s:
                self._c = (c[0], new)
        return v

    def get_subfields(self, *codes):
        keys = {k for k in map(_code_key, codes) if k is not None}
        out = self._out
        return [out(v) for c, v in self._subfields() if c in keys]

    def add_subfield(self, code, value, pos=None):
        code = char_in(code)
        value = text_in(value).encode("utf-8")
        with FIELD_LOCK:
            h = self._handle()
            at = _SIZE_MAX if pos is None else pos
            _lib.check(lib.mrrc_field_add_subfield(h, _lib.code_point(code), value, len(value), at))
            self._reload(h)

    def delete_subfield(self, code):
        key = _code_key(code)
        if key is None:
            return None
        with FIELD_LOCK:
            h = self._handle()
            removed = ffi.new("char **")
            status = lib.mrrc_field_delete_subfield(h, _lib.code_point(key), removed)
            if status == lib.MRRC_KEY_NOT_FOUND or status == lib.MRRC_WRONG_FIELD_KIND:
                return None
            _lib.check(status)
            value = take_string(removed[0])
            self._reload(h)
        return self._out(value)

    def subfields_as_dict(self):
        out = {}
        conv = self._out
        for c, v in self._subfields():
            out.setdefault(c, []).append(conv(v))
        return out

    def linkage_occurrence_num(self):
        with FIELD_LOCK:
            s = lib.mrrc_field_linkage_occurrence_num(self._handle())
            return None if s.ptr == NULL else ffi.unpack(s.ptr, s.len).decode("utf-8")

    def format_field(self):
        return self._out(self._text(lib.mrrc_field_format))

    def is_subject_field(self):
        with FIELD_LOCK:
            return bool(lib.mrrc_field_is_subject(self._handle()))

    def as_marc(self, encoding=None):
        """The field's bytes in ISO 2709 (indicators, subfields,
        terminator), as the core writes them."""
        latin1 = encoding is not None and encoding.lower().replace("_", "-") in (
            "iso8859-1", "iso-8859-1", "latin-1", "latin1",
        )
        opts = ffi.new("MrrcWriteOptions *", lib.mrrc_write_options_default())
        opts.charset = lib.MRRC_WRITE_RAW if (self._raw or latin1) else lib.MRRC_WRITE_UTF8
        rec = ffi.gc(lib.mrrc_record_new(), lib.mrrc_record_free)
        out = ffi.new("uint8_t **")
        n = ffi.new("size_t *")
        with FIELD_LOCK:
            _lib.check(lib.mrrc_record_add_field(rec, self._handle()))
        _lib.check(lib.mrrc_record_to_marc(rec, opts, out, n))
        data = _lib.take_buffer(out[0], n[0])
        try:
            base = int(data[12:17])
        except ValueError:
            base = 37
        return data[base:-1]

    as_marc21 = as_marc

    @classmethod
    def convert_legacy_subfields(cls, subfields):
        """Turns `['a', 'x', 'b', 'y']` into `[Subfield('a', 'x'), Subfield('b', 'y')]`."""
        subfields = list(subfields)
        if len(subfields) % 2:
            raise ValueError("legacy subfields come in code, value pairs")
        return [Subfield(subfields[i], subfields[i + 1]) for i in range(0, len(subfields), 2)]

    def __str__(self):
        return self._text(lib.mrrc_field_to_string)

    def __repr__(self):
        return f"<Field {self}>"

    def __copy__(self):
        obj = _new(type(self))
        s = self._s
        obj.control_field = s[1] is not None
        obj._s = s if s[3] is None else s[:3] + (list(s[3]), s[4])
        return obj

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce__(self):
        s = self._s
        if s[1] is not None:
            return (type(self), (s[0], None, None, self.data))
        return (type(self), (s[0], self.indicators, self.subfields, None))


class RawField(Field):
    """A field whose values are the undecoded bytes (pymarc `RawField`)."""

    __slots__ = ()
    _raw = True

    def __iter__(self):
        return iter(self.subfields)

    def value(self):
        return _latin1(Field.value(self))


_new = object.__new__
_CHARS = _lib._CHARS
_repeat = __import__("itertools").repeat


def _subfield_objects(pairs):
    return list(map(_tuple_new, _repeat(Subfield), pairs))


def _subfields_of(text, subs, first, count):
    """`Subfield`s of flat subfields [first, first + count)."""
    a, b = 3 * first, 3 * (first + count)
    try:
        codes = [_CHARS[c] for c in subs[a:b:3]]
    except IndexError:
        codes = [_code_str(c) for c in subs[a:b:3]]
    values = [text[o:o + n] for o, n in zip(subs[a + 1:b:3], subs[a + 2:b:3])]
    return list(map(_tuple_new, _repeat(Subfield), zip(codes, values)))


def field_from_flat(flat, i, raw=False):
    """The field at index `i` of a decoded flat view."""
    text, _, fields, subs = flat
    obj = _new(RawField if raw else Field)
    b = 9 * i
    o = fields[b]
    tag = text[o:o + fields[b + 1]]
    o = fields[b + 5]
    v = text[o:o + fields[b + 6]]
    obj.control_field = control = bool(fields[b + 2])
    if control:
        obj._s = (tag, v, None, None, v)
    else:
        ind = (_code_str(fields[b + 3]), _code_str(fields[b + 4]))
        obj._s = (tag, None, ind, _subfields_of(text, subs, fields[b + 7], fields[b + 8]), v)
    return obj


def fields_from_flat(flat, raw=False):
    """Every field of a decoded flat view, made in one pass."""
    text, _, fields, subs = flat
    cls = RawField if raw else Field
    all_subs = _subfields_of(text, subs, 0, len(subs) // 3)
    out = []
    append = out.append
    new = _new
    chars = _CHARS
    for b in range(0, len(fields), 9):
        obj = new(cls)
        o = fields[b]
        tag = text[o:o + fields[b + 1]]
        o = fields[b + 5]
        v = text[o:o + fields[b + 6]]
        if fields[b + 2]:
            obj._s = (tag, v, None, None, v)
            obj.control_field = True
        else:
            obj.control_field = False
            try:
                ind = (chars[fields[b + 3]], chars[fields[b + 4]])
            except IndexError:
                ind = (_code_str(fields[b + 3]), _code_str(fields[b + 4]))
            a = fields[b + 7]
            obj._s = (tag, None, ind, all_subs[a:a + fields[b + 8]], v)
        append(obj)
    return out


def fields_from_split(split, raw=False):
    """Every field of a record's split view (`_lib.split_record`), and
    their states (`_s`). The pieces come in column order: tags, values, one
    piece of all indicators (two characters a data field), one piece of all
    subfield codes (one character each), subfield values. Iterating those
    two pieces gives CPython's cached one-character strings."""
    pieces, kinds = split
    n = len(kinds)
    if not n:
        return [], []
    indicators = pieces[2 * n]
    codes = pieces[2 * n + 1]
    if "\0" in indicators or "\0" in codes:
        # NUL is pymarc's empty code.
        indicators = [c if c != "\0" else "" for c in indicators]
        codes = [c if c != "\0" else "" for c in codes]
    all_subs = list(map(_tuple_new, _repeat(Subfield), zip(codes, pieces[2 * n + 2:])))
    inds = zip(indicators[::2], indicators[1::2]).__next__
    cls = RawField if raw else Field
    out = list(map(_new, _repeat(cls, n)))
    states = []
    append = states.append
    a = 0
    for obj, tag, v, k in zip(out, pieces[:n], pieces[n:2 * n], kinds):
        if k < 0:
            obj._s = s = (tag, v, None, None, v)
            obj.control_field = True
        else:
            b = a + k
            obj._s = s = (tag, None, inds(), all_subs[a:b], v)
            obj.control_field = False
            a = b
        append(s)
    return out, states


def map_marc8_field(f: Field) -> Field:
    """Decode a field's MARC-8 values (kept as ISO 8859-1 text) to Unicode."""
    if f.control_field:
        f.data = marc8_to_unicode(f.data)
    else:
        f.subfields = [Subfield(subfield.code, marc8_to_unicode(subfield.value)) for subfield in f.subfields]
    return f


__all__ = ["Field", "RawField", "Subfield", "Indicators", "map_marc8_field"]
