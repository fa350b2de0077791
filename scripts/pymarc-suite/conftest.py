"""Runs pymarc 5.4.0's own test suite against another implementation of its
API: the module named by MRRC_PYMARC_IMPL (default `mrrc`) and its submodules
are registered under the name `pymarc` before any test imports it."""

import importlib
import os
import sys

IMPL = os.environ.get("MRRC_PYMARC_IMPL", "mrrc")
SUBMODULES = [
    "constants",
    "exceptions",
    "leader",
    "field",
    "record",
    "marc8",
    "reader",
    "writer",
    "marcxml",
    "marcjson",
]

package = importlib.import_module(IMPL)
sys.modules["pymarc"] = package
for name in SUBMODULES:
    sys.modules[f"pymarc.{name}"] = importlib.import_module(f"{IMPL}.{name}")
