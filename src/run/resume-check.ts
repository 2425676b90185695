import type { DatasetReader, DatasetWriter } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import type { RunState } from '../run/state-file.js';

/**
 * Decides whether an interrupted run may be continued by this one, and refuses (exit 3, with the reason) when not:
 * another source or target, another plan (tables, their schema, conversion rules), or a source whose tables
 * changed size underneath. What cannot be seen from here: rows of an already copied range that were updated in
 * place without changing the row count — `ferry verify SOURCE TARGET` after the run shows those.
 */
export async function resumeCheck(
  recorded: RunState,
  current: { source: DatasetReader; target: DatasetWriter; fingerprint: string; statePath: string },
): Promise<void> {
  const refuse = (what: string) =>
    new FerryError('refused', `cannot resume the run recorded in ${current.statePath}: ${what}`, {
      hint: 'run the recorded command again, or pass --force-reset to start over (or --state to keep both)',
    });
  if (recorded.source !== current.source.description) {
    throw refuse(`it read from ${recorded.source}, this run reads from ${current.source.description}`);
  }
  if (recorded.target !== current.target.description) {
    throw refuse(`it wrote into ${recorded.target}, this run writes into ${current.target.description}`);
  }
  if (recorded.planFingerprint !== current.fingerprint) {
    throw refuse('the plan differs (the selected tables, their schema in the source, or the --convert rules changed)');
  }
  const schema = await current.source.readSchema();
  for (const [name, table] of Object.entries(recorded.tables)) {
    if (table.sourceRows === undefined) continue;
    const t = schema.tables.find((x) => x.name === name);
    const now = t ? await current.source.countRows(t) : -1;
    if (now !== table.sourceRows) {
      throw refuse(`the source changed underneath: ${name} had ${table.sourceRows} rows, it now has ${now}`);
    }
  }
}
