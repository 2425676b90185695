import type mysql from 'mysql2/promise';
import type { ColumnSchema, NotCarried, ReferentialAction, Schema, TableSchema } from '../../core/schema.js';
import { parseMysqlDefault, portableCheckText } from './catalog-text.js';
import type { ServerInfo } from './server.js';
import { portableFromMysql } from './types.js';

type Cell = string | number | null;

/** ferry's own table in a target (see write.ts): never part of the data a reader offers. */
export const CHECKPOINT_TABLE = '_ferry_checkpoint';

/**
 * Reads the schema of the connection's database from information_schema: base tables with their columns, keys,
 * indexes, foreign keys and checks, in the source's exact names. Views, triggers, routines, events, sequences and
 * whatever else cannot be carried are listed in `notCarried` with the reason.
 */
export async function introspectMysql(conn: mysql.Connection, server: ServerInfo, filter?: (name: string) => boolean): Promise<Schema> {
  const q = async (sql: string): Promise<Cell[][]> => (await conn.query({ sql, rowsAsArray: true }))[0] as Cell[][];
  const keep = (name: string) => !filter || filter(name);
  const notCarried: NotCarried[] = [];
  const tables = new Map<string, TableSchema>();

  for (const [name, type, engine] of await q(
    'SELECT TABLE_NAME, TABLE_TYPE, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
  )) {
    const n = String(name);
    if (n === CHECKPOINT_TABLE) continue;
    if (type === 'VIEW') notCarried.push({ kind: 'view', name: n, reason: 'views are not carried' });
    else if (type === 'SEQUENCE') notCarried.push({ kind: 'sequence', name: n, reason: 'MariaDB sequences are not carried' });
    else if (keep(n)) {
      tables.set(n, { name: n, columns: [], uniques: [], indexes: [], foreignKeys: [], checks: [] });
      if (type === 'SYSTEM VERSIONED')
        notCarried.push({ kind: 'other', name: n, table: n, reason: 'the history rows of a system-versioned table are not carried' });
      if (engine && engine !== 'InnoDB') {
        notCarried.push({
          kind: 'other',
          name: n,
          table: n,
          reason: `${engine} table: not transactional, so it is read outside the consistent snapshot`,
        });
      }
    }
  }

  const columnsSql =
    'SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION ' +
    'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION';
  const jsonChecks = new Set<string>();
  const checks = await readChecks(q, server);
  for (const [tableName, colName, dataType, columnType, nullable, def, extra, generation] of await q(columnsSql)) {
    const table = tables.get(String(tableName));
    if (!table) continue;
    const name = String(colName);
    const mapping = portableFromMysql(String(dataType), String(columnType));
    // MariaDB's JSON is LONGTEXT with CHECK (json_valid(col)); the check is the type, not a constraint to carry.
    const jsonCheck = checks.find((c) => c.table === table.name && c.expression === `json_valid(${dq(name)})`);
    if (jsonCheck && /text$/i.test(String(dataType))) {
      mapping.type = { kind: 'json' };
      jsonChecks.add(`${table.name}\u0000${jsonCheck.name}`);
    }
    const ex = String(extra ?? '');
    const column: ColumnSchema = {
      name,
      type: mapping.type,
      nullable: nullable === 'YES',
      nativeType: String(columnType),
    };
    const generated = /\b(VIRTUAL|STORED|PERSISTENT)\b/i.test(ex);
    const parsed = generated ? undefined : parseMysqlDefault(def === null ? null : String(def), ex, mapping.type, server);
    if (parsed) column.default = parsed;
    if (/auto_increment/i.test(ex)) column.identity = true;
    table.columns.push(column);
    if (mapping.note) notCarried.push({ kind: 'type', table: table.name, name, reason: mapping.note });
    if (generated)
      notCarried.push({
        kind: 'other',
        table: table.name,
        name,
        reason: `generated column (${generation}) is carried as a plain column holding its values`,
      });
    if (/on update/i.test(ex))
      notCarried.push({ kind: 'default', table: table.name, name, reason: `${ex.replace(/^.*?(on update)/i, '$1')} is not carried` });
  }

  await readIndexes(q, tables, notCarried);
  await readForeignKeys(q, tables, notCarried);
  for (const c of checks) {
    const table = tables.get(c.table);
    if (!table || jsonChecks.has(`${c.table}\u0000${c.name}`)) continue;
    if (c.enforced) table.checks.push({ name: c.name, expression: c.expression });
    else
      notCarried.push({
        kind: 'check',
        table: c.table,
        name: c.name,
        reason: 'the check is NOT ENFORCED in the source, so its rows may not satisfy it',
      });
  }

  const triggerSql = 'SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()';
  for (const [name, table] of await q(triggerSql)) {
    if (keep(String(table)))
      notCarried.push({ kind: 'trigger', name: String(name), table: String(table), reason: 'triggers are not carried' });
  }
  for (const [name, type] of await q(
    'SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()',
  )) {
    notCarried.push({ kind: 'routine', name: String(name), reason: `${String(type).toLowerCase()}s are not carried` });
  }
  for (const [name] of await q('SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()')) {
    notCarried.push({ kind: 'other', name: String(name), reason: 'scheduled events are not carried' });
  }
  const ordered = [...tables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tables: ordered, notCarried };
}

