"""MARCXML (as pymarc.marcxml). Parsing and writing are mrrc-core's; this
module only opens files and calls handlers."""

import unicodedata
import xml.etree.ElementTree as ET

from ._formats import parse_xml_bytes as _parse_xml_bytes
from ._formats import record_to_xml as _record_to_xml
from ._types import Subfield
from ._io import read_all

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
MARC_XML_NS = "http://www.loc.gov/MARC21/slim"
MARC_XML_SCHEMA = "http://www.loc.gov/MARC21/slim http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"


class XmlHandler:
    """Receives each record parsed from MARCXML; subclass it and override
    `process_record` to stream records elsewhere."""

    def __init__(self, strict=False, normalize_form=None):
        self.records = []
        self._strict = strict
        self.normalize_form = normalize_form

    def process_record(self, record):
        self.records.append(record)


def _normalize(record, form):
    """pymarc's `normalize_form`: `unicodedata.normalize(form, text)` on the
    text of every leader, control field and subfield (not on tags, codes or
    indicators, which are attributes)."""

    def norm(text):
        return text if unicodedata.is_normalized(form, text) else unicodedata.normalize(form, text)

    leader = str(record.leader)
    if norm(leader) != leader:
        record.leader = norm(leader)
    for field in record.get_fields():
        if field.control_field:
            if field.data is not None and norm(field.data) != field.data:
                field.data = norm(field.data)
        elif any(norm(value) != value for _, value in field):
            field.subfields = [Subfield(code, norm(value)) for code, value in field]
    return record


def parse_xml(xml_file, handler):
    """Parse a MARCXML file (path, or file object) into `handler`.

    A handler's `_strict` reads only elements in the MARC slim namespace
    (pymarc: "ignore elements not matching MARC_XML_NS"); its
    `normalize_form` ('NFC', 'NFKC', 'NFD' or 'NFKD') normalizes all text as
    `unicodedata.normalize` does."""
    strict = getattr(handler, "_strict", False)
    normalize_form = getattr(handler, "normalize_form", None)
    if normalize_form is not None:
        unicodedata.normalize(normalize_form, "")  # ValueError for an unknown form, as pymarc
    for record in _parse_xml_bytes(read_all(xml_file), bool(strict)):
        if normalize_form is not None:
            _normalize(record, normalize_form)
        handler.process_record(record)


def map_xml(function, *files):
    """Call `function` on each record of each MARCXML file."""
    handler = XmlHandler()
    handler.process_record = function
    for xml_file in files:
        parse_xml(xml_file, handler)


def parse_xml_to_array(xml_file, strict=False, normalize_form=None):
    """Parse a MARCXML file (path or file object) and return its records.
    `strict=True` reads only elements in the MARC slim namespace;
    `normalize_form` is one of 'NFC', 'NFKC', 'NFD', 'NFKD' (see
    `unicodedata.normalize`)."""
    handler = XmlHandler(strict, normalize_form)
    parse_xml(xml_file, handler)
    return handler.records


def record_to_xml(record, quiet=False, namespace=False):
    """A record as MARCXML bytes."""
    return _record_to_xml(record, namespace)


def record_to_xml_node(record, quiet=False, namespace=False):
    """A record as an ElementTree element."""
    return ET.fromstring(_record_to_xml(record, namespace))


__all__ = [
    "XmlHandler",
    "parse_xml",
    "map_xml",
    "parse_xml_to_array",
    "record_to_xml",
    "record_to_xml_node",
]
