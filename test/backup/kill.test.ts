/**
 * A real `ferry backup` killed with SIGKILL (no cleanup at all) at points across the run — between tables, after a
 * committed batch, inside a batch before its checkpoint, before indexes, inside a table without a key, after the
 * backup is finalized but before its checkpoints are cleared — then run again: the backup finishes, reads back equal
 * to the source, and holds nothing of the interrupted run. Without verification the source writes the lines itself
 * (docs/bulk-text.md, "Backup lines"): those batches commit and resume the same way. (Drives the CLI, with an SQLite
 * source: no server needed.)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verify } from '../../src/ops/verify.js';
import { createBigSource } from '../helpers/big-source.js';
import { ferry } from '../helpers/cli.js';
import { tempDir } from '../helpers/servers.js';

const KILL_POINTS: Record<'folder' | 'archive' | 'folder without verification', string[]> = {
  folder: ['data:big:60000', 'uncommitted:big:100000', 'index:big', 'data:nokey:5000', 'verify'],
  archive: ['uncommitted:big:100000', 'verify'],
  'folder without verification': ['data:big:60000', 'uncommitted:big:100000'],
};

const work = tempDir();
const source = join(work.path, 'big.db');
before(() => createBigSource(source));
after(() => work.remove());

for (const kind of ['folder', 'archive', 'folder without verification'] as const) {
  describe(`a backup ${kind} killed with SIGKILL`, () => {
    for (const point of KILL_POINTS[kind]) {
      test(`at ${point} resumes to a backup equal to the source`, async () => {
        const name = `${kind.replaceAll(' ', '-')}-${point.replaceAll(':', '-')}`;
        const dest = join(work.path, kind === 'archive' ? `${name}.ferry` : name);
        const args = ['backup', source, dest, '-q', '--batch-rows', '7000', '--state', join(work.path, `${name}.json`)];
        if (kind === 'folder without verification') args.push('--no-verify');
        const killed = await ferry(args, { cwd: work.path, env: { FERRY_FAULT: point } });
        assert.equal(killed.code, -1, `killed at ${point}: ${killed.stderr}`);
        const resumed = await ferry(args, { cwd: work.path });
        assert.equal(resumed.code, 0, resumed.stderr);
        const check = await verify({ a: `sqlite:${source}`, b: dest });
        assert.equal(check.equal, true, JSON.stringify(check.tables.filter((t) => !t.equal)));
        if (kind !== 'archive') assert.deepEqual(readdirSync(dest).sort(), ['files', 'manifest.json', 'tables']);
        else assert.equal(existsSync(`${dest}.partial`), false, 'the work folder is gone');
      });
    }
  });
}
