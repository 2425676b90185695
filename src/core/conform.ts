import type { ColumnSchema } from './schema.js';
import { integerRange, type PortableType } from './types.js';
import { InvalidValue, describeValue, type Value } from './values.js';

/**
 * What a target can hold beyond its column types: declared by each engine, so the rules below never ask which
 * engine they write to.
 */
export interface ValueLimits {
  /** Text may contain U+0000 (PostgreSQL text cannot). */
  textAllowsNul: boolean;
  /** Reals may be NaN or ±Infinity (MySQL cannot store them; SQLite turns NaN into NULL). */
  realAllowsSpecials: boolean;
}

/**
 * Explicit conversions a user may choose instead of rejecting a row (`--convert RULE`). Each is named after the
 * hazard it handles; none applies unless chosen.
 */
export const CONVERSION_RULES = {
  'zero-date=null': 'store MySQL zero dates (0000-00-00…) as NULL',
  'nul=strip': 'remove U+0000 characters from text bound for an engine that cannot hold them',
  'invalid-utf8=replace': 'replace bytes that are not UTF-8 with U+FFFD',
} as const;
export type ConversionRule = keyof typeof CONVERSION_RULES;

/** Either the value to write, or why the row cannot be written. */
export type Conformed = { ok: true; value: Value } | { ok: false; reason: string };

export type Conformer = (value: Value) => Conformed;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,9})?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ok = (value: Value): Conformed => ({ ok: true, value });
const bad = (reason: string): Conformed => ({ ok: false, reason });

/**
 * Builds the function that checks one column's values against its portable type and the target's limits, and
 * brings each to its canonical in-memory form (values.ts). It is the single place where a value is accepted,
 * converted by a rule the user chose, or turned into a reject with a reason.
 */
export function makeConformer(column: ColumnSchema, limits: ValueLimits, rules: ReadonlySet<string>): Conformer {
  const check = typeChecker(column.type, limits, rules);
  const nullable = column.nullable;
  return (value) => {
    if (value instanceof InvalidValue) {
      if (value.rule && rules.has(value.rule)) value = value.replacement ?? null;
      else return bad(`${value.reason}: ${value.detail}`);
    }
    if (value === null) return nullable ? ok(null) : bad(`NULL in NOT NULL column "${column.name}"`);
    const result = check(value);
    if (result.ok && result.value === null && !nullable) {
      return bad(`NULL (by a chosen conversion) in NOT NULL column "${column.name}"`);
    }
    return result;
  };
}

