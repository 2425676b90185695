import type pg from 'pg';
import type { ValueLimits } from '../../core/conform.js';
import type { BulkTextBatch, BulkTextLoad, CheckpointWrite, DatasetWriter, RejectedRow, WriterCapabilities } from '../../core/dataset.js';
import type { NotCarried, TableSchema } from '../../core/schema.js';
import type { Row } from '../../core/values.js';
import type { WriterOptions } from '../engine.js';
import { checkIdentifiers, constraintSql, createTableSql, indexSql, notCarriedDefaults, primaryKeyClause } from '../sql/ddl.js';
import { clearCheckpoints, ensureCheckpointTable, readCheckpoints, saveCheckpoint, takeRunLock } from './bookkeeping.js';
import { connectCreating, connectPg, pgServerVersion, useSchema } from './connect.js';
import { parsePgUrl, type PgEndpoint } from './endpoint.js';
import { copyRows, copyText, COPY_FORMAT } from './copy.js';
import { pgDialect } from './dialect.js';
import { GIVE_UP, PgSession } from './session.js';
import { createEnumSql, enumTypeName, quotePg as q } from './types.js';

/**
 * Writes into one schema of a PostgreSQL database with `COPY … FROM STDIN`, one transaction per batch (the batch
 * and its checkpoint commit together). Tables are created bare, then given their indexes, identity positions and,
 * once every table is loaded, their foreign keys and checks, as pg_restore does.
 *
 * One connection does everything but finishing tables (it also holds the run lock), so its operations are
 * serialised: two batches never share a transaction, whatever the caller's concurrency. Tables are finished on a
 * second connection, so that a table's indexes are built while the next table is written.
 */
export class PgWriter implements DatasetWriter {
  readonly engine = 'postgres';
  readonly description: string;
  // text cannot hold U+0000; real takes NaN and ±Infinity; fractions of a second past a column's digits are rounded.
  readonly limits: ValueLimits = { textAllowsNul: false, realAllowsSpecials: true, fractionsRounded: true };
  readonly capabilities: WriterCapabilities = {
    transactionalDdl: true,
    maxIdentifierLength: pgDialect.maxIdentifierLength,
    finishesAlongside: true,
  };
  private readonly main: PgSession;
  /** The connection that finishes tables, opened when the first table is finished. */
  private finisher?: Promise<PgSession>;
  private closed = false;
  /** The checkpoint table is known to exist (a batch with a checkpoint has committed since it was last cleared). */
  private checkpointReady = false;

  private constructor(
    client: pg.Client,
    private readonly endpoint: PgEndpoint,
  ) {
    this.description = endpoint.description;
    this.main = new PgSession(client, endpoint);
  }

