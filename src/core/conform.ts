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
  /**
   * Times and timestamps are rounded to their column's fractional digits (PostgreSQL, MySQL), so a value with more
   * is refused rather than rounded. Without it (SQLite, backups) a value keeps its digits, up to microseconds.
   */
  fractionsRounded?: boolean;
}

/** The fractional-second digits a time or timestamp column keeps on a target: microseconds at most, fewer by its precision where the target rounds. */
export function fractionDigitsKept(type: PortableType, limits: ValueLimits): number {
  const precision = type.kind === 'time' || type.kind === 'timestamp' ? type.precision : undefined;
  return limits.fractionsRounded ? Math.min(precision ?? 6, 6) : 6;
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

/** Why a value cannot be written: what a conformer returns instead of the value. */
export class Refusal {
  constructor(readonly reason: string) {}
}

/**
 * Either the value to write, or a {@link Refusal}. Values are returned, not wrapped, because this runs for every
 * value of every row: an object per value was a large share of a copy's garbage.
 */
export type Conformer = (value: Value) => Value | Refusal;

/**
 * Whether conformance keeps a column's distinct values distinct: it either keeps each value as it is (same value,
 * maybe another spelling of it) or refuses it. Not so where it normalises (a UUID's case, a timestamp's offset, a
 * decimal's spelling, a 32-bit real's rounding) or where a chosen rule rewrites text. Rows whose key columns all
 * conform one to one cannot share a key in the target when they did not in the source, so a writer may build
 * that key after the data.
 */
export function conformsOneToOne(column: ColumnSchema, rules: ReadonlySet<string>): boolean {
  switch (column.type.kind) {
    case 'integer':
    case 'boolean':
    case 'binary':
    case 'date':
    case 'time':
      return true;
    case 'text':
    case 'enum':
      return !rules.has('nul=strip') && !rules.has('invalid-utf8=replace');
    default:
      return false;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,9})?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const bad = (reason: string): Refusal => new Refusal(reason);

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
    if (value === null) return nullable ? null : bad(`NULL in NOT NULL column "${column.name}"`);
    const result = check(value);
    if (result === null && !nullable) {
      return bad(`NULL (by a chosen conversion) in NOT NULL column "${column.name}"`);
    }
    return result;
  };
}

function typeChecker(type: PortableType, limits: ValueLimits, rules: ReadonlySet<string>): (v: Value) => Value | Refusal {
  const kept = fractionDigitsKept(type, limits);
  const mismatch = (v: Value) => bad(`${kindOf(v)} value ${describeValue(v)} in a ${type.kind} column`);
  switch (type.kind) {
    case 'integer': {
      const [min, max] = integerRange(type.bits);
      // Exact as numbers for up to 53 bits; past that every safe integer is in range anyway.
      const minN = Number(min);
      const maxN = Number(max);
      const exact = (n: bigint): Value | Refusal => {
        if (n < min || n > max) return bad(`${n} is out of range for integer(${type.bits})`);
        return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
      };
      return (v) => {
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) return mismatch(v);
          if (!Number.isSafeInteger(v)) return exact(BigInt(v));
          if (v < minN || v > maxN) return bad(`${v} is out of range for integer(${type.bits})`);
          return v === 0 ? 0 : v; // -0 is 0
        }
        if (typeof v === 'bigint') return exact(v);
        if (typeof v === 'string' && /^-?\d+$/.test(v)) return exact(BigInt(v));
        if (typeof v === 'boolean') return v ? 1 : 0;
        return mismatch(v);
      };
    }
    case 'decimal':
      return (v) => {
        let s: string;
        if (typeof v === 'number' && Number.isFinite(v)) s = String(v);
        else if (typeof v === 'string' && DECIMAL.test((s = v.trim()))) {
          // s is set
        } else if (typeof v === 'bigint') s = v.toString();
        else return mismatch(v);
        if (s.includes('e') || s.includes('E')) s = expandExponent(s);
        if (type.precision !== undefined && !fitsDecimal(s, type.precision, type.scale ?? 0)) {
          return bad(`${s} does not fit decimal(${type.precision},${type.scale ?? 0})`);
        }
        return s;
      };
    case 'real':
      return (v) => {
        let n: number;
        if (typeof v === 'number') n = v;
        else if (typeof v === 'bigint') n = Number(v);
        else if (typeof v === 'string' && /^(NaN|-?Infinity)$/.test(v)) n = Number(v);
        else return mismatch(v);
        if (!Number.isFinite(n) && !limits.realAllowsSpecials) return bad(`${n} cannot be stored by the target`);
        return type.bits === 32 ? Math.fround(n) : n;
      };
    case 'boolean':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (v === 0 || v === 1 || v === 0n || v === 1n) return v === 1 || v === 1n;
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
        // A string has at least as many UTF-16 units as characters: only a long one needs counting.
        if (type.kind === 'text' && type.length !== undefined && s.length > type.length && [...s].length > type.length) {
          return bad(`text of ${[...s].length} characters is longer than text(${type.length})`);
        }
        if (type.kind === 'enum' && !type.values.includes(s)) return bad(`${describeValue(s)} is not one of the enum's values`);
        if (type.kind === 'uuid') {
          if (!UUID.test(s)) return bad(`${describeValue(s)} is not a UUID`);
          s = s.toLowerCase();
        }
        return s;
      };
    case 'binary':
      return (v) => {
        if (!(v instanceof Uint8Array)) return mismatch(v);
        if (type.length !== undefined && v.length > type.length) return bad(`${v.length} bytes is longer than binary(${type.length})`);
        return v;
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
        return v;
      };
    case 'date':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        const m = DATE.exec(v);
        if (!m) return bad(`${describeValue(v)} is not a date (YYYY-MM-DD)`);
        if (isZeroDate(v)) return rules.has('zero-date=null') ? null : bad(`zero date ${v}`);
        return validDate(v) ? v : bad(`${v} is not a valid date`);
      };
    case 'time':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        const m = TIME.exec(v);
        if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3]) > 59) return bad(`${describeValue(v)} is not a time of day`);
        return tooPrecise(v, m[4], kept) ?? v;
      };
    case 'timestamp':
      return (v) => {
        if (typeof v !== 'string') return mismatch(v);
        const s = DATE.test(v) ? `${v} 00:00:00` : v;
        const m = TIMESTAMP.exec(s);
        if (!m) return bad(`${describeValue(v)} is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])`);
        if (isZeroDate(m[1]!)) return rules.has('zero-date=null') ? null : bad(`zero date ${v}`);
        if (!validDate(m[1]!)) return bad(`${v} is not a valid date`);
        return tooPrecise(v, m[3], kept) ?? normalizeTimestamp(m[1]!, m[2]!, m[3], m[4], type.tz, v);
      };
  }
}

