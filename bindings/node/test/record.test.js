'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { mrrc, data } = require('./helpers');

const { Record, MarcReader } = mrrc;

const OBJECT = {
  leader: '00000nam a2200000 a 4500',
  fields: [
    { tag: '001', value: 'ocm123' },
    { tag: '020', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: '0-8112-1480-X (pbk.)' }] },
    {
      tag: '245', ind1: '1', ind2: '0',
      subfields: [{ code: 'a', value: 'Les misérables :' }, { code: 'b', value: 'roman /' }, { code: 'c', value: 'Victor Hugo.' }],
    },
    { tag: '264', ind1: ' ', ind2: '1', subfields: [{ code: 'b', value: 'Gallimard,' }, { code: 'c', value: '1862.' }] },
    { tag: '650', ind1: ' ', ind2: '0', subfields: [{ code: 'a', value: 'Poor' }, { code: 'z', value: 'France' }, { code: 'v', value: 'Fiction.' }] },
  ],
};

test('fromObject and toObject round-trip the @natlibfi/marc-record shape', () => {
  const r = Record.fromObject(OBJECT);
  assert.deepEqual(r.toObject(), OBJECT);
  assert.equal(r.fieldCount, 5);
  assert.deepEqual(r.fields('650', '001').map((f) => f.tag), ['001', '650']);
  assert.deepEqual(r.fields(['245']), [OBJECT.fields[2]]);
  assert.deepEqual(r.get('001'), { tag: '001', value: 'ocm123' });
  assert.equal(r.get('999'), null);
});

test('accessors follow pymarc', () => {
  const r = Record.fromObject(OBJECT);
  assert.equal(r.title, 'Les misérables : roman /');
  assert.equal(r.isbn, '081121480X');
  assert.equal(r.publisher, 'Gallimard,');
  assert.equal(r.pubyear, '1862.');
  assert.equal(r.author, null);
  assert.equal(r.subfield('245', 'c'), 'Victor Hugo.');
  assert.equal(r.subfield('001'), 'ocm123');
  assert.deepEqual(r.subfields('650', 'z'), ['France']);
  assert.equal(r.subjects.length, 1);
  assert.equal(r.formatField(r.fieldIndexes('650')[0]), 'Poor -- France -- Fiction.');
  assert.equal(r.value('245'), 'Les misérables : roman / Victor Hugo.');
});

test('editing: ordered insertion, subfields, indicators, removal', () => {
  const r = Record.fromObject(OBJECT);
  const at = r.addOrderedField({ tag: '100', ind1: '1', ind2: ' ', subfields: [{ code: 'a', value: 'Hugo, Victor.' }] });
  assert.equal(at, 2);
  assert.equal(r.author, 'Hugo, Victor.');
  const pos = r.fieldIndexes('245')[0];
  r.setSubfield(pos, 'a', 'Notre-Dame de Paris /');
  r.deleteSubfield(pos, 'b');
  assert.equal(r.title, 'Notre-Dame de Paris /');
  r.addSubfield(pos, 'b', 'roman', 1);
  assert.deepEqual(r.get('245').subfields.map((s) => s.code), ['a', 'b', 'c']);
  r.setIndicators(pos, '0', '4');
  assert.equal(r.get('245').ind2, '4');
  assert.throws(() => r.setSubfield(pos, 'q', 'x'), { code: 'MRRC_INVALID_ARGUMENT' });
  assert.equal(r.removeFields('650', '264'), 2);
  assert.deepEqual(r.fields().map((f) => f.tag), ['001', '020', '100', '245']);
  r.setControlValue(0, 'ocm999');
  assert.equal(r.subfield('001'), 'ocm999');
  assert.throws(() => r.setControlValue(1, 'x'), { code: 'MRRC_INVALID_ARGUMENT' });
});

