/**
 * Every error a user can cause: one or two lines saying what happened and what to do, the documented exit code,
 * no stack trace, and never a password.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ferry, type CliResult } from '../helpers/cli.js';
import { MYSQL_URL, POSTGRES_URL, requireServer, scratchDb, sqlOn, tempDir } from '../helpers/servers.js';

function assertCleanError(r: CliResult, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  assert.match(r.stderr, pattern);
  assert.ok(r.stderr.trim().split('\n').length <= 3, `at most a message and a hint:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

describe('usage errors (exit 2)', () => {
  test('unknown URL scheme', async () => {
    const r = await ferry(['migrate', 'oracle://scott:tiger@db/x', 'sqlite:/tmp/never.db']);
    assertCleanError(r, 2, /does not know the endpoint oracle:\/\/scott:\*\*\*@db\/x/);
    assert.doesNotMatch(r.stderr, /tiger/);
  });
  test('unknown flag', async () => {
    assertCleanError(await ferry(['migrate', 'a.db', 'b.db', '--bogus']), 2, /bogus/);
  });
  test('missing argument', async () => {
    assertCleanError(await ferry(['migrate', 'a.db']), 2, /takes SOURCE and TARGET/);
  });
  test('unknown command', async () => {
    assertCleanError(await ferry(['migrat']), 2, /unknown command "migrat"/);
  });
  test('unknown conversion rule', async () => {
    const dir = tempDir();
    try {
      const r = await ferry(['migrate', join(dir.path, 'a.db'), join(dir.path, 'b.db'), '--convert', 'zero-date=now']);
      assertCleanError(r, 2, /unknown conversion rule "zero-date=now"/);
    } finally {
      dir.remove();
    }
  });
  test('the same database as source and target', async () => {
    const dir = tempDir();
    try {
      const db = join(dir.path, 'same.db');
      await sqlOn('sqlite', `sqlite:${db}`, ['CREATE TABLE t (id INTEGER PRIMARY KEY)']);
      assertCleanError(await ferry(['migrate', db, `sqlite:${db}`]), 2, /same database/);
    } finally {
      dir.remove();
    }
  });
  test('--state in a folder that does not exist, or naming a folder: refused before the target is touched', async () => {
    const dir = tempDir();
    try {
      const src = join(dir.path, 'src.db');
      const out = join(dir.path, 'out.db');
      await sqlOn('sqlite', `sqlite:${src}`, ['CREATE TABLE t (id INTEGER PRIMARY KEY)', 'INSERT INTO t VALUES (1)']);
      const r = await ferry(['migrate', src, out, '--state', join(dir.path, 'no', 'such', 'state.json')], { cwd: dir.path });
      assertCleanError(r, 2, /cannot keep the run's state in .*state\.json: the folder .*no\/such does not exist/);
      assert.match(r.stderr, /pass --state FILE in a folder that exists/);
      assert.equal(existsSync(out), false, 'the target was not created');
      const folder = await ferry(['migrate', src, out, '--state', dir.path], { cwd: dir.path });
      assertCleanError(folder, 2, /cannot keep the run's state in .*: that is a folder, not a file/);
      assert.equal(existsSync(out), false, 'the target was not created');
    } finally {
      dir.remove();
    }
  });
});

describe('endpoint errors (exit 6)', async () => {
  test('missing SQLite file', async () => {
    const r = await ferry(['migrate', '/nonexistent/dir/app.db', 'sqlite:/tmp/x.db']);
    assertCleanError(r, 6, /no SQLite database at \/nonexistent\/dir\/app\.db/);
  });
  test('a file that is not an SQLite database', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'notes.db');
      writeFileSync(path, 'this is not a database, just text that is long enough to have a header'.repeat(20));
      assertCleanError(await ferry(['inspect', path]), 6, /is not an SQLite database/);
    } finally {
      dir.remove();
    }
  });
  test('target folder that does not exist', async () => {
    const dir = tempDir();
    try {
      const src = join(dir.path, 'src.db');
      await sqlOn('sqlite', `sqlite:${src}`, ['CREATE TABLE t (id INTEGER PRIMARY KEY)']);
      assertCleanError(
        await ferry(['migrate', src, 'sqlite:/nonexistent/dir/out.db'], { cwd: dir.path }),
        6,
        /folder \/nonexistent\/dir does not exist/,
      );
    } finally {
      dir.remove();
    }
  });
  test('PostgreSQL host unreachable', async () => {
    const r = await ferry(['inspect', 'postgres://postgres:hunter2@127.0.0.1:1/app']);
    assertCleanError(r, 6, /127\.0\.0\.1:1/);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
  });
  test('MySQL host unreachable', async () => {
    const r = await ferry(['inspect', 'mysql://root:hunter2@127.0.0.1:1/app']);
    assertCleanError(r, 6, /127\.0\.0\.1:1/);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
  });
  test('MySQL wrong password', { skip: (await requireServer('mysql')).skip }, async () => {
    const url = MYSQL_URL.replace('://root@', '://root:wrong-secret-42@');
    const r = await ferry(['inspect', `${url}/mysql`]);
    assertCleanError(r, 6, /password|access denied/i);
    assert.doesNotMatch(r.stderr + r.stdout, /wrong-secret-42/);
  });
  test('PostgreSQL database that does not exist', { skip: (await requireServer('postgres')).skip }, async () => {
    const r = await ferry(['inspect', `${POSTGRES_URL}/ferry_no_such_db_x`]);
    assertCleanError(r, 6, /ferry_no_such_db_x/);
  });
  test('PostgreSQL permission denied', { skip: (await requireServer('postgres')).skip }, async () => {
    const db = await scratchDb('postgres', 'perm');
    const role = `ferry_noperm_${db.name.slice(-8)}`;
    try {
      await sqlOn('postgres', db.url, [`CREATE ROLE ${role} LOGIN`, `REVOKE CONNECT ON DATABASE ${db.name} FROM PUBLIC`]);
      const url = db.url.replace(/\/\/[^@/]+@/, `//${role}@`);
      assertCleanError(await ferry(['inspect', url]), 6, /permission denied/i);
    } finally {
      await db.drop();
      await sqlOn('postgres', `${POSTGRES_URL}/postgres`, [`DROP ROLE IF EXISTS ${role}`]);
    }
  });
});

describe('refusals (exit 3)', () => {
  test('an SQLite target that another process holds locked', async () => {
    const dir = tempDir();
    const { default: Database } = await import('better-sqlite3');
    const target = join(dir.path, 'busy.db');
    const holder = new Database(target);
    try {
      const src = join(dir.path, 'src.db');
      await sqlOn('sqlite', `sqlite:${src}`, ['CREATE TABLE t (id INTEGER PRIMARY KEY)']);
      holder.exec('CREATE TABLE other (x INT); BEGIN EXCLUSIVE; INSERT INTO other VALUES (1)');
      assertCleanError(await ferry(['migrate', src, target], { cwd: dir.path }), 3, /busy\.db is locked by another process/);
    } finally {
      holder.close();
      dir.remove();
    }
  });
});
