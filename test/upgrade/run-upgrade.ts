/**
 * One `migrate --app example` as the lead's op will run it, without the CLI: source → the example pack's path →
 * target, through the real pipeline (checkpoints, resume, verification). Also a child-process entry point, so
 * that a test can kill a run with SIGKILL (FERRY_FAULT, or `--kill-in-remap N`) and run it again.
 */
import { join } from 'node:path';
import { orderByDependencies } from '../../src/core/schema.js';
import { engineFor } from '../../src/engines/registry.js';
import { runPipeline, type RunResult } from '../../src/run/pipeline.js';
import type { UpgradeEvent } from '../../src/upgrade/index.js';
import { openDataset, upgrade } from '../../src/upgrade/testing.js';
import pack from '../../packs/example/index.js';

export interface UpgradeRun {
  result: RunResult;
  events: UpgradeEvent[];
  account: Awaited<ReturnType<Awaited<ReturnType<typeof upgrade>>['account']>>;
}

export async function runUpgrade(
  source: string,
  target: string,
  dir: string,
  options: { batchRows?: number; killInRemapAt?: number } = {},
): Promise<UpgradeRun> {
  const events: UpgradeEvent[] = [];
  const reader = await openDataset(source);
  const upgraded = await upgrade(pack, reader, {
    workdir: join(dir, 'work'),
    batchRows: options.batchRows,
    events: (e) => {
      events.push(e);
      // The kill lands between two committed batches of the remap's build: its completion mark is not written.
      if (e.type === 'prepare' && e.item === 'tagId' && !e.done && options.killInRemapAt !== undefined && e.rows >= options.killInRemapAt) {
        process.kill(process.pid, 'SIGKILL');
      }
    },
  });
  try {
    const writer = await engineFor(target).openWriter(target, { create: true });
    try {
      const result = await runPipeline(upgraded, writer, {
        command: 'migrate',
        ferryVersion: 'test',
        tables: orderByDependencies((await upgraded.readSchema()).tables),
        notCarried: [],
        rules: new Set(),
        batchRows: options.batchRows ?? 1000,
        statePath: join(dir, 'state.json'),
        rejectsDir: join(dir, 'rejects'),
        reopenTarget: () => openDataset(target),
      });
      const rejected = Object.fromEntries(result.tables.map((t) => [t.table, t.rejected]));
      return { result, events, account: await upgraded.account(rejected) };
    } finally {
      await writer.close();
    }
  } finally {
    await upgraded.close();
  }
}

// As a child process: run-upgrade.ts SOURCE TARGET DIR [--kill-in-remap N]
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, ''))) {
  const [source, target, dir, flag, n] = process.argv.slice(2);
  const run = await runUpgrade(source!, target!, dir!, { killInRemapAt: flag === '--kill-in-remap' ? Number(n) : undefined });
  console.log(JSON.stringify({ verified: run.result.verified, rows: run.result.rows }));
}
