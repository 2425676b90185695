import { CONVERSION_RULES } from '../core/conform.js';
import { FerryError } from '../core/errors.js';
import { orderByDependencies } from '../core/schema.js';
import type { EventListener } from '../run/events.js';
import { runPipeline, type RunResult } from '../run/pipeline.js';
import { checkDistinct, openSource, openTarget } from './endpoints.js';
import { planTargetTables } from './plan-schema.js';
import { selectTables, type TableSelection } from './select-tables.js';
import { FERRY_VERSION } from './version.js';

export type { TableSummary } from '../run/pipeline.js';

/** Options shared by the commands that write: migrate, restore, backup. */
export interface WriteOptions extends TableSelection {
  /** Drop tables of the same names in the target instead of refusing. */
  dropExisting?: boolean;
  /** Conversion rules chosen for hazards (see CONVERSION_RULES). */
  convert?: string[];
  /** Verify the target against what was sent (default true). */
  verify?: boolean;
  /** Rows per batch (default 5000). */
  batchRows?: number;
  /** Where reject files go (default ./ferry-rejects). */
  rejectsDir?: string;
  /** The run's state file (default ./migration_state.json). */
  statePath?: string;
  /** Remove what the recorded run created in the target, and its state file, then start over. */
  forceReset?: boolean;
  /** Commit a checkpoint with every batch (default true; off only to measure what checkpoints cost). */
  checkpoints?: boolean;
  events?: EventListener;
}

export interface MigrateOptions extends WriteOptions {
  source: string;
  target: string;
}

export type MigrateResult = RunResult;

/**
 * Copies the selected tables of a database (or a backup) into a database, any engine to any engine, and verifies
 * every table against what was sent. The same command run again after an interruption continues.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const rules = checkRules(options.convert ?? []);
  const source = await openSource(options.source);
  try {
    const schema = await source.readSchema();
    const selected = orderByDependencies(selectTables(schema.tables, options));
    checkDistinct(source, options.target);
    const target = await openTarget(options.target);
    try {
      const plan = planTargetTables(source, target.engine, selected);
      return await runPipeline(source, target, {
        ...options,
        command: 'migrate',
        ferryVersion: FERRY_VERSION,
        tables: plan.tables,
        notCarried: [...schema.notCarried.filter((n) => !n.table || selected.some((t) => t.name === n.table)), ...plan.notCarried],
        rules,
        reopenTarget: () => openSource(options.target),
      });
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
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
