/**
 * The backup and restore scenarios (issue #4): for one engine, on the same data in the same run, a backup by the
 * engine's own tools (dump.ts) and by `ferry backup` into a `.ferry` archive, then a restore of each backup into a
 * new, empty database of the same engine. Every timed run starts on idle CPUs; every restored database is checked
 * (row counts, column types, indexes) and dropped.
 *
 * The archive is what ferry is measured by: the native tools write one file, and one file is what a user keeps,
 * copies off the machine and compares. A backup into a folder (the archive before it is packed) is timed beside it,
 * to show what packing costs.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openBackupReader } from '../src/backup/index.js';
import type { BenchConfig } from './config.js';
import { TABLES, type Dataset } from './dataset.js';
import { DUMP_TOOLS, removeSqlite, sqliteCount, sqliteDb, sqliteShape, type BackupEngine, type BenchDb } from './dump.js';
import { runFerry, type FerryOptions, type FerryRun } from './ferry.js';
import { waitForQuiet, type CpuUse } from './machine.js';
import type { Measured } from './measure.js';
import { summarizeProfile, type ProfileSummary } from './profile.js';
import type { Servers } from './servers.js';

export interface BackupScenario {
  id: string;
  engine: BackupEngine;
}

export const BACKUP_SCENARIOS: BackupScenario[] = [
  { id: 'backup-sqlite', engine: 'sqlite' },
  { id: 'backup-postgres', engine: 'postgres' },
  { id: 'backup-mysql', engine: 'mysql' },
];

/** One native tool's median run, with every run's seconds. */
export interface NativeRun {
  tool: string;
  seconds: number;
  /** Peak RSS of the pipeline's largest process, MB. */
  peakRssMb?: number;
  runs: number[];
}

/** The backup or the restore of one engine: each native tool (the reference first), and ferry. */
export interface OperationResult {
  native: NativeRun[];
  /** ferry without verification: the like-for-like comparison (the native tools verify nothing). */
  ferry?: FerryRun;
  /** ferry as users run it, verifying what it wrote. */
  ferryVerified?: FerryRun;
  /** Every run's seconds, by side. */
  runs: Record<string, number[]>;
}

export interface BackupScenarioResult {
  scenario: string;
  engine: BackupEngine;
  rows: number;
  backup: OperationResult;
  restore: OperationResult;
  /** `ferry backup` into a folder, without verification: the archive's time minus packing. */
  ferryFolder?: FerryRun;
  /** Bytes of each backup: the native tools' files (reference first), ferry's archive, ferry's folder. */
  sizes: { native: { tool: string; bytes: number }[]; ferryArchive?: number; ferryFolder?: number };
  problems: string[];
  error?: string;
  busy?: ({ run: string } & CpuUse)[];
  profile?: { backup?: ProfileSummary; restore?: ProfileSummary };
}

/** The source database of an engine, as both sides read it (loaded once, untimed, by run.ts). */
export interface BackupSource {
  db: BenchDb;
  /** ferry's endpoint for it. */
  endpoint: string;
}

const log = (line: string) => console.error(line);

/**
 * Backs the source up with every native tool and with ferry (archive, folder, archive with verification), then
 * restores each native dump and ferry's verified archive into fresh databases of the same engine.
 */
