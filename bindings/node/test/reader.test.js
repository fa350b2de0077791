'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { mrrc, data, CAMEL, CHABON } = require('./helpers');

const { MarcReader, parse, readFile } = mrrc;

test('reads MARC-8 records with the titles, ISBNs and authors pymarc gives', () => {
  const records = new MarcReader(data('pymarc_test_camel.mrc')).readAll();
  assert.deepEqual(records.map((r) => [r.title, r.isbn, r.author]), CAMEL);
});

test('reads UTF-8 records from a path and from a Buffer alike', () => {
  const fromPath = Array.from(new MarcReader(data('marc4j_chabon.mrc')));
  const fromBuffer = Array.from(new MarcReader(fs.readFileSync(data('marc4j_chabon.mrc'))));
  assert.deepEqual(fromPath.map((r) => [r.title, r.isbn, r.fieldCount]), CHABON);
  assert.deepEqual(fromBuffer.map((r) => r.toObject()), fromPath.map((r) => r.toObject()));
});

test('MARC-8 decodes to the same text as the UTF-8 twin (NFC, as pymarc)', () => {
  const [marc8] = new MarcReader(data('pymarc_marc8.mrc')).readAll();
  const [utf8] = new MarcReader(data('pymarc_utf8_with_leader_flag.mrc')).readAll();
  assert.equal(marc8.leader[9], ' ');
  // The UTF-8 file has decomposed accents; MARC-8 decoding composes them (NFC).
  const nfc = (r) => JSON.stringify(r.fields()).normalize('NFC');
  assert.notEqual(JSON.stringify(marc8.fields()), JSON.stringify(utf8.fields()));
  assert.equal(nfc(marc8), nfc(utf8));
  assert.equal(marc8.subfield('240', 'a'), 'De la solitude \u00e0 la communaut\u00e9.');
  assert.equal(marc8.title, 'Escape from loneliness /');
});

test('MARCXML and MARC-in-JSON readers', () => {
  const xml = new MarcReader(data('marc4j_chabon.xml'), { format: 'marcxml' }).readAll();
  const iso = new MarcReader(data('marc4j_chabon.mrc')).readAll();
  assert.deepEqual(xml.map((r) => r.fields()), iso.map((r) => r.fields()));
  const json = new MarcReader(data('pymarc_batch.json'), { format: 'json' }).readAll();
  assert.deepEqual(json.map((r) => r.title), ['The Great Ray Charles', 'The White House']);
});

test('strict mode throws per bad record with code, record index and byte offset, and goes on', () => {
  const reader = new MarcReader(data('pymarc_bad_records.mrc'));
  const errors = [];
  let good = 0;
  for (;;) {
    try {
      const next = reader.next();
      if (next.done) break;
      good++;
    } catch (e) {
      assert.ok(e instanceof Error);
      errors.push([e.code, e.recordIndex, e.byteOffset]);
    }
  }
  // pymarc's verdicts: records 0 and 7 are sound, the others each have one defect.
  assert.equal(good, 2);
  assert.deepEqual(errors.map((e) => [e[0], e[1]]), [
    ['MRRC_BASE_ADDRESS', 1], ['MRRC_BASE_ADDRESS', 2], ['MRRC_DIRECTORY', 3], ['MRRC_DIRECTORY', 4],
    ['MRRC_BASE_ADDRESS', 5], ['MRRC_NO_FIELDS', 6], ['MRRC_TRUNCATED_RECORD', 8]]);
  assert.deepEqual(errors[6], ['MRRC_TRUNCATED_RECORD', 8, 1017]);
  // Offsets grow with the records.
  for (let i = 1; i < errors.length; i++) assert.ok(errors[i][2] > errors[i - 1][2]);
});

