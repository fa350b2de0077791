'use strict';
// Where the CPU time of "read + every field" goes, sync reader: CPU per
// record (every thread) of reading alone, of read + every field, and of
// read + every field twice per record (the second fields() call decodes
// the chunk the first one built: what JS spends making the objects of the
// @natlibfi shape). Then the main thread's CPU time of building the field
// chunks alone (the native fieldsChunk call: encoding and V8's copies), the
// work the reading thread takes over when JS is the slower side.
// Medians of ROUNDS runs.
// Usage: node bench/node/parts.js FILE [ROUNDS]
const os = require('node:os');
const path = require('node:path');
const pkg = path.join(__dirname, '..', '..', 'bindings', 'node');
const mrrc = require(pkg);
const native = require(path.join(pkg, 'mrrc.node'));
const { median, everyField, mainThreadCpu } = require('./common');

const file = process.argv[2];
const ROUNDS = Number(process.argv[3] || 3);
if (!file) throw new Error('usage: node bench/node/parts.js FILE [ROUNDS]');

const work = {
  'read alone': () => 0,
  'read + every field': (r) => everyField(r.fields()),
  'read + every field twice': (r) => everyField(r.fields()) + everyField(r.fields()),
};
const perRecord = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(work)) {
    const c0 = process.cpuUsage();
    let n = 0;
    let check = 0;
    for (const r of new mrrc.MarcReader(file)) {
      n++;
      check += run(r);
    }
    const c = process.cpuUsage(c0);
    if (check < 0) throw new Error('unreachable');
    (perRecord[name] ??= []).push((c.user + c.system) / n);
  }
}
const chunks = [];
for (let round = 0; round < ROUNDS; round++) {
  const reader = new native.NativeReader(file);
  let ns = 0;
  let n = 0;
  for (let store = reader.nextBatch(); store !== null; store = reader.nextBatch()) {
    for (let s = 0; s < store.length; s += 64) {
      const end = Math.min(store.length, s + 64);
      // The first call may take a chunk the reading thread built ahead;
      // the second builds it here.
      store.fieldsChunk(s, end);
      const t0 = mainThreadCpu();
      store.fieldsChunk(s, end);
      ns += (mainThreadCpu() - t0) * 1e9;
    }
    n += store.length;
  }
  chunks.push(ns / n / 1000);
}
console.log(`${new Date().toISOString()}; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const [name, xs] of Object.entries(perRecord)) {
  console.log(`${name}: ${median(xs).toFixed(2)} µs CPU/record (runs ${xs.map((x) => x.toFixed(2)).join(', ')})`);
}
console.log(`building the field chunks alone (main thread): ${median(chunks).toFixed(2)} µs CPU/record ` +
  `(runs ${chunks.map((x) => x.toFixed(2)).join(', ')})`);
