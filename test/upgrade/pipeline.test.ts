/**
 * The example pack end to end through the real pipeline (src/run/pipeline.ts), on every engine pair: a Jot 1.0
 * database written with the pack-testing helpers, upgraded to 3.0 into an empty database of another engine in one
 * pass, verified against what was sent, and holding exactly the rows the pack promises.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openDataset, readAll, writeDataset } from '../../src/upgrade/testing.js';
import { ENGINE_NAMES, requireServer, scratchDb, tempDir } from '../helpers/servers.js';
import { JOT_V3, jotV1 } from './jot-fixture.js';
import { runUpgrade } from './run-upgrade.js';

/** Rows as JSON in key order of their text: engines may return a table in another order. */
const sorted = (tables: Record<string, unknown[]>) =>
  Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, rows.map((r) => JSON.stringify(r)).sort()]));

for (const from of ENGINE_NAMES) {
  for (const to of ENGINE_NAMES) {
    describe(`example pack, ${from} → ${to}`, async () => {
      const skip = (await requireServer(from)).skip ?? (await requireServer(to)).skip;
      test('1.0 → 3.0 in one pass, verified, every row where the pack says', { skip }, async () => {
        const source = await scratchDb(from, 'jot1');
        const target = await scratchDb(to, 'jot3');
        const dir = tempDir();
        try {
          await writeDataset(jotV1(), source.url);
          const run = await runUpgrade(source.url, target.url, dir.path);
          assert.equal(run.result.verified, true);
          assert.equal(run.result.rejected, 0);
          assert.deepEqual(
            run.result.tables.map((t) => [t.table, t.rows]),
            Object.entries(JOT_V3).map(([name, rows]) => [name, rows.length]),
          );
          for (const t of run.account.tables) assert.equal(t.carried + t.dropped + t.skipped + t.rejected, t.rows, t.table);
          const reader = await openDataset(target.url);
          try {
            assert.deepEqual(sorted(await readAll(reader)), sorted(JOT_V3));
          } finally {
            await reader.close();
          }
        } finally {
          await source.drop();
          await target.drop();
          dir.remove();
        }
      });
    });
  }
}
