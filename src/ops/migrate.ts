import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONVERSION_RULES } from '../core/conform.js';
import type { DatasetReader } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import { orderByDependencies } from '../core/schema.js';
import { runPipeline, type RunResult, type RunSettings } from '../run/pipeline.js';
import { DEFAULT_STATE_FILE, readState } from '../run/state-file.js';
import type { RunAccount, UpgradedReader } from '../upgrade/index.js';
import type { Finding } from '../upgrade/types.js';
import { carryFiles, type FilesCarried } from './carry-files.js';
import { checkDistinct, openSource, openTarget } from './endpoints.js';
import { planTargetTables } from './plan-schema.js';
import { selectTables, type TableSelection } from './select-tables.js';
import { openUpgrade, requireConsent, type Consent, type UpgradeSelection } from './upgrade.js';
import { FERRY_VERSION } from './version.js';

export type { TableSummary } from '../run/pipeline.js';

/** Options shared by the commands that write: migrate, restore, backup, convert. */
export interface WriteOptions extends TableSelection, RunSettings {
  /** Conversion rules chosen for hazards (see CONVERSION_RULES). */
  convert?: string[];
}

export interface MigrateOptions extends WriteOptions, Partial<UpgradeSelection>, Consent {
  source: string;
  target: string;
  /** With an app pack: the application's file tree (uploads, avatars), carried to `filesTo` renamed by the hops. */
  files?: string;
  filesTo?: string;
}

export interface MigrateResult extends RunResult {
  /** With --app: the upgrade, its findings, and per source table carried + dropped + skipped + rejected = rows. */
  upgrade?: { app: string; from: string; to: string; findings: Finding[]; account: RunAccount };
  /** With --files: what became of the application's file tree. */
  files?: FilesCarried;
}

/**
 * Copies the selected tables of a database (or a backup) into a database, any engine to any engine, and verifies
 * every table against what was sent. The same command run again after an interruption continues.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const rules = checkRules(options.convert ?? []);
  if ((options.files === undefined) !== (options.filesTo === undefined) || (options.files !== undefined && !options.app)) {
    throw new FerryError('usage', '--files and --files-to go together, with --app', {
      hint: "give the old version's folder (--files) and the new one's (--files-to)",
    });
  }
  const raw = await openSource(options.source);
  checkDistinct(raw, options.target);
  let source: DatasetReader = raw;
  let upgrade: { upgraded: UpgradedReader; findings: Finding[] } | undefined;
  try {
    if (options.app) {
      upgrade = await openUpgrade(raw, { ...options, app: options.app }, upgradeContext(options));
      await requireConsent(upgrade.findings, options);
      source = upgrade.upgraded;
    }
    const schema = await source.readSchema();
    const selected = orderByDependencies(selectTables(schema.tables, options));
    const target = await openTarget(options.target);
    try {
      const plan = planTargetTables(source, target.engine, selected);
      const result: MigrateResult = await runPipeline(source, target, {
        ...options,
        command: 'migrate',
        // An internal switch for the benchmark that measures what checkpoints cost; never for real runs.
        checkpoints: options.checkpoints ?? process.env.FERRY_BENCH_NO_CHECKPOINTS !== '1',
        ferryVersion: FERRY_VERSION,
        tables: plan.tables,
        notCarried: [...schema.notCarried.filter((n) => !n.table || selected.some((t) => t.name === n.table)), ...plan.notCarried],
        rules,
        // The path and the pack inputs change what lands in the target: a resumed run must have the same.
        planOptions: upgrade ? { app: upgrade.upgraded.app, from: upgrade.upgraded.path.from, inputs: options.inputs ?? {} } : undefined,
        reopenTarget: () => openSource(options.target),
      });
      if (upgrade) {
        const { upgraded, findings } = upgrade;
        const account = await upgraded.account(Object.fromEntries(result.tables.map((t) => [t.table, t.rejected])));
        result.upgrade = { app: upgraded.app.name, from: upgraded.path.from, to: upgraded.app.version, findings, account };
        if (options.files && options.filesTo) result.files = await carryFiles(upgraded, resolve(options.files), resolve(options.filesTo));
      }
      return result;
    } finally {
      await target.close();
    }
  } finally {
    // The upgraded reader closes the source it wraps.
    await (upgrade?.upgraded ?? raw).close();
  }
}

/**
 * Where an upgrade keeps its scratch tables (remaps, lookups): beside the state file, so that a resumed run finds
 * them; a new run (no state, or a finished one, or --force-reset) starts them anew.
 */
export function upgradeContext(options: WriteOptions): {
  workdir: string;
  reset: boolean;
  events?: WriteOptions['events'];
  batchRows?: number;
} {
  const statePath = resolve(options.statePath ?? DEFAULT_STATE_FILE);
  const recorded = existsSync(statePath) ? readState(statePath) : undefined;
  return {
    workdir: `${statePath}.work`,
    reset: !recorded || recorded.phase === 'done' || options.forceReset === true,
    events: options.events,
    batchRows: options.batchRows,
  };
}

/** The --convert rules, each checked against the known ones. */
export function checkRules(rules: string[]): Set<string> {
  for (const rule of rules) {
    if (!(rule in CONVERSION_RULES)) {
      throw new FerryError('usage', `unknown conversion rule "${rule}"`, {
        hint: `known rules: ${Object.keys(CONVERSION_RULES).join(', ')}`,
      });
    }
  }
  return new Set(rules);
}
