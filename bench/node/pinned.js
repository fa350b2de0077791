'use strict';
// Diagnostic for the Promise.all rows of bench.js: readFile over two files
// against one, and the same pure-CPU control, first as the scheduler places
// the two libuv pool threads, then with them pinned to different CPUs
// (taskset), then unpinned again. If pinning does not raise the control's
// speed-up either, the limit is the CPU share the machine gives the process,
// not where its threads run nor anything in the reads.
// Usage: UV_THREADPOOL_SIZE=2 node bench/node/pinned.js FILE [RECORDS] [ROUNDS]
// (Linux; needs taskset.)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const pkg = path.join(__dirname, '..', '..', 'bindings', 'node');
const mrrc = require(pkg);
const { median, splitFiles, settle } = require('./common');
const native = require(path.join(pkg, 'mrrc.node'));

const file = process.argv[2];
const records = Number(process.argv[3] || 50000);
const ROUNDS = Number(process.argv[4] || 9);
if (!file || process.env.UV_THREADPOOL_SIZE !== '2') {
  throw new Error('usage: UV_THREADPOOL_SIZE=2 node bench/node/pinned.js FILE [RECORDS] [ROUNDS]');
}

// CPU nanoseconds per thread id (schedstat).
function cpuByThread() {
  const out = new Map();
  for (const t of fs.readdirSync('/proc/self/task')) {
    out.set(t, Number(fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'latin1').split(' ')[0]));
  }
  return out;
}

async function rounds(label, a, b) {
  const work = {
    read1: () => mrrc.readFile(a),
    read2: () => Promise.all([mrrc.readFile(a), mrrc.readFile(b)]),
    loop1: () => native.cpuControl(60),
    loop2: () => Promise.all([native.cpuControl(60), native.cpuControl(60)]),
  };
  const times = {};
  const cores = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, run] of Object.entries(work)) {
      await settle();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await run();
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      const c = process.cpuUsage(c0);
      (times[k] ??= []).push(s);
      (cores[k] ??= []).push((c.user + c.system) / 1e6 / s);
    }
  }
  const t = (k) => median(times[k]);
  const got = (k) => median(cores[k]).toFixed(2);
  console.log(`${label}: readFile 2 files vs 1 ${((2 * t('read1')) / t('read2')).toFixed(2)}x ` +
    `(${t('read1').toFixed(3)} s / ${t('read2').toFixed(3)} s; cores the process got ${got('read1')} / ${got('read2')}); ` +
    `control CPU loop 2 vs 1 ${((2 * t('loop1')) / t('loop2')).toFixed(2)}x (cores ${got('loop1')} / ${got('loop2')})`);
}

async function main() {
  const { names: [a, b], dir } = splitFiles(file, records, 'mrrc-pinned-');
  console.log(`${new Date().toISOString()}; ${os.cpus().length} cpus; medians of ${ROUNDS} rounds; ` +
    `load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  // The pool threads: the two that burn CPU while two control loops run.
  const before = cpuByThread();
  await Promise.all([native.cpuControl(200), native.cpuControl(200)]);
  const pool = [...cpuByThread()].filter(([t, c]) => c - (before.get(t) ?? 0) > 50e6).map(([t]) => t);
  if (pool.length !== 2) throw new Error(`expected 2 busy pool threads, found ${pool.length}`);
  await rounds('as placed by the scheduler', a, b);
  pool.forEach((t, i) => execFileSync('taskset', ['-p', '-c', String(i), t]));
  await rounds('pool threads pinned to CPUs 0 and 1', a, b);
  pool.forEach((t) => execFileSync('taskset', ['-p', '-c', `0-${os.cpus().length - 1}`, t]));
  await rounds('unpinned again', a, b);
  console.log(`load at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => { console.error(e); process.exit(1); });
