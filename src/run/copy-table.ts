import { makeConformer, Refusal, type Conformer } from '../core/conform.js';
import type { CheckpointWrite, DatasetReader, DatasetWriter, RejectedRow } from '../core/dataset.js';
import { valueEncoder, type ValueEncoder } from '../core/canonical.js';
import { TableDigest, type DigestFormat } from '../core/digest.js';
import { keyColumns, type TableSchema } from '../core/schema.js';
import type { Row, Value } from '../core/values.js';
import type { EventListener } from './events.js';
import { faultPoint } from './fault.js';
import { decodeKey, encodeKey, type EncodedKey } from './keys.js';
import type { RejectLog } from './rejects.js';

/** Where one table's copy stands: what a checkpoint records, and what a resumed run starts from. */
export interface TableProgress {
  /** Rows committed in the target so far. */
  rowsDone: number;
  /** Rows sent to the reject file so far. */
  rejected: number;
  /** The size of the table's reject file when this progress was committed. */
  rejectBytes: number;
  /** The reader's position after the last committed batch; absent when the reader cannot give one. */
  resumeKey?: EncodedKey;
  /** The digest of the rows committed so far, so that verification after a resume covers the whole table. */
  digest: { rows: number; sums: string };
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
  /** Fingerprint the rows for verification (default true; without verification it is wasted work). */
  digest?: boolean;
  /** The digest format of a table started afresh (a resumed one goes on in its checkpoint's format). */
  digestFormat?: DigestFormat;
  /** Called after each committed batch, with the progress that was committed. */
  onCommitted?: (progress: TableProgress) => void;
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
  const digest = resume ? TableDigest.fromJSON(resume.digest) : new TableDigest(options.digestFormat);
  let rowsDone = resume?.rowsDone ?? 0;
  let rejected = resume?.rejected ?? 0;
  options.events({ type: 'table-start', table: table.name, rowsTotal: options.rowsTotal, rowsDone });

  const after = resume?.resumeKey ? decodeKey(resume.resumeKey) : undefined;
  const batches = reader.readRows(table, { batchRows: options.batchRows, after })[Symbol.asyncIterator]();
  const digesting = options.digest !== false;

  /** Conforms one batch and fingerprints its rows: CPU work that overlaps the previous batch's write. */
  const prepare = (rows: Row[], resumeKey: Value[] | undefined): PreparedBatch => {
    const good: Row[] = [];
    const refusedHere: { row: Row; reason: string; column: string }[] = [];
    for (const row of rows) {
      const conformed = conformRow(row, conformers, table);
      if (conformed.ok) good.push(conformed.row);
      else refusedHere.push({ row, reason: conformed.reason, column: conformed.column });
    }
    const batchDigest = digesting ? digestOf(digest.empty(), good, new Set(), encoders, keyIndexes) : digest.empty();
    return { good, conformRejects: refusedHere, batchDigest, resumeKey };
  };

  /** Writes one prepared batch with its checkpoint; its rejects reach the reject file inside its transaction. */
  const commit = async (batch: PreparedBatch): Promise<void> => {
    let committed: TableProgress | undefined;
    let written = batch.batchDigest;
    // Runs inside the batch's transaction, once the target has said which rows it refused. The reject lines are
    // appended here, not when the batch was conformed, so that the file size a checkpoint records covers exactly
    // the batches it commits.
    const progressAfter = (refused: RejectedRow[]): TableProgress => {
      for (const r of batch.conformRejects) options.rejects.add(table, r.row, r.reason, r.column);
      for (const r of refused) options.rejects.add(table, r.row, `refused by the target: ${r.reason}`, r.column);
      if (refused.length > 0 && digesting)
        written = digestOf(digest.empty(), batch.good, new Set(refused.map((r) => r.row)), encoders, keyIndexes);
      committed = {
        rowsDone: rowsDone + batch.good.length - refused.length,
        rejected: rejected + batch.conformRejects.length + refused.length,
        rejectBytes: options.rejects.size(table.name),
        resumeKey: batch.resumeKey ? encodeKey(batch.resumeKey) : undefined,
        digest: digest.clone().merge(written).toJSON(),
      };
      // Inside the open transaction: a kill here must lose the whole batch, never half of it.
      faultPoint(`uncommitted:${table.name}`, committed.rowsDone);
      return committed;
    };
    const checkpoint: CheckpointWrite | undefined = options.runId
      ? { runId: options.runId, table: table.name, state: (refused) => JSON.stringify(progressAfter(refused)) }
      : undefined;
    const refused = await writer.writeBatch(table, batch.good, checkpoint);
    if (!checkpoint) progressAfter(refused);
    digest.merge(written);
    rowsDone = committed!.rowsDone;
    rejected = committed!.rejected;
    options.onCommitted?.(committed!);
    options.events({ type: 'table-progress', table: table.name, rowsDone, rowsTotal: options.rowsTotal, rejected });
    faultPoint(`data:${table.name}`, rowsDone);
  };

  // One write in flight: batch N+1 is read and prepared while batch N is being written and committed.
  let pending = batches.next();
  let writing: Promise<void> | undefined;
  for (;;) {
    const result = await pending;
    if (result.done) break;
    pending = batches.next();
    const prepared = prepare(result.value.rows, result.value.resumeKey);
    if (writing) await writing;
    writing = commit(prepared);
  }
  if (writing) await writing;
  const seconds = (performance.now() - started) / 1000;
  options.events({ type: 'table-done', table: table.name, rows: rowsDone, rejected, seconds });
  return { table: table.name, rows: rowsDone, rejected, seconds, digest };
}

interface PreparedBatch {
  good: Row[];
  conformRejects: { row: Row; reason: string; column: string }[];
  batchDigest: TableDigest;
  resumeKey?: Value[];
}

function digestOf(d: TableDigest, rows: Row[], skip: Set<Row>, encoders: ValueEncoder[], keyIndexes: number[]): TableDigest {
  for (const row of rows) if (!skip.has(row)) d.add(row, encoders, keyIndexes);
  return d;
}

type ConformedRow = { ok: true; row: Row } | { ok: false; reason: string; column: string };

/**
 * The row with each value conformed. A value the conformer returns unchanged is not copied, and a row whose values
 * all come back unchanged is returned as it is: no new array for it.
 */
function conformRow(row: Row, conformers: Conformer[], table: TableSchema): ConformedRow {
  // A row is exactly one value per column (a reader's contract); anything else is cut or padded here.
  let out: Row | undefined = row.length === conformers.length ? undefined : row.slice(0, conformers.length);
  for (let i = 0; i < conformers.length; i++) {
    const value = row[i] ?? null;
    const r = conformers[i]!(value);
    if (r instanceof Refusal) return { ok: false, reason: `${table.columns[i]!.name}: ${r.reason}`, column: table.columns[i]!.name };
    if (r !== row[i]) (out ??= row.slice(0, conformers.length))[i] = r;
  }
  return { ok: true, row: out ?? row };
}
