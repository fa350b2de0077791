'use strict';
// mrrc for Node: MARC 21 records through the mrrc Rust core.
//
// The native addon (mrrc.node, built by scripts/test-node.sh) keeps records
// in batches ("stores"); a Record here is a light (store, index) handle, so
// reading costs one native object per batch, not per record. Field data
// crosses as one string plus a Uint32Array of piece ends that is sliced here
// into the @natlibfi/marc-record shape.

const path = require('node:path');

const native = require(path.join(__dirname, 'mrrc.node'));
const { RecordStore, NativeReader, NativeWriter } = native;

const CONTROL = 0xffffffff;
let layoutBuffer = new Uint32Array(4096);

// Calls a native *Data method, growing the shared layout buffer when needed.
function fieldDataOf(call) {
  let text = call(layoutBuffer);
  if (layoutBuffer[0] >= layoutBuffer.length) {
    layoutBuffer = new Uint32Array(layoutBuffer[0] * 2);
    text = call(layoutBuffer);
  }
  return decodeFields(text, layoutBuffer);
}

function decodeFields(text, layout) {
  const end = layout[0] + 1;
  const fields = [];
  let k = 1;
  let pos = 0;
  while (k < end) {
    const count = layout[k++];
    const tagEnd = layout[k++];
    const tag = text.slice(pos, tagEnd);
    pos = tagEnd;
    if (count === CONTROL) {
      const e = layout[k++];
      fields.push({ tag, value: text.slice(pos, e) });
      pos = e;
      continue;
    }
    const ind1End = layout[k++];
    const ind2End = layout[k++];
    const ind1 = text.slice(pos, ind1End);
    const ind2 = text.slice(ind1End, ind2End);
    pos = ind2End;
    const subfields = new Array(count);
    for (let s = 0; s < count; s++) {
      const codeEnd = layout[k++];
      const valueEnd = layout[k++];
      subfields[s] = { code: text.slice(pos, codeEnd), value: text.slice(codeEnd, valueEnd) };
      pos = valueEnd;
    }
    fields.push({ tag, ind1, ind2, subfields });
  }
  return fields;
}

// Tags given as ('245', '650'), (['245', '650']) or nothing (all fields).
function tagList(tags) {
  const flat = tags.length === 1 && Array.isArray(tags[0]) ? tags[0] : tags;
  if (flat.length === 0) return undefined;
  for (const t of flat) {
    if (typeof t !== 'string' || t.includes(',')) throw new TypeError(`not a tag: ${String(t)}`);
  }
  return flat.join(',');
}

class Record {
  // new Record() or new Record(leader): an empty record (pymarc's leader by
  // default). Records read from input are made internally.
  constructor(leader, store, index) {
    if (store === undefined) {
      this._s = RecordStore.withNewRecord(leader);
      this._i = 0;
    } else {
      this._s = store;
      this._i = index;
    }
  }

  static _wrap(store, index) {
    return new Record(undefined, store, index);
  }

  // A record from {leader, fields: [{tag, value} | {tag, ind1, ind2, subfields: [{code, value}]}]}.
  static fromObject(object) {
    return Record._wrap(RecordStore.fromObject(object), 0);
  }

  // {leader, fields} in the @natlibfi/marc-record shape.
  toObject() {
    return { leader: this.leader, fields: this.fields() };
  }

  clone() {
    return Record._wrap(this._s.copyRecord(this._i), 0);
  }

  equals(other) {
    return other instanceof Record && this._s.equals(this._i, other._s, other._i);
  }

  get leader() { return this._s.leader(this._i); }
  set leader(value) { this._s.setLeader(this._i, value); }
  get fieldCount() { return this._s.fieldCount(this._i); }

  // Every field, or those with one of the given tags, as plain objects (copies:
  // change the record with the editing methods below).
  fields(...tags) {
    const t = tagList(tags);
    return fieldDataOf((buf) => this._s.fieldData(this._i, t, 0, buf));
  }

  // The first field with this tag, or null.
  get(tag) {
    const f = fieldDataOf((buf) => this._s.fieldData(this._i, tagList([tag]), 1, buf));
    return f.length ? f[0] : null;
  }

  // Positions (in fields()) of the fields with one of the given tags.
  fieldIndexes(...tags) { return this._s.fieldIndexes(this._i, tagList(tags)); }

  // The first subfield `code` of the first field `tag` (a control field's value when no code).
  subfield(tag, code) { return this._s.subfield(this._i, tag, code); }
  // Every subfield `code` of every field `tag`.
  subfields(tag, code) { return this._s.subfields(this._i, tag, code); }
  // pymarc value() of the first field `tag`.
  value(tag) { return this._s.value(this._i, tag); }
  // pymarc format_field() of the field at a position.
  formatField(position) { return this._s.formatField(this._i, position); }

  get title() { return this._s.title(this._i); }
  get issnTitle() { return this._s.issnTitle(this._i); }
  get author() { return this._s.author(this._i); }
  get uniformTitle() { return this._s.uniformTitle(this._i); }
  get isbn() { return this._s.isbn(this._i); }
  get issn() { return this._s.issn(this._i); }
  get issnl() { return this._s.issnl(this._i); }
  get sudoc() { return this._s.sudoc(this._i); }
  get publisher() { return this._s.publisher(this._i); }
  get pubyear() { return this._s.pubyear(this._i); }
  get subjects() { return this._group('subjects'); }
  get addedEntries() { return this._group('addedEntries'); }
  get series() { return this._group('series'); }
  get notes() { return this._group('notes'); }
  get location() { return this._group('location'); }
  get physicalDescription() { return this._group('physicalDescription'); }
  _group(name) { return fieldDataOf((buf) => this._s.groupData(this._i, name, buf)); }

