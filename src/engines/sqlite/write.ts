import type Database from 'better-sqlite3';
import type { ValueLimits } from '../../core/conform.js';
import { FerryError } from '../../core/errors.js';
import type { CheckpointWrite, DatasetWriter, RejectedRow, WriterCapabilities } from '../../core/dataset.js';
import type { NotCarried, TableSchema } from '../../core/schema.js';
import type { Row, Value } from '../../core/values.js';
import type { WriterOptions } from '../engine.js';
import { checkIdentifiers, createTableSql, indexSql, notCarriedDefaults } from '../sql/ddl.js';
import { openWritable, sqlitePath } from './connect.js';
import { sqliteDialect } from './dialect.js';
import { FileLock } from '../../core/file-lock.js';
import { quoteSqlite as q } from './types.js';

const CHECKPOINT_TABLE = '_ferry_checkpoint';

/**
 * Writes into an SQLite file with prepared statements inside one transaction per batch (SQLite's fastest path).
 * The file is in WAL mode while ferry writes, so a commit is durable against a killed process without an fsync
 * per batch; it is put back into the default rollback journal when the writer closes, leaving one file.
 */
export class SqliteWriter implements DatasetWriter {
  readonly engine = 'sqlite';
  readonly description: string;
  // NaN cannot be stored: SQLite turns it into NULL.
  readonly limits: ValueLimits = { textAllowsNul: true, realAllowsSpecials: false };
  readonly capabilities: WriterCapabilities = { transactionalDdl: true, maxIdentifierLength: sqliteDialect.maxIdentifierLength };
  private readonly db: Database.Database;
  private readonly inserts = new Map<string, Database.Statement>();
  private readonly runLock: FileLock;

  constructor(endpoint: string, options: WriterOptions) {
    this.description = `sqlite:${sqlitePath(endpoint)}`;
    this.runLock = new FileLock(`${sqlitePath(endpoint)}.ferry-lock`, 'into this database');
    this.db = openWritable(endpoint, options.create ?? true);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = OFF');
    } catch (e) {
      this.db.close();
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
      throw new FerryError('refused', `${sqlitePath(endpoint)} is locked by another process`, {
        hint: 'stop the application (or the other run) that is using it, then run ferry again',
        cause: e,
      });
    }
  }

  async serverVersion(): Promise<string> {
    return `SQLite ${(this.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}`;
  }

  async existingTables(names: string[]): Promise<string[]> {
    const rows = this.db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as { name: string }[];
    const present = new Set(rows.map((r) => r.name));
    return names.filter((n) => present.has(n));
  }

  async dropTables(names: string[]): Promise<void> {
    this.db.transaction(() => {
      for (const n of names) this.db.exec(`DROP TABLE IF EXISTS ${q(n)}`);
    })();
  }

  async createTables(tables: TableSchema[]): Promise<void> {
    checkIdentifiers(sqliteDialect, tables);
    this.db.transaction(() => {
      for (const t of tables) this.db.exec(createTableSql(sqliteDialect, t));
    })();
  }

  async writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    const insert = this.insertFor(table);
    const saveCheckpoint = checkpoint ? this.checkpointStatement() : undefined;
    const rejected: RejectedRow[] = [];
    this.db.transaction(() => {
      for (const row of rows) {
        try {
          insert.run(row.map(bindable));
        } catch (e) {
          // A failed INSERT undoes only itself inside the transaction, so the batch goes on without the row.
          rejected.push({ row, reason: (e as Error).message });
        }
      }
      if (checkpoint && saveCheckpoint) saveCheckpoint.run(checkpoint.runId, checkpoint.table, checkpoint.state(rejected));
    })();
    return rejected;
  }

  async lock(): Promise<void> {
    this.runLock.acquire();
  }

  async readCheckpoints(runId: string): Promise<Map<string, string>> {
    if (!this.hasCheckpointTable()) return new Map();
    const rows = this.db.prepare(`SELECT table_name, state FROM ${CHECKPOINT_TABLE} WHERE run_id = ?`).all(runId) as {
      table_name: string;
      state: string;
    }[];
    return new Map(rows.map((r) => [r.table_name, r.state]));
  }

  async clearCheckpoints(runId: string): Promise<void> {
    if (!this.hasCheckpointTable()) return;
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM ${CHECKPOINT_TABLE} WHERE run_id = ?`).run(runId);
      const left = this.db.prepare(`SELECT count(*) AS n FROM ${CHECKPOINT_TABLE}`).get() as { n: number };
      if (left.n === 0) this.db.exec(`DROP TABLE ${CHECKPOINT_TABLE}`);
    })();
  }

  async truncateTable(table: TableSchema): Promise<void> {
    this.db.exec(`DELETE FROM ${q(table.name)}`);
  }

  async finishTable(table: TableSchema): Promise<void> {
    const existing = new Set(
      (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").all(table.name) as { name: string }[]).map(
        (r) => r.name,
      ),
    );
    this.db.transaction(() => {
      for (const sql of indexSql(sqliteDialect, table, existing)) this.db.exec(sql);
    })();
  }

  notCarried(tables: TableSchema[]): NotCarried[] {
    return tables.flatMap((t) => notCarriedDefaults(sqliteDialect, t));
  }

  async finishSchema(): Promise<void> {
    // Foreign keys and checks were declared in CREATE TABLE: SQLite cannot add them later.
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    try {
      this.db.pragma('journal_mode = DELETE');
    } finally {
      this.db.close();
      this.runLock.release();
    }
  }

  private hasCheckpointTable(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(CHECKPOINT_TABLE) !== undefined;
  }

  private insertFor(table: TableSchema): Database.Statement {
    let stmt = this.inserts.get(table.name);
    if (!stmt) {
      const cols = table.columns.map((c) => q(c.name)).join(', ');
      stmt = this.db.prepare(`INSERT INTO ${q(table.name)} (${cols}) VALUES (${table.columns.map(() => '?').join(', ')})`);
      this.inserts.set(table.name, stmt);
    }
    return stmt;
  }

  private checkpointStatement(): Database.Statement {
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (run_id TEXT NOT NULL, table_name TEXT NOT NULL, state TEXT NOT NULL, ` +
        `updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (run_id, table_name))`,
    );
    return this.db.prepare(
      `INSERT INTO ${CHECKPOINT_TABLE} (run_id, table_name, state) VALUES (?, ?, ?) ` +
        'ON CONFLICT (run_id, table_name) DO UPDATE SET state = excluded.state, updated_at = CURRENT_TIMESTAMP',
    );
  }
}

/** better-sqlite3 binds numbers, bigints, strings, Buffers and null; booleans are stored as 1 and 0. */
function bindable(v: Value): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
