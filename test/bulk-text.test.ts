/**
 * Bulk text formatted by the source (engines/sql/bulk-text.ts) must land exactly what the value path lands. For each
 * source that formats (SQLite, PostgreSQL, MySQL) and each target that loads text (PostgreSQL, MySQL), a table of
 * values chosen to sit on every edge of the formatting rules is migrated twice — as text where the source can, and
 * with bulk text turned off — and the two targets must hold the same rows, value for value, with the same rejects.
 * The first run must really have gone as text (most rows formatted by the source), and a batch the target refuses
 * must have been written again as values. A backup's lines are transcoded straight into bulk text on restore
 * (backup/bulk-text.ts), under the same test.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Row } from '../src/core/values.js';
import { openSource } from '../src/ops/endpoints.js';
import { backup } from '../src/ops/backup.js';
import { migrate } from '../src/ops/migrate.js';
import { restore } from '../src/ops/restore.js';
import { verify } from '../src/ops/verify.js';
import type { RunEvent } from '../src/run/events.js';
import type { RunResult } from '../src/run/pipeline.js';
import { requireServer, scratchDb, sqlOn, tempDir, type EngineName } from './helpers/servers.js';

/** Rows of filler between the edge cases, so that the table spans several batches and chunks. */
const FILLER = 8000;
const BATCH_ROWS = 600;

/** A value for the source's INSERT: SQL text, spelled per engine. */
type Sql = string;

const COLUMNS = ['i', 'big', 'dec', 'decu', 'r', 'b', 't', 'vc', 'bin', 'd', 'tm', 'ts', 'ts3', 'tstz', 'j', 'u'] as const;

const DDL: Record<EngineName, string> = {
  sqlite: `CREATE TABLE edge (id INTEGER PRIMARY KEY, i INT, big BIGINT, dec DECIMAL(12,2), decu DECIMAL, r DOUBLE, b BOOLEAN,
    t TEXT, vc VARCHAR(8), bin BLOB, d DATE, tm TIME, ts TIMESTAMP(6), ts3 TIMESTAMP(3), tstz TIMESTAMPTZ(6), j JSON, u UUID)`,
  postgres: `CREATE TABLE edge (id integer PRIMARY KEY, i integer, big bigint, dec numeric(12,2), decu numeric, r double precision,
    b boolean, t text, vc varchar(8), bin bytea, d date, tm time(6), ts timestamp(6), ts3 timestamp(3), tstz timestamptz(6), j json, u uuid)`,
  mysql: `CREATE TABLE edge (id int PRIMARY KEY, i int, big bigint, \`dec\` decimal(12,2), decu decimal(30,10), r double, b tinyint(1),
    t longtext, vc varchar(8), bin longblob, d date, tm time(6), ts datetime(6), ts3 datetime(3), tstz timestamp(6) NULL, j json, u char(36))
    CHARACTER SET utf8mb4`,
};

const all = (v: Sql): Partial<Record<EngineName, Sql>> => ({ sqlite: v, postgres: v, mysql: v });
const pgText = (s: string) =>
  `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\t', '\\t').replaceAll('\n', '\\n').replaceAll('\r', '\\r')}'`;
const plainText = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** A text literal with control characters, per engine. */
const text = (s: string): Partial<Record<EngineName, Sql>> => ({ sqlite: plainText(s), postgres: pgText(s), mysql: plainText(s) });
const blob = (hex: string): Partial<Record<EngineName, Sql>> => ({
  sqlite: `x'${hex}'`,
  postgres: `'\\x${hex}'::bytea`,
  mysql: `x'${hex}'`,
});

