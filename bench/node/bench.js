'use strict';
// Records/s of mrrc-node against marcjs 3.0.2 on one ISO 2709 file, and the
// Promise.all speed-up over two files next to two controls known to scale on
// the libuv pool (crypto.pbkdf2, and a pure-Rust CPU loop run through the
// same napi AsyncTask path as readFile), all in one run.
// The machine is shared: every workload runs once per round, the rounds are
// interleaved (so all rows see the same load) and each row is the median
// over the rounds; ratios are taken from those medians. Each timed run
// starts after a full garbage collection (see settle() in common.js).
// Usage: node bench/node/bench.js FILE [RECORDS_PER_ASYNC_FILE] [ROUNDS]
// (scripts/test-node.sh must have built the addon and installed marcjs.)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const pkg = path.join(__dirname, '..', '..', 'bindings', 'node');
const mrrc = require(pkg);
const native = require(path.join(pkg, 'mrrc.node'));
const { Marc } = require(path.join(pkg, 'node_modules', 'marcjs'));
const { median, everyField, mrrcForAwait: forAwait, splitFiles, settle, now, mainThreadCpu } = require('./common');

const file = process.argv[2];
const asyncRecords = Number(process.argv[3] || 50000);
const ROUNDS = Number(process.argv[4] || 3);
if (!file) throw new Error('usage: node bench/node/bench.js FILE [RECORDS_PER_ASYNC_FILE] [ROUNDS]');
const poolSize = Number(process.env.UV_THREADPOOL_SIZE || 4);
if (poolSize < 2) throw new Error('UV_THREADPOOL_SIZE must be at least 2 for the Promise.all rows');


// Seconds each live thread has spent runnable but waiting for a CPU (Linux
// schedstat, nanoseconds), by thread id. Threads that end during a run (the
// sync reader's) take theirs with them, so only the libuv pool's rows use it.
function runQueueWait() {
  const out = new Map();
  try {
    for (const t of fs.readdirSync('/proc/self/task')) {
      try {
        out.set(t, Number(fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'latin1').split(' ')[1]) / 1e9);
      } catch { /* the thread ended */ }
    }
  } catch { /* not Linux */ }
  return out;
}

// Wall and CPU seconds: of every thread of the process (main, reader, pool,
// GC), and of the main thread alone; and the run-queue wait of the threads
// alive at the end.
async function measure(run) {
  await settle();
  const w0 = runQueueWait();
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpu();
  const t0 = now();
  const r = await run();
  const s = now() - t0;
  const c = process.cpuUsage(c0);
  const mainCpu = mainThreadCpu() - m0;
  let wait = 0;
  for (const [t, w] of runQueueWait()) wait += w - (w0.get(t) ?? 0);
  return { ...r, s, cpu: (c.user + c.system) / 1e6, mainCpu, wait };
}

// marcjs keeps fields as [tag, value] or [tag, indicators, code, value, ...].
function marcjsTitle(r) {
  const f = r.fields.find((x) => x[0] === '245');
  if (!f) return null;
  let a = null;
  let b = null;
  for (let i = 2; i < f.length; i += 2) {
    if (f[i] === 'a' && a === null) a = f[i + 1];
    if (f[i] === 'b' && b === null) b = f[i + 1];
  }
  return a ? (b ? `${a} ${b}` : a) : null;
}

function marcjs(work, input = file) {
  return new Promise((resolve) => {
    let n = 0;
    let check = 0;
    const parser = Marc.createStream('Iso2709', 'Parser');
    fs.createReadStream(input).pipe(parser);
    parser.on('data', (r) => {
      n++;
      if (work === 'title') check += (marcjsTitle(r) || '').length;
      else for (const f of r.fields) for (let i = 1; i < f.length; i++) check += f[i].length;
    });
    parser.on('end', () => resolve({ n, check }));
  });
}

function mrrcSync(work) {
  let n = 0;
  let check = 0;
  for (const r of new mrrc.MarcReader(file)) {
    n++;
    check += work === 'title' ? (r.title || '').length : everyField(r.fields());
  }
  return { n, check };
}

async function mrrcAsync(files, work, options) {
  const lists = await Promise.all(files.map((f) => mrrc.readFile(f, options)));
  let n = 0;
  let check = 0;
  for (const records of lists) {
    for (const r of records) {
      n++;
      check += work === 'title' ? (r.title || '').length : everyField(r.fields());
    }
  }
  return { n, check };
}

// for await over a MarcReader per file (see common.js).
const mrrcForAwait = (files, work) => forAwait(mrrc, files, work);

