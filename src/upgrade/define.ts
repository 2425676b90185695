import { createHash } from 'node:crypto';
import type { TableSchema } from '../core/schema.js';
import { PackDefinitionError, tableBuilder } from './conversions.js';
import type { Part } from './parts.js';
import { prepareBuilder, type PreparedImpl } from './prepare-spec.js';
import type { Rows, TableDef } from './schema.js';
import type { Hop, HopSpec, Pack, PackSpec, PreparedSpec } from './types.js';

/** A pair of tables that must hold the same rows (on these columns) before and after a hop. */
export interface Expectation {
  source: string;
  target: string;
  columns: string[];
}

/** A hop as ferry runs it: the author's declarations, resolved into parts, prepared items and portable schemas. */
export interface HopDef extends Hop {
  readonly label: string;
  readonly source: ReadonlyMap<string, TableDef>;
  readonly sourceTables: ReadonlyMap<string, TableSchema>;
  readonly targetTables: readonly TableSchema[];
  /** Target table name → its parts, in target schema order. */
  readonly conversions: ReadonlyMap<string, Part[]>;
  /** Lookups, remaps and values in the order they are built. */
  readonly prepared: readonly [name: string, spec: PreparedImpl][];
  readonly droppedTables: Readonly<Record<string, string>>;
  readonly checks: readonly [code: string, check: (...args: never[]) => unknown][];
  readonly files?: (path: string, ctx: never) => string | null | { drop: string };
  readonly expectations: readonly Expectation[];
  /** Changes when the hop's declarations (functions included) change: scratch data built by another version is not reused. */
  readonly fingerprint: string;
}

/**
 * Declares one upgrade step. Row types follow from `source` and `target`; every target table needs a conversion,
 * and every source table must be carried by one or declared in `droppedTables`. Mistakes throw at once, naming
 * the hop and the table.
 *
 * @example
 * export const hop = defineHop({
 *   from: '1.0', to: '2.0', source: v1, target: v2,
 *   tables: { users: (t) => t.copy('users', { rename: { name: 'display_name' } }) },
 * });
 */