/** Edge cases, one row each: [note, column, value per engine]. */
const EDGES: [string, (typeof COLUMNS)[number], Partial<Record<EngineName, Sql>>][] = [
  ['all NULL', 'i', all('NULL')],
  ['int max', 'i', all('2147483647')],
  ['int past 32 bits', 'i', { sqlite: '2147483648' }],
  ['text in an int column', 'i', { sqlite: "'x'" }],
  ['real in an int column', 'i', { sqlite: '1.5' }],
  ['bigint min', 'big', all("'-9223372036854775808'")],
  ['bigint max', 'big', all('9223372036854775807')],
  ['decimal 5', 'dec', all('5')],
  ['decimal 5.00', 'dec', all('5.00')],
  ['decimal negative', 'dec', all('-4253008.64')],
  ['decimal 0.1', 'dec', all('0.1')],
  ['decimal widest', 'dec', all('9999999999.99')],
  ['decimal as text', 'dec', { sqlite: "'12.50'" }],
  ['decimal too precise', 'dec', { sqlite: '0.30000000000000004' }],
  ['decimal too small', 'dec', { sqlite: '0.00001' }],
  ['decimal too large', 'dec', { sqlite: '12345678901.5' }],
  ['decimal zero', 'dec', { sqlite: '-0.0', postgres: '0', mysql: '0' }],
  ['unbounded decimal', 'decu', all('0.1')],
  [
    'unbounded decimal of 17 digits',
    'decu',
    { sqlite: '0.30000000000000004', postgres: '0.30000000000000004', mysql: '0.30000000000000004' },
  ],
  ['unbounded decimal large', 'decu', { sqlite: '1e20', postgres: '100000000000000000000', mysql: '100000000000000000000' }],
  ['unbounded decimal integer', 'decu', all('123456789012345678')],
  ['real 0.1', 'r', all('0.1')],
  ['real one third', 'r', all('0.3333333333333333')],
  ['real whole', 'r', all('5')],
  ['real of 16 digits', 'r', all('0.2710379997836938')],
  ['real of 17 digits', 'r', all('0.27103799978369381')],
  ['real huge', 'r', all('1.5e300')],
  ['real tiny', 'r', all('5e-324')],
  ['real 1e16', 'r', all('1e16')],
  ['real 1e-7', 'r', all('1e-7')],
  ['real 2^53 + 1 stored as an integer', 'r', { sqlite: '9007199254740993' }],
  ['real infinity', 'r', { sqlite: '9e999', postgres: "'Infinity'" }],
  ['real NaN', 'r', { postgres: "'NaN'" }],
  ['boolean true', 'b', { sqlite: '1', postgres: 'true', mysql: '1' }],
  ['boolean false', 'b', { sqlite: '0', postgres: 'false', mysql: '0' }],
  ['boolean 2', 'b', { sqlite: '2', mysql: '2' }],
  ['text empty', 't', all("''")],
  ['text with separators', 't', text('tab\there\nnew\rline back\\slash')],
  ['text that reads as NULL', 't', text('\\N')],
  ['text of a backslash and n', 't', text('a\\nb')],
  ['text emoji', 't', all("'emoji 😀 café ß 漢字'")],
  [
    'text with quotes and control characters',
    't',
    {
      sqlite: "'say \"hi\" ' || char(1) || char(31) || char(12) || ' a/b'",
      postgres: 'E\'say "hi" \\001\\037\\f a/b\'',
      mysql: "CONCAT('say \"hi\" ', CHAR(1), CHAR(31), CHAR(12), ' a/b')",
    },
  ],
  ['text with NUL', 't', { sqlite: "'nul' || char(0) || 'byte'", mysql: "CONCAT('nul', CHAR(0), 'byte')" }],
  ['text not UTF-8', 't', { sqlite: "CAST(x'41c328' AS TEXT)" }],
  ['bytes in a text column', 't', { sqlite: "x'00ff'" }],
  ['varchar full', 'vc', all("'abcdefgh'")],
  ['varchar of emoji', 'vc', all("'😀😀😀😀😀😀😀😀'")],
  ['varchar too long', 'vc', { sqlite: "'abcdefghi'" }],
  ['binary empty', 'bin', blob('')],
  ['binary with separators', 'bin', blob('00095c0a0d4e')],
  ['text in a binary column', 'bin', { sqlite: "'abc'" }],
  ['date leap day', 'd', all("'2024-02-29'")],
  ['date year 1', 'd', all("'0001-01-01'")],
  ['date not a day', 'd', { sqlite: "'2023-02-29'" }],
  ['date unpadded', 'd', { sqlite: "'2024-1-5'" }],
  ['date zero', 'd', { sqlite: "'0000-00-00'", mysql: "'0000-00-00'" }],
  ['date zero day', 'd', { mysql: "'2024-05-00'" }],
  ['date year 0', 'd', { sqlite: "'0000-01-01'", mysql: "'0000-01-01'" }],
  ['date BC', 'd', { postgres: "'0044-03-15 BC'" }],
  ['date infinity', 'd', { postgres: "'infinity'" }],
  ['time', 'tm', all("'23:59:59'")],
  ['time with a fraction', 'tm', all("'12:00:00.5'")],
  ['time past a day', 'tm', { sqlite: "'25:00:00'", mysql: "'25:00:00'" }],
  ['time 24:00', 'tm', { postgres: "'24:00:00'" }],
  ['time negative', 'tm', { mysql: "'-01:00:00'" }],
  ['timestamp', 'ts', all("'2024-01-01 10:00:00'")],
  ['timestamp trailing zeros', 'ts', all("'2024-01-01 10:00:00.120000'")],
  ['timestamp whole fraction', 'ts', all("'2024-01-01 10:00:00.000000'")],
  ['timestamp 7 digits', 'ts', { sqlite: "'2024-01-01 10:00:00.1234567'" }],
  ['timestamp with T', 'ts', { sqlite: "'2024-01-01T10:00:00'" }],
  ['timestamp with an offset', 'ts', { sqlite: "'2024-01-01 10:00:00+02:00'" }],
  ['timestamp not a day', 'ts', { sqlite: "'2024-02-30 00:00:00'" }],
  ['timestamp year 1', 'ts', all("'0001-01-01 00:00:00'")],
  ['timestamp infinity', 'ts', { postgres: "'infinity'" }],
  ['timestamp(3) with 4 digits', 'ts3', { sqlite: "'2024-01-01 10:00:00.1234'" }],
  ['timestamp(3) with 3 digits and zeros', 'ts3', { sqlite: "'2024-01-01 10:00:00.123000'" }],
  ['timestamp zero', 'ts', { mysql: "'0000-00-00 00:00:00'" }],
  ['timestamptz', 'tstz', { sqlite: "'2024-01-01 10:00:00+00:00'", postgres: "'2024-01-01 10:00:00+00'", mysql: "'2024-01-01 10:00:00'" }],
  [
    'timestamptz fraction',
    'tstz',
    { sqlite: "'2024-01-01 10:00:00.5+00:00'", postgres: "'2024-01-01 10:00:00.5+00'", mysql: "'2024-01-01 10:00:00.5'" },
  ],
  ['timestamptz other zone', 'tstz', { sqlite: "'2024-01-01 12:00:00+02:00'", postgres: "'2024-01-01 12:00:00+02'" }],
  ['timestamptz without zone', 'tstz', { sqlite: "'2024-01-01 10:00:00'" }],
  ['json object', 'j', all(`'{"b": 1, "a": [1, 2, {"z": null}]}'`)],
  ['json with escapes', 'j', text('{"t": "a\\tb", "n": "line\\nbreak", "q": "\\"", "s": "\\\\"}')],
  ['json across lines', 'j', text('{\n  "a": 1\n}')],
  ['json with NUL', 'j', all(`'{"a": "\\u0000"}'`)],
  ['json invalid', 'j', { sqlite: "'not json'" }],
  ['json trailing comma', 'j', { sqlite: "'[1, 2,]'" }],
  ['uuid', 'u', all("'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'")],
  ['uuid in capitals', 'u', { sqlite: "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'", mysql: "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12'" }],
  ['uuid invalid', 'u', { sqlite: "'not-a-uuid'" }],
];

