import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { bulkTextEncoder, type BulkTextFormat } from '../../core/bulk-text.js';
import type { RejectedRow } from '../../core/dataset.js';
import { safeMessage } from '../../core/errors.js';
import type { TableSchema } from '../../core/schema.js';
import type { Row } from '../../core/values.js';
import { quotePg as q } from './types.js';

/** COPY's text format as ferry writes it (core/bulk-text.ts): booleans t/f, bytea in its hex form. */
export const COPY_FORMAT: BulkTextFormat = {
  kind: 'fields',
  name: 'PostgreSQL COPY',
  booleans: ['f', 't'],
  binaryPrefix: '\\\\x',
  timestampOffset: true,
};

/** Bytes of COPY text handed to the stream at a time: large enough to amortise, small enough to stay bounded. */
const COPY_CHUNK = 64 * 1024;

/**
 * Writes rows with `COPY … FROM STDIN` inside the caller's transaction. When the server refuses a value (a data or
 * constraint error), the COPY is undone and the rows are written one by one, each under its own savepoint, so that
 * the good rows stay and each refused row comes back with the server's reason. Any other error is thrown.
 */
export async function copyRows(client: pg.Client, table: TableSchema, rows: Row[]): Promise<RejectedRow[]> {
  if (rows.length === 0) return [];
  const sql = copySql(table);
  const line = bulkTextEncoder(table.columns, COPY_FORMAT);
  await client.query('SAVEPOINT ferry_batch');
  try {
    await copy(client, sql, rows, line);
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
      await copy(client, sql, [row], line);
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

/**
 * COPY of lines the source formatted (bulk text). False when the server refused a value: the text cannot say which
 * row it was, so the caller rolls the batch's transaction back and writes the rows as values.
 */
export async function copyText(client: pg.Client, table: TableSchema, chunks: Buffer[]): Promise<boolean> {
  try {
    await pipeline(Readable.from(chunks), client.query(copyFrom(copySql(table))));
    return true;
  } catch (e) {
    if (!isRowError(e)) throw e;
    return false;
  }
}

function copySql(table: TableSchema): string {
  return `COPY ${q(table.name)} (${table.columns.map((c) => q(c.name)).join(', ')}) FROM STDIN`;
}

/** Streams the rows into COPY; pipeline() respects backpressure and resolves once the server has them all. */
async function copy(client: pg.Client, sql: string, rows: Row[], line: (row: Row) => string): Promise<void> {
  function* chunks(): Generator<Buffer> {
    let text = '';
    for (const row of rows) {
      text += line(row);
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
