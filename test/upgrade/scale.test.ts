/**
 * A remap of 300,000 rows lives on disk, not in memory. The run happens in a child process whose V8 heap is capped
 * well below what the remap's kept values alone would take (60 MB of strings): it completes, every row finds its
 * new id, and the process's resident memory grows by a bounded amount.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { tempDir } from '../helpers/servers.js';
import { PAYLOAD, ROWS } from './scale-child.js';

const work = tempDir();
after(() => work.remove());

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const HEAP_MB = 48;

test(`a remap of ${ROWS.toLocaleString('en')} rows runs in a ${HEAP_MB} MB heap`, { timeout: 300_000 }, () => {
  assert.ok(((ROWS / 2) * PAYLOAD) / 2 ** 20 > HEAP_MB, 'the remap could not be held in the heap');
  const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', import.meta.resolve('tsx'), CHILD, work.path], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
    counts: Record<string, number>;
    sums: Record<string, number>;
    rssGrowthMB: number;
    peakHeapMB: number;
  };
  assert.deepEqual(out.counts, { codes: ROWS / 2, items: ROWS, uses: ROWS });
  // Every item and every use found its code: each code id appears twice in both.
  const codeSum = ((ROWS / 2) * (ROWS / 2 + 1)) / 2;
  assert.deepEqual(out.sums, { codes: codeSum, items: 2 * codeSum, uses: 2 * codeSum });
  console.log(`rss grew by ${out.rssGrowthMB.toFixed(1)} MB, heap peaked at ${out.peakHeapMB.toFixed(1)} MB`);
  assert.ok(out.rssGrowthMB < 96, `rss grew by ${out.rssGrowthMB.toFixed(1)} MB`);
});