/** The source table: filler rows (varied, all clean), the edge rows among them. */
function inserts(engine: EngineName): string[] {
  const cols = ['id', ...COLUMNS].map((c) => (engine === 'mysql' ? `\`${c}\`` : c)).join(', ');
  const out: string[] = [];
  const edgeAt = new Map(EDGES.map((e, i) => [Math.round(((i + 1) * FILLER) / (EDGES.length + 1)), e]));
  for (let id = 1; id <= FILLER; id++) {
    const edge = edgeAt.get(id);
    const values: Record<string, Sql> = filler(engine, id);
    if (edge) {
      const [, column, perEngine] = edge;
      const value = perEngine[engine];
      if (value === undefined) continue;
      if (edge[0] === 'all NULL') for (const c of COLUMNS) values[c] = 'NULL';
      else values[column] = value;
    }
    out.push(`INSERT INTO edge (${cols}) VALUES (${[String(id), ...COLUMNS.map((c) => values[c]!)].join(', ')})`);
  }
  return out;
}

/** A clean row: every column holds an ordinary value (some NULL), spelled for the engine. */
function filler(engine: EngineName, id: number): Record<string, Sql> {
  const n = (id * 7919) % 100_003;
  const nul = (v: Sql) => (id % 11 === 0 ? 'NULL' : v);
  const ts = `2020-0${1 + (id % 9)}-1${id % 10} 0${id % 10}:1${id % 6}:2${id % 10}${id % 3 ? `.${String(n).padStart(6, '0')}` : ''}`;
  return {
    i: nul(String(n - 50_000)),
    big: nul(String(BigInt(n % 100_000) * 92_233_720_368_547n)),
    dec: nul((n / 100).toFixed(2)),
    decu: nul(String(n / 8)),
    r: nul(String(n / 7)),
    b: nul(engine === 'postgres' ? String(id % 2 === 0) : String(id % 2)),
    t: nul(engine === 'postgres' ? pgText(`row ${id}\t${'é'.repeat(id % 5)}\n`) : plainText(`row ${id}\t${'é'.repeat(id % 5)}\n`)),
    vc: nul(`'v${id % 1000}'`),
    bin: nul(engine === 'postgres' ? `'\\x${n.toString(16).padStart(6, '0')}'::bytea` : `x'${n.toString(16).padStart(6, '0')}'`),
    d: nul(`'20${String(10 + (id % 20))}-0${1 + (id % 9)}-2${id % 9}'`),
    tm: nul(`'1${id % 10}:0${id % 6}:3${id % 10}'`),
    ts: nul(`'${ts}'`),
    ts3: nul(`'${ts.slice(0, 23)}'`),
    tstz: nul(engine === 'sqlite' ? `'${ts}+00:00'` : engine === 'postgres' ? `'${ts}+00'` : `'${ts}'`),
    j: nul(`'{"id": ${id}, "tags": ["a", "b"], "x": ${n / 4}}'`),
    u: nul(`'${n.toString(16).padStart(8, '0')}-0000-4000-8000-${String(id).padStart(12, '0')}'`),
  };
}