/** A refusal when a fraction of a second (`.123400`) has more significant digits than the column keeps. */
function tooPrecise(v: string, fraction: string | undefined, kept: number): Refusal | undefined {
  if (fraction === undefined || fraction.length - 1 <= kept) return undefined;
  let digits = fraction.length - 1;
  while (digits > kept && fraction.charCodeAt(digits) === 48) digits--;
  if (digits <= kept) return undefined;
  const why = kept < 6 ? `the column keeps ${kept} and the target would round it` : 'ferry carries microseconds (6 digits) at most';
  return bad(`${v} has ${digits} fractional-second digits; ${why}`);
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `YYYY-MM-DD` (already matched as digits) names a day of the proleptic Gregorian calendar. */
function validDate(date: string): boolean {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/** Canonical timestamp: `YYYY-MM-DD HH:MM:SS[.ffffff]`, tz-aware ones converted to UTC and written `+00:00`. */
function normalizeTimestamp(
  date: string,
  time: string,
  fraction: string | undefined,
  offset: string | undefined,
  tz: boolean,
  original: string,
): Value | Refusal {
  const frac = fraction ? trimFraction(fraction) : '';
  const minutes = offset ? offsetMinutes(offset) : 0;
  if (!tz) {
    if (minutes !== 0) return bad(`${original} carries a time zone offset, but the column has no time zone`);
    // Most values are canonical already: keep the string rather than build an equal one.
    if (offset === undefined && frac === (fraction ?? '') && original.length === 19 + frac.length && original[10] === ' ') return original;
    return `${date} ${time}${frac}`;
  }
  if (minutes === 0) return `${date} ${time}${frac}+00:00`;
  const ms = Date.parse(`${date}T${time}Z`) - minutes * 60_000;
  const utc = new Date(ms).toISOString();
  return `${utc.slice(0, 10)} ${utc.slice(11, 19)}${frac}+00:00`;
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

/** The fraction (`.123400`) cut to 6 digits and without trailing zeros; '' when nothing is left. */
function trimFraction(fraction: string): string {
  let end = Math.min(fraction.length, 7);
  while (end > 1 && fraction.charCodeAt(end - 1) === 48) end--;
  return end === 1 ? '' : end === fraction.length ? fraction : fraction.slice(0, end);
}

/** Whether a plain decimal string (sign, digits, optional point) fits decimal(precision, scale). */
function fitsDecimal(s: string, precision: number, scale: number): boolean {
  let i = s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43 ? 1 : 0;
  while (i < s.length && s.charCodeAt(i) === 48) i++;
  const dot = s.indexOf('.', i);
  const intDigits = (dot < 0 ? s.length : dot) - i;
  let fracDigits = 0;
  if (dot >= 0) {
    let end = s.length;
    while (end > dot + 1 && s.charCodeAt(end - 1) === 48) end--;
    fracDigits = end - dot - 1;
  }
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
