import type Database from 'better-sqlite3';
import type { BulkTextBatch, BulkTextRequest, DatasetReader, ReadOptions, RowBatch } from '../../core/dataset.js';
import { BatchSizer } from '../../core/batch-size.js';
import { keyColumns, type Schema, type TableSchema } from '../../core/schema.js';
import { InvalidValue, type Row, type Value } from '../../core/values.js';
import type { ReaderOptions } from '../engine.js';
import { bulkTextBatches, lineSql, type BulkTextSource } from '../sql/bulk-text.js';
import { sqliteBulkText } from './bulk-text.js';
import { openReadOnly, sqlitePath } from './connect.js';
import { introspectSqlite } from './introspect.js';
import { quoteSqlite as q } from './types.js';

/**
 * Reads an SQLite database opened read-only, inside one read transaction so that every table comes from the same
 * snapshot. Integers are read as BigInt (SQLite's are 64-bit; a JS number would round past 2^53).
 */
export class SqliteReader implements DatasetReader {
  readonly engine = 'sqlite';
  readonly description: string;
  private readonly db: Database.Database;
  private schema?: Schema;

  constructor(
    endpoint: string,
    private readonly options: ReaderOptions,
  ) {
    this.description = `sqlite:${sqlitePath(endpoint)}`;
    this.db = openReadOnly(endpoint);
    // A deferred transaction takes its snapshot at the first read; read once now so the snapshot is fixed.
    this.db.exec('BEGIN');
    this.db.prepare('SELECT count(*) FROM sqlite_master').get();
  }

  async serverVersion(): Promise<string> {
    const row = this.db.prepare('SELECT sqlite_version() AS v').get() as { v: string };
    return `SQLite ${row.v}`;
  }

  async readSchema(): Promise<Schema> {
    this.schema ??= introspectSqlite(this.db, this.options.tables);
    return this.schema;
  }

  async countRows(table: TableSchema): Promise<number> {
    const row = this.db.prepare(`SELECT count(*) AS n FROM ${q(table.name)}`).get() as { n: number };
    return row.n;
  }

  async *readRows(table: TableSchema, options: ReadOptions): AsyncIterable<RowBatch> {
    const key = this.keyOf(table);
    const { selectList, textColumns } = this.selection(table);

    if (!key) {
      const stmt = this.db
        .prepare(`SELECT ${selectList} FROM ${q(table.name)}`)
        .raw(true)
        .safeIntegers(true);
      const sizer = new BatchSizer(options.batchRows);
      let rows: Row[] = [];
      for (const raw of stmt.iterate() as Iterable<Value[]>) {
        rows.push(this.decode(table, raw, textColumns));
        if (rows.length >= sizer.next()) {
          sizer.observe(rows);
          yield { rows };
          rows = [];
        }
      }
      if (rows.length > 0) yield { rows };
      return;
    }

    const keyList = key.names.join(', ');
    const page = (after: boolean) =>
      this.db
        .prepare(`SELECT ${selectList} FROM ${q(table.name)}${key.where(after, options.until !== undefined)} ORDER BY ${keyList} LIMIT ?`)
        .raw(true)
        .safeIntegers(true);
    const first = page(false);
    const next = page(true);
    const until = (options.until ?? []) as unknown[];
    const sizer = new BatchSizer(options.batchRows);
    let after = options.after;
    for (;;) {
      // SQLite answers synchronously: between pages the event loop runs, so the consumer's I/O (a write to a server,
      // the other side of a comparison) goes on.
      if (after) await new Promise((resolve) => setImmediate(resolve));
      const limit = sizer.next();
      const raws = (after ? next.all(...(after as unknown[]), ...until, limit) : first.all(...until, limit)) as Value[][];
      if (raws.length === 0) return;
      const last = raws[raws.length - 1]!;
      after = key.of(last);
      const rows = raws.map((r) => this.decode(table, r, textColumns));
      sizer.observe(rows);
      yield { rows, resumeKey: after };
      if (raws.length < limit) return;
    }
  }

