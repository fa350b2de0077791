"""MARCXML in and out over the core (what `mrrc._mrrc` offers the `mrrc`
package's marcxml and writer modules)."""

from mrrc_cffi import _lib
from mrrc_cffi._lib import ffi, lib
from mrrc_cffi.record import Record

_gc = ffi.gc


def record_to_xml(record, namespace=False, ascii=True):
    """A record as MARCXML bytes: `ascii=True` is pymarc's `record_to_xml`
    (non-ASCII as character references), False what its XMLWriter writes."""
    flags = (lib.MRRC_XML_NAMESPACE if namespace else 0) | (lib.MRRC_XML_ASCII if ascii else 0)
    with record._lock:
        p = lib.mrrc_record_to_xml_with(record._synced_handle(), flags)
    if p == ffi.NULL:
        raise _lib.error()
    try:
        return ffi.unpack(p, lib.mrrc_string_len(p))
    finally:
        lib.mrrc_string_free(p)


def parse_xml_bytes(data, strict=False, normalize_form=None):
    """Every record of a MARCXML document. pymarc rejects a leader that is
    not 24 characters (`RecordLeaderInvalid`) and is lenient about the rest.
    `strict` (pymarc's) reads only elements in the MARC slim namespace."""
    opts, _ = _lib.read_options(fmt=lib.MRRC_FORMAT_MARCXML, lenient=True)
    opts.xml_marc_namespace_only = bool(strict)
    out = ffi.new("MrrcReader **")
    _lib.check(lib.mrrc_reader_from_bytes(data, len(data), opts, out))
    reader = _gc(out[0], lib.mrrc_reader_free)
    rec = ffi.new("MrrcRecord **")
    status_out = ffi.new("int32_t *")
    message = ffi.new("char **")
    records = []
    while True:
        status = lib.mrrc_reader_next(reader, rec)
        if status != 0:
            raise _lib.error("RecordLeaderInvalid" if status == lib.MRRC_LEADER else "MarcError", status)
        if rec[0] == ffi.NULL:
            return records
        h = _gc(rec[0], lib.mrrc_record_free)
        for i in range(lib.mrrc_reader_warning_count(reader)):
            _lib.check(lib.mrrc_reader_warning(reader, i, status_out, message))
            text = _lib.take_string(message[0])
            if status_out[0] == lib.MRRC_LEADER:
                from mrrc_cffi.exceptions import RecordLeaderInvalid

                raise _lib.annotate(RecordLeaderInvalid(text), status_out[0])
        records.append(Record._wrap(h))
from mrrc_cffi.reader import (  # noqa: E402,F401  (for the shared marcjson and _text_readers)
    parse_mrk_line,
    parse_mrk_record,
    record_from_dict,
)
