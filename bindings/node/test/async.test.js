'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { mrrc, data, freeUnreachable, CAMEL } = require('./helpers');

const { readFile, parse, MarcReader } = mrrc;

test('readFile gives the same records as the sync reader', async () => {
  const records = await readFile(data('pymarc_test_camel.mrc'));
  assert.deepEqual(records.map((r) => [r.title, r.isbn, r.author]), CAMEL);
  assert.deepEqual(records.errors, []);
});

test('readFile / parse build what JS asked earlier results for; fields(), title and edits still match the sync reader', async () => {
  // 600 records: ten chunks of 64, more than a batch keeps in JS at once.
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  const big = Buffer.concat(Array.from({ length: 60 }, () => one));
  const expected = new MarcReader(big).readAll().map((r) => JSON.stringify(r.fields()));
  const added = { tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'added after reading' }] };

  const expectedTitles = new MarcReader(big).readAll().map((r) => r.title);
  // What JS asks one async result for, later async reads build ahead
  // (a one-thread ISO 2709 read: after settling, see ahead.test.js).
  const first = await parse(big);
  assert.deepEqual(first.map((r) => JSON.stringify(r.fields())), expected);
  assert.deepEqual(first.map((r) => r.title), expectedTitles);

  const records = await parse(big);
  assert.equal(records.length, 600);
  // An edit before any fields() call: its chunk (records 64-127) must not
  // be handed out stale if it was built ahead; the other chunks are.
  records[70].addField(added);
  const shapes = records.map((r) => JSON.stringify(r.fields()));
  assert.deepEqual(JSON.parse(shapes[70]).at(-1), added);
  shapes[70] = JSON.stringify(JSON.parse(shapes[70]).slice(0, -1));
  assert.deepEqual(shapes, expected);
  // Again, backwards: chunks no longer kept in JS are rebuilt from the records.
  const again = records.map((_, i) => records[records.length - 1 - i]).map((r) => JSON.stringify(r.fields())).reverse();
  again[70] = JSON.stringify(JSON.parse(again[70]).slice(0, -1));
  assert.deepEqual(again, expected);
  // The per-record path (tags given) agrees with the chunks.
  const tags = [...new Set(records[5].fields().map((f) => f.tag))];
  assert.deepEqual(records[5].fields(...tags), records[5].fields());
  // Likewise the title chunks: an edit before the first title call.
  records[75].setSubfield(records[75].fieldIndexes('245')[0], 'a', 'Changed after reading');
  const titles = records.map((r) => r.title);
  assert.match(titles[75], /^Changed after reading/);
  titles[75] = expectedTitles[75];
  assert.deepEqual(titles, expectedTitles);
});

test('async reads stop building what eight results in a row were not asked for', async () => {
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  const big = Buffer.concat(Array.from({ length: 10 }, () => one));
  const builtAhead = (records) => records[0]._b._s.chunksBuiltAhead;
  const free = freeUnreachable;
  // The parallel reader's reads build on the pool what earlier results
  // were asked for (a one-thread ISO 2709 read only checks there, and
  // builds after settling: see the tests of the builder thread).
  const read = () => parse(big, { threads: 2 });

  // The results of earlier tests first, so that none is freed among the
  // eight below.
  await free();
  for (const r of await read()) void r.title;
  assert.ok(builtAhead(await read()) > 0);
  await free();
  for (let i = 0; i < 8; i++) await read();
  await free();
  // Asked for nothing in eight results: the ninth builds nothing ahead.
  const later = await read();
  assert.equal(builtAhead(later), 0);
  // Asked again, later reads build again.
  void later[0].title;
  assert.ok(builtAhead(await read()) > 0);
});

test('accessor values read from views of checked records\' bytes match the sync reader\'s, every accessor, clean and repaired records', async () => {
  const ACCESSORS = ['leader', 'title', 'issnTitle', 'author', 'uniformTitle', 'isbn', 'issn', 'issnl', 'sudoc', 'publisher', 'pubyear'];
  const values = (records) => records.map((r) => ACCESSORS.map((a) => r[a]));
  const free = freeUnreachable;
  // Eight results freed without a per-record call, so that an earlier
  // ask to keep records parsed expires and reads check without building.
  await free();
  for (let i = 0; i < 8; i++) await parse(fs.readFileSync(data('pymarc_test_camel.mrc')));
  await free();
  let found = 0;
  for (const [name, options] of [['marc4j_chabon.mrc', {}], ['pymarc_test_camel.mrc', {}], ['pymarc_bad_records.mrc', { lenient: true }], ['pymarc_marc8.mrc', {}], ['pymarc_cp1251_cyrillic.mrc', { encoding: 'cp1251' }], ['pymarc_utf8_with_leader_flag.mrc', {}]]) {
    const sync = new MarcReader(data(name), options).readAll();
    const want = values(sync);
    // Records checked without being built: their accessor values come
    // from views of their bytes (built by the main thread or the result's
    // builder thread), the repaired records' from the parsed records.
    const read = await readFile(data(name), options);
    const repaired = sync.filter((r) => r.warnings.length > 0).length;
    assert.equal(read[0]._b._s.recordsParsed, repaired, name);
    assert.deepEqual(values(read), want, name);
    assert.equal(read[0]._b._s.recordsParsed, repaired, name);
    found += want.flat().filter((v) => v !== null && v !== undefined).length;
  }
  assert.ok(found > 0);
});

