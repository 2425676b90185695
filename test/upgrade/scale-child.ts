/**
 * The 300,000-row remap of scale.test.ts, run in a process of its own whose V8 heap is capped (the test passes
 * --max-old-space-size): holding the remap in memory could not fit. Prints what it read and how memory went.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { col, defineHop, defineSchema, table } from '../../src/upgrade/index.js';
import { openDataset, runHop } from '../../src/upgrade/testing.js';

export const ROWS = 300_000;
/** Bytes of payload per row: kept with each new id, the remap's values alone are ROWS / 2 × this. */
export const PAYLOAD = 400;

const v1 = defineSchema(
  table('items', { id: col.int64().primaryKey(), code: col.text(), payload: col.text() }),
  table('uses', { id: col.int64().primaryKey(), item_id: col.int64() }),
);
const v2 = defineSchema(
  table('codes', { id: col.int64().primaryKey(), code: col.text(), payload: col.text() }),
  table('items', { id: col.int64().primaryKey(), code_id: col.int64() }),
  table('uses', { id: col.int64().primaryKey(), code_id: col.int64() }),
);

// Items are renumbered by code (two items share each code); everything that pointed at an item follows the remap.
const hop = defineHop({
  from: '1',
  to: '2',
  source: v1,
  target: v2,
  lookups: (src) => ({ codeId: src.remap('items', { key: (i) => i.id, sameAs: (i) => i.code, keep: (i) => [i.code, i.payload] }) }),
  tables: {
    codes: (t) => t.fromRemap('codeId', (e) => ({ id: e.id, code: e.value[0]!, payload: e.value[1]! })),
    items: (t) =>
      t.from('items', {
        row: (i, ctx) => ({ id: i.id, code_id: ctx.lookups.codeId.get(i.id)! }),
        omit: { code: 'codes', payload: 'codes' },
      }),
    uses: (t) => t.from('uses', (u, ctx) => ({ id: u.id, code_id: ctx.lookups.codeId.get(u.item_id) ?? 0 })),
  },
});

function createSource(path: string): void {
  const db = new Database(path);
  db.exec(
    'CREATE TABLE items (id INTEGER PRIMARY KEY, code TEXT NOT NULL, payload TEXT NOT NULL); CREATE TABLE uses (id INTEGER PRIMARY KEY, item_id BIGINT NOT NULL)',
  );
  const payload = 'x'.repeat(PAYLOAD - 8);
  db.transaction(() => {
    const item = db.prepare('INSERT INTO items VALUES (?, ?, ?)');
    const use = db.prepare('INSERT INTO uses VALUES (?, ?)');
    for (let i = 1; i <= ROWS; i++) {
      item.run(i, `code-${Math.ceil(i / 2)}`, `${payload}${String(i).padStart(8, '0')}`);
      use.run(i, ROWS + 1 - i);
    }
  })();
  db.close();
}

async function main(dir: string): Promise<void> {
  const path = join(dir, 'big.db');
  createSource(path);
  const upgraded = await runHop(hop, await openDataset(`sqlite:${path}`), { workdir: join(dir, 'work') });
  const baseline = process.memoryUsage().rss;
  let peakRss = baseline;
  let peakHeap = 0;
  const counts: Record<string, number> = {};
  const sums: Record<string, number> = {};
  try {
    for (const t of (await upgraded.readSchema()).tables) {
      counts[t.name] = 0;
      sums[t.name] = 0;
      for await (const batch of upgraded.readRows(t, { batchRows: 5000 })) {
        counts[t.name]! += batch.rows.length;
        for (const row of batch.rows) sums[t.name]! += Number(row[t.name === 'codes' ? 0 : 1]);
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
  } finally {
    await upgraded.close();
  }
  console.log(JSON.stringify({ counts, sums, rssGrowthMB: (peakRss - baseline) / 2 ** 20, peakHeapMB: peakHeap / 2 ** 20 }));
}

if (process.argv[1]?.endsWith('scale-child.ts')) await main(process.argv[2]!);
