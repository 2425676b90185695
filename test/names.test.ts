/**
 * Names are kept exactly on every engine — case, spaces, reserved words, quotes, unicode — and a name too long
 * for the target is refused before anything is written.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FerryError } from '../src/core/errors.js';
import { inspect } from '../src/ops/inspect.js';
import { migrate } from '../src/ops/migrate.js';
import { ENGINE_NAMES, requireServer, scratchDb, sqlOn, tempDir, type EngineName } from './helpers/servers.js';

const TABLE = 'Order Details "2024"';
const COLUMNS = ['select', 'MixedCase', 'Ünïcödé 名前', 'with space'];

function ddl(e: EngineName): string[] {
  const q = (s: string) => (e === 'mysql' ? `\`${s.replaceAll('`', '``')}\`` : `"${s.replaceAll('"', '""')}"`);
  const int = e === 'postgres' ? 'integer' : 'INT';
  return [
    `CREATE TABLE ${q('group')} (${q('ID')} ${int} PRIMARY KEY, ${q('name')} varchar(20) NOT NULL)`,
    `CREATE TABLE ${q(TABLE)} (${q('id')} ${int} NOT NULL, ${COLUMNS.map((c) => `${q(c)} varchar(40)`).join(', ')}, ${q('group')} ${int},
      CONSTRAINT ${q('pk Order')} PRIMARY KEY (${q('id')}), CONSTRAINT ${q('FK to Group')} FOREIGN KEY (${q('group')}) REFERENCES ${q('group')} (${q('ID')}))`,
    `CREATE INDEX ${q('idx MixedCase')} ON ${q(TABLE)} (${q('MixedCase')})`,
    `INSERT INTO ${q('group')} VALUES (1, 'admins')`,
    `INSERT INTO ${q(TABLE)} VALUES (1, 'a', 'B', 'ü', ' spaced ', 1), (2, NULL, '', '名', 'x', NULL)`,
  ];
}

for (const from of ENGINE_NAMES) {
  describe(`names from ${from}`, async () => {
    const skipFrom = (await requireServer(from)).skip;
    for (const to of ENGINE_NAMES) {
      test(`→ ${to}`, { skip: skipFrom ?? (await requireServer(to)).skip }, async () => {
        const source = await scratchDb(from, 'names');
        const target = await scratchDb(to, 'names_to');
        const dir = tempDir();
        try {
          await sqlOn(from, source.url, ddl(from));
          const result = await migrate({
            source: source.url,
            target: target.url,
            rejectsDir: dir.path,
            statePath: join(dir.path, 'state.json'),
          });
          assert.equal(result.verified, true);
          const shape = await inspect({ endpoint: target.url });
          const t = shape.tables.find((x) => x.name === TABLE);
          assert.ok(t, `table ${TABLE} exists under its exact name; have ${shape.tables.map((x) => x.name).join(', ')}`);
          assert.deepEqual(
            t.columns.map((c) => c.name),
            ['id', ...COLUMNS, 'group'],
          );
          assert.equal(t.foreignKeys[0]?.name, 'FK to Group');
          assert.ok(t.indexes.some((i) => i.name === 'idx MixedCase'));
          if (to !== 'mysql' && from !== 'mysql') assert.equal(t.primaryKey?.name, 'pk Order');
        } finally {
          await Promise.all([source.drop(), target.drop()]);
          dir.remove();
        }
      });
    }
  });
}

describe('a name too long for the target', async () => {
  for (const to of ['postgres', 'mysql'] as const) {
    test(`is refused before ${to} is written`, { skip: (await requireServer(to)).skip }, async () => {
      const source = await scratchDb('sqlite', 'long');
      const target = await scratchDb(to, 'long_to');
      const dir = tempDir();
      const long = `t_${'x'.repeat(70)}`;
      try {
        await sqlOn('sqlite', source.url, [`CREATE TABLE ok (id INTEGER PRIMARY KEY)`, `CREATE TABLE ${long} (id INTEGER PRIMARY KEY)`]);
        await assert.rejects(
          migrate({ source: source.url, target: target.url, rejectsDir: dir.path, statePath: join(dir.path, 'state.json') }),
          (e: unknown) => e instanceof FerryError && e.kind === 'refused' && e.message.includes(long),
        );
        const after = await inspect({ endpoint: target.url });
        assert.deepEqual(after.tables, [], 'nothing was created');
      } finally {
        await Promise.all([source.drop(), target.drop()]);
        dir.remove();
      }
    });
  }
});