test('fields() jumping between chunks of one slot fetches records alone instead of rebuilding a chunk each time', async () => {
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  const big = Buffer.concat(Array.from({ length: 60 }, () => one));
  const expected = new MarcReader(big).readAll().map((r) => JSON.stringify(r.fields()));
  const records = await parse(big);
  const { RecordStore } = require('../mrrc.node');
  const counted = { fieldsChunk: 0, fieldData: 0 };
  const originals = {};
  for (const name of Object.keys(counted)) {
    originals[name] = RecordStore.prototype[name];
    RecordStore.prototype[name] = function (...args) {
      counted[name]++;
      return originals[name].apply(this, args);
    };
  }
  try {
    // Records 0-99 and 256-355: chunks 0-1 and 4-5, which share slots 0-1.
    const order = [];
    for (let i = 0; i < 100; i++) order.push(i, 256 + i);
    for (const i of order) assert.equal(JSON.stringify(records[i].fields()), expected[i], `record ${i}`);
    // Each switch between two chunks used to rebuild one (200 chunks of 64
    // records); now a slot keeps its chunk until it served FEW_USES (8)
    // records, fetching the others alone: at most one chunk per 8 calls.
    assert.ok(counted.fieldsChunk <= order.length / 8, `${counted.fieldsChunk} chunks built`);
    assert.ok(counted.fieldData >= order.length / 4, `${counted.fieldData} records fetched alone`);
    // Sequential access afterwards builds chunks again.
    counted.fieldsChunk = 0;
    counted.fieldData = 0;
    for (let i = 384; i < 600; i++) assert.equal(JSON.stringify(records[i].fields()), expected[i], `record ${i}`);
    assert.ok(counted.fieldData <= 3 * 64, `${counted.fieldData} records fetched alone`);
    assert.ok(counted.fieldsChunk >= 1, `${counted.fieldsChunk} chunks built`);
  } finally {
    Object.assign(RecordStore.prototype, originals);
  }
});

test('a readFile / parse result is told to V8 as external memory at the next read, not before, and never once freed', async () => {
  const native = require('../mrrc.node');
  const settle = freeUnreachable;
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  // 2,000 records: some MB of parsed records, far above the noise.
  const big = Buffer.concat(Array.from({ length: 200 }, () => one));
  await settle();
  const base = native.externalMemory();
  let first = await parse(big);
  assert.equal(first.length, 2000);
  // Handed to JS, not yet told (telling V8 now would start a collection
  // that can free nothing: the result is live).
  assert.ok(native.externalMemory() - base < 1e6, `${native.externalMemory() - base} bytes told at once`);
  // The next read tells V8 about the earlier result, still alive here.
  let next = parse(big);
  const told = native.externalMemory() - base;
  assert.ok(told > 1e6, `${told} bytes told at the next read`);
  let second = await next;
  // (The settled promise holds the result too.)
  next = null;
  assert.equal(first[1999].title, CAMEL[9][0]);
  // Freed: what was told is taken back.
  first = null;
  await settle();
  assert.ok(native.externalMemory() - base < 1e6, `${native.externalMemory() - base} bytes left after the first result was freed`);
  // The second result is freed before any other read: never told at all.
  assert.equal(second[0].title, CAMEL[0][0]);
  second = null;
  await settle();
  const r = await parse(one);
  assert.equal(r.length, 10);
  assert.ok(Math.abs(native.externalMemory() - base) < 1e6, `${native.externalMemory() - base} bytes left after both were freed`);
});

