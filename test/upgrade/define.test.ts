/**
 * Declaring packs: the schema builder's portable tables, the mistakes a pack makes that show the moment it is
 * defined (naming the hop and the table), the preflight's blocker when a source lacks what a hop reads, and how
 * packs are loaded by name or path.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FerryError } from '../../src/core/errors.js';
import { col, defineHop, defineSchema, loadPack, PackDefinitionError, table, toTableSchema } from '../../src/upgrade/index.js';
import { memoryReader, readTable, runHop } from '../../src/upgrade/testing.js';
import { tempDir } from '../helpers/servers.js';

describe('the schema builder', () => {
  test('declares portable tables: types, nullability, keys, uniques, indexes, foreign keys, defaults', () => {
    const t = table(
      'notes',
      {
        id: col.int64().primaryKey().identity(),
        owner_id: col.int32().references('users', 'id', { onDelete: 'cascade' }),
        slug: col.text(40).unique(),
        body: col.text().nullable(),
        kind: col.enum('a', 'b').default('a'),
        created_at: col.timestamp({ tz: true, precision: 3 }).default({ now: 'current_timestamp' }),
      },
      { unique: [['owner_id', 'body']], indexes: [['created_at'], { name: 'by_kind', columns: ['kind', 'owner_id'], unique: false }] },
    );
    assert.deepEqual(toTableSchema(t), {
      name: 'notes',
      columns: [
        { name: 'id', type: { kind: 'integer', bits: 64 }, nullable: false, identity: true },
        { name: 'owner_id', type: { kind: 'integer', bits: 32 }, nullable: false },
        { name: 'slug', type: { kind: 'text', length: 40 }, nullable: false },
        { name: 'body', type: { kind: 'text' }, nullable: true },
        { name: 'kind', type: { kind: 'enum', values: ['a', 'b'] }, nullable: false, default: { kind: 'literal', value: 'a' } },
        {
          name: 'created_at',
          type: { kind: 'timestamp', tz: true, precision: 3 },
          nullable: false,
          default: { kind: 'expression', name: 'current_timestamp' },
        },
      ],
      primaryKey: { name: 'pk_notes', columns: ['id'] },
      uniques: [
        { name: 'uq_notes_slug', columns: ['slug'], unique: true },
        { name: 'uq_notes_owner_id_body', columns: ['owner_id', 'body'], unique: true },
      ],
      indexes: [
        { name: 'idx_notes_created_at', columns: ['created_at'], unique: false },
        { name: 'by_kind', columns: ['kind', 'owner_id'], unique: false },
      ],
      foreignKeys: [{ name: 'fk_notes_owner_id', columns: ['owner_id'], refTable: 'users', refColumns: ['id'], onDelete: 'cascade' }],
      checks: [],
    });
  });

  test('a table declared twice, or a key on a column that does not exist, is refused', () => {
    const t = table('t', { id: col.int64() });
    assert.throws(() => defineSchema(t, t), /table t is declared twice/);
    assert.throws(() => defineSchema(table('u', { id: col.int64() }, { primaryKey: ['nope' as 'id'] })), /table u: no column nope/);
  });
});

describe('a hop is checked when it is defined', () => {
  const a = defineSchema(
    table('users', { id: col.int64().primaryKey(), name: col.text(), secret: col.text() }),
    table('logs', { id: col.int64().primaryKey() }),
  );
  const b = defineSchema(table('users', { id: col.int64().primaryKey(), display: col.text() }));
  const refuses = (make: () => unknown, message: RegExp) =>
    assert.throws(make, (e: Error) => e instanceof PackDefinitionError && message.test(e.message), String(message));

  test('a copied column that lands nowhere, or a target column that comes from nothing', () => {
    refuses(
      () => defineHop({ from: '1', to: '2', source: a, target: b, tables: { users: (t) => t.copy() }, droppedTables: { logs: 'x' } }),
      /^hop 1 → 2: copy\(users\) into users: target column display comes from no source column/,
    );
    refuses(
      () =>
        defineHop({
          from: '1',
          to: '2',
          source: a,
          target: b,
          tables: { users: (t) => t.copy('users', { rename: { name: 'display' } }) },
          droppedTables: { logs: 'x' },
        }),
      /source column secret is not carried; declare it in dropColumns \(a loss\) or omit/,
    );
  });

  test('a source table neither converted nor dropped, or a target table without a conversion', () => {
    refuses(
      () =>
        defineHop({
          from: '1',
          to: '2',
          source: a,
          target: b,
          tables: { users: (t) => t.from('users', { row: (u) => ({ id: u.id, display: u.name }), dropColumns: { secret: 'gone' } }) },
        }),
      /source table logs is neither converted nor declared in droppedTables/,
    );
    refuses(
      () => defineHop({ from: '1', to: '2', source: a, target: b, tables: {} as never, droppedTables: { logs: 'x', users: 'y' } }),
      /target table users has no conversion/,
    );
  });

  test('a remap that fromRemap names must be declared', () => {
    refuses(
      () =>
        defineHop({
          from: '1',
          to: '2',
          source: a,
          target: b,
          tables: { users: (t) => t.fromRemap('nope' as never, () => ({ id: 1, display: '' })) },
          droppedTables: { logs: 'x', users: 'y' },
        }),
      /fromRemap\(nope\) into users: nope is not a remap declared in `lookups`/,
    );
  });
});

test('a source that lacks what a hop reads is a blocker, and the run refuses', async () => {
  const a = defineSchema(table('t', { id: col.int64().primaryKey(), name: col.text() }));
  const older = defineSchema(table('t', { id: col.int64().primaryKey() }));
  const hop = defineHop({ from: '1', to: '2', source: a, target: a, tables: { t: (t) => t.copy() } });
  const upgraded = await runHop(hop, memoryReader(older, { t: [{ id: 1 }] }));
  try {
    const findings = await upgraded.check();
    assert.deepEqual(
      findings.filter((f) => f.severity === 'blocker').map((f) => f.message),
      ['the source lacks what 1 has: t.name'],
    );
    await assert.rejects(readTable(upgraded, 't'), (e: FerryError) => e.kind === 'refused' && /the source lacks t\.name/.test(e.message));
  } finally {
    await upgraded.close();
  }
});

describe('loadPack', () => {
  test('names the shipped packs when the name is unknown', async () => {
    await assert.rejects(
      loadPack('nope'),
      (e: FerryError) => e.kind === 'usage' && /ferry ships no app pack named nope/.test(e.message) && /example/.test(e.hint ?? ''),
    );
  });

  test("a module that does not export a pack, a path that does not exist, a user's .js pack", async () => {
    const dir = tempDir();
    try {
      const notPack = join(dir.path, 'not-a-pack.mjs');
      writeFileSync(notPack, 'export default { name: "x" };\n');
      await assert.rejects(loadPack(notPack), (e: FerryError) => e.kind === 'usage' && /does not export an app pack/.test(e.message));
      await assert.rejects(
        loadPack(join(dir.path, 'missing.js')),
        (e: FerryError) => e.kind === 'usage' && /no app pack at/.test(e.message),
      );
      const api = new URL('../../src/upgrade/index.ts', import.meta.url).href;
      const userPack = join(dir.path, 'my-pack.mjs');
      writeFileSync(
        userPack,
        `import { definePack } from ${JSON.stringify(api)};\n` +
          `export const pack = definePack({ name: 'mine', versions: ['1'], detect: () => ({ version: '1' }), hops: [] });\n`,
      );
      assert.equal((await loadPack(userPack)).name, 'mine');
    } finally {
      dir.remove();
    }
  });
});
