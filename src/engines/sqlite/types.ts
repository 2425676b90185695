import type { ColumnSchema } from '../../core/schema.js';
import type { PortableType } from '../../core/types.js';

/**
 * SQLite types. SQLite stores any value in any column and derives an "affinity" from the declared type's name, so
 * ferry reads the declared name into a portable type, and when it creates a table it chooses names that both read
 * back as the same portable type and give an affinity that cannot alter the values written:
 *
 * - decimals of more than 15 digits would be rounded by NUMERIC affinity, so they are declared `DECIMAL_TEXT(p,s)`
 *   (TEXT affinity, exact digits kept);
 * - JSON text such as `123` would become an integer under NUMERIC affinity, so it is declared `JSON_TEXT`;
 * - an identity column is declared exactly `INTEGER` so that it is the table's rowid and generates its values.
 */
export function portableFromDeclared(declared: string): PortableType {
  const t = declared.trim().toUpperCase();
  const args = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(t);
  const n = args?.[1] === undefined ? undefined : Number(args[1]);
  const m = args?.[2] === undefined ? undefined : Number(args[2]);
  const base = t.replace(/\(.*$/, '').trim();
  if (base.includes('JSON')) return { kind: 'json' };
  if (base === 'UUID' || base === 'UUID_TEXT') return { kind: 'uuid' };
  if (base.startsWith('BOOL')) return { kind: 'boolean' };
  if (/^(DECIMAL|NUMERIC)/.test(base)) return { kind: 'decimal', precision: n, scale: n === undefined ? undefined : (m ?? 0) };
  if (base.includes('INT')) {
    if (/^(TINYINT|SMALLINT|INT2)$/.test(base)) return { kind: 'integer', bits: 16 };
    if (/^(INT|MEDIUMINT|INT4)$/.test(base)) return { kind: 'integer', bits: 32 };
    return { kind: 'integer', bits: 64 };
  }
  if (base === 'TIMESTAMPTZ' || /TIMESTAMP WITH TIME ZONE/.test(base)) return { kind: 'timestamp', tz: true, precision: n };
  if (base === 'DATETIME' || base.startsWith('TIMESTAMP')) return { kind: 'timestamp', tz: false, precision: n };
  if (base === 'DATE') return { kind: 'date' };
  if (base === 'TIME') return { kind: 'time', precision: n };
  if (base === 'FLOAT4') return { kind: 'real', bits: 32 };
  if (/REAL|FLOA|DOUB/.test(base)) return { kind: 'real', bits: 64 };
  if (/CHAR|CLOB|TEXT/.test(base)) return { kind: 'text', length: /CHAR/.test(base) ? n : undefined };
  if (base === '' || base.includes('BLOB')) return { kind: 'binary' };
  if (/BINARY/.test(base)) return { kind: 'binary', length: n };
  // Any other name has NUMERIC affinity: the values are numbers or text, so text is the faithful reading.
  return { kind: 'text' };
}

/** The declared type ferry creates for a column (see the rules above). */
export function declaredFromPortable(column: ColumnSchema, isRowidAlias: boolean): string {
  const type = column.type;
  if (isRowidAlias) return 'INTEGER';
  switch (type.kind) {
    case 'integer':
      return type.bits === 16 ? 'SMALLINT' : type.bits === 32 ? 'INT' : 'BIGINT';
    case 'decimal':
      if (type.precision === undefined) return 'DECIMAL_TEXT';
      return `${type.precision > 15 ? 'DECIMAL_TEXT' : 'DECIMAL'}(${type.precision},${type.scale ?? 0})`;
    case 'real':
      return type.bits === 32 ? 'FLOAT4' : 'REAL';
    case 'boolean':
      return 'BOOLEAN';
    case 'text':
      return type.length === undefined ? 'TEXT' : `VARCHAR(${type.length})`;
    case 'binary':
      return type.length === undefined ? 'BLOB' : `VARBINARY(${type.length})`;
    case 'date':
      return 'DATE';
    case 'time':
      return type.precision === undefined ? 'TIME' : `TIME(${type.precision})`;
    case 'timestamp':
      return `${type.tz ? 'TIMESTAMPTZ' : 'TIMESTAMP'}${type.precision === undefined ? '' : `(${type.precision})`}`;
    case 'json':
      return 'JSON_TEXT';
    case 'uuid':
      return 'UUID';
    case 'enum':
      // SQLite has no enum: text, limited to the values by a column CHECK.
      return `TEXT CHECK (${quoteSqlite(column.name)} IN (${type.values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ')}))`;
  }
}

export function quoteSqlite(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
