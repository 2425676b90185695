import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ValueLimits } from '../../core/conform.js';
import type { CheckpointWrite, DatasetWriter, RejectedRow, WriterCapabilities } from '../../core/dataset.js';
import { FerryError, safeMessage } from '../../core/errors.js';
import type { TableSchema } from '../../core/schema.js';
import type { Row } from '../../core/values.js';
import type { WriterOptions } from '../engine.js';
import { checkIdentifiers, constraintSql, createTableSql, indexSql } from '../sql/ddl.js';
import { connectCreating, parsePgUrl, pgSecrets, pgServerVersion, useSchema, type PgEndpoint } from './connect.js';
import { pgDialect } from './dialect.js';
import { CHECKPOINT_TABLE } from './introspect.js';
import { createEnumSql, enumTypeName, quotePg as q } from './types.js';
import { copyLine } from './values.js';

/** Bytes of COPY text handed to the stream at a time: large enough to amortise, small enough to stay bounded. */
const COPY_CHUNK = 64 * 1024;

/**
 * Writes into one schema of a PostgreSQL database with `COPY … FROM STDIN`, one transaction per batch (the batch
 * and its checkpoint commit together). Tables are created bare, then given their indexes, identity positions and,
 * once every table is loaded, their foreign keys and checks, as pg_restore does.
 *
 * One connection does everything, so operations are serialised: two batches never share a transaction.
 */
