import type { DatasetReader } from '../core/dataset.js';
import { digestFormatOf, TableDigest, type DigestFormat } from '../core/digest.js';
import { keyColumns, type TableSchema } from '../core/schema.js';
import { DIGEST_BATCH_ROWS, digestTable, rowsInBuckets, type DigestOptions } from './digest-table.js';

/** One differing row: present on one side only, or on both with other values. */
export interface KeyDifference {
  key: string;
  status: 'only in A' | 'only in B' | 'differs';
}

export interface TableComparison {
  table: string;
  rowsA: number;
  rowsB: number;
  digestA: string;
  digestB: string;
  equal: boolean;
  /** Why the table could not be compared row by row (columns differ), when that is the case. */
  problem?: string;
  examples: KeyDifference[];
}

/**
 * Compares one table, reading both sides at once. Side A may be given as a digest (of what a run sent), or as the
 * work that computes one (then `options.format` must be its format).
 */
export async function compareTable(
  a: DatasetReader | TableDigest | (() => Promise<TableDigest>),
  b: DatasetReader,
  tableA: TableSchema,
  tableB: TableSchema,
  options: {
    batchRows?: number;
    examples?: number;
    format?: DigestFormat;
    /** Digests side B elsewhere (another thread) instead of reading `b` here; `b` is still read for examples. */
    digestBElsewhere?: (table: TableSchema, options: DigestOptions) => Promise<TableDigest>;
  },
): Promise<TableComparison> {
  const columns = tableA.columns.map((c) => c.name);
  const missing = columns.filter((c) => !tableB.columns.some((x) => x.name === c));
  const extra = tableB.columns.filter((x) => !columns.includes(x.name)).map((x) => x.name);
  // A digest of what a run sent fixes the format: the target is digested the same way.
  const format = a instanceof TableDigest ? a.format : options.format;
  const digestOptions = digestOptionsFor(tableA, options.batchRows, format);
  const [digestB, digestA] = await Promise.all([
    missing.length === 0 ? (options.digestBElsewhere ?? ((t, o) => digestTable(b, t, o)))(tableB, digestOptions) : undefined,
    a instanceof TableDigest ? a : typeof a === 'function' ? a() : digestTable(a, tableA, digestOptions),
  ]);
  const comparison: TableComparison = {
    table: tableA.name,
    rowsA: digestA.rows,
    rowsB: digestB?.rows ?? -1,
    digestA: digestA.hex(),
    digestB: digestB?.hex() ?? '',
    equal: digestB !== undefined && extra.length === 0 && digestA.hex() === digestB.hex(),
    examples: [],
  };
  if (missing.length > 0 || extra.length > 0) {
    comparison.problem = [
      missing.length ? `columns only in A: ${missing.join(', ')}` : '',
      extra.length ? `columns only in B: ${extra.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  } else if (!comparison.equal && digestB && !(a instanceof TableDigest) && typeof a !== 'function') {
    comparison.examples = await differingKeys(
      a,
      b,
      tableA,
      tableB,
      digestOptions,
      digestA.differingBuckets(digestB),
      options.examples ?? 5,
    );
  }
  return comparison;
}

/**
 * Side B alone against a digest recorded when side A was written (a backup's manifest): the comparison when B's
 * digest is that one, undefined when it is not, or cannot be compared (other columns, another format), and the
 * caller must read A again to compare row by row and name the differing keys.
 */
export async function matchRecorded(
  b: DatasetReader,
  tableA: TableSchema,
  tableB: TableSchema,
  recorded: string,
  options: { batchRows?: number; format: DigestFormat },
): Promise<{ comparison: TableComparison; digest: TableDigest } | undefined> {
  const sameColumns =
    tableA.columns.length === tableB.columns.length && tableA.columns.every((c) => tableB.columns.some((x) => x.name === c.name));
  if (!sameColumns || digestFormatOf(recorded) !== options.format) return undefined;
  const digest = await digestTable(b, tableB, digestOptionsFor(tableA, options.batchRows, options.format));
  if (digest.text() !== recorded) return undefined;
  const hex = digest.hex();
  return {
    comparison: { table: tableA.name, rowsA: digest.rows, rowsB: digest.rows, digestA: hex, digestB: hex, equal: true, examples: [] },
    digest,
  };
}

/** How both sides of a table are fingerprinted: A's columns, in A's order, bucketed by A's key. */
function digestOptionsFor(tableA: TableSchema, batchRows: number | undefined, format: DigestFormat | undefined): DigestOptions {
  return {
    batchRows: batchRows ?? DIGEST_BATCH_ROWS,
    keyColumns: keyColumns(tableA) ?? [],
    columns: tableA.columns.map((c) => c.name),
    format,
  };
}

async function differingKeys(
  a: DatasetReader,
  b: DatasetReader,
  tableA: TableSchema,
  tableB: TableSchema,
  options: DigestOptions,
  buckets: Set<number>,
  limit: number,
): Promise<KeyDifference[]> {
  // Bounded memory: only rows of differing buckets are held, and at most this many per side.
  const cap = 20_000;
  const rowsA = await rowsInBuckets(a, tableA, options, buckets, cap);
  const rowsB = await rowsInBuckets(b, tableB, options, buckets, cap);
  const out: KeyDifference[] = [];
  for (const [key, hash] of rowsA) {
    if (out.length >= limit) break;
    const other = rowsB.get(key);
    if (other === undefined) out.push({ key, status: 'only in A' });
    else if (other !== hash) out.push({ key, status: 'differs' });
  }
  for (const key of rowsB.keys()) {
    if (out.length >= limit) break;
    if (!rowsA.has(key)) out.push({ key, status: 'only in B' });
  }
  return out;
}
