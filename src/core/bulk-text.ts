import type { ColumnSchema } from './schema.js';
import type { Row, Value } from './values.js';

/**
 * Bulk text: one line per row, fields separated by tabs, `\N` for NULL, and a backslash before the characters that
 * would otherwise end a field or a line (`\\`, `\t`, `\n`, `\r`, and NUL as `\0`). It is what PostgreSQL's
 * `COPY … FROM STDIN` (text format) and MySQL's `LOAD DATA` (default field and line settings) both read, the
 * cheapest way into either server.
 *
 * Writers that load it declare how they differ (a BulkTextFormat). The text is made in one of two places, which must
 * agree byte for byte on every value the source formats: by {@link bulkTextEncoder} from conformed rows in memory,
 * or by the source database itself in SQL (engines/sql/bulk-text.ts), which skips turning every value into a
 * JavaScript value and back.
 */
export interface BulkTextFormat {
  readonly kind: 'fields';
  /** For messages: `PostgreSQL COPY`, `MySQL LOAD DATA`. */
  readonly name: string;
  /** How false and true are spelled. */
  readonly booleans: readonly [string, string];
  /** Written before the hex digits of a binary value: `\\x` (bytea's hex form, its backslash escaped), or nothing (the loader unhexes). */
  readonly binaryPrefix: string;
  /** A time-zone-aware timestamp keeps its `+00:00` (false: the target holds UTC without an offset). */
  readonly timestampOffset: boolean;
}

/**
 * The other text a source may write: a backup's data lines (docs/backup-format.md, "Values"), one JSON array per row.
 * One thing differs from the final lines: SQL engines cannot all spell bytes in base64, so a binary value arrives as
 * its hex digits between two {@link BINARY_MARK} bytes, which the backup writer turns into the base64 string. No
 * line holds that byte otherwise (JSON escapes control characters in strings, and allows none outside them).
 */
export interface JsonLinesFormat {
  readonly kind: 'json-lines';
  readonly name: string;
}

/** The byte around a binary value's hex digits in JSON lines a source formats (U+0001). */
export const BINARY_MARK = 0x01;

/** The escape of each character that cannot stand for itself in a field. */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };
const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPE_ALL = /[\\\t\n\r\0]/g;

/** The characters {@link escapeField} replaces, in the order a chain of SQL replace() calls must take them (backslash first). */
export const ESCAPED_CHARACTERS: readonly string[] = Object.keys(ESCAPES);

/** A text as a field: special characters escaped. */
export function escapeField(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, (c) => ESCAPES[c]!) : s;
}

export const NULL_FIELD = '\\N';

type FieldEncoder = (v: Exclude<Value, null>) => string;

/**
 * The line encoder of a table's conformed rows: one field encoder per column, chosen once by its portable type
 * (conformance has already brought each value to its type's in-memory form, values.ts).
 */
export function bulkTextEncoder(columns: readonly ColumnSchema[], format: BulkTextFormat): (row: Row) => string {
  const fields = columns.map((c) => fieldEncoder(c, format));
  return (row) => {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) line += '\t';
      const v = row[i] ?? null;
      line += v === null ? NULL_FIELD : fields[i]!(v);
    }
    return `${line}\n`;
  };
}

function fieldEncoder(column: ColumnSchema, format: BulkTextFormat): FieldEncoder {
  switch (column.type.kind) {
    case 'boolean':
      return (v) => format.booleans[v === true || v === 1 || v === 1n ? 1 : 0]!;
    case 'binary':
      return (v) => format.binaryPrefix + hex(v);
    case 'real':
      // String() spells NaN, Infinity and -Infinity as float8 input reads them; only -0 needs help.
      return (v) => (Object.is(v, -0) ? '-0' : String(v));
    case 'timestamp':
      if (column.type.tz && !format.timestampOffset) return (v) => escapeField(String(v).replace(/(Z|\+00:00)$/, ''));
      return (v) => escapeField(String(v));
    default:
      return (v) => {
        if (typeof v === 'string') return escapeField(v);
        if (typeof v === 'number' || typeof v === 'bigint') return String(v);
        // Conformance turns every InvalidValue into a value or a reject before a writer sees the row.
        throw new Error(`an unconformed value reached the bulk text of ${column.name}`);
      };
  }
}

function hex(v: Value): string {
  if (!(v instanceof Uint8Array)) throw new Error(`a ${typeof v} value reached a binary column's bulk text`);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}
