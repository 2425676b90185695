import type { ValueLimits } from '../../core/conform.js';
import type { BulkTextBatch, BulkTextLoad, CheckpointWrite, DatasetWriter, RejectedRow, WriterCapabilities } from '../../core/dataset.js';
import { FerryError, safeMessage } from '../../core/errors.js';
import type { NotCarried, TableSchema } from '../../core/schema.js';
import type { Row, Value } from '../../core/values.js';
import type { WriterOptions } from '../engine.js';
import { checkIdentifiers, constraintSql, indexSql } from '../sql/ddl.js';
import { clearCheckpoints, ensureCheckpointTable, readCheckpoints, saveCheckpointSql, takeRunLock } from './bookkeeping.js';
import { connectCreating, errno, isRowError, mysqlError, quoteIdent as q, type MysqlSession } from './connect.js';
import { parseMysqlUrl, type MysqlEndpoint } from './endpoint.js';
import { mysqlDialect, type MysqlDialect } from './dialect.js';
import { quoteString, sqlValue } from './literals.js';
import { LOAD_DATA_FORMAT, loadRows, loadText } from './load-data.js';
import { autoIncrementColumn, createTableStatement, layoutNotes, refuseUnsupported, valueChecks } from './prepare.js';
import { textCollation } from './server.js';

/** Each INSERT stays well under max_allowed_packet, and small enough not to stall the server's other work. */
const STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * Writes into MySQL/MariaDB with multi-row INSERTs sized by bytes, one transaction per batch with its checkpoint.
 * The session is strict (a value the column cannot hold is an error, never a silent truncation), keeps an explicit
 * 0 in an AUTO_INCREMENT column (NO_AUTO_VALUE_ON_ZERO), reads literals the standard way (NO_BACKSLASH_ESCAPES,
 * ANSI_QUOTES, PIPES_AS_CONCAT) and loads without foreign-key checks, which are added after the data. Only the
 * primary key exists during the load, so unique checks cost nothing and stay on.
 *
 * One connection does everything (it also holds the run lock), and operations are serialised: two batches never
 * share a transaction, whatever the caller's concurrency. DDL commits implicitly in MySQL, so the finishing steps
 * are made safe to redo by skipping, by name, what already exists.
 */
