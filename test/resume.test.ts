/**
 * Resume after any interruption. A real `ferry migrate` child is killed with SIGKILL at many points — during
 * schema creation, between tables, at several row counts inside a 200,000-row table (after a batch commits, and inside its transaction), inside a table without a
 * key, during index builds, before constraints, during verification — on four engine pairs, and the same command run again must
 * finish with a target that verifies equal to the source: no row lost, none written twice.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { migrate } from '../src/ops/migrate.js';
import { verify } from '../src/ops/verify.js';
import { BIG_ROWS, createBigSource } from './helpers/big-source.js';
import { ferry, isStopped, killIfRunning } from './helpers/cli.js';
import { requireServer, scratchDb, tempDir, type EngineName, type ScratchDb } from './helpers/servers.js';

const KILL_POINTS = [
  'schema',
  'copy:nokey',
  'data:big:60000',
  'uncommitted:big:175000',
  'index:big',
  'data:nokey:5000',
  'constraints',
  'verify',
];

// The first three pairs cover every engine as source and as target; SQLite, PostgreSQL and MySQL sources format
// bulk text for the PostgreSQL and MySQL targets of the first, second and fourth, and mysql → sqlite goes as values.
const PAIRS: [EngineName, EngineName][] = [
  ['sqlite', 'postgres'],
  ['postgres', 'mysql'],
  ['mysql', 'sqlite'],
  ['mysql', 'postgres'],
];

const work = tempDir();
const sqliteSource = join(work.path, 'big.db');
const sources = new Map<EngineName, ScratchDb>();

before(() => createBigSource(sqliteSource));
after(async () => {
  for (const s of sources.values()) await s.drop();
  work.remove();
});

/** The big source on an engine: the SQLite file, or a ferry copy of it (made once, not timed). */
async function sourceOn(engine: EngineName): Promise<string> {
  if (engine === 'sqlite') return `sqlite:${sqliteSource}`;
  let db = sources.get(engine);
  if (!db) {
    db = await scratchDb(engine, 'big_src');
    await migrate({
      source: `sqlite:${sqliteSource}`,
      target: db.url,
      rejectsDir: join(work.path, 'rej'),
      statePath: join(work.path, `${engine}-src.json`),
      verify: false,
    });
    sources.set(engine, db);
  }
  return db.url;
}

for (const [from, to] of PAIRS) {
  describe(`resume ${from} → ${to}`, async () => {
    const skip = (await requireServer(from)).skip ?? (await requireServer(to)).skip;
    for (const point of KILL_POINTS) {
      test(`killed at ${point}`, { skip }, async () => {
        const source = await sourceOn(from);
        const target = await scratchDb(to, 'resume');
        const dir = tempDir();
        const args = [
          'migrate',
          source,
          target.url,
          '-q',
          '--batch-rows',
          '7000',
          '--state',
          join(dir.path, 'state.json'),
          '--rejects-dir',
          dir.path,
        ];
        try {
          const killed = await ferry(args, { env: { FERRY_FAULT: point } });
          assert.equal(killed.code, -1, `the run was killed at ${point} (exit ${killed.code}: ${killed.stderr})`);
          const state = JSON.parse(readFileSync(join(dir.path, 'state.json'), 'utf8')) as { phase: string };
          assert.notEqual(state.phase, 'done');

          const resumed = await ferry(args);
          assert.equal(resumed.code, 0, resumed.stderr);
          assert.match(resumed.stdout, /resumed an interrupted run/);
          const check = await verify({ a: source, b: target.url });
          assert.equal(check.equal, true, JSON.stringify(check.tables.filter((t) => !t.equal)));
          assert.equal(check.tables.find((t) => t.table === 'big')?.rowsB, BIG_ROWS);
          assert.deepEqual(check.onlyInB, [], 'no table of ferry’s own is left in the target');
        } finally {
          await target.drop();
          dir.remove();
        }
      });
    }
  });
}

