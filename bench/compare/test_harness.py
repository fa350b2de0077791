"""Tests the comparison harness itself: `scripts/bench.sh sample --quick`
runs every approach once on 300 records and must pass its own checks, and
the report must name every approach (a row of figures, or a "not built"
line). With MRRC_BENCH_REQUIRE_ALL=1 every approach must have run.

    .venv/bin/python -m pytest bench/compare/test_harness.py
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

import run  # noqa: E402


def test_quick_run_reports_every_approach():
    proc = subprocess.run([str(ROOT / "scripts" / "bench.sh"), "sample", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = (ROOT / "data" / "compare" / "quick" / "latest.md").read_text()
    assert "RESULT CHECK FAILED" not in report
    summary = report.split("## Records per second", 1)[1].split("## Per workload", 1)[0]
    require_all = os.environ.get("MRRC_BENCH_REQUIRE_ALL") == "1"
    for a in run.approaches():
        has_row = re.search(rf"^\| {re.escape(a['label'])} \|", summary, re.M) is not None
        not_built = f"- {a['label']}: not built" in report
        assert has_row or not_built, f"{a['label']}: neither a row nor a 'not built' line"
        assert has_row != not_built, f"{a['label']}: both a row and a 'not built' line"
        if require_all:
            assert has_row, f"{a['label']} did not run"
    # Every parse cell that ran is a rate, and the checks line names both files.
    assert re.search(r"Check values \(pymarc.s; every approach of ours reported the same\): marc8: \d+ records", report)


def test_verify_catches_a_disagreeing_checksum():
    good = {"records": 3, "titles": "00000000000000aa", "values": 9}
    bad = dict(good, titles="00000000000000bb")
    results = {
        "a": {"expected_records": 5, "check": {"utf8": good},
              "workloads": {"parse": {"records": 5, "times_s": [1.0]}}},
        "b": {"expected_records": 5, "check": {"utf8": bad},
              "workloads": {"parse": {"records": 4, "times_s": [1.0]}}},
    }
    problems = run.verify(results, {})
    assert any("b parse: 4 records, expected 5" in p for p in problems)
    assert any("check (utf8): b reports" in p for p in problems)
    results["b"]["check"]["utf8"] = good
    results["b"]["workloads"]["parse"]["records"] = 5
    assert run.verify(results, {}) == []


def test_cell_statistics():
    c = run.cell({"records": 1000, "times_s": [0.3, 0.1, 0.2]})
    assert c["rps"] == 5000
    assert round(c["ns"]) == 200_000
    assert abs(c["spread"] - 1.0) < 1e-9
    assert run.cell({"skipped": "x"}) is None


def test_a_peer_whose_titles_differ_is_a_warning_but_ours_fail():
    ref = {"records": 3, "titles": "00000000000000aa", "values": 9}
    other = dict(ref, titles="00000000000000bb")

    def result(check):
        return {"expected_records": 3, "check": {"marc8": check}, "workloads": {}}

    warnings = []
    results = {"py-pymarc": result(ref), "py-mrrc-0.9.2": result(other), "py-mrrc": result(ref)}
    assert run.verify(results, {}, warnings) == []
    assert len(warnings) == 1 and "py-mrrc-0.9.2" in warnings[0]
    results["py-mrrc"] = result(other)
    assert any("py-mrrc reports" in p for p in run.verify(results, {}, []))
    results["py-mrrc"] = result(ref)
    results["py-mrrc-0.9.2"] = result(dict(other, values=8))
    assert any("py-mrrc-0.9.2 reports" in p for p in run.verify(results, {}, []))
