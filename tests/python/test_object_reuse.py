"""Objects the caller still holds never change, however many fields,
subfields and `as_dict()` results are made and dropped after them (the PyO3
binding reuses `Field`s, `Subfield`s and `as_dict()`'s dicts, lists and
strings that nobody holds any more)."""

import copy
import json

from conftest import CORPUS, loc_prefix

SAMPLES = [CORPUS / "pymarc_test_camel.mrc", CORPUS / "idzebra_marc_col.mrc"]


def read_all(impl):
    out = []
    for path in SAMPLES:
        with open(path, "rb") as fh:
            out.extend(impl.MARCReader(fh))
    return out


def as_dict_view(record):
    """Each field as (tag, [(code, value), ...] or data), from `as_dict()`,
    which builds plain dicts and shares no objects with `Field`s."""
    out = []
    for entry in record.as_dict()["fields"]:
        ((tag, body),) = entry.items()
        if isinstance(body, dict):
            out.append((tag, [next(iter(s.items())) for s in body["subfields"]]))
        else:
            out.append((tag, body))
    return out


def field_view(record):
    out = []
    for f in record.get_fields():
        if f.control_field:
            out.append((f.tag, f.data))
        else:
            out.append((f.tag, [tuple(sf) for sf in f]))
    return out


def churn(impl, passes=3):
    """Makes and drops every field and subfield of the samples."""
    n = 0
    for _ in range(passes):
        for r in read_all(impl):
            for f in r.get_fields():
                n += len(f.value())
                if not f.control_field:
                    for sf in f:
                        n += len(sf.value)
    return n


def test_fields_and_subfields_read_as_as_dict_says_while_objects_are_dropped(impl):
    for _ in range(3):
        for record in read_all(impl):
            assert field_view(record) == as_dict_view(record)


def test_kept_subfields_do_not_change(impl):
    kept = []
    for record in read_all(impl):
        for f in record.get_fields():
            if not f.control_field:
                subs = list(f)
                kept.append((subs, [(sf.code, sf.value) for sf in subs]))
        last = None
        for f in record.get_fields():
            if not f.control_field:
                for sf in f:
                    last = sf
        kept.append(([last], [(last.code, last.value)]))
    churn(impl)
    for subs, seen in kept:
        assert [(sf.code, sf.value) for sf in subs] == seen


def test_kept_fields_do_not_change_when_their_record_is_dropped(impl):
    kept = []
    for record in read_all(impl):
        for f in record.get_fields():
            kept.append((f, f.tag, f.control_field, f.value()))
    churn(impl)
    for f, tag, control, value in kept:
        assert (f.tag, f.control_field, f.value()) == (tag, control, value)


def test_an_edited_field_kept_alone_keeps_its_edit(impl):
    record = read_all(impl)[0]
    field = record.get_fields("245")[0]
    field["a"] = "Kept edit"
    del record
    churn(impl)
    assert field["a"] == "Kept edit"
    assert field.value().startswith("Kept edit")


def test_kept_subfield_iterators_do_not_change(impl):
    # Iterators the caller holds, fresh, half used and used up, go on as
    # they were while other fields are iterated (also after a loop left
    # with `break`), and a new iterator starts at its field's first subfield.
    fields = [f for r in read_all(impl) for f in r.get_fields() if not f.control_field]
    fields = [f for f in fields if len(list(f)) >= 2]
    expected = [[tuple(sf) for sf in f] for f in fields]
    fresh = iter(fields[0])
    half = iter(fields[1])
    first = tuple(next(half))
    done = iter(fields[2])
    list(done)
    for f in fields[3:]:
        for sf in f:
            break
    churn(impl)
    assert first == expected[1][0]
    assert [tuple(sf) for sf in fresh] == expected[0]
    assert [tuple(sf) for sf in half] == expected[1][1:]
    assert list(done) == []
    for f, seen in zip(fields, expected):
        for sf in f:
            break
        assert tuple(sf) == seen[0]
        assert [tuple(sf) for sf in f] == seen


