import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { conformsOneToOne, type ValueLimits } from '../core/conform.js';
import type { DatasetReader, DatasetWriter } from '../core/dataset.js';
import { TableDigest, type DigestFormat } from '../core/digest.js';
import { FerryError } from '../core/errors.js';
import type { NotCarried, TableSchema } from '../core/schema.js';
import { compareTable, matchRecorded, type TableComparison } from './compare.js';
import { DIGEST_BATCH_ROWS, sentDigest } from './digest-table.js';
import { copyTable, type TableProgress } from './copy-table.js';
import { ignoreEvents, type EventListener } from './events.js';
import { faultPoint } from './fault.js';
import { planFingerprint } from './fingerprint.js';
import { RejectLog } from './rejects.js';
import { resumeCheck } from './resume-check.js';
import { checkStatePath, DEFAULT_STATE_FILE, readState, removeState, writeState, type RunState } from './state-file.js';

/** What the user chooses about any run (migrate, backup, restore, convert). */
export interface RunSettings {
  /** Drop tables of the same names in the target instead of refusing. */
  dropExisting?: boolean;
  /** Verify the target against what was sent (default true). */
  verify?: boolean;
  /** Rows per batch (default: 5000 rows of values, 50,000 lines of bulk text; see copy-table.ts). */
  batchRows?: number;
  /** Where reject files go (default ./ferry-rejects). */
  rejectsDir?: string;
  /** The run's state file (default ./migration_state.json). */
  statePath?: string;
  /** Remove what the recorded run created in the target, and its state file, then start over. */
  forceReset?: boolean;
  /** Commit a checkpoint with every batch (default true; off only to measure what checkpoints cost). */
  checkpoints?: boolean;
  /**
   * Let the source format the rows as the target's bulk text when both can (default true); off, every row goes as
   * values. The result is the same (tested): this exists to compare the two.
   */
  bulkText?: boolean;
  events?: EventListener;
}

/** What every run is told, beyond its two ends. */
export interface RunOptions extends RunSettings {
  /** The command, recorded in the state file. */
  command: string;
  /** The ferry version, recorded in the state file. */
  ferryVersion: string;
  /** The planned target tables, in order. */
  tables: TableSchema[];
  /** What the source holds that the run does not carry. */
  notCarried: NotCarried[];
  /** Conversion rules chosen for hazards (already checked). */
  rules: ReadonlySet<string>;
  /** Opens the target for reading, to verify it (after `beforeVerify`). */
  reopenTarget: () => Promise<DatasetReader>;
  /** Anything else that changes what lands in the target (an upgrade's path and pack inputs): part of the plan's fingerprint. */
  planOptions?: Record<string, unknown>;
  /**
   * Runs once the data and constraints are in, before verification (a backup writes its manifest here), with the
   * digest of each table that was fingerprinted on the way: none without verification, and none of a table whose rows
   * went as bulk text, since no value of those was seen.
   */
  beforeVerify?: (digests: Map<string, TableDigest>, notCarried: NotCarried[]) => Promise<void>;
  /**
   * Digests the source recorded of its tables when it was written (a backup's manifest), by table name. A table whose
   * every row went as bulk text, none refused, is verified by fingerprinting the target alone against its recorded
   * digest: those rows are the source's exactly, so reading the source again would only compute that digest anew.
   */
  recordedDigests?: ReadonlyMap<string, string>;
  /** How tables started afresh are fingerprinted (default: the current format; a restore takes its backup's). */
  digestFormat?: DigestFormat;
}

export interface TableSummary {
  table: string;
  rows: number;
  rejected: number;
  seconds: number;
  /** Of `rows`, those the source formatted as the target's bulk text (engines/sql/bulk-text.ts). */
  formatted: number;
  rejectFile?: string;
  verification?: TableComparison;
}

export interface RunResult {
  source: { endpoint: string; version: string };
  target: { endpoint: string; version: string };
  tables: TableSummary[];
  rows: number;
  rejected: number;
  notCarried: NotCarried[];
  /** True when every table verified equal to what was sent; undefined when verification was skipped. */
  verified?: boolean;
  /** Set when this run continued an interrupted one. */
  resumed?: { tablesDone: number; tables: number };
  /** The digest of every table as sent. */
  digests: Record<string, string>;
  statePath: string;
  seconds: number;
}

/**
 * One run, source to target: bare tables first, then the data in batches, then indexes and identity values per
 * table, then foreign keys and checks, then verification of every table against the digest of what was sent.
 * Every step is recorded (checkpoints committed with each batch in the target, and the state file), so the same
 * command run again after an interruption continues where the last committed batch ended.
 */
