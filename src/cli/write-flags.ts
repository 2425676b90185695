import { resolve } from 'node:path';
import { CONVERSION_RULES } from '../core/conform.js';
import type { WriteOptions } from '../ops/migrate.js';
import { checkStatePath, DEFAULT_STATE_FILE } from '../run/state-file.js';
import { TABLE_OPTIONS, list, positiveInteger } from './args.js';

/** The flags of every command that writes (migrate, backup, restore): one declaration, one help text. */
export const WRITE_OPTIONS = {
  ...TABLE_OPTIONS,
  'drop-existing': { type: 'boolean' },
  convert: { type: 'string', multiple: true },
  'allow-rejects': { type: 'boolean' },
  'rejects-dir': { type: 'string' },
  'batch-rows': { type: 'string' },
  'no-verify': { type: 'boolean' },
  state: { type: 'string' },
  'force-reset': { type: 'boolean' },
} as const;

export const WRITE_OPTIONS_HELP = `  --tables A,B           only these tables (* matches any characters)
  --exclude-tables A,B   not these tables
  --drop-existing        drop tables of the same names in the target first
  --convert RULE         carry a hazardous value by a rule instead of rejecting its row
                         (repeatable): ${Object.keys(CONVERSION_RULES).join(', ')}
  --allow-rejects        exit 0 even if rows were rejected
  --rejects-dir DIR      where reject files go (default ./ferry-rejects)
  --batch-rows N         rows per batch and transaction (default 5000, or 50000 when the source
                         formats the rows as the target's bulk text)
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
reason, is counted in the summary, and the run exits 5 unless --allow-rejects.`;

type WriteValues = {
  tables?: string;
  'exclude-tables'?: string;
  'drop-existing'?: boolean;
  convert?: string[];
  'rejects-dir'?: string;
  'batch-rows'?: string;
  'no-verify'?: boolean;
  state?: string;
  'force-reset'?: boolean;
};

/** The parsed write flags as the options every writing operation takes. */
export function writeOptions(values: WriteValues): WriteOptions {
  // Checked before any endpoint is opened: opening an SQLite target creates its file.
  checkStatePath(resolve(values.state ?? DEFAULT_STATE_FILE));
  return {
    tables: list(values.tables),
    excludeTables: list(values['exclude-tables']),
    dropExisting: values['drop-existing'],
    convert: values.convert,
    rejectsDir: values['rejects-dir'],
    batchRows: positiveInteger('batch-rows', values['batch-rows']),
    verify: !values['no-verify'],
    statePath: values.state,
    forceReset: values['force-reset'],
  };
}
