import type { Engine } from '../engine.js';
import { isMysqlEndpoint } from './endpoint.js';

/**
 * MySQL 8 and MariaDB 10.2+, through mysql2: `mysql://user:password@host:port/database` (or `mariadb://…`).
 * The driver is loaded when an endpoint is first opened: a command that never meets MySQL does not pay for it.
 *
 * @example
 *   const reader = await mysqlEngine.openReader('mysql://root@127.0.0.1:3306/app', {});
 */
export const mysqlEngine: Engine = {
  name: 'mysql',
  accepts: isMysqlEndpoint,
  openReader: async (endpoint, options) => (await import('./read.js')).MysqlReader.open(endpoint, options),
  openWriter: async (endpoint, options) => (await import('./write.js')).MysqlWriter.open(endpoint, options),
  dropDatabase: async (endpoint) => (await import('./connect.js')).dropMysqlDatabase(endpoint),
};
