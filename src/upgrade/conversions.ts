import type { AddedPart, AnyContext, ConversionImpl, Part, Predicate, RemapPart, RowObject, RowsPart } from './parts.js';
import type { TableDef } from './schema.js';
import type { Rows } from './schema.js';
import type { Conversion, TableBuilder } from './types.js';

/** Loose shapes of the option objects, as the runtime reads them (their typed forms are in types.ts). */
type Fn = (...args: never[]) => unknown;
interface LooseFilters {
  where?: Fn;
  dropRows?: Record<string, Fn>;
  orphans?: Record<string, Fn>;
  dropColumns?: Record<string, string | undefined>;
  omit?: Record<string, string | undefined>;
}
interface LooseCopy extends LooseFilters {
  rename?: Record<string, string | undefined>;
  convert?: Record<string, Fn | undefined>;
  set?: Record<string, Fn | undefined>;
}
interface LooseSettings {
  key: string;
  value: string;
  rename?: Record<string, string>;
  drop?: Record<string, string>;
  change?: Record<string, Fn>;
  add?: Record<string, unknown>;
  row?: Fn;
  dropRows?: Record<string, Fn>;
  dropColumns?: Record<string, string | undefined>;
}

/** Thrown for a mistake in a pack's declarations; the message names the hop and table. */
export class PackDefinitionError extends Error {
  override readonly name = 'PackDefinitionError';
}

/**
 * The builder a `tables` entry receives. Checks what can be checked against the declared schemas at once (every
 * copied column lands somewhere, every dropped one is declared), so that a pack's mistakes show when it is loaded.
 */
export function tableBuilder(
  target: TableDef,
  sources: ReadonlyMap<string, TableDef>,
  fail: (message: string) => never,
): TableBuilder<Rows, RowObject, Record<string, never>, string> {
  const sourceDef = (name: string): TableDef => sources.get(name) ?? fail(`${target.name}: the source version has no table ${name}`);
  const impl = (parts: Part[]) => ({ parts }) as ConversionImpl as Conversion<RowObject>;
  const targetColumns = Object.keys(target.columns);

  const rowsPart = (source: string, label: string, f: LooseFilters, emit: RowsPart['emit'], oneToOne: boolean): RowsPart => {
    const def = sourceDef(source);
    for (const c of [...Object.keys(f.dropColumns ?? {}), ...Object.keys(f.omit ?? {})]) {
      if (!(c in def.columns)) fail(`${label}: ${c} is not a column of ${source}`);
    }
    return {
      kind: 'rows',
      source,
      where: f.where as Predicate | undefined,
      dropRows: Object.entries(f.dropRows ?? {}) as [string, Predicate][],
      orphans: Object.entries(f.orphans ?? {}) as [string, Predicate][],
      dropColumns: defined(f.dropColumns),
      omit: defined(f.omit),
      emit,
      oneToOne,
      label,
    };
  };

  const builder = {
    copy(source: string = target.name, options: LooseCopy = {}) {
      const label = `copy(${source}) into ${target.name}`;
      const def = sourceDef(source);
      const rename = defined(options.rename);
      const set = defined(options.set);
      const carried = new Map<string, string>(); // target column → source column
      for (const c of targetColumns) {
        if (c in set) continue;
        const renamed = Object.entries(rename).find(([, to]) => to === c)?.[0];
        const from = renamed ?? (c in def.columns && !(c in rename) ? c : undefined);
        if (from === undefined) fail(`${label}: target column ${c} comes from no source column (rename one to it, or \`set\` it)`);
        carried.set(c, from);
      }
      const used = new Set(carried.values());
      const drop = defined(options.dropColumns);
      const omit = defined(options.omit);
      for (const c of Object.keys(def.columns)) {
        if (!used.has(c) && !(c in drop) && !(c in omit)) {
          fail(`${label}: source column ${c} is not carried; declare it in dropColumns (a loss) or omit (carried by another table)`);
        }
      }
      for (const c of Object.keys(rename)) if (!(c in def.columns)) fail(`${label}: rename names ${c}, which ${source} does not have`);
      const convert = defined(options.convert);
      const pairs = [...carried].map(([to, from]) => [to, from, convert[from]] as const);
      const setters = Object.entries(set);
      const part = rowsPart(
        source,
        label,
        options,
        (row, ctx) => {
          const out: RowObject = {};
          for (const [to, from, change] of pairs)
            out[to] = change ? (change as (v: unknown, r: RowObject, c: AnyContext) => unknown)(row[from], row, ctx) : row[from];
          for (const [to, fn] of setters) out[to] = (fn as (r: RowObject, c: AnyContext) => unknown)(row, ctx);
          return [out];
        },
        true,
      );
      return impl([{ ...part, copy: { carried, set: Object.keys(set), converted: Object.keys(convert).length > 0 } }]);
    },

    from(source: string, map: unknown) {
      const options = (typeof map === 'function' ? { row: map } : map) as LooseFilters & {
        row: (r: RowObject, c: AnyContext) => RowObject;
      };
      return impl([rowsPart(source, `from(${source}) into ${target.name}`, options, (row, ctx) => [options.row(row, ctx)], true)]);
    },

    fromEach(source: string, options: unknown) {
      const o = options as LooseFilters & { rows: (r: RowObject, c: AnyContext) => RowObject[] };
      return impl([rowsPart(source, `fromEach(${source}) into ${target.name}`, o, (row, ctx) => o.rows(row, ctx), false)]);
    },

    merge(...conversions: Conversion<RowObject>[]) {
      return impl(conversions.flatMap((c) => (c as unknown as ConversionImpl).parts));
    },

    settings(source: string, options: unknown) {
      return impl(settingsParts(source, options as unknown as LooseSettings, target, sourceDef(source), fail));
    },

    fromRemap(remap: string, map: RemapPart['emit']) {
      return impl([{ kind: 'remap', remap, emit: map, label: `fromRemap(${remap}) into ${target.name}` }]);
    },
  };
  return builder as unknown as TableBuilder<Rows, RowObject, Record<string, never>, string>;
}

