"""pymarc's text-format readers (JSONReader, MARCMakerReader), the Reader base
class and map_records, shared by both packages. Parsing is the core's: each
package's `._formats` supplies `record_from_dict`, `parse_mrk_line` and
`parse_mrk_record` (imported when first used, so the package's own modules
can import this one while they load)."""

import json
import os
from io import IOBase, StringIO


class Reader:
    """A base class for all iterating readers."""


def map_records(f, *files) -> None:
    """Apply `f` to each record of each file."""
    from .reader import MARCReader

    for file in files:
        list(map(f, MARCReader(file)))


class JSONReader(Reader):
    """Reads MARC-in-JSON: one record object or an array of them."""

    def __init__(self, marc_target, encoding: str = "utf-8", stream: bool = False) -> None:
        self.encoding = encoding
        if isinstance(marc_target, IOBase):
            self.file_handle = marc_target
        elif isinstance(marc_target, str) and os.path.exists(marc_target):
            self.file_handle = open(marc_target, encoding=encoding)  # noqa: SIM115
        else:
            if isinstance(marc_target, bytes):
                marc_target = marc_target.decode(encoding)
            self.file_handle = StringIO(marc_target)
        self.records = json.load(self.file_handle, strict=False)

    def __iter__(self):
        if isinstance(self.records, list):
            self.iter = iter(self.records)
        else:
            self.iter = iter([self.records])
        return self

    def __next__(self):
        from ._formats import record_from_dict

        return record_from_dict(next(self.iter))


class MARCMakerReader(Reader):
    """Reads MARCMaker text (as written by `str(record)` or TextWriter):
    records separated by a blank line."""

    def __init__(self, target, encoding: str = "utf-8") -> None:
        if isinstance(target, IOBase):
            file_handle = target
        elif isinstance(target, str) and os.path.exists(target):
            file_handle = open(target, encoding=encoding)  # noqa: SIM115
        else:
            file_handle = StringIO(target)
        content = file_handle.read()
        file_handle.close()
        self.records = list(content.split("\n\n"))
        self.iter = iter(self.records)

    def _parse_line(self, line: str):
        """One MARCMaker line: a Leader for `=LDR`, else a Field."""
        from ._formats import parse_mrk_line

        return parse_mrk_line(line)

    def __iter__(self):
        return self

    def __next__(self):
        from ._formats import parse_mrk_record

        return parse_mrk_record(next(self.iter))
