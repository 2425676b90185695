import type { ValueLimits } from './conform.js';
import type { NotCarried, Schema, TableSchema } from './schema.js';
import type { Row, Value } from './values.js';

/**
 * One batch of rows read from a table, in key order. `resumeKey` is the position after the batch's last row (the
 * key columns' values, or an engine's row id); a reader that cannot give one for a table leaves it undefined, and
 * a run interrupted inside that table restarts the table.
 */
export interface RowBatch {
  rows: Row[];
  resumeKey?: Value[];
}

export interface ReadOptions {
  /** Start after this position (a `resumeKey` from an earlier batch). */
  after?: Value[];
  /** Rows per batch. */
  batchRows: number;
}

/** The reading side of an endpoint: a consistent snapshot of a dataset. */
export interface DatasetReader {
  /** What the endpoint is, with any password removed: `postgres://postgres@127.0.0.1:5432/app`. */
  readonly description: string;
  /** `sqlite`, `postgres`, `mysql`, `backup`… */
  readonly engine: string;
  /**
   * The engine whose SQL spells this dataset's CHECK expressions and engine-specific defaults, when it is not
   * `engine` (a backup: the engine it was made from).
   */
  readonly sqlEngine?: string;
  /** The server or library version (`PostgreSQL 15.4`, `SQLite 3.45.1`, `MariaDB 10.11.6`). */
  serverVersion(): Promise<string>;
  /** Every table of the dataset (the caller selects), plus what the reader saw but cannot carry. */
  readSchema(): Promise<Schema>;
  countRows(table: TableSchema): Promise<number>;
  /** The rows in key order, batch by batch; the reader keeps memory bounded by the batch size. */
  readRows(table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch>;
  close(): Promise<void>;
}

/** A row the target cannot hold, with why; it goes to the table's reject file. */
export interface RejectedRow {
  row: Row;
  reason: string;
  column?: string;
}

/** Progress a writer records in the same transaction as a batch (see DESIGN.md "Checkpoints and resume"). */
export interface CheckpointWrite {
  runId: string;
  table: string;
  /**
   * The text of the table's progress (resume key, counts, partial digest), computed inside the batch's
   * transaction once the rows the target refused are known, and committed with the batch. The call may also
   * record those rows elsewhere (the reject file), so it must be called exactly once, before COMMIT.
   */
  state: (refused: RejectedRow[]) => string;
}

/** What a writer can do, declared so that the run adapts to it without asking which engine it is. */
export interface WriterCapabilities {
  /** DDL can be rolled back (PostgreSQL, SQLite); MySQL commits DDL implicitly. */
  transactionalDdl: boolean;
  /** The longest table, column, index or constraint name the target accepts. */
  maxIdentifierLength: number;
}

/** The writing side of an endpoint. Tables are created bare, filled, then given their indexes and constraints. */
export interface DatasetWriter {
  readonly description: string;
  readonly engine: string;
  readonly limits: ValueLimits;
  readonly capabilities: WriterCapabilities;
  serverVersion(): Promise<string>;
  /**
   * Takes the target's run lock, so that two runs never write into one target at once; throws
   * FerryError('refused') when another live run holds it. Released by close(), and by the death of the process
   * (a lock of a dead run is taken over).
   */
  lock(): Promise<void>;
  /** The checkpoints a run has committed in this target: table name → state text (empty when none). */
  readCheckpoints(runId: string): Promise<Map<string, string>>;
  /** Removes a run's checkpoints, and ferry's checkpoint table once it holds no other run's. */
  clearCheckpoints(runId: string): Promise<void>;
  /** Deletes every row of a table: a table without a key restarts from its first row after an interruption. */
  truncateTable(table: TableSchema): Promise<void>;
  /** Which of these tables already exist in the target. */
  existingTables(names: string[]): Promise<string[]>;
  dropTables(names: string[]): Promise<void>;
  /** Creates the tables with their columns and primary keys only (indexes and constraints come after the data). */
  createTables(tables: TableSchema[]): Promise<void>;
  /**
   * Writes rows (already conformed to the table's types) and, when given, the checkpoint, in one transaction:
   * when this resolves, both are committed. Rows the engine refuses despite conformance are returned, not thrown.
   */
  writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]>;
  /**
   * After a table's data: its indexes, unique constraints and identity/sequence next value. Idempotent: what
   * already exists (by name) is skipped, so a resumed run can finish a table whose finishing was interrupted.
   */
  finishTable(table: TableSchema): Promise<void>;
  /** What of these tables this target will not create as declared (defaults it cannot spell…). */
  notCarried?(tables: TableSchema[]): NotCarried[];
  /** After all tables: foreign keys and checks. Idempotent like finishTable. */
  finishSchema(tables: TableSchema[]): Promise<void>;
  close(): Promise<void>;
}
