import { createInterface } from 'node:readline/promises';
import type { Consent, UpgradeSelection } from '../ops/upgrade.js';
import type { Finding } from '../upgrade/types.js';
import type { MigrateResult } from '../ops/migrate.js';
import { count, table } from './format.js';

/** The flags that select an app pack's upgrade (check, migrate, convert). */
export const UPGRADE_OPTIONS = {
  app: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
} as const;

export const UPGRADE_OPTIONS_HELP = `  --app PACK             upgrade through an app pack: a shipped pack's name
                         (example) or the path of a pack module
  --to VERSION           the version to reach (default: the pack's latest)
  --from VERSION         the source's version, when detection cannot tell
  -y, --yes              accept the losses the preflight lists (otherwise a terminal
                         asks, and without one the run refuses with exit 3)`;

/** The parsed upgrade flags, with a question on the terminal when losses need consent. */
export function upgradeOptions(values: { app?: string; from?: string; to?: string; yes?: boolean }): Partial<UpgradeSelection> & Consent {
  return { app: values.app, from: values.from, to: values.to, yes: values.yes, confirm: process.stdin.isTTY ? askOnTerminal : undefined };
}

async function askOnTerminal(losses: Finding[]): Promise<boolean> {
  process.stderr.write(`\nThis upgrade will not carry:\n${losses.map((l) => `  - ${l.message}`).join('\n')}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('Continue and accept these losses? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Prints findings grouped as DESIGN.md defines them. */
export function printFindings(findings: Finding[]): void {
  const titles = {
    blocker: 'Blockers (the upgrade cannot run)',
    warning: 'Warnings',
    loss: 'Losses (will not be carried)',
    info: 'Info',
  } as const;
  for (const severity of ['blocker', 'warning', 'loss', 'info'] as const) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    console.log(`\n${titles[severity]}:`);
    for (const f of group) {
      const ids = f.ids?.length
        ? ` (ids ${f.ids.map(String).join(', ')}${f.count !== undefined && f.count > f.ids.length ? ', …' : ''})`
        : '';
      console.log(`  - ${f.message}${ids}${f.hop ? `  [${f.hop}]` : ''}`);
    }
  }
}

/** Per source table: rows = carried + dropped + skipped + rejected. */
export function printAccount(result: MigrateResult): void {
  const up = result.upgrade;
  if (!up) return;
  console.log(`\n${up.app} ${up.from} → ${up.to}: what became of every source row`);
  console.log(
    table(
      ['source table', 'rows', 'carried', 'dropped', 'skipped', 'rejected'],
      up.account.tables.map((t) => [t.table, count(t.rows), count(t.carried), count(t.dropped), count(t.skipped), count(t.rejected)]),
      [1, 2, 3, 4, 5],
    ),
  );
  for (const u of up.account.unattributed)
    console.log(`  ${count(u.rejected)} rejected rows of ${u.target} came from ${u.from.join(', ')}`);
}
