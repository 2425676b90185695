import pg from 'pg';
import { InvalidValue, type Value } from '../../core/values.js';

/**
 * How PostgreSQL values become portable values (type parsers; copy.ts spells them for COPY). The parsers are given to each reading client through its own `types`
 * option, never registered globally, so that no other user of `pg` in the process is affected.
 */

/** Built-in type OIDs (pg_type.oid; fixed across PostgreSQL versions). */
const OID = { int8: 20, json: 114, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, numeric: 1700, jsonb: 3802 } as const;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:([+-]\d{2})(?::(\d{2}))?)?$/;

const parsers = new Map<number, (text: string) => Value>([
  // Past ±2^53 a JS number would round: bigint there, a plain number everywhere else.
  [OID.int8, (s) => (Number.isSafeInteger(Number(s)) ? Number(s) : BigInt(s))],
  // Exact digits; NaN and the infinities (PostgreSQL 14+) have no portable decimal.
  [OID.numeric, (s) => (/^[+-]?[\d.]+$/.test(s) ? s : new InvalidValue('a numeric that is not a number', s))],
  // The JSON text as stored, not a parsed object: json keeps key order and spacing that a digest must see.
  [OID.json, (s) => s],
  [OID.jsonb, (s) => s],
  [OID.date, (s) => (DATE.test(s) ? s : outOfRange('date', s))],
  [OID.time, (s) => s],
  [OID.timestamp, (s) => timestamp(s, false)],
  [OID.timestamptz, (s) => timestamp(s, true)],
]);

/** The type parsers of a reading client (see above); every other type keeps pg's own parser. */
export const READ_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const own = format === 'binary' ? undefined : parsers.get(oid);
    return own ?? pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * The session is in UTC, so timestamptz reads as `… +00`; the portable spelling is `+00:00`. Values the portable
 * range cannot hold (`infinity`, BC dates, years past 9999) are flagged with their exact text.
 */
function timestamp(s: string, tz: boolean): Value {
  const m = TIMESTAMP.exec(s);
  if (!m || (tz && m[2] === undefined)) return outOfRange(tz ? 'timestamp with time zone' : 'timestamp', s);
  return tz ? `${m[1]}${m[2]}:${m[3] ?? '00'}` : m[1]!;
}

function outOfRange(what: string, s: string): InvalidValue {
  return new InvalidValue(`a ${what} outside years 1-9999`, s);
}

/** The value to bind as a query parameter for a value read earlier (a resume key). */
export function asParameter(v: Value): unknown {
  return v instanceof InvalidValue ? v.detail : v;
}