function typeChecker(type: PortableType, limits: ValueLimits, rules: ReadonlySet<string>): (v: Value) => Conformed {
  const mismatch = (v: Value) => bad(`${kindOf(v)} value ${describeValue(v)} in a ${type.kind} column`);
  switch (type.kind) {
    case 'integer': {
      const [min, max] = integerRange(type.bits);
      return (v) => {
        let n: bigint;
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) return mismatch(v);
          if (Number.isSafeInteger(v) && type.bits === 64) return ok(v);
          n = BigInt(v);
        } else if (typeof v === 'bigint') n = v;
        else if (typeof v === 'string' && /^-?\d+$/.test(v)) n = BigInt(v);
        else if (typeof v === 'boolean') return ok(v ? 1 : 0);
        else return mismatch(v);
        if (n < min || n > max) return bad(`${n} is out of range for integer(${type.bits})`);
        return ok(n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n);
      };
    }
    case 'decimal':
      return (v) => {
        let s: string;
        if (typeof v === 'string' && DECIMAL.test(v.trim())) s = v.trim();
        else if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
        else if (typeof v === 'bigint') s = v.toString();
        else return mismatch(v);
        if (/e/i.test(s)) s = expandExponent(s);
        if (type.precision !== undefined && !fitsDecimal(s, type.precision, type.scale ?? 0)) {
          return bad(`${s} does not fit decimal(${type.precision},${type.scale ?? 0})`);
        }
        return ok(s);
      };
    case 'real':
      return (v) => {
        let n: number;
        if (typeof v === 'number') n = v;
        else if (typeof v === 'bigint') n = Number(v);
        else if (typeof v === 'string' && /^(NaN|-?Infinity)$/.test(v)) n = Number(v);
        else return mismatch(v);
        if (!Number.isFinite(n) && !limits.realAllowsSpecials) return bad(`${n} cannot be stored by the target`);
        return ok(type.bits === 32 ? Math.fround(n) : n);
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return ok(v);
        if (v === 0 || v === 1 || v === 0n || v === 1n) return ok(v === 1 || v === 1n);
        return mismatch(v);
      };
    case 'text':
    case 'enum':
    case 'uuid':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        let s = v;
        if (!limits.textAllowsNul && s.includes('\u0000')) {
          if (!rules.has('nul=strip')) return bad(`text ${describeValue(s)} holds a NUL character, which the target cannot store`);
          s = s.replaceAll('\u0000', '');
        }
        if (type.kind === 'text' && type.length !== undefined && [...s].length > type.length) {
          return bad(`text of ${[...s].length} characters is longer than text(${type.length})`);
        }
        if (type.kind === 'enum' && !type.values.includes(s)) return bad(`${describeValue(s)} is not one of the enum's values`);
        if (type.kind === 'uuid') {
          if (!UUID.test(s)) return bad(`${describeValue(s)} is not a UUID`);
          s = s.toLowerCase();
        }
        return ok(s);
      };
    case 'binary':
      return (v) => {
        if (!(v instanceof Uint8Array)) return mismatch(v);
        if (type.length !== undefined && v.length > type.length) return bad(`${v.length} bytes is longer than binary(${type.length})`);
        return ok(v);
      };
    case 'json':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        try {
          JSON.parse(v);
        } catch {
          return bad(`${describeValue(v)} is not valid JSON`);
        }
        if (!limits.textAllowsNul && v.includes('\\u0000')) return bad('JSON holds a NUL character, which the target cannot store');
        return ok(v);
      };
    case 'date':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        const m = DATE.exec(v);
        if (!m) return bad(`${describeValue(v)} is not a date (YYYY-MM-DD)`);
        if (isZeroDate(v)) return rules.has('zero-date=null') ? ok(null) : bad(`zero date ${v}`);
        return validDate(m[1]!, m[2]!, m[3]!) ? ok(v) : bad(`${v} is not a valid date`);
      };
    case 'time':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        const m = TIME.exec(v);
        if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return bad(`${describeValue(v)} is not a time of day`);
        return ok(v);
      };
    case 'timestamp':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        const s = DATE.test(v) ? `${v} 00:00:00` : v;
        const m = TIMESTAMP.exec(s);
        if (!m) return bad(`${describeValue(v)} is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])`);
        if (isZeroDate(m[1]!)) return rules.has('zero-date=null') ? ok(null) : bad(`zero date ${v}`);
        const [y, mo, d] = m[1]!.split('-');
        if (!validDate(y!, mo!, d!)) return bad(`${v} is not a valid date`);
        return normalizeTimestamp(m[1]!, m[2]!, m[3], m[4], type.tz, v);
      };
  }
}

function kindOf(v: Value): string {
  if (v instanceof Uint8Array) return 'binary';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'real';
  if (typeof v === 'bigint') return 'integer';
  if (typeof v === 'string') return 'text';
  return typeof v;
}

function isZeroDate(date: string): boolean {
  return date.startsWith('0000-') || date.endsWith('-00') || date.slice(5, 7) === '00';
}

function validDate(y: string, m: string, d: string): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = month !== 2 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
  return day <= (leap ? days : 28);
}

/** Canonical timestamp: `YYYY-MM-DD HH:MM:SS[.ffffff]`, tz-aware ones converted to UTC and written `+00:00`. */
function normalizeTimestamp(
  date: string,
  time: string,
  fraction: string | undefined,
  offset: string | undefined,
  tz: boolean,
  original: string,
): Conformed {
  const frac = fraction ? fraction.slice(0, 7).replace(/0+$/, '').replace(/^\.$/, '') : '';
  const minutes = offset ? offsetMinutes(offset) : 0;
  if (!tz) {
    if (minutes !== 0) return bad(`${original} carries a time zone offset, but the column has no time zone`);
    return ok(`${date} ${time}${frac}`);
  }
  if (minutes === 0) return ok(`${date} ${time}${frac}+00:00`);
  const ms = Date.parse(`${date}T${time}Z`) - minutes * 60_000;
  const utc = new Date(ms).toISOString();
  return ok(`${utc.slice(0, 10)} ${utc.slice(11, 19)}${frac}+00:00`);
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

function fitsDecimal(s: string, precision: number, scale: number): boolean {
  const [whole = '', frac = ''] = s.replace(/^[+-]/, '').split('.');
  const intDigits = whole.replace(/^0+/, '').length;
  const fracDigits = frac.replace(/0+$/, '').length;
  return fracDigits <= scale && intDigits <= precision - scale;
}

function expandExponent(s: string): string {
  const [mantissa = '', expPart = '0'] = s.toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  const [whole = '', frac = ''] = mantissa.replace(/^[+-]/, '').split('.');
  const digits = whole + frac;
  const point = whole.length + Number(expPart);
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + out;
}