describe('resume refusals', async () => {
  const pgSkip = (await requireServer('postgres')).skip;

  test('another source, another target, other options, a changed source: exit 3 with the reason', async () => {
    const dir = tempDir();
    try {
      const src = join(dir.path, 'src.db');
      createBigSource(src);
      const target = join(dir.path, 'out.db');
      const base = ['--state', join(dir.path, 'state.json'), '--rejects-dir', dir.path, '-q'];
      assert.equal((await ferry(['migrate', src, target, ...base], { env: { FERRY_FAULT: 'data:big:30000' } })).code, -1);

      const otherTarget = await ferry(['migrate', src, join(dir.path, 'other.db'), ...base]);
      assert.equal(otherTarget.code, 3);
      assert.match(otherTarget.stderr, /cannot resume .*: it wrote into sqlite:.*out\.db, this run writes into sqlite:.*other\.db/);

      const otherSource = await ferry(['migrate', sqliteSource, target, ...base]);
      assert.equal(otherSource.code, 3);
      assert.match(otherSource.stderr, /it read from/);

      const otherOptions = await ferry(['migrate', src, target, ...base, '--convert', 'nul=strip']);
      assert.equal(otherOptions.code, 3);
      assert.match(otherOptions.stderr, /the plan differs/);

      const { default: Database } = await import('better-sqlite3');
      const db = new Database(src);
      db.prepare('INSERT INTO big (id, n) VALUES (?, 1)').run(BIG_ROWS + 1);
      db.close();
      const changed = await ferry(['migrate', src, target, ...base]);
      assert.equal(changed.code, 3);
      assert.match(changed.stderr, new RegExp(`source changed underneath: big had ${BIG_ROWS} rows, it now has ${BIG_ROWS + 1}`));
      assert.match(changed.stderr, /--force-reset/);
    } finally {
      dir.remove();
    }
  });

  test('--force-reset drops only what the recorded run created, then starts over', async () => {
    const dir = tempDir();
    try {
      const target = join(dir.path, 'out.db');
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(target);
      db.exec("CREATE TABLE keep_me (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO keep_me VALUES (1, 'mine')");
      db.close();
      const base = ['--state', join(dir.path, 'state.json'), '--rejects-dir', dir.path, '-q'];
      assert.equal((await ferry(['migrate', sqliteSource, target, ...base], { env: { FERRY_FAULT: 'data:big:90000' } })).code, -1);
      const reset = await ferry(['migrate', sqliteSource, target, ...base, '--force-reset']);
      assert.equal(reset.code, 0, reset.stderr);
      assert.doesNotMatch(reset.stdout, /resumed/);
      const after = new Database(target, { readonly: true });
      const tables = (after.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
        (r) => r.name,
      );
      const kept = after.prepare('SELECT v FROM keep_me').get() as { v: string };
      after.close();
      assert.deepEqual(tables, ['big', 'child', 'keep_me', 'nokey']);
      assert.equal(kept.v, 'mine');
      const check = await verify({ a: `sqlite:${sqliteSource}`, b: target, excludeTables: ['keep_me'] });
      assert.equal(check.equal, true);
    } finally {
      dir.remove();
    }
  });

  test('a second run into the same target at once is refused', { skip: pgSkip }, async () => {
    const target = await scratchDb('postgres', 'lock');
    const dir = tempDir();
    let pid = 0;
    try {
      // The first run freezes (SIGSTOP) in the middle of its data, holding the lock, until the second has been refused.
      const first = ferry(
        [
          'migrate',
          sqliteSource,
          target.url,
          '-q',
          '--batch-rows',
          '500',
          '--state',
          join(dir.path, 'one.json'),
          '--rejects-dir',
          dir.path,
        ],
        { env: { FERRY_FAULT: 'stop@data:big:1000' }, started: (p) => (pid = p) },
      );
      for (let i = 0; i < 600 && !isStopped(pid); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(isStopped(pid), 'the first run stopped inside its data phase');
      const second = await ferry([
        'migrate',
        sqliteSource,
        target.url,
        '-q',
        '--state',
        join(dir.path, 'two.json'),
        '--rejects-dir',
        dir.path,
      ]);
      assert.equal(second.code, 3, second.stderr);
      assert.match(second.stderr, /another (ferry )?run .*is writing into/);
      process.kill(pid, 'SIGCONT');
      assert.equal((await first).code, 0);
    } finally {
      // A failed assertion must not leave the first run stopped forever.
      killIfRunning(pid);
      await target.drop();
      dir.remove();
    }
  });
});
