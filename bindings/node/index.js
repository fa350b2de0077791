'use strict';
// mrrc for Node: MARC 21 records through the mrrc Rust core.
//
// The native addon (mrrc.node, built by scripts/test-node.sh) keeps records
// in batches ("stores"); a Record here is a light (store, index) handle, so
// reading costs one native object per batch, not per record. Field data
// crosses as two strings (ASCII and UTF-16 values) plus a Uint32Array of value ends, sliced here
// into the @natlibfi/marc-record shape.

const path = require('node:path');

const native = require(path.join(__dirname, 'mrrc.node'));
const { RecordStore, NativeReader, NativeWriter } = native;

// Layout words (src/layout.rs).
const CONTROL = 0xffffffff;
const TAG_TEXT = 0x80000000;
const NONE = 0xffffffff;
const WIDE = 0x80000000;
// Records per lazily built chunk of field data or accessor values.
const CHUNK = 64;
// Field chunks a batch keeps (chunk c in slot c % KEPT_CHUNKS): a sync
// reader's batch of 256 records keeps all of its own; a readFile result of
// 50,000 records that kept all of them held some 60 MB of chunk text in
// V8's heap by the end of a loop, which its garbage collection copied and
// marked again and again (0.6 µs per record on the main thread). A chunk
// asked for again is rebuilt by the store.
const KEPT_CHUNKS = 4;
// Access that jumps between chunks: when the chunk a slot holds served
// fewer than FEW_USES records, a record of another chunk for that slot is
// fetched alone (one native call) rather than by building its 64 records'
// chunk for one of them; after CHUNK such fetches the slot takes the new
// chunk anyway, so a loop that turns sequential gets chunks again.
const FEW_USES = 8;

// Batches a for await over a MarcReader has the pool read ahead of the one
// JS works on. Two rather than one: with one, the pool waits at every batch
// for the main thread to take the one it has read and ask for the next
// (a wake-up of each thread; under load, a wait for a CPU).
const READ_AHEAD = 2;

// Interned strings for tags of three digits and for indicator and subfield codes.
const TAGS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
const CHARS = Array.from({ length: 256 }, (_, c) => String.fromCharCode(c));
const char = (c) => (c < 256 ? CHARS[c] : String.fromCodePoint(c));

let layoutBuffer = new Uint32Array(4096);

// Calls a native per-record *Data method with the shared layout buffer,
// growing it when needed, and decodes the one record it describes.
function fieldDataOf(call) {
  let texts = call(layoutBuffer);
  if (layoutBuffer[0] >= layoutBuffer.length) {
    layoutBuffer = new Uint32Array(layoutBuffer[0] * 2);
    texts = call(layoutBuffer);
  }
  return decodeRecord(texts, layoutBuffer, layoutBuffer[1]);
}

// The fields of the record whose layout starts at p in L, with its values in
// texts.narrow or texts.wide (see src/layout.rs).
function decodeRecord(texts, L, p) {
  const { narrow, wide } = texts;
  // Where the next value starts in each text (each slice moves one on).
  let n = L[p++];
  let w = L[p++];
  const count = L[p++];
  const fields = new Array(count);
  for (let f = 0; f < count; f++) {
    const tagWord = L[p++];
    let tag;
    if (tagWord === TAG_TEXT) {
      const e = L[p++];
      tag = e >= WIDE ? wide.slice(w, (w = e - WIDE)) : narrow.slice(n, (n = e));
    } else {
      tag = TAGS[tagWord];
    }
    const subfieldCount = L[p++];
    if (subfieldCount === CONTROL) {
      const e = L[p++];
      const value = e >= WIDE ? wide.slice(w, (w = e - WIDE)) : narrow.slice(n, (n = e));
      fields[f] = { tag, value };
      continue;
    }
    const ind1 = char(L[p++]);
    const ind2 = char(L[p++]);
    const subfields = new Array(subfieldCount);
    for (let s = 0; s < subfieldCount; s++) {
      const code = char(L[p++]);
      const e = L[p++];
      const value = e >= WIDE ? wide.slice(w, (w = e - WIDE)) : narrow.slice(n, (n = e));
      subfields[s] = { code, value };
    }
    fields[f] = { tag, ind1, ind2, subfields };
  }
  return fields;
}

// A native store and the chunks of field data and accessor values built from
// it on first use (one native call per CHUNK records); edits drop them.
class Batch {
  constructor(store) {
    this._s = store;
    // The bytes compact() moved out of the native store, until needed again.
    this.raw = null;
    this.fieldChunks = null;
    this.fieldChunkNumbers = null;
    this.fieldChunkUses = null;
    this.fieldsFetchedAlone = null;
    this.accessors = null;
  }

