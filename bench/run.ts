/**
 * `npm run bench`: for each scenario, on the same generated dataset in the same run, times the native pipeline,
 * ferry without verification (the like-for-like comparison), the same without checkpoints (what they cost), and
 * ferry as users run it (with verification), each
 * into a fresh database that is checked (row counts, column types, indexes) and dropped. Prints the ratios and
 * writes bench/results/latest.json.
 */
import { cpus, totalmem } from 'node:os';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { readConfig, type BenchConfig } from './config.js';
import { ensureDataset, TABLES, type Dataset } from './dataset.js';
import { ferryVerify, runFerry } from './ferry.js';
import { mysqlSource, mysqlTarget, nativeCopy, postgresTarget, sqliteSource, type NativeSource, type NativeTarget } from './native.js';
import { waitForQuiet } from './machine.js';
import { summarizeProfile } from './profile.js';
import { printResults, writeResults, type ScenarioResult } from './report.js';
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

/** A source as both sides read it: ferry by endpoint URL, the native pipeline by its client command. */
interface Source {
  endpoint: string;
  native: NativeSource;
  db?: ScratchDb;
}

const NATIVE_TARGETS: Record<ServerEngine, (db: ScratchDb) => NativeTarget> = { postgres: postgresTarget, mysql: mysqlTarget };

const log = (line: string) => console.error(line);

async function main(): Promise<number> {
  const config = readConfig();
  const servers = new Servers(config);
  const scenarios = SCENARIOS.filter((s) => config.only.length === 0 || config.only.includes(s.id));
  const dataset = ensureDataset(config.cacheDir, config.rows, log);
  const totalRows = dataset.rows.wide + dataset.rows.narrow;
  warmFileCache(dataset.path);

  const sources = new Map<string, Promise<Source>>();
  const sourceFor = (kind: Scenario['source']): Promise<Source> => {
    let s = sources.get(kind);
    if (!s) sources.set(kind, (s = prepareSource(kind, dataset, servers)));
    return s;
  };
  const results: ScenarioResult[] = [];
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
  } finally {
    for (const s of sources.values()) {
      const db = await s.then((x) => x.db).catch(() => undefined);
      if (db) await servers.drop(db);
    }
  }

  log('');
  printResults(results, config.repeat, log);
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
  });
  log(`\nresults: ${path}`);
  return results.some((r) => r.error !== undefined || r.problems.length > 0) ? 1 : 0;
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
      (db) => nativeCopy(source.native, NATIVE_TARGETS[scenario.target](db), TABLES),
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

/** The source as both sides read it; a MySQL source is loaded from the dataset first (untimed). */
async function prepareSource(kind: Scenario['source'], dataset: Dataset, servers: Servers): Promise<Source> {
  if (kind === 'sqlite') return { endpoint: `sqlite:${dataset.path}`, native: sqliteSource(dataset.path) };
  const db = await servers.create('mysql', 'source');
  log(`\nloading the dataset into ${db.name} as a MySQL source (not timed)`);
  try {
    await nativeCopy(sqliteSource(dataset.path), mysqlTarget(db), TABLES);
  } catch (e) {
    await servers.drop(db);
    throw e;
  }
  return { endpoint: db.url, native: mysqlSource(db), db };
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
