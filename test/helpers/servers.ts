/**
 * The test servers. Each is addressed by an environment variable (defaults: the local servers of a development
 * machine), and each test gets its own uniquely named database, dropped afterwards.
 *
 *   FERRY_TEST_POSTGRES_URL  default postgres://postgres@127.0.0.1:5432
 *   FERRY_TEST_MYSQL_URL     default mysql://root@127.0.0.1:3306
 *
 * A server that cannot be reached makes its tests skip with a loud message; under CI=true it fails them instead,
 * so a broken CI machine never passes by skipping.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';

export const POSTGRES_URL = process.env.FERRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const MYSQL_URL = process.env.FERRY_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export type EngineName = 'sqlite' | 'postgres' | 'mysql';
export const ENGINE_NAMES: EngineName[] = ['sqlite', 'postgres', 'mysql'];

const availability = new Map<EngineName, Promise<string | undefined>>();

/** Why the engine's server cannot be used, or undefined when it can. */
export function serverProblem(engine: EngineName): Promise<string | undefined> {
  let p = availability.get(engine);
  if (!p) {
    p = probe(engine);
    availability.set(engine, p);
  }
  return p;
}

async function probe(engine: EngineName): Promise<string | undefined> {
  try {
    if (engine === 'postgres') {
      const c = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres`, connectionTimeoutMillis: 3000 });
      await c.connect();
      await c.end();
    } else if (engine === 'mysql') {
      const c = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3000 });
      await c.end();
    }
    return undefined;
  } catch (e) {
    return `${engine} test server unreachable (${engine === 'postgres' ? POSTGRES_URL : MYSQL_URL}): ${(e as Error).message}`;
  }
}

/**
 * Options for `test()`/`describe()`: skips (loudly) when the server is missing, except under CI=true where the
 * test runs and fails on the connection error.
 */
export async function requireServer(engine: EngineName): Promise<{ skip?: string }> {
  if (engine === 'sqlite') return {};
  const problem = await serverProblem(engine);
  if (!problem) return {};
  if (process.env.CI === 'true') return {};
  console.warn(`\n*** SKIPPED: ${problem}\n*** Set FERRY_TEST_${engine.toUpperCase()}_URL or start the server.\n`);
  return { skip: problem };
}

/** A scratch database on the engine; `url` is its endpoint, `drop()` removes it. */
export interface ScratchDb {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function scratchDb(engine: EngineName, label = 't'): Promise<ScratchDb> {
  const name = `ferry_${label}_${randomBytes(4).toString('hex')}`.toLowerCase();
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-test-'));
    return { url: `sqlite:${join(dir, `${name}.db`)}`, name, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (engine === 'postgres') {
    return {
      url: `${POSTGRES_URL}/${name}`,
      name,
      drop: async () => {
        const c = new pg.Client({ connectionString: `${POSTGRES_URL}/postgres` });
        await c.connect();
        try {
          await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await c.end();
        }
      },
    };
  }
  return {
    url: `${MYSQL_URL}/${name}`,
    name,
    drop: async () => {
      const c = await mysql.createConnection({ uri: MYSQL_URL });
      try {
        await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs SQL statements directly on a scratch database, to build fixtures and to look at results. */
export async function sqlOn(engine: EngineName, url: string, statements: string[]): Promise<unknown[][]> {
  const results: unknown[][] = [];
  if (engine === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(url.replace(/^sqlite:/, ''));
    try {
      for (const s of statements) {
        const stmt = db.prepare(s);
        results.push(stmt.reader ? stmt.all() : (stmt.run(), []));
      }
    } finally {
      db.close();
    }
  } else if (engine === 'postgres') {
    await ensurePgDb(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      for (const s of statements) results.push((await c.query(s)).rows);
    } finally {
      await c.end();
    }
  } else {
    const base = url.slice(0, url.lastIndexOf('/'));
    const db = url.slice(url.lastIndexOf('/') + 1);
    const admin = await mysql.createConnection({ uri: base });
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET utf8mb4`);
    await admin.end();
    const c = await mysql.createConnection({
      uri: url,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
    });
    try {
      for (const s of statements) {
        const [rows] = await c.query(s);
        results.push(Array.isArray(rows) ? (rows as unknown[]) : []);
      }
    } finally {
      await c.end();
    }
  }
  return results;
}

async function ensurePgDb(url: string): Promise<void> {
  const base = url.slice(0, url.lastIndexOf('/'));
  const db = url.slice(url.lastIndexOf('/') + 1).split('?')[0]!;
  const c = new pg.Client({ connectionString: `${base}/postgres` });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
    if (r.rowCount === 0) await c.query(`CREATE DATABASE "${db}"`);
  } finally {
    await c.end();
  }
}

export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'ferry-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