export function defineHop<S extends Rows, T extends Rows, L extends Record<string, PreparedSpec> = Record<string, never>>(
  spec: HopSpec<S, T, L>,
): Hop {
  const label = `${spec.from} → ${spec.to}`;
  const fail = (message: string): never => {
    throw new PackDefinitionError(`hop ${label}: ${message}`);
  };
  const source = new Map(spec.source.tables.map((t) => [t.name, t] as [string, TableDef]));
  const dropped = Object.fromEntries(Object.entries(spec.droppedTables ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;

  const built = (spec.lookups?.(prepareBuilder(new Set(source.keys()), fail) as never) ?? {}) as Record<string, PreparedImpl>;
  const prepared = Object.entries(built);

  const conversions = new Map<string, Part[]>();
  const tables = spec.tables as unknown as Record<string, (t: unknown) => { parts: Part[] }>;
  for (const def of spec.target.tables) {
    const make = tables[def.name] ?? fail(`target table ${def.name} has no conversion in \`tables\``);
    conversions.set(def.name, make(tableBuilder(def, source, fail)).parts);
  }
  for (const name of Object.keys(tables))
    if (!conversions.has(name)) fail(`\`tables\` names ${name}, which the target version does not have`);

  // A table read only through a remap that `fromRemap` turns into rows is converted too (its rows are de-duplicated).
  const read = new Set([...conversions.values()].flat().flatMap((p) => (p.kind === 'remap' ? [built[p.remap]?.table ?? ''] : [p.source])));
  for (const name of source.keys()) {
    if (!read.has(name) && !(name in dropped)) fail(`source table ${name} is neither converted nor declared in droppedTables`);
    if (read.has(name) && name in dropped) fail(`source table ${name} is both converted and declared dropped`);
  }
  for (const name of Object.keys(dropped))
    if (!source.has(name)) fail(`droppedTables names ${name}, which the source version does not have`);
  for (const p of [...conversions.values()].flat()) {
    if (p.kind === 'remap' && built[p.remap]?.kind !== 'remap') fail(`${p.label}: ${p.remap} is not a remap declared in \`lookups\``);
  }

  const hop: HopDef = {
    kind: 'ferry-hop',
    from: spec.from,
    to: spec.to,
    label,
    source,
    sourceTables: new Map(spec.source.portable.map((t) => [t.name, t])),
    targetTables: spec.target.portable,
    conversions,
    prepared,
    droppedTables: dropped,
    checks: Object.entries(spec.checks ?? {}) as HopDef['checks'][number][],
    files: spec.files as HopDef['files'],
    expectations: [...unchangedCopies(conversions, source), ...(spec.expect ?? []).map((e) => expectation(e, source, fail))],
    fingerprint: fingerprint(spec),
  };
  return hop;
}

/**
 * Declares an app pack: its versions (oldest first), how to detect the version a source holds, and its hops.
 *
 * @example
 * export default definePack({ name: 'notes', versions: ['1.0', '2.0'], detect: (src) => …, hops: [hop] });
 */
export function definePack(spec: PackSpec): Pack {
  const fail = (message: string): never => {
    throw new PackDefinitionError(`pack ${spec.name}: ${message}`);
  };
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(spec.name)) fail('the name must be letters, digits, dots, dashes and underscores');
  if (new Set(spec.versions).size !== spec.versions.length) fail('a version is listed twice');
  for (const hop of spec.hops) {
    if (!isHop(hop)) fail('a hop is not made by defineHop');
    for (const v of [hop.from, hop.to]) if (!spec.versions.includes(v)) fail(`hop ${hop.from} → ${hop.to}: ${v} is not in versions`);
  }
  for (const v of spec.untested ?? []) if (!spec.versions.includes(v)) fail(`untested version ${v} is not in versions`);
  return { ...spec, hops: [...spec.hops], kind: 'ferry-pack' };
}

/** True for a value made by defineHop (also when it comes from another copy of ferry, as a user's module may). */
export function isHop(value: unknown): value is HopDef {
  return typeof value === 'object' && value !== null && (value as Hop).kind === 'ferry-hop' && 'conversions' in value;
}

/** True for a value made by definePack. */
export function isPack(value: unknown): value is Pack {
  return typeof value === 'object' && value !== null && (value as Pack).kind === 'ferry-pack' && Array.isArray((value as Pack).hops);
}

/** The internal form of a pack's hop. */
export function hopDef(hop: Hop): HopDef {
  if (!isHop(hop)) throw new PackDefinitionError('a hop is not made by defineHop');
  return hop;
}

/** Tables a hop copies with nothing changed: they must verify equal, column for column. */
function unchangedCopies(conversions: ReadonlyMap<string, Part[]>, source: ReadonlyMap<string, TableDef>): Expectation[] {
  const out: Expectation[] = [];
  for (const [target, parts] of conversions) {
    const p = parts[0];
    if (parts.length !== 1 || p?.kind !== 'rows' || !p.copy || p.copy.set.length > 0) continue;
    const identity = [...p.copy.carried].every(([to, from]) => to === from);
    const sourceColumns = Object.keys(source.get(p.source)!.columns);
    const filtered = p.where || p.dropRows.length || p.orphans.length || Object.keys(p.dropColumns).length || Object.keys(p.omit).length;
    if (identity && !filtered && !p.copy.converted && sourceColumns.length === p.copy.carried.size) {
      out.push({ source: p.source, target, columns: sourceColumns });
    }
  }
  return out;
}

function expectation(
  e: { source: string; target: string; columns?: string[] },
  source: ReadonlyMap<string, TableDef>,
  fail: (m: string) => never,
) {
  const columns = e.columns ?? Object.keys(source.get(e.source)?.columns ?? fail(`expect: no source table ${e.source}`));
  return { source: e.source, target: e.target, columns };
}

/** A digest of everything the hop declares, functions by their source text. */
function fingerprint(spec: unknown): string {
  const text = JSON.stringify(spec, (_key, value: unknown) => {
    if (typeof value === 'function') return `fn:${value.toString()}`;
    if (typeof value === 'bigint') return `${value}n`;
    return value;
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