  /**
   * Bulk text formatted by SQLite itself (sqlite/bulk-text.ts), for tables read by key. Each chunk is two
   * statements: where the chunk ends (a walk of the key's index), and the formatted rows as one blob (bytes as
   * stored: no UTF-8 decoding and encoding on the way through); only when the chunk holds fewer lines than rows,
   * a third reads the other rows as values.
   */
  readBulkText(table: TableSchema, request: BulkTextRequest): AsyncIterable<BulkTextBatch> | undefined {
    const key = this.keyOf(table);
    const sql = key && lineSql(sqliteBulkText, table, q, request);
    if (!key || !sql) return undefined;
    const { selectList, textColumns } = this.selection(table);
    const from = q(table.name);
    const keyList = key.names.join(', ');
    const prepare = (text: string, raw = true) => this.db.prepare(text).raw(raw).safeIntegers(true);
    const at = [false, true].map((a) =>
      prepare(`SELECT ${keyList} FROM ${from}${key.where(a, false)} ORDER BY ${keyList} LIMIT 1 OFFSET ?`),
    );
    const last = [false, true].map((a) =>
      prepare(`SELECT ${keyList} FROM ${from}${key.where(a, false)} ORDER BY ${key.names.map((k) => `${k} DESC`).join(', ')} LIMIT 1`),
    );
    const lines = [false, true].map((a) =>
      prepare(
        `SELECT CAST(group_concat(line, '') AS BLOB), count(*) FROM (SELECT ${sql.line} AS line FROM ${from}${key.where(a, true)} AND ${sql.clean})`,
      ),
    );
    const counts = [false, true].map((a) => prepare(`SELECT count(*) FROM ${from}${key.where(a, true)}`));
    const others = [false, true].map((a) =>
      prepare(`SELECT ${selectList} FROM ${from}${key.where(a, true)} AND NOT ${sql.clean} ORDER BY ${keyList}`),
    );
    const bound = (after: Value[] | undefined, ...rest: unknown[]) => [...((after ?? []) as unknown[]), ...rest];
    const source: BulkTextSource = {
      chunk: async (after, rows) => {
        const i = after ? 1 : 0;
        let end = at[i]!.get(...bound(after, rows - 1)) as Value[] | undefined;
        const full = end !== undefined;
        end ??= last[i]!.get(...bound(after)) as Value[] | undefined;
        if (!end) return { text: Buffer.alloc(0), lines: 0, rows: 0 };
        const [text, count] = lines[i]!.get(...bound(after, ...end)) as [Buffer | null, bigint];
        // A short chunk ends the table: its row count is only needed to tell whether other rows are in it.
        const covered = full ? rows : Number((counts[i]!.get(...bound(after, ...end)) as [bigint])[0]);
        return { text: text ?? Buffer.alloc(0), lines: Number(count), rows: covered, end };
      },
      otherRows: async (after, until) =>
        (others[after ? 1 : 0]!.all(...bound(after, ...until)) as Value[][]).map((r) => this.decode(table, r, textColumns)),
    };
    return bulkTextBatches(source, request);
  }

  /**
   * What a table is read by: its declared key, or the rowid when it has none (then it is selected last, see
   * selection), with the WHERE clause of a key range.
   */
  private keyOf(
    table: TableSchema,
  ): { names: string[]; of: (raw: Value[]) => Value[]; where: (after: boolean, until: boolean) => string } | undefined {
    const declared = keyColumns(table);
    if (declared === undefined && !this.hasRowid(table)) return undefined;
    const names = declared?.map(q) ?? ['_rowid_'];
    const indexes = declared?.map((k) => table.columns.findIndex((c) => c.name === k));
    const rowidAt = table.columns.length;
    const tuple = (n: number) => `(${Array.from({ length: n }, () => '?').join(', ')})`;
    const keyTuple = `(${names.join(', ')})`;
    return {
      names,
      of: (raw) => (indexes ? indexes.map((i) => raw[i]!) : [raw[rowidAt]!]),
      where: (after, until) => {
        const parts = [
          ...(after ? [`${keyTuple} > ${tuple(names.length)}`] : []),
          ...(until ? [`${keyTuple} <= ${tuple(names.length)}`] : []),
        ];
        return parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : ' WHERE 1 = 1';
      },
    };
  }

  /**
   * The select list: every column, then the rowid (when the table has one) so that text values can be re-read as
   * bytes to check their encoding; the decoder pops it, leaving the row in place (no copy per row).
   */
  private selection(table: TableSchema): { selectList: string; textColumns: number[] } {
    const columns = table.columns.map((c) => q(c.name));
    return {
      selectList: [...columns, this.hasRowid(table) ? '_rowid_' : 'NULL'].join(', '),
      textColumns: table.columns.flatMap((c, i) => (['text', 'enum', 'json', 'uuid'].includes(c.type.kind) ? [i] : [])),
    };
  }

  /** Drops the trailing rowid, and flags text that SQLite holds as bytes that are not UTF-8. */
  private decode(table: TableSchema, raw: Value[], textColumns: number[]): Row {
    const rowid = raw.pop();
    const row = raw;
    for (const i of textColumns) {
      const v = row[i];
      if (typeof v === 'string' && v.includes('\uFFFD') && rowid !== null && rowid !== undefined) {
        row[i] = this.checkEncoding(table, i, rowid, v);
      }
    }
    return row;
  }

  /** better-sqlite3 replaces invalid UTF-8 with U+FFFD; compare with the stored bytes to tell the two apart. */
  private checkEncoding(table: TableSchema, column: number, rowid: Value, decoded: string): Value {
    const name = table.columns[column]!.name;
    const stored = this.db
      .prepare(`SELECT hex(${q(name)}) AS h FROM ${q(table.name)} WHERE _rowid_ = ?`)
      .safeIntegers(true)
      .get(rowid) as { h: string };
    if (stored.h === Buffer.from(decoded, 'utf8').toString('hex').toUpperCase()) return decoded;
    return new InvalidValue(
      'text that is not valid UTF-8',
      `bytes 0x${stored.h.slice(0, 64).toLowerCase()}`,
      decoded,
      'invalid-utf8=replace',
    );
  }

  private hasRowid(table: TableSchema): boolean {
    try {
      this.db.prepare(`SELECT _rowid_ FROM ${q(table.name)} LIMIT 0`).all();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.db.close();
    }
  }
}
