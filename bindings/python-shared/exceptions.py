"""Exceptions, the same classes as pymarc.exceptions.

Each class keeps pymarc's default message when raised without arguments; when
mrrc raises it, the message is mrrc's, naming the record index and byte
offset, and the instance carries `kind`, `record_index` and `byte_offset`.
"""


class PymarcException(Exception):
    """Base pymarc Exception."""

    kind: str | None = None
    record_index: int | None = None
    byte_offset: int | None = None


def _default(message):
    def __str__(self):
        return str(self.args[0]) if self.args else message

    return __str__


class FatalReaderError(PymarcException):
    """Error preventing further reading."""


class RecordLengthInvalid(FatalReaderError):
    """Invalid record length."""

    __str__ = _default("Invalid record length in first 5 bytes of record")


class TruncatedRecord(FatalReaderError):
    """Truncated record data."""

    __str__ = _default("Record length in leader is greater than the length of data")


class EndOfRecordNotFound(FatalReaderError):
    """Unable to locate end of record marker."""

    __str__ = _default("Unable to locate end of record marker")


class RecordLeaderInvalid(PymarcException):
    """Unable to extract record leader."""

    __str__ = _default("Unable to extract record leader")


class RecordDirectoryInvalid(PymarcException):
    """Invalid directory."""

    __str__ = _default("Invalid directory")


class NoFieldsFound(PymarcException):
    """Unable to locate fields in record data."""

    __str__ = _default("Unable to locate fields in record data")


class BaseAddressInvalid(PymarcException):
    """Base address exceeds size of record."""

    __str__ = _default("Base address exceeds size of record")


class BaseAddressNotFound(PymarcException):
    """Unable to locate base address of record."""

    __str__ = _default("Unable to locate base address of record")


class WriteNeedsRecord(PymarcException):
    """Write requires a pymarc.Record object as an argument."""

    __str__ = _default("Write requires a pymarc.Record object as an argument")


class NoActiveFile(PymarcException):
    """There is no active file to write to in call to write."""

    __str__ = _default("There is no active file to write to in call to write")


class FieldNotFound(PymarcException):
    """Record does not contain the specified field."""

    __str__ = _default("Record does not contain the specified field")


class BadSubfieldCodeWarning(Warning):
    """Warning about a non-ASCII subfield code."""

    def __init__(self, subf):
        super().__init__()
        self.subf = subf

    def __str__(self):
        return f"The subfield contained a non-ASCII subfield code: {self.subf}"


class BadLeaderValue(PymarcException):
    """Error when setting a leader value."""


class MissingLinkedFields(PymarcException):
    """Error when a non-880 field has a subfield 6 that cannot be matched to an 880."""

    def __init__(self, field):
        super().__init__(field)
        self.field = field

    def __str__(self):
        return f"{self.field.tag} field includes a subfield 6 but no linked fields could be found."


class MarcError(PymarcException):
    """A defect mrrc found that pymarc has no class for (bad MARCXML, JSON,
    msgpack, MARCMaker, a record too large to write, ...)."""


__all__ = [
    "PymarcException",
    "FatalReaderError",
    "RecordLengthInvalid",
    "TruncatedRecord",
    "EndOfRecordNotFound",
    "RecordLeaderInvalid",
    "RecordDirectoryInvalid",
    "NoFieldsFound",
    "BaseAddressInvalid",
    "BaseAddressNotFound",
    "WriteNeedsRecord",
    "NoActiveFile",
    "FieldNotFound",
    "BadSubfieldCodeWarning",
    "BadLeaderValue",
    "MissingLinkedFields",
    "MarcError",
]
