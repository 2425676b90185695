/**
 * Cloudreve's conf.ini as the pack reads it, and the bad inputs around it: each engine's [Database] section, a
 * relative SQLite DBFile, an engine ferry does not read, a missing database name; --files without --files-to; and
 * the warning for a V3 older than 3.8.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readConfIni } from '../../packs/cloudreve/conf-ini.js';
import { generateV3 } from '../../packs/cloudreve/sample/generate-v3.js';
import { isFerryError } from '../../src/core/errors.js';
import { migrate } from '../../src/ops/migrate.js';
import { ferry } from '../helpers/cli.js';
import { sqlOn, tempDir } from '../helpers/servers.js';

const work = tempDir();
after(() => work.remove());

test('[Database] of each engine becomes an endpoint; HashIDSalt and TablePrefix are read', () => {
  const sqlite = readConfIni(
    '/srv/cloudreve/conf.ini',
    '[System]\nHashIDSalt = abc\n[Database]\nType = sqlite3\nDBFile = data/cloudreve.db\nTablePrefix = cr_\n',
  );
  assert.deepEqual(sqlite, { inputs: { hashIdSalt: 'abc' }, tablePrefix: 'cr_', database: 'sqlite:/srv/cloudreve/data/cloudreve.db' });
  assert.equal(readConfIni('/srv/c/conf.ini', '').database, 'sqlite:/srv/c/cloudreve.db', 'no [Database]: SQLite, cloudreve.db');
  const mysql = readConfIni('/x/conf.ini', '[Database]\nType = mysql\nHost = db\nUser = cr\nPassword = p@ss:w/rd\nName = cloudreve\n');
  assert.equal(mysql.database, 'mysql://cr:p%40ss%3Aw%2Frd@db:3306/cloudreve');
  const pg = readConfIni('/x/conf.ini', '[Database]\nType = postgres\nHost = 10.0.0.2\nPort = 5433\nUser = u\nName = c4\n');
  assert.equal(pg.database, 'postgres://u@10.0.0.2:5433/c4');
});

test('an engine ferry does not read, or no database name, is a usage error naming the file', () => {
  for (const [text, message] of [
    ['[Database]\nType = mssql\nName = x\n', /Type mssql is not one ferry reads/],
    ['[Database]\nType = mysql\nHost = db\n', /\[Database\] has no Name/],
  ] as const) {
    assert.throws(
      () => readConfIni('/x/conf.ini', text),
      (e: unknown) => isFerryError(e) && e.kind === 'usage' && message.test(e.message) && e.message.startsWith('/x/conf.ini'),
    );
  }
});

test('--files needs --files-to (and --app): refused before anything is opened', async () => {
  await assert.rejects(
    migrate({ source: 'sqlite:/nowhere.db', target: 'sqlite:/nowhere2.db', app: 'cloudreve', files: work.path }),
    (e: unknown) => isFerryError(e) && e.kind === 'usage' && /--files and --files-to go together/.test(e.message),
  );
});

test('a V3 last set up by a version before 3.8 is carried with a warning', async () => {
  const db = `sqlite:${join(work.path, 'old-v3.db')}`;
  await generateV3(db, { files: 200, seed: 9, hashIdSalt: 's' });
  await sqlOn('sqlite', db, [
    "DELETE FROM settings WHERE name LIKE 'db_version_3.8%'",
    "INSERT INTO settings (type, name, value) VALUES ('version', 'db_version_3.4.0', 'installed')",
  ]);
  const r = await ferry(['check', db, '--app', 'cloudreve', '--set', 'hashIdSalt=s', '--set', 'md5Passwords=keep', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const findings = (JSON.parse(r.stdout) as { findings: { code: string; severity: string; message: string }[] }).findings;
  const warning = findings.find((f) => f.code === 'v3-version');
  assert.equal(warning?.severity, 'warning');
  assert.match(warning!.message, /db_version_3\.4\.0/);
});
