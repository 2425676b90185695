import { FerryError } from '../../core/errors.js';
import type { NotCarried } from '../../core/schema.js';
import type { RunResult } from '../../run/pipeline.js';
import { count, seconds, table } from '../format.js';

/** Lists what a run did not carry: never dropped silently. */
export function printNotCarried(items: NotCarried[]): void {
  if (items.length === 0) return;
  console.log(`\nnot carried (${items.length}):`);
  for (const n of items) console.log(`  ${n.kind} ${n.table ? `${n.table}.` : ''}${n.name}: ${n.reason}`);
}

/** The summary of a run: per table rows, rejects and verification, then what was not carried. */
export function printRunSummary(r: RunResult, verb: string): void {
  if (r.resumed) console.log(`\nresumed an interrupted run (${r.resumed.tablesDone} of ${r.resumed.tables} tables were done)`);
  console.log(
    `\n${verb} ${r.source.endpoint} (${r.source.version}) → ${r.target.endpoint} (${r.target.version}) in ${seconds(r.seconds)}\n`,
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

/** The exit of a run: a verification mismatch or unaccepted rejects are errors (exit 4, 5). */
export function runOutcome(r: RunResult, allowRejects: boolean): number {
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
