'use strict';
// Records/s of mrrc-node against marcjs 3.0.2 on one ISO 2709 file (each the
// fastest of a few runs: the machine is shared), and the
// Promise.all speed-up over two files next to a control known to scale
// (crypto.pbkdf2 on the same libuv pool), measured in the same run.
// Usage: node bench/node/bench.js FILE [RECORDS_PER_ASYNC_FILE]
// (scripts/test-node.sh must have built the addon and installed marcjs.)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const pkg = path.join(__dirname, '..', '..', 'bindings', 'node');
const mrrc = require(pkg);
const { Marc } = require(path.join(pkg, 'node_modules', 'marcjs'));

const file = process.argv[2];
const asyncRecords = Number(process.argv[3] || 50000);
if (!file) throw new Error('usage: node bench/node/bench.js FILE [RECORDS_PER_ASYNC_FILE]');

const now = () => Number(process.hrtime.bigint()) / 1e9;
// The machine is shared: every figure is the fastest of a few runs.
const REPS = 3;

async function fastest(reps, run) {
  let best = null;
  for (let i = 0; i < reps; i++) {
    const r = await run();
    if (best === null || r.s < best.s) best = r;
  }
  return best;
}

function everyField(fields) {
  let n = 0;
  for (const f of fields) {
    if (f.value !== undefined) n += f.value.length;
    else for (const s of f.subfields) n += s.value.length;
  }
  return n;
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

function marcjs(work) {
  return new Promise((resolve) => {
    const t0 = now();
    let n = 0;
    let check = 0;
    const parser = Marc.createStream('Iso2709', 'Parser');
    fs.createReadStream(file).pipe(parser);
    parser.on('data', (r) => {
      n++;
      if (work === 'title') check += (marcjsTitle(r) || '').length;
      else for (const f of r.fields) for (let i = 1; i < f.length; i++) check += f[i].length;
    });
    parser.on('end', () => resolve({ n, s: now() - t0, check }));
  });
}

function mrrcSync(work) {
  const t0 = now();
  let n = 0;
  let check = 0;
  for (const r of new mrrc.MarcReader(file)) {
    n++;
    check += work === 'title' ? (r.title || '').length : everyField(r.fields());
  }
  return { n, s: now() - t0, check };
}

async function mrrcAsync(files, work, options) {
  const t0 = now();
  const lists = await Promise.all(files.map((f) => mrrc.readFile(f, options)));
  let n = 0;
  let check = 0;
  for (const records of lists) {
    for (const r of records) {
      n++;
      check += work === 'title' ? (r.title || '').length : everyField(r.fields());
    }
  }
  return { n, s: now() - t0, check };
}

function pbkdf2(jobs) {
  const t0 = now();
  return Promise.all(Array.from({ length: jobs }, () => new Promise((res, rej) => {
    crypto.pbkdf2('secret', 'salt', 200000, 32, 'sha256', (e) => (e ? rej(e) : res()));
  }))).then(() => now() - t0);
}

// The first RECORDS records of the file, twice, as two temporary files.
function splitFiles(records) {
  const bytes = fs.readFileSync(file);
  let end = 0;
  for (let i = 0; i < records && end < bytes.length; i++) end += Number(bytes.toString('latin1', end, end + 5));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mrrc-bench-'));
  const names = [path.join(dir, 'a.mrc'), path.join(dir, 'b.mrc')];
  for (const n of names) fs.writeFileSync(n, bytes.subarray(0, end));
  return names;
}

async function main() {
  const rows = [];
  const row = (name, r) => {
    rows.push([name, r.n, r.s, r.n / r.s]);
    console.error(`${name}: ${r.n} records in ${r.s.toFixed(2)} s`);
  };
  const mjTitle = await fastest(2, () => marcjs('title'));
  row('marcjs 3.0.2 stream, read + title', mjTitle);
  const mjAll = await fastest(2, () => marcjs('all'));
  row('marcjs 3.0.2 stream, read + every field', mjAll);
  const syncTitle = await fastest(REPS, () => mrrcSync('title'));
  row('mrrc-node sync, read + title', syncTitle);
  const syncAll = await fastest(REPS, () => mrrcSync('all'));
  row('mrrc-node sync, read + every field', syncAll);

  const [a, b] = splitFiles(asyncRecords);
  await mrrcAsync([a], 'title'); // warm-up
  const oneTitle = await fastest(REPS, () => mrrcAsync([a], 'title'));
  row('mrrc-node readFile, read + title (1 file)', oneTitle);
  const oneAll = await fastest(REPS, () => mrrcAsync([a], 'all'));
  row('mrrc-node readFile, read + every field (1 file)', oneAll);
  const twoTitle = await fastest(REPS, () => mrrcAsync([a, b], 'title'));
  row('mrrc-node Promise.all(readFile x2), read + title', twoTitle);
  const twoAll = await fastest(REPS, () => mrrcAsync([a, b], 'all'));
  row('mrrc-node Promise.all(readFile x2), read + every field', twoAll);
  const threadsTitle = await fastest(REPS, () => mrrcAsync([a], 'title', { threads: 2 }));
  row('mrrc-node readFile { threads: 2 }, read + title (1 file)', threadsTitle);
  // Reading alone (no per-record JS work), where the pool does all the work;
  // taken in turn with the control so that both see the same load.
  const timeOf = async (run) => { const t = now(); await run(); return now() - t; };
  let readOne = Infinity; let readTwo = Infinity; let readThreads = Infinity;
  let c1 = Infinity; let c2 = Infinity;
  for (let i = 0; i < 5; i++) {
    readOne = Math.min(readOne, await timeOf(() => mrrc.readFile(a)));
    readTwo = Math.min(readTwo, await timeOf(() => Promise.all([mrrc.readFile(a), mrrc.readFile(b)])));
    readThreads = Math.min(readThreads, await timeOf(() => mrrc.readFile(a, { threads: 2 })));
    c1 = Math.min(c1, await pbkdf2(1));
    c2 = Math.min(c2, await pbkdf2(2));
  }

  console.log(`file: ${file}; async files: ${asyncRecords} records each; node ${process.version}; ${os.cpus().length} cpus; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| run | records | s | records/s | vs marcjs (same work) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, n, s, rate] of rows) {
    const base = name.includes('title') ? mjTitle : mjAll;
    console.log(`| ${name} | ${n} | ${s.toFixed(2)} | ${Math.round(rate)} | ${(rate / (base.n / base.s)).toFixed(1)}x |`);
  }
  const speedup = (x1, x2) => (2 * x1) / x2;
  const control = speedup(c1, c2);
  const readSpeedup = speedup(readOne, readTwo);
  const titleSpeedup = (twoTitle.n / twoTitle.s) / (oneTitle.n / oneTitle.s);
  console.log(`Promise.all over 2 files vs 1 (readFile alone): ${readSpeedup.toFixed(2)}x; with read + title on the main thread: ${titleSpeedup.toFixed(2)}x`);
  console.log(`readFile { threads: 2 } vs readFile, one file, reading alone: ${(readOne / readThreads).toFixed(2)}x`);
  console.log(`control (crypto.pbkdf2, 2 jobs vs 1): ${control.toFixed(2)}x; readFile speed-up as a fraction of the control's: ${(readSpeedup / control * 100).toFixed(0)}%`);
  if (syncTitle.check === 0 || oneTitle.check === 0) throw new Error('no titles read');
}

main().catch((e) => { console.error(e); process.exit(1); });
