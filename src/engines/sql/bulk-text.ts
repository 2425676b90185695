import { BINARY_MARK, ESCAPED_CHARACTERS, escapeField, NULL_FIELD, type BulkTextFormat } from '../../core/bulk-text.js';
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
   * holding NUL must not pass it unless the dialect escapes NUL ({@link BulkTextDialect.nul}): COPY would cut the
   * text at a raw NUL, without an error.
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
   * NUL as a replace() argument, when the engine's text functions handle it: texts are then escaped for it too
   * (`\0`, which LOAD DATA reads as NUL and COPY refuses, so that the batch goes by values).
   */
  nul?: string;
  /**
   * How the engine spells the field of one column, and when it may: undefined when it never formats such a column
   * (the whole table is then read as values).
   */
  field(column: ColumnSchema, quoted: string, format: BulkTextFormat, request: BulkTextRequest): FieldSql | undefined;
  /**
   * A text as a JSON string, quotes and escapes included, when the engine can write a backup's JSON lines
   * ({@link jsonElement}); without it, a backup from this engine is written from values.
   */
  jsonQuote?(text: string): string;
  /** The engine's doubles may be NaN or infinite, and a real field's text then spells them so (PostgreSQL). */
  realSpecials?: boolean;
}

/**
 * The SQL of one table's lines: the condition for a row to be formatted (true or false, never NULL), and its line
 * (ending in a newline).
 */
export interface LineSql {
  clean: string;
  line: string;
}

/** How a line is put together from its fields, for each kind of text. */
const SHAPES = {
  fields: { open: '', separator: '\t', close: '\n', null: NULL_FIELD },
  'json-lines': { open: '[', separator: ',', close: ']\n', null: 'null' },
} as const;

/**
 * The field spellings a backup line's elements start from (jsonElement): booleans as JSON's, instants with their
 * `+00:00`, bytes as bare hex.
 */
const JSON_FIELDS: BulkTextFormat = {
  kind: 'fields',
  name: 'ferry backup lines',
  booleans: ['false', 'true'],
  binaryPrefix: '',
  timestampOffset: true,
};

export function lineSql(
  d: BulkTextDialect,
  table: TableSchema,
  quote: (name: string) => string,
  request: BulkTextRequest,
): LineSql | undefined {
  const conditions: string[] = [];
  const fields: string[] = [];
  const json = request.load.format.kind === 'json-lines';
  if (json && !d.jsonQuote) return undefined;
  const shape = SHAPES[request.load.format.kind];
  const format = request.load.format.kind === 'fields' ? request.load.format : JSON_FIELDS;
  const zeroUnsafe = new Set(request.load.zeroUnsafe ?? []);
  for (const column of table.columns) {
    const c = quote(column.name);
    const f = d.field(column, c, format, request);
    if (!f) return undefined;
    const checks = [f.clean];
    if (zeroUnsafe.has(column.name)) checks.push(`${c} <> 0`);
    const limit = request.load.maxValueBytes;
    if (limit !== undefined && ['text', 'json', 'binary'].includes(column.type.kind)) checks.push(`${d.byteLength(c)} <= ${limit}`);
    const check = checks.filter(Boolean).join(' AND ');
    // NULL passes when the column takes it; a NOT NULL column's NULL is the value path's to refuse.
    if (column.nullable) conditions.push(check ? `(${c} IS NULL OR (${check}))` : '');
    else conditions.push(check ? `(${c} IS NOT NULL AND ${check})` : `${c} IS NOT NULL`);
    const text = json ? jsonElement(d, column, c, f) : f.escape ? escaped(d, f.text) : f.text;
    fields.push(column.nullable ? `CASE WHEN ${c} IS NULL THEN ${d.literal(shape.null)} ELSE ${text} END` : text);
  }
  const parts: string[] = shape.open ? [d.literal(shape.open)] : [];
  fields.forEach((f, i) => parts.push(...(i > 0 ? [d.literal(shape.separator)] : []), f));
  parts.push(d.literal(shape.close));
  const clean = conditions.filter(Boolean);
  // Never NULL (a NULL would leave a row out of both the lines and the other rows), so that NOT of it is exact.
  return { clean: clean.length > 0 ? `(CASE WHEN ${clean.join(' AND ')} THEN 1 ELSE 0 END = 1)` : '(1 = 1)', line: d.concat(parts) };
}

/** Past this magnitude an integer is a JSON string in a backup line. */
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A backup line's element (docs/backup-format.md, "Values") made from the field's text, under the field's own
 * condition: the element the backup writer's encoder would write for the conformed value (backup/encode.ts), but
 * for a real's digits, which are the engine's (the same double).
 */
