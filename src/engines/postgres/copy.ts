import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RejectedRow } from '../../core/dataset.js';
import { safeMessage } from '../../core/errors.js';
import type { TableSchema } from '../../core/schema.js';
import type { Row } from '../../core/values.js';
import { quotePg as q } from './types.js';
import { copyLine } from './values.js';

/** Bytes of COPY text handed to the stream at a time: large enough to amortise, small enough to stay bounded. */
const COPY_CHUNK = 64 * 1024;

/**
 * Writes rows with `COPY … FROM STDIN` inside the caller's transaction. When the server refuses a value (a data or
 * constraint error), the COPY is undone and the rows are written one by one, each under its own savepoint, so that
 * the good rows stay and each refused row comes back with the server's reason. Any other error is thrown.
 */
export async function copyRows(client: pg.Client, table: TableSchema, rows: Row[]): Promise<RejectedRow[]> {
  if (rows.length === 0) return [];
  const sql = `COPY ${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}) FROM STDIN`;
  await client.query('SAVEPOINT ferry_batch');
  try {
    await copy(client, sql, rows);
    await client.query('RELEASE SAVEPOINT ferry_batch');
    return [];
  } catch (e) {
    if (!isRowError(e)) throw e;
    await client.query('ROLLBACK TO SAVEPOINT ferry_batch');
  }
  const rejected: RejectedRow[] = [];
  for (const row of rows) {
    await client.query('SAVEPOINT ferry_row');
    try {
      await copy(client, sql, [row]);
      await client.query('RELEASE SAVEPOINT ferry_row');
    } catch (e) {
      if (!isRowError(e)) throw e;
      await client.query('ROLLBACK TO SAVEPOINT ferry_row');
      const err = e as { detail?: string; column?: string };
      const reason = safeMessage(e) + (err.detail ? ` (${err.detail.slice(0, 300)})` : '');
      rejected.push(err.column ? { row, reason, column: err.column } : { row, reason });
    }
  }
  return rejected;
}

/** Streams the rows into COPY; pipeline() respects backpressure and resolves once the server has them all. */
async function copy(client: pg.Client, sql: string, rows: Row[]): Promise<void> {
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
  await pipeline(Readable.from(chunks()), client.query(copyFrom(sql)));
}

/** Errors that belong to one row's values: SQLSTATE classes 22 (data exception) and 23 (integrity), and 54000. */
function isRowError(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23') || code === '54000');
}
