/**
 * Resuming through hops. A converted table read partway, then read again from the last batch's resume key by a
 * fresh reader (new process state, same scratch folder), gives exactly the rest: for a plain table, a merged table
 * and a table made from a remap, through two hops. Remaps built completely are reused; one interrupted mid-build
 * (the process killed) is built again. And a whole `migrate --app` killed with SIGKILL at several points resumes to
 * a target equal to an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Value } from '../../src/core/values.js';
import type { UpgradeEvent } from '../../src/upgrade/index.js';
import { openDataset, readAll, upgrade } from '../../src/upgrade/testing.js';
import pack from '../../packs/example/index.js';
import { tempDir } from '../helpers/servers.js';
import { BIG, writeBigJot } from './jot-big.js';
import { runUpgrade } from './run-upgrade.js';

const work = tempDir();
const source = `sqlite:${join(work.path, 'jot-big.db')}`;
const RUNNER = fileURLToPath(new URL('./run-upgrade.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

before(() => writeBigJot(join(work.path, 'jot-big.db')));
after(() => work.remove());

/** Opens the source through the example pack's path, with its scratch store in `workdir`. */
async function open(workdir: string, events?: UpgradeEvent[]) {
  return upgrade(pack, await openDataset(source), { workdir, batchRows: 700, events: events ? (e) => events.push(e) : undefined });
}

/** Reads a table's batches (all, or the first `limit`), with the resume key of the last one. */
async function readBatches(workdir: string, name: string, options: { limit?: number; after?: Value[] } = {}) {
  const upgraded = await open(workdir);
  try {
    const table = (await upgraded.readSchema()).tables.find((t) => t.name === name)!;
    const rows: Value[][] = [];
    let key: Value[] | undefined;
    let batches = 0;
    for await (const batch of upgraded.readRows(table, { batchRows: 500, after: options.after })) {
      rows.push(...batch.rows);
      key = batch.resumeKey;
      if (++batches === options.limit) break;
    }
    return { rows, key, batches };
  } finally {
    await upgraded.close();
  }
}

describe('a converted table read partway continues exactly from its resume key', () => {
  // nodes merges notebooks and notes; files is one table copied twice; tags are made from a remap, with few rows
  // per batch; node_tags is split from notes in the first hop and consults the remap.
  for (const [name, limit] of [
    ['files', 5],
    ['nodes', 3],
    ['nodes', 30],
    ['tags', 2],
    ['node_tags', 7],
  ] as const) {
    test(`${name}, interrupted after ${limit} batches`, async () => {
      const full = await readBatches(join(work.path, `full-${name}-${limit}`), name);
      const dir = join(work.path, `partial-${name}-${limit}`);
      const first = await readBatches(dir, name, { limit });
      assert.equal(first.batches, limit);
      assert.ok(first.key, 'the batch has a resume key');
      const rest = await readBatches(dir, name, { after: first.key });
      assert.ok(rest.rows.length > 0, 'something is left to read');
      assert.deepEqual([...first.rows, ...rest.rows], full.rows);
    });
  }

  test('a merged table resumes inside its second source table, by [part, ...key]', async () => {
    const dir = join(work.path, 'merge-key');
    const first = await readBatches(dir, 'nodes', { limit: 3 });
    assert.equal(first.key![0], 1, 'notebooks (400 rows) fit in the first batch; notes are part 1');
  });

  test('completed lookups and remaps are reused by the next reader of the same scratch folder', async () => {
    const dir = join(work.path, 'reuse');
    const events1: UpgradeEvent[] = [];
    const first = await open(dir, events1);
    await readAll(first);
    await first.close();
    const events2: UpgradeEvent[] = [];
    const second = await open(dir, events2);
    const rows = await readAll(second);
    await second.close();
    const built = (events: UpgradeEvent[]) =>
      events
        .filter((e) => e.type === 'prepare' && e.done)
        .map((e) => `${e.hop} ${e.type === 'prepare' ? e.item : ''}${e.reused ? ' reused' : ''}`);
    assert.deepEqual(built(events1), ['1.0 → 2.0 notebookOwner', '1.0 → 2.0 liveNotes', '1.0 → 2.0 tagId', '2.0 → 3.0 lastNotebookId']);
    assert.deepEqual(
      built(events2),
      built(events1).map((s) => `${s} reused`),
    );
    assert.equal(rows.tags!.length, BIG.labels - BIG.labels / 5);
  });
});

/** Runs run-upgrade.ts in a child process; resolves with its exit code and signal. */
function child(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', TSX, RUNNER, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('migrate --app killed with SIGKILL resumes exactly', () => {
  let expected: Record<string, unknown[]>;
  before(async () => {
    const dir = join(work.path, 'clean');
    const target = `sqlite:${join(dir, 'target.db')}`;
    const run = await runUpgrade(source, target, dir);
    assert.equal(run.result.verified, true);
    const reader = await openDataset(target);
    expected = await readAll(reader);
    await reader.close();
  });

  const points: [string, string[], NodeJS.ProcessEnv][] = [
    ['while the remap is being built', ['--kill-in-remap', '1000'], {}],
    ['after a committed batch of the merged table', [], { FERRY_FAULT: 'data:nodes:12000' }],
    ['inside a batch of the merged table, before it commits', [], { FERRY_FAULT: 'uncommitted:nodes:20000' }],
    ['inside a batch of the table made from the remap', [], { FERRY_FAULT: 'uncommitted:tags:1000' }],
    ['after a committed batch of the split table that consults the remap', [], { FERRY_FAULT: 'data:node_tags:9000' }],
  ];
  for (const [when, args, env] of points) {
    test(when, async () => {
      const dir = tempDir();
      try {
        const target = `sqlite:${join(dir.path, 'target.db')}`;
        const killed = await child([source, target, dir.path, ...args], env);
        assert.equal(killed.signal, 'SIGKILL', killed.stderr);
        if (args[0] === '--kill-in-remap') {
          const scratch = new Database(join(dir.path, 'work', 'remap.db'), { readonly: true });
          const done = scratch.prepare('SELECT item FROM _ferry_done').pluck().all() as string[];
          scratch.close();
          assert.deepEqual(
            done.map((d) => d.split(':').pop()),
            ['liveNotes', 'notebookOwner'],
            'the interrupted remap has no completion mark',
          );
        }
        const resumed = await runUpgrade(source, target, dir.path);
        assert.equal(resumed.result.verified, true);
        if (args[0] === '--kill-in-remap') {
          const reused = resumed.events
            .filter((e) => e.type === 'prepare' && e.done && e.reused)
            .map((e) => (e.type === 'prepare' ? e.item : ''));
          assert.deepEqual(reused, ['notebookOwner', 'liveNotes'], 'complete items are reused, the interrupted remap is rebuilt');
        } else {
          assert.ok(resumed.result.resumed, 'the second run continued the first');
        }
        const reader = await openDataset(target);
        assert.deepEqual(await readAll(reader), expected);
        await reader.close();
      } finally {
        dir.remove();
      }
    });
  }
});
