"""Editing through the Python API is seen by every later call, and each
format round-trips."""

import io
import json
import pathlib

import pytest

from conftest import CORPUS

SAMPLE = CORPUS / "pymarc_test_camel.mrc"


def records(impl, path=SAMPLE):
    with open(path, "rb") as fh:
        return [r for r in impl.MARCReader(fh)]


def test_edits_are_seen_by_core_accessors(impl):
    record = records(impl)[0]
    record["245"]["a"] = "Edited title"
    assert record.title.startswith("Edited title")
    assert b"Edited title" in record.as_marc()
    extra = impl.Field("999", impl.Indicators(" ", " "), [impl.Subfield("a", "x")])
    record.fields.append(extra)
    assert record["999"] is extra
    assert record.get_values("999", "a") == ["x"]
    assert impl.MARCReader(record.as_marc()).__next__()["999"]["a"] == "x"
    record.remove_field(extra)
    assert "999" not in record


def test_field_objects_keep_their_identity(impl):
    record = records(impl)[0]
    first = record["245"]
    assert record["245"] is first
    assert record.get_fields("245")[0] is first
    assert record.fields[record.fields.index(first)] is first


@pytest.mark.parametrize("fmt", ["marc", "xml", "json", "mrk"])
def test_round_trip_through_every_format(impl, fmt):
    originals = records(impl)
    assert len(originals) == 10
    if fmt == "marc":
        again = list(impl.MARCReader(b"".join(r.as_marc() for r in originals)))
    elif fmt == "xml":
        buf = io.BytesIO()
        writer = impl.XMLWriter(buf)
        for r in originals:
            writer.write(r)
        writer.close(close_fh=False)
        again = impl.parse_xml_to_array(io.BytesIO(buf.getvalue()))
    elif fmt == "json":
        buf = io.StringIO()
        writer = impl.JSONWriter(buf)
        for r in originals:
            writer.write(r)
        writer.close(close_fh=False)
        again = list(impl.JSONReader(buf.getvalue()))
    else:
        again = list(impl.MARCMakerReader("\n".join(str(r) for r in originals)))
    assert [str(r) for r in again] == [str(r) for r in originals]
    assert [r.as_dict() for r in again] == [r.as_dict() for r in originals]


def test_msgpack_equals_packb_of_as_dict(impl):
    msgpack = pytest.importorskip("msgpack")
    for r in records(impl):
        assert r.as_msgpack() == msgpack.packb(r.as_dict())


def test_reads_paths_file_objects_and_bytes_alike(impl):
    data = SAMPLE.read_bytes()
    by_path = [str(r) for r in impl.MARCReader(str(SAMPLE))]
    by_bytes = [str(r) for r in impl.MARCReader(data)]
    by_file = [str(r) for r in impl.MARCReader(io.BytesIO(data))]
    assert by_path == by_bytes == by_file
    assert len(by_path) == 10


def test_a_reader_over_bytes_outlives_the_callers_buffer(impl):
    # mrrc_cffi reads bytes in place: the reader must keep them alive, and a
    # bytearray changed after the reader is made must not change the records.
    import gc

    expected = [str(r) for r in impl.MARCReader(str(SAMPLE))]
    buffer = bytearray(SAMPLE.read_bytes())
    from_bytearray = impl.MARCReader(buffer)
    buffer[:] = b"x" * len(buffer)
    from_temporary = impl.MARCReader(bytes(SAMPLE.read_bytes()))
    del buffer
    gc.collect()
    # Other allocations reuse freed memory before the records are read.
    junk = [bytes(4096) for _ in range(2000)]
    assert [str(r) for r in from_bytearray] == expected
    assert [str(r) for r in from_temporary] == expected
    del junk


class ReadOnly:
    """A file-like object with `read` only (no `readinto`), handing out a
    few bytes per call."""

    def __init__(self, data, step=777):
        self.data, self.pos, self.step = data, 0, step

    def read(self, n=-1):
        n = self.step if n < 0 else min(n, self.step)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk


def test_file_objects_with_and_without_readinto_read_alike(impl):
    data = SAMPLE.read_bytes() * 3
    with_readinto = [(str(r), r.as_marc()) for r in impl.MARCReader(io.BytesIO(data))]
    read_only = [(str(r), r.as_marc()) for r in impl.MARCReader(ReadOnly(data))]
    assert with_readinto == read_only
    assert len(read_only) == 30


class RawReadOnly(io.RawIOBase):
    """An `io.RawIOBase` that defines `read` only: the `readinto` it
    inherits raises NotImplementedError (pymarc only calls `read`)."""

    def __init__(self, data):
        self.inner = io.BytesIO(data)

    def readable(self):
        return True

    def read(self, n=-1):
        return self.inner.read(n)


def test_raw_io_with_read_only_reads_like_bytes(impl):
    data = SAMPLE.read_bytes() * 3
    assert [r.as_marc() for r in impl.MARCReader(RawReadOnly(data))] == [
        r.as_marc() for r in impl.MARCReader(data)
    ]


