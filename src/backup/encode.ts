import type { ColumnSchema } from '../core/schema.js';
import type { PortableType } from '../core/types.js';
import { describeValue, InvalidValue, type Row, type Value } from '../core/values.js';

/**
 * The values of a data file's lines (docs/backup-format.md, "Values"): one JSON array per row, each value spelled
 * by its column's portable type, so that no value needs a tag. Rows arrive conformed (core/conform.ts); a value
 * that is not of its column's type anyway is refused with {@link Unencodable}, never written half-right.
 */
export class Unencodable extends Error {
  constructor(
    message: string,
    readonly column?: string,
  ) {
    super(message);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** The function that turns a row into its line, newline included. */
export function rowEncoder(columns: ColumnSchema[]): (row: Row) => string {
  const encoders = columns.map((c) => elementEncoder(c.type));
  return (row) => {
    if (row.length !== columns.length) throw new Unencodable(`the row has ${row.length} values for ${columns.length} columns`);
    const parts = new Array<string>(row.length);
    for (let i = 0; i < row.length; i++) {
      try {
        parts[i] = encoders[i]!(row[i]!);
      } catch (e) {
        if (e instanceof Unencodable) throw new Unencodable(`${columns[i]!.name}: ${e.message}`, columns[i]!.name);
        throw e;
      }
    }
    return `[${parts.join(',')}]\n`;
  };
}

/** The JSON text of one value of a column of this type. */
export function elementEncoder(type: PortableType): (v: Value) => string {
  const refuse = (v: Value): never => {
    if (v instanceof InvalidValue) throw new Unencodable(`${v.reason}: ${v.detail}`);
    throw new Unencodable(`${describeValue(v)} is not a ${type.kind} value`);
  };
  const strings = (v: Value) => (v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : refuse(v));
  switch (type.kind) {
    case 'integer':
      return (v) => {
        if (v === null) return 'null';
        if (typeof v === 'number' && Number.isInteger(v)) return Number.isSafeInteger(v) ? String(v) : `"${BigInt(v)}"`;
        if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? String(v) : `"${v}"`;
        return refuse(v);
      };
    case 'decimal':
      return (v) => {
        if (v === null) return 'null';
        if (typeof v === 'string' && DECIMAL.test(v)) return JSON.stringify(v);
        if (typeof v === 'bigint') return `"${v}"`;
        if (typeof v === 'number' && DECIMAL.test(String(v))) return `"${v}"`;
        return refuse(v);
      };
    case 'real':
      return (v) => {
        if (v === null) return 'null';
        const n = typeof v === 'bigint' ? Number(v) : v;
        if (typeof n !== 'number') return refuse(v);
        // JSON has no NaN nor infinities, and JSON.stringify(-0) loses the sign.
        if (!Number.isFinite(n)) return `"${n}"`;
        return Object.is(n, -0) ? '-0' : String(n);
      };
    case 'boolean':
      return (v) => (v === null ? 'null' : typeof v === 'boolean' ? String(v) : refuse(v));
    case 'binary':
      return (v) => {
        if (v === null) return 'null';
        if (!(v instanceof Uint8Array)) return refuse(v);
        return `"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`;
      };
    case 'json':
      return (v) => {
        if (v === null) return 'null';
        if (typeof v !== 'string') return refuse(v);
        try {
          JSON.parse(v);
        } catch {
          throw new Unencodable(`${describeValue(v)} is not valid JSON`);
        }
        return encodeJsonText(v);
      };
    default:
      // text, enum, uuid, date, time, timestamp: their strings, in the spelling values.ts gives them.
      return strings;
  }
}

/**
 * A json column's value, written as the JSON text itself so that every character of it comes back. What a line
 * cannot hold is coded (docs/backup-format.md, "json columns"): whitespace between tokens with SP kept and LF →
 * TAB SP, CR → TAB TAB SP, TAB → TAB TAB TAB; the JSON text `null` as TAB `null` (a TAB before a non-whitespace
 * character stands for nothing), so that it differs from SQL NULL; a lone surrogate inside a string as `\uXXXX`
 * (UTF-8 cannot hold it; the value is unchanged). The text must be valid JSON.
 */
export function encodeJsonText(text: string): string {
  if (text === 'null') return '\tnull';
  if (!/[\t\n\r\ud800-\udfff]/.test(text)) return text;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (inString) {
      if (ch === '\\') {
        out += ch + (text[++i] ?? '');
        continue;
      }
      if (ch === '"') inString = false;
      if (code >= 0xd800 && code <= 0xdfff) {
        const next = text.charCodeAt(i + 1);
        if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          out += ch + text[++i]!;
          continue;
        }
        out += `\\u${code.toString(16)}`;
        continue;
      }
      out += ch;
    } else if (ch === '\n') out += '\t ';
    else if (ch === '\r') out += '\t\t ';
    else if (ch === '\t') out += '\t\t\t';
    else {
      if (ch === '"') inString = true;
      out += ch;
    }
  }
  return out;
}
