/**
 * The V4 schema ferry creates, compared with the reference's V4 DDL (reference §3.2): on SQLite declaration by
 * declaration (types, NOT NULL, defaults, keys, indexes, foreign keys), and on MySQL and PostgreSQL as ferry reads
 * both back (the same tables, columns, kinds of value, nullability, keys, indexes and foreign keys).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { TableSchema } from '../../src/core/schema.js';
import { openSource } from '../../src/ops/endpoints.js';
import { inShared, SHARED } from '../helpers/shared.js';
import type { End } from './v4-expectations.js';

const REFERENCE = join(SHARED, 'reference', 'cloudreve.md');

/** The reference's V4 SQLite DDL, loaded into a new SQLite file. */
function referenceDb(): { path: string; remove(): void } {
  const text = readFileSync(inShared(REFERENCE), 'utf8');
  const section = text.slice(text.indexOf('### 3.2 SQLite DDL'));
  const ddl = /```sql\n([\s\S]*?)```/.exec(section)![1]!;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-v4ref-'));
  const path = join(dir, 'v4-reference.db');
  const db = new Database(path);
  db.exec(ddl);
  db.close();
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An SQLite database's declarations, as SQLite itself reports them. */
function sqliteDeclarations(path: string): Record<string, unknown> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_ferry%'")
        .pluck()
        .all() as string[]
    ).sort();
    const normalDefault = (d: unknown) =>
      d === null
        ? null
        : String(d)
            .replace(/^false$/i, '0')
            .replace(/^true$/i, '1');
    return Object.fromEntries(
      tables.map((t) => [
        t,
        {
          columns: (
            db.pragma(`table_info("${t}")`) as { name: string; type: string; notnull: number; dflt_value: unknown; pk: number }[]
          ).map((c) => [c.name, c.type.toLowerCase(), c.notnull || c.pk ? 1 : 0, normalDefault(c.dflt_value), c.pk]),
          indexes: (db.pragma(`index_list("${t}")`) as { name: string; unique: number; origin: string }[])
            .filter((i) => i.origin === 'c')
            .map((i) => [i.name, i.unique, (db.pragma(`index_info("${i.name}")`) as { name: string }[]).map((c) => c.name)])
            .sort(),
          foreignKeys: (db.pragma(`foreign_key_list("${t}")`) as { table: string; from: string; to: string; on_delete: string }[])
            .map((f) => [f.from, f.table, f.to, f.on_delete])
            .sort(),
        },
      ]),
    );
  } finally {
    db.close();
  }
}

/** A table as ferry reads it, reduced to what every engine can be compared on. */
function portable(t: TableSchema) {
  // MySQL indexes every foreign key itself, under the constraint's name: that index is the engine's, not the schema's.
  const fkIndex = (i: { name: string; unique: boolean }) => !i.unique && t.foreignKeys.some((f) => f.name === i.name);
  return {
    // An enum is text with a rule on SQLite, and MySQL has no uuid type (ent and ferry both use char(36)).
    columns: t.columns.map((c) => [c.name, c.type.kind === 'enum' || c.type.kind === 'uuid' ? 'text' : c.type.kind, c.nullable]),
    primaryKey: t.primaryKey?.columns ?? [],
    indexes: [
      ...t.uniques.map((u) => [u.name, true, u.columns]),
      ...t.indexes.filter((i) => !fkIndex(i)).map((i) => [i.name, i.unique, i.columns]),
    ].sort(),
    foreignKeys: t.foreignKeys.map((f) => [f.columns, f.refTable, f.refColumns]).sort(),
  };
}

async function portableTables(url: string): Promise<Record<string, unknown>> {
  const reader = await openSource(url);
  try {
    const schema = await reader.readSchema();
    return Object.fromEntries(schema.tables.map((t) => [t.name, portable(t)]).sort());
  } finally {
    await reader.close();
  }
}

export async function assertReferenceSchema(end: End): Promise<void> {
  const ref = referenceDb();
  try {
    if (end.engine === 'sqlite') {
      assert.deepEqual(sqliteDeclarations(end.url.replace(/^sqlite:/, '')), sqliteDeclarations(ref.path));
    } else {
      assert.deepEqual(await portableTables(end.url), await portableTables(`sqlite:${ref.path}`));
    }
  } finally {
    ref.remove();
  }
}