def test_text_mode_file_is_refused(impl, tmp_path):
    path = tmp_path / "x.mrc"
    path.write_bytes(SAMPLE.read_bytes())
    with open(path, "r", encoding="latin-1") as fh:
        reader = impl.MARCReader(fh)
        try:
            got = list(reader)
        except Exception as e:  # raising at once is as good
            assert "binary" in str(e)
        else:
            assert got == [None]
            assert "binary" in str(reader.current_exception)


def test_value_joins_stripped_subfields(impl):
    field = impl.Field(
        tag="245",
        indicators=["1", "0"],
        subfields=[impl.Subfield("a", " Caf\u00e9 "), impl.Subfield("b", "plain  ")],
    )
    assert field.value() == "Caf\u00e9 plain"
    ascii_only = impl.Field(
        tag="245", indicators=["1", "0"], subfields=[impl.Subfield("a", "x "), impl.Subfield("b", " y")]
    )
    assert ascii_only.value() == "x y"
    assert impl.Field(tag="001", data=" id ").value() == " id "


def test_as_dict_is_pymarcs(impl, pymarc):
    with open(SAMPLE, "rb") as fh:
        theirs = [r.as_dict() for r in pymarc.MARCReader(fh)]
    assert [r.as_dict() for r in records(impl)] == theirs
    assert [json.loads(r.as_json()) for r in records(impl)] == theirs


def test_fields_of_a_record_whose_text_holds_every_ascii_character(impl):
    # Every ASCII character, the MARC delimiters included, in one value
    # (possible in MARC-in-JSON): the fields come out whole all the same.
    every = "".join(map(chr, range(128)))
    doc = {
        "leader": "00000nam a2200000 a 4500",
        "fields": [
            {"001": every},
            {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "x\x1fy"}, {"b": " z "}]}},
        ],
    }
    record = next(iter(impl.JSONReader(json.dumps([doc]))))
    fields = record.fields
    assert [f.tag for f in fields] == ["001", "245"]
    assert fields[0].data == every
    assert fields[1].indicators == ("1", "0")
    assert list(fields[1]) == [("a", "x\x1fy"), ("b", " z ")]
    assert fields[1].value() == "x\x1fy z"
    plain = next(iter(impl.JSONReader(json.dumps([dict(doc, fields=doc["fields"][1:])]))))
    assert list(plain.fields[0]) == [("a", "x\x1fy"), ("b", " z ")]


def test_empty_and_non_ascii_codes_and_indicators_come_back(impl):
    # pymarc allows the empty code and indicator; a record built by the core
    # (MARC-in-JSON) hands them out as "" next to non-ASCII ones.
    doc = {
        "leader": "00000nam a2200000 a 4500",
        "fields": [
            {"001": "x"},
            {"245": {"ind1": "", "ind2": "\u00e9", "subfields": [{"": "no code"}, {"\u00e9": "\u00e9t\u00e9"}]}},
            {"650": {"ind1": " ", "ind2": "0", "subfields": [{"a": "y"}]}},
        ],
    }
    record = next(iter(impl.JSONReader(json.dumps([doc]))))
    f245, f650 = record.get_fields()[1:]
    assert f245.indicators == ("", "\u00e9")
    assert list(f245) == [("", "no code"), ("\u00e9", "\u00e9t\u00e9")]
    assert f650.indicators == (" ", "0")
    assert list(f650) == [("a", "y")]


@pytest.mark.parametrize("path", [SAMPLE, CORPUS / "pymarc_utf8_with_leader_flag.mrc"], ids=lambda p: p.name)
def test_get_values_is_what_the_fields_hold(impl, path):
    for record in records(impl, path):
        for tag in {f.tag for f in record.get_fields()} | {"999"}:
            fields = record.get_fields(tag)
            assert record.get_values(tag) == [f.value() for f in fields]
            for code in "abcz6":
                want = [sf.value for f in fields if not f.control_field for sf in f if sf.code == code]
                assert record.get_values(tag, code) == want