export async function runPipeline(source: DatasetReader, target: DatasetWriter, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const events = options.events ?? ignoreEvents;
  const statePath = resolve(options.statePath ?? DEFAULT_STATE_FILE);
  const tables = options.tables;
  checkStatePath(statePath);
  let recorded = readState(statePath);
  await target.lock();
  const notCarried = [...options.notCarried];
  // Whether rows are fingerprinted (verification) is part of the plan: a resumed run needs the earlier batches' digest.
  const fingerprint = planFingerprint(tables, {
    command: options.command,
    convert: [...options.rules].sort(),
    verify: options.verify !== false,
    ...(options.bulkText === false ? { bulkText: false } : {}),
    ...(options.planOptions ? { plan: options.planOptions } : {}),
  });

  if (recorded && options.forceReset) {
    await resetRecordedRun(recorded, target, events);
    removeState(statePath);
    recorded = undefined;
  }
  let state: RunState;
  if (recorded && recorded.phase !== 'done') {
    await resumeCheck(recorded, { source, target, fingerprint, statePath });
    state = recorded;
    const done = Object.values(state.tables).filter((t) => t.status === 'finished').length;
    const current = Object.entries(state.tables).find(([, t]) => t.status === 'copying' || t.status === 'copied');
    events({
      type: 'log',
      level: 'info',
      message: `resuming: ${done} of ${state.plan.tables.length} tables done${current ? `, ${current[0]} at row ${current[1].rowsDone}` : ''}`,
    });
  } else {
    recorded = undefined;
    await prepareTarget(
      target,
      tables.map((t) => t.name),
      options.dropExisting === true,
      events,
    );
    state = newState(source, target, options, fingerprint);
    writeState(statePath, state);
  }
  const tablesDoneAtStart = Object.values(state.tables).filter((t) => t.status === 'finished').length;

  if (state.phase === 'schema') {
    events({ type: 'phase', phase: 'schema', detail: `${tables.length} tables` });
    // Tables of this run that an interrupted schema phase left behind hold no data yet: start them anew.
    await target.dropTables(await target.existingTables(tables.map((t) => t.name)));
    try {
      await target.createTables(tables, { keysAfterData: keysAfterData(tables, options.rules) });
    } catch (e) {
      // A refusal (a name too long for the target…) comes before anything is created: no run to resume.
      if (e instanceof FerryError && e.kind === 'refused' && !recorded) removeState(statePath);
      throw e;
    }
    faultPoint('schema');
    state.phase = 'data';
    writeState(statePath, state);
  }
  notCarried.push(...(target.notCarried?.(tables) ?? []));

  const rejects = new RejectLog(resolve(options.rejectsDir ?? 'ferry-rejects'));
  const { digests, byText } = await copyAll(source, target, tables, state, { ...options, rejects, events, statePath });

  if (state.phase === 'data') {
    events({ type: 'phase', phase: 'constraints' });
    await target.finishSchema(tables);
    faultPoint('constraints');
    state.phase = 'verify';
    writeState(statePath, state);
  }
  const fingerprinted = options.verify === false ? [] : [...digests].filter(([name]) => !byText.has(name));
  await options.beforeVerify?.(new Map(fingerprinted), notCarried);

  const summaries: TableSummary[] = tables.map((t) => {
    const ts = state.tables[t.name]!;
    return {
      table: t.name,
      rows: ts.rowsDone,
      rejected: ts.rejected,
      seconds: ts.seconds ?? 0,
      formatted: ts.formatted ?? 0,
      rejectFile: rejects.fileFor(t.name),
    };
  });
  let verified: boolean | undefined;
  if (options.verify !== false) {
    events({ type: 'phase', phase: 'verify' });
    faultPoint('verify');
    const sent: SentRows = { source, conform: { limits: target.limits, rules: options.rules }, digests, byText };
    verified = await verifyTarget(options.reopenTarget, tables, sent, summaries, events, options.recordedDigests);
  }
  await target.clearCheckpoints(state.runId);
  state.phase = 'done';
  writeState(statePath, state);
  return {
    source: { endpoint: source.description, version: await source.serverVersion() },
    target: { endpoint: target.description, version: await target.serverVersion() },
    tables: summaries,
    rows: summaries.reduce((n, s) => n + s.rows, 0),
    rejected: summaries.reduce((n, s) => n + s.rejected, 0),
    notCarried,
    verified,
    resumed: recorded ? { tablesDone: tablesDoneAtStart, tables: tables.length } : undefined,
    digests: Object.fromEntries([...digests].map(([name, d]) => [name, d.text()])),
    statePath,
    seconds: (performance.now() - started) / 1000,
  };
}

interface CopyAllOptions extends RunOptions {
  rejects: RejectLog;
  events: EventListener;
  statePath: string;
}

