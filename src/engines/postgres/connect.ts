import pg from 'pg';
import { FerryError, redactUrl, safeMessage } from '../../core/errors.js';
import { parsePgUrl, type PgEndpoint } from './endpoint.js';
import { quotePg } from './types.js';

/**
 * Opens a client on the endpoint's database (or on `database` instead, for maintenance work), with the session
 * settings every ferry connection relies on: UTC so that timestamptz values read as `+00`, ISO dates, extra_float_digits=3
 * so that reals read back bit for bit, UTF-8 so that text is never transcoded, and literals that take backslashes as
 * they are.
 */
export async function connectPg(ep: PgEndpoint, types?: pg.CustomTypesConfig, database = ep.database): Promise<pg.Client> {
  const client = new pg.Client({
    host: ep.host,
    port: ep.port,
    user: ep.user,
    password: ep.password,
    database,
    ssl: ep.ssl,
    types,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    application_name: 'ferry',
  });
  // A connection lost between queries is reported by the next query; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    // No timeouts: a snapshot is held open for the whole run, and an index on a large table takes what it takes.
    await client.query(
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET client_encoding = 'UTF8'; " +
        'SET standard_conforming_strings = on; ' +
        'SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0',
    );
  } catch (e) {
    await client.end().catch(() => {});
    throw connectError(e, ep, database);
  }
  return client;
}

/** Points unqualified names at the endpoint's schema (creating it, for a writer). */
export async function useSchema(client: pg.Client, ep: PgEndpoint, create: boolean): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [ep.schema]);
  if (found.rowCount === 0) {
    if (!create) {
      throw new FerryError('endpoint', `${ep.description}: the schema "${ep.schema}" does not exist`, {
        hint: 'check ?schema= in the URL',
      });
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotePg(ep.schema)}`).catch((e) => {
      throw pgError(e, ep, `cannot create the schema "${ep.schema}"`);
    });
  }
  await client.query(`SET search_path TO ${quotePg(ep.schema)}`);
}

/**
 * Connects a writer, creating its database first when it does not exist (and `create` allows it), through the
 * `postgres` maintenance database as `createdb` does.
 */
export async function connectCreating(ep: PgEndpoint, create: boolean, types?: pg.CustomTypesConfig): Promise<pg.Client> {
  try {
    return await connectPg(ep, types);
  } catch (e) {
    if (!create || !(e instanceof FerryError) || (e.cause as { code?: string } | undefined)?.code !== '3D000') throw e;
  }
  const admin = await connectPg(ep, undefined, 'postgres');
  try {
    await admin.query(`CREATE DATABASE ${quotePg(ep.database)}`);
  } catch (e) {
    // Another process may have created it meanwhile (42P04): that is what we wanted.
    if ((e as { code?: string }).code !== '42P04') throw pgError(e, ep, `cannot create the database "${ep.database}"`);
  } finally {
    await admin.end().catch(() => {});
  }
  return connectPg(ep, types);
}

/** Drops the endpoint's database, disconnecting its other sessions (PostgreSQL 13+; before, they must be gone). */
export async function dropPgDatabase(endpoint: string): Promise<void> {
  const ep = parsePgUrl(endpoint);
  const admin = await connectPg(ep, undefined, 'postgres');
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quotePg(ep.database)} WITH (FORCE)`).catch(async (e: { code?: string }) => {
      // Before PostgreSQL 13 there is no FORCE (a syntax error): drop without it.
      if (e.code !== '42601') throw e;
      await admin.query(`DROP DATABASE IF EXISTS ${quotePg(ep.database)}`);
    });
  } catch (e) {
    throw pgError(e, ep, `cannot drop the database "${ep.database}"`);
  } finally {
    await admin.end().catch(() => {});
  }
}

/** The first token of `SHOW server_version` (`15.4 (Debian …)`), as `PostgreSQL 15.4`. */
export async function pgServerVersion(client: pg.Client): Promise<string> {
  const r = await client.query<{ server_version: string }>('SHOW server_version');
  return `PostgreSQL ${r.rows[0]!.server_version.split(' ')[0]}`;
}

/** Maps a connection failure to one clear line and what to do about it; the password never appears. */
function connectError(e: unknown, ep: PgEndpoint, database: string): FerryError {
  const code = errorCode(e);
  const where = `${ep.host}:${ep.port}`;
  const at = redactUrl(`postgres://${ep.user}@${where}/${database}`);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    /timeout/i.test(safeMessage(e))
  ) {
    return new FerryError('endpoint', `cannot reach the PostgreSQL server at ${where} (${code || 'timed out'})`, {
      hint: 'check the host and port, and that the server is running and accepts TCP connections',
      cause: e,
    });
  }
  if (code === '28P01' || code === '28000') {
    return new FerryError('endpoint', `PostgreSQL refused the login of user "${ep.user}" at ${where}: ${safeMessage(e, pgSecrets(ep))}`, {
      hint: 'check the user name and password in the URL, and pg_hba.conf on the server',
      cause: e,
    });
  }
  if (code === '3D000') {
    return new FerryError('endpoint', `the database "${database}" does not exist on ${where}`, {
      hint: 'check the database name in the URL (for a source, it must already exist)',
      cause: e,
    });
  }
  return pgError(e, ep, `cannot connect to ${at}`);
}

/** Any other server or driver error met while opening an endpoint, as an endpoint error with the password removed. */
export function pgError(e: unknown, ep: PgEndpoint, what: string): FerryError {
  const code = errorCode(e);
  const hint =
    code === '42501'
      ? `the user "${ep.user}" lacks the privilege; grant it, or use a user that has it`
      : 'check the URL and the server log';
  return new FerryError('endpoint', `${ep.description}: ${what}: ${safeMessage(e, pgSecrets(ep))}`, { hint, cause: e });
}

/** The endpoint's password in the spellings a message could hold, for safeMessage(). */
export function pgSecrets(ep: PgEndpoint): string[] {
  return ep.password ? [ep.password, encodeURIComponent(ep.password)] : [];
}

function errorCode(e: unknown): string {
  const err = e as { code?: string; errors?: { code?: string }[] };
  // Node reports a refused connection to a name with several addresses as an AggregateError.
  return err?.code ?? err?.errors?.[0]?.code ?? '';
}
