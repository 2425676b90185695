import { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import { bulkTextEncoder, type BulkTextFormat } from '../../core/bulk-text.js';
import type { TableSchema } from '../../core/schema.js';
import type { Row } from '../../core/values.js';
import { errno, isRowError, quoteIdent as q } from './connect.js';
import { autoIncrementColumn } from './prepare.js';

/**
 * LOAD DATA's text as ferry writes it (core/bulk-text.ts): booleans 0/1, bytes as bare hex (unhexed by the
 * statement's SET clause), timestamps without their `+00:00` (the session's time zone is UTC).
 */
export const LOAD_DATA_FORMAT: BulkTextFormat = {
  kind: 'fields',
  name: 'MySQL LOAD DATA',
  booleans: ['0', '1'],
  binaryPrefix: '',
  timestampOffset: false,
};

/**
 * Bytes of tab-separated text handed to the driver at a time. The driver sends each piece as one packet, so pieces
 * are cut at this size wherever rows end: a packet over the server's max_allowed_packet would end the connection.
 */
const CHUNK = 64 * 1024;

/**
 * The server refuses `LOAD DATA LOCAL`: local_infile is off (MySQL 8's default), or the client flag was refused.
 * ER_NOT_ALLOWED_COMMAND (1148), ER_CLIENT_LOCAL_FILES_DISABLED (3948) and MariaDB's ER_LOAD_INFILE_CAPABILITY_DISABLED
 * (4166).
 */
const LOCAL_REFUSED = [1148, 3948, 4166];

export type LoadOutcome = 'loaded' | 'use-inserts' | 'unavailable';

/**
 * Loads rows with `LOAD DATA LOCAL INFILE`, the bulk path `mysql` and `mysqlimport` use: the server reads tab-separated
 * text instead of parsing an INSERT, several times cheaper for it. With LOCAL the server never fails a row: values it
 * cannot store are adjusted with a warning and duplicate keys are skipped (IGNORE is implied). So the load runs under
 * a savepoint, and anything but every row stored without a warning undoes it: `use-inserts` tells the caller to
 * write those rows with INSERTs, which refuse a bad row with the server's reason. `unavailable`: the server does not
 * allow LOCAL loads (nothing was written).
 */
export async function loadRows(conn: mysql.Connection, table: TableSchema, rows: Row[], maxRowBytes: number): Promise<LoadOutcome> {
  // A row near max_allowed_packet goes by INSERT, which refuses it with a clear reason if it does not fit.
  if (zeroIdentityWithSet(table, rows) || rows.some((r) => roughBytes(r) > maxRowBytes)) return 'use-inserts';
  await conn.query('SAVEPOINT ferry_load');
  const outcome = await load(conn, table, () => chunks(table, rows), rows.length);
  if (outcome === 'unavailable') return outcome;
  await conn.query(outcome === 'loaded' ? 'RELEASE SAVEPOINT ferry_load' : 'ROLLBACK TO SAVEPOINT ferry_load');
  return outcome;
}

/**
 * Loads lines the source formatted (bulk text) in the caller's transaction. `use-inserts`: the server did not store
 * every line as it is, and the caller must roll the transaction back (the lines cannot say which row it was).
 */
export function loadText(conn: mysql.Connection, table: TableSchema, text: Buffer[], lines: number): Promise<LoadOutcome> {
  return load(conn, table, () => text.flatMap((t) => [...pieces(t)]), lines);
}

/** One LOAD DATA LOCAL of `rows` lines: `loaded` only when the server stored every one of them without a warning. */
async function load(conn: mysql.Connection, table: TableSchema, content: () => Iterable<Buffer>, rows: number): Promise<LoadOutcome> {
  try {
    const [result] = await conn.query({ sql: loadSql(table), infileStreamFactory: () => Readable.from(content()) });
    const header = result as { affectedRows: number; warningStatus: number };
    return header.affectedRows === rows && header.warningStatus === 0 ? 'loaded' : 'use-inserts';
  } catch (e) {
    if (LOCAL_REFUSED.includes(errno(e))) return 'unavailable';
    if (!isRowError(e)) throw e;
    return 'use-inserts';
  }
}

/**
 * MariaDB (seen on 10.11) ignores NO_AUTO_VALUE_ON_ZERO in a LOAD DATA that has a SET clause: an id 0 becomes the
 * next id, without a warning. A SET clause is there when the table has binary columns; such a batch goes by INSERT.
 */
function zeroIdentityWithSet(table: TableSchema, rows: Row[]): boolean {
  const auto = autoIncrementColumn(table);
  if (!auto || !table.columns.some((c) => c.type.kind === 'binary')) return false;
  const i = table.columns.indexOf(auto);
  return rows.some((r) => r[i] === 0 || r[i] === 0n || r[i] === '0');
}

/**
 * Tab-separated fields, `\N` for NULL, in utf8mb4. The session has NO_BACKSLASH_ESCAPES, so the separators and the
 * escape character are written as themselves in the statement's literals. Binary columns travel as hex into a user
 * variable and are stored with UNHEX (raw bytes would be read through the character set).
 */
function loadSql(table: TableSchema): string {
  const targets = table.columns.map((c, i) => (c.type.kind === 'binary' ? `@b${i}` : q(c.name)));
  const sets = table.columns.flatMap((c, i) => (c.type.kind === 'binary' ? [`${q(c.name)} = UNHEX(@b${i})`] : []));
  return (
    `LOAD DATA LOCAL INFILE 'ferry-batch' INTO TABLE ${q(table.name)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\t' ENCLOSED BY '' ESCAPED BY '\\' LINES TERMINATED BY '\n' STARTING BY '' ` +
    `(${targets.join(', ')})${sets.length ? ` SET ${sets.join(', ')}` : ''}`
  );
}

function* chunks(table: TableSchema, rows: Row[]): Generator<Buffer> {
  const line = bulkTextEncoder(table.columns, LOAD_DATA_FORMAT);
  let text = '';
  for (const row of rows) {
    text += line(row);
    if (text.length >= CHUNK) {
      yield* pieces(Buffer.from(text, 'utf8'));
      text = '';
    }
  }
  if (text.length > 0) yield* pieces(Buffer.from(text, 'utf8'));
}

function* pieces(bytes: Buffer): Generator<Buffer> {
  for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
}

/** An upper bound of a row's encoded size: UTF-8 takes at most 3 bytes per UTF-16 unit, hex 2 per byte. */
function roughBytes(row: Row): number {
  let n = 0;
  for (const v of row) n += typeof v === 'string' ? v.length * 3 : v instanceof Uint8Array ? v.length * 2 : 24;
  return n;
}
