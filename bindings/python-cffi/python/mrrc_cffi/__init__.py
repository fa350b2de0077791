"""mrrc_cffi: MARC 21 records for Python, with pymarc 5.4.0's API over the
mrrc C library (libmrrc) through cffi. The same API as the `mrrc` binding:
replace `import pymarc` with `import mrrc_cffi as pymarc`."""

# ruff: noqa: F401, F403
from mrrc_cffi._lib import ffi as _ffi, lib as _lib_native
from mrrc_cffi.record import *
from mrrc_cffi.field import *
from mrrc_cffi.exceptions import *
from mrrc_cffi.reader import *
from mrrc_cffi.writer import *
from mrrc_cffi.constants import *
from mrrc_cffi.marc8 import marc8_to_unicode, MARC8ToUnicode
from mrrc_cffi.marcxml import *
from mrrc_cffi.marcjson import *
from mrrc_cffi.leader import *

__version__ = _ffi.string(_lib_native.mrrc_version()).decode()