  // The native store, its records' bytes restored if they were compacted.
  get s() {
    if (this.raw !== null) {
      this._s.restore(this.raw);
      this.raw = null;
    }
    return this._s;
  }

  // See RecordStore.compact in src/store.rs. Once: the strings of a first
  // compaction are kept until restored.
  compact() {
    if (this.raw === null) this.raw = this._s.compact();
  }

  fields(i) {
    const c = (i / CHUNK) | 0;
    if (this.fieldChunks === null) {
      this.fieldChunks = new Array(KEPT_CHUNKS).fill(null);
      this.fieldChunkNumbers = new Array(KEPT_CHUNKS).fill(-1);
      // Per slot: fields() served by its chunk, and records fetched alone
      // since it was built.
      this.fieldChunkUses = new Array(KEPT_CHUNKS).fill(0);
      this.fieldsFetchedAlone = new Array(KEPT_CHUNKS).fill(0);
    }
    const slot = c % KEPT_CHUNKS;
    let chunk = this.fieldChunks[slot];
    if (this.fieldChunkNumbers[slot] !== c) {
      if (chunk !== null && this.fieldChunkUses[slot] < FEW_USES && this.fieldsFetchedAlone[slot] < CHUNK) {
        this.fieldsFetchedAlone[slot]++;
        return fieldDataOf((buf) => this.s.fieldData(i, undefined, 0, buf));
      }
      chunk = this.s.fieldsChunk(c * CHUNK, Math.min(this.s.length, (c + 1) * CHUNK));
      this.fieldChunks[slot] = chunk;
      this.fieldChunkNumbers[slot] = c;
      this.fieldChunkUses[slot] = 0;
      this.fieldsFetchedAlone[slot] = 0;
    }
    this.fieldChunkUses[slot]++;
    const L = chunk.layout;
    return decodeRecord(chunk, L, L[1 + i - c * CHUNK]);
  }

  accessor(name, i) {
    const c = (i / CHUNK) | 0;
    if (this.accessors === null) this.accessors = new Map();
    let chunks = this.accessors.get(name);
    if (chunks === undefined) {
      chunks = [];
      this.accessors.set(name, chunks);
    }
    let chunk = chunks[c];
    if (chunk === undefined) {
      chunk = this.s.accessorChunk(name, c * CHUNK, Math.min(this.s.length, (c + 1) * CHUNK));
      chunks[c] = chunk;
    }
    const k = 2 * (i - c * CHUNK) + 1;
    const start = chunk.layout[k];
    if (start === NONE) return null;
    if (start >= WIDE) return chunk.wide.slice(start - WIDE, chunk.layout[k + 1]);
    return chunk.narrow.slice(start, chunk.layout[k + 1]);
  }

