import { createHash } from 'node:crypto';
import type pg from 'pg';
import { FerryError } from '../../core/errors.js';
import type { PgEndpoint } from './endpoint.js';
import { CHECKPOINT_TABLE } from './introspect.js';
import { quotePg as q } from './types.js';

/**
 * ferry's own records in a PostgreSQL target: the run lock and the checkpoint table (DESIGN.md "Checkpoints and
 * resume"). The checkpoint table lives in the target schema, next to the tables it describes, so that a checkpoint
 * commits in the same transaction as its batch.
 */

const T = q(CHECKPOINT_TABLE);

/** Creates the checkpoint table when missing (inside the caller's transaction, so it rolls back with it). */
export async function ensureCheckpointTable(client: pg.Client): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${T} (run_id text NOT NULL, table_name text NOT NULL, state text NOT NULL, ` +
      'updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (run_id, table_name))',
  );
}

export async function saveCheckpoint(client: pg.Client, runId: string, table: string, state: string): Promise<void> {
  await client.query(
    `INSERT INTO ${T} (run_id, table_name, state) VALUES ($1, $2, $3) ` +
      'ON CONFLICT (run_id, table_name) DO UPDATE SET state = EXCLUDED.state, updated_at = now()',
    [runId, table, state],
  );
}

async function checkpointTableExists(client: pg.Client): Promise<boolean> {
  const r = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [T]);
  return r.rows[0]!.found;
}

/** table name → state text of every checkpoint the run committed here. */
export async function readCheckpoints(client: pg.Client, runId: string): Promise<Map<string, string>> {
  if (!(await checkpointTableExists(client))) return new Map();
  const r = await client.query<{ table_name: string; state: string }>(`SELECT table_name, state FROM ${T} WHERE run_id = $1`, [runId]);
  return new Map(r.rows.map((row) => [row.table_name, row.state]));
}

/** Deletes the run's checkpoints, and the table once no other run has any (inside the caller's transaction). */
export async function clearCheckpoints(client: pg.Client, runId: string): Promise<void> {
  if (!(await checkpointTableExists(client))) return;
  await client.query(`DELETE FROM ${T} WHERE run_id = $1`, [runId]);
  const rest = await client.query(`SELECT 1 FROM ${T} LIMIT 1`);
  if (rest.rowCount === 0) await client.query(`DROP TABLE ${T}`);
}

/** The advisory lock's first key: "fery" in ASCII, so that ferry's locks are recognisable in pg_locks. */
const LOCK_CLASS = 0x66657279;

/**
 * Takes the run lock of the target (its database and schema) as a session-level advisory lock: the server releases
 * it when the session ends, whether the writer closes or its process dies, so a dead run's lock never lingers.
 */
/** How long a run waits for the lock of a run that may have just died. */
const LOCK_WAIT_MS = 5000;

export async function takeRunLock(client: pg.Client, ep: PgEndpoint): Promise<void> {
  const key = createHash('sha256').update(ep.schema).digest().readUInt32BE(0) & 0x7fffffff;
  // A run killed a moment ago still holds the lock until the server notices and rolls back its transaction: wait a
  // few seconds for that before refusing.
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_CLASS, key]);
    if (r.rows[0]!.ok) return;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const holder = await client.query<{ pid: number; app: string; since: string }>(
    `SELECT a.pid, a.application_name AS app, a.backend_start::text AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.classid = $1::int8::oid AND l.objid = $2::int8::oid AND l.objsubid = 2 AND l.granted`,
    [LOCK_CLASS, key],
  );
  const h = holder.rows[0];
  throw new FerryError(
    'refused',
    `another run is writing into ${ep.description} (schema "${ep.schema}")${h ? `: server process ${h.pid} (${h.app || 'no application name'}), connected since ${h.since}` : ''}`,
    {
      hint: 'wait for that run to finish, or stop it; its lock goes with its connection',
      details: h ? { pid: h.pid } : undefined,
    },
  );
}
