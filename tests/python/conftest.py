"""The shared suite of both Python bindings. Every test takes the `impl`
fixture (the imported module); to run the suite against another binding add
its import name to IMPLEMENTATIONS."""

import importlib
import os
import pathlib
import sys

import pytest

IMPLEMENTATIONS = ["mrrc", "mrrc_cffi"]

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = pathlib.Path(os.environ.get("MRRC_CORPUS", ROOT.parent / "shared" / "corpus"))
if not CORPUS.is_dir():
    CORPUS = pathlib.Path("/work/shared/corpus")
DATA = ROOT / "data"


@pytest.fixture(params=IMPLEMENTATIONS, scope="session")
def impl(request):
    try:
        return importlib.import_module(request.param)
    except ImportError:
        pytest.skip(f"{request.param} is not installed")


def _real_pymarc():
    """pymarc 5.4.0 itself, to compare against, when its source is around."""
    for base in [os.environ.get("PYMARC_SRC"), DATA / "pymarc-5.4.0"]:
        if base and (pathlib.Path(base) / "pymarc" / "__init__.py").is_file():
            sys.path.insert(0, str(base))
            try:
                return importlib.import_module("pymarc")
            finally:
                sys.path.pop(0)
    return None


@pytest.fixture(scope="session")
def pymarc():
    module = _real_pymarc()
    if module is None:
        pytest.skip("pymarc 5.4.0 source not found (run scripts/pymarc-suite.sh once)")
    return module


LOC = DATA / "loc" / "BooksAll.2016.part01.utf8"


def loc_prefix(n):
    """The first n LoC records (or, without them, the ten-record camel
    sample repeated to as many records)."""
    if not LOC.exists():
        return (CORPUS / "pymarc_test_camel.mrc").read_bytes() * -(-n // 10)
    out = bytearray()
    with open(LOC, "rb") as fh:
        for _ in range(n):
            head = fh.read(5)
            out += head + fh.read(int(head) - 5)
    return bytes(out)


def corpus_files(*suffixes):
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix in suffixes)
