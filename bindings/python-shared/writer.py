"""Writers (as pymarc.writer): thin adapters that put what the core encodes
into a file object."""

from typing import IO

from ._formats import record_to_xml as _record_to_xml
from .exceptions import WriteNeedsRecord
from .record import Record


class Writer:
    """Base Writer object."""

    def __init__(self, file_handle: IO) -> None:
        self.file_handle = file_handle

    def write(self, record: Record) -> None:
        if not isinstance(record, Record):
            raise WriteNeedsRecord

    def close(self, close_fh: bool = True) -> None:
        """Closes the writer, and the file handle unless `close_fh` is False."""
        if close_fh and self.file_handle:
            self.file_handle.close()
        self.file_handle = None  # type: ignore[assignment]


class JSONWriter(Writer):
    """Writes records as an array of MARC-in-JSON objects (close it!)."""

    def __init__(self, file_handle: IO) -> None:
        super().__init__(file_handle)
        self.write_count = 0
        if self.file_handle:
            self.file_handle.write("[")

    def write(self, record: Record) -> None:
        Writer.write(self, record)
        if self.file_handle:
            if self.write_count > 0:
                self.file_handle.write(",")
            self.file_handle.write(record.as_json(separators=(",", ":")))
            self.write_count += 1

    def close(self, close_fh: bool = True) -> None:
        if self.file_handle:
            self.file_handle.write("]")
        Writer.close(self, close_fh)


class MARCWriter(Writer):
    """Writes records in ISO 2709 transmission format to a binary file."""

    def write(self, record: Record) -> None:
        Writer.write(self, record)
        if self.file_handle:
            self.file_handle.write(record.as_marc())


class TextWriter(Writer):
    """Writes records as MARCMaker text, a blank line between records."""

    def __init__(self, file_handle: IO) -> None:
        super().__init__(file_handle)
        self.write_count = 0

    def write(self, record: Record) -> None:
        Writer.write(self, record)
        if self.file_handle:
            if self.write_count > 0:
                self.file_handle.write("\n")
            self.file_handle.write(str(record))
            self.write_count += 1


class XMLWriter(Writer):
    """Writes records as a MARCXML collection to a binary file (close it!)."""

    def __init__(self, file_handle: IO) -> None:
        super().__init__(file_handle)
        if self.file_handle:
            self.file_handle.write(b'<?xml version="1.0" encoding="UTF-8"?>')
            self.file_handle.write(b'<collection xmlns="http://www.loc.gov/MARC21/slim">')

    def write(self, record: Record) -> None:
        Writer.write(self, record)
        if self.file_handle:
            self.file_handle.write(_record_to_xml(record, False, False))

    def close(self, close_fh: bool = True) -> None:
        if self.file_handle:
            self.file_handle.write(b"</collection>")
        Writer.close(self, close_fh)


__all__ = ["Writer", "JSONWriter", "MARCWriter", "TextWriter", "XMLWriter"]
