import { FerryError } from '../core/errors.js';
import type { HopInput } from './input.js';
import { jsonKey } from './keys.js';
import type { AddedPart, Part, RowObject, RowsPart } from './parts.js';
import type { HopRuntime, UpgradeEvent } from './runtime.js';
import { fingerprintOf, type ScratchStore } from './scratch.js';

/** Rows set aside for one reason, with the keys of the first few. */
export interface ReasonCount {
  reason: string;
  count: number;
  ids: unknown[];
}

/** What one conversion part does with the rows of its source table. */
export interface PartTally {
  target: string;
  part: number;
  /** Rows its `where` takes (all, without one). */
  taken: number;
  /** Target rows it hands on. */
  emitted: number;
  /**
   * Rows it drops or skips although another conversion owns (and carries) them: data of a carried row that does
   * not reach this target table.
   */
  dropped: ReasonCount[];
  orphans: ReasonCount[];
}

/** A source column whose values are not carried: declared dropped, or not part of the declared schema. */
export interface ColumnLoss {
  column: string;
  reason: string;
  declared: boolean;
  /** Rows where it holds a value (not NULL). */
  values: number;
}

/**
 * The fate of every row of one source table in one hop, counted before anything is written: rows = carried +
 * dropped + orphans + unclaimed. Each row is accounted by its owner, the first conversion (in the hop's order)
 * whose `where` takes it; other conversions reading the same row (a split into several tables) add target rows,
 * not source rows.
 */
export interface SourceTally {
  table: string;
  rows: number;
  carried: number;
  dropped: ReasonCount[];
  orphans: ReasonCount[];
  /** Rows no conversion's `where` takes: a loss the pack did not declare. */
  unclaimed: ReasonCount;
  columns: ColumnLoss[];
  /** Declared columns no conversion reads (in a sample of rows) and none declares dropped or omitted. */
  unread: string[];
  parts: PartTally[];
  /** For settings conversions with added keys: the added keys the source already has, by target table. */
  present: Record<string, string[]>;
}

const IDS = 10;
/** Rows watched to see which columns conversions read: enough to see every branch of ordinary code. */
const SAMPLE = 500;

/** The tally of one source table, from the scratch store when complete, else counted by one scan. */
export async function tallySource(
  input: HopInput,
  rt: HopRuntime,
  store: ScratchStore,
  table: string,
  options: { batchRows: number; events?: (e: UpgradeEvent) => void },
): Promise<SourceTally> {
  const item = rt.item('tally', table);
  const fingerprint = fingerprintOf(rt.fingerprint, table, input.reader.description, await input.count(table));
  const done = store.completed(item, fingerprint);
  if (done?.value) {
    options.events?.({ type: 'tally', hop: rt.hop.label, table, rows: 0, done: true, reused: true });
    return JSON.parse(done.value) as SourceTally;
  }
  const tally = await count(input, rt, table, options);
  store.complete(item, fingerprint, JSON.stringify(tally));
  return tally;
}

