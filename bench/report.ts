/**
 * The benchmark's results: one row per scenario on the terminal (the ratio is the headline), and the same with
 * every detail as JSON in bench/results/latest.json, for comparing runs over time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
    if (r.profile) {
      log(`\n${r.scenario}: ferry CPU profile (${r.profile.totalMs} ms sampled, ${r.profile.file})`);
      log(
        table(
          ['self ms', '%', 'file'],
          r.profile.files.map((e) => [String(e.ms), e.percent.toFixed(1), e.name]),
        ),
      );
      log(
        table(
          ['self ms', '%', 'function'],
          r.profile.functions.map((e) => [String(e.ms), e.percent.toFixed(1), e.name]),
        ),
      );
    }
  }
}

export function writeResults(dir: string, report: object): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'latest.json');
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

function ferryPhases(run: FerryRun): string {
  const copies = run.result.tables.map((t) => `${t.table} ${t.seconds.toFixed(1)}`);
  const copied = run.result.tables.reduce((s, t) => s + t.seconds, 0);
  return `${copies.join(', ')}, other ${(run.seconds - copied).toFixed(1)} (start-up, schema, indexes${run.result.verified === undefined ? '' : ', verify'})`;
}

function flagged(value: number, limit: number, unit: string): string {
  return `${value.toFixed(2)}${unit}${value > limit ? ' *' : ''}`;
}

function mb(value: number | undefined): string {
  return value === undefined ? 'n/a' : `${Math.round(value)}${value > TARGETS.peakRssMb ? ' *' : ''}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
