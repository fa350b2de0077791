"""MARCXML (as pymarc.marcxml). Parsing and writing are mrrc-core's; this
module only opens files and calls handlers."""

import xml.etree.ElementTree as ET

from ._formats import parse_xml_bytes as _parse_xml_bytes
from ._formats import record_to_xml as _record_to_xml
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


def parse_xml(xml_file, handler):
    """Parse a MARCXML file (path, or file object) into `handler`."""
    strict = getattr(handler, "_strict", False)
    normalize_form = getattr(handler, "normalize_form", None)
    for record in _parse_xml_bytes(read_all(xml_file), strict, normalize_form):
        handler.process_record(record)


def map_xml(function, *files):
    """Call `function` on each record of each MARCXML file."""
    handler = XmlHandler()
    handler.process_record = function
    for xml_file in files:
        parse_xml(xml_file, handler)


def parse_xml_to_array(xml_file, strict=False, normalize_form=None):
    """Parse a MARCXML file (path or file object) and return its records."""
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
