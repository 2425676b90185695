import { createHash } from 'node:crypto';
import { FerryError } from '../../core/errors.js';
import type { Value } from '../../core/values.js';
import type { MysqlEndpoint } from './endpoint.js';
import { CHECKPOINT_TABLE } from './introspect.js';
import { quoteString } from './literals.js';

/**
 * ferry's own records in a MySQL/MariaDB target: the run lock and the checkpoint table (DESIGN.md "Checkpoints and
 * resume"). The checkpoint table lives in the target database, next to the tables it describes, so that a checkpoint
 * commits in the same transaction as its batch. Every function runs its SQL through the writer's `Query`, on the
 * writer's one connection.
 */

export type Query = (sql: string) => Promise<Value[][]>;

/**
 * Creates the checkpoint table when missing. CREATE TABLE commits implicitly in MySQL, so this must run before a
 * batch's transaction starts, never inside it.
 */
export async function ensureCheckpointTable(query: Query, collation: string): Promise<void> {
  await query(
    `CREATE TABLE IF NOT EXISTS ${CHECKPOINT_TABLE} (run_id varchar(64) NOT NULL, table_name varchar(255) NOT NULL, ` +
      `state longtext NOT NULL, updated_at datetime(6) NOT NULL, PRIMARY KEY (run_id, table_name)) ` +
      `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
  );
}

/** The upsert of one table's checkpoint, run inside the batch's transaction. */
export function saveCheckpointSql(runId: string, table: string, state: string): string {
  const [run, name, text] = [runId, table, state].map(quoteString);
  return (
    `INSERT INTO ${CHECKPOINT_TABLE} (run_id, table_name, state, updated_at) VALUES (${run}, ${name}, ${text}, UTC_TIMESTAMP(6)) ` +
    // VALUES() in this clause is deprecated in MySQL 8.0.20+ and its replacement is unknown to MariaDB: the text again.
    `ON DUPLICATE KEY UPDATE state = ${text}, updated_at = UTC_TIMESTAMP(6)`
  );
}

async function checkpointTableExists(query: Query): Promise<boolean> {
  const rows = await query(
    `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${quoteString(CHECKPOINT_TABLE)}`,
  );
  // information_schema may compare names without regard to case: only the exact name is ferry's.
  return rows.some((r) => String(r[0]) === CHECKPOINT_TABLE);
}

/** table name → state text of every checkpoint the run committed here (empty when there is no checkpoint table). */
export async function readCheckpoints(query: Query, runId: string): Promise<Map<string, string>> {
  if (!(await checkpointTableExists(query))) return new Map();
  const rows = await query(`SELECT table_name, state FROM ${CHECKPOINT_TABLE} WHERE run_id = ${quoteString(runId)}`);
  return new Map(rows.map((r) => [String(r[0]), String(r[1])]));
}

/**
 * Deletes the run's checkpoints, then the table once no other run has any. Returns true when the table is gone
 * (the writer must create it again before its next checkpoint).
 */
export async function clearCheckpoints(query: Query, runId: string): Promise<boolean> {
  if (!(await checkpointTableExists(query))) return true;
  await query(`DELETE FROM ${CHECKPOINT_TABLE} WHERE run_id = ${quoteString(runId)}`);
  if ((await query(`SELECT 1 FROM ${CHECKPOINT_TABLE} LIMIT 1`)).length > 0) return false;
  await query(`DROP TABLE IF EXISTS ${CHECKPOINT_TABLE}`);
  return true;
}

/**
 * The name of a database's run lock: `ferry:<database>`, readable in the server's lock lists. MySQL limits lock names
 * to 64 characters, and lock names may be compared without regard to case (as both servers document), so a longer
 * name, or one with capitals, is replaced by a hash of the database name: two databases never share a lock. When
 * the server folds database names to lower case (lower_case_table_names ≠ 0), so does the lock, since there `App`
 * and `app` are one database.
 */
export function runLockName(database: string, foldsCase: boolean): string {
  const db = foldsCase ? database.toLowerCase() : database;
  const readable = `ferry:${db}`;
  if ([...readable].length <= 64 && db === db.toLowerCase()) return readable;
  return `ferry:${createHash('sha256').update(db).digest('hex').slice(0, 40)}`;
}

/**
 * Takes the run lock of the target database with GET_LOCK on the writer's connection. The server frees it when that
 * connection ends, whether the writer closes or its process dies, so a dead run's lock never lingers — but only once
 * the server has noticed the death and rolled back the dead run's open transaction, which takes a moment after a
 * kill: so the lock is waited for a few seconds before the run is refused. Returns the lock's name, for RELEASE_LOCK.
 */
/** How long a run waits for the lock of a run that may have just died. */
const LOCK_WAIT_SECONDS = 5;

export async function takeRunLock(query: Query, ep: MysqlEndpoint): Promise<string> {
  const [[folds]] = (await query('SELECT @@lower_case_table_names')) as [[Value]];
  const name = runLockName(ep.database, Number(folds) !== 0);
  const [[got]] = (await query(`SELECT GET_LOCK(${quoteString(name)}, ${LOCK_WAIT_SECONDS})`)) as [[Value]];
  if (Number(got) === 1) return name;
  if (got === null) throw new FerryError('failed', `${ep.description}: the server could not take the lock ${name}`);
  const [[holder]] = (await query(`SELECT IS_USED_LOCK(${quoteString(name)})`)) as [[Value]];
  // Where it is held from, when this user may see other connections (the PROCESS privilege); otherwise only its id.
  const seen =
    holder === null ? [] : await query(`SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = ${Number(holder)}`).catch(() => []);
  const host = seen[0]?.[0];
  const who = holder === null ? '' : `: server connection ${String(holder)}${host ? ` from ${String(host)}` : ''}`;
  throw new FerryError('refused', `another ferry run is writing into ${ep.description} (database "${ep.database}")${who}`, {
    hint: `wait for that run to finish, or stop it: the server frees its lock (${name}) when its connection closes`,
    details: { lock: name, connection: holder === null ? undefined : String(holder) },
  });
}
