'use strict';
// Diagnostic for the wall-clock columns of bench.js on a loaded machine:
// how much of a core marcjs's read + every field gets, next to a CPU-bound
// JS loop in the same thread, taken in turn. Per thread: CPU time and time
// waiting for a CPU while runnable (schedstat). A thread that sleeps often
// (marcjs waits for each 64 KB read of its stream) is scheduled sooner
// than one that never sleeps.
// Usage: node bench/node/share.js FILE [ROUNDS]   (Linux)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Marc } = require(path.join(__dirname, '..', '..', 'bindings', 'node', 'node_modules', 'marcjs'));

const file = process.argv[2];
const ROUNDS = Number(process.argv[3] || 3);
if (!file) throw new Error('usage: node bench/node/share.js FILE [ROUNDS]');

// CPU and run-queue wait (seconds) per live thread.
function threads() {
  const out = new Map();
  for (const t of fs.readdirSync('/proc/self/task')) {
    try {
      const s = fs.readFileSync(`/proc/self/task/${t}/schedstat`, 'latin1').split(' ');
      out.set(t, [Number(s[0]) / 1e9, Number(s[1]) / 1e9]);
    } catch { /* the thread ended */ }
  }
  return out;
}

function marcjs() {
  return new Promise((resolve) => {
    let n = 0;
    const parser = Marc.createStream('Iso2709', 'Parser');
    fs.createReadStream(file).pipe(parser);
    parser.on('data', (r) => {
      for (const f of r.fields) for (let i = 1; i < f.length; i++) n += f[i].length;
    });
    parser.on('end', () => resolve(n));
  });
}

// About as long as marcjs on 50,000 LoC records on an idle core.
function cpuLoop() {
  let x = 1;
  for (let i = 0; i < 4e8; i++) x = (x * 1103515245 + 12345) | 0;
  return x;
}

async function main() {
  console.log(`${new Date().toISOString()}; ${file}; load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of [['marcjs read + every field', marcjs], ['JS CPU loop', async () => cpuLoop()]]) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = threads();
      const t0 = process.hrtime.bigint();
      await run();
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      let cpu = 0;
      let mainCpu = 0;
      let mainWait = 0;
      for (const [t, [c, w]] of threads()) {
        const [c0, w0] = before.get(t) ?? [0, 0];
        cpu += c - c0;
        if (t === String(process.pid)) {
          mainCpu = c - c0;
          mainWait = w - w0;
        }
      }
      console.log(`${name}: ${s.toFixed(2)} s, cores the process got ${(cpu / s).toFixed(2)}; ` +
        `main thread CPU ${mainCpu.toFixed(2)} s, waiting for a CPU ${mainWait.toFixed(2)} s`);
    }
  }
  console.log(`load at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
