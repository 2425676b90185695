import { checkAgainstBackup, restore } from '../../ops/restore.js';
import { parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { count } from '../format.js';
import { ProgressView } from '../progress.js';
import { WRITE_OPTIONS, WRITE_OPTIONS_HELP, writeOptions } from '../write-flags.js';
import { printRunSummary, runOutcome } from './shared.js';

export const restoreHelp = `Usage: ferry restore BACKUP TARGET [options]

Restores a backup (a folder, or a .ferry archive) into TARGET, a new and empty
database of any engine, with the same fidelity and hazard rules as migrate.
Every sha256 of the backup is checked before anything is written: a damaged
backup writes nothing. At the end the target is verified against what was sent,
and what was sent against the digests recorded when the backup was made.

Options:
  --files-to DIR         restore the backup's file tree into DIR
${WRITE_OPTIONS_HELP}

${EXIT_CODES_HELP}`;

export async function restoreCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('restore', argv, { ...WRITE_OPTIONS, 'files-to': { type: 'string' } });
  if (values.help) {
    console.log(restoreHelp);
    return 0;
  }
  const [backupPath, target] = positionals('restore', given, ['BACKUP', 'TARGET']);
  const progress = new ProgressView(process.stderr, values.quiet === true || values.json === true);
  const result = await restore({
    backup: backupPath!,
    target: target!,
    filesTo: values['files-to'],
    ...writeOptions(values),
    events: progress.listener,
  });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    printRunSummary(result, 'restored');
    const compared = Object.keys(result.matchesBackup).length;
    const matching = Object.values(result.matchesBackup).filter(Boolean).length;
    if (compared > 0) console.log(`${matching} of ${compared} tables match the digests recorded in the backup`);
    else if (values['no-verify']) console.log("not compared with the backup's digests (restored with --no-verify)");
    else
      console.log("not compared with the backup's digests: it records none (made with --no-verify), or none of a format this ferry knows");
    if (result.files)
      console.log(`restored ${count(result.files.count)} files (${count(result.files.bytes)} bytes) into ${result.files.dir}`);
  }
  const code = runOutcome(result, values['allow-rejects'] === true);
  checkAgainstBackup(result);
  return code;
}