const pbkdf2 = (jobs) => Promise.all(Array.from({ length: jobs }, () => new Promise((res, rej) => {
  crypto.pbkdf2('secret', 'salt', 200000, 32, 'sha256', (e) => (e ? rej(e) : res()));
})));
// (An addon built before cpuControl existed runs without this control.)
const cpuLoop = (jobs) => (native.cpuControl
  ? Promise.all(Array.from({ length: jobs }, () => native.cpuControl(60)))
  : Promise.resolve());

// Runs every workload once per round, in the same order, `rounds` times;
// returns per workload the list of its measurements.
async function interleaved(rounds, workloads) {
  const out = Object.fromEntries(Object.keys(workloads).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, run] of Object.entries(workloads)) {
      const m = await measure(run);
      out[name].push(m);
      console.error(`round ${i + 1} ${name}: ${m.n ?? ''} ${m.s.toFixed(3)} s (cpu ${m.cpu.toFixed(3)} s)`);
    }
  }
  return out;
}

async function main() {
  const started = new Date().toISOString();
  const loadAtStart = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const { names: [a, b], dir } = splitFiles(file, asyncRecords, 'mrrc-bench-');
  await mrrcAsync([a], 'title'); // warm-up
  mrrcSync('title');
  await mrrcForAwait([a], 'title');

  const sync = await interleaved(ROUNDS, {
    'marcjs 3.0.2 stream, read + title': () => marcjs('title'),
    'mrrc-node MarcReader, read + title': () => mrrcSync('title'),
    'marcjs 3.0.2 stream, read + every field': () => marcjs('all'),
    'mrrc-node MarcReader, read + every field': () => mrrcSync('all'),
  });
  // The async rows read the 50,000-record file: their marcjs base is marcjs
  // on that file, in the same rounds (runs of similar length see similar
  // shares of the machine).
  const asyncRows = await interleaved(Math.max(ROUNDS, 5), {
    'marcjs 3.0.2 stream, read + title (1 file)': () => marcjs('title', a),
    'marcjs 3.0.2 stream, read + every field (1 file)': () => marcjs('all', a),
    'mrrc-node readFile, read + title (1 file)': () => mrrcAsync([a], 'title'),
    'mrrc-node readFile, read + every field (1 file)': () => mrrcAsync([a], 'all'),
    'mrrc-node Promise.all(readFile x2), read + title': () => mrrcAsync([a, b], 'title'),
    'mrrc-node Promise.all(readFile x2), read + every field': () => mrrcAsync([a, b], 'all'),
    'mrrc-node readFile { threads: 2 }, read + title (1 file)': () => mrrcAsync([a], 'title', { threads: 2 }),
    'mrrc-node readFile { threads: 2 }, read + every field (1 file)': () => mrrcAsync([a], 'all', { threads: 2 }),
    'mrrc-node for await MarcReader, read + title (1 file)': () => mrrcForAwait([a], 'title'),
    'mrrc-node for await MarcReader, read + every field (1 file)': () => mrrcForAwait([a], 'all'),
    'mrrc-node Promise.all(for await x2), read + title': () => mrrcForAwait([a, b], 'title'),
    'mrrc-node Promise.all(for await x2), read + every field': () => mrrcForAwait([a, b], 'all'),
  });
  // Reading alone (the records handed to JS, no per-record work), taken in
  // turn with the controls so that all see the same load.
  const scaling = await interleaved(Math.max(4 * ROUNDS, 11), {
    read1: () => mrrc.readFile(a).then((r) => ({ n: r.length })),
    read2: () => Promise.all([mrrc.readFile(a), mrrc.readFile(b)]).then((r) => ({ n: r[0].length + r[1].length })),
    pbkdf1: () => pbkdf2(1).then(() => ({})),
    pbkdf2: () => pbkdf2(2).then(() => ({})),
    loop1: () => cpuLoop(1).then(() => ({})),
    loop2: () => cpuLoop(2).then(() => ({})),
  });
  fs.rmSync(dir, { recursive: true, force: true });

  const row = (runs) => ({
    n: runs[0].n,
    s: median(runs.map((r) => r.s)),
    cpu: median(runs.map((r) => r.cpu)),
    mainCpu: median(runs.map((r) => r.mainCpu)),
    check: runs[0].check,
  });
  const rows = { ...sync, ...asyncRows };
  const mjTitle = row(sync['marcjs 3.0.2 stream, read + title']);
  const mjAll = row(sync['marcjs 3.0.2 stream, read + every field']);
  console.log(`file: ${file}; async files: ${asyncRecords} records each; node ${process.version}; ` +
    `${os.cpus().length} cpus; UV_THREADPOOL_SIZE ${poolSize}; started ${started}; ` +
    `load at the start ${loadAtStart}, at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`medians of ${ROUNDS} interleaved rounds (async rows ${Math.max(ROUNDS, 5)})`);
  // "Busiest thread": the larger of the main thread's CPU time and the rest
  // of the process's; records/s would be bounded by it if each had a core
  // (derived from CPU times, not a wall-clock measurement).
  const busiest = (r) => Math.max(r.mainCpu, r.cpu - r.mainCpu);
  console.log('| run | records | s (median) | records/s | vs marcjs | CPU µs/record | vs marcjs (CPU) | main thread CPU µs/record | busiest thread µs/record | vs marcjs (busiest thread) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, runs] of Object.entries(rows)) {
    const r = row(runs);
    const oneFile = name.includes('(1 file)') || name.includes('Promise.all');
    const base = oneFile
      ? row(asyncRows[`marcjs 3.0.2 stream, read + ${name.includes('title') ? 'title' : 'every field'} (1 file)`])
      : (name.includes('title') ? mjTitle : mjAll);
    const rate = r.n / r.s;
    const per = (x, n) => (x / n) * 1e6;
    const cpuPer = per(r.cpu, r.n);
    console.log(`| ${name} | ${r.n} | ${r.s.toFixed(2)} | ${Math.round(rate)} | ` +
      `${(rate / (base.n / base.s)).toFixed(1)}x | ${cpuPer.toFixed(1)} | ${(per(base.cpu, base.n) / cpuPer).toFixed(1)}x | ` +
      `${per(r.mainCpu, r.n).toFixed(1)} | ${per(busiest(r), r.n).toFixed(1)} | ` +
      `${(per(busiest(base), base.n) / per(busiest(r), r.n)).toFixed(1)}x |`);
  }
  const t = (k) => median(scaling[k].map((r) => r.s));
  const speedup = (one, two) => (2 * t(one)) / t(two);
  const read = speedup('read1', 'read2');
  const pb = speedup('pbkdf1', 'pbkdf2');
  const loop = speedup('loop1', 'loop2');
  const oneTitle = row(asyncRows['mrrc-node readFile, read + title (1 file)']);
  const twoTitle = row(asyncRows['mrrc-node Promise.all(readFile x2), read + title']);
  console.log(`Promise.all over 2 files vs 1 (readFile alone, medians of ${scaling.read1.length}): ` +
    `${read.toFixed(2)}x (${t('read1').toFixed(3)} s for one file, ${t('read2').toFixed(3)} s for two)`);
  console.log(`  control crypto.pbkdf2, 2 jobs vs 1: ${pb.toFixed(2)}x; readFile's speed-up as a fraction of it: ${(read / pb * 100).toFixed(0)}%`);
  if (native.cpuControl) {
    console.log(`  control Rust CPU loop through the same AsyncTask path, 2 vs 1: ${loop.toFixed(2)}x; as a fraction of it: ${(read / loop * 100).toFixed(0)}%`);
  }
  console.log(`  with read + title on the main thread: ${((twoTitle.n / twoTitle.s) / (oneTitle.n / oneTitle.s)).toFixed(2)}x`);
  // Where the time of the scaling runs went: CPU, and waiting for a CPU while
  // runnable (a thread that blocks, on a lock or I/O, shows as neither).
  // "cores" is CPU seconds per wall second: what the process got.
  console.log('  | run | wall s | CPU s | main thread CPU s | run-queue wait s | cores the process got |');
  console.log('  |---|---:|---:|---:|---:|---:|');
  for (const k of ['read1', 'read2', 'loop1', 'loop2', 'pbkdf1', 'pbkdf2']) {
    const m = (f) => median(scaling[k].map(f));
    console.log(`  | ${k} | ${m((r) => r.s).toFixed(3)} | ${m((r) => r.cpu).toFixed(3)} | ${m((r) => r.mainCpu).toFixed(4)} | ` +
      `${m((r) => r.wait).toFixed(3)} | ${m((r) => r.cpu / r.s).toFixed(2)} |`);
  }
  const threads = row(asyncRows['mrrc-node readFile { threads: 2 }, read + title (1 file)']);
  console.log(`readFile { threads: 2 } vs readFile, one file, read + title: ${(oneTitle.s / threads.s).toFixed(2)}x`);
  for (const runs of Object.values(rows)) {
    if (runs.some((r) => r.check !== runs[0].check)) throw new Error('a workload gave different results across rounds');
  }
  if (row(sync['mrrc-node MarcReader, read + title']).check !== mjTitle.check) {
    console.log('note: titles differ in total length from marcjs\'s (245 $a $b joined as pymarc does)');
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
