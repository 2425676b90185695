/**
 * The benchmark's results: one row per scenario on the terminal (the ratio is the headline), and the same with
 * every detail as JSON in bench/results/latest.json, for comparing runs over time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BackupScenarioResult, OperationResult } from './backup.js';
import type { FerryRun } from './ferry.js';
import type { CpuUse } from './machine.js';
import type { NativeResult } from './native.js';
import type { ProfileSummary } from './profile.js';

/** The targets the benchmark holds ferry to (DESIGN.md "Performance principles"). */
export const TARGETS = { ratio: 1.3, peakRssMb: 200 };

export interface ScenarioResult {
  scenario: string;
  rows: number;
  native?: NativeResult;
  ferry?: FerryRun;
  ferryVerified?: FerryRun;
  /** ferry --no-verify with its per-batch checkpoints turned off (an internal switch): what checkpoints cost. */
  ferryNoCheckpoints?: FerryRun;
  /** What the correctness checks found; empty when both targets hold every row with the same shape. */
  problems: string[];
  /** Failed to run at all. */
  error?: string;
  profile?: ProfileSummary;
  /** Every run's seconds by side, when each side ran more than once (BENCH_REPEAT); the median is reported. */
  allSeconds?: Record<string, number[]>;
  /** Timed runs that started while other processes kept the CPUs busy (their times are noisy). */
  busy?: ({ run: string } & CpuUse)[];
}

export function printResults(results: ScenarioResult[], repeat: number, log: (line: string) => void): void {
  const header = ['scenario', 'rows', 'native s', 'ferry s', 'ratio', 'ferry rows/s', 'ferry MB', 'ferry+verify s', 'ratio', 'MB', 'check'];
  const rows = results.map((r) => {
    const ratio = (run?: FerryRun) => (run && r.native ? flagged(run.seconds / r.native.seconds, TARGETS.ratio, 'x') : '-');
    return [
      r.scenario,
      r.rows.toLocaleString('en-US'),
      r.native ? r.native.seconds.toFixed(1) : '-',
      r.ferry ? r.ferry.seconds.toFixed(1) : '-',
      ratio(r.ferry),
      r.ferry ? Math.round(r.rows / r.ferry.seconds).toLocaleString('en-US') : '-',
      mb(r.ferry?.peakRssMb),
      r.ferryVerified ? r.ferryVerified.seconds.toFixed(1) : '-',
      ratio(r.ferryVerified),
      mb(r.ferryVerified?.peakRssMb),
      r.error ? 'ERROR' : r.problems.length > 0 ? 'PROBLEM' : 'ok',
    ];
  });
  log(table(header, rows));
  if (repeat > 1) log(`times are the median of ${repeat} runs of each side (every run's time is in latest.json)`);
  log(
    `targets: ferry/native ≤ ${TARGETS.ratio}x, peak RSS ≤ ${TARGETS.peakRssMb} MB (a * marks a miss). The native pipelines do not verify.`,
  );

  for (const r of results) {
    if (!r.ferry || !r.ferryNoCheckpoints) continue;
    const cost = (r.ferry.seconds / r.ferryNoCheckpoints.seconds - 1) * 100;
    log(
      `checkpoint cost, ${r.scenario}: ${r.ferry.seconds.toFixed(1)} s with, ${r.ferryNoCheckpoints.seconds.toFixed(1)} s without: ` +
        `${cost >= 0 ? '+' : ''}${cost.toFixed(1)}% (target ≤ +5%)${cost > 5 ? ' *' : ''}`,
    );
  }

  log('\nwhere the time goes (seconds: load / index per table; ferry: copy per table, then everything else)');
  const phases = results.flatMap((r) => [
    ...(r.native
      ? [
          [
            r.scenario,
            'native',
            r.native.tables.map((t) => `${t.table} ${t.loadSeconds.toFixed(1)} / ${t.indexSeconds.toFixed(1)}`).join(', '),
          ],
        ]
      : []),
    ...[r.ferry, r.ferryVerified].flatMap((run, i) => (run ? [[r.scenario, i === 0 ? 'ferry' : 'ferry+verify', ferryPhases(run)]] : [])),
  ]);
  log(table(['scenario', 'side', 'phases'], phases));

  for (const r of results) {
    for (const b of r.busy ?? []) {
      log(
        `\nWARNING: ${r.scenario}, ${b.run}: the machine was busy before the run (${b.cpus} CPUs: ${b.top.map((p) => `${p.process} ${p.cpus}`).join(', ')}); its time is noisy.`,
      );
    }
  }
  for (const r of results) {
    if (r.error) log(`\n${r.scenario}: ERROR ${r.error}`);
    for (const p of r.problems) log(`\n${r.scenario}: PROBLEM ${p}`);
    if (r.profile) printProfile(r.scenario, r.profile, log);
  }
}

