import { makeConformer, Refusal, type Conformer } from '../core/conform.js';
import type { BulkTextBatch, CheckpointWrite, DatasetReader, DatasetWriter, RejectedRow } from '../core/dataset.js';
import { valueEncoder, type ValueEncoder } from '../core/canonical.js';
import { TableDigest, type DigestFormat, type DigestJSON } from '../core/digest.js';
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
  digest: DigestJSON;
  /**
   * Present when the rows go as bulk text formatted by the source (then `digest` stays empty): the digest of the
   * conformed rows the target refused, which verification takes away from the source's.
   */
  refused?: DigestJSON;
  /** Rows committed as lines the source formatted (the others went as values). */
  formatted?: number;
}

export interface CopyTableOptions {
  /** Rows per batch; by default 5000, or {@link TEXT_BATCH_ROWS} when the source formats the rows as bulk text. */
  batchRows?: number;
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
  /** Let the source format the rows as the target's bulk text when both can (default true). */
  bulkText?: boolean;
}

export interface TableCopyResult {
  table: string;
  rows: number;
  rejected: number;
  seconds: number;
  /** The digest of what the target now holds for this table, as sent (empty when the rows went as bulk text). */
  digest: TableDigest;
  /** Set when the source formatted the rows as bulk text: the digest of the rows the target refused (see TableProgress). */
  refused?: TableDigest;
  /** Rows that went as lines the source formatted. */
  formatted: number;
}

/** Rows per batch of values: their JavaScript values are what takes memory. */
export const ROW_BATCH_ROWS = 5000;
/**
 * Rows per batch of bulk text (which also ends at 8 MiB of text, engines/sql/bulk-text.ts): a line costs little
 * memory, and each batch's transaction and checkpoint cost the server round trips that larger batches amortise.
 */
export const TEXT_BATCH_ROWS = 50_000;

