'use strict';
// for await over a MarcReader: batches read on the libuv pool, two ahead of JS.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { mrrc, data, corpusFiles, CAMEL } = require('./helpers');

const { MarcReader } = mrrc;

const camel = fs.readFileSync(data('pymarc_test_camel.mrc'));
// `copies` times the 10 camel records.
const camels = (copies) => Buffer.concat(Array.from({ length: copies }, () => camel));

// An iteration as a list: each record (its object and warnings) or error
// (code, record index, byte offset, message), in order; a strict-mode
// error is followed by what next() gives after it, as the sync reader's is.
const recordEvent = (r) => JSON.stringify([r.toObject(), r.warnings.map((w) => [w.code, w.recordIndex, w.byteOffset])]);
function errorEvent(e) {
  assert.ok(e instanceof Error && typeof e.code === 'string', `not a mrrc error: ${e}`);
  return JSON.stringify(['error', e.code, e.recordIndex, e.byteOffset, e.message]);
}
// More events than any corpus file has: an iteration that never ends.
const MAX_EVENTS = 100000;

function syncEvents(input, options) {
  const reader = new MarcReader(input, options);
  const events = [];
  while (events.length < MAX_EVENTS) {
    try {
      const next = reader.next();
      if (next.done) break;
      events.push(recordEvent(next.value));
    } catch (e) {
      events.push(errorEvent(e));
    }
  }
  return { events, errors: reader.errors.map(errorEvent) };
}

async function asyncEvents(input, options) {
  const reader = new MarcReader(input, options);
  const records = reader[Symbol.asyncIterator]();
  const events = [];
  while (events.length < MAX_EVENTS) {
    try {
      const next = await records.next();
      if (next.done) break;
      events.push(recordEvent(next.value));
    } catch (e) {
      events.push(errorEvent(e));
    }
  }
  return { events, errors: reader.errors.map(errorEvent) };
}

const CORPUS = corpusFiles();

test('for await gives what the sync reader gives for every corpus file, strict and lenient, path and Buffer',
  { skip: CORPUS.length === 0 && 'no corpus (set MRRC_CORPUS)' }, async (t) => {
    let batches = 0;
    for (const { name, file, format } of CORPUS) {
      await t.test(name, async () => {
        const bytes = fs.readFileSync(file);
        for (const lenient of [false, true]) {
          const options = { format, lenient };
          const expected = syncEvents(file, options);
          assert.ok(expected.events.length < MAX_EVENTS, `${name}: the sync reader does not end`);
          assert.deepEqual(await asyncEvents(file, options), expected, `${name}, lenient: ${lenient}, path`);
          assert.deepEqual(await asyncEvents(bytes, options), syncEvents(bytes, options),
            `${name}, lenient: ${lenient}, Buffer`);
          batches = Math.max(batches, Math.ceil(expected.events.length / 256));
        }
      });
    }
    // Some files take several batches, so batch boundaries are crossed.
    assert.ok(batches > 2, `the largest corpus file took ${batches} batches`);
  });

test('strict: for await rejects at the bad record after every earlier record, and next() carries on after it', async () => {
  // 600 good records (three batches), then pymarc's bad records, whose
  // second (record 601 here) has a bad base address.
  const input = Buffer.concat([camels(60), fs.readFileSync(data('pymarc_bad_records.mrc'))]);
  const reader = new MarcReader(input);
  const titles = [];
  await assert.rejects(async () => {
    for await (const r of reader) titles.push(r.title);
  }, (e) => e instanceof Error && e.code === 'MRRC_BASE_ADDRESS' && e.recordIndex === 601 &&
    e.byteOffset === camel.length * 60 + 139);
  assert.equal(titles.length, 601);
  assert.deepEqual(titles.slice(590, 600), CAMEL.map(([title]) => title));
  const records = reader[Symbol.asyncIterator]();
  await assert.rejects(records.next(), { code: 'MRRC_BASE_ADDRESS', recordIndex: 602 });
});

