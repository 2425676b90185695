import { backup } from '../../ops/backup.js';
import { parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { ProgressView } from '../progress.js';
import { WRITE_OPTIONS, WRITE_OPTIONS_HELP, writeOptions } from '../write-flags.js';
import { printRunSummary, runOutcome } from './shared.js';

export const backupHelp = `Usage: ferry backup SOURCE DEST [options]

Writes a consistent snapshot of SOURCE (even of a running database: it is read
in one read-only snapshot transaction) into DEST: a folder, or one file when DEST
ends in .ferry. Every table's schema and rows, the sha256 of every data file and
the digest of every table are recorded in manifest.json (docs/backup-format.md);
the backup is then read back and verified. No password is ever written into it.

Restore it into a new database of any engine with ferry restore; read it with
ferry inspect, ferry verify, or as the SOURCE of ferry migrate.

Options:
  --files DIR            add a directory tree (uploads, avatars…), each file with
                         its size and sha256
${WRITE_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

export async function backupCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('backup', argv, { ...WRITE_OPTIONS, files: { type: 'string' } });
  if (values.help) {
    console.log(backupHelp);
    return 0;
  }
  const [source, dest] = positionals('backup', given, ['SOURCE', 'DEST']);
  const progress = new ProgressView(process.stderr, values.quiet === true || values.json === true);
  const result = await backup({ source: source!, dest: dest!, files: values.files, ...writeOptions(values), events: progress.listener });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printRunSummary(result, 'backed up');
  return runOutcome(result, values['allow-rejects'] === true);
}
