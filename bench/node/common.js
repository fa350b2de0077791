'use strict';
// What the Node bench scripts share: the every-field loop they time and the
// two temporary files the async comparisons read.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

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

module.exports = { everyField, splitFiles };
