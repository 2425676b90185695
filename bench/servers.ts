/**
 * The PostgreSQL and MySQL servers the benchmark writes to: uniquely named scratch databases, and the few queries
 * that check a run's result (row counts, column types, indexes) the same way for the native and the ferry target.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { BenchConfig } from './config.js';

export type ServerEngine = 'postgres' | 'mysql';

export interface ScratchDb {
  engine: ServerEngine;
  name: string;
  /** The database's endpoint URL (ferry's, and the clients'). */
  url: string;
}

export class Servers {
  constructor(private readonly config: BenchConfig) {}

  base(engine: ServerEngine): string {
    return engine === 'postgres' ? this.config.postgresUrl : this.config.mysqlUrl;
  }

  /** Why the server cannot be used, or undefined. */
  async problem(engine: ServerEngine): Promise<string | undefined> {
    try {
      await this.serverVersion(engine);
      return undefined;
    } catch (e) {
      return `${engine} unreachable at ${redact(this.base(engine))}: ${(e as Error).message}`;
    }
  }

  async serverVersion(engine: ServerEngine): Promise<string> {
    const rows = await this.admin(engine, 'SELECT version() AS v');
    return String(rows[0]?.v ?? '?');
  }

  /** Creates an empty database (utf8mb4 on MySQL, where the server default may be older). */
  async create(engine: ServerEngine, label: string): Promise<ScratchDb> {
    const name = `ferry_bench_${label}_${randomBytes(3).toString('hex')}`;
    await this.admin(engine, engine === 'postgres' ? `CREATE DATABASE "${name}"` : `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    return { engine, name, url: `${this.base(engine)}/${name}` };
  }

  async drop(db: ScratchDb): Promise<void> {
    await this.admin(
      db.engine,
      db.engine === 'postgres' ? `DROP DATABASE IF EXISTS "${db.name}" WITH (FORCE)` : `DROP DATABASE IF EXISTS \`${db.name}\``,
    );
  }

  /**
   * Lets the server finish the previous run's background work before the next timed run, so that no run pays for
   * another's writes: PostgreSQL flushes dirty buffers in a checkpoint (else one may start inside the next run).
   */
  async settle(engine: ServerEngine): Promise<void> {
    if (engine === 'postgres') await this.admin(engine, 'CHECKPOINT');
  }

  /**
   * Brings a freshly loaded database to the state of one in use, so that its first reader does not pay for the load:
   * PostgreSQL sets the rows' hint bits and visibility map (VACUUM), both engines gather statistics.
   */
  async analyze(db: ScratchDb, tables: string[]): Promise<void> {
    await this.query(db, db.engine === 'postgres' ? 'VACUUM ANALYZE' : `ANALYZE TABLE ${tables.join(', ')}`);
  }

  async count(db: ScratchDb, table: string): Promise<number> {
    const rows = await this.query(db, `SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]?.n);
  }

  /**
   * The table's shape as comparable lines: each column's type and nullability, and each index by its columns (not
   * its name, which the two sides may choose differently).
   */
  async shape(db: ScratchDb, table: string): Promise<string[]> {
    if (db.engine === 'postgres') {
      const columns = await this.query(
        db,
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull
         FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [table],
      );
      const indexes = await this.query(
        db,
        `SELECT regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') AS def FROM pg_indexes WHERE tablename = $1`,
        [table],
      );
      return [...columns.map((c) => `${c.name} ${c.type}${c.notnull ? ' not null' : ''}`), ...indexes.map((i) => String(i.def)).sort()];
    }
    const columns = await this.query(
      db,
      'SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      [db.name, table],
    );
    const indexes = await this.query(
      db,
      `SELECT CONCAT(IF(INDEX_NAME = 'PRIMARY', 'PRIMARY KEY', IF(NON_UNIQUE = 0, 'UNIQUE INDEX', 'INDEX')), ' (', GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX), ')') AS def
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? GROUP BY INDEX_NAME, NON_UNIQUE`,
      [db.name, table],
    );
    return [
      ...columns.map((c) => `${c.name} ${c.type}${c.nullable === 'NO' ? ' not null' : ''}`),
      ...indexes.map((i) => String(i.def)).sort(),
    ];
  }

  private async admin(engine: ServerEngine, sql: string): Promise<Record<string, unknown>[]> {
    // PostgreSQL needs a database to connect to; MySQL connects to the server itself.
    const url = engine === 'postgres' ? `${this.base(engine)}/postgres` : this.base(engine);
    return this.query({ engine, name: '', url }, sql);
  }

  private async query(db: ScratchDb, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
    if (db.engine === 'postgres') {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    }
    const client = await mysql.createConnection({ uri: db.url });
    try {
      const [rows] = await client.query(sql, params);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    } finally {
      await client.end();
    }
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
