import type { BulkTextFormat } from '../core/bulk-text.js';
import { fractionDigitsKept } from '../core/conform.js';
import type { BulkTextRequest } from '../core/dataset.js';
import type { ColumnSchema } from '../core/schema.js';
import { writeBase64AsHex } from './base64-hex.js';

/**
 * A data file's line (a JSON array, docs/backup-format.md) turned straight into a line of bulk text
 * (core/bulk-text.ts), on bytes, with no value ever decoded: the restore's counterpart of the SQL that database
 * sources format with (engines/sql/bulk-text.ts), under the same rule. A line is transcoded only when every value of
 * it is one conformance keeps as it is and the target can hold; the transcoder says no otherwise (a NUL bound for
 * PostgreSQL, a NaN bound for MySQL, digits past a column's, anything unusual) and the line takes the value path.
 *
 * What makes it cheap: JSON escapes the characters bulk text must escape (backslash, tab, newline, carriage
 * return) with the very same two bytes, so a string is copied as it is, byte for byte, unless it holds `\"`, `\/`
 * or `\u` (or `\f` for MySQL, which does not read it).
 */
export type LineTranscoder = (src: Buffer, start: number, end: number, out: TextOut) => boolean;

/** The bulk text being written: a buffer that grows as needed. */
export class TextOut {
  buf: Buffer;
  length = 0;
  private readonly spare: Buffer[] = [];

  /** `size`: a little more than the text taken at a time, so that what is handed over fills most of its memory. */
  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(grown, 0, 0, this.length);
    this.buf = grown;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  copy(src: Buffer, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    // Most fields are short: a loop costs less than a native copy's call.
    if (n < 48) {
      const buf = this.buf;
      let at = this.length;
      for (let i = start; i < end; i++) buf[at++] = src[i]!;
      this.length = at;
    } else this.length += src.copy(this.buf, this.length, start, end);
  }

  ascii(s: string): void {
    this.reserve(s.length);
    // The strings written here are short (\N, t, \\x): a loop costs less than a native write's call.
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /**
   * The text so far, handed over without a copy. The writer starts over in a buffer of its first size: a recycled
   * one when there is one, since fresh memory for each piece costs page faults and garbage collection.
   */
  take(): Buffer {
    const text = this.buf.subarray(0, this.length);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.size);
    this.length = 0;
    return text;
  }