async function count(
  input: HopInput,
  rt: HopRuntime,
  table: string,
  options: { batchRows: number; events?: (e: UpgradeEvent) => void },
): Promise<SourceTally> {
  const hop = rt.hop;
  const ctx = rt.ctx;
  const parts: [string, number, RowsPart][] = [];
  const added: [string, AddedPart][] = [];
  for (const [target, list] of hop.conversions) {
    list.forEach((p: Part, i) => {
      if (p.kind === 'rows' && p.source === table) parts.push([target, i, p]);
      if (p.kind === 'added' && p.source === table) added.push([target, p]);
    });
  }
  const keyOf = await input.keyOf(table);
  const declared = hop.source.get(table)!;
  const actual = await input.table(table);
  const dropReasons = new Map<string, string>();
  for (const [, , p] of parts) for (const [c, why] of Object.entries(p.dropColumns)) if (!dropReasons.has(c)) dropReasons.set(c, why);
  const columns: ColumnLoss[] = [
    ...[...dropReasons].map(([column, reason]) => ({ column, reason, declared: true, values: 0 })),
    ...actual.columns
      .filter((c) => !(c.name in declared.columns))
      .map((c) => ({ column: c.name, reason: `not part of ${hop.from}'s schema`, declared: false, values: 0 })),
  ];
  const accounted = new Set(parts.flatMap(([, , p]) => [...Object.keys(p.dropColumns), ...Object.keys(p.omit)]));

  const tally: SourceTally = {
    table,
    rows: 0,
    carried: 0,
    dropped: [],
    orphans: [],
    unclaimed: { reason: 'taken by no conversion', count: 0, ids: [] },
    columns,
    unread: [],
    parts: parts.map(([target, part]) => ({ target, part, taken: 0, emitted: 0, dropped: [], orphans: [] })),
    present: Object.fromEntries(added.map(([target]) => [target, []])),
  };
  const reasons = { dropped: new Map<string, ReasonCount>(), orphans: new Map<string, ReasonCount>() };
  const note = (
    into: { dropped: ReasonCount[]; orphans: ReasonCount[] } | undefined,
    kind: 'dropped' | 'orphans',
    reason: string,
    row: RowObject,
  ) => {
    const list = into ? into[kind] : undefined;
    let r = list ? list.find((x) => x.reason === reason) : reasons[kind].get(reason);
    if (!r) {
      r = { reason, count: 0, ids: [] };
      if (list) list.push(r);
      else reasons[kind].set(reason, r);
    }
    r.count++;
    if (r.ids.length < IDS) r.ids.push(jsonKey(keyOf(row)));
  };
  const read = new Set<string>();
  const watch = (row: RowObject) =>
    new Proxy(row, {
      get: (target, prop) => {
        if (typeof prop === 'string') read.add(prop);
        return target[prop as string];
      },
    });
  const present = added.map(([, p]) => ({ part: p, keys: new Set(p.keys.map(([k]) => k)), seen: new Set<string>() }));

  const visit = (raw: RowObject) => {
    const sampled = tally.rows < SAMPLE;
    const row = sampled ? watch(raw) : raw;
    tally.rows++;
    let owned = false;
    parts.forEach(([, , p], i) => {
      if (p.where && !p.where(row, ctx)) return;
      const owner = !owned;
      owned = true;
      const counts = tally.parts[i]!;
      counts.taken++;
      const drop = p.dropRows.find(([, f]) => f(row, ctx));
      const orphan = drop ? undefined : p.orphans.find(([, f]) => f(row, ctx));
      // One-to-one conversions need not run to be counted, except on the sample that shows which columns they read.
      if (!drop && !orphan) counts.emitted += p.oneToOne && !sampled ? 1 : p.emit(row, ctx).length;
      if (!owner) {
        if (drop) note(counts, 'dropped', drop[0], raw);
        else if (orphan) note(counts, 'orphans', orphan[0], raw);
        return;
      }
      if (drop) note(undefined, 'dropped', drop[0], raw);
      else if (orphan) note(undefined, 'orphans', orphan[0], raw);
      else tally.carried++;
    });
    if (!owned) {
      tally.unclaimed.count++;
      if (tally.unclaimed.ids.length < IDS) tally.unclaimed.ids.push(jsonKey(keyOf(raw)));
    }
    for (const c of columns) if (raw[c.column] !== null && raw[c.column] !== undefined) c.values++;
    for (const p of present) {
      const key = p.part.targetKey(String(raw[p.part.keyColumn]));
      if (key !== undefined && p.keys.has(key)) p.seen.add(key);
    }
  };

  for await (const batch of input.scan(table, { batchRows: options.batchRows })) {
    try {
      batch.rows.forEach(visit);
    } catch (e) {
      throw new FerryError('failed', `hop ${hop.label}: counting ${table} failed: ${(e as Error).message}`, { cause: e });
    }
    options.events?.({ type: 'tally', hop: hop.label, table, rows: tally.rows, done: false });
  }
  options.events?.({ type: 'tally', hop: hop.label, table, rows: tally.rows, done: true });
  tally.dropped = [...reasons.dropped.values()];
  tally.orphans = [...reasons.orphans.values()];
  tally.present = Object.fromEntries(added.map(([target], i) => [target, [...present[i]!.seen]]));
  if (parts.length === 0) accountByRemaps(tally, rt);
  if (tally.rows > 0 && parts.length > 0) {
    tally.unread = Object.keys(declared.columns).filter((c) => !read.has(c) && !accounted.has(c));
  }
  return tally;
}

/**
 * A table no conversion reads row by row, only remaps that `fromRemap` turns into rows: each new id carries one
 * row, the rows merged into it by `sameAs` are dropped as merged, and rows the remaps did not take are unclaimed.
 */
function accountByRemaps(tally: SourceTally, rt: HopRuntime): void {
  const used = new Set([...rt.hop.conversions.values()].flat().flatMap((p) => (p.kind === 'remap' ? [p.remap] : [])));
  const remaps = rt.hop.prepared.filter(([name, spec]) => spec.kind === 'remap' && spec.table === tally.table && used.has(name));
  if (remaps.length === 0) return;
  const [name] = remaps[0]!;
  const handle = rt.remap(name);
  tally.carried = handle.count();
  const merged = handle.size() - handle.count();
  if (merged > 0) tally.dropped.push({ reason: `merged into an equal row (remap ${name})`, count: merged, ids: [] });
  tally.unclaimed.count = tally.rows - handle.size();
  tally.unclaimed.ids = [];
}
