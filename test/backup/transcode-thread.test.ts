/**
 * A restore transcodes a large table file on a worker thread. What the run gets from it must be exactly what the
 * same read gives on the run's own thread: the same text, the same rows for the lines that go as values, the same
 * positions, the same errors; and a piece of text must not change until the run gives it back.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openBackupReader } from '../../src/backup/reader.js';
import type { BulkTextRequest, DatasetReader } from '../../src/core/dataset.js';
import { FerryError } from '../../src/core/errors.js';
import type { TableSchema } from '../../src/core/schema.js';
import type { Row } from '../../src/core/values.js';
import { COPY_FORMAT } from '../../src/engines/postgres/copy.js';
import { tempDir } from '../helpers/servers.js';
import { EVERY_TYPE, HAZARD_ROWS, table, writeBackup } from './helpers.js';

const work = tempDir();
after(() => work.remove());

const MANY = table('many', [
  { name: 'id', type: { kind: 'integer', bits: 64 }, nullable: false },
  { name: 'note', type: { kind: 'text' }, nullable: true },
]);
const manyRows: Row[] = Array.from({ length: 2500 }, (_, i) => [i + 1, i % 7 === 0 ? 'nul\u0000here' : `row ${i} ${'é'.repeat(i % 50)}`]);

// PostgreSQL's COPY: NUL refused, so those lines go as values; the rest as text.
const request: BulkTextRequest = {
  load: { format: COPY_FORMAT, checksJson: true, textOffThread: true },
  limits: { textAllowsNul: false, realAllowsSpecials: true, fractionsRounded: true },
  batchRows: 300,
};

interface Read {
  text: string;
  lines: number[];
  rows: Row[];
  keys: unknown[];
}

/** Every batch of a table's bulk text, each given back (released) as soon as its text is read, like a run does. */
async function readText(reader: DatasetReader, t: TableSchema, onThread: boolean, skip?: number): Promise<Read> {
  process.env.FERRY_THREAD_FILE_BYTES = onThread ? '0' : String(Number.MAX_SAFE_INTEGER);
  try {
    const read: Read = { text: '', lines: [], rows: [], keys: [] };
    const batches = reader.readBulkText!(t, { ...request, after: skip === undefined ? undefined : [skip] })!;
    for await (const batch of batches) {
      read.text += Buffer.concat(batch.chunks).toString('utf8');
      read.lines.push(batch.lines);
      read.rows.push(...batch.rows);
      read.keys.push(batch.resumeKey[0]);
      batch.release?.();
    }
    return read;
  } finally {
    delete process.env.FERRY_THREAD_FILE_BYTES;
  }
}

test('the thread gives what the run’s own thread gives, batch by batch, from the start and from a position', async () => {
  const path = join(work.path, 'same');
  await writeBackup(
    path,
    [
      { table: EVERY_TYPE, rows: HAZARD_ROWS },
      { table: MANY, rows: manyRows },
    ],
    { batchRows: 400 },
  );
  const reader = await openBackupReader(path);
  for (const t of [EVERY_TYPE, MANY]) {
    for (const skip of [undefined, 1, 1234]) {
      if (skip === 1234 && t !== MANY) continue;
      const here = await readText(reader, t, false, skip);
      const there = await readText(reader, t, true, skip);
      assert.deepEqual(there, here, `${t.name} from ${skip ?? 0}`);
    }
  }
  const many = await readText(reader, MANY, true);
  assert.equal(many.keys.length, 9, 'batches of 300 rows');
  assert.equal(many.rows.length, manyRows.filter((r) => String(r[1]).includes('\u0000')).length, 'NUL rows go as values');
  assert.deepEqual(many.rows[0], manyRows[0]);
  assert.equal(many.lines.reduce((a, b) => a + b, 0) + many.rows.length, manyRows.length);
});

for (const onThread of [false, true]) {
  test(`pieces kept by the run do not change while later batches are written (${onThread ? 'on the thread' : 'on one thread'})`, async () => {
    const path = join(work.path, `kept-${onThread}`);
    await writeBackup(path, [{ table: MANY, rows: manyRows }], { batchRows: 400 });
    const reader = await openBackupReader(path);
    process.env.FERRY_THREAD_FILE_BYTES = onThread ? '0' : String(Number.MAX_SAFE_INTEGER);
    try {
      const kept: { chunks: Buffer[]; copy: string }[] = [];
      let given = 0;
      let n = 0;
      for await (const batch of reader.readBulkText!(MANY, request)!) {
        // Every other batch is given back at once, its memory free for the next ones; the others are kept.
        if (n++ % 2 === 1) {
          batch.release?.();
          // Given back across threads, a piece's memory leaves this thread (proof the thread made it); here it stays.
          given += batch.chunks.reduce((sum, c) => sum + c.length, 0);
        } else kept.push({ chunks: batch.chunks, copy: Buffer.concat(batch.chunks).toString('latin1') });
      }
      assert.ok(kept.length >= 4);
      for (const k of kept) assert.equal(Buffer.concat(k.chunks).toString('latin1'), k.copy);
      if (onThread) assert.equal(given, 0, 'the pieces given back were transferred to the thread');
      else assert.ok(given > 0);
    } finally {
      delete process.env.FERRY_THREAD_FILE_BYTES;
      await reader.close();
    }
  });
}

test('a table file changed after the backup was opened is the same error on the thread', async () => {
  const path = join(work.path, 'changed');
  await writeBackup(path, [{ table: MANY, rows: manyRows }], { batchRows: 400 });
  const reader = await openBackupReader(path);
  const lines = manyRows.map((r) => `${JSON.stringify(r)}\n`).join('');
  writeFileSync(join(path, 'tables', '0001-many.ndjson.gz'), gzipSync(lines.replace('"row 5 ', '"row 6 ')));
  for (const onThread of [false, true]) {
    await assert.rejects(readText(reader, MANY, onThread), (e: unknown) => {
      assert.ok(e instanceof FerryError, `on the thread: ${onThread}`);
      assert.equal(e.kind, 'endpoint');
      assert.match(e.message, /0001-many\.ndjson\.gz changed while it was read/);
      assert.match(e.hint ?? '', /backup is damaged/);
      return true;
    });
  }
});

test('a batch of lines kept for values is bounded by their bytes, as text is', async () => {
  const path = join(work.path, 'wide-values');
  // 30 KB a row, each with a NUL (so each goes as values into PostgreSQL): 300 rows would be 9 MB.
  const rows: Row[] = Array.from({ length: 600 }, (_, i) => [i + 1, `${'x'.repeat(30_000)}\u0000${i}`]);
  await writeBackup(path, [{ table: MANY, rows }], { batchRows: 100 });
  const reader = await openBackupReader(path);
  for (const onThread of [false, true]) {
    const read = await readText(reader, MANY, onThread);
    assert.equal(read.rows.length, 600);
    const sizes = read.keys.map((k, i) => Number(k) - Number(read.keys[i - 1] ?? 0));
    assert.ok(Math.max(...sizes) < 300, `batches of ${sizes.join(', ')} rows: each under 8 MiB`);
  }
});
