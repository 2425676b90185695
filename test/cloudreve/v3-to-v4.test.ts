/**
 * Cloudreve V3 → V4 through the pack, on real databases made by the V3 sample generator: the operator's workflow
 * from the upgrade guide (conf.ini in, conf.ini out), every engine as source and as target, a run killed with
 * SIGKILL and resumed, the preflight's findings, and the V4 schema against the reference DDL.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { generateV3 } from '../../packs/cloudreve/sample/generate-v3.js';
import { migrate } from '../../src/ops/migrate.js';
import { ferry } from '../helpers/cli.js';
import { requireServer, scratchDb, tempDir, type EngineName, type ScratchDb } from '../helpers/servers.js';
import { assertV4, readV3 } from './v4-expectations.js';
import { assertReferenceSchema } from './v4-schema.js';

const SALT = 'cloudreve-test-salt';
const work = tempDir();
const dbs: ScratchDb[] = [];
after(async () => {
  await Promise.all(dbs.map((d) => d.drop().catch(() => {})));
  work.remove();
});

async function scratch(engine: EngineName, label: string): Promise<ScratchDb> {
  const db = await scratchDb(engine, label);
  dbs.push(db);
  return db;
}

describe('the upgrade guide, done with conf.ini files (V3 SQLite with a table prefix → V4 SQLite)', () => {
  const dir = join(work.path, 'site');
  const v3conf = join(dir, 'conf.ini');
  const v4conf = join(dir, 'data', 'conf.ini');
  const elsewhere = join(work.path, 'elsewhere');

  test('check finds the md5 passwords and the salt, lists losses with counts; migrate carries everything', async () => {
    mkdirSync(join(dir, 'data'), { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    await generateV3(`sqlite:${join(dir, 'cloudreve.db')}`, { files: 3000, seed: 7, prefix: 'cr_', hashIdSalt: SALT });
    // DBFile is relative: ferry resolves it against the conf file's folder, not the working directory.
    writeFileSync(
      v3conf,
      `[System]\nMode = master\nHashIDSalt = ${SALT}\n\n[Database]\nType = sqlite\nDBFile = cloudreve.db\nTablePrefix = cr_\n`,
    );
    writeFileSync(v4conf, `[Database]\nType = sqlite\nDBFile = cloudreve-v4.db\n`);

    const blocked = await ferry(['check', '--app', 'cloudreve', '--app-config', v3conf], { cwd: elsewhere });
    assert.equal(blocked.code, 3, blocked.stderr);
    assert.match(blocked.stdout, /V2-era password.*--set md5Passwords=keep/s);
    assert.match(blocked.stdout, /hashIdSalt.*\(given\)/);

    const checked = await ferry(['check', '--app', 'cloudreve', '--app-config', v3conf, '--set', 'md5Passwords=keep', '--json'], {
      cwd: elsewhere,
    });
    assert.equal(checked.code, 0, checked.stderr);
    const findings = (JSON.parse(checked.stdout) as { findings: { code: string; table?: string; count?: number; severity: string }[] })
      .findings;
    const v3 = await readV3({ engine: 'sqlite', url: `sqlite:${join(dir, 'cloudreve.db')}`, prefix: 'cr_' });
    for (const [table, count] of Object.entries(v3.dropped)) {
      const loss = findings.find((f) => f.code === 'dropped-table' && f.table === table);
      assert.equal(loss?.count, count, `the loss of ${table} is counted`);
    }
    assert.ok(findings.some((f) => f.code === 'name-conflicts' && f.severity === 'warning'));
    assert.ok(
      findings.some((f) => f.code === 'orphans' && f.table === 'files' && f.count! > 0),
      'orphan files are counted',
    );

    const run = await ferry(
      ['migrate', '--app', 'cloudreve', '--app-config', v3conf, '--target-config', v4conf, '--set', 'md5Passwords=keep', '--yes'],
      { cwd: elsewhere },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /cloudreve 3\.8 → 4\.0/);
    await assertV4(v3, { engine: 'sqlite', url: `sqlite:${join(dir, 'data', 'cloudreve-v4.db')}` }, SALT);
  });

  test('the V4 schema ferry creates on SQLite is the reference DDL', async () => {
    await assertReferenceSchema({ engine: 'sqlite', url: `sqlite:${join(dir, 'data', 'cloudreve-v4.db')}` });
  });

  test('bad input: a missing conf file, an unknown input, a missing salt', async () => {
    const missing = await ferry(['check', '--app', 'cloudreve', '--app-config', join(dir, 'nope.ini')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--app-config .*nope\.ini: cannot read it/);
    const unknown = await ferry(['check', '--app', 'cloudreve', '--app-config', v3conf, '--set', 'salt=x']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /has no input salt.*hashIdSalt/s);
    const choice = await ferry(['check', '--app', 'cloudreve', '--app-config', v3conf, '--set', 'md5Passwords=maybe']);
    assert.equal(choice.code, 2);
    assert.match(choice.stderr, /md5Passwords must be one of keep, clear/);
    const noSalt = join(dir, 'nosalt.ini');
    writeFileSync(noSalt, `[Database]\nType = sqlite\nDBFile = cloudreve.db\nTablePrefix = cr_\n`);
    const target = join(work.path, 'never.db');
    const refused = await ferry([
      'migrate',
      '--app',
      'cloudreve',
      '--app-config',
      noSalt,
      `sqlite:${target}`,
      '--set',
      'md5Passwords=keep',
      '--yes',
      '--state',
      join(work.path, 'refused-state.json'),
    ]);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /hash-id salt is not known/);
    for (const a of [missing, unknown, choice, refused]) assert.doesNotMatch(a.stderr, /\n\s+at /, 'no stack trace');
  });
});

for (const [from, to] of [
  ['mysql', 'postgres'],
  ['postgres', 'mysql'],
] as const) {
  test(`V3 on ${from} → V4 on ${to}`, { ...(await requireServer(from)), ...(await requireServer(to)) }, async () => {
    const src = await scratch(from, 'cr3');
    const dst = await scratch(to, 'cr4');
    await generateV3(src.url, { files: 2000, seed: 11, hashIdSalt: SALT });
    const v3 = await readV3({ engine: from, url: src.url });
    const result = await migrate({
      source: src.url,
      target: dst.url,
      app: 'cloudreve',
      inputs: { hashIdSalt: SALT, md5Passwords: 'keep' },
      yes: true,
      statePath: join(work.path, `${from}-${to}.json`),
      rejectsDir: join(work.path, `${from}-${to}-rejects`),
    });
    assert.ok(result.verified, 'every table verifies against what was sent');
    assert.equal(
      result.tables.reduce((s, t) => s + t.rejected, 0),
      0,
      'nothing rejected',
    );
    await assertV4(v3, { engine: to, url: dst.url }, SALT);
    await assertReferenceSchema({ engine: to, url: dst.url });
  });
}

test(
  'V3 on SQLite → V4 on PostgreSQL, killed with SIGKILL inside the files, resumes to the same result',
  await requireServer('postgres'),
  async () => {
    const source = `sqlite:${join(work.path, 'kill-v3.db')}`;
    const dst = await scratch('postgres', 'cr4k');
    await generateV3(source, { files: 6000, seed: 3, hashIdSalt: SALT });
    const state = join(work.path, 'kill-state.json');
    const args = ['migrate', source, dst.url, '--app', 'cloudreve', '--set', `hashIdSalt=${SALT}`, '--set', 'md5Passwords=clear', '--yes'];
    const common = ['--state', state, '--rejects-dir', join(work.path, 'kill-rejects'), '--batch-rows', '500'];
    const killed = await ferry([...args, ...common], { env: { FERRY_FAULT: 'data:files:3000' } });
    assert.equal(killed.code, -1, `killed (exit ${killed.code}: ${killed.stderr})`);
    const resumed = await ferry([...args, ...common, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout) as { resumed?: { tablesDone: number } };
    assert.ok(summary.resumed, 'the second run resumed the first');
    const v3 = await readV3({ engine: 'sqlite', url: source });
    // md5Passwords=clear: those users' passwords are NULL; the others are kept.
    v3.users = v3.users.map((u) => (String(u.password).startsWith('md5:') ? { ...u, password: null } : u));
    await assertV4(v3, { engine: 'postgres', url: dst.url }, SALT);
  },
);

test('--files carries avatars renamed as V4 expects and keeps local storage paths; the V3 folder is not touched', async () => {
  const site = join(work.path, 'files-v3');
  const v4Dir = join(work.path, 'files-v4');
  mkdirSync(join(site, 'uploads', '1'), { recursive: true });
  writeFileSync(join(site, 'uploads', '1', 'report.pdf'), 'a local object');
  const made = await generateV3(`sqlite:${join(site, 'cloudreve.db')}`, {
    files: 500,
    seed: 5,
    hashIdSalt: SALT,
    avatarDir: join(site, 'avatar'),
  });
  assert.ok(made);
  const before = readdirSync(site, { recursive: true }).sort();
  const run = await ferry([
    'migrate',
    `sqlite:${join(site, 'cloudreve.db')}`,
    `sqlite:${join(work.path, 'files-v4.db')}`,
    '--app',
    'cloudreve',
    '--set',
    `hashIdSalt=${SALT}`,
    '--set',
    'md5Passwords=keep',
    '--yes',
    '--files',
    site,
    '--files-to',
    v4Dir,
    '--state',
    join(work.path, 'files-state.json'),
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(site, { recursive: true }).sort(), before, 'the V3 folder is unchanged');
  assert.equal(readFileSync(join(v4Dir, 'uploads', '1', 'report.pdf'), 'utf8'), 'a local object');
  const v3 = await readV3({ engine: 'sqlite', url: `sqlite:${join(site, 'cloudreve.db')}` });
  const withAvatar = v3.users.filter((u) => u.avatar === 'file').map((u) => Number(u.id));
  assert.ok(withAvatar.length > 0);
  for (const id of withAvatar) {
    assert.deepEqual(readFileSync(join(v4Dir, 'avatar', `avatar_${id}.png`)), readFileSync(join(site, 'avatar', `avatar_${id}_2.png`)));
  }
  const carried = readdirSync(join(v4Dir, 'avatar'));
  assert.ok(
    carried.every((f) => /^avatar_\d+\.png$/.test(f)),
    `only V4 names: ${carried.join(', ')}`,
  );
  assert.match(run.stdout, /files: \d+ copied/);
});
