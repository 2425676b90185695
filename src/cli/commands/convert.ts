import { FerryError } from '../../core/errors.js';
import { convert } from '../../ops/convert.js';
import { parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { ProgressView } from '../progress.js';
import { UPGRADE_OPTIONS, UPGRADE_OPTIONS_HELP, printAccount, upgradeOptions } from '../upgrade-flags.js';
import { WRITE_OPTIONS, WRITE_OPTIONS_HELP, writeOptions } from '../write-flags.js';
import { printRunSummary, runOutcome } from './shared.js';

export const convertHelp = `Usage: ferry convert BACKUP DEST --app PACK [--to VERSION] [options]

Offline upgrade: reads a backup of the old version, carries it through the app
pack's upgrade path, and writes a new backup (a folder, or one file when DEST
ends in .ferry) whose manifest records the new version. It never touches a
database; restore the result with ferry restore. Blockers refuse the run;
losses need consent (--yes, or the question on a terminal).

Options:
${UPGRADE_OPTIONS_HELP}
${WRITE_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

export async function convertCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('convert', argv, { ...WRITE_OPTIONS, ...UPGRADE_OPTIONS });
  if (values.help) {
    console.log(convertHelp);
    return 0;
  }
  const [backup, dest] = positionals('convert', given, ['BACKUP', 'DEST']);
  if (!values.app) throw new FerryError('usage', 'ferry convert needs --app PACK', { hint: 'see ferry convert --help' });
  const progress = new ProgressView(process.stderr, values.quiet === true || values.json === true);
  const result = await convert({
    backup: backup!,
    dest: dest!,
    ...writeOptions(values),
    ...upgradeOptions(values),
    app: values.app,
    events: progress.listener,
  });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    printRunSummary(result, 'converted');
    printAccount(result);
  }
  return runOutcome(result, values['allow-rejects'] === true);
}
