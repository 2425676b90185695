import { FerryError } from '../../core/errors.js';
import type { ColumnSchema, ForeignKeySchema, IndexSchema, NotCarried, TableSchema } from '../../core/schema.js';
import type { SqlDialect } from './dialect.js';

/**
 * The DDL for one table, split by phase: created bare before the data, finished after it (DESIGN.md "Data first,
 * then indexes, foreign keys and sequence/identity resets").
 */
export function createTableSql(d: SqlDialect, table: TableSchema, options: { withoutPrimaryKey?: boolean } = {}): string {
  const q = d.quote;
  const parts = table.columns.map((c) => columnSql(d, c, table));
  if (table.primaryKey && !options.withoutPrimaryKey) parts.push(primaryKeyClause(d, table.primaryKey));
  if (d.constraintsInCreateTable) {
    parts.push(...table.foreignKeys.map((fk) => foreignKeyClause(d, fk)));
    parts.push(...table.checks.map((c) => `CONSTRAINT ${q(c.name)} CHECK (${c.expression})`));
  }
  return `CREATE TABLE ${q(table.name)} (\n  ${parts.join(',\n  ')}\n)`;
}

/** `[CONSTRAINT name] PRIMARY KEY (…)`, in CREATE TABLE or in ALTER TABLE … ADD. */
export function primaryKeyClause(d: SqlDialect, key: NonNullable<TableSchema['primaryKey']>): string {
  return `${key.name ? `CONSTRAINT ${d.quote(key.name)} ` : ''}PRIMARY KEY (${key.columns.map(d.quote).join(', ')})`;
}

function columnSql(d: SqlDialect, column: ColumnSchema, table: TableSchema): string {
  // A declared type (an app pack matching its application's DDL) replaces ferry's choice, except for an identity
  // column, whose type is what makes it generate values on some engines (SQLite's rowid alias).
  const declared = column.identity ? undefined : column.declared?.[d.engine as 'sqlite' | 'postgres' | 'mysql'];
  let sql = `${d.quote(column.name)} ${declared ?? d.columnType(column, table)}`;
  if (column.identity && d.identityClause) sql += ` ${d.identityClause}`;
  if (!column.nullable) sql += ' NOT NULL';
  const def = defaultSql(d, column);
  if (def !== undefined) sql += ` DEFAULT ${def}`;
  return sql;
}

/** The default clause's expression, or undefined when there is none or it cannot be carried (see notCarriedDefaults). */
export function defaultSql(d: SqlDialect, column: ColumnSchema): string | undefined {
  const def = column.default;
  if (!def || column.identity || !d.canHaveDefault(column)) return undefined;
  switch (def.kind) {
    case 'literal':
      return d.literal(def.value, column);
    case 'expression':
      return d.expressionDefault(def.name, column);
    case 'raw':
      return def.engine === d.engine ? def.sql : undefined;
  }
}

/** Defaults that this target will not carry, to be listed in the summary. */
export function notCarriedDefaults(d: SqlDialect, table: TableSchema): NotCarried[] {
  return table.columns
    .filter((c) => c.default && !c.identity && defaultSql(d, c) === undefined)
    .map((c) => ({
      kind: 'default' as const,
      table: table.name,
      name: c.name,
      reason:
        c.default?.kind === 'raw'
          ? `default ${c.default.sql} is ${c.default.engine}-specific SQL`
          : `this engine cannot give a ${c.type.kind} column a default`,
    }));
}

/**
 * Statements run after a table's data: unique constraints and indexes. Names in `existing` are skipped, so that a
 * resumed run can finish what an interrupted one started.
 */
export function indexSql(d: SqlDialect, table: TableSchema, existing: ReadonlySet<string> = new Set()): string[] {
  const q = d.quote;
  const t = q(table.name);
  const out: string[] = [];
  for (const u of table.uniques) {
    if (existing.has(u.name)) continue;
    out.push(
      d.uniqueAsIndex
        ? createIndex(d, table, u, true)
        : `ALTER TABLE ${t} ADD CONSTRAINT ${q(u.name)} UNIQUE (${u.columns.map(q).join(', ')})`,
    );
  }
  for (const i of table.indexes) if (!existing.has(i.name)) out.push(createIndex(d, table, i, i.unique));
  return out;
}