def test_kept_value_strings_do_not_change(impl):
    # Only the strings are kept (not their `Subfield`s), the `Subfield`s go
    # back to be reused, and their values to be rewritten if nobody else
    # holds them: these are held, so they must not change.
    kept = []
    for record in read_all(impl):
        for f in record.get_fields():
            if not f.control_field:
                for sf in f:
                    value = sf.value
                    kept.append((value, value.encode(), hash(value)))
    churn(impl)
    for value, seen, h in kept:
        assert value.encode() == seen
        assert hash(value) == h


def test_fields_of_every_batch_are_the_records_own_and_edits_come_first(impl):
    # Once one record's fields were asked for, mrrc_cffi splits each later
    # batch of records in one call: every record's fields must still be its
    # own (as `as_dict`, which never uses that split, says), and an edit
    # made before asking for them must be seen.
    data = loc_prefix(1500)

    def edit(i, record):
        if i % 7 == 3:
            record.remove_fields("245")
        elif i % 7 == 5:
            record.add_field(impl.Field(tag="500", indicators=[" ", " "], subfields=[impl.Subfield("a", "added")]))
        elif i % 7 == 6:
            record.get("001")  # a field handed out first

    expected = []
    for i, record in enumerate(impl.MARCReader(data)):
        edit(i, record)
        expected.append(as_dict_view(record))
    got = []
    for i, record in enumerate(impl.MARCReader(data)):
        edit(i, record)
        got.append(field_view(record))
        if i % 7 == 3:
            assert not record.get_fields("245")
        if i % 7 == 5:
            assert record.get_fields()[-1]["a"] == "added"
    assert len(got) >= 1000
    assert got == expected


# `as_dict()`: the PyO3 binding refills the dicts, lists and strings of a
# result dict nobody holds any more. Snapshots are made with `json` (new
# objects throughout: `copy.deepcopy` would share the strings).


def snapshot(obj):
    return json.loads(json.dumps(obj))


def churn_dicts(impl, passes=2):
    """Makes and drops the `as_dict()` of every sample record (also raw)."""
    n = 0
    for _ in range(passes):
        for to_unicode in (True, False):
            for path in SAMPLES:
                for r in impl.MARCReader(path.read_bytes(), to_unicode=to_unicode):
                    d = r.as_dict()
                    n += len(d["fields"])
    return n


def test_as_dict_is_right_while_dicts_are_dropped(impl):
    records = read_all(impl)
    expected = [snapshot(r.as_dict()) for r in records]
    for _ in range(3):
        for r, seen in zip(records, expected):
            assert r.as_dict() == seen
        # Reversed: each dict is refilled from one of another shape.
        for r, seen in zip(reversed(records), reversed(expected)):
            d = r.as_dict()
            assert d == seen
            assert field_view(r) == as_dict_view(r)


def test_as_dict_is_pymarcs_while_dicts_are_dropped(impl, pymarc):
    for path in SAMPLES:
        theirs = [snapshot(r.as_dict()) for r in pymarc.MARCReader(path.read_bytes())]
        for _ in range(2):
            ours = [r.as_dict() == t for r, t in zip(impl.MARCReader(path.read_bytes()), theirs)]
            assert len(ours) == len(theirs) and all(ours)


def test_raw_as_dict_is_right_while_dicts_are_dropped(impl):
    data = SAMPLES[0].read_bytes()
    records = list(impl.MARCReader(data, to_unicode=False))
    # Copies: a refill that handed out a held dict again would compare
    # equal to itself.
    expected = [copy.deepcopy(r.as_dict()) for r in impl.MARCReader(data, to_unicode=False)]
    churn_dicts(impl)
    for r, seen in zip(records, expected):
        for _ in range(3):
            assert r.as_dict() == seen


def test_kept_as_dicts_do_not_change(impl):
    kept = [(d, snapshot(d)) for r in read_all(impl) for d in [r.as_dict()]]
    churn_dicts(impl)
    for d, seen in kept:
        assert d == seen


