import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { memoryReader, openDataset, readAll, readTable, upgrade, writeDataset } from '../../src/upgrade/testing.js';
import { tempDir } from '../helpers/servers.js';
import pack from '../../packs/example/index.js';
import { v1 } from '../../packs/example/schemas.js';

// A Jot 1.0 database with one of everything the upgrade must handle.
const source = () =>
  memoryReader(v1, {
    users: [{ id: 1, email: 'ann@example.org', name: 'Ann', password: 'h', two_factor: 'SECRET', created_at: '2023-01-01 10:00:00' }],
    notebooks: [{ id: 3, owner_id: 1, title: 'Work' }],
    labels: [
      { id: 1, name: 'Work' },
      { id: 2, name: 'WORK' },
    ],
    notes: [
      { id: 1, notebook_id: 3, title: 'Plan', body: 'a b c', labels: '1,2', created: 0, archived: 1, deleted_at: null },
      { id: 2, notebook_id: 8, title: 'Lost', body: '', labels: '', created: 0, archived: 0, deleted_at: null },
    ],
    attachments: [{ id: 1, note_id: 2, filename: 'lost.png', size: 1, storage: 's3' }],
    sessions: [],
    options: [{ name: 'site_title', value: 'Jot' }],
  });

test('Jot 1.0 → 3.0: rows, findings and accounts', async () => {
  const upgraded = await upgrade(pack, source());
  try {
    // Notebook 3 keeps its id; note 1 follows it (1 + the last notebook id); note 2 has no notebook.
    assert.deepEqual(
      (await readTable(upgraded, 'nodes')).map((n) => [n.id, n.kind, n.parent_id, n.archived]),
      [
        [3, 'notebook', null, false],
        [4, 'note', 3, true],
      ],
    );
    assert.deepEqual(await readTable(upgraded, 'node_tags'), [{ node_id: 4, tag_id: 1 }]);

    const findings = await upgraded.check();
    const blocker = findings.find((f) => f.severity === 'blocker')!;
    assert.deepEqual([blocker.code, blocker.ids], ['s3-attachments', [1]]);
    const orphans = findings.filter((f) => f.code === 'orphans').map((f) => [f.table, f.count, f.ids]);
    assert.deepEqual(orphans, [
      ['notes', 1, [2]],
      ['attachments', 1, [1]],
    ]);

    const [first] = await upgraded.ledger();
    for (const t of first!.sources) assert.equal(t.carried + t.dropped + t.skipped, t.rows, t.table);
  } finally {
    await upgraded.close();
  }
});

test('the same source in a real SQLite file, upgraded from there', async () => {
  const dir = tempDir();
  try {
    const file = `sqlite:${join(dir.path, 'jot-1.0.db')}`;
    await writeDataset(source(), file);
    const upgraded = await upgrade(pack, await openDataset(file), { workdir: join(dir.path, 'work') });
    try {
      const rows = await readAll(upgraded);
      assert.deepEqual(rows.tags, [{ id: 1, name: 'Work' }]);
      assert.deepEqual(
        rows.settings!.map((s) => s.key),
        ['site.title', 'db.version', 'site.theme'],
      );
    } finally {
      await upgraded.close();
    }
  } finally {
    dir.remove();
  }
});
