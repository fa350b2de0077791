"""The 250,000 LoC records: every title exactly as pymarc prints it (runs
when data/loc/ holds the file, see scripts/fetch-loc.sh)."""

import pytest

from conftest import DATA, LOC

TITLES = DATA / "loc" / "x.txt"


@pytest.mark.skipif(not LOC.exists() or not TITLES.exists(), reason="data/loc not fetched")
def test_titles_equal_pymarcs(impl):
    with open(TITLES, encoding="utf-8") as fh:
        expected = fh.read().split("\n")
    got = [str(r.title) for r in impl.MARCReader(str(LOC))]
    assert len(got) == 250_000
    assert got == expected[: len(got)]