  /** Connects, creating the database and the schema when they do not exist and `create` allows it. */
  static async open(endpoint: string, options: WriterOptions): Promise<PgWriter> {
    const ep = parsePgUrl(endpoint);
    const create = options.create ?? true;
    const client = await connectCreating(ep, create);
    try {
      await useSchema(client, ep, create);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    return new PgWriter(client, ep);
  }

  serverVersion(): Promise<string> {
    return this.main.exclusive((c) => pgServerVersion(c));
  }

  lock(): Promise<void> {
    return this.main.exclusive((c) => takeRunLock(c, this.endpoint));
  }

  readCheckpoints(runId: string): Promise<Map<string, string>> {
    return this.main.exclusive((c) => readCheckpoints(c, runId));
  }

  async clearCheckpoints(runId: string): Promise<void> {
    await this.main.transaction('cannot clear the checkpoints', (c) => clearCheckpoints(c, runId));
    // The table may be gone with the last run's checkpoints.
    this.checkpointReady = false;
  }

  truncateTable(table: TableSchema): Promise<void> {
    return this.main.transaction(`cannot empty ${table.name}`, async (c) => {
      await c.query(`TRUNCATE TABLE ONLY ${q(table.name)}`);
    });
  }

  existingTables(names: string[]): Promise<string[]> {
    return this.main.exclusive(async (client) => {
      const r = await client.query<{ name: string }>(
        `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
        [this.endpoint.schema, names],
      );
      const present = new Set(r.rows.map((row) => row.name));
      return names.filter((n) => present.has(n));
    });
  }

  /** Drops the tables (CASCADE: views and foreign keys on them go too) and the enum types ferry made for them. */
  async dropTables(names: string[]): Promise<void> {
    if (names.length === 0) return;
    return this.main.transaction('cannot drop the tables', async (client) => {
      const r = await client.query<{ table: string; column: string; type: string }>(
        `SELECT c.relname::text AS table, a.attname::text AS column, t.typname::text AS type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_type t ON t.oid = a.atttypid
         WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND t.typtype = 'e' AND a.attnum > 0 AND NOT a.attisdropped`,
        [this.endpoint.schema, names],
      );
      // Only the types named as ferry names them: a user's own enum type may serve other tables.
      const ours = [...new Set(r.rows.filter((x) => x.type === enumTypeName(x.table, x.column)).map((x) => x.type))];
      await client.query(`DROP TABLE IF EXISTS ${names.map(q).join(', ')} CASCADE`);
      if (ours.length > 0) await client.query(`DROP TYPE IF EXISTS ${ours.map(q).join(', ')}`);
    });
  }

  /**
   * Creates the enum types, then the bare tables, all in one transaction: all of them or none. The primary keys of
   * `keysAfterData` are built after the data (finishTable), as pg_restore does: one sort instead of a B-tree
   * insertion per row.
   */
  async createTables(tables: TableSchema[], options: { keysAfterData?: ReadonlySet<string> } = {}): Promise<void> {
    checkIdentifiers(pgDialect, tables);
    return this.main.transaction('cannot create the tables', async (client) => {
      for (const t of tables) {
        for (const c of t.columns) {
          const sql = createEnumSql(t.name, c);
          if (sql) await client.query(sql);
        }
      }
      for (const t of tables) await client.query(createTableSql(pgDialect, t, { withoutPrimaryKey: options.keysAfterData?.has(t.name) }));
    });
  }

  /** Defaults PostgreSQL cannot spell, and binary length limits (bytea has none). */
  notCarried(tables: TableSchema[]): NotCarried[] {
    return tables.flatMap((t) => [
      ...notCarriedDefaults(pgDialect, t),
      ...t.columns
        .filter((c) => c.type.kind === 'binary' && c.type.length !== undefined)
        .map((c) => ({
          kind: 'type' as const,
          table: t.name,
          name: c.name,
          reason: 'bytea has no length limit: the column takes longer values',
        })),
    ]);
  }

  /**
   * COPY the rows (see copy.ts for refused rows), then the checkpoint, whose state is computed once the refused rows
   * are known, in one transaction.
   */
  async writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    return (await this.writeInTransaction(table, checkpoint, (c) => copyRows(c, table, rows)))!;
  }

  /**
   * One batch's transaction: `write` stores the rows and says which the server refused, then the checkpoint follows.
   * When `write` gives up (undefined), the transaction is rolled back: nothing of the batch is written.
   */
  private async writeInTransaction(
    table: TableSchema,
    checkpoint: CheckpointWrite | undefined,
    write: (client: pg.Client) => Promise<RejectedRow[] | undefined>,
  ): Promise<RejectedRow[] | undefined> {
    const rejected = await this.main
      .transaction(`cannot write a batch into ${table.name}`, async (client) => {
        const refused = await write(client);
        if (refused === undefined) throw GIVE_UP;
        if (checkpoint) {
          if (!this.checkpointReady) await ensureCheckpointTable(client);
          await saveCheckpoint(client, checkpoint.runId, checkpoint.table, checkpoint.state(refused));
        }
        return refused;
      })
      .catch((e: unknown) => {
        if (e === GIVE_UP) return undefined;
        throw e;
      });
    // Committed: the checkpoint table exists from now on, and later batches skip the statement that ensures it.
    if (checkpoint && rejected !== undefined) this.checkpointReady = true;
    return rejected;
  }

  /**
   * COPY's text; json input is parsed by the server as strictly as conformance parses it. Made off this thread where
   * it can be: fed from a busy thread, the backend waited about 10 ms before each batch's COPY (a restore of 2.5M
   * rows: 505 ms in all, 119 ms with the text made on another thread), and MySQL's LOAD DATA did not.
   */
  bulkTextLoad(): BulkTextLoad {
    return { format: COPY_FORMAT, checksJson: true, textOffThread: true };
  }

  /**
   * COPY the lines, then the other rows (copyRows), then the checkpoint, in one transaction; when the server refuses
   * the lines, the transaction is rolled back (nothing is written) and the caller writes the batch as rows.
   */
  async writeBulkText(
    table: TableSchema,
    text: BulkTextBatch,
    rows: Row[],
    checkpoint?: CheckpointWrite,
  ): Promise<RejectedRow[] | undefined> {
    return this.writeInTransaction(table, checkpoint, async (client) => {
      if (text.lines > 0 && !(await copyText(client, table, text.chunks))) return undefined;
      return copyRows(client, table, rows);
    });
  }

  /**
   * On the finishing connection: the primary key when it was left for after the data, unique constraints and indexes
   * (those not already there: an interrupted run may have made some), ANALYZE for the planner, then each identity
   * column's next value = max + 1. Alongside the next table's copy, an index is built by this backend alone: the
   * copy and its source keep the cores busy, and parallel sort workers only took CPU from them (a restore of 2.5M rows on
   * 2 cores: median 9.8 s with them, 9.2 s without, 7 runs each).
   */
  async finishTable(table: TableSchema, options: { alongsideCopy?: boolean } = {}): Promise<void> {
    this.finisher ??= this.openFinisher();
    const session = await this.finisher;
    return session.transaction(`cannot finish ${table.name}`, async (client) => {
      // Through pg_settings: before PostgreSQL 11 there is no such setting (and no parallel index build).
      if (options.alongsideCopy) {
        await client.query(`SELECT set_config(name, '0', true) FROM pg_settings WHERE name = 'max_parallel_maintenance_workers'`);
      }
      if (table.primaryKey) {
        const r = await client.query(`SELECT 1 FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [q(table.name)]);
        if (r.rowCount === 0) await client.query(`ALTER TABLE ${q(table.name)} ADD ${primaryKeyClause(pgDialect, table.primaryKey)}`);
      }
      const existing = await this.existingNames(client, table, true);
      for (const sql of indexSql(pgDialect, table, existing)) await client.query(sql);
      await client.query(`ANALYZE ${q(table.name)}`);
      for (const c of table.columns.filter((col) => col.identity)) {
        const col = q(c.name);
        // Below 1 (empty table, or only ids ≤ 0) the sequence starts at 1, its default minimum.
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(max(${col}), 1), 1), COALESCE(max(${col}), 0) >= 1) FROM ${q(table.name)}`,
          [q(table.name), c.name],
        );
      }
    });
  }

  /** Foreign keys and checks of every table not already there, in one transaction, once all the data is in. */
  finishSchema(tables: TableSchema[]): Promise<void> {
    return this.main.transaction('cannot add the foreign keys and checks', async (client) => {
      for (const t of tables) {
        for (const sql of constraintSql(pgDialect, t, await this.existingNames(client, t, false))) await client.query(sql);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const finisher = this.finisher?.catch(() => undefined);
    await this.main.close();
    await (await finisher)?.close();
  }

  /** A second connection to the same schema (which exists: the tables are in it). */
  private async openFinisher(): Promise<PgSession> {
    const client = await connectPg(this.endpoint);
    try {
      await useSchema(client, this.endpoint, false);
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    return new PgSession(client, this.endpoint);
  }

  /** The table's constraint names, and with `indexes` every index name of the schema (index names are schema-wide). */
  private async existingNames(client: pg.Client, table: TableSchema, indexes: boolean): Promise<Set<string>> {
    const r = await client.query<{ name: string }>(
      `SELECT conname::text AS name FROM pg_constraint WHERE conrelid = $1::regclass
       UNION SELECT c.relname::text FROM pg_class c WHERE $2 AND c.relkind IN ('i', 'I') AND c.relnamespace = $3::regnamespace`,
      [q(table.name), indexes, q(this.endpoint.schema)],
    );
    return new Set(r.rows.map((row) => row.name));
  }
}
