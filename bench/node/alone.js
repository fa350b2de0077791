'use strict';
// Diagnostic for the `for await` every-field row of bench.js: is the loop
// slower inside bench.js than alone, and why? Per round, each after
// settle(): the loop alone; bench.js's loop function (shared with the title
// and two-file rows, so its optimized code has seen them all); the loop
// right after a marcjs run of the same file (what precedes it in bench.js's
// rounds: a big heap behind, one core busy for seconds); the loop after a
// CPU-bound JS loop as long as marcjs's. For each: the median wall time, the
// main thread's involuntary context switches (preemptions) in the run, and
// the wall time spent inside nextBatchAsync, the call that queues a pool
// task and wakes a pool thread.
// Usage: node bench/node/alone.js FILE [ROUNDS] (Linux: /proc for the switches)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const pkg = path.join(__dirname, '..', '..', 'bindings', 'node');
const mrrc = require(pkg);
const native = require(path.join(pkg, 'mrrc.node'));
const { Marc } = require(path.join(pkg, 'node_modules', 'marcjs'));
const { median, everyField, mrrcForAwait, splitFiles, settle } = require('./common');

const file = process.argv[2];
const ROUNDS = Number(process.argv[3] || 7);
if (!file) throw new Error('usage: node bench/node/alone.js FILE [ROUNDS]');
const { names: [a], dir } = splitFiles(file, 50000, 'mrrc-alone-');

// Involuntary context switches of the main thread so far.
function preemptions() {
  try {
    const status = fs.readFileSync(`/proc/self/task/${process.pid}/status`, 'latin1');
    return Number(/^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(status)[1]);
  } catch {
    return NaN;
  }
}

// Wall time inside nextBatchAsync, summed over a run.
let inAsk = 0n;
const ask = native.NativeReader.prototype.nextBatchAsync;
native.NativeReader.prototype.nextBatchAsync = function nextBatchAsync() {
  const t0 = process.hrtime.bigint();
  try {
    return ask.call(this);
  } finally {
    inAsk += process.hrtime.bigint() - t0;
  }
};

function marcjs() {
  return new Promise((resolve) => {
    let check = 0;
    const parser = Marc.createStream('Iso2709', 'Parser');
    fs.createReadStream(a).pipe(parser);
    parser.on('data', (r) => {
      for (const f of r.fields) for (let i = 1; i < f.length; i++) check += f[i].length;
    });
    parser.on('end', () => resolve(check));
  });
}

async function alone() {
  let check = 0;
  for await (const r of new mrrc.MarcReader(a)) check += everyField(r.fields());
  return check;
}

// bench.js's loop function (common.js's, shared with its other rows).
const benchLoop = (files, work) => mrrcForAwait(mrrc, files, work);

let marcjsSeconds = 1.8;
function cpuLoop() {
  const end = performance.now() + marcjsSeconds * 1000;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 10000; i++) x += i;
  return x;
}

const runs = {
  alone: { before: null, run: alone },
  "bench.js's loop function": { before: null, run: () => benchLoop([a], 'all') },
  'after marcjs': { before: marcjs, run: alone },
  'after a CPU loop as long as marcjs': { before: cpuLoop, run: alone },
};

async function main() {
  const started = new Date().toISOString();
  const loadAtStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  // Warm-up, as bench.js: every shape of its loop function once.
  await benchLoop([a], 'title');
  await benchLoop([a, a], 'all');
  await alone();
  const t0 = performance.now();
  await marcjs();
  marcjsSeconds = (performance.now() - t0) / 1000;
  const out = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const marcjsRuns = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, { before, run }] of Object.entries(runs)) {
      if (before !== null) {
        await settle();
        const tb = performance.now();
        await before();
        if (before === marcjs) marcjsRuns.push((performance.now() - tb) / 1000);
      }
      await settle();
      inAsk = 0n;
      const p0 = preemptions();
      const t = performance.now();
      await run();
      out[name].push({ s: (performance.now() - t) / 1000, pre: preemptions() - p0, ask: Number(inAsk) / 1e9 });
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const mj = median(marcjsRuns);
  console.log(`file: ${a} (the first 50,000 records of ${file}); node ${process.version}; started ${started}; ` +
    `load at the start ${loadAtStart}, at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`medians of ${ROUNDS} interleaved rounds; marcjs read + every field ${mj.toFixed(3)} s`);
  console.log('| for await, read + every field | s (median) | vs marcjs | main thread preemptions | s inside nextBatchAsync | runs (s) |');
  console.log('|---|---:|---:|---:|---:|---|');
  for (const [name, xs] of Object.entries(out)) {
    const s = median(xs.map((x) => x.s));
    console.log(`| ${name} | ${s.toFixed(3)} | ${(mj / s).toFixed(1)}x | ${median(xs.map((x) => x.pre))} | ` +
      `${median(xs.map((x) => x.ask)).toFixed(3)} | ${xs.map((x) => x.s.toFixed(3)).join(' ')} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
