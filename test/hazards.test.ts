/**
 * The value classes every migration must carry exactly, and the known hazards of existing tools, crossing every
 * pair of engines. Clean values arrive exactly (checked value by value, not only by digest); each hazard goes to
 * the reject file with its reason, or is carried by the conversion rule the user chose.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Row } from '../src/core/values.js';
import { openSource } from '../src/ops/endpoints.js';
import { migrate } from '../src/ops/migrate.js';
import { ENGINE_NAMES, requireServer, scratchDb, sqlOn, tempDir, type EngineName } from './helpers/servers.js';

const DDL: Record<EngineName, string> = {
  sqlite: `CREATE TABLE "values" (id INTEGER PRIMARY KEY, i64 BIGINT, dec DECIMAL(30,10), r REAL, b BOOLEAN, t TEXT, vc VARCHAR(50),
    bin BLOB, d DATE, tm TIME, ts TIMESTAMP(6), tstz TIMESTAMPTZ(6), j JSON, u UUID)`,
  postgres: `CREATE TABLE "values" (id integer PRIMARY KEY, i64 bigint, dec numeric(30,10), r double precision, b boolean, t text,
    vc varchar(50), bin bytea, d date, tm time(6), ts timestamp(6), tstz timestamptz(6), j json, u uuid)`,
  mysql: `CREATE TABLE \`values\` (id int PRIMARY KEY, i64 bigint, \`dec\` decimal(30,10), r double, b tinyint(1), t longtext,
    vc varchar(50), bin longblob, d date, tm time(6), ts datetime(6), tstz timestamp(6) NULL, j json, u char(36))`,
};

const bytes = (engine: EngineName, hex: string) => (engine === 'postgres' ? `decode('${hex}', 'hex')` : `x'${hex}'`);
const str = (engine: EngineName, s: string) =>
  engine === 'postgres'
    ? `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\t', '\\t').replaceAll('\n', '\\n')}'`
    : `'${s.replaceAll("'", "''")}'`;
const TRICKY = 'tab\there\nnew line "quoted" \'single\' back\\slash';
const BIG_DECIMAL: Record<EngineName, string> = {
  sqlite: '12345.67',
  postgres: '12345678901234567890.1234567890',
  mysql: '12345678901234567890.1234567890',
};

function cleanRows(e: EngineName): string[] {
  const t = e === 'mysql' ? '`values`' : '"values"';
  const cols =
    e === 'mysql' ? 'id, i64, `dec`, r, b, t, vc, bin, d, tm, ts, tstz, j, u' : 'id, i64, dec, r, b, t, vc, bin, d, tm, ts, tstz, j, u';
  const tz = e === 'mysql' ? '' : '+00';
  return [
    ...(e === 'mysql' ? ["SET time_zone = '+00:00'", "SET sql_mode = 'NO_BACKSLASH_ESCAPES'"] : []),
    `INSERT INTO ${t} (id) VALUES (1)`,
    `INSERT INTO ${t} (${cols}) VALUES (2, 0, 0, 0, false, '', '', ${bytes(e, '')}, '2000-01-01', '00:00:00', '2000-01-01 00:00:00',
      '2000-01-01 00:00:00${tz}', '{}', '00000000-0000-0000-0000-000000000000')`,
    `INSERT INTO ${t} (${cols}) VALUES (3, 9007199254740993, ${BIG_DECIMAL[e]}, 1.5e300, true, 'emoji 😀 café ß 漢字', ${str(e, TRICKY)},
      ${bytes(e, '00010000ff')}, '2024-02-29', '23:59:59.123456', '2024-02-29 23:59:59.123456', '2024-02-29 23:59:59.123456${tz}',
      '{"b": 1, "a": [1, 2, {"z": null}]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')`,
    `INSERT INTO ${t} (${cols}) VALUES (4, -9223372036854775808, -0.0000000001, -2.5, false, 'x', 'y', ${bytes(e, '00')}, '1970-01-01',
      '12:00:00.5', '1999-12-31 23:59:59.999999', '2038-01-19 03:14:07.000001${tz}', '[1, "two", 3.5]', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12')`,
  ];
}

async function readAll(url: string, table: string): Promise<Map<number, Row>> {
  const reader = await openSource(url);
  try {
    const schema = await reader.readSchema();
    const t = schema.tables.find((x) => x.name === table)!;
    const out = new Map<number, Row>();
    for await (const batch of reader.readRows(t, { batchRows: 100 })) for (const r of batch.rows) out.set(Number(r[0]), r);
    return out;
  } finally {
    await reader.close();
  }
}

const asText = (v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : typeof v === 'bigint' ? v.toString() : v);

for (const from of ENGINE_NAMES) {
  describe(`values from ${from}`, async () => {
    const skipFrom = (await requireServer(from)).skip;
    for (const to of ENGINE_NAMES) {
      test(`→ ${to} arrive exactly`, { skip: skipFrom ?? (await requireServer(to)).skip }, async () => {
        const source = await scratchDb(from, 'values');
        const target = await scratchDb(to, 'values_to');
        const dir = tempDir();
        try {
          await sqlOn(from, source.url, [DDL[from], ...cleanRows(from)]);
          const result = await migrate({
            source: source.url,
            target: target.url,
            rejectsDir: dir.path,
            statePath: join(dir.path, 'state.json'),
          });
          assert.equal(result.rejected, 0, JSON.stringify(result.tables));
          assert.equal(result.verified, true);
          const rows = await readAll(target.url, 'values');
          const [, i64, dec, r, b, t, vc, bin, d, tm, ts, tstz, j, u] = rows.get(3)!;
          assert.equal(asText(i64), '9007199254740993');
          assert.equal(String(dec).replace(/0+$/, ''), BIG_DECIMAL[from].replace(/0+$/, ''));
          assert.equal(r, 1.5e300);
          assert.ok(b === true || b === 1 || b === 1n, `boolean true, got ${String(b)}`);
          assert.equal(t, 'emoji 😀 café ß 漢字');
          assert.equal(vc, TRICKY);
          assert.equal(asText(bin), '00010000ff');
          assert.equal(d, '2024-02-29');
          assert.match(String(tm), /^23:59:59\.123456/);
          assert.match(String(ts), /^2024-02-29[ T]23:59:59\.123456/);
          assert.match(String(tstz), /^2024-02-29[ T]23:59:59\.123456/);
          assert.deepEqual(JSON.parse(String(j)), { b: 1, a: [1, 2, { z: null }] });
          assert.equal(String(u).toLowerCase(), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
          // NULL stays NULL, empty stays empty.
          assert.ok(
            rows
              .get(1)!
              .slice(1)
              .every((v) => v === null),
            'row 1 is all NULL',
          );
          const empty = rows.get(2)!;
          assert.equal(empty[5], '');
          assert.equal(asText(empty[7]), '');
          assert.equal(asText(rows.get(4)![1]), '-9223372036854775808');
        } finally {
          await Promise.all([source.drop(), target.drop()]);
          dir.remove();
        }
      });
    }
  });
}

/** Hazards a source engine can hold, and which targets cannot take them. */
interface Hazard {
  id: number;
  /** SQL that inserts the row into table hazard (id, n INT, t TEXT, d DATE, r DOUBLE). */
  insert: string;
  /** Rejected for these targets without a rule. */
  rejectedOn: EngineName[];
  reason: RegExp;
  /** With the rule, the row is carried and this column holds this value. */
  rule?: { name: string; column: number; value: unknown };
}

