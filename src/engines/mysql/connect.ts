import mysql from 'mysql2/promise';
import type { Connection as CoreConnection } from 'mysql2';
import { FerryError, safeMessage } from '../../core/errors.js';
import { parseMysqlUrl, type MysqlEndpoint } from './endpoint.js';
import { describeServer, textCollation, type ServerInfo } from './server.js';

/** A promise connection and the callback connection under it (needed for streaming queries). */
export interface MysqlSession {
  conn: mysql.Connection;
  core: CoreConnection;
  server: ServerInfo;
}

/**
 * Opens a connection with the driver settings every ferry session relies on: values that JavaScript cannot hold
 * exactly (64-bit integers, decimals, dates) arrive as strings, JSON as its text, BIT as bytes.
 */
export async function connectMysql(ep: MysqlEndpoint, database: string | undefined): Promise<MysqlSession> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      host: ep.host,
      port: ep.port,
      user: ep.user,
      password: ep.password,
      database,
      socketPath: ep.socketPath,
      ssl: ep.ssl,
      charset: 'utf8mb4',
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      decimalNumbers: false,
      jsonStrings: true,
      timezone: 'Z',
      connectTimeout: 10_000,
      enableKeepAlive: true,
      multipleStatements: false,
      // mysql2 would parse JSON into objects (losing key order and big numbers) and turn BIT into numbers. Its fast
      // parser for DOUBLE/FLOAT text gets the last digit of some 17-digit values wrong (92914111.16356319 becomes
      // 92914111.1635632): read the server's text and let Number() round it correctly.
      typeCast: (field, next) => {
        if (field.type === 'JSON') return field.string('utf8');
        if (field.type === 'BIT') return field.buffer();
        if (field.type === 'DOUBLE' || field.type === 'FLOAT') {
          const text = field.string();
          return text === null ? null : Number(text);
        }
        return next();
      },
    });
  } catch (e) {
    throw connectError(e, ep, database);
  }
  // A connection lost between queries is reported by the next query; without a listener it would crash the process.
  conn.on('error', () => {});
  const core = (conn as unknown as { connection: CoreConnection }).connection;
  try {
    const [rows] = await conn.query({ sql: 'SELECT VERSION()', rowsAsArray: true });
    const server = describeServer(String((rows as unknown[][])[0]![0]));
    // Known session settings whatever the server's defaults: UTC (TIMESTAMP columns read as UTC), utf8mb4, and
    // standard string literals (ferry spells every literal with '' doubling only). Long timeouts because a reader
    // may wait on a slow writer between batches of a streamed table.
    await conn.query("SET time_zone = '+00:00'");
    await conn.query('SET NAMES utf8mb4');
    await conn.query("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'");
    await conn.query('SET SESSION net_write_timeout = 86400, SESSION net_read_timeout = 86400, SESSION wait_timeout = 86400');
    await conn.query(server.flavor === 'mariadb' ? 'SET SESSION max_statement_time = 0' : 'SET SESSION max_execution_time = 0');
    return { conn, core, server };
  } catch (e) {
    conn.destroy();
    throw mysqlError(e, ep, 'cannot set up the session');
  }
}

/**
 * Connects a writer to its database, creating the database first (utf8mb4, binary collation) when it does not
 * exist and `create` allows it.
 */
export async function connectCreating(ep: MysqlEndpoint, create: boolean): Promise<MysqlSession> {
  const session = await connectMysql(ep, undefined);
  const db = quoteIdent(ep.database);
  try {
    try {
      await session.conn.query(`USE ${db}`);
    } catch (e) {
      if (errno(e) !== 1049 || !create) throw e;
      await session.conn.query(`CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE ${textCollation(session.server)}`);
      await session.conn.query(`USE ${db}`);
    }
    return session;
  } catch (e) {
    session.conn.destroy();
    if (errno(e) === 1049) throw connectError(e, ep, ep.database);
    throw mysqlError(e, ep, `cannot open or create the database "${ep.database}"`);
  }
}

/** Drops the endpoint's database. */
export async function dropMysqlDatabase(endpoint: string): Promise<void> {
  const ep = parseMysqlUrl(endpoint);
  const { conn } = await connectMysql(ep, undefined);
  try {
    await conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(ep.database)}`);
  } catch (e) {
    throw mysqlError(e, ep, `cannot drop the database "${ep.database}"`);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** Backtick quoting with the backtick doubled: valid whatever the session's sql_mode. */
export function quoteIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** Maps a connection failure to one clear line and what to do about it; the password never appears. */
export function connectError(e: unknown, ep: MysqlEndpoint, database: string | undefined): FerryError {
  const code = errorCode(e);
  const where = ep.socketPath ?? `${ep.host}:${ep.port}`;
  const message = safeMessage(e, secrets(ep));
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOENT'].includes(code) || /timeout/i.test(message)) {
    return new FerryError('endpoint', `cannot reach the MySQL server at ${where} (${code || 'timed out'})`, {
      hint: 'check the host and port, and that the server is running and accepts TCP connections',
      cause: e,
    });
  }
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR') {
    return new FerryError('endpoint', `the MySQL server at ${where} refused the login of user "${ep.user}": ${message}`, {
      hint: 'check the user name and password in the URL (a password with @ : / must be percent-encoded)',
      cause: e,
    });
  }
  if (code === 'ER_BAD_DB_ERROR') {
    return new FerryError('endpoint', `the database "${database ?? ep.database}" does not exist on ${where}`, {
      hint: 'check the database name in the URL (for a source, it must already exist)',
      cause: e,
    });
  }
  return mysqlError(e, ep, `cannot connect to ${ep.description}`);
}

/** Any other server or driver error met on an endpoint, as an endpoint error with the password removed. */
export function mysqlError(e: unknown, ep: MysqlEndpoint, what: string): FerryError {
  if (e instanceof FerryError) return e;
  const code = errorCode(e);
  const denied = /ACCESS_DENIED|DENIED_ERROR/.test(code);
  const hint = denied
    ? `the user "${ep.user}" lacks the privilege; grant it (or create the database first), or use a user that has it`
    : 'check the URL and the server log';
  return new FerryError('endpoint', `${ep.description}: ${what}: ${safeMessage(e, secrets(ep))}`, { hint, cause: e });
}

/** The server's error number (1062, 1406…), or 0 for driver errors. */
export function errno(e: unknown): number {
  return (e as { errno?: number })?.errno ?? 0;
}

/**
 * Errors that concern the rows' values (SQLSTATE classes 22 data exception and 23 integrity violation, plus the
 * server's value errors reported as HY000): the row is rejected and the batch goes on. Anything else (deadlock,
 * lost connection) rolls the batch back and stops.
 */
export function isRowError(e: unknown): boolean {
  const state = (e as { sqlState?: string }).sqlState ?? '';
  return state.startsWith('22') || state.startsWith('23') || [1262, 1263, 1265, 1292, 1366, 1367, 3819, 4025].includes(errno(e));
}

function secrets(ep: MysqlEndpoint): string[] {
  return ep.password ? [ep.password, encodeURIComponent(ep.password)] : [];
}

function errorCode(e: unknown): string {
  const err = e as { code?: string; errors?: { code?: string }[] };
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  return err?.code ?? err?.errors?.[0]?.code ?? '';
}
