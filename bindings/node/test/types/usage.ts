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

// The rest of Record: accessors, editing, conversions, the object shape.
function everyRecordMethod(r: Record): void {
  const obj: { leader: string; fields: Field[] } = r.toObject();
  const copy: Record = Record.fromObject(obj).clone();
  const same: boolean = copy.equals(r);
  const positions: number[] = r.fieldIndexes('650', '651');
  const codes: string[] = r.subfields('650', 'a');
  const one: string | null = r.subfield('001') ?? r.value('245') ?? r.formatField(0);
  const groups: Field[][] = [r.subjects, r.addedEntries, r.series, r.notes, r.location, r.physicalDescription];
  const more: (string | null)[] = [r.issnTitle, r.author, r.uniformTitle, r.isbn, r.issn, r.issnl, r.sudoc, r.publisher, r.pubyear];
  r.leader = '00000cam a2200000 a 4500';
  const at: number = r.addField({ tag: '001', value: 'id' }) + r.addGroupedField({ tag: '650', ind1: ' ', ind2: '0', subfields: [] });
  r.insertField(0, { tag: '003', value: 'DLC' });
  r.setField(0, { tag: '003', value: 'DLC' });
  r.addSubfield(at, 'x', 'y', 0);
  r.setSubfield(at, 'x', 'z');
  const gone: string | null = r.deleteSubfield(at, 'x');
  r.setIndicators(at, '1', '4');
  r.setControlValue(0, 'DLC');
  r.setTag(0, '003');
  const removed: number = r.removeFields('500', '504') + (r.removeFieldAt(0) ? 1 : 0);
  const mij = r.toJSON();
  const text: string = r.toJsonString() + r.toMrk() + r.toString() + mij.leader;
  const pack: Buffer = r.toMsgpack();
  const marc8: Buffer = r.toIso2709('marc8');
  void [copy, same, positions, codes, one, groups, more, gone, removed, text, pack, marc8, r.fieldCount];
}

async function main(): Promise<void> {
  const [a, b] = await Promise.all([readFile('a.mrc', { threads: 2 }), parse(Buffer.alloc(0), { format: 'json' })]);
  const n: number = a.length + b.length + (a.timing?.end ?? 0);
  void [n, a.errors.map((e) => e.recordIndex)];
  const pooled = new MarcReader(Buffer.alloc(0), { format: 'marcxml', lenient: true });
  for await (const r of pooled) {
    const fields: Field[] = r.fields();
    void fields;
    break;
  }
  const records: AsyncIterableIterator<Record> = pooled[Symbol.asyncIterator]();
  const next: IteratorResult<Record> = await records.next();
  const read: number = pooled.batchesRead + (pooled.timing?.start ?? 0) + pooled.errors.length;
  void [next, read];
}
void [errs, out, main, everyRecordMethod];

// @ts-expect-error: an unknown format
new MarcReader('x', { format: 'pdf' });
// @ts-expect-error: batchesRead is read-only
new MarcReader('x').batchesRead = 1;
// @ts-expect-error: title is read-only
new Record().title = 'x';
// @ts-expect-error: not an output encoding
new Record().toIso2709('cp1251');
