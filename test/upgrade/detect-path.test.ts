/**
 * Which version a source holds (from a version row, from the shape of the schema, or "can't tell, because …"), and
 * the path from there: the shortest chain of hops, clear errors when there is none, warnings for untested versions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FerryError } from '../../src/core/errors.js';
import { col, defineHop, definePack, defineSchema, detectVersion, findPath, planUpgrade, table } from '../../src/upgrade/index.js';
import { memoryReader } from '../../src/upgrade/testing.js';
import pack from '../../packs/example/index.js';
import { v2, v3 } from '../../packs/example/schemas.js';
import { jotV1 } from './jot-fixture.js';

const refused = (pattern: RegExp) => (e: unknown) => e instanceof FerryError && e.kind === 'refused' && pattern.test(e.message);

describe('detection', () => {
  test('from the shape of the schema (Jot 1.0 had no version row)', async () => {
    assert.deepEqual(await detectVersion(pack, jotV1()), { version: '1.0', evidence: 'the shape of 1.0, which had no db_version' });
  });

  test('from a version row', async () => {
    const v2source = memoryReader(v2, { options: [{ name: 'db_version', value: '2.0' }] });
    assert.deepEqual(await detectVersion(pack, v2source), { version: '2.0', evidence: 'options db_version' });
    const v3source = memoryReader(v3, { settings: [{ key: 'db.version', value: '3.0' }] });
    assert.deepEqual(await detectVersion(pack, v3source), { version: '3.0', evidence: 'settings db.version' });
  });

  test("can't tell, because …", async () => {
    const other = defineSchema(table('things', { id: col.int64().primaryKey() }));
    assert.deepEqual(await detectVersion(pack, memoryReader(other, {})), { unknown: 'it has neither an options nor a settings table' });
    const partial = defineSchema(table('options', { name: col.text().primaryKey(), value: col.text().nullable() }));
    const found = await detectVersion(pack, memoryReader(partial, {}));
    assert.ok('unknown' in found);
    assert.match(found.unknown, /^it has no db_version row, and lacks users, notebooks, labels, notes, attachments, sessions of 1\.0$/);
    await assert.rejects(
      planUpgrade(pack, memoryReader(other, {}, { description: 'memory:other' })),
      refused(/^cannot tell which version of example memory:other holds: it has neither an options nor a settings table$/),
    );
  });

  test('a version finer than the pack knows is treated as its series, with a warning', async () => {
    const path = await planUpgrade(pack, memoryReader(v2, { options: [{ name: 'db_version', value: '2.0.3' }] }));
    assert.equal(path.from, '2.0');
    assert.equal(path.detected, '2.0.3');
    assert.deepEqual(
      path.hops.map((h) => h.label),
      ['2.0 → 3.0'],
    );
    assert.deepEqual(
      path.findings.map((f) => [f.severity, f.message]),
      [
        ['info', 'example 2.0.3, detected (options db_version)'],
        ['warning', '2.0.3 is not a version example was tested with; it is treated as 2.0'],
        ['info', 'path: 2.0 → 3.0'],
      ],
    );
  });
});

describe('paths', () => {
  const s = defineSchema(table('t', { id: col.int64().primaryKey() }));
  const hop = (from: string, to: string) => defineHop({ from, to, source: s, target: s, tables: { t: (t) => t.copy() } });
  const app = definePack({
    name: 'app',
    versions: ['3.5', '3.6', '4.0', '4.1', '5.0'],
    untested: ['4.1'],
    detect: () => ({ unknown: 'not used' }),
    hops: [hop('3.6', '4.0'), hop('4.0', '4.1'), hop('4.1', '5.0'), hop('4.0', '5.0')],
  });

  test('the shortest chain of hops to the latest version, by default', () => {
    const path = findPath(app, '3.6');
    assert.equal(path.to, '5.0');
    assert.deepEqual(
      path.hops.map((h) => h.label),
      ['3.6 → 4.0', '4.0 → 5.0'],
    );
  });

  test('to a chosen version, warning when it was not tested', () => {
    const path = findPath(app, '3.6', '4.1');
    assert.deepEqual(
      path.hops.map((h) => h.label),
      ['3.6 → 4.0', '4.0 → 4.1'],
    );
    assert.deepEqual(
      path.findings.filter((f) => f.severity === 'warning').map((f) => f.message),
      ['app was not tested with 4.1'],
    );
  });

  test('already there: no hops', () => {
    const path = findPath(app, '5.0');
    assert.deepEqual(path.hops, []);
    assert.equal(path.findings.at(-1)!.message, 'already at 5.0: nothing to upgrade');
  });

  test('no path: the error names the hops the pack knows', () => {
    assert.throws(
      () => findPath(app, '3.5', '5.0'),
      refused(/^no upgrade path from 3\.5 to 5\.0: the pack knows 3\.6 → 4\.0 → 4\.1 → 5\.0, 4\.0 → 5\.0$/),
    );
    assert.throws(() => findPath(app, '5.0', '3.6'), refused(/^no upgrade path from 5\.0 to 3\.6/));
  });

  test('a version the pack does not know', () => {
    assert.throws(() => findPath(app, '2.9'), refused(/^app does not know version 2\.9$/));
    assert.throws(
      () => findPath(app, '3.6', '6.0'),
      (e: FerryError) => e.kind === 'usage' && e.message === 'app has no version 6.0' && e.hint === 'its versions: 3.5, 3.6, 4.0, 4.1, 5.0',
    );
  });

  test('a pack is checked when it is defined', () => {
    assert.throws(
      () => definePack({ name: 'bad', versions: ['1', '2'], detect: () => ({ unknown: '' }), hops: [hop('1', '3')] }),
      /pack bad: hop 1 → 3: 3 is not in versions/,
    );
  });
});
