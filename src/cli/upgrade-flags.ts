import { createInterface } from 'node:readline/promises';
import { appEndpoints, type AppEndpointOptions } from '../ops/app-endpoints.js';
import type { Consent, UpgradeSelection } from '../ops/upgrade.js';
import { FerryError } from '../core/errors.js';
import { parseSets } from '../upgrade/index.js';
import type { Finding, Pack } from '../upgrade/types.js';
import type { MigrateResult } from '../ops/migrate.js';
import { count, table } from './format.js';

/** The flags that select an app pack's upgrade (check, migrate, convert). */
export const UPGRADE_OPTIONS = {
  app: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  'app-config': { type: 'string' },
  'target-config': { type: 'string' },
  set: { type: 'string', multiple: true },
  'table-prefix': { type: 'string' },
} as const;

export const UPGRADE_OPTIONS_HELP = `  --app PACK             upgrade through an app pack: a shipped pack's name
                         (example) or the path of a pack module
  --to VERSION           the version to reach (default: the pack's latest)
  --from VERSION         the source's version, when detection cannot tell
  -y, --yes              accept the losses the preflight lists (otherwise a terminal
                         asks, and without one the run refuses with exit 3)
  --app-config FILE      the application's own config file (Cloudreve: conf.ini): the
                         pack reads the source database, table prefix and inputs
                         from it, so SOURCE may be left out
  --target-config FILE   the new version's config file: the pack reads the target
                         database from it, so TARGET may be left out
  --set NAME=VALUE       a pack input (repeatable; wins over the config file's), e.g.
                         --set hashIdSalt=… ; ferry check --app PACK lists them
  --table-prefix PREFIX  the source's tables carry this prefix (cr_users)`;

/** The parsed upgrade flags, with a question on the terminal when losses need consent. */
export function upgradeOptions(values: {
  app?: string;
  from?: string;
  to?: string;
  yes?: boolean;
  'app-config'?: string;
  'target-config'?: string;
  set?: string[];
  'table-prefix'?: string;
}): AppEndpointOptions & Consent {
  return {
    app: values.app,
    from: values.from,
    to: values.to,
    yes: values.yes,
    confirm: process.stdin.isTTY ? askOnTerminal : undefined,
    appConfig: values['app-config'],
    targetConfig: values['target-config'],
    sets: parseSets(values.set ?? []),
    tablePrefix: values['table-prefix'],
  };
}

/**
 * The two ends of a run and the pack's inputs: SOURCE and TARGET as given, or read from the application's config
 * files (--app-config, --target-config).
 */
export async function upgradeEndpoints(
  command: string,
  given: string[],
  options: AppEndpointOptions,
  names: { target: boolean },
): Promise<{ source: string; target?: string; selection: Partial<UpgradeSelection> }> {
  const max = names.target ? 2 : 1;
  if (given.length > max) {
    throw new FerryError('usage', `ferry ${command} takes at most ${max} endpoint${max > 1 ? 's' : ''} (${given.length} given)`, {
      hint: `see ferry ${command} --help`,
    });
  }
  // With --app-config and no --target-config, a single endpoint is the target; otherwise the first is the source.
  const [source, target] = given.length === 1 && options.appConfig && names.target && !options.targetConfig ? [undefined, given[0]] : given;
  return appEndpoints(options, { source, target }, names);
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

/** Lists a pack's inputs (`--set NAME=VALUE`), and which of them this run has. */
export function printInputs(pack: Pack, given: Record<string, string>): void {
  const inputs = Object.entries(pack.inputs ?? {});
  if (inputs.length === 0) return;
  console.log(`\nInputs of the ${pack.name} pack (--set NAME=VALUE):`);
  for (const [name, spec] of inputs) {
    const choice = spec.values ? ` [${spec.values.join('|')}]` : '';
    console.log(`  ${name}${choice}: ${spec.description}${name in given ? ' (given)' : ''}`);
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
