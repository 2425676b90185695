import type { DatasetReader } from '../core/dataset.js';
import { FerryError } from '../core/errors.js';
import type { TableSchema } from '../core/schema.js';
import { hopDef, type HopDef } from './define.js';
import type { RowObject } from './parts.js';
import { rowReader } from './rows.js';
import type { DetectResult, DetectSource, Finding, Pack } from './types.js';

/** The hops from one version to another, and what the path itself warrants saying. */
export interface UpgradePath {
  pack: Pack;
  /** The pack version the path starts from. */
  from: string;
  to: string;
  /** The version detect() reported, when it is finer than the pack's (`3.6.1` for `3.6`). */
  detected?: string;
  hops: HopDef[];
  /** Untested versions (warnings), how the version was found and the path (info). */
  findings: Finding[];
}

/**
 * The shortest path of hops from `from` to `to` (default: the pack's latest version). `from` may be finer than a
 * pack version (`3.6.1` starts at `3.6`, with a warning that it was not tested). Throws FerryError('refused') when
 * no path exists, naming the hops the pack knows, and FerryError('usage') for a `to` the pack does not know.
 */
export function findPath(pack: Pack, from: string, to?: string): UpgradePath {
  const target = to ?? pack.versions[pack.versions.length - 1]!;
  if (!pack.versions.includes(target)) {
    throw new FerryError('usage', `${pack.name} has no version ${target}`, { hint: `its versions: ${pack.versions.join(', ')}` });
  }
  const start = packVersion(pack, from);
  if (!start) {
    throw new FerryError('refused', `${pack.name} does not know version ${from}`, { hint: `it knows ${pack.versions.join(', ')}` });
  }
  const hops = pack.hops.map(hopDef);
  const route = shortest(hops, start, target);
  if (!route) {
    throw new FerryError('refused', `no upgrade path from ${from} to ${target}: the pack knows ${knownHops(hops)}`, {
      hint: start === target ? undefined : 'upgrade with another tool (or an older pack) to a version the pack starts from',
    });
  }
  const findings: Finding[] = [];
  if (from !== start) {
    findings.push({
      severity: 'warning',
      code: 'untested-version',
      message: `${from} is not a version ${pack.name} was tested with; it is treated as ${start}`,
    });
  }
  for (const v of new Set([start, target])) {
    if (pack.untested?.includes(v))
      findings.push({ severity: 'warning', code: 'untested-version', message: `${pack.name} was not tested with ${v}` });
  }
  findings.push({
    severity: 'info',
    code: 'path',
    message: route.length === 0 ? `already at ${target}: nothing to upgrade` : `path: ${[start, ...route.map((h) => h.to)].join(' → ')}`,
  });
  return { pack, from: start, to: target, detected: from !== start ? from : undefined, hops: route, findings };
}

/** Asks the pack which version the source holds. */
export async function detectVersion(pack: Pack, reader: DatasetReader, batchRows = 1000): Promise<DetectResult> {
  const schema = await reader.readSchema();
  const byName = new Map(schema.tables.map((t) => [t.name, t]));
  const rows = async function* (table: TableSchema): AsyncIterable<RowObject> {
    const toObject = rowReader(table, undefined, table.name);
    for await (const batch of reader.readRows(table, { batchRows })) for (const row of batch.rows) yield normalize(toObject(row));
  };
  const src: DetectSource = {
    tables: schema.tables.map((t) => t.name),
    columns: (table) => byName.get(table)?.columns.map((c) => c.name) ?? [],
    matches: (declared) => {
      const missing: string[] = [];
      for (const def of declared.tables) {
        const t = byName.get(def.name);
        if (!t) missing.push(def.name);
        else for (const c of Object.keys(def.columns)) if (!t.columns.some((x) => x.name === c)) missing.push(`${def.name}.${c}`);
      }
      return { ok: missing.length === 0, missing };
    },
    first: async (table, where) => {
      const t = byName.get(table);
      if (t) for await (const row of rows(t)) if (!where || where(row)) return row;
      return undefined;
    },
    count: async (table, where) => {
      const t = byName.get(table);
      let n = 0;
      if (t) for await (const row of rows(t)) if (!where || where(row)) n++;
      return n;
    },
  };
  return pack.detect(src);
}

/**
 * Detects the version (unless `from` is given) and finds the path to `to`. Throws FerryError('refused') when the
 * pack cannot tell the version, with its reason and the way out (`--from`).
 */
export async function planUpgrade(pack: Pack, reader: DatasetReader, options: { from?: string; to?: string } = {}): Promise<UpgradePath> {
  let from = options.from;
  let evidence: string | undefined;
  if (from === undefined) {
    const found = await detectVersion(pack, reader);
    if ('unknown' in found) {
      throw new FerryError('refused', `cannot tell which version of ${pack.name} ${reader.description} holds: ${found.unknown}`, {
        hint: 'name the version with --from if you know it',
      });
    }
    from = found.version;
    evidence = found.evidence;
  }
  const path = findPath(pack, from, options.to);
  const how = options.from !== undefined ? 'as given' : `detected${evidence ? ` (${evidence})` : ''}`;
  path.findings.unshift({ severity: 'info', code: 'version', message: `${pack.name} ${from}, ${how}` });
  return path;
}

/** The pack version a detected version belongs to: itself, or the longest pack version it extends (`3.6` for `3.6.1`). */
function packVersion(pack: Pack, version: string): string | undefined {
  if (pack.versions.includes(version)) return version;
  return pack.versions.filter((v) => version.startsWith(`${v}.`)).sort((a, b) => b.length - a.length)[0];
}

function shortest(hops: HopDef[], from: string, to: string): HopDef[] | undefined {
  const via = new Map<string, HopDef[]>([[from, []]]);
  const queue = [from];
  while (queue.length > 0) {
    const v = queue.shift()!;
    if (v === to) return via.get(v);
    for (const h of hops.filter((x) => x.from === v && !via.has(x.to))) {
      via.set(h.to, [...via.get(v)!, h]);
      queue.push(h.to);
    }
  }
  return undefined;
}

/** The pack's hops as chains: `3.6 → 4.0 → 4.1 → 5.0`, or several chains separated by commas. */
function knownHops(hops: HopDef[]): string {
  if (hops.length === 0) return 'no hops';
  const chains: string[][] = [];
  for (const h of hops) {
    const chain = chains.find((c) => c[c.length - 1] === h.from);
    if (chain) chain.push(h.to);
    else chains.push([h.from, h.to]);
  }
  return chains.map((c) => c.join(' → ')).join(', ');
}

/** Detection sees integers as numbers where they fit, like conversions do (readers may give bigints). */
function normalize(row: RowObject): RowObject {
  for (const [k, v] of Object.entries(row)) if (typeof v === 'bigint' && Number.isSafeInteger(Number(v))) row[k] = Number(v);
  return row;
}
