/**
 * The Chinook sample database (../shared/datasets/chinook, MIT) as a read-only source on each engine. The SQLite
 * copy is used in place (ferry opens sources read-only); PostgreSQL and MySQL copies are loaded once per test file
 * from the dataset's SQL scripts into scratch databases.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { scratchDb, type EngineName, type ScratchDb } from './servers.js';
import { DATASETS, inShared } from './shared.js';

export { DATASETS };

export const CHINOOK = inShared(resolve(DATASETS, 'chinook'));

/** Row counts of the Chinook tables, by the engine-neutral (lower-case, no underscore) name. */
export const CHINOOK_ROWS: Record<string, number> = {
  album: 347,
  artist: 275,
  customer: 59,
  employee: 8,
  genre: 25,
  invoice: 412,
  invoiceline: 2240,
  mediatype: 5,
  playlist: 18,
  playlisttrack: 8715,
  track: 3503,
};

/** `InvoiceLine` and `invoice_line` both → `invoiceline`. */
export const neutral = (name: string): string => name.toLowerCase().replaceAll('_', '');

export async function chinookSource(engine: EngineName): Promise<ScratchDb> {
  if (engine === 'sqlite') {
    return { url: `sqlite:${resolve(CHINOOK, 'Chinook_Sqlite.sqlite')}`, name: 'chinook', drop: async () => {} };
  }
  const db = await scratchDb(engine, 'chinook');
  if (engine === 'postgres') {
    const script = withoutDatabaseLines(readFileSync(resolve(CHINOOK, 'Chinook_PostgreSql.sql'), 'utf8'));
    const base = db.url.slice(0, db.url.lastIndexOf('/'));
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${db.name}"`);
    await admin.end();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(script);
    } finally {
      await c.end();
    }
  } else {
    const script = withoutDatabaseLines(readFileSync(resolve(CHINOOK, 'Chinook_MySql.sql'), 'utf8'));
    const base = db.url.slice(0, db.url.lastIndexOf('/'));
    const c = await mysql.createConnection({ uri: base, multipleStatements: true });
    try {
      await c.query(
        `CREATE DATABASE \`${db.name}\` CHARACTER SET utf8mb4; USE \`${db.name}\`; SET SESSION sql_mode='NO_BACKSLASH_ESCAPES';`,
      );
      await c.query(script);
    } finally {
      await c.end();
    }
  }
  return db;
}

/** The scripts create and select their own `chinook` database; the tests use scratch databases instead. */
function withoutDatabaseLines(script: string): string {
  return script
    .split('\n')
    .filter((l) => !/^\s*(DROP DATABASE|CREATE DATABASE|USE |\\c )/i.test(l))
    .join('\n');
}
