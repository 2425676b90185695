import type { DatasetReader } from '../core/dataset.js';
import { ignoreEvents, type EventListener } from '../run/events.js';
import { compareTable, type TableComparison } from '../run/compare.js';
import { openSource } from './endpoints.js';
import { selectTables, type TableSelection } from './select-tables.js';

export type { KeyDifference, TableComparison } from '../run/compare.js';

export interface VerifyOptions extends TableSelection {
  a: string;
  b: string;
  batchRows?: number;
  /** How many differing keys to name per table (default 5). */
  examples?: number;
  events?: EventListener;
}

export interface VerifyResult {
  a: string;
  b: string;
  equal: boolean;
  tables: TableComparison[];
  onlyInA: string[];
  onlyInB: string[];
}

/** Compares two endpoints table by table: row counts and order-independent digests, and a few differing keys. */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const a = await openSource(options.a);
  try {
    const b = await openSource(options.b);
    try {
      return await compareReaders(a, b, options);
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

export async function compareReaders(a: DatasetReader, b: DatasetReader, options: Omit<VerifyOptions, 'a' | 'b'>): Promise<VerifyResult> {
  const events = options.events ?? ignoreEvents;
  const tablesA = selectTables((await a.readSchema()).tables, options);
  const schemaB = (await b.readSchema()).tables;
  const tablesB = selectTables(schemaB, { ...options, tables: undefined });
  const namesB = new Set(tablesB.map((t) => t.name));
  const result: VerifyResult = {
    a: a.description,
    b: b.description,
    equal: true,
    tables: [],
    onlyInA: tablesA.filter((t) => !namesB.has(t.name)).map((t) => t.name),
    onlyInB: options.tables ? [] : tablesB.filter((t) => !tablesA.some((x) => x.name === t.name)).map((t) => t.name),
  };
  events({ type: 'phase', phase: 'verify' });
  for (const tableA of tablesA) {
    const tableB = tablesB.find((t) => t.name === tableA.name);
    if (!tableB) continue;
    result.tables.push(await compareTable(a, b, tableA, tableB, options));
  }
  result.equal = result.onlyInA.length === 0 && result.onlyInB.length === 0 && result.tables.every((t) => t.equal);
  return result;
}