test('lenient mode repairs with warnings and reports what it skipped', () => {
  const reader = new MarcReader(data('pymarc_bad_records.mrc'), { lenient: true });
  const records = reader.readAll();
  assert.equal(records.length, 7);
  for (const r of records) assert.equal(r.title, 'The pragmatic programmer :  from journeyman to master /');
  assert.ok(records[1].warnings.some((w) => w.code === 'MRRC_BASE_ADDRESS' && w.recordIndex === 1));
  assert.ok(records[3].warnings.some((w) => w.code === 'MRRC_DIRECTORY'));
  assert.deepEqual(reader.errors.map((e) => [e.code, e.recordIndex]), [['MRRC_NO_FIELDS', 6], ['MRRC_TRUNCATED_RECORD', 8]]);
});

test('bad options and missing files are errors with codes', () => {
  assert.throws(() => new MarcReader(data('marc4j_chabon.mrc'), { format: 'pdf' }), { code: 'MRRC_INVALID_ARGUMENT' });
  assert.throws(() => new MarcReader(data('marc4j_chabon.mrc'), { encoding: 'klingon' }), { code: 'MRRC_INVALID_ARGUMENT' });
  assert.throws(() => new MarcReader(data('no-such-file.mrc')), (e) => e.code === 'MRRC_IO' && /no-such-file/.test(e.message));
});

test('a reader over more records than one batch yields them all in order', () => {
  const one = fs.readFileSync(data('marc4j_chabon.mrc'));
  const many = Buffer.concat(Array.from({ length: 300 }, () => one));
  const titles = Array.from(new MarcReader(many), (r) => r.title);
  assert.equal(titles.length, 600);
  assert.equal(titles[599], 'Summerland /');
  assert.equal(titles[256], CHABON[0][0]);
});

test('records of earlier batches stay whole after the reader moves on', async () => {
  // 600 records: three batches of 256 (the reader compacts each batch when
  // it moves to the next, parsing again from its bytes what is used later).
  const one = fs.readFileSync(data('marc4j_chabon.mrc'));
  const big = Buffer.concat(Array.from({ length: 300 }, () => one));
  const reader = new MarcReader(big);
  const first = reader.next().value;
  const edited = reader.next().value;
  edited.setSubfield(edited.fieldIndexes('245')[0], 'a', 'Edited before the batch was compacted');
  const rest = Array.from(reader);
  assert.equal(rest.length, 598);
  const expected = await parse(big);
  assert.deepEqual(first.toObject(), expected[0].toObject());
  assert.equal(first.title, expected[0].title);
  assert.equal(edited.subfield('245', 'a'), 'Edited before the batch was compacted');
  assert.deepEqual(rest.map((r) => r.toObject()), expected.slice(2).map((r) => r.toObject()));
  assert.deepEqual(rest.map((r) => r.title), expected.slice(2).map((r) => r.title));
});

test('chunks the reading thread builds ahead match those built on demand, and edits drop them', async () => {
  // 2,200 records over nine batches; asking the first batch for fields,
  // title and author makes the reader's thread build them for later ones.
  const one = Buffer.concat([fs.readFileSync(data('pymarc_test_camel.mrc')), fs.readFileSync(data('pymarc_marc8.mrc'))]);
  const big = Buffer.concat(Array.from({ length: 200 }, () => one));
  const expected = await parse(big);
  const reader = new MarcReader(big);
  const got = [];
  let edited = null;
  for (const r of reader) {
    if (got.length === 1) {
      // JS slower than the thread (here: waiting): once four batches wait
      // for JS, the thread builds the chunks of the next ones itself.
      const until = Date.now() + 100;
      while (Date.now() < until);
    }
    if (got.length === 1344) {
      // The second chunk of the sixth batch, built ahead by the thread: the
      // edit must drop it.
      r.setSubfield(r.fieldIndexes('245')[0], 'a', 'Réécrit');
      edited = r;
    }
    got.push({ fields: r.fields(), title: r.title, author: r.author, leader: r.leader });
  }
  assert.equal(got.length, 2200);
  for (let i = 0; i < got.length; i++) {
    if (i === 1344) continue;
    const e = expected[i];
    assert.deepEqual(got[i], { fields: e.fields(), title: e.title, author: e.author, leader: e.leader }, `record ${i}`);
  }
  assert.ok(got[1344].title.startsWith('Réécrit'));
  assert.equal(edited.fields('245')[0].subfields.find((s) => s.code === 'a').value, 'Réécrit');
  assert.ok(got.some((g) => /[^\x00-\x7f]/.test(JSON.stringify(g.fields))), 'no non-ASCII text read');
});

