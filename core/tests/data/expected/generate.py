"""Writes what pymarc 5.4.0 makes of each MARCXML / JSON fixture, for the tests.

Usage (pymarc's source distribution, never committed, lives in data/):
    pip download --no-deps --no-binary pymarc pymarc==5.4.0 -d data/
    tar xzf data/pymarc-5.4.0.tar.gz -C data/
    PYTHONPATH=data/pymarc-5.4.0 python3 core/tests/data/expected/generate.py

For every fixture pymarc reads, writes `expected/<fixture>.json` holding
pymarc's `as_json()`, `record_to_xml()` (with and without namespace),
`str(record)`, and the bytes of `XMLWriter`, `JSONWriter` and `TextWriter`
over all the records; for files pymarc rejects, the exception.
"""

import glob
import io
import json
import os
import sys

import pymarc

try:  # optional: the msgpack bytes of as_dict()
    import msgpack
except ImportError:
    msgpack = None
from pymarc import JSONReader, JSONWriter, TextWriter, XMLWriter, parse_xml_to_array
from pymarc.marcxml import record_to_xml

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.dirname(HERE)
assert pymarc.__version__ == "5.4.0" if hasattr(pymarc, "__version__") else True

def fixtures():
    for ext in ("xml", "json", "ndjson"):
        yield from sorted(glob.glob(os.path.join(DATA, "*." + ext)))


for path in fixtures():
    name = os.path.basename(path)
    out = {"fixture": name}
    try:
        if name.endswith(".xml"):
            records = parse_xml_to_array(path)
        elif name.endswith(".ndjson"):
            # pymarc has no NDJSON reader: one JSONReader per line.
            with open(path, encoding="utf-8") as fh:
                records = [r for line in fh if line.strip() for r in JSONReader(line)]
        else:
            with open(path, encoding="utf-8") as fh:
                records = list(JSONReader(fh.read()))
    except Exception as exc:  # noqa: BLE001 - the exception is the expectation
        out["error"] = type(exc).__name__
    else:
        out["as_json"] = [r.as_json() for r in records]
        out["record_to_xml"] = [record_to_xml(r).decode("ascii") for r in records]
        out["record_to_xml_namespace"] = [record_to_xml(r, namespace=True).decode("ascii") for r in records]
        out["str"] = [str(r) for r in records]
        if msgpack is not None:
            out["msgpack_hex"] = [msgpack.packb(r.as_dict()).hex() for r in records]
        buf = io.BytesIO()
        w = XMLWriter(buf)
        for r in records:
            w.write(r)
        w.close(close_fh=False)
        out["xml_writer"] = buf.getvalue().decode("utf-8")
        for key, cls in (("json_writer", JSONWriter), ("text_writer", TextWriter)):
            s = io.StringIO()
            w = cls(s)
            for r in records:
                w.write(r)
            w.close(close_fh=False)
            out[key] = s.getvalue()
    with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
