import { rmSync } from 'node:fs';
import type { Engine } from '../engine.js';
import { isSqliteEndpoint, sqlitePath } from './connect.js';
import { SqliteReader } from './read.js';
import { SqliteWriter } from './write.js';

/** SQLite, through better-sqlite3: the embedded default that needs no server. */
export const sqliteEngine: Engine = {
  name: 'sqlite',
  accepts: isSqliteEndpoint,
  describe: (endpoint) => `sqlite:${sqlitePath(endpoint)}`,
  openReader: async (endpoint, options) => new SqliteReader(endpoint, options),
  openWriter: async (endpoint, options) => new SqliteWriter(endpoint, options),
  dropDatabase: async (endpoint) => {
    const path = sqlitePath(endpoint);
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
  },
};
