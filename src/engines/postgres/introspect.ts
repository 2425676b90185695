import type pg from 'pg';
import type { ColumnSchema, ForeignKeySchema, NotCarried, ReferentialAction, Schema, TableSchema } from '../../core/schema.js';
import { parseDefaultSql } from '../sql/defaults.js';
import { CATALOG_SQL, type ColumnRow, type ConstraintRow, type IndexRow, type RelationRow } from './catalog.js';
import { portableFromPg } from './types.js';

/** ferry's own bookkeeping in a target (see write.ts); never part of a dataset. */
export const CHECKPOINT_TABLE = '_ferry_checkpoint';

/** How to read one table, beyond its portable schema. */
export interface TableReading {
  /** `FROM ONLY`: rows of tables that inherit from this one are read with those tables, not twice. */
  only: boolean;
  /** Columns of non-portable types, selected as `::text` so that their exact text form is carried. */
  asText: Set<string>;
}

export interface Introspection {
  schema: Schema;
  reading: Map<string, TableReading>;
}

const ACTIONS: Record<string, ReferentialAction> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/**
 * Reads the portable schema of one PostgreSQL schema from pg_catalog: tables with their columns, keys, indexes,
 * foreign keys and checks, keeping every name exactly; and everything it sees but does not carry (views,
 * triggers, routines, free sequences, extensions, non-portable types and indexes), so that nothing is silent.
 */
export async function introspectPg(
  client: pg.Client,
  schemaName: string,
  include: (name: string) => boolean = () => true,
): Promise<Introspection> {
  const notCarried: NotCarried[] = [];
  const relations = (await client.query<RelationRow>(CATALOG_SQL.relations, [schemaName])).rows;
  const tables = relations.filter(
    (r) => (r.kind === 'r' || r.kind === 'p') && !r.partition && r.name !== CHECKPOINT_TABLE && include(r.name),
  );
  for (const r of relations) {
    if (r.kind === 'v' || r.kind === 'm') {
      const what = r.kind === 'v' ? 'views' : 'materialized views';
      notCarried.push({ kind: 'view', name: r.name, reason: `${what} are not carried; recreate them on the target` });
    } else if (r.kind === 'S' && !r.owned) {
      notCarried.push({ kind: 'sequence', name: r.name, reason: 'a sequence not owned by a column is not carried' });
    } else if (r.kind === 'f') {
      notCarried.push({ kind: 'other', name: r.name, reason: 'foreign tables are not carried' });
    } else if (r.partition && include(r.name)) {
      notCarried.push({ kind: 'other', name: r.name, reason: `partition of ${r.parent}: its rows are carried in ${r.parent}` });
    } else if (r.kind === 'r' && r.parent && include(r.name)) {
      notCarried.push({ kind: 'other', name: r.name, reason: `inherits from ${r.parent}: carried as a separate table` });
    }
  }
  const oids = tables.map((t) => t.oid);
  // One after the other: a pg client runs one query at a time.
  const columns = await client.query<ColumnRow>(CATALOG_SQL.columns, [oids]);
  const enums = await client.query<{ typid: number; label: string }>(CATALOG_SQL.enums, [oids]);
  const constraints = await client.query<ConstraintRow>(CATALOG_SQL.constraints, [oids]);
  const indexes = await client.query<IndexRow>(CATALOG_SQL.indexes, [oids]);
  const triggers = await client.query<{ name: string; table: string }>(CATALOG_SQL.triggers, [oids]);
  const routines = await client.query<{ name: string }>(CATALOG_SQL.routines, [schemaName]);
  const extensions = await client.query<{ name: string }>(CATALOG_SQL.extensions);
  notCarried.push(
    ...triggers.rows.map((t) => ({ kind: 'trigger' as const, name: t.name, table: t.table, reason: 'triggers are engine-specific code' })),
    ...routines.rows.map((r) => ({ kind: 'routine' as const, name: r.name, reason: 'functions and procedures are engine-specific code' })),
    ...extensions.rows.map((e) => ({
      kind: 'other' as const,
      name: e.name,
      reason: 'extensions are not carried; install on the target what it needs',
    })),
  );

  const labels = new Map<number, string[]>();
  for (const e of enums.rows) labels.set(e.typid, [...(labels.get(e.typid) ?? []), e.label]);
  const reading = new Map<string, TableReading>();
  const result: TableSchema[] = [];
  for (const rel of tables) {
    const asText = new Set<string>();
    const cols = columns.rows.filter((c) => c.rel === rel.oid).map((c) => readColumn(rel.name, c, labels, asText, notCarried));
    const cons = constraints.rows.filter((c) => c.rel === rel.oid);
    const pk = cons.find((c) => c.type === 'p');
    const table: TableSchema = {
      name: rel.name,
      columns: cols,
      ...(pk ? { primaryKey: { name: pk.name, columns: pk.columns } } : {}),
      uniques: cons.filter((c) => c.type === 'u').map((c) => ({ name: c.name, columns: c.columns, unique: true })),
      indexes: [],
      foreignKeys: [],
      checks: cons.filter((c) => c.type === 'c').map((c) => ({ name: c.name, expression: c.check! })),
    };
    for (const c of cons) {
      if (c.type === 'f') {
        const fk = foreignKey(c, schemaName);
        const outside = `references ${c.ref_schema}.${c.ref_table}, outside the schema`;
        if (fk) table.foreignKeys.push(fk);
        else notCarried.push({ kind: 'other', table: rel.name, name: c.name, reason: outside });
      }
      if (c.type === 'x') {
        notCarried.push({ kind: 'index', table: rel.name, name: c.name, reason: 'exclusion constraints are PostgreSQL-specific' });
      }
    }
    for (const i of indexes.rows.filter((x) => x.rel === rel.oid)) {
      const why = i.expr ? 'expression index' : i.partial ? 'partial index' : i.method !== 'btree' ? `${i.method} index` : undefined;
      if (why) notCarried.push({ kind: 'index', table: rel.name, name: i.name, reason: `${why}: not carried` });
      else table.indexes.push({ name: i.name, columns: i.columns, unique: i.unique });
    }
    result.push(table);
    reading.set(rel.name, { only: rel.kind !== 'p', asText });
  }
  return { schema: { tables: result, notCarried }, reading };
}