test('a worker thread\'s read tells its own V8 heap about its own results only', async () => {
  const native = require('../mrrc.node');
  const { Worker } = require('node:worker_threads');
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  const big = Buffer.concat(Array.from({ length: 200 }, () => one));
  const first = await parse(big);
  const base = native.externalMemory();
  // A read in a worker: it must leave this thread's result to this thread.
  const worker = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const { parse } = require(workerData.pkg);
    parse(Buffer.from(workerData.one)).then((r) => parentPort.postMessage(r.length));
  `, { eval: true, workerData: { pkg: require.resolve('..'), one } });
  const read = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  assert.equal(read, 10);
  await worker.terminate();
  let next = parse(one);
  const told = native.externalMemory() - base;
  assert.ok(told > 1e6, `${told} bytes told of this thread's earlier result`);
  assert.equal((await next).length, 10);
  next = null;
  assert.equal(first.length, 2000);
});

test('parse reads a Buffer in any format', async () => {
  const records = await parse(fs.readFileSync(data('marc4j_chabon.xml')), { format: 'marcxml' });
  const sync = new MarcReader(data('marc4j_chabon.mrc')).readAll();
  assert.deepEqual(records.map((r) => r.toObject()), sync.map((r) => r.toObject()));
});

test('strict async reads reject with the first error; lenient ones resolve', async () => {
  await assert.rejects(readFile(data('pymarc_bad_records.mrc')),
    (e) => e instanceof Error && e.code === 'MRRC_BASE_ADDRESS' && e.recordIndex === 1 && e.byteOffset === 139);
  await assert.rejects(readFile(data('missing.mrc')), { code: 'MRRC_IO' });
  const lenient = await readFile(data('pymarc_bad_records.mrc'), { lenient: true });
  assert.equal(lenient.length, 7);
  assert.deepEqual(lenient.errors.map((e) => e.code), ['MRRC_NO_FIELDS', 'MRRC_TRUNCATED_RECORD']);
});

test('two async reads run at the same time on the thread pool', async () => {
  // Big enough that each read takes a while; the proof is the worker-side
  // timestamps: each read started before the other finished.
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  const big = Buffer.concat(Array.from({ length: 10000 }, () => one));
  const [a, b] = await Promise.all([parse(big), parse(big)]);
  assert.equal(a.length, 100000);
  assert.equal(b.length, 100000);
  assert.ok(a.timing.start < b.timing.end && b.timing.start < a.timing.end,
    `intervals ${JSON.stringify(a.timing)} and ${JSON.stringify(b.timing)} do not overlap`);
});

test('threads: the parallel reader gives what the streaming one gives', async () => {
  // About 20 MB, so the parallel reader works through several 8 MiB chunks.
  const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
  const big = Buffer.concat(Array.from({ length: 3000 }, () => one));
  const shape = (records) => records.map((r) => JSON.stringify(r.toObject()));
  const [single, parallel] = await Promise.all([parse(big), parse(big, { threads: 2 })]);
  assert.equal(parallel.length, 30000);
  assert.deepEqual(shape(parallel), shape(single));

  const file = data('pymarc_bad_records.mrc');
  const errorsOf = (list) => list.errors.map((e) => [e.code, e.recordIndex, e.byteOffset]);
  const lenient = await readFile(file, { lenient: true });
  const lenientParallel = await readFile(file, { lenient: true, threads: 2 });
  assert.deepEqual(shape(lenientParallel), shape(lenient));
  assert.deepEqual(lenientParallel.map((r) => r.warnings.length), lenient.map((r) => r.warnings.length));
  assert.deepEqual(errorsOf(lenientParallel), errorsOf(lenient));
  await assert.rejects(readFile(file, { threads: 2 }),
    (e) => e.code === 'MRRC_BASE_ADDRESS' && e.recordIndex === 1 && e.byteOffset === 139);
  await assert.rejects(readFile(data('marc4j_chabon.xml'), { format: 'marcxml', threads: 2 }),
    { code: 'MRRC_INVALID_ARGUMENT' });
  await assert.rejects(parse(one, { threads: 0 }), { code: 'MRRC_INVALID_ARGUMENT' });
});