const HAZARD_DDL: Record<EngineName, string> = {
  sqlite: 'CREATE TABLE hazard (id INTEGER PRIMARY KEY, n INT, t TEXT, d DATE, r REAL)',
  postgres: 'CREATE TABLE hazard (id integer PRIMARY KEY, n integer, t text, d date, r double precision)',
  mysql: 'CREATE TABLE hazard (id int PRIMARY KEY, n int, t longtext, d date, r double)',
};

const HAZARDS: Record<EngineName, Hazard[]> = {
  sqlite: [
    {
      id: 1,
      insert: "INSERT INTO hazard VALUES (1, 'abc', 'text in an integer column', NULL, NULL)",
      rejectedOn: ['sqlite', 'postgres', 'mysql'],
      reason: /n: text value "abc" in a integer column/,
    },
    {
      id: 2,
      insert: 'INSERT INTO hazard VALUES (2, 1099511627776, NULL, NULL, NULL)',
      rejectedOn: ['sqlite', 'postgres', 'mysql'],
      reason: /1099511627776 is out of range for integer\(32\)/,
    },
    {
      id: 3,
      insert: "INSERT INTO hazard VALUES (3, 1, 'nul' || char(0) || 'byte', NULL, NULL)",
      rejectedOn: ['postgres'],
      reason: /NUL character/,
      rule: { name: 'nul=strip', column: 2, value: 'nulbyte' },
    },
    {
      id: 4,
      insert: "INSERT INTO hazard VALUES (4, 1, CAST(x'41c328' AS TEXT), NULL, NULL)",
      rejectedOn: ['sqlite', 'postgres', 'mysql'],
      reason: /not valid UTF-8/,
      rule: { name: 'invalid-utf8=replace', column: 2, value: 'A\uFFFD(' },
    },
    { id: 5, insert: "INSERT INTO hazard VALUES (5, 2, 'clean', '2024-01-31', 0.25)", rejectedOn: [], reason: /^$/ },
  ],
  postgres: [
    {
      id: 1,
      insert: "INSERT INTO hazard VALUES (1, 1, 'x', NULL, 'NaN')",
      rejectedOn: ['sqlite', 'mysql'],
      reason: /NaN cannot be stored/,
    },
    { id: 2, insert: "INSERT INTO hazard VALUES (2, 2, 'clean', '2024-01-31', 0.25)", rejectedOn: [], reason: /^$/ },
  ],
  mysql: [
    {
      id: 1,
      insert: "INSERT INTO hazard VALUES (1, 1, 'zero date', '0000-00-00', NULL)",
      rejectedOn: ['sqlite', 'postgres', 'mysql'],
      reason: /zero date 0000-00-00/,
      rule: { name: 'zero-date=null', column: 3, value: null },
    },
    {
      id: 2,
      insert: "INSERT INTO hazard VALUES (2, 1, CONCAT('nul', CHAR(0), 'byte'), NULL, NULL)",
      rejectedOn: ['postgres'],
      reason: /NUL character/,
      rule: { name: 'nul=strip', column: 2, value: 'nulbyte' },
    },
    { id: 3, insert: "INSERT INTO hazard VALUES (3, 2, 'clean', '2024-01-31', 0.25)", rejectedOn: [], reason: /^$/ },
  ],
};