/**
 * Copies one table: reads batches in key order, conforms every value to the target (rejecting what it cannot
 * hold), writes each batch with its checkpoint in one transaction, and fingerprints what was written. Reading the
 * next batch overlaps with writing the current one.
 *
 * When the source can format the rows as the writer's bulk text (engines/sql/bulk-text.ts), the batches come as
 * lines plus the rows the source could not vouch for, which are conformed here as usual; no value of the lines is
 * seen, so nothing is fingerprinted on the way: verification reads the source again (pipeline.ts).
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
  let formatted = resume?.formatted ?? 0;
  options.events({ type: 'table-start', table: table.name, rowsTotal: options.rowsTotal, rowsDone });

  const after = resume?.resumeKey ? decodeKey(resume.resumeKey) : undefined;
  // A table keeps the way its first batches went: the rows fingerprinted as sent, or (bulk text) the source read again.
  const startedByValues = resume !== undefined && resume.refused === undefined && resume.rowsDone > 0;
  const digesting = options.digest !== false;
  const offered = writer.writeBulkText && options.bulkText !== false && !startedByValues ? writer.bulkTextLoad?.(table) : undefined;
  // A writer that records the digest needs the values: no text while the run computes one.
  const load = offered?.recordsDigest && digesting ? undefined : offered;
  const textBatches =
    load && reader.readBulkText?.(table, { load, limits: writer.limits, after, batchRows: options.batchRows ?? TEXT_BATCH_ROWS });
  const refused = textBatches || resume?.refused ? (resume?.refused ? TableDigest.fromJSON(resume.refused) : digest.empty()) : undefined;

  /** Conforms one batch's rows and fingerprints them (rows only): CPU work that overlaps the previous batch's write. */
  const prepare = (rows: Row[], resumeKey: Value[] | undefined, text?: { lines: BulkTextBatch; start?: Value[] }): PreparedBatch => {
    const good: Row[] = [];
    const refusedHere: { row: Row; reason: string; column: string }[] = [];
    for (const row of rows) {
      const conformed = conformRow(row, conformers, table);
      if (conformed.ok) good.push(conformed.row);
      else refusedHere.push({ row, reason: conformed.reason, column: conformed.column });
    }
    const batchDigest = digesting && !refused ? digestOf(digest.empty(), good, new Set(), encoders, keyIndexes) : digest.empty();
    return { good, conformRejects: refusedHere, batchDigest, resumeKey, text };
  };

  /** Writes one prepared batch with its checkpoint; its rejects reach the reject file inside its transaction. */
  const commit = async (batch: PreparedBatch): Promise<void> => {
    let committed: TableProgress | undefined;
    let written = batch.batchDigest;
    let refusedNow = refused?.empty();
    const lines = batch.text?.lines.lines ?? 0;
    // Runs inside the batch's transaction, once the target has said which rows it refused. The reject lines are
    // appended here, not when the batch was conformed, so that the file size a checkpoint records covers exactly
    // the batches it commits.
    const progressAfter = (refusedRows: RejectedRow[]): TableProgress => {
      for (const r of batch.conformRejects) options.rejects.add(table, r.row, r.reason, r.column);
      for (const r of refusedRows) options.rejects.add(table, r.row, `refused by the target: ${r.reason}`, r.column);
      if (refusedRows.length > 0 && digesting) {
        if (refusedNow)
          refusedNow = digestOf(
            refusedNow.empty(),
            refusedRows.map((r) => r.row),
            new Set(),
            encoders,
            keyIndexes,
          );
        else written = digestOf(digest.empty(), batch.good, new Set(refusedRows.map((r) => r.row)), encoders, keyIndexes);
      }
      committed = {
        rowsDone: rowsDone + lines + batch.good.length - refusedRows.length,
        rejected: rejected + batch.conformRejects.length + refusedRows.length,
        rejectBytes: options.rejects.size(table.name),
        resumeKey: batch.resumeKey ? encodeKey(batch.resumeKey) : undefined,
        digest: digest.clone().merge(written).toJSON(),
        ...(refused ? { refused: refused.clone().merge(refusedNow!).toJSON(), formatted: formatted + lines } : {}),
      };
      // Inside the open transaction: a kill here must lose the whole batch, never half of it.
      faultPoint(`uncommitted:${table.name}`, committed.rowsDone);
      return committed;
    };
    const checkpoint: CheckpointWrite | undefined = options.runId
      ? { runId: options.runId, table: table.name, state: (r) => JSON.stringify(progressAfter(r)) }
      : undefined;
    let refusedRows: RejectedRow[] | undefined;
    if (batch.text) {
      refusedRows = await writer.writeBulkText!(table, batch.text.lines, batch.good, checkpoint);
      // Written or refused, the text is not read again: its memory goes back to the reader.
      batch.text.lines.release?.();
      if (refusedRows === undefined) {
        // The target refused a value of the lines, which cannot say which: the whole batch again, as values.
        options.events({
          type: 'log',
          level: 'info',
          message: `${table.name}: a batch goes row by row (the target refused a value of its text)`,
        });
        return commit(prepare(await readRange(reader, table, batch.text.start, batch.resumeKey!), batch.resumeKey, undefined));
      }
    } else {
      refusedRows = await writer.writeBatch(table, batch.good, checkpoint);
    }
    if (!checkpoint) progressAfter(refusedRows);
    digest.merge(written);
    if (refusedNow) refused!.merge(refusedNow);
    rowsDone = committed!.rowsDone;
    rejected = committed!.rejected;
    formatted += lines;
    options.onCommitted?.(committed!);
    options.events({ type: 'table-progress', table: table.name, rowsDone, rowsTotal: options.rowsTotal, rejected });
    faultPoint(`data:${table.name}`, rowsDone);
  };

  // One write in flight: batch N+1 is read and prepared while batch N is being written and committed.
  const batches: AsyncIterator<PreparedBatch> = textBatches
    ? preparedText(textBatches, after, prepare)
    : preparedRows(reader, table, options.batchRows ?? ROW_BATCH_ROWS, after, prepare);
  let pending = batches.next();
  let writing: Promise<void> | undefined;
  try {
    for (;;) {
      const result = await pending;
      if (result.done) break;
      pending = batches.next();
      if (writing) await writing;
      writing = commit(result.value);
    }
    if (writing) await writing;
  } finally {
    // After a failed write, the batches are ended, not abandoned: a reader's open file, cursor or thread is closed.
    pending.catch(() => undefined);
    await batches.return?.().catch(() => undefined);
  }
  const seconds = (performance.now() - started) / 1000;
  options.events({ type: 'table-done', table: table.name, rows: rowsDone, rejected, seconds });
  return { table: table.name, rows: rowsDone, rejected, seconds, digest, formatted, ...(refused ? { refused } : {}) };
}

type Prepare = (rows: Row[], resumeKey: Value[] | undefined, text?: { lines: BulkTextBatch; start?: Value[] }) => PreparedBatch;

async function* preparedRows(
  reader: DatasetReader,
  table: TableSchema,
  batchRows: number,
  after: Value[] | undefined,
  prepare: Prepare,
): AsyncIterator<PreparedBatch> {
  for await (const batch of reader.readRows(table, { batchRows, after })) yield prepare(batch.rows, batch.resumeKey);
}

async function* preparedText(
  batches: AsyncIterable<BulkTextBatch>,
  after: Value[] | undefined,
  prepare: Prepare,
): AsyncIterator<PreparedBatch> {
  let start = after;
  for await (const batch of batches) {
    yield prepare(batch.rows, batch.resumeKey, { lines: batch, start });
    start = batch.resumeKey;
  }
}

/** The rows of one batch, read again as values (after `start`, up to `end` included). */
async function readRange(reader: DatasetReader, table: TableSchema, start: Value[] | undefined, end: Value[]): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of reader.readRows(table, { after: start, until: end, batchRows: 10_000 })) rows.push(...batch.rows);
  return rows;
}

interface PreparedBatch {
  good: Row[];
  conformRejects: { row: Row; reason: string; column: string }[];
  batchDigest: TableDigest;
  resumeKey?: Value[];
  /** The batch's lines, when the source formatted them, and where the batch starts (to read it again as rows). */
  text?: { lines: BulkTextBatch; start?: Value[] };
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
