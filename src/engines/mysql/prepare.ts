import { FerryError } from '../../core/errors.js';
import type { ColumnSchema, NotCarried, TableSchema } from '../../core/schema.js';
import type { Value } from '../../core/values.js';
import { createTableSql, notCarriedDefaults } from '../sql/ddl.js';
import { quoteIdent as q } from './connect.js';
import type { MysqlDialect } from './dialect.js';
import type { ServerInfo } from './server.js';

/**
 * Refuses, before anything is created, what MySQL cannot create at all: decimals wider than decimal(65,30), names
 * ending with a space or holding characters outside the Basic Multilingual Plane, and foreign key (and, on MySQL,
 * check) names used twice, which MySQL scopes to the whole database.
 */
export function refuseUnsupported(tables: TableSchema[], server: ServerInfo): void {
  const problems: string[] = [];
  const badName = (what: string, name: string) => {
    if (/\s$/.test(name)) problems.push(`${what} "${name}" ends with a space`);
    if (/[\u{10000}-\u{10FFFF}]/u.test(name) || name.includes('\u0000'))
      problems.push(`${what} "${name}" holds a character MySQL names cannot (outside the BMP, or NUL)`);
  };
  const scoped = new Map<string, string>();
  const unique = (what: string, name: string, table: string) => {
    const k = `${what}\u0000${name.toLowerCase()}`;
    const first = scoped.get(k);
    if (first !== undefined) problems.push(`${what} name "${name}" is used by both ${first} and ${table}`);
    else scoped.set(k, table);
  };
  for (const t of tables) {
    badName('table', t.name);
    for (const c of t.columns) {
      badName(`column ${t.name}.`, c.name);
      const ty = c.type;
      if (ty.kind === 'decimal' && ty.precision !== undefined && (ty.precision > 65 || (ty.scale ?? 0) > 30)) {
        problems.push(`column ${t.name}.${c.name} is decimal(${ty.precision},${ty.scale ?? 0}), wider than MySQL's decimal(65,30)`);
      }
    }
    t.foreignKeys.forEach((f) => unique('foreign key', f.name, t.name));
    if (server.flavor === 'mysql') t.checks.forEach((c) => unique('check', c.name, t.name));
  }
  if (problems.length > 0) {
    throw new FerryError(
      'refused',
      `MySQL cannot create ${problems.length} thing(s) of this schema: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}`,
      {
        hint: 'rename or narrow them in the source (or in the app pack), or choose another target engine',
        details: { problems },
      },
    );
  }
}

/**
 * The column that becomes AUTO_INCREMENT: MySQL allows one per table, of an integer type. The other identity
 * columns keep their values but generate none (reported by {@link layoutNotes}).
 */
export function autoIncrementColumn(table: TableSchema): ColumnSchema | undefined {
  return table.columns.find((c) => c.identity && c.type.kind === 'integer');
}

/** CREATE TABLE for MySQL: the shared statement, an index for an AUTO_INCREMENT column outside the primary key's lead, and the table options. */
export function createTableStatement(d: MysqlDialect, table: TableSchema, collation: string): string {
  const auto = autoIncrementColumn(table);
  const bare: TableSchema = { ...table, columns: table.columns.map((c) => (c.identity && c !== auto ? { ...c, identity: false } : c)) };
  let sql = createTableSql(d, bare);
  // MySQL requires an AUTO_INCREMENT column to lead some index, and the other indexes come after the data.
  if (auto && table.primaryKey?.columns[0] !== auto.name) sql = `${sql.slice(0, -2)},\n  KEY ${q('_ferry_identity')} (${q(auto.name)})\n)`;
  return `${sql} ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation} ROW_FORMAT=DYNAMIC`;
}

/** What this target creates differently from the declared schema: defaults, narrowed or widened types, identities. */
export function layoutNotes(d: MysqlDialect, tables: TableSchema[]): NotCarried[] {
  const out: NotCarried[] = [];
  for (const t of tables) {
    out.push(...notCarriedDefaults(d, t));
    const auto = autoIncrementColumn(t);
    for (const c of t.columns) {
      const note = d.nativeColumn(c, t).note;
      if (note) out.push({ kind: 'type', table: t.name, name: c.name, reason: note });
      if (c.identity && c !== auto)
        out.push({
          kind: 'other',
          table: t.name,
          name: c.name,
          reason: 'MySQL allows one AUTO_INCREMENT integer column per table: this one keeps its values but generates none',
        });
    }
  }
  return out;
}

/**
 * Checks of values that MySQL would change without an error: decimals beyond decimal(65,30) in a column that had no
 * precision (rounded or refused). Each returns why the value cannot be written, or undefined. (Fractions of a second
 * past a column's digits are refused by conformance, for every target that rounds them.)
 */
export function valueChecks(d: MysqlDialect, table: TableSchema): { index: number; check: (v: Value) => string | undefined }[] {
  const out: { index: number; check: (v: Value) => string | undefined }[] = [];
  table.columns.forEach((c, index) => {
    const native = d.nativeColumn(c, table);
    const dec = native.decimal;
    if (dec) {
      out.push({
        index,
        check: (v) => {
          if (typeof v !== 'string') return undefined;
          const [whole = '', frac = ''] = v.replace(/^[+-]/, '').split('.');
          const ok = whole.replace(/^0+/, '').length <= dec.precision - dec.scale && frac.replace(/0+$/, '').length <= dec.scale;
          return ok ? undefined : `${v} does not fit ${native.sql}, MySQL's widest decimal`;
        },
      });
    }
  });
  return out;
}
