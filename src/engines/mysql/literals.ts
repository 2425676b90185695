import type { PortableType } from '../../core/types.js';
import { InvalidValue, type Value } from '../../core/values.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * A string literal for a session with NO_BACKSLASH_ESCAPES (every ferry session): the quote doubled is the only
 * escape, and every other character, NUL and backslash included, stands for itself. The driver's own escaping
 * (backslashes) is never used, since it would be read literally in such a session.
 */
export function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * A value as an SQL literal for a column of the given portable type, exact for every type: integers and decimals
 * unquoted (a quoted number compared with a numeric column is converted to a double, which rounds past 2^53), reals
 * with JavaScript's shortest round-trip spelling, binary as X'hex', timestamps without their +00:00 (the session's
 * time zone is UTC and datetime columns hold UTC).
 */
export function sqlValue(v: Value, type: PortableType): string {
  if (v === null) return 'NULL';
  if (v instanceof InvalidValue) throw new Error(`an invalid value (${v.reason}) cannot be written`);
  if (v instanceof Uint8Array) return `X'${hexDigits(v)}'`;
  switch (typeof v) {
    case 'boolean':
      return v ? '1' : '0';
    case 'bigint':
      return v.toString();
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`${v} cannot be written to MySQL`);
      return String(v);
  }
  if (type.kind === 'integer' && INTEGER.test(v)) return v;
  if (type.kind === 'decimal' && DECIMAL.test(v)) return v;
  if (type.kind === 'timestamp') return quoteString(utcDatetime(v));
  return quoteString(v);
}

/** A portable timestamp as a MySQL datetime: without its `+00:00` (the session's time zone is UTC). */
export function utcDatetime(v: string): string {
  return v.replace(/(Z|\+00:00)$/, '');
}

/** Bytes as hex digits (X'…' literals, UNHEX in LOAD DATA). */
export function hexDigits(v: Uint8Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}