/**
 * What the data phase sent, for verification: per table, the digest of the rows as sent; for a table whose rows went
 * as bulk text, nothing was fingerprinted, and `byText` holds the digest of the rows the target refused instead.
 */
interface SentRows {
  source: DatasetReader;
  /** How the run conformed the rows (to conform the source's rows the same way when they are read again). */
  conform: { limits: ValueLimits; rules: ReadonlySet<string> };
  digests: Map<string, TableDigest>;
  byText: Map<string, TableDigest>;
}

/** The data phase: every table not yet finished is copied (from its checkpoint), then given its indexes. */
async function copyAll(
  source: DatasetReader,
  target: DatasetWriter,
  tables: TableSchema[],
  state: RunState,
  options: CopyAllOptions,
): Promise<Pick<SentRows, 'digests' | 'byText'>> {
  const digests = new Map<string, TableDigest>();
  const byText = new Map<string, TableDigest>();
  const checkpoints = await target.readCheckpoints(state.runId);
  const committed = (name: string) => {
    const text = checkpoints.get(name);
    return text ? (JSON.parse(text) as TableProgress) : undefined;
  };
  const recordCommitted = (name: string) => {
    const cp = committed(name);
    digests.set(name, cp ? TableDigest.fromJSON(cp.digest) : new TableDigest(options.digestFormat));
    if (cp?.refused) byText.set(name, TableDigest.fromJSON(cp.refused));
  };
  if (state.phase === 'data') options.events({ type: 'phase', phase: 'data' });
  let finishing: { done: Promise<void> } | undefined;
  for (const [i, table] of tables.entries()) {
    const ts = state.tables[table.name]!;
    if (ts.status === 'finished' || state.phase !== 'data') {
      recordCommitted(table.name);
      continue;
    }
    if (ts.status === 'pending' || ts.status === 'copying') {
      let resumeFrom = committed(table.name);
      if (resumeFrom && !resumeFrom.resumeKey && resumeFrom.rowsDone > 0) {
        // The reader cannot position itself inside this table (no key): empty it and copy it again.
        options.events({
          type: 'log',
          level: 'info',
          message: `${table.name} has no key to resume from: copying it again from its first row`,
        });
        await target.truncateTable(table);
        resumeFrom = undefined;
      }
      options.rejects.truncate(table.name, resumeFrom?.rejectBytes ?? 0);
      ts.rowsTotal = await source.countRows(table);
      ts.sourceRows ??= ts.rowsTotal;
      ts.status = 'copying';
      writeState(options.statePath, state);
      faultPoint(`copy:${table.name}`);
      let lastWrite = performance.now();
      const copy = await copyTable(source, target, table, {
        batchRows: options.batchRows,
        rules: options.rules,
        rejects: options.rejects,
        events: options.events,
        runId: options.checkpoints === false ? undefined : state.runId,
        digest: options.verify !== false,
        digestFormat: options.digestFormat,
        bulkText: options.bulkText,
        resumeFrom,
        rowsTotal: ts.rowsTotal,
        onCommitted: (p) => {
          Object.assign(ts, { rowsDone: p.rowsDone, rejected: p.rejected, resumeKey: p.resumeKey });
          // The mirror is for people; the checkpoint in the target is what resumes. Once a second is enough.
          if (performance.now() - lastWrite > 1000) {
            writeState(options.statePath, state);
            lastWrite = performance.now();
          }
        },
      });
      Object.assign(ts, {
        status: 'copied',
        rowsDone: copy.rows,
        rejected: copy.rejected,
        seconds: copy.seconds,
        formatted: copy.formatted,
      });
      writeState(options.statePath, state);
      digests.set(table.name, copy.digest);
      if (copy.refused) byText.set(table.name, copy.refused);
    } else {
      recordCommitted(table.name);
    }
    // One table finishes at a time; a writer that can finish alongside does so while the next table is copied.
    const alongside = target.capabilities.finishesAlongside === true;
    const copyFollows = tables.slice(i + 1).some((t) => ['pending', 'copying'].includes(state.tables[t.name]!.status));
    await finishing?.done;
    finishing = finishInBackground(async () => {
      options.events({ type: 'phase', phase: 'indexes', detail: table.name });
      faultPoint(`index:${table.name}`);
      await target.finishTable(table, { alongsideCopy: alongside && copyFollows });
      ts.status = 'finished';
      writeState(options.statePath, state);
    });
    if (!alongside) await finishing.done;
  }
  await finishing?.done;
  return { digests, byText };
}

/**
 * Work that goes on while the caller continues; `done` settles when it has, with its failure if any. The failure is
 * kept (not reported as unhandled) until `done` is awaited.
 */
function finishInBackground(work: () => Promise<void>): { done: Promise<void> } {
  const done = work();
  done.catch(() => {});
  return { done };
}

