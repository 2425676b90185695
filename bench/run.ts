/**
 * `npm run bench`: for each scenario, on the same generated dataset in the same run, times the native pipeline,
 * ferry without verification (the like-for-like comparison), the same without checkpoints (what they cost), and
 * ferry as users run it (with verification), each
 * into a fresh database that is checked (row counts, column types, indexes) and dropped. Then, per engine, backup
 * and restore against the engine's own dump tools (backup.ts). Prints the ratios and writes
 * bench/results/latest.json.
 */
import { cpus, totalmem } from 'node:os';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig, type BenchConfig } from './config.js';
import { BACKUP_SCENARIOS, emptyBackupResult, runBackupScenario, type BackupScenarioResult, type BackupSource } from './backup.js';
import { ensureDataset, TABLES, type Dataset } from './dataset.js';
import { sqliteDb } from './dump.js';
import { ferryVerify, runFerry } from './ferry.js';
import { mysqlSource, mysqlTarget, nativeCopy, postgresTarget, sqliteSource, type NativeSource, type NativeTarget } from './native.js';
import { waitForQuiet } from './machine.js';
import { summarizeProfile } from './profile.js';
import { printBackupResults, printResults, writeResults, type ScenarioResult } from './report.js';
import { Servers, type ScratchDb, type ServerEngine } from './servers.js';

interface Scenario {
  id: string;
  name: string;
  source: 'sqlite' | 'mysql';
  target: ServerEngine;
}

const SCENARIOS: Scenario[] = [
  { id: 'sqlite-postgres', name: 'sqlite → postgres', source: 'sqlite', target: 'postgres' },
  { id: 'sqlite-mysql', name: 'sqlite → mysql', source: 'sqlite', target: 'mysql' },
  { id: 'mysql-postgres', name: 'mysql → postgres', source: 'mysql', target: 'postgres' },
];

/** Names that select a whole group in BENCH_SCENARIOS. */
const GROUPS: Record<string, string[]> = {
  migrate: SCENARIOS.map((s) => s.id),
  backup: BACKUP_SCENARIOS.map((s) => s.id),
};

/** A source as both sides read it: ferry by endpoint URL, the native pipeline by its client command. */
interface Source {
  endpoint: string;
  /** How a native copy pipeline reads it (a PostgreSQL source is only read by the dump tools). */
  native?: NativeSource;
  db?: ScratchDb;
}

type SourceKind = 'sqlite' | ServerEngine;

const NATIVE_TARGETS: Record<ServerEngine, (db: ScratchDb) => NativeTarget> = { postgres: postgresTarget, mysql: mysqlTarget };

const log = (line: string) => console.error(line);