test('readers left half-read and readers over empty input end cleanly', () => {
  const one = fs.readFileSync(data('marc4j_chabon.mrc'));
  const big = Buffer.concat(Array.from({ length: 400 }, () => one));
  for (let i = 0; i < 20; i++) {
    const reader = new MarcReader(big);
    assert.equal(reader.next().value.title, CHABON[0][0]);
  }
  assert.deepEqual(new MarcReader(Buffer.alloc(0)).readAll(), []);
  const reader = new MarcReader(one);
  assert.equal(reader.readAll().length, 2);
  assert.equal(reader.next().done, true);
});

test('the encoding option: legacy sets, raw bytes, forced UTF-8 and MARC-8', async () => {
  const file = data('pymarc_cp1251_cyrillic.mrc');
  // pymarc's test_marc8.py: MARCReader(fh, file_encoding="cp1251").
  const title = 'Основы гидравлического расчета инженерных сетей';
  const cp1251 = new MarcReader(file, { encoding: 'cp1251' }).readAll();
  assert.equal(cp1251.length, 6);
  assert.equal(cp1251[0].subfield('245', 'a'), title);
  const viaPool = await readFile(file, { encoding: 'cp1251' });
  assert.deepEqual(viaPool.map((r) => r.toObject()), cp1251.map((r) => r.toObject()));
  // raw: one character per byte (ISO 8859-1), so Node's own decoder of the
  // same bytes gives the cp1251 text back.
  const raw = new MarcReader(file, { encoding: 'raw' }).readAll();
  const decoder = new TextDecoder('windows-1251');
  assert.deepEqual(raw.map((r) => decoder.decode(Buffer.from(r.title, 'latin1'))), cp1251.map((r) => r.title));
  // Forced UTF-8 on these bytes: strict stops with the place, lenient repairs.
  assert.throws(() => new MarcReader(file, { encoding: 'utf8' }).next(),
    (e) => e.code === 'MRRC_ENCODING' && e.recordIndex === 0 && e.byteOffset === 471);
  const lenient = new MarcReader(file, { encoding: 'utf8', lenient: true }).readAll();
  assert.equal(lenient.length, 6);
  assert.ok(lenient.every((r) => r.warnings.length > 0 && r.warnings.every((w) => w.code === 'MRRC_ENCODING')));
  assert.ok(lenient[0].title.includes('\ufffd'));
  // UTF-8 bytes forced through MARC-8 are not MARC-8; forced UTF-8 is the default reading.
  const utf8File = data('pymarc_utf8_with_leader_flag.mrc');
  assert.throws(() => new MarcReader(utf8File, { encoding: 'marc8' }).next(), { code: 'MRRC_MARC8', recordIndex: 0 });
  assert.deepEqual(new MarcReader(utf8File, { encoding: 'utf8' }).readAll().map((r) => r.toObject()),
    new MarcReader(utf8File).readAll().map((r) => r.toObject()));
});

test('malformed MARCXML is an error with line and column', () => {
  const reader = new MarcReader(data('marc4j_chabon_missing_subfield_code.xml'), { format: 'marcxml' });
  assert.throws(() => reader.next(), (e) => e.code === 'MRRC_SUBFIELD' && e.recordIndex === 0 &&
    e.line === 8 && e.column === 7 && /without a code/.test(e.message));
});