  // Called before any edit of one of the records.
  touch() {
    this.fieldChunks = null;
    this.accessors = null;
    return this.s;
  }
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
      this._b = new Batch(RecordStore.withNewRecord(leader));
      this._i = 0;
    } else {
      this._b = store;
      this._i = index;
    }
  }

  static _wrap(batch, index) {
    return new Record(undefined, batch, index);
  }

  // A record from {leader, fields: [{tag, value} | {tag, ind1, ind2, subfields: [{code, value}]}]}.
  static fromObject(object) {
    return Record._wrap(new Batch(RecordStore.fromObject(object)), 0);
  }

  // {leader, fields} in the @natlibfi/marc-record shape.
  toObject() {
    return { leader: this.leader, fields: this.fields() };
  }

  clone() {
    return Record._wrap(new Batch(this._b.s.copyRecord(this._i)), 0);
  }

  equals(other) {
    return other instanceof Record && this._b.s.equals(this._i, other._b.s, other._i);
  }

  get leader() { return this._b.accessor('leader', this._i); }
  set leader(value) { this._b.touch().setLeader(this._i, value); }
  get fieldCount() { return this._b.s.fieldCount(this._i); }

  // Every field, or those with one of the given tags, as plain objects (copies:
  // change the record with the editing methods below).
  fields(...tags) {
    // No tags (every field, the common call) skips the tag list.
    if (tags.length === 0) return this._b.fields(this._i);
    const t = tagList(tags);
    if (t === undefined) return this._b.fields(this._i);
    return fieldDataOf((buf) => this._b.s.fieldData(this._i, t, 0, buf));
  }

  // The first field with this tag, or null.
  get(tag) {
    const f = fieldDataOf((buf) => this._b.s.fieldData(this._i, tagList([tag]), 1, buf));
    return f.length ? f[0] : null;
  }

  // Positions (in fields()) of the fields with one of the given tags.
  fieldIndexes(...tags) { return this._b.s.fieldIndexes(this._i, tagList(tags)); }

  // The first subfield `code` of the first field `tag` (a control field's value when no code).
  subfield(tag, code) { return this._b.s.subfield(this._i, tag, code); }
  // Every subfield `code` of every field `tag`.
  subfields(tag, code) { return this._b.s.subfields(this._i, tag, code); }
  // pymarc value() of the first field `tag`.
  value(tag) { return this._b.s.value(this._i, tag); }
  // pymarc format_field() of the field at a position.
  formatField(position) { return this._b.s.formatField(this._i, position); }

  get title() { return this._b.accessor('title', this._i); }
  get issnTitle() { return this._b.accessor('issnTitle', this._i); }
  get author() { return this._b.accessor('author', this._i); }
  get uniformTitle() { return this._b.accessor('uniformTitle', this._i); }
  get isbn() { return this._b.accessor('isbn', this._i); }
  get issn() { return this._b.accessor('issn', this._i); }
  get issnl() { return this._b.accessor('issnl', this._i); }
  get sudoc() { return this._b.accessor('sudoc', this._i); }
  get publisher() { return this._b.accessor('publisher', this._i); }
  get pubyear() { return this._b.accessor('pubyear', this._i); }
  get subjects() { return this._group('subjects'); }
  get addedEntries() { return this._group('addedEntries'); }
  get series() { return this._group('series'); }
  get notes() { return this._group('notes'); }
  get location() { return this._group('location'); }
  get physicalDescription() { return this._group('physicalDescription'); }
  _group(name) { return fieldDataOf((buf) => this._b.s.groupData(this._i, name, buf)); }

  // Repairs lenient mode made while reading this record.
  get warnings() { return this._b.s.warnings(this._i); }

  addField(field) { return this._b.touch().addField(this._i, field); }
  addOrderedField(field) { return this._b.touch().addOrderedField(this._i, field); }
  addGroupedField(field) { return this._b.touch().addGroupedField(this._i, field); }
  insertField(position, field) { this._b.touch().insertField(this._i, position, field); }
  setField(position, field) { this._b.touch().setField(this._i, position, field); }
  removeFieldAt(position) { return this._b.touch().removeFieldAt(this._i, position); }
  removeFields(...tags) {
    const t = tagList(tags);
    return t === undefined ? 0 : this._b.touch().removeFields(this._i, t);
  }
  addSubfield(position, code, value, at) { this._b.touch().addSubfield(this._i, position, code, value, at); }
  deleteSubfield(position, code) { return this._b.touch().deleteSubfield(this._i, position, code); }
  setSubfield(position, code, value) { this._b.touch().setSubfield(this._i, position, code, value); }
  setIndicators(position, ind1, ind2) { this._b.touch().setIndicators(this._i, position, ind1, ind2); }
  setControlValue(position, value) { this._b.touch().setControlValue(this._i, position, value); }
  setTag(position, tag) { this._b.touch().setTag(this._i, position, tag); }

  // pymarc str(record): "=LDR  ..." and one MARCMaker line per field.
  toString() { return this._b.s.toText(this._i); }

  // ISO 2709 bytes; encoding 'utf8' (default, sets leader/09 'a'), 'marc8' or 'raw'.
  toIso2709(encoding) { return this._b.s.toIso2709(this._i, encoding); }
  // One MARCXML <record> element.
  toMarcXml() { return this._b.s.toMarcXml(this._i); }
  // MARC-in-JSON as an object, so JSON.stringify(record) gives MARC-in-JSON.
  toJSON() { return JSON.parse(this._b.s.toJsonString(this._i)); }
  // MARC-in-JSON text (pymarc as_json()).
  toJsonString() { return this._b.s.toJsonString(this._i); }
  // The MARC-in-JSON structure as msgpack.
  toMsgpack() { return this._b.s.toMsgpack(this._i); }
  // MARCMaker text.
  toMrk() { return this._b.s.toMrk(this._i); }
}

// The records of a store as Record handles.
function recordsOf(store) {
  return recordsOfBatch(new Batch(store));
}

function recordsOfBatch(batch) {
  const n = batch._s.length;
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = Record._wrap(batch, i);
  return out;
}

// The addon's error for a bad argument, for misuse found here.
const invalidUse = (detail) => native.invalidArgumentError(detail);

// Reads records from a path or a Buffer: for (const record of reader) ...,
// or for await (const record of reader) ... (read ahead on the libuv pool).
// options: { format: 'iso2709' | 'marcxml' | 'json' | 'ndjson' | 'msgpack' | 'mrk',
//            lenient: boolean, encoding: 'leader' | 'utf8' | 'marc8' | 'raw' | legacy label }
// In strict mode a bad record throws from the iteration (with code, recordIndex,
// byteOffset); calling next() again carries on after it. In lenient mode
// repairs are in record.warnings and unreadable records in reader.errors.
// A reader is iterated one way, sync or async, not both.
class MarcReader {
  constructor(pathOrBuffer, options) {
    this._native = new NativeReader(pathOrBuffer, options);
    this._current = null;
    this._batch = [];
    this._pos = 0;
    this._done = false;
    // Async iteration: the promises of the batches the pool reads ahead,
    // in order; the strict error to throw once the current batch's records
    // are out; the iterator; the lenient errors of the batches reached so far.
    this._ahead = [];
    this._stop = null;
    this._asyncIterator = null;
    this._asyncErrors = [];
    // The promise of an _enterAsync() under way.
    this._entering = null;
    this._iteratedSync = false;
  }

