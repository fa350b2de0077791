"""MARC-8 to Unicode (as pymarc.marc8); the conversion is mrrc-core's."""

from mrrc_cffi import _lib
from mrrc_cffi._lib import ffi, lib


def _bytes_in(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if value is None:
        return b""
    if not isinstance(value, str):
        value = str(value)
    return value.encode("latin-1", "replace")


def _decode(data):
    """MARC-8 bytes decoded as pymarc does: bad sequences become what pymarc
    puts there (never an error)."""
    opts, _ = _lib.read_options(lenient=True)
    out = ffi.new("char **")
    n = ffi.new("size_t *")
    _lib.check(lib.mrrc_marc8_to_utf8(data, len(data), opts, out, n))
    try:
        return ffi.unpack(out[0], n[0]).decode("utf-8")
    finally:
        lib.mrrc_string_free(out[0])


def marc8_to_unicode(marc8, hide_utf8_warnings=False):
    """MARC-8 bytes (or a str of byte values) to Unicode text (NFC)."""
    return _decode(_bytes_in(marc8))


class MARC8ToUnicode:
    """pymarc's converter object; `translate(bytes)` decodes one value."""

    def __init__(self, G0=0x42, G1=0x45, quiet=False):
        if G0 != 0x42 or G1 != 0x45:
            raise ValueError("mrrc starts MARC-8 in its default sets (G0 Basic Latin, G1 ANSEL)")
        self.quiet = quiet

    def translate(self, marc8_string):
        return _decode(_bytes_in(marc8_string))


__all__ = ["MARC8ToUnicode", "marc8_to_unicode"]
