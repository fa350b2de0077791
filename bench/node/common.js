'use strict';
// What the Node bench scripts share: median(), the every-field loop they
// time, the `for await` loop over one or more files, the two temporary
// files the async comparisons read, and settle() before each timed run.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

// The median of a list of numbers (the mean of the two middle ones for an
// even count).
function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Every field's tag, indicators, codes and values as JS strings (marcjs's
// records hold them so), counted so that none is optimized away.
function everyField(fields) {
  let n = 0;
  for (const f of fields) {
    if (f.value !== undefined) n += f.value.length;
    else for (const s of f.subfields) n += s.value.length;
  }
  return n;
}

// for await over a MarcReader per file (batches read on the libuv pool, two
// ahead of the loop), several files at once with Promise.all; per record
// its title (work 'title') or every field (work 'all'). `mrrc` is the
// package (bindings/node) the caller loaded.
async function mrrcForAwait(mrrc, files, work) {
  const counts = await Promise.all(files.map(async (f) => {
    let n = 0;
    let check = 0;
    for await (const r of new mrrc.MarcReader(f)) {
      n++;
      check += work === 'title' ? (r.title || '').length : everyField(r.fields());
    }
    return { n, check };
  }));
  return { n: counts.reduce((x, c) => x + c.n, 0), check: counts.reduce((x, c) => x + c.check, 0) };
}

// The first `records` records of `file`, twice, as two temporary files.
function splitFiles(file, records, prefix) {
  const bytes = fs.readFileSync(file);
  let end = 0;
  for (let i = 0; i < records && end < bytes.length; i++) end += Number(bytes.toString('latin1', end, end + 5));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const names = [path.join(dir, 'a.mrc'), path.join(dir, 'b.mrc')];
  for (const n of names) fs.writeFileSync(n, bytes.subarray(0, end));
  return { names, dir };
}

// A full garbage collection, with the finalizers it queues run, then a wait
// until the process is idle: V8's background sweeping and the addon's
// freeing thread go on after gc() returns (tens of ms of CPU after a big
// readFile result dies, more on a loaded machine), and would otherwise be
// counted in the next run, CPU and wall alike.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function settle() {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  // Idle: under 1 ms of CPU (all threads) in 20 ms; at most 3 s.
  for (let i = 0; i < 150; i++) {
    const c0 = process.cpuUsage();
    await sleep(20);
    const c = process.cpuUsage(c0);
    if (c.user + c.system < 1000) break;
  }
}

// Wall-clock seconds.
const now = () => Number(process.hrtime.bigint()) / 1e9;

// CPU seconds of the main thread (Linux: schedstat, in nanoseconds; the
// clock ticks of /proc/<pid>/stat, 10 ms, rounded a readFile's few ms of
// main-thread work to 0). NaN where there is no schedstat.
function mainThreadCpu() {
  try {
    return Number(fs.readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'latin1').split(' ')[0]) / 1e9;
  } catch {
    return NaN;
  }
}

module.exports = { median, everyField, mrrcForAwait, splitFiles, settle, sleep, now, mainThreadCpu };
