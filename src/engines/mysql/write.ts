import type { ValueLimits } from '../../core/conform.js';
import type { CheckpointWrite, DatasetWriter, RejectedRow, WriterCapabilities } from '../../core/dataset.js';
import { FerryError, safeMessage } from '../../core/errors.js';
import type { NotCarried, TableSchema } from '../../core/schema.js';
import type { Row, Value } from '../../core/values.js';
import type { WriterOptions } from '../engine.js';
import { checkIdentifiers, constraintSql, indexSql } from '../sql/ddl.js';
import { connectCreating, errno, mysqlError, parseMysqlUrl, quoteIdent as q, type MysqlEndpoint, type MysqlSession } from './connect.js';
import { mysqlDialect, type MysqlDialect } from './dialect.js';
import { quoteString, sqlValue } from './literals.js';
import { autoIncrementColumn, createTableStatement, layoutNotes, refuseUnsupported, valueChecks } from './prepare.js';
import { textCollation } from './server.js';

const CHECKPOINT_TABLE = '_ferry_checkpoint';
/** Each INSERT stays well under max_allowed_packet, and small enough not to stall the server's other work. */
const STATEMENT_BYTES = 4 * 1024 * 1024;

/**
 * Writes into MySQL/MariaDB with multi-row INSERTs sized by bytes, one transaction per batch with its checkpoint.
 * The session is strict (a value the column cannot hold is an error, never a silent truncation), keeps an explicit
 * 0 in an AUTO_INCREMENT column (NO_AUTO_VALUE_ON_ZERO), reads literals the standard way (NO_BACKSLASH_ESCAPES,
 * ANSI_QUOTES, PIPES_AS_CONCAT) and loads without foreign-key checks, which are added after the data. Only the
 * primary key exists during the load, so unique checks cost nothing and stay on.
 */