export class PgWriter implements DatasetWriter {
  readonly engine = 'postgres';
  readonly description: string;
  // text cannot hold U+0000; real takes NaN and ±Infinity.
  readonly limits: ValueLimits = { textAllowsNul: false, realAllowsSpecials: true };
  readonly capabilities: WriterCapabilities = { transactionalDdl: true, maxIdentifierLength: pgDialect.maxIdentifierLength };
  private checkpointTableReady = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: pg.Client,
    private readonly endpoint: PgEndpoint,
  ) {
    this.description = endpoint.description;
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
    return this.exclusive(() => pgServerVersion(this.client));
  }

  existingTables(names: string[]): Promise<string[]> {
    return this.exclusive(async () => {
      const r = await this.client.query<{ name: string }>(
        `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`,
        [this.endpoint.schema, names],
      );
      const present = new Set(r.rows.map((row) => row.name));
      return names.filter((n) => present.has(n));
    });
  }

  /** Drops the tables (CASCADE: views and foreign keys on them go too) and the enum types ferry made for them. */
  dropTables(names: string[]): Promise<void> {
    if (names.length === 0) return Promise.resolve();
    return this.transaction('cannot drop the tables', async () => {
      const r = await this.client.query<{ table: string; column: string; type: string }>(
        `SELECT c.relname::text AS table, a.attname::text AS column, t.typname::text AS type
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_type t ON t.oid = a.atttypid
         WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND t.typtype = 'e' AND a.attnum > 0 AND NOT a.attisdropped`,
        [this.endpoint.schema, names],
      );
      // Only the types named as ferry names them: a user's own enum type may serve other tables.
      const ours = [...new Set(r.rows.filter((x) => x.type === enumTypeName(x.table, x.column)).map((x) => x.type))];
      await this.client.query(`DROP TABLE IF EXISTS ${names.map(q).join(', ')} CASCADE`);
      if (ours.length > 0) await this.client.query(`DROP TYPE IF EXISTS ${ours.map(q).join(', ')}`);
    });
  }

  /** Creates the enum types, then the bare tables, all in one transaction: all of them or none. */
  createTables(tables: TableSchema[]): Promise<void> {
    checkIdentifiers(pgDialect, tables);
    return this.transaction('cannot create the tables', async () => {
      for (const t of tables) {
        for (const c of t.columns) {
          const sql = createEnumSql(t.name, c);
          if (sql) await this.client.query(sql);
        }
      }
      for (const t of tables) await this.client.query(createTableSql(pgDialect, t));
    });
  }

  /**
   * COPY the rows and upsert the checkpoint in one transaction. When the server refuses the COPY for a value
   * (a data or constraint error), the batch is retried row by row, each under its own savepoint, so that the good
   * rows and the checkpoint are committed and only the refused rows come back, each with the server's reason.
   */
  writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    const copySql = `COPY ${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}) FROM STDIN`;
    return this.transaction(`cannot write a batch into ${table.name}`, async () => {
      let rejected: RejectedRow[] = [];
      if (rows.length > 0) {
        await this.client.query('SAVEPOINT ferry_batch');
        try {
          await this.copy(copySql, rows);
        } catch (e) {
          if (!isRowError(e)) throw e;
          await this.client.query('ROLLBACK TO SAVEPOINT ferry_batch');
          rejected = await this.rowByRow(copySql, rows);
        }
      }
      if (checkpoint) await this.saveCheckpoint(checkpoint);
      return rejected;
    }).then((rejected) => {
      if (checkpoint) this.checkpointTableReady = true;
      return rejected;
    });
  }

  /** Unique constraints and indexes, ANALYZE for the planner, then each identity column's next value = max + 1. */
  finishTable(table: TableSchema): Promise<void> {
    return this.transaction(`cannot finish ${table.name}`, async () => {
      for (const sql of indexSql(pgDialect, table)) await this.client.query(sql);
      await this.client.query(`ANALYZE ${q(table.name)}`);
      for (const c of table.columns.filter((col) => col.identity)) {
        const col = q(c.name);
        // Below 1 (empty table, or only ids ≤ 0) the sequence starts at 1, its default minimum.
        await this.client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE(max(${col}), 1), 1), COALESCE(max(${col}), 0) >= 1) FROM ${q(table.name)}`,
          [q(table.name), c.name],
        );
      }
    });
  }

  /** Foreign keys and checks of every table, in one transaction, once all the data is in. */
  finishSchema(tables: TableSchema[]): Promise<void> {
    return this.transaction('cannot add the foreign keys and checks', async () => {
      for (const t of tables) for (const sql of constraintSql(pgDialect, t)) await this.client.query(sql);
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    await this.client.end().catch(() => {});
  }

  /** Streams the rows into COPY, respecting backpressure (pipeline), resolving when the server has them all. */
  private async copy(sql: string, rows: Row[]): Promise<void> {
    function* chunks(): Generator<Buffer> {
      let text = '';
      for (const row of rows) {
        text += copyLine(row);
        if (text.length >= COPY_CHUNK) {
          yield Buffer.from(text, 'utf8');
          text = '';
        }
      }
      if (text.length > 0) yield Buffer.from(text, 'utf8');
    }
    await pipeline(Readable.from(chunks()), this.client.query(copyFrom(sql)));
  }

  private async rowByRow(copySql: string, rows: Row[]): Promise<RejectedRow[]> {
    const rejected: RejectedRow[] = [];
    for (const row of rows) {
      await this.client.query('SAVEPOINT ferry_row');
      try {
        await this.copy(copySql, [row]);
        await this.client.query('RELEASE SAVEPOINT ferry_row');
      } catch (e) {
        if (!isRowError(e)) throw e;
        await this.client.query('ROLLBACK TO SAVEPOINT ferry_row');
        const err = e as { detail?: string; column?: string };
        const reason = safeMessage(e) + (err.detail ? ` (${err.detail.slice(0, 300)})` : '');
        rejected.push(err.column ? { row, reason, column: err.column } : { row, reason });
      }
    }
    return rejected;
  }

  private async saveCheckpoint(cp: CheckpointWrite): Promise<void> {
    const t = q(CHECKPOINT_TABLE);
    if (!this.checkpointTableReady) {
      await this.client.query(
        `CREATE TABLE IF NOT EXISTS ${t} (run_id text NOT NULL, table_name text NOT NULL, state text NOT NULL, ` +
          'updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, table_name))',
      );
    }
    await this.client.query(
      `INSERT INTO ${t} (run_id, table_name, state) VALUES ($1, $2, $3) ` +
        'ON CONFLICT (run_id, table_name) DO UPDATE SET state = EXCLUDED.state, updated_at = now()',
      [cp.runId, cp.table, cp.state],
    );
  }

  /** Runs `work` in one transaction, after every earlier operation of this writer has finished. */
  private transaction<T>(what: string, work: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.client.query('BEGIN');
      try {
        const result = await work();
        await this.client.query('COMMIT');
        return result;
      } catch (e) {
        await this.client.query('ROLLBACK').catch(() => {});
        if (e instanceof FerryError) throw e;
        throw new FerryError('failed', `${this.description}: ${what}: ${safeMessage(e, pgSecrets(this.endpoint))}`, { cause: e });
      }
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }
}

/** Errors that belong to one row's values (SQLSTATE classes 22 data exception, 23 integrity violation, 54000). */
function isRowError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === '54000');
}
