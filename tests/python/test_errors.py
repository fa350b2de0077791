"""Errors name the record index and byte offset, and are pymarc's classes."""

from conftest import CORPUS

BAD = CORPUS / "pymarc_bad_records.mrc"


def test_messages_name_record_and_offset(impl):
    reader = impl.MARCReader(BAD.read_bytes())
    seen = []
    for record in reader:
        if record is None:
            e = reader.current_exception
            seen.append((type(e).__name__, e.record_index, e.byte_offset, str(e)))
    # pymarc's test_permissive_mode expects these classes, in this order.
    assert [s[0] for s in seen] == [
        "BaseAddressInvalid",
        "BaseAddressNotFound",
        "RecordDirectoryInvalid",
        "UnicodeDecodeError",
        "ValueError",
        "NoFieldsFound",
        "TruncatedRecord",
    ]
    assert [s[1] for s in seen] == [1, 2, 3, 4, 5, 6, 8]
    base_address_invalid = seen[0]
    assert base_address_invalid[2] >= 127
    assert "record 1" in base_address_invalid[3] and "byte offset" in base_address_invalid[3]


def test_decode_marc_raises_pymarcs_classes(impl):
    record = impl.Record()
    try:
        record.decode_marc(b"foo")
    except impl.RecordLeaderInvalid:
        pass
    else:
        raise AssertionError("RecordLeaderInvalid expected")