  // Makes a native store the current batch. The records handed out so far
  // stay usable: their batch drops only what it can parse again from the
  // bytes it keeps.
  _enter(store) {
    if (this._current !== null) {
      this._current.compact();
      this._current = null;
    }
    this._pos = 0;
    this._batch = [];
    if (store === null) return;
    this._current = new Batch(store);
    this._batch = recordsOfBatch(this._current);
  }

  next() {
    if (this._asyncIterator !== null) throw invalidUse('this reader is iterated with for await');
    if (this._pos === this._batch.length) {
      if (this._done) return { done: true, value: undefined };
      this._iteratedSync = true;
      this._enter(null);
      const store = this._native.nextBatch();
      if (store === null) {
        this._done = true;
        return { done: true, value: undefined };
      }
      this._enter(store);
    }
    return { done: false, value: this._batch[this._pos++] };
  }

  [Symbol.iterator]() { return this; }

  // for await: each batch is read, parsed and made ready for JS on the
  // libuv pool, the next two while JS works on the current one.
  [Symbol.asyncIterator]() {
    if (this._iteratedSync) throw invalidUse('this reader is iterated synchronously');
    if (this._asyncIterator === null) {
      this._asyncIterator = {
        next: () => this._nextAsync(),
        return: (value) => this._closeAsync(value),
        [Symbol.asyncIterator]() { return this; },
      };
    }
    return this._asyncIterator;
  }

  _nextAsync() {
    // A next() called before the previous one settled waits for it.
    if (this._entering !== null) {
      const again = () => this._nextAsync();
      return this._entering.then(again, again);
    }
    if (this._pos < this._batch.length) {
      return Promise.resolve({ done: false, value: this._batch[this._pos++] });
    }
    this._entering = this._enterAsync().finally(() => { this._entering = null; });
    return this._entering;
  }

  async _enterAsync() {
    for (;;) {
      if (this._stop !== null) {
        const e = this._stop;
        this._stop = null;
        throw e;
      }
      if (this._ahead.length === 0 && this._done) {
        this._enter(null);
        return { done: true, value: undefined };
      }
      this._readAhead();
      const batch = await this._ahead.shift();
      if (batch.end) {
        this._done = true;
        // Asked for after the end: they find nothing (a failure there has
        // nobody to go to, and must not be an unhandled rejection).
        for (const late of this._ahead) late.catch(() => {});
        this._ahead = [];
      }
      // The pool reads the next batches while JS works on this one.
      this._readAhead();
      for (const e of batch.errors) this._asyncErrors.push(e);
      this._stop = batch.stop;
      if (batch.store !== null) {
        this._enter(batch.store);
        return { done: false, value: this._batch[this._pos++] };
      }
    }
  }

  _readAhead() {
    while (!this._done && this._ahead.length < READ_AHEAD) this._ahead.push(this._native.nextBatchAsync());
  }

  // Ends an async iteration (for await's break, return or throw): waits for
  // the batch being read, then closes the input.
  async _closeAsync(value) {
    if (this._entering !== null) await this._entering.catch(() => {});
    this._done = true;
    this._stop = null;
    this._batch = [];
    this._pos = 0;
    const ahead = this._ahead;
    this._ahead = [];
    for (const batch of ahead) await batch.catch(() => {});
    this._native.close();
    return { done: true, value };
  }

  // Records lenient mode could not read, as Errors (so far).
  get errors() {
    return this._asyncIterator === null ? this._native.errors() : this._asyncErrors.slice();
  }

  // Batches read so far, by the reader's thread (sync) or the libuv pool
  // (async): how far reading has run ahead of the iteration.
  get batchesRead() { return this._native.batchesRead; }

  // When the batch of the last record handed out was read (ms since the
  // Unix epoch, on the thread that read it): { start, end }, or null.
  get timing() {
    const t = this._current === null ? null : this._current._s.timing;
    return t ? { start: t[0], end: t[1] } : null;
  }

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
    this._native.write(record._b.s, record._i);
    return this;
  }

  // Closes the output; returns the bytes when writing to memory.
  finish() { return this._native.finish(); }
}

module.exports = { Record, MarcReader, MarcWriter, readFile, parse };
