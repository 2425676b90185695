import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { DatasetReader, RejectedRow, RowBatch } from '../../src/core/dataset.js';
import { FerryError } from '../../src/core/errors.js';
import { findTable, type TableSchema } from '../../src/core/schema.js';
import type { Row } from '../../src/core/values.js';
import { runLockName } from '../../src/engines/mysql/bookkeeping.js';
import { mysqlEngine } from '../../src/engines/mysql/index.js';
import { loadRows } from '../../src/engines/mysql/load-data.js';
import type { MysqlWriter } from '../../src/engines/mysql/write.js';
import { CHINOOK } from '../helpers/chinook.js';
import { MYSQL_URL, requireServer, scratchDb, sqlOn, type ScratchDb } from '../helpers/servers.js';

const server = await requireServer('mysql');
const CHINOOK_SQL = join(CHINOOK, 'Chinook_MySql.sql');

/** Runs `body` on a fresh scratch database, always dropped afterwards. */
async function withDb(body: (db: ScratchDb) => Promise<void>): Promise<void> {
  const db = await scratchDb('mysql', 'my');
  try {
    await body(db);
  } finally {
    await db.drop();
  }
}

async function withReader<T>(url: string, body: (r: DatasetReader) => Promise<T>): Promise<T> {
  const reader = await mysqlEngine.openReader(url, {});
  try {
    return await body(reader);
  } finally {
    await reader.close();
  }
}

async function allRows(reader: DatasetReader, table: TableSchema, batchRows = 1000): Promise<{ rows: Row[]; batches: RowBatch[] }> {
  const batches: RowBatch[] = [];
  for await (const b of reader.readRows(table, { batchRows })) batches.push(b);
  return { rows: batches.flatMap((b) => b.rows), batches };
}

async function table(reader: DatasetReader, name: string): Promise<TableSchema> {
  const t = findTable(await reader.readSchema(), name);
  assert.ok(t, `table ${name} is read`);
  return t;
}

const EVERY_TYPE = `CREATE TABLE \`Every Type\` (
  id int NOT NULL AUTO_INCREMENT,
  i16 smallint, i32 int, i64 bigint, u32 int unsigned, u64 bigint unsigned, tiny tinyint, yr year,
  dec30 decimal(30,10), f float, d double, flag tinyint(1) DEFAULT 1, b1 bit(1),
  name varchar(40) NOT NULL DEFAULT 'it''s', body text, bin varbinary(16), blob_ longblob,
  day date DEFAULT '2024-02-29', t time(3), dt datetime(6) DEFAULT CURRENT_TIMESTAMP(6), ts timestamp(6) NULL,
  doc json, mood enum('happy','it''s ok'), tags set('a','b'),
  \`Ünïcode ✓\` varchar(10),
  CONSTRAINT pk_ignored PRIMARY KEY (id),
  CONSTRAINT uq_name UNIQUE (name),
  CONSTRAINT ck_positive CHECK (i32 > 0)
)`;

