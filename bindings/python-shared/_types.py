"""The two named tuples of pymarc's API (kept in pure Python so they are the
real `NamedTuple` types pymarc users compare, unpack and `_replace`)."""

from typing import NamedTuple


class Subfield(NamedTuple):
    code: str
    value: str


class Indicators(NamedTuple):
    """A named tuple representing the indicators for a non-control field."""

    first: str
    second: str
