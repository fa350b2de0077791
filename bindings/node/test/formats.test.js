'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { mrrc, data } = require('./helpers');

const { MarcReader, MarcWriter, Record } = mrrc;
const chabon = () => new MarcReader(data('marc4j_chabon.mrc')).readAll();

test('toIso2709 gives back the bytes read', () => {
  const bytes = fs.readFileSync(data('marc4j_chabon.mrc'));
  const out = Buffer.concat(chabon().map((r) => r.toIso2709()));
  assert.ok(out.equals(bytes));
});

test('MARC-8 input written as UTF-8 reads back as the same text', () => {
  const camel = new MarcReader(data('pymarc_test_camel.mrc')).readAll();
  const back = new MarcReader(Buffer.concat(camel.map((r) => r.toIso2709()))).readAll();
  assert.deepEqual(back.map((r) => r.fields()), camel.map((r) => r.fields()));
  assert.equal(back[0].leader[9], 'a');
});

for (const format of ['iso2709', 'marcxml', 'json', 'ndjson', 'msgpack', 'mrk']) {
  test(`MarcWriter ${format}: memory and file round trips`, () => {
    const records = chabon();
    const w = new MarcWriter(null, { format });
    for (const r of records) w.write(r);
    const bytes = w.finish();
    assert.ok(Buffer.isBuffer(bytes) && bytes.length > 0);
    const back = new MarcReader(bytes, { format }).readAll();
    assert.deepEqual(back.map((r) => r.fields()), records.map((r) => r.fields()));

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mrrc-')), `out.${format}`);
    const fw = new MarcWriter(file, { format });
    for (const r of records) fw.write(r);
    assert.equal(fw.finish(), null);
    assert.ok(fs.readFileSync(file).equals(bytes));
  });
}

test('one-record conversions', () => {
  const [r] = chabon();
  const mij = r.toJSON();
  assert.equal(mij.leader, r.leader);
  assert.deepEqual(mij.fields[0], { '001': r.subfield('001') });
  assert.deepEqual(JSON.parse(JSON.stringify(r)), mij);
  assert.match(r.toMarcXml(), /^<record><leader>00759cam a2200229 a 4500<\/leader>[\s\S]*<datafield ind1="1" ind2="4" tag="245"><subfield code="a">The amazing adventures of Kavalier and Clay :<\/subfield>/);
  const fromPack = new MarcReader(r.toMsgpack(), { format: 'msgpack' }).readAll();
  assert.ok(fromPack[0].equals(r));
  const fromMrk = new MarcReader(Buffer.from(r.toMrk()), { format: 'mrk' }).readAll();
  assert.deepEqual(fromMrk[0].fields(), r.fields());
  assert.match(r.toString(), /^=LDR {2}/);
});

test('a record too large for ISO 2709 is an error, not a bad file', () => {
  const r = new Record();
  r.addField({ tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'x'.repeat(10000) }] });
  assert.throws(() => r.toIso2709(), { code: 'MRRC_TOO_LARGE' });
  assert.throws(() => new MarcWriter(null, { format: 'marcxml', encoding: 'marc8' }), { code: 'MRRC_INVALID_ARGUMENT' });
});

test('MarcWriter iso2709 with encoding marc8 writes MARC-8 that reads back as the same text', () => {
  const [utf8] = new MarcReader(data('pymarc_utf8_with_leader_flag.mrc')).readAll();
  const w = new MarcWriter(null, { format: 'iso2709', encoding: 'marc8' });
  w.write(utf8);
  const bytes = w.finish();
  assert.equal(String.fromCharCode(bytes[9]), ' ');
  assert.ok(!bytes.includes(0xc3), 'UTF-8 lead bytes left in MARC-8 output');
  const [back] = new MarcReader(bytes).readAll();
  // MARC-8 decoding composes accents (NFC); the UTF-8 file has them decomposed.
  assert.equal(JSON.stringify(back.fields()), JSON.stringify(utf8.fields()).normalize('NFC'));
});
