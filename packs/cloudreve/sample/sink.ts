/**
 * A tiny write path for the sample generators: run DDL and bulk-insert rows on an SQLite file, a PostgreSQL
 * database or a MySQL/MariaDB database, named by the same endpoint URLs ferry takes. It creates the database when
 * it does not exist, so `ferry demo` and the tests can point it at a fresh name.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { isMysqlEndpoint, parseMysqlUrl } from '../../../src/engines/mysql/endpoint.js';
import { isPostgresEndpoint, parsePgUrl } from '../../../src/engines/postgres/endpoint.js';
import { isSqliteEndpoint, sqlitePath } from '../../../src/engines/sqlite/connect.js';

export type SinkEngine = 'sqlite' | 'postgres' | 'mysql';

/** What a cell may hold. Booleans become 0/1 on SQLite and MySQL, as their drivers (and V3) store them. */
export type SinkValue = string | number | bigint | boolean | null | Buffer;

export interface Sink {
  engine: SinkEngine;
  /** Runs one statement (DDL, BEGIN/COMMIT, SET …). */
  exec(sql: string): Promise<void>;
  /** Inserts rows in multi-row chunks; every row has one value per column. */
  insert(table: string, columns: string[], rows: unknown[][]): Promise<void>;
  /** Runs a query and returns its rows as objects (for checks, not for bulk reads). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Quotes an identifier the engine's way. */
  quote(name: string): string;
  close(): Promise<void>;
}

export async function openSink(url: string): Promise<Sink> {
  if (isSqliteEndpoint(url)) return openSqlite(url);
  if (isPostgresEndpoint(url)) return openPostgres(url);
  if (isMysqlEndpoint(url)) return openMysql(url);
  throw new Error(`unknown endpoint ${url}: use sqlite:PATH, postgres://… or mysql://…`);
}

function quoteDouble(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteBacktick(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

function toSqliteValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v === undefined ? null : v;
}

function openSqlite(url: string): Sink {
  const path = sqlitePath(url);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // A large page cache for this connection only (not stored in the file): bulk loads with several indexes
  // otherwise spend their time re-reading index pages.
  db.pragma('cache_size = -262144');
  // One prepared statement per (table, columns), reused across chunks: preparing is the slow part.
  const statements = new Map<string, Database.Statement>();
  return {
    engine: 'sqlite',
    quote: quoteDouble,
    exec: async (sql) => {
      db.exec(sql);
    },
    insert: async (table, columns, rows) => {
      const key = `${table}\u0000${columns.join('\u0000')}`;
      let stmt = statements.get(key);
      if (!stmt) {
        stmt = db.prepare(
          `INSERT INTO ${quoteDouble(table)} (${columns.map(quoteDouble).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
        );
        statements.set(key, stmt);
      }
      const run = stmt;
      // One buffer for every row's converted values: a million rows need no million arrays.
      const values: unknown[] = new Array(columns.length);
      // Inside a caller's BEGIN this nests as a savepoint; on its own it is one transaction per call.
      db.transaction(() => {
        for (const row of rows) {
          for (let i = 0; i < values.length; i++) values[i] = toSqliteValue(row[i]);
          run.run(values);
        }
      })();
    },
    query: async (sql) => {
      const stmt = db.prepare(sql);
      if (stmt.reader) return stmt.all() as Record<string, unknown>[];
      stmt.run();
      return [];
    },
    close: async () => {
      db.close();
    },
  };
}

/**
 * Splits rows into chunks that stay under a parameter limit and a rough byte budget (big text values such as
 * mail templates make a few rows heavy).
 */
function* chunks(rows: unknown[][], columns: number, maxParams: number, maxRows: number, maxBytes = 4 << 20): Generator<unknown[][]> {
  const rowsByParams = Math.max(1, Math.floor(maxParams / Math.max(1, columns)));
  const limit = Math.min(maxRows, rowsByParams);
  let chunk: unknown[][] = [];
  let bytes = 0;
  for (const row of rows) {
    let size = 0;
    for (const v of row) size += typeof v === 'string' ? v.length * 3 : Buffer.isBuffer(v) ? v.length * 2 : 8;
    if (chunk.length > 0 && (chunk.length >= limit || bytes + size > maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

async function openPostgres(url: string): Promise<Sink> {
  const ep = parsePgUrl(url);
  const connect = async (database: string) => {
    const client = new pg.Client({ host: ep.host, port: ep.port, user: ep.user, password: ep.password, database, ssl: ep.ssl });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [ep.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${quoteDouble(ep.database)}`);
  } finally {
    await admin.end();
  }
  const client = await connect(ep.database);
  await client.query("SET client_encoding = 'UTF8'");
  if (ep.schema !== 'public') {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteDouble(ep.schema)}`);
    await client.query(`SET search_path TO ${quoteDouble(ep.schema)}`);
  }
  return {
    engine: 'postgres',
    quote: quoteDouble,
    exec: async (sql) => {
      await client.query(sql);
    },
    insert: async (table, columns, rows) => {
      const head = `INSERT INTO ${quoteDouble(table)} (${columns.map(quoteDouble).join(', ')}) VALUES `;
      // PostgreSQL numbers bind parameters with 16 bits: at most 65535 per statement.
      for (const chunk of chunks(rows, columns.length, 65_000, 5_000)) {
        const params: unknown[] = [];
        const tuples: string[] = [];
        for (const row of chunk) {
          const marks: string[] = [];
          for (const v of row) {
            params.push(typeof v === 'bigint' ? v.toString() : v === undefined ? null : v);
            marks.push(`$${params.length}`);
          }
          tuples.push(`(${marks.join(',')})`);
        }
        await client.query(head + tuples.join(','), params);
      }
    },
    query: async (sql) => (await client.query(sql)).rows as Record<string, unknown>[],
    close: async () => {
      await client.end();
    },
  };
}

function toMysqlValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return v.toString();
  return v === undefined ? null : v;
}

async function openMysql(url: string): Promise<Sink> {
  const ep = parseMysqlUrl(url);
  const conn = await mysql.createConnection({
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    socketPath: ep.socketPath,
    ssl: ep.ssl,
    charset: 'utf8mb4',
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    timezone: 'Z',
    multipleStatements: false,
  });
  conn.on('error', () => {});
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteBacktick(ep.database)} CHARACTER SET utf8mb4`);
    await conn.query(`USE ${quoteBacktick(ep.database)}`);
    // Naive DATETIME/TIMESTAMP text is read and written as UTC unless a generator says otherwise.
    await conn.query("SET time_zone = '+00:00'");
  } catch (e) {
    await conn.end();
    throw e;
  }
  return {
    engine: 'mysql',
    quote: quoteBacktick,
    exec: async (sql) => {
      await conn.query(sql);
    },
    insert: async (table, columns, rows) => {
      const head = `INSERT INTO ${quoteBacktick(table)} (${columns.map(quoteBacktick).join(', ')}) VALUES `;
      const tuple = `(${columns.map(() => '?').join(',')})`;
      // Client-side placeholders (query, not execute): no server limit on their number, only on packet size.
      for (const chunk of chunks(rows, columns.length, 1_000_000, 2_000)) {
        const params: unknown[] = [];
        for (const row of chunk) for (const v of row) params.push(toMysqlValue(v));
        await conn.query(head + chunk.map(() => tuple).join(','), params);
      }
    },
    query: async (sql) => {
      const [rows] = await conn.query(sql);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: async () => {
      await conn.end();
    },
  };
}
