import type { BulkTextFormat, JsonLinesFormat } from './bulk-text.js';
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
  /**
   * Stop after this position, included: the rows of one earlier batch, read again. Readers that offer
   * {@link DatasetReader.readBulkText} honour it (a batch whose text the target refused is written again as rows).
   */
  until?: Value[];
  /** Rows per batch. */
  batchRows: number;
}

/**
 * One batch of a table whose rows the source formatted itself as bulk text (core/bulk-text.ts). The batch covers
 * every row after the previous batch's resumeKey up to its own, in key order: the lines, plus the rows the source
 * could not vouch for, which take the value path (conformance, rejects).
 */
export interface BulkTextBatch {
  /** The lines, in pieces of some hundred kilobytes. */
  chunks: Buffer[];
  /** How many lines the chunks hold. */
  lines: number;
  /** The batch's other rows, read as readRows reads them. */
  rows: Row[];
  /** The key of the batch's last row (either kind): where the next batch starts. */
  resumeKey: Value[];
  /**
   * Called once the writer is done with the chunks (the batch is written, or refused and about to be sent as
   * values): a reader that offers it uses their memory again for later batches. Never called while a chunk is used.
   */
  release?(): void;
}

/** What a writer loads as bulk text into one table, and the values it needs as rows instead. */
export interface BulkTextLoad {
  format: BulkTextFormat | JsonLinesFormat;
  /**
   * The writer records each table's digest (a backup's manifest), which only the value path computes, since no value
   * of a line is seen: the run then sends text only when it computes no digest (without verification).
   */
  recordsDigest?: boolean;
  /** The most bytes of text in one batch, when the writer holds a batch more than once while writing it. */
  batchBytes?: number;
  /**
   * Have the text made on a thread of its own, where the reader can (a restore of a large table): this loader stalls
   * whenever the thread that feeds it is busy. It costs a second V8 heap (30–50 MB), so a loader that does not
   * stall leaves it unset.
   */
  textOffThread?: boolean;
  /** Columns whose value 0 the loader would not keep: a row with 0 there goes as values. */
  zeroUnsafe?: string[];
  /** A text or binary value longer than this many bytes goes as values (the writer's limit for one row). */
  maxValueBytes?: number;
  /** Decimal columns of no declared precision that the target holds only within these bounds: others go as values. */
  decimalBounds?: Record<string, { precision: number; scale: number }>;
  /**
   * The loader refuses any JSON text that conformance would refuse (its JSON grammar is JSON.parse's), so a source
   * need not check it: a refused batch goes by values.
   */
  checksJson?: boolean;
}

export interface BulkTextRequest {
  load: BulkTextLoad;
  /** What the target holds beyond its types: a value it cannot hold is never formatted, it goes as values. */
  limits: ValueLimits;
  /** Start after this position (a `resumeKey` from an earlier batch). */
  after?: Value[];
  /** Rows per batch at most. */
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
  /**
   * The rows as bulk text formatted by the source engine (engines/sql/bulk-text.ts), where every line is exactly
   * what conformance and the writer's encoder would make of the row; undefined when this reader cannot format this
   * table for that writer (it is then read by readRows). Batches follow the table's key, so they resume like
   * readRows' batches.
   */
  readBulkText?(table: TableSchema, request: BulkTextRequest): AsyncIterable<BulkTextBatch> | undefined;
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
  /**
   * finishTable may run while the next table is written (it has a connection of its own): a table's indexes are
   * built while the next one loads.
   */
  finishesAlongside?: boolean;
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
  /**
   * Creates the tables with their columns and primary keys only (indexes and constraints come after the data). A
   * writer that builds a primary key faster once the data is in (PostgreSQL) may leave out the keys of the tables
   * in `keysAfterData`, whose rows cannot share a key (see conformsOneToOne), and build them in finishTable.
   */
  createTables(tables: TableSchema[], options?: { keysAfterData?: ReadonlySet<string> }): Promise<void>;
  /**
   * Writes rows (already conformed to the table's types) and, when given, the checkpoint, in one transaction:
   * when this resolves, both are committed. Rows the engine refuses despite conformance are returned, not thrown.
   */
  writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]>;
  /** The bulk text this writer loads into the table, when it loads one (then it offers writeBulkText). */
  bulkTextLoad?(table: TableSchema): BulkTextLoad | undefined;
  /**
   * Loads a batch's lines, then its other rows (conformed), then the checkpoint, in one transaction, and resolves
   * the rows the target refused. When the target refuses the text itself (a value it will not take, which the text
   * cannot say which), it writes nothing and resolves undefined: the caller then writes the batch as rows.
   */
  writeBulkText?(table: TableSchema, text: BulkTextBatch, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[] | undefined>;
  /**
   * After a table's data: its indexes, unique constraints and identity/sequence next value. Idempotent: what
   * already exists (by name) is skipped, so a resumed run can finish a table whose finishing was interrupted.
   * `alongsideCopy`: the next table is being copied meanwhile (finishesAlongside), so the cores are not free.
   */
  finishTable(table: TableSchema, options?: { alongsideCopy?: boolean }): Promise<void>;
  /** What of these tables this target will not create as declared (defaults it cannot spell…). */
  notCarried?(tables: TableSchema[]): NotCarried[];
  /** After all tables: foreign keys and checks. Idempotent like finishTable. */
  finishSchema(tables: TableSchema[]): Promise<void>;
  close(): Promise<void>;
}
