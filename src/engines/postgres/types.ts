import { createHash } from 'node:crypto';
import type { ColumnSchema } from '../../core/schema.js';
import type { PortableType } from '../../core/types.js';

/** What introspection knows of a column's type (pg_type and the column's type modifier). */
export interface PgTypeInfo {
  /** pg_type.typname of the column's type: `int4`, `varchar`, `timestamptz`, `mood`… */
  typname: string;
  /** pg_type.typtype: `b` base, `e` enum, `d` domain, `c` composite, `r` range, `m` multirange, `p` pseudo. */
  typtype: string;
  /** pg_attribute.atttypmod: -1 when the type has no modifier. */
  typmod: number;
  /** format_type(): how PostgreSQL spells it, kept as the column's nativeType. */
  formatted: string;
  /** The labels of an enum type, in their declared order. */
  enumValues?: string[];
}

/** A portable type, or why the column is read as its text form instead. */
export type PgMapping = { type: PortableType } | { type: { kind: 'text' }; notPortable: string };

/**
 * Native → portable. Types with no portable counterpart (arrays, intervals, money, inet, geometric, ranges,
 * domains, time with time zone, xml, tsvector…) are read as their text form into a text column and reported as
 * not carried, so that the value survives and nothing is silent.
 */
export function portableFromPg(t: PgTypeInfo): PgMapping {
  const mod = t.typmod;
  if (t.typtype === 'e') return { type: { kind: 'enum', values: t.enumValues ?? [] } };
  if (t.typtype === 'd') return { type: { kind: 'text' }, notPortable: `domain ${t.formatted} is read as its text form` };
  switch (t.typname) {
    case 'int2':
      return { type: { kind: 'integer', bits: 16 } };
    case 'int4':
      return { type: { kind: 'integer', bits: 32 } };
    case 'int8':
      return { type: { kind: 'integer', bits: 64 } };
    case 'numeric': {
      if (mod < 4) return { type: { kind: 'decimal' } };
      const precision = ((mod - 4) >> 16) & 0xffff;
      // PostgreSQL 15 stores the scale as an 11-bit signed number; a negative scale has no portable spelling.
      const scale = (((mod - 4) & 0x7ff) ^ 0x400) - 0x400;
      return { type: scale < 0 || scale > precision ? { kind: 'decimal' } : { kind: 'decimal', precision, scale } };
    }
    case 'float4':
      return { type: { kind: 'real', bits: 32 } };
    case 'float8':
      return { type: { kind: 'real', bits: 64 } };
    case 'bool':
      return { type: { kind: 'boolean' } };
    case 'varchar':
    case 'bpchar':
      return { type: mod >= 4 ? { kind: 'text', length: mod - 4 } : { kind: 'text' } };
    case 'citext':
      return { type: { kind: 'text' }, notPortable: 'citext is carried as text: its case-insensitive comparison is not' };
    case 'text':
    case 'name':
      return { type: { kind: 'text' } };
    case 'bytea':
      return { type: { kind: 'binary' } };
    case 'date':
      return { type: { kind: 'date' } };
    case 'time':
      return { type: mod >= 0 ? { kind: 'time', precision: mod } : { kind: 'time' } };
    case 'timestamp':
    case 'timestamptz':
      return { type: { kind: 'timestamp', tz: t.typname === 'timestamptz', ...(mod >= 0 ? { precision: mod } : {}) } };
    case 'json':
    case 'jsonb':
      return { type: { kind: 'json' } };
    case 'uuid':
      return { type: { kind: 'uuid' } };
    default:
      return { type: { kind: 'text' }, notPortable: `${t.formatted} has no portable type; its values are carried as text` };
  }
}

/** PostgreSQL's longest varchar(n); a longer text(n) becomes `text`, which holds any length. */
const MAX_VARCHAR = 10_485_760;

/** Portable → the column type ferry creates on PostgreSQL. */
export function pgColumnType(column: ColumnSchema, table: { name: string }): string {
  const type = column.type;
  switch (type.kind) {
    case 'integer':
      return type.bits === 16 ? 'smallint' : type.bits === 32 ? 'integer' : 'bigint';
    case 'decimal':
      // Past numeric's largest declarable precision (1000), unconstrained numeric holds the same values.
      if (type.precision === undefined || type.precision > 1000) return 'numeric';
      return `numeric(${type.precision},${type.scale ?? 0})`;
    case 'real':
      return type.bits === 32 ? 'real' : 'double precision';
    case 'boolean':
      return 'boolean';
    case 'text':
      return type.length !== undefined && type.length > 0 && type.length <= MAX_VARCHAR ? `varchar(${type.length})` : 'text';
    case 'binary':
      // bytea has no length limit to declare; the length is checked by conformance before the write.
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return type.precision === undefined ? 'time' : `time(${Math.min(type.precision, 6)})`;
    case 'timestamp': {
      const p = type.precision === undefined ? '' : `(${Math.min(type.precision, 6)})`;
      return `timestamp${p}${type.tz ? ' with time zone' : ''}`;
    }
    case 'json':
      // json keeps the text exactly as written (key order, duplicates, spacing), so a digest survives the trip;
      // jsonb only when the source chose jsonb.
      return column.nativeType?.toLowerCase() === 'jsonb' ? 'jsonb' : 'json';
    case 'uuid':
      return 'uuid';
    case 'enum':
      return quotePg(enumTypeName(table.name, column.name));
  }
}

/**
 * The name of the PostgreSQL enum type ferry creates for an enum column. A native enum (rather than text with a
 * CHECK) keeps what an enum means: values sort in their declared order, as MySQL's ENUM and the source's PG enum
 * do, and the column reads back as enum(values). The `_enum` suffix keeps clear of the row type PostgreSQL creates
 * for every table (`user_role` the table versus `user`.`role` the column); a name past 63 bytes is shortened with
 * a hash so that two long names stay distinct.
 */
export function enumTypeName(table: string, column: string): string {
  const name = `${table}_${column}_enum`;
  if (Buffer.byteLength(name, 'utf8') <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const chars = [...name];
  while (Buffer.byteLength(chars.join(''), 'utf8') > 63 - 9) chars.pop();
  return `${chars.join('')}_${hash}`;
}

/** The SQL that creates an enum column's type, to run before its table. */
export function createEnumSql(table: string, column: ColumnSchema): string | undefined {
  if (column.type.kind !== 'enum') return undefined;
  const labels = column.type.values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
  return `CREATE TYPE ${quotePg(enumTypeName(table, column.name))} AS ENUM (${labels})`;
}

/** Quotes an identifier, doubling any `"` inside it. */
export function quotePg(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