test('readFile / parse keep each ISO 2709 record\'s bytes and parse them again when asked: every record, repaired or not, matches the sync reader', async () => {
  // Eight results freed without a per-record call: the ask to keep
  // records parsed (made by earlier tests, and by each file below)
  // expires, so the next read keeps bytes.
  const free = freeUnreachable;
  const forgetAsks = async () => {
    await free();
    for (let i = 0; i < 8; i++) await parse(fs.readFileSync(data('pymarc_test_camel.mrc')));
    await free();
  };
  for (const [name, options] of [['pymarc_bad_records.mrc', { lenient: true }], ['marc4j_chabon.mrc', {}], ['pymarc_test_camel.mrc', { encoding: 'utf8' }], ['pymarc_marc8.mrc', {}], ['pymarc_cp1251_cyrillic.mrc', { encoding: 'cp1251' }]]) {
    const sync = new MarcReader(data(name), options).readAll();
    await forgetAsks();
    const read = await readFile(data(name), options);
    assert.equal(read.length, sync.length, name);
    // Only the records lenient mode repaired are held parsed.
    const repaired = sync.filter((r) => r.warnings.length > 0).length;
    assert.equal(read[0]._b._s.recordsParsed, repaired, name);
    for (let i = 0; i < sync.length; i++) {
      // The per-record calls first (no chunk built for them), then the
      // whole record, the bytes, the repairs and an edit.
      assert.equal(read[i].subfield('245', 'a'), sync[i].subfield('245', 'a'), `${name} ${i}`);
      assert.deepEqual(read[i].toObject(), sync[i].toObject(), `${name} ${i}`);
      assert.deepEqual(read[i].toIso2709(), sync[i].toIso2709(), `${name} ${i}`);
      assert.deepEqual(read[i].warnings, sync[i].warnings, `${name} ${i}`);
      assert.ok(read[i].equals(sync[i]), `${name} ${i}`);
      read[i].setTag(0, '999');
      assert.equal(read[i].fields()[0].tag, '999');
    }
    // Asked for parsed records: the next read keeps its records parsed.
    const again = await readFile(data(name), options);
    assert.equal(again[0]._b._s.recordsParsed, again.length, name);
  }
});

test('field data of records checked clean, built from views of their bytes, matches the sync reader\'s parsed records: every ISO 2709 fixture of the core, strict and lenient', async () => {
  const dir = path.join(__dirname, '..', '..', '..', 'core', 'tests', 'data');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.mrc')).sort();
  assert.ok(files.length > 50, `${files.length} fixtures`);
  const camel = fs.readFileSync(data('pymarc_test_camel.mrc'));
  let fromViews = 0;
  for (const name of files) {
    for (const options of [{}, { lenient: true }]) {
      let sync;
      try {
        sync = new MarcReader(path.join(dir, name), options).readAll();
      } catch {
        continue; // strict mode rejects the file (so does readFile)
      }
      // Reads that keep bytes, not parsed records (see the test above).
      await freeUnreachable();
      for (let i = 0; i < 8; i++) await parse(camel);
      await freeUnreachable();
      const read = await readFile(path.join(dir, name), options);
      assert.equal(read.length, sync.length, name);
      if (read.length > 0) fromViews += read.length - read[0]._b._s.recordsParsed;
      const at = `${name} ${JSON.stringify(options)}`;
      assert.deepEqual(read.map((r) => r.fields()), sync.map((r) => r.fields()), at);
    }
  }
  assert.ok(fromViews > 1000, `${fromViews} records' field data from views`);
});

test('readFile and parse reuse the buffer of a freed result for a large input and read only the new input from it', async () => {
  // Files above the 4 MB from which a freed result's buffer is kept
  // (src/spare.rs): a larger file first, then a smaller one read into its
  // buffer, then one too large for it.
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mrrc-spare-'));
  const shape = (r) => JSON.stringify([r.leader, r.fields()]);
  try {
    const camel = fs.readFileSync(data('pymarc_test_camel.mrc'));
    const chabon = fs.readFileSync(data('marc4j_chabon.mrc'));
    const files = [[camel, 1000], [chabon, 3000], [camel, 1400]].map(([bytes, copies], i) => {
      const file = path.join(dir, `${i}.mrc`);
      fs.writeFileSync(file, Buffer.concat(Array.from({ length: copies }, () => bytes)));
      assert.ok(fs.statSync(file).size > 4 << 20);
      return { file, one: new MarcReader(bytes).readAll().map(shape), copies };
    });
    // Records read through chunks only: a per-record call (here or in an
    // earlier test) makes later reads keep records parsed instead of bytes.
    await freeUnreachable();
    await freeUnreachable();
    for (let i = 0; i < 8; i++) await parse(camel);
    for (const [k, { file, one, copies }] of [...files, files[1], files[0], files[2], files[1]].entries()) {
      await freeUnreachable();
      // readFile and parse alike (parse copies the Buffer into a kept buffer).
      const records = await (k % 2 ? parse(fs.readFileSync(file)) : readFile(file));
      assert.equal(records[0]._b._s.recordsParsed, 0, file);
      assert.equal(records.length, one.length * copies, file);
      records.forEach((r, i) => assert.equal(shape(r), one[i % one.length], `${file} ${i}`));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