test('lenient: for await skips what it cannot read, reader.errors lists it, warnings as the sync reader', async () => {
  const file = data('pymarc_bad_records.mrc');
  const reader = new MarcReader(file, { lenient: true });
  const records = [];
  for await (const r of reader) records.push(r);
  const sync = new MarcReader(file, { lenient: true });
  const syncRecords = sync.readAll();
  assert.equal(records.length, 7);
  assert.deepEqual(records.map((r) => r.toObject()), syncRecords.map((r) => r.toObject()));
  assert.deepEqual(records.map((r) => r.warnings), syncRecords.map((r) => r.warnings));
  assert.deepEqual(reader.errors.map((e) => e.code), ['MRRC_NO_FIELDS', 'MRRC_TRUNCATED_RECORD']);
  const where = (e) => [e.code, e.recordIndex, e.byteOffset];
  assert.deepEqual(reader.errors.map(where), sync.errors.map(where));
});

test('other formats and Buffers go through the same batches', async () => {
  const xml = [];
  for await (const r of new MarcReader(fs.readFileSync(data('marc4j_chabon.xml')), { format: 'marcxml' })) xml.push(r);
  const iso = new MarcReader(data('marc4j_chabon.mrc')).readAll();
  assert.deepEqual(xml.map((r) => r.toObject()), iso.map((r) => r.toObject()));
  const json = [];
  for await (const r of new MarcReader(data('pymarc_batch.json'), { format: 'json' })) json.push(r.title);
  assert.deepEqual(json, ['The Great Ray Charles', 'The White House']);
});

// Descriptors of this process open on `file` (Linux).
const openOn = (file) => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
  } catch {
    return false;
  }
}).length;

test('break out of for await closes the input; the records kept stay usable', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mrrc-async-'));
  try {
    const file = path.join(dir, 'camel.mrc');
    fs.writeFileSync(file, camels(200));
    const reader = new MarcReader(file);
    const linux = fs.existsSync('/proc/self/fd');
    const kept = [];
    for await (const r of reader) {
      kept.push(r);
      if (linux) assert.equal(openOn(file), 1);
      if (kept.length === 300) break;
    }
    if (linux) assert.equal(openOn(file), 0);
    // Batches 2 and 3 (read ahead of batch 1) were let go; 4-7 never read.
    assert.equal(reader.batchesRead, 4);
    assert.deepEqual(await reader[Symbol.asyncIterator]().next(), { done: true, value: undefined });
    assert.deepEqual(kept.slice(0, 10).map((r) => r.title), CAMEL.map(([title]) => title));
    assert.deepEqual(kept.slice(290).map((r) => r.isbn), CAMEL.map(([, isbn]) => isbn));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Spins (holding the main thread) until `done()`; fails after 30 s.
function spinUntil(done, what) {
  const deadline = Date.now() + 30000;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`not within 30 s: ${what}`);
  }
}

test('the pool reads the next two batches while JS works on the current one, and no further', async () => {
  // 1,200 records: batches of 256 (0-3) and 176 (4).
  const reader = new MarcReader(camels(120));
  let n = 0;
  for await (const r of reader) {
    if (n === 0) {
      // JS holds the main thread in batch 0: batches 1 and 2 can only be
      // read elsewhere, and are, without JS asking again.
      spinUntil(() => reader.batchesRead === 3, 'batches 1 and 2 read while JS is in batch 0');
    }
    if (n === 1) {
      // The event loop runs; still nothing beyond batch 2 is read.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(reader.batchesRead, 3);
    }
    if (n === 256) {
      // Entering batch 1 asked for batch 3.
      spinUntil(() => reader.batchesRead === 4, 'batch 3 read while JS is in batch 1');
    }
    assert.equal(r.title, CAMEL[n % 10][0]);
    n++;
  }
  assert.equal(n, 1200);
  assert.equal(reader.batchesRead, 5);
});

// Each loop has two batches on their way, the second waiting on a pool
// thread for the first to be read: two loops' first batches run side by
// side when the pool has four threads (libuv's default).
const POOL_THREADS = Number(process.env.UV_THREADPOOL_SIZE || 4);

