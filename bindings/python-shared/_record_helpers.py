"""pymarc's module-level record helpers, shared by both packages."""

import unicodedata


def map_marc8_record(record):
    """Decode every field of a MARC-8 record and mark the leader as Unicode."""
    from .field import map_marc8_field
    from .leader import Leader

    record.fields = [map_marc8_field(field) for field in record.fields]
    leader = list(record.leader.leader)
    leader[9] = "a"
    record.leader = Leader("".join(leader))
    return record


def normalize_subfield_code(subfield: bytes) -> tuple[str, int]:
    """pymarc's helper: an ASCII code for a subfield whose code byte is not ASCII."""
    skip_bytes = 1
    try:
        text_subfield = subfield.decode("utf-8")
        skip_bytes = len(text_subfield[0].encode("utf-8"))
    except UnicodeDecodeError:
        text_subfield = subfield.decode("latin-1")
    decomposed = unicodedata.normalize("NFKD", text_subfield)
    without_diacritics = decomposed.encode("ascii", "ignore").decode("ascii")
    return without_diacritics[0], skip_bytes
