'use strict';
const fs = require('node:fs');
const path = require('node:path');

const mrrc = require('..');

const data = (name) => path.join(__dirname, 'data', name);

// The shared corpus of real MARC files (as tests/python/conftest.py finds it):
// $MRRC_CORPUS, else ../shared/corpus beside the repository, else /work/shared/corpus.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const CORPUS = [process.env.MRRC_CORPUS, path.join(ROOT, '..', 'shared', 'corpus'), '/work/shared/corpus']
  .find((dir) => dir && fs.existsSync(dir));
const FORMAT_BY_SUFFIX = { '.mrc': 'iso2709', '.xml': 'marcxml', '.json': 'json', '.ndjson': 'ndjson' };

// Every corpus file a reader takes, as { name, file, format }; [] without the corpus.
function corpusFiles() {
  if (CORPUS === undefined) return [];
  return fs.readdirSync(CORPUS).sort()
    .filter((name) => FORMAT_BY_SUFFIX[path.extname(name)] !== undefined)
    .map((name) => ({ name, file: path.join(CORPUS, name), format: FORMAT_BY_SUFFIX[path.extname(name)] }));
}

// Titles and ISBNs pymarc 5.4.0 gives for the records of these files.
const CAMEL = [
  ['ActivePerl with ASP and ADO /', '0471383147', 'Martinsson, Tobias, 1976-'],
  ['Programming the Perl DBI /', '1565926994', 'Descartes, Alligator.'],
  ["Perl : programmer's reference /", null, 'Brown, Martin C.'],
  ['Perl : the complete reference /', '0072120002', 'Brown, Martin C.'],
  ['CGI programming with Perl /', '1565924193', 'Guelich, Scott.'],
  ['Proceedings of the Perl Conference 4.0 : July 17-20, 2000, Monterey, California.', '0596000138', 'Perl Conference 4.0 (2000 : Monterey, Calif.)'],
  ['Perl for system administration /', '1565926099', 'Blank-Edelman, David N.'],
  ['Programming Perl /', '0596000278', 'Wall, Larry.'],
  ["Perl programmer's interactive workbook /", '013020868X', 'Lowe, Vincent (Vincent D.)'],
  ['Cross-platform Perl /', '0764547291', 'Foster-Johnson, Eric.'],
];
const CHABON = [
  ['The amazing adventures of Kavalier and Clay : a novel /', '0679450041', 17],
  ['Summerland /', '0786808772', 15],
];

// Frees what JS has let go of so far: full collections (gc exposed on first
// use), each followed by a turn of the event loop for the finalizers it queued.
let gc;
async function freeUnreachable() {
  if (gc === undefined) {
    require('node:v8').setFlagsFromString('--expose-gc');
    gc = require('node:vm').runInNewContext('gc');
  }
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

module.exports = { mrrc, data, corpusFiles, freeUnreachable, CAMEL, CHABON };
