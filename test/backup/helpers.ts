/**
 * Fixtures of the backup tests: a table with a column of every portable type, rows holding every hazard value,
 * and a one-call backup writer. No database is needed: the writer and the reader are driven directly.
 */
import assert from 'node:assert/strict';
import type { CheckpointWrite, DatasetReader } from '../../src/core/dataset.js';
import type { ColumnSchema, TableSchema } from '../../src/core/schema.js';
import type { PortableType } from '../../src/core/types.js';
import type { Row } from '../../src/core/values.js';
import { openBackupWriter, type BackupWriterOptions } from '../../src/backup/writer.js';

const col = (name: string, type: PortableType, nullable = true): ColumnSchema => ({ name, type, nullable });

export function table(name: string, columns: ColumnSchema[], key = columns[0]?.name): TableSchema {
  return {
    name,
    columns,
    primaryKey: key ? { columns: [key] } : undefined,
    uniques: [],
    indexes: [],
    foreignKeys: [],
    checks: [],
  };
}

/** A column of every portable type. */
export const EVERY_TYPE = table('every type', [
  col('id', { kind: 'integer', bits: 64 }, false),
  col('i16', { kind: 'integer', bits: 16 }),
  col('dec', { kind: 'decimal', precision: 40, scale: 10 }),
  col('r64', { kind: 'real', bits: 64 }),
  col('r32', { kind: 'real', bits: 32 }),
  col('b', { kind: 'boolean' }),
  col('t', { kind: 'text' }),
  col('vc', { kind: 'text', length: 20 }),
  col('bin', { kind: 'binary' }),
  col('d', { kind: 'date' }),
  col('tm', { kind: 'time', precision: 6 }),
  col('ts', { kind: 'timestamp', tz: false, precision: 6 }),
  col('tstz', { kind: 'timestamp', tz: true, precision: 6 }),
  col('j', { kind: 'json' }),
  col('u', { kind: 'uuid' }),
  col('e', { kind: 'enum', values: ['small', 'large', ''] }),
]);

const nulls = (id: number | bigint): Row => [id, ...EVERY_TYPE.columns.slice(1).map(() => null)];

/** Rows of EVERY_TYPE holding the values a backup must carry exactly, each in the in-memory form of values.ts. */
export const HAZARD_ROWS: Row[] = [
  [
    1,
    -32768,
    '123456789012345678901234567890.0123456789',
    Number.MAX_VALUE,
    Math.fround(3.14),
    true,
    'plain',
    'é😀中',
    Buffer.from([0, 1, 2, 0, 255]),
    '2024-02-29',
    '23:59:59.999999',
    '1999-12-31 23:59:59.123456',
    '2024-06-01 12:00:00.5+00:00',
    '{"a": 1, "big": 123456789012345678901234567890, "f": 1.10}',
    '123e4567-e89b-12d3-a456-426614174000',
    'small',
  ],
  [
    -9223372036854775808n,
    32767,
    '-0.0000000001',
    Number.NaN,
    Number.POSITIVE_INFINITY,
    false,
    '',
    '',
    Buffer.alloc(0),
    '0001-01-01',
    '00:00:00',
    '0001-01-01 00:00:00',
    '1970-01-01 00:00:00+00:00',
    '  [ 1 ,\n\t2 ,\r\n"x\\ny" ]  ',
    '00000000-0000-0000-0000-000000000000',
    '',
  ],
  [
    9223372036854775807n,
    0,
    '0',
    Number.NEGATIVE_INFINITY,
    -0,
    null,
    'tab\there\nnew line\u0000nul "q" \\ \u2028',
    null,
    null,
    null,
    null,
    null,
    null,
    'null',
    null,
    'large',
  ],
  [
    9007199254740993n,
    null,
    '99999999999999999999999999999.9999999999',
    -0,
    1e-45,
    true,
    '\ud83d',
    'x',
    Buffer.from('ÿ'),
    '9999-12-31',
    '12:00:00.5',
    '2038-01-19 03:14:08',
    '9999-12-31 23:59:59.999999+00:00',
    '"just a string"',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    null,
  ],
  [
    -9007199254740993n,
    null,
    null,
    5e-324,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    '{"nested":{"k":[true,false,null,{"d":"\\u0000"}]},"e":"\ud83d\ude00"}',
    null,
    null,
  ],
  [Number.MAX_SAFE_INTEGER, null, null, null, null, null, null, null, null, null, null, null, null, '\t{}\t', null, null],
  [Number.MIN_SAFE_INTEGER, null, null, null, null, null, null, null, null, null, null, null, null, '0', null, null],
  nulls(42),
];

/** A checkpoint whose state records the batch's last row; `calls` counts how often the writer asked for it. */
export function checkpoint(runId: string, tableName: string, state: string): CheckpointWrite & { calls: number } {
  const cp = {
    runId,
    table: tableName,
    calls: 0,
    state: () => {
      cp.calls++;
      return state;
    },
  };
  return cp;
}

/** Writes a whole backup: the tables, their rows in batches, then finalize. */
export async function writeBackup(
  path: string,
  content: { table: TableSchema; rows: Row[] }[],
  options: Partial<BackupWriterOptions> & { batchRows?: number; digests?: Map<string, string> } = {},
): Promise<void> {
  const writer = await openBackupWriter(path, {
    origin: { engine: 'sqlite', version: 'SQLite 3.45.1', endpoint: 'sqlite:/data/app.db' },
    ferryVersion: '0.1.0-test',
    ...options,
  });
  try {
    await writer.lock();
    await writer.createTables(content.map((c) => c.table));
    for (const { table, rows } of content) {
      const size = options.batchRows ?? 3;
      for (let i = 0; i < rows.length; i += size) {
        const refused = await writer.writeBatch(table, rows.slice(i, i + size), checkpoint('run-1', table.name, `{"rows":${i + size}}`));
        assert.deepEqual(refused, []);
      }
      await writer.finishTable(table);
    }
    await writer.finishSchema(content.map((c) => c.table));
    await writer.finalize({ digests: options.digests ?? new Map(), notCarried: [] });
    await writer.clearCheckpoints('run-1');
  } finally {
    await writer.close();
  }
}

/** Every row of a table, and the resume keys of its batches. */
export async function readAll(
  reader: DatasetReader,
  t: TableSchema,
  batchRows = 1000,
  after?: number,
): Promise<{ rows: Row[]; keys: unknown[] }> {
  const rows: Row[] = [];
  const keys: unknown[] = [];
  for await (const batch of reader.readRows(t, { batchRows, after: after === undefined ? undefined : [after] })) {
    rows.push(...batch.rows);
    keys.push(batch.resumeKey?.[0]);
  }
  return { rows, keys };
}