test('two for await loops over two files read at the same time on the pool',
  { skip: POOL_THREADS < 4 && `UV_THREADPOOL_SIZE=${POOL_THREADS}: four threads needed` }, async () => {
  // Records of some 70 KB (1,000 fields), so that reading a batch takes
  // tens of ms and two batches queued together are read side by side.
  const fields = Array.from({ length: 1000 }, (_, i) => ({
    tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: `note ${i} `.padEnd(50, 'x') }],
  }));
  const big = mrrc.Record.fromObject({ leader: '00000nam a2200000 a 4500', fields }).toIso2709();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mrrc-async-'));
  try {
    const files = ['a.mrc', 'b.mrc'].map((name) => path.join(dir, name));
    fs.writeFileSync(files[0], Buffer.concat([...Array.from({ length: 300 }, () => big), camel]));
    fs.writeFileSync(files[1], Buffer.concat([camel, ...Array.from({ length: 280 }, () => big)]));
    const [a, b] = files.map((file) => new MarcReader(file));
    // The pool's { start, end } of each batch, per reader.
    const spans = new Map([[a, []], [b, []]]);
    async function summaries(reader, other) {
      const out = [];
      for await (const r of reader) {
        if (out.length === 0 && other !== null) {
          // While JS holds the main thread in a's first batch, the pool
          // reads a's second batch and b's first.
          spinUntil(() => reader.batchesRead === 2 && other.batchesRead >= 1, 'both readers read ahead');
        }
        const t = reader.timing;
        const list = spans.get(reader);
        if (list.length === 0 || list.at(-1).start !== t.start) list.push(t);
        out.push(`${r.title} ${r.fieldCount}`);
      }
      return out;
    }
    const [sa, sb] = await Promise.all([summaries(a, b), summaries(b, null)]);
    const expected = (file) => new MarcReader(file).readAll().map((r) => `${r.title} ${r.fieldCount}`);
    assert.deepEqual(sa, expected(files[0]));
    assert.deepEqual(sb, expected(files[1]));
    assert.deepEqual([spans.get(a).length, spans.get(b).length], [2, 2]);
    // Both first batches were asked for together, before either was read.
    const [a0, b0] = [spans.get(a)[0], spans.get(b)[0]];
    assert.ok(a0.start < b0.end && b0.start < a0.end,
      `the first batches were read one after the other: ${JSON.stringify([a0, b0])}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('next() calls made before the previous ones settle still give the records in order', async () => {
  const records = new MarcReader(camels(30))[Symbol.asyncIterator]();
  const results = await Promise.all(Array.from({ length: 301 }, () => records.next()));
  assert.deepEqual(results.slice(0, 300).map((r) => r.value.title), Array.from({ length: 300 }, (_, i) => CAMEL[i % 10][0]));
  assert.deepEqual(results[300], { done: true, value: undefined });
  // Strict errors too: each call settles as it would have in turn.
  const file = data('pymarc_bad_records.mrc');
  const bad = new MarcReader(file)[Symbol.asyncIterator]();
  const settled = await Promise.allSettled(Array.from({ length: 11 }, () => bad.next()));
  const events = settled.map((s) => (s.status === 'fulfilled'
    ? (s.value.done ? 'done' : recordEvent(s.value.value))
    : errorEvent(s.reason)));
  assert.deepEqual(events, [...(await asyncEvents(file)).events, 'done', 'done']);
});

test('a reader is iterated one way: sync or for await', async () => {
  const sync = new MarcReader(camel);
  sync.next();
  assert.throws(() => sync[Symbol.asyncIterator](), { code: 'MRRC_INVALID_ARGUMENT' });
  const pooled = new MarcReader(camel);
  const records = pooled[Symbol.asyncIterator]();
  assert.equal((await records.next()).value.title, CAMEL[0][0]);
  assert.throws(() => pooled.next(), { code: 'MRRC_INVALID_ARGUMENT' });
  assert.equal(pooled[Symbol.asyncIterator](), records);
  // The misuse index.js finds has the shape of the addon's own errors.
  const shape = (e) => ({ ...e, detail: undefined, message: e.message.split(':')[0] });
  let fromJs;
  let fromRust;
  try { pooled.next(); } catch (e) { fromJs = e; }
  try { new MarcReader(camel, { format: 'pdf' }); } catch (e) { fromRust = e; }
  assert.ok(fromJs instanceof Error && fromRust instanceof Error);
  assert.deepEqual(shape(fromJs), shape(fromRust));
  assert.equal(fromJs.detail, 'this reader is iterated with for await');
});
