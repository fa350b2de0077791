"""Records (as pymarc.record)."""

from mrrc._mrrc import Record
from mrrc._record_helpers import map_marc8_record, normalize_subfield_code

__all__ = ["Record", "map_marc8_record", "normalize_subfield_code"]
