/** The commands as a user runs them: output, exit codes, reject files, refusals, --json. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CHINOOK } from '../helpers/chinook.js';
import { ferry } from '../helpers/cli.js';
import { sqlOn, tempDir } from '../helpers/servers.js';

const chinook = join(CHINOOK, 'Chinook_Sqlite.sqlite');

describe('ferry demo', () => {
  test('upgrades a realistic Cloudreve 3.8 site to 4.0 on SQLite, with no server, and its links still resolve', async () => {
    const dir = tempDir();
    try {
      const r = await ferry(['demo', '--files', '2000'], { cwd: dir.path });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /the preflight/);
      assert.match(r.stdout, /rows of tasks will not be carried/);
      assert.match(r.stdout, /verified every V4 table/);
      assert.doesNotMatch(r.stdout, /DIFFERENT/);
      assert.match(r.stdout, /\/s\/\w+ +\/\S/);
      assert.doesNotMatch(r.stdout, /GONE/, 'every V3 link shown resolves in V4');
      const v4 = `sqlite:${join(dir.path, 'ferry-demo', 'cloudreve-v4', 'cloudreve.db')}`;
      const [[row]] = (await sqlOn('sqlite', v4, ['SELECT count(*) AS n FROM files WHERE type = 0'])) as [[{ n: number }]];
      assert.ok(row.n > 1800, `${row.n} files in V4`);
    } finally {
      dir.remove();
    }
  });
});

describe('ferry migrate', () => {
  test('refuses a target that already holds the tables (exit 3), then replaces them with --drop-existing', async () => {
    const dir = tempDir();
    try {
      const target = join(dir.path, 'copy.db');
      const first = await ferry(['migrate', chinook, target, '--rejects-dir', dir.path], { cwd: dir.path });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /15,607 rows in 11 tables/);
      const again = await ferry(['migrate', chinook, target], { cwd: dir.path });
      assert.equal(again.code, 3);
      assert.match(again.stderr, /already holds 11 of the tables to create: Artist, Album/);
      assert.match(again.stderr, /--drop-existing/);
      const replaced = await ferry(['migrate', chinook, target, '--drop-existing', '--tables', 'Genre,Media*'], { cwd: dir.path });
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.match(replaced.stdout, /30 rows in 2 tables/);
    } finally {
      dir.remove();
    }
  });

  test('rejects rows the target cannot hold, into a reject file, and exits 5 unless --allow-rejects', async () => {
    const dir = tempDir();
    try {
      const src = join(dir.path, 'src.db');
      await sqlOn('sqlite', `sqlite:${src}`, [
        'CREATE TABLE item (id INTEGER PRIMARY KEY, qty INT NOT NULL, label TEXT)',
        "INSERT INTO item VALUES (1, 5, 'ok'), (2, 'lots', 'text in an integer column'), (3, 7, NULL)",
      ]);
      const rejects = join(dir.path, 'rejects');
      const r = await ferry(['migrate', src, join(dir.path, 'out.db'), '--rejects-dir', rejects], { cwd: dir.path });
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, /1 row\(s\) were rejected/);
      const lines = readFileSync(join(rejects, 'item.ndjson'), 'utf8').trim().split('\n');
      assert.equal(lines.length, 1);
      const reject = JSON.parse(lines[0]!) as { reason: string; row: Record<string, unknown> };
      assert.equal(reject.row.id, 2);
      assert.match(reject.reason, /qty: text value "lots" in a integer column/);

      const allowed = await ferry(['migrate', src, join(dir.path, 'out2.db'), '--rejects-dir', rejects, '--allow-rejects', '--json'], {
        cwd: dir.path,
      });
      assert.equal(allowed.code, 0, allowed.stderr);
      const json = JSON.parse(allowed.stdout) as { rows: number; rejected: number; verified: boolean };
      assert.deepEqual([json.rows, json.rejected, json.verified], [2, 1, true]);
    } finally {
      dir.remove();
    }
  });
});

describe('ferry verify', () => {
  test('exit 0 when equal, 4 with the differing keys when not', async () => {
    const dir = tempDir();
    try {
      const copy = join(dir.path, 'copy.db');
      assert.equal((await ferry(['migrate', chinook, copy, '-q', '--no-verify'], { cwd: dir.path })).code, 0);
      const same = await ferry(['verify', chinook, copy]);
      assert.equal(same.code, 0, same.stderr);
      assert.match(same.stdout, /Track\s+3,503\s+3,503\s+\w+\s+equal/);

      await sqlOn('sqlite', `sqlite:${copy}`, [
        'PRAGMA foreign_keys = OFF',
        "UPDATE Track SET Name = 'Changed' WHERE TrackId = 1234",
        'DELETE FROM Artist WHERE ArtistId = 7',
        "INSERT INTO Genre (GenreId, Name) VALUES (99, 'Extra')",
      ]);
      const diff = await ferry(['verify', chinook, copy]);
      assert.equal(diff.code, 4);
      assert.match(diff.stdout, /Track key \["1234"\]: differs/);
      assert.match(diff.stdout, /Artist key \["7"\]: only in A/);
      assert.match(diff.stdout, /Genre key \["99"\]: only in B/);
      assert.match(diff.stdout, /Album\s+347\s+347\s+\w+\s+equal/);
    } finally {
      dir.remove();
    }
  });
});

describe('ferry inspect', () => {
  test('shows engine, tables, row counts and portable column types', async () => {
    const r = await ferry(['inspect', chinook, '--tables', 'Invoice']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SQLite 3\.\d+/);
    assert.match(r.stdout, /Invoice\s+412\s+9/);
    assert.match(r.stdout, /InvoiceDate\s+timestamp\s+no\s+DATETIME/);
    assert.match(r.stdout, /Total\s+decimal\(10,2\)\s+no\s+NUMERIC\(10,2\)/);
    const json = JSON.parse((await ferry(['inspect', chinook, '--json'])).stdout) as { tables: { name: string; rows: number }[] };
    assert.equal(json.tables.length, 11);
  });
});
