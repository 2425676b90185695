/**
 * Runs ferry the way a user does: `bin/ferry.js migrate SOURCE TARGET` (or `backup SOURCE DEST`, `restore BACKUP
 * TARGET`), as its own process with the node options of its first line, so that the time includes start-up and the
 * peak RSS is ferry's alone (not the benchmark's).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MigrateResult } from '../src/ops/migrate.js';
import type { RestoreResult } from '../src/ops/restore.js';
import { ROOT } from './config.js';
import { measure } from './measure.js';

/** The node options bin/ferry.js runs with (its `#!/usr/bin/env -S node …` line), as `npx ferry` gets them. */
const NODE_OPTIONS = (/^#!\S*env -S node(.*)$/m.exec(readFileSync(join(ROOT, 'bin', 'ferry.js'), 'utf8').split('\n')[0]!)?.[1] ?? '')
  .split(' ')
  .filter(Boolean);

export interface FerryRun {
  seconds: number;
  /** Tables whose verification found a difference (a ferry bug: the benchmark's data is all carriable). */
  notVerified: string[];
  peakRssMb?: number;
  /** ferry's own `--json` result: per-table copy seconds, rows, verification (restore: and the backup's digests). */
  result: MigrateResult & Partial<Pick<RestoreResult, 'matchesBackup'>>;
  /** 0, or 4 when ferry found a difference (the run itself went through). */
  exitCode: number;
}

export interface FerryOptions {
  /** The command that copies SOURCE into TARGET (default migrate). */
  command?: 'migrate' | 'backup' | 'restore';
  /** Verify every table after the copy (ferry's default; the native pipelines do not). */
  verify: boolean;
  /** Commit a checkpoint with every batch (default true); off only to measure what checkpoints cost (issue #3). */
  checkpoints?: boolean;
  /** Write a V8 CPU profile into this folder (`node --cpu-prof`); slows the run, so never a timed one. */
  cpuProfileDir?: string;
}

export async function runFerry(source: string, target: string, options: FerryOptions): Promise<FerryRun> {
  // Each run records its state and any rejects in its own folder: runs never see each other's state file (which
  // would make ferry resume), and nothing lands in the repository.
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-run-'));
  const node = [...NODE_OPTIONS, ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [])];
  const files = ['--state', join(dir, 'state.json'), '--rejects-dir', join(dir, 'rejects')];
  const args = [
    ...node,
    join(ROOT, 'bin', 'ferry.js'),
    options.command ?? 'migrate',
    source,
    target,
    '--json',
    ...files,
    ...(options.verify ? [] : ['--no-verify']),
  ];
  // Exit 4 (verification found a difference) still timed a complete run: reported as a problem, with its time.
  const env = options.checkpoints === false ? { FERRY_BENCH_NO_CHECKPOINTS: '1' } : {};
  const m = await measure(process.execPath, args, env, [0, 4]);
  // After a failed verification ferry prints its result, then an error object: the result is the first document.
  const end = m.stdout.indexOf('\n}');
  const result = JSON.parse(end < 0 ? m.stdout : m.stdout.slice(0, end + 2)) as FerryRun['result'];
  if (result.rejected > 0) throw new Error(`ferry rejected ${result.rejected} rows: see ${join(dir, 'rejects')}`);
  rmSync(dir, { recursive: true, force: true });
  const notVerified = result.tables.filter((t) => t.verification && !t.verification.equal).map((t) => t.table);
  return { seconds: m.seconds, peakRssMb: m.peakRssMb, result, notVerified, exitCode: m.exitCode ?? 0 };
}

/** `ferry verify A B`: compares content (counts and digests) of two endpoints; used to prove the native pipeline right. */
export async function ferryVerify(a: string, b: string): Promise<{ equal: boolean; output: string }> {
  try {
    const m = await measure(process.execPath, [...NODE_OPTIONS, join(ROOT, 'bin', 'ferry.js'), 'verify', a, b, '--tables', 'wide,narrow']);
    return { equal: true, output: m.stdout };
  } catch (e) {
    return { equal: false, output: (e as Error).message };
  }
}