/**
 * The backup and restore scenarios: per engine and operation, the reference native tool's time, ferry's (without
 * and with verification) and their ratios, then any other native tool against the same ferry runs; the backups'
 * sizes; every run's time; where ferry's time goes.
 */
export function printBackupResults(results: BackupScenarioResult[], repeat: number, log: (line: string) => void): void {
  const rows = results[0]?.rows ?? 0;
  log(`\nbackup and restore, each into a new database of the same engine (${rows.toLocaleString('en-US')} rows)`);
  const header = [
    'engine',
    'operation',
    'native tool',
    'native s',
    'ferry s',
    'ratio',
    'ferry rows/s',
    'ferry MB',
    'ferry+verify s',
    'ratio',
    'MB',
    'check',
  ];
  const lines: string[][] = [];
  for (const r of results) {
    const check = r.error ? 'ERROR' : r.problems.length > 0 ? 'PROBLEM' : 'ok';
    for (const [operation, op] of [
      ['backup', r.backup],
      ['restore', r.restore],
    ] as const) {
      if (op.native.length === 0 && !op.ferry) {
        lines.push([r.engine, operation, '-', '-', '-', '-', '-', '-', '-', '-', '-', check]);
        continue;
      }
      for (const [i, native] of op.native.entries()) {
        lines.push([
          i === 0 ? r.engine : '',
          i === 0 ? operation : `${operation} (also)`,
          native.tool,
          native.seconds.toFixed(1),
          op.ferry ? op.ferry.seconds.toFixed(1) : '-',
          op.ferry ? flagged(op.ferry.seconds / native.seconds, TARGETS.ratio, 'x') : '-',
          op.ferry ? Math.round(r.rows / op.ferry.seconds).toLocaleString('en-US') : '-',
          mb(op.ferry?.peakRssMb),
          op.ferryVerified ? op.ferryVerified.seconds.toFixed(1) : '-',
          op.ferryVerified ? flagged(op.ferryVerified.seconds / native.seconds, TARGETS.ratio, 'x') : '-',
          mb(op.ferryVerified?.peakRssMb),
          check,
        ]);
      }
    }
  }
  log(table(header, lines, [1, 2]));
  log(
    `ferry s: \`ferry backup --no-verify\` into a .ferry archive, \`ferry restore --no-verify\` of ferry's archive (the native tools verify nothing);` +
      ` ferry+verify: the same as users run them. Ratios against each native tool; targets: ≤ ${TARGETS.ratio}x, peak RSS ≤ ${TARGETS.peakRssMb} MB (* marks a miss).`,
  );
  if (repeat > 1) log(`times are the median of ${repeat} runs of each side (every run below, and in latest.json)`);

  log('\nbackup sizes');
  const sizes: string[][] = [];
  for (const r of results) {
    for (const [i, native] of r.sizes.native.entries()) {
      sizes.push([
        i === 0 ? r.engine : '',
        native.tool,
        megabytes(native.bytes),
        r.sizes.ferryArchive === undefined ? '-' : megabytes(r.sizes.ferryArchive),
        r.sizes.ferryArchive === undefined ? '-' : `${(r.sizes.ferryArchive / native.bytes).toFixed(2)}x`,
        r.sizes.ferryFolder === undefined ? '-' : megabytes(r.sizes.ferryFolder),
      ]);
    }
  }
  log(table(['engine', 'native backup', 'native MB', 'ferry .ferry MB', 'ferry/native', 'ferry folder MB'], sizes, [1]));

  log('\nevery run (seconds)');
  const runs: string[][] = [];
  for (const r of results) {
    for (const [operation, op] of [
      ['backup', r.backup],
      ['restore', r.restore],
    ] as const) {
      for (const [side, seconds] of Object.entries(op.runs))
        runs.push([r.engine, operation, side, seconds.map((x) => x.toFixed(1)).join(', ')]);
    }
  }
  log(table(['engine', 'operation', 'side', 'runs'], runs, [1, 2]));
  for (const r of results) {
    if (r.ferryFolder && r.backup.ferry) {
      const packing = r.backup.ferry.seconds - r.ferryFolder.seconds;
      log(
        `${r.engine}: ferry backup --no-verify into a folder ${r.ferryFolder.seconds.toFixed(1)} s, into a .ferry archive ${r.backup.ferry.seconds.toFixed(1)} s ` +
          `(packing the archive: ${packing >= 0 ? '+' : ''}${packing.toFixed(1)} s)`,
      );
    }
  }

  log("\nwhere ferry's time goes (seconds: copy per table, then everything else)");
  const phases = results.flatMap((r) =>
    (
      [
        ['backup', r.backup],
        ['restore', r.restore],
      ] as [string, OperationResult][]
    ).flatMap(([operation, op]) =>
      [op.ferry, op.ferryVerified].flatMap((run, i) =>
        run ? [[r.engine, `ferry ${operation}${i === 0 ? ' --no-verify' : ''}`, ferryPhases(run, OTHER_WORK[operation])]] : [],
      ),
    ),
  );
  log(table(['engine', 'side', 'phases'], phases, [1]));

  for (const r of results) {
    for (const b of r.busy ?? []) {
      log(
        `\nWARNING: ${r.engine}, ${b.run}: the machine was busy before the run (${b.cpus} CPUs: ${b.top.map((p) => `${p.process} ${p.cpus}`).join(', ')}); its time is noisy.`,
      );
    }
  }
  for (const r of results) {
    if (r.error) log(`\n${r.scenario}: ERROR ${r.error}`);
    for (const p of r.problems) log(`\n${r.scenario}: PROBLEM ${p}`);
    if (r.profile?.backup) printProfile(`${r.engine} ferry backup`, r.profile.backup, log);
    if (r.profile?.restore) printProfile(`${r.engine} ferry restore`, r.profile.restore, log);
  }
}

