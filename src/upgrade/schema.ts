import type { ColumnSchema, IndexSchema, TableSchema } from '../core/schema.js';
import type { Col, ColumnSpec } from './columns.js';

/** Any column, whatever its value type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCol = Col<any>;

/** The columns of a table declaration, by name. */
export type Columns = Record<string, AnyCol>;

/** Flattens an intersection or mapped type so editors show `{ id: number; … }`. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The row object of a table declaration: each column name with its value type. */
export type RowOf<C extends Columns> = Simplify<{ [K in keyof C]: C[K] extends Col<infer T> ? T : never }>;

/** Table-level declarations: composite keys, multi-column unique constraints, indexes. */
export interface TableOptions<K extends string> {
  /** A composite primary key (instead of `.primaryKey()` on each column), in key order. */
  primaryKey?: K[];
  /** Multi-column unique constraints. */
  unique?: K[][];
  /** Secondary indexes: a list of columns, or with a name and uniqueness. */
  indexes?: (K[] | { name?: string; columns: K[]; unique?: boolean })[];
}

/** One declared table: its name, its columns and the row type that follows from them. */
export interface TableDef<N extends string = string, C extends Columns = Columns> {
  readonly name: N;
  readonly columns: C;
  readonly options: TableOptions<string>;
}

/**
 * Declares a table of one version of an application.
 *
 * @example
 * const notes = table('notes', { id: col.int64().primaryKey(), title: col.text(200), body: col.text().nullable() });
 * // RowOf<typeof notes.columns> is { id: number; title: string; body: string | null }
 */
export function table<const N extends string, C extends Columns>(
  name: N,
  columns: C,
  options: TableOptions<keyof C & string> = {},
): TableDef<N, C> {
  return { name, columns, options };
}

/** The row types of a schema, by table name. */
export type RowsOf<T extends readonly TableDef[]> = { [D in T[number] as D['name']]: RowOf<D['columns']> };

/** Row objects by table name: what a schema declaration describes. */
export type Rows = Record<string, object>;

/**
 * The tables of one version. `R` maps each table name to its row type; conversions are type-checked against it.
 */
export interface SchemaDef<R = Rows> {
  readonly tables: readonly TableDef[];
  /** The tables in portable form (what a reader of this version's database presents). */
  readonly portable: readonly TableSchema[];
  /** Carries the row types for inference only; never set at run time. */
  readonly rowTypes?: R;
}

/**
 * Declares the schema of one version from its tables.
 *
 * @example
 * export const v1 = defineSchema(users, notes);
 */
export function defineSchema<const T extends readonly TableDef[]>(...tables: T): SchemaDef<Simplify<RowsOf<T>>> {
  const names = new Set<string>();
  for (const t of tables) {
    if (names.has(t.name)) throw new Error(`table ${t.name} is declared twice`);
    names.add(t.name);
  }
  return { tables, portable: tables.map(toTableSchema) };
}

/** The portable form of a declared table, with generated constraint names (`pk_t`, `uq_t_col`, `idx_t_col`, `fk_t_col`). */
export function toTableSchema(def: TableDef): TableSchema {
  const entries = Object.entries(def.columns).map(([name, c]) => [name, c.spec] as [string, ColumnSpec]);
  const columns: ColumnSchema[] = entries.map(([name, s]) => ({
    name,
    type: s.type,
    nullable: s.nullable,
    ...(s.default ? { default: s.default } : {}),
    ...(s.identity ? { identity: true } : {}),
    ...(s.declared ? { declared: s.declared } : {}),
  }));
  const pk = def.options.primaryKey ?? entries.filter(([, s]) => s.primaryKey).map(([n]) => n);
  const uniqueSets = [...entries.filter(([, s]) => s.unique).map(([n]) => [n]), ...(def.options.unique ?? [])];
  const uniques: IndexSchema[] = uniqueSets.map((cols) => ({ name: `uq_${def.name}_${cols.join('_')}`, columns: cols, unique: true }));
  const indexes: IndexSchema[] = (def.options.indexes ?? []).map((i) => {
    const spec = Array.isArray(i) ? { columns: i } : i;
    return { name: spec.name ?? `idx_${def.name}_${spec.columns.join('_')}`, columns: spec.columns, unique: spec.unique ?? false };
  });
  for (const cols of [pk, ...uniqueSets, ...indexes.map((i) => i.columns)]) {
    const unknown = cols.filter((c) => !(c in def.columns));
    if (unknown.length) throw new Error(`table ${def.name}: no column ${unknown.join(', ')}`);
  }
  return {
    name: def.name,
    columns,
    ...(pk.length ? { primaryKey: { name: `pk_${def.name}`, columns: pk } } : {}),
    uniques,
    indexes,
    foreignKeys: entries
      .filter(([, s]) => s.references)
      .map(([name, s]) => ({
        name: s.references!.name ?? `fk_${def.name}_${name}`,
        columns: [name],
        refTable: s.references!.table,
        refColumns: [s.references!.column],
        ...(s.references!.onDelete ? { onDelete: s.references!.onDelete } : {}),
      })),
    checks: [],
  };
}
