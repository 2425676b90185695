/**
 * The backup writer as a run target: a batch and its checkpoint commit together (a writer killed after any batch
 * resumes with exactly the committed rows), one run at a time, never into a folder that holds anything else, and a
 * finished backup whose run was interrupted during verification can still give the run its checkpoints.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { openBackupReader } from '../../src/backup/reader.js';
import { openBackupWriter } from '../../src/backup/writer.js';
import { FerryError } from '../../src/core/errors.js';
import type { Row } from '../../src/core/values.js';
import { tempDir } from '../helpers/servers.js';
import { checkpoint, readAll, table, writeBackup } from './helpers.js';

const work = tempDir();
after(() => work.remove());

const T = table('items', [
  { name: 'id', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'name', type: { kind: 'text' }, nullable: true },
]);
const rows: Row[] = Array.from({ length: 100 }, (_, i) => [i, `item ${i}`]);
const origin = { engine: 'sqlite', version: 'SQLite 3.45.1', endpoint: 'sqlite:/data/app.db' };
let n = 0;
const fresh = (kind: 'folder' | 'archive') => join(work.path, `t${++n}${kind === 'archive' ? '.ferry' : ''}`);
const workDirOf = (path: string) => (path.endsWith('.ferry') ? `${path}.partial` : path);

function isFerryError(kind: string, pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof FerryError, String(e));
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

/** A dead process's id: the lock of a killed run. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

for (const kind of ['folder', 'archive'] as const) {
  describe(`writing a backup ${kind}`, () => {
    test('a writer killed after a batch resumes with exactly the committed rows', async () => {
      const path = fresh(kind);
      const first = await openBackupWriter(path, { origin });
      await first.lock();
      await first.createTables([T]);
      const calls: number[] = [];
      for (let i = 0; i < 30; i += 10) {
        const cp = checkpoint('run-1', T.name, JSON.stringify({ rowsDone: i + 10 }));
        await first.writeBatch(T, rows.slice(i, i + 10), cp);
        calls.push(cp.calls);
      }
      assert.deepEqual(calls, [1, 1, 1], 'the checkpoint state is asked for exactly once per batch');
      // The process dies while writing the fourth batch: a whole gzip member, then half of another, no checkpoint.
      const file = join(workDirOf(path), 'tables', readdirSync(join(workDirOf(path), 'tables'))[0]!);
      const committed = statSync(file).size;
      appendFileSync(file, gzipSync('[30,"item 30"]\n[31,"item 31"]\n'));
      appendFileSync(file, gzipSync('[32,"item 32"]\n').subarray(0, 9));
      writeFileSync(join(workDirOf(path), '.ferry-lock'), JSON.stringify({ pid: deadPid(), host: hostname(), since: 'then' }));

      const second = await openBackupWriter(path, { origin });
      await second.lock();
      assert.equal(statSync(file).size, committed, 'the uncommitted bytes are cut off');
      assert.deepEqual(await second.readCheckpoints('run-1'), new Map([['items', '{"rowsDone":30}']]));
      assert.deepEqual(await second.readCheckpoints('another-run'), new Map());
      assert.deepEqual(await second.existingTables(['items', 'other']), ['items']);
      for (let i = 30; i < 100; i += 10) await second.writeBatch(T, rows.slice(i, i + 10), checkpoint('run-1', T.name, '{}'));
      await second.finishTable(T);
      await second.finishTable(T);
      await second.finalize({ digests: new Map(), notCarried: [] });
      await second.clearCheckpoints('run-1');
      await second.close();

      const reader = await openBackupReader(path);
      assert.deepEqual((await readAll(reader, T)).rows, rows);
      assert.equal(reader.manifest.tables[0]!.rows, 100);
      assert.equal(existsSync(`${path}.partial`), false, 'no work folder is left');
      if (kind === 'folder') assert.deepEqual(readdirSync(path).sort(), ['files', 'manifest.json', 'tables']);
    });

    test('a table with no checkpoint starts empty again', async () => {
      const path = fresh(kind);
      const first = await openBackupWriter(path, { origin });
      await first.createTables([T]);
      await first.writeBatch(T, rows.slice(0, 5));
      await first.close();
      const second = await openBackupWriter(path, { origin });
      await second.lock();
      const file = join(workDirOf(path), 'tables', '0001-items.ndjson.gz');
      assert.equal(statSync(file).size, 0);
      await second.close();
    });

    test('one run at a time: a live lock refuses, a dead one is taken over', async () => {
      const path = fresh(kind);
      const first = await openBackupWriter(path, { origin });
      await first.lock();
      const second = await openBackupWriter(path, { origin });
      await assert.rejects(second.lock(), isFerryError('refused', /another ferry run \(process \d+/));
      await first.close();
      await second.lock();
      await second.close();
      writeFileSync(join(workDirOf(path), '.ferry-lock'), JSON.stringify({ pid: deadPid(), host: hostname(), since: 'then' }));
      const third = await openBackupWriter(path, { origin });
      await third.lock();
      await third.close();
    });

    test('an existing backup is refused, and so is a finished one reopened without checkpoints', async () => {
      const path = fresh(kind);
      await writeBackup(path, [{ table: T, rows: rows.slice(0, 3) }]);
      await assert.rejects(openBackupWriter(path, { origin }), isFerryError('refused', /already (exists|holds a backup)/));
    });

    test('a finished backup interrupted before its checkpoints were cleared gives them back, and changes nothing', async () => {
      const path = fresh(kind);
      const first = await openBackupWriter(path, { origin });
      await first.createTables([T]);
      await first.writeBatch(T, rows.slice(0, 10), checkpoint('run-9', T.name, '{"rowsDone":10}'));
      await first.finishTable(T);
      await first.finalize({ digests: new Map([['items', 'feed']]), notCarried: [] });
      // Verification reads the backup while the checkpoints still exist.
      assert.deepEqual((await readAll(await openBackupReader(path), T)).rows, rows.slice(0, 10));
      await first.close();

      const again = await openBackupWriter(path, { origin });
      assert.deepEqual(await again.readCheckpoints('run-9'), new Map([['items', '{"rowsDone":10}']]));
      assert.deepEqual(await again.existingTables(['items', 'x']), ['items']);
      await again.finishTable(T);
      await again.finalize({ digests: new Map(), notCarried: [] });
      await assert.rejects(again.writeBatch(T, rows.slice(10, 11)), isFerryError('refused', /is a finished backup/));
      await assert.rejects(again.dropTables(['items']), isFerryError('refused', /is a finished backup/));
      await again.clearCheckpoints('run-9');
      await again.close();
      assert.equal(existsSync(`${path}.partial`), false);
      const reader = await openBackupReader(path);
      assert.equal(reader.manifest.tables[0]!.digest, 'feed', 'the second finalize changed nothing');
      await assert.rejects(openBackupWriter(path, { origin }), isFerryError('refused', /already/));
    });

    test('truncateTable empties a table; dropTables forgets it', async () => {
      const path = fresh(kind);
      const other = table('other', [{ name: 'v', type: { kind: 'text' }, nullable: true }], undefined);
      const writer = await openBackupWriter(path, { origin });
      await writer.createTables([T, other]);
      await writer.writeBatch(T, rows.slice(0, 10), checkpoint('r', T.name, '{}'));
      await writer.truncateTable(T);
      assert.deepEqual(await writer.readCheckpoints('r'), new Map());
      await writer.writeBatch(T, rows.slice(50, 52));
      await writer.writeBatch(other, [['x']]);
      await writer.dropTables(['other']);
      assert.deepEqual(await writer.existingTables(['items', 'other']), ['items']);
      await writer.finishTable(T);
      await writer.finalize({ digests: new Map(), notCarried: [] });
      await writer.close();
      const reader = await openBackupReader(path);
      assert.deepEqual(
        reader.manifest.tables.map((t) => t.name),
        ['items'],
      );
      assert.deepEqual((await readAll(reader, T)).rows, rows.slice(50, 52));
    });

    test('a value that is not of its column type comes back as a rejected row', async () => {
      const path = fresh(kind);
      const writer = await openBackupWriter(path, { origin });
      await writer.createTables([T]);
      const bad: Row = ['seven', 'x'];
      const cp = checkpoint('r', T.name, '{}');
      let seen: unknown;
      cp.state = (refused) => {
        seen = refused;
        return '{}';
      };
      const refused = await writer.writeBatch(T, [rows[0]!, bad, rows[1]!], cp);
      assert.equal(refused.length, 1);
      assert.equal(refused[0]!.row, bad);
      assert.equal(refused[0]!.column, 'id');
      assert.deepEqual(seen, refused, 'the checkpoint is told which rows were refused');
      await writer.finishTable(T);
      await writer.finalize({ digests: new Map(), notCarried: [] });
      await writer.close();
      assert.deepEqual((await readAll(await openBackupReader(path), T)).rows, rows.slice(0, 2));
    });

    test('finalize refuses an unfinished table', async () => {
      const path = fresh(kind);
      const writer = await openBackupWriter(path, { origin });
      await writer.createTables([T]);
      await assert.rejects(writer.finalize({ digests: new Map(), notCarried: [] }), isFerryError('failed', /items is not finished/));
      await writer.close();
    });
  });
}

describe('targets a backup is not written into', () => {
  test('a folder holding anything else', async () => {
    const dir = join(work.path, 'busy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    await assert.rejects(openBackupWriter(dir, { origin }), isFerryError('refused', /busy is not empty/));
    mkdirSync(join(work.path, 'busy2', 'tables'), { recursive: true });
    await assert.rejects(openBackupWriter(join(work.path, 'busy2'), { origin }), isFerryError('refused', /not empty/));
  });
  test('an existing archive file', async () => {
    const file = join(work.path, 'there.ferry');
    writeFileSync(file, 'x');
    await assert.rejects(openBackupWriter(file, { origin }), isFerryError('refused', /there\.ferry already holds a backup/));
  });
  test('an empty folder is fine, and a symlink in the files tree is refused by name', async () => {
    const dir = join(work.path, 'empty-target');
    mkdirSync(dir);
    const files = join(work.path, 'tree-with-link');
    mkdirSync(files);
    writeFileSync(join(files, 'real.txt'), 'r');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('/etc/passwd', join(files, 'link'));
    const writer = await openBackupWriter(dir, { origin, filesDir: files });
    await writer.createTables([]);
    await assert.rejects(
      writer.finalize({ digests: new Map(), notCarried: [] }),
      isFerryError('refused', /tree-with-link\/link is a symbolic link/),
    );
    await writer.close();
  });
});
