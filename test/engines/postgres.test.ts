/**
 * The PostgreSQL engine against a real server: introspection keeps every name and type, the reader returns exact
 * values from one snapshot, the writer round-trips conformed values through COPY, refused rows come back as
 * rejects with the checkpoint committed alongside the good rows, identities continue at max + 1, and endpoint
 * errors are one clear line that never shows a password.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { makeConformer, Refusal } from '../../src/core/conform.js';
import type { DatasetReader, DatasetWriter, RejectedRow } from '../../src/core/dataset.js';
import { valueEncoder } from '../../src/core/canonical.js';
import { FerryError } from '../../src/core/errors.js';
import type { TableSchema } from '../../src/core/schema.js';
import { InvalidValue, type Row } from '../../src/core/values.js';
import { postgresEngine } from '../../src/engines/postgres/index.js';
import { CHINOOK_ROWS, chinookSource, neutral } from '../helpers/chinook.js';
import { POSTGRES_URL, requireServer, scratchDb, sqlOn, type ScratchDb } from '../helpers/servers.js';

const { skip } = await requireServer('postgres');

/** Runs `body` with a scratch database that is always dropped, and readers/writers that are always closed. */
async function withDb(label: string, body: (db: ScratchDb, open: Opener) => Promise<void>): Promise<void> {
  const db = await scratchDb('postgres', label);
  const opened: (DatasetReader | DatasetWriter)[] = [];
  const open: Opener = {
    reader: async (url = db.url, tables) => track(await postgresEngine.openReader(url, { tables })),
    writer: async (url = db.url) => track(await postgresEngine.openWriter(url, {})),
  };
  const track = <T extends DatasetReader | DatasetWriter>(x: T): T => (opened.push(x), x);
  try {
    await body(db, open);
  } finally {
    for (const x of opened) await x.close();
    await db.drop();
  }
}
interface Opener {
  reader(url?: string, tables?: (name: string) => boolean): Promise<DatasetReader>;
  writer(url?: string): Promise<DatasetWriter>;
}

async function readAll(reader: DatasetReader, table: TableSchema, batchRows = 1000): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of reader.readRows(table, { batchRows })) rows.push(...batch.rows);
  return rows;
}

