import type { BulkTextBatch, BulkTextRequest, DatasetReader, ReadOptions, RowBatch } from '../../core/dataset.js';
import { BatchSizer } from '../../core/batch-size.js';
import { keyColumns, type ColumnSchema, type Schema, type TableSchema } from '../../core/schema.js';
import type { Row, Value } from '../../core/values.js';
import type { ReaderOptions } from '../engine.js';
import { bulkTextBatches, lineSql, type BulkTextSource } from '../sql/bulk-text.js';
import { mysqlBulkText } from './bulk-text.js';
import { connectMysql, mysqlError, quoteIdent as q, type MysqlSession } from './connect.js';
import { parseMysqlUrl, type MysqlEndpoint } from './endpoint.js';
import { introspectMysql } from './introspect.js';
import { sqlValue } from './literals.js';
import { isSpatial } from './types.js';

/**
 * Reads a MySQL/MariaDB database as one consistent snapshot: a single connection holds one REPEATABLE READ,
 * READ ONLY transaction started WITH CONSISTENT SNAPSHOT, and every query runs in it (MySQL cannot share a
 * snapshot between connections). Tables with a key are read in keyset pages; tables without one are streamed by
 * one query, with backpressure.
 */
export class MysqlReader implements DatasetReader {
  readonly engine = 'mysql';
  readonly description: string;
  private schema?: Schema;
  /** Streams in progress: while one is suspended the connection is busy, so close() must destroy it. */
  private streaming = 0;

  private constructor(
    private readonly ep: MysqlEndpoint,
    private readonly session: MysqlSession,
    private readonly options: ReaderOptions,
  ) {
    this.description = ep.description;
  }

  static async open(endpoint: string, options: ReaderOptions): Promise<MysqlReader> {
    const ep = parseMysqlUrl(endpoint);
    const session = await connectMysql(ep, ep.database);
    try {
      await session.conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await session.conn.query('START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT');
    } catch (e) {
      session.conn.destroy();
      throw mysqlError(e, ep, 'cannot start a read-only snapshot');
    }
    return new MysqlReader(ep, session, options);
  }

  async serverVersion(): Promise<string> {
    return this.session.server.text;
  }

  async readSchema(): Promise<Schema> {
    this.schema ??= await introspectMysql(this.session.conn, this.session.server, this.options.tables).catch((e) => {
      throw mysqlError(e, this.ep, 'cannot read the schema');
    });
    return this.schema;
  }

  async countRows(table: TableSchema): Promise<number> {
    const rows = await this.query(`SELECT COUNT(*) FROM ${q(table.name)}`, `cannot count the rows of ${table.name}`);
    return Number(rows[0]![0]);
  }

