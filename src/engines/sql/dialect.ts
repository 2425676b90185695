import type { ColumnSchema, TableSchema } from '../../core/schema.js';

/**
 * How one SQL engine spells what the shared DDL and query builders need. Each engine declares its differences
 * here; ddl.ts and keyset.ts hold the one mechanism.
 */
export interface SqlDialect {
  /** Quotes an identifier, doubling the quote character inside it. */
  quote(name: string): string;
  /** The n-th (0-based) bind placeholder: `?` or `$1`. */
  placeholder(index: number): string;
  /** The column's full type as created on this engine (`bigint`, `varchar(20)`, `DECIMAL_TEXT(38,10)`). */
  columnType(column: ColumnSchema, table: TableSchema): string;
  /** The clause that makes a column generate its own values, placed after the type (empty when the type does it). */
  identityClause: string;
  /** Spells a literal default of a column (`'abc'`, `12.5`, `TRUE`). */
  literal(value: string | number | boolean | null, column: ColumnSchema): string;
  /** Spells `current_timestamp`, `current_date`, `current_time`. */
  expressionDefault(name: 'current_timestamp' | 'current_date' | 'current_time', column: ColumnSchema): string;
  /** Text and binary types that cannot take a default on this engine (MySQL TEXT/BLOB before 8.0.13). */
  canHaveDefault(column: ColumnSchema): boolean;
  /** Engine name used to decide whether a `raw` default is carried as is. */
  readonly engine: string;
  readonly maxIdentifierLength: number;
  /** What maxIdentifierLength counts: UTF-8 bytes (PostgreSQL) or characters (MySQL). */
  readonly identifierLengthUnit: 'bytes' | 'characters';
  /**
   * Foreign keys and checks can only be declared in CREATE TABLE (SQLite). Otherwise they are added with ALTER
   * TABLE after the data, as the bulk loaders of each engine do.
   */
  readonly constraintsInCreateTable: boolean;
  /** Unique constraints are created as unique indexes (SQLite cannot add a named UNIQUE constraint later). */
  readonly uniqueAsIndex: boolean;
  /** Index names are scoped to the table (MySQL) rather than to the schema. */
  readonly indexNamesPerTable: boolean;
}
