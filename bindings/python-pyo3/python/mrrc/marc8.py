"""MARC-8 to Unicode (as pymarc.marc8); the conversion is mrrc-core's."""

from mrrc._mrrc import MARC8ToUnicode, marc8_to_unicode

__all__ = ["MARC8ToUnicode", "marc8_to_unicode"]