describe('mysql engine', server, () => {
  test('introspection keeps names, types, identity, defaults and constraints', async () => {
    await withDb(async (db) => {
      await sqlOn('mysql', db.url, [
        EVERY_TYPE,
        'CREATE INDEX `Idx Day` ON `Every Type` (day, i16)',
        'CREATE INDEX body_prefix ON `Every Type` (body(10))',
        'CREATE TABLE `Child` (id int PRIMARY KEY, parent int, CONSTRAINT `FK Parent` FOREIGN KEY (parent) REFERENCES `Every Type` (id) ON DELETE CASCADE)',
        'CREATE VIEW v AS SELECT id FROM `Child`',
        // This session reads backslash escapes: the enum holds a\b, the default a newline.
        "CREATE TABLE odd (id int PRIMARY KEY, e enum('a\\\\b','it''s') DEFAULT 'it''s', s varchar(10) DEFAULT 'nl\\nx', CONSTRAINT ck_s CHECK (s <> 'it''s' AND s <> 'b\\\\s'))",
      ]);
      await withReader(db.url, async (reader) => {
        const odd = await table(reader, 'odd');
        assert.deepEqual(odd.columns[1]!.type, { kind: 'enum', values: ['a\\b', "it's"] });
        assert.deepEqual(odd.columns[1]!.default, { kind: 'literal', value: "it's" });
        assert.deepEqual(odd.columns[2]!.default, { kind: 'literal', value: 'nl\nx' });
        assert.deepEqual(odd.checks, [{ name: 'ck_s', expression: `"s" <> 'it''s' and "s" <> 'b\\s'` }]);
      });
      const only = await mysqlEngine.openReader(db.url, { tables: (name) => name === 'odd' });
      try {
        assert.deepEqual(
          (await only.readSchema()).tables.map((t) => t.name),
          ['odd'],
        );
      } finally {
        await only.close();
      }
      await withReader(db.url, async (reader) => {
        const schema = await reader.readSchema();
        const t = await table(reader, 'Every Type');
        const type = (name: string) => t.columns.find((c) => c.name === name)?.type;
        assert.deepEqual(type('i16'), { kind: 'integer', bits: 16 });
        assert.deepEqual(type('u32'), { kind: 'integer', bits: 64 });
        assert.deepEqual(type('u64'), { kind: 'decimal', precision: 20, scale: 0 });
        assert.deepEqual(type('dec30'), { kind: 'decimal', precision: 30, scale: 10 });
        assert.deepEqual(type('f'), { kind: 'real', bits: 32 });
        assert.deepEqual(type('flag'), { kind: 'boolean' });
        assert.deepEqual(type('b1'), { kind: 'boolean' });
        assert.deepEqual(type('name'), { kind: 'text', length: 40 });
        assert.deepEqual(type('bin'), { kind: 'binary', length: 16 });
        assert.deepEqual(type('t'), { kind: 'time', precision: 3 });
        assert.deepEqual(type('dt'), { kind: 'timestamp', tz: false, precision: 6 });
        assert.deepEqual(type('ts'), { kind: 'timestamp', tz: true, precision: 6 });
        assert.deepEqual(type('doc'), { kind: 'json' });
        assert.deepEqual(type('mood'), { kind: 'enum', values: ['happy', "it's ok"] });
        assert.deepEqual(type('Ünïcode ✓'), { kind: 'text', length: 10 });
        assert.equal(t.columns.find((c) => c.name === 'id')?.identity, true);
        const def = (name: string) => t.columns.find((c) => c.name === name)?.default;
        assert.deepEqual(def('name'), { kind: 'literal', value: "it's" });
        assert.deepEqual(def('flag'), { kind: 'literal', value: true });
        assert.deepEqual(def('day'), { kind: 'literal', value: '2024-02-29' });
        assert.deepEqual(def('dt'), { kind: 'expression', name: 'current_timestamp' });
        assert.deepEqual(t.primaryKey?.columns, ['id']);
        assert.deepEqual(t.uniques, [{ name: 'uq_name', columns: ['name'], unique: true }]);
        assert.deepEqual(t.indexes, [{ name: 'Idx Day', columns: ['day', 'i16'], unique: false }]);
        // The JSON column's json_valid check is its type, not a constraint.
        assert.deepEqual(t.checks, [{ name: 'ck_positive', expression: '"i32" > 0' }]);
        const child = await table(reader, 'Child');
        assert.deepEqual(child.foreignKeys, [
          { name: 'FK Parent', columns: ['parent'], refTable: 'Every Type', refColumns: ['id'], onDelete: 'cascade', onUpdate: 'restrict' },
        ]);
        assert.ok(schema.notCarried.some((n) => n.kind === 'view' && n.name === 'v'));
        assert.ok(schema.notCarried.some((n) => n.kind === 'type' && n.name === 'tags'));
        assert.ok(schema.notCarried.some((n) => n.kind === 'index' && n.name === 'body_prefix' && /prefix/.test(n.reason)));
        assert.match(await reader.serverVersion(), /^(MariaDB|MySQL) \d+\.\d+\.\d+$/);
      });
    });
  });

  test('the reader returns exact values', async () => {
    await withDb(async (db) => {
      await sqlOn('mysql', db.url, [
        EVERY_TYPE,
        "SET time_zone = '+00:00'",
        "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')",
        `INSERT INTO \`Every Type\` (id, i32, i64, u64, dec30, f, d, flag, b1, name, body, bin, blob_, day, t, dt, ts, doc, mood, tags, \`Ünïcode ✓\`)
         VALUES (0, 1, 9007199254740993, 18446744073709551615, '-12345678901234567890.0123456789', 0.1, 0.1, 1, b'1', 'a',
                 '', X'00FF00', X'', '2024-02-29', '23:59:59.125', '2024-01-02 03:04:05.123456', '2038-01-19 03:14:07.5',
                 '{"b": 1, "a": [1, 2.50]}', 'it''s ok', 'a,b', '😀 émoji')`,
        "INSERT INTO `Every Type` (id, i32, name, body, bin, blob_) VALUES (7, 2, 'b', NULL, NULL, NULL)",
      ]);
      await withReader(db.url, async (reader) => {
        const t = await table(reader, 'Every Type');
        const { rows } = await allRows(reader, t);
        const col = (row: Row, name: string) => row[t.columns.findIndex((c) => c.name === name)];
        const [r0, r7] = rows;
        assert.equal(col(r0!, 'id'), 0);
        assert.equal(col(r0!, 'i64'), '9007199254740993');
        assert.equal(col(r0!, 'u64'), '18446744073709551615');
        assert.equal(col(r0!, 'dec30'), '-12345678901234567890.0123456789');
        assert.equal(Math.fround(col(r0!, 'f') as number), Math.fround(0.1));
        assert.equal(col(r0!, 'f'), Math.fround(0.1));
        assert.equal(col(r0!, 'd'), 0.1);
        assert.equal(col(r0!, 'flag'), 1);
        assert.equal(col(r0!, 'b1'), 1);
        assert.equal(col(r0!, 'body'), '');
        assert.equal(col(r7!, 'body'), null);
        assert.deepEqual(col(r0!, 'bin'), Buffer.from([0, 255, 0]));
        assert.deepEqual(col(r0!, 'blob_'), Buffer.alloc(0));
        assert.equal(col(r7!, 'blob_'), null);
        assert.equal(col(r0!, 'day'), '2024-02-29');
        assert.equal(col(r0!, 't'), '23:59:59.125');
        assert.equal(col(r0!, 'dt'), '2024-01-02 03:04:05.123456');
        assert.equal(col(r0!, 'ts'), '2038-01-19 03:14:07.500000');
        assert.deepEqual(JSON.parse(col(r0!, 'doc') as string), { b: 1, a: [1, 2.5] });
        assert.equal(col(r0!, 'mood'), "it's ok");
        assert.equal(col(r0!, 'tags'), 'a,b');
        assert.equal(col(r0!, 'Ünïcode ✓'), '😀 émoji');
        assert.equal(await reader.countRows(t), 2);
      });
    });
  });

  test('zero dates come out as their string, for conformance to reject', async () => {
    await withDb(async (db) => {
      await sqlOn('mysql', db.url, [
        'CREATE TABLE z (id int PRIMARY KEY, d date, dt datetime)',
        "SET SESSION sql_mode = ''",
        "INSERT INTO z VALUES (1, '0000-00-00', '0000-00-00 00:00:00')",
      ]);
      await withReader(db.url, async (reader) => {
        const { rows } = await allRows(reader, await table(reader, 'z'));
        assert.deepEqual(rows, [[1, '0000-00-00', '0000-00-00 00:00:00']]);
      });
    });
  });

  // An id 0 with a binary column goes by INSERT (load-data.ts: MariaDB drops NO_AUTO_VALUE_ON_ZERO there); id 1 by LOAD DATA.
  for (const { first, path } of [
    { first: 0, path: 'insert' },
    { first: 1, path: 'load' },
  ] as const)
    test(`the writer round-trips every portable type and keeps id ${first} (by ${path})`, async () => {
      await withDb(async (db) => {
        const t: TableSchema = {
          name: 'Mixed Case',
          columns: [
            { name: 'id', type: { kind: 'integer', bits: 64 }, nullable: false, identity: true },
            { name: 'big', type: { kind: 'integer', bits: 64 }, nullable: true },
            { name: 'money', type: { kind: 'decimal', precision: 30, scale: 10 }, nullable: true },
            { name: 'free', type: { kind: 'decimal' }, nullable: true },
            { name: 'r32', type: { kind: 'real', bits: 32 }, nullable: true },
            { name: 'r64', type: { kind: 'real', bits: 64 }, nullable: true },
            { name: 'ok', type: { kind: 'boolean' }, nullable: true, default: { kind: 'literal', value: true } },
            { name: 'txt', type: { kind: 'text' }, nullable: true },
            { name: 'bin', type: { kind: 'binary' }, nullable: true },
            { name: 'day', type: { kind: 'date' }, nullable: true },
            { name: 'clock', type: { kind: 'time', precision: 6 }, nullable: true },
            {
              name: 'at',
              type: { kind: 'timestamp', tz: true },
              nullable: true,
              default: { kind: 'expression', name: 'current_timestamp' },
            },
            { name: 'doc', type: { kind: 'json' }, nullable: true },
            { name: 'uid', type: { kind: 'uuid' }, nullable: true },
            { name: 'mood', type: { kind: 'enum', values: ['a', 'A', "it's"] }, nullable: true },
            { name: 'Ünïcode', type: { kind: 'text', length: 5 }, nullable: true, default: { kind: 'literal', value: 'x\\y' } },
          ],
          primaryKey: { columns: ['id'] },
          uniques: [],
          indexes: [],
          foreignKeys: [],
          checks: [],
        };
        const rows: Row[] = [
          [
            first,
            9007199254740993n,
            '-12345678901234567890.0123456789',
            '0.000000000000000000000000000001',
            Math.fround(1.1),
            1e300,
            true,
            "NUL\u0000 back\\slash 'quote' 😀",
            Buffer.from([0, 1, 255]),
            '0001-01-01',
            '23:59:59.999999',
            '2099-12-31 23:59:59.999999+00:00',
            '{"z":1,"a":"é"}',
            '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
            "it's",
            'ünï',
          ],
          [5, null, null, null, null, null, false, '', Buffer.alloc(0), null, null, null, null, null, 'A', null],
        ];
        const writer = await mysqlEngine.openWriter(db.url, {});
        try {
          await writer.createTables([t]);
          assert.deepEqual(await writer.writeBatch(t, rows, { runId: 'run-1', table: t.name, state: () => '{"rowsDone":2}' }), []);
          assert.deepEqual((writer as MysqlWriter).batchesBy, { load: path === 'load' ? 1 : 0, insert: path === 'insert' ? 1 : 0 });
          await writer.finishTable(t);
          await writer.finishSchema([t]);
          assert.deepEqual(await writer.existingTables(['Mixed Case', 'absent']), ['Mixed Case']);
          assert.match(await writer.serverVersion(), /^(MariaDB|MySQL) \d+\.\d+\.\d+$/);
        } finally {
          await writer.close();
        }
        await withReader(db.url, async (reader) => {
          const back = await table(reader, 'Mixed Case');
          const { rows: got } = await allRows(reader, back);
          assert.equal(got.length, 2);
          const [a, b] = got;
          assert.deepEqual(a, [
            String(first),
            '9007199254740993',
            '-12345678901234567890.0123456789',
            '0.000000000000000000000000000001',
            Math.fround(1.1),
            1e300,
            1,
            "NUL\u0000 back\\slash 'quote' 😀",
            Buffer.from([0, 1, 255]),
            '0001-01-01',
            '23:59:59.999999',
            '2099-12-31 23:59:59.999999',
            '{"z":1,"a":"é"}',
            '6ba7b810-9dad-11d1-80b4-00c04fd430c8',
            "it's",
            'ünï',
          ]);
          assert.equal(b![0], '5');
          assert.equal(b![6], 0);
          assert.deepEqual(b![8], Buffer.alloc(0));
          assert.equal(b![14], 'A');
          const at = back.columns.find((c) => c.name === 'at');
          assert.deepEqual(at?.type, { kind: 'timestamp', tz: false, precision: 6 });
          assert.deepEqual(back.columns.find((c) => c.name === 'Ünïcode')?.default, { kind: 'literal', value: 'x\\y' });
          assert.deepEqual(back.columns.find((c) => c.name === 'ok')?.default, { kind: 'literal', value: true });
        });
        const [checkpoint] = await sqlOn('mysql', db.url, ['SELECT run_id, table_name, state FROM _ferry_checkpoint']);
        assert.deepEqual(checkpoint, [{ run_id: 'run-1', table_name: 'Mixed Case', state: '{"rowsDone":2}' }]);
        // The next generated id follows the largest one carried.
        const [, generated] = await sqlOn('mysql', db.url, [
          "INSERT INTO `Mixed Case` (txt) VALUES ('new')",
          "SELECT id FROM `Mixed Case` WHERE txt = 'new'",
        ]);
        assert.deepEqual(generated, [{ id: '6' }]);
        const writer2 = await mysqlEngine.openWriter(db.url, { create: false });
        try {
          await writer2.dropTables(['Mixed Case']);
          assert.deepEqual(await writer2.existingTables(['Mixed Case']), []);
        } finally {
          await writer2.close();
        }
        await mysqlEngine.dropDatabase!(db.url);
        await assert.rejects(
          mysqlEngine.openWriter(db.url, { create: false }),
          (e: FerryError) => e.kind === 'endpoint' && /does not exist/.test(e.message),
        );
      });
    });

  test('a row near max_allowed_packet goes by INSERT, and a batch over 64 KiB by LOAD DATA, each stored exactly', async () => {
    await withDb(async (db) => {
      const t: TableSchema = {
        name: 'docs',
        columns: [
          { name: 'id', type: { kind: 'integer', bits: 32 }, nullable: false },
          { name: 'body', type: { kind: 'text' }, nullable: false },
        ],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const [packet] = await sqlOn('mysql', db.url, ['SELECT @@max_allowed_packet AS p']);
      const maxPacket = Number((packet as { p: unknown }[])[0]!.p);
      // Up to 3 bytes a character when encoded: this one could take more than half a packet, so it is not loaded.
      const big = `é${'x'.repeat(Math.ceil(maxPacket / 6))}\t\n`;
      // Many rows whose text crosses the 64 KiB pieces the load is sent in.
      const many: Row[] = Array.from({ length: 300 }, (_, i) => [i + 10, `${i}:${'ü\\\t'.repeat(200 + i)}`]);
      const writer = await mysqlEngine.openWriter(db.url, {});
      try {
        await writer.createTables([t]);
        assert.deepEqual(await writer.writeBatch(t, [[1, big]]), []);
        assert.deepEqual(await writer.writeBatch(t, many), []);
        assert.deepEqual((writer as MysqlWriter).batchesBy, { load: 1, insert: 1 });
      } finally {
        await writer.close();
      }
      await withReader(db.url, async (reader) => {
        const { rows } = await allRows(reader, await table(reader, 'docs'));
        assert.equal(rows.length, 301);
        assert.equal(rows[0]![1], big);
        assert.deepEqual(
          rows.slice(1).map((r) => [Number(r[0]), r[1]]),
          many,
        );
      });
    });
  });

  test('without LOCAL loads (refused by the server or the client), nothing is loaded and INSERTs take over', async () => {
    await withDb(async (db) => {
      const t: TableSchema = {
        name: 'plain',
        columns: [{ name: 'id', type: { kind: 'integer', bits: 32 }, nullable: false }],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      await sqlOn('mysql', db.url, ['CREATE TABLE plain (id int PRIMARY KEY)']);
      // A client that does not offer LOCAL files gets the same refusal as a server with local_infile off.
      const conn = await mysql.createConnection({ uri: db.url, flags: ['-LOCAL_FILES'] });
      try {
        await conn.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES'");
        await conn.query('START TRANSACTION');
        assert.equal(await loadRows(conn, t, [[1], [2]], 1_000_000), 'unavailable');
        await conn.query('COMMIT');
      } finally {
        await conn.end();
      }
      const [none] = await sqlOn('mysql', db.url, ['SELECT count(*) AS n FROM plain']);
      assert.deepEqual(none, [{ n: '0' }]);
    });
  });

  test('text keys are exact (binary, no pad) and an over-long key value is a reject, not a lost batch', async () => {
    await withDb(async (db) => {
      const t: TableSchema = {
        name: 'keys',
        columns: [
          { name: 'k', type: { kind: 'text' }, nullable: false },
          { name: 'label', type: { kind: 'text' }, nullable: true },
          { name: 'payload', type: { kind: 'binary' }, nullable: true },
        ],
        primaryKey: { columns: ['k'] },
        uniques: [{ name: 'uq_label', columns: ['label'], unique: true }],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      // 1.5 MB per row: a 12-row batch spans several INSERT statements.
      const big = Buffer.alloc(1_500_000, 7);
      const rows: Row[] = [
        ['a', 'a', big],
        ['A', 'A', big],
        ['a ', 'a ', big],
        ['x'.repeat(769), 'long', null],
        ['é', 'é', null],
        ['e\u0301', 'e\u0301', null],
        ...Array.from({ length: 6 }, (_, i): Row => [`row${i}`, `label${i}`, big]),
      ];
      const writer = await mysqlEngine.openWriter(db.url, {});
      try {
        await writer.createTables([t]);
        const notes = writer.notCarried?.([t]) ?? [];
        assert.ok(
          notes.some((n) => n.name === 'k' && /varchar\(768\)/.test(n.reason)),
          'the capped key column is reported',
        );
        const refused = await writer.writeBatch(t, rows, { runId: 'r', table: 'keys', state: () => '{}' });
        assert.equal(refused.length, 1);
        assert.equal(refused[0]!.row[0], 'x'.repeat(769));
        assert.equal(refused[0]!.column, 'k');
        await writer.finishTable(t);
      } finally {
        await writer.close();
      }
      const [count, keys] = await sqlOn('mysql', db.url, [
        'SELECT COUNT(*) AS n FROM `keys`',
        'SELECT HEX(k) AS h FROM `keys` ORDER BY k LIMIT 3',
      ]);
      assert.deepEqual(count, [{ n: '11' }]);
      assert.deepEqual(keys, [{ h: '41' }, { h: '61' }, { h: '6120' }]);
    });
  });

  test('tables MySQL would refuse as declared are laid out to fit, or refused before anything is created', async () => {
    await withDb(async (db) => {
      const text = (name: string, length?: number) => ({ name, type: { kind: 'text' as const, length }, nullable: true });
      const wide: TableSchema = {
        name: 'wide',
        columns: [
          { name: 'id', type: { kind: 'integer', bits: 32 }, nullable: false },
          ...Array.from({ length: 60 }, (_, i) => text(`c${i}`, 60)),
          text('huge1', 16000),
          text('huge2', 16000),
        ],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const pair: TableSchema = {
        name: 'pair',
        columns: [text('a'), text('b'), { name: 'n', type: { kind: 'integer', bits: 64 }, nullable: false, identity: true }],
        primaryKey: { columns: ['a', 'b', 'n'] },
        uniques: [],
        indexes: [{ name: 'by_b', columns: ['b'], unique: false }],
        foreignKeys: [],
        checks: [],
      };
      const int = (name: string, bits: 16 | 32 | 64) => ({ name, type: { kind: 'integer' as const, bits }, nullable: false });
      const parent: TableSchema = {
        name: 'parent',
        columns: [int('id', 64)],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const kid: TableSchema = {
        ...parent,
        name: 'kid',
        columns: [int('id', 16), int('pid', 32)],
        foreignKeys: [{ name: 'fk_kid_parent', columns: ['pid'], refTable: 'parent', refColumns: ['id'] }],
      };
      const writer = await mysqlEngine.openWriter(db.url, {});
      try {
        await writer.createTables([wide, pair, parent, kid]);
        await writer.finishTable(pair);
        // PostgreSQL accepts a key from integer to bigint; MySQL needs one type, so the narrower end is widened.
        await writer.finishSchema([parent, kid]);
        assert.ok(writer.notCarried?.([parent, kid]).some((n) => n.table === 'kid' && n.name === 'pid' && /bigint/.test(n.reason)));
        const dup = { ...pair, name: 'dup', foreignKeys: [{ name: 'fk', columns: ['a'], refTable: 'pair', refColumns: ['a'] }] };
        const dup2 = { ...dup, name: 'dup2' };
        await assert.rejects(writer.createTables([dup, dup2]), (e: FerryError) => e.kind === 'refused' && /"fk"/.test(e.message));
        const money = {
          ...pair,
          name: 'money',
          columns: [{ name: 'm', type: { kind: 'decimal' as const, precision: 70, scale: 2 }, nullable: true }],
          primaryKey: undefined,
          indexes: [],
        };
        await assert.rejects(writer.createTables([money]), (e: FerryError) => e.kind === 'refused' && /decimal\(70,2\)/.test(e.message));
      } finally {
        await writer.close();
      }
      const [types] = await sqlOn('mysql', db.url, [
        "SELECT TABLE_NAME AS t, COLUMN_NAME AS c, COLUMN_TYPE AS type FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IN ('a', 'b', 'huge1', 'huge2') ORDER BY 1, 2",
      ]);
      // (3072 bytes - 8 for the bigint) / 2 columns / 4 bytes per character.
      assert.deepEqual(types, [
        { t: 'pair', c: 'a', type: 'varchar(383)' },
        { t: 'pair', c: 'b', type: 'varchar(383)' },
        { t: 'wide', c: 'huge1', type: 'longtext' },
        { t: 'wide', c: 'huge2', type: 'longtext' },
      ]);
      // Enough short columns were lengthened to be stored off-page; the others keep their declared length.
      const [lengths] = await sqlOn('mysql', db.url, [
        "SELECT COLUMN_TYPE AS type, COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'wide' AND COLUMN_NAME LIKE 'c%' GROUP BY 1 ORDER BY 1",
      ]);
      assert.deepEqual(
        (lengths as { type: string }[]).map((r) => r.type),
        ['varchar(60)', 'varchar(64)'],
      );
    });
  });

  test('keyset pages over a composite key, a streamed table without key, and resuming', async () => {
    await withDb(async (db) => {
      await sqlOn('mysql', db.url, [
        'CREATE TABLE pk2 (a bigint, b varchar(10), v int, PRIMARY KEY (a, b))',
        'CREATE TABLE heap (v int, note text)',
        "CREATE TABLE ek (e enum('z', 'a'), n int, PRIMARY KEY (e, n))",
        "INSERT INTO ek VALUES ('z', 1), ('a', 1), ('z', 2)",
      ]);
      await sqlOn('mysql', db.url, [
        "INSERT INTO pk2 SELECT seq DIV 10 + 9007199254740990, CONCAT('k', seq MOD 10), seq FROM seq_1_to_2500",
        "INSERT INTO heap SELECT seq, REPEAT('x', seq MOD 7) FROM seq_1_to_2500",
      ]).catch(async (e) => {
        // MySQL has no seq_ engine: build the rows with a recursive CTE instead.
        if (!/seq_1_to_2500/.test(String(e))) throw e;
        await sqlOn('mysql', db.url, [
          'SET SESSION cte_max_recursion_depth = 10000',
          "INSERT INTO pk2 WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2500) SELECT n DIV 10 + 9007199254740990, CONCAT('k', n MOD 10), n FROM s",
          "INSERT INTO heap WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 2500) SELECT n, REPEAT('x', n MOD 7) FROM s",
        ]);
      });
      await withReader(db.url, async (reader) => {
        const pk2 = await table(reader, 'pk2');
        const { rows, batches } = await allRows(reader, pk2, 300);
        assert.equal(rows.length, 2500);
        assert.equal(new Set(rows.map((r) => `${r[0]}/${r[1]}`)).size, 2500);
        assert.equal(batches.length, 9);
        // Resuming after the third batch reads exactly the rest.
        const rest: Row[] = [];
        for await (const b of reader.readRows(pk2, { batchRows: 300, after: batches[2]!.resumeKey })) rest.push(...b.rows);
        assert.deepEqual(rest, rows.slice(900));

        const heap = await table(reader, 'heap');
        // Abandoning a stream early leaves the connection usable.
        for await (const b of reader.readRows(heap, { batchRows: 100 })) {
          assert.equal(b.resumeKey, undefined);
          break;
        }
        const streamed = await allRows(reader, heap, 1000);
        // An ENUM sorts by its list position but compares as text: such a key is not paged by.
        const ek = await table(reader, 'ek');
        const enumKeyed = await allRows(reader, ek, 1);
        assert.equal(enumKeyed.rows.length, 3);
        assert.ok(enumKeyed.batches.every((b) => b.resumeKey === undefined));
        assert.deepEqual(
          streamed.batches.map((b) => b.rows.length),
          [1000, 1000, 500],
        );
        assert.equal(await reader.countRows(heap), 2500);
      });
    });
  });

  test('endpoint errors are one clear line, and never show a password', async () => {
    const base = new URL(MYSQL_URL);
    await assert.rejects(
      mysqlEngine.openReader('mysql://root@127.0.0.1:1/app', {}),
      (e: FerryError) => e.kind === 'endpoint' && /cannot reach/.test(e.message) && e.hint !== undefined,
    );
    await assert.rejects(
      mysqlEngine.openReader(`${MYSQL_URL}/ferry_missing_db_42`, {}),
      (e: FerryError) => e.kind === 'endpoint' && /"ferry_missing_db_42" does not exist/.test(e.message),
    );
    await assert.rejects(mysqlEngine.openReader(MYSQL_URL, {}), (e: FerryError) => e.kind === 'usage');

    const admin = await mysql.createConnection({ uri: MYSQL_URL });
    const right = 'Right-pw-7f3k';
    const wrong = 'Wrong-pw-q9z2';
    try {
      for (const host of ['%', 'localhost', '127.0.0.1']) {
        await admin.query(`DROP USER IF EXISTS 'ferry_pw_test'@'${host}'`);
        await admin.query(`CREATE USER 'ferry_pw_test'@'${host}' IDENTIFIED BY '${right}'`);
      }
      const at = `${base.hostname}:${base.port || 3306}`;
      const denied = (e: FerryError) => {
        assert.equal(e.kind, 'endpoint');
        for (const text of [e.message, e.hint ?? '', String((e.cause as Error)?.message)]) {
          assert.ok(!text.includes(right) && !text.includes(wrong), `no password in: ${text}`);
        }
        return true;
      };
      await assert.rejects(
        mysqlEngine.openReader(`mysql://ferry_pw_test:${wrong}@${at}/mysql`, {}),
        (e: FerryError) => denied(e) && /refused the login of user "ferry_pw_test"/.test(e.message),
      );
      // The right password, but no right to create a database.
      await assert.rejects(
        mysqlEngine.openWriter(`mysql://ferry_pw_test:${right}@${at}/ferry_not_allowed_db`, {}),
        (e: FerryError) => denied(e) && /privilege/.test(e.hint ?? ''),
      );
    } finally {
      for (const host of ['%', 'localhost', '127.0.0.1']) await admin.query(`DROP USER IF EXISTS 'ferry_pw_test'@'${host}'`);
      await admin.end();
    }
  });

  test('a checkpoint commits with its batch, computed from the rows the server refused, and with no rows at all', async () => {
    await withDb(async (db) => {
      const items: TableSchema = {
        name: 'items',
        columns: [
          { name: 'id', type: { kind: 'integer', bits: 32 }, nullable: false },
          { name: 'qty', type: { kind: 'integer', bits: 32 }, nullable: false },
        ],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const writer = await mysqlEngine.openWriter(db.url, {});
      try {
        assert.deepEqual(await writer.readCheckpoints('run-1'), new Map(), 'no checkpoint table yet');
        await writer.clearCheckpoints('run-1');
        await writer.createTables([items]);
        // A constraint the rows were not conformed to: the server refuses one row of the batch.
        await sqlOn('mysql', db.url, ['ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0)']);
        const rows: Row[] = [
          [1, 10],
          [2, -1],
          [3, 30],
        ];
        const calls: RejectedRow[][] = [];
        const state = (refused: RejectedRow[]) => {
          calls.push([...refused]);
          return JSON.stringify({ after: [3], refused: refused.map((r) => r.row[0]) });
        };
        const refused = await writer.writeBatch(items, rows, { runId: 'run-1', table: 'items', state });
        assert.equal(calls.length, 1, 'the state is computed once');
        assert.equal(calls[0]!.length, 1);
        assert.equal(calls[0]![0]!.row, rows[1], 'the callback receives the refused row itself');
        assert.match(calls[0]![0]!.reason, /qty_positive/);
        assert.deepEqual(
          refused.map((r) => r.row),
          [rows[1]],
        );
        const [kept] = await sqlOn('mysql', db.url, ['SELECT id FROM items ORDER BY id']);
        assert.deepEqual(kept, [{ id: 1 }, { id: 3 }]);
        assert.deepEqual(await writer.readCheckpoints('run-1'), new Map([['items', '{"after":[3],"refused":[2]}']]));
        // LOAD DATA stored the batch with a warning for the refused row; it was undone and the rows INSERTed instead.
        assert.deepEqual((writer as MysqlWriter).batchesBy, { load: 0, insert: 1 });

        // A duplicate key, which LOAD DATA LOCAL would skip with a warning, is a reject with the server's reason.
        const dup = await writer.writeBatch(items, [
          [5, 50],
          [5, 51],
        ]);
        assert.deepEqual(
          dup.map((r) => [r.row, /Duplicate entry/.test(r.reason)]),
          [[[5, 51], true]],
        );
        const [five] = await sqlOn('mysql', db.url, ['SELECT qty FROM items WHERE id = 5']);
        assert.deepEqual(five, [{ qty: 50 }]);
        await sqlOn('mysql', db.url, ['DELETE FROM items WHERE id = 5']);

        // Every row of the next batch was rejected upstream: the checkpoint advances all the same.
        let empty = 0;
        const none = await writer.writeBatch(items, [], {
          runId: 'run-1',
          table: 'items',
          state: (r) => {
            empty++;
            assert.deepEqual(r, []);
            return '{"after":[9]}';
          },
        });
        assert.deepEqual(none, []);
        assert.equal(empty, 1);
        assert.deepEqual(await writer.readCheckpoints('run-1'), new Map([['items', '{"after":[9]}']]));

        // A batch whose checkpoint cannot be computed commits nothing: neither its rows nor a checkpoint.
        await assert.rejects(
          writer.writeBatch(items, [[4, 40]], {
            runId: 'run-1',
            table: 'items',
            state: () => {
              throw new Error('the reject file is full');
            },
          }),
          (e: FerryError) => e.kind === 'failed' && /the reject file is full/.test(e.message),
        );
        const [after] = await sqlOn('mysql', db.url, ['SELECT COUNT(*) AS n FROM items']);
        assert.deepEqual(after, [{ n: '2' }]);
        assert.deepEqual(await writer.readCheckpoints('run-1'), new Map([['items', '{"after":[9]}']]));

        // Another run's checkpoints are its own; the table goes once the last run's are cleared.
        await writer.writeBatch(items, [[5, 50]], { runId: 'run-2', table: 'items', state: () => '{"run":2}' });
        assert.deepEqual(await writer.readCheckpoints('run-2'), new Map([['items', '{"run":2}']]));
        await writer.clearCheckpoints('run-1');
        assert.deepEqual(await writer.readCheckpoints('run-1'), new Map());
        assert.deepEqual(await writer.readCheckpoints('run-2'), new Map([['items', '{"run":2}']]));
        await writer.clearCheckpoints('run-2');
        const [left] = await sqlOn('mysql', db.url, [
          "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '_ferry_checkpoint'",
        ]);
        assert.deepEqual(left, [{ n: '0' }], 'the checkpoint table is dropped once empty');
        // The same writer creates it again for its next checkpoint.
        await writer.writeBatch(items, [], { runId: 'run-3', table: 'items', state: () => '{"run":3}' });
        assert.deepEqual(await writer.readCheckpoints('run-3'), new Map([['items', '{"run":3}']]));

        await withReader(db.url, async (reader) => {
          assert.deepEqual(
            (await reader.readSchema()).tables.map((t) => t.name),
            ['items'],
            'readers never list the checkpoint table',
          );
        });

        await writer.truncateTable(items);
        const [emptied] = await sqlOn('mysql', db.url, ['SELECT COUNT(*) AS n FROM items']);
        assert.deepEqual(emptied, [{ n: '0' }]);
      } finally {
        await writer.close();
      }
    });
  });

  test('the run lock: one writer per database, freed by close() or by the death of its connection', async () => {
    const names = ['a', 'b'].map((x) => `${x}_${'x'.repeat(40)}`);
    assert.notEqual(runLockName('App', false), runLockName('app', false), 'databases differing in case have their own lock');
    assert.equal(runLockName('App', true), runLockName('app', true), 'unless the server folds names to lower case');
    assert.equal(runLockName('app', false), 'ferry:app');
    for (const n of names) assert.ok([...runLockName(`${n}${'y'.repeat(20)}`, false)].length <= 64);
    assert.notEqual(runLockName(names[0]!, false), runLockName(names[1]!, false));

    await withDb(async (db) => {
      await withDb(async (other) => {
        const first = await mysqlEngine.openWriter(db.url, {});
        const second = await mysqlEngine.openWriter(db.url, {});
        const elsewhere = await mysqlEngine.openWriter(other.url, {});
        try {
          await first.lock();
          await first.lock(); // taking it again is a no-op
          await assert.rejects(second.lock(), (e: FerryError) => {
            assert.equal(e.kind, 'refused');
            assert.match(e.message, new RegExp(`another ferry run is writing into .*${db.name}.*server connection \\d+`));
            assert.ok(e.hint);
            return true;
          });
          await elsewhere.lock(); // another database is not blocked
          await first.close();
          await second.lock();

          // A run killed without closing: the server frees its lock with its connection.
          await second.close();
          const third = await mysqlEngine.openWriter(db.url, {});
          const fourth = await mysqlEngine.openWriter(db.url, {});
          try {
            await third.lock();
            await assert.rejects(fourth.lock(), (e: FerryError) => e.kind === 'refused');
            const [holder] = (await sqlOn('mysql', db.url, [`SELECT IS_USED_LOCK('${runLockName(db.name, false)}') AS id`])) as {
              id: string;
            }[][];
            await sqlOn('mysql', db.url, [`KILL ${holder![0]!.id}`]);
            // The server ends the killed connection, and frees its lock, a moment after KILL returns.
            for (let attempt = 0; ; attempt++) {
              try {
                await fourth.lock();
                break;
              } catch (e) {
                if (attempt >= 50 || (e as FerryError).kind !== 'refused') throw e;
                await new Promise((r) => setTimeout(r, 20));
              }
            }
          } finally {
            await third.close(); // its connection is gone: close() still ends quietly
            await fourth.close();
          }
        } finally {
          await first.close();
          await second.close();
          await elsewhere.close();
        }
      });
    });

    // A database name too long for a lock name of its own.
    const long = `ferry_lock_${randomBytes(4).toString('hex')}_${'l'.repeat(40)}`;
    const url = `${MYSQL_URL}/${long}`;
    const a = await mysqlEngine.openWriter(url, {});
    const b = await mysqlEngine.openWriter(url, {});
    try {
      await a.lock();
      await assert.rejects(b.lock(), (e: FerryError) => e.kind === 'refused');
    } finally {
      await a.close();
      await b.close();
      await mysqlEngine.dropDatabase!(url);
    }
  });

  test('finishTable and finishSchema skip what already exists, so that a resumed run can finish again', async () => {
    await withDb(async (db) => {
      const int = (name: string) => ({ name, type: { kind: 'integer' as const, bits: 32 as const }, nullable: true });
      const parent: TableSchema = {
        name: 'parent',
        columns: [{ ...int('id'), nullable: false, identity: true }],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const child: TableSchema = {
        name: 'child',
        columns: [{ ...int('id'), nullable: false }, int('pid'), { name: 'code', type: { kind: 'text', length: 10 }, nullable: true }],
        primaryKey: { columns: ['id'] },
        uniques: [{ name: 'uq_code', columns: ['code'], unique: true }],
        indexes: [
          { name: 'ix_pid', columns: ['pid'], unique: false },
          { name: 'ix_code_pid', columns: ['code', 'pid'], unique: false },
        ],
        foreignKeys: [{ name: 'fk_child_parent', columns: ['pid'], refTable: 'parent', refColumns: ['id'], onDelete: 'cascade' }],
        checks: [
          { name: 'ck_pid', expression: '"pid" > 0' },
          { name: 'ck_code', expression: `"code" <> ''` },
        ],
      };
      const [folding] = (await sqlOn('mysql', db.url, ['SELECT @@lower_case_table_names AS n'])) as { n: string }[][];
      const twin = Number(folding![0]!.n) === 0;
      const writer = await mysqlEngine.openWriter(db.url, {});
      try {
        await writer.createTables([parent, child]);
        await writer.writeBatch(parent, [[1], [2]]);
        await writer.writeBatch(child, [[1, 1, 'a']]);
        // What an interrupted run had made before it was killed (each DDL statement commits on its own).
        await sqlOn('mysql', db.url, [
          'CREATE UNIQUE INDEX uq_code ON child (code)',
          "ALTER TABLE child ADD CONSTRAINT ck_code CHECK (code <> '')",
          // A table whose name differs only in case, with an index of the same name: not child's.
          ...(twin ? ['CREATE TABLE CHILD (id int PRIMARY KEY, pid int)', 'CREATE INDEX ix_pid ON CHILD (pid)'] : []),
        ]);
        for (let i = 0; i < 2; i++) {
          await writer.finishTable(parent);
          await writer.finishTable(child);
        }
        await writer.finishSchema([parent, child]);
        await writer.finishSchema([parent, child]);
      } finally {
        await writer.close();
      }
      // BINARY: information_schema may compare names without regard to case, and CHILD's are not child's.
      const [indexes, constraints, next, twinIndexes] = await sqlOn('mysql', db.url, [
        "SELECT INDEX_NAME AS name, COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND BINARY TABLE_NAME = 'child' GROUP BY INDEX_NAME ORDER BY INDEX_NAME",
        "SELECT CONSTRAINT_TYPE AS type, CONSTRAINT_NAME AS name FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND BINARY TABLE_NAME = 'child' ORDER BY 1, 2",
        "SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'parent'",
        "SELECT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND BINARY TABLE_NAME = 'CHILD' ORDER BY 1",
      ]);
      // One row per column of each index: every index exactly once.
      assert.deepEqual(indexes, [
        { name: 'ix_code_pid', n: '2' },
        { name: 'ix_pid', n: '1' },
        { name: 'PRIMARY', n: '1' },
        { name: 'uq_code', n: '1' },
      ]);
      if (twin) assert.deepEqual(twinIndexes, [{ name: 'ix_pid' }, { name: 'PRIMARY' }]);
      assert.deepEqual(constraints, [
        { type: 'CHECK', name: 'ck_code' },
        { type: 'CHECK', name: 'ck_pid' },
        { type: 'FOREIGN KEY', name: 'fk_child_parent' },
        { type: 'PRIMARY KEY', name: 'PRIMARY' },
        { type: 'UNIQUE', name: 'uq_code' },
      ]);
      assert.deepEqual(next, [{ n: '3' }]);
    });
  });

  test('Chinook: 11 tables, their row counts and foreign key names, read and carried to another database', async () => {
    const expected: Record<string, number> = {
      Album: 347,
      Artist: 275,
      Customer: 59,
      Employee: 8,
      Genre: 25,
      Invoice: 412,
      InvoiceLine: 2240,
      MediaType: 5,
      Playlist: 18,
      PlaylistTrack: 8715,
      Track: 3503,
    };
    const fkNames = [
      'FK_AlbumArtistId',
      'FK_CustomerSupportRepId',
      'FK_EmployeeReportsTo',
      'FK_InvoiceCustomerId',
      'FK_InvoiceLineInvoiceId',
      'FK_InvoiceLineTrackId',
      'FK_PlaylistTrackPlaylistId',
      'FK_PlaylistTrackTrackId',
      'FK_TrackAlbumId',
      'FK_TrackGenreId',
      'FK_TrackMediaTypeId',
    ];
    await withDb(async (source) => {
      await withDb(async (target) => {
        await sqlOn('mysql', source.url, []);
        const script = readFileSync(CHINOOK_SQL, 'utf8')
          .replace('DROP DATABASE IF EXISTS `Chinook`;', '')
          .replace('CREATE DATABASE `Chinook`;', '')
          .replace('USE `Chinook`;', `USE \`${source.name}\`;`);
        const loader = await mysql.createConnection({ uri: source.url, multipleStatements: true });
        try {
          // The file holds unescaped backslashes (README): read them as themselves.
          await loader.query(`SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES';\n${script}`);
        } finally {
          await loader.end();
        }

        const { makeConformer, Refusal } = await import('../../src/core/conform.js');
        const reader = await mysqlEngine.openReader(source.url, {});
        const writer = await mysqlEngine.openWriter(target.url, {});
        try {
          const schema = await reader.readSchema();
          assert.deepEqual(
            schema.tables.map((t) => t.name),
            Object.keys(expected),
          );
          assert.deepEqual(schema.tables.flatMap((t) => t.foreignKeys.map((f) => f.name)).sort(), fkNames);
          assert.deepEqual(findTable(schema, 'PlaylistTrack')?.primaryKey?.columns, ['PlaylistId', 'TrackId']);
          assert.ok(findTable(schema, 'Track')?.indexes.some((i) => i.name === 'IFK_TrackAlbumId'));
          await writer.createTables(schema.tables);
          for (const t of schema.tables) {
            assert.equal(await reader.countRows(t), expected[t.name], `${t.name} count`);
            const conform = t.columns.map((c) => makeConformer(c, writer.limits, new Set()));
            let n = 0;
            for await (const batch of reader.readRows(t, { batchRows: 1000 })) {
              const rows = batch.rows.map((r) =>
                r.map((v, i) => {
                  const c = conform[i]!(v);
                  if (c instanceof Refusal) assert.fail(`${t.name}: ${c.reason}`);
                  return c;
                }),
              );
              assert.deepEqual(
                await writer.writeBatch(t, rows, {
                  runId: 'chinook',
                  table: t.name,
                  state: () => JSON.stringify({ n: (n += rows.length) }),
                }),
                [],
              );
            }
            assert.equal(n, expected[t.name], `${t.name} rows read`);
            await writer.finishTable(t);
          }
          await writer.finishSchema(schema.tables);
        } finally {
          await reader.close();
          await writer.close();
        }
        const [tracks] = await sqlOn('mysql', source.url, ['SELECT COUNT(*) AS n FROM Track WHERE LOCATE(CHAR(92), Name) > 0']);
        assert.deepEqual(tracks, [{ n: '4' }]);
        await withReader(target.url, async (copy) => {
          const schema = await copy.readSchema();
          // ferry's checkpoint table is there, but no reader lists it.
          assert.deepEqual(
            schema.tables.map((t) => t.name),
            Object.keys(expected),
          );
          assert.deepEqual(schema.tables.flatMap((t) => t.foreignKeys.map((f) => f.name)).sort(), fkNames);
          for (const t of schema.tables)
            if (expected[t.name] !== undefined) assert.equal(await copy.countRows(t), expected[t.name], `copied ${t.name}`);
          const track = findTable(schema, 'Track')!;
          const first = (await allRows(copy, track, 5000)).rows.find((r) => r[0] === 3435);
          assert.equal(first?.[1], 'Cavalleria Rusticana \\ Act \\ Intermezzo Sinfonico');
          assert.equal(first?.[8], '0.99');
        });
        const [checkpoints] = await sqlOn('mysql', target.url, ["SELECT COUNT(*) AS n FROM _ferry_checkpoint WHERE run_id = 'chinook'"]);
        assert.deepEqual(checkpoints, [{ n: '11' }]);
      });
    });
  });
});
