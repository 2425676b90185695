import type { ColumnSchema } from '../core/schema.js';
import type { PortableType } from '../core/types.js';
import type { Row, Value } from '../core/values.js';

/**
 * Reads a data file's lines back into rows of in-memory values (core/values.ts), by each column's portable type:
 * the inverse of encode.ts. A line that does not hold what its columns say throws an Error whose message names
 * the column; the reader adds the file and the line number.
 */
export function lineDecoder(columns: ColumnSchema[]): (line: string) => Row {
  const decoders = columns.map((c) => elementDecoder(c.type));
  const json = columns.map((c) => c.type.kind === 'json');
  const count = (n: number) => {
    if (n !== columns.length) throw new Error(`the line has ${n} values for ${columns.length} columns`);
  };
  const named = (i: number, e: unknown): Error => new Error(`${columns[i]!.name}: ${(e as Error).message}`);
  if (!json.includes(true)) {
    return (line) => {
      const values: unknown = JSON.parse(line);
      if (!Array.isArray(values)) throw new Error('the line is not a JSON array');
      count(values.length);
      const row = new Array<Value>(values.length);
      let i = 0;
      try {
        for (; i < values.length; i++) row[i] = decoders[i]!(values[i]);
      } catch (e) {
        throw named(i, e);
      }
      return row;
    };
  }
  // json values come back as their exact text, which JSON.parse would lose: split the line into raw elements.
  return (line) => {
    const raw = splitElements(line);
    count(raw.length);
    const row = new Array<Value>(raw.length);
    let i = 0;
    try {
      for (; i < raw.length; i++) {
        const text = raw[i]!;
        row[i] = json[i] ? jsonElement(text) : decoders[i]!(JSON.parse(text));
      }
    } catch (e) {
      throw named(i, e);
    }
    return row;
  };
}

/** A json column's raw element: SQL NULL, or the exact JSON text. */
function jsonElement(text: string): Value {
  return text === 'null' ? null : decodeJsonText(text);
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The in-memory value of one parsed JSON element of a column of this type (json columns excepted). */
export function elementDecoder(type: PortableType): (v: unknown) => Value {
  const wrong = (v: unknown, expected: string): never => {
    throw new Error(`expected ${expected}, found ${JSON.stringify(v)?.slice(0, 60) ?? typeof v}`);
  };
  switch (type.kind) {
    case 'integer':
      return (v) => {
        if (v === null) return null;
        if (typeof v === 'number') return Number.isSafeInteger(v) ? v : wrong(v, 'an integer (a string past ±2^53)');
        if (typeof v !== 'string' || !INTEGER.test(v)) return wrong(v, 'an integer');
        const n = BigInt(v);
        return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n;
      };
    case 'decimal':
      return (v) => (v === null ? null : typeof v === 'string' && DECIMAL.test(v) ? v : wrong(v, 'a decimal string'));
    case 'real':
      return (v) => {
        if (v === null || typeof v === 'number') return v;
        return v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : wrong(v, 'a number, "NaN", "Infinity" or "-Infinity"');
      };
    case 'boolean':
      return (v) => (v === null || typeof v === 'boolean' ? v : wrong(v, 'true or false'));
    case 'binary':
      return (v) => (v === null ? null : typeof v === 'string' && BASE64.test(v) ? Buffer.from(v, 'base64') : wrong(v, 'base64'));
    case 'json':
      return (v) => (v === null ? null : JSON.stringify(v));
    default:
      return (v) => (v === null || typeof v === 'string' ? v : wrong(v, 'a string'));
  }
}

/**
 * Splits a line holding one JSON array into the raw text of its top-level elements: everything between the
 * brackets and commas, whitespace included. Only strings and nesting are followed; each element is parsed (or,
 * for json columns, kept as text) by the caller.
 */
export function splitElements(line: string): string[] {
  const n = line.length;
  let i = 0;
  while (i < n && isSpace(line.charCodeAt(i))) i++;
  if (line[i] !== '[') throw new Error('the line is not a JSON array');
  const out: string[] = [];
  const open: number[] = [];
  let start = ++i;
  let closed = -1;
  for (; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === 0x22) i = stringEnd(line, i);
    else if (c === 0x5b || c === 0x7b) open.push(c);
    else if (c === 0x5d || c === 0x7d) {
      if (open.length === 0) {
        if (c !== 0x5d) throw new Error('the line is not a JSON array');
        closed = i;
        break;
      }
      if (open.pop() !== c - 2) throw new Error('the line has mismatched brackets');
    } else if (c === 0x2c && open.length === 0) {
      out.push(line.slice(start, i));
      start = i + 1;
    }
  }
  if (closed === -1) throw new Error('the line ends inside its JSON array');
  for (let j = closed + 1; j < n; j++) if (!isSpace(line.charCodeAt(j))) throw new Error('the line goes on after its JSON array');
  const last = line.slice(start, closed);
  if (out.length > 0 || last.trim() !== '') out.push(last);
  if (out.some((e) => e.trim() === '')) throw new Error('the line has an empty element');
  return out;
}

/**
 * The index of the quote that closes the JSON string opened at `open` (one not escaped: preceded by an even number
 * of backslashes), or the line's length when the string never closes. Found with indexOf, not character by
 * character: the long texts of a row are its strings.
 */
function stringEnd(line: string, open: number): number {
  for (let from = open + 1; ;) {
    const quote = line.indexOf('"', from);
    if (quote === -1) return line.length;
    let b = quote - 1;
    while (b > open && line.charCodeAt(b) === 0x5c) b--;
    if ((quote - 1 - b) % 2 === 0) return quote;
    from = quote + 1;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** The exact JSON text of a json column's element: the inverse of encode.ts's encodeJsonText. */
export function decodeJsonText(raw: string): string {
  if (!raw.includes('\t')) return raw;
  let out = '';
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (inString) {
      if (ch === '\\') {
        out += ch + (raw[++i] ?? '');
        continue;
      }
      if (ch === '"') inString = false;
      out += ch;
    } else if (ch === '\t') {
      const next = raw[i + 1];
      if (next === ' ') {
        out += '\n';
        i += 1;
      } else if (next === '\t') {
        const third = raw[i + 2];
        if (third === ' ') out += '\r';
        else if (third === '\t') out += '\t';
        else throw new Error('the json value has a malformed whitespace code');
        i += 2;
      }
      // A TAB before anything else is the marker that stands for nothing.
    } else {
      if (ch === '"') inString = true;
      out += ch;
    }
  }
  return out;
}
