import type Database from 'better-sqlite3';
import type { ColumnSchema, ForeignKeySchema, IndexSchema, NotCarried, ReferentialAction, Schema, TableSchema } from '../../core/schema.js';
import { parseDefaultSql } from '../sql/defaults.js';
import { parseCreateTable } from './parse-create.js';
import { portableFromDeclared, quoteSqlite as q } from './types.js';

interface MasterRow {
  type: string;
  name: string;
  tbl_name: string;
  sql: string | null;
}
interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}
interface IndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}
interface IndexColumnRow {
  seqno: number;
  cid: number;
  name: string | null;
  key: number;
}
interface ForeignKeyRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
}

/** Reads the portable schema of an SQLite database from sqlite_master and the table PRAGMAs. */
export function introspectSqlite(db: Database.Database, include: (name: string) => boolean = () => true): Schema {
  const master = db
    .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid")
    .all() as MasterRow[];
  const notCarried: NotCarried[] = [];
  const tables: TableSchema[] = [];
  for (const row of master) {
    if (row.type === 'view')
      notCarried.push({ kind: 'view', name: row.name, reason: 'views are not carried; recreate them on the target' });
    if (row.type === 'trigger' && include(row.tbl_name)) {
      notCarried.push({ kind: 'trigger', name: row.name, table: row.tbl_name, reason: 'triggers are engine-specific code' });
    }
    if (row.type === 'table' && include(row.name)) {
      if (/\bVIRTUAL\s+TABLE\b/i.test(row.sql ?? '')) {
        notCarried.push({ kind: 'other', name: row.name, reason: 'virtual tables (FTS, R*Tree…) are not carried' });
        continue;
      }
      tables.push(readTable(db, row.name, row.sql ?? '', notCarried));
    }
  }
  return { tables, notCarried };
}

function readTable(db: Database.Database, name: string, createSql: string, notCarried: NotCarried[]): TableSchema {
  const facts = parseCreateTable(createSql);
  const columnRows = (db.prepare(`PRAGMA table_xinfo(${q(name)})`).all() as ColumnRow[]).filter((c) => {
    if (c.hidden === 0) return true;
    if (c.hidden === 2 || c.hidden === 3) {
      notCarried.push({ kind: 'other', table: name, name: c.name, reason: 'generated columns are not carried' });
    }
    return false;
  });
  const pkColumns = columnRows
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(createSql);
  const columns: ColumnSchema[] = columnRows.map((c) => {
    // A sole INTEGER primary key is the rowid: SQLite generates its values, which is what identity means.
    const identity = !withoutRowid && pkColumns.length === 1 && pkColumns[0] === c.name && c.type.toUpperCase() === 'INTEGER';
    const column: ColumnSchema = {
      name: c.name,
      type: portableFromDeclared(c.type),
      nullable: c.notnull === 0 && !identity,
      nativeType: c.type,
    };
    const def = parseDefaultSql(c.dflt_value, 'sqlite');
    if (def) column.default = def;
    if (identity) column.identity = true;
    return column;
  });

  const uniques: IndexSchema[] = [];
  const indexes: IndexSchema[] = [];
  for (const idx of db.prepare(`PRAGMA index_list(${q(name)})`).all() as IndexRow[]) {
    if (idx.origin === 'pk') continue;
    const cols = (db.prepare(`PRAGMA index_xinfo(${q(idx.name)})`).all() as IndexColumnRow[]).filter((c) => c.key === 1);
    if (idx.partial || cols.some((c) => c.cid < 0 || c.name === null)) {
      notCarried.push({ kind: 'index', table: name, name: idx.name, reason: 'partial and expression indexes are not carried' });
      continue;
    }
    const columnsOf = cols.sort((a, b) => a.seqno - b.seqno).map((c) => c.name!);
    if (idx.origin === 'u') {
      // Unique constraints have generated index names in SQLite; give them a stable, readable one.
      uniques.push({ name: `${name}_${columnsOf.join('_')}_key`, columns: columnsOf, unique: true });
    } else {
      indexes.push({ name: idx.name, columns: columnsOf, unique: idx.unique === 1 });
    }
  }

  const fkRows = db.prepare(`PRAGMA foreign_key_list(${q(name)})`).all() as ForeignKeyRow[];
  const foreignKeys: ForeignKeySchema[] = [];
  for (const id of [...new Set(fkRows.map((r) => r.id))]) {
    const parts = fkRows.filter((r) => r.id === id).sort((a, b) => a.seq - b.seq);
    const first = parts[0]!;
    const columns = parts.map((p) => p.from);
    const refColumns = parts.every((p) => p.to !== null) ? parts.map((p) => p.to!) : primaryKeyOf(db, first.table);
    foreignKeys.push({
      name: facts.foreignKeyNames.get(columns.join(',')) ?? `fk_${name}_${columns.join('_')}`,
      columns,
      refTable: first.table,
      refColumns,
      onDelete: action(first.on_delete),
      onUpdate: action(first.on_update),
    });
  }

  const enumLike = new Set(columns.filter((c) => c.type.kind === 'enum').map((c) => c.name));
  return {
    name,
    columns,
    primaryKey: pkColumns.length > 0 ? { name: facts.primaryKeyName, columns: pkColumns } : undefined,
    uniques,
    indexes,
    foreignKeys: foreignKeys.reverse(),
    checks: facts.checks
      .filter((c) => !enumLike.has(c.expression))
      .map((c, i) => ({ name: c.name ?? `${name}_check${i > 0 ? i + 1 : ''}`, expression: c.expression })),
  };
}

function primaryKeyOf(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${q(table)})`).all() as ColumnRow[])
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
}

function action(sqliteAction: string): ReferentialAction | undefined {
  const a = sqliteAction.toLowerCase();
  return a === 'cascade' || a === 'set null' || a === 'set default' || a === 'restrict' ? a : undefined;
}
