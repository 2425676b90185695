import { Readable } from 'node:stream';
import type mysql from 'mysql2/promise';
import type { TableSchema } from '../../core/schema.js';
import type { PortableType } from '../../core/types.js';
import type { Row, Value } from '../../core/values.js';
import { errno, isRowError, quoteIdent as q } from './connect.js';
import { hexDigits, utcDatetime } from './literals.js';
import { autoIncrementColumn } from './prepare.js';

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
  let stored = false;
  try {
    const [result] = await conn.query({ sql: loadSql(table), infileStreamFactory: () => Readable.from(chunks(table, rows)) });
    const header = result as { affectedRows: number; warningStatus: number };
    stored = header.affectedRows === rows.length && header.warningStatus === 0;
  } catch (e) {
    if (LOCAL_REFUSED.includes(errno(e))) return 'unavailable';
    if (!isRowError(e)) throw e;
  }
  await conn.query(stored ? 'RELEASE SAVEPOINT ferry_load' : 'ROLLBACK TO SAVEPOINT ferry_load');
  return stored ? 'loaded' : 'use-inserts';
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
  const types = table.columns.map((c) => c.type);
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) text += '\t';
      text += field(row[i]!, types[i]!);
    }
    text += '\n';
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

const ESCAPED = /[\\\t\n\r\0]/;
const ESCAPED_ALL = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** One field. Values are conformed already: exact digits for numbers, the session is UTC for timestamps. */
function field(v: Value, type: PortableType): string {
  if (v === null) return '\\N';
  switch (typeof v) {
    case 'string': {
      const s = type.kind === 'timestamp' ? utcDatetime(v) : v;
      return ESCAPED.test(s) ? s.replace(ESCAPED_ALL, (c) => ESCAPES[c]!) : s;
    }
    case 'number':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? '1' : '0';
  }
  if (v instanceof Uint8Array) return hexDigits(v);
  throw new Error(`an invalid value (${v.reason}) cannot be written`);
}
