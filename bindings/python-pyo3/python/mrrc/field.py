"""Fields (as pymarc.field): `Field`, `RawField`, `Subfield`, `Indicators`."""

from mrrc._mrrc import Field, RawField
from mrrc._types import Indicators, Subfield
from mrrc.marc8 import marc8_to_unicode


def map_marc8_field(f: Field) -> Field:
    """Decode a field's MARC-8 values (kept as ISO 8859-1 text) to Unicode."""
    if f.control_field:
        f.data = marc8_to_unicode(f.data)
    else:
        f.subfields = [
            Subfield(subfield.code, marc8_to_unicode(subfield.value))
            for subfield in f.subfields
        ]
    return f


__all__ = ["Field", "RawField", "Subfield", "Indicators", "map_marc8_field"]
