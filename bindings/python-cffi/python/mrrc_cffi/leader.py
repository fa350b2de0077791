"""The record leader (as pymarc.leader): 24 characters, read and written by
index, slice or name. The record's core copy is updated from it before the
core computes anything."""

from mrrc_cffi.exceptions import BadLeaderValue, RecordLeaderInvalid

LEADER_LEN = 24

# (name, start, width, what) as pymarc's Leader properties.
_POSITIONS = [
    ("record_length", 0, 5, "Record length"),
    ("record_status", 5, 1, "Record status"),
    ("type_of_record", 6, 1, "Type of record"),
    ("bibliographic_level", 7, 1, "Bibliographic level"),
    ("type_of_control", 8, 1, "Type of control"),
    ("coding_scheme", 9, 1, "Character coding scheme"),
    ("indicator_count", 10, 1, "Indicator count"),
    ("subfield_code_count", 11, 1, "Subfield code count"),
    ("base_address", 12, 5, "Base address of data"),
    ("encoding_level", 17, 1, "Encoding level"),
    ("cataloging_form", 18, 1, "Descriptive cataloging form"),
    ("multipart_ressource", 19, 1, "Multipart resource record level"),
    ("length_of_field_length", 20, 1, "Length of the length-of-field portion"),
    ("starting_character_position_length", 21, 1, "Length of the starting-character-position portion"),
    ("implementation_defined_length", 22, 1, "Length of the implementation-defined portion"),
]


def _latin1(text):
    """Each character as the byte of the same value (`?` above U+00FF), the
    way the core keeps a leader."""
    return text.encode("latin-1", "replace")


def leader_text(text):
    """A checked 24-character leader."""
    if not isinstance(text, str) or len(text) != LEADER_LEN:
        raise RecordLeaderInvalid
    return _latin1(text).decode("latin-1")


class Leader:
    """The record leader. Positions can be read and written by index, slice
    or name (`leader[5]`, `leader[0:5]`, `leader.record_status`)."""

    __slots__ = ("_text", "_gen")

    def __init__(self, leader):
        self._text = leader_text(leader)
        self._gen = 0

    @classmethod
    def _of(cls, text):
        obj = cls.__new__(cls)
        obj._text = text
        obj._gen = 0
        return obj

    @property
    def leader(self):
        return self._text

    @leader.setter
    def leader(self, value):
        self._text = leader_text(value)
        self._gen += 1

    def _replace(self, position, value):
        if position < 0:
            raise IndexError("Position must be positive")
        value = _latin1(value).decode("latin-1")
        if position + len(value) > LEADER_LEN:
            raise BadLeaderValue(f"{value} is too long to be inserted at {position}")
        t = self._text
        self._text = t[:position] + value + t[position + len(value):]
        self._gen += 1

    def _set_checked(self, start, width, what, value):
        if len(value) != width:
            unit = "char" if width == 1 else "chars"
            raise BadLeaderValue(f"{what} is {width} {unit} field, got {value}")
        self._replace(start, value)

    def __str__(self):
        return self._text

    def __repr__(self):
        return f"Leader({self._text!r})"

    def __getitem__(self, item):
        if isinstance(item, (slice, int)):
            return self._text[item]
        if isinstance(item, str):
            return getattr(self, item)
        raise TypeError("leader indices must be integers, slices or names")

    def __setitem__(self, item, value):
        if isinstance(item, slice):
            self._replace(item.start or 0, value)
        elif isinstance(item, int):
            self._replace(item, value)
        else:
            setattr(self, item, value)

    def __copy__(self):
        return Leader._of(self._text)

    def __deepcopy__(self, memo):
        return self.__copy__()

    def __reduce__(self):
        return (type(self), (self._text,))


def _position(start, width, what):
    def get(self):
        return self._text[start:start + width]

    def set(self, value):
        self._set_checked(start, width, what, value)

    return property(get, set)


for _name, _start, _width, _what in _POSITIONS:
    setattr(Leader, _name, _position(_start, _width, _what))
del _name, _start, _width, _what

__all__ = ["Leader"]