async function main(): Promise<number> {
  const config = readConfig();
  const servers = new Servers(config);
  const chosen = selectedScenarios(config.only);
  const scenarios = SCENARIOS.filter((s) => chosen.has(s.id));
  const backupScenarios = BACKUP_SCENARIOS.filter((s) => chosen.has(s.id));
  const dataset = ensureDataset(config.cacheDir, config.rows, log);
  const totalRows = dataset.rows.wide + dataset.rows.narrow;
  warmFileCache(dataset.path);

  const sources = new Map<string, Promise<Source>>();
  const sourceFor = (kind: SourceKind): Promise<Source> => {
    let s = sources.get(kind);
    if (!s) sources.set(kind, (s = prepareSource(kind, dataset, servers)));
    return s;
  };
  const results: ScenarioResult[] = [];
  const backupResults: BackupScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      const result: ScenarioResult = { scenario: scenario.name, rows: totalRows, problems: [] };
      results.push(result);
      const unreachable =
        (await servers.problem(scenario.target)) ?? (scenario.source === 'mysql' ? await servers.problem('mysql') : undefined);
      if (unreachable) {
        result.error = `skipped: ${unreachable}`;
        log(`\n*** SKIPPED ${scenario.name}: ${unreachable}`);
        continue;
      }
      try {
        await runScenario(scenario, await sourceFor(scenario.source), dataset, servers, config, result);
      } catch (e) {
        result.error = (e as Error).message;
        log(`${scenario.name}: ERROR ${result.error}`);
      }
    }
    for (const scenario of backupScenarios) {
      const result = emptyBackupResult(scenario, totalRows);
      backupResults.push(result);
      const unreachable = scenario.engine === 'sqlite' ? undefined : await servers.problem(scenario.engine);
      if (unreachable) {
        result.error = `skipped: ${unreachable}`;
        log(`\n*** SKIPPED ${scenario.id}: ${unreachable}`);
        continue;
      }
      try {
        const source = await sourceFor(scenario.engine);
        const backupSource: BackupSource = { endpoint: source.endpoint, db: source.db ?? sqliteDb(dataset.path) };
        await runBackupScenario(scenario, backupSource, dataset, servers, config, result);
      } catch (e) {
        result.error = (e as Error).message;
        log(`${scenario.id}: ERROR ${result.error}`);
      }
    }
  } finally {
    for (const s of sources.values()) {
      const db = await s.then((x) => x.db).catch(() => undefined);
      if (db) await servers.drop(db);
    }
  }

  log('');
  if (results.length > 0) printResults(results, config.repeat, log);
  if (backupResults.length > 0) printBackupResults(backupResults, config.repeat, log);
  const path = writeResults(config.resultsDir, {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    servers: {
      postgres: await servers.serverVersion('postgres').catch(() => undefined),
      mysql: await servers.serverVersion('mysql').catch(() => undefined),
    },
    dataset: { path: dataset.path, rows: dataset.rows },
    repeat: config.repeat,
    results,
    backupResults,
  });
  log(`\nresults: ${path}`);
  return [...results, ...backupResults].some((r) => r.error !== undefined || r.problems.length > 0) ? 1 : 0;
}

/** One scenario: native, ferry --no-verify, ferry (verifying), each into its own fresh database, checked, dropped. */
async function runScenario(
  scenario: Scenario,
  source: Source,
  dataset: Dataset,
  servers: Servers,
  config: BenchConfig,
  result: ScenarioResult,
): Promise<void> {
  log(`\n${scenario.name}: ${result.rows.toLocaleString('en-US')} rows`);
  const nativeSource = source.native;
  if (!nativeSource) throw new Error(`${scenario.name}: no native pipeline reads a ${scenario.source} source`);
  const shapes: Record<string, string[]> = {};

  /** Runs `work` into a fresh database of the target engine, then checks what landed and drops it. */
  const intoFresh = async <T>(side: string, work: (db: ScratchDb) => Promise<T>, after?: (db: ScratchDb) => Promise<void>): Promise<T> => {
    await servers.settle(scenario.target);
    const busy = await waitForQuiet();
    if (busy) {
      result.busy ??= [];
      result.busy.push({ run: side, ...busy });
      log(`  (busy before ${side}: ${busy.top.map((p) => `${p.process} ${p.cpus}`).join(', ')})`);
    }
    const db = await servers.create(scenario.target, side.replace(/\W/g, ''));
    try {
      const out = await work(db);
      for (const table of TABLES) {
        const rows = await servers.count(db, table.name);
        if (rows !== dataset.rows[table.name])
          result.problems.push(`${side}: ${table.name} holds ${rows} rows, the source ${dataset.rows[table.name]}`);
        shapes[`${side} ${table.name}`] = await servers.shape(db, table.name);
      }
      await after?.(db);
      return out;
    } finally {
      await servers.drop(db);
    }
  };

  /** Runs one side `config.repeat` times (each into a fresh database) and keeps the median run. */
  const timed = async <T extends { seconds: number; peakRssMb?: number }>(side: string, once: () => Promise<T>): Promise<T> => {
    const runs: T[] = [];
    for (let i = 0; i < config.repeat; i++) {
      const run = await once();
      log(`  ${side.padEnd(23)}${run.seconds.toFixed(1)} s${run.peakRssMb === undefined ? '' : `, peak ${Math.round(run.peakRssMb)} MB`}`);
      runs.push(run);
    }
    (result.allSeconds ??= {})[side] = runs.map((r) => Math.round(r.seconds * 100) / 100);
    return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor((runs.length - 1) / 2)]!;
  };

  result.native = await timed('native', () =>
    intoFresh(
      'native',
      (db) => nativeCopy(nativeSource, NATIVE_TARGETS[scenario.target](db), TABLES),
      async (db) => {
        if (!config.checkNativeContent) return;
        const check = await ferryVerify(source.endpoint, db.url);
        if (!check.equal) result.problems.push(`the native pipeline's target differs from the source:\n${check.output}`);
      },
    ),
  );
  result.ferry = await timed('ferry', () => intoFresh('ferry', (db) => runFerry(source.endpoint, db.url, { verify: false })));
  result.ferryNoCheckpoints = await timed('ferry, no checkpoints', () =>
    intoFresh('ferry-nocp', (db) => runFerry(source.endpoint, db.url, { verify: false, checkpoints: false })),
  );
  result.ferryVerified = await timed('ferry+verify', () =>
    intoFresh('ferry+verify', (db) => runFerry(source.endpoint, db.url, { verify: true })),
  );
  if (result.ferryVerified.notVerified.length > 0) {
    result.problems.push(
      `ferry's own verification found a difference in ${result.ferryVerified.notVerified.join(', ')} (run ferry verify on a kept copy)`,
    );
  }

  // The same types and indexes on both sides, or the comparison is not like for like.
  for (const table of TABLES) {
    const native = shapes[`native ${table.name}`]!;
    const ferry = shapes[`ferry ${table.name}`]!;
    const onlyNative = native.filter((l) => !ferry.includes(l));
    const onlyFerry = ferry.filter((l) => !native.includes(l));
    if (onlyNative.length + onlyFerry.length > 0) {
      result.problems.push(`${table.name} differs in shape: native has [${onlyNative.join('; ')}], ferry has [${onlyFerry.join('; ')}]`);
    }
  }

  result.problems = [...new Set(result.problems)];

  if (config.profile) {
    mkdirSync(config.resultsDir, { recursive: true });
    const dir = mkdtempSync(join(config.resultsDir, `profile-${scenario.id}-`));
    await intoFresh('profile', (db) => runFerry(source.endpoint, db.url, { verify: false, cpuProfileDir: dir }));
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file) result.profile = summarizeProfile(join(dir, file));
  }
}

