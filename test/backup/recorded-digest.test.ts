/**
 * A restore whose every row went as bulk text is verified against the digest the backup recorded, without reading
 * the backup a second time. A recorded digest the target does not match sends the table through the full comparison,
 * which still checks the target against what was sent, and the restore reports the mismatch with the backup.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { backup } from '../../src/ops/backup.js';
import { restore } from '../../src/ops/restore.js';
import type { RunEvent } from '../../src/run/events.js';
import { requireServer, scratchDb, sqlOn, tempDir } from '../helpers/servers.js';

const SHORTCUT = /: the target matches the digest the backup recorded/;

describe('restore verified against the recorded digests', async () => {
  const skip = (await requireServer('postgres')).skip;

  test('matching tables are not read again; an edited digest is a mismatch, not a false pass', { skip }, async () => {
    const dir = tempDir();
    const source = await scratchDb('sqlite', 'recorded');
    const firstTarget = await scratchDb('postgres', 'recorded_a');
    const secondTarget = await scratchDb('postgres', 'recorded_b');
    const dest = join(dir.path, 'backup');
    try {
      const rows = Array.from({ length: 300 }, (_, i) => `(${i + 1}, 'item ${i} ✓', ${(i * 1.25).toFixed(2)})`);
      await sqlOn('sqlite', source.url, [
        'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(8,2))',
        `INSERT INTO items VALUES ${rows.join(', ')}`,
        'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT)',
        "INSERT INTO tags VALUES (1, 'a'), (2, NULL), (3, 'c')",
      ]);
      const made = await backup({ source: source.url, dest, rejectsDir: dir.path, statePath: join(dir.path, 'b.json') });
      assert.equal(made.verified, true);

      const logs: string[] = [];
      const events = (e: RunEvent) => void (e.type === 'log' && logs.push(e.message));
      const first = await restore({
        backup: dest,
        target: firstTarget.url,
        rejectsDir: dir.path,
        statePath: join(dir.path, 'r1.json'),
        events,
      });
      assert.equal(first.verified, true);
      assert.deepEqual(first.matchesBackup, { items: true, tags: true });
      assert.deepEqual(
        logs
          .filter((m) => SHORTCUT.test(m))
          .map((m) => m.trim().split(':')[0])
          .sort(),
        ['items', 'tags'],
      );

      // The manifest now records another digest for items: the target cannot match it.
      const manifestPath = join(dest, 'manifest.json');
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { tables: { name: string; digest: string }[] };
      const items = manifest.tables.find((t) => t.name === 'items')!;
      items.digest = items.digest.replace(/[0-9a-f]$/, (d) => (d === '0' ? '1' : '0'));
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
      logs.length = 0;
      const second = await restore({
        backup: dest,
        target: secondTarget.url,
        rejectsDir: dir.path,
        statePath: join(dir.path, 'r2.json'),
        events,
      });
      assert.equal(second.verified, true, 'the target still holds what was sent');
      assert.deepEqual(second.matchesBackup, { items: false, tags: true });
      assert.deepEqual(
        logs.filter((m) => SHORTCUT.test(m)).map((m) => m.trim().split(':')[0]),
        ['tags'],
      );
      const [count] = (await sqlOn('postgres', secondTarget.url, ['SELECT count(*)::int AS n FROM items'])) as { n: number }[][];
      assert.equal(count![0]!.n, 300);
    } finally {
      await Promise.all([source.drop(), firstTarget.drop(), secondTarget.drop()]);
      dir.remove();
    }
  });
});