function createIndex(d: SqlDialect, table: TableSchema, index: IndexSchema, unique: boolean): string {
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${d.quote(index.name)} ON ${d.quote(table.name)} (${index.columns.map(d.quote).join(', ')})`;
}

/**
 * Statements run after all tables are loaded: foreign keys and checks (engines that can add them later). Names in
 * `existing` are skipped, as for indexSql.
 */
export function constraintSql(d: SqlDialect, table: TableSchema, existing: ReadonlySet<string> = new Set()): string[] {
  if (d.constraintsInCreateTable) return [];
  const t = d.quote(table.name);
  return [
    ...table.foreignKeys.filter((fk) => !existing.has(fk.name)).map((fk) => `ALTER TABLE ${t} ADD ${foreignKeyClause(d, fk)}`),
    ...table.checks
      .filter((c) => !existing.has(c.name))
      .map((c) => `ALTER TABLE ${t} ADD CONSTRAINT ${d.quote(c.name)} CHECK (${c.expression})`),
  ];
}

function foreignKeyClause(d: SqlDialect, fk: ForeignKeySchema): string {
  const q = d.quote;
  let sql = `CONSTRAINT ${q(fk.name)} FOREIGN KEY (${fk.columns.map(q).join(', ')}) REFERENCES ${q(fk.refTable)} (${fk.refColumns.map(q).join(', ')})`;
  if (fk.onDelete && fk.onDelete !== 'no action') sql += ` ON DELETE ${fk.onDelete.toUpperCase()}`;
  if (fk.onUpdate && fk.onUpdate !== 'no action') sql += ` ON UPDATE ${fk.onUpdate.toUpperCase()}`;
  return sql;
}

/**
 * Refuses names the target cannot hold, before anything is created: one clear error listing each of them.
 * Index names are also checked for collisions where the engine scopes them to the schema.
 */
export function checkIdentifiers(d: SqlDialect, tables: TableSchema[]): void {
  const tooLong: string[] = [];
  const check = (what: string, name: string) => {
    const length = d.identifierLengthUnit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
    if (length > d.maxIdentifierLength) tooLong.push(`${what} "${name}"`);
  };
  for (const t of tables) {
    check('table', t.name);
    t.columns.forEach((c) => check(`column ${t.name}.`, c.name));
    [...t.indexes, ...t.uniques].forEach((i) => check(`index on ${t.name}`, i.name));
    t.foreignKeys.forEach((f) => check(`foreign key on ${t.name}`, f.name));
    t.checks.forEach((c) => check(`check on ${t.name}`, c.name));
    if (t.primaryKey?.name) check(`primary key of ${t.name}`, t.primaryKey.name);
  }
  if (tooLong.length > 0) {
    throw new FerryError(
      'refused',
      `${tooLong.length} name(s) are longer than the ${d.maxIdentifierLength} ${d.identifierLengthUnit} ${d.engine} allows: ${tooLong.slice(0, 5).join(', ')}${tooLong.length > 5 ? ', …' : ''}`,
      { hint: 'rename them in the source, or choose a target engine with longer names', details: { names: tooLong } },
    );
  }
}

/** The SELECT of one keyset page: rows after `after` (if given) in key order, at most `limit`. */
export function keysetSelectSql(
  d: SqlDialect,
  table: TableSchema,
  selectList: string,
  keyColumns: string[],
  hasAfter: boolean,
  limit: number,
): string {
  const q = d.quote;
  const keys = keyColumns.map(q);
  const where = hasAfter ? ` WHERE (${keys.join(', ')}) > (${keyColumns.map((_, i) => d.placeholder(i)).join(', ')})` : '';
  return `SELECT ${selectList} FROM ${q(table.name)}${where} ORDER BY ${keys.join(', ')} LIMIT ${limit}`;
}