async function readAll(url: string): Promise<Map<number, Row>> {
  const reader = await openSource(url);
  try {
    const table = (await reader.readSchema()).tables.find((t) => t.name === 'edge')!;
    const out = new Map<number, Row>();
    for await (const batch of reader.readRows(table, { batchRows: 1000 })) for (const r of batch.rows) out.set(Number(r[0]), r);
    return out;
  } finally {
    await reader.close();
  }
}

/** The reject file's rows by id, with their reasons. */
function rejects(dir: string): Map<number, string> {
  const file = join(dir, 'edge.ndjson');
  if (!existsSync(file)) return new Map();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return new Map(lines.map((l) => JSON.parse(l) as { row: { id: number }; reason: string }).map((l) => [l.row.id, l.reason]));
}

const SOURCES: EngineName[] = ['sqlite', 'postgres', 'mysql'];
const TARGETS: EngineName[] = ['postgres', 'mysql'];

/** How a copy is run: into `target`, its files under `name`, with bulk text or not; log lines go to `logs`. */
type Copy = (
  target: string,
  name: string,
  bulkText: boolean,
  logs: string[],
) => Promise<RunResult & { matchesBackup?: Record<string, boolean> }>;

/**
 * The edge table, from `from` into two `to` databases, once as text and once as values (`copy` runs each after
 * `prepare`): the two must hold the same rows, value for value, with the same rejects, and the first must really
 * have gone as text.
 */
