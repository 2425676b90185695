import { FerryError, redactUrl } from '../../core/errors.js';
import type { ServerEndpoint } from '../engine.js';

/** What a `mysql://` or `mariadb://` endpoint names, decoded. */
export interface MysqlEndpoint extends ServerEndpoint {
  /** `?socket=/run/mysqld/mysqld.sock`: a Unix socket instead of TCP. */
  socketPath?: string;
  /** `?ssl=true` (verify the certificate) or `?ssl=insecure` (encrypt only). */
  ssl?: { rejectUnauthorized: boolean };
}

/** True for `mysql://…` and `mariadb://…`. */
export function isMysqlEndpoint(endpoint: string): boolean {
  return /^(mysql|mariadb):\/\//i.test(endpoint);
}

/** Decodes `mysql://user:password@host:port/database`. The database is required: ferry never guesses it. */
export function parseMysqlUrl(endpoint: string): MysqlEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new FerryError('usage', `${redactUrl(endpoint)} is not a valid MySQL URL`, {
      hint: 'write mysql://USER[:PASSWORD]@HOST[:PORT]/DATABASE (or mariadb://…)',
    });
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const user = decodeURIComponent(url.username) || 'root';
  const host = url.hostname.replace(/^\[|\]$/g, '') || 'localhost';
  const port = url.port ? Number(url.port) : 3306;
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const description = `${scheme}://${user}@${host.includes(':') ? `[${host}]` : host}:${port}/${database}`;
  if (database === '' || database.includes('/')) {
    throw new FerryError('usage', `${description} names no database`, {
      hint: 'end the URL with /DATABASE, e.g. mysql://root@localhost/app',
    });
  }
  const ssl = url.searchParams.get('ssl');
  return {
    description,
    host,
    port,
    user,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database,
    socketPath: url.searchParams.get('socket') ?? undefined,
    ssl:
      ssl === 'true' || ssl === 'required' ? { rejectUnauthorized: true } : ssl === 'insecure' ? { rejectUnauthorized: false } : undefined,
  };
}
