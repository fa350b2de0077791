// Compiled with `tsc --noEmit -p test/types`: the declarations must accept
// this usage and reject the lines marked @ts-expect-error.
import { MarcReader, MarcWriter, Record, readFile, parse, type Field, type MarcError } from '../..';

const reader = new MarcReader('x.mrc', { format: 'iso2709', lenient: true, encoding: 'marc8' });
for (const r of reader) {
  const t: string | null = r.title;
  const fs: Field[] = r.fields('245', '650');
  const first = r.get('245');
  if (first && 'subfields' in first) first.subfields.map((s) => s.code + s.value);
  r.addOrderedField({ tag: '500', ind1: ' ', ind2: ' ', subfields: [{ code: 'a', value: 'note' }] });
  const bytes: Buffer = r.toIso2709('utf8');
  const xml: string = r.toMarcXml();
  void [t, fs, bytes, xml, r.warnings[0]?.code];
}
const errs: MarcError[] = reader.errors;
const w = new MarcWriter(null, { format: 'marcxml' });
w.write(Record.fromObject({ leader: '00000nam a2200000 a 4500', fields: [{ tag: '001', value: 'x' }] }));
const out: Buffer | null = w.finish();

async function main(): Promise<void> {
  const [a, b] = await Promise.all([readFile('a.mrc', { threads: 2 }), parse(Buffer.alloc(0), { format: 'json' })]);
  const n: number = a.length + b.length + (a.timing?.end ?? 0);
  void [n, a.errors.map((e) => e.recordIndex)];
}
void [errs, out, main];

// @ts-expect-error: an unknown format
new MarcReader('x', { format: 'pdf' });
// @ts-expect-error: title is read-only
new Record().title = 'x';