async function endpointError(p: Promise<unknown>): Promise<FerryError> {
  const e = await p.then(
    () => assert.fail('expected an endpoint error'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof FerryError, String(e));
  assert.equal(e.kind, 'endpoint', e.message);
  assert.ok(e.hint, 'an endpoint error says what to do');
  assert.ok(!e.message.includes('\n'), 'one line');
  return e;
}

const FIXTURE = [
  `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
  `CREATE TABLE "Mixed Case" ("Id" bigint GENERATED ALWAYS AS IDENTITY, "ключ ü🙂" text NOT NULL,
     CONSTRAINT "Mixed PK" PRIMARY KEY ("Id"), CONSTRAINT "Mixed unique" UNIQUE ("ключ ü🙂"))`,
  `CREATE TABLE everything (
     id serial PRIMARY KEY, i16 smallint, i32 integer NOT NULL DEFAULT 42, i64 bigint,
     dec numeric(30,10), dec_free numeric, r32 real, r64 double precision, flag boolean DEFAULT true,
     vc varchar(20) DEFAULT 'it''s', ch char(3), t text, bin bytea, d date DEFAULT CURRENT_DATE, tm time(3),
     ts timestamp(6) DEFAULT now(), tstz timestamptz, j json, jb jsonb, u uuid, m mood, "select" int,
     arr int[], iv interval, parent_id bigint,
     CONSTRAINT everything_i32_positive CHECK (i32 > 0),
     CONSTRAINT everything_parent_fk FOREIGN KEY (parent_id) REFERENCES "Mixed Case" ("Id") ON DELETE CASCADE ON UPDATE SET NULL)`,
  `CREATE INDEX everything_t_idx ON everything (t, i16)`,
  `CREATE UNIQUE INDEX everything_u_idx ON everything (u)`,
  `CREATE INDEX everything_lower_idx ON everything (lower(t))`,
  `CREATE INDEX everything_partial_idx ON everything (i16) WHERE i16 > 0`,
  `CREATE TABLE nokey (a int, b text)`,
  `CREATE VIEW v AS SELECT 1 AS one`,
  `CREATE SEQUENCE free_seq`,
  `CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$`,
  `CREATE TRIGGER everything_trg BEFORE INSERT ON everything FOR EACH ROW EXECUTE FUNCTION trg()`,
];

describe('postgres engine', { skip }, () => {
  test('introspection: every portable type, names, keys, indexes, FKs, checks, identity, defaults', () =>
    withDb('introspect', async (db, open) => {
      await sqlOn('postgres', db.url, FIXTURE);
      const schema = await (await open.reader()).readSchema();
      assert.deepEqual(schema.tables.map((t) => t.name).sort(), ['Mixed Case', 'everything', 'nokey']);
      const mixed = schema.tables.find((t) => t.name === 'Mixed Case')!;
      assert.deepEqual(
        mixed.columns.map((c) => [c.name, c.identity ?? false, c.nullable]),
        [
          ['Id', true, false],
          ['ключ ü🙂', false, false],
        ],
      );
      assert.deepEqual(mixed.primaryKey, { name: 'Mixed PK', columns: ['Id'] });
      assert.deepEqual(mixed.uniques, [{ name: 'Mixed unique', columns: ['ключ ü🙂'], unique: true }]);

      const t = schema.tables.find((x) => x.name === 'everything')!;
      const types = Object.fromEntries(t.columns.map((c) => [c.name, c.type]));
      assert.deepEqual(types, {
        id: { kind: 'integer', bits: 32 },
        i16: { kind: 'integer', bits: 16 },
        i32: { kind: 'integer', bits: 32 },
        i64: { kind: 'integer', bits: 64 },
        dec: { kind: 'decimal', precision: 30, scale: 10 },
        dec_free: { kind: 'decimal' },
        r32: { kind: 'real', bits: 32 },
        r64: { kind: 'real', bits: 64 },
        flag: { kind: 'boolean' },
        vc: { kind: 'text', length: 20 },
        ch: { kind: 'text', length: 3 },
        t: { kind: 'text' },
        bin: { kind: 'binary' },
        d: { kind: 'date' },
        tm: { kind: 'time', precision: 3 },
        ts: { kind: 'timestamp', tz: false, precision: 6 },
        tstz: { kind: 'timestamp', tz: true },
        j: { kind: 'json' },
        jb: { kind: 'json' },
        u: { kind: 'uuid' },
        m: { kind: 'enum', values: ['sad', 'ok', 'happy'] },
        select: { kind: 'integer', bits: 32 },
        arr: { kind: 'text' },
        iv: { kind: 'text' },
        parent_id: { kind: 'integer', bits: 64 },
      });
      const col = (name: string) => t.columns.find((c) => c.name === name)!;
      assert.equal(col('id').identity, true, 'serial is an identity');
      assert.equal(col('jb').nativeType, 'jsonb');
      assert.equal(col('i32').nullable, false);
      assert.deepEqual(col('i32').default, { kind: 'literal', value: 42 });
      assert.deepEqual(col('flag').default, { kind: 'literal', value: true });
      assert.deepEqual(col('vc').default, { kind: 'literal', value: "it's" });
      assert.deepEqual(col('d').default, { kind: 'expression', name: 'current_date' });
      assert.deepEqual(col('ts').default, { kind: 'expression', name: 'current_timestamp' });
      assert.equal(col('id').default, undefined, 'the nextval() default is the identity, not a default');
      assert.deepEqual(t.primaryKey, { name: 'everything_pkey', columns: ['id'] });
      assert.deepEqual(t.indexes, [
        { name: 'everything_t_idx', columns: ['t', 'i16'], unique: false },
        { name: 'everything_u_idx', columns: ['u'], unique: true },
      ]);
      assert.deepEqual(t.foreignKeys, [
        {
          name: 'everything_parent_fk',
          columns: ['parent_id'],
          refTable: 'Mixed Case',
          refColumns: ['Id'],
          onDelete: 'cascade',
          onUpdate: 'set null',
        },
      ]);
      assert.deepEqual(t.checks, [{ name: 'everything_i32_positive', expression: '(i32 > 0)' }]);

      const nc = schema.notCarried.map((n) => `${n.kind}:${n.table ? `${n.table}.` : ''}${n.name}`).sort();
      for (const expected of [
        'index:everything.everything_lower_idx',
        'index:everything.everything_partial_idx',
        'view:v',
        'sequence:free_seq',
        'routine:trg()',
        'trigger:everything.everything_trg',
        'type:everything.arr',
        'type:everything.iv',
      ]) {
        assert.ok(nc.includes(expected), `${expected} is reported as not carried (got ${nc.join(', ')})`);
      }
      assert.ok(!nc.some((n) => n.includes('everything_id_seq')), 'a serial sequence is part of its column');

      const filtered = await (await open.reader(db.url, (n) => n === 'nokey')).readSchema();
      assert.deepEqual(
        filtered.tables.map((x) => x.name),
        ['nokey'],
      );
    }));

  test('reader: exact values, keyset batches with resume keys, keyless tables, one snapshot', () =>
    withDb('read', async (db, open) => {
      await sqlOn('postgres', db.url, [
        ...FIXTURE,
        `INSERT INTO everything (id, i32, i64, dec, dec_free, r32, r64, flag, vc, ch, t, bin, d, tm, ts, tstz, j, jb, u, m, arr, iv) VALUES
          (1, 1, 9007199254740993, '12345678901234567890.1234567890', '-0.000000000000000000001', 1.5, 'NaN', false, '', 'ab', 'tab\there🙂',
           '\\x00ff00', '2024-02-29', '13:14:15.5', '2024-02-29 12:34:56.123456', '2024-02-29 12:34:56.654321+02',
           '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": [1, 2]}', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'happy', '{1,2}', '1 day 2 hours'),
          (2, 2, -5, '0', NULL, '-Infinity', 'Infinity', true, NULL, NULL, NULL, '', NULL, NULL, 'infinity', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
          (3, 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
        `INSERT INTO nokey SELECT g, 'row ' || g FROM generate_series(1, 5) g`,
      ]);
      const reader = await open.reader();
      assert.match(await reader.serverVersion(), /^PostgreSQL \d+(\.\d+)?$/);
      assert.equal(reader.engine, 'postgres');
      assert.equal(reader.description, db.url);
      const schema = await reader.readSchema();
      const t = schema.tables.find((x) => x.name === 'everything')!;
      const rows = await readAll(reader, t);
      const get = (r: number, c: string) => rows[r]![t.columns.findIndex((x) => x.name === c)];
      assert.equal(get(0, 'i64'), 9007199254740993n, 'int8 past 2^53 is a bigint');
      assert.equal(get(1, 'i64'), -5);
      assert.equal(get(0, 'dec'), '12345678901234567890.1234567890');
      assert.equal(get(0, 'dec_free'), '-0.000000000000000000001');
      assert.equal(get(0, 'r32'), 1.5);
      assert.ok(Number.isNaN(get(0, 'r64')));
      assert.equal(get(1, 'r32'), -Infinity);
      assert.equal(get(1, 'r64'), Infinity);
      assert.equal(get(0, 'flag'), false);
      assert.equal(get(0, 'vc'), '', "'' stays ''");
      assert.equal(get(1, 'vc'), null, 'NULL stays NULL');
      assert.equal(get(0, 'ch'), 'ab ', 'char(n) keeps its padding');
      assert.equal(get(0, 't'), 'tab\there🙂');
      assert.deepEqual(get(0, 'bin'), Buffer.from([0, 255, 0]));
      assert.deepEqual(get(1, 'bin'), Buffer.alloc(0), 'empty bytea is not NULL');
      assert.equal(get(2, 'bin'), null);
      assert.equal(get(0, 'd'), '2024-02-29');
      assert.equal(get(0, 'tm'), '13:14:15.5');
      assert.equal(get(0, 'ts'), '2024-02-29 12:34:56.123456');
      assert.equal(get(0, 'tstz'), '2024-02-29 10:34:56.654321+00:00');
      assert.ok(get(1, 'ts') instanceof InvalidValue, 'infinity has no portable timestamp');
      assert.equal(get(0, 'j'), '{"b": 1,  "a": [1, 2]}', 'json text exactly as stored');
      assert.equal(get(0, 'jb'), '{"a": [1, 2], "b": 1}');
      assert.equal(get(0, 'u'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
      assert.equal(get(0, 'm'), 'happy');
      assert.equal(get(0, 'arr'), '{1,2}', 'a non-portable type is read as its text form');
      assert.equal(get(0, 'iv'), '1 day 02:00:00');

      const batches = [];
      for await (const b of reader.readRows(t, { batchRows: 2 })) batches.push(b);
      assert.deepEqual(
        batches.map((b) => [b.rows.length, b.resumeKey]),
        [
          [2, [2]],
          [1, [3]],
        ],
      );
      const resumed = [];
      for await (const b of reader.readRows(t, { batchRows: 2, after: [1] })) resumed.push(...b.rows.map((r) => r[0]));
      assert.deepEqual(resumed, [2, 3]);

      const nokey = schema.tables.find((x) => x.name === 'nokey')!;
      const kb = [];
      for await (const b of reader.readRows(nokey, { batchRows: 2 })) kb.push(b);
      assert.deepEqual(
        kb.map((b) => [b.rows.length, b.resumeKey]),
        [
          [2, undefined],
          [2, undefined],
          [1, undefined],
        ],
      );

      // Tables read at once through the one connection give what they give one at a time.
      const [both1, both2] = await Promise.all([readAll(reader, t, 1), readAll(reader, nokey, 1)]);
      assert.deepEqual([both1.length, both2.length], [3, 5]);

      // The snapshot: rows committed after the reader opened are not seen.
      await sqlOn('postgres', db.url, [`INSERT INTO nokey VALUES (6, 'late')`, `DELETE FROM everything WHERE id = 3`]);
      assert.equal(await reader.countRows(nokey), 5);
      assert.equal(await reader.countRows(t), 3);
      assert.equal((await readAll(reader, nokey, 100)).length, 5);
    }));

  test('writer: conformed values round-trip through COPY; identity continues at max + 1; indexes and constraints added', () =>
    withDb('write', async (db, open) => {
      const table: TableSchema = {
        name: 'Round Trip',
        columns: [
          { name: 'id', type: { kind: 'integer', bits: 64 }, nullable: false, identity: true },
          { name: 'i16', type: { kind: 'integer', bits: 16 }, nullable: true },
          { name: 'big', type: { kind: 'integer', bits: 64 }, nullable: true },
          { name: 'dec', type: { kind: 'decimal', precision: 38, scale: 8 }, nullable: true },
          { name: 'r32', type: { kind: 'real', bits: 32 }, nullable: true },
          { name: 'r64', type: { kind: 'real', bits: 64 }, nullable: true },
          { name: 'ok', type: { kind: 'boolean' }, nullable: true, default: { kind: 'literal', value: 1 } },
          { name: 'ключ ü🙂', type: { kind: 'text', length: 40 }, nullable: true },
          { name: 'body', type: { kind: 'text' }, nullable: true },
          { name: 'bin', type: { kind: 'binary' }, nullable: true },
          { name: 'd', type: { kind: 'date' }, nullable: true },
          { name: 'tm', type: { kind: 'time', precision: 6 }, nullable: true },
          {
            name: 'ts',
            type: { kind: 'timestamp', tz: false, precision: 6 },
            nullable: true,
            default: { kind: 'expression', name: 'current_timestamp' },
          },
          { name: 'tstz', type: { kind: 'timestamp', tz: true, precision: 6 }, nullable: true },
          { name: 'j', type: { kind: 'json' }, nullable: true },
          { name: 'u', type: { kind: 'uuid' }, nullable: true },
          { name: 'status', type: { kind: 'enum', values: ['new', "it's", 'done'] }, nullable: true },
        ],
        primaryKey: { name: 'Round Trip PK', columns: ['id'] },
        uniques: [{ name: 'round_trip_u_key', columns: ['u'], unique: true }],
        indexes: [{ name: 'round_trip_d_idx', columns: ['d', 'id'], unique: false }],
        foreignKeys: [],
        checks: [{ name: 'round_trip_i16_check', expression: 'i16 >= 0' }],
      };
      const raw: Row[] = [
        [
          1,
          7,
          9223372036854775807n,
          '-123456789012345678901234567890.12345678',
          1.100000023841858,
          -0,
          true,
          'ü€🙂 "quoted"',
          'back\\slash\ttab\nnewline\r\nend',
          Buffer.from([0, 1, 92, 9, 10, 0]),
          '1999-12-31',
          '23:59:59.999999',
          '2024-02-29 12:34:56.000001',
          '2024-02-29 12:34:56.5+00:00',
          '{"z": [1, "\\u00e9"], "a": null}',
          'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          "it's",
        ],
        [
          5,
          0,
          -9223372036854775808n,
          '0.5',
          Number.NaN,
          Infinity,
          false,
          '',
          '',
          Buffer.alloc(0),
          '0001-01-01',
          '00:00:00',
          '0001-01-01 00:00:00',
          '9999-12-31 23:59:59.999999+00:00',
          '[]',
          '00000000-0000-0000-0000-000000000000',
          'new',
        ],
        [9, null, null, null, -Infinity, null, null, null, null, null, null, null, null, null, null, null, null],
      ];
      const writer = await open.writer();
      assert.equal(writer.capabilities.maxIdentifierLength, 63);
      const conformers = table.columns.map((c) => makeConformer(c, writer.limits, new Set()));
      const rows = raw.map((r) =>
        r.map((v, i) => {
          const c = conformers[i]!(v);
          if (c instanceof Refusal) assert.fail(`${table.columns[i]!.name}: ${c.reason}`);
          return c;
        }),
      );
      assert.deepEqual(await writer.existingTables(['Round Trip', 'other']), []);
      await writer.createTables([table]);
      assert.deepEqual(await writer.existingTables(['Round Trip', 'other']), ['Round Trip']);
      assert.deepEqual(await writer.writeBatch(table, rows.slice(0, 2)), []);
      assert.deepEqual(await writer.writeBatch(table, rows.slice(2), { runId: 'r1', table: 'Round Trip', state: () => '{"n":3}' }), []);
      assert.deepEqual(
        writer
          .notCarried?.([
            {
              ...table,
              columns: [
                {
                  name: 'b',
                  type: { kind: 'binary', length: 4 },
                  nullable: true,
                  default: { kind: 'raw', engine: 'sqlite', sql: "x'00'" },
                },
              ],
            },
          ])
          .map((n) => `${n.kind}:${n.name}`),
        ['default:b', 'type:b'],
      );
      await writer.finishTable(table);
      await writer.finishSchema([table]);
      // Both are idempotent: a resumed run may finish again what an interrupted one finished.
      await writer.finishTable(table);
      await writer.finishSchema([table]);

      const reader = await open.reader();
      const schema = await reader.readSchema();
      const back = schema.tables.find((x) => x.name === 'Round Trip')!;
      assert.deepEqual(
        back.columns.map((c) => [c.name, c.type]),
        table.columns.map((c) => [c.name, c.type]),
        'types read back as written',
      );
      assert.deepEqual(back.primaryKey, table.primaryKey);
      assert.deepEqual(back.uniques, table.uniques);
      assert.deepEqual(back.indexes, table.indexes);
      assert.deepEqual(back.checks, [{ name: 'round_trip_i16_check', expression: '(i16 >= 0)' }]);
      assert.deepEqual(back.columns.find((c) => c.name === 'ok')!.default, { kind: 'literal', value: true });
      // Equal as ferry compares values (digest.ts): numeric(38,8) reads '0.5' back as '0.50000000', a real(32) 1.1
      // back as its shortest spelling; and exactly where it matters.
      const encoders = table.columns.map((c) => valueEncoder(c.type));
      const canonical = (rs: Row[]) => rs.map((r) => r.map((v, i) => encoders[i]!(v)));
      const readBack = await readAll(reader, back);
      assert.deepEqual(canonical(readBack), canonical(rows));
      assert.ok(Object.is(readBack[0]![5], -0), '-0 keeps its sign');
      assert.deepEqual(readBack[0]![9], Buffer.from([0, 1, 92, 9, 10, 0]));
      assert.equal(readBack[0]![8], 'back\\slash\ttab\nnewline\r\nend');
      assert.equal(readBack[0]![2], 9223372036854775807n);
      assert.ok(!schema.tables.some((x) => x.name === '_ferry_checkpoint'), "ferry's checkpoint table is not part of the dataset");

      const [inserted] = await sqlOn('postgres', db.url, [`INSERT INTO "Round Trip" (i16) VALUES (1) RETURNING id`]);
      assert.deepEqual(inserted, [{ id: '10' }], 'the identity continues after the largest id');

      await reader.close(); // its snapshot holds a lock on the table that DROP would wait for
      await writer.dropTables(['Round Trip']);
      assert.deepEqual(await writer.existingTables(['Round Trip']), []);
      const [types] = await sqlOn('postgres', db.url, [`SELECT typname FROM pg_type WHERE typname LIKE 'Round Trip%'`]);
      assert.deepEqual(types, [], 'the enum type ferry created went with its table');
    }));

  test('writer: a refused row is returned as a reject; the good rows and the checkpoint commit together', () =>
    withDb('reject', async (db, open) => {
      const table: TableSchema = {
        name: 'items',
        columns: [
          { name: 'id', type: { kind: 'integer', bits: 32 }, nullable: false, identity: true },
          { name: 'qty', type: { kind: 'integer', bits: 32 }, nullable: false },
        ],
        primaryKey: { columns: ['id'] },
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const writer = await open.writer();
      await writer.createTables([table]);
      await sqlOn('postgres', db.url, [`ALTER TABLE items ADD CONSTRAINT qty_positive CHECK (qty > 0)`]);
      let seen: RejectedRow[] | undefined;
      const state = (refused: RejectedRow[]) => {
        assert.equal(seen, undefined, 'the state is computed once');
        seen = refused;
        return `{"after":[3],"refused":${refused.length}}`;
      };
      const rejects = await writer.writeBatch(
        table,
        [
          [1, 10],
          [2, -1],
          [3, 30],
        ],
        { runId: 'run-1', table: 'items', state },
      );
      assert.equal(rejects.length, 1);
      assert.deepEqual(seen, rejects, 'the checkpoint state sees the refused rows');
      assert.deepEqual(rejects[0]!.row, [2, -1]);
      assert.match(rejects[0]!.reason, /qty_positive/);
      const [rows, checkpoints] = await sqlOn('postgres', db.url, [
        'SELECT id, qty FROM items ORDER BY id',
        'SELECT run_id, table_name, state FROM _ferry_checkpoint',
      ]);
      assert.deepEqual(rows, [
        { id: 1, qty: 10 },
        { id: 3, qty: 30 },
      ]);
      assert.deepEqual(checkpoints, [{ run_id: 'run-1', table_name: 'items', state: '{"after":[3],"refused":1}' }]);

      // A later batch moves the checkpoint; a batch that fails as a whole commits neither its rows nor its checkpoint.
      assert.deepEqual(await writer.writeBatch(table, [[4, 40]], { runId: 'run-1', table: 'items', state: () => '{"after":[4]}' }), []);
      await assert.rejects(
        writer.writeBatch(table, [[5, 50]], { runId: 'run-1', table: 'items', state: () => 'NUL \u0000 cannot be stored' }),
      );
      const [after, cp] = await sqlOn('postgres', db.url, ['SELECT max(id) AS m FROM items', 'SELECT state FROM _ferry_checkpoint']);
      assert.deepEqual([after, cp], [[{ m: 4 }], [{ state: '{"after":[4]}' }]]);
      await writer.writeBatch(table, [], { runId: 'run-2', table: 'items', state: () => 'other run' });
      assert.deepEqual(await writer.readCheckpoints('run-1'), new Map([['items', '{"after":[4]}']]));
      assert.deepEqual(await writer.readCheckpoints('nope'), new Map());
      await writer.clearCheckpoints('run-1');
      assert.deepEqual(await writer.readCheckpoints('run-1'), new Map());
      assert.deepEqual(await writer.existingTables(['_ferry_checkpoint']), ['_ferry_checkpoint'], 'kept: run-2 still has one');
      await writer.clearCheckpoints('run-2');
      assert.deepEqual(await writer.existingTables(['_ferry_checkpoint']), [], 'dropped with its last checkpoint');

      await writer.finishTable(table);
      const [next] = await sqlOn('postgres', db.url, ['INSERT INTO items (qty) VALUES (1) RETURNING id']);
      assert.deepEqual(next, [{ id: 5 }]);
      await writer.truncateTable(table);
      assert.deepEqual((await sqlOn('postgres', db.url, ['SELECT count(*)::int AS n FROM items']))[0], [{ n: 0 }]);
    }));

  test('writer: the run lock keeps a second run out until the first one closes', () =>
    withDb('lock', async (db, open) => {
      const first = await open.writer();
      await first.lock();
      const second = await open.writer();
      await assert.rejects(
        second.lock(),
        (e: unknown) => e instanceof FerryError && e.kind === 'refused' && /another run is writing/.test(e.message),
      );
      const otherSchema = await open.writer(`${db.url}?schema=other`);
      await otherSchema.lock(); // another schema is another target
      await first.close();
      await second.lock();
    }));

  test('?schema= selects the schema that is written and read', () =>
    withDb('schema', async (db, open) => {
      const table: TableSchema = {
        name: 't',
        columns: [{ name: 'e', type: { kind: 'enum', values: ['a', 'b'] }, nullable: false }],
        uniques: [],
        indexes: [],
        foreignKeys: [],
        checks: [],
      };
      const url = `${db.url}?schema=${encodeURIComponent('My Schema')}`;
      const writer = await open.writer(url);
      await writer.createTables([table]);
      await writer.writeBatch(table, [['b'], ['a']], { runId: 'r', table: 't', state: () => 's' });
      const inSchema = await open.reader(url);
      const s = await inSchema.readSchema();
      assert.deepEqual(
        s.tables.map((t) => [t.name, t.columns[0]!.type]),
        [['t', { kind: 'enum', values: ['a', 'b'] }]],
      );
      assert.deepEqual(await readAll(inSchema, s.tables[0]!), [['b'], ['a']], 'a keyless table reads in storage order');
      assert.deepEqual((await (await open.reader()).readSchema()).tables, [], 'public holds nothing');
      await endpointError(postgresEngine.openReader(`${db.url}?schema=missing`, {}));
    }));

  test('endpoint errors: unreachable, missing database, refused login, no right to create; never a password', async () => {
    const unreachable = await endpointError(postgresEngine.openReader('postgres://postgres:Secr3t-pw@127.0.0.1:1/app', {}));
    assert.match(unreachable.message, /cannot reach the PostgreSQL server at 127\.0\.0\.1:1/);
    assert.ok(!unreachable.message.includes('Secr3t-pw'));

    const missing = await endpointError(postgresEngine.openReader(`${POSTGRES_URL}/ferry_missing_${randomBytes(4).toString('hex')}`, {}));
    assert.match(missing.message, /database "ferry_missing_[0-9a-f]+" does not exist/);

    await assert.rejects(postgresEngine.openReader(POSTGRES_URL, {}), (e: unknown) => e instanceof FerryError && e.kind === 'usage');

    // The test server trusts every local login, so a wrong password is refused by a stand-in server speaking the
    // protocol: it asks for the password, then refuses it with SQLSTATE 28P01, quoting it back as a hostile
    // server could. The message names the user and what to check, never the password.
    const fake = createServer((socket) => {
      let step = 0;
      socket.on('data', () => {
        step++;
        if (step === 1) socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        if (step === 2) socket.end(errorResponse('28P01', 'password authentication failed for user "app" (sent Wr0ng-Secret)'));
      });
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    try {
      const port = (fake.address() as AddressInfo).port;
      const refused = await endpointError(postgresEngine.openReader(`postgres://app:Wr0ng-Secret@127.0.0.1:${port}/app`, {}));
      assert.match(refused.message, /refused the login of user "app"/);
      assert.ok(!refused.message.includes('Wr0ng-Secret'), refused.message);
      assert.ok(!JSON.stringify({ m: refused.message, h: refused.hint }).includes('Wr0ng-Secret'));
    } finally {
      fake.close();
    }
  });

  test('endpoint errors on the real server: a role with a password; a role that may not create the database', () =>
    withDb('roles', async (db, open) => {
      const role = `ferry_role_${randomBytes(4).toString('hex')}`;
      await sqlOn('postgres', db.url, [`CREATE ROLE ${role} LOGIN PASSWORD 'Right-Pw-1' NOCREATEDB`]);
      try {
        const base = new URL(POSTGRES_URL);
        const as = (pw: string, database: string) => `postgres://${role}:${pw}@${base.host}/${database}`;
        // With trust authentication (the test server's pg_hba), any password is accepted; where the server checks
        // passwords, this is the refused-login case above.
        const reader = await open.reader(as('Wrong-Pw-2', db.name)).catch((e: unknown) => e);
        if (reader instanceof FerryError) assert.ok(!reader.message.includes('Wrong-Pw-2') && /refused the login/.test(reader.message));
        else assert.ok(!(reader as DatasetReader).description.includes('Wrong-Pw-2'), 'the description hides the password');

        const denied = await endpointError(postgresEngine.openWriter(as('Right-Pw-1', `${db.name}_new`), {}));
        assert.match(denied.message, /cannot create the database/);
        assert.match(denied.hint!, new RegExp(`"${role}" lacks the privilege`));
        assert.ok(!denied.message.includes('Right-Pw-1'));
      } finally {
        await sqlOn('postgres', db.url, [`DROP ROLE ${role}`]);
      }
    }));

  test('Chinook: 11 tables, published row counts, foreign key names; copied through the writer', async () => {
    const source = await chinookSource('postgres');
    try {
      await withDb('chinook_to', async (target, open) => {
        const reader = await open.reader(source.url);
        const schema = await reader.readSchema();
        assert.equal(schema.tables.length, 11);
        const counts: Record<string, number> = {};
        for (const t of schema.tables) counts[neutral(t.name)] = await reader.countRows(t);
        assert.deepEqual(counts, CHINOOK_ROWS);
        const fks = schema.tables.flatMap((t) => t.foreignKeys.map((f) => `${t.name}.${f.name}→${f.refTable}`)).sort();
        assert.ok(fks.includes('album.album_artist_id_fkey→artist'));
        assert.ok(fks.includes('employee.employee_reports_to_fkey→employee'));
        assert.ok(fks.includes('playlist_track.playlist_track_track_id_fkey→track'));
        assert.equal(fks.length, 11);

        const writer = await open.writer(target.url);
        await writer.createTables(schema.tables);
        for (const t of schema.tables) {
          for await (const b of reader.readRows(t, { batchRows: 1000 })) assert.deepEqual(await writer.writeBatch(t, b.rows), []);
          await writer.finishTable(t);
        }
        await writer.finishSchema(schema.tables);
        const copy = await open.reader(target.url);
        const copied = await copy.readSchema();
        for (const t of schema.tables) {
          const c = copied.tables.find((x) => x.name === t.name)!;
          assert.deepEqual(c, t, `${t.name} schema carried`);
          assert.deepEqual(await readAll(copy, c), await readAll(reader, t), `${t.name} rows carried`);
        }
      });
    } finally {
      await source.drop();
    }
  });
});

/** A protocol ErrorResponse message (https://www.postgresql.org/docs/current/protocol-message-formats.html). */
function errorResponse(code: string, message: string): Buffer {
  const body = Buffer.from(`SFATAL\0C${code}\0M${message}\0\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