export class MysqlWriter implements DatasetWriter {
  readonly engine = 'mysql';
  readonly description: string;
  // MySQL has no NaN or infinities; text and blobs hold NUL.
  readonly limits: ValueLimits = { textAllowsNul: true, realAllowsSpecials: false };
  readonly capabilities: WriterCapabilities = { transactionalDdl: false, maxIdentifierLength: 64 };
  private checkpointReady = false;

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
      const [rows] = await session.conn.query({ sql: 'SELECT @@max_allowed_packet', rowsAsArray: true });
      const maxPacket = Number((rows as unknown[][])[0]![0]);
      return new MysqlWriter(ep, session, mysqlDialect(session.server), maxPacket);
    } catch (e) {
      session.conn.destroy();
      throw mysqlError(e, ep, 'cannot set up the writing session');
    }
  }

  async serverVersion(): Promise<string> {
    return this.session.server.text;
  }

  async existingTables(names: string[]): Promise<string[]> {
    const present = new Set(
      (await this.run('SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()', 'cannot list tables')).map((r) =>
        String(r[0]),
      ),
    );
    return names.filter((n) => present.has(n));
  }

  async dropTables(names: string[]): Promise<void> {
    const views = new Set(
      (await this.run('SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()', 'cannot list views')).map((r) =>
        String(r[0]),
      ),
    );
    for (const n of names) await this.run(`DROP ${views.has(n) ? 'VIEW' : 'TABLE'} IF EXISTS ${q(n)}`, `cannot drop ${n}`);
  }

  async createTables(tables: TableSchema[]): Promise<void> {
    checkIdentifiers(this.dialect, tables);
    refuseUnsupported(tables, this.session.server);
    this.dialect.alignForeignKeys(tables);
    const collation = textCollation(this.session.server);
    for (const t of tables) await this.run(createTableStatement(this.dialect, t, collation), `cannot create table ${t.name}`);
  }

  notCarried(tables: TableSchema[]): NotCarried[] {
    return layoutNotes(this.dialect, tables);
  }

  async writeBatch(table: TableSchema, rows: Row[], checkpoint?: CheckpointWrite): Promise<RejectedRow[]> {
    const rejected: RejectedRow[] = [];
    const head = `INSERT INTO ${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}) VALUES `;
    const limit = Math.max(16 * 1024, Math.min(STATEMENT_BYTES, this.maxPacket - 64 * 1024));
    const checks = valueChecks(this.dialect, table);
    const chunks: { row: Row; sql: string }[][] = [];
    let chunk: { row: Row; sql: string }[] = [];
    let bytes = 0;
    for (const row of rows) {
      const problem = firstProblem(row, checks, table);
      if (problem) {
        rejected.push(problem);
        continue;
      }
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

    // CREATE TABLE commits implicitly, so the checkpoint table must exist before the batch's transaction starts.
    if (checkpoint) await this.ensureCheckpointTable();
    const { conn } = this.session;
    try {
      await conn.query('START TRANSACTION');
      for (const c of chunks) {
        try {
          await conn.query(head + c.map((t) => t.sql).join(','));
        } catch (e) {
          // A failed statement is undone alone (the transaction goes on): find the rows the server refuses.
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
      if (checkpoint) {
        const values = [checkpoint.runId, checkpoint.table, checkpoint.state].map(quoteString);
        await conn.query(
          `INSERT INTO ${CHECKPOINT_TABLE} (run_id, table_name, state, updated_at) VALUES (${values.join(', ')}, UTC_TIMESTAMP(6)) ` +
            `ON DUPLICATE KEY UPDATE state = ${values[2]}, updated_at = UTC_TIMESTAMP(6)`,
        );
      }
      await conn.query('COMMIT');
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => {});
      throw this.failure(e, `cannot write a batch of ${table.name}`);
    }
    return rejected;
  }

  async finishTable(table: TableSchema): Promise<void> {
    for (const sql of indexSql(this.dialect, table)) await this.run(sql, `cannot create an index of ${table.name}`);
    const auto = autoIncrementColumn(table);
    if (!auto) return;
    const max = (await this.run(`SELECT MAX(${q(auto.name)}) FROM ${q(table.name)}`, `cannot read the largest ${auto.name}`))[0]?.[0];
    if (max === null || max === undefined) return;
    const next = BigInt(String(max)) + 1n;
    if (next > 1n) await this.run(`ALTER TABLE ${q(table.name)} AUTO_INCREMENT = ${next}`, `cannot set the next ${auto.name}`);
  }

  async finishSchema(tables: TableSchema[]): Promise<void> {
    // foreign_key_checks is off: the keys are added without re-reading every row, as mysqldump's output does.
    for (const t of tables) for (const sql of constraintSql(this.dialect, t)) await this.run(sql, `cannot add a constraint to ${t.name}`);
  }

  async close(): Promise<void> {
    await this.session.conn.end().catch(() => this.session.conn.destroy());
  }

  private async ensureCheckpointTable(): Promise<void> {
    if (this.checkpointReady) return;
    await this.run(
      `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (run_id varchar(64) NOT NULL, table_name varchar(255) NOT NULL, ` +
        `state longtext NOT NULL, updated_at datetime(6) NOT NULL, PRIMARY KEY (run_id, table_name)) ` +
        `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${textCollation(this.session.server)}`,
      'cannot create the checkpoint table',
    );
    this.checkpointReady = true;
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

/**
 * Errors that concern the row's values (SQLSTATE classes 22 data exception and 23 integrity violation, plus the
 * server's value errors reported as HY000): the row is rejected and the batch goes on. Anything else (deadlock,
 * lost connection) rolls the batch back and stops.
 */
function isRowError(e: unknown): boolean {
  const state = (e as { sqlState?: string }).sqlState ?? '';
  return state.startsWith('22') || state.startsWith('23') || [1265, 1292, 1366, 1367, 3819, 4025].includes(errno(e));
}
