'use strict';
// readFile of one 50,000-record file (or two at once) with per-record work,
// for several builds of the addon loaded side by side in one process, their
// runs alternating (each after settle()); medians of wall, CPU of every
// thread (process.cpuUsage, threads that ended included), main-thread CPU
// (schedstat), and 'freed': the CPU of every thread until the results are
// also collected and freed (settle() after dropping them, its idle wait's
// small overhead included). A build is NAME:DIR[:ENV], DIR holding
// index.js and mrrc.node (copies of bindings/node's), ENV an environment
// variable set for its runs only (for a build that reads a switch from
// it). Each build learns what its own results are asked for, so WORKS
// decides what the reads build ahead: title, all (every field), sub
// (subfield('245', 'a'), a per-record call), none (reading alone), and
// title2 / all2 / sub2 / none2 over two files.
// Usage: VARIANTS=old:/tmp/old,new:/tmp/new[:ENV],... [WORKS=title,all]
//        node bench/node/builds.js FILE [ROUNDS]
const fs = require('node:fs');
const { median, everyField, splitFiles, settle, now, mainThreadCpu } = require('./common');

const variants = (process.env.VARIANTS || '').split(',').filter(Boolean).map((v) => {
  const [name, dir, env] = v.split(':');
  return { name, m: require(dir), env };
});
const file = process.argv[2];
const ROUNDS = Number(process.argv[3] || 7);
if (!file || variants.length === 0) throw new Error('usage: VARIANTS=name:dir[:ENV],... node bench/node/builds.js FILE [ROUNDS]');
const envs = new Set(variants.map((v) => v.env).filter(Boolean));
const { names: [a, b], dir } = splitFiles(file, 50000, 'mrrc-builds-');
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

async function run(v, work) {
  for (const e of envs) delete process.env[e];
  if (v.env) process.env[v.env] = '1';
  await settle();
  const files = work.endsWith('2') ? [a, b] : [a];
  const t0 = now();
  const c0 = cpu();
  const m0 = mainThreadCpu();
  const lists = await Promise.all(files.map((f) => v.m.readFile(f)));
  let check = 0;
  for (const records of lists) {
    if (work.startsWith('title')) for (const r of records) check += (r.title || '').length;
    else if (work.startsWith('all')) for (const r of records) check += everyField(r.fields());
    else if (work.startsWith('sub')) for (const r of records) check += (r.subfield('245', 'a') || '').length;
  }
  const out = { s: now() - t0, cpu: cpu() - c0, main: mainThreadCpu() - m0, check };
  // CPU until the results are collected and freed too (the addon frees a
  // big result's records on a thread of its own, after the run).
  lists.length = 0;
  await settle();
  out.freed = cpu() - c0;
  return out;
}

(async () => {
  const works = (process.env.WORKS || 'title,all').split(',');
  const res = {};
  for (const v of variants) for (const w of works) await run(v, w); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    for (const w of works) {
      for (const v of variants) (res[`${v.name} ${w}`] ||= []).push(await run(v, w));
    }
  }
  console.log(`medians of ${ROUNDS} rounds; load at the end ${require('node:os').loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const [k, rs] of Object.entries(res)) {
    if (rs.some((r) => r.check !== rs[0].check)) throw new Error(`${k}: results differ across rounds`);
    const work = k.slice(k.indexOf(' ') + 1);
    const first = res[`${variants[0].name} ${work}`][0].check;
    if (rs[0].check !== first) throw new Error(`${k}: reads differently from ${variants[0].name}`);
    console.log(k.padEnd(16), ['s', 'cpu', 'main', 'freed'].map((x) => `${x} ${(median(rs.map((r) => r[x])) * 1000).toFixed(0)} ms`).join('  '));
  }
  fs.rmSync(dir, { recursive: true, force: true });
})();