test('new records, leaders and bad input', () => {
  const r = new Record();
  assert.equal(r.leader, '          22        4500');
  r.leader = '00000cam a2200000 a 4500';
  assert.equal(r.leader, '00000cam a2200000 a 4500');
  assert.throws(() => { r.leader = 'short'; }, { code: 'MRRC_LEADER' });
  assert.throws(() => Record.fromObject({ fields: [{ tag: '245', subfields: [{ code: 'ab', value: 'x' }] }] }),
    (e) => e instanceof Error && e.code === 'MRRC_INVALID_ARGUMENT' && /subfield code/.test(e.message));
  assert.throws(() => Record.fromObject({ fields: [{ tag: '245' }] }), { code: 'MRRC_INVALID_ARGUMENT' });
  assert.throws(() => Record.fromObject({ fields: [{ tag: '245', ind1: 'xy', subfields: [] }] }), { code: 'MRRC_INVALID_ARGUMENT' });
});

test('clone is independent and equals compares content', () => {
  const a = Record.fromObject(OBJECT);
  const b = a.clone();
  assert.ok(a.equals(b));
  b.removeFields('001');
  assert.ok(!a.equals(b));
  assert.equal(a.fieldCount, 5);
});

test('fields and accessors built per chunk match the per-record calls and follow edits', () => {
  // 165 records: chunks of 64 end inside the batch; every 11th record is
  // MARC-8 that decodes to non-ASCII text, the others are ASCII.
  const one = Buffer.concat([fs.readFileSync(data('pymarc_test_camel.mrc')), fs.readFileSync(data('pymarc_marc8.mrc'))]);
  const records = new MarcReader(Buffer.concat(Array.from({ length: 15 }, () => one))).readAll();
  assert.equal(records.length, 165);
  for (const r of records) {
    const tags = [...new Set(r.fields().map((f) => f.tag))];
    const byTag = tags.flatMap((t) => r.fields(t));
    assert.deepEqual(r.fields().slice().sort((a, b) => a.tag.localeCompare(b.tag)),
      byTag.slice().sort((a, b) => a.tag.localeCompare(b.tag)));
    assert.deepEqual(r.get('245'), r.fields('245')[0] ?? null);
  }
  assert.ok(records.some((r) => /[^\x00-\x7f]/.test(JSON.stringify(r.fields()))), 'no non-ASCII text read');
  const r = records[100];
  const other = records[101].title;
  const pos = r.fieldIndexes('245')[0];
  r.setSubfield(pos, 'a', 'Écrit à nouveau');
  assert.equal(r.fields('245')[0].subfields.find((s) => s.code === 'a').value, 'Écrit à nouveau');
  assert.equal(r.fields()[pos].subfields.find((s) => s.code === 'a').value, 'Écrit à nouveau');
  assert.ok(r.title.startsWith('Écrit à nouveau'));
  assert.equal(records[101].title, other);
});

test('fields() gives back every kind of text: ASCII, Latin-1, other BMP and astral characters', () => {
  // In one record, ASCII values sit beside values that are not: each goes
  // to the one-byte or the UTF-16 text on its own, and JS keeps a position
  // in each. A tag that is not three digits travels as text too.
  const values = ['plain ascii', 'caf\u00e9 \u00e0 la cr\u00e8me', 'De la solitude \u00e0 la communaut\u00e9.',
    '\u0410\u043d\u043d\u0430 \u041a\u0430\u0440\u0435\u043d\u0438\u043d\u0430', 'e\u0301 combining',
    '\ud834\udd1e clef and \ud83d\udcda books', '', 'x'];
  const object = {
    leader: '00000nam a2200000 a 4500',
    fields: [
      { tag: '001', value: 'ctl\u00e9' },
      { tag: '245', ind1: '1', ind2: '0', subfields: values.map((value, i) => ({ code: 'abcdefgh'[i], value })) },
      { tag: 'ABC', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: '\u00e9t\u00e9' }, { code: 'b', value: 'ascii' }] },
      { tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'only ascii here' }] },
    ],
  };
  const record = Record.fromObject(object);
  assert.deepEqual(record.fields(), object.fields);
  assert.deepEqual(record.fields('245'), [object.fields[1]]);
  // The same through ISO 2709 and the sync reader's chunks.
  const read = new MarcReader(record.toIso2709()).readAll();
  assert.deepEqual(read[0].fields(), object.fields);
  assert.deepEqual(read[0].subfields('245', 'f'), [values[5]]);
  assert.deepEqual(read[0].fields('ABC', '500'), object.fields.slice(2));
});
