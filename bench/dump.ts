/**
 * The engines' own backup tools, which `ferry backup` and `ferry restore` are measured against: each dumps a whole
 * database into one compressed file, as a user keeps a backup, and loads that file into a new, empty database of
 * the same engine. One declaration per tool; the first tool of an engine is the reference the ratio is taken
 * against (the one issue #4 names), the others are printed beside it.
 *
 * The dumps are compressed by gzip at its default level (6), as a user pipes them; ferry's data files are gzip
 * streams too (level 5), so the sizes compare. SQLite's `.dump` names the bench's tables and their indexes: an
 * unnamed `.dump` also writes the `sqlite_stat4` statistics of the generating library, which the sqlite3 shell of
 * some systems cannot load back (and which are not data: ferry does not back them up either).
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { TABLES } from './dataset.js';
import { measurePipeline, type Measured } from './measure.js';
import { mysqlClient } from './native.js';
import type { ScratchDb } from './servers.js';

export type BackupEngine = 'sqlite' | 'postgres' | 'mysql';

/** A database of any bench engine: a server's scratch database, or an SQLite file. */
export type BenchDb = ScratchDb | { engine: 'sqlite'; name: string; url: string; path: string };

export interface DumpTool {
  /** The backup command as the report names it (`pg_dump | gzip`). */
  name: string;
  /** The restore command as the report names it. */
  restoreName: string;
  /** The backup file's extension. */
  extension: string;
  dump(source: BenchDb, file: string): Promise<Measured>;
  /** Loads the file into `target`, which exists and is empty (an SQLite target's file does not exist yet). */
  restore(file: string, target: BenchDb): Promise<Measured>;
}

const gunzip = (file: string) => ['gunzip', '-c', file];

/** `.dump`'s arguments match the names of tables and of indexes. */
const DUMPED = TABLES.flatMap((t) => [t.name, t.index.name]);

const SQLITE_DUMP: DumpTool = {
  name: 'sqlite3 .dump | gzip',
  restoreName: 'gunzip | sqlite3',
  extension: '.sql.gz',
  dump: (source, file) =>
    measurePipeline([['sqlite3', '-readonly', '-bail', sqlite(source).path, `.dump ${DUMPED.join(' ')}`], ['gzip']], {}, file),
  restore: (file, target) => measurePipeline([gunzip(file), ['sqlite3', '-bail', sqlite(target).path]]),
};

const PG_DUMP_GZIP: DumpTool = {
  name: 'pg_dump | gzip',
  restoreName: 'gunzip | psql',
  extension: '.sql.gz',
  dump: (source, file) => measurePipeline([['pg_dump', '-d', source.url], ['gzip']], {}, file),
  restore: (file, target) => measurePipeline([gunzip(file), ['psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target.url]]),
};

/** PostgreSQL's custom format: compressed by pg_dump itself (zlib, level 6 by default), restored by pg_restore. */
const PG_DUMP_CUSTOM: DumpTool = {
  name: 'pg_dump -Fc',
  restoreName: 'pg_restore',
  extension: '.dump',
  dump: (source, file) => measurePipeline([['pg_dump', '-Fc', '-d', source.url, '-f', file]]),
  restore: (file, target) => measurePipeline([['pg_restore', '--exit-on-error', '-d', target.url, file]]),
};

const MYSQLDUMP: DumpTool = {
  name: 'mysqldump --single-transaction | gzip',
  restoreName: 'gunzip | mysql',
  extension: '.sql.gz',
  dump: (source, file) => {
    const { args, env } = mysqlClient(server(source));
    return measurePipeline([['mysqldump', '--single-transaction', ...args], ['gzip']], env, file);
  },
  restore: (file, target) => {
    const { args, env } = mysqlClient(server(target));
    return measurePipeline([gunzip(file), ['mysql', ...args]], env);
  },
};

/** The tools of each engine, the reference first. */
export const DUMP_TOOLS: Record<BackupEngine, DumpTool[]> = {
  sqlite: [SQLITE_DUMP],
  postgres: [PG_DUMP_GZIP, PG_DUMP_CUSTOM],
  mysql: [MYSQLDUMP],
};

function sqlite(db: BenchDb): Extract<BenchDb, { engine: 'sqlite' }> {
  if (db.engine !== 'sqlite') throw new Error(`${db.name} is not an SQLite database`);
  return db;
}

function server(db: BenchDb): ScratchDb {
  if (db.engine === 'sqlite') throw new Error(`${db.name} is not a server database`);
  return db;
}

/** An SQLite database as the bench names it: the file need not exist yet. */
export function sqliteDb(path: string): BenchDb {
  return { engine: 'sqlite', name: path, url: `sqlite:${path}`, path };
}

/** Removes an SQLite database with its journal files. */
export function removeSqlite(path: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** Rows in an SQLite table. */
export function sqliteCount(path: string, table: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return Number((db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

/**
 * An SQLite table's shape as comparable lines (the servers' are in servers.ts): each column's declared type and
 * nullability, the primary key, and each index by its columns.
 */
export function sqliteShape(path: string, table: string): string[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string; type: string; notnull: number; pk: number }[];
    const key = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    const indexes = (db.prepare(`PRAGMA index_list("${table}")`).all() as { name: string; unique: number; origin: string }[])
      .filter((i) => i.origin !== 'pk')
      .map((i) => {
        const cols = (db.prepare(`PRAGMA index_info("${i.name}")`).all() as { name: string }[]).map((c) => c.name);
        return `${i.unique ? 'UNIQUE INDEX' : 'INDEX'} (${cols.join(',')})`;
      });
    return [
      ...columns.map((c) => `${c.name} ${c.type.toLowerCase()}${c.notnull ? ' not null' : ''}`),
      `PRIMARY KEY (${key.join(',')})`,
      ...indexes.sort(),
    ];
  } finally {
    db.close();
  }
}
