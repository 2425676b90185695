import type { HopReader } from './hop-reader.js';

/** Where the rows of one source table go in one hop: rows = carried + dropped + skipped. */
export interface TableLedger {
  table: string;
  rows: number;
  /** Handed on to the target (possibly into several target rows, or tables). */
  carried: number;
  /** Not carried, as the pack declared (dropped tables, `dropRows`, dropped settings), plus rows no conversion takes. */
  dropped: number;
  /** Skipped as orphans. */
  skipped: number;
  reasons: { kind: 'dropped' | 'orphan'; reason: string; count: number }[];
}

/** One hop's accounts: its source tables, and the rows it hands to each target table. */
export interface HopLedger {
  hop: string;
  sources: TableLedger[];
  targets: { table: string; rows: number; from: string[] }[];
}

/** The accounts of a run through hops: each original table's rows, with the rows the target refused. */
export interface RunAccount {
  /** rows = carried + dropped + skipped + rejected, for every table of the original source. */
  tables: (TableLedger & { rejected: number })[];
  /**
   * Rejected rows of target tables that several source tables (or several conversions) feed, which cannot be
   * charged to one source table: the source tables' `carried` still counts them.
   */
  unattributed: { target: string; rejected: number; from: string[] }[];
}

/** The ledger of one hop, from its tallies (counted before anything is written, so exact however the run went). */
export async function hopLedger(reader: HopReader): Promise<HopLedger> {
  const hop = reader.hop;
  const sources: TableLedger[] = [];
  for (const t of (await reader.input.schema()).tables) {
    const dropWhy = hop.droppedTables[t.name] ?? (hop.source.has(t.name) ? undefined : `not part of ${hop.from}'s schema`);
    if (dropWhy !== undefined) {
      const rows = await reader.input.reader.countRows(t);
      sources.push({
        table: t.name,
        rows,
        carried: 0,
        dropped: rows,
        skipped: 0,
        reasons: rows ? [{ kind: 'dropped', reason: dropWhy, count: rows }] : [],
      });
      continue;
    }
    const tally = await reader.tally(t.name);
    const reasons: TableLedger['reasons'] = [
      ...tally.dropped.map((r) => ({ kind: 'dropped' as const, reason: r.reason, count: r.count })),
      ...(tally.unclaimed.count ? [{ kind: 'dropped' as const, reason: tally.unclaimed.reason, count: tally.unclaimed.count }] : []),
      ...tally.orphans.map((r) => ({ kind: 'orphan' as const, reason: r.reason, count: r.count })),
    ];
    const sum = (kind: 'dropped' | 'orphan') => reasons.filter((r) => r.kind === kind).reduce((n, r) => n + r.count, 0);
    sources.push({ table: t.name, rows: tally.rows, carried: tally.carried, dropped: sum('dropped'), skipped: sum('orphan'), reasons });
  }
  const targets: HopLedger['targets'] = [];
  for (const table of hop.targetTables) {
    const from = [...new Set(hop.conversions.get(table.name)!.map((p) => (p.kind === 'remap' ? `remap ${p.remap}` : p.source)))];
    targets.push({ table: table.name, rows: await reader.countRows(table), from });
  }
  return { hop: hop.label, sources, targets };
}

/**
 * Charges the rows a run's target refused (by target table) to the original source tables. A target table's
 * rejects are charged to a source table when, through every hop, the table is made by one conversion that is the
 * first to read its source (so it owns every row it carries); other rejects are listed as unattributed.
 */
export function accountRun(readers: HopReader[], ledgers: HopLedger[], rejected: Record<string, number>): RunAccount {
  const first = ledgers[0];
  const tables = (first?.sources ?? []).map((t) => ({ ...t, rejected: 0 }));
  const unattributed: RunAccount['unattributed'] = [];
  for (const [target, count] of Object.entries(rejected)) {
    if (count === 0) continue;
    let name: string | undefined = target;
    for (let i = readers.length - 1; i >= 0 && name !== undefined; i--) name = ownerSource(readers[i]!, name);
    const line = name === undefined ? undefined : tables.find((t) => t.table === name);
    if (line) {
      line.rejected += count;
      line.carried -= count;
    } else {
      const from = ledgers[ledgers.length - 1]?.targets.find((t) => t.table === target)?.from ?? [];
      unattributed.push({ target, rejected: count, from });
    }
  }
  return { tables, unattributed };
}

/** The one source table whose rows make this target table, one for one, or undefined. */
function ownerSource(reader: HopReader, target: string): string | undefined {
  const parts = reader.hop.conversions.get(target);
  const p = parts?.[0];
  if (!parts || parts.length !== 1 || p?.kind !== 'rows' || !p.oneToOne) return undefined;
  const firstReader = [...reader.hop.conversions.values()].flat().find((x) => x.kind === 'rows' && x.source === p.source);
  return firstReader === p ? p.source : undefined;
}
