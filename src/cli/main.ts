import { FerryError, isFerryError, safeMessage } from '../core/errors.js';
import { backupCommand } from './commands/backup.js';
import { checkCommand } from './commands/check.js';
import { convertCommand } from './commands/convert.js';
import { demoCommand } from './commands/demo.js';
import { inspectCommand } from './commands/inspect.js';
import { migrateCommand } from './commands/migrate.js';
import { restoreCommand } from './commands/restore.js';
import { verifyCommand } from './commands/verify.js';
import { FERRY_VERSION } from '../ops/version.js';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';

const COMMANDS: Record<string, { run: (argv: string[]) => Promise<number>; summary: string }> = {
  migrate: { run: migrateCommand, summary: 'copy a database into another, any engine to any engine, and verify' },
  check: { run: checkCommand, summary: 'preflight an upgrade: version, path, blockers, losses with counts' },
  convert: { run: convertCommand, summary: 'upgrade a backup offline into a new backup (no database touched)' },
  backup: { run: backupCommand, summary: 'snapshot a database into a verifiable folder or .ferry archive' },
  restore: { run: restoreCommand, summary: 'restore a backup into a new database of any engine' },
  verify: { run: verifyCommand, summary: 'compare two endpoints table by table' },
  inspect: { run: inspectCommand, summary: 'show what an endpoint holds' },
  demo: { run: demoCommand, summary: 'see ferry work on a sample SQLite database (no server needed)' },
};

const HELP = `ferry: carries an application's data across a major-version upgrade and
across database engines (SQLite, PostgreSQL, MySQL/MariaDB) without losing a row.

Usage: ferry COMMAND [options]     ferry COMMAND --help for details

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`)
  .join('\n')}

Options for every command: --json, -q/--quiet, --debug (stack traces), -h/--help

${EXIT_CODES_HELP}`;

/** Runs one command line and returns the exit code; the only place errors become codes and messages. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const debug = rest.includes('--debug');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      console.log(HELP);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === '--version' || name === '-v') {
      console.log(FERRY_VERSION);
      return EXIT.ok;
    }
    const command = COMMANDS[name];
    if (!command) throw new FerryError('usage', `unknown command "${name}"`, { hint: `commands: ${Object.keys(COMMANDS).join(', ')}` });
    return await command.run(rest);
  } catch (e) {
    return report(e, debug, rest.includes('--json'));
  }
}

function report(e: unknown, debug: boolean, json: boolean): number {
  const known = isFerryError(e);
  const code = known ? EXIT[e.kind] : EXIT.failed;
  const message = safeMessage(e);
  if (json) {
    console.log(
      JSON.stringify({
        error: { kind: known ? e.kind : 'failed', message, hint: known ? e.hint : undefined, details: known ? e.details : undefined },
      }),
    );
  }
  console.error(`ferry: ${message}`);
  if (known && e.hint) console.error(`  ${e.hint}`);
  if (!known) console.error('  this is unexpected: rerun with --debug and report it with the output');
  if (debug && e instanceof Error) console.error(e.stack);
  return code;
}