def test_get_values_of_a_value_holding_every_ascii_character(impl):
    every = "".join(map(chr, range(128)))
    doc = {
        "leader": "00000nam a2200000 a 4500",
        "fields": [
            {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": every}, {"a": "x\x1fy"}]}},
            {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": ""}]}},
        ],
    }
    record = next(iter(impl.JSONReader(json.dumps([doc]))))
    assert record.get_values("500", "a") == [every, "x\x1fy", ""]
    assert record.get_values("500") == [every + " x\x1fy", ""]


def test_titles_read_with_the_batch_follow_edits(impl):
    # Once a record's title has been asked for, the cffi reader computes
    # the titles of later batches in one call: they must match the
    # one-record path and give way to any edit.
    path = CORPUS / "pymarc_test_camel.mrc"
    with open(path, "rb") as fh:
        read_ahead = [(r, r.title) for r in impl.MARCReader(fh, batch_size=2)]
    with open(path, "rb") as fh:
        one_by_one = [r.get_fields() and r.title for r in impl.MARCReader(fh)]
    assert [t for _, t in read_ahead] == one_by_one
    assert all(one_by_one)

    def renamed(record, title):
        record["245"]["a"] = title
        return record.title

    edits = [
        lambda r: renamed(r, "Renamed"),
        lambda r: r.remove_fields("245") or r.title,
        lambda r: r.remove_field(r["245"]) or r.title,
        lambda r: setattr(r, "fields", []) or r.title,
        lambda r: r.get_fields("245")[0].delete_subfield("a") and r.title,
    ]
    with open(path, "rb") as fh:
        reader = impl.MARCReader(fh, batch_size=2)
        assert next(reader).title
        after = [edit(next(reader)) for edit in edits]
    assert after[0].startswith("Renamed")
    assert after[1:] == [None, None, None, None]


def _fields_of(record):
    return [
        (f.tag, f.control_field, f.value(), f.data if f.control_field else (tuple(f.indicators), list(f)))
        for f in record.get_fields()
    ]


@pytest.mark.parametrize("name", ["pymarc_test_camel.mrc", "pymarc_marc8_20recs.mrc", "idzebra_usmarc_sample.mrc", "pymarc_cp1251_cyrillic.mrc"])
def test_fields_do_not_depend_on_the_batch_and_follow_edits(impl, name):
    # Records read in batches of 2 and of 512 (one batch for these files)
    # have the same fields; an edit made before the fields are first asked
    # for shows in them.
    path = CORPUS / name
    with open(path, "rb") as fh:
        read_ahead = [_fields_of(r) for r in impl.MARCReader(fh, batch_size=2)]
    with open(path, "rb") as fh:
        one_by_one = [_fields_of(r) for r in impl.MARCReader(fh)]
    assert read_ahead == one_by_one
    assert len(one_by_one) >= 4

    added = impl.Field("500", indicators=[" ", " "], subfields=[impl.Subfield("a", "added")])
    edits = [
        lambda r: r.add_field(added),
        lambda r: r.remove_fields("245"),
        lambda r: setattr(r, "leader", r.leader),
    ]
    with open(path, "rb") as fh:
        reader = impl.MARCReader(fh, batch_size=2)
        before = _fields_of(next(reader))
        records = [next(reader) for _ in edits]
        for edit, record in zip(edits, records):
            edit(record)
    assert before == one_by_one[0]
    assert _fields_of(records[0]) == one_by_one[1] + [("500", False, "added", ((" ", " "), [("a", "added")]))]
    assert _fields_of(records[1]) == [f for f in one_by_one[2] if f[0] != "245"]
    assert _fields_of(records[2]) == one_by_one[3]


def test_threads_sharing_a_reader_get_each_record_once(impl):
    # The cffi reader hands out a batch's records without taking its lock
    # (an index counter the GIL keeps atomic): two threads iterating one
    # reader, switching as often as CPython allows, get every record once.
    import sys
    import threading

    data = SAMPLE.read_bytes() * 40
    expected = sorted(r.as_marc() for r in impl.MARCReader(data))
    reader = impl.MARCReader(data, batch_size=7)
    got = [[], []]

    def take(k):
        for record in reader:
            got[k].append(record.as_marc())

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=take, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert sorted(got[0] + got[1]) == expected
    assert len(expected) == 400


def test_for_and_next_share_the_reader(impl):
    # `for` and `next()` take records from the same place, each record
    # once, and `current_chunk` is the bytes of the one last returned.
    data = SAMPLE.read_bytes()
    expected = [str(r) for r in impl.MARCReader(data)]
    chunks = []
    reader = impl.MARCReader(data, batch_size=3)
    got = [str(next(reader))]
    chunks.append(reader.current_chunk)
    for record in reader:
        got.append(str(record))
        chunks.append(reader.current_chunk)
        if len(got) == 4:
            break
    got.append(str(next(reader)))
    chunks.append(reader.current_chunk)
    got += [str(r) for r in reader]
    assert got == expected
    assert all(str(next(impl.MARCReader(c))) == s for c, s in zip(chunks, got))
    with pytest.raises(StopIteration):
        next(reader)


def test_subfields_and_indicators_hash_like_the_tuples_they_equal(impl):
    # A Subfield or Indicators named tuple equals the plain tuple of its
    # items, so it must hash the same, also when the binding hands out the
    # same object again with new items (PyO3 refills Subfields nobody holds;
    # CPython 3.14 caches a tuple's hash inside the tuple). Each `sf` is
    # hashed, then let go, so the next field's loop can be given it again.
    checked = 0
    for record in impl.MARCReader((CORPUS / "pymarc_test_camel.mrc").read_bytes()):
        for field in record.get_fields():
            if field.is_control_field():
                continue
            for sf in field:
                assert hash(sf) == hash((sf[0], sf[1]))
                assert (sf[0], sf[1]) in {sf}
                checked += 1
            indicators = field.indicators
            assert hash(indicators) == hash((indicators[0], indicators[1]))
    assert checked > 100
