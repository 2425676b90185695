import type pg from 'pg';
import type { DatasetReader, ReadOptions, RowBatch } from '../../core/dataset.js';
import { FerryError } from '../../core/errors.js';
import { keyColumns, type Schema, type TableSchema } from '../../core/schema.js';
import type { Row } from '../../core/values.js';
import type { ReaderOptions } from '../engine.js';
import { keysetSelectSql } from '../sql/ddl.js';
import { connectPg, parsePgUrl, pgServerVersion, useSchema, type PgEndpoint } from './connect.js';
import { pgDialect } from './dialect.js';
import { introspectPg, type Introspection, type TableReading } from './introspect.js';
import { quotePg as q } from './types.js';
import { READ_TYPES, asParameter } from './values.js';

/**
 * Reads one schema of a PostgreSQL database inside ONE transaction, `REPEATABLE READ READ ONLY`: every table comes
 * from the same snapshot, even of a running application, and the source cannot be written by mistake.
 *
 * Rows are paged by keyset on the table's key (never OFFSET). A table with no usable key is read through a cursor
 * in the same transaction: one sequential scan, batch by batch. Paging such a table by ctid would also work
 * inside the snapshot, but a ctid means nothing in another snapshot, so it could not resume a later run anyway,
 * and before PostgreSQL 14 each `ctid > $1` page is a full scan.
 */
export class PgReader implements DatasetReader {
  readonly engine = 'postgres';
  readonly description: string;
  private introspection?: Promise<Introspection>;
  private cursors = 0;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly client: pg.Client,
    private readonly endpoint: PgEndpoint,
    private readonly options: ReaderOptions,
  ) {
    this.description = endpoint.description;
  }

  /** Connects and takes the snapshot. */
  static async open(endpoint: string, options: ReaderOptions): Promise<PgReader> {
    const ep = parsePgUrl(endpoint);
    const client = await connectPg(ep, READ_TYPES);
    try {
      await useSchema(client, ep, false);
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      // The snapshot is taken by the transaction's first query, not by BEGIN: take it now.
      await client.query('SELECT 1');
    } catch (e) {
      await client.end().catch(() => {});
      throw e;
    }
    return new PgReader(client, ep, options);
  }

  serverVersion(): Promise<string> {
    return this.exclusive(() => pgServerVersion(this.client));
  }

  async readSchema(): Promise<Schema> {
    return (await this.introspect()).schema;
  }

  async countRows(table: TableSchema): Promise<number> {
    const from = await this.from(table);
    const r = await this.exclusive(() => this.client.query({ text: `SELECT count(*) FROM ${from}`, rowMode: 'array' }));
    return Number((r.rows[0] as unknown[])[0]);
  }

  async *readRows(table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch> {
    const reading = await this.reading(table);
    const selectList = table.columns.map((c) => (reading.asText.has(c.name) ? `${q(c.name)}::text` : q(c.name))).join(', ');
    const from = await this.from(table);
    const key = keyColumns(table);
    if (!key) {
      if (options.after) {
        throw new FerryError('failed', `table ${table.name} has no key to resume from`, { hint: 'restart the table from its first row' });
      }
      yield* this.readByCursor(`SELECT ${selectList} FROM ${from}`, options.batchRows);
      return;
    }
    const keyIndexes = key.map((k) => table.columns.findIndex((c) => c.name === k));
    let after = options.after;
    for (;;) {
      // The shared builder reads FROM "t"; add ONLY (a function replacement: names may hold `$`).
      const sql = keysetSelectSql(pgDialect, table, selectList, key, after !== undefined, options.batchRows).replace(
        `SELECT ${selectList} FROM ${q(table.name)}`,
        () => `SELECT ${selectList} FROM ${from}`,
      );
      const values = after?.map(asParameter);
      const r = await this.exclusive(() => this.client.query<Row>({ text: sql, values, rowMode: 'array' }));
      if (r.rows.length === 0) return;
      const last = r.rows[r.rows.length - 1]!;
      after = keyIndexes.map((i) => last[i]!);
      yield { rows: r.rows, resumeKey: after };
      if (r.rows.length < options.batchRows) return;
    }
  }

  private async *readByCursor(select: string, batchRows: number): AsyncIterable<RowBatch> {
    // Several tables may be read at once through this one client: each gets its own cursor.
    const cursor = `ferry_cursor_${++this.cursors}`;
    await this.exclusive(() => this.client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${select}`));
    try {
      for (;;) {
        const r = await this.exclusive(() =>
          this.client.query<Row>({ text: `FETCH FORWARD ${batchRows} FROM ${cursor}`, rowMode: 'array' }),
        );
        if (r.rows.length > 0) yield { rows: r.rows };
        if (r.rows.length < batchRows) return;
      }
    } finally {
      await this.exclusive(() => this.client.query(`CLOSE ${cursor}`)).catch(() => {});
    }
  }

  /** `ONLY "t"` except for a partitioned table, whose rows are all in its partitions. */
  private async from(table: TableSchema): Promise<string> {
    return `${(await this.reading(table)).only ? 'ONLY ' : ''}${q(table.name)}`;
  }

  private async reading(table: TableSchema): Promise<TableReading> {
    const known = (await this.introspect()).reading.get(table.name);
    if (known) return known;
    // A table outside the reader's filter: introspect it alone rather than guess how to read it.
    const alone = await this.exclusive(() => introspectPg(this.client, this.endpoint.schema, (name) => name === table.name));
    return alone.reading.get(table.name) ?? { only: true, asText: new Set() };
  }

  private introspect(): Promise<Introspection> {
    this.introspection ??= this.exclusive(() => introspectPg(this.client, this.endpoint.schema, this.options.tables));
    return this.introspection;
  }

  /**
   * Runs `work` after every earlier query of this reader: tables may be read concurrently, but a pg client runs
   * one query at a time (and pg 9 will refuse to queue them itself).
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    await this.client.query('ROLLBACK').catch(() => {});
    await this.client.end().catch(() => {});
  }
}
