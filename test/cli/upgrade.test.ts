/** App-pack upgrades from the command line: check, migrate --app with consent, and the offline convert. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, after, describe, test } from 'node:test';
import { openDataset, readAll, writeDataset } from '../../src/upgrade/testing.js';
import { ferry } from '../helpers/cli.js';
import { sqlOn, tempDir } from '../helpers/servers.js';
import { jotV1 } from '../upgrade/jot-fixture.js';

const dir = tempDir();
const v1 = join(dir.path, 'jot1.db');
const blocked = join(dir.path, 'jot1-s3.db');
before(async () => {
  await writeDataset(jotV1(), `sqlite:${v1}`);
  await writeDataset(jotV1({ s3: true }), `sqlite:${blocked}`);
});
after(() => dir.remove());

describe('ferry check', () => {
  test('names the version, the path and every loss with its count', async () => {
    const r = await ferry(['check', v1, '--app', 'example'], { cwd: dir.path });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /example 1\.0, detected/);
    assert.match(r.stdout, /path: 1\.0 → 2\.0 → 3\.0/);
    assert.match(r.stdout, /2 rows of sessions will not be carried/);
    assert.match(r.stdout, /1 row of notes is skipped as orphans: its notebook no longer exists \(ids 4\)/);
    assert.match(r.stdout, /No blockers/);
  });

  test('exits 3 with the ids of the rows that block the upgrade', async () => {
    const r = await ferry(['check', blocked, '--app', 'example', '--json'], { cwd: dir.path });
    assert.equal(r.code, 3);
    // One JSON document on stdout: the result, which says there are blockers.
    const result = JSON.parse(r.stdout) as { blockers: number; findings: { severity: string; ids?: unknown[] }[] };
    assert.equal(result.blockers, 1);
    assert.deepEqual(result.findings[0]!.ids, [4]);
  });

  test('an unknown pack is a usage error', async () => {
    const r = await ferry(['check', v1, '--app', 'no-such-pack'], { cwd: dir.path });
    assert.equal(r.code, 2, r.stderr);
  });
});

describe('ferry migrate --app', () => {
  test('refuses losses without consent when no terminal can ask, then carries them with --yes', async () => {
    const target = join(dir.path, 'jot3.db');
    const refused = await ferry(['migrate', v1, target, '--app', 'example', '-q'], { cwd: dir.path });
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /would lose data, and that was not accepted/);
    assert.match(refused.stderr, /--yes/);

    const done = await ferry(['migrate', v1, target, '--app', 'example', '--yes', '-q'], { cwd: dir.path });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /example 1\.0 → 3\.0: what became of every source row/);
    assert.match(done.stdout, /notes\s+6\s+4\s+1\s+1\s+0/);
    const landed = await openDataset(`sqlite:${target}`);
    const rows = await readAll(landed);
    await landed.close();
    assert.equal(rows.nodes?.length, 7);

    const verified = await ferry(['verify', v1, target, '--app', 'example'], { cwd: dir.path });
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /expected by the pack: users = users on id, email, password, created_at: equal/);
    await sqlOn('sqlite', `sqlite:${target}`, ["UPDATE users SET email = 'changed@example.org' WHERE id = 1"]);
    const changed = await ferry(['verify', v1, target, '--app', 'example'], { cwd: dir.path });
    assert.equal(changed.code, 4);
    assert.match(changed.stdout, /users = users on id, email, password, created_at: DIFFERENT/);
  });

  test('refuses a source with blockers (exit 3) and writes nothing', async () => {
    const target = join(dir.path, 'never.db');
    const r = await ferry(['migrate', blocked, target, '--app', 'example', '--yes', '-q', '--state', join(dir.path, 'b.json')], {
      cwd: dir.path,
    });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /blocker/);
  });
});

describe('ferry convert', () => {
  test('upgrades a backup offline into a backup of the new version, which restores', async () => {
    const backup = join(dir.path, 'jot1.ferry');
    const state = (n: string) => ['--state', join(dir.path, `${n}.json`)];
    assert.equal((await ferry(['backup', v1, backup, '-q', ...state('bk')], { cwd: dir.path })).code, 0);
    const converted = join(dir.path, 'jot3-backup');
    const c = await ferry(['convert', backup, converted, '--app', 'example', '--yes', '-q', ...state('cv')], { cwd: dir.path });
    assert.equal(c.code, 0, c.stderr);
    const shape = await ferry(['inspect', converted, '--json'], { cwd: dir.path });
    const tables = (JSON.parse(shape.stdout) as { tables: { name: string; rows: number }[] }).tables;
    assert.deepEqual(Object.fromEntries(tables.map((t) => [t.name, t.rows])), {
      users: 3,
      nodes: 7,
      tags: 3,
      node_tags: 5,
      files: 2,
      settings: 5,
    });
    const restored = join(dir.path, 'jot3-restored.db');
    assert.equal((await ferry(['restore', converted, restored, '-q', ...state('rs')], { cwd: dir.path })).code, 0);
    const same = await ferry(['verify', converted, restored], { cwd: dir.path });
    assert.equal(same.code, 0, same.stdout);
  });

  test('without verification, records no digest rather than an empty one: its restore verifies', async () => {
    const backup = join(dir.path, 'jot1-nv.ferry');
    const state = (n: string) => ['--state', join(dir.path, `${n}.json`)];
    assert.equal((await ferry(['backup', v1, backup, '-q', '--no-verify', ...state('bk-nv')], { cwd: dir.path })).code, 0);
    const converted = join(dir.path, 'jot3-nv.ferry');
    const args = ['convert', backup, converted, '--app', 'example', '--yes', '-q', '--no-verify', ...state('cv-nv')];
    assert.equal((await ferry(args, { cwd: dir.path })).code, 0);
    const manifest = JSON.parse((await ferry(['inspect', converted, '--json'], { cwd: dir.path })).stdout) as {
      tables: { digest: unknown }[];
    };
    assert.deepEqual(
      manifest.tables.map((t) => t.digest ?? null),
      manifest.tables.map(() => null),
    );
    const restored = await ferry(['restore', converted, join(dir.path, 'jot3-nv.db'), '-q', ...state('rs-nv')], { cwd: dir.path });
    assert.equal(restored.code, 0, restored.stdout + restored.stderr);
  });
});
