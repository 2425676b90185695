import type { Engine } from '../engine.js';
import { dropPgDatabase, isPostgresEndpoint, parsePgUrl } from './connect.js';
import { PgReader } from './read.js';
import { PgWriter } from './write.js';

/**
 * PostgreSQL, through node-postgres: read in one repeatable-read snapshot, written with COPY.
 * Endpoints: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME][&sslmode=require]` (or `postgresql://`).
 */
export const postgresEngine: Engine = {
  name: 'postgres',
  accepts: isPostgresEndpoint,
  describe: (endpoint) => parsePgUrl(endpoint).description,
  openReader: (endpoint, options) => PgReader.open(endpoint, options),
  openWriter: (endpoint, options) => PgWriter.open(endpoint, options),
  dropDatabase: dropPgDatabase,
};
