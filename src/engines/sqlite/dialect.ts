import type { SqlDialect } from '../sql/dialect.js';
import { declaredFromPortable, quoteSqlite } from './types.js';

/** SQLite's spelling of the shared DDL (see engines/sql/dialect.ts). */
export const sqliteDialect: SqlDialect = {
  engine: 'sqlite',
  quote: quoteSqlite,
  placeholder: () => '?',
  columnType: (column, table) => declaredFromPortable(column, isRowidAlias(column.name, table)),
  // The rowid alias generates values by itself: the type `INTEGER` on the sole primary-key column is the clause.
  identityClause: '',
  literal: (value) => {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? '1' : '0';
    if (typeof value === 'number') return String(value);
    return `'${value.replaceAll("'", "''")}'`;
  },
  expressionDefault: (name) => name.toUpperCase(),
  canHaveDefault: () => true,
  // SQLite accepts names of any length; this bound only guards against absurd input.
  maxIdentifierLength: 1_000_000,
  identifierLengthUnit: 'characters',
  constraintsInCreateTable: true,
  uniqueAsIndex: true,
  indexNamesPerTable: false,
};

/** An identity column that is the table's whole primary key becomes the rowid (declared exactly `INTEGER`). */
export function isRowidAlias(
  column: string,
  table: { primaryKey?: { columns: string[] }; columns: { name: string; identity?: boolean }[] },
): boolean {
  const pk = table.primaryKey?.columns;
  return pk?.length === 1 && pk[0] === column && table.columns.find((c) => c.name === column)?.identity === true;
}
