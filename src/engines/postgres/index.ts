import type { Engine } from '../engine.js';
import { isPostgresEndpoint, parsePgUrl } from './endpoint.js';

/**
 * PostgreSQL, through node-postgres: read in one repeatable-read snapshot, written with COPY.
 * Endpoints: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME][&sslmode=require]` (or `postgresql://`).
 * The driver is loaded when an endpoint is first opened: a command that never meets PostgreSQL does not pay for it.
 */
export const postgresEngine: Engine = {
  name: 'postgres',
  accepts: isPostgresEndpoint,
  describe: (endpoint) => parsePgUrl(endpoint).description,
  openReader: async (endpoint, options) => (await import('./read.js')).PgReader.open(endpoint, options),
  openWriter: async (endpoint, options) => (await import('./write.js')).PgWriter.open(endpoint, options),
  dropDatabase: async (endpoint) => (await import('./connect.js')).dropPgDatabase(endpoint),
};
