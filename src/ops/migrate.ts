import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { CONVERSION_RULES } from '../core/conform.js';
import { FerryError } from '../core/errors.js';
import { orderByDependencies, type NotCarried } from '../core/schema.js';
import { copyTable } from '../run/copy-table.js';
import { ignoreEvents, type EventListener } from '../run/events.js';
import { RejectLog } from '../run/rejects.js';
import { checkDistinct, openSource, openTarget } from './endpoints.js';
import { planTargetTables } from './plan-schema.js';
import { selectTables, type TableSelection } from './select-tables.js';
import { compareTable, type TableComparison } from './verify.js';

export interface MigrateOptions extends TableSelection {
  source: string;
  target: string;
  /** Drop tables of the same names in the target instead of refusing. */
  dropExisting?: boolean;
  /** Conversion rules chosen for hazards (see CONVERSION_RULES). */
  convert?: string[];
  /** Verify the target against what was sent (default true). */
  verify?: boolean;
  /** Rows per batch (default 5000). */
  batchRows?: number;
  /** Where reject files go (default ./ferry-rejects). */
  rejectsDir?: string;
  events?: EventListener;
}

export interface TableSummary {
  table: string;
  rows: number;
  rejected: number;
  seconds: number;
  rejectFile?: string;
  verification?: TableComparison;
}

export interface MigrateResult {
  source: { endpoint: string; version: string };
  target: { endpoint: string; version: string };
  tables: TableSummary[];
  rows: number;
  rejected: number;
  notCarried: NotCarried[];
  /** True when every table verified equal to what was sent; undefined when verification was skipped. */
  verified?: boolean;
  seconds: number;
}

/**
 * Copies the selected tables of a database into another (any engine to any engine): bare tables first, then the
 * data in batches, then indexes and identity values per table, then foreign keys and checks, then verification of
 * every table against the digest of what was sent.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const started = performance.now();
  const events = options.events ?? ignoreEvents;
  const rules = new Set(options.convert ?? []);
  for (const rule of rules) {
    if (!(rule in CONVERSION_RULES)) {
      throw new FerryError('usage', `unknown conversion rule "${rule}"`, { hint: `known rules: ${Object.keys(CONVERSION_RULES).join(', ')}` });
    }
  }
  const source = await openSource(options.source);
  try {
    const schema = await source.readSchema();
    const selected = orderByDependencies(selectTables(schema.tables, options));
    checkDistinct(source, options.target);
    const target = await openTarget(options.target);
    try {
      const plan = planTargetTables(source, target.engine, selected);
      const notCarried = [...schema.notCarried.filter((n) => !n.table || selected.some((t) => t.name === n.table)), ...plan.notCarried];
      await prepareTarget(target, plan.tables.map((t) => t.name), options.dropExisting === true, events);

      events({ type: 'phase', phase: 'schema', detail: `${plan.tables.length} tables` });
      await target.createTables(plan.tables);
      notCarried.push(...(target.notCarried?.(plan.tables) ?? []));

      const rejects = new RejectLog(resolve(options.rejectsDir ?? 'ferry-rejects'));
      const runId = randomUUID();
      const copies = [];
      events({ type: 'phase', phase: 'data' });
      for (const table of plan.tables) {
        const rowsTotal = await source.countRows(table);
        const copy = await copyTable(source, target, table, { batchRows: options.batchRows ?? 5000, rules, rejects, events, runId, rowsTotal });
        events({ type: 'phase', phase: 'indexes', detail: table.name });
        await target.finishTable(table);
        copies.push(copy);
      }
      events({ type: 'phase', phase: 'constraints' });
      await target.finishSchema(plan.tables);
      await rejects.close();

      const summaries: TableSummary[] = copies.map((c) => ({
        table: c.table,
        rows: c.rows,
        rejected: c.rejected,
        seconds: c.seconds,
        rejectFile: rejects.fileFor(c.table),
      }));
      let verified: boolean | undefined;
      if (options.verify !== false) {
        events({ type: 'phase', phase: 'verify' });
        const check = await openSource(options.target);
        try {
          const written = (await check.readSchema()).tables;
          for (const [i, copy] of copies.entries()) {
            const table = plan.tables[i]!;
            const landed = written.find((t) => t.name === table.name);
            if (!landed) throw new FerryError('failed', `table ${table.name} is missing from the target after the run`);
            summaries[i]!.verification = await compareTable(copy.digest, check, table, landed, { batchRows: options.batchRows });
          }
        } finally {
          await check.close();
        }
        verified = summaries.every((s) => s.verification?.equal);
      }
      return {
        source: { endpoint: source.description, version: await source.serverVersion() },
        target: { endpoint: target.description, version: await target.serverVersion() },
        tables: summaries,
        rows: summaries.reduce((n, s) => n + s.rows, 0),
        rejected: summaries.reduce((n, s) => n + s.rejected, 0),
        notCarried,
        verified,
        seconds: (performance.now() - started) / 1000,
      };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** A target must not already hold the tables the run creates, unless the user asked to drop them. */
async function prepareTarget(
  target: Awaited<ReturnType<typeof openTarget>>,
  names: string[],
  dropExisting: boolean,
  events: EventListener,
): Promise<void> {
  const existing = await target.existingTables(names);
  if (existing.length === 0) return;
  if (!dropExisting) {
    throw new FerryError('refused', `the target already holds ${existing.length} of the tables to create: ${existing.slice(0, 10).join(', ')}${existing.length > 10 ? ', …' : ''}`, {
      hint: 'choose an empty target, or pass --drop-existing to replace those tables',
      details: { existing },
    });
  }
  events({ type: 'log', level: 'warn', message: `dropping ${existing.length} existing table(s) in the target: ${existing.join(', ')}` });
  await target.dropTables(existing);
}
