import type { PortableType } from './types.js';
import { InvalidValue, type Value } from './values.js';

/**
 * The canonical text of a value, as the digest sees it: the same data read from SQLite, PostgreSQL or MySQL spells
 * the same here (a decimal's trailing zeros, a UTC offset, JSON key order and spacing do not count). `null` is
 * NULL. These spellings are part of every digest format, old and new: changing one changes every stored digest.
 */
export type ValueEncoder = (value: Value) => string | null;

/** The canonical text of each value, by the family of its portable type. */
export function valueEncoder(type: PortableType): ValueEncoder {
  const wrap =
    (f: (v: Exclude<Value, null>) => string): ValueEncoder =>
    (v) =>
      v === null ? null : v instanceof InvalidValue ? `\u0000invalid:${v.detail}` : f(v);
  switch (type.kind) {
    case 'decimal':
      return wrap((v) => normalizeDecimal(String(v)));
    case 'real':
      return wrap((v) => (typeof v === 'number' ? String(type.bits === 32 ? Math.fround(v) : v) : String(v)));
    case 'binary':
      return wrap((v) => (v instanceof Uint8Array ? base64(v) : `\u0000text:${String(v)}`));
    case 'json':
      return wrap((v) => canonicalJson(String(v)));
    case 'time':
      return wrap((v) => trimFraction(String(v)));
    case 'timestamp':
      // tz-aware instants compare in UTC, so a value carried into an engine without time zones (stored as UTC)
      // still matches.
      return wrap((v) => {
        const s = String(v);
        return trimFraction(s.endsWith('+00:00') ? s.slice(0, -6) : s);
      });
    case 'uuid':
      return wrap((v) => String(v).toLowerCase());
    case 'boolean':
      return wrap((v) => (v === true || v === 1 || v === 1n ? 'true' : v === false || v === 0 || v === 0n ? 'false' : String(v)));
    default:
      return wrap((v) => (v instanceof Uint8Array ? base64(v) : String(v)));
  }
}

/** The bytes as base64, read in place (no copy). */
function base64(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

/** `-007.50` → `-7.5`, `+0.0` → `0`: sign, leading zeros of the whole part and trailing zeros of the fraction dropped. */
export function normalizeDecimal(s: string): string {
  if (isCanonicalDecimal(s)) return s;
  let t = s.trim();
  const negative = t.startsWith('-');
  t = t.replace(/^[+-]/, '');
  let [whole = '', frac = ''] = t.split('.');
  whole = whole.replace(/^0+/, '') || '0';
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${whole}.${frac}` : whole;
  return negative && out !== '0' ? `-${out}` : out;
}

/**
 * Already in the form normalizeDecimal gives (`0`, `-12.5`): most values are, and a scan of their characters is much
 * cheaper than the general path's regexes and splits.
 */
function isCanonicalDecimal(s: string): boolean {
  let i = s.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  const start = i;
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  const wholeDigits = i - start;
  if (wholeDigits === 0 || (wholeDigits > 1 && s.charCodeAt(start) === 48) /* 0 */) return false;
  if (i === s.length) return !(start === 1 && wholeDigits === 1 && s.charCodeAt(1) === 48); // "-0" is "0"
  if (s.charCodeAt(i) !== 46 /* . */ || i === s.length - 1) return false;
  for (i++; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return s.charCodeAt(s.length - 1) !== 48;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `10:00:00.120` → `10:00:00.12`, `10:00:00.000` → `10:00:00`. */
function trimFraction(s: string): string {
  // Only a text ending in 0 can have a fraction to trim: skip the regex for every other one.
  if (s.charCodeAt(s.length - 1) !== 48) return s;
  return s.replace(/\.(\d*?)0+$/, (_m, d: string) => (d ? `.${d}` : ''));
}

/** JSON with its object keys sorted and no spacing; text that is not JSON is marked as such. */
function canonicalJson(text: string): string {
  try {
    return sortedJson(JSON.parse(text));
  } catch {
    // Not JSON, or nested too deeply to walk (a RangeError): either way the text itself, marked, is compared.
    return `\u0000badjson:${text}`;
  }
}

/**
 * `JSON.stringify` of the value with every object's keys sorted, written directly rather than by building sorted
 * copies of the objects. The order is the one such a copy would have: keys that are array indexes ("2", "10") come
 * first in numeric order (JavaScript objects always enumerate them so), then the others sorted by UTF-16 code units.
 */
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return jsonScalar(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      out += sortedJson(v[i]);
    }
    return out + ']';
  }
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record);
  let indexes = 0;
  while (indexes < keys.length && isArrayIndex(keys[indexes]!)) indexes++;
  if (indexes === 0) keys.sort();
  else {
    const named = keys.slice(indexes).sort();
    for (let i = 0; i < named.length; i++) keys[indexes + i] = named[i]!;
  }
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += jsonScalar(keys[i]) + ':' + sortedJson(record[keys[i]!]);
  }
  return out + '}';
}

/** A parsed scalar as JSON.stringify spells it, without the native call when the spelling is plain. */
function jsonScalar(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return needsNoEscape(v) ? '"' + v + '"' : JSON.stringify(v);
    case 'number':
      // JSON.parse gives only finite numbers, which JSON.stringify spells as String does (-0 as 0 too).
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return 'null';
  }
}

/** No character JSON.stringify would escape: `"`, `\`, controls below U+0020, surrogates (lone ones are escaped). */
function needsNoEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** An array index: the canonical spelling of an integer from 0 to 2^32 − 2. */
function isArrayIndex(key: string): boolean {
  const n = Number(key);
  return n >>> 0 === n && n !== 4294967295 && String(n) === key;
}
