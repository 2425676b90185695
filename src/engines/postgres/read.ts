import type pg from 'pg';
import type { BulkTextBatch, BulkTextRequest, DatasetReader, ReadOptions, RowBatch } from '../../core/dataset.js';
import { FerryError } from '../../core/errors.js';
import { BatchSizer } from '../../core/batch-size.js';
import { keyColumns, type Schema, type TableSchema } from '../../core/schema.js';
import type { Row, Value } from '../../core/values.js';
import type { ReaderOptions } from '../engine.js';
import { bulkTextBatches, lineSql, type BulkTextSource } from '../sql/bulk-text.js';
import { pgBulkText } from './bulk-text.js';
import { connectPg, pgServerVersion, useSchema } from './connect.js';
import { parsePgUrl, type PgEndpoint } from './endpoint.js';
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
  /** The introspection once it has arrived (readBulkText decides synchronously). */
  private introspected?: Introspection;
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
      yield* this.readByCursor(`SELECT ${selectList} FROM ${from}`, new BatchSizer(options.batchRows));
      return;
    }
    const keyIndexes = key.map((k) => table.columns.findIndex((c) => c.name === k));
    const until = options.until?.map(asParameter) ?? [];
    const sizer = new BatchSizer(options.batchRows);
    let after = options.after;
    for (;;) {
      const range = keyRange(key, after !== undefined, options.until !== undefined);
      const limit = sizer.next();
      const sql = `SELECT ${selectList} FROM ${from}${range} ORDER BY ${key.map(q).join(', ')} LIMIT ${limit}`;
      const values = [...(after?.map(asParameter) ?? []), ...until];
      const r = await this.exclusive(() => this.client.query<Row>({ text: sql, values, rowMode: 'array' }));
      if (r.rows.length === 0) return;
      const last = r.rows[r.rows.length - 1]!;
      after = keyIndexes.map((i) => last[i]!);
      sizer.observe(r.rows);
      yield { rows: r.rows, resumeKey: after };
      if (r.rows.length < limit) return;
    }
  }

  /**
   * Bulk text formatted by the server (postgres/bulk-text.ts), for tables read by key. Each chunk is a query for
   * where it ends (a walk of the key's index) and one for its lines as a single text; only when some rows were not
   * formatted, a third reads them as values.
   */
  readBulkText(table: TableSchema, request: BulkTextRequest): AsyncIterable<BulkTextBatch> | undefined {
    const key = keyColumns(table);
    // How each column is read is known once the schema has been read (it has, before any copy).
    const reading = this.introspected?.reading.get(table.name);
    const sql = key && reading && lineSql(pgBulkText(reading.asText), table, q, request);
    if (!key || !reading || !sql) return undefined;
    const from = `${reading.only ? 'ONLY ' : ''}${q(table.name)}`;
    const order = key.map(q).join(', ');
    const keys = key.map(q).join(', ');
    const params = (...keys: (Value[] | undefined)[]) => keys.flatMap((k) => k?.map(asParameter) ?? []);
    const query = (text: string, values: unknown[]) =>
      this.exclusive(() => this.client.query<Value[]>({ text, values, rowMode: 'array' })).then((r) => r.rows);
    const source: BulkTextSource = {
      chunkBytes: 2 * 1024 * 1024,
      chunk: async (after, rows) => {
        const where = keyRange(key, after !== undefined, false);
        let [end] = await query(`SELECT ${keys} FROM ${from}${where} ORDER BY ${order} LIMIT 1 OFFSET ${rows - 1}`, params(after));
        const full = end !== undefined;
        if (!end) {
          const desc = key.map((k) => `${q(k)} DESC`).join(', ');
          [end] = await query(`SELECT ${keys} FROM ${from}${where} ORDER BY ${desc} LIMIT 1`, params(after));
          if (!end) return { text: Buffer.alloc(0), lines: 0, rows: 0 };
        }
        // OFFSET 0 keeps the line computed once per row (the subquery is not pulled up into both aggregates).
        const range = keyRange(key, after !== undefined, true);
        const [[text, count, lines]] = (await query(
          `SELECT string_agg(l, ''), count(*), count(l) FROM (SELECT CASE WHEN ${sql.clean} THEN ${sql.line} END AS l FROM ${from}${range} OFFSET 0) s`,
          params(after, end),
        )) as [[string | null, string, string]];
        const covered = Number(count);
        return { text: Buffer.from(text ?? '', 'utf8'), lines: Number(lines), rows: full ? rows : covered, end };
      },
      otherRows: async (after, until) => {
        const selectList = table.columns.map((c) => (reading.asText.has(c.name) ? `${q(c.name)}::text` : q(c.name))).join(', ');
        const range = keyRange(key, after !== undefined, true);
        return (await query(
          `SELECT ${selectList} FROM ${from}${range} AND NOT ${sql.clean} ORDER BY ${order}`,
          params(after, until),
        )) as Row[];
      },
    };
    return bulkTextBatches(source, request);
  }

  private async *readByCursor(select: string, sizer: BatchSizer): AsyncIterable<RowBatch> {
    // Several tables may be read at once through this one client: each gets its own cursor.
    const cursor = `ferry_cursor_${++this.cursors}`;
    await this.exclusive(() => this.client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${select}`));
    try {
      for (;;) {
        const limit = sizer.next();
        const r = await this.exclusive(() => this.client.query<Row>({ text: `FETCH FORWARD ${limit} FROM ${cursor}`, rowMode: 'array' }));
        sizer.observe(r.rows);
        if (r.rows.length > 0) yield { rows: r.rows };
        if (r.rows.length < limit) return;
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
    this.introspection ??= this.exclusive(() => introspectPg(this.client, this.endpoint.schema, this.options.tables)).then((done) => {
      this.introspected = done;
      return done;
    });
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

/**
 * The WHERE clause of a key range, with its parameters in order: after the first position (when `after`), up to the
 * second, included (when `until`); ` WHERE true` for the whole table. Row comparisons use the key's index.
 */
function keyRange(key: string[], after: boolean, until: boolean): string {
  const tuple = `(${key.map(q).join(', ')})`;
  const params = (from: number) => `(${key.map((_, i) => `$${from + i + 1}`).join(', ')})`;
  const parts = [...(after ? [`${tuple} > ${params(0)}`] : []), ...(until ? [`${tuple} <= ${params(after ? key.length : 0)}`] : [])];
  return ` WHERE ${parts.length > 0 ? parts.join(' AND ') : 'true'}`;
}