  /**
   * Gives back pieces handed over by take(), once nothing reads them any more. Only whole buffers of the first size
   * are kept (one that grew for a long line is left to the garbage collector), so the spares never hold more than
   * the text in flight did.
   */
  recycle(pieces: Uint8Array[]): void {
    for (const piece of pieces) {
      if (piece.byteOffset === 0 && piece.buffer.byteLength === this.size) this.spare.push(Buffer.from(piece.buffer, 0, this.size));
    }
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE = 0x5d;
const TAB = 0x09;
const CR = 0x0d;
const NULL_FIELD = '\\N';

/** Reads one element at `p` and writes its field; returns the position after it, or -1 when the line must go as values. */
type ElementWriter = (src: Buffer, p: number, end: number, out: TextOut) => number;

/**
 * The transcoder of a table's lines, or undefined when a column's type has no transcoding (the table then goes by
 * values). The backup's columns and the target's are the same (a restore plans the same columns).
 */
export function lineTranscoder(columns: ColumnSchema[], request: BulkTextRequest): LineTranscoder | undefined {
  const format = request.load.format;
  // A backup's lines are transcoded into fields; a target that loads lines of its own kind gets values.
  if (format.kind !== 'fields') return undefined;
  const writers: ElementWriter[] = [];
  for (const column of columns) {
    const writer = elementWriter(column, format, request);
    if (!writer) return undefined;
    writers.push(nullable(column, writer, request));
  }
  const last = writers.length - 1;
  return (src, start, end, out) => {
    if (src[start] !== 0x5b) return false;
    let p = start + 1;
    for (let i = 0; i <= last; i++) {
      if (i > 0) out.byte(TAB);
      p = writers[i]!(src, p, end, out);
      if (p < 0 || src[p] !== (i === last ? CLOSE : COMMA)) return false;
      p++;
    }
    if (p !== end) return false;
    out.byte(0x0a);
    return true;
  };
}

/** NULL (`null`) as `\N` where the column takes it; otherwise the type's writer, with the loader's size limit. */
function nullable(column: ColumnSchema, writer: ElementWriter, request: BulkTextRequest): ElementWriter {
  const limit = ['text', 'json', 'binary'].includes(column.type.kind) ? request.load.maxValueBytes : undefined;
  return (src, p, end, out) => {
    if (src[p] === 0x6e /* n */) {
      if (!column.nullable || !isWord(src, p, 'null')) return -1;
      out.ascii(NULL_FIELD);
      return p + 4;
    }
    const at = out.length;
    const next = writer(src, p, end, out);
    if (limit !== undefined && out.length - at > limit) return -1;
    return next;
  };
}

function elementWriter(column: ColumnSchema, format: BulkTextFormat, request: BulkTextRequest): ElementWriter | undefined {
  const type = column.type;
  const zeroUnsafe = request.load.zeroUnsafe?.includes(column.name) ?? false;
  switch (type.kind) {
    case 'integer':
      return (src, p, end, out) => {
        const quoted = src[p] === QUOTE;
        const from = quoted ? p + 1 : p;
        const to = digitsEnd(src, from, end);
        if (to === from || (quoted && src[to] !== QUOTE)) return -1;
        if (zeroUnsafe && to === from + 1 && src[from] === 0x30) return -1;
        out.copy(src, from, to);
        return quoted ? to + 1 : to;
      };
    case 'decimal': {
      const bounds = type.precision === undefined ? request.load.decimalBounds?.[column.name] : undefined;
      return (src, p, end, out) => {
        if (src[p] !== QUOTE) return -1;
        const close = src.indexOf(QUOTE, p + 1);
        if (close < 0 || close > end) return -1;
        if (bounds && !fits(src, p + 1, close, bounds)) return -1;
        out.copy(src, p + 1, close);
        return close + 1;
      };
    }
    case 'real':
      return (src, p, end, out) => {
        if (src[p] === QUOTE) {
          // "NaN", "Infinity", "-Infinity": as COPY reads them, where the target holds them.
          const close = src.indexOf(QUOTE, p + 1);
          if (!request.limits.realAllowsSpecials || close < 0 || close > end) return -1;
          out.copy(src, p + 1, close);
          return close + 1;
        }
        let q = p;
        while (q < end && isNumberByte(src[q]!)) q++;
        if (q === p) return -1;
        out.copy(src, p, q);
        return q;
      };
    case 'boolean':
      return (src, p, _end, out) => {
        if (isWord(src, p, 'true')) {
          out.ascii(format.booleans[1]);
          return p + 4;
        }
        if (isWord(src, p, 'false')) {
          out.ascii(format.booleans[0]);
          return p + 5;
        }
        return -1;
      };
    case 'binary':
      return (src, p, end, out) => {
        if (src[p] !== QUOTE) return -1;
        const close = src.indexOf(QUOTE, p + 1);
        if (close < 0 || close > end) return -1;
        out.ascii(format.binaryPrefix);
        // Text that is not the format's base64 goes as a value (and is refused there).
        if (!writeBase64AsHex(src, p + 1, close, out)) return -1;
        return close + 1;
      };
    case 'json':
      return jsonWriter(request);
    case 'timestamp':
    case 'time': {
      const kept = fractionDigitsKept(type, request.limits);
      const dropOffset = type.kind === 'timestamp' && type.tz && !format.timestampOffset;
      return (src, p, end, out) => {
        if (src[p] !== QUOTE) return -1;
        const close = src.indexOf(QUOTE, p + 1);
        if (close < 0 || close > end) return -1;
        let stop = close;
        if (dropOffset) {
          if (src.toString('latin1', close - 6, close) !== '+00:00') return -1;
          stop = close - 6;
        }
        const point = src.indexOf(0x2e /* . */, p + 1);
        if (point >= 0 && point < stop && fractionDigits(src, point + 1, digitsEnd(src, point + 1, stop)) > kept) return -1;
        out.copy(src, p + 1, stop);
        return close + 1;
      };
    }
    default:
      // text, enum, uuid, date: the string's content, its escapes kept where bulk text reads them alike.
      return (src, p, end, out) => (src[p] === QUOTE ? stringField(src, p + 1, end, out, request) : -1);
  }
}

/**
 * A JSON string's content (from after its opening quote) as a field; returns the position after its closing quote,
 * or -1. Without a backslash before the closing quote the bytes are copied as they are: JSON strings hold no raw
 * control character, and non-ASCII bytes (UTF-8) never look like ASCII.
 */
function stringField(src: Buffer, from: number, end: number, out: TextOut, request: BulkTextRequest): number {
  const close = src.indexOf(QUOTE, from);
  if (close < 0 || close > end) return -1;
  const slash = backslashFrom(src, from);
  if (slash < 0 || slash > close) {
    out.copy(src, from, close);
    return close + 1;
  }
  out.copy(src, from, slash);
  let p = slash;
  for (;;) {
    const b = src[p]!;
    if (b === QUOTE) return p + 1;
    if (p >= end) return -1;
    if (b !== BACKSLASH) {
      const next = nextSpecial(src, p, end);
      if (next < 0) return -1;
      out.copy(src, p, next);
      p = next;
      continue;
    }
    const e = src[p + 1];
    switch (e) {
      case 0x5c: // \\
      case 0x6e: // \n
      case 0x72: // \r
      case 0x74: // \t
      case 0x62: // \b: COPY and LOAD DATA both read it as backspace
        out.byte(BACKSLASH);
        out.byte(e);
        p += 2;
        break;
      case 0x22: // \"
      case 0x2f: // \/
        out.byte(e);
        p += 2;
        break;
      case 0x66: // \f: COPY reads it, LOAD DATA does not: the character itself
        out.byte(0x0c);
        p += 2;
        break;
      case 0x75: {
        const q = unicodeEscape(src, p, end, out, request);
        if (q < 0) return -1;
        p = q;
        break;
      }
      default:
        return -1;
    }
  }
}

/**
 * The first backslash at or after p. The search runs to the end of the buffer (Buffer.indexOf takes no end), so its
 * answer is kept: most fields hold none, and the next field asks again from further on.
 */
let seen: { src: Buffer; from: number; at: number } | undefined;
function backslashFrom(src: Buffer, p: number): number {
  if (seen && seen.src === src && seen.from <= p && (seen.at >= p || seen.at < 0)) return seen.at;
  seen = { src, from: p, at: src.indexOf(BACKSLASH, p) };
  return seen.at;
}

/** The next quote or backslash from p (the end of a run of plain bytes inside a string), found by native searches. */
function nextSpecial(src: Buffer, p: number, end: number): number {
  const quote = src.indexOf(QUOTE, p);
  const slash = backslashFrom(src, p);
  const next = slash >= 0 && slash < quote ? slash : quote;
  return next >= 0 && next < end ? next : -1;
}

/** `\uXXXX` (a surrogate pair takes two): the character in UTF-8, escaped where bulk text escapes it. */
function unicodeEscape(src: Buffer, p: number, end: number, out: TextOut, request: BulkTextRequest): number {
  const unit = hex4(src, p + 2, end);
  if (unit < 0) return -1;
  let code = unit;
  let next = p + 6;
  if (unit >= 0xd800 && unit <= 0xdbff) {
    // A high surrogate must be followed by a low one; alone, it has no UTF-8 (the value path decides).
    if (src[next] !== BACKSLASH || src[next + 1] !== 0x75) return -1;
    const low = hex4(src, next + 2, end);
    if (low < 0xdc00 || low > 0xdfff) return -1;
    code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    next += 6;
  } else if (unit >= 0xdc00 && unit <= 0xdfff) return -1;
  if (code === 0) {
    // NUL: LOAD DATA reads \0; a target that cannot hold it refuses it on the value path.
    if (!request.limits.textAllowsNul) return -1;
    out.ascii('\\0');
  } else if (code === TAB) out.ascii('\\t');
  else if (code === 0x0a) out.ascii('\\n');
  else if (code === CR) out.ascii('\\r');
  else if (code === BACKSLASH) out.ascii('\\\\');
  else {
    out.reserve(4);
    out.length += out.buf.write(String.fromCodePoint(code), out.length, 'utf8');
  }
  return next;
}

function hex4(src: Buffer, p: number, end: number): number {
  if (p + 4 > end) return -1;
  let n = 0;
  for (let i = p; i < p + 4; i++) {
    const b = src[i]!;
    const d = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/**
 * A json column's element: the JSON text as it is, with the bulk text escapes of backslash (and of tab and carriage
 * return, which ferry never writes there). A TAB in it is the backup's whitespace code, and `\u0000` is NUL where
 * the target cannot hold it: both go as values. For a loader that does not check JSON as strictly as conformance, the
 * text is parsed here.
 */
function jsonWriter(request: BulkTextRequest): ElementWriter {
  return (src, p, end, out) => {
    const stop = jsonEnd(src, p, end);
    if (stop < 0) return -1;
    if (!request.load.checksJson) {
      try {
        JSON.parse(src.toString('utf8', p, stop));
      } catch {
        return -1;
      }
    }
    for (let q = p; q < stop;) {
      const slash = backslashFrom(src, q);
      const to = slash < 0 || slash >= stop ? stop : slash;
      out.copy(src, q, to);
      if (to === stop) break;
      if (!request.limits.textAllowsNul && src.toString('latin1', to, to + 6) === '\\u0000') return -1;
      out.ascii('\\\\');
      q = to + 1;
    }
    return stop;
  };
}

/**
 * The end of the JSON value at p (an object, array, string, number or word), following strings and nesting; -1 for
 * a TAB or CR between tokens (the backup's whitespace code: such a value goes by the value path).
 */
function jsonEnd(src: Buffer, p: number, end: number): number {
  let depth = 0;
  for (let q = p; q < end; q++) {
    const b = src[q]!;
    if (b === TAB || b === CR) return -1;
    if (b === QUOTE) {
      q = stringEnd(src, q, end);
      if (q < 0) return -1;
      if (depth === 0) return q + 1;
    } else if (b === 0x5b || b === 0x7b) depth++;
    else if (b === 0x5d || b === 0x7d) {
      if (depth === 0) return q;
      depth--;
      if (depth === 0) return q + 1;
    } else if (b === COMMA && depth === 0) return q;
  }
  return -1;
}

/** The position of the quote that closes the string opened at p. */
function stringEnd(src: Buffer, p: number, end: number): number {
  for (let q = p + 1; q < end; q++) {
    const b = src[q]!;
    if (b === BACKSLASH) q++;
    else if (b === QUOTE) return q;
  }
  return -1;
}

function isWord(src: Buffer, p: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (src[p + i] !== word.charCodeAt(i)) return false;
  return true;
}

function digitsEnd(src: Buffer, p: number, end: number): number {
  let q = src[p] === 0x2d /* - */ ? p + 1 : p;
  const first = q;
  while (q < end && src[q]! >= 0x30 && src[q]! <= 0x39) q++;
  return q === first ? p : q;
}

function isNumberByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2b || b === 0x2e || b === 0x65 || b === 0x45;
}

/** Digits after a decimal point, trailing zeros aside. */
function fractionDigits(src: Buffer, from: number, to: number): number {
  let last = to;
  while (last > from && src[last - 1] === 0x30) last--;
  return last - from;
}

/** A decimal string's digits are within the bounds (leading and trailing zeros aside). */
function fits(src: Buffer, from: number, to: number, bounds: { precision: number; scale: number }): boolean {
  let p = src[from] === 0x2d || src[from] === 0x2b ? from + 1 : from;
  while (p < to && src[p] === 0x30) p++;
  const point = src.indexOf(0x2e, p);
  const whole = (point < 0 || point >= to ? to : point) - p;
  const fraction = point < 0 || point >= to ? 0 : fractionDigits(src, point + 1, to);
  return whole <= bounds.precision - bounds.scale && fraction <= bounds.scale;
}