for (const from of ENGINE_NAMES) {
  describe(`hazards from ${from}`, async () => {
    const skipFrom = (await requireServer(from)).skip;
    for (const to of ENGINE_NAMES) {
      test(
        `→ ${to}: rejected with a reason, or carried by the chosen rule`,
        { skip: skipFrom ?? (await requireServer(to)).skip },
        async () => {
          const source = await scratchDb(from, 'hazard');
          const plain = await scratchDb(to, 'hazard_to');
          const ruled = await scratchDb(to, 'hazard_rule');
          const dir = tempDir();
          try {
            const setup = from === 'mysql' ? ["SET sql_mode = ''"] : [];
            await sqlOn(from, source.url, [...setup, HAZARD_DDL[from], ...HAZARDS[from].map((h) => h.insert)]);
            const hazards = HAZARDS[from];

            const result = await migrate({
              source: source.url,
              target: plain.url,
              rejectsDir: join(dir.path, 'plain'),
              statePath: join(dir.path, 'plain.json'),
            });
            const expected = hazards.filter((h) => h.rejectedOn.includes(to));
            assert.equal(result.rejected, expected.length, JSON.stringify(result.tables));
            assert.equal(result.verified, true, 'what was written verifies equal');
            if (expected.length > 0) {
              const lines = readFileSync(join(dir.path, 'plain', 'hazard.ndjson'), 'utf8')
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as { reason: string; row: { id: number } });
              for (const h of expected) {
                const line = lines.find((l) => l.row.id === h.id);
                assert.ok(line, `row ${h.id} is in the reject file`);
                assert.match(line.reason, h.reason);
              }
            }
            const carried = await readAll(plain.url, 'hazard');
            assert.deepEqual(
              [...carried.keys()].sort(),
              hazards.filter((h) => !h.rejectedOn.includes(to)).map((h) => h.id),
            );

            const rules = [...new Set(hazards.flatMap((h) => (h.rule ? [h.rule.name] : [])))];
            if (rules.length === 0) return;
            const withRules = await migrate({
              source: source.url,
              target: ruled.url,
              rejectsDir: join(dir.path, 'ruled'),
              statePath: join(dir.path, 'ruled.json'),
              convert: rules,
            });
            const stillRejected = expected.filter((h) => !h.rule);
            assert.equal(withRules.rejected, stillRejected.length);
            const rows = await readAll(ruled.url, 'hazard');
            for (const h of expected.filter((x) => x.rule))
              assert.deepEqual(rows.get(h.id)?.[h.rule!.column], h.rule!.value, `row ${h.id} under ${h.rule!.name}`);
          } finally {
            await Promise.all([source.drop(), plain.drop(), ruled.drop()]);
            dir.remove();
          }
        },
      );
    }
  });
}