export class MysqlWriter implements DatasetWriter {
  readonly engine = 'mysql';
  readonly description: string;
  // MySQL has no NaN or infinities; text and blobs hold NUL; fractions of a second past a column's digits are rounded.
  readonly limits: ValueLimits = { textAllowsNul: true, realAllowsSpecials: false, fractionsRounded: true };
  readonly capabilities: WriterCapabilities = { transactionalDdl: false, maxIdentifierLength: 64 };
  private checkpointReady = false;
  /** LOAD DATA LOCAL until the server refuses it (local_infile off): then INSERTs. */
  private loadData = true;
  /** How the batches went in: by LOAD DATA, or by INSERTs (server refusal, a refused row, or the MariaDB case). */
  readonly batchesBy = { load: 0, insert: 0 };
  /** The run lock's name while this writer holds it. */
  private lockName?: string;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly ep: MysqlEndpoint,
    private readonly session: MysqlSession,
    private readonly dialect: MysqlDialect,
    private readonly maxPacket: number,
  ) {
    this.description = ep.description;
  }

  static async open(endpoint: string, options: WriterOptions): Promise<MysqlWriter> {
    const ep = parseMysqlUrl(endpoint);
    const session = await connectCreating(ep, options.create ?? true);
    try {
      await session.conn.query(
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_BACKSLASH_ESCAPES,ANSI_QUOTES,PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION'",
      );
      // unique_checks stays on: with both checks off, MariaDB 10.6+ loads an empty table in "bulk insert" mode, where
      // one refused row silently undoes every earlier row of the transaction (MDEV-24818), losing rows.
      await session.conn.query('SET SESSION foreign_key_checks = 0, SESSION unique_checks = 1');
      const [rows] = await session.conn.query({ sql: 'SELECT @@max_allowed_packet, @@local_infile', rowsAsArray: true });
      const [maxPacket, localInfile] = (rows as unknown[][])[0]!.map(Number) as [number, number];
      const writer = new MysqlWriter(ep, session, mysqlDialect(session.server), maxPacket);
      // local_infile off (MySQL 8's default): INSERTs from the start.
      writer.loadData = localInfile === 1;
      return writer;
    } catch (e) {
      session.conn.destroy();
      throw mysqlError(e, ep, 'cannot set up the writing session');
    }
  }

  async serverVersion(): Promise<string> {
    return this.session.server.text;
  }

  /** GET_LOCK('ferry:<database>') on this writer's connection; see bookkeeping.ts. */
  lock(): Promise<void> {
    return this.exclusive(async () => {
      if (this.lockName !== undefined) return;
      this.lockName = await takeRunLock(this.query('cannot take the run lock'), this.ep);
    });
  }

  readCheckpoints(runId: string): Promise<Map<string, string>> {
    return this.exclusive(() => readCheckpoints(this.query('cannot read the checkpoints'), runId));
  }

  clearCheckpoints(runId: string): Promise<void> {
    return this.exclusive(async () => {
      if (await clearCheckpoints(this.query('cannot clear the checkpoints'), runId)) this.checkpointReady = false;
    });
  }

  /** TRUNCATE (it resets AUTO_INCREMENT, which finishTable sets again from the data). */
  truncateTable(table: TableSchema): Promise<void> {
    return this.exclusive(async () => {
      await this.run(`TRUNCATE TABLE ${q(table.name)}`, `cannot empty ${table.name}`);
    });
  }

  existingTables(names: string[]): Promise<string[]> {
    return this.exclusive(async () => {
      const present = new Set(
        (await this.run('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()', 'cannot list tables')).map(
          (r) => String(r[0]),
        ),
      );
      return names.filter((n) => present.has(n));
    });
  }

  /** DROP … IF EXISTS one by one, so that names an interrupted run did not get to create are no error. */
  dropTables(names: string[]): Promise<void> {
    return this.exclusive(async () => {
      const views = new Set(
        (await this.run('SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()', 'cannot list views')).map((r) =>
          String(r[0]),
        ),
      );
      for (const n of names) await this.run(`DROP ${views.has(n) ? 'VIEW' : 'TABLE'} IF EXISTS ${q(n)}`, `cannot drop ${n}`);
    });
  }

  async createTables(tables: TableSchema[]): Promise<void> {
    checkIdentifiers(this.dialect, tables);
    refuseUnsupported(tables, this.session.server);
    return this.exclusive(async () => {
      this.dialect.alignForeignKeys(tables);
      const collation = textCollation(this.session.server);
      for (const t of tables) await this.run(createTableStatement(this.dialect, t, collation), `cannot create table ${t.name}`);
    });
  }

  notCarried(tables: TableSchema[]): NotCarried[] {
    // A resumed run does not create the tables again: the widths of foreign keys are worked out here as well.
    this.dialect.alignForeignKeys(tables);
    return layoutNotes(this.dialect, tables);
  }

  /**
   * The rows by `LOAD DATA LOCAL` (load-data.ts), or by multi-row INSERTs when the server does not allow it or refuses
   * a row, then the checkpoint, whose state is computed once the refused rows are known, in one transaction. A batch
   * without rows still commits its checkpoint (all its rows may have been rejected upstream).
   */
  async writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    const { good, rejected } = this.checked(table, rows);
    if (good.length === 0 && !checkpoint) return rejected;
    const written = await this.inTransaction(table, checkpoint, rejected, async () => {
      if (good.length > 0 && !(await this.loaded(table, good))) await this.insertRows(table, good, rejected);
      return true;
    });
    return written!;
  }

  /** The rows split by the checks of values MySQL would change without an error (prepare.ts). */
  private checked(table: TableSchema, rows: Row[]): { good: Row[]; rejected: RejectedRow[] } {
    const checks = valueChecks(this.dialect, table);
    const good: Row[] = [];
    const rejected: RejectedRow[] = [];
    for (const row of rows) {
      const problem = firstProblem(row, checks, table);
      if (problem) rejected.push(problem);
      else good.push(row);
    }
    return { good, rejected };
  }

  /**
   * One batch's transaction: `write` stores the rows (adding those the server refuses to `rejected`), then the
   * checkpoint follows. When `write` gives up (false), the transaction is rolled back and nothing is written.
   */
  private inTransaction(
    table: TableSchema,
    checkpoint: CheckpointWrite | undefined,
    rejected: RejectedRow[],
    write: () => Promise<boolean>,
  ): Promise<RejectedRow[] | undefined> {
    return this.exclusive(async () => {
      // CREATE TABLE commits implicitly, so the checkpoint table must exist before the batch's transaction starts.
      if (checkpoint) await this.ensureCheckpointTable();
      const { conn } = this.session;
      let computing = false;
      try {
        await conn.query('START TRANSACTION');
        if (!(await write())) {
          await conn.query('ROLLBACK');
          return undefined;
        }
        if (checkpoint) {
          // Called once, now that the refused rows are known, and committed with the rows it describes.
          computing = true;
          const state = checkpoint.state(rejected);
          computing = false;
          await conn.query(saveCheckpointSql(checkpoint.runId, checkpoint.table, state));
        }
        await conn.query('COMMIT');
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => {});
        // The caller's own failure (its reject file…) is not the server's: no endpoint error for it.
        if (computing && !(e instanceof FerryError))
          throw new FerryError('failed', `${this.ep.description}: cannot write a batch of ${table.name}: ${safeMessage(e)}`, { cause: e });
        throw this.failure(e, `cannot write a batch of ${table.name}`);
      }
      return rejected;
    });
  }

  /**
   * LOAD DATA's text. The bounds MySQL gives decimals of no declared precision (which valueChecks holds values to) are
   * declared, so that the source leaves values past them to the value path. With a SET clause (binary columns), an
   * AUTO_INCREMENT 0 goes as a value (see load-data.ts), and so does any value that might not fit one packet.
   */
  bulkTextLoad(table: TableSchema): BulkTextLoad | undefined {
    if (!this.loadData) return undefined;
    const auto = autoIncrementColumn(table);
    const withSet = table.columns.some((c) => c.type.kind === 'binary');
    const decimalBounds: Record<string, { precision: number; scale: number }> = {};
    for (const c of table.columns) {
      const native = this.dialect.nativeColumn(c, table);
      if (native.decimal) decimalBounds[c.name] = native.decimal;
    }
    return {
      format: LOAD_DATA_FORMAT,
      zeroUnsafe: auto && withSet ? [auto.name] : [],
      maxValueBytes: Math.floor(this.maxPacket / 4),
      decimalBounds,
    };
  }

  /**
   * LOAD DATA of the lines, then the other rows as writeBatch writes them, then the checkpoint, in one transaction.
   * When the server does not store every line as it is, the transaction is rolled back and the caller writes the
   * batch as rows (INSERTs then say which row the server refuses, and why).
   */
  async writeBulkText(
    table: TableSchema,
    text: BulkTextBatch,
    rows: Row[],
    checkpoint?: CheckpointWrite,
  ): Promise<RejectedRow[] | undefined> {
    const { good, rejected } = this.checked(table, rows);
    return this.inTransaction(table, checkpoint, rejected, async () => {
      if (text.lines > 0) {
        const outcome = await loadText(this.session.conn, table, text.chunks, text.lines);
        if (outcome === 'unavailable') this.loadData = false;
        if (outcome !== 'loaded') return false;
      }
      if (good.length > 0 && !(await this.loaded(table, good))) await this.insertRows(table, good, rejected);
      return true;
    });
  }

  /** True when LOAD DATA stored every row; false when INSERTs must write them (nothing of them is stored then). */
  private async loaded(table: TableSchema, rows: Row[]): Promise<boolean> {
    const outcome = this.loadData ? await loadRows(this.session.conn, table, rows, this.maxPacket / 2) : 'unavailable';
    if (outcome === 'unavailable') this.loadData = false;
    this.batchesBy[outcome === 'loaded' ? 'load' : 'insert']++;
    return outcome === 'loaded';
  }

  /**
   * Multi-row INSERTs sized by bytes. A statement the server refuses is undone alone (the transaction goes on), and
   * its rows are tried one by one to find those it refuses, with its reasons.
   */
  private async insertRows(table: TableSchema, rows: Row[], rejected: RejectedRow[]): Promise<void> {
    const head = `INSERT INTO ${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}) VALUES `;
    const limit = Math.max(16 * 1024, Math.min(STATEMENT_BYTES, this.maxPacket - 64 * 1024));
    const chunks: { row: Row; sql: string }[][] = [];
    let chunk: { row: Row; sql: string }[] = [];
    let bytes = 0;
    for (const row of rows) {
      const sql = `(${row.map((v, i) => sqlValue(v, table.columns[i]!.type)).join(',')})`;
      const size = Buffer.byteLength(sql);
      if (size + Buffer.byteLength(head) > this.maxPacket - 1024) {
        rejected.push({
          row,
          reason: `the row takes ${size} bytes, more than the server's max_allowed_packet (${this.maxPacket}); raise max_allowed_packet and resume`,
        });
        continue;
      }
      if (chunk.length > 0 && bytes + size > limit) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push({ row, sql });
      bytes += size + 1;
    }
    if (chunk.length > 0) chunks.push(chunk);
    const { conn } = this.session;
    for (const c of chunks) {
      try {
        await conn.query(head + c.map((t) => t.sql).join(','));
      } catch (e) {
        if (!isRowError(e)) throw e;
        for (const t of c) {
          try {
            await conn.query(head + t.sql);
          } catch (e2) {
            if (!isRowError(e2)) throw e2;
            rejected.push({ row: t.row, reason: (e2 as Error).message, column: /column '([^']*)'/.exec((e2 as Error).message)?.[1] });
          }
        }
      }
    }
  }

  /**
   * Unique constraints and indexes not already there (an interrupted run may have made some: each statement commits
   * on its own), then the AUTO_INCREMENT column's next value = max + 1, which is the same however often it is set.
   */
  finishTable(table: TableSchema): Promise<void> {
    return this.exclusive(async () => {
      const existing = await this.names(
        `SELECT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${quoteString(table.name)}`,
        table,
      );
      for (const sql of indexSql(this.dialect, table, existing)) await this.run(sql, `cannot create an index of ${table.name}`);
      const auto = autoIncrementColumn(table);
      if (!auto) return;
      const max = (await this.run(`SELECT MAX(${q(auto.name)}) FROM ${q(table.name)}`, `cannot read the largest ${auto.name}`))[0]?.[0];
      if (max === null || max === undefined) return;
      const next = BigInt(String(max)) + 1n;
      if (next > 1n) await this.run(`ALTER TABLE ${q(table.name)} AUTO_INCREMENT = ${next}`, `cannot set the next ${auto.name}`);
    });
  }

  /** Foreign keys and checks of every table, those not already there, once all the data is in. */
  finishSchema(tables: TableSchema[]): Promise<void> {
    return this.exclusive(async () => {
      // foreign_key_checks is off: the keys are added without re-reading every row, as mysqldump's output does.
      for (const t of tables) {
        const existing = new Set([...(await this.foreignKeyNames(t)), ...(await this.checkNames(t))]);
        for (const sql of constraintSql(this.dialect, t, existing)) await this.run(sql, `cannot add a constraint to ${t.name}`);
      }
    });
  }

  /** Ends the connection, which also frees the run lock (released first, explicitly). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => {});
    if (this.lockName !== undefined)
      await this.run(`DO RELEASE_LOCK(${quoteString(this.lockName)})`, 'cannot release the run lock').catch(() => {});
    this.lockName = undefined;
    await this.session.conn.end().catch(() => this.session.conn.destroy());
  }

  private async ensureCheckpointTable(): Promise<void> {
    if (this.checkpointReady) return;
    await ensureCheckpointTable(this.query('cannot create the checkpoint table'), textCollation(this.session.server));
    this.checkpointReady = true;
  }

  /** The foreign key names of a table (not from STATISTICS, where the index MySQL makes for a key has its name). */
  private foreignKeyNames(table: TableSchema): Promise<Set<string>> {
    return this.names(
      'SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS ' +
        `WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ${quoteString(table.name)}`,
      table,
    );
  }

  /**
   * The table-level CHECK names of a table. On MariaDB a JSON column carries its own json_valid check named after
   * the column: it is not one of the table's checks, and a check of the same name must still fail, not be skipped.
   */
  private async checkNames(table: TableSchema): Promise<Set<string>> {
    const name = quoteString(table.name);
    const tableConstraints =
      'SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS ' +
      `WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${name} AND CONSTRAINT_TYPE = 'CHECK'`;
    if (this.session.server.flavor !== 'mariadb') return this.names(tableConstraints, table);
    try {
      return await this.names(
        'SELECT TABLE_NAME, CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS ' +
          `WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ${name} AND LEVEL = 'Table'`,
        table,
      );
    } catch (e) {
      // MariaDB before 10.2.22 has no CHECK_CONSTRAINTS (or no LEVEL in it).
      if (![1054, 1109].includes(errno((e as FerryError).cause ?? e))) throw e;
      return this.names(tableConstraints, table);
    }
  }

  /**
   * The second column of a (TABLE_NAME, name) query on information_schema, for this table exactly: depending on the
   * server, information_schema may compare names without regard to case, and `a` and `A` may be two tables.
   */
  private async names(sql: string, table: TableSchema): Promise<Set<string>> {
    const rows = await this.run(sql, `cannot list what ${table.name} already has`);
    return new Set(rows.filter((r) => String(r[0]) === table.name).map((r) => String(r[1])));
  }

  /** A query runner for bookkeeping.ts, whose failures are reported as `what`. */
  private query(what: string): (sql: string) => Promise<Value[][]> {
    return (sql) => this.run(sql, what);
  }

  /** Runs `work` after every earlier operation of this writer has finished. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private async run(sql: string, what: string): Promise<Value[][]> {
    try {
      const [rows] = await this.session.conn.query({ sql, rowsAsArray: true });
      return Array.isArray(rows) ? (rows as Value[][]) : [];
    } catch (e) {
      throw this.failure(e, what);
    }
  }

  /** Connection trouble is the endpoint's; anything else the server refused stops the run. */
  private failure(e: unknown, what: string): FerryError {
    if (e instanceof FerryError) return e;
    const code = (e as { code?: string }).code ?? '';
    if (errno(e) === 0 || /ACCESS_DENIED|DENIED_ERROR/.test(code)) return mysqlError(e, this.ep, what);
    return new FerryError('failed', `${this.ep.description}: ${what}: ${safeMessage(e)}`, { cause: e });
  }
}

function firstProblem(row: Row, checks: ReturnType<typeof valueChecks>, table: TableSchema): RejectedRow | undefined {
  for (const { index, check } of checks) {
    const reason = check(row[index] ?? null);
    if (reason) return { row, reason, column: table.columns[index]!.name };
  }
  return undefined;
}
