import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { FerryError } from '../../core/errors.js';

/** True for `sqlite:PATH`, `sqlite://PATH` and bare paths ending in .db, .sqlite or .sqlite3. */
export function isSqliteEndpoint(endpoint: string): boolean {
  return /^sqlite:/i.test(endpoint) || (!/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) && /\.(db|sqlite3?)$/i.test(endpoint));
}

/** The file path an SQLite endpoint names, resolved against the working directory. */
export function sqlitePath(endpoint: string): string {
  const path = endpoint.replace(/^sqlite:(\/\/)?/i, '');
  if (path === '' || path === ':memory:') {
    throw new FerryError('usage', `${endpoint} names no file`, { hint: 'write sqlite:./app.db' });
  }
  return resolve(path);
}

/** Opens an existing database read-only: the source is never written. */
export function openReadOnly(endpoint: string): Database.Database {
  const path = sqlitePath(endpoint);
  if (!existsSync(path)) {
    throw new FerryError('endpoint', `no SQLite database at ${path}`, { hint: 'check the path (it is relative to the current directory)' });
  }
  if (statSync(path).isDirectory()) throw new FerryError('endpoint', `${path} is a directory, not an SQLite database`);
  const db = open(path, { readonly: true, fileMustExist: true });
  checkIsDatabase(db, path);
  return db;
}

/** Opens the target, creating the file if it does not exist (its folder must exist). */
export function openWritable(endpoint: string, create: boolean): Database.Database {
  const path = sqlitePath(endpoint);
  if (!existsSync(dirname(path))) {
    throw new FerryError('endpoint', `the folder ${dirname(path)} does not exist`, { hint: 'create it first, or choose another path' });
  }
  if (!create && !existsSync(path)) throw new FerryError('endpoint', `no SQLite database at ${path}`);
  const db = open(path, {});
  checkIsDatabase(db, path);
  return db;
}

function open(path: string, options: Database.Options): Database.Database {
  try {
    return new Database(path, options);
  } catch (e) {
    throw openError(e, path);
  }
}

function checkIsDatabase(db: Database.Database, path: string): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (e) {
    db.close();
    throw openError(e, path);
  }
}

function openError(e: unknown, path: string): FerryError {
  const code = (e as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new FerryError('endpoint', `${path} is not an SQLite database (or it is damaged)`, { cause: e });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new FerryError('refused', `${path} is locked by another process`, {
      hint: 'stop the application (or the other run) that is using it, then run ferry again',
      cause: e,
    });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_READONLY' || code === 'EACCES') {
    return new FerryError('endpoint', `permission denied: cannot open ${path}`, {
      hint: 'check the file and folder permissions for the user running ferry',
      cause: e,
    });
  }
  return new FerryError('endpoint', `cannot open ${path}: ${(e as Error).message}`, { cause: e });
}
