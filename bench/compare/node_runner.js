'use strict';
// The Node runner of the comparison (bench/compare/run.py drives it):
// `node node_runner.js CONFIG.json` prints one JSON object (the protocol is
// in bench/compare/README.md). Approaches: our addon (bindings/node) and the
// peer marcjs 3.0.2. Every timer starts with the file's bytes in memory.

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..', '..');

const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

function fnv1a(h, bytes) {
  for (let i = 0; i < bytes.length; i++) {
    h = ((h ^ BigInt(bytes[i])) * FNV_PRIME) & MASK64;
  }
  return h;
}

const hex = (h) => h.toString(16).padStart(16, '0');

const now = () => Number(process.hrtime.bigint()) / 1e9;

function timed(reps, warmup, fn) {
  const times = [];
  let last = [0, 0];
  for (let i = 0; i < warmup + reps; i++) {
    const t = now();
    last = fn();
    const dt = now() - t;
    if (i >= warmup) times.push(dt);
  }
  return { records: last[0], times_s: times, out: last[1] };
}

// Timed passes of several jobs taken in turn (A B A B ...), so a job and its
// control see the same load on a shared machine.
async function interleavedAsync(reps, warmup, jobs) {
  const times = jobs.map(() => []);
  const last = jobs.map(() => [0, 0]);
  for (let i = 0; i < warmup + reps; i++) {
    for (let k = 0; k < jobs.length; k++) {
      const t = now();
      last[k] = await jobs[k]();
      const dt = now() - t;
      if (i >= warmup) times[k].push(dt);
    }
  }
  return jobs.map((_, k) => ({ records: last[k][0], times_s: times[k], out: last[k][1] }));
}

// ---- our addon -------------------------------------------------------------

function oursImpl() {
  const mrrc = require(path.join(ROOT, 'bindings', 'node'));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'bindings', 'node', 'package.json'), 'utf8'));
  return {
    version: { 'mrrc-node': pkg.version },
    records: (buf) => new mrrc.MarcReader(buf).readAll(),
    iterate: (buf) => new mrrc.MarcReader(buf),
    title: (r) => r.title,
    checkTitle: (r) => r.title,
    countValues(r) {
      let n = 0;
      for (const f of r.fields()) {
        if (f.subfields === undefined) {
          f.value;
          n++;
        } else {
          for (const s of f.subfields) {
            s.code;
            s.value;
            n++;
          }
        }
      }
      return n;
    },
    marc8: true,
    writeIso: (r) => r.toIso2709(),
    toJson: (r) => r.toJsonString(),
    toXml: (r) => r.toMarcXml(),
    msgpackEncode: (r) => r.toMsgpack(),
    msgpackDecodeAll: (blobs) => {
      const all = Buffer.concat(blobs);
      let n = 0;
      for (const r of new mrrc.MarcReader(all, { format: 'msgpack' })) {
        r.leader;
        n++;
      }
      return n;
    },
    parseAsync: (buf) => mrrc.parse(buf),
  };
}

// ---- marcjs ----------------------------------------------------------------

function marcjsImpl() {
  const { Marc: marcjs } = require(path.join(__dirname, 'node_modules', 'marcjs'));
  const pkg = require(path.join(__dirname, 'node_modules', 'marcjs', 'package.json'));
  const parse = marcjs.parser.iso2709;
  function* iterate(buf) {
    let start = 0;
    for (;;) {
      const end = buf.indexOf(0x1d, start);
      if (end < 0) return;
      yield parse(buf.subarray(start, end + 1));
      start = end + 1;
    }
  }
  // pymarc's `title` (245 $a, a space and $b when both are non-empty) from
  // marcjs's field arrays: [tag, indicators, code, value, code, value, ...].
  function title(r) {
    for (const f of r.fields) {
      if (f[0] !== '245') continue;
      let a = null;
      let b = null;
      for (let i = 2; i + 1 < f.length; i += 2) {
        if (f[i] === 'a' && a === null) a = f[i + 1];
        else if (f[i] === 'b' && b === null) b = f[i + 1];
      }
      if (!a) return null;
      return b ? `${a} ${b}` : a;
    }
    return null;
  }
  return {
    version: { marcjs: pkg.version },
    records: (buf) => Array.from(iterate(buf)),
    iterate,
    title,
    checkTitle: title,
    countValues(r) {
      let n = 0;
      for (const f of r.fields) {
        if (f[0] < '010') {
          f[1];
          n++;
        } else {
          for (let i = 2; i + 1 < f.length; i += 2) {
            f[i];
            f[i + 1];
            n++;
          }
        }
      }
      return n;
    },
    marc8: false,
    writeIso: (r) => marcjs.format(r, 'iso2709'),
    toJson: (r) => marcjs.format(r, 'mij'),
    toXml: (r) => marcjs.format(r, 'marcxml'),
  };
}

