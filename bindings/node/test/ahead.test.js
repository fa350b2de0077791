'use strict';
// The builder thread of a readFile / parse result (src/ahead.rs): after the
// promise settles, chunks after the one JS asked for last are built on a
// thread of the result's own; the main thread builds those it reaches first.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { mrrc, data, freeUnreachable } = require('./helpers');

const { parse, MarcReader } = mrrc;

// 600 records: ten chunks of 64.
const one = fs.readFileSync(data('pymarc_test_camel.mrc'));
const big = Buffer.concat(Array.from({ length: 60 }, () => one));
const expected = new MarcReader(big).readAll().map((r) => JSON.stringify(r.fields()));
const expectedTitles = new MarcReader(big).readAll().map((r) => r.title);

const store = (records) => records[0]._b._s;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits (up to 10 s) until the builder thread has `n` chunks ready.
async function readyOnThread(records, n) {
  for (let i = 0; i < 1000 && store(records).chunksReadyOnThread < n; i++) await sleep(10);
  assert.ok(store(records).chunksReadyOnThread >= n, `${store(records).chunksReadyOnThread} chunks ready`);
}

// A per-record call or an edit (here, or in an earlier test) asks later
// reads to keep their records parsed, which builds on the pool before the
// promise settles instead; eight results freed without such a call forget
// that ask.
async function forgetAsks() {
  await freeUnreachable();
  for (let i = 0; i < 8; i++) await parse(one);
  await freeUnreachable();
}

// The threads of this process named mrrc-ahead, with their CPU ticks
// (utime + stime); null where /proc is not there.
function aheadThreads() {
  try {
    return fs.readdirSync('/proc/self/task').flatMap((t) => {
      try {
        if (fs.readFileSync(`/proc/self/task/${t}/comm`, 'latin1').trim() !== 'mrrc-ahead') return [];
        const stat = fs.readFileSync(`/proc/self/task/${t}/stat`, 'latin1');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [{ tid: t, state: f[0], ticks: Number(f[11]) + Number(f[12]) }];
      } catch {
        return [];
      }
    });
  } catch {
    return null;
  }
}

test('records read the same whichever thread built their chunk, edits included', async () => {
  await forgetAsks();
  const records = await parse(big);
  // In order, waiting for the thread after the first chunk: chunks 1-4
  // come from it.
  assert.equal(JSON.stringify(records[0].fields()), expected[0]);
  await readyOnThread(records, 4);
  assert.deepEqual(records.map((r) => JSON.stringify(r.fields())), expected);
  assert.ok(store(records).chunksTakenFromThread >= 4, `${store(records).chunksTakenFromThread} chunks from the thread`);

  // Titles likewise (this result was not asked for titles before).
  assert.equal(records[0].title, expectedTitles[0]);
  await readyOnThread(records, 1);
  assert.deepEqual(records.map((r) => r.title), expectedTitles);

  // Backwards: no ask in order, every chunk built by the main thread.
  const back = await parse(big);
  const again = [];
  for (let i = back.length - 1; i >= 0; i--) again[i] = JSON.stringify(back[i].fields());
  assert.deepEqual(again, expected);
  assert.equal(store(back).chunksTakenFromThread, 0);

  // An edit to a record of a chunk the thread has built: not handed out stale.
  const edited = await parse(big);
  edited[0].fields();
  await readyOnThread(edited, 4);
  const added = { tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'added after the thread built it' }] };
  edited[130].addField(added);
  const shapes = edited.map((r) => JSON.stringify(r.fields()));
  assert.deepEqual(JSON.parse(shapes[130]).at(-1), added);
  shapes[130] = JSON.stringify(JSON.parse(shapes[130]).slice(0, -1));
  assert.deepEqual(shapes, expected);
});

test('two results consumed interleaved, and one consumed after another read started, read the same', async () => {
  await forgetAsks();
  const [a, b] = await Promise.all([parse(big), parse(big)]);
  for (let i = 0; i < a.length; i++) {
    assert.equal(JSON.stringify(a[i].fields()), expected[i], `a ${i}`);
    assert.equal(JSON.stringify(b[i].fields()), expected[i], `b ${i}`);
  }
  const first = await parse(big);
  const next = parse(big);
  const shapes = first.map((r) => JSON.stringify(r.fields()));
  const second = await next;
  assert.deepEqual(shapes, expected);
  assert.deepEqual(second.map((r) => JSON.stringify(r.fields())), expected);
});

test('the builder thread sleeps once it is a window ahead, and ends when its result is freed mid-iteration', async () => {
  if (aheadThreads() === null) return; // no /proc
  await forgetAsks();
  let records = await parse(big);
  records[0].fields();
  await readyOnThread(records, 4);
  const mine = aheadThreads();
  assert.ok(mine.length >= 1);
  // A window ahead: it waits for the next ask without using the CPU.
  await sleep(50);
  const before = aheadThreads();
  await sleep(300);
  const after = aheadThreads();
  for (const t of after) {
    const b = before.find((x) => x.tid === t.tid);
    if (b !== undefined) assert.equal(t.ticks, b.ticks, `thread ${t.tid} used the CPU while waiting`);
    assert.equal(t.state, 'S');
  }
  // Freed half-way: its thread ends.
  records = null;
  await freeUnreachable();
  for (let i = 0; i < 500 && aheadThreads().length > 0; i++) await sleep(10);
  assert.deepEqual(aheadThreads(), []);
});
