import { isFerryError } from '../core/errors.js';
import type { Finding } from '../upgrade/types.js';
import { openSource, openTarget } from './endpoints.js';
import { openUpgrade, type UpgradeSelection } from './upgrade.js';

export interface CheckOptions extends UpgradeSelection {
  source: string;
  /** A target to check too: reachable, and empty of the tables the upgrade creates. */
  target?: string;
}

export interface CheckResult {
  source: string;
  app?: { name: string; from?: string; to: string };
  /** Blockers first, then warnings, losses, info. */
  findings: Finding[];
  blockers: number;
}

const ORDER = { blocker: 0, warning: 1, loss: 2, info: 3 } as const;

/**
 * The preflight: which version the source holds, whether a path leads to the wanted one, and everything that
 * would block the upgrade or be lost on the way, with counts and offending ids, before anything runs.
 */
export async function check(options: CheckOptions): Promise<CheckResult> {
  const source = await openSource(options.source);
  const findings: Finding[] = [];
  let app: CheckResult['app'];
  let targetTables: string[] = [];
  try {
    try {
      const { upgraded, findings: found } = await openUpgrade(source, options, {});
      try {
        findings.push(...found);
        app = { name: upgraded.app.name, from: options.from, to: upgraded.app.version };
        targetTables = (await upgraded.readSchema()).tables.map((t) => t.name);
      } finally {
        await upgraded.close();
      }
    } catch (e) {
      // "Cannot tell the version" and "no path" are what a preflight exists to say: findings, not crashes.
      if (!isFerryError(e) || e.kind !== 'refused') throw e;
      findings.push({ severity: 'blocker', code: 'no-upgrade-path', message: e.hint ? `${e.message} (${e.hint})` : e.message });
    }
    if (options.target) findings.push(...(await checkTarget(options.target, targetTables)));
  } finally {
    await source.close().catch(() => {});
  }
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return { source: source.description, app, findings, blockers: findings.filter((f) => f.severity === 'blocker').length };
}

async function checkTarget(endpoint: string, tables: string[]): Promise<Finding[]> {
  try {
    const target = await openTarget(endpoint);
    try {
      const existing = await target.existingTables(tables);
      if (existing.length > 0) {
        return [
          {
            severity: 'blocker',
            code: 'target-not-empty',
            count: existing.length,
            message: `the target ${target.description} already holds ${existing.length} of the tables to create: ${existing.slice(0, 10).join(', ')}`,
          },
        ];
      }
      return [{ severity: 'info', code: 'target-ready', message: `the target ${target.description} is reachable, writable and empty` }];
    } finally {
      await target.close();
    }
  } catch (e) {
    if (!isFerryError(e)) throw e;
    return [{ severity: 'blocker', code: 'target-unusable', message: `the target cannot be used: ${e.message}` }];
  }
}