function printProfile(title: string, profile: ProfileSummary, log: (line: string) => void): void {
  log(`\n${title}: ferry CPU profile (${profile.totalMs} ms sampled, ${profile.file})`);
  log(
    table(
      ['self ms', '%', 'file'],
      profile.files.map((e) => [String(e.ms), e.percent.toFixed(1), e.name]),
    ),
  );
  log(
    table(
      ['self ms', '%', 'function'],
      profile.functions.map((e) => [String(e.ms), e.percent.toFixed(1), e.name]),
    ),
  );
}

export function writeResults(dir: string, report: object): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'latest.json');
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

function ferryPhases(run: FerryRun, rest = 'start-up, schema, indexes'): string {
  const copies = run.result.tables.map((t) => `${t.table} ${t.seconds.toFixed(1)}`);
  const copied = run.result.tables.reduce((s, t) => s + t.seconds, 0);
  return `${copies.join(', ')}, other ${(run.seconds - copied).toFixed(1)} (${rest}${run.result.verified === undefined ? '' : ', verify'})`;
}

/** What a backup or a restore does besides copying tables. */
const OTHER_WORK: Record<string, string> = {
  backup: 'start-up, schema, reading back each data file for its sha256 and row count, manifest, packing',
  restore: "start-up, the backup's sha256 checks, schema, indexes",
};

function flagged(value: number, limit: number, unit: string): string {
  return `${value.toFixed(2)}${unit}${value > limit ? ' *' : ''}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

function mb(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${Math.round(value)}${value > TARGETS.peakRssMb ? ' *' : ''}`;
}

/** Numbers right-aligned; the first and last columns, and those in `text`, left-aligned. */
function table(header: string[], rows: string[][], text: number[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const left = (i: number) => i === 0 || i === header.length - 1 || text.includes(i);
  const line = (cells: string[]) => cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
