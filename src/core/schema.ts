import type { PortableType } from './types.js';

/**
 * A column default in portable form. `literal` holds a portable value (see values.ts); `expression` names a
 * portable expression every engine can spell; anything else is carried only to an engine of the same kind
 * (`raw`) and otherwise reported as not carried.
 */
export type ColumnDefault =
  | { kind: 'literal'; value: string | number | boolean | null }
  | { kind: 'expression'; name: 'current_timestamp' | 'current_date' | 'current_time' }
  | { kind: 'raw'; engine: string; sql: string };

export interface ColumnSchema {
  name: string;
  type: PortableType;
  nullable: boolean;
  default?: ColumnDefault;
  /** An auto-increment / identity column: the target generates values and its next value is set after the load. */
  identity?: boolean;
  /** The type as the source engine spelled it, kept for messages and inspect. */
  nativeType?: string;
  /**
   * The type to declare when ferry creates this column on an engine, instead of its own choice: for an app pack
   * whose target must match the application's own DDL. It must read back as the same portable type.
   */
  declared?: Partial<Record<'sqlite' | 'postgres' | 'mysql', string>>;
}

export interface IndexSchema {
  name: string;
  columns: string[];
  unique: boolean;
}

export interface ForeignKeySchema {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
}

export type ReferentialAction = 'cascade' | 'set null' | 'set default' | 'restrict' | 'no action';

export interface CheckSchema {
  name: string;
  /** The expression in the source engine's SQL; carried only when every engine reads it the same way. */
  expression: string;
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  primaryKey?: { name?: string; columns: string[] };
  /** Unique constraints (as opposed to unique indexes): kept as constraints where the engine has them. */
  uniques: IndexSchema[];
  indexes: IndexSchema[];
  foreignKeys: ForeignKeySchema[];
  checks: CheckSchema[];
}

/** Something in the source that ferry does not carry (a view, a trigger, a default it cannot translate…). */
export interface NotCarried {
  kind: 'view' | 'trigger' | 'routine' | 'sequence' | 'default' | 'check' | 'index' | 'type' | 'other';
  name: string;
  table?: string;
  reason: string;
}

export interface Schema {
  tables: TableSchema[];
  notCarried: NotCarried[];
}

export function findTable(schema: Schema, name: string): TableSchema | undefined {
  return schema.tables.find((t) => t.name === name);
}

/**
 * The columns rows are ordered and resumed by: the primary key, else the first unique constraint or index whose
 * columns are all NOT NULL. Undefined when the table has none (the engine then falls back to its row id, if any).
 */
export function keyColumns(table: TableSchema): string[] | undefined {
  if (table.primaryKey && table.primaryKey.columns.length > 0) return table.primaryKey.columns;
  const notNull = (cols: string[]) => cols.every((c) => table.columns.find((col) => col.name === c)?.nullable === false);
  const unique = [...table.uniques, ...table.indexes.filter((i) => i.unique)].find((u) => notNull(u.columns));
  return unique?.columns;
}

/**
 * Orders tables so that every table comes after the tables its foreign keys point to (where the graph allows;
 * cycles keep their input order). Foreign keys are created after the data, so this is only for readability
 * and for engines that check references as rows arrive.
 */
export function orderByDependencies(tables: TableSchema[]): TableSchema[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableSchema[] = [];
  const visit = (t: TableSchema) => {
    if (done.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const fk of t.foreignKeys) {
      const ref = byName.get(fk.refTable);
      if (ref && ref !== t) visit(ref);
    }
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  tables.forEach(visit);
  return out;
}
