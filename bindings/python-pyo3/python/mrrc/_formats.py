"""The native format functions the shared modules (marcxml, marcjson,
writer, _text_readers: bindings/python-shared/) import as `._formats`."""

from mrrc._mrrc import (
    parse_mrk_line,
    parse_mrk_record,
    parse_xml_bytes,
    record_from_dict,
    record_to_xml,
)

__all__ = [
    "parse_mrk_line",
    "parse_mrk_record",
    "parse_xml_bytes",
    "record_from_dict",
    "record_to_xml",
]
