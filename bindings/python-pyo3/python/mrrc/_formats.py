"""The native format functions the shared modules (marcxml, marcjson,
writer: bindings/python-shared/) import as `._formats`."""

from mrrc._mrrc import parse_xml_bytes, record_from_dict, record_to_xml

__all__ = ["parse_xml_bytes", "record_from_dict", "record_to_xml"]
