"""mrrc: MARC 21 records for Python, with pymarc 5.4.0's API over the mrrc
Rust core. Replace `import pymarc` with `import mrrc as pymarc`."""

# ruff: noqa: F401, F403
from mrrc._mrrc import __version__
from mrrc.record import *
from mrrc.field import *
from mrrc.exceptions import *
from mrrc.reader import *
from mrrc.writer import *
from mrrc.constants import *
from mrrc.marc8 import marc8_to_unicode, MARC8ToUnicode
from mrrc.marcxml import *
from mrrc.marcjson import *
from mrrc.leader import *

#: Marks this package as the local mrrc build (not the PyPI project of the same name).
__mrrc_local__ = True
