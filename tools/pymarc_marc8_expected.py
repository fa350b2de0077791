#!/usr/bin/env python3
"""Write what pymarc 5.4.0 decodes from MARC-8 (or legacy-encoded) records, as
JSON fixtures for core/tests/marc8_records.rs.

Usage: PYTHONPATH=path/to/pymarc-5.4.0 python3 tools/pymarc_marc8_expected.py \
           OUT.json FILE.mrc [file_encoding]
(pymarc 5.4.0: `pip download --no-deps --no-binary pymarc pymarc==5.4.0`.)

For each record: the data fields' subfields as [tag, code, value] exactly as
pymarc's MARCReader(to_unicode=True) returns them, whether pymarc's MARC-8
converter had to substitute anything (it says so on stderr), or the exception
that made pymarc give up on the record.
"""

import contextlib
import io
import json
import sys

import pymarc

out_path, marc_path = sys.argv[1], sys.argv[2]
encoding = sys.argv[3] if len(sys.argv) > 3 else "iso8859-1"


records = []
with open(marc_path, "rb") as fh:
    reader = pymarc.MARCReader(fh, to_unicode=True, file_encoding=encoding)
    while True:
        stderr = io.StringIO()
        with contextlib.redirect_stderr(stderr):
            try:
                record = next(reader)
            except StopIteration:
                break
        entry = {"index": len(records), "leader9": reader.current_chunk[9:10].decode("latin-1")}
        if record is None:
            entry["error"] = type(reader.current_exception).__name__
        else:
            # pymarc also complains about a plain space (0x20) in a non-Latin
            # G0 set, yet outputs the space: that is no substitution.
            entry["substituted"] = any(
                not line.startswith("Unable to parse character 0x20 ")
                for line in stderr.getvalue().splitlines()
            )
            entry["fields"] = [
                [f.tag, s.code, s.value]
                for f in record.fields
                if not f.is_control_field()
                for s in f.subfields
            ]
        records.append(entry)

with open(out_path, "w", encoding="utf-8") as f:
    json.dump({"file": marc_path.rsplit("/", 1)[-1], "file_encoding": encoding, "records": records},
              f, ensure_ascii=False, indent=0)
    f.write("\n")
