"""Readers (as pymarc.reader). `MARCReader` is native: it reads and parses
records in batches in Rust with the GIL released. The text-format readers
are shared with mrrc_cffi (bindings/python-shared/_text_readers.py)."""

from mrrc._mrrc import MARCReader
from mrrc._text_readers import JSONReader, MARCMakerReader, Reader, map_records

__all__ = ["Reader", "MARCReader", "MARCMakerReader", "map_records", "JSONReader"]
