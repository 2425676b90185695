import type { Engine } from '../engine.js';
import { dropMysqlDatabase, isMysqlEndpoint } from './connect.js';
import { MysqlReader } from './read.js';
import { MysqlWriter } from './write.js';

/**
 * MySQL 8 and MariaDB 10.2+, through mysql2: `mysql://user:password@host:port/database` (or `mariadb://…`).
 *
 * @example
 *   const reader = await mysqlEngine.openReader('mysql://root@127.0.0.1:3306/app', {});
 */
export const mysqlEngine: Engine = {
  name: 'mysql',
  accepts: isMysqlEndpoint,
  openReader: (endpoint, options) => MysqlReader.open(endpoint, options),
  openWriter: (endpoint, options) => MysqlWriter.open(endpoint, options),
  dropDatabase: dropMysqlDatabase,
};