/** A settings table: its rows (renamed, changed, some dropped), then the added keys the source lacks. */
function settingsParts(source: string, o: LooseSettings, target: TableDef, def: TableDef, fail: (m: string) => never): Part[] {
  const label = `settings(${source}) into ${target.name}`;
  for (const c of [o.key, o.value]) if (!(c in def.columns)) fail(`${label}: ${source} has no column ${c}`);
  const rename = o.rename ?? {};
  const drop = o.drop ?? {};
  const change = o.change ?? {};
  const dropColumns = defined(o.dropColumns);
  const userRow = o.row as
    ((s: { key: string; value: unknown; source?: RowObject; added: number }, c: AnyContext) => RowObject) | undefined;
  if (!userRow) {
    for (const c of Object.keys(target.columns))
      if (!(c in def.columns)) fail(`${label}: target column ${c} is not in ${source}; give a \`row\` function`);
    for (const c of Object.keys(def.columns)) {
      if (!(c in target.columns) && !(c in dropColumns)) fail(`${label}: source column ${c} is not carried; declare it in dropColumns`);
    }
  }
  const byName = (base: RowObject | undefined, key: string, value: unknown): RowObject => {
    const out: RowObject = {};
    for (const c of Object.keys(target.columns)) out[c] = base?.[c] ?? null;
    out[o.key] = key;
    out[o.value] = value;
    return out;
  };
  const rows: RowsPart = {
    kind: 'rows',
    source,
    dropRows: [
      ...Object.entries(drop).map(([k, why]): [string, Predicate] => [`setting ${k}: ${why}`, (r) => r[o.key] === k]),
      ...(Object.entries(o.dropRows ?? {}) as [string, Predicate][]),
    ],
    orphans: [],
    dropColumns,
    omit: {},
    oneToOne: true,
    label,
    emit: (r, ctx) => {
      const old = String(r[o.key]);
      const key = rename[old] ?? old;
      const value = change[old] ? (change[old] as (v: unknown, row: RowObject) => unknown)(r[o.value], r) : r[o.value];
      return [userRow ? userRow({ key, value, source: r, added: -1 }, ctx) : byName(r, key, value)];
    },
  };
  const add = Object.entries(o.add ?? {});
  if (add.length === 0) return [rows];
  const added: AddedPart = {
    kind: 'added',
    source,
    keyColumn: o.key,
    keys: add,
    label: `${label} (added keys)`,
    targetKey: (k) => (k in drop ? undefined : (rename[k] ?? k)),
    make: (key, value, index, ctx) => (userRow ? userRow({ key, value, added: index }, ctx) : byName(undefined, key, value)),
  };
  return [rows, added];
}

/** The entries of an options record whose value is set (optional properties may hold undefined). */
function defined<V>(record: Record<string, V | undefined> | undefined): Record<string, V> {
  return Object.fromEntries(Object.entries(record ?? {}).filter(([, v]) => v !== undefined)) as Record<string, V>;
}
