import { appEndpoints } from '../../ops/app-endpoints.js';
import { parseSets } from '../../upgrade/index.js';
import { FerryError } from '../../core/errors.js';
import { verify, type VerifyResult } from '../../ops/verify.js';
import { TABLE_OPTIONS, list, parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { count, table } from '../format.js';
import { ProgressView } from '../progress.js';

export const verifyHelp = `Usage: ferry verify A B [options]

Compares two endpoints table by table: row counts and an order-independent
digest of the values, computed from portable values so that SQLite, PostgreSQL
and MySQL copies of the same data compare equal. When a table differs, a few
of the keys that differ are named.

With --app PACK, A is the old version and B the upgraded one: A is read through
the pack's upgrade path and compared with B, and what the pack declares must be
equal between A as it is and B (for example a table a hop carries unchanged) is
checked on its own.

Options:
  --app PACK             compare an old version (A) with its upgrade (B)
  --set NAME=VALUE       a pack input, as given to the upgrade (repeatable)
  --table-prefix PREFIX  A's tables carry this prefix
  --from VERSION, --to VERSION   as for ferry check
  --tables A,B           only these tables
  --exclude-tables A,B   not these tables
  --json                 print one machine-readable result on stdout

${EXIT_CODES_HELP}`;

export async function verifyCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('verify', argv, {
    ...TABLE_OPTIONS,
    app: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    set: { type: 'string', multiple: true },
    'table-prefix': { type: 'string' },
  });
  if (values.help) {
    console.log(verifyHelp);
    return 0;
  }
  const [a, b] = positionals('verify', given, ['A', 'B']);
  const ends = values.app
    ? await appEndpoints(
        { app: values.app, sets: parseSets(values.set ?? []), tablePrefix: values['table-prefix'] },
        { source: a, target: b },
        { target: true },
      )
    : undefined;
  const progress = new ProgressView(process.stderr, values.quiet === true || values.json === true);
  const result = await verify({
    a: a!,
    b: b!,
    tables: list(values.tables),
    excludeTables: list(values['exclude-tables']),
    app: values.app,
    from: values.from,
    to: values.to,
    inputs: ends?.selection.inputs,
    tablePrefix: ends?.selection.tablePrefix,
    events: progress.listener,
  });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printResult(result);
  if (!result.equal) {
    throw new FerryError('mismatch', `${result.a} and ${result.b} differ`, { hint: 'the table above shows where' });
  }
  return 0;
}

function printResult(r: VerifyResult): void {
  console.log(`A: ${r.a}\nB: ${r.b}\n`);
  console.log(
    table(
      ['table', 'rows A', 'rows B', 'digest A', 'result'],
      r.tables.map((t) => [
        t.table,
        count(t.rowsA),
        t.rowsB < 0 ? '-' : count(t.rowsB),
        t.digestA.slice(0, 12),
        t.equal ? 'equal' : 'DIFFERENT',
      ]),
      [1, 2],
    ),
  );
  for (const t of r.tables.filter((t) => !t.equal)) {
    if (t.problem) console.log(`\n${t.table}: ${t.problem}`);
    for (const e of t.examples) console.log(`  ${t.table} key ${e.key}: ${e.status}`);
  }
  for (const e of r.expectations ?? []) {
    console.log(
      `expected by the pack: ${e.source} = ${e.target} on ${e.columns.join(', ')}: ${e.equal ? 'equal' : `DIFFERENT${e.problem ? ` (${e.problem})` : ''}`}`,
    );
  }
  for (const name of r.onlyInA) console.log(`table ${name}: only in A`);
  for (const name of r.onlyInB) console.log(`table ${name}: only in B`);
  console.log(r.equal ? '\nequal' : '\nDIFFERENT');
}
