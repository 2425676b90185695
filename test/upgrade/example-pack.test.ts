/**
 * The example pack (packs/example, Jot 1.0 → 2.0 → 3.0) on a source small enough to check row by row: both hops in
 * one pass, the preflight's findings with their counts and ids, the accounts of every table, the file tree, and
 * what must verify equal. Loaded by name and by path, as `--app` will.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { loadPack, type Finding } from '../../src/upgrade/index.js';
import { readAll, upgrade } from '../../src/upgrade/testing.js';
import pack from '../../packs/example/index.js';
import { JOT_FILES, JOT_V3, jotV1 } from './jot-fixture.js';

const brief = (f: Finding) => [f.hop ?? '', f.severity, f.code, f.table ?? '', f.count ?? null, f.ids ?? null];

describe('the example pack', () => {
  test('upgrades 1.0 to 3.0 in one pass through both hops', async () => {
    const upgraded = await upgrade(pack, jotV1());
    try {
      assert.equal(upgraded.description, 'memory:jot-1.0 (example 1.0 → 3.0)');
      assert.deepEqual(upgraded.app, { name: 'example', version: '3.0' });
      assert.deepEqual(await readAll(upgraded), JOT_V3);
    } finally {
      await upgraded.close();
    }
  });

  test('stops at 2.0 when asked', async () => {
    const upgraded = await upgrade(pack, jotV1(), { to: '2.0' });
    try {
      const rows = await readAll(upgraded);
      assert.deepEqual(rows.tags, JOT_V3.tags);
      assert.deepEqual(rows.note_tags, [
        { note_id: 1, tag_id: 1 },
        { note_id: 1, tag_id: 2 },
        { note_id: 2, tag_id: 1 },
        { note_id: 6, tag_id: 2 },
        { note_id: 6, tag_id: 3 },
      ]);
      assert.deepEqual(rows.options, [
        { name: 'registration.open', value: '0' },
        { name: 'site_motd', value: 'hello' },
        { name: 'site.title', value: 'Jot' },
        { name: 'site.locale', value: 'en' },
        { name: 'db_version', value: '2.0' },
      ]);
    } finally {
      await upgraded.close();
    }
  });

  test('the preflight: a blocker with the offending ids, a warning, every loss counted', async () => {
    const upgraded = await upgrade(pack, jotV1({ s3: true }));
    try {
      const findings = await upgraded.check({ files: JOT_FILES });
      const one = '1.0 → 2.0';
      assert.deepEqual(findings.map(brief), [
        ['', 'info', 'version', '', null, null],
        ['', 'info', 'path', '', null, null],
        [one, 'blocker', 's3-attachments', 'attachments', 1, [4]],
        [one, 'warning', 'untitled-notes', 'notes', 1, [2]],
        [one, 'loss', 'dropped-table', 'sessions', 2, null],
        [one, 'loss', 'dropped-column', 'users', 1, null],
        [one, 'loss', 'dropped-rows', 'labels', 1, []],
        [one, 'loss', 'dropped-rows', 'notes', 1, [5]],
        [one, 'loss', 'orphans', 'notes', 1, [4]],
        [one, 'loss', 'dropped-column', 'notes', 1, null],
        [one, 'loss', 'orphans', 'attachments', 2, [2, 3]],
        [one, 'loss', 'dropped-column', 'attachments', 4, null],
        [one, 'loss', 'dropped-rows', 'options', 1, ['legacy_theme']],
        ['2.0 → 3.0', 'loss', 'dropped-rows', 'options', 1, ['site.locale']],
        [one, 'loss', 'dropped-files', '', 1, null],
        [one, 'loss', 'dropped-files', '', 1, null],
      ]);
      assert.equal(
        findings[2]!.message,
        '1 attachment(s) stored on S3 (ids 4): Jot 2 keeps files locally — download them and attach them again first',
      );
      assert.equal(findings[8]!.message, '1 row of notes is skipped as orphans: its notebook no longer exists');
    } finally {
      await upgraded.close();
    }
  });

  test('the accounts: for every source table, rows = carried + dropped + skipped', async () => {
    const upgraded = await upgrade(pack, jotV1());
    try {
      const account = await upgraded.account({ users: 1, nodes: 2 });
      assert.deepEqual(
        account.tables.map((t) => [t.table, t.rows, t.carried, t.dropped, t.skipped, t.rejected]),
        [
          ['users', 3, 2, 0, 0, 1],
          ['notebooks', 3, 3, 0, 0, 0],
          ['labels', 4, 3, 1, 0, 0],
          ['notes', 6, 4, 1, 1, 0],
          ['attachments', 4, 2, 0, 2, 0],
          ['sessions', 2, 0, 2, 0, 0],
          ['options', 4, 3, 1, 0, 0],
        ],
      );
      // nodes is made of notebooks and notes: its rejects cannot be charged to one of them.
      assert.deepEqual(account.unattributed, [{ target: 'nodes', rejected: 2, from: ['notebooks', 'notes'] }]);
      for (const hop of await upgraded.ledger()) {
        for (const t of hop.sources) assert.equal(t.carried + t.dropped + t.skipped, t.rows, `${hop.hop} ${t.table}`);
      }
    } finally {
      await upgraded.close();
    }
  });

  test('the file tree follows the rows', async () => {
    const upgraded = await upgrade(pack, jotV1());
    try {
      const moves = [];
      for await (const m of upgraded.mapFiles(JOT_FILES)) moves.push(m);
      assert.deepEqual(moves, [
        { from: 'uploads/1/plan.pdf', to: 'files/6/plan.pdf' },
        { from: 'uploads/6/idea.png', to: 'files/11/idea.png' },
        { from: 'uploads/4/lost.png', dropped: 'its note is not carried', hop: '1.0 → 2.0' },
        { from: 'thumbs/1/plan.pdf.png', dropped: 'thumbnails are made again by Jot 2', hop: '1.0 → 2.0' },
        { from: 'logo.png', to: 'logo.png' },
      ]);
    } finally {
      await upgraded.close();
    }
  });

  test('what must verify equal across the path', async () => {
    const upgraded = await upgrade(pack, jotV1());
    assert.deepEqual(upgraded.expectations(), [{ source: 'users', target: 'users', columns: ['id', 'email', 'password', 'created_at'] }]);
    await upgraded.close();
    const one = await upgrade(pack, jotV1(), { to: '2.0' });
    assert.deepEqual(
      one.expectations().map((e) => e.target),
      ['notebooks', 'users'],
    );
    await one.close();
  });

  test('is loaded by name, and by path', async () => {
    assert.equal((await loadPack('example')).name, 'example');
    const dir = fileURLToPath(new URL('../../packs/example', import.meta.url));
    assert.equal((await loadPack(dir)).versions.join(), '1.0,2.0,3.0');
    assert.equal((await loadPack('./packs/example/index.ts', { cwd: fileURLToPath(new URL('../..', import.meta.url)) })).hops.length, 2);
  });
});
