import { FerryError, redactUrl } from '../core/errors.js';
import type { Engine } from './engine.js';
import { mysqlEngine } from './mysql/index.js';
import { postgresEngine } from './postgres/index.js';
import { sqliteEngine } from './sqlite/index.js';

/** The database engines ferry ships, in the order endpoints are matched against them. */
export const ENGINES: readonly Engine[] = [sqliteEngine, postgresEngine, mysqlEngine];

/** The engine that serves a database endpoint, or a usage error that lists what is accepted. */
export function engineFor(endpoint: string): Engine {
  const engine = ENGINES.find((e) => e.accepts(endpoint));
  if (engine) return engine;
  throw new FerryError('usage', `ferry does not know the endpoint ${redactUrl(endpoint)}`, {
    hint: 'use sqlite:PATH (or a *.db, *.sqlite, *.sqlite3 file), postgres://…, mysql://… or mariadb://…',
  });
}
