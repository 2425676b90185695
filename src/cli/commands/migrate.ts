import { migrate } from '../../ops/migrate.js';
import { parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { ProgressView } from '../progress.js';
import { UPGRADE_OPTIONS, UPGRADE_OPTIONS_HELP, printAccount, upgradeEndpoints, upgradeOptions } from '../upgrade-flags.js';
import { WRITE_OPTIONS, WRITE_OPTIONS_HELP, writeOptions } from '../write-flags.js';
import { printRunSummary, runOutcome } from './shared.js';

export const migrateHelp = `Usage: ferry migrate SOURCE TARGET [options]
       ferry migrate --app PACK --app-config FILE [--target-config FILE | TARGET] [options]

Copies the tables of SOURCE into TARGET, any engine to any engine, then verifies
every table against what was sent. The source is only read (SQLite read-only,
PostgreSQL and MySQL inside one read-only snapshot transaction). The target
database is created if it does not exist; it must not already hold the tables.

Endpoints:
  sqlite:./app.db  ./app.db  ./app.sqlite       an SQLite file
  postgres://user:pass@host:5432/db[?schema=s]  PostgreSQL (schema public by default)
  mysql://user:pass@host:3306/db  mariadb://…   MySQL or MariaDB
  ./backup  ./app.ferry                         a ferry backup (as SOURCE)

With --app, the source is upgraded on the way: the pack detects its version,
finds the path to --to, and runs its checks first (see ferry check). Blockers
refuse the run (exit 3); losses need consent (--yes, or the question on a
terminal).

Options:
${UPGRADE_OPTIONS_HELP}
  --files DIR            with --app: the application's file tree (uploads, avatars),
                         copied to --files-to DIR renamed as the new version expects
  --files-to DIR         where the new version keeps its files
${WRITE_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('migrate', argv, {
    ...WRITE_OPTIONS,
    ...UPGRADE_OPTIONS,
    files: { type: 'string' },
    'files-to': { type: 'string' },
  });
  if (values.help) {
    console.log(migrateHelp);
    return 0;
  }
  const upgrade = upgradeOptions(values);
  const ends = upgrade.app ? await upgradeEndpoints('migrate', given, upgrade, { target: true }) : undefined;
  const [source, target] = ends ? [ends.source, ends.target] : positionals('migrate', given, ['SOURCE', 'TARGET']);
  const progress = new ProgressView(process.stderr, values.quiet === true || values.json === true);
  const result = await migrate({
    source: source!,
    target: target!,
    ...writeOptions(values),
    ...upgrade,
    ...ends?.selection,
    files: values.files,
    filesTo: values['files-to'],
    events: progress.listener,
  });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    printRunSummary(result, result.upgrade ? 'upgraded' : 'migrated');
    printAccount(result);
    if (result.files) {
      const dropped = Object.entries(result.files.dropped).map(([why, n]) => `${n} left behind (${why})`);
      console.log(
        `\nfiles: ${result.files.copied} copied, ${result.files.present} already there${dropped.length ? `, ${dropped.join(', ')}` : ''}`,
      );
    }
  }
  return runOutcome(result, values['allow-rejects'] === true);
}
