import { FerryError } from '../core/errors.js';
import type { DatasetReader } from '../core/dataset.js';
import type { EventListener } from '../run/events.js';
import {
  applyPath,
  loadPack,
  planUpgrade,
  resolveInputs,
  withTablePrefix,
  type UpgradedReader,
  type UpgradeEvent,
} from '../upgrade/index.js';
import type { Finding } from '../upgrade/types.js';

/** What selects an upgrade: the pack, and optionally the versions to go from and to. */
export interface UpgradeSelection {
  /** A shipped pack's name (`example`, `cloudreve`) or the path of a pack module. */
  app: string;
  /** The source's version, when detection cannot tell (or to override it). */
  from?: string;
  /** The version to reach (default: the pack's latest). */
  to?: string;
  /** The pack inputs (`--set`, and those read from `--app-config`), resolved by appEndpoints. */
  inputs?: Record<string, string>;
  /** The prefix of the application's table names in the source (`--table-prefix`, or from `--app-config`). */
  tablePrefix?: string;
}

/** How the user consents to declared losses: `--yes`, or a question on a terminal. */
export interface Consent {
  yes?: boolean;
  /** Asked when there are losses and `yes` is not set; without it, losses refuse the run (exit 3). */
  confirm?: (losses: Finding[]) => Promise<boolean>;
}

/**
 * Puts a source behind the pack's upgrade path: the returned reader presents the target version's tables and
 * rows, and its checks' findings. Scratch tables (remaps, lookups) live in `workdir`, so an interrupted run finds
 * them again; `reset` starts them anew.
 */
export async function openUpgrade(
  source: DatasetReader,
  selection: UpgradeSelection,
  context: { workdir?: string; reset?: boolean; events?: EventListener; batchRows?: number },
): Promise<{ upgraded: UpgradedReader; findings: Finding[] }> {
  const pack = await loadPack(selection.app);
  source = withTablePrefix(source, selection.tablePrefix ?? '');
  const inputs = resolveInputs(pack, {}, selection.inputs ?? {});
  const path = await planUpgrade(pack, source, { from: selection.from, to: selection.to });
  const upgraded = await applyPath(source, path, {
    inputs,
    workdir: context.workdir,
    reset: context.reset,
    batchRows: context.batchRows,
    // Progress of remap and lookup builds goes to the log only when they finish, to keep it short.
    events: context.events
      ? (e) => {
          if (e.done && e.type === 'prepare') context.events!({ type: 'log', level: 'info', message: describeUpgradeEvent(e) });
        }
      : undefined,
  });
  try {
    // check() includes the path's own findings (detected version, untested versions, the path itself).
    return { upgraded, findings: await upgraded.check() };
  } catch (e) {
    await upgraded.close();
    throw e;
  }
}

/** Refuses a run with blockers, and one with losses the user did not accept (DESIGN.md "finding"). */
export async function requireConsent(findings: Finding[], consent: Consent): Promise<void> {
  const blockers = findings.filter((f) => f.severity === 'blocker');
  if (blockers.length > 0) {
    throw new FerryError(
      'refused',
      `${blockers.length} blocker(s) stop the upgrade:\n${blockers.map((b) => `  - ${b.message}`).join('\n')}`,
      {
        hint: 'run ferry check for the details, fix them in the source, then run again',
        details: { blockers },
      },
    );
  }
  const losses = findings.filter((f) => f.severity === 'loss');
  if (losses.length === 0 || consent.yes) return;
  if (consent.confirm && (await consent.confirm(losses))) return;
  throw new FerryError(
    'refused',
    `the upgrade would lose data, and that was not accepted:\n${losses.map((l) => `  - ${l.message}`).join('\n')}`,
    {
      hint: 'review the losses (ferry check), then pass --yes to accept them',
      details: { losses },
    },
  );
}

function describeUpgradeEvent(e: UpgradeEvent): string {
  const what = e.type === 'prepare' ? `${e.item} (${e.hop})` : `${e.table} (${e.hop})`;
  return `${e.reused ? 'reused' : 'built'} ${what}: ${e.rows.toLocaleString('en-US')} rows`;
}
