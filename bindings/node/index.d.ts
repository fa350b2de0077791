// Types of mrrc-node (hand-written; test/types/usage.ts checks them with tsc).

/// <reference types="node" />

export type Format = 'iso2709' | 'marcxml' | 'json' | 'ndjson' | 'msgpack' | 'mrk';

export interface ReadOptions {
  /** Input format; `iso2709` by default. */
  format?: Format;
  /** Repair what can be repaired (see `Record.warnings`), skip the rest (see `errors`). */
  lenient?: boolean;
  /** `leader` (default: leader/09 decides), `utf8`, `marc8`, `raw`, or a legacy label such as `cp1251`. */
  encoding?: string;
  /**
   * `readFile` / `parse` of ISO 2709 only: parse on this many threads (the
   * core's parallel reader; same records, errors and order). Default 1.
   */
  threads?: number;
}

export interface WriteOptions {
  format?: Format;
  /** ISO 2709 only: `utf8` (default), `marc8` or `raw`. */
  encoding?: 'utf8' | 'marc8' | 'raw';
}

export interface Subfield { code: string; value: string }
export interface ControlField { tag: string; value: string }
export interface DataField { tag: string; ind1: string; ind2: string; subfields: Subfield[] }
export type Field = ControlField | DataField;
export interface RecordObject { leader?: string; fields: Field[] }

/** A JS Error from mrrc: where and what went wrong. */
export interface MarcError extends Error {
  /** `MRRC_TRUNCATED_RECORD`, `MRRC_LEADER`, `MRRC_INVALID_ARGUMENT`, ... */
  code: string;
  kind: string;
  recordIndex: number | null;
  byteOffset: number | null;
  line: number | null;
  column: number | null;
  detail: string;
}

/** A repair lenient mode made. */
export interface MarcWarning {
  code: string;
  kind: string;
  message: string;
  recordIndex: number | null;
  byteOffset: number | null;
  line: number | null;
  column: number | null;
}

export class Record {
  /** An empty record (pymarc's default leader unless one is given). */
  constructor(leader?: string);
  static fromObject(object: RecordObject): Record;
  toObject(): { leader: string; fields: Field[] };
  clone(): Record;
  equals(other: Record): boolean;

  leader: string;
  readonly fieldCount: number;
  /** Every field, or those with one of the tags; copies. */
  fields(...tags: string[]): Field[];
  fields(tags: string[]): Field[];
  get(tag: string): Field | null;
  fieldIndexes(...tags: string[]): number[];
  subfield(tag: string, code?: string): string | null;
  subfields(tag: string, code: string): string[];
  value(tag: string): string | null;
  formatField(position: number): string | null;

  readonly title: string | null;
  readonly issnTitle: string | null;
  readonly author: string | null;
  readonly uniformTitle: string | null;
  readonly isbn: string | null;
  readonly issn: string | null;
  readonly issnl: string | null;
  readonly sudoc: string | null;
  readonly publisher: string | null;
  readonly pubyear: string | null;
  readonly subjects: Field[];
  readonly addedEntries: Field[];
  readonly series: Field[];
  readonly notes: Field[];
  readonly location: Field[];
  readonly physicalDescription: Field[];
  readonly warnings: MarcWarning[];

  addField(field: Field): number;
  addOrderedField(field: Field): number;
  addGroupedField(field: Field): number;
  insertField(position: number, field: Field): void;
  setField(position: number, field: Field): void;
  removeFieldAt(position: number): boolean;
  removeFields(...tags: string[]): number;
  addSubfield(position: number, code: string, value: string, at?: number): void;
  deleteSubfield(position: number, code: string): string | null;
  setSubfield(position: number, code: string, value: string): void;
  setIndicators(position: number, ind1: string, ind2: string): void;
  setControlValue(position: number, value: string): void;
  setTag(position: number, tag: string): void;

  toString(): string;
  toIso2709(encoding?: 'utf8' | 'marc8' | 'raw'): Buffer;
  toMarcXml(): string;
  /** MARC-in-JSON as an object (so `JSON.stringify(record)` is MARC-in-JSON). */
  toJSON(): { leader: string; fields: Array<{ [tag: string]: unknown }> };
  toJsonString(): string;
  toMsgpack(): Buffer;
  toMrk(): string;
}

/**
 * Records from a path or a Buffer, iterated one way: `for (const r of reader)`
 * (read ahead by a thread of the reader's own) or `for await (const r of reader)`
 * (each batch of 256 records read and parsed on the libuv pool, the next two
 * while the loop works on the current one). Strict mode: a bad record throws
 * (rejects) at its place, and `next()` carries on after it.
 */
export class MarcReader implements IterableIterator<Record>, AsyncIterable<Record> {
  constructor(pathOrBuffer: string | Buffer, options?: ReadOptions);
  next(): IteratorResult<Record, undefined>;
  [Symbol.iterator](): MarcReader;
  /** The same iterator on every call; `return()` (a `break`) closes the input. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Record>;
  /** Records lenient mode could not read (in the batches reached so far). */
  readonly errors: MarcError[];
  /** Batches read so far, by the reader's thread or the libuv pool. */
  readonly batchesRead: number;
  /** When the batch of the last record handed out was read (ms since the Unix epoch). */
  readonly timing: { start: number; end: number } | null;
  readAll(): Record[];
}

export class MarcWriter {
  /** A file at `path`, or memory when `path` is null. */
  constructor(path: string | null, options?: WriteOptions);
  write(record: Record): this;
  /** Ends the output; the bytes when writing to memory, else null. */
  finish(): Buffer | null;
}

export interface RecordList extends Array<Record> {
  /** Records lenient mode could not read. */
  readonly errors: MarcError[];
  /** When the worker thread started and finished (ms since the Unix epoch). */
  readonly timing: { start: number; end: number } | null;
}

export function readFile(path: string, options?: ReadOptions): Promise<RecordList>;
export function parse(buffer: Buffer, options?: ReadOptions): Promise<RecordList>;
