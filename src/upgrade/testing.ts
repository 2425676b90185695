/**
 * Helpers for testing app packs (and ferry's own tests of them): build a source dataset from declared tables and
 * row objects — in memory, or written into a real database of any engine — run a hop or a path over it, and read
 * the results back as row objects.
 */
import { makeConformer, Refusal } from '../core/conform.js';
import type { DatasetReader, ReadOptions, RowBatch } from '../core/dataset.js';
import { keyColumns, orderByDependencies, type Schema, type TableSchema } from '../core/schema.js';
import type { Row, Value } from '../core/values.js';
import { engineFor } from '../engines/registry.js';
import { applyPath, type UpgradeContext, type UpgradedReader } from './apply.js';
import { hopDef } from './define.js';
import type { RowObject } from './parts.js';
import { findPath, planUpgrade } from './path.js';
import { rowWriter } from './rows.js';
import type { Rows, SchemaDef } from './schema.js';
import type { Hop, Pack } from './types.js';

/** Rows for a source fixture, by table: an array (any order), or a function yielding rows in key order (for big fixtures). */
export type FixtureRows<R> = { [K in keyof R]?: R[K][] | (() => Iterable<R[K]>) };

/**
 * A DatasetReader over row objects held in memory, with the declared schema: the quickest source fixture.
 *
 * @example
 * const source = memoryReader(v1, { users: [{ id: 1, email: 'a@example.org', name: 'Ann' }] });
 */
export function memoryReader<R extends Rows>(
  schema: SchemaDef<R>,
  rows: FixtureRows<R>,
  options: { description?: string } = {},
): DatasetReader {
  const tables = schema.portable;
  const data = new Map<string, () => Iterable<RowObject>>();
  for (const t of tables) {
    const given = (rows as Record<string, RowObject[] | (() => Iterable<RowObject>) | undefined>)[t.name] ?? [];
    if (typeof given === 'function') data.set(t.name, given);
    else {
      const key = (keyColumns(t) ?? t.columns.map((c) => c.name)).map((k) => t.columns.findIndex((c) => c.name === k));
      const toRow = rowWriter(t);
      const sorted = [...given].sort((a, b) => compareRows(toRow(a), toRow(b), key));
      data.set(t.name, () => sorted);
    }
  }
  const find = (name: string) => data.get(name) ?? (() => []);
  return {
    description: options.description ?? 'memory:fixture',
    engine: 'memory',
    serverVersion: async () => 'memory',
    readSchema: async (): Promise<Schema> => ({ tables: tables.map((t) => structuredClone(t)), notCarried: [] }),
    countRows: async (table) => {
      let n = 0;
      for (const _ of find(table.name)()) n++;
      return n;
    },
    readRows: (table, options) => readMemory(table, find(table.name), options),
    close: async () => {},
  };
}

async function* readMemory(table: TableSchema, rows: () => Iterable<RowObject>, options: ReadOptions): AsyncIterable<RowBatch> {
  const toRow = rowWriter(table);
  const keyNames = keyColumns(table);
  const key = (keyNames ?? []).map((k) => table.columns.findIndex((c) => c.name === k));
  let batch: Row[] = [];
  for (const obj of rows()) {
    const row = toRow(obj);
    if (options.after && keyNames && compareRows(row, key.length ? options.after : [], key, true) <= 0) continue;
    batch.push(row);
    if (batch.length >= options.batchRows) {
      yield { rows: batch, resumeKey: keyNames ? key.map((i) => row[i]!) : undefined };
      batch = [];
    }
  }
  if (batch.length > 0) yield { rows: batch, resumeKey: keyNames ? key.map((i) => batch[batch.length - 1]![i]!) : undefined };
}

