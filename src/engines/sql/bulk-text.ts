import { ESCAPED_CHARACTERS, escapeField, NULL_FIELD } from '../../core/bulk-text.js';
import type { BulkTextBatch, BulkTextRequest } from '../../core/dataset.js';
import type { ColumnSchema, TableSchema } from '../../core/schema.js';
import type { Row, Value } from '../../core/values.js';

/**
 * Bulk text made by the source database (core/bulk-text.ts): each row's line is computed in SQL, and a chunk of
 * lines arrives as one value, so no value of those rows ever becomes a JavaScript value. The mechanism is shared;
 * each engine declares how it spells a field of each portable type ({@link BulkTextDialect}).
 *
 * The rule that keeps this exact: a row is formatted by the source only when every value of it passes its column's
 * `clean` condition, which holds only for values that conformance (core/conform.ts) would keep exactly as they are
 * and that the target can hold; the field's SQL then spells that value as the writer's encoder would. Every other
 * row of the chunk is read as values and takes the usual path, where it is converted by a rule or rejected with a
 * reason. A condition that is stricter than needed only sends more rows down the value path.
 */
export interface FieldSql {
  /**
   * The condition (on a non-null value) under which `text` is exact; '' when every value is. A text or JSON value
   * holding NUL must never pass it.
   */
  clean: string;
  /** The field's text, before escaping. */
  text: string;
  /** The text may hold a character that must be escaped (text, JSON); other types never do. */
  escape: boolean;
}

export interface BulkTextDialect {
  /** A text literal, every character standing for itself. */
  literal(s: string): string;
  /** Texts concatenated (none is NULL). */
  concat(parts: string[]): string;
  /** `text` with every `from` replaced by `to` (both one-character or short literals). */
  replace(text: string, from: string, to: string): string;
  /** A value's length in bytes (text as UTF-8). */
  byteLength(column: string): string;
  /**
   * How the engine spells the field of one column, and when it may: undefined when it never formats such a column
   * (the whole table is then read as values).
   */
  field(column: ColumnSchema, quoted: string, request: BulkTextRequest): FieldSql | undefined;
}

/**
 * The SQL of one table's lines: the condition for a row to be formatted (true or false, never NULL), and its line
 * (ending in a newline).
 */
export interface LineSql {
  clean: string;
  line: string;
}

export function lineSql(
  d: BulkTextDialect,
  table: TableSchema,
  quote: (name: string) => string,
  request: BulkTextRequest,
): LineSql | undefined {
  const conditions: string[] = [];
  const fields: string[] = [];
  const zeroUnsafe = new Set(request.load.zeroUnsafe ?? []);
  for (const column of table.columns) {
    const c = quote(column.name);
    const f = d.field(column, c, request);
    if (!f) return undefined;
    const checks = [f.clean];
    if (zeroUnsafe.has(column.name)) checks.push(`${c} <> 0`);
    const limit = request.load.maxValueBytes;
    if (limit !== undefined && ['text', 'json', 'binary'].includes(column.type.kind)) checks.push(`${d.byteLength(c)} <= ${limit}`);
    const check = checks.filter(Boolean).join(' AND ');
    // NULL passes when the column takes it; a NOT NULL column's NULL is the value path's to refuse.
    if (column.nullable) conditions.push(check ? `(${c} IS NULL OR (${check}))` : '');
    else conditions.push(check ? `(${c} IS NOT NULL AND ${check})` : `${c} IS NOT NULL`);
    const text = f.escape ? escaped(d, f.text) : f.text;
    fields.push(column.nullable ? `CASE WHEN ${c} IS NULL THEN ${d.literal(NULL_FIELD)} ELSE ${text} END` : text);
  }
  const parts: string[] = [];
  fields.forEach((f, i) => parts.push(...(i > 0 ? [d.literal('\t')] : []), f));
  parts.push(d.literal('\n'));
  const clean = conditions.filter(Boolean);
  // Never NULL (a NULL would leave a row out of both the lines and the other rows), so that NOT of it is exact.
  return { clean: clean.length > 0 ? `(CASE WHEN ${clean.join(' AND ')} THEN 1 ELSE 0 END = 1)` : '(1 = 1)', line: d.concat(parts) };
}

/**
 * The chain of replace() calls that escapes a text as escapeField does, backslash first. NUL is left out: a text
 * holding one is never clean (every dialect's condition says so), since not every engine can spell it in SQL.
 */
function escaped(d: BulkTextDialect, text: string): string {
  return ESCAPED_CHARACTERS.filter((ch) => ch !== '\0').reduce(
    (sql, ch) => d.replace(sql, d.literal(ch), d.literal(escapeField(ch))),
    text,
  );
}

/** The queries a reader answers for the shared batching below; keys are the table's key values, in key order. */
export interface BulkTextSource {
  /**
   * The end of the next chunk: the key of the `rows`-th row after `after` (`full`), or of the last row when fewer
   * remain; undefined when no row remains.
   */
  chunkEnd(after: Value[] | undefined, rows: number): Promise<{ key: Value[]; full: boolean } | undefined>;
  /** The lines of the formatted rows after `after` up to `until` (included), as bytes, and how many. */
  lines(after: Value[] | undefined, until: Value[]): Promise<{ text: Buffer; count: number }>;
  /** The other rows of that range, as values. */
  otherRows(after: Value[] | undefined, until: Value[]): Promise<Row[]>;
}

/** Lines per chunk are tuned to keep each chunk near this size: large enough to amortise a query, small enough to interleave. */
const CHUNK_BYTES = 256 * 1024;
/** A batch (one transaction) ends at this many bytes of text even before its row count: memory stays bounded for wide rows. */
const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * Batches of a table's bulk text, chunk by chunk. Between chunks the event loop runs, so that while a synchronous
 * source (SQLite) formats the next chunk, the previous batch keeps flowing to the target.
 */
export async function* bulkTextBatches(source: BulkTextSource, request: BulkTextRequest): AsyncIterable<BulkTextBatch> {
  let after = request.after;
  let chunkRows = 256;
  for (;;) {
    const batch: BulkTextBatch = { chunks: [], lines: 0, rows: [], resumeKey: [] };
    let bytes = 0;
    let done = false;
    while (batch.lines + batch.rows.length < request.batchRows && bytes < BATCH_BYTES) {
      const want = Math.min(chunkRows, request.batchRows - batch.lines - batch.rows.length);
      const end = await source.chunkEnd(after, want);
      if (!end) {
        done = true;
        break;
      }
      const { text, count } = await source.lines(after, end.key);
      if (count > 0) batch.chunks.push(text);
      batch.lines += count;
      bytes += text.length;
      // A full chunk of formatted lines has no other rows; the last (short) chunk's size is unknown, so it is asked.
      if (!end.full || count < want) batch.rows.push(...(await source.otherRows(after, end.key)));
      after = end.key;
      batch.resumeKey = end.key;
      if (count > 0) chunkRows = Math.max(16, Math.min(4096, Math.round((CHUNK_BYTES * count) / Math.max(1, text.length))));
      if (!end.full) {
        done = true;
        break;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (batch.lines + batch.rows.length > 0) yield batch;
    if (done) return;
  }
}
