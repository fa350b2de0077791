"""Objects the caller still holds never change, however many fields and
subfields are made and dropped after them (the PyO3 binding reuses
`Field`s and `Subfield`s that nobody holds any more)."""

from conftest import CORPUS

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


def loc_or_sample_bytes(n):
    """The first n LoC records, or the samples repeated to as many."""
    from conftest import DATA

    loc = DATA / "loc" / "BooksAll.2016.part01.utf8"
    if not loc.exists():
        data = b"".join(p.read_bytes() for p in SAMPLES)
        return data * (n // 10)
    out = bytearray()
    with open(loc, "rb") as fh:
        for _ in range(n):
            head = fh.read(5)
            out += head + fh.read(int(head) - 5)
    return bytes(out)


def test_fields_of_every_batch_are_the_records_own_and_edits_come_first(impl):
    # Once one record's fields were asked for, mrrc_cffi splits each later
    # batch of records in one call: every record's fields must still be its
    # own (as `as_dict`, which never uses that split, says), and an edit
    # made before asking for them must be seen.
    data = loc_or_sample_bytes(1500)

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