function check(impl, buf) {
  let h = 0xcbf29ce484222325n;
  let values = 0;
  const recs = impl.records(buf);
  for (const r of recs) {
    const t = impl.checkTitle(r);
    h = fnv1a(h, t === null || t === undefined ? Buffer.from([0]) : Buffer.from(t, 'utf8'));
    h = fnv1a(h, Buffer.from('\n'));
    values += impl.countValues(r);
  }
  return { records: recs.length, titles: hex(h), values };
}

function outputLength(x) {
  return typeof x === 'string' ? Buffer.byteLength(x) : x.length;
}

async function main() {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const impl = cfg.impl === 'marcjs' ? marcjsImpl() : oursImpl();
  const read = (k) => fs.readFileSync(cfg.files[k]);
  const utf8 = read('utf8');
  const marc8 = read('marc8');
  const reps = cfg.reps ?? 5;
  const warmup = cfg.warmup ?? 1;

  const result = {
    approach: cfg.approach,
    versions: { ...impl.version, node: process.version },
    data: 'file bytes in memory (a Buffer)',
    check: { utf8: check(impl, read('check')) },
    workloads: {},
  };
  if (impl.marc8) result.check.marc8 = check(impl, read('check_marc8'));

  const streaming = (buf, per) => () => {
    let n = 0;
    let v = 0;
    for (const r of impl.iterate(buf)) {
      v += per(r);
      n++;
    }
    return [n, v];
  };
  const each = (fn) => (recs) => () => {
    let out = 0;
    for (const r of recs) out += outputLength(fn(r));
    return [recs.length, out];
  };
  const w = {
    parse: [null, () => streaming(utf8, () => 0)],
    title: [null, () => streaming(utf8, (r) => (impl.title(r), 0))],
    fields: [null, () => streaming(utf8, (r) => impl.countValues(r))],
    marc8: impl.marc8 ? [null, () => streaming(marc8, (r) => impl.countValues(r))] : null,
    write_iso: ['parsed', each(impl.writeIso)],
    to_json: ['parsed', each(impl.toJson)],
    to_xml: ['parsed', each(impl.toXml)],
    msgpack_encode: impl.msgpackEncode ? ['parsed', each(impl.msgpackEncode)] : null,
    msgpack_decode: impl.msgpackDecodeAll
      ? ['packed', (blobs) => () => [impl.msgpackDecodeAll(blobs), 0]]
      : null,
  };
  const reasons = {
    marc8: 'marcjs has no MARC-8 decoder',
    msgpack_encode: 'marcjs has no msgpack support',
    msgpack_decode: 'marcjs has no msgpack support',
    as_dict: 'a Python call',
  };
  for (const name of cfg.workloads) {
    const entry = w[name];
    if (!entry) {
      result.workloads[name] = { skipped: reasons[name] || 'not offered' };
      continue;
    }
    const [setup, make] = entry;
    let state = null;
    if (setup === 'parsed') state = impl.records(utf8);
    if (setup === 'packed') state = impl.records(utf8).map(impl.msgpackEncode);
    result.workloads[name] = timed(reps, warmup, make(state));
  }

  if (cfg.threads && impl.parseAsync) {
    const counts = cfg.threads.counts;
    const treps = cfg.threads.reps ?? 3;
    const files = {};
    const control = {};
    // Calibrate the control: one pbkdf2 call of about control_seconds.
    const target = cfg.threads.control_seconds ?? 0.3;
    let iterations = 20000;
    const t0 = now();
    crypto.pbkdf2Sync('secret', 'salt', iterations, 32, 'sha256');
    iterations = Math.max(1000, Math.round(iterations * (target / Math.max(now() - t0, 1e-6))));
    for (const n of counts) {
      const copies = Array.from({ length: n }, () => Buffer.from(utf8));
      // Each file's titles are read as soon as its parse resolves, while
      // the other files are still being parsed on the libuv pool.
      const work = async () => {
        const counts = await Promise.all(copies.map((c) => impl.parseAsync(c).then((list) => {
          let k = 0;
          for (const r of list) {
            impl.title(r);
            k++;
          }
          return k;
        })));
        return [counts.reduce((a, b) => a + b, 0), 0];
      };
      const ctl = async () => {
        await Promise.all(
          Array.from({ length: n }, () => new Promise((res, rej) => {
            crypto.pbkdf2('secret', 'salt', iterations, 32, 'sha256', (e) => (e ? rej(e) : res()));
          })),
        );
        return [n, 0];
      };
      [files[n], control[n]] = await interleavedAsync(treps, 1, [work, ctl]);
    }
    result.threads = { files, control };
  }
  process.stdout.write(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
