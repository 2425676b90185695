import { valueEncoder, type ValueEncoder } from '../core/canonical.js';
import { makeConformer, Refusal, type ValueLimits } from '../core/conform.js';
import type { DatasetReader } from '../core/dataset.js';
import { BUCKETS, CURRENT_DIGEST_FORMAT, TableDigest, type DigestFormat } from '../core/digest.js';
import { rowHasher } from '../core/row-hash.js';
import { keyColumns, type TableSchema } from '../core/schema.js';
import type { Row, Value } from '../core/values.js';

/**
 * Rows per batch when a table is read to be fingerprinted. Small: nothing is written, so a batch costs only its
 * query, and rows that are digested soon after they are read are collected young (less memory).
 */
export const DIGEST_BATCH_ROWS = 1000;

/** Verification reads every value as the most permissive target would hold it: nothing is rejected, only seen. */
const SEE_ALL = { textAllowsNul: true, realAllowsSpecials: true };

export interface DigestOptions {
  batchRows: number;
  /** The key columns rows are bucketed by (shared by both sides of a comparison). */
  keyColumns: string[];
  /** The column order both sides are compared in. */
  columns: string[];
  /** The digest format (both sides of a comparison use one); the current one by default. */
  format?: DigestFormat;
  onRows?: (rows: number) => void;
}

/** The digest of a table as a reader holds it, rows canonicalized by conform.ts so engines compare equal. */
export async function digestTable(reader: DatasetReader, table: TableSchema, options: DigestOptions): Promise<TableDigest> {
  const digest = new TableDigest(options.format ?? CURRENT_DIGEST_FORMAT);
  await scan(reader, table, options, (row, encoders, keyIndexes) => digest.add(row, encoders, keyIndexes));
  return digest;
}

/** The rows of some buckets, by key text → row hash: the second pass of verify, to name the keys that differ. */
export async function rowsInBuckets(
  reader: DatasetReader,
  table: TableSchema,
  options: DigestOptions,
  buckets: Set<number>,
  limit: number,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let hasher: ReturnType<typeof rowHasher> | undefined;
  await scan(reader, table, options, (row, encoders, keyIndexes) => {
    if (out.size >= limit) return;
    hasher ??= rowHasher(options.format ?? CURRENT_DIGEST_FORMAT, encoders, keyIndexes);
    const hash = hasher.hash(row);
    if (!buckets.has(hasher.bucket(row, hash, BUCKETS))) return;
    const hex = Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
    const indexes = keyIndexes.length > 0 ? keyIndexes : row.map((_, i) => i);
    const key = JSON.stringify(indexes.map((i) => encoders[i]!(row[i] ?? null)));
    out.set(keyIndexes.length > 0 ? key : `${key}#${hex}`, hex);
  });
  return out;
}

/**
 * What a run sent of a table whose rows went as bulk text, where nothing was fingerprinted on the way: the source's
 * rows read again and conformed exactly as the run conformed them (for the target's limits, by the chosen rules),
 * without the rows conformance rejected, and without those the target refused (`refused`).
 */
export async function sentDigest(
  reader: DatasetReader,
  table: TableSchema,
  conform: { limits: ValueLimits; rules: ReadonlySet<string> },
  refused: TableDigest,
  batchRows: number,
): Promise<TableDigest> {
  const conformers = table.columns.map((c) => makeConformer(c, conform.limits, conform.rules));
  const encoders = table.columns.map((c) => valueEncoder(c.type));
  const keyIndexes = (keyColumns(table) ?? []).map((k) => table.columns.findIndex((c) => c.name === k));
  const digest = refused.empty();
  for await (const batch of reader.readRows(table, { batchRows })) {
    rows: for (const raw of batch.rows) {
      const row: Row = new Array<Value>(conformers.length);
      for (let i = 0; i < conformers.length; i++) {
        const r = conformers[i]!(raw[i] ?? null);
        if (r instanceof Refusal) continue rows;
        row[i] = r;
      }
      digest.add(row, encoders, keyIndexes);
    }
  }
  return digest.subtract(refused);
}

const asRead = (value: Value): Value => value;

async function scan(
  reader: DatasetReader,
  table: TableSchema,
  options: DigestOptions,
  visit: (row: Row, encoders: ValueEncoder[], keyIndexes: number[]) => void,
): Promise<void> {
  const positions = options.columns.map((name) => table.columns.findIndex((c) => c.name === name));
  const columns = positions.map((p) => table.columns[p]!);
  // A json value is only checked by its conformer, never changed, and here a refusal keeps the value anyway: the
  // encoder parses the text itself, so the check would only parse it twice.
  const conformers = columns.map((c) => (c.type.kind === 'json' ? asRead : makeConformer({ ...c, nullable: true }, SEE_ALL, new Set())));
  const encoders = columns.map((c) => valueEncoder(c.type));
  const keyIndexes = options.keyColumns.map((k) => options.columns.indexOf(k));
  let seen = 0;
  for await (const batch of reader.readRows(table, { batchRows: options.batchRows })) {
    for (const raw of batch.rows) {
      const row = positions.map((p, i) => {
        const value = raw[p] ?? null;
        const r = conformers[i]!(value);
        return r instanceof Refusal ? value : r;
      });
      visit(row, encoders, keyIndexes);
    }
    seen += batch.rows.length;
    options.onRows?.(seen);
  }
}
