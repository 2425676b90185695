/**
 * `ferry verify` reads a large table's second side on another thread. What it reports must not depend on that: equal
 * sides are equal, and a changed row is found and named by its key, whichever thread read it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { THREAD_ROWS } from '../src/ops/digest-thread.js';
import { migrate } from '../src/ops/migrate.js';
import { verify } from '../src/ops/verify.js';
import type { RunEvent } from '../src/run/events.js';
import { BIG_ROWS, CHILD_ROWS, NOKEY_ROWS, createBigSource } from './helpers/big-source.js';
import { ferry } from './helpers/cli.js';
import { requireServer, scratchDb, sqlOn, tempDir } from './helpers/servers.js';

describe('verify with a second thread', async () => {
  const skip = (await requireServer('postgres')).skip;

  test('a large table is read on two threads, and a changed row is still found by its key', { skip }, async () => {
    assert.ok(BIG_ROWS >= THREAD_ROWS, 'the big source must be large enough for the thread');
    const dir = tempDir();
    const target = await scratchDb('postgres', 'verify_thread');
    const source = `sqlite:${join(dir.path, 'big.db')}`;
    try {
      createBigSource(join(dir.path, 'big.db'));
      await migrate({ source, target: target.url, verify: false, rejectsDir: dir.path, statePath: join(dir.path, 's.json') });

      const logs: string[] = [];
      const events = (e: RunEvent) => void (e.type === 'log' && logs.push(e.message));
      const same = await verify({ a: source, b: target.url, events });
      assert.equal(same.equal, true);
      const rows = Object.fromEntries(same.tables.map((t) => [t.table, [t.rowsA, t.rowsB]]));
      assert.deepEqual(rows, { big: [BIG_ROWS, BIG_ROWS], nokey: [NOKEY_ROWS, NOKEY_ROWS], child: [CHILD_ROWS, CHILD_ROWS] });
      // Only the large table went to the thread.
      assert.deepEqual(
        logs.filter((m) => m.includes('second thread')).map((m) => m.trim().split(':')[0]),
        ['big'],
      );

      await sqlOn('postgres', target.url, ["UPDATE big SET label = 'changed' WHERE id = 123457"]);
      const cli = await ferry(['verify', source, target.url]);
      assert.equal(cli.code, 4, cli.stderr);
      assert.match(cli.stdout + cli.stderr, /123457/);
      const changed = await verify({ a: source, b: target.url });
      assert.equal(changed.equal, false);
      const big = changed.tables.find((t) => t.table === 'big')!;
      assert.equal(big.equal, false);
      assert.deepEqual(big.examples, [{ key: big.examples[0]?.key ?? '', status: 'differs' }]);
      assert.match(big.examples[0]!.key, /123457/);
      assert.ok(changed.tables.filter((t) => t.table !== 'big').every((t) => t.equal));
    } finally {
      await target.drop();
      dir.remove();
    }
  });
});