function readColumn(
  table: string,
  c: ColumnRow,
  labels: Map<number, string[]>,
  asText: Set<string>,
  notCarried: NotCarried[],
): ColumnSchema {
  const mapping = portableFromPg({
    typname: c.typname,
    typtype: c.typtype,
    typmod: c.typmod,
    formatted: c.formatted,
    enumValues: labels.get(c.typid),
  });
  const column: ColumnSchema = { name: c.name, type: mapping.type, nullable: !c.notnull, nativeType: c.formatted };
  if ('notPortable' in mapping) {
    asText.add(c.name);
    notCarried.push({ kind: 'type', table, name: c.name, reason: mapping.notPortable });
  }
  const isInteger = column.type.kind === 'integer';
  if (c.identity !== '' || (isInteger && /^nextval\(/i.test(c.default ?? ''))) {
    // GENERATED … AS IDENTITY, or the default of a serial column: the target generates the values after the load.
    column.identity = true;
  } else if (c.generated !== '') {
    notCarried.push({
      kind: 'default',
      table,
      name: c.name,
      reason: `generated column (${c.default}): its values are carried, not the expression`,
    });
  } else {
    const def = parseDefaultSql(c.default, 'postgres');
    if (def) column.default = def;
  }
  return column;
}

function foreignKey(c: ConstraintRow, schemaName: string): ForeignKeySchema | undefined {
  if (c.ref_schema !== schemaName || !c.ref_table) return undefined;
  return {
    name: c.name,
    columns: c.columns,
    refTable: c.ref_table,
    refColumns: c.ref_columns ?? [],
    onDelete: ACTIONS[c.on_delete ?? 'a'],
    onUpdate: ACTIONS[c.on_update ?? 'a'],
  };
}
