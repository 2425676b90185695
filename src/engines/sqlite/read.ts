import type Database from 'better-sqlite3';
import type { DatasetReader, ReadOptions, RowBatch } from '../../core/dataset.js';
import { keyColumns, type Schema, type TableSchema } from '../../core/schema.js';
import { InvalidValue, type Row, type Value } from '../../core/values.js';
import type { ReaderOptions } from '../engine.js';
import { keysetSelectSql } from '../sql/ddl.js';
import { openReadOnly, sqlitePath } from './connect.js';
import { sqliteDialect } from './dialect.js';
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
    const declaredKey = keyColumns(table);
    const usesRowid = declaredKey === undefined && this.hasRowid(table);
    const key = declaredKey ?? (usesRowid ? ['rowid'] : undefined);
    const columns = table.columns.map((c) => q(c.name));
    // The rowid comes last (when present) so that text values can be re-read as bytes to check their encoding; the
    // decoder pops it, leaving the row in place (no copy per row).
    const rowidSelect = this.hasRowid(table) ? '_rowid_' : 'NULL';
    const selectList = [...columns, rowidSelect].join(', ');
    const rowidAt = columns.length;
    const textColumns = table.columns.flatMap((c, i) => (['text', 'enum', 'json', 'uuid'].includes(c.type.kind) ? [i] : []));
    const keyIndexes = declaredKey?.map((k) => table.columns.findIndex((c) => c.name === k)) ?? [];

    if (!key) {
      const stmt = this.db
        .prepare(`SELECT ${selectList} FROM ${q(table.name)}`)
        .raw(true)
        .safeIntegers(true);
      let rows: Row[] = [];
      for (const raw of stmt.iterate() as Iterable<Value[]>) {
        rows.push(this.decode(table, raw, textColumns));
        if (rows.length >= options.batchRows) {
          yield { rows };
          rows = [];
        }
      }
      if (rows.length > 0) yield { rows };
      return;
    }

    const keyNames = usesRowid ? ['_rowid_'] : key;
    const first = this.db.prepare(
      keysetSelectSql(sqliteDialect, table, selectList, keyNames, false, options.batchRows).replaceAll('"_rowid_"', '_rowid_'),
    );
    const next = this.db.prepare(
      keysetSelectSql(sqliteDialect, table, selectList, keyNames, true, options.batchRows).replaceAll('"_rowid_"', '_rowid_'),
    );
    first.raw(true).safeIntegers(true);
    next.raw(true).safeIntegers(true);
    let after = options.after;
    for (;;) {
      const raws = (after ? next.all(...(after as unknown[])) : first.all()) as Value[][];
      if (raws.length === 0) return;
      const last = raws[raws.length - 1]!;
      after = usesRowid ? [last[rowidAt]!] : keyIndexes.map((i) => last[i]!);
      const rows = raws.map((r) => this.decode(table, r, textColumns));
      yield { rows, resumeKey: after };
      if (raws.length < options.batchRows) return;
    }
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