export async function runBackupScenario(
  scenario: BackupScenario,
  source: BackupSource,
  dataset: Dataset,
  servers: Servers,
  config: BenchConfig,
  result: BackupScenarioResult,
): Promise<void> {
  const engine = scenario.engine;
  const tools = DUMP_TOOLS[engine];
  log(`\n${engine} backup and restore: ${result.rows.toLocaleString('en-US')} rows`);
  mkdirSync(config.cacheDir, { recursive: true });
  const dir = mkdtempSync(join(config.cacheDir, `backups-${engine}-`));
  const shapes: Record<string, string[]> = {};

  /** Waits for idle CPUs (and a PostgreSQL checkpoint), noting who kept them busy. */
  const settle = async (side: string) => {
    if (engine !== 'sqlite') await servers.settle(engine);
    const busy = await waitForQuiet();
    if (busy) {
      (result.busy ??= []).push({ run: side, ...busy });
      log(`  (busy before ${side}: ${busy.top.map((p) => `${p.process} ${p.cpus}`).join(', ')})`);
    }
  };

  /** Runs one side `config.repeat` times and keeps the median run. */
  const timed = async <T extends { seconds: number; peakRssMb?: number }>(
    operation: OperationResult | undefined,
    side: string,
    once: () => Promise<T>,
  ): Promise<T> => {
    const runs: T[] = [];
    for (let i = 0; i < config.repeat; i++) {
      await settle(side);
      const run = await once();
      log(`  ${side.padEnd(44)}${run.seconds.toFixed(1)} s${run.peakRssMb === undefined ? '' : `, peak ${Math.round(run.peakRssMb)} MB`}`);
      runs.push(run);
    }
    if (operation) operation.runs[side] = runs.map((r) => Math.round(r.seconds * 100) / 100);
    return runs.sort((a, b) => a.seconds - b.seconds)[Math.floor((runs.length - 1) / 2)]!;
  };

  /** Runs `work` into a fresh database of the engine, then checks what landed and drops it. */
  const intoFresh = async <T>(side: string, work: (db: BenchDb) => Promise<T>): Promise<T> => {
    const db: BenchDb =
      engine === 'sqlite'
        ? sqliteDb(join(dir, `restore-${side.replace(/\W/g, '')}-${Math.random().toString(36).slice(2, 8)}.db`))
        : await servers.create(engine, side.replace(/\W/g, ''));
    try {
      const out = await work(db);
      for (const table of TABLES) {
        const rows = db.engine === 'sqlite' ? sqliteCount(db.path, table.name) : await servers.count(db, table.name);
        if (rows !== dataset.rows[table.name])
          result.problems.push(`${side}: ${table.name} holds ${rows} rows, the source ${dataset.rows[table.name]}`);
        shapes[`${side} ${table.name}`] = db.engine === 'sqlite' ? sqliteShape(db.path, table.name) : await servers.shape(db, table.name);
      }
      return out;
    } finally {
      if (db.engine === 'sqlite') removeSqlite(db.path);
      else await servers.drop(db);
    }
  };

  /** A ferry run into a path that must not exist yet (ferry never overwrites a backup). */
  const ferryInto = (path: string, from: string, options: FerryOptions) => {
    rmSync(path, { recursive: true, force: true });
    return runFerry(from, path, options);
  };

  try {
    // Backup: every native tool, then ferry. The files of the last runs are kept for the restores.
    const dumps = tools.map((tool) => join(dir, `native-${tool.name.replace(/\W+/g, '-')}${tool.extension}`));
    for (const [i, tool] of tools.entries()) {
      const run = await timed(result.backup, tool.name, () => tool.dump(source.db, dumps[i]!));
      result.backup.native.push(nativeRun(tool.name, run, result.backup.runs[tool.name]!));
      result.sizes.native.push({ tool: tool.name, bytes: statSync(dumps[i]!).size });
    }
    const unverified = join(dir, 'ferry-no-verify.ferry');
    result.backup.ferry = await timed(result.backup, 'ferry backup --no-verify (.ferry)', () =>
      ferryInto(unverified, source.endpoint, { command: 'backup', verify: false }),
    );
    const folder = join(dir, 'ferry-folder');
    result.ferryFolder = await timed(result.backup, 'ferry backup --no-verify (folder)', () =>
      ferryInto(folder, source.endpoint, { command: 'backup', verify: false }),
    );
    result.sizes.ferryFolder = folderBytes(folder);
    rmSync(folder, { recursive: true, force: true });
    const archive = join(dir, 'ferry.ferry');
    result.backup.ferryVerified = await timed(result.backup, 'ferry backup (.ferry)', () =>
      ferryInto(archive, source.endpoint, { command: 'backup', verify: true }),
    );
    result.sizes.ferryArchive = statSync(archive).size;
    for (const run of [result.backup.ferry, result.backup.ferryVerified]) checkFerry('ferry backup', run, result);
    await checkBackup(archive, unverified, dataset, result);
    rmSync(unverified, { force: true });

    // Restore: each native dump, then ferry's archive (the verified one: what a user would restore).
    for (const [i, tool] of tools.entries()) {
      const side = tool.restoreName;
      const run = await timed(result.restore, side, () => intoFresh(side, (db) => tool.restore(dumps[i]!, db)));
      result.restore.native.push(nativeRun(side, run, result.restore.runs[side]!));
    }
    result.restore.ferry = await timed(result.restore, 'ferry restore --no-verify', () =>
      intoFresh('ferry restore', (db) => runFerry(archive, db.url, { command: 'restore', verify: false })),
    );
    result.restore.ferryVerified = await timed(result.restore, 'ferry restore', () =>
      intoFresh('ferry restore+verify', (db) => runFerry(archive, db.url, { command: 'restore', verify: true })),
    );
    for (const run of [result.restore.ferry, result.restore.ferryVerified]) checkFerry('ferry restore', run, result);

    // The same tables on both sides of the reference restore, or the comparison is not like for like.
    for (const table of TABLES) {
      const native = shapes[`${tools[0]!.restoreName} ${table.name}`];
      const ferry = shapes[`ferry restore ${table.name}`];
      if (!native || !ferry) continue;
      const onlyNative = native.filter((l) => !ferry.includes(l));
      const onlyFerry = ferry.filter((l) => !native.includes(l));
      if (onlyNative.length + onlyFerry.length > 0) {
        result.problems.push(
          `restored ${table.name} differs in shape: ${tools[0]!.restoreName} gives [${onlyNative.join('; ')}], ferry restore gives [${onlyFerry.join('; ')}]`,
        );
      }
    }

    if (config.profile) {
      mkdirSync(config.resultsDir, { recursive: true });
      const profile = async (what: 'backup' | 'restore', work: (profileDir: string) => Promise<unknown>) => {
        const profileDir = mkdtempSync(join(config.resultsDir, `profile-${engine}-${what}-`));
        await work(profileDir);
        const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
        return file ? summarizeProfile(join(profileDir, file)) : undefined;
      };
      result.profile = {
        backup: await profile('backup', (cpuProfileDir) =>
          ferryInto(unverified, source.endpoint, { command: 'backup', verify: false, cpuProfileDir }),
        ),
        restore: await profile('restore', (cpuProfileDir) =>
          intoFresh('profile', (db) => runFerry(archive, db.url, { command: 'restore', verify: false, cpuProfileDir })),
        ),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  result.problems = [...new Set(result.problems)];
}

export function emptyBackupResult(scenario: BackupScenario, rows: number): BackupScenarioResult {
  return {
    scenario: scenario.id,
    engine: scenario.engine,
    rows,
    backup: { native: [], runs: {} },
    restore: { native: [], runs: {} },
    sizes: { native: [] },
    problems: [],
  };
}

function nativeRun(tool: string, run: Measured, runs: number[]): NativeRun {
  return { tool, seconds: run.seconds, peakRssMb: run.peakRssMb, runs };
}

/** ferry's own account of a run: every table verified when it verified, and exit 0. */
function checkFerry(command: string, run: FerryRun, result: BackupScenarioResult): void {
  const verifying = run.result.verified !== undefined;
  if (run.notVerified.length > 0) result.problems.push(`${command}: verification found a difference in ${run.notVerified.join(', ')}`);
  const differ = Object.entries(run.result.matchesBackup ?? {}).filter(([, ok]) => !ok);
  if (differ.length > 0) {
    result.problems.push(
      `${command}${verifying ? '' : ' --no-verify'} says the restored rows of ${differ.map(([t]) => t).join(', ')} differ from the digests recorded in the backup` +
        (verifying
          ? ''
          : ' (without verification no digest is computed, so there is nothing to compare: ferry should not report a difference)'),
    );
  }
  if (run.exitCode !== 0 && differ.length === 0 && run.notVerified.length === 0) {
    result.problems.push(`${command}${verifying ? '' : ' --no-verify'} exited with ${run.exitCode} after a complete run`);
  }
}

/**
 * The backups ferry wrote hold every row, pass ferry's own integrity checks, and record the same digests whether or
 * not the run verified, or none without verification (a wrong digest would make a later restore report damage).
 */
async function checkBackup(archive: string, unverified: string, dataset: Dataset, result: BackupScenarioResult): Promise<void> {
  const verified = await openBackupReader(archive);
  const plain = await openBackupReader(unverified);
  try {
    const differ: string[] = [];
    for (const table of TABLES) {
      const entry = verified.manifest.tables.find((t) => t.name === table.name);
      if (entry?.rows !== dataset.rows[table.name]) {
        result.problems.push(
          `ferry backup: the archive's manifest says ${entry?.rows} rows in ${table.name}, the source ${dataset.rows[table.name]}`,
        );
      }
      const other = plain.manifest.tables.find((t) => t.name === table.name);
      // --no-verify records no digest (null), which a restore does not compare; a different digest would be damage.
      if (entry && other && other.digest !== null && entry.digest !== other.digest) {
        differ.push(`${table.name} ${other.digest} instead of ${entry.digest}`);
      }
    }
    if (differ.length > 0) {
      result.problems.push(
        `ferry backup --no-verify records other digests than ferry backup (${differ.join(', ')}): restoring that backup with verification reports it damaged`,
      );
    }
  } finally {
    await verified.close();
    await plain.close();
  }
}

function folderBytes(path: string): number {
  let bytes = 0;
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}
