import { formatType } from '../../core/types.js';
import { inspect, type InspectResult } from '../../ops/inspect.js';
import { TABLE_OPTIONS, list, parseCommand, positionals } from '../args.js';
import { EXIT_CODES_HELP } from '../exit-codes.js';
import { count, table } from '../format.js';
import { printNotCarried } from './shared.js';

export const inspectHelp = `Usage: ferry inspect ENDPOINT [options]

Shows what an endpoint holds: engine and version, tables with row counts,
columns with their portable types, keys, indexes and foreign keys, and what
ferry would not carry (views, triggers, engine-specific types…).

Options:
  --tables A,B           only these tables
  --exclude-tables A,B   not these tables
  --columns              list every table's columns
  --json                 print one machine-readable result on stdout

${EXIT_CODES_HELP}`;

export async function inspectCommand(argv: string[]): Promise<number> {
  const { values, positionals: given } = parseCommand('inspect', argv, { ...TABLE_OPTIONS, columns: { type: 'boolean' } });
  if (values.help) {
    console.log(inspectHelp);
    return 0;
  }
  const [endpoint] = positionals('inspect', given, ['ENDPOINT']);
  const result = await inspect({ endpoint: endpoint!, tables: list(values.tables), excludeTables: list(values['exclude-tables']) });
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else print(result, values.columns === true || values.tables !== undefined);
  return 0;
}

function print(r: InspectResult, columns: boolean): void {
  console.log(`${r.endpoint}\n${r.version}, ${r.tables.length} tables, ${count(r.tables.reduce((n, t) => n + t.rows, 0))} rows\n`);
  console.log(
    table(
      ['table', 'rows', 'columns', 'primary key', 'indexes', 'foreign keys'],
      r.tables.map((t) => [
        t.name,
        count(t.rows),
        t.columns.length,
        t.primaryKey?.columns.join(', ') ?? '(none)',
        t.indexes.length + t.uniques.length,
        t.foreignKeys.length,
      ]),
      [1, 2, 4, 5],
    ),
  );
  if (columns) {
    for (const t of r.tables) {
      console.log(`\n${t.name}`);
      console.log(
        table(
          ['column', 'type', 'null', 'native', 'default'],
          t.columns.map((c) => [
            c.name,
            formatType(c.type),
            c.nullable ? 'yes' : 'no',
            c.nativeType ?? '',
            c.identity
              ? 'identity'
              : c.default
                ? JSON.stringify(
                    c.default.kind === 'literal' ? c.default.value : c.default.kind === 'expression' ? c.default.name : c.default.sql,
                  )
                : '',
          ]),
        ),
      );
    }
  }
  printNotCarried(r.notCarried);
}