  // Repairs lenient mode made while reading this record.
  get warnings() { return this._s.warnings(this._i); }

  addField(field) { return this._s.addField(this._i, field); }
  addOrderedField(field) { return this._s.addOrderedField(this._i, field); }
  addGroupedField(field) { return this._s.addGroupedField(this._i, field); }
  insertField(position, field) { this._s.insertField(this._i, position, field); }
  setField(position, field) { this._s.setField(this._i, position, field); }
  removeFieldAt(position) { return this._s.removeFieldAt(this._i, position); }
  removeFields(...tags) {
    const t = tagList(tags);
    return t === undefined ? 0 : this._s.removeFields(this._i, t);
  }
  addSubfield(position, code, value, at) { this._s.addSubfield(this._i, position, code, value, at); }
  deleteSubfield(position, code) { return this._s.deleteSubfield(this._i, position, code); }
  setSubfield(position, code, value) { this._s.setSubfield(this._i, position, code, value); }
  setIndicators(position, ind1, ind2) { this._s.setIndicators(this._i, position, ind1, ind2); }
  setControlValue(position, value) { this._s.setControlValue(this._i, position, value); }
  setTag(position, tag) { this._s.setTag(this._i, position, tag); }

  // pymarc str(record): "=LDR  ..." and one MARCMaker line per field.
  toString() { return this._s.toText(this._i); }

  // ISO 2709 bytes; encoding 'utf8' (default, sets leader/09 'a'), 'marc8' or 'raw'.
  toIso2709(encoding) { return this._s.toIso2709(this._i, encoding); }
  // One MARCXML <record> element.
  toMarcXml() { return this._s.toMarcXml(this._i); }
  // MARC-in-JSON as an object, so JSON.stringify(record) gives MARC-in-JSON.
  toJSON() { return JSON.parse(this._s.toJsonString(this._i)); }
  // MARC-in-JSON text (pymarc as_json()).
  toJsonString() { return this._s.toJsonString(this._i); }
  // The MARC-in-JSON structure as msgpack.
  toMsgpack() { return this._s.toMsgpack(this._i); }
  // MARCMaker text.
  toMrk() { return this._s.toMrk(this._i); }
}

// The records of a store as Record handles.
function recordsOf(store) {
  const n = store.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Record._wrap(store, i);
  return out;
}

const BATCH = 256;

// Reads records from a path or a Buffer: for (const record of reader) ...
// options: { format: 'iso2709' | 'marcxml' | 'json' | 'ndjson' | 'msgpack' | 'mrk',
//            lenient: boolean, encoding: 'leader' | 'utf8' | 'marc8' | 'raw' | legacy label }
// In strict mode a bad record throws from the iteration (with code, recordIndex,
// byteOffset); calling next() again carries on after it. In lenient mode
// repairs are in record.warnings and unreadable records in reader.errors.
class MarcReader {
  constructor(pathOrBuffer, options) {
    this._native = new NativeReader(pathOrBuffer, options);
    this._batch = [];
    this._pos = 0;
    this._done = false;
  }

  next() {
    if (this._pos === this._batch.length) {
      if (this._done) return { done: true, value: undefined };
      this._pos = 0;
      this._batch = [];
      const store = this._native.nextBatch(BATCH);
      if (store === null) {
        this._done = true;
        return { done: true, value: undefined };
      }
      this._batch = recordsOf(store);
    }
    return { done: false, value: this._batch[this._pos++] };
  }

  [Symbol.iterator]() { return this; }

  // Records lenient mode could not read, as Errors.
  get errors() { return this._native.errors(); }

  // Every remaining record in an array.
  readAll() { return Array.from(this); }
}

function asRecordList(store) {
  const records = recordsOf(store);
  const errors = store.errors();
  const timing = store.timing;
  Object.defineProperty(records, 'errors', { value: errors, enumerable: false });
  Object.defineProperty(records, 'timing', {
    value: timing ? { start: timing[0], end: timing[1] } : null,
    enumerable: false,
  });
  return records;
}

// Every record of a file, read on the libuv thread pool.
async function readFile(path, options) {
  return asRecordList(await native.readFile(path, options));
}

// Every record of a Buffer, read on the libuv thread pool.
async function parse(buffer, options) {
  if (!Buffer.isBuffer(buffer)) throw new TypeError('parse() takes a Buffer');
  return asRecordList(await native.parse(buffer, options));
}

// Writes records in one format to a file, or to memory when path is null:
// new MarcWriter(path | null, { format, encoding }); write(record); finish().
class MarcWriter {
  constructor(path, options = {}) {
    this._native = new NativeWriter(path ?? null, options.format, options.encoding);
  }

  write(record) {
    if (!(record instanceof Record)) throw new TypeError('write() takes a Record');
    this._native.write(record._s, record._i);
    return this;
  }

  // Closes the output; returns the bytes when writing to memory.
  finish() { return this._native.finish(); }
}

module.exports = { Record, MarcReader, MarcWriter, readFile, parse };
