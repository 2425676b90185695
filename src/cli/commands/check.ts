import { FerryError } from '../../core/errors.js';
import { check } from '../../ops/check.js';
import { parseCommand, positionals } from '../args.js';
import { EXIT, EXIT_CODES_HELP } from '../exit-codes.js';
import { appEndpoints } from '../../ops/app-endpoints.js';
import { loadPack } from '../../upgrade/index.js';
import { UPGRADE_OPTIONS, printFindings, printInputs, upgradeOptions } from '../upgrade-flags.js';

export const checkHelp = `Usage: ferry check SOURCE --app PACK [--to VERSION] [--target TARGET] [options]
       ferry check --app PACK --app-config FILE [--target-config FILE] [options]

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
  --app-config FILE      the application's own config file (Cloudreve: conf.ini), read
                         by the pack for the source database, table prefix and inputs
  --target-config FILE   the new version's config file, for the target database
  --set NAME=VALUE       a pack input (repeatable); the pack's inputs are listed below
                         the findings
  --table-prefix PREFIX  the source's tables carry this prefix (cr_users)
  --json                 print the findings as JSON

${EXIT_CODES_HELP}
  (check exits 3 when there are blockers)`;

export async function checkCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('check', argv, { ...UPGRADE_OPTIONS, target: { type: 'string' } });
  if (values.help) {
    console.log(checkHelp);
    return 0;
  }
  if (!values.app)
    throw new FerryError('usage', 'ferry check needs --app PACK', { hint: 'for example: ferry check ./app.db --app example' });
  const upgrade = upgradeOptions(values);
  if (given.length > 1) positionals('check', given, ['SOURCE']);
  const ends = await appEndpoints(upgrade, { source: given[0], target: values.target }, { target: false });
  const result = await check({ ...upgrade, ...ends.selection, app: values.app, source: ends.source, target: ends.target });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`${result.source}${result.app ? `: ${result.app.name}, upgrade to ${result.app.to}` : ''}`);
    printFindings(result.findings);
    printInputs(await loadPack(values.app), ends.selection.inputs ?? {});
    console.log(
      result.blockers > 0 ? `\n${result.blockers} blocker(s): the upgrade cannot run as it is.` : '\nNo blockers: the upgrade can run.',
    );
  }
  // With --json, stdout holds one document: the result already says there are blockers.
  if (result.blockers > 0 && values.json) return EXIT.refused;
  if (result.blockers > 0)
    throw new FerryError('refused', `${result.blockers} blocker(s) found`, { hint: 'fix them in the source, then check again' });
  return 0;
}
