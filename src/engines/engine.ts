import type { DatasetReader, DatasetWriter } from '../core/dataset.js';

/**
 * A database engine: which endpoint URLs it serves and how it opens them. The registry (registry.ts) picks the
 * engine by URL; nothing else in ferry asks which engine it talks to.
 */
export interface Engine {
  /** `sqlite`, `postgres`, `mysql`. */
  readonly name: string;
  /** True when this engine serves the endpoint (by scheme, or by file extension for SQLite). */
  accepts(endpoint: string): boolean;
  /** The endpoint as readers and writers describe it (absolute path, password removed), without opening it. */
  describe?(endpoint: string): string;
  /** Opens the source read-only, as one consistent snapshot. */
  openReader(endpoint: string, options: ReaderOptions): Promise<DatasetReader>;
  /** Opens (creating the database if it does not exist and the user may create it) the target. */
  openWriter(endpoint: string, options: WriterOptions): Promise<DatasetWriter>;
  /** Drops the whole database (used by tests and by `--force-reset` of a database ferry created). */
  dropDatabase?(endpoint: string): Promise<void>;
}

export interface ReaderOptions {
  /** Only these tables are read (an undefined filter reads all). Used to keep introspection cheap. */
  tables?: (name: string) => boolean;
}

export interface WriterOptions {
  /** Create the database when it does not exist (default true). */
  create?: boolean;
}

/** What the URL of a database server's endpoint names, decoded (each engine adds its own parameters). */
export interface ServerEndpoint {
  /** The endpoint with the password removed: safe for messages and state files. */
  description: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  database: string;
}