def test_kept_parts_of_dropped_as_dicts_do_not_change(impl):
    # Only a part of each dict is kept: the dict itself goes back to be
    # refilled, and with it every part nobody else holds.
    kept = []
    for i, r in enumerate(read_all(impl)):
        d = r.as_dict()
        kept.append((d["leader"], d["leader"].encode()))
        fields = d["fields"]
        data = [f for f in fields if isinstance(next(iter(f.values())), dict)]
        part = [
            fields,
            fields[0],
            data[0],
            next(iter(data[-1].values())),
            next(iter(data[0].values()))["subfields"],
            next(iter(data[-1].values()))["subfields"][-1],
        ][i % 6]
        kept.append((part, repr(part)))
        value = next(iter(next(iter(data[0].values()))["subfields"][0].values()))
        kept.append((value, value.encode()))
        del d, fields, data, part, value
        churn_dicts(impl, passes=1)
    for part, seen in kept:
        if isinstance(part, str):
            assert part.encode() == seen
        else:
            assert repr(part) == seen


class MyDict(dict):
    pass


def test_as_dicts_edited_then_dropped_do_not_disturb_the_next(impl):
    records = read_all(impl)
    expected = [snapshot(r.as_dict()) for r in records]
    edits = [
        lambda d: d.__setitem__("extra", 1),
        lambda d: d.pop("leader"),
        lambda d: d.__setitem__("fields", ("not", "a", "list")),
        lambda d: d["fields"].clear(),
        lambda d: d["fields"].append(MyDict(x=[1])),
        lambda d: d["fields"].__setitem__(0, {"001": ["a list"]}),
        lambda d: d["fields"].__setitem__(-1, {"a": 1, "b": 2}),
        lambda d: d["fields"].__setitem__(-1, {"999": MyDict(ind1=" ", ind2=" ", subfields=[])}),
        lambda d: d["fields"].__setitem__(-1, {"999": {"ind1": " ", "ind2": " ", "subfields": 7}}),
        lambda d: d["fields"].__setitem__(-1, {"999": {"ind1": 1, "ind2": 2, "subfields": [MyDict(a="b"), {"a": 1}, {}, 3]}}),
        lambda d: d["fields"].__setitem__(-1, {"999": {"ind1": " ", "ind2": " ", "subfields": ["x"], "extra": 0}}),
    ]
    for _ in range(2):
        for i, (r, seen) in enumerate(zip(records, expected)):
            edits[i % len(edits)](r.as_dict())
            assert r.as_dict() == seen
            assert r.as_dict() == seen


def test_kept_field_values_do_not_change(impl):
    # `value()` strings go back to be rewritten once nobody holds them:
    # these are held (some also hashed, or interned), so they must not change.
    import sys

    kept = []
    for record in read_all(impl):
        for i, f in enumerate(record.get_fields()):
            value = f.value()
            if i % 3 == 1:
                hash(value)
            if i % 5 == 2:
                value = sys.intern(value)
            kept.append((value, value.encode(), hash(value)))
            # Dropped at once: the next `value()` may be given them again.
            f.value()
            f.value()
    churn(impl)
    for value, seen, h in kept:
        assert value.encode() == seen
        assert hash(value) == h


def test_values_are_right_while_value_strings_are_dropped(impl):
    records = read_all(impl)
    expected = [[f.value() for f in r.get_fields()] for r in records]
    for _ in range(2):
        for r, seen in zip(reversed(records), reversed(expected)):
            for f, v in zip(r.get_fields(), seen):
                assert f.value() == v
                assert hash(f.value()) == hash(v)
                assert f.value().encode() == v.encode()


def test_subfield_values_that_shrink_then_grow_read_right(impl):
    # A reused `Subfield`'s value string is rewritten in place: to a
    # shorter text, then a longer one again (up to the room it was made
    # with). Every value must read as it is, held ones must not change.
    lengths = [50, 2, 40, 3, 60, 49, 51, 1, 0, 70, 5]
    fields = []
    for k in range(40):
        values = [chr(97 + (k + i) % 26) * lengths[(k + i) % len(lengths)] for i in range(3)]
        fields.append((impl.Field("245", impl.Indicators("0", "0"), [impl.Subfield(c, v) for c, v in zip("abc", values)]), values))
    held = []
    for _ in range(3):
        for i, (f, values) in enumerate(fields):
            got = [sf.value for sf in f]
            assert got == values
            assert [hash(v) for v in got] == [hash(v) for v in values]
            if i % 7 == 3:
                held.append((got[1], got[1].encode()))
    for value, seen in held:
        assert value.encode() == seen