/**
 * Every table of the target against what was sent. For a table whose rows went as bulk text, what was sent is worked
 * out from the source, read again at the same time as the target (and recorded in `sent.digests`).
 */
async function verifyTarget(
  reopen: () => Promise<DatasetReader>,
  tables: TableSchema[],
  sent: SentRows,
  summaries: TableSummary[],
  events: EventListener,
  recorded?: ReadonlyMap<string, string>,
  batchRows = DIGEST_BATCH_ROWS,
): Promise<boolean> {
  const check = await reopen();
  try {
    const written = (await check.readSchema()).tables;
    for (const [i, table] of tables.entries()) {
      const landed = written.find((t) => t.name === table.name);
      if (!landed) throw new FerryError('failed', `table ${table.name} is missing from the target after the run`);
      const refused = sent.byText.get(table.name);
      const summary = summaries[i]!;
      const recordedDigest = recorded?.get(table.name);
      if (refused && refused.rows === 0 && summary.rejected === 0 && summary.formatted === summary.rows && recordedDigest) {
        const match = await matchRecorded(check, table, landed, recordedDigest, { batchRows, format: refused.format });
        if (match) {
          events({
            type: 'log',
            level: 'info',
            message: `  ${table.name}: the target matches the digest the backup recorded; the backup is not read again`,
          });
          summary.verification = match.comparison;
          sent.digests.set(table.name, match.digest);
          continue;
        }
        // Not the recorded digest: the full comparison below reads the source again and names the differing keys.
      }
      const expected = refused
        ? async () => {
            const digest = await sentDigest(sent.source, table, sent.conform, refused, batchRows);
            sent.digests.set(table.name, digest);
            return digest;
          }
        : sent.digests.get(table.name)!;
      summary.verification = await compareTable(expected, check, table, landed, { batchRows, format: refused?.format });
    }
  } finally {
    await check.close();
  }
  return summaries.every((s) => s.verification?.equal);
}

function newState(source: DatasetReader, target: DatasetWriter, options: RunOptions, fingerprint: string): RunState {
  const { tables, rules } = options;
  const now = new Date().toISOString();
  return {
    format: 1,
    ferryVersion: options.ferryVersion,
    command: options.command,
    runId: randomUUID(),
    source: source.description,
    target: target.description,
    plan: { tables: tables.map((t) => t.name), options: { convert: [...rules].sort() } },
    planFingerprint: fingerprint,
    phase: 'schema',
    tables: Object.fromEntries(tables.map((t) => [t.name, { status: 'pending', rowsTotal: 0, rowsDone: 0, rejected: 0 }])),
    startedAt: now,
    updatedAt: now,
  };
}

/** --force-reset: drop what the recorded run created in this target, and its checkpoints; nothing else. */
async function resetRecordedRun(recorded: RunState, target: DatasetWriter, events: EventListener): Promise<void> {
  if (recorded.target !== target.description) {
    events({ type: 'log', level: 'warn', message: `the state file recorded a run into ${recorded.target}; that target is left as it is` });
    return;
  }
  const created = await target.existingTables(recorded.plan.tables);
  events({
    type: 'log',
    level: 'warn',
    message: `--force-reset: dropping ${created.length} table(s) the recorded run created${created.length ? `: ${created.join(', ')}` : ''}`,
  });
  await target.dropTables(created);
  await target.clearCheckpoints(recorded.runId);
}

/** The tables whose primary key no two rows of the load can share (conformsOneToOne), so that it may be built after the data. */
function keysAfterData(tables: TableSchema[], rules: ReadonlySet<string>): Set<string> {
  const safe = (t: TableSchema) =>
    t.primaryKey !== undefined &&
    t.primaryKey.columns.every((name) =>
      conformsOneToOne(
        t.columns.find((c) => c.name === name)!,
        rules,
      ),
    );
  return new Set(tables.filter(safe).map((t) => t.name));
}

/** A target must not already hold the tables the run creates, unless the user asked to drop them. */
async function prepareTarget(target: DatasetWriter, names: string[], dropExisting: boolean, events: EventListener): Promise<void> {
  const existing = await target.existingTables(names);
  if (existing.length === 0) return;
  if (!dropExisting) {
    throw new FerryError(
      'refused',
      `the target already holds ${existing.length} of the tables to create: ${existing.slice(0, 10).join(', ')}${existing.length > 10 ? ', …' : ''}`,
      { hint: 'choose an empty target, or pass --drop-existing to replace those tables', details: { existing } },
    );
  }
  events({ type: 'log', level: 'warn', message: `dropping ${existing.length} existing table(s) in the target: ${existing.join(', ')}` });
  await target.dropTables(existing);
}
