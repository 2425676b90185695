/**
 * PostgreSQL builds a primary key after the data, and finishes each table (keys, indexes) while the next one loads.
 * A key is left for after the data only when no two rows can share it in the target; where conformance could make
 * two source keys one (a UUID's case), the key is there during the load and the second row is a reject. A table
 * whose finishing fails while the next one loads stops the run with one clear error, not a crash.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { conformsOneToOne } from '../src/core/conform.js';
import type { ColumnSchema } from '../src/core/schema.js';
import type { PortableType } from '../src/core/types.js';
import { migrate } from '../src/ops/migrate.js';
import { ferry } from './helpers/cli.js';
import { requireServer, scratchDb, sqlOn, tempDir } from './helpers/servers.js';

const column = (type: PortableType): ColumnSchema => ({ name: 'k', type, nullable: false });

describe('keys after the data', async () => {
  test('conformance keeps distinct keys distinct for these types only', () => {
    const none = new Set<string>();
    for (const t of [{ kind: 'integer', bits: 64 }, { kind: 'text' }, { kind: 'binary' }, { kind: 'date' }] as PortableType[])
      assert.equal(conformsOneToOne(column(t), none), true, t.kind);
    for (const t of [{ kind: 'uuid' }, { kind: 'timestamp', tz: true }, { kind: 'decimal' }, { kind: 'real', bits: 32 }] as PortableType[])
      assert.equal(conformsOneToOne(column(t), none), false, t.kind);
    // A rule that rewrites text can make two texts one.
    assert.equal(conformsOneToOne(column({ kind: 'text' }), new Set(['nul=strip'])), false);
  });

  const skip = (await requireServer('postgres')).skip;

  test('a key two source rows could share is there during the load: the second row is a reject', { skip }, async () => {
    const source = await scratchDb('sqlite', 'uuid_key');
    const target = await scratchDb('postgres', 'uuid_key_to');
    const dir = tempDir();
    try {
      await sqlOn('sqlite', source.url, [
        'CREATE TABLE u (id UUID PRIMARY KEY, note TEXT)',
        "INSERT INTO u VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'first')",
        "INSERT INTO u VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'same key in capitals')",
        "INSERT INTO u VALUES ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'other')",
      ]);
      const result = await migrate({ source: source.url, target: target.url, rejectsDir: dir.path, statePath: join(dir.path, 's.json') });
      assert.equal(result.tables[0]!.rows, 2);
      assert.equal(result.rejected, 1);
      assert.equal(result.verified, true);
      const reject = JSON.parse(readFileSync(join(dir.path, 'u.ndjson'), 'utf8').trim()) as { row: { note: string }; reason: string };
      assert.equal(reject.row.note, 'same key in capitals');
      assert.match(reject.reason, /duplicate key/);
      const [pk] = (await sqlOn('postgres', target.url, [
        "SELECT count(*)::int AS n FROM pg_constraint WHERE conrelid = 'u'::regclass AND contype = 'p'",
      ])) as { n: number }[][];
      assert.equal(pk![0]!.n, 1);
    } finally {
      await Promise.all([source.drop(), target.drop()]);
      dir.remove();
    }
  });

  test('a table whose finishing fails while the next loads: one clear error, exit 1', { skip }, async () => {
    const source = await scratchDb('sqlite', 'finish_fails');
    const target = await scratchDb('postgres', 'finish_fails_to');
    const dir = tempDir();
    try {
      // Distinct in SQLite, one value in PostgreSQL's uuid type: the unique index cannot be built after the data.
      await sqlOn('sqlite', source.url, [
        'CREATE TABLE a (id INTEGER PRIMARY KEY, u UUID)',
        'CREATE UNIQUE INDEX a_u_key ON a (u)',
        "INSERT INTO a VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')",
        'CREATE TABLE b (id INTEGER PRIMARY KEY, n INT)',
        ...Array.from({ length: 20 }, (_, i) => `INSERT INTO b VALUES (${i + 1}, ${i})`),
      ]);
      const r = await ferry(['migrate', source.url, target.url, '-q', '--state', join(dir.path, 's.json'), '--rejects-dir', dir.path]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot finish a: .*a_u_key.*is duplicated/);
      assert.match(r.stderr, /fix them in the source, then run the same command again/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.stderr.trim().split('\n').length <= 3, r.stderr);
    } finally {
      await Promise.all([source.drop(), target.drop()]);
      dir.remove();
    }
  });
});
