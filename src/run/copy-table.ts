import { makeConformer, type Conformer } from '../core/conform.js';
import type { DatasetReader, DatasetWriter } from '../core/dataset.js';
import { TableDigest, valueEncoder, type ValueEncoder } from '../core/digest.js';
import { keyColumns, type TableSchema } from '../core/schema.js';
import type { Row, Value } from '../core/values.js';
import type { EventListener } from './events.js';
import { decodeKey, encodeKey, type EncodedKey } from './keys.js';
import type { RejectLog } from './rejects.js';

/** Where one table's copy stands: what a checkpoint records, and what a resumed run starts from. */
export interface TableProgress {
  /** Rows committed in the target so far. */
  rowsDone: number;
  /** Rows sent to the reject file so far. */
  rejected: number;
  /** The reader's position after the last committed batch; absent before the first batch. */
  resumeKey?: EncodedKey;
  /** The digest of the rows committed so far, so that verification after a resume covers the whole table. */
  digest?: { rows: number; sums: string };
}

export interface CopyTableOptions {
  batchRows: number;
  /** The conversion rules the user chose (conform.ts). */
  rules: ReadonlySet<string>;
  rejects: RejectLog;
  events: EventListener;
  /** When set, each batch's progress is committed with the batch under this run id. */
  runId?: string;
  /** Progress of an interrupted earlier run, to continue from. */
  resumeFrom?: TableProgress;
  /** Total rows expected (for progress), if known. */
  rowsTotal: number;
}

export interface TableCopyResult {
  table: string;
  rows: number;
  rejected: number;
  seconds: number;
  /** The digest of what the target now holds for this table, as sent. */
  digest: TableDigest;
}

/**
 * Copies one table: reads batches in key order, conforms every value to the target (rejecting what it cannot
 * hold), writes each batch with its checkpoint in one transaction, and fingerprints what was written. Reading the
 * next batch overlaps with writing the current one.
 */
export async function copyTable(
  reader: DatasetReader,
  writer: DatasetWriter,
  table: TableSchema,
  options: CopyTableOptions,
): Promise<TableCopyResult> {
  const started = performance.now();
  const conformers = table.columns.map((c) => makeConformer(c, writer.limits, options.rules));
  const encoders = table.columns.map((c) => valueEncoder(c.type));
  const keyIndexes = (keyColumns(table) ?? []).map((k) => table.columns.findIndex((c) => c.name === k));
  const resume = options.resumeFrom;
  const digest = resume?.digest ? TableDigest.fromJSON(resume.digest) : new TableDigest();
  let rowsDone = resume?.rowsDone ?? 0;
  let rejected = resume?.rejected ?? 0;
  options.events({ type: 'table-start', table: table.name, rowsTotal: options.rowsTotal, rowsDone });

  const batches = reader.readRows(table, {
    batchRows: options.batchRows,
    after: resume?.resumeKey ? decodeKey(resume.resumeKey) : undefined,
  })[Symbol.asyncIterator]();
  let pending = batches.next();
  for (;;) {
    const result = await pending;
    if (result.done) break;
    pending = batches.next();
    const { rows, resumeKey } = result.value;

    const good: Row[] = [];
    for (const row of rows) {
      const conformed = conformRow(row, conformers, table);
      if (conformed.ok) good.push(conformed.row);
      else {
        options.rejects.add(table, row, conformed.reason, conformed.column);
        rejected++;
      }
    }
    const batchDigest = digestOf(good, new Set(), encoders, keyIndexes);
    const progress = (refusedCount: number, written: TableDigest): TableProgress => ({
      rowsDone: rowsDone + good.length - refusedCount,
      rejected: rejected + refusedCount,
      resumeKey: resumeKey ? encodeKey(resumeKey) : undefined,
      digest: digest.clone().merge(written).toJSON(),
    });
    const checkpoint = options.runId ? { runId: options.runId, table: table.name, state: JSON.stringify(progress(0, batchDigest)) } : undefined;
    const refused = good.length > 0 || checkpoint ? await writer.writeBatch(table, good, checkpoint) : [];
    let written = batchDigest;
    if (refused.length > 0) {
      const refusedRows = new Set(refused.map((r) => r.row));
      for (const r of refused) options.rejects.add(table, r.row, `refused by the target: ${r.reason}`, r.column);
      written = digestOf(good, refusedRows, encoders, keyIndexes);
      // The checkpoint committed with the batch counted the refused rows as written; correct it. An interruption
      // between the two commits leaves the counts a few rows off, never a row lost or written twice.
      if (checkpoint) await writer.writeBatch(table, [], { ...checkpoint, state: JSON.stringify(progress(refused.length, written)) });
    }
    digest.merge(written);
    rowsDone += good.length - refused.length;
    rejected += refused.length;
    options.events({ type: 'table-progress', table: table.name, rowsDone, rowsTotal: options.rowsTotal, rejected });
  }
  const seconds = (performance.now() - started) / 1000;
  options.events({ type: 'table-done', table: table.name, rows: rowsDone, rejected, seconds });
  return { table: table.name, rows: rowsDone, rejected, seconds, digest };
}

function digestOf(rows: Row[], skip: Set<Row>, encoders: ValueEncoder[], keyIndexes: number[]): TableDigest {
  const d = new TableDigest();
  for (const row of rows) if (!skip.has(row)) d.add(row, encoders, keyIndexes);
  return d;
}

type ConformedRow = { ok: true; row: Row } | { ok: false; reason: string; column: string };

function conformRow(row: Row, conformers: Conformer[], table: TableSchema): ConformedRow {
  const out: Value[] = new Array(row.length);
  for (let i = 0; i < conformers.length; i++) {
    const r = conformers[i]!(row[i] ?? null);
    if (!r.ok) return { ok: false, reason: `${table.columns[i]!.name}: ${r.reason}`, column: table.columns[i]!.name };
    out[i] = r.value;
  }
  return { ok: true, row: out };
}
