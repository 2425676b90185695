import type { PortableType } from '../../core/types.js';
import { unescapeMysql } from './catalog-text.js';

/** A portable type, and, when the column is carried only in part, why (listed as not carried). */
export interface MysqlMapping {
  type: PortableType;
  note?: string;
}

const SPATIAL = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/**
 * Native → portable, from information_schema.COLUMNS: DATA_TYPE (`int`) and COLUMN_TYPE (`int(10) unsigned`).
 * Unsigned types take the next wider portable type so that every value fits; types without a portable counterpart
 * are read as text (SET as its comma-separated members, spatial types as WKT) and reported.
 */
export function portableFromMysql(dataType: string, columnType: string): MysqlMapping {
  const t = dataType.toLowerCase();
  const full = columnType.toLowerCase();
  const unsigned = /\bunsigned\b/.test(full);
  const args = /\(([^)]*)\)/.exec(full)?.[1];
  const n = args !== undefined && /^\d+$/.test(args) ? Number(args) : undefined;
  switch (t) {
    case 'tinyint':
      // BOOL and BOOLEAN are tinyint(1); values other than 0 and 1 are rejected by conformance, not hidden.
      return { type: n === 1 ? { kind: 'boolean' } : { kind: 'integer', bits: 16 } };
    case 'smallint':
      return { type: { kind: 'integer', bits: unsigned ? 32 : 16 } };
    case 'year':
      return { type: { kind: 'integer', bits: 16 } };
    case 'mediumint':
      return { type: { kind: 'integer', bits: 32 } };
    case 'int':
    case 'integer':
      return { type: { kind: 'integer', bits: unsigned ? 64 : 32 } };
    case 'bigint':
      return { type: unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'integer', bits: 64 } };
    case 'decimal':
    case 'numeric':
    case 'fixed': {
      const [p, s] = (args ?? '10,0').split(',').map(Number);
      return { type: { kind: 'decimal', precision: p ?? 10, scale: s ?? 0 } };
    }
    case 'float':
      return { type: { kind: 'real', bits: 32 } };
    case 'double':
    case 'real':
    case 'double precision':
      return { type: { kind: 'real', bits: 64 } };
    case 'bit':
      return { type: n === 1 || n === undefined ? { kind: 'boolean' } : { kind: 'binary', length: Math.ceil(n / 8) } };
    case 'char':
    case 'varchar':
      return { type: n === undefined ? { kind: 'text' } : { kind: 'text', length: n } };
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      return { type: { kind: 'text' } };
    case 'binary':
    case 'varbinary':
      return { type: n === undefined ? { kind: 'binary' } : { kind: 'binary', length: n } };
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return { type: { kind: 'binary' } };
    case 'date':
      return { type: { kind: 'date' } };
    case 'time':
      return { type: { kind: 'time', precision: n ?? 0 } };
    case 'datetime':
      return { type: { kind: 'timestamp', tz: false, precision: n ?? 0 } };
    case 'timestamp':
      // TIMESTAMP holds an instant; the session reads it in UTC.
      return { type: { kind: 'timestamp', tz: true, precision: n ?? 0 } };
    case 'json':
      return { type: { kind: 'json' } };
    case 'uuid':
      return { type: { kind: 'uuid' } };
    case 'enum':
      return { type: { kind: 'enum', values: parseEnumValues(columnType) } };
    case 'set':
      return { type: { kind: 'text' }, note: `${columnType} is read as text (its members joined by commas)` };
    default:
      if (SPATIAL.has(t)) return { type: { kind: 'text' }, note: `spatial type ${columnType} is read as WKT text (ST_AsText)` };
      return { type: { kind: 'text' }, note: `type ${columnType} has no portable counterpart and is read as text` };
  }
}

/** True for the spatial types, which are selected as `ST_AsText(column)`. */
export function isSpatial(dataType: string): boolean {
  return SPATIAL.has(dataType.toLowerCase());
}

/** The members of `enum('a','it''s','a\\b')` as COLUMN_TYPE spells them ('' and backslash escapes). */
export function parseEnumValues(columnType: string): string[] {
  const body = columnType.slice(columnType.indexOf('(') + 1, columnType.lastIndexOf(')'));
  const values: string[] = [];
  const re = /'((?:[^'\\]|''|\\.)*)'/gs;
  for (let m = re.exec(body); m; m = re.exec(body)) values.push(unescapeMysql(m[1]!));
  return values;
}