/** Orders rows by the key positions (`b` may be a bare key when `bIsKey`). */
function compareRows(a: Row, b: Value[], key: number[], bIsKey = false): number {
  for (const [n, i] of key.entries()) {
    const c = compareValues(a[i] ?? null, (bIsKey ? b[n] : b[i]) ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint'))
    return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * Writes a dataset into a new database on any engine ferry knows (`sqlite:./v1.db`, `postgres://…/db`,
 * `mysql://…/db`): its tables, rows, indexes and constraints. For fixtures: a value the engine cannot hold throws.
 */
export async function writeDataset(reader: DatasetReader, endpoint: string, options: { batchRows?: number } = {}): Promise<void> {
  const writer = await engineFor(endpoint).openWriter(endpoint, { create: true });
  try {
    const tables = orderByDependencies((await reader.readSchema()).tables);
    await writer.createTables(tables);
    for (const t of tables) {
      const conformers = t.columns.map((c) => makeConformer(c, writer.limits, new Set()));
      for await (const batch of reader.readRows(t, { batchRows: options.batchRows ?? 5000 })) {
        const rows = batch.rows.map((row) =>
          row.map((v, i) => {
            const r = conformers[i]!(v);
            if (r instanceof Refusal) throw new Error(`fixture ${t.name}: ${r.reason}`);
            return r;
          }),
        );
        const refused = await writer.writeBatch(t, rows);
        if (refused.length) throw new Error(`fixture ${t.name}: ${refused[0]!.reason}`);
      }
      await writer.finishTable(t);
    }
    await writer.finishSchema(tables);
  } finally {
    await writer.close();
  }
}

/** Opens a database (any engine, by URL) for reading. */
export function openDataset(endpoint: string): Promise<DatasetReader> {
  return engineFor(endpoint).openReader(endpoint, {});
}

/**
 * Every row of a table as objects, in the reader's order, each value in its canonical form whatever the engine spells
 * (SQLite's 0/1 as booleans, PostgreSQL's int8 text as numbers, `…:00.000000` as `…:00`), integers as numbers where
 * they fit: rows read from any engine compare equal to the rows a pack promises.
 */
export async function readTable(reader: DatasetReader, table: string, options: { batchRows?: number } = {}): Promise<RowObject[]> {
  const schema = (await reader.readSchema()).tables.find((t) => t.name === table);
  if (!schema) throw new Error(`${reader.description} has no table ${table}`);
  const canonical = schema.columns.map((c) => {
    const conform = makeConformer({ ...c, nullable: true }, SEE_ALL, new Set());
    return (v: Value) => {
      const r = conform(v);
      return plain(r instanceof Refusal ? v : r);
    };
  });
  const out: RowObject[] = [];
  for await (const batch of reader.readRows(schema, { batchRows: options.batchRows ?? 1000 })) {
    for (const row of batch.rows) out.push(Object.fromEntries(schema.columns.map((c, i) => [c.name, canonical[i]!(row[i] ?? null)])));
  }
  return out;
}

/** Canonical forms only: nothing is refused. */
const SEE_ALL = { textAllowsNul: true, realAllowsSpecials: true };

/** Every table of a dataset: name → rows as objects. */
export async function readAll(reader: DatasetReader): Promise<Record<string, RowObject[]>> {
  const out: Record<string, RowObject[]> = {};
  for (const t of (await reader.readSchema()).tables) out[t.name] = await readTable(reader, t.name);
  return out;
}

/** Detects the source's version, finds the path to `to` (default: the latest) and applies it. */
export async function upgrade(
  pack: Pack,
  source: DatasetReader,
  options: { from?: string; to?: string } & UpgradeContext = {},
): Promise<UpgradedReader> {
  return applyPath(source, await planUpgrade(pack, source, options), options);
}

/** Applies one hop on its own (no pack, no detection): to test a hop in isolation. */
export function runHop(hop: Hop, source: DatasetReader, context: UpgradeContext = {}): Promise<UpgradedReader> {
  const h = hopDef(hop);
  const pack: Pack = { kind: 'ferry-pack', name: 'hop', versions: [h.from, h.to], detect: () => ({ unknown: 'a single hop' }), hops: [h] };
  return applyPath(source, findPath(pack, h.from, h.to), context);
}

function plain(v: Value): unknown {
  return typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}