type Query = (sql: string) => Promise<Cell[][]>;

/** Primary key, unique constraints (every unique index is one in MySQL) and plain indexes, with their names. */
async function readIndexes(q: Query, tables: Map<string, TableSchema>, notCarried: NotCarried[]): Promise<void> {
  const sql =
    'SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE FROM information_schema.STATISTICS ' +
    'WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX';
  const byIndex = new Map<string, { table: TableSchema; name: string; unique: boolean; columns: string[]; problem?: string }>();
  for (const [tableName, indexName, nonUnique, column, subPart, indexType] of await q(sql)) {
    const table = tables.get(String(tableName));
    if (!table) continue;
    const key = `${table.name}\u0000${indexName}`;
    let index = byIndex.get(key);
    if (!index) {
      index = { table, name: String(indexName), unique: Number(nonUnique) === 0, columns: [] };
      byIndex.set(key, index);
    }
    if (column === null) index.problem = 'a functional index is not carried';
    else if (subPart !== null) index.problem = `a prefix index (first ${subPart} characters of ${column}) is not carried`;
    else if (indexType === 'FULLTEXT' || indexType === 'SPATIAL')
      index.problem = `a ${String(indexType).toLowerCase()} index is not carried`;
    index.columns.push(String(column));
  }
  for (const index of byIndex.values()) {
    const { table, name, unique, columns, problem } = index;
    if (name === 'PRIMARY') table.primaryKey = { columns };
    else if (problem) notCarried.push({ kind: 'index', table: table.name, name, reason: problem });
    else if (unique) table.uniques.push({ name, columns, unique: true });
    else table.indexes.push({ name, columns, unique: false });
  }
}

async function readForeignKeys(q: Query, tables: Map<string, TableSchema>, notCarried: NotCarried[]): Promise<void> {
  const sql =
    'SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA = k.TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, ' +
    'k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE FROM information_schema.KEY_COLUMN_USAGE k ' +
    'JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA ' +
    'AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME ' +
    'WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL ' +
    'ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION';
  const elsewhere = new Set<string>();
  for (const [tableName, name, column, sameSchema, refTable, refColumn, onDelete, onUpdate] of await q(sql)) {
    const table = tables.get(String(tableName));
    if (!table || elsewhere.has(`${tableName}\u0000${name}`)) continue;
    let fk = table.foreignKeys.find((f) => f.name === name);
    if (!fk) {
      if (Number(sameSchema) !== 1) {
        elsewhere.add(`${tableName}\u0000${name}`);
        notCarried.push({
          kind: 'other',
          table: table.name,
          name: String(name),
          reason: `the foreign key references ${refTable} in another database`,
        });
        continue;
      }
      fk = {
        name: String(name),
        columns: [],
        refTable: String(refTable),
        refColumns: [],
        onDelete: action(onDelete),
        onUpdate: action(onUpdate),
      };
      table.foreignKeys.push(fk);
    }
    fk.columns.push(String(column));
    fk.refColumns.push(String(refColumn));
  }
}

function action(rule: Cell | undefined): ReferentialAction {
  const r = String(rule ?? 'NO ACTION').toLowerCase();
  return (['cascade', 'set null', 'set default', 'restrict', 'no action'] as const).find((a) => a === r) ?? 'no action';
}

interface CheckRow {
  table: string;
  name: string;
  expression: string;
  enforced: boolean;
}

/**
 * CHECK constraints. MariaDB lists them by table (names are per table); MySQL 8.0.16+ by schema, joined to
 * TABLE_CONSTRAINTS for the table and whether they are enforced. Older servers have no CHECK_CONSTRAINTS.
 */
async function readChecks(q: Query, server: ServerInfo): Promise<CheckRow[]> {
  const sql =
    server.flavor === 'mariadb'
      ? "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, 'YES' FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
      : 'SELECT tc.TABLE_NAME, cc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, tc.ENFORCED FROM information_schema.TABLE_CONSTRAINTS tc ' +
        'JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME ' +
        "WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'";
  let rows: Cell[][];
  try {
    rows = await q(sql);
  } catch (e) {
    if ((e as { errno?: number }).errno === 1109 || (e as { errno?: number }).errno === 1146) return []; // unknown table: no checks before MySQL 8.0.16
    throw e;
  }
  return rows.map(([table, name, clause, enforced]) => ({
    table: String(table),
    name: String(name),
    expression: portableCheckText(String(clause), server),
    enforced: enforced !== 'NO',
  }));
}

function dq(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
