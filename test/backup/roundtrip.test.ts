/**
 * Every portable type and every hazard value goes into a backup folder and a .ferry archive and comes back exactly
 * (value by value, json byte for byte), in batches whose resume keys skip exactly; the manifest says what the
 * format promises and never holds a password; the file tree comes back byte for byte.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { isBackupPath } from '../../src/backup/index.js';
import { readManifest } from '../../src/backup/manifest.js';
import { openBackupReader } from '../../src/backup/reader.js';
import { indexTar } from '../../src/backup/tar.js';
import type { Row } from '../../src/core/values.js';
import { tempDir } from '../helpers/servers.js';
import { EVERY_TYPE, HAZARD_ROWS, readAll, table, writeBackup } from './helpers.js';

const work = tempDir();
after(() => work.remove());

const MANY = table('many', [
  { name: 'n', type: { kind: 'integer', bits: 32 }, nullable: false },
  { name: 'label', type: { kind: 'text' }, nullable: true },
]);
const manyRows: Row[] = Array.from({ length: 1000 }, (_, i) => [i, `row ${i}`]);
const EMPTY = table('empty', [{ name: 'x', type: { kind: 'json' }, nullable: true }]);
const ODD_NAME = table('../weird/ná\u0000me\\with.dots.', [{ name: 'v', type: { kind: 'text' }, nullable: true }]);

for (const kind of ['folder', 'archive'] as const) {
  describe(`a backup ${kind}`, () => {
    const path = join(work.path, kind === 'archive' ? 'every.ferry' : 'every-folder');
    const files = join(work.path, `files-${kind}`);
    const blob = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 255));
    const written = (async () => {
      mkdirSync(join(files, 'avatars', 'ü 1'), { recursive: true });
      writeFileSync(join(files, 'avatars', 'ü 1', 'photo.png'), blob);
      writeFileSync(join(files, 'empty.txt'), '');
      writeFileSync(join(files, `${'long-name-'.repeat(15)}.txt`), 'long');
      await writeBackup(
        path,
        [
          { table: EVERY_TYPE, rows: HAZARD_ROWS },
          { table: MANY, rows: manyRows },
          { table: EMPTY, rows: [] },
          { table: ODD_NAME, rows: [['odd']] },
        ],
        {
          filesDir: files,
          origin: {
            engine: 'postgres',
            version: 'PostgreSQL 15.19',
            endpoint: 'postgres://app:s3cr%40t@db.local:5432/app?password=hunter2',
          },
          app: { name: 'cloudreve', version: '3.8.3' },
          digests: new Map([['many', 'abc123']]),
          batchRows: 3,
        },
      );
    })();

    test('is recognized as a backup', async () => {
      await written;
      assert.equal(isBackupPath(path), true);
      assert.equal(isBackupPath(work.path), false);
    });

    test('carries every portable type and hazard value exactly', async () => {
      await written;
      const reader = await openBackupReader(path);
      try {
        const { rows } = await readAll(reader, EVERY_TYPE);
        assert.equal(rows.length, HAZARD_ROWS.length);
        for (const [i, row] of rows.entries()) {
          for (const [c, value] of row.entries()) {
            const want = HAZARD_ROWS[i]![c]!;
            const name = EVERY_TYPE.columns[c]!.name;
            if (Buffer.isBuffer(want)) assert.ok(Buffer.isBuffer(value) && value.equals(want), `row ${i} ${name}`);
            else assert.ok(Object.is(value, want), `row ${i} ${name}: ${String(value)} !== ${String(want)}`);
          }
        }
        // Spot checks of the in-memory representation (values.ts).
        assert.equal(typeof rows[1]![0], 'bigint');
        assert.equal(rows[5]![0], Number.MAX_SAFE_INTEGER);
        assert.equal(rows[2]![13], 'null', 'the JSON text null is not SQL NULL');
        assert.equal(rows[7]![13], null);
        assert.equal(rows[1]![6], '', "'' is not NULL");
        assert.equal(rows[2]![7], null);
      } finally {
        await reader.close();
      }
    });

    test('reports schema, counts, version and the manifest', async () => {
      await written;
      const reader = await openBackupReader(path);
      try {
        assert.equal(reader.engine, 'backup');
        assert.equal(reader.sqlEngine, 'postgres');
        assert.equal(reader.description, path);
        const schema = await reader.readSchema();
        assert.deepEqual(
          schema.tables.map((t) => t.name),
          ['every type', 'many', 'empty', ODD_NAME.name],
        );
        assert.deepEqual(schema.tables[0], EVERY_TYPE);
        assert.equal(await reader.countRows(MANY), 1000);
        assert.equal(await reader.countRows(EMPTY), 0);
        assert.match(await reader.serverVersion(), /^ferry backup v1 \(from PostgreSQL 15\.19, created \d{4}-\d\d-\d\dT/);
        const m = reader.manifest;
        assert.equal(m.format, 'ferry-backup');
        assert.equal(m.version, 1);
        assert.equal(m.ferryVersion, '0.1.0-test');
        assert.deepEqual(m.app, { name: 'cloudreve', version: '3.8.3' });
        assert.deepEqual(
          m.tables.map((t) => t.file),
          [
            'tables/0001-every type.ndjson.gz',
            'tables/0002-many.ndjson.gz',
            'tables/0003-empty.ndjson.gz',
            'tables/0004-___weird_ná_me_with.dots_.ndjson.gz',
          ],
        );
        assert.deepEqual(
          m.tables.map((t) => t.digest),
          [null, 'abc123', null, null],
        );
        assert.deepEqual(
          m.files.map((f) => [f.path, f.size]),
          [
            ['avatars/ü 1/photo.png', blob.length],
            ['empty.txt', 0],
            [`${'long-name-'.repeat(15)}.txt`, 4],
          ],
        );
        const { rows } = await readAll(reader, ODD_NAME);
        assert.deepEqual(rows, [['odd']]);
        assert.deepEqual((await readAll(reader, EMPTY)).rows, []);
      } finally {
        await reader.close();
      }
    });

    test('never holds a password', async () => {
      await written;
      const reader = await openBackupReader(path);
      const text = kind === 'archive' ? readFileSync(path, 'latin1') : readFileSync(join(path, 'manifest.json'), 'utf8');
      assert.equal(reader.manifest.origin.endpoint, 'postgres://app:***@db.local:5432/app?password=***');
      assert.doesNotMatch(text, /s3cr|hunter2/);
    });

    test('batches rows and resumes exactly after any position', async () => {
      await written;
      const reader = await openBackupReader(path);
      try {
        const all = await readAll(reader, MANY, 64);
        assert.deepEqual(all.rows, manyRows);
        assert.deepEqual(all.keys, [...Array.from({ length: 15 }, (_, i) => (i + 1) * 64), 1000]);
        for (const at of [0, 1, 63, 64, 500, 999, 1000]) {
          const rest = await readAll(reader, MANY, 100, at);
          assert.deepEqual(rest.rows, manyRows.slice(at), `after ${at}`);
          if (rest.keys.length > 0) assert.equal(rest.keys.at(-1), 1000);
        }
        await assert.rejects(readAll(reader, MANY, 10, 1001), /not a position/);
      } finally {
        await reader.close();
      }
    });

    test('extracts the file tree byte for byte', async () => {
      await written;
      const reader = await openBackupReader(path);
      const dest = join(work.path, `extracted-${kind}`);
      const result = await reader.extractFiles(dest);
      assert.deepEqual(result, { count: 3, bytes: blob.length + 4 });
      assert.ok(readFileSync(join(dest, 'avatars', 'ü 1', 'photo.png')).equals(blob));
      assert.equal(readFileSync(join(dest, 'empty.txt'), 'utf8'), '');
    });

    test('holds the layout the format documents', async () => {
      await written;
      if (kind === 'folder') {
        assert.deepEqual(readdirSync(path).sort(), ['files', 'manifest.json', 'tables']);
        const m = readManifest(readFileSync(join(path, 'manifest.json'), 'utf8'), path);
        const lines = gunzipSync(readFileSync(join(path, m.tables[1]!.file)))
          .toString('utf8')
          .split('\n');
        assert.equal(lines[0], '[0,"row 0"]');
        assert.equal(lines.length, 1001, 'every line ends with a newline');
        // The JSON text is written as itself: whitespace coded, the rest verbatim.
        const every = gunzipSync(readFileSync(join(path, m.tables[0]!.file)))
          .toString('utf8')
          .split('\n');
        assert.match(every[0]!, /,\{"a": 1, "big": 123456789012345678901234567890, "f": 1\.10\},/);
        assert.match(every[2]!, /,\tnull,/);
        assert.match(every[1]!, /^\["-9223372036854775808",32767,"-0\.0000000001","NaN","Infinity",false,"","","",/);
      } else {
        const index = await indexTar(path);
        assert.equal(index[0]!.name, 'manifest.json', 'the manifest comes first');
        assert.deepEqual(
          index.slice(1, 3).map((e) => [e.name, e.type]),
          [
            ['tables', 'directory'],
            ['tables/0001-every type.ndjson.gz', 'file'],
          ],
        );
        assert.ok(index.some((e) => e.name === 'files/avatars/ü 1/photo.png'));
      }
    });
  });
}

describe('the archive is a tar file other tools read', () => {
  test('tar lists it with its unicode and long names', async (t) => {
    try {
      execFileSync('tar', ['--version']);
    } catch {
      t.skip('no tar command');
      return;
    }
    const path = join(work.path, 'tools.ferry');
    const files = join(work.path, 'tools-files');
    mkdirSync(join(files, 'ünïcode'), { recursive: true });
    const long = `${'x'.repeat(120)}.bin`;
    writeFileSync(join(files, 'ünïcode', long), 'payload');
    await writeBackup(path, [{ table: MANY, rows: manyRows.slice(0, 10) }], { filesDir: files });
    const listing = execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).trim().split('\n');
    assert.equal(listing[0], 'manifest.json');
    assert.ok(listing.includes(`files/ünïcode/${long}`), listing.join('\n'));
    const out = join(work.path, 'tools-out');
    mkdirSync(out);
    execFileSync('tar', ['-xf', path, '-C', out]);
    assert.equal(readFileSync(join(out, 'files', 'ünïcode', long), 'utf8'), 'payload');
    // The extracted folder is itself a backup, equal to the archive.
    const reader = await openBackupReader(out);
    assert.deepEqual((await readAll(reader, MANY)).rows, manyRows.slice(0, 10));
    const verbose = execFileSync('tar', ['-tvf', path], { encoding: 'utf8' });
    assert.match(verbose.split('\n')[0]!, /^-rw-r--r-- 0\/0 /);
  });
});
