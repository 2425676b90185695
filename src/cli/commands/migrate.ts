import { CONVERSION_RULES } from '../../core/conform.js';
import { FerryError } from '../../core/errors.js';
import { migrate, type MigrateResult } from '../../ops/migrate.js';
import { TABLE_OPTIONS, list, parseCommand, positionals, positiveInteger } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { count, seconds, table } from '../format.js';
import { ProgressView } from '../progress.js';
import { printNotCarried } from './shared.js';

export const migrateHelp = `Usage: ferry migrate SOURCE TARGET [options]

Copies the tables of SOURCE into TARGET, any engine to any engine, then verifies
every table against what was sent. The source is only read (SQLite read-only,
PostgreSQL and MySQL inside one read-only snapshot transaction). The target
database is created if it does not exist; it must not already hold the tables.

Endpoints:
  sqlite:./app.db  ./app.db  ./app.sqlite       an SQLite file
  postgres://user:pass@host:5432/db[?schema=s]  PostgreSQL (schema public by default)
  mysql://user:pass@host:3306/db  mariadb://…   MySQL or MariaDB

Options:
  --tables A,B           only these tables (* matches any characters)
  --exclude-tables A,B   not these tables
  --drop-existing        drop tables of the same names in the target first
  --convert RULE         carry a hazardous value by a rule instead of rejecting its row
                         (repeatable): ${Object.keys(CONVERSION_RULES).join(', ')}
  --allow-rejects        exit 0 even if rows were rejected
  --rejects-dir DIR      where reject files go (default ./ferry-rejects)
  --batch-rows N         rows per batch (default 5000)
  --no-verify            skip the verification at the end
  --state FILE           where the run records its progress (default ./migration_state.json)
  --force-reset          drop what the recorded run created in the target, forget it, start over
  --json                 print one machine-readable result on stdout
  -q, --quiet            no progress output
  --debug                show stack traces

Interrupted? Run the same command again: it continues exactly where the last
committed batch ended (each batch commits with its checkpoint in the target).
It refuses, with exit 3, when the source, the target or the plan changed.

A value the target cannot hold (a NUL byte bound for PostgreSQL, a MySQL zero
date, text in an SQLite integer column, an out-of-range number, invalid UTF-8)
never disappears silently: its row goes to <rejects-dir>/<table>.ndjson with the
reason, is counted in the summary, and the run exits 5 unless --allow-rejects.

${EXIT_CODES_HELP}`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('migrate', argv, {
    ...TABLE_OPTIONS,
    'drop-existing': { type: 'boolean' },
    convert: { type: 'string', multiple: true },
    'allow-rejects': { type: 'boolean' },
    'rejects-dir': { type: 'string' },
    'batch-rows': { type: 'string' },
    'no-verify': { type: 'boolean' },
    state: { type: 'string' },
    'force-reset': { type: 'boolean' },
  });
  if (values.help) {
    console.log(migrateHelp);
    return 0;
  }
  const [source, target] = positionals('migrate', given, ['SOURCE', 'TARGET']);
  const progress = new ProgressView(process.stderr, values.quiet === true || values.json === true);
  const result = await migrate({
    source: source!,
    target: target!,
    tables: list(values.tables),
    excludeTables: list(values['exclude-tables']),
    dropExisting: values['drop-existing'],
    convert: values.convert,
    rejectsDir: values['rejects-dir'],
    batchRows: positiveInteger('batch-rows', values['batch-rows']),
    verify: !values['no-verify'],
    statePath: values.state,
    forceReset: values['force-reset'],
    events: progress.listener,
  });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printSummary(result);
  return outcome(result, values['allow-rejects'] === true);
}

function printSummary(r: MigrateResult): void {
  if (r.resumed) console.log(`\nresumed an interrupted run (${r.resumed.tablesDone} of ${r.resumed.tables} tables were done)`);
  console.log(
    `\nmigrated ${r.source.endpoint} (${r.source.version}) → ${r.target.endpoint} (${r.target.version}) in ${seconds(r.seconds)}\n`,
  );
  console.log(
    table(
      ['table', 'rows', 'rejected', 'verified'],
      r.tables.map((t) => [
        t.table,
        count(t.rows),
        count(t.rejected),
        t.verification ? (t.verification.equal ? 'equal' : 'DIFFERENT') : 'skipped',
      ]),
      [1, 2],
    ),
  );
  console.log(`\n${count(r.rows)} rows in ${r.tables.length} tables${r.rejected ? `, ${count(r.rejected)} rejected` : ''}`);
  for (const t of r.tables.filter((t) => t.rejectFile)) console.log(`rejected rows of ${t.table}: ${t.rejectFile}`);
  printNotCarried(r.notCarried);
}

function outcome(r: MigrateResult, allowRejects: boolean): number {
  if (r.verified === false) {
    const bad = r.tables.filter((t) => t.verification && !t.verification.equal).map((t) => t.table);
    throw new FerryError('mismatch', `verification failed for ${bad.join(', ')}: the target does not hold what was sent`, {
      hint: 'run ferry verify for details, and report this as a bug',
    });
  }
  if (r.rejected > 0 && !allowRejects) {
    throw new FerryError('rejects', `${count(r.rejected)} row(s) were rejected and are not in the target`, {
      hint: 'read the reject files; choose a --convert rule or fix the source, or pass --allow-rejects to accept',
    });
  }
  return 0;
}
