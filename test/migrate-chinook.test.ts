/**
 * Chinook in every direction, same engine included: each migration verified equal (by ferry's own digest and by
 * an independent `verify` of source against target), row counts as published, and the schema carried: primary
 * keys, foreign keys with their names, unique constraints, indexes, NOT NULL, and identity next values.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspect } from '../src/ops/inspect.js';
import { migrate } from '../src/ops/migrate.js';
import { verify } from '../src/ops/verify.js';
import { CHINOOK_ROWS, chinookSource, neutral } from './helpers/chinook.js';
import { ENGINE_NAMES, requireServer, scratchDb, sqlOn, tempDir, type EngineName, type ScratchDb } from './helpers/servers.js';

for (const from of ENGINE_NAMES) {
  describe(`Chinook from ${from}`, async () => {
    const skip = (await requireServer(from)).skip;
    let source: ScratchDb;
    before(async () => {
      if (!skip) source = await chinookSource(from);
    });
    after(async () => source?.drop());

    for (const to of ENGINE_NAMES) {
      test(`→ ${to}`, { skip: skip ?? (await requireServer(to)).skip }, async () => {
        const target = await scratchDb(to, 'chinook_to');
        const rejects = tempDir();
        try {
          const result = await migrate({
            source: source.url,
            target: target.url,
            rejectsDir: rejects.path,
            statePath: join(rejects.path, 'state.json'),
          });
          assert.equal(result.verified, true, 'every table verifies equal to what was sent');
          assert.equal(result.rejected, 0);
          const rows = Object.fromEntries(result.tables.map((t) => [neutral(t.table), t.rows]));
          assert.deepEqual(rows, CHINOOK_ROWS);

          const independent = await verify({ a: source.url, b: target.url });
          assert.equal(independent.equal, true, JSON.stringify(independent.tables.filter((t) => !t.equal)));

          await checkSchema(source.url, target.url, from, to);
          await checkIdentity(source.url, target.url, to);
        } finally {
          await target.drop();
          rejects.remove();
        }
      });
    }
  });
}

async function checkSchema(sourceUrl: string, targetUrl: string, from: EngineName, to: EngineName): Promise<void> {
  const src = await inspect({ endpoint: sourceUrl });
  const dst = await inspect({ endpoint: targetUrl });
  assert.deepEqual(dst.tables.map((t) => t.name).sort(), src.tables.map((t) => t.name).sort());
  for (const s of src.tables) {
    const d = dst.tables.find((t) => t.name === s.name)!;
    assert.deepEqual(d.primaryKey?.columns, s.primaryKey?.columns, `${s.name} primary key`);
    assert.deepEqual(
      d.columns.map((c) => [c.name, c.nullable]),
      s.columns.map((c) => [c.name, c.nullable]),
      `${s.name} columns and NOT NULL`,
    );
    const fks = (t: typeof s) => t.foreignKeys.map((f) => `${f.name}:${f.columns}->${f.refTable}(${f.refColumns})`).sort();
    assert.deepEqual(fks(d), fks(s), `${s.name} foreign keys`);
    const idx = (t: typeof s) => [...t.indexes, ...t.uniques].map((i) => `${i.columns}:${i.unique}`).sort();
    // MySQL creates an index for each foreign key it is given; the source's indexes must all be there.
    for (const i of idx(s)) assert.ok(idx(d).includes(i), `${s.name} index on ${i} (${from} → ${to})`);
    if (to !== 'sqlite' && from !== 'sqlite') {
      const names = (t: typeof s) => t.indexes.map((i) => i.name).sort();
      for (const n of names(s)) assert.ok(names(d).includes(n), `${s.name} index name ${n}`);
    }
  }
}

/** Where a key column generates its values, the next generated value follows the copied rows. */
async function checkIdentity(sourceUrl: string, targetUrl: string, to: EngineName): Promise<void> {
  const src = await inspect({ endpoint: sourceUrl });
  const genre = src.tables.find((t) => neutral(t.name) === 'genre')!;
  const id = genre.columns.find((c) => c.identity);
  if (!id) return; // the PostgreSQL and MySQL Chinook scripts declare plain integer keys
  const name = genre.columns.find((c) => !c.identity)!.name;
  const q = to === 'mysql' ? (s: string) => `\`${s}\`` : (s: string) => `"${s}"`;
  await sqlOn(to, targetUrl, [`INSERT INTO ${q(genre.name)} (${q(name)}) VALUES ('New Genre')`]);
  const [rows] = await sqlOn(to, targetUrl, [`SELECT ${q(id.name)} AS id FROM ${q(genre.name)} WHERE ${q(name)} = 'New Genre'`]);
  assert.equal(Number((rows as { id: unknown }[])[0]!.id), CHINOOK_ROWS.genre! + 1);
}