async function sameBothWays(
  from: EngineName,
  to: EngineName,
  label: string,
  copy: (source: string, dir: string) => Copy,
  expectFallback: boolean,
): Promise<void> {
  const source = await scratchDb(from, label);
  const asText = await scratchDb(to, `${label}_text`);
  const asValues = await scratchDb(to, `${label}_values`);
  const dir = tempDir();
  try {
    // MySQL: lax about dates (zero dates exist), literal backslashes.
    const setup = from === 'mysql' ? ["SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET time_zone = '+00:00'"] : [];
    await sqlOn(from, source.url, [...setup, DDL[from], ...inserts(from)]);
    const run = copy(source.url, dir.path);
    const logs: string[] = [];
    const text = await run(asText.url, 'text', true, logs);
    const values = await run(asValues.url, 'values', false, []);

    const [tText, tValues] = [text.tables[0]!, values.tables[0]!];
    assert.equal(tValues.formatted, 0, 'the value path formats nothing');
    // Every row went as text but the edge rows the source cannot vouch for and the batches the target refused.
    const fallbacks = logs.filter((m) => /goes row by row/.test(m)).length;
    assert.ok(
      tText.formatted >= tText.rows - EDGES.length - fallbacks * Math.ceil(BATCH_ROWS * 1.25),
      `rows went as text (${tText.formatted} of ${tText.rows}, ${fallbacks} batches refused)`,
    );
    assert.ok(tText.formatted > tText.rows / 2);
    assert.equal(text.verified, true, 'the text run verifies against its source');
    assert.equal(values.verified, true);
    assert.equal(tText.rows, tValues.rows);
    assert.equal(tText.rejected, tValues.rejected);
    assert.deepEqual(text.matchesBackup, values.matchesBackup, 'the same verdict against a backup’s digests');
    assert.deepEqual(rejects(join(dir.path, 'text')), rejects(join(dir.path, 'values')), 'the same rows rejected, for the same reasons');

    const [rowsText, rowsValues] = [await readAll(asText.url), await readAll(asValues.url)];
    assert.equal(rowsText.size, rowsValues.size);
    for (const [id, row] of rowsValues) {
      const note = EDGES.find((_, i) => Math.round(((i + 1) * FILLER) / (EDGES.length + 1)) === id)?.[0] ?? 'filler';
      assert.deepEqual(rowsText.get(id), row, `row ${id} (${note}) arrives the same both ways`);
    }
    assert.equal((await verify({ a: asText.url, b: asValues.url })).equal, true);
    // A value the target refuses inside a batch of text (bytes that are not UTF-8, a NUL bound for PostgreSQL): that
    // batch went again as values, and only the bad row was rejected.
    if (expectFallback) assert.ok(fallbacks > 0, `a batch fell back (${logs.join('; ')})`);
  } finally {
    await Promise.all([source.drop(), asText.drop(), asValues.drop()]);
    dir.remove();
  }
}

/** The run's log lines into `logs`. */
const logInto = (logs: string[]) => (e: RunEvent) => {
  if (e.type === 'log') logs.push(e.message);
};

/** What both ways of copying are given: small batches, rejects and state of their own, the log collected. */
const copyOptions = (dir: string, name: string, bulkText: boolean, logs: string[]) => ({
  bulkText,
  batchRows: BATCH_ROWS,
  rejectsDir: join(dir, name),
  statePath: join(dir, `${name}.json`),
  events: logInto(logs),
});