describe('doubles keep every digit', async () => {
  // 17 significant digits: MySQL's driver once read these with the last digit wrong, on both sides of a
  // verification, so only a value-by-value check against the literal shows it.
  const VALUES = [92914111.16356319, 95887.59262079971, 0.1 + 0.2, 1.7976931348623157e308, 5e-324];
  for (const from of ENGINE_NAMES) {
    test(`from ${from}`, { skip: (await requireServer(from)).skip }, async () => {
      const source = await scratchDb(from, 'dbl');
      try {
        const type = from === 'postgres' ? 'double precision' : from === 'mysql' ? 'double' : 'REAL';
        await sqlOn(from, source.url, [
          `CREATE TABLE d (id int PRIMARY KEY, v ${type})`,
          ...VALUES.map((v, i) => `INSERT INTO d VALUES (${i}, ${v.toPrecision(17)})`),
        ]);
        const rows = await readAll(source.url, 'd');
        assert.deepEqual(
          VALUES.map((_, i) => rows.get(i)![1]),
          VALUES,
        );
      } finally {
        await source.drop();
      }
    });
  }
});

describe('fractions of a second past the column’s digits', async () => {
  // SQLite keeps whatever text a TIMESTAMP(3) column is given; PostgreSQL and MySQL would round the extra digits
  // without a word. Such a value is refused (with the reason); one whose extra digits are zeros is carried.
  for (const to of ENGINE_NAMES) {
    test(`sqlite → ${to}`, { skip: (await requireServer(to)).skip }, async () => {
      const source = await scratchDb('sqlite', 'frac');
      const target = await scratchDb(to, 'frac_to');
      const dir = tempDir();
      try {
        await sqlOn('sqlite', source.url, [
          'CREATE TABLE f (id INTEGER PRIMARY KEY, at TIMESTAMP(3), t TIME(0))',
          "INSERT INTO f VALUES (1, '2024-01-01 10:00:00.123', '10:00:00')",
          "INSERT INTO f VALUES (2, '2024-01-01 10:00:00.1234', NULL)",
          "INSERT INTO f VALUES (3, '2024-01-01 10:00:00.123000', '10:00:00.5')",
          "INSERT INTO f VALUES (4, '2024-01-01 10:00:00.1234567', NULL)",
        ]);
        const result = await migrate({ source: source.url, target: target.url, rejectsDir: dir.path, statePath: join(dir.path, 's.json') });
        const rounding = to !== 'sqlite';
        const refused = readFileSync(join(dir.path, 'f.ndjson'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { row: { id: number }; reason: string });
        // Seven digits are past a microsecond everywhere; four past a TIMESTAMP(3) and half a second past a TIME(0)
        // only where the target rounds.
        assert.deepEqual(refused.map((r) => r.row.id).sort(), rounding ? [2, 3, 4] : [4]);
        for (const r of refused) assert.match(r.reason, /fractional-second digits/);
        assert.equal(result.rejected, refused.length);
        assert.equal(result.verified, true);
        const rows = await readAll(target.url, 'f');
        assert.match(String(rows.get(1)![1]), /^2024-01-01[ T]10:00:00\.123/);
      } finally {
        await Promise.all([source.drop(), target.drop()]);
        dir.remove();
      }
    });
  }
});
