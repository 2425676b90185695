import { FerryError } from '../../core/errors.js';
import { check } from '../../ops/check.js';
import { parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { UPGRADE_OPTIONS, printFindings } from '../upgrade-flags.js';

export const checkHelp = `Usage: ferry check SOURCE --app PACK [--to VERSION] [--target TARGET] [options]

The preflight of an upgrade, before anything runs: which version SOURCE holds,
whether the pack has a path to VERSION, what blocks the upgrade (with the ids of
the offending rows), and exactly what will be lost, with counts. With --target,
also whether that database is reachable, writable and empty.

SOURCE is a database or a backup. Nothing is written anywhere.

Options:
  --app PACK             a shipped pack's name (example) or the path of a pack module
  --to VERSION           the version to reach (default: the pack's latest)
  --from VERSION         the source's version, when detection cannot tell
  --target TARGET        the database the upgrade will write into
  --json                 print the findings as JSON

${EXIT_CODES_HELP}
  (check exits 3 when there are blockers)`;

export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('check', argv, { ...UPGRADE_OPTIONS, target: { type: 'string' } });
  if (values.help) {
    console.log(checkHelp);
    return 0;
  }
  const [source] = positionals('check', given, ['SOURCE']);
  if (!values.app)
    throw new FerryError('usage', 'ferry check needs --app PACK', { hint: 'for example: ferry check ./app.db --app example' });
  const result = await check({ source: source!, app: values.app, from: values.from, to: values.to, target: values.target });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`${result.source}${result.app ? `: ${result.app.name}, upgrade to ${result.app.to}` : ''}`);
    printFindings(result.findings);
    console.log(
      result.blockers > 0 ? `\n${result.blockers} blocker(s): the upgrade cannot run as it is.` : '\nNo blockers: the upgrade can run.',
    );
  }
  if (result.blockers > 0)
    throw new FerryError('refused', `${result.blockers} blocker(s) found`, { hint: 'fix them in the source, then check again' });
  return 0;
}
