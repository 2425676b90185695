import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetReader } from '../core/dataset.js';
import type { TableSchema } from '../core/schema.js';
import type { Expectation, UpgradedReader } from '../upgrade/index.js';
import { openUpgrade, type UpgradeSelection } from './upgrade.js';
import { ignoreEvents, type EventListener } from '../run/events.js';
import { compareTable, type TableComparison } from '../run/compare.js';
import type { DigestOptions } from '../run/digest-table.js';
import type { TableDigest } from '../core/digest.js';
import { THREAD_ROWS, withDigestThread } from './digest-thread.js';
import { openSource } from './endpoints.js';
import { selectTables, type TableSelection } from './select-tables.js';

export type { KeyDifference, TableComparison } from '../run/compare.js';

export interface VerifyOptions extends TableSelection, Partial<UpgradeSelection> {
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
  /**
   * With an app pack: what the pack declares must be equal between the original source and the upgraded target
   * (say, the rows of a table a hop carries unchanged), compared on the declared columns, independently of the
   * pack's conversion code.
   */
  expectations?: (TableComparison & { source: string; target: string; columns: string[] })[];
}

/**
 * Compares two endpoints table by table: row counts and order-independent digests, and a few differing keys. With
 * `app`, A is an old version and B the upgraded one: A is read through the pack's path and compared with B, and
 * the pack's declared expectations are checked between A as it is and B.
 */
export async function verify(options: VerifyOptions): Promise<VerifyResult> {
  const a = await openSource(options.a);
  let upgraded: UpgradedReader | undefined;
  try {
    const b = await openSource(options.b);
    try {
      if (!options.app)
        return await withDigestThread(options.b, (digestBElsewhere) => compareReaders(a, b, { ...options, digestBElsewhere }));
      const work = mkdtempSync(join(tmpdir(), 'ferry-verify-'));
      try {
        ({ upgraded } = await openUpgrade(a, { ...options, app: options.app }, { workdir: work, reset: true }));
        const result = await compareReaders(upgraded, b, options);
        result.expectations = await checkExpectations(a, b, upgraded.expectations(), options);
        result.equal &&= result.expectations.every((e) => e.equal);
        return result;
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    } finally {
      await b.close();
    }
  } finally {
    // The upgraded reader closes the source it wraps.
    await (upgraded ?? a).close();
  }
}

async function checkExpectations(
  a: DatasetReader,
  b: DatasetReader,
  expectations: Expectation[],
  options: VerifyOptions,
): Promise<NonNullable<VerifyResult['expectations']>> {
  const tablesA = (await a.readSchema()).tables;
  const tablesB = (await b.readSchema()).tables;
  const out: NonNullable<VerifyResult['expectations']> = [];
  for (const e of expectations) {
    const ta = tablesA.find((t) => t.name === e.source);
    const tb = tablesB.find((t) => t.name === e.target);
    if (!ta || !tb) {
      out.push({
        ...e,
        table: e.target,
        rowsA: -1,
        rowsB: -1,
        digestA: '',
        digestB: '',
        equal: false,
        problem: `${ta ? e.target : e.source} is missing`,
        examples: [],
      });
      continue;
    }
    const comparison = await compareTable(a, b, project(ta, e.columns), project(tb, e.columns), options);
    out.push({ ...comparison, ...e });
  }
  return out;
}

/** A table seen through some of its columns; the key is kept only when all of it is among them. */
function project(table: TableSchema, columns: string[]): TableSchema {
  const keep = table.columns.filter((c) => columns.includes(c.name));
  const pk = table.primaryKey && table.primaryKey.columns.every((c) => columns.includes(c)) ? table.primaryKey : undefined;
  return { ...table, columns: keep, primaryKey: pk, uniques: [], indexes: [], foreignKeys: [], checks: [] };
}

export async function compareReaders(
  a: DatasetReader,
  b: DatasetReader,
  options: Omit<VerifyOptions, 'a' | 'b'> & { digestBElsewhere?: (table: TableSchema, options: DigestOptions) => Promise<TableDigest> },
): Promise<VerifyResult> {
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
    // A large table's B side is digested on another thread while this one digests A.
    const rowsB = options.digestBElsewhere ? await b.countRows(tableB) : 0;
    const large = rowsB >= THREAD_ROWS;
    if (large)
      events({ type: 'log', level: 'info', message: `  ${tableA.name}: ${rowsB.toLocaleString('en-US')} rows, B read on a second thread` });
    result.tables.push(
      await compareTable(a, b, tableA, tableB, { ...options, digestBElsewhere: large ? options.digestBElsewhere : undefined }),
    );
  }
  result.equal = result.onlyInA.length === 0 && result.onlyInB.length === 0 && result.tables.every((t) => t.equal);
  return result;
}
