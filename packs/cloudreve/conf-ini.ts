import { dirname, isAbsolute, resolve } from 'node:path';
import { FerryError } from '../../src/core/errors.js';
import { parseIni, type AppConfig } from '../../src/upgrade/index.js';

/**
 * Reads Cloudreve's conf.ini (V3's, or V4's data/conf.ini): [Database] names the database and [System] HashIDSalt
 * holds the salt of every share and direct link's hash id (reference §2.6). An SQLite DBFile is resolved against
 * the conf file's folder: the official tool resolves it against its own binary, a known source of confusion.
 */
export function readConfIni(file: string, text: string): AppConfig {
  const ini = parseIni(text);
  const db = (key: string) => ini.get('Database', key)?.trim() ?? '';
  const type = db('Type').toLowerCase();
  const config: AppConfig = { inputs: {} };
  const salt = ini.get('System', 'HashIDSalt');
  if (salt) config.inputs!.hashIdSalt = salt;
  if (db('TablePrefix')) config.tablePrefix = db('TablePrefix');
  if (type === '' || type === 'sqlite' || type === 'sqlite3' || type === 'unset') {
    const dbFile = db('DBFile') || 'cloudreve.db';
    config.database = `sqlite:${isAbsolute(dbFile) ? dbFile : resolve(dirname(file), dbFile)}`;
    return config;
  }
  if (type !== 'mysql' && type !== 'postgres' && type !== 'mariadb') {
    throw new FerryError('usage', `${file}: [Database] Type ${type} is not one ferry reads (sqlite, mysql, postgres)`, {
      hint: type === 'mssql' ? 'move the data to one of those first, or give the database as an endpoint' : undefined,
    });
  }
  const scheme = type === 'postgres' ? 'postgres' : 'mysql';
  const user = encodeURIComponent(db('User') || (scheme === 'postgres' ? 'postgres' : 'root'));
  const password = db('Password') ? `:${encodeURIComponent(db('Password'))}` : '';
  const host = db('Host') || '127.0.0.1';
  const port = db('Port') || (scheme === 'postgres' ? '5432' : '3306');
  if (!db('Name'))
    throw new FerryError('usage', `${file}: [Database] has no Name`, { hint: 'add Name = <database> to the [Database] section' });
  config.database = `${scheme}://${user}${password}@${host}:${port}/${encodeURIComponent(db('Name'))}`;
  return config;
}