  async *readRows(table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch> {
    const selectList = table.columns.map(selectExpression).join(', ');
    const decode = rowDecoder(table.columns);
    const key = usableKey(table);
    if (!key) {
      yield* this.stream(table, `SELECT ${selectList} FROM ${q(table.name)}`, options.batchRows, decode);
      return;
    }
    const keyIndexes = key.map((k) => table.columns.findIndex((c) => c.name === k));
    const sizer = new BatchSizer(options.batchRows);
    let after = options.after;
    for (;;) {
      const where = this.rangeWhere(table, key, after, options.until);
      const limit = sizer.next();
      const sql = `SELECT ${selectList} FROM ${q(table.name)}${where} ORDER BY ${key.map(q).join(', ')} LIMIT ${limit}`;
      const raws = await this.query(sql, `cannot read ${table.name}`);
      if (raws.length === 0) return;
      const rows = raws.map(decode);
      const last = rows[rows.length - 1]!;
      after = keyIndexes.map((i) => last[i]!);
      sizer.observe(rows);
      yield { rows, resumeKey: after };
      if (raws.length < limit) return;
    }
  }

  /**
   * Bulk text formatted by the server (mysql/bulk-text.ts), for tables read by key: each chunk is one query, a
   * binary line (no character set conversion on the way) or NULL, and the key, per row; only when some rows were not
   * formatted, a second query reads them as values.
   */
  readBulkText(table: TableSchema, request: BulkTextRequest): AsyncIterable<BulkTextBatch> | undefined {
    const key = usableKey(table);
    const sql = key && lineSql(mysqlBulkText, table, q, request);
    if (!key || !sql) return undefined;
    const from = q(table.name);
    const order = key.map(q).join(', ');
    const selectList = table.columns.map(selectExpression).join(', ');
    const decode = rowDecoder(table.columns);
    const what = `cannot read ${table.name}`;
    const keys = key.map(q).join(', ');
    const fetch = (after: Value[] | undefined, rows: number) => {
      const where = this.rangeWhere(table, key, after, undefined);
      return this.query(
        `SELECT CASE WHEN ${sql.clean} THEN CAST(${sql.line} AS BINARY) END, ${keys} FROM ${from}${where} ORDER BY ${order} LIMIT ${rows}`,
        what,
      );
    };
    // The next chunk's query, sent as soon as this one's rows are in, so that the server formats it while ferry
    // handles this one.
    let ahead: { after: Value[]; rows: number; raws: Promise<Value[][]> } | undefined = undefined;
    const source: BulkTextSource = {
      // Each query costs the server about a millisecond before its first row: large chunks.
      chunkBytes: 2 * 1024 * 1024,
      chunk: async (after, rows) => {
        const waiting = ahead;
        ahead = undefined;
        const prefetched = waiting && waiting.after === after && waiting.rows === rows ? waiting.raws : undefined;
        if (!prefetched) await waiting?.raws.catch(() => {});
        const raws = await (prefetched ?? fetch(after, rows));
        const end = raws.at(-1)?.slice(1);
        if (end && raws.length === rows) {
          const next = fetch(end, rows);
          next.catch(() => {});
          ahead = { after: end, rows, raws: next };
        }
        const lines: Buffer[] = [];
        let length = 0;
        for (const r of raws) {
          const line = r[0] as Buffer | null;
          if (line === null) continue;
          lines.push(line);
          length += line.length;
        }
        return { text: Buffer.concat(lines, length), lines: lines.length, rows: raws.length, end };
      },
      otherRows: async (after, until) => {
        const where = this.rangeWhere(table, key, after, until);
        return (await this.query(`SELECT ${selectList} FROM ${from}${where} AND NOT ${sql.clean} ORDER BY ${order}`, what)).map(decode);
      },
    };
    return bulkTextBatches(source, request);
  }

  /**
   * The WHERE clause of a key range: after `after`, up to `until` (included); ` WHERE 1 = 1` for the whole table.
   * Positions are written as literals (exact for big integers and decimals, and free of the driver's backslash
   * escaping). A composite key's row comparison (a, b) > (x, y) is expanded into a >= x AND (a > x OR (a = x AND
   * b > y)): MariaDB does not use an index range for row comparisons and would scan the table from its start.
   */
  private rangeWhere(table: TableSchema, key: string[], after: Value[] | undefined, until: Value[] | undefined): string {
    const literals = (values: Value[]) => key.map((k, i) => sqlValue(values[i] ?? null, table.columns.find((c) => c.name === k)!.type));
    const compare = (values: Value[], strict: '>' | '<', inclusive: boolean) => {
      const lit = literals(values);
      const alternatives = key.map((_, i) =>
        [...key.slice(0, i).map((k, j) => `${q(k)} = ${lit[j]}`), `${q(key[i]!)} ${strict} ${lit[i]}`].join(' AND '),
      );
      if (inclusive) alternatives.push(key.map((k, j) => `${q(k)} = ${lit[j]}`).join(' AND '));
      if (key.length === 1) return `${q(key[0]!)} ${strict}${inclusive ? '=' : ''} ${lit[0]}`;
      return `${q(key[0]!)} ${strict}= ${lit[0]} AND (${alternatives.map((a) => `(${a})`).join(' OR ')})`;
    };
    const parts = [...(after ? [compare(after, '>', false)] : []), ...(until ? [compare(until, '<', true)] : [])];
    return ` WHERE ${parts.length > 0 ? parts.join(' AND ') : '1 = 1'}`;
  }

  /** A table without a key: one query whose rows arrive as a stream, paused while the consumer is busy. */
  private async *stream(table: TableSchema, sql: string, batchRows: number, decode: (raw: Value[]) => Row): AsyncIterable<RowBatch> {
    const stream = this.session.core.query({ sql, rowsAsArray: true }).stream({ highWaterMark: Math.min(batchRows, 1000) });
    this.streaming++;
    const sizer = new BatchSizer(batchRows);
    let rows: Row[] = [];
    try {
      for await (const raw of stream as AsyncIterable<Value[]>) {
        rows.push(decode(raw));
        if (rows.length >= sizer.next()) {
          sizer.observe(rows);
          yield { rows };
          rows = [];
        }
      }
      if (rows.length > 0) yield { rows };
    } catch (e) {
      throw mysqlError(e, this.ep, `cannot read ${table.name}`);
    } finally {
      this.streaming--;
      if (!stream.readableEnded) {
        // Abandoned early: the rest of the result is read and discarded so that the connection is usable again.
        stream.destroy();
        this.session.core.resume();
      }
    }
  }

  private async query(sql: string, what: string): Promise<Value[][]> {
    try {
      return (await this.session.conn.query({ sql, rowsAsArray: true }))[0] as Value[][];
    } catch (e) {
      throw mysqlError(e, this.ep, what);
    }
  }

  async close(): Promise<void> {
    const { conn } = this.session;
    if (this.streaming > 0) {
      conn.destroy();
      return;
    }
    try {
      await conn.query('ROLLBACK');
      await conn.end();
    } catch {
      conn.destroy();
    }
  }
}

/**
 * How a column is selected. FLOAT goes through a double (`+ 0e0`) because the text protocol prints it with six
 * significant digits; spatial values are read as WKT text.
 */
function selectExpression(column: ColumnSchema): string {
  const native = (column.nativeType ?? '').toLowerCase();
  if (column.type.kind === 'real' && column.type.bits === 32) return `(${q(column.name)} + 0e0)`;
  if (isSpatial(native.split('(')[0]!.trim())) return `ST_AsText(${q(column.name)})`;
  return q(column.name);
}

/** BIT(1) arrives as one byte; as a boolean it is 0 or 1. Everything else is passed as the driver gives it. */
function rowDecoder(columns: ColumnSchema[]): (raw: Value[]) => Row {
  const bits = columns.flatMap((c, i) => (/^bit\b/i.test(c.nativeType ?? '') && c.type.kind === 'boolean' ? [i] : []));
  if (bits.length === 0) return (raw) => raw;
  return (raw) => {
    for (const i of bits) {
      const v = raw[i];
      if (v instanceof Uint8Array) raw[i] = v.length > 0 ? v[v.length - 1]! : 0;
    }
    return raw;
  };
}

/**
 * The key to page by, unless the table has none or it holds an ENUM or SET column: those sort by their position in
 * the type's list but compare with a literal as text, so pages would skip or repeat rows. Such tables are streamed.
 */
function usableKey(table: TableSchema): string[] | undefined {
  const key = keyColumns(table);
  const orderable = (name: string) => {
    const c = table.columns.find((col) => col.name === name);
    return c !== undefined && c.type.kind !== 'enum' && !/^(enum|set)\b/i.test(c.nativeType ?? '');
  };
  return key?.every(orderable) ? key : undefined;
}