/** The two ways rows reach a target as bulk text: a migrate from the database, and a restore of its backup. */
const WAYS: {
  name: (from: EngineName) => string;
  label: string;
  copy: (source: string, dir: string) => Copy;
  fallback: (from: EngineName, to: EngineName) => boolean;
}[] = [
  {
    name: (from) => `bulk text from ${from}`,
    label: 'edge',
    copy: (source, dir) => (target, name, bulkText, logs) => migrate({ source, target, ...copyOptions(dir, name, bulkText, logs) }),
    fallback: (from, to) => from === 'sqlite' || (from === 'mysql' && to === 'postgres'),
  },
  {
    name: (from) => `bulk text from a backup of ${from}`,
    label: 'edge_bk',
    copy: (source, dir) => {
      const archive = join(dir, 'edge.ferry');
      const made = backup({ source, dest: archive, rejectsDir: join(dir, 'b'), statePath: join(dir, 'b.json') });
      return async (target, name, bulkText, logs) => {
        await made;
        return restore({ backup: archive, target, ...copyOptions(dir, name, bulkText, logs) });
      };
    },
    fallback: () => false,
  },
];

for (const way of WAYS) {
  for (const from of SOURCES) {
    describe(way.name(from), async () => {
      const skipFrom = (await requireServer(from)).skip;
      for (const to of TARGETS) {
        test(`→ ${to}: the same rows and rejects as the value path`, { skip: skipFrom ?? (await requireServer(to)).skip }, () =>
          sameBothWays(from, to, way.label, way.copy, way.fallback(from, to)),
        );
      }
    });
  }
}

/**
 * A backup's own lines, formatted by the source (engines/sql/bulk-text.ts, jsonElement) when the run computes no
 * digest: the backup must hold what the value path writes, value for value, with the same rejects.
 */
for (const from of SOURCES) {
  describe(`backup lines from ${from}`, async () => {
    const skip = (await requireServer(from)).skip;
    test('the same rows and rejects as the value path, without verification', { skip }, async () => {
      const source = await scratchDb(from, 'edge_lines');
      const dir = tempDir();
      try {
        const setup = from === 'mysql' ? ["SET sql_mode = 'NO_BACKSLASH_ESCAPES'", "SET time_zone = '+00:00'"] : [];
        await sqlOn(from, source.url, [...setup, DDL[from], ...inserts(from)]);
        const run = (name: string, bulkText: boolean, logs: string[]) =>
          backup({
            source: source.url,
            dest: join(dir.path, `${name}.ferry`),
            verify: false,
            ...copyOptions(dir.path, name, bulkText, logs),
          });
        const logs: string[] = [];
        const text = await run('text', true, logs);
        const values = await run('values', false, []);
        const [tText, tValues] = [text.tables[0]!, values.tables[0]!];
        assert.equal(tValues.formatted, 0);
        // In SQLite, text that is not UTF-8 made its batch go again as values; nothing else does.
        const fallbacks = logs.filter((m) => /goes row by row/.test(m)).length;
        assert.equal(fallbacks, from === 'sqlite' ? 1 : 0, logs.join('; '));
        assert.ok(
          tText.formatted >= tText.rows - EDGES.length - fallbacks * Math.ceil(BATCH_ROWS * 1.25),
          `rows went as lines (${tText.formatted} of ${tText.rows})`,
        );
        assert.equal(tText.rows, tValues.rows);
        assert.equal(tText.rejected, tValues.rejected);
        assert.deepEqual(rejects(join(dir.path, 'text')), rejects(join(dir.path, 'values')));
        const [rowsText, rowsValues] = [await readAll(join(dir.path, 'text.ferry')), await readAll(join(dir.path, 'values.ferry'))];
        assert.equal(rowsText.size, rowsValues.size);
        for (const [id, row] of rowsValues) assert.deepEqual(rowsText.get(id), row, `row ${id} arrives the same both ways`);
        assert.equal((await verify({ a: join(dir.path, 'text.ferry'), b: join(dir.path, 'values.ferry') })).equal, true);
      } finally {
        await source.drop();
        dir.remove();
      }
    });
  });
}
