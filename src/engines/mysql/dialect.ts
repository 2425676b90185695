import { makeConformer, Refusal } from '../../core/conform.js';
import type { ColumnSchema, TableSchema } from '../../core/schema.js';
import { InvalidValue } from '../../core/values.js';
import type { SqlDialect } from '../sql/dialect.js';
import { quoteIdent } from './connect.js';
import { tableLayout, type NativeColumn } from './layout.js';
import { sqlValue } from './literals.js';
import { expressionDefaults, type ServerInfo } from './server.js';

/** The MySQL dialect plus what only this engine's writer needs. */
export interface MysqlDialect extends SqlDialect {
  /** The native type of a column in its table (cached per table object). */
  nativeColumn(column: ColumnSchema, table: TableSchema): NativeColumn;
  /**
   * Widens integer columns joined by a foreign key to the same width (MySQL refuses a key from int to bigint, which
   * PostgreSQL accepts). Call with every table before any DDL.
   */
  alignForeignKeys(tables: TableSchema[]): void;
}

const LIMITS = { textAllowsNul: true, realAllowsSpecials: false };

/**
 * MySQL/MariaDB's spelling of the shared DDL (see engines/sql/dialect.ts). Identifiers are quoted with backticks;
 * writer sessions also run with ANSI_QUOTES so that CHECK expressions written with "ident" by other engines keep
 * their meaning (without it, "price" would be a string), and with NO_BACKSLASH_ESCAPES so that '' is the only
 * escape in a literal, as in standard SQL.
 */
export function mysqlDialect(server: ServerInfo): MysqlDialect {
  let layouts = new WeakMap<TableSchema, Map<string, NativeColumn>>();
  let widened = new Map<string, 16 | 32 | 64>();
  const nativeColumn = (column: ColumnSchema, table: TableSchema): NativeColumn => {
    let layout = layouts.get(table);
    if (!layout) {
      layout = tableLayout(withWidened(table, widened));
      layouts.set(table, layout);
    }
    const native = layout.get(column.name) ?? { sql: 'longtext' };
    const bits = widened.get(`${table.name}\u0000${column.name}`);
    if (bits === undefined || column.type.kind !== 'integer' || column.type.bits === bits) return native;
    return {
      ...native,
      note: `integer(${column.type.bits}) is created as ${native.sql}: MySQL needs both ends of a foreign key to have one type`,
    };
  };
  const alignForeignKeys = (tables: TableSchema[]) => {
    widened = integerWidths(tables);
    layouts = new WeakMap();
  };
  const expressions = expressionDefaults(server);
  // TEXT, BLOB and JSON columns take a literal default only as an expression (MySQL 8.0.13+); MariaDB takes both.
  const needsParens = (column: ColumnSchema) => server.flavor === 'mysql' && ['text', 'binary', 'json'].includes(column.type.kind);

  return {
    engine: 'mysql',
    quote: quoteIdent,
    placeholder: () => '?',
    columnType: (column, table) => nativeColumn(column, table).sql,
    identityClause: 'AUTO_INCREMENT',
    literal: (value, column) => {
      const conformed = value === null ? null : conformDefault(value, column);
      // canHaveDefault has refused what does not conform; the fallback only keeps this function total.
      const sql = sqlValue(conformed === undefined ? String(value) : conformed, column.type);
      return needsParens(column) ? `(${sql})` : sql;
    },
    expressionDefault: (name, column) => {
      const fsp = fspOf(column);
      if (name === 'current_date') return '(CURRENT_DATE)';
      if (name === 'current_time') return `(CURRENT_TIME${fsp ? `(${fsp})` : ''})`;
      // A tz-aware column holds UTC, whatever the time zone of the session that inserts.
      if (column.type.kind === 'timestamp' && column.type.tz) return `(UTC_TIMESTAMP${fsp ? `(${fsp})` : ''})`;
      // MySQL insists that the default's precision equals the column's.
      return `CURRENT_TIMESTAMP${fsp ? `(${fsp})` : ''}`;
    },
    canHaveDefault: (column) => {
      const def = column.default;
      const kind = column.type.kind;
      if (!expressions && ['text', 'binary', 'json'].includes(kind)) return false;
      if (def?.kind === 'expression') {
        if (def.name === 'current_date') return kind === 'date';
        if (def.name === 'current_time') return kind === 'time';
        return kind === 'timestamp';
      }
      // A literal default this engine cannot hold (a zero date, a value out of range) is reported, not attempted.
      if (def?.kind === 'literal' && def.value !== null) return conformDefault(def.value, column) !== undefined;
      return true;
    },
    nativeColumn,
    alignForeignKeys,
    maxIdentifierLength: 64,
    identifierLengthUnit: 'characters',
    constraintsInCreateTable: false,
    uniqueAsIndex: false,
    indexNamesPerTable: true,
  };
}

type Plain = string | number | bigint | boolean | Uint8Array;

/** The default brought to the column's canonical value (true for 1 in a boolean column…), or undefined if it cannot be. */
function conformDefault(value: string | number | boolean, column: ColumnSchema): Plain | undefined {
  // Other engines spell a text column's default 5 as a number; it is the text '5'.
  const input = ['text', 'enum', 'uuid', 'json'].includes(column.type.kind) && typeof value !== 'string' ? String(value) : value;
  const result = makeConformer({ ...column, nullable: true }, LIMITS, new Set())(input);
  if (result === null || result instanceof Refusal || result instanceof InvalidValue) return undefined;
  return result;
}

function fspOf(column: ColumnSchema): number {
  const t = column.type;
  return t.kind === 'time' || t.kind === 'timestamp' ? Math.min(t.precision ?? 6, 6) : 0;
}

/** `table\0column` → the width every column joined to it by foreign keys needs. */
function integerWidths(tables: TableSchema[]): Map<string, 16 | 32 | 64> {
  const bits = new Map<string, 16 | 32 | 64>();
  const find = (table: string, column: string) => tables.find((t) => t.name === table)?.columns.find((c) => c.name === column);
  const width = (table: string, column: string) => {
    const c = find(table, column);
    return c?.type.kind === 'integer' ? (bits.get(`${table}\u0000${column}`) ?? c.type.bits) : undefined;
  };
  // Repeated until nothing changes, so that chains of keys (a → b → c) agree.
  for (let changed = true; changed;) {
    changed = false;
    for (const t of tables) {
      for (const fk of t.foreignKeys) {
        fk.columns.forEach((col, i) => {
          const ref = fk.refColumns[i]!;
          const a = width(t.name, col);
          const b = width(fk.refTable, ref);
          if (a === undefined || b === undefined || a === b) return;
          const wide = a > b ? a : b;
          bits.set(`${a < wide ? t.name : fk.refTable}\u0000${a < wide ? col : ref}`, wide);
          changed = true;
        });
      }
    }
  }
  return bits;
}

/** The table with its widened integer columns, noted so that the change is reported. */
function withWidened(table: TableSchema, widened: Map<string, 16 | 32 | 64>): TableSchema {
  const columns = table.columns.map((c) => {
    const bits = widened.get(`${table.name}\u0000${c.name}`);
    return bits && c.type.kind === 'integer' ? { ...c, type: { kind: 'integer' as const, bits } } : c;
  });
  return { ...table, columns };
}