/** The source as both sides read it; a server's source is loaded from the dataset first (untimed). */
async function prepareSource(kind: SourceKind, dataset: Dataset, servers: Servers): Promise<Source> {
  if (kind === 'sqlite') return { endpoint: `sqlite:${dataset.path}`, native: sqliteSource(dataset.path) };
  const db = await servers.create(kind, 'source');
  log(`\nloading the dataset into ${db.name} as a ${kind === 'mysql' ? 'MySQL' : 'PostgreSQL'} source (not timed)`);
  try {
    await nativeCopy(sqliteSource(dataset.path), NATIVE_TARGETS[kind](db), TABLES);
    await servers.analyze(
      db,
      TABLES.map((t) => t.name),
    );
  } catch (e) {
    await servers.drop(db);
    throw e;
  }
  return { endpoint: db.url, native: kind === 'mysql' ? mysqlSource(db) : undefined, db };
}

/** The scenario ids that BENCH_SCENARIOS selects (all when empty); an unknown name is an error, not a silent no-op. */
function selectedScenarios(only: string[]): Set<string> {
  const all = [...SCENARIOS.map((s) => s.id), ...BACKUP_SCENARIOS.map((s) => s.id)];
  if (only.length === 0) return new Set(all);
  const chosen = new Set<string>();
  for (const name of only) {
    const ids = GROUPS[name] ?? (all.includes(name) ? [name] : undefined);
    if (!ids) throw new Error(`BENCH_SCENARIOS: unknown scenario "${name}" (known: ${[...Object.keys(GROUPS), ...all].join(', ')})`);
    for (const id of ids) chosen.add(id);
  }
  return chosen;
}

/** Reads the dataset file once so that the first timed run does not pay for cold disk reads the others skip. */
function warmFileCache(path: string): void {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  try {
    while (readSync(fd, buffer) > 0);
  } finally {
    closeSync(fd);
  }
}

process.exitCode = await main().catch((e: unknown) => {
  log(`bench: ${(e as Error).stack ?? String(e)}`);
  return 1;
});