function jsonElement(d: BulkTextDialect, column: ColumnSchema, c: string, f: FieldSql): string {
  const string = (text: string) => d.concat([d.literal('"'), text, d.literal('"')]);
  const type = column.type;
  switch (type.kind) {
    case 'integer':
      return type.bits === 64 ? `CASE WHEN ${c} BETWEEN -${SAFE} AND ${SAFE} THEN ${f.text} ELSE ${string(f.text)} END` : f.text;
    case 'real':
      // JSON has no NaN nor infinities: they are strings.
      return d.realSpecials ? `CASE WHEN ${f.text} IN ('NaN', 'Infinity', '-Infinity') THEN ${string(f.text)} ELSE ${f.text} END` : f.text;
    case 'boolean':
      return f.text;
    case 'text':
    case 'enum':
      return d.jsonQuote!(f.text);
    case 'json': {
      // The document's own text: whitespace between tokens coded (JSON allows none inside strings but spaces), TAB
      // first; the document `null` as TAB null (backup/encode.ts, encodeJsonText).
      const coded = [
        ['\t', '\t\t\t'],
        ['\n', '\t '],
        ['\r', '\t\t '],
      ].reduce((sql, [from, to]) => d.replace(sql, d.literal(from!), d.literal(to!)), f.text);
      return `CASE WHEN ${f.text} = 'null' THEN ${d.literal('\tnull')} ELSE ${coded} END`;
    }
    case 'binary': {
      const mark = d.literal(String.fromCharCode(BINARY_MARK));
      return d.concat([mark, f.text, mark]);
    }
    default:
      // decimal, uuid, date, time, timestamp: text that JSON needs no escape for.
      return string(f.text);
  }
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

/** One chunk of a table's bulk text: the next rows in key order, as far as `end`. */
export interface BulkTextChunk {
  /** The lines of the rows the source formatted. */
  text: Buffer;
  /** How many lines `text` holds. */
  lines: number;
  /** How many rows the chunk covers (lines and other rows). */
  rows: number;
  /** The key of the chunk's last row; undefined for an empty chunk (no row left). */
  end?: Value[];
}

/** The queries a reader answers for the shared batching below; keys are the table's key values, in key order. */
export interface BulkTextSource {
  /**
   * The next `rows` rows after `after` (fewer only at the end of the table). A server may start on the chunk that
   * follows (same size, after this one's end) before it is asked for, since that is what will be asked next.
   */
  chunk(after: Value[] | undefined, rows: number): Promise<BulkTextChunk>;
  /** The rows after `after` up to `until` (included) that were not formatted, as values. */
  otherRows(after: Value[] | undefined, until: Value[]): Promise<Row[]>;
  /**
   * The size chunks are tuned to (rows per chunk follow it): large enough to amortise a query, small enough, for a
   * source that answers synchronously, to let other work run between chunks. 256 KiB when not given.
   */
  chunkBytes?: number;
}
/**
 * A batch (one transaction) ends at this many bytes of text even before its row count, unless the writer asks for
 * less (BulkTextLoad.batchBytes): memory stays bounded for wide rows.
 */
const BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Rows per chunk: the estimate as a power of two, so that it changes seldom, between 16 and 16,384 (a server sends
 * a chunk as rows, and a JavaScript value per row is memory), and at most a quarter of a batch, so that a batch
 * overshoots its row count by a quarter at most.
 */
function chunkSize(estimate: number, batchRows: number): number {
  const most = Math.max(4, Math.min(14, Math.floor(Math.log2(Math.max(16, batchRows / 4)))));
  return 2 ** Math.max(4, Math.min(most, Math.round(Math.log2(Math.max(1, estimate)))));
}

/**
 * Batches of a table's bulk text, chunk by chunk. Between chunks the event loop runs, so that while a synchronous
 * source (SQLite) formats the next chunk, the previous batch keeps flowing to the target.
 */
export async function* bulkTextBatches(source: BulkTextSource, request: BulkTextRequest): AsyncIterable<BulkTextBatch> {
  let after = request.after;
  const chunkBytes = source.chunkBytes ?? 256 * 1024;
  let chunkRows = chunkSize(256, request.batchRows);
  for (;;) {
    const batch: BulkTextBatch = { chunks: [], lines: 0, rows: [], resumeKey: [] };
    let covered = 0;
    let bytes = 0;
    let done = false;
    // A batch ends once it holds batchRows rows, so it may hold up to one chunk more (a quarter of a batch): chunks
    // keep their size, which lets a server work on the next one ahead.
    while (covered < request.batchRows && bytes < (request.load.batchBytes ?? BATCH_BYTES)) {
      const want = chunkRows;
      const chunk = await source.chunk(after, want);
      if (!chunk.end) {
        done = true;
        break;
      }
      if (chunk.lines > 0) batch.chunks.push(chunk.text);
      batch.lines += chunk.lines;
      if (chunk.lines < chunk.rows) batch.rows.push(...(await source.otherRows(after, chunk.end)));
      covered += chunk.rows;
      bytes += chunk.text.length;
      after = chunk.end;
      batch.resumeKey = chunk.end;
      if (chunk.lines > 0) chunkRows = chunkSize((chunkBytes * chunk.lines) / Math.max(1, chunk.text.length), request.batchRows);
      if (chunk.rows < want) {
        done = true;
        break;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (covered > 0) yield batch;
    if (done) return;
  }
}
