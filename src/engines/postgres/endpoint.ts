import { FerryError, redactUrl } from '../../core/errors.js';
import type { ServerEndpoint } from '../engine.js';

/** What a `postgres://` endpoint names, decoded. */
export interface PgEndpoint extends ServerEndpoint {
  /** The schema whose tables are read or written (`?schema=NAME`, default `public`). */
  schema: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
}

/** True for `postgres://…` and `postgresql://…`. */
export function isPostgresEndpoint(endpoint: string): boolean {
  return /^postgres(ql)?:\/\//i.test(endpoint);
}

/**
 * Decodes a `postgres://user:password@host:port/database?schema=NAME&sslmode=require` URL. The database is
 * required: ferry never guesses which database to read or, worse, to write.
 */
export function parsePgUrl(endpoint: string): PgEndpoint {
  const description = redactUrl(endpoint);
  let url: URL;
  try {
    // libpq reads `postgres:///db` (no host) as the local server; WHATWG URL needs a host to parse.
    url = new URL(endpoint.replace(/^(postgres(?:ql)?:\/\/(?:[^@/?#]*@)?)(?=[/?#]|$)/i, '$1localhost'));
  } catch {
    throw new FerryError('usage', `${description} is not a valid PostgreSQL URL`, {
      hint: 'write postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]',
    });
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new FerryError('usage', `${description} names no database`, {
      hint: 'end the URL with /DATABASE, e.g. postgres://localhost/app',
    });
  }
  const sslmode = url.searchParams.get('sslmode') ?? 'disable';
  return {
    description,
    // `?host=/var/run/postgresql` names a Unix socket directory, as libpq allows.
    host: url.searchParams.get('host') ?? (decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || 'localhost'),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || process.env.PGUSER || 'postgres',
    password: url.password ? decodeURIComponent(url.password) : (url.searchParams.get('password') ?? undefined),
    database,
    schema: url.searchParams.get('schema') ?? 'public',
    // libpq's modes: require encrypts without checking the certificate, verify-ca/verify-full check it; prefer and
    // allow connect in the clear (node-postgres cannot fall back from TLS to plain).
    ssl:
      sslmode === 'disable' || sslmode === 'prefer' || sslmode === 'allow'
        ? undefined
        : sslmode === 'require'
          ? { rejectUnauthorized: false }
          : true,
  };
}
